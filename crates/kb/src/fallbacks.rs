//! `rules/data/fallbacks.toml`: what counts as a fallback for a delivery dependency
//! (cache actions and paths, retries) and which setup actions download toolchains from
//! where. The inventory and the `missing-fallback` rule both read this one table.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::DataFile;
use crate::load::{Invalid, Sourced, cites};

pub const FILE: DataFile = DataFile {
    name: "fallbacks.toml",
    text: include_str!("../../../rules/data/fallbacks.toml"),
};

/// An action that restores a cache of downloads.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CacheAction {
    pub action: String,
    /// The `with:` input that turns the cache on; `None` when it is always on.
    pub input: Option<String>,
    /// On when the input is not given.
    #[serde(default)]
    pub default: bool,
    /// `default` holds only from this major version of the action on (setup-uv's
    /// `enable-cache` became `auto`, on for GitHub-hosted runners, in v5).
    pub default_since_major: Option<u32>,
    /// The input turns the cache off rather than on (`cache-disabled: true`).
    #[serde(default)]
    pub inverted: bool,
    #[serde(default)]
    pub covers: Vec<String>,
    /// Input value → ecosystem, when the value decides what is cached.
    #[serde(default)]
    pub value_covers: BTreeMap<String, String>,
    /// Coverage decided by the `path:` input.
    #[serde(default)]
    pub paths: bool,
    /// It restores entries (`actions/cache/save` does not).
    #[serde(default = "yes")]
    pub restores: bool,
    /// It writes entries (`actions/cache/restore` does not).
    #[serde(default = "yes")]
    pub saves: bool,
    /// It writes while its step runs, not in its post step at the end of the job.
    #[serde(default)]
    pub saves_during_step: bool,
    /// The input, and the value of it, that stops the writing (`save-if: false`).
    pub save_off_input: Option<String>,
    pub save_off_value: Option<String>,
    /// The input that holds the entry's key; `None` when the action builds it.
    pub key_input: Option<String>,
    /// The input that holds the prefixes a restore falls back to.
    pub restore_keys_input: Option<String>,
    /// The action's key includes the job id unless this input is set.
    pub job_scoped_unless: Option<String>,
    pub reference: String,
}

const fn yes() -> bool {
    true
}

/// Whether an input value turns something on: not empty, `false` or `0`.
#[must_use]
pub fn truthy(v: &str) -> bool {
    let v = v.trim();
    !v.is_empty() && !v.eq_ignore_ascii_case("false") && v != "0"
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CachePath {
    pub pattern: String,
    pub covers: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryEnv {
    pub name: String,
    pub covers: String,
    pub reference: String,
}

/// A setup action that downloads a toolchain.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Toolchain {
    pub action: String,
    pub what: String,
    pub hosts: Vec<String>,
    /// Every host is GitHub itself, which runs the job anyway.
    #[serde(default)]
    pub platform: bool,
    pub builtin_fallback: Option<String>,
    #[serde(default)]
    pub version_inputs: Vec<String>,
    /// Downloads only when a version input is given: without one the action uses what the
    /// project or the runner already has (setup-gradle runs the project's `gradlew`).
    #[serde(default)]
    pub download_only_with_version: bool,
    pub reference: String,
}

/// The fallback advice for a package manager outside the lockfile ecosystems. The hosts
/// it reaches are not here but in `egress-hosts.toml` (`[[manager]]`), the one table of
/// manager hosts, so the inventory and the egress allow-lists name the same ones.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manager {
    /// The names the install recogniser reports ([`crate::Manager::name`]).
    pub names: Vec<String>,
    pub ecosystem: String,
    pub help: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Knowledge {
    #[serde(default)]
    pub cache: Vec<CacheAction>,
    #[serde(default)]
    pub cache_path: Vec<CachePath>,
    #[serde(default)]
    pub retry_env: Vec<RetryEnv>,
    #[serde(default)]
    pub toolchain: Vec<Toolchain>,
    #[serde(default)]
    pub manager: Vec<Manager>,
    #[serde(default)]
    pub advice: Vec<Advice>,
}

/// The advice for a lockfile ecosystem's package source without a fallback.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advice {
    /// `npm`, `pypi`, `cargo`, `go` or `rubygems` ([`crate::Ecosystem::as_str`]).
    pub ecosystem: String,
    pub help: String,
}

impl CacheAction {
    /// Whether the cache is on when its input is not given, for the action at `git_ref`
    /// (`v4`, `v5.2.0`, a commit SHA, a branch). A ref that names no major version is taken
    /// as a current one.
    #[must_use]
    pub fn default_at(&self, git_ref: &str) -> bool {
        if !self.default {
            return false;
        }
        let Some(since) = self.default_since_major else {
            return true;
        };
        let major = git_ref
            .strip_prefix('v')
            .and_then(|r| r.split('.').next())
            .and_then(|m| m.parse::<u32>().ok());
        major.is_none_or(|m| m >= since)
    }

    /// Whether the cache is on for a use of the action at `git_ref` whose `input` (see
    /// [`CacheAction::input`]) has `value` (`None` when not given).
    #[must_use]
    pub fn enabled(&self, git_ref: &str, value: Option<&str>) -> bool {
        match (&self.input, value) {
            (None, _) => true,
            (Some(_), None) => self.default_at(git_ref),
            (Some(_), Some(v)) => truthy(v) != self.inverted,
        }
    }

    /// Whether a use of the action writes entries, given the value of its
    /// [`save_off_input`](Self::save_off_input) (`None` when not given). A value with an
    /// expression is taken to write: `save-if: ${{ github.ref == 'refs/heads/main' }}`
    /// holds in a `pull_request_target` run, which is on the default branch.
    #[must_use]
    pub fn writes(&self, save_off: Option<&str>) -> bool {
        if !self.saves {
            return false;
        }
        match (&self.save_off_value, save_off) {
            (Some(off), Some(v)) => !v.trim().eq_ignore_ascii_case(off),
            _ => true,
        }
    }
}

impl Knowledge {
    /// Action identities compare case-insensitively (GitHub owners and repositories do).
    #[must_use]
    pub fn cache(&self, action: &str) -> Option<&CacheAction> {
        self.cache
            .iter()
            .find(|c| c.action.eq_ignore_ascii_case(action))
    }

    #[must_use]
    pub fn toolchain(&self, action: &str) -> Option<&Toolchain> {
        self.toolchain
            .iter()
            .find(|c| c.action.eq_ignore_ascii_case(action))
    }

    /// The advice for an ecosystem's package source without a fallback.
    #[must_use]
    pub fn advice(&self, ecosystem: crate::Ecosystem) -> Option<&str> {
        self.advice
            .iter()
            .find(|a| a.ecosystem == ecosystem.as_str())
            .map(|a| a.help.as_str())
    }

    #[must_use]
    pub fn manager(&self, name: &str) -> Option<&Manager> {
        self.manager
            .iter()
            .find(|m| m.names.iter().any(|n| n == name))
    }
}

impl Sourced for Knowledge {
    fn check(&self) -> Result<(), Invalid> {
        for c in &self.cache {
            cites(&c.reference, &c.action)?;
            if !c.paths && c.covers.is_empty() && c.value_covers.is_empty() {
                return Err(Invalid::new(
                    &c.action,
                    format!("`{}` covers nothing", c.action),
                ));
            }
        }
        for r in &self.retry_env {
            cites(&r.reference, &r.name)?;
        }
        for t in &self.toolchain {
            cites(&t.reference, &t.action)?;
            if t.hosts.is_empty() {
                return Err(Invalid::new(
                    &t.action,
                    format!("`{}` lists no host", t.action),
                ));
            }
        }
        for a in &self.advice {
            // Advice names actions in backticks (`owner/repo`, then ` with `…); each must
            // be one this file knows as a cache.
            for named in a.help.split('`').skip(1).step_by(2) {
                let looks_like_action = named.matches('/').count() >= 1
                    && !named.starts_with('~')
                    && !named.starts_with('.')
                    && !named.contains(' ')
                    && !named.contains(':');
                if looks_like_action && self.cache(named).is_none() {
                    return Err(Invalid::new(
                        &a.ecosystem,
                        format!(
                            "advice for `{}` names `{named}`, which has no [[cache]] entry",
                            a.ecosystem
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_is_consistent() {
        let k = crate::fallbacks();
        assert!(k.cache("actions/setup-node").is_some());
        assert!(k.cache("ACTIONS/CACHE").is_some_and(|c| c.paths));
        assert!(
            k.toolchain("actions/setup-python")
                .is_some_and(|t| t.platform)
        );
        assert!(k.manager("apt-get").is_some());
        for eco in [
            crate::Ecosystem::Cargo,
            crate::Ecosystem::Npm,
            crate::Ecosystem::PyPI,
            crate::Ecosystem::Go,
            crate::Ecosystem::RubyGems,
        ] {
            assert!(k.advice(eco).is_some(), "{eco:?}");
        }
    }

    #[test]
    fn caches_say_whether_they_restore_and_write() {
        let k = crate::fallbacks();
        let save = k.cache("actions/cache/save").expect("save");
        assert!(!save.restores && save.saves_during_step && save.writes(None));
        let restore = k.cache("actions/cache/restore").expect("restore");
        assert!(restore.restores && !restore.writes(None));
        let rust = k.cache("Swatinem/rust-cache").expect("rust-cache");
        assert!(rust.writes(None) && rust.writes(Some("${{ github.ref == 'refs/heads/main' }}")));
        assert!(!rust.writes(Some("false")));
        assert_eq!(rust.job_scoped_unless.as_deref(), Some("shared-key"));
        let gradle = k.cache("gradle/actions/setup-gradle").expect("gradle");
        assert!(!gradle.writes(Some("true")) && gradle.writes(Some("false")));
        let node = k.cache("actions/setup-node").expect("setup-node");
        assert!(!node.enabled("v4", None) && node.enabled("v4", Some("npm")));
        assert!(!node.enabled("v4", Some("")));
        let go = k.cache("actions/setup-go").expect("setup-go");
        assert!(go.enabled("v5", None) && !go.enabled("v5", Some("false")));
    }

    #[test]
    fn setup_uv_caches_by_default_from_v5() {
        let k = crate::fallbacks();
        let uv = k.cache("astral-sh/setup-uv").expect("setup-uv");
        assert!(uv.default_at("v5"));
        assert!(uv.default_at("v6.1.0"));
        assert!(uv.default_at("0c5e2b8115b80b4c7c5ddf6ffdd634974642d182"));
        assert!(!uv.default_at("v4"));
        assert!(!uv.default_at("v3.2.4"));
        let node = k.cache("actions/setup-node").expect("setup-node");
        assert!(!node.default_at("v4"));
        let go = k.cache("actions/setup-go").expect("setup-go");
        assert!(go.default_at("v3"));
    }

    #[test]
    fn setup_gradle_downloads_only_with_a_version() {
        let k = crate::fallbacks();
        assert!(
            k.toolchain("gradle/actions/setup-gradle")
                .is_some_and(|t| t.download_only_with_version)
        );
        assert!(
            k.toolchain("actions/setup-java")
                .is_some_and(|t| !t.download_only_with_version)
        );
    }

    #[test]
    fn advice_naming_an_unknown_cache_action_is_refused() {
        let text = "[[cache]]\naction = \"actions/cache\"\npaths = true\nreference = \"https://x\"\n\n[[advice]]\necosystem = \"npm\"\nhelp = \"use `nobody/cache-npm`\"\n";
        let err = crate::load::load::<super::Knowledge>("fallbacks.toml", text)
            .expect_err("unknown action");
        assert_eq!(err.line, 7, "{err}");
        assert!(err.message.contains("nobody/cache-npm"), "{err}");
    }
}

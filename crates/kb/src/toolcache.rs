//! `rules/data/runner-tool-cache.toml`: the toolchain versions GitHub-hosted runner images
//! keep in their tool cache, and the setup actions that use a cached version instead of
//! downloading one. The egress inference and the inventory's fallbacks ask the same
//! question: does this step, on this runner, download anything?

use serde::Deserialize;

use crate::DataFile;
use crate::load::{Invalid, Sourced, cites};

pub const FILE: DataFile = DataFile {
    name: "runner-tool-cache.toml",
    text: include_str!("../../../rules/data/runner-tool-cache.toml"),
};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolCache {
    #[serde(default)]
    pub image: Vec<Image>,
    #[serde(default)]
    pub action: Vec<SetupAction>,
}

/// One runner image and what its tool cache holds.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Image {
    pub labels: Vec<String>,
    pub snapshot: String,
    #[serde(default)]
    pub go: Vec<String>,
    #[serde(default)]
    pub node: Vec<String>,
    #[serde(default)]
    pub python: Vec<String>,
    #[serde(default)]
    pub java: Vec<String>,
    pub source: String,
}

impl Image {
    fn versions(&self, tool: &str) -> &[String] {
        match tool {
            "go" => &self.go,
            "node" => &self.node,
            "python" => &self.python,
            "java" => &self.java,
            _ => &[],
        }
    }
}

/// A setup action that takes a cached version when one matches its request.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SetupAction {
    pub uses: String,
    pub tool: String,
    pub version_input: String,
    pub distribution_input: Option<String>,
    #[serde(default)]
    pub distributions: Vec<String>,
    pub source: String,
}

/// A request the runner's tool cache answers: the version it holds and the image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub tool: String,
    pub version: String,
    /// `ubuntu-24.04 image 20250202.1.0`.
    pub snapshot: String,
}

impl ToolCache {
    /// The entry of a setup action (`owner/repo`, compared without case).
    #[must_use]
    pub fn action(&self, action: &str) -> Option<&SetupAction> {
        self.action
            .iter()
            .find(|a| a.uses.eq_ignore_ascii_case(action))
    }

    /// Whether the setup action `action`, given `input` (the step's `with:` values by
    /// name), on a runner with `labels`, finds its version in the tool cache. Only a
    /// literal request that names a version or a prefix of one (`1.23`, `20.x`, `3.12`,
    /// `21`) is judged; ranges, aliases (`stable`, `lts/*`), version files, expressions,
    /// `check-latest: true` and any runner the file does not describe are not.
    #[must_use]
    pub fn hit(
        &self,
        action: &str,
        labels: &[&str],
        input: impl Fn(&str) -> Option<String>,
    ) -> Option<Hit> {
        let a = self.action(action)?;
        if input("check-latest").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
            return None;
        }
        if let Some(d) = &a.distribution_input {
            let given = input(d)?;
            if !a
                .distributions
                .iter()
                .any(|x| x.eq_ignore_ascii_case(given.trim()))
            {
                return None;
            }
        }
        let request = input(&a.version_input)?;
        // One label that names an image; any other label (self-hosted, a size) is another
        // runner.
        let [label] = labels else { return None };
        let image = self
            .image
            .iter()
            .find(|i| i.labels.iter().any(|l| l.eq_ignore_ascii_case(label)))?;
        let version = image
            .versions(&a.tool)
            .iter()
            .find(|v| matches(request.trim(), v))?;
        Some(Hit {
            tool: a.tool.clone(),
            version: version.clone(),
            snapshot: image.snapshot.clone(),
        })
    }
}

/// Whether a version request matches a cached version (a full version or a release line):
/// equal, or a prefix of it at a dot (`1.23` and `1.23.x` match `1.23.5` and `1.23`; `3`
/// and `3.x` match `3.12.8`); a given patch does not match a line (`1.23.5` against `1.23`:
/// which patch the image holds is not known). A leading `v` is
/// allowed; anything else (ranges, aliases, pre-releases, expressions) does not match.
fn matches(request: &str, version: &str) -> bool {
    let r = request.strip_prefix('v').unwrap_or(request);
    let r = r
        .strip_suffix(".x")
        .or_else(|| r.strip_suffix(".*"))
        .unwrap_or(r);
    if r.is_empty()
        || !r
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    version == r
        || version
            .strip_prefix(r)
            .is_some_and(|rest| rest.starts_with('.'))
}

impl Sourced for ToolCache {
    fn check(&self) -> Result<(), Invalid> {
        for i in &self.image {
            cites(&i.source, &i.snapshot)?;
        }
        for a in &self.action {
            cites(&a.source, &a.uses)?;
            if !matches!(a.tool.as_str(), "go" | "node" | "python" | "java") {
                return Err(Invalid::new(
                    &a.uses,
                    format!(
                        "`{}`: tool `{}` is not go, node, python or java",
                        a.uses, a.tool
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn requests_against_versions() {
        for (r, v, yes) in [
            ("1.23", "1.23.5", true),
            ("1.23.x", "1.23.5", true),
            ("v1.23.5", "1.23.5", true),
            ("1.2", "1.23.5", false),
            ("20", "20.18.2", true),
            ("3.x", "3.12.8", true),
            ("3.12", "3.12.8", true),
            ("3.12.9", "3.12.8", false),
            ("^1.23", "1.23.5", false),
            (">=20", "20.18.2", false),
            ("stable", "1.23.5", false),
            ("lts/*", "20.18.2", false),
            ("3.13-dev", "3.13.1", false),
            ("${{ matrix.go }}", "1.23.5", false),
            ("", "1.23.5", false),
            // A release line the image holds (its newest patch at build time).
            ("1.25", "1.25", true),
            ("1.25.x", "1.25", true),
            ("1", "1.25", true),
            ("1.25.3", "1.25", false),
            ("21", "21", true),
            ("21.0.8", "21", false),
        ] {
            assert_eq!(matches(r, v), yes, "{r} ~ {v}");
        }
    }

    #[test]
    fn hits_need_a_described_runner_a_literal_request_and_no_check_latest() {
        let kb = crate::tool_cache();
        let hit = kb
            .hit(
                "actions/setup-go",
                &["ubuntu-latest"],
                with(&[("go-version", "1.23")]),
            )
            .expect("cached");
        assert_eq!(hit.version, "1.23");
        assert!(hit.snapshot.contains("ubuntu-24.04"));
        assert!(
            kb.hit(
                "Actions/Setup-Node",
                &["ubuntu-24.04"],
                with(&[("node-version", "20.x")])
            )
            .is_some()
        );
        for (action, labels, inputs) in [
            (
                "actions/setup-go",
                &["ubuntu-latest"][..],
                &[("go-version", "1.19")][..],
            ),
            (
                "actions/setup-go",
                &["self-hosted"][..],
                &[("go-version", "1.23")][..],
            ),
            (
                "actions/setup-go",
                &["ubuntu-latest", "gpu"][..],
                &[("go-version", "1.23")][..],
            ),
            (
                "actions/setup-go",
                &["ubuntu-latest"][..],
                &[("go-version", "1.23"), ("check-latest", "true")][..],
            ),
            (
                "actions/setup-go",
                &["ubuntu-latest"][..],
                &[("go-version-file", "go.mod")][..],
            ),
            (
                "actions/setup-java",
                &["ubuntu-latest"][..],
                &[("java-version", "21"), ("distribution", "zulu")][..],
            ),
            (
                "actions/setup-java",
                &["ubuntu-latest"][..],
                &[("java-version", "21")][..],
            ),
            (
                "other/setup-go",
                &["ubuntu-latest"][..],
                &[("go-version", "1.23")][..],
            ),
        ] {
            assert_eq!(
                kb.hit(action, labels, with(inputs)),
                None,
                "{action} {labels:?} {inputs:?}"
            );
        }
        assert!(
            kb.hit(
                "actions/setup-java",
                &["ubuntu-latest"],
                with(&[("java-version", "21"), ("distribution", "temurin")])
            )
            .is_some()
        );
    }
}

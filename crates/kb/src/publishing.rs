//! `rules/data/trusted-publishing.toml`: the registries that accept trusted publishing
//! (OIDC) from GitHub Actions, and how a publish to each is handed a long-lived token or
//! pointed at another registry.

use serde::Deserialize;

use crate::DataFile;
use crate::load::{Invalid, Sourced, cites};

pub const FILE: DataFile = DataFile {
    name: "trusted-publishing.toml",
    text: include_str!("../../../rules/data/trusted-publishing.toml"),
};

/// The table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registries {
    #[serde(default)]
    pub registry: Vec<Registry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Registry {
    pub name: String,
    /// The shell analysis's publish tools (`CredentialKind::Publish::tool`) for it.
    pub tools: Vec<String>,
    #[serde(default)]
    pub token_env: Vec<String>,
    #[serde(default)]
    pub token_flags: Vec<String>,
    /// Token variables nothing but publishing reads.
    #[serde(default)]
    pub publish_env: Vec<String>,
    #[serde(default)]
    pub registry_flags: Vec<String>,
    #[serde(default)]
    pub registry_env: Vec<String>,
    /// Values of the registry options that still mean this registry.
    pub public: Vec<String>,
    #[serde(default)]
    pub dry_run: Vec<String>,
    /// Commands that store a token for later publishes (`cargo login`).
    #[serde(default)]
    pub login: Vec<String>,
    /// The registry records build provenance (npm).
    #[serde(default)]
    pub provenance: bool,
    pub trusted_publishing: String,
    pub source: String,
    #[serde(default)]
    pub action: Vec<PublishAction>,
}

impl Registry {
    /// Whether a value given to a registry option or variable still names this registry.
    #[must_use]
    pub fn is_public(&self, value: &str) -> bool {
        let v = value.trim().to_ascii_lowercase();
        // A URL is judged by its host (`upload.pypi.org` is under `pypi.org`); anything
        // else is a name (`pypi`, `crates-io`) and must be one of the list.
        let host = v.split_once("://").map(|(_, rest)| {
            rest.split(['/', ':', '?'])
                .next()
                .unwrap_or("")
                .rsplit('@')
                .next()
                .unwrap_or("")
                .to_owned()
        });
        self.public.iter().any(|p| match &host {
            Some(h) => h == p || h.ends_with(&format!(".{p}")),
            None => v == *p,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PublishAction {
    pub uses: String,
    pub token_input: String,
    pub registry_input: Option<String>,
}

impl Registries {
    /// The registry a shell publish tool publishes to.
    #[must_use]
    pub fn for_tool(&self, tool: &str) -> Option<&Registry> {
        self.registry
            .iter()
            .find(|r| r.tools.iter().any(|t| t == tool))
    }

    /// The registry whose publishing alone reads variable `name`.
    #[must_use]
    pub fn for_publish_env(&self, name: &str) -> Option<&Registry> {
        self.registry
            .iter()
            .find(|r| r.publish_env.iter().any(|v| v.eq_ignore_ascii_case(name)))
    }

    /// The registry and entry of a publishing action (`owner/repo[/path]`, any case).
    #[must_use]
    pub fn for_action(&self, action: &str) -> Option<(&Registry, &PublishAction)> {
        self.registry.iter().find_map(|r| {
            r.action
                .iter()
                .find(|a| a.uses.eq_ignore_ascii_case(action))
                .map(|a| (r, a))
        })
    }
}

impl Sourced for Registries {
    fn check(&self) -> Result<(), Invalid> {
        let mut tools = std::collections::BTreeSet::new();
        for r in &self.registry {
            cites(&r.source, &r.name)?;
            cites(&r.trusted_publishing, &r.name)?;
            if r.public.is_empty() || r.tools.is_empty() {
                return Err(Invalid::new(
                    &r.name,
                    format!("`{}`: `tools` and `public` may not be empty", r.name),
                ));
            }
            if let Some(v) = r.publish_env.iter().find(|v| !r.token_env.contains(v)) {
                return Err(Invalid::new(
                    &r.name,
                    format!("`{v}`: a `publish-env` variable is one of `token-env`"),
                ));
            }
            if let Some(t) = r.tools.iter().find(|t| !tools.insert(t.as_str())) {
                return Err(Invalid::new(
                    &r.name,
                    format!("`{t}` belongs to two registries"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tools_actions_and_public_names() {
        let r = crate::trusted_publishing();
        assert_eq!(
            r.for_tool("cargo publish").map(|x| x.name.as_str()),
            Some("crates.io")
        );
        assert_eq!(r.for_tool("twine").map(|x| x.name.as_str()), Some("PyPI"));
        assert!(r.for_tool("docker push").is_none());
        let (pypi, a) = r.for_action("PyPA/gh-action-pypi-publish").expect("listed");
        assert_eq!(
            (pypi.name.as_str(), a.token_input.as_str()),
            ("PyPI", "password")
        );
        assert!(pypi.is_public("https://upload.pypi.org/legacy/"));
        assert!(pypi.is_public("https://test.pypi.org/legacy/"));
        assert!(pypi.is_public("testpypi"));
        assert!(!pypi.is_public("https://pypi.example.com/simple/"));
        assert!(!pypi.is_public("https://artifactory.acme.test/api/pypi/pypi-local"));
        let npm = r.for_tool("npm publish").expect("npm");
        assert!(npm.is_public("https://registry.npmjs.org/"));
        assert!(!npm.is_public("https://npm.pkg.github.com"));
        assert!(!npm.is_public("http://localhost:4873/"));
    }

    /// The variables that make `npm publish` use a token, for the needs pass (no
    /// `id-token` needed then), are tokens here too: the two readings agree.
    #[test]
    fn npm_token_variables_agree_with_the_permissions_data() {
        let npm = crate::trusted_publishing()
            .for_tool("npm publish")
            .expect("npm");
        for c in crate::permissions().commands_for("npm") {
            for v in &c.without_env {
                assert!(npm.token_env.contains(v), "{v}");
            }
        }
    }
}

//! The egress knowledge base, embedded from `rules/data/egress-hosts.toml` and
//! `rules/data/egress-shared-domains.toml` and parsed once.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use tollgate_lockfile::glob;

const HOSTS: &str = include_str!("../../../rules/data/egress-hosts.toml");
const SHARED: &str = include_str!("../../../rules/data/egress-shared-domains.toml");

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Kb {
    #[serde(default)]
    pub groups: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub runner: Vec<RunnerEntry>,
    #[serde(default)]
    pub manager: Vec<ManagerEntry>,
    #[serde(default)]
    pub ecosystem: Vec<EcosystemEntry>,
    #[serde(default)]
    pub registry: Vec<RegistryEntry>,
    #[serde(default)]
    pub action: Vec<ActionEntry>,
    #[serde(default)]
    pub publish: Vec<PublishEntry>,
}

// `source` and `note` fields document the data for its readers; the data test checks
// that every entry has a source.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RunnerEntry {
    pub host: String,
    pub when: RunnerWhen,
    pub reason: String,
    pub source: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum RunnerWhen {
    Always,
    RemoteActions,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ManagerEntry {
    pub name: String,
    pub hosts: Vec<String>,
    pub port: Option<u16>,
    pub source: String,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EcosystemEntry {
    pub name: String,
    pub hosts: Vec<String>,
    pub source: String,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegistryEntry {
    #[serde(rename = "match")]
    pub pattern: String,
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub replace: bool,
    pub source: String,
    pub note: Option<String>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ActionEntry {
    pub uses: String,
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub platform: Vec<String>,
    #[serde(default)]
    pub host_inputs: Vec<String>,
    #[serde(default)]
    pub image_inputs: Vec<String>,
    #[serde(default)]
    pub script_inputs: Vec<String>,
    #[serde(default)]
    pub defaults: BTreeMap<String, String>,
    pub unresolved: Option<String>,
    pub source: String,
    pub note: Option<String>,
    #[serde(default)]
    pub when: Vec<When>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct When {
    pub input: String,
    #[serde(default)]
    pub present: bool,
    pub equals: Option<String>,
    pub contains: Option<String>,
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub platform: Vec<String>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PublishEntry {
    pub tool: String,
    pub hosts: Vec<String>,
    pub source: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Shared {
    #[serde(default)]
    pub domain: Vec<SharedDomain>,
}

/// A shared hosting domain under which anyone can register a name.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedDomain {
    /// The shared parent, lowercase; a `*` label matches any one label.
    pub suffix: String,
    /// What anyone can create under it.
    pub what: String,
    pub source: String,
}

/// The parsed knowledge base. The data is compiled in and checked by the tests, so a
/// parse failure is a build defect: it yields an empty base rather than a panic.
pub(crate) fn kb() -> &'static Kb {
    static CELL: OnceLock<Kb> = OnceLock::new();
    CELL.get_or_init(|| toml::from_str(HOSTS).unwrap_or_default())
}

pub(crate) fn shared() -> &'static Shared {
    static CELL: OnceLock<Shared> = OnceLock::new();
    CELL.get_or_init(|| toml::from_str(SHARED).unwrap_or_default())
}

impl Kb {
    /// Expand `@group` references in a host list, keeping order, without duplicates.
    pub fn expand(&self, hosts: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for h in hosts {
            let items: Vec<String> = match h.strip_prefix('@') {
                Some(g) => self.groups.get(g).cloned().unwrap_or_default(),
                None => vec![h.clone()],
            };
            for i in items {
                if !out.contains(&i) {
                    out.push(i);
                }
            }
        }
        out
    }

    pub fn manager(&self, name: &str) -> Option<&ManagerEntry> {
        self.manager.iter().find(|m| m.name == name)
    }

    pub fn ecosystem(&self, name: &str) -> Option<&EcosystemEntry> {
        self.ecosystem.iter().find(|m| m.name == name)
    }

    pub fn publish(&self, tool: &str) -> Option<&PublishEntry> {
        self.publish.iter().find(|m| m.tool == tool)
    }

    /// The entry of an action (`owner/repo[/path]`, case-insensitive as GitHub is).
    pub fn action(&self, action: &str) -> Option<&ActionEntry> {
        let lower = action.to_ascii_lowercase();
        self.action
            .iter()
            .find(|a| a.uses.to_ascii_lowercase() == lower)
            .or_else(|| {
                self.action
                    .iter()
                    .filter(|a| a.uses.contains('*'))
                    .find(|a| glob::matches(&a.uses.to_ascii_lowercase(), &lower))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_parses_and_cites_sources() {
        let kb: Kb = toml::from_str(HOSTS).expect("egress-hosts.toml parses");
        assert!(kb.action.len() > 40, "{}", kb.action.len());
        for a in &kb.action {
            assert!(a.source.starts_with("https://"), "{}", a.uses);
            for h in kb.expand(&a.hosts).iter().chain(&kb.expand(&a.platform)) {
                assert!(!h.starts_with('@'), "{}: unknown group {h}", a.uses);
            }
        }
        for m in &kb.manager {
            assert!(m.source.starts_with("https://"), "{}", m.name);
            assert!(!kb.expand(&m.hosts).is_empty(), "{}", m.name);
        }
        for g in kb.groups.keys() {
            assert!(!kb.expand(&[format!("@{g}")]).is_empty());
        }
        let shared: Shared = toml::from_str(SHARED).expect("shared domains parse");
        assert!(shared.domain.len() > 20);
        for d in &shared.domain {
            assert!(d.source.starts_with("https://"), "{}", d.suffix);
            assert_eq!(d.suffix, d.suffix.to_ascii_lowercase());
        }
    }

    #[test]
    fn lookups() {
        let kb = kb();
        assert!(kb.action("actions/setup-node").is_some());
        assert!(kb.action("Actions/Setup-Node").is_some());
        assert!(kb.action("github/codeql-action/init").is_some());
        assert!(kb.action("nobody/nothing").is_none());
        assert_eq!(
            glob::captures(
                "*.dkr.ecr.*.amazonaws.com",
                "123.dkr.ecr.eu-west-1.amazonaws.com"
            ),
            Some(vec!["123".to_owned(), "eu-west-1".to_owned()])
        );
        assert_eq!(glob::captures("a*", "b"), None);
    }
}

//! The egress view of the knowledge base (`tollgate-kb`): the hosts data of
//! `rules/data/egress-hosts.toml` with the action lookup, which globs over action names
//! with the code base's one glob matcher.

use std::ops::Deref;
use std::sync::OnceLock;

use tollgate_lockfile::glob;

pub use tollgate_kb::egress::SharedDomain;
pub(crate) use tollgate_kb::egress::{ActionEntry, Hosts, RunnerWhen, Shared};

/// The hosts data plus lookups that need the glob matcher.
pub(crate) struct Kb {
    data: &'static Hosts,
}

impl Deref for Kb {
    type Target = Hosts;
    fn deref(&self) -> &Hosts {
        self.data
    }
}

pub(crate) fn kb() -> &'static Kb {
    static CELL: OnceLock<Kb> = OnceLock::new();
    CELL.get_or_init(|| Kb {
        data: tollgate_kb::egress_hosts(),
    })
}

pub(crate) fn shared() -> &'static Shared {
    tollgate_kb::shared_domains()
}

impl Kb {
    /// The entry of an action (`owner/repo[/path]`, case-insensitive as GitHub is).
    pub fn action(&self, action: &str) -> Option<&'static ActionEntry> {
        let lower = action.to_ascii_lowercase();
        let all = &self.data.action;
        all.iter()
            .find(|a| a.uses.to_ascii_lowercase() == lower)
            .or_else(|| {
                all.iter()
                    .filter(|a| a.uses.contains('*'))
                    .find(|a| glob::matches(&a.uses.to_ascii_lowercase(), &lower))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

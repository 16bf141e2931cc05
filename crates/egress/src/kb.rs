//! The egress view of the knowledge base (`tollgate-kb`): the hosts data of
//! `rules/data/egress-hosts.toml` with the action lookup, which globs over action names
//! with the code base's one glob matcher.

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::OnceLock;

use tollgate_lockfile::glob;

pub use tollgate_kb::egress::SharedDomain;
pub(crate) use tollgate_kb::egress::{ActionEntry, Hosts, RunnerWhen, Shared};

/// The hosts data plus lookups that need the glob matcher.
pub(crate) struct Kb {
    data: &'static Hosts,
    /// Action entries without a wildcard, by lower-case `uses`.
    by_name: HashMap<String, usize>,
    /// Action entries with a `*`: lower-case `uses` and position, in file order.
    patterns: Vec<(String, usize)>,
}

impl Deref for Kb {
    type Target = Hosts;
    fn deref(&self) -> &Hosts {
        self.data
    }
}

pub(crate) fn kb() -> &'static Kb {
    static CELL: OnceLock<Kb> = OnceLock::new();
    CELL.get_or_init(|| {
        let data = tollgate_kb::egress_hosts();
        let mut by_name = HashMap::new();
        let mut patterns = Vec::new();
        for (i, a) in data.action.iter().enumerate() {
            let lower = a.uses.to_ascii_lowercase();
            if lower.contains('*') {
                patterns.push((lower, i));
            } else {
                by_name.entry(lower).or_insert(i);
            }
        }
        Kb {
            data,
            by_name,
            patterns,
        }
    })
}

pub(crate) fn shared() -> &'static Shared {
    tollgate_kb::shared_domains()
}

impl Kb {
    /// The entry of an action (`owner/repo[/path]`, case-insensitive as GitHub is).
    pub fn action(&self, action: &str) -> Option<&'static ActionEntry> {
        // An exact entry wins over a pattern; among patterns, the first in the file.
        let lower = action.to_ascii_lowercase();
        let i = self.by_name.get(&lower).copied().or_else(|| {
            self.patterns
                .iter()
                .find(|(p, _)| glob::matches(p, &lower))
                .map(|(_, i)| *i)
        })?;
        self.data.action.get(i)
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
        // An exact entry wins over the pattern: upload-sarif has its own (no bundle), the
        // sub-actions without one fall back to `github/codeql-action/*`.
        let sarif = kb
            .action("github/codeql-action/upload-sarif")
            .expect("entry");
        assert_eq!(sarif.uses, "github/codeql-action/upload-sarif");
        assert!(!sarif.hosts.iter().any(|h| h == "@github-releases"));
        let other = kb
            .action("github/codeql-action/start-proxy")
            .expect("entry");
        assert_eq!(other.uses, "github/codeql-action/*");
        assert!(kb.action("nick-invision/retry").is_some());
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

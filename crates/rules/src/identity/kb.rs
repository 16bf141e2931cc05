//! The identity knowledge bases, embedded from `rules/data/` and parsed once: which token
//! permissions actions and commands need (`permissions.toml`) and which expression
//! contexts outsiders control (`untrusted-contexts.toml`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use tollgate_gha::PermissionLevel;

/// Scope name → level, as written in the data (`{ contents = "read" }`).
pub type RawPerms = BTreeMap<String, String>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kb {
    #[serde(default)]
    pub action: Vec<ActionEntry>,
    #[serde(default)]
    pub command: Vec<CommandEntry>,
    #[serde(default)]
    pub api: Vec<ApiEntry>,
    #[serde(default, rename = "github-script")]
    pub github_script: Vec<ScriptEntry>,
    #[serde(default)]
    pub variable: Vec<VariableEntry>,
    /// `command` entries by program (the first word of `run`), filled after loading.
    #[serde(skip)]
    by_program: std::collections::HashMap<String, Vec<usize>>,
}

impl Kb {
    /// Index the loaded data for lookups: action names in lower case, commands by program.
    fn indexed(mut self) -> Self {
        for a in &mut self.action {
            a.uses_lower = a.uses.to_ascii_lowercase();
        }
        for (i, c) in self.command.iter().enumerate() {
            if let Some(program) = c.run.split_whitespace().next() {
                self.by_program
                    .entry(program.to_owned())
                    .or_default()
                    .push(i);
            }
        }
        self
    }

    /// The `command` entries whose `run` starts with `program`.
    pub fn commands_for<'a>(&'a self, program: &str) -> impl Iterator<Item = &'a CommandEntry> {
        self.by_program
            .get(program)
            .into_iter()
            .flatten()
            .map(|&i| &self.command[i])
    }
}

// `source` and `note` document the data for its readers; the data test checks them.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ActionEntry {
    pub uses: String,
    /// `uses` in lower case (owner and repository names are case-insensitive).
    #[serde(skip)]
    pub uses_lower: String,
    #[serde(default)]
    pub permissions: RawPerms,
    pub token_input: Option<String>,
    #[serde(default = "yes")]
    pub token_default: bool,
    pub unknown: Option<String>,
    pub source: String,
    pub note: Option<String>,
    #[serde(default)]
    pub when: Vec<When>,
}

const fn yes() -> bool {
    true
}

/// An extra need under a condition on one `with:` input.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct When {
    pub input: String,
    #[serde(default)]
    pub present: bool,
    #[serde(default)]
    pub absent: bool,
    pub equals: Option<String>,
    pub not_equals: Option<String>,
    pub contains: Option<String>,
    pub unless_input: Option<String>,
    #[serde(default)]
    pub permissions: RawPerms,
}

// `source` and `note` document the data for its readers; the data test checks them.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CommandEntry {
    pub run: String,
    #[serde(default)]
    pub flag: Vec<String>,
    #[serde(default)]
    pub without_flag: Vec<String>,
    pub arg_contains: Option<String>,
    #[serde(default)]
    pub without_env: Vec<String>,
    #[serde(default)]
    pub permissions: RawPerms,
    pub unknown: Option<String>,
    pub source: String,
    pub note: Option<String>,
}

// `source` and `note` document the data for its readers; the data test checks them.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiEntry {
    pub path: String,
    pub read: Option<RawPerms>,
    pub write: Option<RawPerms>,
    /// A scope that serves instead of the one named (issue endpoints on pull requests).
    pub alternative: Option<String>,
    pub unknown: Option<String>,
    pub source: String,
    pub note: Option<String>,
}

// `source` and `note` document the data for its readers; the data test checks them.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptEntry {
    pub call: String,
    #[serde(default)]
    pub permissions: RawPerms,
    pub alternative: Option<String>,
    pub unknown: Option<String>,
    pub source: String,
    pub note: Option<String>,
}

// `source` and `note` document the data for its readers; the data test checks them.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariableEntry {
    pub name: String,
    #[serde(default)]
    pub permissions: RawPerms,
    pub source: String,
}

/// The untrusted-context list.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contexts {
    /// Attacker-controlled text.
    #[serde(default)]
    pub context: Vec<ContextEntry>,
    /// Values that name the untrusted head (SHA, number) without being injectable.
    #[serde(default)]
    pub head: Vec<ContextEntry>,
    /// Workflow inputs: chosen by whoever dispatches or calls the workflow.
    #[serde(default)]
    pub input: Vec<ContextEntry>,
    /// Actions whose outputs carry attacker-controlled text.
    #[serde(default)]
    pub output: Vec<OutputEntry>,
}

// `source` and `note` document the data for its readers; the data test checks them.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextEntry {
    pub pattern: String,
    /// The value also names the untrusted head (a branch), for `dangerous-trigger`.
    #[serde(default)]
    pub head: bool,
    pub source: String,
}

// `source` and `note` document the data for its readers; the data test checks them.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputEntry {
    pub uses: String,
    /// Output-name globs; empty means every output.
    #[serde(default)]
    pub outputs: Vec<String>,
    /// The input that, set to `json`, makes the outputs JSON-encoded: then they are
    /// inert as JavaScript literals (github-script) though not in a shell.
    #[serde(rename = "json-input")]
    pub json_input: Option<String>,
    pub source: String,
    pub note: Option<String>,
}

const PERMISSIONS: &str = include_str!("../../../../rules/data/permissions.toml");
const CONTEXTS: &str = include_str!("../../../../rules/data/untrusted-contexts.toml");

/// The permissions knowledge base. The data is compiled in and checked by a test, so a
/// parse failure is a build defect; it yields an empty base (every need unknown) rather
/// than taking the run down.
pub fn kb() -> &'static Kb {
    static CELL: OnceLock<Kb> = OnceLock::new();
    CELL.get_or_init(|| {
        toml::from_str::<Kb>(PERMISSIONS)
            .unwrap_or_default()
            .indexed()
    })
}

/// The untrusted-context list (empty if it failed to parse; see [`kb`]).
pub fn contexts() -> &'static Contexts {
    static CELL: OnceLock<Contexts> = OnceLock::new();
    CELL.get_or_init(|| toml::from_str(CONTEXTS).unwrap_or_default())
}

/// A level as written in the data; anything unexpected reads as `None` (and fails the
/// data test).
pub fn level(s: &str) -> Option<PermissionLevel> {
    match s {
        "read" => Some(PermissionLevel::Read),
        "write" => Some(PermissionLevel::Write),
        "none" => Some(PermissionLevel::None),
        _ => None,
    }
}

/// Every scope `permissions:` accepts today; the data may name no other.
#[cfg(test)]
const SCOPES: &[&str] = &[
    "actions",
    "attestations",
    "checks",
    "contents",
    "deployments",
    "discussions",
    "id-token",
    "issues",
    "models",
    "packages",
    "pages",
    "pull-requests",
    "security-events",
    "statuses",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn check_perms(p: &RawPerms, what: &str) {
        for (scope, l) in p {
            assert!(SCOPES.contains(&scope.as_str()), "{what}: scope `{scope}`");
            assert!(level(l).is_some(), "{what}: level `{l}`");
        }
    }

    #[test]
    fn permissions_data_parses_and_is_complete() {
        let kb: Kb = toml::from_str(PERMISSIONS).expect("permissions.toml parses");
        assert!(
            kb.action.len() >= 80,
            "at least 80 actions, found {}",
            kb.action.len()
        );
        let mut seen = std::collections::BTreeSet::new();
        for a in &kb.action {
            assert!(
                seen.insert(a.uses.to_ascii_lowercase()),
                "duplicate `{}`",
                a.uses
            );
            assert!(
                a.source.starts_with("https://"),
                "{}: cites a source",
                a.uses
            );
            check_perms(&a.permissions, &a.uses);
            for w in &a.when {
                check_perms(&w.permissions, &a.uses);
                let matchers = usize::from(w.present)
                    + usize::from(w.absent)
                    + usize::from(w.equals.is_some())
                    + usize::from(w.not_equals.is_some())
                    + usize::from(w.contains.is_some());
                assert_eq!(matchers, 1, "{}: one matcher per `when`", a.uses);
            }
        }
        for c in &kb.command {
            assert!(
                c.source.starts_with("https://"),
                "{}: cites a source",
                c.run
            );
            check_perms(&c.permissions, &c.run);
        }
        for a in &kb.api {
            assert!(a.source.starts_with("https://"), "{}", a.path);
            assert!(a.unknown.is_some() || (a.read.is_some() && a.write.is_some()));
        }
        for s in &kb.github_script {
            assert!(s.source.starts_with("https://"), "{}", s.call);
            check_perms(&s.permissions, &s.call);
        }
        for v in &kb.variable {
            assert!(v.source.starts_with("https://"), "{}", v.name);
        }
        assert!(kb.command.len() >= 20);
    }

    #[test]
    fn contexts_data_parses() {
        let c: Contexts = toml::from_str(CONTEXTS).expect("untrusted-contexts.toml parses");
        assert!(c.context.len() >= 20);
        assert!(!c.head.is_empty() && !c.input.is_empty() && !c.output.is_empty());
        for e in c.context.iter().chain(&c.head).chain(&c.input) {
            assert!(e.source.starts_with("https://"), "{}", e.pattern);
        }
    }
}

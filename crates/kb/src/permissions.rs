//! `rules/data/permissions.toml` (which token permissions actions, commands, `gh api`
//! endpoints and octokit calls need) and `rules/data/untrusted-contexts.toml` (which
//! expression contexts outsiders control).

use std::collections::BTreeMap;

use foldhash::HashMap;

use serde::Deserialize;

use crate::DataFile;
use crate::load::{Invalid, Sourced, cites};

pub const PERMISSIONS_FILE: DataFile = DataFile {
    name: "permissions.toml",
    text: include_str!("../../../rules/data/permissions.toml"),
};
pub const CONTEXTS_FILE: DataFile = DataFile {
    name: "untrusted-contexts.toml",
    text: include_str!("../../../rules/data/untrusted-contexts.toml"),
};

/// Scope name → level, as written in the data (`{ contents = "read" }`).
pub type RawPerms = BTreeMap<String, String>;

/// Every scope `permissions:` accepts today; the data may name no other.
pub const SCOPES: &[&str] = &[
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

/// The levels the data may write.
pub const LEVELS: &[&str] = &["read", "write", "none"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Permissions {
    #[serde(default)]
    pub action: Vec<ActionEntry>,
    #[serde(default)]
    pub command: Vec<CommandEntry>,
    /// `gh api` endpoints.
    #[serde(default)]
    pub api: Vec<ApiEntry>,
    /// octokit calls of `actions/github-script`.
    #[serde(default, rename = "github-script")]
    pub github_script: Vec<ScriptEntry>,
    #[serde(default)]
    pub variable: Vec<VariableEntry>,
    /// `command` entries by program (the first word of `run`), filled after loading.
    #[serde(skip)]
    by_program: HashMap<String, Vec<usize>>,
    /// `action` entries without a wildcard by lower-case `uses`: the first of each.
    #[serde(skip)]
    action_by_name: HashMap<String, usize>,
    /// `action` entries whose `uses` has a `*`, in file order.
    #[serde(skip)]
    action_patterns: Vec<usize>,
    /// One search for every `variable` name (a script is searched once, not once a name).
    #[serde(skip)]
    variable_names: Option<aho_corasick::AhoCorasick>,
}

impl Permissions {
    /// Index the loaded data for lookups: action names in lower case, commands by program.
    #[must_use]
    pub(crate) fn indexed(mut self) -> Self {
        for (i, a) in self.action.iter_mut().enumerate() {
            a.uses_lower = a.uses.to_ascii_lowercase();
            if a.uses_lower.contains('*') {
                self.action_patterns.push(i);
            } else {
                self.action_by_name.entry(a.uses_lower.clone()).or_insert(i);
            }
        }
        self.variable_names =
            aho_corasick::AhoCorasick::new(self.variable.iter().map(|v| &v.name)).ok();
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

    /// The first `action` entry without a wildcard whose `uses` is `name` (an action's
    /// `owner/repo[/path]` in lower case), with its position in the file.
    #[must_use]
    pub fn action_named(&self, name: &str) -> Option<(usize, &ActionEntry)> {
        let i = *self.action_by_name.get(name)?;
        Some((i, self.action.get(i)?))
    }

    /// The `action` entries whose `uses` has a `*`, with their positions, in file order.
    pub fn action_patterns(&self) -> impl Iterator<Item = (usize, &ActionEntry)> {
        self.action_patterns
            .iter()
            .filter_map(|&i| Some((i, self.action.get(i)?)))
    }

    /// The `variable` entries `text` names, in file order, each with the byte offset of
    /// its first occurrence (as `text.find(name)` gives it).
    pub fn variables_in(&self, text: &str) -> Vec<(usize, &VariableEntry)> {
        let Some(ac) = &self.variable_names else {
            return Vec::new();
        };
        let mut first: Vec<Option<usize>> = vec![None; self.variable.len()];
        for m in ac.find_overlapping_iter(text) {
            let slot = &mut first[m.pattern().as_usize()];
            if slot.is_none_or(|s| m.start() < s) {
                *slot = Some(m.start());
            }
        }
        first
            .iter()
            .zip(&self.variable)
            .filter_map(|(at, v)| Some(((*at)?, v)))
            .collect()
    }

    /// The `command` entries whose `run` starts with `program`.
    pub fn commands_for<'a>(
        &'a self,
        program: &str,
    ) -> impl Iterator<Item = &'a CommandEntry> + Clone + 'a {
        self.by_program
            .get(program)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.command.get(i))
    }
}

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
    #[serde(default)]
    pub when: Vec<When>,
    /// The action publishes a release, a package or an image.
    #[serde(default)]
    pub publishes: bool,
    /// … only when this input is truthy (`push: true`).
    pub publishes_input: Option<String>,
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
}

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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptEntry {
    pub call: String,
    #[serde(default)]
    pub permissions: RawPerms,
    pub alternative: Option<String>,
    pub unknown: Option<String>,
    pub source: String,
}

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextEntry {
    pub pattern: String,
    /// The value also names the untrusted head (a branch), for the trust pass
    /// (`tollgate_facts::trust`) that `dangerous-trigger` reads.
    #[serde(default)]
    pub head: bool,
    pub source: String,
}

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
    /// Values of that input that make each output a list of single-quoted shell words:
    /// inert where the expansion stands unquoted in a shell script.
    #[serde(rename = "quoted-values", default)]
    pub quoted_values: Vec<String>,
    /// Values of that input that backslash-escape every character a shell would act on:
    /// inert unquoted or inside double quotes.
    #[serde(rename = "escaped-values", default)]
    pub escaped_values: Vec<String>,
    pub source: String,
}

/// Every scope and level of `p` is one GitHub accepts.
fn perms_ok(p: &RawPerms, near: &str) -> Result<(), Invalid> {
    for (scope, level) in p {
        if !SCOPES.contains(&scope.as_str()) {
            return Err(Invalid::new(
                near,
                format!("`{near}`: unknown scope `{scope}`"),
            ));
        }
        if !LEVELS.contains(&level.as_str()) {
            return Err(Invalid::new(
                near,
                format!("`{near}`: unknown level `{level}`"),
            ));
        }
    }
    Ok(())
}

impl Sourced for Permissions {
    fn check(&self) -> Result<(), Invalid> {
        let mut seen = std::collections::BTreeSet::new();
        for a in &self.action {
            cites(&a.source, &a.uses)?;
            if !seen.insert(a.uses.to_ascii_lowercase()) {
                return Err(Invalid::new(&a.uses, format!("duplicate `{}`", a.uses)));
            }
            perms_ok(&a.permissions, &a.uses)?;
            for w in &a.when {
                perms_ok(&w.permissions, &a.uses)?;
                let matchers = usize::from(w.present)
                    + usize::from(w.absent)
                    + usize::from(w.equals.is_some())
                    + usize::from(w.not_equals.is_some())
                    + usize::from(w.contains.is_some());
                if matchers != 1 {
                    return Err(Invalid::new(&a.uses, "one matcher per `when`"));
                }
            }
        }
        for c in &self.command {
            cites(&c.source, &c.run)?;
            perms_ok(&c.permissions, &c.run)?;
        }
        for a in &self.api {
            cites(&a.source, &a.path)?;
            if a.unknown.is_none() && (a.read.is_none() || a.write.is_none()) {
                return Err(Invalid::new(
                    &a.path,
                    "an endpoint gives `read` and `write`, or `unknown`",
                ));
            }
            for p in a.read.iter().chain(&a.write) {
                perms_ok(p, &a.path)?;
            }
        }
        for s in &self.github_script {
            cites(&s.source, &s.call)?;
            perms_ok(&s.permissions, &s.call)?;
        }
        for v in &self.variable {
            cites(&v.source, &v.name)?;
            perms_ok(&v.permissions, &v.name)?;
        }
        Ok(())
    }
}

impl Sourced for Contexts {
    fn check(&self) -> Result<(), Invalid> {
        for e in self.context.iter().chain(&self.head).chain(&self.input) {
            cites(&e.source, &e.pattern)?;
        }
        for o in &self.output {
            cites(&o.source, &o.uses)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load;

    #[test]
    fn the_data_is_complete() {
        let p = crate::permissions();
        assert!(p.action.len() >= 80, "{}", p.action.len());
        assert!(p.command.len() >= 20);
        assert!(p.commands_for("gh").next().is_some());
        let c = crate::contexts();
        assert!(!c.head.is_empty() && !c.input.is_empty() && !c.output.is_empty());
    }

    /// One search finds each variable at its first place, as `str::find` would, whatever
    /// the order of the names in the text and when one name holds another.
    #[test]
    fn variables_are_found_at_their_first_place() {
        let text = "[[variable]]\nname = \"TOKEN_X\"\nsource = \"https://d\"\n\n[[variable]]\nname = \"X\"\nsource = \"https://d\"\n\n[[variable]]\nname = \"ABSENT\"\nsource = \"https://d\"\n";
        let p = load::<Permissions>("permissions.toml", text)
            .expect("loads")
            .indexed();
        let script = "echo $X; curl -H \"$TOKEN_X\" $TOKEN_X";
        let found: Vec<(usize, &str)> = p
            .variables_in(script)
            .into_iter()
            .map(|(i, v)| (i, v.name.as_str()))
            .collect();
        let want: Vec<(usize, &str)> = p
            .variable
            .iter()
            .filter_map(|v| Some((script.find(&v.name)?, v.name.as_str())))
            .collect();
        assert_eq!(found, want);
        assert_eq!(found, vec![(19, "TOKEN_X"), (6, "X")]);
        let real = crate::permissions();
        let names: Vec<&str> = real
            .variables_in(
                "curl \"$ACTIONS_ID_TOKEN_REQUEST_URL\" -H \"$ACTIONS_ID_TOKEN_REQUEST_TOKEN\"",
            )
            .into_iter()
            .map(|(_, v)| v.name.as_str())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn an_unknown_scope_is_reported_on_its_line() {
        let text = "[[action]]\nuses = \"a/b\"\npermissions = { contents = \"read\" }\nsource = \"https://d\"\n\n[[action]]\nuses = \"c/d\"\npermissions = { content = \"read\" }\nsource = \"https://d\"\n";
        let err = load::<Permissions>("permissions.toml", text).expect_err("bad scope");
        assert_eq!(err.line, 7, "{err}");
        assert!(err.message.contains("`content`"), "{err}");
    }

    #[test]
    fn publishing_actions_are_marked() {
        let p = crate::permissions();
        let entry = |n: &str| p.action_named(n).map(|(_, e)| e).expect(n);
        assert!(entry("pypa/gh-action-pypi-publish").publishes);
        assert!(entry("softprops/action-gh-release").publishes);
        let docker = entry("docker/build-push-action");
        assert!(!docker.publishes && docker.publishes_input.as_deref() == Some("push"));
        assert!(!entry("actions/checkout").publishes);
    }

    #[test]
    fn actions_are_found_by_name_and_patterns_keep_their_place() {
        let entry = |uses: &str| {
            format!(
                "[[action]]\nuses = \"{uses}\"\npermissions = {{ contents = \"read\" }}\nsource = \"https://d\"\n\n"
            )
        };
        let text: String = ["Org/First", "org/*", "org/after", "Other/Tool/sub"]
            .iter()
            .map(|u| entry(u))
            .collect();
        let p = load::<Permissions>("permissions.toml", &text)
            .expect("loads")
            .indexed();
        let named = |n: &str| p.action_named(n).map(|(i, e)| (i, e.uses.as_str()));
        assert_eq!(named("org/first"), Some((0, "Org/First")));
        assert_eq!(named("org/after"), Some((2, "org/after")));
        assert_eq!(named("other/tool/sub"), Some((3, "Other/Tool/sub")));
        assert_eq!(named("org/*"), None);
        assert_eq!(named("org/missing"), None);
        let patterns: Vec<(usize, &str)> = p
            .action_patterns()
            .map(|(i, e)| (i, e.uses.as_str()))
            .collect();
        assert_eq!(patterns, [(1, "org/*")]);
    }
}

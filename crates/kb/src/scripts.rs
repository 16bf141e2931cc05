//! `rules/data/script-inputs.toml`: actions that run one of their inputs as a script
//! (retry wrappers, run-in-a-container or VM actions, inline Azure CLI scripts). The scan
//! turns such an input into the step's script, so every fact read from `run:` scripts is
//! read from it too.

use serde::Deserialize;

use crate::DataFile;
use crate::load::{Invalid, Sourced, cites};

pub const FILE: DataFile = DataFile {
    name: "script-inputs.toml",
    text: include_str!("../../../rules/data/script-inputs.toml"),
};

/// The shells an entry may name (what `ShellKind` classifies).
pub const SHELLS: &[&str] = &["bash", "sh", "pwsh", "powershell", "python"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptInputs {
    #[serde(default)]
    pub action: Vec<ScriptInput>,
    /// Inputs an action evaluates as code that is not a shell script.
    #[serde(default)]
    pub code: Vec<CodeInput>,
}

/// One action whose inputs are code it evaluates (`actions/github-script`'s `script`,
/// JavaScript; a lodash template, which compiles to JavaScript): a `${{ }}` expanded into
/// one becomes code, as in a `run:` script.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CodeInput {
    pub uses: String,
    pub inputs: Vec<String>,
    /// What the action evaluates the input as, for messages ("JavaScript").
    pub language: String,
    /// A JSON-encoded value (`toJSON(…)`) is an inert literal there: the input is
    /// plain JavaScript code, where a JSON text is a literal.
    #[serde(default)]
    pub json_inert: bool,
    pub source: String,
}

/// One action whose input is a script.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ScriptInput {
    pub uses: String,
    pub input: String,
    /// An input the action runs first, in the same shell (run-on-arch's `install`).
    pub before: Option<String>,
    pub shell: String,
    /// The input that chooses another shell.
    pub shell_input: Option<String>,
    /// The action runs the script again when it fails.
    #[serde(default)]
    pub retries: bool,
    pub source: String,
}

impl ScriptInputs {
    /// The entry of a remote action (`owner/repo[/path]`, compared without case).
    #[must_use]
    pub fn of(&self, action: &str) -> Option<&ScriptInput> {
        self.action
            .iter()
            .find(|e| e.uses.eq_ignore_ascii_case(action))
    }

    /// The code inputs of a remote action (`owner/repo[/path]`, compared without case).
    #[must_use]
    pub fn code_of(&self, action: &str) -> Option<&CodeInput> {
        self.code
            .iter()
            .find(|e| e.uses.eq_ignore_ascii_case(action))
    }
}

impl Sourced for ScriptInputs {
    fn check(&self) -> Result<(), Invalid> {
        for e in &self.code {
            cites(&e.source, &e.uses)?;
            if e.inputs.is_empty() || e.language.is_empty() {
                return Err(Invalid::new(
                    &e.uses,
                    format!("`{}`: a code entry names its inputs and language", e.uses),
                ));
            }
        }
        for e in &self.action {
            cites(&e.source, &e.uses)?;
            if !SHELLS.contains(&e.shell.as_str()) {
                return Err(Invalid::new(
                    &e.uses,
                    format!("`{}`: shell `{}` is not one of {SHELLS:?}", e.uses, e.shell),
                ));
            }
            if e.uses.split('/').count() < 2 {
                return Err(Invalid::new(
                    &e.uses,
                    format!("`{}` is not `owner/repo[/path]`", e.uses),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_ignore_case() {
        let base = crate::script_inputs();
        let e = base.of("Nick-Fields/Retry").expect("nick-fields/retry");
        assert_eq!(e.input, "command");
        assert!(e.retries);
        assert!(base.of("actions/checkout").is_none());
    }

    #[test]
    fn an_unknown_shell_is_rejected() {
        let text = "[[action]]\nuses = \"a/b\"\ninput = \"run\"\nshell = \"fish\"\nsource = \"https://example.com\"\n";
        let err = crate::load::load::<ScriptInputs>("script-inputs.toml", text).expect_err("fish");
        assert!(err.message.contains("fish"), "{err}");
    }
}

//! The command model: simple commands with their words, redirections, assignments,
//! pipeline neighbours and the syntactic context they run in.

use std::borrow::Cow;

use serde::Serialize;
use thin_vec::ThinVec;
use tollgate_model::Span;

/// One shell word (command name or argument).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Word {
    /// Byte range in the analysed script, quotes included.
    pub span: Span,
    /// The text after quote removal, when the word is fully static: no parameter
    /// expansion, no command substitution, no GitHub expression.
    pub text: Option<Box<str>>,
    /// The word contains a masked `${{ … }}` expression (slice the original script with
    /// `span` to read it).
    pub has_expression: bool,
    /// The word is (or contains) a quoted part.
    pub quoted: bool,
    /// The parameters the word expands (`$X`, `${X}`, `${X:-$Y}`), in source order,
    /// outside command and process substitutions (their commands are walked on their
    /// own). Empty for a static word.
    pub variables: ThinVec<String>,
}

impl Word {
    /// The static text, if any.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// The static text, or else the word as written in `script` with outer quotes
    /// stripped: good enough to show a templated URL such as `https://x/$V/a.tgz`.
    #[must_use]
    pub fn display<'a>(&'a self, script: &'a str) -> Cow<'a, str> {
        if let Some(t) = &self.text {
            return Cow::Borrowed(t);
        }
        let raw = script.get(self.span.range()).unwrap_or("");
        Cow::Borrowed(strip_outer_quotes(raw))
    }
}

pub(crate) fn strip_outer_quotes(raw: &str) -> &str {
    let b = raw.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        &raw[1..raw.len() - 1]
    } else {
        raw
    }
}

/// git's global options that take the next word as their value (they come before the
/// subcommand: `git -C dir -c http.sslVerify=false fetch …`).
pub(crate) const GIT_GLOBAL: &[&str] = &[
    "-C",
    "-c",
    "--git-dir",
    "--work-tree",
    "--namespace",
    "--exec-path",
    "--config-env",
];

/// A `NAME=value` assignment, either before a command (`FOO=1 make`) or standing alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub name: String,
    pub value: Option<Word>,
    pub span: Span,
    /// Exported to child processes: a prefix assignment, `export NAME=…`, `declare -x`,
    /// or an `env NAME=…` / `sudo NAME=…` word.
    pub exported: bool,
}

/// A heredoc attached to a redirection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Heredoc {
    pub delimiter: String,
    /// A quoted delimiter (`<<'EOF'`) disables expansion in the body.
    pub quoted: bool,
    /// `<<-` strips leading tabs.
    pub strip_tabs: bool,
    /// The body text (between the start line and the end delimiter).
    pub body: Span,
}

/// One redirection (`> f`, `2>&1`, `<<EOF`, `<<< word`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Redirect {
    pub span: Span,
    /// The operator as written: `>`, `>>`, `<`, `>&`, `&>`, `<<`, `<<-`, `<<<`, …
    pub op: String,
    pub fd: Option<u32>,
    pub target: Option<Word>,
    pub heredoc: Option<Heredoc>,
}

impl Redirect {
    /// Output redirection to a file (`>`, `>>`, `&>`, `>|`), not fd duplication.
    #[must_use]
    pub fn is_output(&self) -> bool {
        matches!(self.op.as_str(), ">" | ">>" | "&>" | "&>>" | ">|")
            || (self.op == ">&"
                && self
                    .target
                    .as_ref()
                    .and_then(Word::as_str)
                    .is_some_and(|t| t.parse::<u32>().is_err() && t != "-"))
    }
}

/// How a command is linked to the command before it in an `&&`/`||` list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChainOp {
    And,
    Or,
}

/// The syntactic context a command sits in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[allow(clippy::struct_excessive_bools)] // independent flags, not a state machine
pub struct CommandContext {
    pub pipeline: bool,
    pub process_substitution: bool,
    /// Inside `$(…)` or backticks.
    pub command_substitution: bool,
    /// Inside the string given to `eval`.
    pub eval: bool,
    /// Inside the string given to `sh -c` / `bash -c`.
    pub shell_c: bool,
    /// Inside a heredoc fed to a shell (`bash <<EOF … EOF`).
    pub heredoc_script: bool,
    /// Run inside a container by `docker run IMAGE cmd …` / `docker exec NAME cmd …`
    /// (or podman's, nerdctl's): on the container's file system and package sources, but
    /// through the runner's network.
    pub container: bool,
    pub function: bool,
    /// Inside an `if`/`elif`/`else` (condition or branch).
    pub conditional: bool,
    /// Inside a `for`/`while`/`until` loop.
    pub loop_body: bool,
    /// Inside a loop that retries what it runs: the body (or a `while`/`until`
    /// condition) of the innermost `for`/`while`/`until` loop around the command, where
    /// that loop's body or condition runs `break` or `sleep`
    /// (`for i in 1 2 3; do curl … && break; sleep 5; done`, `until curl …; do sleep 5;
    /// done`). The list a `for` loop walks is not retried.
    pub retry_loop: bool,
    /// Runs only on some paths: in an `if` branch (not its first condition), an
    /// `elif`/`else` clause, a `case` arm, or right of `&&`/`||`.
    pub branch: bool,
    pub case_arm: bool,
    /// Part of an `&&`/`||` list.
    pub and_or: bool,
    pub subshell: bool,
    /// Under `!`.
    pub negated: bool,
    /// Inside a `[ … ]` / `[[ … ]]` test.
    pub test: bool,
}

/// A wrapper such as `sudo`, `env` or `xargs` in front of the real command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Wrapper {
    pub name: String,
    /// The wrapper word and its own options.
    pub span: Span,
}

/// One simple command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Command {
    /// The whole simple command (assignments, words, redirections it owns).
    pub span: Span,
    /// All words as written, wrappers included; `argv[name_index]` is the real command.
    pub argv: Vec<Word>,
    /// Index in `argv` of the command after unwrapping `sudo`, `env`, `time`, …; equal to
    /// `argv.len()` when there is no command word (a bare `sudo -v`).
    pub name_index: usize,
    pub wrappers: ThinVec<Wrapper>,
    pub assignments: ThinVec<Assignment>,
    pub redirects: ThinVec<Redirect>,
    /// Index (in `Analysis::commands`) of the previous command in the same pipeline.
    pub(crate) pipe_prev: Option<u32>,
    pub(crate) pipe_next: Option<u32>,
    /// The command whose argument or redirection holds this one: the `bash` of
    /// `bash <(curl …)`, the `sh` of `sh -c "…"`, the `eval` of `eval "$(…)"`.
    pub(crate) parent: Option<u32>,
    /// The operator linking this command to the previous one in an `&&`/`||` list.
    pub chain: Option<ChainOp>,
    pub context: CommandContext,
    /// The command spans several lines joined with `\`.
    pub line_continuation: bool,
    /// For a command run inside a container: the container's image, when the script
    /// names it (`docker run IMAGE …`, or `docker exec NAME …` after `docker run --name
    /// NAME IMAGE`).
    pub container_image: Option<Box<str>>,
}

impl Command {
    /// Index (in `Analysis::commands`) of the previous command in the same pipeline.
    #[must_use]
    pub fn pipe_prev(&self) -> Option<usize> {
        self.pipe_prev.map(|i| i as usize)
    }

    /// Index of the next command in the same pipeline.
    #[must_use]
    pub fn pipe_next(&self) -> Option<usize> {
        self.pipe_next.map(|i| i as usize)
    }

    /// Index of the command whose argument or redirection holds this one.
    #[must_use]
    pub fn parent(&self) -> Option<usize> {
        self.parent.map(|i| i as usize)
    }

    /// The real command word, after wrappers.
    #[must_use]
    pub fn name_word(&self) -> Option<&Word> {
        self.argv.get(self.name_index)
    }

    /// The base name of the real command (`/usr/bin/curl` → `curl`), if static.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        let t = self.name_word()?.as_str()?;
        Some(t.rsplit('/').next().unwrap_or(t))
    }

    /// The arguments after the real command name.
    #[must_use]
    pub fn args(&self) -> &[Word] {
        self.argv.get(self.name_index + 1..).unwrap_or(&[])
    }

    /// Whether one of `flags` is among the static arguments, alone or with a value
    /// (`--dry-run`, `--flag=value`).
    #[must_use]
    pub fn has_flag(&self, flags: &[String]) -> bool {
        self.args().iter().filter_map(Word::as_str).any(|t| {
            flags.iter().any(|f| {
                t == f
                    || t.strip_prefix(f.as_str())
                        .is_some_and(|r| r.starts_with('='))
            })
        })
    }

    /// For `git`: the index in [`Command::args`] of the subcommand, past git's global
    /// options (`git -C dir fetch …` gives the index of `fetch`); `None` when the
    /// command is not git or the subcommand is not a static word.
    #[must_use]
    pub fn git_subcommand(&self) -> Option<usize> {
        if self.name() != Some("git") {
            return None;
        }
        let args = self.args();
        let mut k = 0;
        while let Some(t) = args.get(k).and_then(Word::as_str) {
            if GIT_GLOBAL.contains(&t) {
                k += 2;
            } else if t.starts_with('-') {
                k += 1;
            } else {
                return Some(k);
            }
        }
        None
    }

    /// Whether a wrapper with this name was unwrapped (`sudo`, `env`, …).
    #[must_use]
    pub fn has_wrapper(&self, name: &str) -> bool {
        self.wrappers.iter().any(|w| w.name == name)
    }

    /// The value of a prefix assignment (`FOO=1 cmd`) with a static value.
    #[must_use]
    pub fn assignment(&self, name: &str) -> Option<&Assignment> {
        self.assignments.iter().rev().find(|a| a.name == name)
    }
}

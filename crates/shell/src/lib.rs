//! Analysis of `run:` scripts: the commands a bash/sh step runs and the delivery facts they
//! imply (downloads, download-then-run, verification, package installs, credential use,
//! workflow-command file writes), each with exact byte spans into the script text.
//!
//! The caller decides the effective shell (see [`ShellKind::classify`]) and calls
//! [`Analyzer::analyze`] for bash and sh scripts, [`Analyzer::analyze_pwsh`] for PowerShell
//! ones (`pwsh`, `powershell`), or [`Analyzer::analyze_as`] with the shell. Both analyses
//! give the same commands and facts, so readers need not know the shell. Every span is a
//! byte range into the script string given to `analyze`; mapping it to a file position is
//! the caller's job.
//!
//! ```
//! let mut analyzer = tollgate_shell::Analyzer::new();
//! let script = "curl -fsSL https://example.com/install.sh | sudo bash -s -- --yes";
//! let analysis = analyzer.analyze(script);
//! assert_eq!(analysis.commands.len(), 2);
//! assert!(analysis.facts.iter().any(|f| f.kind() == "download-exec"));
//! ```

mod args;
mod command;
mod facts;
#[doc(hidden)]
pub mod fast;
pub mod make;
mod mask;
mod pwsh;
pub(crate) mod recognise;
mod shellkind;
mod tree;
mod unwrap;
mod walk;

use serde::Serialize;
pub use tollgate_model::Span;

pub use command::{Assignment, ChainOp, Command, CommandContext, Heredoc, Redirect, Word, Wrapper};
pub use facts::{
    Credential, CredentialKind, Download, DownloadExec, EnvSetting, EnvTarget, EnvWrite, ExecHow,
    Fact, FileRef, Image, ImageBuild, IndexKind, IndexUrl, Install, Invoke, PackageKind,
    PackageSpec, SecretEcho, Verification,
};
pub use shellkind::ShellKind;

/// Which resource limit stopped part of the analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LimitKind {
    /// The syntax tree nests deeper than the walk follows (`$( $( $( … ) ) )`).
    NestingDepth,
    /// Scripts inside scripts (`sh -c "sh -c '…'"`) nest deeper than analysed.
    InnerScriptDepth,
    /// The parser gave up (input too large or too slow to parse).
    Parse,
}

/// A place where the analysis stopped early; commands beyond it are not reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Limit {
    pub kind: LimitKind,
    pub span: Span,
}

/// Everything learnt from one script.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Analysis {
    /// Simple commands in source order (an outer command comes before the commands in
    /// its substitutions and inner scripts).
    pub commands: Vec<Command>,
    /// Facts sorted by span start; `DownloadExec::download` and `verified_by` index here.
    pub facts: Vec<Fact>,
    /// ERROR and MISSING nodes reported by tree-sitter; commands elsewhere are still
    /// extracted.
    pub syntax_errors: Vec<Span>,
    /// The `${{ … }}` expressions, sorted.
    pub expressions: Vec<Span>,
    /// Stand-alone assignments and exports (`FOO=1`, `export PIP_INDEX_URL=…`).
    pub assignments: Vec<Assignment>,
    pub limits: Vec<Limit>,
}

impl Analysis {
    /// The span of the command at `span` and of every command piped into it, nearest
    /// first: where the text a command writes (to `$GITHUB_ENV`, `$GITHUB_OUTPUT`) can
    /// come from.
    #[must_use]
    pub fn pipeline_spans(&self, span: Span) -> Vec<Span> {
        let mut spans = vec![span];
        if let Some(c) = self.commands.iter().find(|c| c.span == span) {
            let mut prev = c.pipe_prev();
            while let Some(p) = prev.and_then(|p| self.commands.get(p)) {
                spans.push(p.span);
                prev = p.pipe_prev();
            }
        }
        spans
    }

    /// The `$GITHUB_OUTPUT` writes of the script with a key: the key, the text of the
    /// pipeline that writes it (`echo "k=$(gh pr view …)"` whole, so what feeds the value
    /// is in it) and the write. `script` is the text this analysis was made of. The flow
    /// and trust passes read step outputs from here.
    pub fn github_output_writes<'a>(
        &'a self,
        script: &'a str,
    ) -> impl Iterator<Item = (&'a str, String, &'a EnvWrite)> + 'a {
        self.facts.iter().filter_map(move |f| {
            let Fact::EnvWrite(w) = f else { return None };
            if w.target != EnvTarget::GithubOutput {
                return None;
            }
            let key = w.key.as_deref()?;
            let text = self
                .pipeline_spans(w.span)
                .iter()
                .map(|s| script.get(s.range()).unwrap_or(""))
                .collect::<Vec<_>>()
                .join(" ");
            Some((key, text, w))
        })
    }

    /// Whether a command other than `docker` or `podman` names docker in a static
    /// argument (`pnpm build:docker`, `make docker-image`, `npm run docker`): a build
    /// script that may make container images the script text does not show. Only the
    /// parsed words are read, so a mention inside a string or a comment does not count.
    #[must_use]
    pub fn runs_docker_script(&self) -> bool {
        self.commands.iter().any(|c| {
            !matches!(c.name(), Some("docker" | "podman"))
                && c.args()
                    .iter()
                    .any(|w| w.as_str().is_some_and(|t| t.contains("docker")))
        })
    }
}

/// A reusable analyser holding one tree-sitter parser. A parser is not shareable across
/// threads: create one per worker (rayon's `map_init`).
pub struct Analyzer {
    parser: tree_sitter::Parser,
    ready: bool,
    /// The PowerShell parser, made on first use (most repositories have no PowerShell).
    pwsh: Option<(tree_sitter::Parser, bool)>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("ready", &self.ready)
            .finish_non_exhaustive()
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

impl Analyzer {
    /// A new analyser. If the bash grammar cannot be loaded (an ABI mismatch between the
    /// grammar and the tree-sitter core), every analysis reports a parse limit instead
    /// of panicking.
    #[must_use]
    pub fn new() -> Self {
        let mut parser = tree_sitter::Parser::new();
        let ready = parser
            .set_language(&tree_sitter_bash::LANGUAGE.into())
            .is_ok();
        Self {
            parser,
            ready,
            pwsh: None,
        }
    }

    /// Analyse a script in the shell it runs in: bash and sh scripts with the bash
    /// grammar, `pwsh` and `powershell` ones with the PowerShell grammar; `None` for
    /// the shells without an analysis (see [`ShellKind::is_analysable`]).
    pub fn analyze_as(&mut self, shell: &ShellKind, script: &str) -> Option<Analysis> {
        if shell.is_powershell() {
            Some(self.analyze_pwsh(script))
        } else if shell.is_analysable() {
            Some(self.analyze(script))
        } else {
            None
        }
    }

    /// Analyse one PowerShell script (`shell: pwsh`, `shell: powershell`, and `run:` on
    /// Windows runners, whose default shell is pwsh).
    pub fn analyze_pwsh(&mut self, script: &str) -> Analysis {
        let (masked, expressions) = mask::mask(script);
        let (parser, ready) = self.pwsh.get_or_insert_with(|| {
            let mut parser = tree_sitter::Parser::new();
            let ready = parser
                .set_language(&tree_sitter_powershell::LANGUAGE.into())
                .is_ok();
            (parser, ready)
        });
        if !*ready {
            return Analysis {
                expressions,
                limits: vec![Limit {
                    kind: LimitKind::Parse,
                    span: Span::new(0, script.len()),
                }],
                ..Analysis::default()
            };
        }
        let mut walker = pwsh::Walker::new(&masked, &expressions);
        walker.run(parser);
        let pwsh::Walker {
            commands,
            assignments,
            token_refs,
            syntax_errors,
            mut limits,
            parse_failed,
            ..
        } = walker;
        if parse_failed {
            limits.push(Limit {
                kind: LimitKind::Parse,
                span: Span::new(0, script.len()),
            });
        }
        let facts = recognise::recognise(&recognise::ScriptParts {
            script,
            commands: &commands,
            assignments: &assignments,
            statement_redirects: &[],
            token_refs: &token_refs,
            expressions: &expressions,
        });
        Analysis {
            commands,
            facts,
            syntax_errors,
            expressions,
            assignments,
            limits,
        }
    }

    /// Whether the grammar loaded.
    #[must_use]
    pub const fn is_ready(&self) -> bool {
        self.ready
    }

    /// Analyse one bash/sh script (the `run:` value text).
    pub fn analyze(&mut self, script: &str) -> Analysis {
        let (masked, expressions) = mask::mask(script);
        if !self.ready {
            return Analysis {
                expressions,
                limits: vec![Limit {
                    kind: LimitKind::Parse,
                    span: Span::new(0, script.len()),
                }],
                ..Analysis::default()
            };
        }
        let mut walker = walk::Walker::new(&mut self.parser, &expressions);
        walker.run(&masked);
        let walk::Walker {
            commands,
            assignments,
            statement_redirects,
            token_refs,
            syntax_errors,
            mut limits,
            parse_failed,
            ..
        } = walker;
        if parse_failed {
            limits.push(Limit {
                kind: LimitKind::Parse,
                span: Span::new(0, script.len()),
            });
        }
        let facts = recognise::recognise(&recognise::ScriptParts {
            script,
            commands: &commands,
            assignments: &assignments,
            statement_redirects: &statement_redirects,
            token_refs: &token_refs,
            expressions: &expressions,
        });
        // The analysis is kept for the whole run: give back what growing the vectors
        // reserved (a quarter of their size on average).
        let mut commands = commands;
        for c in &mut commands {
            c.argv.shrink_to_fit();
            // Pushed one at a time: a command's one redirection (168 bytes) sat in room
            // for four.
            c.redirects.shrink_to_fit();
            c.assignments.shrink_to_fit();
            c.wrappers.shrink_to_fit();
        }
        commands.shrink_to_fit();
        let (mut facts, mut expressions, mut assignments) = (facts, expressions, assignments);
        facts.shrink_to_fit();
        expressions.shrink_to_fit();
        assignments.shrink_to_fit();
        Analysis {
            commands,
            facts,
            syntax_errors,
            expressions,
            assignments,
            limits,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn grammar_loads_into_parser() {
        let mut parser = tree_sitter::Parser::new();
        assert!(
            parser
                .set_language(&tree_sitter_bash::LANGUAGE.into())
                .is_ok()
        );
        let tree = parser.parse("echo hi", None);
        assert!(tree.is_some_and(|t| !t.root_node().has_error()));
        assert!(super::Analyzer::new().is_ready());
    }

    /// tree-sitter-powershell must link against the same tree-sitter core as the bash
    /// grammar (one core in the build) and speak an ABI that core reads: a mismatch shows
    /// only at run time, here.
    #[test]
    fn powershell_grammar_loads_into_parser() {
        let mut parser = tree_sitter::Parser::new();
        assert!(
            parser
                .set_language(&tree_sitter_powershell::LANGUAGE.into())
                .is_ok()
        );
        let tree = parser.parse("Invoke-WebRequest -Uri https://x.org/a -OutFile a", None);
        assert!(tree.is_some_and(|t| !t.root_node().has_error()));
        let a = super::Analyzer::new().analyze_pwsh("Write-Host hi");
        assert!(a.limits.is_empty(), "{a:?}");
        assert_eq!(a.commands.len(), 1);
    }
}

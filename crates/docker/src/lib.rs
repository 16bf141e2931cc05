//! Dockerfiles and Containerfiles as a typed model with exact spans: the stages and the
//! images they start from or copy out of (`ARG` defaults expanded, stage names and
//! `scratch` told apart from registry images), the `RUN` scripts and the remote sources
//! of `ADD`.
//!
//! The instruction grammar (line continuations, the `# escape=` directive, comments,
//! here-documents, JSON forms) is `parse-dockerfile`'s, which is fuzzed upstream; this
//! crate turns its instructions into the model and its errors into diagnostics with a
//! line and column. A syntax error ends the model there: what came before is kept.

mod heredoc;
mod model;
mod subst;

pub use model::{Add, Arg, Dockerfile, ImageUse, Run, RunBody, Spanned, Stage, Target, Via};

use parse_dockerfile::{Command, Flag, Instruction, Source, UnescapedString};
use tollgate_model::{Diagnostic, DiagnosticCode, Severity, SourceFile, Span};

use crate::subst::Scope;

/// The most instructions read from one file: real Dockerfiles have tens to a few
/// hundred; the read limit already bounds the text, this bounds the model built from it.
const MAX_INSTRUCTIONS: usize = 100_000;

/// Parse one Dockerfile. Never panics; a file that is not a Dockerfile gives a
/// diagnostic with its line and column and the model of what came before the error.
#[must_use]
pub fn parse(source: &SourceFile) -> (Option<Dockerfile>, Vec<Diagnostic>) {
    // The grammar is a dependency's: should it ever panic on an input, the file gets a
    // diagnostic and the run goes on.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse_inner(source))) {
        Ok(r) => r,
        Err(_) => (
            None,
            vec![Diagnostic::file(
                &source.display,
                DiagnosticCode::Internal,
                "the Dockerfile parser failed on this file",
            )],
        ),
    }
}

fn parse_inner(source: &SourceFile) -> (Option<Dockerfile>, Vec<Diagnostic>) {
    let escape = escape_of(source.text());
    // Offsets in the blanked text are offsets in the file.
    let (text, here_docs) = match heredoc::blank(source.text(), escape) {
        Some((blanked, taken)) => (std::borrow::Cow::Owned(blanked), taken),
        None => (std::borrow::Cow::Borrowed(source.text()), Vec::new()),
    };
    let text = text.as_ref();
    let mut diags = Vec::new();
    let iter = match parse_dockerfile::parse_iter(text) {
        Ok(i) => i,
        Err(e) => {
            diags.push(syntax(source, &e));
            return (None, diags);
        }
    };
    let mut b = Builder {
        text,
        escape,
        here_docs,
        file: Dockerfile::default(),
        global: Scope::default(),
        stage: None,
        shell: None,
    };
    b.file.escape = b.escape;
    for (n, item) in iter.enumerate() {
        if n >= MAX_INSTRUCTIONS {
            diags.push(
                Diagnostic::file(
                    &source.display,
                    DiagnosticCode::Limit,
                    format!("more than {MAX_INSTRUCTIONS} instructions; the rest is not read"),
                )
                .with_severity(Severity::Warning),
            );
            break;
        }
        match item {
            Ok(i) => b.instruction(&i),
            Err(e) => {
                diags.push(syntax(source, &e));
                break;
            }
        }
    }
    if b.file.stages.is_empty() && diags.is_empty() {
        diags.push(
            Diagnostic::at(
                source,
                Span::empty(0),
                DiagnosticCode::Shape,
                "no `FROM` instruction: not a Dockerfile a build can use",
            )
            .with_severity(Severity::Warning),
        );
    }
    (Some(b.file), diags)
}

/// A syntax error at the line the parser names, at its first non-blank character.
fn syntax(source: &SourceFile, e: &parse_dockerfile::Error) -> Diagnostic {
    // `{:#}` is the message alone; the position is ours to render.
    let message = format!("{e:#}");
    let at = if e.line() == 0 {
        0
    } else {
        let start = source.line_start(e.line());
        let line = source.line_text(e.line());
        start + (line.len() - line.trim_start().len())
    };
    Diagnostic::at(
        source,
        Span::empty(at),
        DiagnosticCode::Syntax,
        format!("Dockerfile: {message}"),
    )
}

/// The escape character a `# escape=` directive sets; `\` without one. Directives are
/// comment lines at the very top, before any other line.
fn escape_of(text: &str) -> char {
    for line in text.lines() {
        let Some(directive) = line.trim().strip_prefix('#') else {
            break;
        };
        let Some((key, value)) = directive.split_once('=') else {
            break;
        };
        if key.trim().eq_ignore_ascii_case("escape") {
            return match value.trim() {
                "`" => '`',
                _ => '\\',
            };
        }
    }
    '\\'
}

struct Builder<'t> {
    text: &'t str,
    escape: char,
    file: Dockerfile,
    /// The global `ARG`s: what `FROM` lines see.
    global: Scope,
    /// The current stage's index and `ARG`s.
    stage: Option<(usize, Scope)>,
    /// The current stage's `SHELL`.
    shell: Option<Vec<String>>,
    /// Here-documents taken out of the text before parsing, by `RUN` keyword offset.
    here_docs: heredoc::Taken,
}

fn span(r: &std::ops::Range<usize>) -> Span {
    Span::new(r.start, r.end)
}

impl Builder<'_> {
    /// A string as the parser unescaped it, at its text.
    fn spanned(s: &UnescapedString<'_>) -> Spanned<String> {
        Spanned::new(s.value.to_string(), span(&s.span))
    }

    /// The span of `value[inner]` in the file when `value` is the text at its span
    /// byte for byte (no line continuation inside); else the whole span.
    fn inner_span(&self, whole: Span, value: &str, inner: std::ops::Range<usize>) -> Span {
        if self.text.get(whole.range()) == Some(value) {
            Span::new(whole.start() + inner.start, whole.start() + inner.end)
        } else {
            whole
        }
    }

    fn instruction(&mut self, i: &Instruction<'_>) {
        match i {
            Instruction::Arg(a) => self.arg(&a.arguments),
            Instruction::From(f) => self.from(f),
            Instruction::Copy(c) => self.copy_from(&c.options),
            Instruction::Add(a) => self.add(a),
            Instruction::Run(r) => self.run(r),
            Instruction::Shell(s) => {
                self.shell = Some(s.arguments.iter().map(|a| a.value.to_string()).collect());
            }
            // `ONBUILD` instructions run in builds that use this image as a base.
            _ => {}
        }
    }

    /// `ARG a=1 b c="x y"`: each name with its default, quotes removed.
    fn arg(&mut self, arguments: &UnescapedString<'_>) {
        let whole = span(&arguments.span);
        let value = arguments.value.as_ref();
        for (start, end) in words(value) {
            let word = &value[start..end];
            let (name, default) = match word.split_once('=') {
                Some((n, d)) => (n, Some((n.len() + 1, unquote(d)))),
                None => (word, None),
            };
            if name.is_empty() {
                continue;
            }
            let name_span = self.inner_span(whole, value, start..start + name.len());
            let default = default.map(|(off, d)| {
                let s = self.inner_span(whole, value, start + off..end);
                Spanned::new(d, s)
            });
            let stage = self.stage.as_ref().map(|(i, _)| *i);
            // Defaults are expanded where they are declared, with what is in scope there.
            let expanded = default.as_ref().and_then(|d| {
                let scope = self.stage.as_ref().map_or(&self.global, |(_, s)| s);
                scope.expand(&d.value, self.escape)
            });
            match &mut self.stage {
                None => self.global.declare(name, expanded),
                Some((_, scope)) => match &default {
                    Some(_) => scope.declare(name, expanded),
                    None => scope.inherit(name, &self.global),
                },
            }
            self.file.args.push(Arg {
                name: Spanned::new(name.to_owned(), name_span),
                default,
                stage,
            });
        }
    }

    /// The stage a reference names: an earlier stage by name (any stage, by name or
    /// index, for `COPY --from`).
    fn stage_named(&self, name: &str, by_index: bool) -> Option<usize> {
        if by_index && let Ok(n) = name.parse::<usize>() {
            return (n < self.file.stages.len()).then_some(n);
        }
        self.file.stages.iter().find_map(|s| {
            s.name
                .as_ref()
                .is_some_and(|n| n.value.eq_ignore_ascii_case(name))
                .then_some(s.index)
        })
    }

    fn target(&self, written: &str, scope: &Scope, by_index: bool) -> Target {
        let Some(reference) = scope.expand(written, self.escape) else {
            return Target::Unresolved;
        };
        let reference = reference.trim().to_owned();
        if reference.is_empty() {
            return Target::Unresolved;
        }
        if reference.eq_ignore_ascii_case("scratch") {
            return Target::Scratch;
        }
        match self.stage_named(&reference, by_index) {
            Some(s) => Target::Stage(s),
            None => Target::Image { reference },
        }
    }

    fn from(&mut self, f: &parse_dockerfile::FromInstruction<'_>) {
        let index = self.file.stages.len();
        let written = Self::spanned(&f.image);
        let target = self.target(&written.value, &self.global, false);
        let base = self.file.images.len();
        self.file.images.push(ImageUse {
            via: Via::From,
            stage: index,
            written,
            target,
        });
        let platform = f
            .options
            .iter()
            .find(|o| o.name.value.eq_ignore_ascii_case("platform"))
            .and_then(|o| o.value.as_ref())
            .map(Self::spanned);
        let name = f.as_.as_ref().map(|(_, n)| {
            let mut s = Self::spanned(n);
            s.value.make_ascii_lowercase();
            s
        });
        self.file.stages.push(Stage {
            index,
            keyword: span(&f.from.span),
            name,
            platform,
            base,
        });
        self.stage = Some((index, Scope::default()));
        self.shell = None;
    }

    /// The stage's scope: the global `ARG`s it redeclared, and its own.
    fn stage_scope(&self) -> Option<(usize, &Scope)> {
        self.stage.as_ref().map(|(i, s)| (*i, s))
    }

    fn copy_from(&mut self, options: &[Flag<'_>]) {
        let Some((stage, scope)) = self.stage_scope() else {
            return;
        };
        let Some(from) = options
            .iter()
            .find(|o| o.name.value.eq_ignore_ascii_case("from"))
            .and_then(|o| o.value.as_ref())
        else {
            return;
        };
        let written = Self::spanned(from);
        let target = self.target(&written.value, scope, true);
        self.file.images.push(ImageUse {
            via: Via::CopyFrom,
            stage,
            written,
            target,
        });
    }

    fn add(&mut self, a: &parse_dockerfile::AddInstruction<'_>) {
        let Some((stage, _)) = self.stage_scope() else {
            return;
        };
        let checksum = a
            .options
            .iter()
            .find(|o| o.name.value.eq_ignore_ascii_case("checksum"))
            .and_then(|o| o.value.as_ref())
            .map(Self::spanned);
        for src in &a.src {
            let Source::Path(p) = src else {
                continue;
            };
            if is_remote(&p.value) {
                self.file.adds.push(Add {
                    stage,
                    url: Self::spanned(p),
                    checksum: checksum.clone(),
                });
            }
        }
    }

    fn run(&mut self, r: &parse_dockerfile::RunInstruction<'_>) {
        let Some((stage, _)) = self.stage_scope() else {
            return;
        };
        let body = match &r.arguments {
            Command::Shell(s) => RunBody::Shell(Spanned::new(s.value.to_owned(), span(&s.span))),
            Command::Exec(e) => RunBody::Exec(e.value.iter().map(Self::spanned).collect()),
            // A form a later version of the grammar adds: not read yet.
            _ => return,
        };
        let keyword = span(&r.run.span);
        let mut here_docs: Vec<Spanned<String>> = r
            .here_docs
            .iter()
            .map(|h| Spanned::new(h.value.to_string(), span(&h.span)))
            .collect();
        if let Some(k) = self
            .here_docs
            .iter()
            .position(|(at, _)| *at == keyword.start())
        {
            here_docs.extend(self.here_docs.swap_remove(k).1);
        }
        // The grammar reads a here-document only right after `RUN` (and the options):
        // `RUN <<EOF`, whose body the shell runs.
        let leading = !r.here_docs.is_empty();
        let script = self.script(&body, &here_docs, leading);
        self.file.runs.push(Run {
            stage,
            keyword,
            body,
            here_docs,
            shell: self.shell.clone(),
            script,
        });
    }
}

impl Builder<'_> {
    /// The POSIX shell script of a `RUN` (see [`Run::script`]).
    fn script(
        &self,
        body: &RunBody,
        here_docs: &[Spanned<String>],
        leading: bool,
    ) -> Option<Spanned<String>> {
        if self.escape != '\\' {
            return None;
        }
        if let Some(shell) = self.shell.as_ref().and_then(|s| s.first())
            && !matches!(model::base_name(shell), "sh" | "bash" | "ash" | "dash")
        {
            return None;
        }
        let RunBody::Shell(text) = body else {
            return None;
        };
        // `RUN <<EOF`: the here-document is the script (with more on the line, it is a
        // command's input, not read here).
        if leading {
            if !text.value.trim().is_empty() {
                return None;
            }
            let doc = here_docs.first()?;
            let shebang = doc.value.lines().next().filter(|l| l.starts_with("#!"));
            let posix = shebang.is_none_or(|l| {
                l.split_whitespace()
                    .any(|w| matches!(model::base_name(w), "sh" | "bash" | "ash" | "dash"))
            });
            return posix.then(|| doc.clone());
        }
        Some(Spanned::new(blank_comments(&text.value), text.span))
    }
}

/// Comment lines inside a continued `RUN` (Docker drops them before the shell sees the
/// command) replaced by spaces, so the text keeps its length and offsets.
fn blank_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i > 0 && line.trim_start().starts_with('#') {
            let body = line.trim_end_matches(['\n', '\r']);
            out.extend(std::iter::repeat_n(' ', body.len()));
            out.push_str(&line[body.len()..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// A source `ADD` downloads: a URL or a git remote.
fn is_remote(src: &str) -> bool {
    let s = src.to_ascii_lowercase();
    s.starts_with("http://")
        || s.starts_with("https://")
        || s.starts_with("git@")
        || s.starts_with("git://")
        || s.starts_with("ssh://")
}

/// The byte ranges of the whitespace-separated words of `s`, quotes kept together.
fn words(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => {
                quote = Some(c);
                start.get_or_insert(i);
            }
            (None, c) if c.is_whitespace() => {
                if let Some(st) = start.take() {
                    out.push((st, i));
                }
            }
            (None, _) => {
                start.get_or_insert(i);
            }
        }
    }
    if let Some(st) = start {
        out.push((st, s.len()));
    }
    out
}

/// A value without its surrounding quotes.
fn unquote(v: &str) -> String {
    let b = v.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        v[1..v.len() - 1].to_owned()
    } else {
        v.to_owned()
    }
}

#[cfg(test)]
mod tests;

//! Diagnostics about inputs: files we could not read or parse, shapes we did not expect.
//!
//! These are not findings (no rule raised them) but they travel with findings to every
//! output, because an input we could not understand is something the user must see.

use serde::Serialize;

use crate::{Location, SourceFile, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Note => "note",
        }
    }
}

/// Stable identifiers for input diagnostics, shown next to the message and in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagnosticCode {
    /// The file could not be read (permissions, vanished, a directory loop).
    Io,
    /// The file is not text: NUL bytes or invalid UTF-8 that is not UTF-16.
    NotText,
    /// The file is larger than the configured limit.
    TooLarge,
    /// The file is empty where content is required.
    Empty,
    /// The file is not valid syntax for its format (YAML, JSON, TOML, line format).
    Syntax,
    /// Valid syntax, but not the shape its kind requires (a workflow without `jobs:`).
    Shape,
    /// A resource limit was hit (alias expansion, nesting depth).
    Limit,
    /// Something we recognised but do not analyse (a PowerShell script).
    NotAnalysed,
    /// A failure inside tollgate itself, contained to one file or rule.
    Internal,
    /// A mistake in `tollgate.toml`.
    Config,
    /// An inline or configured suppression that matched no finding.
    UnusedSuppression,
    /// A policy allow-list entry that matched nothing.
    UnusedAllow,
    /// A reference that cannot be followed (a local action that does not exist, a cycle).
    Resolution,
}

impl DiagnosticCode {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Io => "io",
            Self::NotText => "not-text",
            Self::TooLarge => "too-large",
            Self::Empty => "empty",
            Self::Syntax => "syntax",
            Self::Shape => "shape",
            Self::Limit => "limit",
            Self::NotAnalysed => "not-analysed",
            Self::Internal => "internal",
            Self::Config => "config",
            Self::UnusedSuppression => "unused-suppression",
            Self::UnusedAllow => "unused-allow",
            Self::Resolution => "resolution",
        }
    }
}

/// One diagnostic about one input, with an optional label span.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: DiagnosticCode,
    pub message: String,
    /// Where; `None` only when the file could not be read at all.
    pub location: Option<Location>,
    /// The path even when there is no location (unreadable files).
    pub path: String,
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at `span` in `file`.
    #[must_use]
    pub fn at(
        file: &SourceFile,
        span: Span,
        code: DiagnosticCode,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Error,
            code,
            message: message.into(),
            location: Some(file.location(span)),
            path: file.display.clone(),
            help: None,
        }
    }

    /// A diagnostic about a whole file that has no text to point into.
    #[must_use]
    pub fn file(path: impl Into<String>, code: DiagnosticCode, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            message: message.into(),
            location: None,
            path: path.into(),
            help: None,
        }
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub const fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The same diagnostic about another file with identical content (parse results are
    /// shared between such files; their diagnostics are not).
    #[must_use]
    pub fn for_path(&self, path: &str) -> Self {
        let mut d = self.clone();
        if let Some(l) = &mut d.location {
            l.path = path.into();
        }
        path.clone_into(&mut d.path);
        d
    }

    /// Sort key for deterministic output: path, line, column, code.
    #[must_use]
    pub fn sort_key(&self) -> (&str, u32, u32, DiagnosticCode) {
        let (l, c) = self
            .location
            .as_ref()
            .map_or((0, 0), |l| (l.start.line, l.start.column));
        (&self.path, l, c, self.code)
    }
}

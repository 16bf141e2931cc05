//! Human output: source excerpts with labels (miette), then a summary line.
//!
//! Rendering is deterministic for a given width and colour choice, so tests can snapshot it.

use std::fmt::Write;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use tollgate_model::{Diagnostic, Severity, SourceFile};

/// One item to render: an input diagnostic now, findings later.
struct Item<'a> {
    severity: Severity,
    code: String,
    message: &'a str,
    help: Option<&'a str>,
    label: Option<(SourceSpan, String)>,
    source: Option<NamedSource<std::sync::Arc<str>>>,
}

impl std::fmt::Debug for Item<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message)
    }
}

impl std::fmt::Display for Item<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for Item<'_> {}

impl miette::Diagnostic for Item<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.help.map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (span, text) = self.label.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(text.clone()),
            *span,
        ))))
    }
}

pub struct Human {
    handler: GraphicalReportHandler,
}

impl Human {
    #[must_use]
    pub fn new(color: bool) -> Self {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        Self {
            handler: GraphicalReportHandler::new_themed(theme)
                .with_width(100)
                .with_links(false),
        }
    }

    /// Render a diagnostic about an input; `source` is the file when it could be read.
    pub fn diagnostic(&self, out: &mut String, d: &Diagnostic, source: Option<&SourceFile>) {
        let (label, source) = match (&d.location, source) {
            (Some(loc), Some(f)) => (
                Some((
                    SourceSpan::new(loc.span.start.into(), loc.span.len()),
                    format!("{}:{}:{}", d.path, loc.start.line, loc.start.column),
                )),
                Some(NamedSource::new(&d.path, f.shared_text())),
            ),
            _ => (None, None),
        };
        let message = if source.is_none() {
            format!("{}: {}", d.path, d.message)
        } else {
            d.message.clone()
        };
        let item = Item {
            severity: d.severity,
            code: format!("input::{}", d.code.as_str()),
            message: &message,
            help: d.help.as_deref(),
            label,
            source,
        };
        let mut s = String::new();
        if self.handler.render_report(&mut s, &item).is_err() {
            let _ = writeln!(s, "{}: {}", d.path, d.message);
        }
        out.push_str(&s);
        out.push('\n');
    }
}

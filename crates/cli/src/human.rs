//! Human output: source excerpts with labels (miette), then a summary line.
//!
//! Rendering is deterministic for a given width and colour choice, so tests can snapshot it.

use std::fmt::Write;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use tollgate_model::{Diagnostic, Finding, Level, Severity, SourceFile};

/// One item to render: an input diagnostic or a finding.
struct Item {
    severity: miette::Severity,
    code: String,
    message: String,
    help: Option<String>,
    labels: Vec<(SourceSpan, String)>,
    source: Option<NamedSource<Arc<str>>>,
}

impl std::fmt::Debug for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::fmt::Display for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Item {}

impl miette::Diagnostic for Item {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().map(|(span, text)| {
            LabeledSpan::new_with_span(Some(text.clone()), *span)
        })))
    }
}

pub struct Human {
    handler: GraphicalReportHandler,
}

fn span(s: tollgate_model::Span) -> SourceSpan {
    SourceSpan::new(s.start.into(), s.len())
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

    fn render(&self, out: &mut String, item: &Item) {
        let mut s = String::new();
        if self.handler.render_report(&mut s, item).is_err() {
            let _ = writeln!(s, "{}", item.message);
        }
        out.push_str(&s);
        out.push('\n');
    }

    /// Render a diagnostic about an input; `source` is the file when it could be read.
    pub fn diagnostic(&self, out: &mut String, d: &Diagnostic, source: Option<&SourceFile>) {
        let (labels, source) = match (&d.location, source) {
            (Some(loc), Some(f)) => (
                vec![(
                    span(loc.span),
                    format!("{}:{}:{}", d.path, loc.start.line, loc.start.column),
                )],
                Some(NamedSource::new(&d.path, f.shared_text())),
            ),
            _ => (Vec::new(), None),
        };
        let message = match (&d.location, &source) {
            (Some(loc), None) => format!(
                "{}:{}:{}: {}",
                d.path, loc.start.line, loc.start.column, d.message
            ),
            (None, _) => format!("{}: {}", d.path, d.message),
            _ => d.message.clone(),
        };
        let item = Item {
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Note => miette::Severity::Advice,
            },
            code: format!("input::{}", d.code.as_str()),
            message,
            help: d.help.clone(),
            labels,
            source,
        };
        self.render(out, &item);
    }

    /// Render a finding with its primary label, related locations in the same file as
    /// secondary labels, and the others (and the dependency path) in the help text.
    pub fn finding(&self, out: &mut String, f: &Finding, source: Option<&SourceFile>) {
        let p = &f.primary;
        let mut labels = vec![(
            span(p.span),
            format!("{}:{}:{}", p.path, p.start.line, p.start.column),
        )];
        let mut notes = Vec::new();
        for r in &f.related {
            if r.location.path == p.path && source.is_some() {
                labels.push((span(r.location.span), r.message.clone()));
            } else {
                notes.push(format!(
                    "{} ({}:{}:{})",
                    r.message, r.location.path, r.location.start.line, r.location.start.column
                ));
            }
        }
        let mut help = f.help.clone().unwrap_or_default();
        for n in notes {
            if !help.is_empty() {
                help.push('\n');
            }
            help.push_str(&n);
        }
        if !f.path.is_empty() {
            if !help.is_empty() {
                help.push('\n');
            }
            let chain: Vec<&str> = f.path.iter().map(|h| h.label.as_str()).collect();
            help.push_str("path: ");
            help.push_str(&chain.join(" → "));
        }
        let item = Item {
            severity: match f.level {
                Level::Error => miette::Severity::Error,
                Level::Warning => miette::Severity::Warning,
                Level::Note => miette::Severity::Advice,
            },
            code: format!(
                "{} ({} severity, {} confidence)",
                f.rule,
                f.severity.as_str(),
                f.confidence.as_str()
            ),
            message: if source.is_some() {
                f.message.clone()
            } else {
                format!(
                    "{}:{}:{}: {}",
                    p.path, p.start.line, p.start.column, f.message
                )
            },
            help: (!help.is_empty()).then_some(help),
            labels: if source.is_some() { labels } else { Vec::new() },
            source: source.map(|s| NamedSource::new(&p.path, s.shared_text())),
        };
        self.render(out, &item);
    }
}

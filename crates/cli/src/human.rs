//! Human output: source excerpts with labels (miette), then a summary line.
//!
//! Rendering is deterministic for a given width and colour choice, so tests can snapshot it.

use std::fmt::Write;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use tollgate_model::{Diagnostic, Finding, Level, Severity, SourceFile};

/// A file's text as miette reads it, one window of lines at a time.
///
/// miette finds the lines around a span by scanning what it is given from its first byte,
/// which over many findings in one large file (a generated workflow of 400 kB) made the
/// human output quadratic. This hands miette only the lines around the span (one more
/// on each side than it asks for) and moves what it returns back to file positions, so
/// the excerpt is the one miette would cut from the whole text.
pub struct Excerpt {
    name: String,
    text: Arc<str>,
    /// The offset where each line starts, counting line breaks as miette does (`\n`,
    /// `\r\n`, and a lone `\r`); `starts[0] == 0`.
    starts: Arc<[usize]>,
}

impl Excerpt {
    #[must_use]
    pub fn new(name: &str, text: Arc<str>, starts: Arc<[usize]>) -> Self {
        Self {
            name: name.to_owned(),
            text,
            starts,
        }
    }

    /// The line starts of `text` as [`Excerpt`] needs them.
    #[must_use]
    pub fn line_starts(text: &str) -> Arc<[usize]> {
        let b = text.as_bytes();
        let mut starts = vec![0];
        for i in memchr::memchr2_iter(b'\n', b'\r', b) {
            // The `\r` of a `\r\n` is not a break of its own.
            if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                continue;
            }
            starts.push(i + 1);
        }
        starts.into()
    }

    /// The index of the line holding `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let bytes = self.text.as_bytes();
        let (start, end) = (span.offset(), span.offset() + span.len());
        if end > bytes.len() {
            // Out of bounds: whatever miette says of the whole text.
            let whole = bytes.read_span(span, before, after)?;
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.clone(),
                whole.data(),
                *whole.span(),
                whole.line(),
                whole.column(),
                whole.line_count(),
            )));
        }
        let first = self.line_of(start).saturating_sub(before + 1);
        let last = self.line_of(end) + after + 2;
        let lo = self.starts[first];
        let hi = self.starts.get(last).copied().unwrap_or(bytes.len());
        let inner = bytes[lo..hi].read_span(
            &SourceSpan::new((start - lo).into(), span.len()),
            before,
            after,
        )?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + lo).into(), inner.span().len()),
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
        )))
    }
}

/// One item to render: an input diagnostic or a finding.
struct Item {
    severity: miette::Severity,
    code: String,
    message: String,
    help: Option<String>,
    labels: Vec<(SourceSpan, String)>,
    source: Option<Excerpt>,
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
    /// Line starts by file text (identical texts share one), worked out on first use.
    starts: std::sync::Mutex<std::collections::HashMap<usize, Arc<[usize]>>>,
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
            starts: std::sync::Mutex::default(),
        }
    }

    fn excerpt(&self, name: &str, file: &SourceFile) -> Excerpt {
        let text = file.shared_text();
        let key = text.as_ptr() as usize;
        let cached = self
            .starts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key)
            .cloned();
        let starts = cached.unwrap_or_else(|| {
            let starts = Excerpt::line_starts(&text);
            self.starts
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(key, Arc::clone(&starts));
            starts
        });
        Excerpt::new(name, text, starts)
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
                Some(self.excerpt(&d.path, f)),
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
            source: source.map(|s| self.excerpt(&p.path, s)),
        };
        self.render(out, &item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What miette cuts from the whole text, as comparable values.
    fn cut(
        c: &dyn SpanContents<'_>,
    ) -> (Vec<u8>, usize, usize, usize, usize, usize, Option<String>) {
        (
            c.data().to_vec(),
            c.span().offset(),
            c.span().len(),
            c.line(),
            c.column(),
            c.line_count(),
            c.name().map(str::to_owned),
        )
    }

    /// Every span of a text with `\n`, `\r\n` and lone `\r` breaks, blank lines and a
    /// last line without a break, with several context sizes: the window gives what
    /// miette gives on the whole text.
    #[test]
    fn windowed_excerpts_equal_whole_text_ones() {
        let text = "on: push\r\njobs:\n\n  a:\r    steps:\n      - run: echo é\r\n\r\n      - uses: x/y@v1\nlast";
        let whole = miette::NamedSource::new("f.yml", text.to_owned());
        let excerpt = Excerpt::new("f.yml", Arc::from(text), Excerpt::line_starts(text));
        let n = text.len();
        for start in 0..=n {
            for len in [0, 1, 2, 5, 17, n] {
                if !text.is_char_boundary(start) {
                    continue;
                }
                let span = SourceSpan::new(start.into(), len.min(n + 1 - start));
                for (before, after) in [(0, 0), (1, 1), (2, 3), (5, 5)] {
                    let a = whole.read_span(&span, before, after).map(|c| cut(&*c));
                    let b = excerpt.read_span(&span, before, after).map(|c| cut(&*c));
                    match (a, b) {
                        (Ok(a), Ok(b)) => assert_eq!(a, b, "span {start}+{len}, {before}/{after}"),
                        (Err(_), Err(_)) => {}
                        (a, b) => panic!("span {start}+{len}: {a:?} vs {b:?}"),
                    }
                }
            }
        }
    }
}

//! Human output: one item (a finding or a diagnostic) rendered as a source excerpt with
//! labels (miette). What items are shown, grouped and summed up is `listing`'s.
//!
//! Rendering is deterministic for a given width and colour choice, so tests can snapshot it.
//!
//! Everything from the inputs is escaped before miette sees it: file names, messages,
//! labels and help show control characters visibly (`\u{1b}`), and source excerpts are cut
//! from a copy of the file with its control characters (other than line breaks and tabs)
//! shown the same way, so no input can send a terminal an escape sequence or start a line
//! the Actions runner would read as a workflow command.

use std::fmt::Write;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use tollgate_model::{Diagnostic, Finding, Level, Severity, SourceFile};
use tollgate_report::escape::{is_unsafe, push_visible, visible};

/// Input text for one line of human output: every control character shown.
pub(crate) fn line(s: &str) -> String {
    visible(s).into_owned()
}

/// Help text: several lines by design (a YAML block to paste), so its line breaks stay,
/// but not those inside an inline code span (`` `…` ``), where rules quote input values:
/// a newline in a `uses:` value must not start a line of its own. Other control
/// characters are shown. Fenced blocks (```` ``` ````) keep their lines.
fn help_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let (mut in_code, mut in_fence) = (false, false);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '`' {
            let mut run = 1;
            while chars.next_if_eq(&'`').is_some() {
                run += 1;
            }
            if run >= 3 {
                in_fence = !in_fence;
            } else if !in_fence {
                in_code = !in_code;
            }
            out.extend(std::iter::repeat_n('`', run));
        } else if is_unsafe(c) && (c != '\n' || (in_code && !in_fence)) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// The Actions runner reads any line whose text, after leading whitespace, starts with
/// `::` as a workflow command. miette indents wrapped help lines with spaces only, so an
/// input value with ` ::error file=…::` in it could land at such a line start even without
/// a newline; its first colon is shown as `\u{3a}` there. Colour codes before the text are
/// skipped as the runner's log would show them.
pub(crate) fn guard_commands(text: &str) -> std::borrow::Cow<'_, str> {
    fn command_at(line: &str) -> Option<usize> {
        let b = line.as_bytes();
        let mut i = 0;
        loop {
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            // An SGR sequence (`ESC [ … m`) of miette's own colouring.
            if b.get(i) == Some(&0x1b) && b.get(i + 1) == Some(&b'[') {
                let end = b[i + 2..].iter().position(|&x| x == b'm')?;
                i += end + 3;
                continue;
            }
            return b[i..].starts_with(b"::").then_some(i);
        }
    }
    if !text.contains("::") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        match command_at(line) {
            Some(at) => {
                out.push_str(&line[..at]);
                out.push_str("\\u{3a}");
                out.push_str(&line[at + 1..]);
            }
            None => out.push_str(line),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A file's text as the excerpts show it, with its line starts and where it was escaped.
struct Shown {
    text: Arc<str>,
    starts: Arc<[usize]>,
    /// For each escaped character: its offset in the file and the bytes added up to and
    /// including it, ascending; empty when the text had nothing to escape.
    shifts: Vec<(usize, usize)>,
}

impl Shown {
    /// Line breaks and tabs are the file's layout (miette lays them out); every other
    /// control character is shown, the way [`visible`] shows it.
    fn new(text: Arc<str>) -> Self {
        let shown_here = |c: char| is_unsafe(c) && !matches!(c, '\n' | '\r' | '\t');
        // A lone CR ends a line (as the positions count it), but the excerpt renderer
        // breaks lines at LF only and would send the CR to the terminal, where it hides
        // what came before: it becomes an LF, the same length, so no span moves.
        let text: Arc<str> = if memchr::memchr(b'\r', text.as_bytes()).is_some() {
            let b = text.as_bytes();
            let mut out = String::with_capacity(text.len());
            for (at, c) in text.char_indices() {
                if c == '\r' && b.get(at + 1) != Some(&b'\n') {
                    out.push('\n');
                } else {
                    out.push(c);
                }
            }
            Arc::from(out)
        } else {
            text
        };
        let mut shifts = Vec::new();
        let text = if text.contains(shown_here) {
            let mut out = String::with_capacity(text.len() + 64);
            for (at, c) in text.char_indices() {
                if shown_here(c) {
                    let before = out.len();
                    push_visible(&mut out, c);
                    let added = out.len() - before - c.len_utf8();
                    let total = shifts.last().map_or(0, |&(_, t)| t) + added;
                    shifts.push((at, total));
                } else {
                    out.push(c);
                }
            }
            Arc::from(out)
        } else {
            text
        };
        let starts = Excerpt::line_starts(&text);
        Self {
            text,
            starts,
            shifts,
        }
    }

    /// A file offset as an offset into the shown text.
    fn offset(&self, at: usize) -> usize {
        let i = self.shifts.partition_point(|&(o, _)| o < at);
        at + i.checked_sub(1).map_or(0, |i| self.shifts[i].1)
    }

    fn span(&self, s: tollgate_model::Span) -> SourceSpan {
        let (start, end) = (self.offset(s.start()), self.offset(s.start() + s.len()));
        SourceSpan::new(start.into(), end - start)
    }
}

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

    /// The length in bytes of the line holding `offset`.
    fn line_width(&self, offset: usize) -> usize {
        let i = self.line_of(offset);
        let start = self.starts.get(i).copied().unwrap_or(0);
        let end = self.starts.get(i + 1).copied().unwrap_or(self.text.len());
        end.saturating_sub(start)
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

/// The longest line (in bytes) an excerpt shows; an item on a longer line is shown
/// without its excerpt.
const MAX_EXCERPT_LINE: usize = 4096;

/// One item to render: an input diagnostic or a finding.
struct Item {
    severity: miette::Severity,
    code: String,
    message: String,
    help: Option<String>,
    /// The primary label has no text: the excerpt's header names the file and position.
    labels: Vec<(SourceSpan, Option<String>)>,
    /// `path:line:column` of the primary location, leading the message when the item is
    /// shown without its excerpt.
    at: Option<String>,
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
            LabeledSpan::new_with_span(text.clone(), *span)
        })))
    }
}

pub struct Human {
    handler: GraphicalReportHandler,
    /// Shown texts by file text (identical texts share one), worked out on first use.
    shown: std::sync::Mutex<std::collections::HashMap<usize, Arc<Shown>>>,
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
            shown: std::sync::Mutex::default(),
        }
    }

    fn shown(&self, file: &SourceFile) -> Arc<Shown> {
        let text = file.shared_text();
        let key = text.as_ptr() as usize;
        let cached = self
            .shown
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key)
            .cloned();
        cached.unwrap_or_else(|| {
            let shown = Arc::new(Shown::new(text));
            self.shown
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(key, Arc::clone(&shown));
            shown
        })
    }

    fn excerpt(name: &str, shown: &Shown) -> Excerpt {
        Excerpt::new(
            &line(name),
            Arc::clone(&shown.text),
            Arc::clone(&shown.starts),
        )
    }

    fn render(&self, out: &mut String, item: &Item) {
        // The excerpt renderer pads to a line's width with a formatting width, which
        // panics past 65,535 columns (a generated or hostile line of 100 kB), and an
        // excerpt of such a line helps nobody: the item is shown without its source,
        // its first label (`path:line:column`) leading the message.
        let wide = item.source.as_ref().is_some_and(|src| {
            item.labels
                .iter()
                .any(|(span, _)| src.line_width(span.offset()) > MAX_EXCERPT_LINE)
        });
        if wide {
            let message = match &item.at {
                Some(at) => format!("{at}: {}", item.message),
                None => item.message.clone(),
            };
            let bare = Item {
                severity: item.severity,
                code: item.code.clone(),
                message,
                help: item.help.clone(),
                labels: Vec::new(),
                at: None,
                source: None,
            };
            return self.render(out, &bare);
        }
        let mut s = String::new();
        if self.handler.render_report(&mut s, item).is_err() {
            let _ = writeln!(s, "{}", item.message);
        }
        out.push_str(&guard_commands(&s));
        out.push('\n');
    }

    /// Render a diagnostic about an input; `source` is the file when it could be read.
    pub fn diagnostic(&self, out: &mut String, d: &Diagnostic, source: Option<&SourceFile>) {
        let (labels, source) = match (&d.location, source) {
            (Some(loc), Some(f)) => {
                let shown = self.shown(f);
                (
                    vec![(shown.span(loc.span), None)],
                    Some(Self::excerpt(&d.path, &shown)),
                )
            }
            _ => (Vec::new(), None),
        };
        let at = d
            .location
            .as_ref()
            .map(|loc| format!("{}:{}:{}", line(&d.path), loc.start.line, loc.start.column));
        let message = match (&d.location, &source) {
            (Some(loc), None) => format!(
                "{}:{}:{}: {}",
                line(&d.path),
                loc.start.line,
                loc.start.column,
                line(&d.message)
            ),
            (None, _) => format!("{}: {}", line(&d.path), line(&d.message)),
            _ => line(&d.message),
        };
        let item = Item {
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Note => miette::Severity::Advice,
            },
            code: format!("input::{}", d.code.as_str()),
            message,
            help: d.help.as_deref().map(help_text),
            labels,
            at,
            source,
        };
        self.render(out, &item);
    }

    /// Render a finding with its primary label, related locations in the same file as
    /// secondary labels, and the others (and the dependency path) in the help text.
    pub fn finding(&self, out: &mut String, f: &Finding, source: Option<&SourceFile>) {
        let p = &f.primary;
        let shown = source.map(|s| self.shown(s));
        let mut labels = Vec::new();
        let mut notes = Vec::new();
        if let Some(shown) = &shown {
            labels.push((shown.span(p.span), None));
        }
        for r in &f.related {
            match &shown {
                Some(shown) if r.location.path == p.path => {
                    labels.push((shown.span(r.location.span), Some(line(&r.message))));
                }
                _ => notes.push(format!(
                    "{} ({}:{}:{})",
                    line(&r.message),
                    line(&r.location.path),
                    r.location.start.line,
                    r.location.start.column
                )),
            }
        }
        // The primary label has no text when it is the only one (the header names the
        // place); beside other labels it is named, as an unnamed one is drawn with a
        // dangling connector among named ones.
        if labels.len() > 1 {
            labels[0].1 = Some("here".to_owned());
        }
        // The notes and the path below are input text, one line each.
        let mut help = f.help.as_deref().map(help_text).unwrap_or_default();
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
            let chain: Vec<String> = f.path.iter().map(|h| line(&h.label)).collect();
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
            message: if shown.is_some() {
                line(&f.message)
            } else {
                format!(
                    "{}:{}:{}: {}",
                    line(&p.path),
                    p.start.line,
                    p.start.column,
                    line(&f.message)
                )
            },
            help: (!help.is_empty()).then_some(help),
            labels,
            at: Some(format!(
                "{}:{}:{}",
                line(&p.path),
                p.start.line,
                p.start.column
            )),
            source: shown.map(|s| Self::excerpt(&p.path, &s)),
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

    #[test]
    fn help_keeps_its_lines_but_not_those_of_quoted_values() {
        assert_eq!(
            help_text("block for job `a\n::error x`:\npermissions:\n  contents: read"),
            "block for job `a\\n::error x`:\npermissions:\n  contents: read"
        );
        assert_eq!(
            help_text("pin it\n\n```yaml\nuses: x@sha\n```\n`a\u{1b}b`"),
            "pin it\n\n```yaml\nuses: x@sha\n```\n`a\\u{1b}b`"
        );
    }

    #[test]
    fn no_line_starts_a_workflow_command() {
        let text = "  help: pin `x\n        ::error file=a::forged`\n\u{1b}[2m  ::warning::x\nok :: fine\n";
        assert_eq!(
            guard_commands(text),
            "  help: pin `x\n        \\u{3a}:error file=a::forged`\n\u{1b}[2m  \\u{3a}:warning::x\nok :: fine\n"
        );
        assert_eq!(guard_commands("a::b\n"), "a::b\n");
    }

    /// The shown text keeps line breaks and tabs, shows other control characters, and
    /// moves spans with the text they cover.
    #[test]
    fn shown_text_escapes_and_maps_spans() {
        let text = "a\u{1b}b\tc\nd\u{7}e";
        let shown = Shown::new(Arc::from(text));
        assert_eq!(&*shown.text, "a\\u{1b}b\tc\nd\\u{7}e");
        // `b` (offset 2) moves past the 6 bytes that replace ESC's one.
        let b = shown.span(tollgate_model::Span::new(2, 3));
        assert_eq!((b.offset(), b.len()), (7, 1));
        // A span over ESC covers its visible form.
        let esc = shown.span(tollgate_model::Span::new(1, 2));
        assert_eq!(
            &shown.text[esc.offset()..esc.offset() + esc.len()],
            "\\u{1b}"
        );
        let e = shown.span(tollgate_model::Span::new(8, 9));
        assert_eq!(&shown.text[e.offset()..e.offset() + e.len()], "e");
        assert_eq!(&*shown.starts, &[0, 11]);
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

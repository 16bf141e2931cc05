//! Source files, byte spans and their conversion to 1-based line/column positions.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A half-open byte range `[start, end)` into one source file's text.
///
/// The offsets are kept in four bytes each (read through [`Span::start`] and
/// [`Span::end`]): a check keeps hundreds of thousands of spans (every value of every
/// workflow model, every word of every script, every location), and inputs are read up
/// to a few megabytes; an offset past 4 GiB saturates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Span {
    start: u32,
    end: u32,
}

/// `n` in four bytes, `u32::MAX` when it does not fit.
const fn four(n: usize) -> u32 {
    if n > u32::MAX as usize {
        u32::MAX
    } else {
        n as u32
    }
}

impl Span {
    #[must_use]
    pub const fn new(start: usize, end: usize) -> Self {
        Self {
            start: four(start),
            end: four(end),
        }
    }

    /// An empty span at `at`, for positions that have no width (end of file, a missing key).
    #[must_use]
    pub const fn empty(at: usize) -> Self {
        Self::new(at, at)
    }

    /// The byte offset where the span starts.
    #[must_use]
    pub const fn start(self) -> usize {
        self.start as usize
    }

    /// The byte offset just past the span's end.
    #[must_use]
    pub const fn end(self) -> usize {
        self.end as usize
    }

    /// The span as a range of byte offsets, to slice a text with.
    #[must_use]
    pub const fn range(self) -> std::ops::Range<usize> {
        self.start()..self.end()
    }

    #[must_use]
    pub const fn len(self) -> usize {
        self.end() - self.start()
    }

    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The span shifted by `delta` bytes, used to map a span inside an embedded text (a
    /// `run:` script) back onto the file that contains it.
    #[must_use]
    pub const fn offset(self, delta: usize) -> Self {
        Self::new(self.start() + delta, self.end() + delta)
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn cover(self, other: Self) -> Self {
        Self {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The span with its start moved to `start`.
    #[must_use]
    pub const fn with_start(self, start: usize) -> Self {
        Self::new(start, self.end())
    }

    /// The span with its end moved to `end`.
    #[must_use]
    pub const fn with_end(self, end: usize) -> Self {
        Self::new(self.start(), end)
    }
}

/// A 1-based line and a 1-based column counted in Unicode scalar values.
///
/// Four bytes each: every [`Location`] holds two, and a run keeps tens of thousands of
/// locations (each host of each job's egress, each finding's path). Inputs are read up to
/// a few megabytes, far below a line or column past 4 G, which would saturate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// A span resolved against its file: what findings and diagnostics carry to the outputs.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Location {
    /// Path relative to the scan root, with `/` separators. Shared with the file's
    /// [`SourceFile`], so that the many locations into one file hold one copy.
    pub path: Arc<str>,
    pub span: Span,
    pub start: LineCol,
    pub end: LineCol,
}

/// One input file held in memory with its line index.
///
/// The text and its line index are shared (`Arc`) so that models, rules and renderers can
/// refer to them without copying, and so that files with identical content (the same
/// workflow or lockfile in many repositories) hold them once; files are read once.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as displayed and reported: relative to the scan root, `/`-separated.
    pub display: String,
    /// Path on disk, for error messages about I/O.
    pub disk: PathBuf,
    /// `display` again, shared by every [`Location`] into this file.
    shared_display: Arc<str>,
    lines: Arc<Lines>,
}

/// A text with the index of its lines.
#[derive(Debug)]
struct Lines {
    text: Arc<str>,
    /// Byte offset of the start of every line; `line_starts[0] == 0`. Four bytes each
    /// (inputs are read up to a few megabytes; an offset past 4 GiB would saturate).
    line_starts: Vec<u32>,
    /// True when every byte is ASCII, so that columns equal byte distances.
    ascii: bool,
}

impl Lines {
    fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let idx = match self.line_starts.binary_search(&saturate(offset)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[idx] as usize;
        let column = if self.ascii {
            offset - start
        } else {
            let mut end = offset;
            while !self.text.is_char_boundary(end) {
                end -= 1;
            }
            self.text[start..end].chars().count()
        };
        LineCol {
            line: saturate(idx + 1),
            column: saturate(column + 1),
        }
    }
}

/// The line index of a [`SourceFile`], shared with it (see [`SourceFile::line_index`]).
#[derive(Clone, Debug)]
pub struct LineIndex(Arc<Lines>);

impl LineIndex {
    /// 1-based line and column of byte `offset`, as [`SourceFile::line_col`] gives it.
    #[must_use]
    pub fn line_col(&self, offset: usize) -> LineCol {
        self.0.line_col(offset)
    }
}

/// Byte offsets where lines start. A line ends at `\n`, at `\r\n` and at a lone `\r`, each
/// one break: YAML 1.2 (section 5.4) and the YAML parser we use count all three, and so do
/// editors, so a position read from the parser (line and column) and one shown to a user
/// name the same character. Readers whose tool splits differently (pip also splits at a
/// form feed, Go and Bundler not at a lone `\r`) still report in this numbering; see
/// `tollgate-lockfile`'s `lines` module.
fn line_starts(bytes: &[u8]) -> Vec<u32> {
    let mut starts = Vec::with_capacity(bytes.len() / 32 + 1);
    starts.push(0);
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        // The `\r` of a `\r\n` is not a break of its own: the `\n` ends the line.
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            continue;
        }
        starts.push(saturate(i + 1));
    }
    starts.shrink_to_fit();
    starts
}

/// A byte offset as a line index holds it.
fn saturate(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

impl SourceFile {
    #[must_use]
    pub fn new(
        display: impl Into<String>,
        disk: impl AsRef<Path>,
        text: impl Into<Arc<str>>,
    ) -> Self {
        let text: Arc<str> = text.into();
        let line_starts = line_starts(text.as_bytes());
        let ascii = text.is_ascii();
        let display: String = display.into();
        Self {
            shared_display: display.as_str().into(),
            display,
            disk: disk.as_ref().to_path_buf(),
            lines: Arc::new(Lines {
                text,
                line_starts,
                ascii,
            }),
        }
    }

    /// True when both hold the same text and line index (not merely equal ones).
    #[must_use]
    pub fn shares_text(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.lines, &other.lines)
    }

    #[must_use]
    pub fn text(&self) -> &str {
        &self.lines.text
    }

    #[must_use]
    pub fn shared_text(&self) -> Arc<str> {
        Arc::clone(&self.lines.text)
    }

    #[must_use]
    pub fn line_count(&self) -> usize {
        self.lines.line_starts.len()
    }

    /// Byte offset where 1-based `line` starts, clamped to the end of the text.
    #[must_use]
    pub fn line_start(&self, line: usize) -> usize {
        self.lines
            .line_starts
            .get(line.saturating_sub(1))
            .map_or(self.lines.text.len(), |&o| o as usize)
    }

    /// The text of 1-based `line` without its line terminator (`\n`, `\r\n` or `\r`).
    #[must_use]
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_start(line);
        let end = self
            .lines
            .line_starts
            .get(line)
            .map_or(self.lines.text.len(), |&o| o as usize);
        let s = &self.lines.text[start..end];
        let s = s.strip_suffix('\n').unwrap_or(s);
        s.strip_suffix('\r').unwrap_or(s)
    }

    /// 1-based line and column (in Unicode scalar values) of byte `offset`.
    ///
    /// Offsets inside a multi-byte character resolve to that character.
    #[must_use]
    pub fn line_col(&self, offset: usize) -> LineCol {
        self.lines.line_col(offset)
    }

    /// The file's line index, shared: for turning offsets into lines and columns where
    /// the file itself is out of reach (the graph keeps one per input instead of the
    /// line and column of every node and edge).
    #[must_use]
    pub fn line_index(&self) -> LineIndex {
        LineIndex(Arc::clone(&self.lines))
    }

    /// Byte offset of a 1-based line and a 0-based character column, the form YAML parsers
    /// report positions in. Columns past the end of the line clamp to the line end.
    #[must_use]
    pub fn offset_of(&self, line: usize, char_col: usize) -> usize {
        let start = self.line_start(line);
        if self.lines.ascii {
            let end = self
                .lines
                .line_starts
                .get(line)
                .map_or(self.lines.text.len(), |&o| o as usize);
            return (start + char_col).min(end.max(start));
        }
        let rest = &self.lines.text[start..];
        rest.char_indices()
            .nth(char_col)
            .map_or(self.lines.text.len(), |(i, _)| start + i)
    }

    /// The display path as a shared string: what every [`Location`] into this file holds.
    #[must_use]
    pub fn shared_path(&self) -> &Arc<str> {
        &self.shared_display
    }

    /// Resolve a span to a [`Location`].
    #[must_use]
    pub fn location(&self, span: Span) -> Location {
        Location {
            path: Arc::clone(&self.shared_display),
            span,
            start: self.line_col(span.start()),
            end: self.line_col(span.end()),
        }
    }

    /// The text covered by `span`, or `""` when the span does not fall on char boundaries.
    #[must_use]
    pub fn slice(&self, span: Span) -> &str {
        self.lines.text.get(span.range()).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Offsets are kept in four bytes: read back as they were given, and past 4 GiB
    /// saturated rather than wrapped (a wrapped end could come before its start).
    #[test]
    fn span_offsets_read_back_and_saturate() {
        let s = Span::new(3, 10);
        assert_eq!((s.start(), s.end(), s.len(), s.range()), (3, 10, 7, 3..10));
        assert_eq!(s.with_start(5), Span::new(5, 10));
        assert_eq!(s.with_end(4), Span::new(3, 4));
        assert_eq!(s.offset(100), Span::new(103, 110));
        assert_eq!(s.cover(Span::new(8, 20)), Span::new(3, 20));
        let far = u32::MAX as usize;
        let big = Span::new(far - 1, far + 5);
        assert_eq!((big.start(), big.end()), (far - 1, far));
        assert_eq!(Span::new(usize::MAX, usize::MAX).start(), far);
    }

    #[test]
    fn line_col_ascii_and_crlf() {
        let f = SourceFile::new("a", "a", "ab\r\ncd\nef");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(4), LineCol { line: 2, column: 1 });
        assert_eq!(f.line_col(5), LineCol { line: 2, column: 2 });
        assert_eq!(f.line_col(7), LineCol { line: 3, column: 1 });
        assert_eq!(f.line_text(1), "ab");
        assert_eq!(f.line_text(3), "ef");
        assert_eq!(f.line_col(100), LineCol { line: 3, column: 3 });
    }

    #[test]
    fn a_lone_cr_ends_a_line_like_lf_and_crlf() {
        // Lines: "ab" (CR), "" (CRLF), "cd" (LF), "é" (CR), "f".
        let f = SourceFile::new("a", "a", "ab\r\r\ncd\né\rf");
        assert_eq!(f.line_count(), 5);
        assert_eq!(f.line_col(1), LineCol { line: 1, column: 2 });
        // The CR itself is the end of line 1 (column 3), as LF is for line 3.
        assert_eq!(f.line_col(2), LineCol { line: 1, column: 3 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // The `\n` of the CRLF is still line 2.
        assert_eq!(f.line_col(4), LineCol { line: 2, column: 2 });
        assert_eq!(f.line_col(5), LineCol { line: 3, column: 1 });
        assert_eq!(f.line_col(8), LineCol { line: 4, column: 1 });
        assert_eq!(f.line_col(11), LineCol { line: 5, column: 1 });
        let texts: Vec<&str> = (1..=5).map(|l| f.line_text(l)).collect();
        assert_eq!(texts, ["ab", "", "cd", "é", "f"]);
        assert_eq!(f.line_start(4), 8);
        assert_eq!(f.offset_of(5, 0), 11);
        assert_eq!(f.offset_of(3, 1), 6);
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let f = SourceFile::new("a", "a", "é: x\n  ü: 😀y");
        // `x` is the 4th character of line 1 but the 5th byte.
        assert_eq!(f.line_col(4), LineCol { line: 1, column: 4 });
        let y = f.text().find('y').unwrap_or_default();
        assert_eq!(f.line_col(y), LineCol { line: 2, column: 7 });
        assert_eq!(f.offset_of(2, 6), y);
        assert_eq!(f.offset_of(1, 3), 4);
    }

    #[test]
    fn offset_of_clamps() {
        let f = SourceFile::new("a", "a", "abc\ndef");
        assert_eq!(f.offset_of(1, 99), 4);
        assert_eq!(f.offset_of(2, 99), 7);
        assert_eq!(f.offset_of(9, 0), 7);
    }
}

//! Mapping positions inside a scalar's value back to positions in the file.
//!
//! A `run:` script is analysed as the scalar's *value* (indentation stripped, escapes
//! resolved), but findings must point into the YAML file. For literal block scalars (`|`,
//! `|-`, `|+`, with or without an indentation indicator) every value line is one source line
//! minus the block's indentation, so the mapping is exact. Single-line plain and quoted
//! scalars without escapes are exact too. For folded scalars and scalars with escapes the
//! correspondence is lost, and every position maps to the start of the value.

use tollgate_model::{SourceFile, Span};

use crate::node::{Node, NodeKind, Style};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScalarMap {
    /// `(value offset, file offset)` for the start of each mapped segment, ascending.
    segments: Vec<(usize, usize)>,
    /// End of the file-side text of each segment (so offsets do not run past a line).
    ends: Vec<usize>,
    exact: bool,
}

impl ScalarMap {
    /// The map for a scalar node of `file`; `None` for non-scalars.
    #[must_use]
    pub fn new(file: &SourceFile, node: &Node) -> Option<Self> {
        let NodeKind::Scalar(s) = &node.kind else {
            return None;
        };
        let start = node.span.start;
        let fallback = Self::at(start);
        match s.style {
            Style::Literal => Some(Self::literal(file, start, &s.value).unwrap_or(fallback)),
            Style::Plain | Style::SingleQuoted | Style::DoubleQuoted => {
                let inner = if s.style == Style::Plain {
                    node.span
                } else {
                    Span::new(start + 1, node.span.end.saturating_sub(1).max(start + 1))
                };
                if file.slice(inner) == s.value {
                    Some(Self {
                        segments: vec![(0, inner.start)],
                        ends: vec![inner.end],
                        exact: true,
                    })
                } else {
                    Some(fallback)
                }
            }
            Style::Folded => Some(fallback),
        }
    }

    fn literal(file: &SourceFile, start: usize, value: &str) -> Option<Self> {
        // The parser places the value's start on its first non-blank line, at the block's
        // indentation; blank lines before it are the leading newlines of the value.
        let first = file.line_col(start);
        let indent = first.column - 1;
        let leading = value.bytes().take_while(|&b| b == b'\n').count();
        let first_line = first.line.checked_sub(leading)?;
        let mut segments = Vec::new();
        let mut ends = Vec::new();
        let mut value_off = 0;
        for (i, line) in value.split('\n').enumerate() {
            let src_line = first_line + i;
            if src_line > file.line_count() {
                break;
            }
            let text = file.line_text(src_line);
            let line_start = file.line_start(src_line);
            // Blank lines may be shorter than the indentation.
            let skip = text
                .char_indices()
                .nth(indent)
                .map_or(text.len(), |(b, _)| b);
            segments.push((value_off, line_start + skip));
            ends.push(line_start + text.len());
            value_off += line.len() + 1;
        }
        (!segments.is_empty()).then_some(Self {
            segments,
            ends,
            exact: true,
        })
    }

    /// A map that sends every position to `at` (for values whose layout is unknown).
    #[must_use]
    pub fn at(at: usize) -> Self {
        Self {
            segments: vec![(0, at)],
            ends: vec![at],
            exact: false,
        }
    }

    /// Whether positions inside the value map exactly onto the file.
    #[must_use]
    pub const fn is_exact(&self) -> bool {
        self.exact
    }

    /// The file offset of `value_offset`.
    #[must_use]
    pub fn to_file(&self, value_offset: usize) -> usize {
        if !self.exact {
            return self.segments[0].1;
        }
        let i = match self.segments.binary_search_by_key(&value_offset, |s| s.0) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let (v, f) = self.segments[i];
        (f + (value_offset - v)).min(self.ends[i].max(f))
    }

    /// A value span mapped onto the file. A span crossing lines keeps both ends exact.
    #[must_use]
    pub fn span_to_file(&self, span: Span) -> Span {
        let start = self.to_file(span.start);
        let end = self.to_file(span.end).max(start);
        Span::new(start, end)
    }
}

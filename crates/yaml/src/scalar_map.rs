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
    /// The mapped segments, ascending; never empty.
    segments: Vec<Segment>,
    exact: bool,
}

/// Where a run of the value starts in the value and in the file, and where its file-side
/// text ends (so offsets do not run past a line). Offsets in four bytes: a run keeps
/// thousands of maps, and inputs are read up to a few megabytes (an offset past 4 GiB
/// would saturate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    value: u32,
    file: u32,
    end: u32,
}

impl Segment {
    fn new(value: usize, file: usize, end: usize) -> Self {
        let four = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Self {
            value: four(value),
            file: four(file),
            end: four(end),
        }
    }
}

impl ScalarMap {
    /// The map for a scalar node of `file`; `None` for non-scalars.
    #[must_use]
    pub fn new(file: &SourceFile, node: &Node) -> Option<Self> {
        let NodeKind::Scalar(s) = &node.kind else {
            return None;
        };
        let start = node.span.start();
        let fallback = Self::at(start);
        match s.style {
            Style::Literal => Some(Self::literal(file, start, &s.value).unwrap_or(fallback)),
            Style::Plain | Style::SingleQuoted | Style::DoubleQuoted => {
                let inner = if s.style == Style::Plain {
                    node.span
                } else {
                    Span::new(start + 1, node.span.end().saturating_sub(1).max(start + 1))
                };
                if file.slice(inner) == s.value {
                    Some(Self {
                        segments: vec![Segment::new(0, inner.start(), inner.end())],
                        exact: true,
                    })
                } else {
                    // Escapes (`''`, `\"`) or folded lines: align the value with the text.
                    Some(Self::aligned(file, inner, &s.value, s.style, None).unwrap_or(fallback))
                }
            }
            Style::Folded => {
                let indent = file.line_col(start).column as usize - 1;
                Some(
                    Self::aligned(file, node.span, &s.value, s.style, Some(indent))
                        .unwrap_or(fallback),
                )
            }
        }
    }

    /// The map of a value whose text in the file differs from it: quoted scalars with
    /// escapes (`''` in single quotes, `\"`, `\n`, `\x41` in double quotes) and folded
    /// lines (a line break read as a space, blank lines as line breaks, the next line's
    /// indentation dropped: all of it for a quoted or plain scalar, `block_indent` columns
    /// for a folded block). Each character of the value is found where the file writes it;
    /// `None` when the two cannot be aligned, and the caller falls back to one position.
    fn aligned(
        file: &SourceFile,
        raw: Span,
        value: &str,
        style: Style,
        block_indent: Option<usize>,
    ) -> Option<Self> {
        let text = file.text().get(raw.range())?;
        let bytes = text.as_bytes();
        let mut pairs: Vec<(usize, usize, usize)> = Vec::with_capacity(value.len());
        let mut r = 0;
        // Past a line break: the next line's indentation.
        let skip_indent = |mut r: usize| {
            let mut n = 0;
            while r < bytes.len()
                && (bytes[r] == b' ' || (block_indent.is_none() && bytes[r] == b'\t'))
                && block_indent.is_none_or(|i| n < i)
            {
                r += 1;
                n += 1;
            }
            r
        };
        let line_break = |r: usize| -> Option<usize> {
            match bytes.get(r) {
                Some(b'\n') => Some(r + 1),
                Some(b'\r') if bytes.get(r + 1) == Some(&b'\n') => Some(r + 2),
                _ => None,
            }
        };
        for (vi, c) in value.char_indices() {
            loop {
                if r >= bytes.len() {
                    return None;
                }
                if let Some(next) = line_break(r) {
                    let folds = c == ' ' || c == '\n';
                    let at = r;
                    r = skip_indent(next);
                    if folds {
                        pairs.push((vi, at, 1));
                        break;
                    }
                    continue;
                }
                if style == Style::DoubleQuoted && bytes[r] == b'\\' {
                    // An escaped line break joins the lines with nothing.
                    if let Some(next) = line_break(r + 1) {
                        r = skip_indent(next);
                        continue;
                    }
                    let len = match bytes.get(r + 1) {
                        Some(b'x') => 4,
                        Some(b'u') => 6,
                        Some(b'U') => 10,
                        Some(_) => 2,
                        None => return None,
                    };
                    pairs.push((vi, r, len));
                    r += len;
                    break;
                }
                // Past a multi-byte escape the position may not be a character boundary.
                let rest = text.get(r..)?;
                if style == Style::SingleQuoted && c == '\'' && rest.starts_with("''") {
                    pairs.push((vi, r, 2));
                    r += 2;
                    break;
                }
                if rest.starts_with(c) {
                    pairs.push((vi, r, c.len_utf8()));
                    r += c.len_utf8();
                    break;
                }
                // Blanks before a folded line break are dropped from the value.
                if (bytes[r] == b' ' || bytes[r] == b'\t')
                    && rest.find('\n').is_some_and(|n| rest[..n].trim().is_empty())
                {
                    r += 1;
                    continue;
                }
                return None;
            }
        }
        // Runs where the value and the file advance together are one segment.
        let mut segments: Vec<Segment> = Vec::new();
        for (vi, fi, len) in pairs {
            let f = raw.start() + fi;
            match segments.last_mut() {
                Some(last)
                    if f - last.file as usize == vi - last.value as usize
                        && last.end as usize == f =>
                {
                    *last = Segment::new(last.value as usize, last.file as usize, f + len);
                }
                _ => segments.push(Segment::new(vi, f, f + len)),
            }
        }
        if segments.is_empty() {
            return None;
        }
        segments.shrink_to_fit();
        Some(Self {
            segments,
            exact: true,
        })
    }

    fn literal(file: &SourceFile, start: usize, value: &str) -> Option<Self> {
        // The parser places the value's start on its first non-blank line, at the block's
        // indentation; blank lines before it are the leading newlines of the value.
        let first = file.line_col(start);
        let indent = first.column as usize - 1;
        let leading = value.bytes().take_while(|&b| b == b'\n').count();
        let first_line = (first.line as usize).checked_sub(leading)?;
        let mut segments = Vec::new();
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
            segments.push(Segment::new(
                value_off,
                line_start + skip,
                line_start + text.len(),
            ));
            value_off += line.len() + 1;
        }
        segments.shrink_to_fit();
        (!segments.is_empty()).then_some(Self {
            segments,
            exact: true,
        })
    }

    /// A map for a value assembled from pieces of a file: `(value offset, file offset, file
    /// end)` per piece, ascending (a Makefile recipe, one piece per recipe line). A
    /// position inside a piece maps onto its file text, never past its end. `None` when
    /// there is no piece.
    #[must_use]
    pub fn pieces(pieces: &[(usize, usize, usize)]) -> Option<Self> {
        (!pieces.is_empty()).then(|| Self {
            segments: pieces
                .iter()
                .map(|&(v, f, e)| Segment::new(v, f, e.max(f)))
                .collect(),
            exact: true,
        })
    }

    /// The map of this value followed by `gap` bytes that are in no file, then the value
    /// `next` maps (two inputs an action runs as one script, joined by a line break):
    /// `len` is this value's length. A position in the gap maps to the end of this
    /// value's last piece; a map that sends everything to one place keeps doing so for
    /// its part.
    #[must_use]
    pub fn then(mut self, len: usize, gap: usize, next: &Self) -> Self {
        if !self.exact {
            let at = self.segments[0].file as usize;
            self.segments = vec![Segment::new(0, at, at)];
        }
        let shift = len + gap;
        if next.exact {
            for n in &next.segments {
                self.segments.push(Segment::new(
                    n.value as usize + shift,
                    n.file as usize,
                    n.end as usize,
                ));
            }
        } else {
            let at = next.segments[0].file as usize;
            self.segments.push(Segment::new(shift, at, at));
        }
        self.exact = true;
        self
    }

    /// A map that sends every position to `at` (for values whose layout is unknown).
    #[must_use]
    pub fn at(at: usize) -> Self {
        Self {
            segments: vec![Segment::new(0, at, at)],
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
            return self.segments[0].file as usize;
        }
        let i = match self
            .segments
            .binary_search_by_key(&value_offset, |s| s.value as usize)
        {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let Segment { value, file, end } = self.segments[i];
        let (v, f) = (value as usize, file as usize);
        (f + value_offset.saturating_sub(v)).min((end as usize).max(f))
    }

    /// A value span mapped onto the file. A span crossing lines keeps both ends exact.
    #[must_use]
    pub fn span_to_file(&self, span: Span) -> Span {
        let start = self.to_file(span.start());
        let end = self.to_file(span.end()).max(start);
        Span::new(start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::ScalarMap;

    #[test]
    fn then_maps_each_part_onto_its_own_text() {
        // "ab" at file offset 10, then a one-byte gap, then "xyz" at file offset 50.
        let a = ScalarMap::pieces(&[(0, 10, 12)]).expect("piece");
        let b = ScalarMap::pieces(&[(0, 50, 53)]).expect("piece");
        let m = a.then(2, 1, &b);
        assert!(m.is_exact());
        assert_eq!(m.to_file(1), 11);
        // The gap stays at the end of the first part.
        assert_eq!(m.to_file(2), 12);
        assert_eq!(m.to_file(3), 50);
        assert_eq!(m.to_file(5), 52);
    }

    #[test]
    fn then_keeps_an_unknown_layout_at_its_place() {
        let a = ScalarMap::at(7);
        let b = ScalarMap::at(40);
        let m = a.then(4, 1, &b);
        assert_eq!(m.to_file(0), 7);
        assert_eq!(m.to_file(3), 7);
        assert_eq!(m.to_file(5), 40);
        assert_eq!(m.to_file(9), 40);
    }
}

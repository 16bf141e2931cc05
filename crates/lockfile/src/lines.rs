//! Line iteration with byte offsets, shared by the line-format parsers.

/// One physical line as the file's consuming tool splits it: its byte offset in the file
/// and its text without the line break.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line<'a> {
    pub start: usize,
    pub text: &'a str,
}

impl Line<'_> {
    /// Byte offset just past the line's text (before its terminator).
    pub(crate) fn end(&self) -> usize {
        self.start + self.text.len()
    }

    /// Number of leading spaces.
    pub(crate) fn indent(&self) -> usize {
        self.text.len() - self.text.trim_start_matches(' ').len()
    }
}

// Each reader splits its file exactly where the tool that consumes the file does: a reader
// that sees fewer lines than the tool can miss a directive the tool obeys (pip follows an
// `--index-url` after a lone CR). There is one helper per rule; each reader names its rule
// and its tool in a comment. Positions are reported in the file's line index
// (`SourceFile::line_col`: LF, CRLF and a lone CR each end a line), whatever the rule.

/// Finds the first line break in `bytes` at or after `from`: its offset and length.
type NextBreak = fn(bytes: &[u8], from: usize) -> Option<(usize, usize)>;

/// The lines of `text` split where `next_break` finds breaks.
fn split_with(text: &str, next_break: NextBreak) -> impl Iterator<Item = Line<'_>> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        let (end, len) = next_break(bytes, pos).unwrap_or((bytes.len(), 0));
        pos = end + len;
        // Breaks are ASCII or whole UTF-8 sequences, so `end` is a char boundary.
        Some(Line {
            start,
            text: text.get(start..end).unwrap_or(""),
        })
    })
}

/// LF lines: a line ends at `\n`, and a `\r` just before it is part of the break; a lone
/// `\r` is ordinary text. Go (`go.mod`: its lexer ends lines at `\n` and reads `\r` as a
/// space; `go.sum`: split at `\n`), Bundler (`Gemfile.lock`: `split(/(?:\r?\n)+/)`), Ruby
/// (`Gemfile`: a lone `\r` is a space) and TOML (LF or CRLF; a lone CR is invalid, which
/// the reader reports, see [`lone_cr`]).
pub(crate) fn lf_lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    split_with(text, |bytes, from| {
        let i = from + memchr::memchr(b'\n', &bytes[from..])?;
        Some(if i > from && bytes[i - 1] == b'\r' {
            (i - 1, 2)
        } else {
            (i, 1)
        })
    })
}

/// Universal newlines: `\n`, `\r\n` and a lone `\r` each end a line. Python's text-mode
/// files (`pip.conf`, read by `configparser`), npm's `ini` parser (`.npmrc`, split at
/// `/[\r\n]+/`) and Yarn classic's lockfile tokeniser (`yarn.lock` v1) split so.
pub(crate) fn universal_lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    split_with(text, |bytes, from| {
        let i = from + memchr::memchr2(b'\n', b'\r', &bytes[from..])?;
        Some(if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            (i, 2)
        } else {
            (i, 1)
        })
    })
}

/// Python's `str.splitlines()`, which pip uses for requirements files: the universal
/// newlines and also `\v`, `\f`, the separators `\x1c`, `\x1d`, `\x1e`, NEL (U+0085), and
/// U+2028 and U+2029.
pub(crate) fn python_lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    split_with(text, |bytes, from| {
        let mut i = from;
        while i < bytes.len() {
            let len = match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
                (b'\r', Some(b'\n'), _) => 2,
                (b'\n' | b'\r' | 0x0b | 0x0c | 0x1c..=0x1e, _, _) => 1,
                // NEL in UTF-8.
                (0xc2, Some(0x85), _) => 2,
                // LINE SEPARATOR, PARAGRAPH SEPARATOR in UTF-8.
                (0xe2, Some(0x80), Some(0xa8 | 0xa9)) => 3,
                _ => 0,
            };
            if len > 0 {
                return Some((i, len));
            }
            i += 1;
        }
        None
    })
}

/// The offset in `line` of a carriage return that is not part of a CRLF, for formats
/// where that is invalid (TOML): under [`lf_lines`] every `\r` left in a line is one.
pub(crate) fn lone_cr(line: &Line<'_>) -> Option<usize> {
    line.text.find('\r').map(|i| line.start + i)
}

/// Byte offset of `sub` inside `text`, when `sub` is a subslice of it.
pub(crate) fn offset_in(text: &str, sub: &str) -> usize {
    (sub.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

/// The span of a subslice `sub` of `text`, shifted by `base`.
pub(crate) fn sub_span(base: usize, text: &str, sub: &str) -> tollgate_model::Span {
    let s = base + offset_in(text, sub);
    tollgate_model::Span::new(s, s + sub.len())
}

/// Read a double-quoted string at the start of `s` (TOML basic / JSON-like escapes,
/// also the quoting of yarn.lock). Returns the unescaped value and the rest after the
/// closing quote, or `None` when it is not closed on this line.
pub(crate) fn quoted(s: &str) -> Option<(std::borrow::Cow<'_, str>, &str)> {
    let body = s.strip_prefix('"')?;
    let bytes = body.as_bytes();
    let mut i = 0;
    let mut escaped = false;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let raw = &body[..i];
                let rest = &body[i + 1..];
                let val = if escaped {
                    std::borrow::Cow::Owned(crate::json::unescape(raw))
                } else {
                    std::borrow::Cow::Borrowed(raw)
                };
                return Some((val, rest));
            }
            b'\\' => {
                escaped = true;
                i += 2;
            }
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    type Splitter = for<'a> fn(&'a str) -> Vec<(usize, &'a str)>;

    #[test]
    fn quoted_strings_share_the_json_escapes() {
        // This reader's own unescaper dropped `\b`/`\f` to the letter and split surrogate
        // pairs; it now shares the JSON reader's.
        let (v, rest) = quoted(r#""a\bb\fc\ud83d\ude00" x"#).unwrap_or_else(|| panic!("open"));
        assert_eq!(v, "a\u{8}b\u{c}c\u{1f600}");
        assert_eq!(rest, " x");
        let (v, _) = quoted(r#""bad\u00zz""#).unwrap_or_else(|| panic!("open"));
        assert_eq!(v, "bad\u{fffd}");
    }

    fn lf(t: &str) -> Vec<(usize, &str)> {
        lf_lines(t).map(|l| (l.start, l.text)).collect()
    }
    fn universal(t: &str) -> Vec<(usize, &str)> {
        universal_lines(t).map(|l| (l.start, l.text)).collect()
    }
    fn python(t: &str) -> Vec<(usize, &str)> {
        python_lines(t).map(|l| (l.start, l.text)).collect()
    }

    #[test]
    fn every_rule_splits_lf_and_crlf_alike() {
        for split in [lf as Splitter, universal, python] {
            assert_eq!(
                split("a\r\nbc\n\nd"),
                [(0, "a"), (3, "bc"), (6, ""), (7, "d")]
            );
            // No empty line after a final break, as `str.splitlines()` and Go agree.
            assert_eq!(split("a\n"), [(0, "a")]);
            assert!(split("").is_empty());
        }
    }

    #[test]
    fn lf_lines_keep_a_lone_cr_as_text() {
        assert_eq!(lf("a\rb\r\nc\r"), [(0, "a\rb"), (5, "c\r")]);
        assert_eq!(lf("\r\r\n"), [(0, "\r")]);
    }

    #[test]
    fn universal_lines_end_at_a_lone_cr() {
        assert_eq!(
            universal("a\rb\r\nc\r\rd\x0ce"),
            [(0, "a"), (2, "b"), (5, "c"), (7, ""), (8, "d\x0ce")]
        );
    }

    #[test]
    fn python_lines_are_str_splitlines() {
        // Expected values from CPython:
        // "a\vb\x0cc\x1cd\x1de\x1ef\x85g\u2028h\u2029i\rj\r\nk\x1fl".splitlines()
        // == ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k\x1fl']
        let t = "a\x0bb\x0cc\x1cd\x1de\x1ef\u{85}g\u{2028}h\u{2029}i\rj\r\nk\x1fl";
        let texts: Vec<&str> = python(t).into_iter().map(|(_, s)| s).collect();
        assert_eq!(
            texts,
            ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k\x1fl"]
        );
        let starts: Vec<usize> = python(t).into_iter().map(|(s, _)| s).collect();
        assert_eq!(starts, [0, 2, 4, 6, 8, 10, 13, 17, 21, 23, 26]);
        // Other non-ASCII text is not a break, even with the same lead byte.
        assert_eq!(python("é→x"), [(0, "é→x")]);
    }

    #[test]
    fn lone_cr_is_found_only_outside_crlf() {
        let v: Vec<Option<usize>> = lf_lines("a\r\nb\rc\n").map(|l| lone_cr(&l)).collect();
        assert_eq!(v, [None, Some(4)]);
    }

    #[test]
    fn quoted_strings() {
        assert_eq!(
            quoted(r#""ab" x"#).map(|(v, r)| (v.into_owned(), r)),
            Some(("ab".into(), " x"))
        );
        assert_eq!(
            quoted(r#""a\"b""#).map(|(v, _)| v.into_owned()),
            Some("a\"b".into())
        );
        assert!(quoted(r#""abc"#).is_none());
    }
}

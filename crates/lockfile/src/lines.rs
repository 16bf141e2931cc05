//! Line iteration with byte offsets, shared by the line-format parsers.

/// One physical line: its byte offset in the file and its text without `\n`/`\r\n`.
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

/// Iterate the lines of `text` without allocating; memchr finds each `\n`.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        pos = end + 1;
        let mut line = &text[start..end];
        if let Some(l) = line.strip_suffix('\r') {
            line = l;
        }
        Some(Line { start, text: line })
    })
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
                    std::borrow::Cow::Owned(unescape(raw))
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

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(ch);
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_offsets() {
        let v: Vec<_> = lines("a\r\nbc\n\nd").map(|l| (l.start, l.text)).collect();
        assert_eq!(v, [(0, "a"), (3, "bc"), (6, ""), (7, "d")]);
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

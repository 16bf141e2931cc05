//! Locating GitHub expressions (`${{ … }}`) inside scalar values.

use serde::Serialize;

/// One `${{ … }}` occurrence: byte range in the containing string, and the inner text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Expression {
    /// Byte range of the whole `${{ … }}` in the containing string.
    pub start: usize,
    pub end: usize,
    /// The expression between the braces, trimmed.
    pub inner: String,
}

/// Every `${{ … }}` in `s`, in order. An unterminated `${{` runs to the end of the string,
/// which is what GitHub reports as an error too; we keep it so it can be pointed at.
///
/// Inside an expression, `}}` within a single-quoted string literal does not close it
/// (GitHub's expression strings are single-quoted with `''` as the escape).
#[must_use]
pub fn expressions(s: &str) -> Vec<Expression> {
    expression_spans(s)
        .map(|(start, end)| {
            let inner_end = if end >= start + 5 && s[..end].ends_with("}}") {
                end - 2
            } else {
                end
            };
            Expression {
                start,
                end,
                inner: s[start + 3..inner_end.max(start + 3)].trim().to_owned(),
            }
        })
        .collect()
}

/// The byte ranges of [`expressions`] without their text: for scans of every value and
/// script of a file, most of which hold no expression at all.
pub fn expression_spans(s: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = s.as_bytes();
    let finder = memchr::memmem::Finder::new("${{");
    let mut i = 0;
    std::iter::from_fn(move || {
        let start = i + finder.find(&bytes[i..])?;
        let mut j = start + 3;
        let mut in_str = false;
        let mut end = bytes.len();
        while j < bytes.len() {
            match bytes[j] {
                b'\'' => in_str = !in_str,
                b'}' if !in_str && bytes.get(j + 1) == Some(&b'}') => {
                    end = j + 2;
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        i = end;
        Some((start, end))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_expressions() {
        let s = "echo ${{ github.event.issue.title }} and ${{ format('{0}}}', x) }}";
        let e = expressions(s);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].inner, "github.event.issue.title");
        assert_eq!(&s[e[0].start..e[0].end], "${{ github.event.issue.title }}");
        assert_eq!(e[1].inner, "format('{0}}}', x)");
    }

    #[test]
    fn unterminated_runs_to_end() {
        let e = expressions("a ${{ b");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].end, 7);
        assert_eq!(e[0].inner, "b");
    }

    #[test]
    fn none() {
        assert!(expressions("plain $HOME ${x}").is_empty());
    }
}

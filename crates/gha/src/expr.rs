//! Locating GitHub expressions (`${{ … }}`) inside scalar values, and the context
//! references (`github.event.issue.title`) inside them.

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

/// Context references in an expression's inner text, lowercased and with indexes
/// normalised to segments: `github.event.commits[0].message` →
/// `github.event.commits.*.message`, `github.event['issue'].title` →
/// `github.event.issue.title`. String literals are skipped. Each reference comes with its
/// byte range in `inner`.
#[must_use]
pub fn context_references(inner: &str) -> Vec<(String, usize, usize)> {
    let b = inner.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\'' {
            // GitHub string literals: single quotes, `''` escapes one.
            i += 1;
            while i < b.len() {
                if b[i] == b'\'' {
                    if b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            let mut r = String::new();
            while i < b.len() {
                let d = b[i];
                if d.is_ascii_alphanumeric() || d == b'_' || d == b'-' || d == b'.' || d == b'*' {
                    r.push(char::from(d.to_ascii_lowercase()));
                    i += 1;
                } else if d == b'[' {
                    let Some(close) = inner[i..].find(']').map(|k| i + k) else {
                        break;
                    };
                    let idx = inner[i + 1..close].trim();
                    let seg = idx.trim_matches(|q| q == '\'' || q == '"');
                    if seg.len() < idx.len() && !seg.is_empty() {
                        r.push('.');
                        r.push_str(&seg.to_ascii_lowercase());
                    } else {
                        r.push_str(".*");
                    }
                    i = close + 1;
                } else {
                    break;
                }
            }
            // A function call (`contains(`) is not a reference.
            let call = inner[i..].trim_start().starts_with('(');
            if !call {
                out.push((r.trim_end_matches('.').to_owned(), start, i));
            }
            continue;
        }
        i += 1;
    }
    out
}

/// How a reference relates to a pattern (`*` matches one segment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContextMatch {
    Exact,
    /// The reference is a parent of the pattern (`toJSON(github.event.issue)`).
    Parent,
}

/// How `reference` (as [`context_references`] writes it) relates to a context `pattern`
/// of the knowledge base; `None` when it is neither the pattern nor a parent of it.
#[must_use]
pub fn match_context(pattern: &str, reference: &str) -> Option<ContextMatch> {
    // Component by component, without collecting (this runs for every context pattern
    // against every expression of every step).
    let (mut p, mut r) = (pattern.split('.'), reference.split('.'));
    let mut matched = 0;
    loop {
        match (p.next(), r.next()) {
            (Some(a), Some(b)) => {
                if !(a == "*" || b == "*" || a.eq_ignore_ascii_case(b)) {
                    return None;
                }
                matched += 1;
            }
            // The reference is longer than the pattern.
            (None, Some(_)) => return None,
            (None, None) => return Some(ContextMatch::Exact),
            // Parents shorter than `github.event.x` are too vague to call (`github`,
            // `github.event` are mostly passed whole to `toJSON` for debugging and are
            // caught at that level).
            (Some(_), None) => return (matched >= 3).then_some(ContextMatch::Parent),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_extraction() {
        let cases: &[(&str, &[&str])] = &[
            ("github.event.issue.title", &["github.event.issue.title"]),
            (
                "github.event.commits[0].message",
                &["github.event.commits.*.message"],
            ),
            ("github.event['issue'].title", &["github.event.issue.title"]),
            (
                "contains(github.event.issue.body, 'x')",
                &["github.event.issue.body"],
            ),
            ("format('{0} github.head_ref', x)", &["x"]),
            ("toJSON(github.event)", &["github.event"]),
            ("Github.Head_Ref", &["github.head_ref"]),
        ];
        for (inner, want) in cases {
            let got: Vec<String> = context_references(inner).into_iter().map(|r| r.0).collect();
            assert_eq!(&got, want, "{inner}");
        }
    }

    #[test]
    fn patterns() {
        let p = "github.event.commits.*.message";
        assert_eq!(
            match_context(p, "github.event.commits.*.message"),
            Some(ContextMatch::Exact)
        );
        assert_eq!(
            match_context(p, "github.event.commits"),
            Some(ContextMatch::Parent)
        );
        assert_eq!(match_context(p, "github.event"), None);
        assert_eq!(match_context(p, "github.event.commits.*.id"), None);
        assert_eq!(
            match_context("inputs.*", "inputs.name"),
            Some(ContextMatch::Exact)
        );
        assert_eq!(
            match_context("github.head_ref", "github.head_ref"),
            Some(ContextMatch::Exact)
        );
    }

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

//! Small helpers the identity rules share: reading context references out of
//! expressions, and (from `tollgate_facts::identity`, which the needs pass shares)
//! telling the workflow's own token from other credentials.

use tollgate_gha::Workflow;

pub use crate::common::job_index;
pub use tollgate_facts::identity::{env_value, expression_secret_names, secret_names};

/// Context references in an expression's inner text, lowercased and with indexes
/// normalised to segments: `github.event.commits[0].message` →
/// `github.event.commits.*.message`, `github.event['issue'].title` →
/// `github.event.issue.title`. String literals are skipped. Each reference comes with its
/// byte range in `inner`.
pub fn references(inner: &str) -> Vec<(String, usize, usize)> {
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
pub enum Match {
    Exact,
    /// The reference is a parent of the pattern (`toJSON(github.event.issue)`).
    Parent,
}

pub fn match_pattern(pattern: &str, reference: &str) -> Option<Match> {
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
            (None, None) => return Some(Match::Exact),
            // Parents shorter than `github.event.x` are too vague to call (`github`,
            // `github.event` are mostly passed whole to `toJSON` for debugging and are
            // caught at that level).
            (Some(_), None) => return (matched >= 3).then_some(Match::Parent),
        }
    }
}

/// An expression whose value is a boolean or a number, so nothing it references reaches
/// the script as text: a comparison or a `contains`/`startsWith`/`endsWith` test.
pub fn is_boolean_expression(inner: &str) -> bool {
    let t = inner.trim();
    let l = t.to_ascii_lowercase();
    if l.contains("&&") || l.contains("||") {
        return false;
    }
    l.starts_with('!')
        || l.starts_with("contains(")
        || l.starts_with("startswith(")
        || l.starts_with("endswith(")
        || l.contains("==")
        || l.contains("!=")
        || l.contains(">=")
        || l.contains("<=")
}

/// Whether the workflow runs on one of `events`.
pub fn triggered_by(wf: &Workflow, events: &[&str]) -> bool {
    wf.on
        .as_ref()
        .is_some_and(|t| events.iter().any(|e| t.has(e)))
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
            let got: Vec<String> = references(inner).into_iter().map(|r| r.0).collect();
            assert_eq!(&got, want, "{inner}");
        }
    }

    #[test]
    fn patterns() {
        let p = "github.event.commits.*.message";
        assert_eq!(
            match_pattern(p, "github.event.commits.*.message"),
            Some(Match::Exact)
        );
        assert_eq!(
            match_pattern(p, "github.event.commits"),
            Some(Match::Parent)
        );
        assert_eq!(match_pattern(p, "github.event"), None);
        assert_eq!(match_pattern(p, "github.event.commits.*.id"), None);
        assert_eq!(match_pattern("inputs.*", "inputs.name"), Some(Match::Exact));
        assert_eq!(
            match_pattern("github.head_ref", "github.head_ref"),
            Some(Match::Exact)
        );
    }

    #[test]
    fn boolean_expressions() {
        assert!(is_boolean_expression("github.event.issue.title == 'x'"));
        assert!(is_boolean_expression(
            "contains(github.event.issue.body, 'y')"
        ));
        assert!(!is_boolean_expression("github.event.issue.title"));
    }
}

//! Small helpers the identity rules share: finding local files of the same repository,
//! telling the workflow's own token from other credentials, and reading context
//! references out of expressions.

use tollgate_gha::{Action, Env, Workflow};
use tollgate_scan::{FileModel, Input, Scan};

pub use tollgate_scan::local::repo_prefix;

fn local_key(path: &str) -> String {
    path.trim_start_matches("./")
        .trim_end_matches('/')
        .to_owned()
}

/// The local action at `<prefix><path>/action.yml|yaml`.
pub fn local_action<'s>(
    scan: &'s Scan,
    prefix: &str,
    path: &str,
) -> Option<(&'s Input, &'s Action)> {
    let base = local_key(path);
    let dir = if base.is_empty() {
        prefix.to_owned()
    } else {
        format!("{prefix}{base}/")
    };
    ["action.yml", "action.yaml"].iter().find_map(|f| {
        let want = format!("{dir}{f}");
        scan.inputs_at_path(&want).find_map(|i| match &*i.parsed {
            FileModel::Action(a) => Some((i, a)),
            _ => None,
        })
    })
}

/// The local workflow at `<prefix><path>`.
pub fn local_workflow<'s>(
    scan: &'s Scan,
    prefix: &str,
    path: &str,
) -> Option<(&'s Input, &'s Workflow)> {
    let want = format!("{prefix}{}", local_key(path));
    scan.inputs_at_path(&want).find_map(|i| match &*i.parsed {
        FileModel::Workflow(w) => Some((i, w)),
        _ => None,
    })
}

pub use crate::common::job_index;

/// Whether a value names the workflow's own token (`github.token`,
/// `secrets.GITHUB_TOKEN`). Expression contexts are case-insensitive.
pub fn is_workflow_token(value: &str) -> bool {
    let l = value.to_ascii_lowercase();
    l.contains("github.token") || l.contains("secrets.github_token")
}

/// Whether a value hands over some credential other than the workflow's token: a secret,
/// an app token from an earlier step, anything that is not the workflow token.
pub fn is_other_identity(value: &str) -> bool {
    let v = value.trim();
    !v.is_empty() && !is_workflow_token(v)
}

/// The non-`GITHUB_TOKEN` secret names the `${{ … }}` expressions of `text` reference
/// (`secrets.NAME`, `secrets['NAME']`).
pub fn secret_names(text: &str) -> Vec<String> {
    other_names(tollgate_graph::util::secret_refs(text))
}

fn other_names(refs: Vec<tollgate_kb::secrets::SecretRef>) -> Vec<String> {
    refs.into_iter()
        .filter_map(|r| r.name)
        .filter(|n| !n.eq_ignore_ascii_case("GITHUB_TOKEN"))
        .collect()
}

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

/// The value of variable `name` in the first env block (innermost first) that sets it.
pub fn env_value<'e>(envs: &[&'e Env], name: &str) -> Option<&'e str> {
    envs.iter()
        .find_map(|e| e.get(name))
        .map(|v| v.value.value.as_str())
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
    fn prefixes() {
        assert_eq!(repo_prefix(".github/workflows/a.yml"), "");
        assert_eq!(repo_prefix("org__r/.github/workflows/a.yml"), "org__r/");
        assert_eq!(repo_prefix("a/b/.github/actions/x/action.yml"), "a/b/");
        assert_eq!(repo_prefix("action.yml"), "");
    }

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
    fn tokens_and_secrets() {
        assert!(is_workflow_token("${{ secrets.GITHUB_TOKEN }}"));
        assert!(is_workflow_token("${{ github.token }}"));
        assert!(is_other_identity("${{ secrets.BOT_PAT }}"));
        assert!(is_other_identity("${{ steps.app.outputs.token }}"));
        assert_eq!(
            secret_names("${{ secrets.A }} ${{ secrets['B'] }} ${{ secrets.GITHUB_TOKEN }}"),
            vec!["A", "B"]
        );
        // The shared reader: only inside expressions, not properties of other contexts,
        // not string literals (this module's own copy took all three for secrets).
        assert!(secret_names("run: echo secrets.X").is_empty());
        assert!(is_boolean_expression("github.event.issue.title == 'x'"));
        assert!(is_boolean_expression(
            "contains(github.event.issue.body, 'y')"
        ));
        assert!(!is_boolean_expression("github.event.issue.title"));
    }
}

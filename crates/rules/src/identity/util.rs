//! Small helpers the identity rules share: telling boolean expressions and triggers apart,
//! and (from `tollgate_facts::identity`, which the needs pass shares) the secrets text
//! names.

use tollgate_gha::Workflow;

pub use crate::common::job_index;

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
    fn boolean_expressions() {
        assert!(is_boolean_expression("github.event.issue.title == 'x'"));
        assert!(is_boolean_expression(
            "contains(github.event.issue.body, 'y')"
        ));
        assert!(!is_boolean_expression("github.event.issue.title"));
    }
}

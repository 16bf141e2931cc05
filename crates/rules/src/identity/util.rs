//! Small helpers the identity rules share: finding local files of the same repository,
//! telling the workflow's own token from other credentials, and reading context
//! references out of expressions.

use tollgate_gha::{Action, Workflow};
use tollgate_scan::{FileModel, Input, Scan};

pub use tollgate_gha::env_value;
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

/// [`secret_names`] inside the text of one expression (what is between `${{` and `}}`).
pub fn expression_secret_names(inner: &str) -> Vec<String> {
    other_names(tollgate_kb::secrets::secret_refs(inner))
}

fn other_names(refs: Vec<tollgate_kb::secrets::SecretRef>) -> Vec<String> {
    refs.into_iter()
        .filter_map(|r| r.name)
        .filter(|n| !n.eq_ignore_ascii_case("GITHUB_TOKEN"))
        .collect()
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
    fn prefixes() {
        assert_eq!(repo_prefix(".github/workflows/a.yml"), "");
        assert_eq!(repo_prefix("org__r/.github/workflows/a.yml"), "org__r/");
        assert_eq!(repo_prefix("a/b/.github/actions/x/action.yml"), "a/b/");
        assert_eq!(repo_prefix("action.yml"), "");
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
        assert!(expression_secret_names("github.event.secrets.X").is_empty());
        assert!(expression_secret_names("format('secrets.{0}', x)").is_empty());
        assert_eq!(expression_secret_names("secrets[ 'K' ]"), ["K"]);
        assert!(is_boolean_expression("github.event.issue.title == 'x'"));
        assert!(is_boolean_expression(
            "contains(github.event.issue.body, 'y')"
        ));
        assert!(!is_boolean_expression("github.event.issue.title"));
    }
}

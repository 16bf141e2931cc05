//! Who a value authenticates as: the workflow's own token or some other credential, and
//! the secrets an expression names. The needs pass and the identity rules share these.

/// Whether a value names the workflow's own token (`github.token`,
/// `secrets.GITHUB_TOKEN`). Expression contexts are case-insensitive.
#[must_use]
pub fn is_workflow_token(value: &str) -> bool {
    let l = value.to_ascii_lowercase();
    l.contains("github.token") || l.contains("secrets.github_token")
}

/// Whether a value hands over some credential other than the workflow's token: a secret,
/// an app token from an earlier step, anything that is not the workflow token.
#[must_use]
pub fn is_other_identity(value: &str) -> bool {
    let v = value.trim();
    !v.is_empty() && !is_workflow_token(v)
}

/// The non-`GITHUB_TOKEN` secret names the `${{ … }}` expressions of `text` reference
/// (`secrets.NAME`, `secrets['NAME']`).
#[must_use]
pub fn secret_names(text: &str) -> Vec<String> {
    other_names(tollgate_graph::util::secret_refs(text))
}

/// [`secret_names`] inside the text of one expression (what is between `${{` and `}}`).
#[must_use]
pub fn expression_secret_names(inner: &str) -> Vec<String> {
    other_names(tollgate_kb::secrets::secret_refs(inner))
}

fn other_names(refs: Vec<tollgate_kb::secrets::SecretRef>) -> Vec<String> {
    refs.into_iter()
        .filter_map(|r| r.name)
        .filter(|n| !n.eq_ignore_ascii_case("GITHUB_TOKEN"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // Only inside expressions, not properties of other contexts, not string literals.
        assert!(secret_names("run: echo secrets.X").is_empty());
        assert!(expression_secret_names("github.event.secrets.X").is_empty());
        assert!(expression_secret_names("format('secrets.{0}', x)").is_empty());
        assert_eq!(expression_secret_names("secrets[ 'K' ]"), ["K"]);
    }
}

//! Who a value authenticates as: the workflow's own token or some other credential, and
//! the secrets an expression names. The needs pass and the identity rules share these.

/// Whether a value names the workflow's own token (`github.token`,
/// `secrets.GITHUB_TOKEN`). Expression contexts are case-insensitive.
#[must_use]
pub fn is_workflow_token(value: &str) -> bool {
    // One pass over the text for both names (it runs over whole scripts): each `github`
    // followed by `.token`, or by `_token` after `secrets.`.
    let b = value.as_bytes();
    memchr::memchr2_iter(b'g', b'G', b).any(|i| {
        let at = |from: usize, what: &[u8]| {
            b.get(from..from + what.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(what))
        };
        at(i, b"github")
            && (at(i + 6, b".token") || (at(i + 6, b"_token") && i >= 8 && at(i - 8, b"secrets.")))
    })
}

/// Whether `text` holds `needle` (ASCII, lower case) in any case, without allocating: it
/// runs over whole scripts, once per step.
#[must_use]
pub fn contains_ignore_case(text: &str, needle: &str) -> bool {
    let n = needle.as_bytes();
    let Some(&first) = n.first() else {
        return true;
    };
    let b = text.as_bytes();
    memchr::memchr2_iter(first, first.to_ascii_uppercase(), b).any(|i| {
        b.get(i..i + n.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(n))
    })
}

/// Whether a value hands over some credential other than the workflow's token: a secret,
/// an app token from an earlier step, anything that is not the workflow token.
#[must_use]
pub fn is_other_identity(value: &str) -> bool {
    let v = value.trim();
    !v.is_empty() && !is_workflow_token(v)
}

pub use tollgate_graph::util::secret_names;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_token_names() {
        for yes in [
            "${{ github.token }}",
            "${{ GitHub.Token }}",
            "${{ secrets.GITHUB_TOKEN }}",
            "x ${{secrets.github_token}}",
            "github github.token",
        ] {
            assert!(is_workflow_token(yes), "{yes}");
        }
        for no in [
            "",
            "${{ secrets.PAT }}",
            "GITHUB_TOKEN",
            "${{ env.GITHUB_TOKEN }}",
            "github.tokens_x".get(..11).unwrap_or(""),
            "secrets.githu_token",
            "github_token",
        ] {
            assert!(!is_workflow_token(no), "{no}");
        }
    }

    #[test]
    fn case_insensitive_search() {
        assert!(contains_ignore_case(
            "echo ${{ GitHub.Token }}",
            "github.token"
        ));
        assert!(contains_ignore_case("PUBLISH", "publish"));
        assert!(!contains_ignore_case("publis", "publish"));
        assert!(!contains_ignore_case("", "publish"));
        assert!(contains_ignore_case("x", ""));
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
        // Only inside expressions, not properties of other contexts, not string literals.
        assert!(secret_names("run: echo secrets.X").is_empty());
        assert!(secret_names("${{ github.event.secrets.X }}").is_empty());
        assert!(secret_names("${{ format('secrets.{0}', x) }}").is_empty());
        assert_eq!(secret_names("${{ secrets[ 'K' ] }}"), ["K"]);
    }
}

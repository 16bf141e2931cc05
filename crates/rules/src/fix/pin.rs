//! `unpinned-action`'s fix: the ref replaced by a commit SHA known offline, the tag kept
//! as a comment (`uses: owner/repo@<sha> # v4.2.1`).

use tollgate_gha::Step;
use tollgate_model::{Edit, Span};

use super::Text;

/// Whether `s` is a full commit SHA.
pub fn is_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The version a `# comment` after a pinned `uses:` names: its first word.
pub fn comment_version(comment: &str) -> Option<&str> {
    comment.trim_start_matches('#').split_whitespace().next()
}

/// The commit another `uses:` of the same action records for `tag` with its version
/// comment (`owner/repo@<sha> # <tag>`), among `steps`.
pub fn recorded<'s>(
    steps: impl Iterator<Item = &'s Step>,
    action: &str,
    tag: &str,
) -> Option<String> {
    steps
        .filter_map(|s| Some((s.uses_text.as_ref()?, s.uses_comment.as_deref()?)))
        .find_map(|(text, comment)| {
            let (a, r) = text.value.rsplit_once('@')?;
            (a.eq_ignore_ascii_case(action) && is_sha(r) && comment_version(comment) == Some(tag))
                .then(|| r.to_ascii_lowercase())
        })
}

/// The edits pinning the `uses:` written at `uses` (its value `value`, with or without a
/// comment after it) to `sha`, with `tag` as the new comment where there is none.
pub fn pin(
    text: &Text<'_>,
    uses: Span,
    value: &str,
    has_comment: bool,
    sha: &str,
    tag: &str,
) -> Option<Vec<Edit>> {
    let written = text.s.get(uses.start..uses.end)?;
    // The value inside its quotes, if quoted.
    let inner = written.find(value)?;
    let at = value.rfind('@')?;
    let start = uses.start + inner + at + 1;
    let end = uses.start + inner + value.len();
    let mut edits = vec![Edit {
        span: Span::new(start, end),
        text: sha.to_owned(),
    }];
    let after = text.trim_end(uses).end;
    if !has_comment
        && text.rest_is_blank(after)
        && text.s[after..]
            .split('\n')
            .next()
            .is_some_and(|l| l.trim().is_empty())
    {
        edits.push(Edit {
            span: Span::empty(after),
            text: format!(" # {tag}"),
        });
    }
    Some(edits)
}

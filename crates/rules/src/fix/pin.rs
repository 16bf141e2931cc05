//! `unpinned-action`'s fix: the ref replaced by a commit SHA known offline, the tag kept
//! as a comment (`uses: owner/repo@<sha> # v4.2.1`).

use tollgate_model::{Edit, Span};

use super::Text;

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
    let written = text.s.get(uses.range())?;
    // The value inside its quotes, if quoted.
    let inner = written.find(value)?;
    let at = value.rfind('@')?;
    let start = uses.start() + inner + at + 1;
    let end = uses.start() + inner + value.len();
    let mut edits = vec![Edit {
        span: Span::new(start, end),
        text: sha.to_owned(),
    }];
    let after = text.trim_end(uses).end();
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

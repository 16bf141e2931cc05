//! `ref-version-mismatch`: a `uses:` pinned to a commit SHA whose version comment
//! (`# v4.2.1`) is not what `actions.lock` records for that commit: the comment tells a
//! reviewer (and update tools) one version while another runs.

use tollgate_engine::{Context, Rule, Sink, StepCx};
use tollgate_gha::{ActionsLock, RefKind, Uses};
use tollgate_scan::{FileModel, Input};

use crate::chain::Chain;

pub struct RefVersionMismatch;

impl Rule for RefVersionMismatch {
    fn id(&self) -> &'static str {
        "ref-version-mismatch"
    }

    fn check_step(&self, cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        let (Some(uses), Some(comment)) = (&step.step.uses, step.step.uses_comment()) else {
            return;
        };
        let Uses::Remote(r) = &uses.value else { return };
        if r.ref_kind != RefKind::Sha {
            return;
        }
        let Some(version) = version_in(comment) else {
            return;
        };
        let action = r.action();
        let sha = r.git_ref.to_ascii_lowercase();
        for (lock_input, lock) in locks(cx, step.input) {
            let Some(problem) = disagreement(lock, &action, &sha, version) else {
                continue;
            };
            let entry = lock_span(lock, &action, &sha, version);
            let mut b = out
                .at(&step.input.source, uses.span)
                .message(format!(
                    "`{action}@{}` says `{version}` in its comment, but {problem}",
                    short(&sha)
                ))
                .help("pin the commit the lock records for the version you mean and keep the comment in step (`uses: owner/repo@<sha> # <version>`), or correct the comment; then regenerate the lock")
                .path(
                    Chain::to_uses(cx, step.input, step.job_index, step.step.index)
                        .hop(
                            format!("`actions.lock`: {problem}"),
                            entry.map(|s| lock_input.source.location(s)),
                        )
                        .into_hops(),
                );
            if let Some(span) = entry {
                b = b.related(&lock_input.source, span, "what `actions.lock` records");
            }
            b.emit();
            return;
        }
    }
}

/// The first word of a comment that reads as a version (`v4`, `v4.2.1`, `4.2.1`,
/// `release-1.2` is not one): a `v` and digits, or digits, with dots.
pub(super) fn version_in(comment: &str) -> Option<&str> {
    comment
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .map(|w| w.trim_start_matches('#'))
        .find(|w| {
            let digits = w.strip_prefix('v').unwrap_or(w);
            !digits.is_empty()
                && digits.starts_with(|c: char| c.is_ascii_digit())
                && digits
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
        })
}

/// `refs/tags/v1` and `v1` alike.
fn tag(git_ref: &str) -> &str {
    git_ref
        .strip_prefix("refs/tags/")
        .or_else(|| git_ref.strip_prefix("refs/heads/"))
        .unwrap_or(git_ref)
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

/// The lock entries of `action` (`owner/repo[/path]`), with their ref and commit.
pub(super) fn entries<'a>(
    lock: &'a ActionsLock,
    action: &'a str,
) -> impl Iterator<Item = (&'a tollgate_gha::LockedDependency, &'a str, String)> + 'a {
    lock.dependencies.iter().filter_map(move |d| {
        let (name, written) = d.reference.value.rsplit_once('@')?;
        if !name.eq_ignore_ascii_case(action) {
            return None;
        }
        let commit = d.commit.as_ref()?.value.to_ascii_lowercase();
        let git_ref = d.git_ref.as_deref().unwrap_or(written);
        Some((d, tag(git_ref), commit))
    })
}

/// What the lock says against the comment, in words, when it disagrees: the version's
/// commit is another one, or the commit is recorded as another version. `None` when
/// the lock agrees or knows neither.
fn disagreement(lock: &ActionsLock, action: &str, sha: &str, version: &str) -> Option<String> {
    let all: Vec<_> = entries(lock, action).collect();
    if all.iter().any(|(_, r, c)| *r == version && c == sha) {
        return None;
    }
    if let Some((_, _, c)) = all.iter().find(|(_, r, _)| *r == version) {
        return Some(format!(
            "`actions.lock` records `{version}` as commit `{}`",
            short(c)
        ));
    }
    let versions: Vec<&str> = all
        .iter()
        .filter(|(_, r, c)| c == sha && *r != sha && version_in(r).is_some())
        .map(|(_, r, _)| *r)
        .collect();
    let first = versions.first()?;
    Some(format!(
        "`actions.lock` records commit `{}` as `{first}`",
        short(sha)
    ))
}

/// Where the lock entry that disagrees is written.
fn lock_span(
    lock: &ActionsLock,
    action: &str,
    sha: &str,
    version: &str,
) -> Option<tollgate_model::Span> {
    let all: Vec<_> = entries(lock, action).collect();
    all.iter()
        .find(|(_, r, _)| *r == version)
        .or_else(|| all.iter().find(|(_, _, c)| c == sha))
        .map(|(d, _, _)| d.reference.span)
}

/// The action locks of the scan root `input` belongs to.
pub(super) fn locks<'a>(
    cx: &'a Context<'_>,
    input: &Input,
) -> impl Iterator<Item = (&'a Input, &'a ActionsLock)> {
    let root = input.root;
    cx.scan.inputs.iter().filter_map(move |i| match &*i.parsed {
        FileModel::ActionsLock(lock) if i.root == root => Some((i, lock)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::version_in;

    #[test]
    fn versions_are_read_from_comments() {
        assert_eq!(version_in("v4.2.1"), Some("v4.2.1"));
        assert_eq!(version_in("# v4"), Some("v4"));
        assert_eq!(version_in("pin@v3.1.0"), None);
        assert_eq!(version_in("tag 1.2.3 (latest)"), Some("1.2.3"));
        assert_eq!(version_in("main"), None);
        assert_eq!(version_in("renovate: pinned"), None);
    }
}

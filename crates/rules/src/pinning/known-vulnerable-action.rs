//! `known-vulnerable-action`: a `uses:` whose version an advisory of the knowledge
//! snapshot (`rules/data/action-advisories.toml`) lists as affected. The version is the
//! ref itself when it is a tag, else what `actions.lock` records for the pinned commit,
//! else the version comment beside it; a commit with neither is not guessed. The actions
//! a remote composite action of the action snapshot runs inside (at any depth the
//! snapshot follows) are judged the same way, by the tag or the version comment written
//! in its `action.yml`, and reported at the outer `uses:`.

use tollgate_engine::{Context, JobCx, Rule, Sink, StepCx};
use tollgate_gha::{RefKind, Spanned, Uses, UsesRef};
use tollgate_kb::advisories::{Advisory, Affected};
use tollgate_model::{Confidence, Impact, SourceFile};
use tollgate_scan::Input;

use super::ref_version_mismatch::{entries, locks, version_in};
use super::unpinned_action_inside::{Inner, walk_in};
use crate::chain::Chain;

pub struct KnownVulnerableAction;

impl Rule for KnownVulnerableAction {
    fn id(&self) -> &'static str {
        "known-vulnerable-action"
    }

    fn check_job(&self, cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        if let Some(uses) = &job.job.uses {
            let chain = || Chain::to_called(cx, job.input, &job.job.id.value);
            check(cx, job.input, uses, None, &chain, out);
        }
    }

    fn check_step(&self, cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        if let Some(uses) = &step.step.uses {
            // The chain walks the graph: built only for a finding, as almost no `uses:` has one.
            let chain = || Chain::to_uses(cx, step.input, step.job_index, step.step.index);
            let comment = step.step.uses_comment();
            check(cx, step.input, uses, comment, &chain, out);
        }
    }
}

/// Where the version judged was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum From {
    Tag,
    Lock,
    Comment,
}

/// The version `uses:` runs, as far as the files tell, and where it was read: the tag
/// itself; for a commit, the version `actions.lock` records for it, else its comment.
fn version_of(
    cx: &Context<'_>,
    input: &Input,
    r: &UsesRef,
    comment: Option<&str>,
) -> Option<(String, From)> {
    match r.ref_kind {
        RefKind::Tag | RefKind::Branch => Some((r.git_ref.clone(), From::Tag)),
        RefKind::Sha => {
            let sha = r.git_ref.to_ascii_lowercase();
            let action = r.action();
            let locked = locks(cx, input).find_map(|(_, lock)| {
                entries(lock, &action)
                    .find(|(_, tag, commit)| {
                        *commit == sha && *tag != sha && version_in(tag).is_some()
                    })
                    .map(|(_, tag, _)| tag.to_owned())
            });
            locked.map(|v| (v, From::Lock)).or_else(|| {
                comment
                    .and_then(version_in)
                    .map(|v| (v.to_owned(), From::Comment))
            })
        }
        RefKind::ShortSha | RefKind::Expression => None,
    }
}

const MOVED_TAG_FIX: &str = "pin a commit SHA you have checked against the advisory instead of the moved tag (a commit pinned before the compromise is not affected by it)";
const NO_FIX: &str =
    "no fixed version is known: remove the action or pin a commit you have reviewed";

fn impact(severity: &str) -> Impact {
    match severity {
        "critical" => Impact::Critical,
        "high" => Impact::High,
        "low" => Impact::Low,
        _ => Impact::Medium,
    }
}

fn check(
    cx: &Context<'_>,
    input: &Input,
    uses: &Spanned<Uses>,
    comment: Option<&str>,
    chain: &dyn Fn() -> Chain,
    out: &mut Sink<'_>,
) {
    let Uses::Remote(r) = &uses.value else { return };
    inside(input, uses, r, comment, chain, out);
    let Some((version, from)) = version_of(cx, input, r, comment) else {
        return;
    };
    let base = tollgate_kb::action_advisories();
    let action = r.action();
    for (advisory, entry) in base.affecting_repo(&r.slug(), r.path.as_deref(), &version) {
        report(
            &input.source,
            uses,
            &action,
            &version,
            from,
            advisory,
            entry,
            base.snapshot_date.as_str(),
            chain(),
            out,
        );
    }
}

/// An action inside a remote action, with the version its `action.yml` gives it and an
/// advisory affecting that version.
struct AffectedInside<'s> {
    inner: Inner<'s>,
    version: String,
    advisory: &'static Advisory,
    entry: &'static Affected,
}

/// What remote action `r` (with its `comment`) runs inside, as far as the snapshot `base`
/// follows it, that an advisory lists as affected: by the inner tag, or the version
/// comment beside an inner commit; a bare inner commit is not guessed.
fn affected_inside<'s>(
    base: &'s tollgate_kb::snapshot::Snapshot,
    r: &UsesRef,
    comment: Option<&str>,
) -> Vec<AffectedInside<'s>> {
    let advisories = tollgate_kb::action_advisories();
    let mut out = Vec::new();
    for inner in walk_in(base, r, comment) {
        let i = &inner.r;
        let version = match i.ref_kind {
            RefKind::Tag | RefKind::Branch => i.git_ref.clone(),
            RefKind::Sha => match inner.comment.and_then(version_in) {
                Some(v) => v.to_owned(),
                None => continue,
            },
            RefKind::ShortSha | RefKind::Expression => continue,
        };
        for (advisory, entry) in advisories.affecting_repo(&i.slug(), i.path.as_deref(), &version) {
            out.push(AffectedInside {
                inner: inner.clone(),
                version: version.clone(),
                advisory,
                entry,
            });
        }
    }
    out
}

/// Report what remote action `r` (written at `uses`) runs inside that an advisory lists.
fn inside(
    input: &Input,
    uses: &Spanned<Uses>,
    r: &UsesRef,
    comment: Option<&str>,
    chain: &dyn Fn() -> Chain,
    out: &mut Sink<'_>,
) {
    let snapshot = tollgate_kb::action_snapshot();
    let dates = (
        &snapshot.snapshot_date,
        &tollgate_kb::action_advisories().snapshot_date,
    );
    for found in affected_inside(snapshot, r, comment) {
        let AffectedInside {
            inner,
            version,
            advisory,
            entry,
        } = found;
        let i = &inner.r;
        let fixed = advisory.upgrade_to(entry).map_or_else(
            || "no fixed version is known".to_owned(),
            |f| format!("fixed in {f}"),
        );
        let mut message = format!(
            "action `{}@{}` runs `{}` ({version}) inside, which is affected by {} ({}): {}; {fixed}",
            r.action(),
            r.git_ref,
            i.action(),
            advisory.id,
            advisory.severity,
            advisory.summary.trim_end_matches('.')
        );
        if let Some(a) = inner.approximate(dates.0) {
            message.push_str(&a);
        }
        out.at(&input.source, uses.span)
            .message(message)
            .severity(impact(&advisory.severity))
            .confidence(if inner.exact {
                Confidence::High
            } else {
                Confidence::Medium
            })
            .help(format!(
                "use a release of `{}` that runs a fixed `{}`, or ask its maintainers to; see {} (advisory snapshot of {})",
                r.action(),
                i.action(),
                advisory.source,
                dates.1
            ))
            .path(inner.hops(chain()).into_hops())
            .emit();
    }
}

#[allow(clippy::too_many_arguments)]
fn report(
    file: &SourceFile,
    uses: &Spanned<Uses>,
    action: &str,
    version: &str,
    from: From,
    advisory: &Advisory,
    entry: &Affected,
    snapshot: &str,
    chain: Chain,
    out: &mut Sink<'_>,
) {
    let read = match from {
        From::Tag => format!("`{action}@{version}`"),
        From::Lock => format!("`{action}` (`{version}` by `actions.lock`)"),
        From::Comment => format!("`{action}` (`{version}` by its comment)"),
    };
    let fixed = advisory.upgrade_to(entry);
    let what = if entry.versions.is_empty() {
        match (fixed, &entry.last_affected) {
            (Some(f), _) => format!("fixed in {f}"),
            (None, Some(l)) => format!("affected up to {l}"),
            (None, None) => "no fixed version".to_owned(),
        }
    } else {
        format!("the tag `{version}` is listed as compromised")
    };
    let fix = match fixed {
        Some(f) => {
            format!("upgrade to {f} or later, pinned by commit SHA with the version as a comment")
        }
        None if !entry.versions.is_empty() => MOVED_TAG_FIX.to_owned(),
        None => match &entry.last_affected {
            Some(l) => format!(
                "upgrade to a release after {l}, pinned by commit SHA with the version as a comment"
            ),
            None => NO_FIX.to_owned(),
        },
    };
    let message = format!(
        "{read} is affected by {} ({}): {}; {what}",
        advisory.id,
        advisory.severity,
        advisory.summary.trim_end_matches('.')
    );
    out.at(file, uses.span)
        .message(message)
        .severity(impact(&advisory.severity))
        .help(format!(
            "{fix}; see {} (advisory snapshot of {snapshot})",
            advisory.source
        ))
        .path(chain.into_hops())
        .emit();
}

#[cfg(test)]
mod tests {
    use tollgate_gha::Uses;

    /// Three levels down the test snapshot, `o/inner` runs tj-actions/changed-files at
    /// a commit whose comment says v35.1.0: both of its advisories (fixed in 41, and the
    /// March 2025 compromise of every tag up to 45.0.7) apply, approximately, since
    /// `o/inner`'s pinned commit is not the one read; `o/leaf@v3` has none.
    #[test]
    fn advisories_apply_to_actions_inside_composite_actions() {
        let base = super::super::unpinned_action_inside::tests::nested();
        let Uses::Remote(outer) = Uses::parse("o/outer@v1") else {
            panic!("remote");
        };
        let found = super::affected_inside(&base, &outer, None);
        let ids: Vec<(&str, &str, &str, bool)> = found
            .iter()
            .map(|f| {
                (
                    f.inner.written.split('@').next().unwrap_or(""),
                    f.version.as_str(),
                    f.advisory.id.as_str(),
                    f.inner.exact,
                )
            })
            .collect();
        assert_eq!(
            ids,
            [
                (
                    "tj-actions/changed-files",
                    "v35.1.0",
                    "GHSA-mcph-m25j-8j63",
                    false
                ),
                (
                    "tj-actions/changed-files",
                    "v35.1.0",
                    "GHSA-mrrh-fwg8-r2c3",
                    false
                ),
            ]
        );
    }
}

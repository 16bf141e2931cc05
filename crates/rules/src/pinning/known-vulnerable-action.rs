//! `known-vulnerable-action`: a `uses:` whose version an advisory of the knowledge
//! snapshot (`rules/data/action-advisories.toml`) lists as affected. The version is the
//! ref itself when it is a tag, else what `actions.lock` records for the pinned commit,
//! else the version comment beside it; a commit with neither is not guessed.

use tollgate_engine::{Context, JobCx, Rule, Sink, StepCx};
use tollgate_gha::{RefKind, Spanned, Uses, UsesRef};
use tollgate_kb::advisories::{Advisory, Affected};
use tollgate_model::{Impact, SourceFile};
use tollgate_scan::Input;

use super::ref_version_mismatch::{entries, locks, version_in};
use crate::chain::Chain;

pub struct KnownVulnerableAction;

impl Rule for KnownVulnerableAction {
    fn id(&self) -> &'static str {
        "known-vulnerable-action"
    }

    fn check_job(&self, cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        if let Some(uses) = &job.job.uses {
            let chain = Chain::to_called(cx, job.input, &job.job.id.value);
            check(cx, job.input, uses, None, chain, out);
        }
    }

    fn check_step(&self, cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        if let Some(uses) = &step.step.uses {
            let chain = Chain::to_uses(cx, step.input, step.job_index, step.step.index);
            let comment = step.step.uses_comment.as_deref();
            check(cx, step.input, uses, comment, chain, out);
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
    chain: Chain,
    out: &mut Sink<'_>,
) {
    let Uses::Remote(r) = &uses.value else { return };
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
            chain.clone(),
            out,
        );
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

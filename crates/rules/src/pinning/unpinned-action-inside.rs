//! `unpinned-action` inside remote actions: a composite action of the action snapshot
//! (`rules/data/action-snapshot.toml`) whose own steps `uses:` an action by a tag or
//! branch. Pinning the outer action by commit does not pin those: GitHub resolves them
//! when the step runs. The finding is at the outer `uses:`, with the chain continuing
//! into the remote action; when the snapshot was read at another version than the one
//! used, it says so and is less confident.

use tollgate_engine::Context;
use tollgate_engine::Sink;
use tollgate_engine::config::PinPolicy;
use tollgate_gha::{RefKind, Spanned, Uses, UsesRef};
use tollgate_model::{Confidence, Impact};

use super::ref_version_mismatch::version_in;
use super::unpinned_action::{Site, policy};

/// Report each unpinned `uses:` inside the remote action `r` (written at `uses`), when
/// the snapshot knows it.
pub(super) fn check(
    cx: &Context<'_>,
    at: &Site<'_>,
    uses: &Spanned<Uses>,
    r: &UsesRef,
    out: &mut Sink<'_>,
) {
    let base = tollgate_kb::action_snapshot();
    let Some(snap) = base.of(&r.action()) else {
        return;
    };
    if snap.steps_uses.is_empty() {
        return;
    }
    let exact = snap.is_version(&r.git_ref)
        || at
            .comment
            .and_then(version_in)
            .is_some_and(|v| snap.is_version(v));
    // What the snapshot read: the newest release when it read that release's commit,
    // else the commit itself.
    let read_at = match (&snap.latest_version, &snap.latest_commit) {
        (Some(v), Some(c)) if *c == snap.commit => v.clone(),
        _ => format!("commit {}", &snap.commit[..12]),
    };
    let mut seen: Vec<&str> = Vec::new();
    for inner in &snap.steps_uses {
        if seen.contains(&inner.as_str()) {
            continue;
        }
        seen.push(inner);
        let Uses::Remote(i) = Uses::parse(inner) else {
            continue;
        };
        let pinned = match policy(cx, &i) {
            PinPolicy::Any => true,
            PinPolicy::RefPin => i.ref_kind == RefKind::Tag,
            PinPolicy::HashPin => i.ref_kind == RefKind::Sha,
        };
        if pinned {
            continue;
        }
        let what = match i.ref_kind {
            RefKind::Branch => "a branch",
            RefKind::ShortSha => "an abbreviated SHA",
            RefKind::Expression => "an expression",
            _ => "a tag",
        };
        let mut message = format!(
            "action `{}@{}` runs `{inner}` inside, pinned to {what}: pinning the outer action does not pin what its steps use",
            r.action(),
            r.git_ref
        );
        if !exact {
            message.push_str(&format!(
                " (approximate: read from `{}` at {read_at}, snapshot of {}, not the version used)",
                snap.uses, base.snapshot_date
            ));
        }
        let chain = at.chain.clone().hop(
            format!(
                "`{}` ({read_at}) uses `{inner}` in a composite step",
                snap.uses
            ),
            None,
        );
        out.at(at.file, uses.span)
            .message(message)
            .severity(Impact::Medium)
            .confidence(if exact {
                Confidence::High
            } else {
                Confidence::Medium
            })
            .help(format!(
                "use a release of `{}` that pins `{}` by commit SHA, or ask its maintainers to; the action's `action.yml`: {}",
                r.action(),
                i.action(),
                snap.source
            ))
            .path(chain.into_hops())
            .emit();
    }
}

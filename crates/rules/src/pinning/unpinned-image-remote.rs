//! `unpinned-image` inside remote actions: the graph's `pulls` edge from a step to the
//! `docker://` image a remote docker action of the action snapshot
//! (`rules/data/action-snapshot.toml`) runs. Whatever ref the step pins the action to,
//! the runner pulls that image by what its `action.yml` names. The finding is at the
//! step's `uses:`, with the chain continuing into the action; when the snapshot was read
//! at another version than the one used, it says so and is less confident.

use tollgate_engine::Context;
use tollgate_gha::{Step, Uses};
use tollgate_model::{PathHop, Span};
use tollgate_scan::Input;

use super::ref_version_mismatch::version_in;
use crate::chain::Chain;

/// How a snapshot docker action's image is reported.
pub(super) struct Remote {
    /// What pulls the image, for the message.
    pub what: String,
    pub path: Vec<PathHop>,
    /// Appended to the message when the snapshot read another version.
    pub approximate: Option<String>,
}

/// The description of the pull of `image` at `at` by `step` (of job `job` of `input`, or
/// of a composite action when `None`), when it is the `runs.image` of the remote docker
/// action the step uses.
pub(super) fn describe(
    cx: &Context<'_>,
    input: &Input,
    job: Option<usize>,
    step: &Step,
    image: &str,
    at: Span,
) -> Option<Remote> {
    let uses = step.uses.as_ref().filter(|u| u.span == at)?;
    let Uses::Remote(r) = &uses.value else {
        return None;
    };
    let base = tollgate_kb::action_snapshot();
    let snap = base.of(&r.action())?;
    let runs = snap.image.as_deref()?.strip_prefix("docker://")?;
    if runs != image {
        return None;
    }
    let exact = snap.is_version(&r.git_ref)
        || step
            .uses_comment()
            .and_then(version_in)
            .is_some_and(|v| snap.is_version(v));
    let read_at = match (&snap.latest_version, &snap.latest_commit) {
        (Some(v), Some(c)) if *c == snap.commit => v.clone(),
        _ => format!("commit {}", &snap.commit[..12]),
    };
    let path = Chain::to_uses(cx, input, job, step.index)
        .hop(
            format!(
                "`{}` ({read_at}) runs `{}` (its `runs.image`)",
                snap.uses,
                crate::common::quoted(image)
            ),
            None,
        )
        .into_hops();
    Some(Remote {
        what: format!("docker action `{}`'s image", r.action()),
        path,
        approximate: (!exact).then(|| {
            format!(
                " (approximate: read from `{}` at {read_at}, snapshot of {}, not the version used)",
                snap.uses, base.snapshot_date
            )
        }),
    })
}

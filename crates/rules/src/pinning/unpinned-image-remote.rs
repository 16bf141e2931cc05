//! `unpinned-image` inside remote actions: a docker action of the action snapshot
//! (`rules/data/action-snapshot.toml`) whose `runs.image` is a `docker://` reference
//! without a digest. Whatever ref the step pins the action to, the runner pulls that
//! image by its tag. The finding is at the step's `uses:`, with the chain continuing into
//! the action; when the snapshot was read at another version than the one used, it says
//! so and is less confident.

use tollgate_engine::{Context, Sink};
use tollgate_gha::{Step, Uses};
use tollgate_graph::ImagePin;
use tollgate_model::Confidence;
use tollgate_scan::Input;

use super::ref_version_mismatch::version_in;
use crate::chain::Chain;

/// Judge the image of each remote docker action the snapshot knows among `steps` (of job
/// `job` of `input`, or of a composite action when `None`).
pub(super) fn check(
    cx: &Context<'_>,
    input: &Input,
    job: Option<usize>,
    steps: &[Step],
    out: &mut Sink<'_>,
) {
    let base = tollgate_kb::action_snapshot();
    let repository = cx.scan.repository_of(input);
    for step in steps {
        let Some(uses) = &step.uses else { continue };
        let Uses::Remote(r) = &uses.value else {
            continue;
        };
        if repository.is_some_and(|repo| repo.is(&r.slug())) {
            continue;
        }
        let Some(snap) = base.of(&r.action()) else {
            continue;
        };
        let Some(image) = snap
            .image
            .as_deref()
            .and_then(|i| i.strip_prefix("docker://"))
        else {
            continue;
        };
        let exact = snap.is_version(&r.git_ref)
            || step
                .uses_comment
                .as_deref()
                .and_then(version_in)
                .is_some_and(|v| snap.is_version(v));
        let read_at = match (&snap.latest_version, &snap.latest_commit) {
            (Some(v), Some(c)) if *c == snap.commit => v.clone(),
            _ => format!("commit {}", &snap.commit[..12]),
        };
        let what = format!("docker action `{}`'s image", r.action());
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
        let before = out.len();
        super::unpinned_image::check(
            &input.source,
            image,
            None,
            ImagePin::of(image),
            uses.span,
            &what,
            Some(path),
            out,
        );
        if !exact {
            out.amend_since(
                before,
                Confidence::Medium,
                &format!(
                    " (approximate: read from `{}` at {read_at}, snapshot of {}, not the version used)",
                    snap.uses, base.snapshot_date
                ),
            );
        }
    }
}

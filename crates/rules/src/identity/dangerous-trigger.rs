//! `dangerous-trigger`: a job of a workflow that anyone can fire with the base
//! repository's token and secrets (`pull_request_target`, `workflow_run`, …) that checks
//! out or fetches the untrusted head, so code from a fork runs with them.
//!
//! A query over the graph: the workflow's trigger nodes carry who can fire them and
//! whether the run is privileged, and the trust pass (`tollgate_facts::trust`) gives
//! every step that checks out the head a `checks-out` edge, located at the value or the
//! command, with what it does in words.

use tollgate_engine::{Context, JobCx, Rule, Sink};
use tollgate_facts::trust::GuardKind;
use tollgate_model::{Confidence, Impact};

use super::util::job_index;
use crate::chain::Chain;

pub struct DangerousTrigger;

impl Rule for DangerousTrigger {
    fn id(&self) -> &'static str {
        "dangerous-trigger"
    }

    fn check_job(&self, cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        let wf = job.workflow;
        let Some(on) = &wf.on else { return };
        let file = &job.input.source;
        let g = cx.graph;
        let Some(input) = g.input_id(&file.display) else {
            return;
        };
        let j = job_index(wf, job.job);
        let checkouts = tollgate_facts::trust::of(g);
        // (step index, where, the checkout as the trust pass recorded it: what the
        // step does, on which event, under which guard) for every `checks-out` edge of
        // the job's steps.
        let hits: Vec<_> = job
            .job
            .steps
            .iter()
            .filter_map(|s| Some((s.index, g.step_node(input, j, s.index)?)))
            .flat_map(|(index, node)| {
                g.checkouts_of(node)
                    .into_iter()
                    .filter_map(move |(at, _)| Some((index, at, checkouts.get(at)?)))
            })
            .collect();
        if hits.is_empty() {
            return;
        }
        // What the job holds, as the graph records it (the job's own block or the
        // workflow's; every secret the job's expressions reference, `secrets: inherit`).
        let node = g.job_node(&file.display, &job.job.id.value);
        let secrets = node.is_some_and(|n| g.holds_secrets(n));
        let writes = node.is_none_or(|n| g.token_can_write(n));
        let (severity, holds) = match (secrets, writes) {
            (true, true) => (Impact::Critical, "with secrets and a token that can write"),
            (true, false) => (Impact::High, "with secrets"),
            (false, true) => (Impact::High, "with a token that can write"),
            (false, false) => (
                Impact::Medium,
                "with the base repository's cache and read token",
            ),
        };
        for (step, at, checkout) in hits {
            let span = at.span();
            let (trigger, what) = (checkout.event.as_str(), checkout.what.as_str());
            // A job limited by its `if:` (or a job it needs) to pull requests from the
            // same repository, to members or to labelled pull requests: the guard is
            // only as good as its expression (and a label stays when the author pushes
            // again), so say so with lower confidence rather than stay silent.
            let guard = checkout.guard.as_ref();
            // trigger → workflow → job → step → (the guard) → the untrusted checkout.
            let mut path = Chain::to_step(cx, job.input, j, step)
                .first(format!("on: `{trigger}`"), Some(file.location(on.key)));
            if let Some(g) = guard {
                path = path.hop(
                    format!("`if:` limits the run to {}", g.kind.describe()),
                    Some(file.location(g.at.span())),
                );
            }
            let path = path.hop(format!("{what} {holds}"), Some(file.location(span)));
            let (confidence, limited) = match guard.map(|g| g.kind) {
                None => (Confidence::High, String::new()),
                // The label stays when the author pushes again, and a branch checked out
                // later is whatever was pushed last.
                Some(k @ GuardKind::Label) if checkout.mutable => (
                    Confidence::High,
                    format!(
                        " (`if:` limits it to {}, but what it checks out can change after the label is set)",
                        k.describe()
                    ),
                ),
                Some(k) => (
                    if k == GuardKind::SameRepository {
                        Confidence::Low
                    } else {
                        Confidence::Medium
                    },
                    format!(" (`if:` limits it to {})", k.describe()),
                ),
            };
            out.at(file, span)
                .message(format!(
                    "`{trigger}` job `{}` {what}, running untrusted code {holds}{limited}",
                    crate::common::quoted(&job.job.id.value)
                ))
                .severity(severity)
                .confidence(confidence)
                .related(file, on.key, format!("triggered by `{trigger}`"))
                .help(format!(
                    "do not build or run the pull request's code in a `{trigger}` workflow: move that work to a `pull_request` workflow (no secrets, read-only token) and, if results must be posted, pass them as an artifact to a separate privileged job that never executes them"
                ))
                .path(path.into_hops())
                .emit();
        }
    }
}

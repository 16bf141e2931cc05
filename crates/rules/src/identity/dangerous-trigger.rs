//! `dangerous-trigger`: a job of a workflow that anyone can fire with the base
//! repository's token and secrets (`pull_request_target`, `workflow_run`, …) that checks
//! out or fetches the untrusted head, so code from a fork runs with them.
//!
//! A query over the graph: the workflow's trigger nodes carry who can fire them and
//! whether the run is privileged, and the trust pass (`tollgate_facts::trust`) gives
//! every step that checks out the head a `checks-out` edge, located at the value or the
//! command, with what it does in words.

use tollgate_engine::{Context, JobCx, Rule, Sink};
use tollgate_graph::NodeKind;
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
        let Some(trigger) = g
            .file_node(input)
            .and_then(|w| g.untrusted_privileged_trigger(w))
            .and_then(|t| match &g.node(t)?.kind {
                NodeKind::Trigger { event, .. } => Some(event.as_str()),
                _ => None,
            })
        else {
            return;
        };
        let j = job_index(wf, job.job);
        let checkouts = tollgate_facts::trust::of(g);
        // (step index, span, what the step does) for every `checks-out` edge of the
        // job's steps.
        let hits: Vec<_> = job
            .job
            .steps
            .iter()
            .filter_map(|s| Some((s.index, g.step_node(input, j, s.index)?)))
            .flat_map(|(index, node)| {
                g.checkouts_of(node).into_iter().filter_map(move |(at, _)| {
                    Some((index, at.span(), checkouts.describe(at)?.to_owned()))
                })
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
        // A job limited to pull requests from branches of the same repository does not
        // run code from forks; the guard is only as good as its expression, so say so
        // with lower confidence rather than stay silent.
        let guarded = [job.job.if_.as_ref()]
            .into_iter()
            .flatten()
            .chain(job.job.steps.iter().filter_map(|s| s.if_.as_ref()))
            .any(|c| same_repo_guard(&c.value));
        for (step, span, what) in hits {
            // trigger → workflow → job → step → the untrusted checkout.
            let path = Chain::to_step(cx, job.input, j, step)
                .first(format!("on: `{trigger}`"), Some(file.location(on.key)))
                .hop(format!("{what} {holds}"), Some(file.location(span)));
            out.at(file, span)
                .message(format!(
                    "`{trigger}` job `{}` {what}, running untrusted code {holds}",
                    crate::common::quoted(&job.job.id.value)
                ))
                .severity(severity)
                .confidence(if guarded { Confidence::Low } else { Confidence::High })
                .related(file, on.key, format!("triggered by `{trigger}`"))
                .help(format!(
                    "do not build or run the pull request's code in a `{trigger}` workflow: move that work to a `pull_request` workflow (no secrets, read-only token) and, if results must be posted, pass them as an artifact to a separate privileged job that never executes them"
                ))
                .path(path.into_hops())
                .emit();
        }
    }
}

fn same_repo_guard(cond: &str) -> bool {
    let c: String = cond
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    c.contains("head.repo.full_name==github.repository")
        || c.contains("github.repository==github.event.pull_request.head.repo.full_name")
        || c.contains("head_repository.full_name==github.repository")
        || c.contains("github.repository==github.event.workflow_run.head_repository.full_name")
        || c.contains("head.repo.fork==false")
        || c.contains("!github.event.pull_request.head.repo.fork")
}

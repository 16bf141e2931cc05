//! `self-hosted-runner-exposure`: a job on a self-hosted runner that an event anyone can
//! fire starts (a pull request from a fork, an issue comment, …) with no condition that
//! keeps outsiders out: their code or input runs on a machine that outlives the job.

use tollgate_engine::{Context, JobCx, Rule, Sink};
use tollgate_facts::trust::{job_guard, runs_on};
use tollgate_graph::{NodeKind, Trust};
use tollgate_model::Impact;

use crate::chain::Chain;

pub struct SelfHostedRunnerExposure;

impl Rule for SelfHostedRunnerExposure {
    fn id(&self) -> &'static str {
        "self-hosted-runner-exposure"
    }

    fn check_job(&self, cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        let Some(runner) = self_hosted(job) else {
            return;
        };
        let Some(j) = super::util::job_index(job.workflow, job.job) else {
            return;
        };
        let Some(node) = cx
            .graph
            .job_node(&job.input.source.display, &job.job.id.value)
        else {
            return;
        };
        let Some(workflow) = cx.graph.workflow_of(node) else {
            return;
        };
        // The events anyone can fire that reach the job unguarded, most dangerous first.
        let kb = tollgate_kb::triggers();
        let mut open: Vec<(&str, bool)> = cx
            .graph
            .triggers_of(workflow)
            .into_iter()
            .filter_map(|t| match &cx.graph.node(t)?.kind {
                NodeKind::Trigger {
                    event,
                    trust: Trust::Anyone,
                    privileged,
                } => Some((event.as_str(), *privileged)),
                _ => None,
            })
            .filter(|(event, _)| {
                runs_on(job.workflow, j, None, event) && job_guard(job.workflow, j, event).is_none()
            })
            .collect();
        open.sort_by_key(|(e, _)| kb.rank(e));
        open.dedup();
        let Some(&(event, privileged)) = open.first() else {
            return;
        };
        let more = match open.len() {
            1 => String::new(),
            n => format!(
                " (and {})",
                crate::common::plural(n - 1, "more event", "more events")
            ),
        };
        let what = if privileged {
            "the run holds the repository's token and secrets"
        } else {
            "a pull request from a fork runs its own code"
        };
        let (span, runner_text) = runner;
        out.at(&job.input.source, span)
            .message(format!(
                "job `{}` runs on a self-hosted runner ({runner_text}) and `{event}`{more} lets anyone start it: {what} on a machine that keeps what one job leaves for the next",
                crate::common::quoted(&job.job.id.value)
            ))
            .help("run jobs that outsiders can start on GitHub-hosted runners, or limit the job with an `if:` to pull requests from the same repository (`github.event.pull_request.head.repo.full_name == github.repository`) or to members; use ephemeral (just-in-time) self-hosted runners and require approval for fork pull requests")
            .severity(if privileged { Impact::Critical } else { Impact::High })
            .path(
                Chain::to_job(cx, job.input, &job.job.id.value)
                    .hop(
                        format!("runs on a self-hosted runner ({runner_text})"),
                        Some(job.input.source.location(span)),
                    )
                    .into_hops(),
            )
            .emit();
    }
}

/// Where the job's self-hosted runner is named, and how: a `self-hosted` label, a runner
/// group, or a matrix value that makes the label `self-hosted`.
fn self_hosted(job: &JobCx<'_>) -> Option<(tollgate_model::Span, String)> {
    let r = job.job.runs_on.as_ref()?;
    if let Some(g) = &r.group {
        return Some((
            g.span,
            format!("group `{}`", crate::common::quoted(&g.value)),
        ));
    }
    if let Some(l) = r.labels.iter().find(|l| l.value == "self-hosted") {
        return Some((l.span, "label `self-hosted`".to_owned()));
    }
    let matrix = job.job.matrix.as_ref()?;
    r.labels.iter().find_map(|l| {
        let values = matrix.expand(&l.value)?;
        let v = values.iter().find(|v| v.value == "self-hosted")?;
        Some((
            v.span,
            format!(
                "`{}` is `self-hosted` in the matrix",
                crate::common::quoted(&l.value)
            ),
        ))
    })
}

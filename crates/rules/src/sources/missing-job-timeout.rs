//! `missing-job-timeout`: a job that reaches external hosts and sets no `timeout-minutes`.
//! GitHub's default is 360 minutes, so one hung download holds the runner (and, on
//! self-hosted runners, the machine) for six hours before anything fails.

use tollgate_engine::{Context, JobCx, Rule, Sink};
use tollgate_inventory::is_platform_host;

use super::job_node;

pub struct MissingJobTimeout;

/// The single-CPU GitHub-hosted runner label; its jobs run at most 15 minutes.
const SLIM: &str = "ubuntu-slim";

impl Rule for MissingJobTimeout {
    fn id(&self) -> &'static str {
        "missing-job-timeout"
    }

    fn check_job(&self, cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        let j = job.job;
        // A reusable-workflow call cannot set `timeout-minutes`; the called jobs can.
        if j.uses.is_some() || j.timeout_minutes.is_some() {
            return;
        }
        // GitHub stops a job on a single-CPU runner (`ubuntu-slim`) after 15 minutes
        // ("GitHub-hosted runners reference", single-CPU runners): it is bounded already.
        if j.runs_on.as_ref().is_some_and(|r| {
            r.group.is_none()
                && r.labels.len() == 1
                && r.labels[0].value.trim().eq_ignore_ascii_case(SLIM)
        }) {
            return;
        }
        // Every step bounded on its own bounds the job too.
        if !j.steps.is_empty() && j.steps.iter().all(|s| s.timeout_minutes().is_some()) {
            return;
        }
        let Some(node) = job_node(cx, job.input, job.workflow, j) else {
            return;
        };
        // The hosts the egress pass put in the graph, outside GitHub's own.
        let hosts: Vec<&str> = cx
            .graph
            .hosts_of(node)
            .into_iter()
            .filter(|h| !is_platform_host(h.trim_start_matches("*.")))
            .collect();
        let Some(first) = hosts.first() else { return };
        let more = match hosts.len() {
            1 => String::new(),
            n => format!(
                " and {}",
                crate::common::plural(n - 1, "more host", "more hosts")
            ),
        };
        out.at(&job.input.source, j.id.span)
            .message(format!(
                "job `{}` reaches `{first}`{more} but sets no `timeout-minutes` (the default is 360)",
                crate::common::quoted(&j.id.value)
            ))
            .help("set `timeout-minutes:` on the job to a few times its usual run time, so a hung download fails the job in minutes instead of holding the runner for six hours")
            .emit();
    }
}

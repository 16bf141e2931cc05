//! `tollgate egress`: the outbound destinations of every job, as harden-runner
//! `allowed-endpoints` blocks, JSON with provenance, or text.

use tollgate_egress::JobEgress;
use tollgate_report::egress;

use crate::args::{EgressArgs, EgressFormat};
use crate::{CliError, EXIT_CLEAN, output};

/// Whether a job matches a `--workflow` filter: its workflow's path, file name, file stem
/// or `name:`.
fn workflow_matches(job: &JobEgress, pattern: &str) -> bool {
    tollgate_graph::util::workflow_matches(&job.workflow, job.workflow_name.as_deref(), pattern)
}

pub fn run(args: &EgressArgs, repository: Option<&str>) -> Result<u8, CliError> {
    let (_scan, graph) = crate::inputs::scan_and_graph(&args.paths, repository)?;
    let egress = tollgate_egress::of(&graph);
    let jobs: Vec<_> = egress
        .jobs
        .iter()
        .filter(|j| {
            args.workflow.is_empty() || args.workflow.iter().any(|w| workflow_matches(j, w))
        })
        .filter(|j| args.job.is_empty() || args.job.contains(&j.job_id))
        .collect();
    let unmatched: Vec<&str> = args
        .workflow
        .iter()
        .filter(|w| !jobs.iter().any(|j| workflow_matches(j, w)))
        .chain(
            args.job
                .iter()
                .filter(|id| !jobs.iter().any(|j| j.job_id == **id)),
        )
        .map(String::as_str)
        .collect();
    if !unmatched.is_empty() {
        return Err(CliError::Usage(format!(
            "no workflow or job matches `{}`",
            unmatched.join("`, `")
        )));
    }
    let text = match args.format {
        EgressFormat::HardenRunner => egress::harden_runner::render(&jobs),
        EgressFormat::Text => egress::text::render(&jobs),
        EgressFormat::Json => {
            // Written straight to the output, like `check --format json`.
            let doc = egress::json::document(&jobs);
            output::emit_with(args.output.as_deref(), |w| {
                tollgate_report::escape::to_writer_pretty(&mut *w, &doc)?;
                w.write_all(b"\n")
            })?;
            return Ok(EXIT_CLEAN);
        }
    };
    output::emit(args.output.as_deref(), &text)?;
    Ok(EXIT_CLEAN)
}

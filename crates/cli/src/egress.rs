//! `tollgate egress`: the outbound destinations of every job, as harden-runner
//! `allowed-endpoints` blocks, JSON with provenance, or text.

use tollgate_egress::render;
use tollgate_graph::Graph;
use tollgate_scan::{ScanOptions, scan};

use crate::args::{EgressArgs, EgressFormat};
use crate::{CliError, EXIT_CLEAN, output};

pub fn run(args: &EgressArgs) -> Result<u8, CliError> {
    let scan = scan(&args.paths, &ScanOptions::default());
    let (graph, diagnostics) = Graph::build(&scan);
    // Problems with inputs do not stop the listing; they go to standard error so the
    // output stays valid YAML or JSON.
    for d in scan.diagnostics.iter().chain(&diagnostics) {
        if d.severity != tollgate_model::Severity::Note {
            let at = d.location.as_ref().map_or_else(String::new, |l| {
                format!(":{}:{}", l.start.line, l.start.column)
            });
            output::error(&format!("{}{at}: {}", d.path, d.message));
        }
    }
    let egress = tollgate_egress::analyze(&scan, &graph);
    let jobs: Vec<_> = egress
        .jobs
        .iter()
        .filter(|j| {
            args.workflow.is_empty() || args.workflow.iter().any(|w| render::workflow_matches(j, w))
        })
        .filter(|j| args.job.is_empty() || args.job.contains(&j.job_id))
        .collect();
    let unmatched: Vec<&str> = args
        .workflow
        .iter()
        .filter(|w| !jobs.iter().any(|j| render::workflow_matches(j, w)))
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
        EgressFormat::HardenRunner => render::harden_runner(&jobs),
        EgressFormat::Text => render::text(&jobs),
        EgressFormat::Json => render::json(&jobs).map_err(|e| CliError::Usage(e.to_string()))?,
    };
    output::emit(args.output.as_deref(), &text)?;
    Ok(EXIT_CLEAN)
}

//! `tollgate graph`: the dependency graph as Graphviz DOT, Mermaid or JSON.

use tollgate_graph::{Graph, GraphFilter};
use tollgate_scan::{ScanOptions, scan};

use crate::args::{GraphArgs, GraphFormat};
use crate::{CliError, EXIT_CLEAN, output};

pub fn run(args: &GraphArgs) -> Result<u8, CliError> {
    let kinds = match &args.kinds {
        Some(k) => GraphFilter::parse_kinds(k).map_err(CliError::Usage)?,
        None => Vec::new(),
    };
    let filter = GraphFilter {
        workflows: args.workflow.clone(),
        jobs: args.job.clone(),
        kinds,
        collapse_packages: args.collapse.iter().any(|c| c == "packages"),
    };
    let scan = scan(&args.paths, &ScanOptions::default());
    let (graph, diagnostics) = Graph::build(&scan);
    // Problems with inputs do not stop a diagram; they are reported on standard error so
    // the graph on standard output stays valid.
    for d in scan.diagnostics.iter().chain(&diagnostics) {
        if d.severity != tollgate_model::Severity::Note {
            let at = d.location.as_ref().map_or_else(String::new, |l| {
                format!(":{}:{}", l.start.line, l.start.column)
            });
            output::error(&format!("{}{at}: {}", d.path, d.message));
        }
    }
    let view = graph.view(&filter);
    if !view.unmatched.is_empty() {
        return Err(CliError::Usage(format!(
            "no workflow or job matches `{}`",
            view.unmatched.join("`, `")
        )));
    }
    let text = match args.format {
        GraphFormat::Dot => tollgate_report::dot::render_view(&view),
        GraphFormat::Mermaid => tollgate_report::mermaid::render_view(&view),
        GraphFormat::Json => {
            serde_json::to_string_pretty(&tollgate_report::graph_json::document_of(&view))
                .map_err(|e| CliError::Usage(e.to_string()))?
                + "\n"
        }
    };
    output::emit(args.output.as_deref(), &text)?;
    Ok(EXIT_CLEAN)
}

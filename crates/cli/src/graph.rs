//! `tollgate graph`: the dependency graph as Graphviz DOT, Mermaid or JSON.

use tollgate_graph::GraphFilter;

use crate::args::{GraphArgs, GraphFormat};
use crate::{CliError, EXIT_CLEAN, output};

pub fn run(args: &GraphArgs, repository: Option<&str>) -> Result<u8, CliError> {
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
    let (_scan, graph) = crate::inputs::scan_and_graph(&args.paths, repository)?;
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
            // Written straight to the output: the JSON of a large graph is large.
            let doc = tollgate_report::graph_json::document_of(&view);
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

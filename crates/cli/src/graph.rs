//! `tollgate graph`: the dependency graph as Graphviz DOT, Mermaid or JSON.

use tollgate_graph::GraphFilter;

use crate::args::{GraphArgs, GraphFormat, GraphViewArg};
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
    let view = effective_view(args)?;
    let (_scan, graph) = crate::inputs::scan_and_graph(&args.paths, repository)?;
    if view == GraphViewArg::Overview {
        return overview(args, &graph);
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
        GraphFormat::Mermaid => {
            let text = tollgate_report::mermaid::render_view(&view);
            warn_mermaid(&text);
            text
        }
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

/// The view to draw: the one asked for, else what the other flags imply.
fn effective_view(args: &GraphArgs) -> Result<GraphViewArg, CliError> {
    let detailed = args.kinds.is_some() || !args.collapse.is_empty();
    let view = match args.view {
        Some(v) => v,
        None if args.format == GraphFormat::Json || detailed => GraphViewArg::Full,
        None if !args.job.is_empty() => GraphViewArg::Job,
        None => GraphViewArg::Overview,
    };
    match view {
        GraphViewArg::Job if args.job.is_empty() => Err(CliError::Usage(
            "`--view job` draws the jobs `--job` names: give `--job ID`".to_owned(),
        )),
        GraphViewArg::Overview if args.format == GraphFormat::Json => Err(CliError::Usage(
            "the overview is drawn as DOT or Mermaid; `--format json` gives the full graph"
                .to_owned(),
        )),
        GraphViewArg::Overview if !args.job.is_empty() || detailed => Err(CliError::Usage(
            "`--job`, `--kinds` and `--collapse` narrow the detailed views: use `--view job` or `--view full`"
                .to_owned(),
        )),
        v => Ok(v),
    }
}

/// The overview of the workflows `--workflow` names (all when none).
fn overview(args: &GraphArgs, graph: &tollgate_graph::Graph) -> Result<u8, CliError> {
    let mut chosen = Vec::new();
    for pattern in &args.workflow {
        let found: Vec<_> = graph
            .workflows()
            .filter(|w| match graph.node(*w).map(|n| &n.kind) {
                Some(tollgate_graph::NodeKind::Workflow { path, name }) => {
                    tollgate_graph::util::workflow_matches(path, name.as_deref(), pattern)
                }
                _ => false,
            })
            .collect();
        if found.is_empty() {
            return Err(CliError::Usage(format!(
                "no workflow or job matches `{pattern}`"
            )));
        }
        chosen.extend(found);
    }
    let ov = graph.overview(&chosen);
    let text = match args.format {
        GraphFormat::Dot => {
            let text = tollgate_report::overview::dot(graph, &ov);
            let rows = ov
                .nodes
                .iter()
                .filter(|n| {
                    matches!(
                        n.kind,
                        tollgate_graph::OverviewKind::Job | tollgate_graph::OverviewKind::Workflow
                    )
                })
                .count();
            if rows > OVERVIEW_READABLE_ROWS {
                output::warning(&format!(
                    "the overview has {rows} workflow and job nodes, more than one page shows legibly ({OVERVIEW_READABLE_ROWS}); narrow it with `--workflow NAME`"
                ));
            }
            text
        }
        GraphFormat::Mermaid => {
            let text = tollgate_report::overview::mermaid(&ov);
            warn_mermaid(&text);
            text
        }
        GraphFormat::Json => unreachable!("refused by effective_view"),
    };
    output::emit(args.output.as_deref(), &text)?;
    Ok(EXIT_CLEAN)
}

/// Workflow and job nodes one page of the overview holds with labels still legible
/// (about 4,000 pixels at Graphviz's default 96 DPI, 40 to 50 pixels a row).
const OVERVIEW_READABLE_ROWS: usize = 120;

/// Say on standard error when Mermaid's default configuration will not draw the chart.
fn warn_mermaid(text: &str) {
    if let Some(why) = tollgate_report::overview::mermaid_limits(text) {
        output::warning(&format!(
            "this Mermaid chart has {why}; GitHub will not render it. Narrow it with `--workflow NAME` (or `--view overview`)"
        ));
    }
}

//! `tollgate graph`: the dependency graph as Graphviz DOT, SVG, Mermaid or JSON.

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
    if matches!(
        view,
        GraphViewArg::Overview | GraphViewArg::Trust | GraphViewArg::Supply
    ) {
        return overview(args, &graph, view);
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
        GraphFormat::Svg => svg(&tollgate_report::dot::render_view(&view))?,
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
    let drawn = matches!(
        view,
        GraphViewArg::Overview | GraphViewArg::Trust | GraphViewArg::Supply
    );
    match view {
        GraphViewArg::Job if args.job.is_empty() => Err(CliError::Usage(
            "`--view job` draws the jobs `--job` names: give `--job ID`".to_owned(),
        )),
        _ if drawn && args.format == GraphFormat::Json => Err(CliError::Usage(
            "the overview, trust and supply views are diagrams (DOT, SVG, Mermaid); `--format json` gives the full graph"
                .to_owned(),
        )),
        _ if drawn && (!args.job.is_empty() || detailed) => Err(CliError::Usage(
            "`--job`, `--kinds` and `--collapse` narrow the detailed views: use `--view job` or `--view full`"
                .to_owned(),
        )),
        _ if !drawn && args.split.is_some() => Err(CliError::Usage(
            "`--split` writes the overview, trust or supply view per workflow".to_owned(),
        )),
        v => Ok(v),
    }
}

/// The overview (or trust view) of the workflows `--workflow` names (all when none),
/// one file per workflow with `--split`.
fn overview(
    args: &GraphArgs,
    graph: &tollgate_graph::Graph,
    view: GraphViewArg,
) -> Result<u8, CliError> {
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
    let draw = |workflows: &[tollgate_graph::NodeId]| match view {
        GraphViewArg::Trust => graph.trust_overview(workflows),
        GraphViewArg::Supply => tollgate_inventory::supply::supply_overview(graph, workflows),
        _ => graph.overview(workflows),
    };
    if let Some(dir) = &args.split {
        let workflows = if chosen.is_empty() {
            graph.workflows().collect()
        } else {
            chosen
        };
        std::fs::create_dir_all(dir).map_err(|source| CliError::Output {
            path: dir.display().to_string(),
            source,
        })?;
        let mut used = std::collections::BTreeSet::new();
        for w in workflows {
            let ov = draw(&[w]);
            if ov.nodes.is_empty() {
                continue;
            }
            let path = match graph.node(w).map(|n| &n.kind) {
                Some(tollgate_graph::NodeKind::Workflow { path, .. }) => path.clone(),
                _ => continue,
            };
            let name = split_name(&path, args.format, &mut used);
            let text = render(graph, &ov, args.format)?;
            output::emit(Some(&dir.join(name)), &text)?;
        }
        return Ok(EXIT_CLEAN);
    }
    let ov = draw(&chosen);
    let text = render(graph, &ov, args.format)?;
    if args.format != GraphFormat::Mermaid {
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
                "the overview has {rows} workflow and job nodes, more than one page shows legibly ({OVERVIEW_READABLE_ROWS}); narrow it with `--workflow NAME` or `--split DIR`"
            ));
        }
    }
    output::emit(args.output.as_deref(), &text)?;
    Ok(EXIT_CLEAN)
}

/// An overview in the output format.
fn render(
    graph: &tollgate_graph::Graph,
    ov: &tollgate_graph::Overview,
    format: GraphFormat,
) -> Result<String, CliError> {
    Ok(match format {
        GraphFormat::Dot => tollgate_report::overview::dot(graph, ov),
        GraphFormat::Svg => svg(&tollgate_report::overview::dot(graph, ov))?,
        GraphFormat::Mermaid => {
            let text = tollgate_report::overview::mermaid(ov);
            warn_mermaid(&text);
            text
        }
        GraphFormat::Json => unreachable!("refused by effective_view"),
    })
}

/// The file name of a workflow's diagram: its file stem with every character other than
/// a letter, digit, `-`, `_` or `.` replaced (`.github/workflows/release.yml` →
/// `release.dot`), made unique with `-2`, `-3`… when two workflows share a stem.
fn split_name(
    path: &str,
    format: GraphFormat,
    used: &mut std::collections::BTreeSet<String>,
) -> String {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file
        .strip_suffix(".yml")
        .or_else(|| file.strip_suffix(".yaml"))
        .unwrap_or(file);
    let mut clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // Never a hidden file or a parent reference.
    if clean.is_empty() || clean.starts_with('.') {
        clean.insert(0, '_');
    }
    let ext = match format {
        GraphFormat::Dot => "dot",
        GraphFormat::Svg => "svg",
        GraphFormat::Mermaid => "mmd",
        GraphFormat::Json => "json",
    };
    let mut name = format!("{clean}.{ext}");
    let mut k = 2;
    while !used.insert(name.clone()) {
        name = format!("{clean}-{k}.{ext}");
        k += 1;
    }
    name
}

/// SVG of a DOT text, drawn by Graphviz's `dot` (a system program, found on `PATH`; no
/// file of the scanned repository is run).
fn svg(dot: &str) -> Result<String, CliError> {
    draw_svg(dot).map_err(|why| {
        CliError::Usage(format!(
            "`--format svg` cannot be drawn: {why}; install graphviz, or use `--format dot`"
        ))
    })
}

/// SVG drawn by Graphviz's `dot` from DOT text, or why it could not be drawn.
pub(crate) fn draw_svg(dot: &str) -> Result<String, String> {
    use std::io::Write as _;
    let unavailable = |e: std::io::Error| format!("Graphviz's `dot` is not on PATH ({e})");
    let mut child = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(unavailable)?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let text = dot.to_owned();
    // Written from a thread: dot reads all of its input before it writes.
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child.wait_with_output().map_err(unavailable)?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(format!(
            "Graphviz `dot` failed: {}",
            tollgate_report::escape::visible(String::from_utf8_lossy(&out.stderr).trim())
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("Graphviz `dot` wrote no UTF-8: {e}"))
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

//! `tollgate report`: one self-contained HTML page for a review or a CI artifact: the
//! overview diagram, the findings, the inventory and the egress allow-lists.

use crate::args::ReportArgs;
use crate::{CliError, EXIT_CLEAN, output};

pub fn run(args: &ReportArgs, repository: Option<&str>) -> Result<u8, CliError> {
    let crate::check::Analysis {
        scan,
        graph,
        findings,
        diagnostics,
        ..
    } = crate::check::analyse(
        &args.paths,
        args.config.as_deref(),
        false,
        None,
        repository,
        &tollgate_engine::RunOptions::default(),
    )?;
    let inventory = tollgate_inventory::build(&scan, &graph);
    let egress = tollgate_egress::of(&graph);
    let jobs: Vec<_> = egress.jobs.iter().collect();
    let dot = tollgate_report::overview::dot(&graph, &graph.overview(&[]));
    let diagram = match crate::graph::draw_svg(&dot) {
        Ok(svg) => tollgate_report::html::Diagram::Svg(svg),
        Err(why) => {
            output::warning(&format!(
                "the report has no diagram: {why}; its DOT source is included instead"
            ));
            tollgate_report::html::Diagram::Unavailable { why, dot }
        }
    };
    let title = scan
        .inputs
        .iter()
        .find_map(|i| scan.repository_of(i))
        .map_or_else(|| roots(&inventory.roots), |r| r.full_name());
    let rules = crate::catalog::infos();
    let page = tollgate_report::html::render(&tollgate_report::html::Report {
        title: &title,
        version: env!("CARGO_PKG_VERSION"),
        rules: &rules,
        findings: &findings,
        diagnostics: &diagnostics,
        inventory: &inventory,
        egress: &jobs,
        diagram,
    });
    output::emit(args.output.as_deref(), &page)?;
    Ok(EXIT_CLEAN)
}

/// The scanned paths for the title, `.` as the directory's name.
fn roots(roots: &[String]) -> String {
    let here = || {
        std::env::current_dir()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| ".".to_owned())
    };
    roots
        .iter()
        .map(|r| if r == "." { here() } else { r.clone() })
        .collect::<Vec<_>>()
        .join(", ")
}

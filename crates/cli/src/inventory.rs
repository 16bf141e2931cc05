//! `tollgate inventory`: what the pipelines depend on and what each job holds, as
//! Markdown, JSON or CSV.

use tollgate_graph::Graph;
use tollgate_scan::{ScanOptions, scan};

use crate::args::{InventoryArgs, InventoryFormat};
use crate::{CliError, EXIT_CLEAN, output};

pub fn run(args: &InventoryArgs) -> Result<u8, CliError> {
    let scan = scan(&args.paths, &ScanOptions::default());
    let (graph, diagnostics) = Graph::build(&scan);
    // Problems with inputs do not stop the report; they go to standard error so the
    // document on standard output stays valid.
    for d in scan.diagnostics.iter().chain(&diagnostics) {
        if d.severity != tollgate_model::Severity::Note {
            let at = d.location.as_ref().map_or_else(String::new, |l| {
                format!(":{}:{}", l.start.line, l.start.column)
            });
            output::error(&format!("{}{at}: {}", d.path, d.message));
        }
    }
    let inventory = tollgate_inventory::build(&scan, &graph);
    let text = match args.format {
        InventoryFormat::Markdown => tollgate_inventory::render::markdown::render(&inventory),
        InventoryFormat::Json => tollgate_inventory::render::json::render(&inventory)
            .map_err(|e| CliError::Usage(e.to_string()))?,
        InventoryFormat::Csv => tollgate_inventory::render::csv::render(&inventory),
    };
    output::emit(args.output.as_deref(), &text)?;
    Ok(EXIT_CLEAN)
}

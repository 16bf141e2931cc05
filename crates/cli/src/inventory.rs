//! `tollgate inventory`: what the pipelines depend on and what each job holds, as
//! Markdown, JSON, CSV or a CycloneDX bill of materials.

use crate::args::{InventoryArgs, InventoryFormat};
use crate::{CliError, EXIT_CLEAN, output};

pub fn run(args: &InventoryArgs, repository: Option<&str>) -> Result<u8, CliError> {
    let (scan, graph) = crate::inputs::scan_and_graph(&args.paths, repository)?;
    let inventory = tollgate_inventory::build(&scan, &graph);
    let text = match args.format {
        InventoryFormat::Markdown => tollgate_report::inventory::markdown::render(&inventory),
        InventoryFormat::Json => {
            // Written straight to the output, like `check --format json`.
            let doc = tollgate_report::inventory::json::document(&inventory);
            output::emit_with(args.output.as_deref(), |w| {
                tollgate_report::escape::to_writer_pretty(&mut *w, &doc)?;
                w.write_all(b"\n")
            })?;
            return Ok(EXIT_CLEAN);
        }
        InventoryFormat::Cyclonedx => {
            let doc = tollgate_report::inventory::cyclonedx::document(
                &inventory,
                &graph,
                env!("CARGO_PKG_VERSION"),
                source_date_epoch(),
            );
            output::emit_with(args.output.as_deref(), |w| {
                tollgate_report::escape::to_writer_pretty(&mut *w, &doc)?;
                w.write_all(b"\n")
            })?;
            return Ok(EXIT_CLEAN);
        }
        InventoryFormat::Csv => tollgate_report::inventory::csv::render(&inventory),
    };
    output::emit(args.output.as_deref(), &text)?;
    Ok(EXIT_CLEAN)
}

/// `SOURCE_DATE_EPOCH` (reproducible builds): the only time a CycloneDX document holds.
fn source_date_epoch() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse().ok())
}

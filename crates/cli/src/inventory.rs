//! `tollgate inventory`: what the pipelines depend on and what each job holds, as
//! Markdown, JSON or CSV.

use crate::args::{InventoryArgs, InventoryFormat};
use crate::{CliError, EXIT_CLEAN, output};

pub fn run(args: &InventoryArgs) -> Result<u8, CliError> {
    let (scan, graph) = output::scan_and_graph(&args.paths);
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

//! Print the analysis of a script read from stdin as JSON (a debugging aid).

use std::io::Read;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut script = String::new();
    std::io::stdin().read_to_string(&mut script)?;
    let analysis = tollgate_shell::Analyzer::new().analyze(&script);
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &analysis)?;
    Ok(())
}

//! Print the analysis of a script read from stdin as JSON (a debugging aid). `--pwsh`
//! analyses it as PowerShell.

use std::io::Read;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut script = String::new();
    std::io::stdin().read_to_string(&mut script)?;
    let mut analyzer = tollgate_shell::Analyzer::new();
    let analysis = if std::env::args().any(|a| a == "--pwsh") {
        analyzer.analyze_pwsh(&script)
    } else {
        analyzer.analyze(&script)
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &analysis)?;
    Ok(())
}

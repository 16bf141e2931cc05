//! `tollgate check`: discover, parse, (later: graph, rules), report.

use std::fmt::Write;

use tollgate_model::Severity;
use tollgate_scan::{ScanOptions, scan};

use crate::args::{CheckArgs, Format};
use crate::human::Human;
use crate::{Cli, CliError, EXIT_CLEAN, EXIT_FINDINGS, output};

pub fn run(cli: &Cli, args: &CheckArgs) -> Result<u8, CliError> {
    let scan = scan(&args.paths, &ScanOptions::default());
    let diagnostics = &scan.diagnostics;
    let text = match args.format {
        Format::Json => {
            let doc = tollgate_report::json::document(&scan, diagnostics);
            let mut s = serde_json::to_string_pretty(&doc)
                .map_err(|e| CliError::Usage(format!("cannot render JSON: {e}")))?;
            s.push('\n');
            s
        }
        Format::Human => {
            let human = Human::new(output::use_color(cli.color, args.output.is_some()));
            let mut s = String::new();
            for d in diagnostics {
                if args.quiet && d.severity == Severity::Note {
                    continue;
                }
                let source = scan
                    .inputs
                    .iter()
                    .find(|i| i.source.display == d.path)
                    .map(|i| &i.source);
                human.diagnostic(&mut s, d, source);
            }
            if !args.quiet {
                let count = |sev| diagnostics.iter().filter(|d| d.severity == sev).count();
                let _ = writeln!(
                    s,
                    "{} input{} read: {} error{}, {} warning{}",
                    scan.inputs.len(),
                    plural(scan.inputs.len()),
                    count(Severity::Error),
                    plural(count(Severity::Error)),
                    count(Severity::Warning),
                    plural(count(Severity::Warning)),
                );
            }
            s
        }
    };
    output::emit(args.output.as_deref(), &text)?;
    let failing = diagnostics.iter().any(|d| d.severity == Severity::Error);
    Ok(if failing { EXIT_FINDINGS } else { EXIT_CLEAN })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

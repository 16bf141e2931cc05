//! The tollgate command line. The only crate that prints, exits, or knows about terminals;
//! everything it shows is rendered from the values the library crates return.

mod args;
mod check;
mod human;
mod output;

use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;

/// Exit codes are part of the interface: 0 nothing to report, 1 something to report,
/// 2 usage, configuration or I/O error of tollgate itself.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Run the command line with the process arguments.
#[must_use]
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // clap prints help/version to stdout with success, usage errors to stderr.
            let code = if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            output::error(&e.to_string());
            EXIT_ERROR
        }
    };
    ExitCode::from(code)
}

/// Errors of tollgate itself (exit code 2), as opposed to problems found in the inputs.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("cannot write output to `{path}`: {source}")]
    Output {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
}

fn run(cli: &Cli) -> Result<u8, CliError> {
    match &cli.command {
        args::Command::Check(a) => check::run(cli, a),
    }
}

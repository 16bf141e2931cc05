//! The tollgate command line. The only crate that prints, exits, or knows about terminals;
//! everything it shows is rendered from the values the library crates return.

mod args;
mod baseline;
mod catalog;
mod check;
mod diff;
mod egress;
mod fix;
pub mod gendocs;
mod graph;
mod human;
mod inputs;
mod inventory;
mod kb;
mod listing;
mod output;
mod report;
mod scanorg;

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
        Err(CliError::Config(rendered)) => {
            output::error("invalid configuration");
            output::stderr(&rendered);
            EXIT_ERROR
        }
        Err(CliError::NoInput(message)) => {
            output::warning(&message);
            EXIT_ERROR
        }
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
    /// A configuration error, already rendered with its source excerpt.
    #[error("invalid configuration")]
    Config(String),
    /// Nothing to read under the given paths: a CI step that checks nothing must not pass.
    #[error("{0}")]
    NoInput(String),
}

fn run(cli: &Cli) -> Result<u8, CliError> {
    match &cli.command {
        args::Command::Check(a) => check::run(cli, a),
        args::Command::Baseline(a) => baseline::run(cli, a),
        args::Command::Fix(a) => fix::run(cli, a),
        args::Command::Graph(a) => graph::run(a, cli.repository.as_deref()),
        args::Command::Egress(a) => egress::run(a, cli.repository.as_deref()),
        args::Command::Diff(a) => diff::run(a, cli.repository.as_deref()),
        args::Command::Inventory(a) => inventory::run(a, cli.repository.as_deref()),
        args::Command::Report(a) => report::run(a, cli.repository.as_deref()),
        args::Command::ScanOrg(a) => scanorg::run(a),
        args::Command::Merge(a) => scanorg::merge(a),
        args::Command::Rules(a) => {
            output::emit(None, &catalog::list(a)?)?;
            Ok(EXIT_CLEAN)
        }
        args::Command::Kb(a) => {
            output::emit(None, &kb::list(a)?)?;
            Ok(EXIT_CLEAN)
        }
        args::Command::Explain(a) => {
            output::emit(None, &catalog::explain(&a.rule)?)?;
            Ok(EXIT_CLEAN)
        }
        args::Command::Completions(a) => {
            let mut buf = Vec::new();
            clap_complete::generate(
                a.shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "tollgate",
                &mut buf,
            );
            output::emit(None, &String::from_utf8_lossy(&buf))?;
            Ok(EXIT_CLEAN)
        }
        args::Command::GenerateDocs(a) => {
            gendocs::write_all(&a.out)?;
            Ok(EXIT_CLEAN)
        }
        args::Command::Config(a) => {
            if !a.init {
                return Err(CliError::Usage(
                    "nothing to do: `tollgate config --init` writes a default configuration".into(),
                ));
            }
            // `-o -` prints it, for `tollgate config --init -o - | less` and editors.
            if a.output.as_os_str() == "-" {
                output::emit(None, tollgate_engine::config::DEFAULT_CONFIG)?;
                return Ok(EXIT_CLEAN);
            }
            if a.output.exists() && !a.force {
                return Err(CliError::Usage(format!(
                    "`{}` exists; pass --force to overwrite it",
                    a.output.display()
                )));
            }
            output::emit(Some(&a.output), tollgate_engine::config::DEFAULT_CONFIG)?;
            Ok(EXIT_CLEAN)
        }
    }
}

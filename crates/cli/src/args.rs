//! The command-line definition. Each flag carries its own documentation; `--help`, the man
//! page and the command reference are generated from here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const CHECK_EXAMPLES: &str = "\
Examples:
  tollgate check                         check the repository in the current directory
  tollgate check path/to/repo            check another checkout
  tollgate check .github/workflows/ci.yml
                                         check one file (pre-commit passes changed files)
  tollgate check --format json > out.json
                                         machine-readable inputs, models and diagnostics";

/// Map and guard the build-time dependencies of CI/CD pipelines.
///
/// tollgate reads GitHub Actions workflows, composite actions, lockfiles and registry
/// configuration, and reports what your pipelines trust, hold and reach. It never runs
/// anything from the scanned repository and makes no network request.
#[derive(Debug, Parser)]
#[command(
    name = "tollgate",
    version,
    about,
    long_about,
    propagate_version = true
)]
pub struct Cli {
    /// When to use colours in human output: `auto` uses them on a terminal unless
    /// `NO_COLOR` is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the pipelines of a repository and report what is found.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check. Directories are walked (hidden ones such as
    /// `.github` included; `.git`, `node_modules`, `target`, `vendor` and gitignored paths
    /// skipped); files are always read.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Print only what is found: no summary line, no notes.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Diagnostics with source excerpts and labels, and a summary.
    Human,
    /// A versioned JSON document (`"version": 1`).
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn check_defaults_to_current_directory() {
        let cli = Cli::try_parse_from(["tollgate", "check"]).expect("parses");
        let Command::Check(a) = cli.command;
        assert_eq!(a.paths, vec![PathBuf::from(".")]);
        assert_eq!(a.format, Format::Human);
    }

    #[test]
    fn bad_format_is_a_usage_error() {
        let e = Cli::try_parse_from(["tollgate", "check", "--format", "xml"]).expect_err("bad");
        assert!(e.use_stderr());
    }
}

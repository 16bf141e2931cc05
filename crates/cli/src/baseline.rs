//! `tollgate baseline`, which records today's findings, and reading the baseline that
//! `check --baseline` (or the configuration's `baseline`) compares with.

use std::path::Path;

use tollgate_engine::Config;
use tollgate_model::{Diagnostic, DiagnosticCode};
use tollgate_report::baseline::{Baseline, parse, record};

use crate::args::BaselineArgs;
use crate::check::{Analysis, analyse, sources};
use crate::human::Human;
use crate::{Cli, CliError, EXIT_CLEAN, output};

/// A baseline is rewritten whole by `tollgate baseline`; past this it is not one.
const MAX_FILE: u64 = 256 << 20;

pub fn run(cli: &Cli, args: &BaselineArgs) -> Result<u8, CliError> {
    let Analysis {
        scan,
        config,
        findings,
        ..
    } = analyse(
        &args.paths,
        args.config.as_deref(),
        false,
        None,
        cli.repository.as_deref(),
        &tollgate_engine::RunOptions::default(),
    )?;
    let sources = sources(&scan, &config);
    let baseline = record(&findings, |p| sources.get(p).copied());
    let text = tollgate_report::escape::to_string_pretty(&baseline).map_err(|source| {
        CliError::Output {
            path: args.output.display().to_string(),
            source,
        }
    })?;
    output::emit(Some(&args.output), &format!("{text}\n"))?;
    output::stderr(&format!(
        "recorded {} finding{} in `{}`\n",
        baseline.entries.len(),
        if baseline.entries.len() == 1 { "" } else { "s" },
        tollgate_report::escape::visible(&args.output.display().to_string())
    ));
    Ok(EXIT_CLEAN)
}

/// The baseline to compare with: `--baseline` (read as given), else the configuration's
/// `baseline` (which must resolve inside the configuration's repository). A file that is
/// missing, unreadable or not a baseline is a configuration error (exit code 2).
pub fn load(
    flag: Option<&Path>,
    config: &Config,
    color: bool,
) -> Result<Option<Baseline>, CliError> {
    if let Some(path) = flag {
        let shown = tollgate_report::escape::visible(&path.display().to_string()).into_owned();
        return read(path, Path::new("/"))
            .map(Some)
            .map_err(|why| CliError::Usage(format!("baseline `{shown}`: {why}")));
    }
    let Some((path, span)) = &config.baseline else {
        return Ok(None);
    };
    let within = config.within.as_deref().unwrap_or(Path::new("/"));
    read(path, within).map(Some).map_err(|why| {
        let message = format!("baseline `{}`: {why}", path.display());
        let mut s = String::new();
        match &config.source {
            Some(src) => {
                let d = Diagnostic::at(src, *span, DiagnosticCode::Config, message);
                Human::new(color).diagnostic(&mut s, &d, Some(src));
            }
            None => s = format!("{message}\n"),
        }
        CliError::Config(s)
    })
}

fn read(path: &Path, within: &Path) -> Result<Baseline, String> {
    let bytes = tollgate_scan::confine::read(path, within, MAX_FILE).map_err(|r| match r {
        tollgate_scan::confine::Refusal::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
            "no such file; `tollgate baseline -o FILE` writes one".to_owned()
        }
        tollgate_scan::confine::Refusal::Io(e) => format!("cannot read it: {e}"),
        other => format!("cannot read it: {other}"),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| "not valid UTF-8".to_owned())?;
    parse(&text).map_err(|e| e.to_string())
}

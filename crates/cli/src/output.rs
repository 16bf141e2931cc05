//! Where output goes: standard output, a file, and error messages on standard error.
//!
//! Standard output goes through one buffer, flushed once: Rust's standard output is
//! line-buffered, so a JSON document written in small pieces cost a `write` call per line
//! (a million for 25,000 jobs).

use std::io::{IsTerminal, Write};
use std::path::Path;

use tollgate_report::escape::visible;

use crate::CliError;
use crate::args::ColorChoice;

/// Whether to colour output written to standard output.
#[must_use]
pub fn use_color(choice: ColorChoice, to_file: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            !to_file
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// Write `text` to `path` or to standard output.
pub fn emit(path: Option<&Path>, text: &str) -> Result<(), CliError> {
    emit_with(path, |w| w.write_all(text.as_bytes()))
}

/// Have `write` write to `path` (created or truncated) or to standard output.
pub fn emit_with(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), CliError> {
    match path {
        Some(p) => std::fs::File::create(p)
            .and_then(|f| {
                let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
                write(&mut w)?;
                w.flush()
            })
            .map_err(|source| CliError::Output {
                path: p.display().to_string(),
                source,
            }),
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            // A closed pipe (`tollgate check | head`) is not an error worth reporting.
            match write(&mut out).and_then(|()| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Output {
                    path: "standard output".into(),
                    source: e,
                }),
                _ => Ok(()),
            }
        }
    }
}

/// One warning line on standard error, in one `write`, control characters shown.
pub fn warning(message: &str) {
    stderr(&format!("warning: {}\n", visible(message)));
}

/// One error line on standard error, in one `write`; control characters (an input's
/// name or text may be in it) are shown, not sent to the terminal.
pub fn error(message: &str) {
    stderr(&format!("error: {}\n", visible(message)));
}

/// Text on standard error, as is.
pub fn stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
}

/// A progress bar on standard error, drawn only on a terminal and only for runs over many
/// files (a pre-commit run on three files must not flash a bar).
pub struct Bar(indicatif::ProgressBar);

impl Bar {
    const MIN_FILES: usize = 200;

    #[must_use]
    pub fn new() -> Option<std::sync::Arc<Self>> {
        std::io::stderr()
            .is_terminal()
            .then(|| std::sync::Arc::new(Self(indicatif::ProgressBar::hidden())))
    }
}

impl tollgate_scan::Progress for Bar {
    fn start(&self, files: usize) {
        if files >= Self::MIN_FILES {
            self.0.set_length(files as u64);
            self.0.set_style(
                indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} files {elapsed}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            self.0
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    }

    fn file_done(&self) {
        self.0.inc(1);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// Input problems of the reporting commands (`graph`, `egress`, `inventory`), on standard
/// error one line each, so the document on standard output stays valid. Notes are left out.
/// All lines go in one `write` (standard error is not buffered).
pub fn report_problems<'a>(diagnostics: impl Iterator<Item = &'a tollgate_model::Diagnostic>) {
    let mut lines = String::new();
    for d in diagnostics {
        if d.severity != tollgate_model::Severity::Note {
            let at = d.location.as_ref().map_or_else(String::new, |l| {
                format!(":{}:{}", l.start.line, l.start.column)
            });
            lines.push_str(&format!(
                "error: {}{at}: {}\n",
                visible(&d.path),
                visible(&d.message)
            ));
        }
    }
    stderr(&lines);
}

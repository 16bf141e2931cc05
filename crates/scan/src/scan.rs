//! Reading and parsing every candidate in parallel, one file per task.

use std::path::PathBuf;

use rayon::prelude::*;
use tollgate_gha::{Action, ActionsLock, Dependabot, Workflow};
use tollgate_model::{Diagnostic, FileKind, SourceFile};

use crate::discover::{Candidate, DiscoverOptions, discover};
use crate::read::{ReadLimits, read_text};

/// The model of one input, by kind.
#[derive(Debug)]
pub enum Parsed {
    Workflow(Workflow),
    Action(Action),
    ActionsLock(ActionsLock),
    Dependabot(Dependabot),
    /// Recognised, but its parser produced no model (the reason is in the diagnostics),
    /// or a kind whose parser lives in a later stage.
    Nothing,
}

/// One input file with its text, kind and model.
#[derive(Debug)]
pub struct Input {
    pub source: SourceFile,
    pub kind: FileKind,
    pub root: usize,
    pub parsed: Parsed,
}

#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    pub discover: DiscoverOptions,
    pub limits: ReadLimits,
}

/// Everything read from the given paths.
#[derive(Debug, Default)]
pub struct Scan {
    pub roots: Vec<PathBuf>,
    /// Inputs sorted by display path (deterministic, whatever the thread count).
    pub inputs: Vec<Input>,
    /// Diagnostics about inputs, sorted by path and position.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parse one file of a known kind.
#[must_use]
pub fn parse_source(source: &SourceFile, kind: FileKind) -> (Parsed, Vec<Diagnostic>) {
    fn wrap<T>(r: (Option<T>, Vec<Diagnostic>), f: fn(T) -> Parsed) -> (Parsed, Vec<Diagnostic>) {
        (r.0.map_or(Parsed::Nothing, f), r.1)
    }
    match kind {
        FileKind::Workflow => wrap(tollgate_gha::parse_workflow(source), Parsed::Workflow),
        FileKind::Action => wrap(tollgate_gha::parse_action(source), Parsed::Action),
        FileKind::ActionsLock => wrap(
            tollgate_gha::parse_actions_lock(source),
            Parsed::ActionsLock,
        ),
        FileKind::Dependabot => wrap(tollgate_gha::parse_dependabot(source), Parsed::Dependabot),
        _ => (Parsed::Nothing, Vec::new()),
    }
}

/// Discover, read and parse. Never fails: every problem is a diagnostic.
#[must_use]
pub fn scan(paths: &[PathBuf], opts: &ScanOptions) -> Scan {
    let (candidates, roots, mut diagnostics) = discover(paths, &opts.discover);
    let results: Vec<(Option<Input>, Vec<Diagnostic>)> = candidates
        .into_par_iter()
        .map(
            |c: Candidate| match read_text(&c.disk, &c.display, c.kind, opts.limits) {
                Err(d) => (None, vec![d]),
                Ok(source) => {
                    let (parsed, diags) = parse_source(&source, c.kind);
                    (
                        Some(Input {
                            source,
                            kind: c.kind,
                            root: c.root,
                            parsed,
                        }),
                        diags,
                    )
                }
            },
        )
        .collect();
    let mut inputs = Vec::with_capacity(results.len());
    for (input, diags) in results {
        inputs.extend(input);
        diagnostics.extend(diags);
    }
    inputs.sort_by(|a, b| a.source.display.cmp(&b.source.display));
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Scan {
        roots,
        inputs,
        diagnostics,
    }
}

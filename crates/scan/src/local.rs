//! Local references: `./path` and `$/path` actions and `./.github/workflows/x.yml`
//! reusable workflows. Files they name that were not scanned (pre-commit passes only the
//! changed files) are loaded so that later stages see the whole chain.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use tollgate_gha::{Uses, Workflow};
use tollgate_model::{Diagnostic, FileKind};
use tollgate_shell::Analyzer;

use crate::discover::Root;
use crate::input::{Exclude, FileModel, Input, load};
use crate::read::ReadLimits;

/// Every local reference in a model: the path after `./` or `$/`, and whether it names a
/// reusable workflow (job-level `uses:`) rather than an action directory.
#[must_use]
pub fn local_refs(parsed: &FileModel) -> Vec<(String, bool)> {
    fn push(out: &mut Vec<(String, bool)>, uses: Option<&Uses>, workflow: bool) {
        if let Some(p) = uses.and_then(Uses::local_path) {
            out.push((p.to_owned(), workflow));
        }
    }
    let mut out = Vec::new();
    match parsed {
        FileModel::Workflow(Workflow { jobs, .. }) => {
            for job in jobs {
                push(&mut out, job.uses.as_ref().map(|u| &u.value), true);
                for step in &job.steps {
                    push(&mut out, step.uses.as_ref().map(|u| &u.value), false);
                }
            }
        }
        FileModel::Action(a) => {
            for step in a.steps() {
                push(&mut out, step.uses.as_ref().map(|u| &u.value), false);
            }
        }
        _ => {}
    }
    out
}

/// Where the repository of an input sits under the scan root: the part of its display
/// path before `.github/` (empty for a repository scanned at its root). Local references
/// are relative to it.
#[must_use]
pub fn repo_prefix(display: &str) -> &str {
    if display.starts_with(".github/") {
        return "";
    }
    match display.find("/.github/") {
        Some(i) => &display[..=i],
        None => "",
    }
}

/// Normalise a `/`-separated relative path: drop `.` and empty components and resolve
/// `..`. `None` when `..` would climb above the start.
#[must_use]
pub fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

/// The normalised target of a local reference made from the input at `display`, and the
/// files that may hold it (`action.yml` or `action.yaml` for an action directory). `None`
/// when the path climbs out of the repository.
#[must_use]
pub fn candidates(display: &str, path: &str, workflow: bool) -> Option<(String, Vec<String>)> {
    let inner = normalise(path)?;
    let prefix = repo_prefix(display);
    let norm = if inner.is_empty() {
        prefix.trim_end_matches('/').to_owned()
    } else {
        format!("{prefix}{inner}")
    };
    let files = if workflow {
        vec![norm.clone()]
    } else if norm.is_empty() {
        vec!["action.yml".to_owned(), "action.yaml".to_owned()]
    } else {
        vec![format!("{norm}/action.yml"), format!("{norm}/action.yaml")]
    };
    Some((norm, files))
}

/// Load, transitively, the local actions and reusable workflows that `inputs` reference
/// but that were not scanned. Each path is tried once, so reference cycles terminate.
///
/// Level by level: the files that the inputs not yet followed refer to are listed in
/// order (the first candidate of each reference that exists, each file once), then read,
/// parsed and analysed in parallel, each worker with its own script analyser, and added
/// in that order. A pre-commit run on one workflow that calls twenty local reusable
/// workflows loaded them one after the other.
pub(crate) fn load_referenced(
    inputs: &mut Vec<Input>,
    roots: &[Root],
    limits: ReadLimits,
    exclude: Option<&Exclude>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut known: HashSet<(usize, String)> = inputs
        .iter()
        .map(|i| (i.root, i.source.display.clone()))
        .collect();
    let mut tried: HashSet<(usize, String)> = HashSet::new();
    let mut followed = 0usize;
    let mut next = 0;
    while next < inputs.len() {
        let mut wanted: Vec<(PathBuf, String, FileKind, usize)> = Vec::new();
        for input in &inputs[next..] {
            let (root, display) = (input.root, &input.source.display);
            // Local actions and reusable workflows, then the Makefiles and scripts the
            // run steps execute (bounded: `follow::MAX_FOLLOWED` files per scan).
            let mut refs: Vec<(Vec<String>, FileKind)> = local_refs(&input.parsed)
                .into_iter()
                .filter_map(|(path, workflow)| {
                    let (_, files) = candidates(display, &path, workflow)?;
                    let kind = if workflow {
                        FileKind::Workflow
                    } else {
                        FileKind::Action
                    };
                    Some((files, kind))
                })
                .collect();
            refs.extend(crate::follow::script_refs(input));
            if let Some(r) = roots.get(root) {
                refs.extend(
                    crate::gitlab::include_refs(input, r)
                        .into_iter()
                        .map(|files| (files, FileKind::GitlabCi)),
                );
            }
            for (files, kind) in refs {
                let script = matches!(kind, FileKind::Makefile | FileKind::ShellScript);
                if script && followed >= crate::follow::MAX_FOLLOWED {
                    continue;
                }
                if files.iter().any(|f| known.contains(&(root, f.clone()))) {
                    continue;
                }
                let Some(root_dir) = roots.get(root) else {
                    continue;
                };
                for file in files {
                    if !tried.insert((root, file.clone())) {
                        continue;
                    }
                    // Excluded by the configuration: not read at all.
                    if exclude.is_some_and(|x| x(root_dir.relative(&file))) {
                        continue;
                    }
                    // Existence only (following links): whether the file may be read is
                    // decided by the confined read, which reports a refusal.
                    let disk = root_dir.disk_path(&file);
                    if std::fs::symlink_metadata(&disk).is_err() {
                        continue;
                    }
                    // Known from now on: a later reference to it waits for this load.
                    known.insert((root, file.clone()));
                    followed += usize::from(script);
                    wanted.push((disk, file, kind, root));
                    break;
                }
            }
        }
        next = inputs.len();
        let loaded: Vec<(Option<Input>, Vec<Diagnostic>)> = wanted
            .into_par_iter()
            .with_max_len(1)
            .map_init(Analyzer::new, |analyzer, (disk, file, kind, root)| {
                let within = roots.get(root).map_or(Path::new("/"), |r| &r.canonical);
                load(&disk, within, &file, kind, root, limits, analyzer)
            })
            .collect();
        for (input, diags) in loaded {
            diagnostics.extend(diags);
            if let Some(mut input) = input {
                input.by_reference = true;
                inputs.push(input);
            }
        }
    }
}

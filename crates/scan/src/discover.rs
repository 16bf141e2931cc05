//! Walking the given paths and classifying the files found.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;
use tollgate_model::{Diagnostic, DiagnosticCode, FileKind, Severity};

/// Directories never worth entering: VCS metadata, dependency trees and build output.
/// Lockfiles at the top of a project are what matter; `node_modules/**/package-lock.json`
/// are copies installed by the package manager, not inputs of the build.
const SKIP_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "target",
    "vendor",
    ".venv",
    "__pycache__",
];

#[derive(Clone, Debug)]
pub struct DiscoverOptions {
    /// Respect `.gitignore`, `.ignore` and git's exclude files.
    pub gitignore: bool,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        Self { gitignore: true }
    }
}

/// A file to read: where it is, how it is displayed, and what it is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// Path relative to its root, `/`-separated: the path every output shows.
    pub display: String,
    pub disk: PathBuf,
    pub kind: FileKind,
    /// Index into the list of roots (one per path argument).
    pub root: usize,
    /// Given explicitly on the command line.
    pub explicit: bool,
}

fn display_of(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

/// Walk `paths` and return the classified candidates (sorted, deduplicated), the roots
/// (a directory argument is its own root; a file argument's root is the current
/// directory), and diagnostics for paths that could not be walked.
#[must_use]
pub fn discover(
    paths: &[PathBuf],
    opts: &DiscoverOptions,
) -> (Vec<Candidate>, Vec<PathBuf>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut roots: Vec<PathBuf> = Vec::new();
    let mut diags = Vec::new();
    let mut root_of = |p: PathBuf| -> usize {
        if let Some(i) = roots.iter().position(|r| *r == p) {
            return i;
        }
        roots.push(p);
        roots.len() - 1
    };
    for arg in paths {
        let meta = match std::fs::metadata(arg) {
            Ok(m) => m,
            Err(e) => {
                diags.push(Diagnostic::file(
                    display_of(arg),
                    DiagnosticCode::Io,
                    format!("cannot read `{}`: {e}", arg.display()),
                ));
                continue;
            }
        };
        if meta.is_file() {
            let display = display_of(arg);
            let kind = FileKind::classify(&display).or_else(|| explicit_kind(&display));
            match kind {
                Some(kind) => out.push(Candidate {
                    display,
                    disk: arg.clone(),
                    kind,
                    root: root_of(PathBuf::from(".")),
                    explicit: true,
                }),
                None => diags.push(
                    Diagnostic::file(
                        display,
                        DiagnosticCode::NotAnalysed,
                        "not a kind of file tollgate reads; skipped",
                    )
                    .with_severity(Severity::Note),
                ),
            }
            continue;
        }
        let root = root_of(arg.clone());
        walk(arg, root, opts, &mut out, &mut diags);
    }
    out.sort();
    out.dedup_by(|a, b| a.disk == b.disk);
    (out, roots, diags)
}

/// A YAML file named explicitly is read as a workflow even outside `.github/workflows/`
/// (users lint a draft, pre-commit passes what matches its pattern).
fn explicit_kind(display: &str) -> Option<FileKind> {
    (display.ends_with(".yml") || display.ends_with(".yaml")).then_some(FileKind::Workflow)
}

fn walk(
    dir: &Path,
    root: usize,
    opts: &DiscoverOptions,
    out: &mut Vec<Candidate>,
    diags: &mut Vec<Diagnostic>,
) {
    let canonical_root = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    // Directory reads are most of a walk: one thread per core reads them in parallel.
    // What each thread finds is collected here and sorted by the caller.
    let found: std::sync::Mutex<(Vec<Candidate>, Vec<Diagnostic>)> = std::sync::Mutex::default();
    WalkBuilder::new(dir)
        .hidden(false)
        .git_ignore(opts.gitignore)
        .git_exclude(opts.gitignore)
        .git_global(false)
        .ignore(opts.gitignore)
        .parents(opts.gitignore)
        // `.gitignore` applies whether or not the tree is a git checkout (an unpacked
        // tarball of a repository should scan the same).
        .require_git(false)
        .follow_links(false)
        .threads(rayon::current_num_threads())
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| SKIP_DIRS.contains(&n)))
        })
        .build_parallel()
        .run(|| {
            let found = &found;
            let canonical_root = &canonical_root;
            Box::new(move |entry| {
                let (candidate, diagnostic) = visit(dir, root, canonical_root, entry);
                if candidate.is_some() || diagnostic.is_some() {
                    let mut found = found
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    found.0.extend(candidate);
                    found.1.extend(diagnostic);
                }
                ignore::WalkState::Continue
            })
        });
    let (candidates, mut diagnostics) = found
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    out.extend(candidates);
    diagnostics.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| a.message.cmp(&b.message))
    });
    diags.extend(diagnostics);
}

/// One entry of a walk: the candidate it is, or why it is skipped when that is worth
/// saying.
fn visit(
    dir: &Path,
    root: usize,
    canonical_root: &Path,
    entry: Result<ignore::DirEntry, ignore::Error>,
) -> (Option<Candidate>, Option<Diagnostic>) {
    let entry = match entry {
        Ok(e) => e,
        Err(e) => {
            let path = e_path(&e).unwrap_or_else(|| dir.to_path_buf());
            let d = Diagnostic::file(
                display_of(&path),
                DiagnosticCode::Io,
                format!("cannot walk: {e}"),
            );
            return (None, Some(d));
        }
    };
    let Some(ft) = entry.file_type() else {
        return (None, None);
    };
    let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
    let display = display_of(rel);
    let Some(kind) = FileKind::classify(&display) else {
        return (None, None);
    };
    if ft.is_symlink() {
        // Symlinks are followed only to regular files inside the scan root, so a
        // link cannot make us read (and report on) files the user did not ask about.
        match std::fs::canonicalize(entry.path()) {
            Ok(target) if target.starts_with(canonical_root) && target.is_file() => {}
            Ok(_) | Err(_) => {
                let d = Diagnostic::file(
                    display,
                    DiagnosticCode::Io,
                    "symbolic link to a file outside the scan root (or dangling); not followed",
                )
                .with_severity(Severity::Note);
                return (None, Some(d));
            }
        }
    } else if !ft.is_file() {
        return (None, None);
    }
    let candidate = Candidate {
        display,
        disk: entry.path().to_path_buf(),
        kind,
        root,
        explicit: false,
    };
    (Some(candidate), None)
}

fn e_path(e: &ignore::Error) -> Option<PathBuf> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            e_path(err)
        }
        _ => None,
    }
}

//! Walking the given paths and classifying the files found.
//!
//! Every path is scanned within a *root*: the repository that holds it, found by walking
//! up to the directory that holds `.github` or `.git` (so `tollgate check
//! .github/workflows`, or a file that pre-commit passes, still sees `uses: ./…` and the
//! repository's `tollgate.toml`), or the directory itself when no repository holds it.
//! Display paths are relative to the root; with several roots they start with the root.

use std::path::{Component, Path, PathBuf};

use ignore::WalkBuilder;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use tollgate_model::{Diagnostic, DiagnosticCode, FileKind, Severity};

use crate::confine;

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

/// Directories of test inputs: a lockfile, registry configuration or Dockerfile under one
/// is a case the project's tests parse (renovate's `__fixtures__`, poetry's
/// `tests/fixtures`, Go's `testdata`, trivy's Dockerfiles it scans), not a dependency of
/// its build, and is not read unless it, or a directory at or under the fixture
/// directory, is named on the command line. Workflows and actions under them are read as usual.
const FIXTURE_DIRS: &[&str] = &[
    "testdata",
    "test-data",
    "fixtures",
    "__fixtures__",
    "__snapshots__",
    "__mocks__",
];

/// Whether a path (relative to the walked directory) of a lockfile or registry
/// configuration lies under a directory of test inputs.
fn in_fixtures(display: &str) -> bool {
    let mut dirs: Vec<&str> = display.split('/').collect();
    dirs.pop();
    dirs.iter().any(|d| FIXTURE_DIRS.contains(d))
}

/// The path argument that means standard input.
pub const STDIN_ARG: &str = "-";
/// How standard input is shown in every output.
pub const STDIN_DISPLAY: &str = "<stdin>";

#[derive(Clone, Debug)]
pub struct DiscoverOptions {
    /// Respect `.gitignore`, `.ignore` and git's exclude files (never above the root, and
    /// never for the repository's `.github/`, which GitHub runs whatever they say).
    pub gitignore: bool,
    /// A directory argument is its own root, never the repository around it: each
    /// repository of `scan-org`'s directory is its own scan root, even one with neither
    /// `.github` nor `.git` inside a directory that has them.
    pub own_root: bool,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        Self {
            gitignore: true,
            own_root: false,
        }
    }
}

/// A file to read: where it is, how it is displayed, and what it is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// The path every output shows, `/`-separated: relative to its root, after the root's
    /// prefix when there are several roots.
    pub display: String,
    pub disk: PathBuf,
    pub kind: FileKind,
    /// Index into the list of roots.
    pub root: usize,
    /// Given explicitly on the command line.
    pub explicit: bool,
}

/// A directory every read of a scan stays inside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Root {
    /// The directory as the user would name it (the argument, or an ancestor of it).
    pub path: PathBuf,
    /// Resolved: every file read under this root must resolve inside it.
    pub canonical: PathBuf,
    /// What the display paths of its files start with: empty for a single root, else
    /// the root's name and a `/`.
    pub prefix: String,
    /// The repository it is, when that can be known (see [`crate::identity`]).
    pub repository: Option<tollgate_model::repo::Repository>,
}

impl Root {
    /// The path on disk of a display path of this root.
    #[must_use]
    pub fn disk_path(&self, display: &str) -> PathBuf {
        self.canonical.join(
            display
                .strip_prefix(self.prefix.as_str())
                .unwrap_or(display),
        )
    }

    /// A display path without the root's prefix: relative to the root.
    #[must_use]
    pub fn relative<'a>(&self, display: &'a str) -> &'a str {
        display
            .strip_prefix(self.prefix.as_str())
            .unwrap_or(display)
    }
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Sorted and deduplicated.
    pub candidates: Vec<Candidate>,
    pub roots: Vec<Root>,
    /// About files found (links not followed, files of no known kind).
    pub diagnostics: Vec<Diagnostic>,
    /// Arguments that cannot be scanned at all: a path that does not exist, a FIFO or a
    /// device. The command line is wrong; the caller exits with a usage error.
    pub errors: Vec<Diagnostic>,
}

impl Discovery {
    /// Leave out the candidates whose path relative to their root `exclude` matches:
    /// excluded files are not read at all (standard input is never excluded).
    pub fn exclude(&mut self, exclude: &(dyn Fn(&str) -> bool + Send + Sync)) {
        let roots = &self.roots;
        self.candidates.retain(|c| {
            c.disk.as_os_str() == STDIN_ARG
                || !roots
                    .get(c.root)
                    .is_some_and(|r| exclude(r.relative(&c.display)))
        });
    }
}

fn display_of(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

/// The repository holding `dir` (canonical): the nearest directory, `dir` included, that
/// holds a `.github` directory or a `.git` entry (a directory, or a file in a worktree).
#[must_use]
pub fn repository_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".github").is_dir() || d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The name of the ancestor `canonical_root` of the argument `arg` (whose resolved form
/// is `canonical_arg`), in the user's terms: `arg` with as many trailing components
/// dropped, or the resolved root when `arg` has too few of them.
fn ancestor_named(arg: &Path, canonical_arg: &Path, canonical_root: &Path) -> PathBuf {
    let Ok(below) = canonical_arg.strip_prefix(canonical_root) else {
        return canonical_root.to_path_buf();
    };
    let mut named = arg.to_path_buf();
    for _ in below.components() {
        if !matches!(named.components().next_back(), Some(Component::Normal(_))) {
            return canonical_root.to_path_buf();
        }
        named.pop();
    }
    if named.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        named
    }
}

/// The roots met so far, each once (by resolved path).
#[derive(Default)]
struct Roots(Vec<Root>);

impl Roots {
    fn index(&mut self, path: PathBuf, canonical: PathBuf) -> usize {
        if let Some(i) = self.0.iter().position(|r| r.canonical == canonical) {
            return i;
        }
        self.0.push(Root {
            path,
            canonical,
            prefix: String::new(),
            repository: None,
        });
        self.0.len() - 1
    }
}

/// The root of a directory argument: its repository, or itself.
fn root_of_dir(arg: &Path, canonical: &Path) -> (PathBuf, PathBuf) {
    match repository_root(canonical) {
        Some(r) => (ancestor_named(arg, canonical, &r), r),
        None => (arg.to_path_buf(), canonical.to_path_buf()),
    }
}

/// The root of a file argument (its directory resolved): its repository; else the current
/// directory when the file is under it; else the file's directory.
fn root_of_file(arg: &Path, canonical_dir: &Path) -> (PathBuf, PathBuf) {
    let arg_dir = match arg.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if let Some(r) = repository_root(canonical_dir) {
        return (ancestor_named(&arg_dir, canonical_dir, &r), r);
    }
    if let Ok(cwd) = std::env::current_dir().and_then(std::fs::canonicalize)
        && canonical_dir.starts_with(&cwd)
    {
        return (PathBuf::from("."), cwd);
    }
    (arg_dir, canonical_dir.to_path_buf())
}

/// `path` relative to `root`, `/`-separated.
fn relative(path: &Path, root: &Path) -> String {
    display_of(path.strip_prefix(root).unwrap_or(path))
}

/// A usage error about a path argument.
fn arg_error(arg: &Path, message: String) -> Diagnostic {
    Diagnostic::file(display_of(arg), DiagnosticCode::Io, message)
}

/// Walk `paths` and return the classified candidates (sorted, deduplicated), their roots,
/// diagnostics about what was found, and errors for arguments that cannot be scanned.
/// `-` stands for one workflow on standard input, read by the caller.
#[must_use]
pub fn discover(paths: &[PathBuf], opts: &DiscoverOptions) -> Discovery {
    let mut out = Vec::new();
    let mut roots = Roots::default();
    let mut diags = Vec::new();
    let mut errors = Vec::new();
    for arg in paths {
        if arg.as_os_str() == STDIN_ARG {
            let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            let canonical = confine::canonical_root(&cwd);
            let (path, root) = root_of_dir(Path::new("."), &canonical);
            out.push(Candidate {
                display: STDIN_DISPLAY.to_owned(),
                disk: PathBuf::from(STDIN_ARG),
                kind: FileKind::Workflow,
                root: roots.index(path, root),
                explicit: true,
            });
            continue;
        }
        let meta = match std::fs::metadata(arg) {
            Ok(m) => m,
            Err(e) => {
                errors.push(arg_error(
                    arg,
                    format!("cannot read `{}`: {e}", arg.display()),
                ));
                continue;
            }
        };
        if meta.is_dir() {
            let canonical = confine::canonical_root(arg);
            let (path, root) = if opts.own_root {
                (arg.clone(), canonical.clone())
            } else {
                root_of_dir(arg, &canonical)
            };
            let index = roots.index(path, root.clone());
            walk(&canonical, &root, index, opts, &mut out, &mut diags);
            continue;
        }
        if !meta.is_file() {
            errors.push(arg_error(
                arg,
                format!(
                    "`{}` is not a regular file or a directory (a FIFO or a device?)",
                    arg.display()
                ),
            ));
            continue;
        }
        let Some(name) = arg.file_name() else {
            continue;
        };
        let dir = arg.parent().filter(|p| !p.as_os_str().is_empty());
        let canonical_dir = confine::canonical_root(dir.unwrap_or(Path::new(".")));
        let (path, root) = root_of_file(arg, &canonical_dir);
        let disk = canonical_dir.join(name);
        let rel = relative(&disk, &root);
        let kind = FileKind::classify(&rel).or_else(|| explicit_kind(&rel, &disk));
        match kind {
            Some(kind) => out.push(Candidate {
                display: rel,
                disk,
                kind,
                root: roots.index(path, root),
                explicit: true,
            }),
            None => diags.push(
                Diagnostic::file(
                    display_of(arg),
                    DiagnosticCode::NotAnalysed,
                    "not a kind of file tollgate reads; skipped",
                )
                .with_severity(Severity::Note),
            ),
        }
    }
    let mut roots = roots.0;
    if roots.len() > 1 {
        let names = unique_names(&roots);
        for (r, name) in roots.iter_mut().zip(names) {
            r.prefix = format!("{name}/");
        }
        for c in &mut out {
            if c.disk.as_os_str() != STDIN_ARG {
                c.display = format!("{}{}", roots[c.root].prefix, c.display);
            }
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.disk == b.disk);
    Discovery {
        candidates: out,
        roots,
        diagnostics: diags,
        errors,
    }
}

/// A short name for each of several roots: the fewest trailing components of its resolved
/// path that tell it from the others (`repo-a`, `repo-b`; `x/repo`, `y/repo`). Never
/// absolute, so a display path stays a relative path that joins and normalises like any
/// other.
fn unique_names(roots: &[Root]) -> Vec<String> {
    let parts: Vec<Vec<String>> = roots
        .iter()
        .map(|r| {
            r.canonical
                .components()
                .filter_map(|c| match c {
                    Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
                    _ => None,
                })
                .collect()
        })
        .collect();
    let suffix = |p: &[String], k: usize| p[p.len().saturating_sub(k)..].join("/");
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let k = (1..=p.len())
                .find(|&k| {
                    parts
                        .iter()
                        .enumerate()
                        .all(|(j, q)| j == i || suffix(q, k) != suffix(p, k))
                })
                .unwrap_or(p.len());
            let name = suffix(p, k);
            if name.is_empty() {
                format!("root-{}", i + 1)
            } else {
                name
            }
        })
        .collect()
}

/// A YAML file named explicitly is read as a workflow even outside `.github/workflows/`
/// (users lint a draft, pre-commit passes what matches its pattern), and as a GitLab CI
/// configuration when it sits in a `.gitlab/` directory (a project's custom CI
/// configuration path: `.gitlab/ci.yml`).
fn explicit_kind(display: &str, disk: &Path) -> Option<FileKind> {
    if !(display.ends_with(".yml") || display.ends_with(".yaml")) {
        return None;
    }
    let in_gitlab = |p: &str| p.starts_with(".gitlab/") || p.contains("/.gitlab/");
    if in_gitlab(display) || in_gitlab(&disk.to_string_lossy()) {
        return Some(FileKind::GitlabCi);
    }
    Some(FileKind::Workflow)
}

/// The largest ignore file read: real ones are a few kilobytes.
const MAX_IGNORE_FILE: u64 = 1 << 20;

/// The `.gitignore` and `.ignore` files of a walk, read through the confined reader (the
/// walker's own reading would follow a `.gitignore` linked to `/dev/zero` and read it
/// forever) and parsed once per directory. Patterns apply from the repository root down:
/// none above the root, and none to the root's `.github/`, which GitHub runs whatever
/// `.gitignore` says.
struct Ignores {
    root: PathBuf,
    github: PathBuf,
    by_dir: std::sync::Mutex<std::collections::HashMap<PathBuf, Option<std::sync::Arc<Gitignore>>>>,
}

impl Ignores {
    fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            github: root.join(".github"),
            by_dir: std::sync::Mutex::default(),
        }
    }

    /// The patterns of one directory: its `.gitignore`, then its `.ignore` (which takes
    /// precedence, as the last matching pattern wins), and at the root git's
    /// `info/exclude`. Files that confinement refuses are left out.
    fn of(&self, dir: &Path) -> Option<std::sync::Arc<Gitignore>> {
        let lock = || {
            self.by_dir
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(known) = lock().get(dir) {
            return known.clone();
        }
        let mut builder = GitignoreBuilder::new(dir);
        let mut any = false;
        let mut files = vec![dir.join(".gitignore"), dir.join(".ignore")];
        if dir == self.root {
            files.insert(0, dir.join(".git/info/exclude"));
        }
        for f in files {
            if std::fs::symlink_metadata(&f).is_err() {
                continue;
            }
            let Ok(bytes) = confine::read(&f, &self.root, MAX_IGNORE_FILE) else {
                continue;
            };
            for line in String::from_utf8_lossy(&bytes).lines() {
                // A pattern git would not accept is skipped, as git skips it.
                if builder.add_line(None, line).is_ok() {
                    any = true;
                }
            }
        }
        let built = any
            .then(|| builder.build().ok().map(std::sync::Arc::new))
            .flatten();
        lock().insert(dir.to_path_buf(), built.clone());
        built
    }

    /// Whether `path` is ignored: the deepest directory whose patterns match decides.
    fn ignored(&self, path: &Path, is_dir: bool) -> bool {
        if path == self.root || path.starts_with(&self.github) || !path.starts_with(&self.root) {
            return false;
        }
        let mut dir = path.parent();
        while let Some(d) = dir {
            if let Some(g) = self.of(d) {
                match g.matched(path, is_dir) {
                    ignore::Match::Ignore(_) => return true,
                    ignore::Match::Whitelist(_) => return false,
                    ignore::Match::None => {}
                }
            }
            if d == self.root {
                break;
            }
            dir = d.parent();
        }
        false
    }
}

/// Walk `dir` (resolved) under `root` (resolved), in parallel.
fn walk(
    dir: &Path,
    root: &Path,
    index: usize,
    opts: &DiscoverOptions,
    out: &mut Vec<Candidate>,
    diags: &mut Vec<Diagnostic>,
) {
    // Directory reads are most of a walk: one thread per core reads them in parallel.
    // What each thread finds is collected here and sorted by the caller.
    let found: std::sync::Mutex<(Vec<Candidate>, Vec<Diagnostic>)> = std::sync::Mutex::default();
    let ignores = opts
        .gitignore
        .then(|| std::sync::Arc::new(Ignores::new(root)));
    WalkBuilder::new(dir)
        .standard_filters(false)
        .follow_links(false)
        .threads(rayon::current_num_threads())
        .filter_entry(move |e| {
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if is_dir
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| SKIP_DIRS.contains(&n))
            {
                return false;
            }
            !ignores
                .as_ref()
                .is_some_and(|i| i.ignored(e.path(), is_dir))
        })
        .build_parallel()
        .run(|| {
            let found = &found;
            Box::new(move |entry| {
                let (candidate, diagnostic) = visit(dir, root, index, entry);
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
    root: &Path,
    index: usize,
    entry: Result<ignore::DirEntry, ignore::Error>,
) -> (Option<Candidate>, Option<Diagnostic>) {
    let entry = match entry {
        Ok(e) => e,
        Err(e) => {
            let path = e_path(&e).unwrap_or_else(|| dir.to_path_buf());
            let d = Diagnostic::file(
                relative(&path, root),
                DiagnosticCode::Io,
                format!("cannot walk: {e}"),
            );
            return (None, Some(d));
        }
    };
    let Some(ft) = entry.file_type() else {
        return (None, None);
    };
    let display = relative(entry.path(), root);
    let Some(kind) = FileKind::classify(&display) else {
        return (None, None);
    };
    // Below the directory the walk was given: a fixture directory named on the command
    // line is read.
    if (kind.is_lockfile() || kind.is_registry_config() || kind == FileKind::Dockerfile)
        && in_fixtures(&relative(entry.path(), dir))
    {
        return (None, None);
    }
    if ft.is_symlink() {
        // Symlinks are followed only to regular files inside the scan root, so a link
        // cannot make us read (and report on) files the user did not ask about. Reading
        // checks again; this says why early, as a note.
        if let Err(refusal) = confine::check(entry.path(), root, u64::MAX) {
            let d = Diagnostic::file(
                display,
                DiagnosticCode::Io,
                format!("symbolic link not followed: {refusal}"),
            )
            .with_severity(Severity::Note);
            return (None, Some(d));
        }
    } else if !ft.is_file() {
        return (None, None);
    }
    let candidate = Candidate {
        display,
        disk: entry.path().to_path_buf(),
        kind,
        root: index,
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

//! `tollgate scan-org DIR` and `tollgate merge`: every repository of a directory checked
//! as `check` checks one, its facts written to the organisation database
//! (`tollgate-orgdb`), and shard databases merged.
//!
//! Memory stays bounded by the largest repository times `--jobs`, not by the number of
//! repositories: a worker takes the next repository, builds its scan, graph (every pass),
//! findings and inventory, turns them into plain rows and drops them before it takes
//! another. One thread writes the rows, in the order of the repositories' names, so the
//! output and the database do not depend on which worker finished first.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use tollgate_engine::RunOptions;
use tollgate_model::{Diagnostic, DiagnosticCode, Finding, Level, Severity};
use tollgate_orgdb::{Facts, Repository, Writer, facts::Sources};
use tollgate_report::escape::visible;

use crate::args::{FailLevel, MergeArgs, ScanOrgArgs, ScanOrgFormat};
use crate::{CliError, EXIT_CLEAN, EXIT_FINDINGS, output};

/// A repository of the directory.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Repo {
    name: String,
    path: PathBuf,
    bare: bool,
}

/// A bare git repository: the git directory itself, with no work tree around it.
fn is_bare(path: &Path) -> bool {
    path.join("HEAD").is_file()
        && path.join("objects").is_dir()
        && path.join("refs").is_dir()
        && !path.join(".git").exists()
}

/// A git checkout: its `.git` is a directory, or a file (a worktree or submodule).
fn is_checkout(path: &Path) -> bool {
    std::fs::symlink_metadata(path.join(".git")).is_ok()
}

/// Deepest nesting of groups read (`DIR/group/subgroup/repo` is two).
const MAX_GROUP_DEPTH: usize = 4;

/// A directory that groups repositories (an owner, a GitLab group or subgroup): it is
/// not one itself (no `.git`, not bare, no pipeline of its own) and holds at least one
/// git repository, a checkout or a bare one.
fn is_group(path: &Path) -> bool {
    if is_checkout(path)
        || is_bare(path)
        || [".github", ".gitlab-ci.yml", ".gitlab-ci.yaml"]
            .iter()
            .any(|m| std::fs::symlink_metadata(path.join(m)).is_ok())
    {
        return false;
    }
    std::fs::read_dir(path).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            e.file_type().is_ok_and(|k| k.is_dir())
                && !e.file_name().to_string_lossy().starts_with('.')
                && (is_checkout(&e.path()) || is_bare(&e.path()))
        })
    })
}

/// The repositories under `dir`, sorted by name: each directory directly under it, or
/// under a group directory ([`is_group`]) as `group/name`. Hidden entries, files and
/// symbolic links are not repositories (a link could lead out of the directory).
fn repositories(dir: &Path) -> Result<Vec<Repo>, CliError> {
    let mut repos = Vec::new();
    collect(dir, "", 0, &mut repos)
        .map_err(|e| CliError::Usage(format!("cannot read `{}`: {e}", dir.display())))?;
    repos.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(repos)
}

fn collect(dir: &Path, prefix: &str, depth: usize, repos: &mut Vec<Repo>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)?.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        if !kind.is_dir() || name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let name = format!("{prefix}{name}");
        if depth < MAX_GROUP_DEPTH && is_group(&path) {
            // A group that cannot be read is left out; its siblings are not.
            let _ = collect(&path, &format!("{name}/"), depth + 1, repos);
            continue;
        }
        repos.push(Repo {
            bare: is_bare(&path),
            name,
            path,
        });
    }
    Ok(())
}

/// What one repository gave: its rows, its lines for standard output, and whether it
/// fails the run.
struct Outcome {
    facts: Facts,
    listing: String,
    failing: bool,
    findings: usize,
}

/// A diagnostic about a whole repository (it could not be read).
fn unreadable(repo: &Repo, message: String) -> Outcome {
    let d = Diagnostic {
        severity: Severity::Error,
        code: DiagnosticCode::Io,
        message: format!("cannot read repository: {message}"),
        location: None,
        path: String::new(),
        help: None,
    };
    let listing = format!(
        "{}: error[input::{}] {}\n",
        visible(&repo.name),
        d.code.as_str(),
        visible(&d.message)
    );
    let mut facts = Facts::only(Repository {
        name: repo.name.clone(),
        kind: kind(repo),
        error: Some(d.message.clone()),
        ..Repository::default()
    });
    facts
        .diagnostics
        .push(tollgate_orgdb::facts::DiagnosticRow::of(&d));
    Outcome {
        facts,
        listing,
        failing: true,
        findings: 0,
    }
}

const fn kind(repo: &Repo) -> &'static str {
    if repo.bare { "bare" } else { "checkout" }
}

/// Check one repository and keep its rows; everything else is dropped on return.
fn one(repo: &Repo, args: &ScanOrgArgs, threshold: Option<Level>) -> Outcome {
    // A bare repository is read at HEAD into a private temporary directory, as `diff`
    // reads a revision; it is removed when `tree` is dropped.
    let mut revision = None;
    let tree = if repo.bare {
        let opened = tollgate_diff::git::open_exact(&repo.path)
            .and_then(|r| r.materialise("HEAD", tollgate_scan::ReadLimits::default()));
        match opened {
            Ok(m) => {
                revision = Some(m.commit.clone());
                Some(m)
            }
            Err(e) => return unreadable(repo, e.to_string()),
        }
    } else {
        None
    };
    let dir = tree
        .as_ref()
        .map_or_else(|| repo.path.clone(), |m| m.dir().to_path_buf());
    // A bare repository's identity is in its own `config` (the materialised tree has no
    // `.git`); the analysis takes it when it is a GitHub repository, as `--repository`.
    let bare_identity = repo
        .bare
        .then(|| tollgate_scan::identity::of_bare(&repo.path))
        .flatten();
    let slug = bare_identity
        .as_ref()
        .filter(|r| r.host == "github.com")
        .map(tollgate_model::repo::Repository::full_name);
    let mut row = Repository {
        name: repo.name.clone(),
        kind: kind(repo),
        revision,
        identity: bare_identity
            .as_ref()
            .map(tollgate_model::repo::Repository::full_name),
        ..Repository::default()
    };
    let analysis = match crate::check::analyse_with(
        &[dir],
        args.config.as_deref(),
        false,
        None,
        slug.as_deref(),
        &RunOptions::default(),
        &tollgate_scan::DiscoverOptions {
            own_root: true,
            ..tollgate_scan::DiscoverOptions::default()
        },
    ) {
        Ok(a) => a,
        // A repository without pipelines is one with nothing to report.
        Err(CliError::NoInput(_)) => {
            return Outcome {
                facts: Facts::only(row),
                listing: String::new(),
                failing: false,
                findings: 0,
            };
        }
        Err(CliError::Config(rendered)) => {
            return unreadable(repo, format!("invalid configuration: {rendered}"));
        }
        Err(e) => return unreadable(repo, e.to_string()),
    };
    let crate::check::Analysis {
        scan,
        config,
        graph,
        findings,
        mut diagnostics,
        ..
    } = analysis;
    // One configuration for the whole organisation: an allow-list entry this repository
    // does not need is not a mistake in it.
    if args.config.is_some() {
        diagnostics.retain(|d| d.code != DiagnosticCode::UnusedAllow);
    }
    row.files = scan.inputs.len();
    if let Some(identity) = scan
        .roots
        .first()
        .and_then(|r| r.repository.as_ref())
        .map(tollgate_model::repo::Repository::full_name)
    {
        row.identity = Some(identity);
    }
    let sources = crate::check::sources(&scan, &config);
    let fingerprints = tollgate_report::fingerprint::of(&findings, |p| sources.get(p).copied());
    drop(sources);
    let inventory = tollgate_inventory::build(&scan, &graph);
    let allow: Vec<String> = config
        .policy
        .egress_allow
        .iter()
        .map(|e| e.value.clone())
        .collect();
    let facts = Facts::of(
        row,
        Sources {
            scan: &scan,
            graph: &graph,
            inventory: &inventory,
            findings: &findings,
            fingerprints: &fingerprints,
            diagnostics: &diagnostics,
            egress_allow: &allow,
        },
    );
    let failing = threshold.is_some_and(|t| findings.iter().any(|f| f.level >= t))
        || diagnostics.iter().any(|d| d.severity == Severity::Error);
    Outcome {
        facts,
        listing: listing(&repo.name, &findings, &diagnostics),
        failing,
        findings: findings.len(),
    }
}

/// One repository's entry in `--format json`.
fn summary(o: &Outcome) -> serde_json::Value {
    let r = &o.facts.repository;
    let count = |level: &str| o.facts.findings.iter().filter(|f| f.level == level).count();
    serde_json::json!({
        "name": r.name,
        "kind": r.kind,
        "identity": r.identity,
        "revision": r.revision,
        "files": r.files,
        "findings": {
            "error": count("error"),
            "warning": count("warning"),
            "note": count("note"),
        },
        "diagnostics": o.facts.diagnostics.len(),
        "failing": o.failing,
        "error": r.error,
    })
}

/// `check --format concise` lines, each path prefixed with the repository's name.
fn listing(name: &str, findings: &[Finding], diagnostics: &[Diagnostic]) -> String {
    let f: Vec<&Finding> = findings.iter().collect();
    let d: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Note)
        .collect();
    let prefix = format!("{}/", visible(name));
    crate::listing::concise(&f, &d)
        .lines()
        .map(|l| format!("{prefix}{l}\n"))
        .collect()
}

fn threshold(l: FailLevel) -> Option<Level> {
    match l {
        FailLevel::Note => Some(Level::Note),
        FailLevel::Warning => Some(Level::Warning),
        FailLevel::Error => Some(Level::Error),
        FailLevel::Never => None,
    }
}

fn db_error(e: tollgate_orgdb::DbError) -> CliError {
    CliError::Usage(format!("organisation database: {e}"))
}

pub fn run(args: &ScanOrgArgs) -> Result<u8, CliError> {
    let shard = args
        .shard
        .as_deref()
        .map(tollgate_orgdb::shard::parse)
        .transpose()
        .map_err(CliError::Usage)?;
    let all = repositories(&args.dir)?;
    if all.is_empty() {
        return Err(CliError::NoInput(format!(
            "no repository found in `{}`: scan-org reads the directories under it (and under group directories that hold git repositories)",
            args.dir.display()
        )));
    }
    let repos: Vec<Repo> = all
        .into_iter()
        .filter(|r| shard.is_none_or(|(i, n)| tollgate_orgdb::shard::of(&r.name, n) == i))
        .collect();
    let mut writer = args
        .db
        .as_deref()
        .map(Writer::create)
        .transpose()
        .map_err(db_error)?;
    let workers = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        usize::from,
    );
    let workers = workers.clamp(1, repos.len().max(1));
    let bar = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(repos.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} repositories {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        b
    });
    let level = threshold(args.fail_level);
    let next = AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Outcome)>(workers);
    let json = args.format == ScanOrgFormat::Json;
    let mut summaries: Vec<serde_json::Value> = Vec::new();
    let mut totals = (0usize, 0usize, false);
    let mut failed: Option<CliError> = None;
    std::thread::scope(|s| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (repos, next) = (&repos, &next);
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(repo) = repos.get(i) else { break };
                    // One repository's failure is its own: the run goes on.
                    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        one(repo, args, level)
                    }))
                    .unwrap_or_else(|_| unreadable(repo, "internal error".to_owned()));
                    if tx.send((i, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Results are written in name order: the ones that finish early wait here.
        let mut waiting: BTreeMap<usize, Outcome> = BTreeMap::new();
        let mut due = 0usize;
        for (i, outcome) in rx {
            waiting.insert(i, outcome);
            while let Some(o) = waiting.remove(&due) {
                due += 1;
                if let Some(b) = &bar {
                    b.inc(1);
                }
                totals.0 += o.findings;
                totals.1 += usize::from(o.facts.repository.error.is_some());
                totals.2 |= o.failing;
                if failed.is_none()
                    && let Some(w) = writer.as_mut()
                    && let Err(e) = w.insert(&o.facts)
                {
                    failed = Some(db_error(e));
                    next.store(usize::MAX / 2, Ordering::Relaxed);
                }
                if json {
                    summaries.push(summary(&o));
                } else if !o.listing.is_empty()
                    && let Err(e) = output::emit(None, &o.listing)
                {
                    failed.get_or_insert(e);
                }
            }
        }
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if let Some(e) = failed {
        return Err(e);
    }
    let written = writer.map(Writer::finish).transpose().map_err(db_error)?;
    let (findings, unread, failing) = totals;
    if json {
        let doc = serde_json::json!({
            "version": 1,
            "directory": args.dir.display().to_string(),
            "shard": args.shard,
            "repositories": summaries,
            "totals": {
                "repositories": repos.len(),
                "unreadable": unread,
                "findings": findings,
            },
            "database": written.map(|p| p.display().to_string()),
        });
        output::emit_with(None, |w| {
            tollgate_report::escape::to_writer_pretty(&mut *w, &doc)?;
            w.write_all(b"\n")
        })?;
        return Ok(if failing { EXIT_FINDINGS } else { EXIT_CLEAN });
    }
    let shard_note = args
        .shard
        .as_deref()
        .map_or_else(String::new, |s| format!(" (shard {s})"));
    output::emit(
        None,
        &format!(
            "{} repositories scanned{shard_note}, {unread} unreadable, {findings} findings{}\n",
            repos.len(),
            written.map_or_else(String::new, |p| format!(
                "; database written to `{}`",
                visible(&p.display().to_string())
            )),
        ),
    )?;
    Ok(if failing { EXIT_FINDINGS } else { EXIT_CLEAN })
}

pub fn merge(args: &MergeArgs) -> Result<u8, CliError> {
    let inputs: Vec<&Path> = args.inputs.iter().map(PathBuf::as_path).collect();
    let n = tollgate_orgdb::merge(&inputs, &args.output).map_err(db_error)?;
    output::emit(
        None,
        &format!(
            "{n} repositories from {} databases merged into `{}`\n",
            inputs.len(),
            visible(&args.output.display().to_string())
        ),
    )?;
    Ok(EXIT_CLEAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_directly_under_are_repositories_and_bare_ones_are_told_apart() {
        let t = tempfile::tempdir().expect("tempdir");
        let root = t.path();
        for d in [
            "b-checkout/.git",
            "a-plain/.github",
            ".hidden",
            "c.git/objects",
            "c.git/refs",
        ] {
            std::fs::create_dir_all(root.join(d)).expect("mkdir");
        }
        std::fs::write(root.join("c.git/HEAD"), "ref: refs/heads/main\n").expect("write");
        std::fs::write(root.join("file.txt"), "x").expect("write");
        let repos = repositories(root).expect("reads");
        let got: Vec<(&str, bool)> = repos.iter().map(|r| (r.name.as_str(), r.bare)).collect();
        assert_eq!(
            got,
            vec![("a-plain", false), ("b-checkout", false), ("c.git", true)]
        );
    }

    /// `DIR/group/repo` (an owner's or a GitLab group's directory): a directory that is
    /// no repository itself and holds git repositories is read as a group, nested up to
    /// four levels; a directory with a pipeline of its own is a repository, whatever it
    /// holds.
    #[test]
    fn group_directories_hold_repositories() {
        let t = tempfile::tempdir().expect("tempdir");
        let root = t.path();
        for d in [
            "acme/api/.git",
            "acme/docs",
            "acme/platform/infra/.git",
            "acme/mirror.git/objects",
            "acme/mirror.git/refs",
            "solo/.github/workflows",
            "solo/vendor/lib/.git",
            "plain/src",
        ] {
            std::fs::create_dir_all(root.join(d)).expect("mkdir");
        }
        std::fs::write(root.join("acme/mirror.git/HEAD"), "ref: refs/heads/main\n").expect("write");
        let repos = repositories(root).expect("reads");
        let got: Vec<(&str, bool)> = repos.iter().map(|r| (r.name.as_str(), r.bare)).collect();
        assert_eq!(
            got,
            vec![
                ("acme/api", false),
                ("acme/docs", false),
                ("acme/mirror.git", true),
                ("acme/platform/infra", false),
                ("plain", false),
                ("solo", false),
            ]
        );
    }
}

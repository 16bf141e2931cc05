//! `tollgate diff BASE [HEAD]`: both trees scanned and built into graphs as `check` does,
//! their facts compared by `tollgate-diff`, rendered by `tollgate_report::diff`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tollgate_diff::git::{self, Materialised};
use tollgate_diff::{Diff, Side, Snapshot};
use tollgate_model::{Finding, SourceFile};
use tollgate_report::diff::SideLabel;
use tollgate_scan::{ReadLimits, Scan};

use crate::args::{DiffArgs, DiffFormat, FailOn};
use crate::{CliError, EXIT_CLEAN, EXIT_FINDINGS, output};

/// One side: a directory read in place, or a revision written out to a temporary one.
enum Tree {
    Dir(PathBuf),
    Rev(Materialised),
}

impl Tree {
    fn dir(&self) -> &Path {
        match self {
            Self::Dir(d) => d,
            Self::Rev(m) => m.dir(),
        }
    }

    fn label(&self, name: &str) -> SideLabel {
        SideLabel {
            name: name.to_owned(),
            commit: match self {
                Self::Dir(_) => None,
                Self::Rev(m) => Some(m.commit.clone()),
            },
        }
    }
}

/// A directory when one exists at `arg`, else a revision of the repository at `repo`.
fn open(arg: &str, repo: &Path, opened: &mut Option<git::Repository>) -> Result<Tree, CliError> {
    let path = Path::new(arg);
    if path.is_dir() {
        return Ok(Tree::Dir(path.to_path_buf()));
    }
    if opened.is_none() {
        *opened = Some(git::open(repo).map_err(|e| {
            CliError::Usage(format!(
                "`{arg}` is neither a directory nor a revision: {e}"
            ))
        })?);
    }
    let Some(r) = opened.as_ref() else {
        return Err(CliError::Usage(format!("`{arg}`: no repository")));
    };
    r.materialise(arg, ReadLimits::default())
        .map(Tree::Rev)
        .map_err(|e| CliError::Usage(e.to_string()))
}

/// What one side is made of, kept alive while its snapshot is taken.
struct Read {
    scan: Scan,
    graph: tollgate_graph::Graph,
    findings: Vec<Finding>,
    fingerprints: Vec<String>,
    diagnostics: Vec<tollgate_model::Diagnostic>,
}

fn read(tree: &Tree, config: Option<&Path>, repository: Option<&str>) -> Result<Read, CliError> {
    let (scan, config) =
        match crate::inputs::load(&[tree.dir().to_path_buf()], config, false, None, repository) {
            Ok(l) => (l.scan, l.config),
            // A tree with nothing to read (before the first workflow) is an empty side.
            Err(CliError::NoInput(_)) => (Scan::default(), tollgate_engine::Config::default()),
            Err(e) => return Err(e),
        };
    let (graph, graph_diagnostics) = tollgate_facts::graph(&scan);
    let outcome = tollgate_engine::run(
        tollgate_rules::rules(),
        &scan,
        &graph,
        &config,
        &tollgate_engine::RunOptions::default(),
    );
    let mut findings = outcome.findings;
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let sources: HashMap<&str, &SourceFile> = scan
        .inputs
        .iter()
        .map(|i| (i.source.display.as_str(), &i.source))
        .chain(config.source.as_ref().map(|s| (s.display.as_str(), s)))
        .collect();
    let fingerprints = tollgate_report::fingerprint::of(&findings, |p| sources.get(p).copied());
    drop(sources);
    let mut diagnostics = scan.diagnostics.clone();
    diagnostics.extend(graph_diagnostics);
    Ok(Read {
        scan,
        graph,
        findings,
        fingerprints,
        diagnostics,
    })
}

fn snapshot(r: &Read) -> Snapshot {
    Snapshot::of(Side {
        scan: &r.scan,
        graph: &r.graph,
        findings: &r.findings,
        fingerprints: &r.fingerprints,
    })
}

/// Whether the diff trips one of the `--fail-on` conditions.
fn fails(diff: &Diff, on: &[FailOn]) -> bool {
    on.iter().any(|c| match c {
        FailOn::NewFindings => !diff.new_findings.is_empty(),
        FailOn::NewPermissions => diff.widened_jobs() > 0,
        FailOn::NewHosts => !diff.new_hosts().is_empty(),
        FailOn::NewActions => diff
            .added_dependencies()
            .any(|d| matches!(d.kind, "action" | "reusable-workflow")),
        FailOn::MovedPackages => diff.moved_packages() > 0,
        FailOn::NewPrivilegedTriggers => diff.new_privileged_triggers().next().is_some(),
        FailOn::Any => !diff.is_empty(),
    })
}

pub fn run(args: &DiffArgs, repository: Option<&str>) -> Result<u8, CliError> {
    let mut opened = None;
    let base = open(&args.base, &args.repo, &mut opened)?;
    let head = match &args.head {
        Some(h) => open(h, &args.repo, &mut opened)?,
        None => Tree::Dir(args.repo.clone()),
    };
    // A revision's temporary directory has no `.git/config`: it is the repository it
    // was read from (unless --repository says otherwise).
    let identity = repository.map(str::to_owned).or_else(|| {
        let r = opened.as_ref()?;
        let canonical = std::fs::canonicalize(&r.path).ok()?;
        tollgate_scan::identity::of_root(&canonical).map(|r| r.full_name())
    });
    let side_identity = |t: &Tree| match t {
        Tree::Dir(_) => repository,
        Tree::Rev(_) => identity.as_deref(),
    };
    let (b, h) = rayon::join(
        || read(&base, args.config.as_deref(), side_identity(&base)),
        || read(&head, args.config.as_deref(), side_identity(&head)),
    );
    let (b, h) = (b?, h?);
    output::report_problems(h.diagnostics.iter());
    let diff = tollgate_diff::compare(&snapshot(&b), &snapshot(&h));
    let (bl, hl) = (
        base.label(&args.base),
        head.label(args.head.as_deref().unwrap_or("working tree")),
    );
    match args.format {
        DiffFormat::Markdown => output::emit(
            args.output.as_deref(),
            &tollgate_report::diff::markdown::render(&diff, &bl, &hl),
        )?,
        DiffFormat::Json => {
            let doc = tollgate_report::diff::json::document(&diff, &bl, &hl);
            output::emit_with(args.output.as_deref(), |w| {
                tollgate_report::escape::to_writer_pretty(&mut *w, &doc)?;
                w.write_all(b"\n")
            })?;
        }
        DiffFormat::Sarif => {
            let new: Vec<Finding> = diff.new_findings.iter().map(|(_, f)| f.clone()).collect();
            // The fingerprints of the whole HEAD run, so that a new finding is the alert
            // a full check of HEAD reports, not one numbered among the new alone.
            let fingerprints: Vec<String> =
                diff.new_findings.iter().map(|(fp, _)| fp.clone()).collect();
            let sources: HashMap<&str, &SourceFile> = h
                .scan
                .inputs
                .iter()
                .map(|i| (i.source.display.as_str(), &i.source))
                .collect();
            let rules = crate::catalog::infos();
            let log = tollgate_report::sarif::render_fingerprinted(
                &rules,
                &new,
                fingerprints,
                &[],
                |p| sources.get(p).copied(),
                env!("CARGO_PKG_VERSION"),
                env!("CARGO_PKG_REPOSITORY"),
            );
            output::emit_with(args.output.as_deref(), |w| {
                log.write_json_pretty(w)?;
                w.write_all(b"\n")
            })?;
        }
        DiffFormat::Github => {
            let new: Vec<Finding> = diff.new_findings.iter().map(|(_, f)| f.clone()).collect();
            output::emit(
                args.output.as_deref(),
                &tollgate_report::github::render(&new, &[]),
            )?;
        }
    }
    Ok(if fails(&diff, &args.fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

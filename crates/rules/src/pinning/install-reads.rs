//! The files an install reads (requirements files, lockfiles), as the graph links them
//! to its command: what `unpinned-package-install` consults before calling an install
//! unpinned.

use tollgate_engine::{Context, ScriptCx};
use tollgate_graph::Origin;
use tollgate_lockfile::PackageFile as Packages;
use tollgate_model::FileKind;
use tollgate_scan::{FileModel, Input};
use tollgate_shell::Install;

/// The files an install reads, as the graph links them to its command: each file's
/// input and where the install names it (the install's own span for the project's
/// lockfile, which the graph finds in the step's directory).
pub(super) struct Reads<'a> {
    files: Vec<(&'a Input, Option<Origin>)>,
    /// The input the install is written in.
    input: Option<tollgate_graph::InputId>,
}

impl<'a> Reads<'a> {
    pub(super) fn of(cx: &Context<'a>, script: &ScriptCx<'_>, i: &Install) -> Self {
        let g = cx.graph;
        let input = g.input_id(&script.input().source.display);
        if let (ScriptCx::Run(_), Some(id)) = (script, input) {
            return Self {
                files: build_context_files(cx, script, id, i),
                input,
            };
        }
        let files = input
            .and_then(|id| {
                let node = script.node(cx)?;
                g.command_at(node, Origin::new(id, script.file_span(i.span)))
            })
            .map(|cmd| {
                g.installed_files(cmd)
                    .into_iter()
                    .filter_map(|(file, at)| {
                        let origin = g.node(file)?.origin?;
                        Some((g.input(cx.scan, origin.input())?, at))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self { files, input }
    }

    /// The model of the file named at `span` of the step's script.
    pub(super) fn named(
        &self,
        script: &ScriptCx<'_>,
        span: tollgate_model::Span,
    ) -> Option<&'a FileModel> {
        let at = Origin::new(self.input?, script.file_span(span));
        self.files
            .iter()
            .find(|(_, o)| *o == Some(at))
            .map(|(f, _)| &*f.parsed)
    }

    /// The project lockfile of `kind` the install reads.
    pub(super) fn lockfile(&self, kinds: &[FileKind]) -> Option<&'a Packages> {
        self.files
            .iter()
            .filter(|(f, _)| kinds.contains(&f.kind))
            .find_map(|(f, _)| match &*f.parsed {
                FileModel::Packages(p) => Some(p),
                _ => None,
            })
    }
}

/// The files a Dockerfile `RUN`'s install reads. The graph has no command node for a
/// `RUN` (the build context is chosen by whoever builds), so they are looked up where
/// the context most likely is, as the scan follows a `RUN`'s scripts: the Dockerfile's
/// directory, then the top of the repository. Each requirements file is found at its
/// name in the `RUN`; the project lockfiles are those of the first directory holding one.
fn build_context_files<'a>(
    cx: &Context<'a>,
    script: &ScriptCx<'_>,
    id: tollgate_graph::InputId,
    i: &Install,
) -> Vec<(&'a Input, Option<Origin>)> {
    let input = script.input();
    let display = input.source.display.as_str();
    let dir = display.rsplit_once('/').map_or("", |(d, _)| d);
    let top = tollgate_scan::local::repo_prefix(display).trim_end_matches('/');
    let mut dirs = vec![dir, top];
    dirs.dedup();
    let join = |d: &str, rel: &str| {
        tollgate_scan::local::normalise(&if d.is_empty() {
            rel.to_owned()
        } else {
            format!("{d}/{rel}")
        })
    };
    let mut out = Vec::new();
    for r in &i.requirement_files {
        if r.path.contains('$') || r.path.starts_with('/') {
            continue;
        }
        let found = dirs
            .iter()
            .filter_map(|d| join(d, &r.path))
            .find_map(|p| cx.scan.input_at(input.root, &p));
        if let Some(f) = found {
            out.push((f, Some(Origin::new(id, script.file_span(r.span)))));
        }
    }
    // The project lockfiles the verdicts read (npm's and yarn's), each a binary search
    // rather than a walk over every input.
    for d in dirs {
        let locks: Vec<&Input> = ["package-lock.json", "yarn.lock"]
            .iter()
            .filter_map(|name| join(d, name))
            .filter_map(|p| cx.scan.input_at(input.root, &p))
            .collect();
        if !locks.is_empty() {
            out.extend(locks.into_iter().map(|f| (f, None)));
            break;
        }
    }
    out
}

/// Whether every requirements file named by the install pins every entry by hash.
pub(super) fn hashed_requirements(
    script: &ScriptCx<'_>,
    reads: &Reads<'_>,
    i: &Install,
) -> Option<bool> {
    let mut all = true;
    for r in &i.requirement_files {
        let FileModel::Packages(p) = reads.named(script, r.span)? else {
            return None;
        };
        all &= !p.packages.is_empty() && p.packages.iter().all(|p| p.integrity.is_some());
    }
    Some(all)
}

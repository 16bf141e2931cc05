//! Facts of `run:` scripts in the graph: the commands that download, pull or install,
//! the hosts they reach, and the lockfiles and registry configs their installs use.
//!
//! An install that names no package (`npm ci`, `cargo test`, `poetry install`) installs
//! what the project's lockfile says: the lockfile is the one of its manager in the step's
//! working directory. Registry configs of the same ecosystem in that directory or any
//! ancestor up to the repository root affect it, as package managers search upwards.

use std::collections::HashMap;

use tollgate_gha::Step;
use tollgate_lockfile::{Ecosystem, SourceKind};
use tollgate_model::{FileKind, Span};
use tollgate_shell::{Fact, Install, PackageKind};

use crate::fragment::{FRef, FragmentBuilder, Key};
use crate::model::{EdgeKind, NodeKind};
use crate::sources::Naming;
use crate::util::{normalise, repo_prefix};

/// The ecosystem of a package manager, where one registry model applies.
fn ecosystem(manager: &str) -> Option<Ecosystem> {
    tollgate_kb::Manager::ecosystem_of(manager)
}

/// The lockfile kinds a project-level install of `manager` reads.
fn lockfile_kinds(manager: &str) -> &'static [FileKind] {
    tollgate_kb::Manager::from_name(manager).map_or(&[], tollgate_kb::Manager::lockfile_kinds)
}

/// The registry-config kinds that apply to an ecosystem, and the sub-directory they
/// live in relative to a project directory.
fn config_kinds(eco: Ecosystem) -> &'static [(FileKind, &'static str)] {
    tollgate_kb::managers::config_kinds(eco)
}

fn join(dir: &str, rel: &str) -> Option<String> {
    if dir.is_empty() {
        normalise(rel)
    } else {
        normalise(&format!("{dir}/{rel}"))
    }
}

impl FragmentBuilder<'_> {
    /// The directory (relative to the scan root) a step runs in, when static.
    fn step_dir(&self, working_directory: Option<&str>) -> Option<String> {
        let wd = working_directory.unwrap_or(".");
        if wd.contains("${{") || wd.contains('$') || wd.starts_with('/') || wd.starts_with('~') {
            return None;
        }
        let inner = normalise(wd)?;
        let prefix = repo_prefix(&self.input.source.display).trim_end_matches('/');
        Some(match (prefix.is_empty(), inner.is_empty()) {
            (true, _) => inner,
            (false, true) => prefix.to_owned(),
            (false, false) => format!("{prefix}/{inner}"),
        })
    }

    /// Command nodes and their edges for the facts of one `run:` step.
    pub(crate) fn run_facts(
        &mut self,
        step_node: &FRef,
        job: Option<usize>,
        step: &Step,
        working_directory: Option<&str>,
    ) {
        let Some(run) = &step.run else {
            return;
        };
        let Some(analysis) = self
            .input
            .script(job, step.index)
            .and_then(|s| s.analysis.as_deref())
        else {
            return;
        };
        let dir = self.step_dir(working_directory);
        self.script_facts(step_node, analysis, &run.script, &|s| run.file_span(s), dir);
    }

    /// Command nodes and their edges for the facts of one analysed script (`script` its
    /// text, `map` from spans in it to spans in the file), run in directory `dir`.
    pub(crate) fn script_facts(
        &mut self,
        step_node: &FRef,
        analysis: &tollgate_shell::Analysis,
        script: &str,
        map: &dyn Fn(Span) -> Span,
        dir: Option<String>,
    ) {
        let mut commands: HashMap<Span, FRef> = HashMap::new();
        for fact in &analysis.facts {
            let (tool, span) = match fact {
                Fact::Download(d) => (d.tool, d.span),
                Fact::Image(i) => (i.tool, i.span),
                Fact::ImageBuild(b) => (b.tool, b.span),
                Fact::Install(i) => (i.manager, i.span),
                _ => continue,
            };
            let cmd = match commands.get(&span) {
                Some(c) => c.clone(),
                None => {
                    let file_span = map(span);
                    let text = script.get(span.range()).unwrap_or(tool);
                    let c = self.local(
                        NodeKind::Command {
                            tool: tool.to_owned(),
                            text: text.trim().to_owned(),
                        },
                        file_span,
                        Some(step_node),
                    );
                    self.edge(step_node, &c, EdgeKind::Runs, Some(file_span));
                    commands.insert(span, c.clone());
                    c
                }
            };
            match fact {
                Fact::Image(i) => {
                    let at = map(i.image_span);
                    let img = self.image(&i.image, at);
                    self.edge(&cmd, &img, EdgeKind::Pulls, Some(at));
                }
                Fact::ImageBuild(b) => {
                    for (tag, span) in b.tags.iter().zip(&b.tag_spans) {
                        let at = map(*span);
                        let img = self.built_image(tag, at);
                        self.edge(&cmd, &img, EdgeKind::Builds, Some(at));
                    }
                }
                Fact::Install(i) => self.install(&cmd, map, i, dir.as_deref()),
                _ => {}
            }
        }
        // `pnpm build:docker`, `make docker-image`: images may be built where the script
        // text does not show it.
        if analysis.runs_docker_script()
            && let FRef::Local(i) = step_node
        {
            self.frag.image_scripts.push(*i);
        }
    }

    fn install(
        &mut self,
        cmd: &FRef,
        map: &dyn Fn(Span) -> Span,
        inst: &Install,
        dir: Option<&str>,
    ) {
        let eco = ecosystem(inst.manager);
        let mut named_registry_packages = false;
        for p in &inst.packages {
            let at = map(p.span);
            match p.kind {
                PackageKind::Registry => {
                    named_registry_packages = true;
                    let Some(eco) = eco else { continue };
                    let pkg = self.shared(
                        Key::Package(eco, p.name.clone(), p.version.clone(), String::new()),
                        NodeKind::Package {
                            ecosystem: eco,
                            name: p.name.clone(),
                            version: p.version.clone(),
                        },
                        Some(at),
                    );
                    self.edge(cmd, &pkg, EdgeKind::Installs, Some(at));
                }
                PackageKind::Git
                | PackageKind::Url
                | PackageKind::Path
                | PackageKind::LocalFile => {}
            }
        }
        for idx in &inst.index_urls {
            let at = map(idx.span);
            let default = eco.is_some_and(|e| tollgate_lockfile::is_default_registry(e, &idx.url));
            let node = self.source(eco, SourceKind::Registry, &idx.url, default, at);
            self.edge(cmd, &node, EdgeKind::ResolvesFrom, Some(at));
            // The kind of option (a second index, a page of archives, a proxy) is what
            // makes an index a dependency-confusion risk; the record keeps it.
            self.naming(cmd, Some(&node), at, Naming::Index { kind: idx.kind });
        }
        let Some(dir) = dir else {
            return;
        };
        let at = Some(map(inst.span));
        // Requirement and constraint files named on the command line.
        for f in inst.requirement_files.iter().chain(&inst.constraint_files) {
            if let Some(path) = join(dir, &f.path)
                && let Some(id) = self.file(&path)
            {
                let fat = Some(map(f.span));
                self.edge(cmd, &FRef::Key(Key::File(id)), EdgeKind::Installs, fat);
            }
        }
        // A project-level install reads the lockfile of its manager in the directory. A
        // package manager would look further up for its project's root, but only from a
        // directory holding the project: a step's directory is often a checkout made at
        // run time (poetry's CI installs a plugin checked out into a directory the
        // repository does not have), and the lockfile above it belongs to another project.
        if !inst.global && !named_registry_packages {
            let kinds = lockfile_kinds(inst.manager);
            let ids: Vec<_> = self
                .in_dir(dir)
                .iter()
                .copied()
                .filter(|id| self.resolver.kind(*id).is_some_and(|k| kinds.contains(&k)))
                .collect();
            for id in ids {
                self.edge(cmd, &FRef::Key(Key::File(id)), EdgeKind::Installs, at);
            }
        }
        // Registry configuration in the directory or above, up to the repository root.
        let Some(eco) = eco else { return };
        for d in &self.dirs_up(dir) {
            for (kind, sub) in config_kinds(eco) {
                let look = if sub.is_empty() {
                    d.clone()
                } else {
                    join(d, sub).unwrap_or_default()
                };
                let ids: Vec<_> = self
                    .in_dir(&look)
                    .iter()
                    .copied()
                    .filter(|id| self.resolver.kind(*id) == Some(*kind))
                    .collect();
                for id in ids {
                    self.edge(cmd, &FRef::Key(Key::File(id)), EdgeKind::ResolvesFrom, at);
                }
            }
        }
    }

    /// `dir` and the directories above it, nearest first, up to the top of the
    /// repository holding this input.
    fn dirs_up(&self, dir: &str) -> Vec<String> {
        let top = repo_prefix(&self.input.source.display).trim_end_matches('/');
        let mut out = vec![dir.to_owned()];
        let mut d = dir;
        while d != top && !d.is_empty() {
            d = d.rsplit_once('/').map_or("", |(p, _)| p);
            out.push(d.to_owned());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managers() {
        assert_eq!(ecosystem("npm"), Some(Ecosystem::Npm));
        assert_eq!(ecosystem("apt-get"), None);
        assert_eq!(lockfile_kinds("cargo"), &[FileKind::CargoLock]);
        assert!(lockfile_kinds("pip").is_empty());
        assert_eq!(
            join("web", "../requirements.txt").as_deref(),
            Some("requirements.txt")
        );
        assert_eq!(join("", "./a.txt").as_deref(), Some("a.txt"));
    }
}

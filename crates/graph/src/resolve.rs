//! Resolution of local references (`./path`, `$/path`) to input files, loading from disk
//! the local actions and workflows that the scan did not include.

use std::collections::{HashMap, HashSet, VecDeque};

use tollgate_gha::{Uses, Workflow};
use tollgate_model::{Diagnostic, FileKind};
use tollgate_scan::{Input, Parsed, ReadLimits, Scan, Script, parse_source, read_text};
use tollgate_shell::{Analyzer, ShellKind};

use crate::model::InputId;
use crate::util::{normalise, repo_prefix};

/// The scan's inputs followed by the files loaded during resolution.
pub(crate) struct Inputs<'a> {
    pub scanned: &'a [Input],
    pub loaded: Vec<Input>,
}

impl Inputs<'_> {
    pub fn get(&self, id: InputId) -> Option<&Input> {
        match self.scanned.get(id.0) {
            Some(i) => Some(i),
            None => self.loaded.get(id.0 - self.scanned.len()),
        }
    }

    pub fn len(&self) -> usize {
        self.scanned.len() + self.loaded.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (InputId, &Input)> {
        self.scanned
            .iter()
            .chain(self.loaded.iter())
            .enumerate()
            .map(|(i, input)| (InputId(i), input))
    }
}

/// What a local reference resolved to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Resolution {
    Found(InputId),
    /// Not found; the normalised path that was looked for (directory for actions, file
    /// for workflows), relative to the scan root.
    Missing(String),
    /// The path climbs out of the repository (`./../x`).
    Outside,
}

/// Index of inputs by root and display path.
pub(crate) struct Resolver {
    by_path: HashMap<(usize, String), InputId>,
    /// Lockfiles and registry configs by root and directory, in input order.
    by_dir: HashMap<(usize, String), Vec<InputId>>,
    /// The kind of every input, by id.
    kinds: Vec<FileKind>,
}

/// A local reference found in a model: the path after `./` or `$/`, and whether it
/// names a reusable workflow (job-level `uses:`) rather than an action directory.
fn local_refs(parsed: &Parsed) -> Vec<(String, bool)> {
    fn push(out: &mut Vec<(String, bool)>, uses: Option<&Uses>, workflow: bool) {
        if let Some(p) = uses.and_then(Uses::local_path) {
            out.push((p.to_owned(), workflow));
        }
    }
    let mut out = Vec::new();
    match parsed {
        Parsed::Workflow(Workflow { jobs, .. }) => {
            for job in jobs {
                push(&mut out, job.uses.as_ref().map(|u| &u.value), true);
                for step in &job.steps {
                    push(&mut out, step.uses.as_ref().map(|u| &u.value), false);
                }
            }
        }
        Parsed::Action(a) => {
            for step in a.steps() {
                push(&mut out, step.uses.as_ref().map(|u| &u.value), false);
            }
        }
        _ => {}
    }
    out
}

fn dir_of(display: &str) -> &str {
    display.rsplit_once('/').map_or("", |(d, _)| d)
}

impl Resolver {
    fn index(inputs: &Inputs<'_>) -> Self {
        let mut r = Self {
            by_path: HashMap::new(),
            by_dir: HashMap::new(),
            kinds: Vec::new(),
        };
        for (id, input) in inputs.iter() {
            r.add(id, input);
        }
        r
    }

    fn add(&mut self, id: InputId, input: &Input) {
        if self.kinds.len() <= id.0 {
            self.kinds.resize(id.0 + 1, input.kind);
        }
        self.kinds[id.0] = input.kind;
        self.by_path
            .entry((input.root, input.source.display.clone()))
            .or_insert(id);
        if input.kind.is_lockfile() || input.kind.is_registry_config() {
            self.by_dir
                .entry((input.root, dir_of(&input.source.display).to_owned()))
                .or_default()
                .push(id);
        }
    }

    /// The candidate file paths for a local reference from `display`.
    fn candidates(display: &str, path: &str, workflow: bool) -> Option<(String, Vec<String>)> {
        // The referenced path may not climb out of the repository; the prefix (where the
        // repository sits under the scan root) is kept as displayed.
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

    /// Resolve a local reference made in `from`.
    pub fn resolve(&self, from: &Input, path: &str, workflow: bool) -> Resolution {
        let Some((norm, files)) = Self::candidates(&from.source.display, path, workflow) else {
            return Resolution::Outside;
        };
        files
            .into_iter()
            .find_map(|f| self.by_path.get(&(from.root, f)).copied())
            .map_or(Resolution::Missing(norm), Resolution::Found)
    }

    /// The input at a display path.
    pub fn file(&self, root: usize, path: &str) -> Option<InputId> {
        self.by_path.get(&(root, path.to_owned())).copied()
    }

    /// The kind of an input.
    pub fn kind(&self, id: InputId) -> Option<FileKind> {
        self.kinds.get(id.0).copied()
    }

    /// The lockfiles and registry configs in directory `dir` (relative to the scan root)
    /// of root `root`.
    pub fn in_dir(&self, root: usize, dir: &str) -> &[InputId] {
        self.by_dir
            .get(&(root, dir.to_owned()))
            .map_or(&[], Vec::as_slice)
    }
}

/// Index the scan's inputs and load, transitively, every local action and reusable
/// workflow that is referenced but was not scanned. Each referenced path is tried once,
/// so reference cycles terminate.
pub(crate) fn load_missing(scan: &Scan) -> (Inputs<'_>, Resolver, Vec<Diagnostic>) {
    let mut inputs = Inputs {
        scanned: &scan.inputs,
        loaded: Vec::new(),
    };
    let mut resolver = Resolver::index(&inputs);
    let mut diagnostics = Vec::new();
    let mut tried: HashSet<(usize, String)> = HashSet::new();
    let mut queue: VecDeque<InputId> = (0..inputs.len()).map(InputId).collect();
    // Created on first use: most runs load nothing.
    let mut analyzer = LazyAnalyzer(None);
    while let Some(id) = queue.pop_front() {
        let Some(input) = inputs.get(id) else {
            continue;
        };
        let (root, display) = (input.root, input.source.display.clone());
        for (path, workflow) in local_refs(&input.parsed) {
            let Some((_, files)) = Resolver::candidates(&display, &path, workflow) else {
                continue;
            };
            if files
                .iter()
                .any(|f| resolver.by_path.contains_key(&(root, f.clone())))
            {
                continue;
            }
            let Some(root_dir) = scan.roots.get(root) else {
                continue;
            };
            for file in files {
                if !tried.insert((root, file.clone())) {
                    continue;
                }
                let disk = root_dir.join(&file);
                if !disk.is_file() {
                    continue;
                }
                let kind = if workflow {
                    FileKind::Workflow
                } else {
                    FileKind::Action
                };
                match read_text(&disk, &file, kind, ReadLimits::default()) {
                    Err(d) => diagnostics.push(d),
                    Ok(source) => {
                        let (parsed, diags) = parse_source(&source, kind);
                        diagnostics.extend(diags);
                        let mut new = Input {
                            source,
                            kind,
                            root,
                            parsed,
                            scripts: Vec::new(),
                        };
                        new.scripts = analyse_scripts(&mut analyzer, &new.parsed);
                        let new_id = InputId(inputs.len());
                        resolver.add(new_id, &new);
                        inputs.loaded.push(new);
                        queue.push_back(new_id);
                    }
                }
                break;
            }
        }
    }
    (inputs, resolver, diagnostics)
}

struct LazyAnalyzer(Option<Analyzer>);

/// The shell analysis the scan runs on every input, for the files loaded here: only
/// local actions and workflows are loaded, and their `run:` steps are analysed the same
/// way (effective shell; bash for a composite step without `shell:`).
fn analyse_scripts(lazy: &mut LazyAnalyzer, parsed: &Parsed) -> Vec<Script> {
    let mut out = Vec::new();
    let analyzer = lazy.0.get_or_insert_with(Analyzer::new);
    let mut one = |job: Option<usize>, step: &tollgate_gha::Step, shell: &str| {
        let Some(run) = &step.run else { return };
        let kind = ShellKind::classify(shell);
        let analysis = kind.is_analysable().then(|| analyzer.analyze(&run.script));
        out.push(Script {
            job,
            step: step.index,
            shell: kind,
            analysis,
        });
    };
    match parsed {
        Parsed::Workflow(wf) => {
            for (j, job) in wf.jobs.iter().enumerate() {
                for step in &job.steps {
                    one(Some(j), step, wf.effective_shell(job, step));
                }
            }
        }
        Parsed::Action(a) => {
            for step in a.steps() {
                one(
                    None,
                    step,
                    step.shell.as_ref().map_or("bash", |s| s.value.as_str()),
                );
            }
        }
        _ => {}
    }
    out.sort_by_key(|s| (s.job, s.step));
    out
}

//! Reading and parsing every candidate in parallel, one file per task.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use tollgate_model::{Diagnostic, DiagnosticCode, SourceFile};
use tollgate_shell::{Analysis, Analyzer, ShellKind};

use crate::discover::{Candidate, DiscoverOptions, Discovery, Root, STDIN_ARG, discover};
use crate::input::{Exclude, FileModel, Input, Script, not_analysed, parse_source, run_steps};
use crate::read::{ReadLimits, decode, limit_for, read_bytes};

#[derive(Clone, Default)]
pub struct ScanOptions {
    pub discover: DiscoverOptions,
    pub limits: ReadLimits,
    /// Told how many files there are and when each is done (a progress bar).
    pub progress: Option<std::sync::Arc<dyn Progress>>,
    /// The text of the workflow given as `-` (standard input), read by the caller.
    pub stdin: Option<Arc<[u8]>>,
    /// Paths (relative to their root) that are not read at all, discovered or referenced.
    pub exclude: Option<Exclude>,
    /// The repository every root is (`--repository`), instead of what each root says.
    pub repository: Option<tollgate_model::repo::Repository>,
}

impl std::fmt::Debug for ScanOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanOptions")
            .field("discover", &self.discover)
            .field("limits", &self.limits)
            .field("progress", &self.progress.is_some())
            .field("stdin", &self.stdin.as_ref().map(|s| s.len()))
            .field("exclude", &self.exclude.is_some())
            .field("repository", &self.repository)
            .finish()
    }
}

/// A receiver of scan progress; called from worker threads.
pub trait Progress: Send + Sync {
    fn start(&self, files: usize);
    fn file_done(&self);
    fn finish(&self);
}

/// Everything read from the given paths.
#[derive(Debug, Default)]
pub struct Scan {
    /// The directories the inputs were read within, by index (`Input::root`).
    pub roots: Vec<Root>,
    /// Path arguments that could not be scanned at all (missing, a FIFO, a device): a
    /// usage error for the command line.
    pub errors: Vec<Diagnostic>,
    /// Inputs sorted by display path (deterministic, whatever the thread count).
    pub inputs: Vec<Input>,
    /// Diagnostics about inputs, sorted by path and position.
    pub diagnostics: Vec<Diagnostic>,
    /// How long each stage took, for `--timings` and the benchmarks.
    pub timings: ScanTimings,
}

impl Scan {
    /// The input at display path `display` under root `root`. Inputs are sorted by both,
    /// so this is a binary search, not a walk over every input.
    #[must_use]
    pub fn input_at(&self, root: usize, display: &str) -> Option<&Input> {
        self.inputs
            .binary_search_by(|i| (i.root, i.source.display.as_str()).cmp(&(root, display)))
            .ok()
            .map(|k| &self.inputs[k])
    }

    /// The repository `input` belongs to, when it is known.
    #[must_use]
    pub fn repository_of(&self, input: &Input) -> Option<&tollgate_model::repo::Repository> {
        self.roots.get(input.root)?.repository.as_ref()
    }

    /// The position of `input` in [`Scan::inputs`] (the graph's input id), found by
    /// its root and path as [`Scan::input_at`] does.
    #[must_use]
    pub fn index_of(&self, input: &Input) -> Option<usize> {
        let key = (input.root, input.source.display.as_str());
        self.inputs
            .binary_search_by(|i| (i.root, i.source.display.as_str()).cmp(&key))
            .ok()
    }

    /// The inputs at display path `display`, one per root that has it, in root order.
    pub fn inputs_at_path<'a>(&'a self, display: &str) -> impl Iterator<Item = &'a Input> {
        let roots = self.inputs.last().map_or(0, |i| i.root + 1);
        (0..roots).filter_map(move |r| self.input_at(r, display))
    }
}

/// Wall time of the scan's stages and the volume read.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScanTimings {
    pub discover: std::time::Duration,
    /// Read, parse and shell analysis (one parallel pass).
    pub parse: std::time::Duration,
    pub files: usize,
    pub bytes: usize,
}

/// Analyse the scripts of every input, each distinct script text once: generated
/// workflows (build matrices written out per platform) repeat the same scripts many
/// times, and the analysis of a text does not depend on where it stands. This is the
/// scan's one cache keyed by content.
fn analyse_all(inputs: &mut [Input], diagnostics: &mut Vec<Diagnostic>) {
    // (script text, PowerShell): the same text reads differently in the two grammars.
    let mut unique: Vec<(&str, bool)> = Vec::new();
    let mut index: HashMap<(&str, bool), usize> = HashMap::new();
    // (input, job, step, shell, unique script) for every run step.
    let mut slots = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let steps = run_steps(&input.parsed);
        diagnostics.extend(not_analysed(&input.source, &steps));
        for (job, step, shell) in steps {
            let u = match (&step.run, shell.is_analysable()) {
                (Some(run), true) => {
                    let key = (run.script.as_str(), shell.is_powershell());
                    Some(*index.entry(key).or_insert_with(|| {
                        unique.push(key);
                        unique.len() - 1
                    }))
                }
                _ => None,
            };
            slots.push((i, job, step.index, shell, u));
        }
        // A Dockerfile's `RUN` scripts, each at its index among the file's `RUN`s (the
        // integrity rules and the egress pass read them).
        if let FileModel::Dockerfile(d) = &*input.parsed {
            for (k, run) in d.runs.iter().enumerate() {
                let Some(script) = &run.script else {
                    continue;
                };
                let key = (script.value.as_str(), false);
                let u = *index.entry(key).or_insert_with(|| {
                    unique.push(key);
                    unique.len() - 1
                });
                slots.push((i, None, k, ShellKind::classify(run.shell_name()), Some(u)));
            }
        }
    }
    // Biggest scripts first, so one long script does not finish last on a lone thread.
    let mut order: Vec<usize> = (0..unique.len()).collect();
    order.sort_by_key(|&u| std::cmp::Reverse(unique[u].0.len()));
    // One task per script (rayon would otherwise run a run of big ones in one sequential
    // chunk), with one parser per worker thread.
    thread_local! {
        static ANALYZER: std::cell::RefCell<Analyzer> = std::cell::RefCell::new(Analyzer::new());
    }
    let mut analysed: Vec<(usize, Analysis)> = order
        .into_par_iter()
        .with_max_len(1)
        .map(|u| {
            let (text, pwsh) = unique[u];
            let analysis = ANALYZER.with_borrow_mut(|a| {
                if pwsh {
                    a.analyze_pwsh(text)
                } else {
                    a.analyze(text)
                }
            });
            (u, analysis)
        })
        .collect();
    analysed.sort_by_key(|(u, _)| *u);
    let analyses: Vec<Arc<Analysis>> = analysed.into_iter().map(|(_, a)| Arc::new(a)).collect();
    let mut per_input: Vec<Vec<Script>> = inputs.iter().map(|_| Vec::new()).collect();
    for (i, job, step, shell, u) in slots {
        per_input[i].push(Script {
            job,
            step,
            shell,
            analysis: u.and_then(|u| analyses.get(u).cloned()),
        });
    }
    for (input, scripts) in inputs.iter_mut().zip(per_input) {
        input.scripts = scripts.into();
    }
}

/// One file read and parsed: its input, or none when it could not be read, and the
/// diagnostics.
type FileResult = (Option<Input>, Vec<Diagnostic>);

/// Read every candidate, then parse them. Reading comes first so that the files can be
/// parsed biggest first: one large lockfile started last would finish last on a lone
/// thread.
fn read_and_parse_all(
    candidates: Vec<Candidate>,
    roots: &[Root],
    opts: &ScanOptions,
) -> Vec<FileResult> {
    let mut read: Vec<(usize, Candidate, Result<String, Diagnostic>)> = candidates
        .into_par_iter()
        .enumerate()
        .map(|(k, c)| {
            let bytes = if c.disk.as_os_str() == STDIN_ARG {
                stdin_bytes(&c, opts)
            } else {
                let root = roots.get(c.root).map_or(Path::new("/"), |r| &r.canonical);
                read_bytes(&c.disk, root, &c.display, c.kind, opts.limits)
            };
            let text = bytes.and_then(|b| decode(b, &c.display, &c.disk));
            (k, c, text)
        })
        .collect();
    read.sort_by_key(|(k, _, text)| (std::cmp::Reverse(text.as_ref().map_or(0, String::len)), *k));
    let progress = opts.progress.as_deref();
    // One task per file: rayon would otherwise hand a worker the biggest files as one
    // sequential chunk, and the other worker would sit idle once its small files are done.
    let mut done: Vec<(usize, FileResult)> = read
        .into_par_iter()
        .with_max_len(1)
        .map(|(k, c, text)| {
            let out = match text {
                Err(d) => (None, vec![d]),
                Ok(text) => {
                    let source = SourceFile::new(c.display.as_str(), &c.disk, text);
                    let (parsed, diagnostics) = parse_source(&source, c.kind);
                    let input = Input {
                        source,
                        kind: c.kind,
                        root: c.root,
                        parsed: Arc::new(parsed),
                        scripts: Arc::from([]),
                        by_reference: false,
                    };
                    (Some(input), diagnostics)
                }
            };
            progress.inspect(|p| p.file_done());
            (k, out)
        })
        .collect();
    done.sort_unstable_by_key(|(k, _)| *k);
    done.into_iter().map(|(_, out)| out).collect()
}

/// The workflow on standard input, within the limit for workflows.
fn stdin_bytes(c: &Candidate, opts: &ScanOptions) -> Result<Vec<u8>, Diagnostic> {
    let bytes = opts.stdin.as_deref().unwrap_or_default();
    let max = limit_for(c.kind, opts.limits);
    if bytes.len() as u64 > max {
        return Err(Diagnostic::file(
            &c.display,
            DiagnosticCode::TooLarge,
            crate::confine::Refusal::TooLarge(max).to_string(),
        ));
    }
    Ok(bytes.to_vec())
}

/// Discover, read and parse. Never fails: every problem is a diagnostic (and arguments
/// that cannot be scanned at all are in [`Scan::errors`]).
#[must_use]
pub fn scan(paths: &[PathBuf], opts: &ScanOptions) -> Scan {
    let start = std::time::Instant::now();
    let discovery = discover(paths, &opts.discover);
    scan_discovered(discovery, start, opts)
}

/// Read and parse what [`discover`] found (which started at `start`, for the timings),
/// leaving out what `opts.exclude` excludes.
#[must_use]
pub fn scan_discovered(
    discovery: Discovery,
    start: std::time::Instant,
    opts: &ScanOptions,
) -> Scan {
    let mut discovery = discovery;
    if let Some(exclude) = &opts.exclude {
        discovery.exclude(exclude.as_ref());
    }
    let Discovery {
        candidates,
        mut roots,
        mut diagnostics,
        errors,
    } = discovery;
    for root in &mut roots {
        root.repository = opts
            .repository
            .clone()
            .or_else(|| crate::identity::of_root(&root.canonical));
    }
    let discovered = start.elapsed();
    if let Some(p) = &opts.progress {
        p.start(candidates.len());
    }
    let results = read_and_parse_all(candidates, &roots, opts);
    if let Some(p) = &opts.progress {
        p.finish();
    }
    let mut inputs = Vec::with_capacity(results.len());
    for (input, diags) in results {
        inputs.extend(input);
        diagnostics.extend(diags);
    }
    analyse_all(&mut inputs, &mut diagnostics);
    crate::local::load_referenced(
        &mut inputs,
        &roots,
        opts.limits,
        opts.exclude.as_ref(),
        &mut diagnostics,
    );
    crate::gitlab::resolve_all(&mut inputs, &roots, &mut diagnostics);
    inputs.sort_by(|a, b| (a.root, &a.source.display).cmp(&(b.root, &b.source.display)));
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let timings = ScanTimings {
        discover: discovered,
        parse: start.elapsed().saturating_sub(discovered),
        files: inputs.len(),
        bytes: inputs.iter().map(|i| i.source.text().len()).sum(),
    };
    Scan {
        roots,
        errors,
        inputs,
        diagnostics,
        timings,
    }
}

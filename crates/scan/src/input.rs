//! One input: the model of a file by kind, and reading, parsing and analysing one file
//! (the scan does this for every candidate in parallel; local references load one by one).

use std::path::Path;
use std::sync::Arc;

use tollgate_gha::{Action, ActionsLock, Dependabot, Step, Workflow};
use tollgate_model::{Diagnostic, DiagnosticCode, FileKind, Severity, SourceFile};
use tollgate_shell::{Analysis, Analyzer, ShellKind};

use crate::read::{ReadLimits, read_text};

/// The model of one input, by kind.
#[derive(Debug)]
pub enum FileModel {
    Workflow(Workflow),
    Action(Action),
    ActionsLock(ActionsLock),
    Dependabot(Dependabot),
    /// A lockfile or a registry configuration file.
    Packages(tollgate_lockfile::PackageFile),
    /// A Dockerfile or Containerfile.
    Dockerfile(tollgate_docker::Dockerfile),
    /// A Makefile or shell script a run step executes, as run steps of its own.
    Script(crate::follow::ScriptFile),
    /// A GitLab CI file, with its configuration resolved when it is one's root.
    Gitlab(crate::gitlab::GitlabModel),
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
    pub parsed: Arc<FileModel>,
    /// The analysis of every `run:` step of a workflow or composite action, and of
    /// every `RUN` of a Dockerfile that has a shell script (`Script::step` is then the
    /// index in `Dockerfile::runs`; spans map to the file with `Run::file_span`).
    pub scripts: Arc<[Script]>,
    /// Not among the scanned paths, but loaded because a scanned file references it
    /// (`uses: ./.github/actions/x` when pre-commit passes only the workflow).
    pub by_reference: bool,
}

/// The analysis of one `run:` step. `job` is the job's index in its workflow (`None` in a
/// composite action), `step` the step's index in its job or action.
#[derive(Debug)]
pub struct Script {
    pub job: Option<usize>,
    pub step: usize,
    pub shell: ShellKind,
    /// `None` for shells that are not analysed (cmd, python, custom templates…). Shared
    /// by every step with the same script text and shell family.
    pub analysis: Option<Arc<Analysis>>,
}

impl Input {
    /// The script analysis of a step.
    #[must_use]
    pub fn script(&self, job: Option<usize>, step: usize) -> Option<&Script> {
        // Scripts are pushed in (job, step) order, so a binary search finds them.
        self.scripts
            .binary_search_by(|s| (s.job, s.step).cmp(&(job, step)))
            .ok()
            .map(|i| &self.scripts[i])
    }
}

/// A predicate on a path relative to its root: whether the configuration excludes it.
pub type Exclude = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// Parse one file of a known kind.
#[must_use]
pub fn parse_source(source: &SourceFile, kind: FileKind) -> (FileModel, Vec<Diagnostic>) {
    fn wrap<T>(
        r: (Option<T>, Vec<Diagnostic>),
        f: fn(T) -> FileModel,
    ) -> (FileModel, Vec<Diagnostic>) {
        (r.0.map_or(FileModel::Nothing, f), r.1)
    }
    match kind {
        FileKind::Workflow => {
            let (mut wf, diags) = tollgate_gha::parse_workflow(source);
            if let Some(wf) = &mut wf {
                for job in &mut wf.jobs {
                    scripts_from_inputs(&mut job.steps);
                    local_uses_under_checkout_path(&mut job.steps);
                }
            }
            wrap((wf, diags), FileModel::Workflow)
        }
        FileKind::Action => {
            let (mut action, diags) = tollgate_gha::parse_action(source);
            if let Some(tollgate_gha::Action {
                runs: tollgate_gha::Runs::Composite { steps, .. },
                ..
            }) = &mut action
            {
                scripts_from_inputs(steps);
            }
            wrap((action, diags), FileModel::Action)
        }
        FileKind::ActionsLock => wrap(
            tollgate_gha::parse_actions_lock(source),
            FileModel::ActionsLock,
        ),
        FileKind::Dependabot => wrap(
            tollgate_gha::parse_dependabot(source),
            FileModel::Dependabot,
        ),
        FileKind::Dockerfile => wrap(tollgate_docker::parse(source), FileModel::Dockerfile),
        FileKind::Makefile => crate::follow::parse_makefile(source),
        FileKind::ShellScript => crate::follow::parse_shell_script(source),
        FileKind::GitlabCi => {
            let (file, diags) = tollgate_gitlab::parse_file(source);
            let model = file.map_or(FileModel::Nothing, |file| {
                FileModel::Gitlab(crate::gitlab::GitlabModel { file, config: None })
            });
            (model, diags)
        }
        k if k.is_lockfile() || k.is_registry_config() => {
            let mut p = tollgate_lockfile::parse(source, k);
            let diags = std::mem::take(&mut p.diagnostics);
            (FileModel::Packages(p), diags)
        }
        _ => (FileModel::Nothing, Vec::new()),
    }
}

/// Steps of actions that run one of their inputs as a script (`rules/data/script-inputs.toml`)
/// get that input as their script, so every reader of scripts reads it too.
fn scripts_from_inputs(steps: &mut [Step]) {
    let base = tollgate_kb::script_inputs();
    for step in steps {
        let Some(tollgate_gha::Uses::Remote(r)) = step.uses.as_ref().map(|u| &u.value) else {
            continue;
        };
        let Some(e) = base.of(&r.action()) else {
            continue;
        };
        step.script_from_input(
            &e.uses,
            &e.input,
            e.before.as_deref(),
            &e.shell,
            e.shell_input.as_deref(),
            e.retries,
        );
    }
}

/// `uses: ./src/app/.github/actions/x` after `actions/checkout` of the workflow's own
/// repository with `path: src/app` names the repository's `.github/actions/x`: `./` is the
/// workspace, where the checkout put the repository under `src/app` (electron checks
/// itself out that way). The path is rewritten to the repository's; the `uses:` text
/// stays as written.
fn local_uses_under_checkout_path(steps: &mut [Step]) {
    let mut paths: Vec<String> = Vec::new();
    for step in steps {
        match step.uses.as_mut().map(|u| &mut u.value) {
            Some(tollgate_gha::Uses::Remote(r))
                if r.action().eq_ignore_ascii_case("actions/checkout") =>
            {
                let own = step.with_value("repository").is_none_or(|v| {
                    let v = v.value.value.trim();
                    v.contains("github.repository }}") && !v.contains("||")
                });
                let path = step
                    .with_value("path")
                    .map(|v| v.value.value.trim().to_owned())
                    .filter(|p| !p.contains("${{"))
                    .and_then(|p| crate::local::normalise(&p))
                    .filter(|p| !p.is_empty());
                if let (true, Some(p)) = (own, path) {
                    paths.push(p);
                }
            }
            Some(tollgate_gha::Uses::Local { path } | tollgate_gha::Uses::SelfRepo { path }) => {
                let Some(norm) = crate::local::normalise(path) else {
                    continue;
                };
                if let Some(rest) = paths
                    .iter()
                    .find_map(|p| norm.strip_prefix(p.as_str())?.strip_prefix('/'))
                {
                    *path = rest.to_owned();
                }
            }
            _ => {}
        }
    }
}

/// The `run:` steps of a workflow or composite action with their effective shells, in
/// (job, step) order. A composite `run:` step must name its shell; bash is what a missing
/// one most likely means (the parser reports the omission).
pub(crate) fn run_steps(parsed: &FileModel) -> Vec<(Option<usize>, &Step, ShellKind)> {
    let mut out = Vec::new();
    match parsed {
        FileModel::Workflow(wf) => {
            for (j, job) in wf.jobs.iter().enumerate() {
                for step in job.steps.iter().filter(|s| s.run.is_some()) {
                    out.push((
                        Some(j),
                        step,
                        ShellKind::classify(wf.effective_shell(job, step)),
                    ));
                }
            }
        }
        FileModel::Action(a) => {
            for step in a.steps().iter().filter(|s| s.run.is_some()) {
                let shell = step.shell().map_or("bash", |s| s.value.as_str());
                out.push((None, step, ShellKind::classify(shell)));
            }
        }
        // make runs recipes with `/bin/sh`; scripts here have no other `#!`.
        FileModel::Script(s) => {
            for step in &s.steps {
                out.push((None, step, ShellKind::classify("sh")));
            }
        }
        _ => {}
    }
    out
}

/// Scripts in shells we do not analyse get a note, so nothing is skipped silently: one
/// note per file and shell, at the first such step, with the number of such scripts in
/// the file ("3 `cmd` scripts not analysed"): one note per step buried the other
/// diagnostics of files with many steps.
pub(crate) fn not_analysed(
    source: &SourceFile,
    steps: &[(Option<usize>, &Step, ShellKind)],
) -> Vec<Diagnostic> {
    // (shell, first step's `run:` key, count), in order of first appearance.
    let mut seen: Vec<(&ShellKind, tollgate_model::Span, usize)> = Vec::new();
    for (_, step, kind) in steps {
        if kind.is_analysable() {
            continue;
        }
        let Some(run) = step.run.as_ref() else {
            continue;
        };
        match seen.iter_mut().find(|(k, _, _)| *k == kind) {
            Some(entry) => entry.2 += 1,
            None => seen.push((kind, run.key, 1)),
        }
    }
    seen.into_iter()
        .map(|(kind, at, n)| {
            let what = if n == 1 {
                format!("`{}` script not analysed", kind.name())
            } else {
                format!("{n} `{}` scripts not analysed", kind.name())
            };
            Diagnostic::at(
                source,
                at,
                DiagnosticCode::NotAnalysed,
                format!("{what} (only bash, sh and PowerShell scripts are)"),
            )
            .with_severity(Severity::Note)
        })
        .collect()
}

/// Analyse the `run:` scripts of one parsed file.
fn analyse_scripts(
    analyzer: &mut Analyzer,
    source: &SourceFile,
    parsed: &FileModel,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Script> {
    let steps = run_steps(parsed);
    diags.extend(not_analysed(source, &steps));
    steps
        .into_iter()
        .map(|(job, step, shell)| {
            let analysis = step
                .run
                .as_ref()
                .and_then(|r| analyzer.analyze_as(&shell, &r.script))
                .map(Arc::new);
            Script {
                job,
                step: step.index,
                shell,
                analysis,
            }
        })
        .collect()
}

/// Read and parse one file, without analysing its scripts.
fn read_and_parse(
    disk: &Path,
    within: &Path,
    display: &str,
    kind: FileKind,
    root: usize,
    limits: ReadLimits,
) -> (Option<Input>, Vec<Diagnostic>) {
    match read_text(disk, within, display, kind, limits) {
        Err(d) => (None, vec![d]),
        Ok(source) => {
            let (parsed, diags) = parse_source(&source, kind);
            let input = Input {
                source,
                kind,
                root,
                parsed: Arc::new(parsed),
                scripts: Arc::from([]),
                by_reference: false,
            };
            (Some(input), diags)
        }
    }
}

/// Read, parse and analyse one file, confined to the resolved directory `within`. `None`
/// with a diagnostic when it cannot be read.
#[must_use]
pub fn load(
    disk: &Path,
    within: &Path,
    display: &str,
    kind: FileKind,
    root: usize,
    limits: ReadLimits,
    analyzer: &mut Analyzer,
) -> (Option<Input>, Vec<Diagnostic>) {
    let (input, mut diags) = read_and_parse(disk, within, display, kind, root, limits);
    let input = input.map(|mut i| {
        i.scripts = analyse_scripts(analyzer, &i.source, &i.parsed, &mut diags).into();
        i
    });
    (input, diags)
}

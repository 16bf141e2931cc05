//! The `Rule` interface: one hook per level of the model, each with a default that does
//! nothing, so a rule overrides only what it looks at.

use std::sync::Arc;

use tollgate_gha::{Action, Job, Step, Workflow};
use tollgate_model::{
    Confidence, Finding, Impact, Level, Location, PathHop, Related, SourceFile, Span,
};
use tollgate_scan::{Input, Scan};

use crate::config::Config;

/// What every hook can see: the whole scan, its dependency graph and the configuration.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub scan: &'a Scan,
    pub graph: &'a tollgate_graph::Graph,
    pub config: &'a Config,
}

pub struct WorkflowCx<'a> {
    pub input: &'a Input,
    pub workflow: &'a Workflow,
}

pub struct JobCx<'a> {
    pub input: &'a Input,
    pub workflow: &'a Workflow,
    pub job: &'a Job,
}

/// Where a step lives: a workflow job, or a composite action.
#[derive(Clone, Copy)]
pub enum StepOwner<'a> {
    Job {
        workflow: &'a Workflow,
        job: &'a Job,
    },
    Action(&'a Action),
}

pub struct StepCx<'a> {
    pub input: &'a Input,
    pub owner: StepOwner<'a>,
    /// The job's index in its workflow (`None` in a composite action).
    pub job_index: Option<usize>,
    pub step: &'a Step,
}

impl StepCx<'_> {
    /// The effective shell of a `run:` step.
    #[must_use]
    pub fn shell(&self) -> &str {
        match self.owner {
            StepOwner::Job { workflow, job } => workflow.effective_shell(job, self.step),
            StepOwner::Action(_) => self.step.shell().map_or("bash", |s| s.value.as_str()),
        }
    }

    /// The shell analysis of this step's `run:` script, when it was analysed.
    #[must_use]
    pub fn analysis(&self) -> Option<&tollgate_shell::Analysis> {
        self.input
            .script(self.job_index, self.step.index)
            .and_then(|s| s.analysis.as_deref())
    }

    /// A span inside the step's script mapped to the file.
    #[must_use]
    pub fn script_span(&self, span: Span) -> Span {
        self.step
            .run
            .as_ref()
            .map_or(self.step.span, |r| r.file_span(span))
    }

    #[must_use]
    pub fn job(&self) -> Option<&Job> {
        match self.owner {
            StepOwner::Job { job, .. } => Some(job),
            StepOwner::Action(_) => None,
        }
    }
}

/// A Dockerfile `RUN` whose text is a shell script (the shell form under a POSIX
/// `SHELL`, or `RUN <<EOF`): it runs at image build time, in the build's stage.
pub struct RunCx<'a> {
    pub input: &'a Input,
    pub dockerfile: &'a tollgate_docker::Dockerfile,
    /// Its index in [`Dockerfile::runs`](tollgate_docker::Dockerfile::runs), under which
    /// the scan keeps its analysis (with no job).
    pub index: usize,
    pub run: &'a tollgate_docker::Run,
}

/// One visible job of a GitLab CI configuration (`extends:`, `!reference` and `default:`
/// applied). `root` is the configuration's root file, which holds the job's script
/// analyses; `input` is the file the job's key is written in.
pub struct GitlabJobCx<'a> {
    pub root: &'a Input,
    pub input: &'a Input,
    pub config: &'a tollgate_gitlab::Config,
    /// Its index in `config.jobs`.
    pub index: usize,
    pub job: &'a tollgate_gitlab::Job,
}

impl GitlabJobCx<'_> {
    /// The input file `file` of the configuration is (a value's [`tollgate_gitlab::Text::file`]).
    #[must_use]
    pub fn input_of<'s>(&self, scan: &'s Scan, file: usize) -> Option<&'s Input> {
        scan.input_at(self.root.root, self.config.files.get(file)?)
    }
}

/// One shell session of a GitLab job (`before_script` with `script`, or `after_script`).
pub struct GitlabScriptCx<'a> {
    pub job: &'a GitlabJobCx<'a>,
    /// Its index in [`tollgate_gitlab::Job::sessions`].
    pub index: usize,
    pub session: &'a tollgate_gitlab::Session,
    /// The file the session is written in.
    pub input: &'a Input,
}

/// A shell script the build runs, wherever it is written: a `run:` step of a workflow
/// job or composite action, a Dockerfile `RUN`, or a GitLab job's script. Rules that judge what a script does
/// (downloads, installs) read it through this, so that one implementation covers both.
#[derive(Clone, Copy)]
pub enum ScriptCx<'a> {
    Step(&'a StepCx<'a>),
    Run(&'a RunCx<'a>),
    Gitlab(&'a GitlabScriptCx<'a>),
}

impl<'a> ScriptCx<'a> {
    /// The file the script is written in.
    #[must_use]
    pub fn input(&self) -> &'a Input {
        match self {
            Self::Step(s) => s.input,
            Self::Run(r) => r.input,
            Self::Gitlab(g) => g.input,
        }
    }

    /// Where the scan keeps the script's analysis: (job index, step index) for a step,
    /// (`None`, `RUN` index) for a Dockerfile, (job index, session index) in the
    /// configuration's root input for a GitLab job.
    #[must_use]
    pub fn key(&self) -> (Option<usize>, usize) {
        match self {
            Self::Step(s) => (s.job_index, s.step.index),
            Self::Run(r) => (None, r.index),
            Self::Gitlab(g) => (Some(g.job.index), g.index),
        }
    }

    /// The shell analysis of the script, when it was analysed.
    #[must_use]
    pub fn analysis(&self) -> Option<&'a tollgate_shell::Analysis> {
        match self {
            Self::Step(s) => s.analysis(),
            Self::Run(r) => r
                .input
                .script(None, r.index)
                .and_then(|s| s.analysis.as_deref()),
            Self::Gitlab(g) => g
                .job
                .root
                .script(Some(g.job.index), g.index)
                .and_then(|s| s.analysis.as_deref()),
        }
    }

    /// A span inside the script mapped to the file.
    #[must_use]
    pub fn file_span(&self, span: Span) -> Span {
        match self {
            Self::Step(s) => s.script_span(span),
            Self::Run(r) => r.run.file_span(span),
            Self::Gitlab(g) => g.session.file_span(span),
        }
    }

    /// The analyses of the scripts that run before this one in the same place: the
    /// earlier steps of the job or composite action, or the earlier `RUN`s of the
    /// Dockerfile stage, in order.
    #[must_use]
    pub fn earlier(&self) -> Vec<&'a tollgate_shell::Analysis> {
        let input = self.input();
        let keys: Vec<(Option<usize>, usize)> = match self {
            Self::Step(s) => {
                let steps = match s.owner {
                    StepOwner::Job { job, .. } => job.steps.as_slice(),
                    StepOwner::Action(a) => a.steps(),
                };
                steps
                    .iter()
                    .take_while(|x| x.index < s.step.index)
                    .map(|x| (s.job_index, x.index))
                    .collect()
            }
            Self::Run(r) => r.dockerfile.runs[..r.index.min(r.dockerfile.runs.len())]
                .iter()
                .enumerate()
                .filter(|(_, x)| x.stage == r.run.stage)
                .map(|(k, _)| (None, k))
                .collect(),
            // The sessions before it run in other shells, but on the same machine.
            Self::Gitlab(g) => {
                let root = g.job.root;
                return (0..g.index)
                    .filter_map(|k| {
                        root.script(Some(g.job.index), k)
                            .and_then(|x| x.analysis.as_deref())
                    })
                    .collect();
            }
        };
        keys.into_iter()
            .filter_map(|(j, k)| input.script(j, k).and_then(|x| x.analysis.as_deref()))
            .collect()
    }

    /// The graph node the script belongs to: the step's, or the Dockerfile's.
    #[must_use]
    pub fn node(&self, cx: &Context<'_>) -> Option<tollgate_graph::NodeId> {
        let id = tollgate_graph::InputId(cx.scan.index_of(self.input())?);
        match self {
            Self::Step(s) => cx.graph.step_node(id, s.job_index, s.step.index),
            Self::Run(_) => cx.graph.file_node(id),
            Self::Gitlab(g) => cx.graph.step_node(id, Some(g.job.index), g.index),
        }
    }
}

/// A rule. Implementations are unit structs registered once in the rules crate; their
/// metadata and documentation live in their catalog page.
pub trait Rule: Send + Sync {
    /// The rule id, identical to the catalog page's `id`.
    fn id(&self) -> &'static str;

    fn check_workflow(&self, _cx: &Context<'_>, _wf: &WorkflowCx<'_>, _out: &mut Sink<'_>) {}
    fn check_job(&self, _cx: &Context<'_>, _job: &JobCx<'_>, _out: &mut Sink<'_>) {}
    /// Called for the steps of workflow jobs and of composite actions.
    fn check_step(&self, _cx: &Context<'_>, _step: &StepCx<'_>, _out: &mut Sink<'_>) {}
    /// Called for every shell script the build runs: each step of a workflow job or
    /// composite action (after [`check_step`](Self::check_step); its analysis is `None`
    /// when it has no `run:` or one in a shell that is not analysed), and each Dockerfile
    /// `RUN` that is a shell script.
    fn check_script(&self, _cx: &Context<'_>, _script: &ScriptCx<'_>, _out: &mut Sink<'_>) {}
    /// Called for every visible job of a GitLab CI configuration.
    fn check_gitlab_job(&self, _cx: &Context<'_>, _job: &GitlabJobCx<'_>, _out: &mut Sink<'_>) {}
    /// Called for action metadata files (`action.yml`).
    fn check_action(
        &self,
        _cx: &Context<'_>,
        _input: &Input,
        _action: &Action,
        _out: &mut Sink<'_>,
    ) {
    }
    /// Called for every input, whatever its kind (lockfiles, configs).
    fn check_input(&self, _cx: &Context<'_>, _input: &Input, _out: &mut Sink<'_>) {}
    /// Called once per run, for rules that look across files.
    fn check_scan(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// How many characters of a job id a finding keeps.
const JOB_ID_MAX: usize = 200;

/// A job id as findings carry it: whole up to [`JOB_ID_MAX`] characters, else cut there
/// with an ellipsis. Every finding of a job repeats its id in the JSON output, so a
/// hostile id of a megabyte (an explicit `? key`) made 100 findings 200 MB of output.
fn job_id(id: &str) -> Arc<str> {
    Arc::from(tollgate_model::text::cut(id, JOB_ID_MAX))
}

/// Where one rule's findings go, with the rule's effective defaults.
pub struct Sink<'r> {
    pub(crate) rule: &'static str,
    pub(crate) level: Level,
    pub(crate) severity: Impact,
    pub(crate) confidence: Confidence,
    pub(crate) job: Option<Arc<str>>,
    pub(crate) findings: &'r mut Vec<Finding>,
}

impl<'r> Sink<'r> {
    /// Start a finding whose primary location is `span` in `file`.
    pub fn at<'s>(&'s mut self, file: &SourceFile, span: Span) -> FindingBuilder<'s, 'r> {
        let finding = Finding {
            rule: self.rule,
            level: self.level,
            severity: self.severity,
            confidence: self.confidence,
            message: String::new(),
            primary: file.location(span),
            related: Vec::new(),
            path: Vec::new(),
            help: None,
            job: self.job.clone(),
            fix: None,
        };
        FindingBuilder {
            sink: self,
            finding,
        }
    }

    /// How many findings this sink holds (to adjust the ones emitted after a point).
    #[must_use]
    pub fn len(&self) -> usize {
        self.findings.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }

    /// Lower the confidence of the findings emitted since `start` (a [`len`](Self::len))
    /// and append the reason to their messages.
    pub fn amend_since(&mut self, start: usize, to: Confidence, why: &str) {
        for f in self.findings.iter_mut().skip(start) {
            f.confidence = f.confidence.min(to);
            f.message.push_str(why);
        }
    }

    /// Set the job id findings from the current hook belong to.
    pub fn set_job(&mut self, job: Option<&str>) {
        // Once per job; every finding of the job shares it.
        self.job = job.map(job_id);
    }
}

/// Fluent construction of one finding; nothing is reported until [`emit`](Self::emit).
#[must_use = "a finding is reported only by emit()"]
pub struct FindingBuilder<'s, 'r> {
    sink: &'s mut Sink<'r>,
    finding: Finding,
}

impl FindingBuilder<'_, '_> {
    pub fn message(mut self, m: impl Into<String>) -> Self {
        self.finding.message = m.into();
        self
    }

    pub fn help(mut self, h: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        self.finding.help = Some(h.into());
        self
    }

    pub fn severity(mut self, s: Impact) -> Self {
        self.finding.severity = s;
        self
    }

    pub fn confidence(mut self, c: Confidence) -> Self {
        self.finding.confidence = c;
        self
    }

    /// Report the finding `steps` levels below the rule's effective level, never below
    /// `note`: a rule whose forms differ in how sure or how common they are documents its
    /// strongest form's level, and the configured level moves every form alike.
    pub fn below_rule_level(mut self, steps: u8) -> Self {
        for _ in 0..steps {
            self.finding.level = match self.finding.level {
                Level::Error => Level::Warning,
                Level::Warning | Level::Note => Level::Note,
            };
        }
        self
    }

    pub fn related(mut self, file: &SourceFile, span: Span, message: impl Into<String>) -> Self {
        self.finding.related.push(Related {
            location: file.location(span),
            message: message.into(),
        });
        self
    }

    pub fn related_location(mut self, location: Location, message: impl Into<String>) -> Self {
        self.finding.related.push(Related {
            location,
            message: message.into(),
        });
        self
    }

    pub fn hop(mut self, label: impl Into<String>, location: Option<Location>) -> Self {
        self.finding.path.push(PathHop {
            label: label.into(),
            location,
        });
        self
    }

    /// Append the hops of a dependency path (see [`hop`](Self::hop)).
    pub fn path(mut self, hops: impl IntoIterator<Item = PathHop>) -> Self {
        self.finding.path.extend(hops);
        self
    }

    pub fn job(mut self, job: Option<&str>) -> Self {
        self.finding.job = job.map(job_id);
        self
    }

    /// The edits that resolve the finding (see [`tollgate_model::Fix`]).
    pub fn fix(mut self, fix: Option<tollgate_model::Fix>) -> Self {
        self.finding.fix = fix.map(Box::new);
        self
    }

    pub fn emit(self) {
        self.sink.findings.push(self.finding);
    }
}

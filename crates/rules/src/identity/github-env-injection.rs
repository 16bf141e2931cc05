//! `github-env-injection`: a value an outsider chose (a pull request's title or branch, a
//! comment, a file of the triggering run's artifacts) written to `$GITHUB_ENV` or
//! `$GITHUB_PATH`, or to a `$GITHUB_OUTPUT` value a later step expands into its script,
//! in a workflow that anyone can start with the repository's token and secrets. A line
//! break in the value adds lines of its own: `BASH_ENV`, `LD_PRELOAD` or `PATH` for every
//! later step, which then runs the outsider's code.
//!
//! What is written and where it comes from is `tollgate_facts::envfile` (over the shell
//! facts, the flow pass, the trust pass's checkouts and artifact downloads); who can start
//! the run is the graph's trigger nodes, read the way the other trust rules read them.

use tollgate_engine::{Context, JobCx, Rule, Sink};
use tollgate_facts::envfile::{self, Certainty, Target, Written};
use tollgate_facts::trust::{job_guard, open_to_outsiders, runs_on};
use tollgate_gha::cond::required_tests;
use tollgate_gha::{Step, Workflow};
use tollgate_graph::{InputId, NodeKind};
use tollgate_model::Confidence;

use crate::chain::Chain;

pub struct GithubEnvInjection;

impl Rule for GithubEnvInjection {
    fn id(&self) -> &'static str {
        "github-env-injection"
    }

    fn check_job(&self, cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        let Some(j) = crate::common::job_index(job.workflow, job.job) else {
            return;
        };
        let Some(id) = cx.scan.index_of(job.input).map(InputId) else {
            return;
        };
        let events = privileged_events(cx, id);
        if events.is_empty() {
            return;
        }
        let wf = job.workflow;
        for w in envfile::in_job(cx.graph, id, job.input, wf, j) {
            // One line (a branch name) written to a file of lines adds no line of its
            // own; expanded into a script, it is code whatever it holds.
            if !w.source.lines && !matches!(w.target, Target::Output { .. }) {
                continue;
            }
            let steps = &job.job.steps;
            let runs = |k: usize, e: &str| steps.get(k).is_none_or(|s| step_open(wf, j, s, e));
            let used_by = match &w.target {
                Target::Output { used_by, .. } => Some(*used_by),
                _ => None,
            };
            let Some(event) = events
                .iter()
                .find(|e| runs(w.step, e) && used_by.is_none_or(|k| runs(k, e)))
            else {
                continue;
            };
            emit(cx, job, j, &w, event, out);
        }
    }
}

/// The events of the workflow in file `id` that anyone can fire with the repository's
/// token and secrets, the most dangerous first.
fn privileged_events(cx: &Context<'_>, id: InputId) -> Vec<String> {
    let kb = tollgate_kb::triggers();
    let mut events: Vec<String> = cx
        .graph
        .file_node(id)
        .map(|w| cx.graph.triggers_of(w))
        .unwrap_or_default()
        .into_iter()
        .filter(|&t| cx.graph.is_untrusted_privileged(t))
        .filter_map(|t| match &cx.graph.node(t)?.kind {
            NodeKind::Trigger { event, .. } => Some(event.clone()),
            _ => None,
        })
        .collect();
    events.sort_by_key(|e| kb.rank(e));
    events.dedup();
    events
}

/// Whether `step` of job `j` runs on a run fired by `event` with nothing keeping
/// outsiders out: no `if:` of the step, the job or a job it needs excludes the event or
/// limits it to members, the same repository or a maintainer's label.
fn step_open(wf: &Workflow, j: usize, step: &Step, event: &str) -> bool {
    runs_on(wf, j, Some(step), event)
        && job_guard(wf, j, event).is_none()
        && step
            .if_
            .as_ref()
            .is_none_or(|c| open_to_outsiders(&required_tests(&c.value), event))
}

/// The file a target is, in words.
fn target_words(t: &Target) -> &'static str {
    match t {
        Target::Env { .. } => "`$GITHUB_ENV`",
        Target::Path => "`$GITHUB_PATH`",
        Target::ExportVariable => "`core.exportVariable`",
        Target::AddPath => "`core.addPath`",
        Target::Output { .. } => "`$GITHUB_OUTPUT`",
    }
}

fn emit(cx: &Context<'_>, job: &JobCx<'_>, j: usize, w: &Written, event: &str, out: &mut Sink<'_>) {
    let file = &job.input.source;
    let src = &w.source;
    let (primary, message, help) = match &w.target {
        Target::Env { key } => (
            w.at,
            format!(
                "{} is written to `$GITHUB_ENV`{} on `{event}`, which anyone can fire: a line break in it sets any variable (`BASH_ENV`, `LD_PRELOAD`, `NODE_OPTIONS`) for every later step of the job",
                src.describe(),
                key.as_ref()
                    .map(|k| format!(" as `{}`", crate::common::quoted(k)))
                    .unwrap_or_default()
            ),
            "do not put an outsider's text into `$GITHUB_ENV`: pass it to the steps that need it with `env:` on each step, or validate it first (`[[ $X =~ ^[0-9]+$ ]]`) and write it with a random here-document delimiter",
        ),
        Target::ExportVariable => (
            w.at,
            format!(
                "{} is exported with `core.exportVariable` on `{event}`, which anyone can fire: a line break in it sets any variable (`BASH_ENV`, `LD_PRELOAD`, `NODE_OPTIONS`) for every later step of the job",
                src.describe()
            ),
            "do not export an outsider's text: pass it to the steps that need it with `env:` on each step, or validate it first",
        ),
        Target::Path | Target::AddPath => (
            w.at,
            format!(
                "{} is added to `PATH` through {} on `{event}`, which anyone can fire: every later step of the job finds its commands first in a directory the outsider chose",
                src.describe(),
                target_words(&w.target)
            ),
            "add only directories the workflow itself names to `$GITHUB_PATH`",
        ),
        Target::Output {
            reference, used_at, ..
        } => (
            *used_at,
            format!(
                "`${{{{ {reference} }}}}` expands {} into a script on `{event}`, which anyone can fire: the step that wrote it to `$GITHUB_OUTPUT` passes the outsider's text on as code",
                src.describe()
            ),
            "pass the output through an environment variable and quote it: `env: VALUE: ${{ steps.<id>.outputs.<name> }}` on the step, then `\"$VALUE\"` in the script",
        ),
    };
    let confidence = match src.certainty {
        Certainty::Direct => Confidence::High,
        Certainty::Indirect => Confidence::Medium,
    };
    // The chain: the trigger, workflow → job → the writing step, where the value comes
    // from, the write, and for an output the step expanding it.
    let on = job.workflow.on.as_ref().map(|o| file.location(o.key));
    let mut chain = Chain::to_step(cx, job.input, Some(j), w.step)
        .first(format!("on: `{event}`"), on)
        .hop(
            format!("{} holds the outsider's text", src.describe()),
            Some(file.location(src.at)),
        )
        .hop(
            format!("written to {}", target_words(&w.target)),
            Some(file.location(w.at)),
        );
    if let Target::Output {
        reference,
        used_by,
        used_at,
    } = &w.target
    {
        let step_label = job.job.steps.get(*used_by).map_or_else(
            || format!("step {}", used_by + 1),
            |s| match &s.name {
                Some(n) => format!("step `{}`", crate::common::quoted(&n.value)),
                None => format!("step {}", used_by + 1),
            },
        );
        chain = chain.hop(
            format!("`{reference}` expanded into the script of {step_label}"),
            Some(file.location(*used_at)),
        );
    }
    out.at(file, primary)
        .message(message)
        .confidence(confidence)
        .help(help)
        .path(chain.into_hops())
        .emit();
}

//! `template-injection`: `${{ … }}` that expands text an outsider controls (an issue
//! title, a branch name, a commit message) straight into a `run:` script or an
//! `actions/github-script` script, where it becomes code.
//!
//! A query over the flow pass's facts (`tollgate_facts::flow`): each `flows` edge into a
//! step is one expansion of an attacker-controllable value, with the carriers it went
//! through. What is left here is the judgement: how severe (who can fire the workflow
//! whose event the value comes from), how sure, and what to say.

use tollgate_engine::{Context, Rule, Sink, StepCx, StepOwner};
use tollgate_facts::flow::{Carrier, Flow, Script, ShellEncoded, Taint, Via};
use tollgate_facts::trust;
use tollgate_gha::{ContextMatch, Step, Workflow};
use tollgate_graph::{NodeId, NodeKind, Trust};
use tollgate_model::{Confidence, Fix, Impact, Location, PathHop, Span};
use tollgate_shell::ShellKind;

use crate::fix::env::{Expansion, Quoting, bash_quoting, pwsh_quoting};
use tollgate_scan::{FileModel, Input};

use crate::chain::Chain;

pub struct TemplateInjection;

const RUN_HELP: &str = "pass the value through an environment variable and quote it: `env: VALUE: ${{ … }}` on the step, then `\"$VALUE\"` in the script";
const TEMPLATE_HELP: &str = "keep outsiders' text out of the input: let the action read it itself (its template variables), or pass a value the repository controls";
const SCRIPT_HELP: &str = "read the value in JavaScript instead of templating it into the code: `context.payload…`, or `process.env.VALUE` with `env: VALUE: ${{ … }}` on the step";

impl Rule for TemplateInjection {
    fn id(&self) -> &'static str {
        "template-injection"
    }

    fn check_step(&self, cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        let s = step.step;
        let Some(node) = Chain::step_node(cx, step.input, step.job_index, s.index) else {
            return;
        };
        let flows = tollgate_facts::flow::into_step(cx.graph, node);
        if flows.is_empty() {
            return;
        }
        // The trust of the workflow the step is written in; a composite action's step
        // runs for whichever workflow calls it.
        let own = match step.owner {
            StepOwner::Job { workflow, .. } => {
                let w = cx
                    .graph
                    .input_id(&step.input.source.display)
                    .and_then(|id| cx.graph.file_node(id));
                let runs = step.job_index.map(|j| (j, s));
                Some(Fired::of(cx, workflow, step.input, w, runs))
            }
            StepOwner::Action(_) => None,
        };
        let mut emitted: Vec<(&Flow, Option<&Fired>)> = Vec::new();
        let called: Vec<Option<Fired>> = flows
            .iter()
            .map(|f| caller_of(f).and_then(|c| Fired::of_job(cx, c)))
            .collect();
        for (f, called) in flows.iter().zip(&called) {
            // A JSON-encoded value is an inert literal in JavaScript (not in a shell).
            if let Script::Code(code, _) = f.into
                && code.json_inert
                && matches!(f.taint, Taint::ActionOutput { json: true, .. })
            {
                continue;
            }
            // A value the action encoded for a shell is inert where its quoting holds.
            if f.into == Script::Run
                && let Taint::ActionOutput { shell, .. } = &f.taint
                && *shell != ShellEncoded::No
                && encoding_holds(step, f, *shell)
            {
                continue;
            }
            // A value a calling job hands a reusable workflow comes from the caller's
            // event: the caller's triggers say who controls it.
            emitted.push((f, called.as_ref().or(own.as_ref())));
        }
        let fix = run_fix(step, &emitted);
        for (f, fired) in emitted {
            let covered = fix
                .as_ref()
                .filter(|(spans, _)| spans.contains(&f.at.span()))
                .map(|(_, fix)| fix.clone());
            emit(cx, step, f, fired, covered, out);
        }
    }
}

/// One fix for every expansion of the step's `run:` script that is reported: all moved
/// into `env:` together (each finding of the step carries the same edits), with the
/// expansions it covers. `None` when one of them cannot be moved.
fn run_fix(step: &StepCx<'_>, flows: &[(&Flow, Option<&Fired>)]) -> Option<(Vec<Span>, Fix)> {
    let run = step.step.run.as_ref()?;
    let analysis = step.analysis()?;
    let script = step.input.script(step.job_index, step.step.index)?;
    let pwsh = matches!(script.shell, ShellKind::Pwsh | ShellKind::PowerShell);
    if !pwsh && !matches!(script.shell, ShellKind::Bash | ShellKind::Sh) {
        return None;
    }
    let mut expansions = Vec::new();
    for (f, _) in flows.iter().filter(|(f, _)| f.into == Script::Run) {
        let (pos, word) = word_at(run, analysis, f)?;
        let before = run.script.get(word.start()..pos).unwrap_or("");
        let quoting = if pwsh {
            pwsh_quoting(before)
        } else {
            bash_quoting(before)
        };
        expansions.push(Expansion {
            span: f.at.span(),
            expression: f.expression.clone(),
            quoting,
        });
    }
    expansions.sort_by_key(|x| x.span.start());
    expansions.dedup_by_key(|x| x.span.start());
    let envs: Vec<&tollgate_gha::Env> = match step.owner {
        StepOwner::Job { workflow, job } => vec![&job.env, &workflow.env],
        StepOwner::Action(_) => Vec::new(),
    };
    let text = crate::fix::Text::of(&step.input.source);
    let (edits, applicability) =
        crate::fix::env::move_to_env(&text, step.step, run, &envs, &expansions, pwsh)?;
    let fix = text.fix(
        "move the expansions into the step's `env:` and read them as quoted variables",
        applicability,
        edits,
    )?;
    Some((expansions.iter().map(|x| x.span).collect(), fix))
}

/// The offset in the script of the expansion `f` and the span of the command word it is
/// in: the occurrence of its text that the script's map sends to the flow's location.
/// `None` outside a command's words (a here-document body).
fn word_at(
    run: &tollgate_gha::Run,
    analysis: &tollgate_shell::Analysis,
    f: &Flow,
) -> Option<(usize, Span)> {
    let pos = run
        .script
        .match_indices("${{")
        .map(|(i, _)| i)
        .find(|&i| run.file_span(Span::new(i, i)).start() == f.at.span().start())?;
    let word = analysis
        .commands
        .iter()
        .flat_map(|c| c.name_word().into_iter().chain(c.args()))
        .find(|w| w.span.start() <= pos && pos < w.span.end())?;
    Some((pos, word.span))
}

/// Whether a shell-encoded value stays inert where `f` expands it: unquoted for either
/// encoding, inside double quotes for a backslash-escaped one, never inside single quotes
/// or outside a command's words (a here-document body expands `$(…)` whatever the
/// quotes in it).
fn encoding_holds(step: &StepCx<'_>, f: &Flow, shell: ShellEncoded) -> bool {
    let (Some(run), Some(analysis)) = (&step.step.run, step.analysis()) else {
        return false;
    };
    let Some((pos, word)) = word_at(run, analysis, f) else {
        return false;
    };
    let before = run.script.get(word.start()..pos).unwrap_or("");
    match bash_quoting(before) {
        Quoting::None => true,
        Quoting::Double => shell == ShellEncoded::Escaped,
        Quoting::Single => false,
    }
}

/// Who can fire a workflow, as the graph's trigger nodes say
/// (`rules/data/trigger-trust.toml`): the most dangerous trigger anyone can fire with the
/// base repository's token and secrets, else whether anyone can fire it at all (a fork's
/// pull request: read-only token, no secrets).
struct Fired {
    /// The privileged trigger's event and where the workflow's `on:` is.
    privileged: Option<(String, Location)>,
    anyone: bool,
}

impl Fired {
    /// Who can fire workflow `node` on a run where the job and step `runs` (job index,
    /// step) run at all: an event the job's or the step's `if:` excludes does not count.
    fn of(
        cx: &Context<'_>,
        wf: &Workflow,
        input: &Input,
        node: Option<NodeId>,
        runs: Option<(usize, &Step)>,
    ) -> Self {
        let kb = tollgate_kb::triggers();
        let mut privileged: Option<(usize, String)> = None;
        let mut anyone = false;
        for t in node.map(|w| cx.graph.triggers_of(w)).unwrap_or_default() {
            let Some(NodeKind::Trigger {
                event,
                trust,
                privileged: p,
            }) = cx.graph.node(t).map(|n| &n.kind)
            else {
                continue;
            };
            if *trust != Trust::Anyone
                || runs.is_some_and(|(j, step)| !trust::runs_on(wf, j, Some(step), event))
            {
                continue;
            }
            anyone = true;
            if *p && privileged.as_ref().is_none_or(|(r, _)| kb.rank(event) < *r) {
                privileged = Some((kb.rank(event), event.clone()));
            }
        }
        let privileged = privileged.and_then(|(_, event)| {
            let on = wf.on.as_ref()?;
            Some((event, input.source.location(on.key)))
        });
        Self { privileged, anyone }
    }

    /// Who can fire the workflow of job node `job`.
    fn of_job(cx: &Context<'_>, job: NodeId) -> Option<Self> {
        let input = cx
            .graph
            .input(cx.scan, cx.graph.node(job)?.origin?.input())?;
        let FileModel::Workflow(wf) = input.parsed.as_ref() else {
            return None;
        };
        // The calling job's own conditions are not applied here: the value is what the
        // caller's event gives, on any run of the caller.
        Some(Self::of(cx, wf, input, cx.graph.workflow_of(job), None))
    }

    const fn severity(&self) -> Impact {
        if self.privileged.is_some() {
            Impact::High
        } else if self.anyone {
            Impact::Medium
        } else {
            Impact::Low
        }
    }
}

/// What a carrier holds, in words: ``` `github.event.issue.title` written by step `meta` ```.
fn carries(f: &Flow, c: &Carrier, cx: &Context<'_>) -> String {
    let value = cx.graph.node(f.value).map_or("", |n| match &n.kind {
        NodeKind::Value { name } => name.as_str(),
        _ => "",
    });
    match (&c.via, &f.taint) {
        (_, Taint::ActionOutput { action, .. }) => {
            format!("output of `{action}` (file names a pull request chooses)")
        }
        (Via::ScriptOutput { step }, _) => format!("`{value}` written by step `{step}`"),
        (Via::ActionInput, _) => format!("`{value}` from the calling step"),
        (Via::WorkflowInput { .. }, _) => format!("`{value}` from the calling job"),
        _ => format!("`{value}`"),
    }
}

/// The finding of one flow into `step`; `fired` says who can fire the workflow whose
/// event the value comes from (`None` for a composite action's own step).
fn emit(
    cx: &Context<'_>,
    step: &StepCx<'_>,
    f: &Flow,
    fired: Option<&Fired>,
    fix: Option<Fix>,
    out: &mut Sink<'_>,
) {
    // A composite action runs for whichever workflow calls it: medium.
    let severity = fired.map_or(Impact::Medium, Fired::severity);
    let caller = caller_of(f);
    // A script an action runs from its input is named as that input.
    let (place, help) = match f.into {
        Script::Run => (
            step.step
                .run
                .as_ref()
                .map_or_else(|| "a `run:` script".to_owned(), |r| r.describe()),
            RUN_HELP,
        ),
        Script::Code(code, _) if code.uses.eq_ignore_ascii_case("actions/github-script") => {
            ("an `actions/github-script` script".to_owned(), SCRIPT_HELP)
        }
        Script::Code(code, input) => (
            format!(
                "the `{input}` input of `{}`, which evaluates it as {}",
                code.uses, code.language
            ),
            TEMPLATE_HELP,
        ),
    };
    // Named as the workflow writes it.
    let r = &f.written;
    let (what, sev, conf) = match (&f.taint, f.carriers.first()) {
        (Taint::DispatchInput { .. }, _) => (
            if f.reference.starts_with("github.event.client_payload") {
                format!("`{r}` of the dispatch payload, chosen by whoever dispatches the run")
            } else {
                format!("workflow input `{r}`, chosen by whoever dispatches the run")
            },
            Impact::Low,
            Confidence::Medium,
        ),
        (_, Some(c)) => (
            format!("`{r}`, which carries {}", carries(f, c, cx)),
            severity,
            Confidence::Medium,
        ),
        (Taint::Context(ContextMatch::Parent), None) => (
            format!("`{r}`, which holds attacker-controllable fields"),
            severity,
            Confidence::Medium,
        ),
        _ => (
            format!("attacker-controllable `{r}`"),
            severity,
            Confidence::High,
        ),
    };
    // The path: the privileged trigger, if any, then workflow → job → (local actions) →
    // step; through a reusable workflow's input, the caller's job and `with:` first.
    let hop = |c: &Carrier| PathHop {
        label: format!("`{}` carries {}", c.written, carries(f, c, cx)),
        location: Some(cx.graph.location(&c.at)),
    };
    let across = |c: &&Carrier| matches!(c.via, Via::WorkflowInput { .. });
    let mut path: Vec<PathHop> = caller
        .and_then(|c| caller_chain(cx, c))
        .map(Chain::into_hops)
        .unwrap_or_default();
    path.extend(f.carriers.iter().filter(across).map(hop));
    let mut to_step = Chain::to_step(cx, step.input, step.job_index, step.step.index);
    if caller.is_none()
        && let Some((event, on)) = fired.and_then(|x| x.privileged.clone())
    {
        to_step = to_step.first(format!("on: `{event}`"), Some(on));
    }
    path.extend(to_step.into_hops());
    path.extend(f.carriers.iter().filter(|c| !across(c)).map(hop));
    path.push(PathHop {
        label: format!("`{r}` expanded into {place}"),
        location: Some(cx.graph.location(&f.at)),
    });
    out.at(&step.input.source, f.at.span())
        .message(format!(
            "`${{{{ {} }}}}` expands {what} into {place}",
            f.expression
        ))
        .severity(sev)
        .confidence(conf)
        .help(help.to_owned())
        .path(path)
        .fix(fix)
        .emit();
}

/// The job that hands the value to a reusable workflow, when it goes through one.
fn caller_of(f: &Flow) -> Option<NodeId> {
    f.carriers.iter().find_map(|c| match c.via {
        Via::WorkflowInput { caller } => Some(caller),
        _ => None,
    })
}

/// The path to a job calling a reusable workflow: its privileged trigger, if any, then
/// workflow → job.
fn caller_chain(cx: &Context<'_>, caller: NodeId) -> Option<Chain> {
    let node = cx.graph.node(caller)?;
    let NodeKind::Job { id, .. } = &node.kind else {
        return None;
    };
    let input = cx.graph.input(cx.scan, node.origin?.input())?;
    let mut chain = Chain::to_job(cx, input, id);
    if let Some((event, on)) = Fired::of_job(cx, caller).and_then(|f| f.privileged) {
        chain = chain.first(format!("on: `{event}`"), Some(on));
    }
    Some(chain)
}

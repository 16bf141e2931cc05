//! `template-injection`: `${{ … }}` that expands text an outsider controls (an issue
//! title, a branch name, a commit message) straight into a `run:` script or an
//! `actions/github-script` script, where it becomes code.

use std::collections::BTreeMap;

use tollgate_engine::{Context, Rule, Sink, StepCx, StepOwner};
use tollgate_gha::{
    ContextMatch, Env, Step, Uses, Workflow, context_references, expressions, match_context,
};
use tollgate_graph::NodeKind;
use tollgate_model::{Confidence, Impact, Location, Span};
use tollgate_scan::Input;
use tollgate_shell::{EnvTarget, Fact};

use super::kb::contexts;
use super::util::{is_boolean_expression, job_index, triggered_by};
use crate::chain::Chain;
use crate::common::glob_match;

pub struct TemplateInjection;

/// Marks a derived origin whose value is JSON-encoded (inert as a JavaScript literal).
const JSON_MARK: &str = "json:";

/// Why an expression is attacker-controlled.
enum Taint {
    Context(String, ContextMatch),
    Input(String),
    Derived {
        reference: String,
        origin: String,
        at: Option<Location>,
    },
}

/// Where a derived reference gets its attacker-controllable value: what it carries, and
/// where that is written (the `env:` entry, the step writing the output).
type Derived = BTreeMap<String, (String, Option<Location>)>;

impl Rule for TemplateInjection {
    fn id(&self) -> &'static str {
        "template-injection"
    }

    fn check_step(&self, cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        let s = step.step;
        let (wf, job) = match step.owner {
            StepOwner::Job { workflow, job } => (Some(workflow), Some(job)),
            StepOwner::Action(_) => (None, None),
        };
        let github_script = matches!(
            s.uses.as_ref().map(|u| &u.value),
            Some(Uses::Remote(r)) if r.action().eq_ignore_ascii_case("actions/github-script")
        );
        // Only expressions can inject: most scripts hold none, and the taint of the
        // step's environment and earlier outputs is worth working out only for those
        // that do.
        let templated = |t: &str| t.contains("${{");
        let in_run = s.run.as_ref().is_some_and(|r| templated(&r.script));
        let in_script = github_script
            && s.with_value("script")
                .is_some_and(|kv| templated(&kv.value.value));
        if !in_run && !in_script {
            return;
        }
        // Who can fire the workflow, as the graph's trigger nodes say
        // (`rules/data/trigger-trust.toml`): the most dangerous trigger anyone can fire
        // with the base repository's token and secrets, else whether anyone can fire it
        // at all (a fork's pull request: read-only token, no secrets).
        let workflow_node = wf.and_then(|_| {
            let id = cx.graph.input_id(&step.input.source.display)?;
            cx.graph.file_node(id)
        });
        let privileged = workflow_node.and_then(|w| cx.graph.untrusted_privileged_trigger(w));
        let anyone = workflow_node.is_some_and(|w| cx.graph.anyone_can_trigger(w));
        let severity = match wf {
            Some(_) if privileged.is_some() => Impact::High,
            Some(_) if anyone => Impact::Medium,
            Some(_) => Impact::Low,
            None => Impact::Medium,
        };
        let dispatch = wf.is_some_and(|w| triggered_by(w, &["workflow_dispatch"]));
        let mut envs: Vec<&Env> = vec![&s.env];
        if let (Some(w), Some(j)) = (wf, job) {
            envs.push(&j.env);
            envs.push(&w.env);
        }
        let mut derived = derived_taint(step.input, wf, job.map(|j| (j, s.index)), &envs);
        if matches!(step.owner, StepOwner::Action(_)) {
            derived.extend(caller_taint(cx, step.input));
        }
        let file = &step.input.source;
        // The chain every finding of this step starts with: the privileged trigger, if
        // any, then workflow → job → (local actions) → step.
        let mut chain = Chain::to_step(cx, step.input, step.job_index, s.index);
        if let Some((event, key)) = wf.and_then(|w| {
            let on = w.on.as_ref()?;
            match &cx.graph.node(privileged?)?.kind {
                NodeKind::Trigger { event, .. } => Some((event.as_str(), on.key)),
                _ => None,
            }
        }) {
            chain = chain.first(format!("on: `{event}`"), Some(file.location(key)));
        }

        let mut check = |text: &str,
                         to_file: &dyn Fn(Span) -> Span,
                         place: &str,
                         help: &str,
                         javascript: bool| {
            for e in expressions(text) {
                if is_boolean_expression(&e.inner) {
                    continue;
                }
                let Some(t) = taint(&e.inner, dispatch, &derived) else {
                    continue;
                };
                let t = match t {
                    Taint::Derived { origin, .. }
                        if javascript && origin.starts_with(JSON_MARK) =>
                    {
                        continue;
                    }
                    Taint::Derived {
                        reference,
                        origin,
                        at,
                    } => Taint::Derived {
                        reference,
                        origin: origin.trim_start_matches(JSON_MARK).to_owned(),
                        at,
                    },
                    other => other,
                };
                if let (Taint::Input(r), Some(w)) = (&t, wf)
                    && !free_text_input(w, r)
                {
                    continue;
                }
                let whole = format!("${{{{ {} }}}}", e.inner);
                let (what, sev, conf) = match &t {
                    Taint::Context(r, ContextMatch::Exact) => (
                        format!("attacker-controllable `{r}`"),
                        severity,
                        Confidence::High,
                    ),
                    Taint::Context(r, ContextMatch::Parent) => (
                        format!("`{r}`, which holds attacker-controllable fields"),
                        severity,
                        Confidence::Medium,
                    ),
                    Taint::Input(r) => (
                        format!("workflow input `{r}`, chosen by whoever dispatches the run"),
                        Impact::Low,
                        Confidence::Medium,
                    ),
                    Taint::Derived {
                        reference, origin, ..
                    } => (
                        format!("`{reference}`, which carries {origin}"),
                        severity,
                        Confidence::Medium,
                    ),
                };
                let span = to_file(Span::new(e.start, e.end));
                let mut path = chain.clone();
                if let Taint::Derived {
                    reference,
                    origin,
                    at: Some(at),
                } = &t
                {
                    path = path.hop(format!("`{reference}` carries {origin}"), Some(at.clone()));
                }
                let (Taint::Context(r, _) | Taint::Input(r) | Taint::Derived { reference: r, .. }) =
                    &t;
                let path = path.hop(
                    format!("`{r}` expanded into {place}"),
                    Some(file.location(span)),
                );
                out.at(file, span)
                    .message(format!("`{whole}` expands {what} into {place}"))
                    .severity(sev)
                    .confidence(conf)
                    .help(help.to_owned())
                    .path(path.into_hops())
                    .emit();
            }
        };
        if let Some(run) = &s.run {
            check(
                &run.script,
                &|sp| run.file_span(sp),
                "a `run:` script",
                "pass the value through an environment variable and quote it: `env: VALUE: ${{ … }}` on the step, then `\"$VALUE\"` in the script",
                false,
            );
        }
        if github_script && let Some(kv) = s.with_value("script") {
            check(
                &kv.value.value,
                &|sp| kv.file_span(sp),
                "an `actions/github-script` script",
                "read the value in JavaScript instead of templating it into the code: `context.payload…`, or `process.env.VALUE` with `env: VALUE: ${{ … }}` on the step",
                true,
            );
        }
    }
}

fn untrusted(reference: &str) -> Option<ContextMatch> {
    let mut best = None;
    for c in &contexts().context {
        match match_context(&c.pattern, reference) {
            Some(ContextMatch::Exact) => return Some(ContextMatch::Exact),
            Some(ContextMatch::Parent) => best = Some(ContextMatch::Parent),
            None => {}
        }
    }
    best
}

fn taint(inner: &str, dispatch: bool, derived: &Derived) -> Option<Taint> {
    for (r, _, _) in context_references(inner) {
        if let Some(m) = untrusted(&r) {
            return Some(Taint::Context(r, m));
        }
        if dispatch
            && contexts()
                .input
                .iter()
                .any(|c| match_context(&c.pattern, &r) == Some(ContextMatch::Exact))
        {
            return Some(Taint::Input(r));
        }
        if let Some((origin, at)) = derived
            .iter()
            .find_map(|(k, o)| glob_match(k, &r).then_some(o))
        {
            return Some(Taint::Derived {
                reference: r,
                origin: origin.clone(),
                at: at.clone(),
            });
        }
    }
    None
}

/// The first attacker-controllable reference in a text holding expressions.
fn tainted_text(text: &str) -> Option<String> {
    expressions(text).into_iter().find_map(|e| {
        if is_boolean_expression(&e.inner) {
            return None;
        }
        context_references(&e.inner)
            .into_iter()
            .find(|(r, _, _)| untrusted(r) == Some(ContextMatch::Exact))
            .map(|(r, _, _)| r)
    })
}

/// References (lowercase globs) derived from attacker-controllable text: `env.X` set from
/// it, and outputs of earlier steps that write it or of actions known to output it.
fn derived_taint(
    input: &Input,
    wf: Option<&Workflow>,
    job_step: Option<(&tollgate_gha::Job, usize)>,
    envs: &[&Env],
) -> Derived {
    let file = &input.source;
    let mut out = Derived::new();
    for env in envs {
        for v in &env.vars {
            if let Some(r) = tainted_text(&v.value.value) {
                out.entry(format!("env.{}", v.key.value.to_ascii_lowercase()))
                    .or_insert((format!("`{r}`"), Some(file.location(v.key.span))));
            }
        }
    }
    let (Some(wf), Some((job, index))) = (wf, job_step) else {
        return out;
    };
    let j = job_index(wf, job);
    for prev in job.steps.iter().filter(|p| p.index < index) {
        let Some(id) = &prev.id else { continue };
        let id = id.value.to_ascii_lowercase();
        if let Some(Uses::Remote(r)) = prev.uses.as_ref().map(|u| &u.value) {
            let name = r.action().to_ascii_lowercase();
            for o in contexts()
                .output
                .iter()
                .filter(|o| o.uses.eq_ignore_ascii_case(&name))
            {
                let globs = if o.outputs.is_empty() {
                    vec!["*".to_owned()]
                } else {
                    o.outputs.clone()
                };
                let json = o.json_input.as_ref().is_some_and(|i| {
                    prev.with_value(i)
                        .is_some_and(|v| v.value.value.trim().eq_ignore_ascii_case("json"))
                });
                for g in globs {
                    let origin = format!(
                        "output of `{}` (file names a pull request chooses)",
                        r.action()
                    );
                    let origin = if json {
                        format!("{JSON_MARK}{origin}")
                    } else {
                        origin
                    };
                    let at = prev.uses.as_ref().map(|u| file.location(u.span));
                    out.insert(
                        format!("steps.{id}.outputs.{}", g.to_ascii_lowercase()),
                        (origin, at),
                    );
                }
            }
        }
        output_writes(input, j, prev, &id, &mut out);
    }
    out
}

/// Inputs of a local composite action that a calling step sets from attacker-controllable
/// text (`with: title: ${{ github.event.issue.title }}`): the callers are the steps whose
/// `uses:` edge in the graph leads to the action's file.
fn caller_taint(cx: &Context<'_>, input: &Input) -> Derived {
    let mut out = Derived::new();
    let Some(action) = cx
        .scan
        .index_of(input)
        .and_then(|id| cx.graph.file_node(tollgate_graph::InputId(id)))
    else {
        return out;
    };
    for (e, caller) in cx.graph.incoming(action) {
        if e.kind != tollgate_graph::EdgeKind::Uses {
            continue;
        }
        let (Some(step), Some(file)) = (
            cx.graph.step_model(cx.scan, caller),
            cx.graph
                .node(caller)
                .and_then(|n| n.origin)
                .and_then(|o| cx.graph.input(cx.scan, o.input())),
        ) else {
            continue;
        };
        for kv in &step.with {
            if let Some(r) = tainted_text(&kv.value.value) {
                out.entry(format!("inputs.{}", kv.key.value.to_ascii_lowercase()))
                    .or_insert((
                        format!("`{r}` from the calling step"),
                        Some(file.source.location(kv.value.span)),
                    ));
            }
        }
    }
    out
}

/// `echo "k=${{ github.event.issue.title }}" >> "$GITHUB_OUTPUT"` taints `steps.<id>.outputs.k`.
fn output_writes(input: &Input, job: Option<usize>, step: &Step, id: &str, out: &mut Derived) {
    let Some(run) = &step.run else { return };
    let Some(analysis) = job
        .and_then(|j| input.script(Some(j), step.index))
        .and_then(|s| s.analysis.as_deref())
    else {
        return;
    };
    for f in &analysis.facts {
        let Fact::EnvWrite(w) = f else { continue };
        if w.target != EnvTarget::GithubOutput {
            continue;
        }
        let Some(key) = &w.key else { continue };
        let spans = analysis.pipeline_spans(w.span);
        let text: String = spans
            .iter()
            .map(|s| run.script.get(s.start..s.end).unwrap_or(""))
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(r) = tainted_text(&text) {
            out.insert(
                format!("steps.{id}.outputs.{}", key.to_ascii_lowercase()),
                (
                    format!("`{r}` written by step `{id}`"),
                    Some(input.source.location(run.file_span(w.span))),
                ),
            );
        }
    }
}

/// Whether a `workflow_dispatch` input can hold arbitrary text: `boolean`, `choice`,
/// `number` and `environment` inputs are validated by GitHub before the run starts. The
/// declaration is read from the model, so its YAML style does not matter.
fn free_text_input(wf: &Workflow, reference: &str) -> bool {
    let name = reference
        .strip_prefix("github.event.inputs.")
        .or_else(|| reference.strip_prefix("inputs."))
        .unwrap_or(reference);
    wf.on
        .as_ref()
        .and_then(|on| on.event("workflow_dispatch"))
        .and_then(|t| t.input(name))
        .is_none_or(|i| !i.is_constrained())
}

//! The flow pass: expression data flow as graph facts. A value an outsider controls (an
//! issue title, a branch name, a free-text dispatch input, the file names a pull request
//! chooses) that a `${{ … }}` expands into a `run:` script or an input an action evaluates
//! as code (`actions/github-script`'s `script`), where it becomes code, is a `flows` edge from the value's node to the step,
//! located at the expansion.
//!
//! The value may get there directly or through one carrier: an `env:` entry of the step,
//! its job or its workflow; a step output that an earlier script writes to
//! `$GITHUB_OUTPUT` or that an action known to pass on such text sets; an input of a local
//! composite action set by a calling step's `with:`; an input of a local reusable
//! workflow set by a calling job's `with:`. The record, [`Flows`], keeps per edge the
//! carriers in order, each with where the value is put into it, and what the judgement
//! of `template-injection` needs: how the context matched the knowledge base
//! (`rules/data/untrusted-contexts.toml`), whether an action's output is JSON-encoded,
//! which dispatch input it is.
//!
//! Boolean expressions (`contains(…)`, comparisons) yield no text, and `boolean`,
//! `choice`, `number` and `environment` dispatch inputs are validated by GitHub: neither
//! is a flow. Expressions come from the models' expression scanner and `$GITHUB_OUTPUT`
//! writes from the shell facts: nothing here reads YAML or shell text again.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use tollgate_gha::{
    ContextMatch, Env, KeyValue, Step, Uses, Workflow, context_references, expressions,
    match_context,
};
use tollgate_graph::{EdgeKind, Graph, InputId, Kind, NodeId, NodeKind, Origin};
use tollgate_kb::scripts::CodeInput;
use tollgate_lockfile::glob::matches as glob_match;
use tollgate_model::{Diagnostic, Span};
use tollgate_scan::{FileModel, Input, Scan};

/// The flow pass (see the module documentation).
pub struct Pass;

/// Where a value is expanded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Script {
    /// A `run:` script.
    Run,
    /// An input an action evaluates as code that is not a shell script: the `script:` of
    /// `actions/github-script` (JavaScript), a lodash template
    /// (`rules/data/script-inputs.toml`, `[[code]]`).
    Code(&'static CodeInput, InputName),
}

/// The name of a `with:` input, as the knowledge base writes it.
pub type InputName = &'static str;

/// Why a value is attacker-controllable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Taint {
    /// An untrusted context of the knowledge base, named exactly
    /// (`github.event.issue.title`) or as a parent of one (`toJSON(github.event.issue)`,
    /// [`ContextMatch::Parent`]).
    Context(ContextMatch),
    /// A free-text `workflow_dispatch` input (`name` as declared, lowercase), chosen by
    /// whoever dispatches the run.
    DispatchInput { name: String },
    /// The outputs of `action` (as written in `uses:`), which pass on file names a pull
    /// request chooses; `json` when the step asks for them JSON-encoded, which is inert
    /// as a JavaScript literal though not in a shell; `shell` when it asks for them
    /// encoded for a shell.
    ActionOutput {
        action: String,
        json: bool,
        shell: ShellEncoded,
    },
}

/// How an action encodes an output for a shell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ShellEncoded {
    /// Not at all.
    #[default]
    No,
    /// Each item single-quoted: inert unquoted, not inside double or single quotes.
    Quoted,
    /// Every character a shell acts on backslash-escaped: inert unquoted and inside
    /// double quotes, not inside single quotes.
    Escaped,
}

/// How a carrier holds the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    /// An `env:` entry of the step, its job or its workflow.
    Env,
    /// An output that the `run:` script of step `step` (its `id:`) writes to
    /// `$GITHUB_OUTPUT`.
    ScriptOutput { step: String },
    /// An output of step `step`, which uses an action that outputs the value.
    ActionOutput { step: String },
    /// An input of a local composite action, set by the `with:` of a step calling it.
    ActionInput,
    /// An input of a local reusable workflow, set by the `with:` of `caller`, a job
    /// calling it.
    WorkflowInput { caller: NodeId },
}

/// One hop of a flow between the value and the expansion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Carrier {
    pub via: Via,
    /// The reference that reads the carrier, lowercase, as the next hop names it
    /// (`env.title`, `steps.meta.outputs.title`, `inputs.title`).
    pub reference: String,
    /// The same reference as the expression writes it (`env.TITLE`), for messages.
    pub written: String,
    /// Where the value is put into the carrier: the `env:` key, the command writing the
    /// output, the `uses:` of the action, the caller's `with:` value.
    pub at: Origin,
}

/// One `flows` edge in detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// The value's node (the edge's source).
    pub value: NodeId,
    /// The step expanding it (the edge's target).
    pub step: NodeId,
    /// The `${{ … }}` expansion (the edge's origin).
    pub at: Origin,
    /// The expression between the braces, trimmed.
    pub expression: String,
    /// What the expression references, lowercase: the value itself, or what the last
    /// carrier is read as.
    pub reference: String,
    /// The same reference as the expression writes it (`github.event.commits[0].message`,
    /// `env.TITLE`), for messages.
    pub written: String,
    pub into: Script,
    pub taint: Taint,
    /// The carriers from the value to the expansion, in order; empty when the expression
    /// names the value itself.
    pub carriers: Vec<Carrier>,
}

/// What the pass found: every `flows` edge in detail, by the edge's origin.
#[derive(Debug, Default)]
pub struct Flows {
    flows: BTreeMap<Origin, Flow>,
}

impl Flows {
    /// The flow whose `flows` edge has origin `at`.
    #[must_use]
    pub fn get(&self, at: Origin) -> Option<&Flow> {
        self.flows.get(&at)
    }

    /// Every flow, in input and span order.
    pub fn iter(&self) -> impl Iterator<Item = &Flow> {
        self.flows.values()
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.flows.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.flows.is_empty()
    }
}

/// The flows the flow pass recorded in `graph` (empty for a graph built without it).
#[must_use]
pub fn of(graph: &Graph) -> &Flows {
    static EMPTY: Flows = Flows {
        flows: BTreeMap::new(),
    };
    graph.record::<Flows>().unwrap_or(&EMPTY)
}

/// The flows into `step`, read from its `flows` edges, in file order.
#[must_use]
pub fn into_step(graph: &Graph, step: NodeId) -> Vec<&Flow> {
    let record = of(graph);
    let mut v: Vec<&Flow> = graph
        .incoming(step)
        .into_iter()
        .filter(|(e, _)| e.kind == EdgeKind::Flows)
        .filter_map(|(e, _)| record.get(e.origin?))
        .collect();
    v.sort_by_key(|f| f.at);
    v
}

/// A flow found before its value has a node.
struct Found {
    name: String,
    flow: Flow,
}

impl tollgate_graph::Pass for Pass {
    fn name(&self) -> &'static str {
        "flow"
    }

    fn run(&self, scan: &Scan, graph: &mut Graph) -> Vec<Diagnostic> {
        // Found per input in parallel (reading the graph only), then written in input
        // order, so that node and edge ids do not depend on the threads.
        let found: Vec<Vec<Found>> = {
            let g: &Graph = graph;
            scan.inputs
                .par_iter()
                .enumerate()
                .map(|(i, input)| in_input(scan, g, InputId(i), input))
                .collect()
        };
        let mut values: HashMap<String, NodeId> = HashMap::new();
        let mut record = Flows::default();
        for Found { name, mut flow } in found.into_iter().flatten() {
            let value = *values.entry(name).or_insert_with_key(|name| {
                // Located where it is first read: put into its first carrier, or expanded.
                let at = flow.carriers.first().map_or(flow.at, |c| c.at);
                graph.add_node(NodeKind::Value { name: name.clone() }, Some(at))
            });
            flow.value = value;
            graph.add_edge(value, flow.step, EdgeKind::Flows, Some(flow.at));
            record.flows.insert(flow.at, flow);
        }
        graph.set_record(record);
        Vec::new()
    }
}

/// Where a derived reference (a lowercase glob: `env.title`, `steps.meta.outputs.*`)
/// gets its value: the value's name, why it is attacker-controllable, and how.
#[derive(Clone)]
struct Derived {
    name: String,
    taint: Taint,
    via: Via,
    at: Origin,
}

/// Derived references of one kind (`env.*`, `inputs.*` or `steps.*`), each a lowercase
/// key: plain, or a glob with `*`. Plain keys are looked up, not matched one by one: a
/// job of thousands of steps writing outputs would make every reference a walk over all
/// of them.
#[derive(Default)]
struct Layer {
    plain: BTreeMap<String, Derived>,
    globs: BTreeMap<String, Derived>,
}

impl Layer {
    fn map(&mut self, key: &str) -> &mut BTreeMap<String, Derived> {
        if key.contains('*') {
            &mut self.globs
        } else {
            &mut self.plain
        }
    }

    /// Set `key`, replacing what an earlier carrier set.
    fn set(&mut self, key: String, d: Derived) {
        self.map(&key).insert(key, d);
    }

    /// Set `key` unless an earlier carrier set it.
    fn set_first(&mut self, key: String, d: Derived) {
        self.map(&key).entry(key).or_insert(d);
    }

    /// The carrier of `reference`: of the keys matching it, the first in key order (a
    /// plain key matches only itself).
    fn find(&self, reference: &str) -> Option<&Derived> {
        let plain = self.plain.get_key_value(reference);
        let glob = self.globs.iter().find(|(k, _)| glob_match(k, reference));
        match (plain, glob) {
            (Some(p), Some(g)) => Some(if p.0 <= g.0 { p.1 } else { g.1 }),
            (p, g) => p.or(g).map(|(_, d)| d),
        }
    }
}

/// The carriers a step's expressions can read: its `env:` (with its job's and
/// workflow's), the inputs callers set, and the outputs of earlier steps. Their keys
/// start `env.`, `inputs.` and `steps.`, so looking in the layers in that order finds
/// the first matching key in key order of them all.
struct Carriers<'a> {
    env: Layer,
    inputs: &'a Layer,
    outputs: &'a Layer,
}

impl Carriers<'_> {
    fn find(&self, reference: &str) -> Option<&Derived> {
        self.env
            .find(reference)
            .or_else(|| self.inputs.find(reference))
            .or_else(|| self.outputs.find(reference))
    }
}

/// The flows into the steps of one input (a workflow or a composite action).
fn in_input(scan: &Scan, graph: &Graph, id: InputId, input: &Input) -> Vec<Found> {
    let mut out = Vec::new();
    let none = Layer::default();
    match input.parsed.as_ref() {
        FileModel::Workflow(wf) => {
            let dispatch = Dispatch {
                workflow: wf.on.as_ref().is_some_and(|t| t.has("workflow_dispatch")),
                repository: wf.on.as_ref().is_some_and(|t| t.has("repository_dispatch")),
            };
            // The inputs callers set, worked out once per file and only if some step
            // expands an expression at all.
            let mut callers: Option<Layer> = None;
            for (j, job) in wf.jobs.iter().enumerate() {
                // The outputs of the steps so far, each step's added after it is read.
                let mut outputs = Layer::default();
                for step in &job.steps {
                    if templated(step) {
                        let inputs = callers.get_or_insert_with(|| {
                            caller_taint(graph, id, Kind::Job, |c| {
                                graph.job_model(scan, c).map(|(_, job)| job.with.as_slice())
                            })
                        });
                        let cx = StepIn {
                            id,
                            wf: Some(wf),
                            dispatch,
                            carriers: Carriers {
                                env: env_taint(id, &[&step.env, &job.env, &wf.env]),
                                inputs,
                                outputs: &outputs,
                            },
                        };
                        if let Some(node) = graph.step_node(id, Some(j), step.index) {
                            cx.expansions(step, node, &mut out);
                        }
                    }
                    step_outputs(id, input, j, step, &mut outputs);
                }
            }
        }
        FileModel::Action(a) => {
            let mut callers: Option<Layer> = None;
            for step in a.steps() {
                if !templated(step) {
                    continue;
                }
                let inputs = callers.get_or_insert_with(|| {
                    caller_taint(graph, id, Kind::Step, |c| {
                        graph.step_model(scan, c).map(|s| s.with.as_slice())
                    })
                });
                let cx = StepIn {
                    id,
                    wf: None,
                    dispatch: Dispatch::default(),
                    carriers: Carriers {
                        env: env_taint(id, &[&step.env]),
                        inputs,
                        outputs: &none,
                    },
                };
                if let Some(node) = graph.step_node(id, None, step.index) {
                    cx.expansions(step, node, &mut out);
                }
            }
        }
        _ => {}
    }
    out
}

/// The inputs of `step`'s action that it evaluates as code (github-script's `script:`),
/// with their values.
fn code_inputs(step: &Step) -> impl Iterator<Item = (&'static CodeInput, InputName, &KeyValue)> {
    let entry = match step.uses.as_ref().map(|u| &u.value) {
        Some(Uses::Remote(r)) => tollgate_kb::script_inputs().code_of(&r.action()),
        _ => None,
    };
    entry.into_iter().flat_map(move |e| {
        e.inputs
            .iter()
            .filter_map(move |name| Some((e, name.as_str(), step.with_value(name)?)))
    })
}

/// Whether the step's script (or an input its action evaluates as code) holds an
/// expression at all: most hold none, and the carriers are worth working out only for
/// those that do.
fn templated(step: &Step) -> bool {
    let t = |s: &str| s.contains("${{");
    step.run.as_ref().is_some_and(|r| t(&r.script))
        || code_inputs(step).any(|(_, _, kv)| t(&kv.value.value))
}

/// What one step's expansions are judged against.
struct StepIn<'a> {
    id: InputId,
    /// The workflow, for a workflow's step (its dispatch inputs' types).
    wf: Option<&'a Workflow>,
    /// Which dispatch events run the workflow: their inputs (`inputs.*`) or payload
    /// (`github.event.client_payload.*`) are chosen by whoever dispatches it.
    dispatch: Dispatch,
    carriers: Carriers<'a>,
}

impl StepIn<'_> {
    fn expansions(&self, step: &Step, node: NodeId, out: &mut Vec<Found>) {
        if let Some(run) = &step.run {
            self.scan_text(&run.script, &|sp| run.file_span(sp), Script::Run, node, out);
        }
        for (code, name, kv) in code_inputs(step) {
            self.scan_text(
                &kv.value.value,
                &|sp| kv.file_span(sp),
                Script::Code(code, name),
                node,
                out,
            );
        }
    }

    /// The flows of the expressions of one script: the first attacker-controllable
    /// reference of each expression decides it.
    fn scan_text(
        &self,
        text: &str,
        to_file: &dyn Fn(Span) -> Span,
        into: Script,
        node: NodeId,
        out: &mut Vec<Found>,
    ) {
        for e in expressions(text) {
            if is_boolean_expression(&e.inner) {
                continue;
            }
            let Some((reference, written, hit)) =
                first_taint(&e.inner, self.dispatch, &self.carriers)
            else {
                continue;
            };
            let at = Origin::new(self.id, to_file(Span::new(e.start, e.end)));
            let (name, taint, carriers) = match hit {
                Hit::Context(m) => (reference.clone(), Taint::Context(m), Vec::new()),
                Hit::Input => {
                    let name = dispatch_input_name(&reference);
                    if self.wf.is_some_and(|w| !free_text_input(w, &name)) {
                        continue;
                    }
                    (
                        reference.clone(),
                        Taint::DispatchInput {
                            name: name.to_ascii_lowercase(),
                        },
                        Vec::new(),
                    )
                }
                Hit::Derived(d) => (
                    d.name.clone(),
                    d.taint.clone(),
                    vec![Carrier {
                        via: d.via.clone(),
                        reference: reference.clone(),
                        written: written.clone(),
                        at: d.at,
                    }],
                ),
            };
            out.push(Found {
                name,
                flow: Flow {
                    value: NodeId::end(),
                    step: node,
                    at,
                    expression: e.inner,
                    reference,
                    written,
                    into,
                    taint,
                    carriers,
                },
            });
        }
    }
}

/// An expression whose value is a boolean or a number, so nothing it references reaches
/// the script as text: a comparison or a `contains`/`startsWith`/`endsWith` test.
#[must_use]
pub fn is_boolean_expression(inner: &str) -> bool {
    let l = inner.trim().to_ascii_lowercase();
    if l.contains("&&") || l.contains("||") {
        return false;
    }
    l.starts_with('!')
        || l.starts_with("contains(")
        || l.starts_with("startswith(")
        || l.starts_with("endswith(")
        || l.contains("==")
        || l.contains("!=")
        || l.contains(">=")
        || l.contains("<=")
}

/// How an expression's first attacker-controllable reference is.
enum Hit<'a> {
    Context(ContextMatch),
    /// `inputs.*` or `github.event.inputs.*` of a dispatched workflow.
    Input,
    Derived(&'a Derived),
}

/// How `reference` matches the untrusted contexts: exactly, as a parent, or not.
fn untrusted(reference: &str) -> Option<ContextMatch> {
    let mut best = None;
    for c in &tollgate_kb::contexts().context {
        match match_context(&c.pattern, reference) {
            Some(ContextMatch::Exact) => return Some(ContextMatch::Exact),
            Some(ContextMatch::Parent) => best = Some(ContextMatch::Parent),
            None => {}
        }
    }
    best
}

/// The dispatch events a workflow runs on.
#[derive(Clone, Copy, Debug, Default)]
struct Dispatch {
    /// `workflow_dispatch`: `inputs.*`, `github.event.inputs.*`.
    workflow: bool,
    /// `repository_dispatch`: `github.event.client_payload.*`.
    repository: bool,
}

/// The first reference of an expression that is attacker-controllable, in the order
/// context, dispatch input, carrier: lowercase, as written, and what it is.
fn first_taint<'d>(
    inner: &str,
    dispatch: Dispatch,
    carriers: &'d Carriers<'_>,
) -> Option<(String, String, Hit<'d>)> {
    for (r, start, end) in context_references(inner) {
        let written = inner.get(start..end).unwrap_or(&r).trim().to_owned();
        if let Some(m) = untrusted(&r) {
            return Some((r, written, Hit::Context(m)));
        }
        let payload = r.starts_with("github.event.client_payload");
        let dispatched = if payload {
            dispatch.repository
        } else {
            dispatch.workflow
        };
        if dispatched
            && tollgate_kb::contexts()
                .input
                .iter()
                .any(|c| match_context(&c.pattern, &r) == Some(ContextMatch::Exact))
        {
            return Some((r, written, Hit::Input));
        }
        if let Some(d) = carriers.find(&r) {
            return Some((r, written, Hit::Derived(d)));
        }
    }
    None
}

/// The first reference that exactly names an untrusted context in a text holding
/// expressions (a carrier's value): what the carrier then holds.
#[must_use]
pub fn tainted_text(text: &str) -> Option<String> {
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

/// `env.X` set from attacker-controllable text, by the first of `envs` (the step's,
/// then the job's, then the workflow's) that sets it.
fn env_taint(id: InputId, envs: &[&Env]) -> Layer {
    let mut out = Layer::default();
    // `envs` go from the innermost level out (step, job, workflow): a variable an inner
    // level sets, tainted or not, hides the outer ones of the same name.
    let mut defined: std::collections::HashSet<String> = std::collections::HashSet::new();
    for env in envs {
        for v in &env.vars {
            if !defined.insert(v.key.value.to_ascii_lowercase()) {
                continue;
            }
            if let Some(r) = tainted_text(&v.value.value) {
                out.set_first(
                    format!("env.{}", v.key.value.to_ascii_lowercase()),
                    Derived {
                        name: r,
                        taint: Taint::Context(ContextMatch::Exact),
                        via: Via::Env,
                        at: Origin::new(id, v.key.span),
                    },
                );
            }
        }
    }
    out
}

/// The outputs of `step` (of job `j`) that carry attacker-controllable text: those of
/// an action known to output it, and those its script writes from it. They replace what
/// an earlier step of the same id set.
fn step_outputs(id: InputId, input: &Input, j: usize, step: &Step, out: &mut Layer) {
    let Some(step_id) = &step.id else { return };
    let step_id = step_id.value.to_ascii_lowercase();
    if let Some(u) = &step.uses
        && let Uses::Remote(r) = &u.value
    {
        let name = r.action().to_ascii_lowercase();
        for o in tollgate_kb::contexts()
            .output
            .iter()
            .filter(|o| o.uses.eq_ignore_ascii_case(&name))
        {
            let globs = if o.outputs.is_empty() {
                vec!["*".to_owned()]
            } else {
                o.outputs.clone()
            };
            let given = o
                .json_input
                .as_ref()
                .and_then(|i| step.with_value(i))
                .map(|v| v.value.value.trim().to_ascii_lowercase());
            let json = given.as_deref() == Some("json");
            let shell = match given {
                Some(v) if o.quoted_values.iter().any(|q| q.eq_ignore_ascii_case(&v)) => {
                    ShellEncoded::Quoted
                }
                Some(v) if o.escaped_values.iter().any(|q| q.eq_ignore_ascii_case(&v)) => {
                    ShellEncoded::Escaped
                }
                _ => ShellEncoded::No,
            };
            for g in globs {
                out.set(
                    format!("steps.{step_id}.outputs.{}", g.to_ascii_lowercase()),
                    Derived {
                        name: format!("outputs of {}", r.action()),
                        taint: Taint::ActionOutput {
                            action: r.action().to_owned(),
                            json,
                            shell,
                        },
                        via: Via::ActionOutput {
                            step: step_id.clone(),
                        },
                        at: Origin::new(id, u.span),
                    },
                );
            }
        }
    }
    output_writes(id, input, j, step, &step_id, out);
}

/// `echo "k=${{ github.event.issue.title }}" >> "$GITHUB_OUTPUT"` carries the title in
/// `steps.<id>.outputs.k`: the write and its key from the shell facts, the text of its
/// pipeline from the spans the analysis gives.
fn output_writes(
    id: InputId,
    input: &Input,
    j: usize,
    step: &Step,
    step_id: &str,
    out: &mut Layer,
) {
    let Some(run) = &step.run else { return };
    let Some(analysis) = input
        .script(Some(j), step.index)
        .and_then(|s| s.analysis.as_deref())
    else {
        return;
    };
    for (key, text, w) in analysis.github_output_writes(&run.script) {
        if let Some(r) = tainted_text(&text) {
            out.set(
                format!("steps.{step_id}.outputs.{}", key.to_ascii_lowercase()),
                Derived {
                    name: r,
                    taint: Taint::Context(ContextMatch::Exact),
                    via: Via::ScriptOutput {
                        step: step_id.to_owned(),
                    },
                    at: Origin::new(id, run.file_span(w.span)),
                },
            );
        }
    }
}

/// `inputs.X` of the file `id` (a local composite action or reusable workflow) that a
/// caller sets from attacker-controllable text (`with: title: ${{ github.event.issue.title }}`).
/// The callers are the nodes of kind `caller` (steps for an action, jobs for a workflow)
/// whose `uses:` edge leads to the file's node; `with` gives a caller's `with:` entries.
/// The first caller (in node order) setting an input decides it.
fn caller_taint<'s>(
    graph: &'s Graph,
    id: InputId,
    caller: Kind,
    with: impl Fn(NodeId) -> Option<&'s [KeyValue]>,
) -> Layer {
    let mut out = Layer::default();
    let Some(file) = graph.file_node(id) else {
        return out;
    };
    for (e, c) in graph.incoming(file) {
        if e.kind != EdgeKind::Uses || graph.node(c).map(|n| n.kind.kind()) != Some(caller) {
            continue;
        }
        let (Some(entries), Some(at)) = (
            with(c),
            graph.node(c).and_then(|n| n.origin).map(Origin::input),
        ) else {
            continue;
        };
        for kv in entries {
            if let Some(r) = tainted_text(&kv.value.value) {
                let via = match caller {
                    Kind::Job => Via::WorkflowInput { caller: c },
                    _ => Via::ActionInput,
                };
                out.set_first(
                    format!("inputs.{}", kv.key.value.to_ascii_lowercase()),
                    Derived {
                        name: r,
                        taint: Taint::Context(ContextMatch::Exact),
                        via,
                        at: Origin::new(at, kv.value.span),
                    },
                );
            }
        }
    }
    out
}

/// The input name of `inputs.X` or `github.event.inputs.X`.
fn dispatch_input_name(reference: &str) -> String {
    reference
        .strip_prefix("github.event.inputs.")
        .or_else(|| reference.strip_prefix("inputs."))
        .unwrap_or(reference)
        .to_owned()
}

/// Whether a `workflow_dispatch` input can hold arbitrary text: `boolean`, `choice`,
/// `number` and `environment` inputs are validated by GitHub before the run starts. The
/// declaration is read from the model, so its YAML style does not matter; an input the
/// workflow does not declare is free text.
fn free_text_input(wf: &Workflow, name: &str) -> bool {
    wf.on
        .as_ref()
        .and_then(|on| on.event("workflow_dispatch"))
        .and_then(|t| t.input(name))
        .is_none_or(|i| !i.is_constrained())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boolean_expressions() {
        assert!(is_boolean_expression("github.event.issue.title == 'x'"));
        assert!(is_boolean_expression(
            "contains(github.event.issue.body, 'y')"
        ));
        assert!(is_boolean_expression("!github.event.issue.locked"));
        assert!(!is_boolean_expression("github.event.issue.title"));
        // Either side of `&&`/`||` may be the text itself.
        assert!(!is_boolean_expression(
            "github.event.issue.title == 'x' || github.event.issue.body"
        ));
    }

    #[test]
    fn dispatch_input_names() {
        assert_eq!(dispatch_input_name("inputs.note"), "note");
        assert_eq!(dispatch_input_name("github.event.inputs.note"), "note");
    }
}

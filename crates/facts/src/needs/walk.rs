//! The walk over one job for the needs pass: its steps, the local composite actions and
//! local reusable workflows they use (found through the graph's `uses` edges), and what
//! the knowledge base says remote actions and github-script API calls need.

use std::borrow::Cow;
use std::cell::{Cell, OnceCell};
use std::collections::BTreeMap;

use tollgate_gha::{
    Action, Env, Job, KeyValue, Permissions, Spanned, Step, Uses, UsesRef, Workflow,
};
use tollgate_graph::{Graph, InputId, NodeId, NodeKind, Origin, Target};
use tollgate_kb::github::OCTOKIT_NAMESPACES as OCTOKIT;
use tollgate_kb::permissions::{ActionEntry, When};
use tollgate_model::Span;
use tollgate_scan::{FileModel, Input, Scan};

use super::script::{Held, Resolve, script_into};
use super::{Acc, Found, Needs, find_action};
use crate::identity::{is_other_identity, is_workflow_token};

/// Local actions and workflows nest; a cycle (an action using itself) must end.
const MAX_DEPTH: usize = 8;
/// How many local actions and workflows one job's needs follow in all. Each use is
/// followed again (its needs depend on the inputs it is given), so actions that use the
/// next one ten times would otherwise be followed 10^8 times within the depth bound.
const MAX_EXPANSIONS: usize = 1000;

/// What the evidence found in one job is attached to: the node of each step, or of the
/// job itself when it calls a workflow.
pub(super) type Evidence = Vec<(NodeId, Found)>;

/// The needs of the job at `job`, with the evidence by step (`None` when the node is not
/// a job of a workflow in the scan).
pub(super) fn job(scan: &Scan, graph: &Graph, job: NodeId) -> Option<(Needs, Evidence)> {
    let node = graph.node(job)?;
    let NodeKind::Job { index, .. } = node.kind else {
        return None;
    };
    let input = node.origin?.input();
    let (wf, model) = graph.job_model(scan, job)?;
    let walk = Walk {
        scan,
        graph,
        expansions: Cell::new(0),
    };
    let mut acc = Acc::default();
    let mut evidence = Vec::new();
    let at = JobAt {
        input,
        index,
        node: Some(job),
    };
    walk.job_into(at, wf, model, &mut acc, 0, Some(&mut evidence));
    Some((acc.needs, evidence))
}

/// The scan and graph of one job's walk, and its count of local actions and workflows
/// followed.
struct Walk<'a> {
    scan: &'a Scan,
    graph: &'a Graph,
    /// Local actions and workflows followed so far, against [`MAX_EXPANSIONS`].
    expansions: Cell<usize>,
}

/// Where a job is: its workflow's input, its position there and its node.
#[derive(Clone, Copy)]
struct JobAt {
    input: InputId,
    index: usize,
    node: Option<NodeId>,
}

impl<'a> Walk<'a> {
    /// Count one more local action or workflow followed; false once the job has
    /// followed [`MAX_EXPANSIONS`] (the rest count as unknown).
    fn expand(&self) -> bool {
        let n = self.expansions.get();
        self.expansions.set(n.saturating_add(1));
        n < MAX_EXPANSIONS
    }

    /// Walk a job. At the top (`evidence` given) what each step needs is handed to the
    /// step's node as it is found; below, it stays in `acc` for the top to hand on.
    fn job_into(
        &self,
        at: JobAt,
        wf: &'a Workflow,
        job: &'a Job,
        acc: &mut Acc,
        depth: usize,
        mut evidence: Option<&mut Evidence>,
    ) {
        if let Some(u) = &job.uses {
            self.call_into(at, u, acc, depth);
            if let (Some(out), Some(node)) = (evidence, at.node) {
                out.extend(acc.found.drain(..).map(|f| (node, f)));
            }
            return;
        }
        let Some(input) = self.graph.input(self.scan, at.input) else {
            return;
        };
        let cx = StepsCx {
            input_id: at.input,
            input,
            job: Some(at.index),
            outer_env: vec![&job.env, &wf.env],
            checkout_other_identity: false,
            inputs: BTreeMap::new(),
            outer_token: OnceCell::new(),
        };
        let cx = StepsCx {
            checkout_other_identity: job.steps.iter().any(|s| checkout_with_other_token(&cx, s)),
            ..cx
        };
        for step in &job.steps {
            self.step_into(&cx, step, acc, depth);
            if let Some(out) = evidence.as_deref_mut() {
                let node = self
                    .graph
                    .step_node(at.input, Some(at.index), step.index)
                    .or(at.node);
                if let Some(node) = node {
                    out.extend(acc.found.drain(..).map(|f| (node, f)));
                }
            }
        }
    }

    /// A reusable-workflow call: the needs of the called workflow's jobs when it is local
    /// and in the scan, what the base says for a known remote one, unknown otherwise.
    fn call_into(&self, at: JobAt, uses: &Spanned<Uses>, acc: &mut Acc, depth: usize) {
        match &uses.value {
            Uses::Local { path } | Uses::SelfRepo { path } => {
                let found = at.node.and_then(|n| self.called_workflow(n));
                let Some((input, wf)) = found.filter(|_| depth < MAX_DEPTH && self.expand()) else {
                    acc.unknown(format!("./{path}"));
                    return;
                };
                for (index, job) in wf.jobs.iter().enumerate() {
                    // A called job that declares permissions (itself or through its
                    // workflow) fails unless the caller grants them, so what it declares
                    // is needed as much as what it runs.
                    if let Some(b) = job.permissions.as_ref().or(wf.permissions.as_ref()) {
                        match &b.permissions {
                            Permissions::Scopes(s) => {
                                for p in s {
                                    acc.add_level(
                                        &p.scope.value,
                                        p.level.value,
                                        &format!("declared by called job `{}`", job.id.value),
                                        Origin::new(input, p.scope.span.cover(p.level.span)),
                                    );
                                }
                            }
                            Permissions::WriteAll | Permissions::ReadAll => {
                                acc.unknown(format!(
                                    "./{path} (job `{}` asks for every scope)",
                                    job.id.value
                                ));
                            }
                            Permissions::Empty => {}
                        }
                    }
                    let called = JobAt {
                        input,
                        index,
                        node: self.job_node(input, job),
                    };
                    self.job_into(called, wf, job, acc, depth + 1, None);
                }
            }
            Uses::Remote(r) => match find_action(r) {
                Some(e) if e.unknown.is_none() => {
                    acc.add(
                        &e.permissions,
                        &r.action(),
                        false,
                        Origin::new(at.input, uses.span),
                    );
                }
                _ => acc.unknown(r.action()),
            },
            _ => acc.unknown("reusable workflow".to_owned()),
        }
    }

    /// The local workflow a job calls, through its `uses` edge.
    fn called_workflow(&self, job: NodeId) -> Option<(InputId, &'a Workflow)> {
        let target = self.graph.node(self.graph.uses_target(job)?)?;
        if !matches!(target.kind, NodeKind::Workflow { .. }) {
            return None;
        }
        let id = target.origin?.input();
        match &*self.graph.input(self.scan, id)?.parsed {
            FileModel::Workflow(w) => Some((id, w)),
            _ => None,
        }
    }

    /// The node of `job` of the workflow in `input`, from the graph's index (a search of
    /// the workflow's jobs, per called job, was quadratic in a called workflow's size).
    fn job_node(&self, input: InputId, job: &Job) -> Option<NodeId> {
        self.graph.job_node(self.graph.path(input), &job.id.value)
    }

    /// The local action a step uses, through its `uses` edge, when it was found.
    fn local_action(
        &self,
        cx: &StepsCx<'_>,
        step: &Step,
    ) -> Option<(InputId, &'a Input, &'a Action)> {
        let node = self.graph.step_node(cx.input_id, cx.job, step.index)?;
        let target = self.graph.node(self.graph.uses_target(node)?)?;
        if !matches!(
            &target.kind,
            NodeKind::Action {
                target: Target::Local { file: Some(_), .. },
                ..
            }
        ) {
            return None;
        }
        let id = target.origin?.input();
        let input = self.graph.input(self.scan, id)?;
        match &*input.parsed {
            FileModel::Action(a) => Some((id, input, a)),
            _ => None,
        }
    }

    fn step_into(&self, cx: &StepsCx<'_>, step: &Step, acc: &mut Acc, depth: usize) {
        if let Some(u) = &step.uses {
            let at = Origin::new(cx.input_id, u.span);
            match &u.value {
                Uses::Remote(r) => match find_action(r) {
                    Some(e) => action_into(cx, e, r, step, acc, at),
                    None => acc.unknown(r.action()),
                },
                Uses::Local { path } | Uses::SelfRepo { path } => {
                    self.local_into(cx, path, step, acc, depth);
                }
                Uses::Docker { image } => {
                    if passes_workflow_token(cx, step) {
                        acc.unknown(format!("docker://{image}"));
                    }
                }
                Uses::Invalid { .. } => {}
            }
        }
        if let Some(run) = &step.run {
            let Some(analysis) = cx
                .input
                .script(cx.job, step.index)
                .and_then(|s| s.analysis.as_deref())
            else {
                return;
            };
            let mut envs = vec![&step.env];
            envs.extend(cx.outer_env.iter().copied());
            let resolve: &Resolve<'_> = &|v| cx.resolve(v);
            let holds_token = |e: &Env| {
                e.vars
                    .iter()
                    .any(|v| is_workflow_token(&cx.resolve(&v.value.value)))
            };
            // The outer blocks are the same for every step of the job: judged once.
            let outer_token = *cx
                .outer_token
                .get_or_init(|| cx.outer_env.iter().any(|e| holds_token(e)));
            let place = |s: Span| Origin::new(cx.input_id, run.file_span(s));
            script_into(
                resolve,
                &place,
                Held {
                    checkout_other: cx.checkout_other_identity,
                    env_token: outer_token || holds_token(&step.env),
                },
                &run.script,
                analysis,
                &envs,
                acc,
            );
        }
    }

    fn local_into(&self, cx: &StepsCx<'_>, path: &str, step: &Step, acc: &mut Acc, depth: usize) {
        let found = self.local_action(cx, step);
        let Some((input_id, input, action)) = found.filter(|_| depth < MAX_DEPTH && self.expand())
        else {
            acc.unknown(format!("./{path}"));
            return;
        };
        let steps = action.steps();
        if steps.is_empty() {
            // A local JavaScript or Docker action gets a token only if one is passed to
            // it or its inputs default to one.
            let defaults_token = action.inputs.iter().any(|i| {
                i.default
                    .as_ref()
                    .is_some_and(|d| is_workflow_token(&d.value))
            });
            if defaults_token || passes_workflow_token(cx, step) {
                acc.unknown(format!("./{path}"));
            }
            return;
        }
        let inputs = action
            .inputs
            .iter()
            .filter_map(|i| {
                let given = step
                    .with_value(&i.id.value)
                    .map(|v| cx.resolve(&v.value.value).into_owned())
                    .or_else(|| i.default.as_ref().map(|d| d.value.clone()))?;
                Some((i.id.value.to_ascii_lowercase(), given))
            })
            .collect();
        let inner = StepsCx {
            input_id,
            input,
            job: None,
            outer_env: cx.outer_env.clone(),
            checkout_other_identity: cx.checkout_other_identity,
            inputs,
            outer_token: OnceCell::new(),
        };
        let inner = StepsCx {
            checkout_other_identity: inner.checkout_other_identity
                || steps.iter().any(|s| checkout_with_other_token(&inner, s)),
            ..inner
        };
        for s in steps {
            self.step_into(&inner, s, acc, depth + 1);
        }
    }
}

struct StepsCx<'a> {
    /// The file holding the steps (the workflow, or a composite action).
    input_id: InputId,
    input: &'a Input,
    job: Option<usize>,
    /// Env blocks around the steps, innermost first.
    outer_env: Vec<&'a Env>,
    /// A checkout in the job authenticates with another credential, which later
    /// `git push` commands then use.
    checkout_other_identity: bool,
    /// Inside a composite action: its inputs (lowercase) as the calling step sets them,
    /// else their defaults, so `${{ inputs.token }}` is judged by what it carries.
    inputs: BTreeMap<String, String>,
    /// Whether an `outer_env` block hands the steps the workflow token (computed on
    /// first use).
    outer_token: OnceCell<bool>,
}

impl StepsCx<'_> {
    /// A value with `${{ inputs.x }}` replaced by what the caller passes.
    fn resolve<'v>(&self, value: &'v str) -> Cow<'v, str> {
        if self.inputs.is_empty() || !value.contains("inputs.") {
            return Cow::Borrowed(value);
        }
        let mut out = value.to_owned();
        for e in tollgate_gha::expressions(value) {
            let key = e.inner.to_ascii_lowercase();
            if let Some(v) = key.strip_prefix("inputs.").and_then(|k| self.inputs.get(k)) {
                out = out.replace(&value[e.start..e.end], v);
            }
        }
        Cow::Owned(out)
    }
}

fn checkout_with_other_token(cx: &StepsCx<'_>, step: &Step) -> bool {
    let is_checkout = matches!(&step.uses, Some(u) if matches!(&u.value, Uses::Remote(r) if r.action().eq_ignore_ascii_case("actions/checkout")));
    // Only the checkout of the workspace root decides what a plain `git push` uses; a
    // second repository checked out into a sub-directory has its own credentials.
    let at_root = step
        .with_value("path")
        .is_none_or(|p| matches!(p.value.value.trim(), "" | "." | "./"));
    is_checkout
        && at_root
        && step
            .with_value("token")
            .or_else(|| step.with_value("ssh-key"))
            .is_some_and(|v| is_other_identity(&cx.resolve(&v.value.value)))
}

fn passes_workflow_token(cx: &StepsCx<'_>, step: &Step) -> bool {
    step.with
        .iter()
        .chain(&step.env.vars)
        .any(|kv| is_workflow_token(&cx.resolve(&kv.value.value)))
}

fn when_holds(w: &When, step: &Step) -> bool {
    if w.unless_input.as_ref().is_some_and(|u| {
        step.with_value(u)
            .is_some_and(|v| !v.value.value.trim().is_empty())
    }) {
        return false;
    }
    let value = step
        .with_value(&w.input)
        .map(|v| v.value.value.trim())
        .filter(|v| !v.is_empty());
    // A value decided at run time may take any value: count the need, so a scope is never
    // called unneeded because of a guess.
    if value.is_some_and(|v| v.contains("${{")) {
        return true;
    }
    if w.present {
        return value.is_some();
    }
    if w.absent {
        return value.is_none();
    }
    if let Some(e) = &w.equals {
        return value.is_some_and(|v| v.eq_ignore_ascii_case(e));
    }
    if let Some(e) = &w.not_equals {
        return value.is_none_or(|v| !v.eq_ignore_ascii_case(e));
    }
    if let Some(c) = &w.contains {
        return value.is_some_and(|v| v.to_ascii_lowercase().contains(&c.to_ascii_lowercase()));
    }
    false
}

fn action_into(
    cx: &StepsCx<'_>,
    e: &ActionEntry,
    r: &UsesRef,
    step: &Step,
    acc: &mut Acc,
    at: Origin,
) {
    let name = r.action();
    if e.unknown.is_some() {
        acc.unknown(name);
        return;
    }
    // The action authenticates as someone else when its token input carries another
    // credential (or has no default and is not given); actions without a token input
    // read `GITHUB_TOKEN` from the environment.
    let other = match &e.token_input {
        Some(ti) => step.with_value(ti).map_or(!e.token_default, |v| {
            is_other_identity(&cx.resolve(&v.value.value))
        }),
        None => tollgate_kb::github::GH_TOKEN_VARS.iter().any(|n| {
            step.env
                .get(n)
                .is_some_and(|v| is_other_identity(&cx.resolve(&v.value.value)))
        }),
    };
    acc.add(&e.permissions, &name, other, at);
    for w in &e.when {
        if when_holds(w, step) {
            acc.add(
                &w.permissions,
                &format!("{name} with `{}`", w.input),
                other,
                at,
            );
        }
    }
    if name.eq_ignore_ascii_case("actions/github-script")
        && !other
        && let Some(script) = step.with_value("script")
    {
        // A script that hands `github` to code loaded from a file makes calls we do not see.
        let text = &script.value.value;
        if text.contains("require(") || text.contains("import(") {
            acc.unknown("actions/github-script (loads a script file)".to_owned());
        }
        github_script_into(text, &|s| script_origin(cx.input_id, script, s), acc);
    }
}

/// Where a span of a `with:` value is in its file.
fn script_origin(input: InputId, kv: &KeyValue, span: Span) -> Origin {
    Origin::new(input, kv.file_span(span))
}

/// API calls in a github-script script, matched against the `[[github-script]]` table;
/// `place` locates a span of the script in its file.
fn github_script_into(script: &str, place: &dyn Fn(Span) -> Origin, acc: &mut Acc) {
    let b = script.as_bytes();
    let mut from = 0;
    while let Some(rel) = script[from..].find("github.") {
        let at = from + rel;
        from = at + 7;
        if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_' || b[at - 1] == b'.') {
            continue;
        }
        let chain: String = script[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
            .collect();
        let parts: Vec<&str> = chain.split('.').collect();
        let second = parts.get(1).copied().unwrap_or("");
        let call = match second {
            "rest" => chain.clone(),
            "graphql" | "request" => chain.clone(),
            "paginate" => continue,
            s if OCTOKIT.contains(&s.to_ascii_lowercase().as_str()) => {
                format!("github.rest.{}", parts[1..].join("."))
            }
            // `github.event…` inside `${{ }}`, `github.context`: not API calls.
            _ => continue,
        };
        let found = super::script_entry(&call);
        match found {
            Some(e) if e.unknown.is_none() => {
                let why = format!("`{call}`");
                let origin = place(Span::new(at, at + chain.len()));
                match &e.alternative {
                    Some(alt) => acc.add_either(&e.permissions, alt, &why, origin),
                    None => acc.add(&e.permissions, &why, false, origin),
                }
            }
            _ => acc.unknown(call),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_gha::PermissionLevel;
    use tollgate_graph::InputId;

    fn run(script: &str) -> Needs {
        let mut acc = Acc::default();
        github_script_into(script, &|s| Origin::new(InputId(0), s), &mut acc);
        acc.needs
    }

    #[test]
    fn github_script_calls() {
        let n = run(
            "await github.rest.issues.createComment({}); const r = await github.rest.pulls.get({}); core.info(`${{ github.event.issue.title }}`)",
        );
        let n = n.resolve(&|_| PermissionLevel::None);
        assert_eq!(n.level("issues"), PermissionLevel::Write);
        assert_eq!(n.level("pull-requests"), PermissionLevel::Read);
        assert!(n.is_known());
        let n = run("github.issues.addLabels({})");
        // On a pull request number, `pull-requests: write` serves instead.
        let held = |s: &str| {
            if s == "pull-requests" {
                PermissionLevel::Write
            } else {
                PermissionLevel::None
            }
        };
        assert_eq!(
            n.resolve(&held).level("pull-requests"),
            PermissionLevel::Write
        );
        assert_eq!(n.resolve(&held).level("issues"), PermissionLevel::None);
        assert_eq!(
            n.resolve(&|_| PermissionLevel::None).level("issues"),
            PermissionLevel::Write
        );
        assert!(!run("await github.graphql(q)").is_known());
    }

    /// Each call found is located at its text in the script.
    #[test]
    fn github_script_calls_are_located() {
        let mut acc = Acc::default();
        let script = "x; await github.rest.issues.createComment({})";
        github_script_into(script, &|s| Origin::new(InputId(3), s), &mut acc);
        let spans: Vec<(String, Span)> = acc
            .found
            .iter()
            .map(|f| (f.scope.clone(), f.at.span()))
            .collect();
        assert_eq!(
            spans,
            [(
                "issues".to_owned(),
                Span::new(9, 9 + "github.rest.issues.createComment".len())
            )]
        );
    }
}

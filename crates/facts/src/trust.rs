//! The trust pass: which steps of a privileged run check out or fetch code an outsider
//! wrote, as `checks-out` edges from the step to a `code` node.
//!
//! Who can fire a trigger and whether its run is privileged are written on the trigger
//! nodes when the graph is built (`rules/data/trigger-trust.toml`). This pass reads them:
//! in a workflow that anyone can fire with the base repository's token and secrets
//! (`pull_request_target`, `workflow_run`, `issue_comment`, …), a step that checks out
//! the pull request's head (`actions/checkout` with a `ref:` or `repository:` naming it)
//! or fetches it in a script (`git fetch origin pull/N/head`, `gh pr checkout`) gets an
//! edge to the node for that code, located at the value or the command. What each step
//! does, in words, is the pass's record, [`Checkouts`].

use std::collections::BTreeMap;

use tollgate_gha::{
    ContextMatch, Env, Step, Uses, context_references, env_value, expressions, match_context,
};
use tollgate_graph::{EdgeKind, Graph, InputId, NodeId, Origin};
use tollgate_model::{Diagnostic, Span};
use tollgate_scan::{FileModel, Scan};
use tollgate_shell::{Command, Word};

/// The trust pass (see the module documentation).
pub struct Pass;

/// The code node every head checkout points at: the pull request's head (its branch,
/// commit or merge ref), which whoever opened the pull request wrote.
pub const PULL_REQUEST_HEAD: &str = "pull request head";

/// What the pass found: for each `checks-out` edge (by its origin), what the step does
/// in words (``checks out the untrusted head (`ref: ${{ … }}`)``), for messages.
#[derive(Debug, Default)]
pub struct Checkouts {
    what: BTreeMap<Origin, String>,
}

impl Checkouts {
    /// What the step does at `at`, the origin of a `checks-out` edge.
    #[must_use]
    pub fn describe(&self, at: Origin) -> Option<&str> {
        self.what.get(&at).map(String::as_str)
    }

    /// Every checkout, in input and span order.
    pub fn iter(&self) -> impl Iterator<Item = (Origin, &str)> {
        self.what.iter().map(|(o, w)| (*o, w.as_str()))
    }
}

/// The checkouts the trust pass recorded in `graph` (empty for a graph built without it).
#[must_use]
pub fn of(graph: &Graph) -> &Checkouts {
    static EMPTY: Checkouts = Checkouts {
        what: BTreeMap::new(),
    };
    graph.record::<Checkouts>().unwrap_or(&EMPTY)
}

impl tollgate_graph::Pass for Pass {
    fn name(&self) -> &'static str {
        "trust"
    }

    fn run(&self, scan: &Scan, graph: &mut Graph) -> Vec<Diagnostic> {
        let mut record = Checkouts::default();
        let mut code: Option<NodeId> = None;
        for (i, input) in scan.inputs.iter().enumerate() {
            let FileModel::Workflow(wf) = input.parsed.as_ref() else {
                continue;
            };
            let id = InputId(i);
            let privileged = graph
                .file_node(id)
                .and_then(|w| graph.untrusted_privileged_trigger(w));
            if privileged.is_none() {
                continue;
            }
            for (j, job) in wf.jobs.iter().enumerate() {
                for step in &job.steps {
                    let mut hits: Vec<(Span, String)> = Vec::new();
                    checkout_hit(step, &mut hits);
                    let envs = [&step.env, &job.env, &wf.env];
                    if let (Some(run), Some(analysis)) = (
                        &step.run,
                        input
                            .script(Some(j), step.index)
                            .and_then(|s| s.analysis.as_deref()),
                    ) {
                        for cmd in &analysis.commands {
                            if let Some(what) = fetches_head(cmd, &run.script, &envs) {
                                hits.push((run.file_span(cmd.span), what));
                            }
                        }
                    }
                    let Some(node) = graph.step_node(id, Some(j), step.index) else {
                        continue;
                    };
                    for (span, what) in hits {
                        let at = Origin::new(id, span);
                        let target = *code
                            .get_or_insert_with(|| graph.code_node(PULL_REQUEST_HEAD, Some(at)));
                        graph.add_edge(node, target, EdgeKind::ChecksOut, Some(at));
                        record.what.insert(at, what);
                    }
                }
            }
        }
        graph.set_record(record);
        Vec::new()
    }
}

/// Whether an expression text names the untrusted head (its branch, SHA, number or
/// repository); returns the reference.
fn head_reference(text: &str) -> Option<String> {
    let c = tollgate_kb::contexts();
    for e in expressions(text) {
        for (r, _, _) in context_references(&e.inner) {
            let head = c
                .context
                .iter()
                .filter(|x| x.head)
                .chain(&c.head)
                .any(|x| match_context(&x.pattern, &r) == Some(ContextMatch::Exact));
            if head {
                return Some(r);
            }
        }
    }
    None
}

/// `actions/checkout` whose `ref:` or `repository:` names the head (at the value).
fn checkout_hit(step: &Step, hits: &mut Vec<(Span, String)>) {
    let Some(u) = &step.uses else { return };
    let Uses::Remote(r) = &u.value else { return };
    if !r.action().eq_ignore_ascii_case("actions/checkout") {
        return;
    }
    for key in ["ref", "repository"] {
        let Some(kv) = step.with_value(key) else {
            continue;
        };
        let v = &kv.value.value;
        let what = if let Some(r) = head_reference(v) {
            Some(format!(
                "checks out the untrusted head (`{key}: ${{{{ {r} }}}}`)"
            ))
        } else if key == "ref" && v.contains("refs/pull/") {
            Some(format!("checks out the pull request ref `{v}`"))
        } else {
            None
        };
        if let Some(what) = what {
            hits.push((kv.value.span, what));
            return;
        }
    }
}

/// Whether a word names the head: an expression naming it, a parameter it expands whose
/// `env:` value names it (the shell model lists the parameters), or a
/// `pull/N/head|merge` ref.
fn word_is_head(word: &Word, script: &str, envs: &[&Env]) -> bool {
    let text = word.display(script);
    if head_reference(&text).is_some() {
        return true;
    }
    if text.contains("pull/") && (text.contains("/head") || text.contains("/merge")) {
        return true;
    }
    word.variables
        .iter()
        .any(|name| env_value(envs, name).is_some_and(|v| head_reference(v).is_some()))
}

/// `gh pr checkout`, or a git command (past git's global options) that fetches or checks
/// out the head.
fn fetches_head(cmd: &Command, script: &str, envs: &[&Env]) -> Option<String> {
    let args = cmd.args();
    match cmd.name()? {
        "gh" => {
            let mut positional = args
                .iter()
                .filter_map(Word::as_str)
                .filter(|a| !a.starts_with('-'));
            (positional.next() == Some("pr") && positional.next() == Some("checkout"))
                .then(|| "runs `gh pr checkout`, fetching the untrusted head".to_owned())
        }
        "git" => {
            let k = cmd.git_subcommand()?;
            let sub = args.get(k).and_then(Word::as_str)?;
            (matches!(
                sub,
                "fetch" | "checkout" | "switch" | "pull" | "reset" | "clone" | "worktree"
            ) && args[k + 1..].iter().any(|w| word_is_head(w, script, envs)))
            .then(|| format!("runs `git {sub}` on the untrusted head"))
        }
        _ => None,
    }
}

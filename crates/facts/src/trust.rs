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
//!
//! The record also keeps, for each checkout, the [`Guard`] that limits who can make it
//! run: an `if:` on the job, on the step, or on a job it `needs:` (a skipped job skips
//! the jobs that need it) requiring a pull request from the same repository, an author
//! who is a member, or a label only maintainers can set.

use std::collections::{BTreeMap, HashMap};

use tollgate_gha::cond::{Operand, Test, calls_status_function, required_tests};
use tollgate_gha::{
    ContextMatch, Env, Job, Spanned, Step, Uses, Workflow, context_references, env_value,
    expressions, match_context,
};
use tollgate_graph::{EdgeKind, Graph, InputId, NodeId, NodeKind, Origin};
use tollgate_model::{Diagnostic, Span};
use tollgate_scan::{FileModel, Scan};
use tollgate_shell::{Command, Word};

mod indirect;
mod sparse;

pub use indirect::{Artifacts, step_path};
use indirect::{HeadOutputs, head_outputs, looked_up_head};

/// The trust pass (see the module documentation).
pub struct Pass;

/// The code node every head checkout points at: the pull request's head (its branch,
/// commit or merge ref), which whoever opened the pull request wrote.
pub const PULL_REQUEST_HEAD: &str = "pull request head";

/// What the pass found: for each `checks-out` edge (by its origin), what the step does
/// in words (``checks out the untrusted head (`ref: ${{ … }}`)``), for messages.
#[derive(Debug, Default)]
pub struct Checkouts {
    checkouts: BTreeMap<Origin, Checkout>,
}

/// One checkout of untrusted code in a privileged run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkout {
    /// What the step does, in words.
    pub what: String,
    /// The most dangerous event anyone can fire on which the step runs.
    pub event: String,
    /// The condition that limits who can make it run, if any.
    pub guard: Option<Guard>,
    /// What is checked out can change after the run was let through: a branch, a pull
    /// request ref, the head repository's default branch (not a commit SHA).
    pub mutable: bool,
}

/// Who an `if:` condition lets run a job or step of a privileged run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuardKind {
    /// Only pull requests from branches of the base repository (not from forks).
    SameRepository,
    /// Only an author (or commenter) who is an owner, member or collaborator, or a
    /// named user.
    Members,
    /// Only after someone who can label the pull request set a label (which stays when
    /// the author pushes again).
    Label,
}

impl GuardKind {
    /// How much the guard keeps outsiders out, weakest first: a label stays when the
    /// author pushes again; membership is checked when the run starts; a pull request
    /// from a fork never gets past a same-repository test.
    fn strength(self) -> u8 {
        match self {
            Self::Label => 0,
            Self::Members => 1,
            Self::SameRepository => 2,
        }
    }

    /// What the guard limits the run to, in words.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Self::SameRepository => "pull requests from branches of the same repository",
            Self::Members => "owners, members, collaborators or named users",
            Self::Label => "pull requests a maintainer has labelled",
        }
    }
}

/// The condition that guards a checkout, and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guard {
    pub kind: GuardKind,
    /// The `if:` value.
    pub at: Origin,
}

impl Checkouts {
    /// What the step does at `at`, the origin of a `checks-out` edge.
    #[must_use]
    pub fn describe(&self, at: Origin) -> Option<&str> {
        self.checkouts.get(&at).map(|c| c.what.as_str())
    }

    /// The checkout at `at`, the origin of a `checks-out` edge.
    #[must_use]
    pub fn get(&self, at: Origin) -> Option<&Checkout> {
        self.checkouts.get(&at)
    }

    /// Every checkout, in input and span order.
    pub fn iter(&self) -> impl Iterator<Item = (Origin, &str)> {
        self.checkouts.iter().map(|(o, c)| (*o, c.what.as_str()))
    }
}

/// The checkouts the trust pass recorded in `graph` (empty for a graph built without it).
#[must_use]
pub fn of(graph: &Graph) -> &Checkouts {
    static EMPTY: Checkouts = Checkouts {
        checkouts: BTreeMap::new(),
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
            // The events anyone can fire that run with the base repository's token and
            // secrets, the most dangerous first.
            let kb = tollgate_kb::triggers();
            let mut events: Vec<String> = graph
                .file_node(id)
                .map(|w| graph.triggers_of(w))
                .unwrap_or_default()
                .into_iter()
                .filter(|&t| graph.is_untrusted_privileged(t))
                .filter_map(|t| match &graph.node(t)?.kind {
                    NodeKind::Trigger { event, .. } => Some(event.clone()),
                    _ => None,
                })
                .collect();
            if events.is_empty() {
                continue;
            }
            events.sort_by_key(|e| kb.rank(e));
            let mut conditions = Conditions::new(wf);
            for (j, job) in wf.jobs.iter().enumerate() {
                // Outputs of earlier steps that hold the head looked up through the API.
                let mut looked_up: HeadOutputs = HashMap::new();
                // Where an earlier step unpacked the triggering run's artifacts.
                let mut artifacts: Option<Artifacts> = None;
                for step in &job.steps {
                    // (where, what the step does, whether what it checks out can change
                    // after the run is approved: a branch or a pull request ref).
                    let mut hits: Vec<(Span, String, bool)> = Vec::new();
                    // A sparse checkout that the rest of the job only reads is data.
                    if !sparse::read_as_data(input, j, job, step) {
                        checkout_hit(step, &looked_up, &mut hits);
                    }
                    let analysis = input
                        .script(Some(j), step.index)
                        .and_then(|s| s.analysis.as_deref());
                    head_outputs(step, analysis, &mut looked_up);
                    let envs = [&step.env, &job.env, &wf.env];
                    if let (Some(run), Some(analysis)) = (&step.run, analysis) {
                        for cmd in &analysis.commands {
                            if let Some(what) = fetches_head(cmd, &run.script, &envs, &looked_up) {
                                hits.push((run.file_span(cmd.span), what, true));
                            } else if let Some(what) = artifacts.as_ref().and_then(|a| a.runs(cmd))
                            {
                                hits.push((run.file_span(cmd.span), what, true));
                            }
                        }
                    }
                    if events.iter().any(|e| e == "workflow_run")
                        && let Some(a) = Artifacts::downloaded_by(step)
                    {
                        artifacts = Some(a);
                    }
                    if hits.is_empty() {
                        continue;
                    }
                    // The most dangerous event on which the job and the step run at
                    // all: `if: github.event_name == 'push'` keeps them out of the
                    // privileged run.
                    let step_tests = step
                        .if_
                        .as_ref()
                        .map(|c| required_tests(&c.value))
                        .unwrap_or_default();
                    let Some((e, event)) = events.iter().enumerate().find(|(e, event)| {
                        conditions.runs_on(j, *e, event, 0) && !excluded(&step_tests, event)
                    }) else {
                        continue;
                    };
                    let Some(node) = graph.step_node(id, Some(j), step.index) else {
                        continue;
                    };
                    let guard = conditions
                        .guard(j, e, event, 0)
                        .or_else(|| step.if_.as_ref().and_then(|c| guard_of(c, event)))
                        .map(|(kind, cond)| Guard {
                            kind,
                            at: Origin::new(id, cond),
                        });
                    for (span, what, mutable) in hits {
                        let at = Origin::new(id, span);
                        let target = *code
                            .get_or_insert_with(|| graph.code_node(PULL_REQUEST_HEAD, Some(at)));
                        graph.add_edge(node, target, EdgeKind::ChecksOut, Some(at));
                        record.checkouts.insert(
                            at,
                            Checkout {
                                what,
                                event: event.clone(),
                                guard: guard.clone(),
                                mutable,
                            },
                        );
                    }
                }
            }
        }
        graph.set_record(record);
        Vec::new()
    }
}

/// Whether job `j` of `wf`, and `step` in it when given, can run at all on a run fired by
/// `event`: no `if:` on the step, the job or a job it needs excludes the event
/// (`if: github.event_name == 'push'` keeps a job out of an `issue_comment` run).
#[must_use]
pub fn runs_on(wf: &Workflow, j: usize, step: Option<&Step>, event: &str) -> bool {
    if j >= wf.jobs.len() {
        return true;
    }
    let step_excludes = step
        .and_then(|s| s.if_.as_ref())
        .is_some_and(|c| excluded(&required_tests(&c.value), event));
    !step_excludes && Conditions::new(wf).runs_on(j, 0, event, 0)
}

/// The guard that limits who can make job `j` of `wf` run on a run fired by `event`: its
/// own `if:`, else that of a job it needs (see [`GuardKind`]), if any.
#[must_use]
pub fn job_guard(wf: &Workflow, j: usize, event: &str) -> Option<GuardKind> {
    if j >= wf.jobs.len() {
        return None;
    }
    Conditions::new(wf).guard(j, 0, event, 0).map(|(k, _)| k)
}

/// Whether a run fired by `event` passes `tests` (one alternative of a condition) with
/// nothing keeping outsiders out: the tests do not exclude the event and set no guard.
#[must_use]
pub fn open_to_outsiders(tests: &[Test], event: &str) -> bool {
    !excluded(tests, event) && guard_in(tests, event).is_none()
}

/// The jobs `needs:` may chain through before the guard search gives up (a cycle, or a
/// deep chain GitHub would reject).
const MAX_NEEDS_DEPTH: usize = 16;

/// The guard an `if:` condition sets on a run fired by `event`, with the condition's
/// span.
fn guard_of(cond: &Spanned<String>, event: &str) -> Option<(GuardKind, Span)> {
    guard_in(&required_tests(&cond.value), event).map(|k| (k, cond.span))
}

/// The guard of the first test of `tests` that sets one.
fn guard_in(tests: &[Test], event: &str) -> Option<GuardKind> {
    tests.iter().find_map(|t| test_guard(t, event))
}

/// Whether the tests a condition requires exclude a run fired by `event`
/// (`github.event_name == 'pull_request'` on a `pull_request_target` run; every
/// alternative of a `||` excluded).
fn excluded(tests: &[Test], event: &str) -> bool {
    tests.iter().any(|t| match t {
        Test::Compare { a, b, equal } => [(a, b), (b, a)].iter().any(|(x, y)| {
            x.context() == Some("github.event_name")
                && matches!(y, Operand::Literal(l) if l.eq_ignore_ascii_case(event) != *equal)
        }),
        Test::Any(alts) => alts.iter().all(|a| excluded(a, event)),
        _ => false,
    })
}

/// What the `if:` conditions of one workflow's jobs allow, worked out once per job and
/// event (a job's answer depends on the jobs it needs, and a hostile workflow can make
/// every job need every earlier one).
struct Conditions<'a> {
    wf: &'a Workflow,
    by_id: HashMap<&'a str, usize>,
    runs: HashMap<(usize, usize), bool>,
    guards: HashMap<(usize, usize), Option<(GuardKind, Span)>>,
}

impl<'a> Conditions<'a> {
    fn new(wf: &'a Workflow) -> Self {
        Self {
            wf,
            by_id: wf
                .jobs
                .iter()
                .enumerate()
                .map(|(i, j)| (j.id.value.as_str(), i))
                .collect(),
            runs: HashMap::new(),
            guards: HashMap::new(),
        }
    }

    /// The jobs `job` needs that the workflow defines, by position.
    fn needed(&self, job: &Job) -> Vec<usize> {
        job.needs
            .iter()
            .filter_map(|n| self.by_id.get(n.value.as_str()).copied())
            .collect()
    }

    /// Whether job `j` can run on a run fired by `event` (`e` is its position in the
    /// caller's list): its `if:` does not exclude the event, and the jobs it needs can
    /// run too (a skipped job skips the jobs that need it, unless their condition calls
    /// a status function).
    fn runs_on(&mut self, j: usize, e: usize, event: &str, depth: usize) -> bool {
        if let Some(&r) = self.runs.get(&(j, e)) {
            return r;
        }
        // Provisional, so that a cycle of `needs:` ends.
        self.runs.insert((j, e), true);
        let wf = self.wf;
        let job = &wf.jobs[j];
        let cond = job.if_.as_ref();
        let r = if cond.is_some_and(|c| excluded(&required_tests(&c.value), event)) {
            false
        } else if depth >= MAX_NEEDS_DEPTH || cond.is_some_and(|c| calls_status_function(&c.value))
        {
            true
        } else {
            self.needed(job)
                .into_iter()
                .all(|k| self.runs_on(k, e, event, depth + 1))
        };
        self.runs.insert((j, e), r);
        r
    }

    /// The guard of job `j` on a run fired by `event`: its own `if:`, else that of a job
    /// it needs, as long as the job runs only when the jobs it needs succeed.
    fn guard(
        &mut self,
        j: usize,
        e: usize,
        event: &str,
        depth: usize,
    ) -> Option<(GuardKind, Span)> {
        if let Some(g) = self.guards.get(&(j, e)) {
            return *g;
        }
        self.guards.insert((j, e), None);
        let wf = self.wf;
        let job = &wf.jobs[j];
        let g = if let Some(g) = job.if_.as_ref().and_then(|c| guard_of(c, event)) {
            Some(g)
        } else if depth >= MAX_NEEDS_DEPTH
            || job
                .if_
                .as_ref()
                .is_some_and(|c| calls_status_function(&c.value))
        {
            None
        } else {
            self.needed(job)
                .into_iter()
                .find_map(|k| self.guard(k, e, event, depth + 1))
        };
        self.guards.insert((j, e), g);
        g
    }
}

/// Associations that anyone with a GitHub account can have on a pull request or issue.
const OUTSIDERS: [&str; 5] = [
    "NONE",
    "CONTRIBUTOR",
    "FIRST_TIMER",
    "FIRST_TIME_CONTRIBUTOR",
    "MANNEQUIN",
];

fn test_guard(t: &Test, event: &str) -> Option<GuardKind> {
    let insider = |v: &str| {
        let v = v.to_ascii_uppercase();
        matches!(v.as_str(), "OWNER" | "MEMBER" | "COLLABORATOR")
    };
    let association = |o: &Operand| {
        o.context()
            .is_some_and(|c| c.ends_with(".author_association"))
    };
    let login = |o: &Operand| {
        o.context().is_some_and(|c| {
            matches!(
                c,
                "github.event.comment.user.login"
                    | "github.event.review.user.login"
                    | "github.event.sender.login"
            )
        })
    };
    let head_repo = |o: &Operand| {
        o.context().is_some_and(|c| {
            c.ends_with(".head.repo.full_name") || c.ends_with(".head_repository.full_name")
        })
    };
    let fork = |o: &Operand| {
        o.context()
            .is_some_and(|c| c.ends_with(".head.repo.fork") || c.ends_with(".head_repository.fork"))
    };
    let literal =
        |o: &Operand, v: &str| matches!(o, Operand::Literal(l) if l.eq_ignore_ascii_case(v));
    match t {
        Test::Compare { a, b, equal } => {
            let either = |f: &dyn Fn(&Operand, &Operand) -> bool| f(a, b) || f(b, a);
            if *equal && either(&|x, y| head_repo(x) && y.context() == Some("github.repository")) {
                return Some(GuardKind::SameRepository);
            }
            if either(&|x, y| fork(x) && literal(y, if *equal { "false" } else { "true" })) {
                return Some(GuardKind::SameRepository);
            }
            if *equal
                && either(&|x, y| {
                    (association(x) && matches!(y, Operand::Literal(l) if insider(l)))
                        || (login(x) && matches!(y, Operand::Literal(_)))
                })
            {
                return Some(GuardKind::Members);
            }
            if *equal
                && either(&|x, y| {
                    x.context() == Some("github.event.label.name")
                        && matches!(y, Operand::Literal(_))
                })
            {
                return Some(GuardKind::Label);
            }
            None
        }
        Test::Contains { haystack, needle } => {
            if association(needle) {
                let only_insiders = match haystack {
                    Operand::List(items) => !items.is_empty() && items.iter().all(|i| insider(i)),
                    // `contains('OWNER,MEMBER', x)` is a substring test.
                    Operand::Literal(l) => {
                        let l = l.to_ascii_uppercase();
                        !l.is_empty() && !OUTSIDERS.iter().any(|o| l.contains(o))
                    }
                    _ => false,
                };
                return only_insiders.then_some(GuardKind::Members);
            }
            if login(needle) && matches!(haystack, Operand::List(_)) {
                return Some(GuardKind::Members);
            }
            let labels = haystack
                .context()
                .is_some_and(|c| c.ends_with(".labels.*.name") && c.starts_with("github.event."));
            (labels && matches!(needle, Operand::Literal(_))).then_some(GuardKind::Label)
        }
        // One of several alternatives: each that a run of `event` can take must be
        // guarded, and the weakest guard is what holds.
        Test::Any(alts) => {
            let live: Vec<&Vec<Test>> = alts.iter().filter(|a| !excluded(a, event)).collect();
            if live.is_empty() {
                return None;
            }
            live.iter()
                .map(|a| guard_in(a, event))
                .collect::<Option<Vec<GuardKind>>>()?
                .into_iter()
                .min_by_key(|k| k.strength())
        }
        Test::Truthy {
            context,
            negated: true,
        } if context.ends_with(".head.repo.fork") || context.ends_with(".head_repository.fork") => {
            Some(GuardKind::SameRepository)
        }
        _ => None,
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
fn checkout_hit(step: &Step, looked_up: &HeadOutputs, hits: &mut Vec<(Span, String, bool)>) {
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
            // A commit SHA is the code that was there when the run was let through.
            let sha = key == "ref" && (r.ends_with(".sha") || r.ends_with("_sha"));
            Some((
                format!("checks out the untrusted head (`{key}: ${{{{ {r} }}}}`)"),
                !sha,
            ))
        } else if key == "ref" && v.contains("refs/pull/") {
            Some((format!("checks out the pull request ref `{v}`"), true))
        } else if let Some((r, branch)) = looked_up_head(v, looked_up) {
            Some((
                format!(
                    "checks out the untrusted head an earlier step looked up (`{key}: ${{{{ {r} }}}}`)"
                ),
                key == "repository" || *branch,
            ))
        } else {
            None
        };
        if let Some((what, mutable)) = what {
            hits.push((kv.value.span, what, mutable));
            return;
        }
    }
}

/// Whether a word names the head: an expression naming it, a parameter it expands whose
/// `env:` value names it (the shell model lists the parameters), or a
/// `pull/N/head|merge` ref.
fn word_is_head(word: &Word, script: &str, envs: &[&Env], looked_up: &HeadOutputs) -> bool {
    let text = word.display(script);
    if head_reference(&text).is_some() || looked_up_head(&text, looked_up).is_some() {
        return true;
    }
    if text.contains("pull/") && (text.contains("/head") || text.contains("/merge")) {
        return true;
    }
    word.variables.iter().any(|name| {
        env_value(envs, name)
            .is_some_and(|v| head_reference(v).is_some() || looked_up_head(v, looked_up).is_some())
    })
}

/// `gh pr checkout`, or a git command (past git's global options) that fetches or checks
/// out the head.
fn fetches_head(
    cmd: &Command,
    script: &str,
    envs: &[&Env],
    looked_up: &HeadOutputs,
) -> Option<String> {
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
            ) && args[k + 1..]
                .iter()
                .any(|w| word_is_head(w, script, envs, looked_up)))
            .then(|| format!("runs `git {sub}` on the untrusted head"))
        }
        _ => None,
    }
}

//! Which kinds of pipeline a job (or, through `workflow: rules:`, the whole
//! configuration) runs in: read from `rules:` (`if:` expressions, `when: never`),
//! `only:`/`except:` (`refs:` keywords such as `merge_requests`, `variables:`) and the
//! job's `when:`, as GitLab decides them.
//!
//! GitLab's defaults: with neither `rules:` nor `only:`/`except:` a job runs in branch and
//! tag pipelines (`only: [branches, tags]`), never in a merge request pipeline; a job
//! with `rules:` runs where the first rule that matches does not say `when: never`, and
//! not at all when none matches; `workflow: rules:` decides whether a pipeline is created,
//! the same way. A condition the files cannot decide (a project variable, the branch's
//! name, `changes:`) makes the outcome [`Runs::Maybe`].

use crate::expr::{Known, Pipeline, Tri, eval};
use crate::model::At;
use crate::model::Variable;
use crate::tree::Item;

/// `CI_PIPELINE_SOURCE`: what started a pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    Push,
    MergeRequestEvent,
    Schedule,
    Api,
    Web,
    Trigger,
    /// A multi-project pipeline (`trigger: project`, the API with `CI_JOB_TOKEN`).
    Pipeline,
    /// A child pipeline (`trigger: include`).
    ParentPipeline,
    ExternalPullRequest,
    Chat,
}

impl Source {
    pub const ALL: [Self; 10] = [
        Self::Push,
        Self::MergeRequestEvent,
        Self::Schedule,
        Self::Api,
        Self::Web,
        Self::Trigger,
        Self::Pipeline,
        Self::ParentPipeline,
        Self::ExternalPullRequest,
        Self::Chat,
    ];

    /// The value of `CI_PIPELINE_SOURCE`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Push => "push",
            Self::MergeRequestEvent => "merge_request_event",
            Self::Schedule => "schedule",
            Self::Api => "api",
            Self::Web => "web",
            Self::Trigger => "trigger",
            Self::Pipeline => "pipeline",
            Self::ParentPipeline => "parent_pipeline",
            Self::ExternalPullRequest => "external_pull_request",
            Self::Chat => "chat",
        }
    }

    /// The references a pipeline of this source runs for.
    const fn refs(self) -> &'static [RefKind] {
        match self {
            Self::MergeRequestEvent => &[RefKind::MergeRequest],
            Self::ExternalPullRequest => &[RefKind::Branch],
            _ => &[RefKind::Branch, RefKind::Tag],
        }
    }

    const fn index(self) -> usize {
        self as usize
    }
}

/// What a pipeline runs for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    Branch,
    Tag,
    /// A merge request's ref (`refs/merge-requests/<iid>/head` or its merged result).
    MergeRequest,
}

/// Whether a job runs in a kind of pipeline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Runs {
    #[default]
    No,
    /// Decided by something the files do not show (a project variable, a branch name,
    /// changed files).
    Maybe,
    Yes,
}

impl Runs {
    const fn of(t: Tri) -> Self {
        match t {
            Tri::True => Self::Yes,
            Tri::False => Self::No,
            Tri::Unknown => Self::Maybe,
        }
    }
}

/// The kinds of pipeline a job or a configuration runs in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sources {
    runs: [Runs; Source::ALL.len()],
    /// Where the job (or the configuration) is let into merge request pipelines: the
    /// `if:` of the first rule that may admit it, or the `only:` key.
    pub merge_request_at: Option<At>,
}

impl Default for Sources {
    /// Every kind of pipeline (no `workflow: rules:`).
    fn default() -> Self {
        Self {
            runs: [Runs::Yes; Source::ALL.len()],
            merge_request_at: None,
        }
    }
}

impl Sources {
    #[must_use]
    pub const fn runs(&self, s: Source) -> Runs {
        self.runs[s.index()]
    }

    /// The kinds of pipeline it may run in, with how sure that is.
    pub fn iter(&self) -> impl Iterator<Item = (Source, Runs)> + '_ {
        Source::ALL
            .into_iter()
            .map(|s| (s, self.runs(s)))
            .filter(|(_, r)| *r != Runs::No)
    }

    /// The job's own sources narrowed by the configuration's (`workflow: rules:`).
    #[must_use]
    pub fn within(&self, workflow: &Self) -> Self {
        let mut out = self.clone();
        for s in Source::ALL {
            out.runs[s.index()] = self.runs(s).min(workflow.runs(s));
        }
        out
    }

    /// The sources of a job in a child pipeline (a configuration a `trigger: include:`
    /// starts): where `parents` (the triggering jobs' sources, united) run, as surely as
    /// both they and the job's own rules for a `parent_pipeline` allow.
    #[must_use]
    pub fn in_child_pipeline(&self, parents: &Self) -> Self {
        let own = self.runs(Source::ParentPipeline);
        let mut out = self.clone();
        for s in Source::ALL {
            out.runs[s.index()] = own.min(parents.runs(s));
        }
        out
    }

    /// Where either runs, as surely as the surer.
    #[must_use]
    pub fn union(&self, other: &Self) -> Self {
        let mut out = self.clone();
        for s in Source::ALL {
            out.runs[s.index()] = self.runs(s).max(other.runs(s));
        }
        out.merge_request_at = self.merge_request_at.or(other.merge_request_at);
        out
    }

    /// No kind of pipeline.
    #[must_use]
    pub fn none() -> Self {
        Self {
            runs: [Runs::No; Source::ALL.len()],
            merge_request_at: None,
        }
    }

    /// The sources for which `f` says, over the source's references, the most likely.
    fn from_fn(mut f: impl FnMut(Pipeline) -> Runs) -> Self {
        let mut out = Self::none();
        for s in Source::ALL {
            out.runs[s.index()] = s
                .refs()
                .iter()
                .map(|&r| {
                    f(Pipeline {
                        source: s,
                        reference: r,
                    })
                })
                .max()
                .unwrap_or_default();
        }
        out
    }
}

/// One rule's condition (`if:`, `changes:`, `exists:`) for a pipeline.
fn rule_matches(rule: &Item, p: Pipeline, known: Known<'_>) -> Tri {
    let mut t = Tri::True;
    if let Some(e) = rule.get("if") {
        t = match e.as_str() {
            Some(s) => eval(s, p, known),
            None => Tri::Unknown,
        };
    }
    if t != Tri::False && (rule.get("changes").is_some() || rule.get("exists").is_some()) {
        t = if t == Tri::True { Tri::Unknown } else { t };
    }
    t
}

fn is_never(rule: &Item) -> bool {
    rule.get("when").and_then(Item::as_str) == Some("never")
}

/// `rules:` for one pipeline: the first rule that matches decides; none matching leaves
/// the job (or the pipeline) out.
fn rules_for(rules: &[Item], p: Pipeline, known: Known<'_>) -> Runs {
    let mut best = Runs::No;
    // A rule that may have matched earlier with `when: never` makes a later sure match
    // only possible.
    let mut maybe_blocked = false;
    for rule in rules {
        match rule_matches(rule, p, known) {
            Tri::False => {}
            Tri::True => {
                if is_never(rule) {
                    return best;
                }
                return if maybe_blocked {
                    Runs::Maybe
                } else {
                    Runs::Yes
                }
                .max(best);
            }
            Tri::Unknown => {
                if is_never(rule) {
                    maybe_blocked = true;
                } else {
                    best = Runs::Maybe;
                }
            }
        }
    }
    best
}

/// The `if:` (or the rule) of the first rule that may let a merge request pipeline in.
fn rules_merge_request_at(rules: &[Item], known: Known<'_>) -> Option<At> {
    let p = Pipeline {
        source: Source::MergeRequestEvent,
        reference: RefKind::MergeRequest,
    };
    rules
        .iter()
        .find(|r| !is_never(r) && rule_matches(r, p, known) != Tri::False)
        .map(|r| {
            let at = r.get("if").unwrap_or(r);
            At {
                file: at.file(),
                span: at.span(),
            }
        })
}

fn from_rules(item: &Item, known: Known<'_>) -> Sources {
    let rules: Vec<Item> = match item {
        Item::Seq { items, .. } => flatten(items),
        _ => Vec::new(),
    };
    let mut out = Sources::from_fn(|p| rules_for(&rules, p, known));
    if out.runs(Source::MergeRequestEvent) != Runs::No {
        out.merge_request_at = rules_merge_request_at(&rules, known);
    }
    out
}

/// Rules lists nest when a `!reference` brings in another job's rules.
fn flatten(items: &[Item]) -> Vec<Item> {
    let mut out = Vec::new();
    for i in items {
        match i {
            Item::Seq { items, .. } => out.extend(flatten(items)),
            other => out.push(other.clone()),
        }
    }
    out
}

/// One `only:`/`except:` `refs:` entry for a pipeline.
fn ref_matches(r: &str, p: Pipeline) -> Tri {
    let mr = p.source == Source::MergeRequestEvent;
    let is = |b: bool| if b { Tri::True } else { Tri::False };
    match r {
        "branches" => is(p.reference == RefKind::Branch),
        "tags" => is(p.reference == RefKind::Tag),
        "merge_requests" => is(mr),
        "schedules" => is(p.source == Source::Schedule),
        "pushes" => is(p.source == Source::Push),
        "api" => is(p.source == Source::Api),
        "web" => is(p.source == Source::Web),
        "triggers" => is(p.source == Source::Trigger),
        "pipelines" => is(matches!(
            p.source,
            Source::Pipeline | Source::ParentPipeline
        )),
        "external_pull_requests" => is(p.source == Source::ExternalPullRequest),
        "chat" => is(p.source == Source::Chat),
        "external" => Tri::False,
        // A branch or tag name, or a pattern: decided by the name.
        _ => {
            if mr {
                Tri::False
            } else {
                Tri::Unknown
            }
        }
    }
}

fn strings(item: &Item) -> Vec<String> {
    match item {
        Item::Seq { items, .. } => flatten(items)
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        other => other.as_str().map(str::to_owned).into_iter().collect(),
    }
}

/// `only:` or `except:` for one pipeline: every key given must have a condition that
/// matches. `default_refs` is used when `refs:` is absent (none: any reference).
fn policy(item: &Item, p: Pipeline, default_refs: &[&str], known: Known<'_>) -> Tri {
    let (refs, map) = match item {
        Item::Map { .. } => (item.get("refs").map(strings), Some(item)),
        other => (Some(strings(other)), None),
    };
    let any = |v: &mut dyn Iterator<Item = Tri>| v.fold(Tri::False, Tri::or);
    let mut t = match refs {
        Some(refs) => any(&mut refs.iter().map(|r| ref_matches(r, p))),
        None if default_refs.is_empty() => Tri::True,
        None => any(&mut default_refs.iter().map(|r| ref_matches(r, p))),
    };
    if let Some(m) = map {
        if let Some(v) = m.get("variables") {
            t = t.and(any(&mut strings(v).iter().map(|e| eval(e, p, known))));
        }
        if m.get("changes").is_some() || m.get("kubernetes").is_some() {
            t = t.and(Tri::Unknown);
        }
    }
    t
}

/// A variable's value when it is literal (no `$` to expand).
fn literal(v: &Variable) -> Option<String> {
    v.value
        .as_ref()
        .filter(|t| v.raw || !t.value.contains('$'))
        .map(|t| t.value.clone())
}

fn pairs(vars: &[Variable]) -> Vec<(String, Option<String>)> {
    vars.iter()
        .map(|v| (v.name.value.clone(), literal(v)))
        .collect()
}

/// The `workflow: rules:` entries, flattened.
pub(crate) fn workflow_rules(workflow: Option<&Item>) -> Vec<Item> {
    match workflow.and_then(|w| w.get("rules")) {
        Some(Item::Seq { items, .. }) => flatten(items),
        _ => Vec::new(),
    }
}

/// The variables `workflow: rules:` may set for pipeline `p`: one assignment per rule
/// that may be the first to match and create the pipeline. A variable a rule sets takes
/// precedence over the top-level one of the same name.
fn worlds(rules: &[Item], p: Pipeline, globals: Known<'_>) -> Vec<Assignment> {
    let mut out = Vec::new();
    for rule in rules {
        let t = rule_matches(rule, p, globals);
        if t == Tri::False {
            continue;
        }
        if !is_never(rule) {
            let vars = rule
                .get("variables")
                .map(crate::job::variables)
                .unwrap_or_default();
            out.push(pairs(&vars));
        }
        if t == Tri::True {
            break;
        }
    }
    // No rule: every pipeline is created, with no variables of the workflow's. Rules none
    // of which can match: no pipeline, so no job runs.
    if rules.is_empty() {
        out.push(Vec::new());
    }
    out
}

/// One outcome over several possible assignments: sure only when all agree.
fn combine(mut runs: impl Iterator<Item = Runs>) -> Runs {
    let Some(first) = runs.next() else {
        return Runs::No;
    };
    runs.fold(first, |a, b| if a == b { a } else { Runs::Maybe })
}

/// What a configuration's jobs share for deciding where they run: its top-level
/// `variables:` and, for each kind of pipeline, the assignments its `workflow: rules:`
/// may make. The same for every job, so computed once.
pub(crate) struct Workflow {
    globals: Assignment,
    worlds: Vec<(Pipeline, Vec<Assignment>)>,
}

/// Variables with their values (`None`: not known).
type Assignment = Vec<(String, Option<String>)>;

impl Workflow {
    pub(crate) fn new(rules: &[Item], globals: &[Variable]) -> Self {
        let globals = pairs(globals);
        let mut worlds = Vec::new();
        for source in Source::ALL {
            for &reference in source.refs() {
                let p = Pipeline { source, reference };
                worlds.push((p, self::worlds(rules, p, Known::of(&globals))));
            }
        }
        Self { globals, worlds }
    }

    fn worlds(&self, p: Pipeline) -> &[Assignment] {
        self.worlds
            .iter()
            .find(|(q, _)| q.source == p.source && q.reference == p.reference)
            .map_or(&[], |(_, w)| w)
    }
}

/// The pipelines a job runs in, from its resolved mapping and its configuration's
/// [`Workflow`] (whose `variables:` the job's rules read).
pub(crate) fn of_job(job: &Item, workflow: &Workflow) -> Sources {
    if job.get("when").and_then(Item::as_str) == Some("never") {
        return Sources::none();
    }
    let own = pairs(
        &job.get("variables")
            .map(crate::job::variables)
            .unwrap_or_default(),
    );
    let globals = &workflow.globals;
    let plain = Known::new([&own, globals, &[]]);
    let rules: Option<Vec<Item>> = match job.get("rules") {
        Some(Item::Seq { items, .. }) => Some(flatten(items)),
        Some(_) => Some(Vec::new()),
        None => None,
    };
    let only = job.entry("only");
    let except = job.get("except");
    let decide = |p: Pipeline, known: Known<'_>| match &rules {
        Some(rules) => rules_for(rules, p, known),
        None => {
            let inc = only.map_or_else(
                || ref_default(p),
                |o| policy(&o.value, p, &["branches", "tags"], known),
            );
            let exc = except.map_or(Tri::False, |e| policy(e, p, &[], known));
            Runs::of(inc.and(exc.not()))
        }
    };
    let mut out = Sources::from_fn(|p| {
        combine(
            workflow
                .worlds(p)
                .iter()
                .map(|w| decide(p, Known::new([&own, w, globals]))),
        )
    });
    if out.runs(Source::MergeRequestEvent) != Runs::No {
        out.merge_request_at = match &rules {
            Some(rules) => rules_merge_request_at(rules, plain),
            None => only.map(|o| At {
                file: o.file,
                span: o.key,
            }),
        };
    }
    out
}

/// GitLab's default `only: [branches, tags]`.
fn ref_default(p: Pipeline) -> Tri {
    ref_matches("branches", p).or(ref_matches("tags", p))
}

/// The pipelines a configuration creates, from its `workflow:` mapping and top-level
/// `variables:`.
pub(crate) fn of_workflow(workflow: &Item, globals: &[Variable]) -> Sources {
    let known = pairs(globals);
    workflow
        .get("rules")
        .map_or_else(Sources::default, |r| from_rules(r, Known::of(&known)))
}

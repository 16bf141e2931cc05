//! `cache-poisoning`: a cache that a run an outsider starts can write, in the default
//! branch's scope, where a privileged job restores it.
//!
//! GitHub keeps cache entries per branch, and every branch can restore the default
//! branch's. A `pull_request_target`, `issue_comment` or `workflow_run` run is on the
//! default branch: when it checks out the pull request's head (the trust pass's
//! `checks-out` edges) and uses a cache that writes (the cache pass's record), whoever
//! opened the pull request chooses what is saved. Three forms, most certain first:
//!
//! 1. such a writer, and a job that publishes, holds secrets or a token with a write
//!    scope restoring from the same key space (the rule's level);
//! 2. such a writer with no privileged restorer in the repository (one level lower: a
//!    workflow added later, or one of the same run, may restore it);
//! 3. a cache restored in a job that publishes, with no writer found (two levels lower,
//!    low confidence: any run on the default branch may have written the entry).

use std::collections::{BTreeMap, BTreeSet};

use tollgate_engine::{Context, Rule, Sink};
use tollgate_facts::cache::{CacheUse, Overlap};
use tollgate_facts::publish::publishes;
use tollgate_facts::trust::{Checkout, GuardKind};
use tollgate_graph::{Access, Graph, NodeId, NodeKind, Origin};
use tollgate_model::{Confidence, Impact, PathHop};

use crate::chain::Chain;

pub struct CachePoisoning;

/// What makes a restoring job worth poisoning, strongest first.
struct Privilege {
    rank: u8,
    what: String,
    at: Option<Origin>,
    /// It publishes only on a tag ref.
    only_on_tags: bool,
}

impl Privilege {
    /// Whether `r` restores in a run that has this privilege: a restore kept off tag
    /// refs never happens in the run of a job that publishes only on a tag.
    fn meets(&self, r: &CacheUse) -> bool {
        !(self.rank == PUBLISHES && self.only_on_tags && r.never_on_tags)
    }
}

/// An untrusted checkout a job makes: the first, as the trust pass recorded it.
struct Untrusted<'g> {
    step: NodeId,
    position: usize,
    at: Origin,
    checkout: &'g Checkout,
}

impl Rule for CachePoisoning {
    fn id(&self) -> &'static str {
        "cache-poisoning"
    }

    fn check_scan(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let g = cx.graph;
        let caches = tollgate_facts::cache::of(g);
        // The jobs with a cache that writes (the uses are in job order).
        let mut jobs: Vec<NodeId> = caches.iter().filter(|u| u.writes).map(|u| u.job).collect();
        jobs.dedup();
        // What each job that restores a cache holds, computed once per such job.
        let mut privileges: BTreeMap<NodeId, Option<Privilege>> = BTreeMap::new();
        for r in caches.iter().filter(|r| r.restores) {
            privileges
                .entry(r.job)
                .or_insert_with(|| privilege(cx, r.job));
        }
        let privilege_of = |j: NodeId| privileges.get(&j).and_then(Option::as_ref);
        // Restoring steps named by a finding of the first form: the third does not
        // repeat them.
        let mut named: BTreeSet<NodeId> = BTreeSet::new();
        for &job in &jobs {
            let Some(untrusted) = untrusted_checkout(g, job) else {
                continue;
            };
            for writer in caches
                .of_job(job)
                .filter(|w| w.writes && (!w.writes_during_step || w.position > untrusted.position))
            {
                // The privileged restorer it reaches with the most certainty, then the
                // most privilege, then the first in the repository.
                let best = best_of(
                    caches
                        .iter()
                        .filter(|r| r.restores && r.job != job && writer.may_reach(r))
                        .take(MAX_CANDIDATES)
                        .filter_map(|r| {
                            let p = privilege_of(r.job).filter(|p| p.meets(r))?;
                            let overlap = writer.reaches(r);
                            (overlap != Overlap::Disjoint).then_some((r, overlap, p))
                        }),
                    |(_, o, p)| (*o, p.rank),
                    (Overlap::Same, PUBLISHES),
                );
                if let Some((r, _, _)) = best {
                    named.insert(r.step);
                }
                report_writer(cx, out, &untrusted, writer, best);
            }
        }
        for r in caches
            .iter()
            .filter(|r| r.restores && !named.contains(&r.step))
        {
            let Some(p) = privilege_of(r.job).filter(|p| p.rank == PUBLISHES && p.meets(r)) else {
                continue;
            };
            // Another job that saves into the same key space in a run on a branch: the
            // release restores what that run, and the dependencies it ran, left.
            // The surest, then one a push to a branch runs, then the first.
            let writer = best_of(
                caches
                    .iter()
                    .filter(|w| w.writes && w.job != r.job && w.may_reach(r))
                    .filter(|w| tollgate_facts::cache::writes_shared_scope(g, w.job))
                    .take(MAX_CANDIDATES)
                    .map(|w| (w, w.reaches(r)))
                    .filter(|(_, o)| *o != Overlap::Disjoint),
                |(w, o)| (*o, on_push(g, w.job)),
                (Overlap::Same, true),
            )
            .map(|(w, _)| w);
            if let Some(w) = writer {
                report_release_cache(cx, out, w, r, p);
            }
        }
    }
}

const PUBLISHES: u8 = 3;

/// How many uses whose keys may meet one cache use is compared with in full (bounded
/// work: a repository of thousands of jobs whose keys all start with `${{ runner.os }}`
/// would otherwise compare every pair). Real repositories stay far below it.
const MAX_CANDIDATES: usize = 256;

/// The first item of the highest rank, stopping at the first that reaches `top`: a
/// repository of thousands of jobs that each restore and write the same cache would
/// otherwise compare every pair.
fn best_of<T, R: Ord>(items: impl Iterator<Item = T>, rank: impl Fn(&T) -> R, top: R) -> Option<T> {
    let mut best: Option<(R, T)> = None;
    for item in items {
        let r = rank(&item);
        let stop = r >= top;
        if best.as_ref().is_none_or(|(b, _)| r > *b) {
            best = Some((r, item));
        }
        if stop {
            break;
        }
    }
    best.map(|(_, t)| t)
}

/// What a job holds or does that a poisoned cache would hand to the attacker: it
/// publishes; it holds secrets other than `GITHUB_TOKEN`; its token has a write scope
/// granted in a `permissions:` block (the repository default is left out: most
/// repositories made since 2023 default to read, and a test job without a block is not
/// what this rule is about) or `id-token: write`.
fn privilege(cx: &Context<'_>, job: NodeId) -> Option<Privilege> {
    let g = cx.graph;
    if let Some(p) = publishes(g, cx.scan, job) {
        return Some(Privilege {
            rank: PUBLISHES,
            what: format!("publishes with {}", p.what),
            at: Some(p.at),
            only_on_tags: p.only_on_tags,
        });
    }
    let writes = write_scopes(g, job);
    let secrets = g.holds_secrets(job);
    let scopes = || {
        writes
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (rank, what) = match (secrets, writes.is_empty()) {
        (true, false) => (
            2,
            format!("holds secrets and a token that can write {}", scopes()),
        ),
        (true, true) => (1, "holds secrets".to_owned()),
        (false, false) => (1, format!("holds a token that can write {}", scopes())),
        (false, true) => return None,
    };
    Some(Privilege {
        rank,
        what,
        at: None,
        only_on_tags: false,
    })
}

/// The scopes `job`'s token is explicitly granted write to (`all` for `write-all`), and
/// `id-token` when it can request an OIDC token.
fn write_scopes(g: &Graph, job: NodeId) -> Vec<String> {
    let h = g.holds(job);
    let mut out: Vec<String> = h
        .permissions
        .iter()
        .filter_map(|p| match g.node(p.node).map(|n| &n.kind) {
            Some(NodeKind::Permission {
                scope,
                access: Access::Write,
            }) => Some(scope.clone()),
            _ => None,
        })
        .collect();
    if h.oidc.is_some() && !out.iter().any(|s| s == "id-token") {
        out.push("id-token".to_owned());
    }
    out.sort();
    out.dedup();
    out
}

/// The first checkout of untrusted code in `job` that outsiders can reach: unguarded, or
/// guarded by a label only (which stays when the author pushes again). A job limited to
/// pull requests from the same repository or to members is left out (a sparse checkout
/// the rest of the job only reads as data is no checkout of code: the trust pass).
fn untrusted_checkout(g: &Graph, job: NodeId) -> Option<Untrusted<'_>> {
    let checkouts = tollgate_facts::trust::of(g);
    g.job_steps(job)
        .into_iter()
        .enumerate()
        .find_map(|(position, fs)| {
            g.checkouts_of(fs.step).into_iter().find_map(|(at, _)| {
                let checkout = checkouts.get(at)?;
                let open = checkout
                    .guard
                    .as_ref()
                    .is_none_or(|guard| guard.kind == GuardKind::Label);
                open.then_some(Untrusted {
                    step: fs.step,
                    position,
                    at,
                    checkout,
                })
            })
        })
}

/// Whether `job`'s workflow runs on a push: the usual writer of a branch's caches.
fn on_push(g: &Graph, job: NodeId) -> bool {
    g.workflow_of(job)
        .map(|w| g.triggers_of(w))
        .unwrap_or_default()
        .into_iter()
        .any(|t| matches!(g.node(t).map(|n| &n.kind), Some(NodeKind::Trigger { event, .. }) if event == "push"))
}

/// The chain to `step` as `job` runs it: a step of a local composite action that
/// several jobs call is reached through `job`, not whichever caller the graph finds
/// first.
fn to_step_in(cx: &Context<'_>, step: NodeId, job: NodeId) -> Chain {
    let through_job = cx
        .graph
        .path_to(step)
        .is_some_and(|nodes| nodes.contains(&job));
    if through_job {
        Chain::to(cx, step)
    } else {
        Chain::to(cx, job)
    }
}

/// The job id of a job node, for messages and the finding's job.
fn job_id(cx: &Context<'_>, job: NodeId) -> String {
    cx.graph
        .job_model(cx.scan, job)
        .map(|(_, j)| j.id.value.clone())
        .unwrap_or_default()
}

/// trigger → workflow → job → the untrusted checkout → the cache that writes.
fn writer_path(cx: &Context<'_>, u: &Untrusted<'_>, writer: &CacheUse) -> Vec<PathHop> {
    let g = cx.graph;
    let event = &u.checkout.event;
    let on = g
        .workflow_of(u.step)
        .into_iter()
        .flat_map(|w| g.triggers_of(w))
        .find(|&t| matches!(g.node(t).map(|n| &n.kind), Some(NodeKind::Trigger { event: e, .. }) if e == event))
        .and_then(|t| g.node_location(t));
    let mut chain = to_step_in(cx, u.step, writer.job).first(format!("on: `{event}`"), on);
    if let Some(guard) = &u.checkout.guard {
        chain = chain.hop(
            format!("`if:` limits the run to {}", guard.kind.describe()),
            Some(g.location(&guard.at)),
        );
    }
    chain
        .hop(u.checkout.what.clone(), Some(g.location(&u.at)))
        .hop(
            format!(
                "{} writes the cache in the default branch's scope",
                writer.detail
            ),
            Some(g.location(&writer.at)),
        )
        .into_hops()
}

fn report_writer(
    cx: &Context<'_>,
    out: &mut Sink<'_>,
    u: &Untrusted<'_>,
    writer: &CacheUse,
    restorer: Option<(&CacheUse, Overlap, &Privilege)>,
) {
    let g = cx.graph;
    let Some(input) = g.input(cx.scan, writer.at.input()) else {
        return;
    };
    let file = &input.source;
    let job = job_id(cx, writer.job);
    let event = &u.checkout.event;
    let when = if writer.writes_during_step {
        "when the step runs"
    } else {
        "when the job ends"
    };
    let labelled = u.checkout.guard.is_some();
    let mut path = writer_path(cx, u, writer);
    let builder = out.at(file, writer.at.span()).job(Some(&job));
    let Some((r, overlap, p)) = restorer else {
        builder
            .message(format!(
                "`{event}` job `{}` {}; {} then writes the cache {when}, in the default branch's scope, which every later run of every workflow can restore",
                crate::common::quoted(&job),
                u.checkout.what,
                writer.detail,
            ))
            .help(HELP)
            .severity(Impact::High)
            .confidence(Confidence::Medium)
            .related_location(g.location(&u.at), "untrusted code checked out here")
            .path(path)
            .below_rule_level(1)
            .emit();
        return;
    };
    let restorer_job = job_id(cx, r.job);
    let severity = if p.rank >= 2 {
        Impact::Critical
    } else {
        Impact::High
    };
    let confidence = if overlap == Overlap::Same && !labelled {
        Confidence::High
    } else {
        Confidence::Medium
    };
    path.extend(
        to_step_in(cx, r.step, r.job)
            .hop(
                format!("{} restores it in a job that {}", r.detail, p.what),
                Some(g.location(&r.at)),
            )
            .into_hops(),
    );
    let mut builder = builder
        .message(format!(
            "`{event}` job `{}` {}; {} then writes the cache {when}, in the default branch's scope, and job `{}` restores it with {} and {}",
            crate::common::quoted(&job),
            u.checkout.what,
            writer.detail,
            crate::common::quoted(&restorer_job),
            r.detail,
            p.what,
        ))
        .help(HELP)
        .severity(severity)
        .confidence(confidence)
        .related_location(g.location(&u.at), "untrusted code checked out here")
        .related_location(g.location(&r.at), "the privileged job restores the cache here");
    if let Some(at) = &p.at {
        builder = builder.related_location(g.location(at), "publishes here");
    }
    builder.path(path).emit();
}

const HELP: &str = "do not use a cache in a workflow that runs untrusted code on `pull_request_target`, `issue_comment` or `workflow_run` (turn the setup action's cache off, or use `actions/cache/restore`, which never writes); build the pull request's code in a `pull_request` workflow, whose cache entries stay in the pull request's scope; and keep caches out of release jobs";

fn report_release_cache(
    cx: &Context<'_>,
    out: &mut Sink<'_>,
    w: &CacheUse,
    r: &CacheUse,
    p: &Privilege,
) {
    let g = cx.graph;
    let Some(input) = g.input(cx.scan, r.at.input()) else {
        return;
    };
    let job = job_id(cx, r.job);
    let writer_job = job_id(cx, w.job);
    let mut path = to_step_in(cx, w.step, w.job)
        .hop(
            format!("{} writes the cache in a run on a branch", w.detail),
            Some(g.location(&w.at)),
        )
        .into_hops();
    let mut restore = to_step_in(cx, r.step, r.job)
        .hop(format!("{} restores it", r.detail), Some(g.location(&r.at)));
    if let Some(at) = &p.at {
        restore = restore.hop(p.what.clone(), Some(g.location(at)));
    }
    path.extend(restore.into_hops());
    let mut builder = out
        .at(&input.source, r.at.span())
        .job(Some(&job))
        .message(format!(
            "job `{}` {} and restores a cache with {}, a key space job `{}` also writes: what any run on the default branch saved there, with the dependency code it ran, goes into the release",
            crate::common::quoted(&job),
            p.what,
            r.detail,
            crate::common::quoted(&writer_job),
        ))
        .help("build releases without a cache (turn the setup action's cache off, or drop `actions/cache`), or give the release job a key no other job writes; a slower release is the price of not trusting every earlier run")
        .severity(Impact::Medium)
        .confidence(Confidence::Low)
        .related_location(g.location(&w.at), "another job writes the same key space here")
        .below_rule_level(2);
    if let Some(at) = &p.at {
        builder = builder.related_location(g.location(at), "publishes here");
    }
    builder.path(path).emit();
}

//! The cache pass: which steps restore or write a GitHub Actions cache, and under which
//! key. GitHub keeps a repository's cache entries per branch, and a run on the default
//! branch (which is where `pull_request_target`, `issue_comment` and `workflow_run` runs
//! are) writes entries that every later run of every workflow can restore; whether two
//! uses can meet is a question of their keys.
//!
//! A use is a step (of a job, or of a local composite action it calls) that `uses:` an
//! action `rules/data/fallbacks.toml` lists in `[[cache]]`, with the cache on: the generic
//! `actions/cache` family (its `key:` and `restore-keys:` as written) or a setup action
//! that builds its own key (`actions/setup-node` with `cache: npm`). The record,
//! [`Caches`], lists them per job in the order the job runs them.

use tollgate_gha::{Step, Uses};
use tollgate_graph::{Graph, NodeId, Origin};
use tollgate_model::Diagnostic;
use tollgate_scan::Scan;

mod key;

pub use key::{Overlap, Scope};

/// The cache pass (see the module documentation).
pub struct Pass;

/// Where a use's entries are found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySpace {
    /// The generic cache: `key:` and the `restore-keys:` prefixes, as written (with their
    /// `${{ … }}`).
    Written {
        key: Option<String>,
        restore_keys: Vec<String>,
    },
    /// A key the action builds from its own prefix: the action, the value of the input
    /// that turns the cache on (`npm`), and the job id when the key holds it (rust-cache
    /// without `shared-key`).
    Action {
        action: String,
        value: Option<String>,
        job: Option<String>,
    },
}

/// One step that uses a cache.
#[derive(Clone, Debug)]
pub struct CacheUse {
    pub step: NodeId,
    /// The job that runs the step, its id, and its workflow.
    pub job: NodeId,
    pub job_id: String,
    pub workflow: Option<NodeId>,
    /// The step's position in the job's run order ([`Graph::job_steps`]).
    pub position: usize,
    /// The `uses:` value.
    pub at: Origin,
    /// The action as the knowledge base names it (`actions/setup-node`).
    pub action: String,
    /// The use in words: ``actions/setup-node` with `cache: npm``.
    pub detail: String,
    pub restores: bool,
    pub writes: bool,
    /// It writes while the step runs; otherwise in the post step, when the job ends.
    pub writes_during_step: bool,
    /// The step's or the job's `if:` keeps it off tag refs.
    pub never_on_tags: bool,
    pub space: KeySpace,
    /// The text before the first `${{` of the generic cache's `key:` and then of each
    /// `restore-keys:` line, for [`CacheUse::may_reach`].
    pub leads: Vec<String>,
}

impl CacheUse {
    /// Whether an entry this use writes can be what `restorer` restores.
    #[must_use]
    pub fn reaches(&self, restorer: &Self) -> Overlap {
        if !self.may_reach(restorer) {
            return Overlap::Disjoint;
        }
        let scope = Scope {
            same_workflow: self.workflow.is_some() && self.workflow == restorer.workflow,
            same_job: self.job_id == restorer.job_id,
        };
        match (&self.space, &restorer.space) {
            (
                KeySpace::Written { key, .. },
                KeySpace::Written {
                    key: k,
                    restore_keys,
                },
            ) => {
                let Some(written) = key else {
                    return Overlap::Maybe;
                };
                let exact = k
                    .as_deref()
                    .map_or(Overlap::Maybe, |k| key::compare(written, k, false, scope));
                restore_keys
                    .iter()
                    .map(|r| key::compare(written, r, true, scope))
                    .fold(exact, Overlap::max)
            }
            (
                KeySpace::Action { action, value, job },
                KeySpace::Action {
                    action: a,
                    value: v,
                    job: j,
                },
            ) => {
                if !action.eq_ignore_ascii_case(a) {
                    return Overlap::Disjoint;
                }
                if let (Some(x), Some(y)) = (job, j)
                    && x != y
                {
                    return Overlap::Disjoint;
                }
                match (value, v) {
                    (Some(x), Some(y)) if x.contains("${{") || y.contains("${{") => Overlap::Maybe,
                    (Some(x), Some(y)) if !x.trim().eq_ignore_ascii_case(y.trim()) => {
                        Overlap::Disjoint
                    }
                    _ => Overlap::Same,
                }
            }
            // Setup actions prefix their keys with their own name; a generic cache's key
            // is taken not to imitate one.
            _ => Overlap::Disjoint,
        }
    }
}

impl CacheUse {
    /// A cheap test that rules most pairs out without reading the keys' expressions: the
    /// same setup action, or generic keys whose text before the first `${{` agrees (one
    /// a prefix of the other). Only a pair that passes is compared in full.
    #[must_use]
    pub fn may_reach(&self, restorer: &Self) -> bool {
        let agree = |a: &str, b: &str| a.starts_with(b) || b.starts_with(a);
        match (&self.space, &restorer.space) {
            (KeySpace::Written { key, .. }, KeySpace::Written { key: k, .. }) => {
                // A use without `key:` (a broken step) is not ruled out.
                let Some(w) = key.as_ref().and(self.leads.first()) else {
                    return true;
                };
                k.is_none() || restorer.leads.iter().any(|r| agree(w, r))
            }
            (KeySpace::Action { action, .. }, KeySpace::Action { action: a, .. }) => {
                action.eq_ignore_ascii_case(a)
            }
            _ => false,
        }
    }
}

/// Every cache use, by job and run order.
#[derive(Debug, Default)]
pub struct Caches {
    uses: Vec<CacheUse>,
}

impl Caches {
    /// Every use, by job node and position.
    pub fn iter(&self) -> impl Iterator<Item = &CacheUse> {
        self.uses.iter()
    }

    /// The uses of one job, in run order.
    pub fn of_job(&self, job: NodeId) -> impl Iterator<Item = &CacheUse> {
        let start = self.uses.partition_point(|u| u.job < job);
        self.uses[start..].iter().take_while(move |u| u.job == job)
    }
}

/// The cache uses the cache pass recorded in `graph` (empty for a graph built without it).
#[must_use]
pub fn of(graph: &Graph) -> &Caches {
    static EMPTY: Caches = Caches { uses: Vec::new() };
    graph.record::<Caches>().unwrap_or(&EMPTY)
}

impl tollgate_graph::Pass for Pass {
    fn name(&self) -> &'static str {
        "cache"
    }

    fn run(&self, scan: &Scan, graph: &mut Graph) -> Vec<Diagnostic> {
        let mut uses = Vec::new();
        let jobs: Vec<NodeId> = graph.jobs().collect();
        for job in jobs {
            let Some((job_id, job_if)) = graph
                .job_model(scan, job)
                .map(|(_, j)| (j.id.value.clone(), j.if_.clone()))
            else {
                continue;
            };
            let never = |c: Option<&tollgate_gha::Spanned<String>>| {
                c.is_some_and(|c| crate::tags::of(&c.value) == crate::tags::Tags::Never)
            };
            for (position, fs) in graph.job_steps(job).into_iter().enumerate() {
                let Some(step) = graph.step_model(scan, fs.step) else {
                    continue;
                };
                if let Some(u) = use_of(step, &job_id) {
                    uses.push(CacheUse {
                        step: fs.step,
                        job,
                        job_id: job_id.clone(),
                        workflow: graph.workflow_of(job),
                        position,
                        at: Origin::new(fs.input, u.at),
                        action: u.action,
                        detail: u.detail,
                        restores: u.restores,
                        writes: u.writes,
                        writes_during_step: u.writes_during_step,
                        never_on_tags: never(step.if_.as_ref()) || never(job_if.as_ref()),
                        leads: leads(&u.space),
                        space: u.space,
                    });
                }
            }
        }
        uses.sort_by_key(|u| (u.job, u.position));
        graph.set_record(Caches { uses });
        Vec::new()
    }
}

/// Whether a run of `job`'s workflow can be on a branch whose cache entries other
/// branches restore: any event but `pull_request` (whose entries stay in the pull
/// request's merge ref) and `merge_group` (the merge queue's temporary branch).
#[must_use]
pub fn writes_shared_scope(graph: &Graph, job: NodeId) -> bool {
    graph
        .workflow_of(job)
        .map(|w| graph.triggers_of(w))
        .unwrap_or_default()
        .into_iter()
        .any(|t| match graph.node(t).map(|n| &n.kind) {
            Some(tollgate_graph::NodeKind::Trigger { event, .. }) => {
                event != "pull_request" && event != "merge_group"
            }
            _ => false,
        })
}

/// See [`CacheUse::leads`].
fn leads(space: &KeySpace) -> Vec<String> {
    let KeySpace::Written { key, restore_keys } = space else {
        return Vec::new();
    };
    key.iter()
        .chain(restore_keys)
        .map(|k| {
            let k = k.trim_start();
            k.split("${{").next().unwrap_or(k).to_owned()
        })
        .collect()
}

/// A use before it is placed in the graph.
struct Use {
    at: tollgate_model::Span,
    action: String,
    detail: String,
    restores: bool,
    writes: bool,
    writes_during_step: bool,
    space: KeySpace,
}

/// The cache `step` uses, when it uses one with the cache on (`job` is the job's id).
fn use_of(step: &Step, job: &str) -> Option<Use> {
    let u = step.uses.as_ref()?;
    let Uses::Remote(r) = &u.value else {
        return None;
    };
    let kb = tollgate_kb::fallbacks().cache(&r.action())?;
    let with = |name: &Option<String>| {
        name.as_deref()
            .and_then(|i| step.with_value(i))
            .map(|kv| kv.value.value.clone())
    };
    let value = with(&kb.input);
    if !kb.enabled(&r.git_ref, value.as_deref()) {
        return None;
    }
    let writes = kb.writes(with(&kb.save_off_input).as_deref());
    let space = if kb.key_input.is_some() {
        KeySpace::Written {
            key: with(&kb.key_input),
            restore_keys: with(&kb.restore_keys_input)
                .map(|v| {
                    v.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        }
    } else {
        KeySpace::Action {
            action: kb.action.clone(),
            value: value.clone(),
            job: kb
                .job_scoped_unless
                .as_ref()
                .filter(|i| step.with_value(i).is_none())
                .map(|_| job.to_owned()),
        }
    };
    let detail = match (&kb.input, &value, &space) {
        (Some(i), Some(v), _) => format!("`{}` with `{i}: {}`", kb.action, v.trim()),
        (_, _, KeySpace::Written { key: Some(k), .. }) => {
            format!("`{}` with `key: {}`", kb.action, k.trim())
        }
        _ => format!("`{}`", kb.action),
    };
    Some(Use {
        at: u.span,
        action: kb.action.clone(),
        detail,
        restores: kb.restores,
        writes,
        writes_during_step: kb.saves_during_step,
        space,
    })
}

#[cfg(test)]
mod tests {
    use super::{CacheUse, KeySpace, Overlap, leads};
    use tollgate_graph::{InputId, NodeId, Origin};

    fn cache(space: KeySpace, job: &str) -> CacheUse {
        CacheUse {
            step: NodeId::new(0),
            job: NodeId::new(0),
            job_id: job.to_owned(),
            workflow: None,
            position: 0,
            at: Origin::new(InputId(0), tollgate_model::Span::default()),
            action: String::new(),
            detail: String::new(),
            restores: true,
            writes: true,
            writes_during_step: false,
            never_on_tags: false,
            leads: leads(&space),
            space,
        }
    }

    fn written(key: &str, restore: &[&str]) -> KeySpace {
        KeySpace::Written {
            key: Some(key.to_owned()),
            restore_keys: restore.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    fn action(name: &str, value: Option<&str>, job: Option<&str>) -> KeySpace {
        KeySpace::Action {
            action: name.to_owned(),
            value: value.map(str::to_owned),
            job: job.map(str::to_owned),
        }
    }

    #[test]
    fn uses_meet_only_in_the_same_key_space() {
        let pr = cache(written("cargo-${{ hashFiles('Cargo.lock') }}", &[]), "pr");
        let release = cache(written("release-${{ github.sha }}", &["cargo-"]), "release");
        let other = cache(written("docs-1", &["docs-"]), "docs");
        assert!(pr.may_reach(&release) && pr.reaches(&release) == Overlap::Same);
        assert!(!pr.may_reach(&other) && pr.reaches(&other) == Overlap::Disjoint);
        let node = |v| cache(action("actions/setup-node", Some(v), None), "a");
        assert_eq!(node("npm").reaches(&node("NPM")), Overlap::Same);
        assert_eq!(node("npm").reaches(&node("yarn")), Overlap::Disjoint);
        assert_eq!(node("npm").reaches(&pr), Overlap::Disjoint);
        // rust-cache keys hold the job id unless `shared-key:` replaces it.
        let rust = |job: &str, scoped: bool| {
            cache(
                action("Swatinem/rust-cache", None, scoped.then_some(job)),
                job,
            )
        };
        assert_eq!(
            rust("test", true).reaches(&rust("crate", true)),
            Overlap::Disjoint
        );
        assert_eq!(
            rust("crate", true).reaches(&rust("crate", true)),
            Overlap::Same
        );
        assert_eq!(
            rust("test", false).reaches(&rust("crate", false)),
            Overlap::Same
        );
    }
}

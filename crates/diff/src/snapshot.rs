//! One side of a diff: the facts of one tree's graph, taken from the analyses that own
//! them into sorted sets that [`crate::compare`] subtracts.

use std::collections::{BTreeMap, BTreeSet};

use tollgate_graph::{EdgeKind, Graph, Kind, NodeKind};
use tollgate_model::Finding;
use tollgate_scan::Scan;

/// What one side is built from: the scan, its graph (built with the passes), its findings
/// in their deterministic order and their fingerprints (`tollgate_report::fingerprint`),
/// one per finding.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    pub scan: &'a Scan,
    pub graph: &'a Graph,
    pub findings: &'a [Finding],
    pub fingerprints: &'a [String],
}

/// A delivery dependency of a job as the inventory names it, with its pin state: the
/// same reference pinned differently is another value, so a change of pin state shows
/// as one removed and one added.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dep {
    /// `action`, `reusable-workflow`, `image`, `toolchain`, `package-source`,
    /// `download`, `cache` (`tollgate_inventory::DependencyKind::as_str`).
    pub kind: &'static str,
    pub name: String,
    /// `Some(true)` pinned, `Some(false)` floating, `None` where pinning does not apply.
    pub pinned: Option<bool>,
    /// How it is pinned or why not (`commit SHA`, `tag v4`, `locked in actions.lock`).
    pub how: String,
}

/// One `on:` event of a workflow.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Trigger {
    pub event: String,
    /// Anyone can fire it and the run still gets a write token and the secrets
    /// (`pull_request_target`, `issue_comment`, `workflow_run`).
    pub untrusted_privileged: bool,
}

/// What one job trusts, holds and reaches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobFacts {
    pub dependencies: BTreeSet<Dep>,
    pub permissions: BTreeSet<String>,
    pub secrets: BTreeSet<String>,
    pub oidc: bool,
    pub hosts: BTreeSet<String>,
}

/// The facts of one tree.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// By (workflow path, job id).
    pub jobs: BTreeMap<(String, String), JobFacts>,
    /// The events of every workflow, by path (a workflow with no `on:` has an empty set).
    pub triggers: BTreeMap<String, BTreeSet<Trigger>>,
    /// Lockfile path → (ecosystem, package name) → the sources its entries resolve
    /// from (`registry https://…`, `git https://…`).
    pub lockfiles: BTreeMap<String, BTreeMap<(String, String), BTreeSet<String>>>,
    /// Findings by fingerprint.
    pub findings: BTreeMap<String, Finding>,
}

impl Snapshot {
    /// The facts of one side.
    #[must_use]
    pub fn of(side: Side<'_>) -> Self {
        let Side {
            scan,
            graph,
            findings,
            fingerprints,
        } = side;
        let mut snap = Self::default();
        for job in graph.jobs() {
            let jr = tollgate_inventory::job_ref(graph, job);
            if jr.workflow.is_empty() {
                continue;
            }
            let identity = tollgate_inventory::job_identity(scan, graph, job, jr.clone());
            let dependencies = tollgate_inventory::dependencies(graph, job)
                .iter()
                .map(|d| Dep {
                    kind: d.kind.as_str(),
                    name: d.name.clone(),
                    pinned: d.pinning.pinned,
                    how: d.pinning.how.to_string(),
                })
                .collect();
            let facts = JobFacts {
                dependencies,
                permissions: identity.permissions.into_iter().collect(),
                secrets: identity.secrets.into_iter().collect(),
                oidc: identity.oidc,
                hosts: identity.hosts.into_iter().collect(),
            };
            // Two jobs of one id cannot be in one workflow; a second would be a parse
            // the graph already reported, so the first stands.
            snap.jobs.entry((jr.workflow, jr.job)).or_insert(facts);
        }
        for w in graph.workflows() {
            let Some(NodeKind::Workflow { path, .. }) = graph.node(w).map(|n| &n.kind) else {
                continue;
            };
            let events = graph
                .triggers_of(w)
                .into_iter()
                .filter_map(|t| match graph.node(t).map(|n| &n.kind) {
                    Some(NodeKind::Trigger { event, .. }) => Some(Trigger {
                        event: event.clone(),
                        untrusted_privileged: graph.is_untrusted_privileged(t),
                    }),
                    _ => None,
                })
                .collect();
            snap.triggers.entry(path.clone()).or_insert(events);
        }
        for file in graph.nodes_of(Kind::Lockfile) {
            let Some(NodeKind::Lockfile { path, .. }) = graph.node(file).map(|n| &n.kind) else {
                continue;
            };
            let packages = snap.lockfiles.entry(path.clone()).or_default();
            for (e, pkg) in graph.out_edges(file) {
                if e.kind != EdgeKind::Contains {
                    continue;
                }
                let Some(NodeKind::Package {
                    ecosystem, name, ..
                }) = graph.node(pkg).map(|n| &n.kind)
                else {
                    continue;
                };
                let sources = packages
                    .entry((ecosystem.as_str().to_owned(), name.clone()))
                    .or_default();
                for (e, s) in graph.out_edges(pkg) {
                    if e.kind != EdgeKind::ResolvesFrom {
                        continue;
                    }
                    if let Some(NodeKind::Source { kind, url, .. }) = graph.node(s).map(|n| &n.kind)
                    {
                        sources.insert(format!("{} {url}", kind.as_str()));
                    }
                }
            }
        }
        for (f, fp) in findings.iter().zip(fingerprints) {
            snap.findings.entry(fp.clone()).or_insert_with(|| f.clone());
        }
        snap
    }

    /// The job ids of a workflow.
    pub(crate) fn jobs_in<'a>(&'a self, workflow: &'a str) -> impl Iterator<Item = &'a String> {
        self.jobs
            .range((workflow.to_owned(), String::new())..)
            .take_while(move |((w, _), _)| w == workflow)
            .map(|((_, j), _)| j)
    }
}

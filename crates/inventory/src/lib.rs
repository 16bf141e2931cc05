//! The delivery inventory: what a repository's pipelines depend on and what each job holds.
//!
//! [`build`] reads a scan and its graph and returns an [`Inventory`]: every delivery
//! dependency (remote actions, reusable workflows, toolchains, package sources, images,
//! downloads, the cache service) with the jobs that take it on, how it is pinned and what
//! the job falls back on when it fails (cache, mirror, vendored copy, retry); and every
//! job's identity (token permissions, secrets, OIDC, runner, environment, hosts reached).
//! Worst items come first: external dependencies without a fallback, then unpinned ones;
//! jobs with write tokens, OIDC and secrets.
//!
//! The per-job half runs once per run as a graph pass ([`Pass`], listed in
//! `tollgate_facts`); [`build`] and the `missing-fallback` rule read its record through
//! [`dependencies`], so the report and the rule never disagree. The renderers
//! (Markdown, JSON, CSV) are in `tollgate-report`: this crate only computes.

mod collect;
pub mod data;
mod identity;
mod model;
mod pass;
pub mod supply;

use std::collections::BTreeMap;

pub use collect::{is_platform_host, manager_ecosystem};
pub use identity::job_identity;
pub use model::{
    Dependency, DependencyKind, DependencyUse, Fallback, FallbackKind, Inventory, JobDependency,
    JobIdentity, JobRef, Pinning, Site, Totals,
};
pub use pass::{Deliveries, Pass, dependencies};
use tollgate_graph::{Graph, NodeId, NodeKind};
use tollgate_scan::Scan;

/// The job as humans name it: its workflow's path and its id.
#[must_use]
pub fn job_ref(graph: &Graph, job: NodeId) -> JobRef {
    let id = match graph.node(job).map(|n| &n.kind) {
        Some(NodeKind::Job { id, .. }) => id.clone(),
        _ => String::new(),
    };
    let workflow = graph
        .workflow_of(job)
        .and_then(|w| match graph.node(w).map(|n| &n.kind) {
            Some(NodeKind::Workflow { path, .. }) => Some(path.clone()),
            _ => None,
        })
        .unwrap_or_default();
    JobRef {
        workflow,
        job: id,
        node: job,
    }
}

/// Build the inventory of a scan from its graph, built with the passes
/// (`tollgate_facts::graph`): the delivery dependencies are the delivery pass's record.
#[must_use]
pub fn build(scan: &Scan, graph: &Graph) -> Inventory {
    let mut deps: BTreeMap<String, Dependency> = BTreeMap::new();
    let mut jobs = Vec::new();
    for job in graph.jobs() {
        let list = dependencies(graph, job);
        let jr = job_ref(graph, job);
        let mut identity = job_identity(scan, graph, job, jr.clone());
        identity.external_dependencies = list.iter().filter(|d| d.external).count();
        identity.without_fallback = list
            .iter()
            .filter(|d| d.external && d.fallbacks.is_empty())
            .count();
        jobs.push(identity);
        for d in list {
            let entry = deps.entry(d.key.clone()).or_insert_with(|| Dependency {
                kind: d.kind,
                key: d.key.clone(),
                name: d.name.clone(),
                ecosystem: d.ecosystem.clone(),
                hosts: d.hosts.clone(),
                external: d.external,
                note: d.note.clone(),
                uses: Vec::new(),
            });
            entry.uses.push(DependencyUse {
                job: jr.clone(),
                site: d.site.clone(),
                sites: d.sites,
                pinning: d.pinning.clone(),
                fallbacks: d.fallbacks.clone(),
            });
        }
    }
    let mut all: Vec<Dependency> = deps.into_values().collect();
    all.sort_by(|a, b| {
        let rank = |d: &Dependency| {
            (
                std::cmp::Reverse(d.uses_without_fallback()),
                std::cmp::Reverse(d.pinning().pinned == Some(false)),
                std::cmp::Reverse(d.external),
                std::cmp::Reverse(d.uses.len()),
            )
        };
        rank(a)
            .cmp(&rank(b))
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.key.cmp(&b.key))
    });
    jobs.sort_by(|a, b| {
        b.exposure()
            .cmp(&a.exposure())
            .then_with(|| a.job.cmp(&b.job))
    });
    let totals = totals(graph, &all, &jobs);
    Inventory {
        roots: scan
            .roots
            .iter()
            .map(|r| r.path.to_string_lossy().replace('\\', "/"))
            .collect(),
        dependencies: all,
        jobs,
        totals,
    }
}

fn totals(graph: &Graph, deps: &[Dependency], jobs: &[JobIdentity]) -> Totals {
    let mut by_kind: BTreeMap<DependencyKind, usize> = BTreeMap::new();
    for d in deps {
        *by_kind.entry(d.kind).or_default() += 1;
    }
    let mut hosts: Vec<&str> = jobs
        .iter()
        .flat_map(|j| j.hosts.iter().map(String::as_str))
        .collect();
    hosts.sort_unstable();
    hosts.dedup();
    Totals {
        workflows: graph.workflows().count(),
        jobs: jobs.len(),
        dependencies: deps.len(),
        external: deps.iter().filter(|d| d.external).count(),
        without_fallback: deps.iter().map(Dependency::uses_without_fallback).sum(),
        unpinned: deps
            .iter()
            .filter(|d| d.pinning().pinned == Some(false))
            .count(),
        by_kind: by_kind.into_iter().collect(),
        jobs_writing: jobs.iter().filter(|j| j.writes).count(),
        jobs_with_secrets: jobs.iter().filter(|j| !j.secrets.is_empty()).count(),
        jobs_with_oidc: jobs.iter().filter(|j| j.oidc).count(),
        self_hosted_jobs: jobs.iter().filter(|j| j.self_hosted).count(),
        jobs_without_timeout: jobs
            .iter()
            .filter(|j| j.timeout_minutes.is_none() && !j.calls_workflow)
            .count(),
        hosts: hosts.len(),
    }
}

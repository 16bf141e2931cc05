//! Reading the places that name package sources out of the graph (the `resolves-from`
//! edges and their `SourceNamings` record), for the rules that judge sources:
//! `unknown-package-source` and the plain-HTTP part of `insecure-transport`.

use tollgate_engine::Context;
use tollgate_graph::{Graph, NodeId, NodeKind, Origin, SourceNaming};
use tollgate_lockfile::{Ecosystem, SourceKind};
use tollgate_model::PathHop;

/// A source node's data.
pub struct SourceData<'g> {
    pub ecosystem: Option<Ecosystem>,
    pub kind: SourceKind,
    pub url: &'g str,
    pub default: bool,
}

/// The data of the source node `id`, if it is one.
#[must_use]
pub fn source(graph: &Graph, id: NodeId) -> Option<SourceData<'_>> {
    match &graph.node(id)?.kind {
        NodeKind::Source {
            ecosystem,
            kind,
            url,
            default,
        } => Some(SourceData {
            ecosystem: *ecosystem,
            kind: *kind,
            url,
            default: *default,
        }),
        _ => None,
    }
}

/// The namings whose place is in a file the configuration does not exclude (the file
/// hooks never see excluded files; a query over the whole graph must skip them too).
pub fn included<'g>(cx: &'g Context<'_>) -> impl Iterator<Item = &'g SourceNaming> + 'g {
    cx.graph
        .source_namings()
        .iter()
        .filter(|n| !cx.config.is_excluded(cx.graph.path(n.origin.input())))
}

/// The id of the job `node` (a job, a step of it or one of the step's commands)
/// belongs to; `None` for a workflow, a composite action's step, a file.
#[must_use]
pub fn job_of(graph: &Graph, mut node: NodeId) -> Option<&str> {
    // A command's parent is its step, a step's its job: two levels at most.
    for _ in 0..3 {
        match &graph.node(node)?.kind {
            NodeKind::Job { id, .. } => return Some(id),
            NodeKind::Step { .. } | NodeKind::Command { .. } => node = graph.node(node)?.parent?,
            _ => return None,
        }
    }
    None
}

/// The name of the package node `id`.
#[must_use]
pub fn package_name(graph: &Graph, id: NodeId) -> Option<&str> {
    match &graph.node(id)?.kind {
        NodeKind::Package { name, .. } => Some(name),
        _ => None,
    }
}

/// The path of a finding at a naming: the chain from a workflow to what names the
/// source, then the source itself at the place it is named (`last`: its label).
///
/// An install command or an `env:` block is reached from its workflow (workflow → job →
/// step → command; a composite action's step no workflow calls starts the chain). A
/// lockfile entry's chain runs through the install that reads the lockfile, the
/// lockfile the entry is in (the package node is shared between lockfiles) and the
/// package; a registry configuration's through the install it applies to. A lockfile or
/// configuration no workflow reaches has no path, as everywhere else.
#[must_use]
pub fn hops(graph: &Graph, naming: &SourceNaming, last: String) -> Vec<PathHop> {
    let from = naming.from;
    let nodes = match graph.node(from).map(|n| &n.kind) {
        Some(NodeKind::Package { .. }) => {
            let Some(mut v) = graph
                .file_node(naming.origin.input())
                .and_then(|f| graph.path_to(f))
            else {
                return Vec::new();
            };
            v.push(from);
            v
        }
        Some(NodeKind::Lockfile { .. } | NodeKind::RegistryConfig { .. }) => {
            let Some(v) = graph.path_to(from) else {
                return Vec::new();
            };
            v
        }
        _ => graph.path_to(from).unwrap_or_else(|| vec![from]),
    };
    let mut hops = graph.path_hops(&nodes);
    hops.push(PathHop {
        label: last,
        location: Some(graph.location(&naming.origin)),
    });
    hops
}

/// The display path of the file a naming is in.
#[must_use]
pub fn file_of(graph: &Graph, origin: Origin) -> &str {
    graph.path(origin.input())
}

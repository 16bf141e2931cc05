//! The supply view: what the workflows fetch, from where, and what falls back when the
//! source fails. One node per workflow; the external delivery dependencies of its jobs
//! grouped (actions by owner, toolchains by name, package sources per ecosystem, images by
//! registry, downloads by host), each group with the fallbacks its uses have; an edge
//! taken on without a fallback is drawn as a warning. Built from the delivery pass's
//! record, so it tells the same story as `tollgate inventory` and `missing-fallback`.

use std::collections::{BTreeMap, BTreeSet};

use tollgate_graph::{
    EdgeKind, Graph, NodeId, Overview, OverviewEdge, OverviewKind, OverviewNode, Tone,
};

use crate::{DependencyKind, FallbackKind, dependencies};

/// A group while it is collected.
#[derive(Default)]
struct Group {
    members: BTreeSet<String>,
    uses: usize,
    without: usize,
    fallbacks: BTreeSet<FallbackKind>,
}

/// The group a dependency is drawn in: its kind and name.
fn group_of(
    kind: DependencyKind,
    name: &str,
    ecosystem: Option<&str>,
    hosts: &[String],
) -> Option<(OverviewKind, String)> {
    let first_host = || hosts.first().cloned().unwrap_or_else(|| name.to_owned());
    Some(match kind {
        DependencyKind::Action | DependencyKind::ReusableWorkflow => (
            OverviewKind::Actions,
            name.split('/').next().unwrap_or(name).to_ascii_lowercase(),
        ),
        DependencyKind::Toolchain => (OverviewKind::Toolchain, name.to_owned()),
        DependencyKind::PackageSource => (
            OverviewKind::Sources,
            ecosystem.unwrap_or("other").to_owned(),
        ),
        DependencyKind::Image => (OverviewKind::Images, first_host()),
        DependencyKind::Download => (OverviewKind::Hosts, first_host()),
        // GitLab reads includes when it creates the pipeline: grouped by kind, as the
        // overview groups them.
        DependencyKind::Include => (
            OverviewKind::Includes,
            name.split(':').next().unwrap_or(name).to_owned(),
        ),
        // The cache service is a fallback, drawn as one.
        DependencyKind::Cache => return None,
    })
}

/// The supply view of the workflows `workflows` (every workflow when empty), from a
/// graph built with the passes.
#[must_use]
pub fn supply_overview(graph: &Graph, workflows: &[NodeId]) -> Overview {
    let chosen: Vec<NodeId> = if workflows.is_empty() {
        graph.workflows().collect()
    } else {
        workflows.to_vec()
    };
    let mut groups: BTreeMap<(OverviewKind, String), Group> = BTreeMap::new();
    // (workflow, group) → whether some use in it has no fallback.
    let mut links: BTreeMap<(NodeId, (OverviewKind, String)), bool> = BTreeMap::new();
    let mut jobs_of: BTreeMap<NodeId, usize> = BTreeMap::new();
    for &w in &chosen {
        let jobs = graph.jobs_of(w);
        jobs_of.insert(w, jobs.len());
        for j in jobs {
            for d in dependencies(graph, j) {
                if !d.external {
                    continue;
                }
                let Some(key) = group_of(d.kind, &d.name, d.ecosystem.as_deref(), &d.hosts) else {
                    continue;
                };
                let g = groups.entry(key.clone()).or_default();
                g.members.insert(d.name.clone());
                g.uses += 1;
                if d.fallbacks.is_empty() {
                    g.without += 1;
                }
                g.fallbacks.extend(d.fallbacks.iter().map(|f| f.kind));
                *links.entry((w, key)).or_default() |= d.fallbacks.is_empty();
            }
        }
    }
    let mut ov = Overview::default();
    let mut index: BTreeMap<NodeId, usize> = BTreeMap::new();
    for &w in &chosen {
        if !links.keys().any(|(x, _)| *x == w) {
            continue;
        }
        index.insert(w, ov.nodes.len());
        let mut node = graph.overview_workflow(w);
        let n = jobs_of[&w];
        if let Some(last) = node.lines.last_mut() {
            *last = format!("{last}, {n} job{}", if n == 1 { "" } else { "s" });
        }
        ov.nodes.push(node);
    }
    let mut group_index: BTreeMap<(OverviewKind, String), usize> = BTreeMap::new();
    let mut fallback_index: BTreeMap<FallbackKind, usize> = BTreeMap::new();
    for (key, g) in &groups {
        let i = ov.nodes.len();
        group_index.insert(key.clone(), i);
        ov.nodes.push(group_node(key, g));
        for f in &g.fallbacks {
            let to = *fallback_index.entry(*f).or_insert_with(|| {
                ov.nodes.push(OverviewNode {
                    kind: OverviewKind::Fallback,
                    lines: vec![format!("fallback: {}", f.as_str())],
                    tone: Tone::Good,
                    details: Vec::new(),
                    at: None,
                });
                ov.nodes.len() - 1
            });
            ov.edges.push(OverviewEdge {
                from: i,
                to,
                kind: EdgeKind::Uses,
                note: None,
            });
        }
    }
    for ((w, key), without) in &links {
        ov.edges.push(OverviewEdge {
            from: index[w],
            to: group_index[key],
            kind: EdgeKind::Uses,
            note: without.then_some("no fallback"),
        });
    }
    ov.edges.sort();
    ov.edges.dedup();
    ov
}

fn group_node(key: &(OverviewKind, String), g: &Group) -> OverviewNode {
    let n = g.members.len();
    let mut lines = vec![match key.0 {
        OverviewKind::Actions => format!("{}/*", key.1),
        OverviewKind::Sources => format!("{} sources", key.1),
        _ => key.1.clone(),
    }];
    if key.0 != OverviewKind::Toolchain || n > 1 {
        let what = match key.0 {
            OverviewKind::Actions => "reference",
            OverviewKind::Images => "image",
            OverviewKind::Hosts => "download",
            _ => "source",
        };
        lines.push(format!("{n} {what}{}", if n == 1 { "" } else { "s" }));
    }
    lines.push(if g.without == 0 {
        "every use has a fallback".to_owned()
    } else {
        format!("no fallback in {} of {} uses", g.without, g.uses)
    });
    OverviewNode {
        kind: key.0,
        lines,
        tone: if g.without == 0 {
            Tone::Good
        } else {
            Tone::Caution
        },
        details: g.members.iter().cloned().collect(),
        at: None,
    }
}

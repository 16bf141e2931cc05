//! Filtered views of the graph for diagrams: by workflow, by job, by node kind, and with
//! packages collapsed into their lockfiles, so a real repository's diagram stays readable.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::graph::Graph;
use crate::model::{EdgeKind, Kind, NodeId, NodeKind};

/// What to keep in a diagram. The default keeps everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GraphFilter {
    /// Keep only these workflows (by path, file name, file stem or `name:`) and what
    /// they lead to. Empty keeps all.
    pub workflows: Vec<String>,
    /// Keep only jobs with these ids (in the kept workflows) and what they lead to.
    pub jobs: Vec<String>,
    /// Keep only nodes of these kinds plus the workflows and jobs that lead to them;
    /// edges through dropped nodes are contracted. Empty keeps all kinds.
    pub kinds: Vec<Kind>,
    /// One node per lockfile instead of one per package: packages are dropped and their
    /// sources attached to the lockfile, with a count on the edge.
    pub collapse_packages: bool,
}

impl GraphFilter {
    /// Parse a comma-separated kind list (`action,image,host`).
    ///
    /// # Errors
    /// The first name that is not a kind, with the list of valid names.
    pub fn parse_kinds(list: &str) -> Result<Vec<Kind>, String> {
        let mut out = Vec::new();
        for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match Kind::parse(part) {
                Some(k) => {
                    if !out.contains(&k) {
                        out.push(k);
                    }
                }
                None => {
                    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                    return Err(format!(
                        "unknown node kind `{part}`; expected one of: {}",
                        names.join(", ")
                    ));
                }
            }
        }
        Ok(out)
    }
}

/// An edge of a view. `count` is above 1 for an edge standing for several (a lockfile's
/// packages resolving from one source).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ViewEdge {
    pub from: NodeId,
    pub to: NodeId,
    pub kind: EdgeKind,
    pub count: usize,
}

/// The nodes and edges a diagram shows, in id order, with the cluster structure.
#[derive(Debug)]
pub struct GraphView<'g> {
    pub graph: &'g Graph,
    pub nodes: Vec<NodeId>,
    pub edges: Vec<ViewEdge>,
    /// Filter values that matched nothing (`--workflow nope`), for the caller to report.
    pub unmatched: Vec<String>,
    /// For each node, the cluster head it is drawn in (a workflow, job or local action
    /// that is itself in the view).
    cluster: BTreeMap<NodeId, NodeId>,
    children: BTreeMap<Option<NodeId>, Vec<NodeId>>,
    heads: BTreeSet<NodeId>,
    /// Nodes left out of the graph's numbering in diagrams ([`GraphView::for_diagram`]),
    /// sorted.
    hidden: Vec<NodeId>,
}

fn workflow_matches(graph: &Graph, id: NodeId, pattern: &str) -> bool {
    let Some(NodeKind::Workflow { path, name }) = graph.node(id).map(|n| &n.kind) else {
        return false;
    };
    crate::util::workflow_matches(path, name.as_deref(), pattern)
}

/// Forward closure over every edge but `needs` and `triggers`, from `starts`.
fn closure(graph: &Graph, starts: &[NodeId], keep: &mut [bool]) {
    let mut stack: Vec<NodeId> = starts.to_vec();
    for s in starts {
        if let Some(k) = keep.get_mut(s.index()) {
            *k = true;
        }
    }
    while let Some(n) = stack.pop() {
        for (e, t) in graph.outgoing(n) {
            if matches!(e.kind, EdgeKind::Needs | EdgeKind::Triggers) {
                continue;
            }
            if let Some(k) = keep.get_mut(t.index())
                && !*k
            {
                *k = true;
                stack.push(t);
            }
        }
    }
}

impl Graph {
    /// The view a filter selects.
    #[must_use]
    pub fn view(&self, filter: &GraphFilter) -> GraphView<'_> {
        let n = self.node_count();
        let mut unmatched = Vec::new();
        let mut keep = vec![filter.workflows.is_empty() && filter.jobs.is_empty(); n];
        let mut workflows: Vec<NodeId> = self.workflows().collect();
        if !filter.workflows.is_empty() {
            workflows.retain(|w| {
                filter
                    .workflows
                    .iter()
                    .any(|p| workflow_matches(self, *w, p))
            });
            for p in &filter.workflows {
                if !workflows.iter().any(|w| workflow_matches(self, *w, p)) {
                    unmatched.push(p.clone());
                }
            }
        }
        if !filter.jobs.is_empty() {
            let jobs: Vec<NodeId> = workflows
                .iter()
                .flat_map(|w| self.jobs_of(*w))
                .filter(|j| {
                    matches!(self.node(*j).map(|n| &n.kind),
                        Some(NodeKind::Job { id, .. }) if filter.jobs.contains(id))
                })
                .collect();
            for p in &filter.jobs {
                let found = jobs.iter().any(|j| {
                    matches!(self.node(*j).map(|n| &n.kind), Some(NodeKind::Job { id, .. }) if id == p)
                });
                if !found {
                    unmatched.push(p.clone());
                }
            }
            closure(self, &jobs, &mut keep);
            for j in &jobs {
                if let Some(w) = self.workflow_of(*j)
                    && let Some(k) = keep.get_mut(w.index())
                {
                    *k = true;
                }
            }
        } else if !filter.workflows.is_empty() {
            closure(self, &workflows, &mut keep);
        }
        // Triggers of kept workflows.
        for t in self.nodes_of(Kind::Trigger) {
            if let Some(p) = self.node(t).and_then(|x| x.parent)
                && keep.get(p.index()).copied().unwrap_or(false)
                && let Some(k) = keep.get_mut(t.index())
            {
                *k = true;
            }
        }
        let mut edges: Vec<ViewEdge> = self
            .edges()
            .filter(|(f, t, _)| keep[f.index()] && keep[t.index()])
            .map(|(from, to, e)| ViewEdge {
                from,
                to,
                kind: e.kind,
                count: 1,
            })
            .collect();
        if filter.collapse_packages {
            collapse(self, &mut keep, &mut edges);
        }
        if !filter.kinds.is_empty() {
            // A built image is no dependency: contracting through a `builds` edge would
            // make a job that only builds look as if it reached an image.
            edges.retain(|e| e.kind != EdgeKind::Builds);
            contract(self, &filter.kinds, &mut keep, &mut edges);
        }
        edges.sort();
        edges.dedup_by(|a, b| a.from == b.from && a.to == b.to && a.kind == b.kind);
        let nodes: Vec<NodeId> = self.node_ids().filter(|i| keep[i.index()]).collect();
        let mut view = GraphView {
            graph: self,
            nodes,
            edges,
            unmatched,
            cluster: BTreeMap::new(),
            children: BTreeMap::new(),
            heads: BTreeSet::new(),
            hidden: Vec::new(),
        };
        view.clusters(&keep);
        view
    }
}

/// Drop packages; attach what they resolve from (sources, hosts) to the lockfiles that
/// contain them, counting packages per edge.
fn collapse(graph: &Graph, keep: &mut [bool], edges: &mut Vec<ViewEdge>) {
    let is_pkg = |id: NodeId| {
        graph
            .node(id)
            .is_some_and(|n| n.kind.kind() == Kind::Package)
    };
    let mut contains: BTreeMap<NodeId, Vec<NodeId>> = BTreeMap::new();
    let mut out_of: BTreeMap<NodeId, Vec<(NodeId, EdgeKind)>> = BTreeMap::new();
    for e in edges.iter() {
        if is_pkg(e.to) && e.kind == EdgeKind::Contains {
            contains.entry(e.from).or_default().push(e.to);
        }
        if is_pkg(e.from) {
            out_of.entry(e.from).or_default().push((e.to, e.kind));
        }
    }
    let mut counts: BTreeMap<(NodeId, NodeId, EdgeKind), usize> = BTreeMap::new();
    for (lock, pkgs) in &contains {
        for p in pkgs {
            for (to, kind) in out_of.get(p).map_or(&[][..], Vec::as_slice) {
                *counts.entry((*lock, *to, *kind)).or_default() += 1;
            }
        }
    }
    edges.retain(|e| !is_pkg(e.from) && !is_pkg(e.to));
    edges.extend(
        counts
            .into_iter()
            .map(|((from, to, kind), count)| ViewEdge {
                from,
                to,
                kind,
                count,
            }),
    );
    for id in graph.nodes_of(Kind::Package) {
        if let Some(k) = keep.get_mut(id.index()) {
            *k = false;
        }
    }
}

/// Keep only nodes of `kinds` plus the workflows and jobs leading to them; an edge from
/// a kept node through dropped nodes to a kept node becomes one edge with the kind of the
/// last hop.
fn contract(graph: &Graph, kinds: &[Kind], keep: &mut [bool], edges: &mut Vec<ViewEdge>) {
    let kind_of = |id: NodeId| graph.node(id).map(|n| n.kind.kind());
    let structural = |k: Option<Kind>| matches!(k, Some(Kind::Workflow | Kind::Job));
    let chosen = |k: Option<Kind>| k.is_some_and(|k| kinds.contains(&k));
    let n = keep.len();
    let kept: Vec<bool> = (0..n)
        .map(|i| {
            let id = NodeId::new(i);
            keep[i] && (chosen(kind_of(id)) || structural(kind_of(id)))
        })
        .collect();
    let mut adj: Vec<Vec<(NodeId, EdgeKind)>> = vec![Vec::new(); n];
    // A `requires` edge says what a step needs of the token, not what it leads to: a
    // contracted view neither keeps nor contracts through it (a job would otherwise be
    // kept for the permissions its steps need but it does not hold).
    for e in edges.iter().filter(|e| e.kind != EdgeKind::Requires) {
        if let Some(a) = adj.get_mut(e.from.index()) {
            a.push((e.to, e.kind));
        }
    }
    let mut out: BTreeSet<ViewEdge> = BTreeSet::new();
    for u in (0..n).filter(|i| kept[*i]).map(NodeId::new) {
        let mut seen = vec![false; n];
        let mut stack: Vec<NodeId> = vec![u];
        while let Some(x) = stack.pop() {
            for &(t, kind) in adj.get(x.index()).map_or(&[][..], Vec::as_slice) {
                if kept[t.index()] {
                    // Through dropped nodes, only structure-to-content edges make sense:
                    // never contract a path into another job's `needs`.
                    if x == u || kind != EdgeKind::Needs {
                        out.insert(ViewEdge {
                            from: u,
                            to: t,
                            kind,
                            count: 1,
                        });
                    }
                } else if !seen[t.index()] && kind != EdgeKind::Needs {
                    seen[t.index()] = true;
                    stack.push(t);
                }
            }
        }
    }
    // Prune workflows and jobs that lead to no chosen node (unless chosen themselves).
    let mut useful = vec![false; n];
    let mut radj: Vec<Vec<NodeId>> = vec![Vec::new(); n];
    for e in &out {
        if e.kind != EdgeKind::Needs {
            radj[e.to.index()].push(e.from);
        }
    }
    let mut queue: VecDeque<NodeId> = (0..n)
        .map(NodeId::new)
        .filter(|id| kept[id.index()] && chosen(kind_of(*id)))
        .collect();
    for id in &queue {
        useful[id.index()] = true;
    }
    while let Some(x) = queue.pop_front() {
        for &s in &radj[x.index()] {
            if !useful[s.index()] {
                useful[s.index()] = true;
                queue.push_back(s);
            }
        }
    }
    for (i, k) in keep.iter_mut().enumerate() {
        *k = kept[i] && useful[i];
    }
    *edges = out
        .into_iter()
        .filter(|e| keep[e.from.index()] && keep[e.to.index()])
        .collect();
}

impl<'g> GraphView<'g> {
    fn clusters(&mut self, keep: &[bool]) {
        let in_view = |id: NodeId| keep.get(id.index()).copied().unwrap_or(false);
        for &id in &self.nodes {
            let Some(node) = self.graph.node(id) else {
                continue;
            };
            if matches!(node.kind.kind(), Kind::Workflow | Kind::Job) {
                self.heads.insert(id);
            }
            let mut cur = node.parent;
            let mut depth = 0;
            while let Some(p) = cur {
                depth += 1;
                if depth > 16 {
                    break;
                }
                let Some(pn) = self.graph.node(p) else { break };
                if in_view(p) && matches!(pn.kind.kind(), Kind::Workflow | Kind::Job | Kind::Action)
                {
                    self.cluster.insert(id, p);
                    self.heads.insert(p);
                    break;
                }
                cur = pn.parent;
            }
        }
        for &id in &self.nodes {
            self.children
                .entry(self.cluster.get(&id).copied())
                .or_default()
                .push(id);
        }
    }

    /// The cluster head a node is drawn in (for a head: its enclosing cluster).
    #[must_use]
    pub fn cluster_of(&self, id: NodeId) -> Option<NodeId> {
        self.cluster.get(&id).copied()
    }

    /// Whether a node heads a cluster (a workflow, a job, a local action with steps).
    #[must_use]
    pub fn is_cluster_head(&self, id: NodeId) -> bool {
        self.heads.contains(&id)
    }

    /// The members of a cluster (or, for `None`, the top level), in id order.
    #[must_use]
    pub fn members(&self, head: Option<NodeId>) -> &[NodeId] {
        self.children.get(&head).map_or(&[], Vec::as_slice)
    }

    /// Node kinds present, in kind order (for legends).
    #[must_use]
    pub fn kinds(&self) -> Vec<Kind> {
        let set: BTreeSet<Kind> = self
            .nodes
            .iter()
            .filter_map(|n| self.graph.node(*n).map(|x| x.kind.kind()))
            .collect();
        set.into_iter().collect()
    }

    /// The view as the DOT and Mermaid diagrams draw it: without `builds` edges and the
    /// images only they reach (what a job makes is not a dependency, and diagrams show
    /// dependencies), and numbered by [`GraphView::diagram_id`] as if those images were
    /// not in the graph, so a diagram does not change when a job builds an image.
    #[must_use]
    pub fn for_diagram(&self) -> Self {
        let hidden = self.graph.built_only_images();
        let shown = |n: &NodeId| hidden.binary_search(n).is_err();
        Self {
            graph: self.graph,
            nodes: self.nodes.iter().copied().filter(shown).collect(),
            edges: self
                .edges
                .iter()
                .filter(|e| e.kind != EdgeKind::Builds && shown(&e.from) && shown(&e.to))
                .copied()
                .collect(),
            unmatched: self.unmatched.clone(),
            cluster: self
                .cluster
                .iter()
                .filter(|(n, _)| shown(n))
                .map(|(n, h)| (*n, *h))
                .collect(),
            children: self
                .children
                .iter()
                .map(|(h, m)| (*h, m.iter().copied().filter(shown).collect()))
                .collect(),
            heads: self.heads.iter().copied().filter(shown).collect(),
            hidden,
        }
    }

    /// The number a diagram names node `id` by: its id, less the hidden nodes before it.
    #[must_use]
    pub fn diagram_id(&self, id: NodeId) -> usize {
        id.index() - self.hidden.partition_point(|h| *h < id)
    }

    /// The view without nodes of `kinds` and edges of `edge_kinds` (nor edges touching a
    /// node dropped): what diagrams draw of facts that have no view of their own yet.
    #[must_use]
    pub fn without(&self, kinds: &[Kind], edge_kinds: &[EdgeKind]) -> GraphView<'g> {
        let dropped = |id: &NodeId| {
            self.graph
                .node(*id)
                .is_some_and(|n| kinds.contains(&n.kind.kind()))
        };
        GraphView {
            graph: self.graph,
            nodes: self.nodes.iter().copied().filter(|n| !dropped(n)).collect(),
            edges: self
                .edges
                .iter()
                .copied()
                .filter(|e| !edge_kinds.contains(&e.kind) && !dropped(&e.from) && !dropped(&e.to))
                .collect(),
            unmatched: self.unmatched.clone(),
            cluster: self
                .cluster
                .iter()
                .filter(|(n, _)| !dropped(n))
                .map(|(n, h)| (*n, *h))
                .collect(),
            children: self
                .children
                .iter()
                .map(|(h, v)| (*h, v.iter().copied().filter(|n| !dropped(n)).collect()))
                .collect(),
            heads: self.heads.iter().copied().filter(|n| !dropped(n)).collect(),
            hidden: self.hidden.clone(),
        }
    }

    /// Edge kinds present, in kind order (for legends).
    #[must_use]
    pub fn edge_kinds(&self) -> Vec<EdgeKind> {
        let set: BTreeSet<EdgeKind> = self.edges.iter().map(|e| e.kind).collect();
        set.into_iter().collect()
    }
}

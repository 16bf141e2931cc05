//! What the DOT and Mermaid diagrams draw of a graph view: everything but the `requires`
//! edges (what a step needs of the token, which the JSON output keeps) and the permission
//! nodes no drawn edge touches (needed by some step, held by no job in the view). A
//! diagram shows what pipelines depend on and hold; drawing every step's needs as well
//! would double the permission edges of every job.

use std::collections::BTreeSet;

use tollgate_graph::{EdgeKind, GraphView, Kind, NodeId, ViewEdge};

/// A view as a diagram draws it.
pub(crate) struct Drawn<'v, 'g> {
    pub view: &'v GraphView<'g>,
    /// Permission nodes in the view that no drawn edge touches.
    hidden: BTreeSet<NodeId>,
}

impl<'v, 'g> Drawn<'v, 'g> {
    pub fn new(view: &'v GraphView<'g>) -> Self {
        let drawn: BTreeSet<NodeId> = view
            .edges
            .iter()
            .filter(|e| e.kind != EdgeKind::Requires)
            .flat_map(|e| [e.from, e.to])
            .collect();
        let hidden = view
            .nodes
            .iter()
            .copied()
            .filter(|n| {
                !drawn.contains(n)
                    && view
                        .graph
                        .node(*n)
                        .is_some_and(|x| matches!(x.kind.kind(), Kind::Permission | Kind::Oidc))
            })
            .collect();
        Self { view, hidden }
    }

    /// The edges drawn, in view order.
    pub fn edges(&self) -> impl Iterator<Item = &'v ViewEdge> + '_ {
        self.view
            .edges
            .iter()
            .filter(|e| e.kind != EdgeKind::Requires)
    }

    /// The nodes drawn, in id order.
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.view
            .nodes
            .iter()
            .copied()
            .filter(|n| !self.hidden.contains(n))
    }

    /// The members of a cluster (or the top level) that are drawn.
    pub fn members(&self, head: Option<NodeId>) -> impl Iterator<Item = NodeId> + '_ {
        self.view
            .members(head)
            .iter()
            .copied()
            .filter(|n| !self.hidden.contains(n))
    }

    /// Node kinds drawn, in kind order (for legends).
    pub fn kinds(&self) -> Vec<Kind> {
        let set: BTreeSet<Kind> = self
            .nodes()
            .filter_map(|n| self.view.graph.node(n).map(|x| x.kind.kind()))
            .collect();
        set.into_iter().collect()
    }
}

//! The permission nodes the DOT and Mermaid diagrams leave out: those no drawn edge
//! touches, needed by some step (a `requires` edge, which [`crate::dot::diagram`] drops
//! with the other facts diagrams do not draw yet) but held by no job in the view. A
//! diagram shows what pipelines depend on and hold; the JSON output keeps the needs.

use std::collections::BTreeSet;

use tollgate_graph::{GraphView, Kind, NodeId, ViewEdge};

/// A view as a diagram draws it.
pub(crate) struct Drawn<'v, 'g> {
    pub view: &'v GraphView<'g>,
    /// Permission nodes in the view that no drawn edge touches.
    hidden: BTreeSet<NodeId>,
}

impl<'v, 'g> Drawn<'v, 'g> {
    /// `view` is what [`crate::dot::diagram`] leaves of a view: no `requires` edges.
    pub fn new(view: &'v GraphView<'g>) -> Self {
        let drawn: BTreeSet<NodeId> = view.edges.iter().flat_map(|e| [e.from, e.to]).collect();
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
        self.view.edges.iter()
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

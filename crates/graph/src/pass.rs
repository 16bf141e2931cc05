//! Passes: analyses that run once over the built graph and write what they derive back
//! into it, as nodes and edges and as one typed record each, so that every command and
//! rule reads the same facts instead of deriving them again.
//!
//! [`Graph::build`] lays out what the files say (workflows, jobs, steps, actions,
//! commands, lockfiles, packages, sources, secrets, permissions). A pass adds what needs
//! that structure and the knowledge base: the egress pass (`tollgate_egress::Pass`) adds
//! the hosts each job reaches. [`Graph::build_with`] runs the structural build and then
//! the passes in order.

use std::any::{Any, TypeId};
use std::collections::HashMap;

use tollgate_model::Diagnostic;
use tollgate_scan::Scan;

use crate::graph::Graph;
use crate::model::{Access, Edge, EdgeKind, Node, NodeId, NodeKind, Origin};

/// An analysis over the built graph that writes its facts into it.
pub trait Pass: Sync {
    /// A short name, for `--timings` ([`Graph::pass_times`]).
    fn name(&self) -> &'static str;

    /// Derive the pass's facts from the scan and the graph built so far, and add them
    /// (nodes, edges, [`Graph::set_record`]). Problems are returned as diagnostics.
    fn run(&self, scan: &Scan, graph: &mut Graph) -> Vec<Diagnostic>;
}

/// The typed records passes leave in the graph, one per type.
#[derive(Default)]
pub(crate) struct Records {
    slots: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
}

impl std::fmt::Debug for Records {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Records({})", self.slots.len())
    }
}

impl Graph {
    /// Build the graph of a scan, then run `passes` over it in order.
    #[must_use]
    pub fn build_with(scan: &Scan, passes: &[&dyn Pass]) -> (Self, Vec<Diagnostic>) {
        let (mut graph, mut diagnostics) = Self::build(scan);
        for p in passes {
            let started = std::time::Instant::now();
            diagnostics.extend(p.run(scan, &mut graph));
            graph.pass_times.push((p.name(), started.elapsed()));
        }
        // The passes add nodes and edges to tables sized for the structure, which then
        // grow by doubling; the graph lives as long as the run.
        if !passes.is_empty() {
            graph.inner.shrink_to_fit();
        }
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        (graph, diagnostics)
    }

    /// How long each pass took, in the order they ran.
    #[must_use]
    pub fn pass_times(&self) -> &[(&'static str, std::time::Duration)] {
        &self.pass_times
    }

    /// Keep a pass's record (replacing an earlier one of the same type).
    pub fn set_record<T: Any + Send + Sync>(&mut self, record: T) {
        self.records
            .slots
            .insert(TypeId::of::<T>(), Box::new(record));
    }

    /// The record a pass left, if that pass ran.
    #[must_use]
    pub fn record<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.records
            .slots
            .get(&TypeId::of::<T>())
            .and_then(|b| b.downcast_ref::<T>())
    }

    /// The host node named `name`, added at `origin` (where it is first named) if the
    /// graph has none.
    pub fn host_node(&mut self, name: &str, origin: Option<Origin>) -> NodeId {
        if let Some(&n) = self.hosts.get(name) {
            return n;
        }
        let n = self.inner.add_node(Node {
            kind: NodeKind::Host {
                name: name.to_owned(),
            },
            origin,
            parent: None,
        });
        self.hosts.insert(name.to_owned(), n);
        n
    }

    /// The node standing for untrusted code of kind `what` (`pull request head`), added
    /// at `origin` (where it is first checked out) if the graph has none.
    pub fn code_node(&mut self, what: &str, origin: Option<Origin>) -> NodeId {
        if let Some(n) = self
            .nodes_of(crate::model::Kind::Code)
            .find(|&n| matches!(self.node(n).map(|x| &x.kind), Some(NodeKind::Code { what: w }) if w == what))
        {
            return n;
        }
        self.inner.add_node(Node {
            kind: NodeKind::Code {
                what: what.to_owned(),
            },
            origin,
            parent: None,
        })
    }

    /// Add a node of `kind` at `origin`, with no parent: for a pass whose nodes are
    /// shared by name and which keeps its own index of them (the flow pass's values), so
    /// that finding one is not a walk over every node of the graph.
    pub fn add_node(&mut self, kind: NodeKind, origin: Option<Origin>) -> NodeId {
        self.inner.add_node(Node {
            kind,
            origin,
            parent: None,
        })
    }

    /// The node of permission `scope` at `access`, added at `origin` if the graph has
    /// none. `id-token: write` is the OIDC node, as the build writes a held scope, so
    /// that what a job holds and what its steps need meet at the same nodes.
    pub fn permission_node(
        &mut self,
        scope: &str,
        access: Access,
        origin: Option<Origin>,
    ) -> NodeId {
        let key = (scope.to_owned(), access);
        if let Some(&n) = self.permissions.get(&key) {
            return n;
        }
        let kind = if scope == "id-token" && access == Access::Write {
            NodeKind::Oidc
        } else {
            NodeKind::Permission {
                scope: scope.to_owned(),
                access,
            }
        };
        let n = self.inner.add_node(Node {
            kind,
            origin,
            parent: None,
        });
        self.permissions.insert(key, n);
        n
    }

    /// Make room for `additional` more edges (a pass about to add many).
    pub fn reserve_edges(&mut self, additional: usize) {
        self.inner.reserve_edges(additional);
    }

    /// Add an edge `from → to` of `kind` created at `origin`. A pass adds each fact once
    /// (the graph does not look for an equal edge: that walk, per edge, was most of the
    /// egress pass's time on large scans).
    pub fn add_edge(&mut self, from: NodeId, to: NodeId, kind: EdgeKind, origin: Option<Origin>) {
        self.inner.add_edge(from, to, Edge { kind, origin });
    }

    /// The hosts `job` reaches (the targets of its `reaches` edges), sorted by name.
    #[must_use]
    pub fn hosts_of(&self, job: NodeId) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .out_edges(job)
            .filter(|(e, _)| e.kind == EdgeKind::Reaches)
            .filter_map(|(_, t)| match &self.node(t)?.kind {
                NodeKind::Host { name } => Some(name.as_str()),
                _ => None,
            })
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

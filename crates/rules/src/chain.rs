//! The dependency path a finding ends, read from the graph: the chain from a trigger or
//! workflow through the job, the local composite actions and the step, to what the step
//! runs, pulls or reaches. Renderers show it as SARIF `codeFlows`, JSON `path` and a
//! compact line in the human output.

use tollgate_engine::Context;
use tollgate_graph::{Graph, InputId, NodeId};
use tollgate_model::{Location, PathHop};
use tollgate_scan::Input;

/// Hops of a path under construction.
#[derive(Clone, Debug, Default)]
pub struct Chain {
    hops: Vec<PathHop>,
}

impl Chain {
    /// The chain that leads to step `index` of job `job` (`None` in a composite action)
    /// of `input`: workflow → job → (calling steps and local actions) → step. A step of
    /// an action that no workflow reaches starts at the step itself.
    #[must_use]
    pub fn to_step(cx: &Context<'_>, input: &Input, job: Option<usize>, index: usize) -> Self {
        let mut c = Self::default();
        let Some(id) = cx.scan.index_of(input) else {
            return c;
        };
        let Some(step) = cx.graph.step_node(InputId(id), job, index) else {
            return c;
        };
        match cx.graph.path_to(step) {
            Some(nodes) => c.extend_nodes(cx.graph, &nodes),
            None => c.push_node(cx.graph, step),
        }
        c
    }

    /// The chain that leads to job `job` of the workflow at `input`: workflow → job.
    #[must_use]
    pub fn to_job(cx: &Context<'_>, input: &Input, job: &str) -> Self {
        let mut c = Self::default();
        if let Some(j) = cx.graph.job_node(&input.source.display, job) {
            match cx.graph.path_to(j) {
                Some(nodes) => c.extend_nodes(cx.graph, &nodes),
                None => c.push_node(cx.graph, j),
            }
        }
        c
    }

    /// The graph node of step `index` of job `job` in `input`, when there is one.
    #[must_use]
    pub fn step_node(
        cx: &Context<'_>,
        input: &Input,
        job: Option<usize>,
        index: usize,
    ) -> Option<NodeId> {
        let id = cx.scan.index_of(input)?;
        cx.graph.step_node(InputId(id), job, index)
    }

    /// Add a hop.
    #[must_use]
    pub fn hop(mut self, label: impl Into<String>, location: Option<Location>) -> Self {
        self.hops.push(PathHop {
            label: label.into(),
            location,
        });
        self
    }

    /// Put a hop first (a trigger before the workflow).
    #[must_use]
    pub fn first(mut self, label: impl Into<String>, location: Option<Location>) -> Self {
        self.hops.insert(
            0,
            PathHop {
                label: label.into(),
                location,
            },
        );
        self
    }

    /// Drop the last hop (a step, when what follows is written inside it).
    #[must_use]
    pub fn pop(mut self) -> Self {
        self.hops.pop();
        self
    }

    /// The hops, in order.
    #[must_use]
    pub fn into_hops(self) -> Vec<PathHop> {
        self.hops
    }

    /// The chain to the step as in [`to_step`](Self::to_step), ending at what the step
    /// `uses:` (the action or reusable workflow, located at the `uses:` value) instead of
    /// the step itself.
    #[must_use]
    pub fn to_uses(cx: &Context<'_>, input: &Input, job: Option<usize>, index: usize) -> Self {
        let mut c = Self::default();
        let Some(step) = Self::step_node(cx, input, job, index) else {
            return c;
        };
        let mut nodes = cx.graph.path_to(step).unwrap_or_else(|| vec![step]);
        if let Some(t) = cx.graph.uses_target(step) {
            nodes.push(t);
        }
        c.extend_nodes(cx.graph, &nodes);
        c
    }

    /// The chain to a job that calls a reusable workflow, ending at the workflow called.
    #[must_use]
    pub fn to_called(cx: &Context<'_>, input: &Input, job: &str) -> Self {
        let mut c = Self::default();
        let Some(j) = cx.graph.job_node(&input.source.display, job) else {
            return c;
        };
        let mut nodes = cx.graph.path_to(j).unwrap_or_else(|| vec![j]);
        if let Some(t) = cx.graph.uses_target(j) {
            nodes.push(t);
        }
        c.extend_nodes(cx.graph, &nodes);
        c
    }

    fn extend_nodes(&mut self, graph: &Graph, nodes: &[NodeId]) {
        self.hops.extend(graph.path_hops(nodes));
    }

    fn push_node(&mut self, graph: &Graph, node: NodeId) {
        self.hops.extend(graph.path_hops(&[node]));
    }
}

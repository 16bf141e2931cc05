//! The dependency path a finding ends, read from the graph: the chain from a trigger or
//! workflow through the job, the local composite actions and the step, to what the step
//! runs, pulls or reaches. Renderers show it as SARIF `codeFlows`, JSON `path` and a
//! compact line in the human output.

use tollgate_engine::{Context, ScriptCx};
use tollgate_graph::{InputId, NodeId};
use tollgate_model::{Location, PathHop};
use tollgate_scan::Input;

/// Hops of a path under construction.
#[derive(Clone, Debug, Default)]
pub struct Chain {
    hops: Vec<PathHop>,
}

impl Chain {
    /// The chain that leads to `node` (workflow → job → … → node), optionally ending at
    /// what it `uses:` instead (see [`tollgate_graph::Graph::path_hops`]). A node no
    /// workflow reaches (a step of an action nobody calls) starts the chain itself.
    fn to_node(cx: &Context<'_>, node: Option<NodeId>, through_uses: bool) -> Self {
        let Some(node) = node else {
            return Self::default();
        };
        let mut nodes = cx.graph.path_to(node).unwrap_or_else(|| vec![node]);
        if through_uses && let Some(t) = cx.graph.uses_target(node) {
            nodes.push(t);
        }
        Self {
            hops: cx.graph.path_hops(&nodes),
        }
    }

    /// The chain that leads to `node` (a job, step, command or local action): workflow →
    /// job → … → node.
    #[must_use]
    pub fn to(cx: &Context<'_>, node: NodeId) -> Self {
        Self::to_node(cx, Some(node), false)
    }

    /// The chain that leads to step `index` of job `job` (`None` in a composite action)
    /// of `input`: workflow → job → (calling steps and local actions) → step.
    #[must_use]
    pub fn to_step(cx: &Context<'_>, input: &Input, job: Option<usize>, index: usize) -> Self {
        Self::to_node(cx, Self::step_node(cx, input, job, index), false)
    }

    /// The chain that leads to a script: to its step as [`to_step`](Self::to_step) does,
    /// or, for a Dockerfile `RUN`, to the Dockerfile (through the workflow step that
    /// builds it, when the graph knows one) and then the `RUN`.
    #[must_use]
    pub fn to_script(cx: &Context<'_>, script: &ScriptCx<'_>) -> Self {
        let chain = Self::to_node(cx, script.node(cx), false);
        match script {
            ScriptCx::Step(_) | ScriptCx::Gitlab(_) => chain,
            ScriptCx::Run(r) => {
                chain.hop("`RUN`", Some(script.input().source.location(r.run.keyword)))
            }
        }
    }

    /// The chain to the step as in [`to_step`](Self::to_step), ending at what the step
    /// `uses:` (the action or reusable workflow, located at the `uses:` value) instead of
    /// the step itself.
    #[must_use]
    pub fn to_uses(cx: &Context<'_>, input: &Input, job: Option<usize>, index: usize) -> Self {
        Self::to_node(cx, Self::step_node(cx, input, job, index), true)
    }

    /// The chain that leads to job `job` of the workflow at `input`: workflow → job.
    #[must_use]
    pub fn to_job(cx: &Context<'_>, input: &Input, job: &str) -> Self {
        Self::to_node(cx, cx.graph.job_node(&input.source.display, job), false)
    }

    /// The chain to a job that calls a reusable workflow, ending at the workflow called.
    #[must_use]
    pub fn to_called(cx: &Context<'_>, input: &Input, job: &str) -> Self {
        Self::to_node(cx, cx.graph.job_node(&input.source.display, job), true)
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
}

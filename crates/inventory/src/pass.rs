//! The delivery pass: the delivery dependencies of every job (what it takes on, how it is
//! pinned, what it falls back on), derived once per run and kept as the graph's record,
//! so that `tollgate inventory` and the `missing-fallback` rule read the same list.
//!
//! It runs after the egress pass (`tollgate_facts` lists the passes in order): the hosts
//! of a dependency are the ones the knowledge base and the graph name.

use std::collections::HashMap;

use tollgate_graph::{Graph, NodeId};
use tollgate_model::Diagnostic;
use tollgate_scan::Scan;

use crate::JobDependency;
use crate::collect::all_job_dependencies;

/// The delivery pass (see the module documentation).
pub struct Pass;

/// The record the pass leaves: every job's dependencies, by job node.
#[derive(Debug, Default)]
pub struct Deliveries {
    jobs: HashMap<NodeId, Vec<JobDependency>>,
}

impl tollgate_graph::Pass for Pass {
    fn name(&self) -> &'static str {
        "delivery"
    }

    fn run(&self, scan: &Scan, graph: &mut Graph) -> Vec<Diagnostic> {
        let jobs: Vec<NodeId> = graph.jobs().collect();
        let record = Deliveries {
            jobs: all_job_dependencies(scan, graph, &jobs)
                .into_iter()
                .collect(),
        };
        graph.set_record(record);
        Vec::new()
    }
}

/// The delivery dependencies of the job at `job`, one per distinct dependency in order of
/// first appearance, as the delivery pass recorded them (empty for a node that is not a
/// job, or for a graph built without the pass).
#[must_use]
pub fn dependencies(graph: &Graph, job: NodeId) -> &[JobDependency] {
    graph
        .record::<Deliveries>()
        .and_then(|d| d.jobs.get(&job))
        .map_or(&[], Vec::as_slice)
}

//! The egress pass: the outbound destinations of every job, derived once and written into
//! the graph, so that `check`, `graph`, `inventory` and `egress` read the same hosts.
//!
//! For every job with steps, each destination outside GitHub's own service becomes a
//! `host` node with a `reaches` edge from the job, created at the place that names it (the
//! URL in a script, the `uses:` value, the lockfile entry, the image). A host found by
//! following a step into a Makefile, a script or a Dockerfile also gets the path through
//! that file: a `runs` edge from the step's command (or step) to the file's node, and a
//! `reaches` edge from the file to the host. GitHub's own
//! service endpoints, which every job reaches, stay out of the graph: they are in the
//! record with their provenance. The whole analysis (provenance, unresolved destinations,
//! unknown actions, harden-runner steps) is the pass's record, [`crate::Egress`].

use tollgate_graph::{EdgeKind, Graph, NodeId, NodeKind, Origin};
use tollgate_model::{Diagnostic, Location};
use tollgate_scan::Scan;

use crate::{Egress, infer};

/// The egress pass (see the module documentation).
pub struct Pass;

impl tollgate_graph::Pass for Pass {
    fn name(&self) -> &'static str {
        "egress"
    }

    fn run(&self, scan: &Scan, graph: &mut Graph) -> Vec<Diagnostic> {
        let jobs = infer::analyze_jobs(scan, graph);
        graph.reserve_edges(jobs.iter().map(|(_, e)| e.destinations.len()).sum());
        // Edges through followed files, each once: (from, to, kind).
        let mut through: std::collections::HashSet<(NodeId, NodeId, EdgeKind)> =
            std::collections::HashSet::new();
        for (job, e) in &jobs {
            // Destinations are sorted by host, then port: one edge per host.
            let mut last: Option<&str> = None;
            for d in e.external() {
                if last == Some(d.host.as_str()) {
                    continue;
                }
                last = Some(&d.host);
                let origin = d
                    .provenance
                    .iter()
                    .filter(|p| !p.platform)
                    .find_map(|p| p.location.as_ref())
                    .and_then(|l| origin_of(graph, l));
                let host = graph.host_node(&d.host, origin);
                graph.add_edge(*job, host, EdgeKind::Reaches, origin);
                for p in d.provenance.iter().filter(|p| !p.platform) {
                    followed(graph, p, host, &mut through);
                }
            }
        }
        graph.set_record(Egress {
            jobs: jobs.into_iter().map(|(_, e)| e).collect(),
        });
        Vec::new()
    }
}

/// The path step → followed file → host of a reason found in a Makefile, a script or a
/// Dockerfile the step runs (its location is in that file, its step in the workflow).
fn followed(
    graph: &mut Graph,
    p: &crate::Provenance,
    host: NodeId,
    seen: &mut std::collections::HashSet<(NodeId, NodeId, EdgeKind)>,
) {
    let (Some(at), Some(step)) = (&p.location, &p.step) else {
        return;
    };
    if at.path == step.path {
        return;
    }
    let Some(file) = graph
        .input_id(&at.path)
        .and_then(|i| graph.file_node(i))
        .filter(|&n| {
            matches!(
                graph.node(n).map(|n| &n.kind),
                Some(NodeKind::Script { .. } | NodeKind::Dockerfile { .. })
            )
        })
    else {
        return;
    };
    let Some(from) = graph.enclosing(&step.path, step.span) else {
        return;
    };
    let runs = origin_of(graph, step);
    if seen.insert((from, file, EdgeKind::Runs)) {
        graph.add_edge(from, file, EdgeKind::Runs, runs);
    }
    if seen.insert((file, host, EdgeKind::Reaches)) {
        graph.add_edge(file, host, EdgeKind::Reaches, origin_of(graph, at));
    }
}

fn origin_of(graph: &Graph, at: &Location) -> Option<Origin> {
    Some(Origin::new(graph.input_id(&at.path)?, at.span))
}

/// The egress of every job, as the egress pass recorded it in `graph` (empty for a graph
/// built without the pass).
#[must_use]
pub fn of(graph: &Graph) -> &Egress {
    static EMPTY: Egress = Egress { jobs: Vec::new() };
    graph.record::<Egress>().unwrap_or(&EMPTY)
}

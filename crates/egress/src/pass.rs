//! The egress pass: the outbound destinations of every job, derived once and written into
//! the graph, so that `check`, `graph`, `inventory` and `egress` read the same hosts.
//!
//! For every job with steps, each destination outside GitHub's own service becomes a
//! `host` node with a `reaches` edge from the job, created at the place that names it (the
//! URL in a script, the `uses:` value, the lockfile entry, the image). GitHub's own
//! service endpoints, which every job reaches, stay out of the graph: they are in the
//! record with their provenance. The whole analysis (provenance, unresolved destinations,
//! unknown actions, harden-runner steps) is the pass's record, [`crate::Egress`].

use tollgate_graph::{EdgeKind, Graph, Origin};
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
            }
        }
        graph.set_record(Egress {
            jobs: jobs.into_iter().map(|(_, e)| e).collect(),
        });
        Vec::new()
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

//! Rules about where jobs may connect: whether a job's egress is controlled at all,
//! destinations outside the allowed ones, and allow-list wildcards over shared hosting.

#[path = "broad-egress-wildcard.rs"]
mod broad_egress_wildcard;
#[path = "egress-not-allowed.rs"]
mod egress_not_allowed;
#[path = "unrestricted-egress.rs"]
mod unrestricted_egress;

pub use broad_egress_wildcard::BroadEgressWildcard;
pub use egress_not_allowed::EgressNotAllowed;
pub use unrestricted_egress::UnrestrictedEgress;

use tollgate_egress::JobEgress;
use tollgate_engine::{Context, JobCx};
use tollgate_model::SourceFile;

/// The egress of every job, by graph node: computed once per run (in parallel) and
/// shared by the egress rules.
struct AllEgress(std::collections::HashMap<tollgate_graph::NodeId, JobEgress>);

/// The egress of the job a `check_job` hook is looking at.
pub(crate) fn job_egress(cx: &Context<'_>, job: &JobCx<'_>) -> Option<JobEgress> {
    let node = cx
        .graph
        .job_node(&job.input.source.display, &job.job.id.value)?;
    let all = cx.memo.get_or_init(|| {
        use rayon::prelude::*;
        let jobs: Vec<tollgate_graph::NodeId> = cx.graph.jobs().collect();
        AllEgress(
            jobs.into_par_iter()
                .filter_map(|j| Some((j, tollgate_egress::analyze_job(cx.scan, cx.graph, j)?)))
                .collect(),
        )
    });
    all.0.get(&node).cloned()
}

/// The file a location points into: a scanned input, or one the graph loaded.
pub(crate) fn source<'a>(cx: &Context<'a>, path: &str) -> Option<&'a SourceFile> {
    cx.scan
        .inputs
        .iter()
        .chain(cx.graph.loaded_inputs())
        .map(|i| &i.source)
        .find(|s| s.display == path)
}

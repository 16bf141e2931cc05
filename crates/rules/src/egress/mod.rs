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

/// The egress of the job a `check_job` hook is looking at.
pub(crate) fn job_egress(cx: &Context<'_>, job: &JobCx<'_>) -> Option<JobEgress> {
    let node = cx.graph.jobs().find(|n| {
        cx.graph.node(*n).is_some_and(|node| {
            matches!(&node.kind, tollgate_graph::NodeKind::Job { id, .. } if *id == job.job.id.value)
                && node
                    .origin
                    .is_some_and(|o| cx.graph.path(o.input) == job.input.source.display)
        })
    })?;
    tollgate_egress::analyze_job(cx.scan, cx.graph, node)
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

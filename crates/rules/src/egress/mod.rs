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
use tollgate_engine::{Context, GitlabJobCx, JobCx};
use tollgate_graph::{InputId, NodeId, NodeKind};
use tollgate_model::SourceFile;

/// The egress of the job at graph node `node`, as the egress pass recorded it.
pub(crate) fn egress_of<'a>(cx: &Context<'a>, node: NodeId) -> Option<&'a JobEgress> {
    tollgate_egress::of(cx.graph).job(node)
}

/// The egress of the job a `check_job` hook is looking at.
pub(crate) fn job_egress<'a>(cx: &Context<'a>, job: &JobCx<'_>) -> Option<&'a JobEgress> {
    let node = cx
        .graph
        .job_node(&job.input.source.display, &job.job.id.value)?;
    egress_of(cx, node)
}

/// The egress of a GitLab job: its node is found under its configuration's pipeline
/// (the root file's workflow node), by its position, since a file two configurations
/// include holds jobs of the same name for each.
pub(crate) fn gitlab_job_egress<'a>(
    cx: &Context<'a>,
    job: &GitlabJobCx<'_>,
) -> Option<&'a JobEgress> {
    let g = cx.graph;
    let pipeline = g.file_node(InputId(cx.scan.index_of(job.root)?))?;
    let node = g.jobs_of(pipeline).into_iter().find(|&n| {
        matches!(g.node(n).map(|x| &x.kind), Some(NodeKind::Job { index, .. }) if *index == job.index)
    })?;
    egress_of(cx, node)
}

/// The file a location points into: one of the scan's inputs.
pub(crate) fn source<'a>(cx: &Context<'a>, path: &str) -> Option<&'a SourceFile> {
    cx.scan.inputs_at_path(path).map(|i| &i.source).next()
}

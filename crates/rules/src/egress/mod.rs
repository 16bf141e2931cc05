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

use std::collections::HashMap;
use std::sync::Arc;

use tollgate_egress::JobEgress;
use tollgate_engine::{Context, JobCx};
use tollgate_graph::NodeId;
use tollgate_model::SourceFile;

/// The egress of every job, by graph node: computed once per run (in parallel) and
/// shared by the rules that need it.
struct AllEgress(HashMap<NodeId, JobEgress>);

/// One job's egress, borrowed from the per-run analysis of every job.
pub(crate) struct EgressOf {
    all: Arc<AllEgress>,
    node: NodeId,
}

impl std::ops::Deref for EgressOf {
    type Target = JobEgress;
    fn deref(&self) -> &JobEgress {
        // Built only for nodes the map holds.
        &self.all.0[&self.node]
    }
}

/// The egress of every job (computed on the first call; call it from `Rule::prepare`).
fn all_egress(cx: &Context<'_>) -> Arc<AllEgress> {
    cx.memo.get_or_init(|| {
        AllEgress(
            tollgate_egress::analyze_jobs(cx.scan, cx.graph)
                .into_iter()
                .collect(),
        )
    })
}

/// For `Rule::prepare` of the rules that read job egress.
pub(crate) fn prepare(cx: &Context<'_>) {
    all_egress(cx);
}

/// The egress of the job at graph node `node`.
pub(crate) fn egress_of(cx: &Context<'_>, node: NodeId) -> Option<EgressOf> {
    let all = all_egress(cx);
    all.0.contains_key(&node).then_some(EgressOf { all, node })
}

/// The egress of the job a `check_job` hook is looking at.
pub(crate) fn job_egress(cx: &Context<'_>, job: &JobCx<'_>) -> Option<EgressOf> {
    let node = cx
        .graph
        .job_node(&job.input.source.display, &job.job.id.value)?;
    egress_of(cx, node)
}

/// The file a location points into: one of the scan's inputs.
pub(crate) fn source<'a>(cx: &Context<'a>, path: &str) -> Option<&'a SourceFile> {
    cx.scan.inputs_at_path(path).map(|i| &i.source).next()
}

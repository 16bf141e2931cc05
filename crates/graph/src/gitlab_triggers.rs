//! The kinds of pipeline a GitLab CI configuration runs in, as `trigger` nodes of its
//! pipeline (the node and edge kinds of a GitHub workflow's `on:` events): one per
//! `CI_PIPELINE_SOURCE` value for which some job runs, as its `rules:`, `only:`/`except:`
//! and `workflow: rules:` decide ([`tollgate_gitlab::Config::sources`]).
//!
//! Who can start each: only members of the project (a push, the API, the web form, a
//! trigger token, a merge request pipeline, which for a merge request from a fork runs in
//! the fork unless a member of the project runs it in the project), or the clock. None
//! hands a fork's author the project's variables without a member's action, so none is
//! `privileged` in the GitHub sense.
//!
//! `parent_pipeline` (only a child configuration starts that way), `external_pull_request`
//! (only for a project mirrored from GitHub) and `chat` (ChatOps) are read like the others
//! but drawn only when some job is written for them: every job without `rules:` would
//! otherwise put them on every pipeline.

use tollgate_gitlab::{Config, PipelineSource, Runs};
use tollgate_kb::triggers::Trust;
use tollgate_model::Span;

use crate::fragment::{FRef, FragmentBuilder};
use crate::model::{EdgeKind, NodeKind};

/// Who can start a pipeline of `source` in the project.
const fn trust(source: PipelineSource) -> Trust {
    match source {
        PipelineSource::Schedule => Trust::Scheduled,
        _ => Trust::Collaborators,
    }
}

/// The trigger nodes of the pipeline `pipeline` (the root file's workflow node): at the
/// `workflow: rules:` key when the root file writes one.
pub(crate) fn triggers(cx: &mut FragmentBuilder<'_>, config: &Config, pipeline: &FRef) {
    let at = config
        .workflow
        .as_ref()
        .and_then(|w| w.rules)
        .filter(|r| r.file == 0)
        .map_or(Span::empty(0), |r| r.span);
    for (source, _) in config.sources() {
        if rare(source) && !config.jobs.iter().any(|j| named(config, j, source)) {
            continue;
        }
        let tn = cx.local(
            NodeKind::Trigger {
                event: source.as_str().to_owned(),
                trust: trust(source),
                privileged: false,
            },
            at,
            Some(pipeline),
        );
        cx.edge(&tn, pipeline, EdgeKind::Triggers, Some(at));
    }
}

fn rare(source: PipelineSource) -> bool {
    matches!(
        source,
        PipelineSource::ParentPipeline | PipelineSource::ExternalPullRequest | PipelineSource::Chat
    )
}

/// Whether job `job` runs for `source` by a condition written for it, not by GitLab's
/// default `only: [branches, tags]`: it runs there, but not in a push pipeline of a branch.
fn named(config: &Config, job: &tollgate_gitlab::Job, source: PipelineSource) -> bool {
    let s = config.job_sources(job);
    s.runs(source) == Runs::Yes && s.runs(PipelineSource::Push) != Runs::Yes
}

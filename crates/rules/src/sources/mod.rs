//! Rules about where build inputs come from and what happens when that place is down:
//! package sources against the policy, delivery dependencies without a fallback, and jobs
//! that can hang on a dependency for six hours.

#[path = "missing-fallback.rs"]
mod missing_fallback;
#[path = "missing-job-timeout.rs"]
mod missing_job_timeout;
mod policy;
#[path = "unknown-package-source.rs"]
mod unknown_package_source;

pub use missing_fallback::MissingFallback;
pub use missing_job_timeout::MissingJobTimeout;
pub use unknown_package_source::UnknownPackageSource;

use std::collections::HashMap;
use std::sync::Arc;

use tollgate_engine::Context;
use tollgate_gha::{Job, Workflow};
use tollgate_graph::NodeId;
use tollgate_inventory::{JobDependency, all_job_dependencies};
use tollgate_scan::Input;

/// The delivery dependencies of every job, by graph node: computed once per run (in
/// parallel) and shared by the rules that need them.
struct AllDependencies(HashMap<NodeId, Vec<JobDependency>>);

/// The delivery dependencies of the job at `node` (empty for a node that is not a job).
fn dependencies(cx: &Context<'_>, node: NodeId) -> impl std::ops::Deref<Target = [JobDependency]> {
    struct Of(Arc<AllDependencies>, NodeId);
    impl std::ops::Deref for Of {
        type Target = [JobDependency];
        fn deref(&self) -> &[JobDependency] {
            self.0.0.get(&self.1).map_or(&[], Vec::as_slice)
        }
    }
    Of(all_dependencies(cx), node)
}

fn all_dependencies(cx: &Context<'_>) -> Arc<AllDependencies> {
    cx.memo.get_or_init(|| {
        let jobs: Vec<NodeId> = cx.graph.jobs().collect();
        AllDependencies(
            all_job_dependencies(cx.scan, cx.graph, &jobs)
                .into_iter()
                .collect(),
        )
    })
}

/// For `Rule::prepare` of the rules that read job dependencies.
fn prepare_dependencies(cx: &Context<'_>) {
    all_dependencies(cx);
}

/// The graph node of a job given by its models.
fn job_node(cx: &Context<'_>, input: &Input, _wf: &Workflow, job: &Job) -> Option<NodeId> {
    cx.graph.job_node(&input.source.display, &job.id.value)
}

/// A release workflow: triggered by `release`, by pushed tags, or named `release…`
/// (file or `name:`). Its failures block shipping, so fallbacks matter more there.
#[must_use]
pub fn is_release_workflow(path: &str, text: &str, wf: &Workflow) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let named = wf
        .name
        .as_ref()
        .is_some_and(|n| n.value.trim().to_ascii_lowercase().starts_with("release"));
    if file.starts_with("release") || named {
        return true;
    }
    let Some(on) = &wf.on else { return false };
    if on.has("release") {
        return true;
    }
    on.has("push") && pushes_tags(text, on.key.start)
}

/// Whether the `on:` block starting at `at` filters pushes by `tags:`. The model keeps
/// no branch or tag filters, so the block's lines are read: it ends at the next line that
/// starts in the first column.
fn pushes_tags(text: &str, at: usize) -> bool {
    let rest = text.get(at..).unwrap_or("");
    let mut lines = rest.lines();
    let first = lines.next().unwrap_or("");
    if first.contains("tags") {
        return true;
    }
    for l in lines {
        if l.starts_with(|c: char| !c.is_whitespace() && c != '#') {
            break;
        }
        let t = l.trim_start().trim_start_matches("- ");
        if t.starts_with("tags:") || t.starts_with("tags :") {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::pushes_tags;

    #[test]
    fn tag_pushes() {
        let t = "on:\n  push:\n    tags: ['v*']\njobs:\n";
        assert!(pushes_tags(t, 0));
        let t = "on:\n  push:\n    branches: [main]\njobs:\n  tags:\n";
        assert!(!pushes_tags(t, 0));
    }
}

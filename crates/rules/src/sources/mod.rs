//! Rules about where build inputs come from and what happens when that place is down:
//! package sources against the policy, delivery dependencies without a fallback, and jobs
//! that can hang on a dependency for six hours.

#[path = "dependabot-code-execution.rs"]
mod dependabot_code_execution;
#[path = "missing-fallback.rs"]
mod missing_fallback;
#[path = "missing-job-timeout.rs"]
mod missing_job_timeout;
pub(crate) mod namings;
pub(crate) mod policy;
#[path = "unknown-package-source.rs"]
mod unknown_package_source;

pub use dependabot_code_execution::DependabotCodeExecution;
pub use missing_fallback::MissingFallback;
pub use missing_job_timeout::MissingJobTimeout;
pub use unknown_package_source::UnknownPackageSource;

use tollgate_engine::Context;
use tollgate_gha::{Job, Trigger, Workflow};
use tollgate_graph::NodeId;
use tollgate_scan::Input;

/// The graph node of a job given by its models.
fn job_node(cx: &Context<'_>, input: &Input, _wf: &Workflow, job: &Job) -> Option<NodeId> {
    cx.graph.job_node(&input.source.display, &job.id.value)
}

/// A release workflow: triggered by `release`, by pushed tags, or named `release…`
/// (file or `name:`). Its failures block shipping, so fallbacks matter more there. The
/// tag filter is read from the trigger model.
#[must_use]
pub fn is_release_workflow(path: &str, wf: &Workflow) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let named = wf
        .name
        .as_ref()
        .is_some_and(|n| n.value.trim().to_ascii_lowercase().starts_with("release"));
    if file.starts_with("release") || named {
        return true;
    }
    let Some(on) = &wf.on else { return false };
    on.has("release") || on.event("push").is_some_and(Trigger::filters_tags)
}

#[cfg(test)]
mod tests {
    use super::is_release_workflow;
    use tollgate_model::SourceFile;

    fn release(text: &str) -> bool {
        let f = SourceFile::new("ci.yml", "ci.yml", text.to_owned());
        let (wf, _) = tollgate_gha::parse_workflow(&f);
        wf.is_some_and(|wf| is_release_workflow("ci.yml", &wf))
    }

    #[test]
    fn tag_pushes() {
        let job = "jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n";
        assert!(release(&format!("on:\n  push:\n    tags: ['v*']\n{job}")));
        assert!(release(&format!("on: {{push: {{tags: ['v*']}}}}\n{job}")));
        assert!(release(&format!(
            "on:\n  push:\n    tags-ignore: [nightly]\n{job}"
        )));
        assert!(!release(&format!(
            "on:\n  push:\n    branches: [main]\n{job}"
        )));
        assert!(!release(
            "on:\n  push:\n    branches: [main]\njobs:\n  tags:\n    runs-on: x\n    steps:\n      - run: echo\n"
        ));
        // A document indented as a whole: the old line reader never found the end of
        // the `on:` block and took the job's `tags:` key for a filter.
        assert!(!release(
            "  on:\n    push:\n      branches: [main]\n  jobs:\n    a:\n      runs-on: x\n      steps:\n        - uses: docker/metadata-action@v5\n          with:\n            tags: latest\n"
        ));
        // A comment on the `on:` line is no filter.
        assert!(!release(&format!("on: push # no tags here\n{job}")));
        // `tags:` under another event is not a tag push.
        assert!(!release(&format!(
            "on:\n  push:\n    branches: [main]\n  pull_request:\n    tags: [v1]\n{job}"
        )));
    }
}

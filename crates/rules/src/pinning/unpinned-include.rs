//! `unpinned-include`: a GitLab CI `include:` of another project's file, a URL or a CI/CD
//! component that is not pinned to a commit SHA.
//!
//! Read from each GitLab file's own `include:` entries and the `include:` of its jobs'
//! `trigger:` (child pipelines). `local:` includes are the repository's own files,
//! `artifact:` includes a file a job of the same pipeline made, and `template:` includes
//! are GitLab's own templates, versioned with the GitLab instance: none is reported. A
//! `ref:` or component version written with a variable is chosen when the pipeline is
//! created and is not judged.

use tollgate_engine::{Context, Rule, Sink};
use tollgate_gitlab::{Include, IncludeKind, IncludePin};
use tollgate_model::{Impact, Span};
use tollgate_scan::{FileModel, Input};

use crate::common::quoted;

pub struct UnpinnedInclude;

impl Rule for UnpinnedInclude {
    fn id(&self) -> &'static str {
        "unpinned-include"
    }

    fn check_input(&self, _cx: &Context<'_>, input: &Input, out: &mut Sink<'_>) {
        let FileModel::Gitlab(m) = &*input.parsed else {
            return;
        };
        for inc in m.file.includes.iter().chain(&m.file.child_includes) {
            if inc.pin() != IncludePin::Mutable {
                continue;
            }
            if let Some((at, message, help, severity)) = judge(inc) {
                out.at(&input.source, at)
                    .message(message)
                    .help(help)
                    .severity(severity)
                    .emit();
            }
        }
    }
}

/// Where to point, the message, the help and the severity for a mutable include.
fn judge(inc: &Include) -> Option<(Span, String, &'static str, Impact)> {
    let target = quoted(inc.target.value.trim());
    Some(match inc.kind {
        IncludeKind::Project => match &inc.reference {
            None => (
                inc.target.span,
                format!(
                    "`include: project: {target}` has no `ref:`: it reads the project's default branch, which its maintainers (or anyone who can push to it) can change"
                ),
                "add `ref:` with the full 40-character commit SHA of the version you reviewed",
                Impact::High,
            ),
            Some(r) => (
                r.span,
                format!(
                    "`include: project: {target}` at `ref: {}` is not pinned to a commit SHA: the branch or tag can be moved to other configuration",
                    quoted(r.value.trim())
                ),
                "set `ref:` to the full 40-character commit SHA the branch or tag points at",
                Impact::Medium,
            ),
        },
        IncludeKind::Remote => (
            inc.target.span,
            format!(
                "`include: remote: {target}` is fetched when the pipeline is created: whoever controls that URL decides the jobs that run"
            ),
            "copy the file into the repository and include it with `local:`, or include it from a project pinned to a commit SHA (`project:` with `ref:`); add `integrity:` with its SHA-256 where your GitLab supports it",
            Impact::High,
        ),
        IncludeKind::Component => {
            let version = inc.component_version().unwrap_or("");
            let latest = version.is_empty() || version == "~latest";
            (
                inc.target.span,
                if latest {
                    format!(
                        "`include: component: {target}` follows the latest release of the component"
                    )
                } else {
                    format!(
                        "`include: component: {target}` names version `{}`, which is not a commit SHA: a tag or branch can be moved",
                        quoted(version)
                    )
                },
                "pin the component to the full commit SHA of the release (`…/component@<40-hex SHA>`)",
                if latest { Impact::High } else { Impact::Medium },
            )
        }
        IncludeKind::Local | IncludeKind::Template | IncludeKind::Artifact => return None,
    })
}

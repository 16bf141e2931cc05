//! The diff as a versioned JSON document (`"version": 1`, schema in
//! `docs/schemas/diff.schema.json`). Filled from the diff, never serialised from it.

use serde::Serialize;
use tollgate_diff::{Changes, Dep, Diff, Trigger};
use tollgate_model::Finding;

use super::SideLabel;

/// The format version; bumped only for incompatible changes.
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct Document {
    pub version: u32,
    pub base: SideDto,
    pub head: SideDto,
    pub summary: SummaryDto,
    pub workflows: Vec<WorkflowDto>,
    pub lockfiles: Vec<LockfileDto>,
    pub findings: FindingsDto,
}

#[derive(Debug, Serialize)]
pub struct SideDto {
    pub name: String,
    /// The commit a git revision resolved to; `null` for a directory.
    pub commit: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct SummaryDto {
    pub new_findings: usize,
    pub resolved_findings: usize,
    pub added_dependencies: usize,
    pub added_unpinned: usize,
    pub widened_jobs: usize,
    pub new_hosts: Vec<String>,
    pub moved_packages: usize,
    pub new_privileged_triggers: usize,
}

#[derive(Debug, Serialize)]
pub struct ChangesDto<T> {
    pub added: Vec<T>,
    pub removed: Vec<T>,
}

impl<T> ChangesDto<T> {
    fn from<U>(c: &Changes<U>, f: impl Fn(&U) -> T) -> Self {
        Self {
            added: c.added.iter().map(&f).collect(),
            removed: c.removed.iter().map(&f).collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TriggerDto {
    pub event: String,
    pub untrusted_privileged: bool,
}

#[derive(Debug, Serialize)]
pub struct DependencyDto {
    pub kind: &'static str,
    pub name: String,
    /// `true`, `false`, or `null` where pinning does not apply.
    pub pinned: Option<bool>,
    pub pinning: String,
}

#[derive(Debug, Serialize)]
pub struct JobDto {
    pub job: String,
    pub status: &'static str,
    pub widens: bool,
    pub dependencies: ChangesDto<DependencyDto>,
    pub permissions: ChangesDto<String>,
    pub secrets: ChangesDto<String>,
    /// Whether the job can request an OIDC token now, when that changed; else `null`.
    pub oidc: Option<bool>,
    pub hosts: ChangesDto<String>,
}

#[derive(Debug, Serialize)]
pub struct WorkflowDto {
    pub path: String,
    pub status: &'static str,
    pub triggers: ChangesDto<TriggerDto>,
    pub jobs: Vec<JobDto>,
}

#[derive(Debug, Serialize)]
pub struct MovedDto {
    pub ecosystem: String,
    pub name: String,
    pub from: Vec<String>,
    pub to: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct LockfileDto {
    pub path: String,
    pub status: &'static str,
    pub sources: ChangesDto<String>,
    pub moved: Vec<MovedDto>,
}

#[derive(Debug, Serialize)]
pub struct FindingDto {
    /// As SARIF's `partialFingerprints`: what the two sides are matched by.
    pub fingerprint: String,
    pub rule: &'static str,
    pub level: &'static str,
    pub message: String,
    pub path: String,
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Serialize)]
pub struct FindingsDto {
    pub new: Vec<FindingDto>,
    pub resolved: Vec<FindingDto>,
}

fn dep(d: &Dep) -> DependencyDto {
    DependencyDto {
        kind: d.kind,
        name: d.name.clone(),
        pinned: d.pinned,
        pinning: d.how.clone(),
    }
}

fn trigger(t: &Trigger) -> TriggerDto {
    TriggerDto {
        event: t.event.clone(),
        untrusted_privileged: t.untrusted_privileged,
    }
}

fn finding((fp, f): &(String, Finding)) -> FindingDto {
    FindingDto {
        fingerprint: fp.clone(),
        rule: f.rule,
        level: f.level.as_str(),
        message: f.message.clone(),
        path: f.primary.path.to_string(),
        line: f.primary.start.line,
        column: f.primary.start.column,
    }
}

fn side(s: &SideLabel) -> SideDto {
    SideDto {
        name: s.name.clone(),
        commit: s.commit.clone(),
    }
}

/// The document for `diff` between `base` and `head`.
#[must_use]
pub fn document(diff: &Diff, base: &SideLabel, head: &SideLabel) -> Document {
    Document {
        version: VERSION,
        base: side(base),
        head: side(head),
        summary: SummaryDto {
            new_findings: diff.new_findings.len(),
            resolved_findings: diff.resolved_findings.len(),
            added_dependencies: diff.added_dependencies().count(),
            added_unpinned: diff
                .added_dependencies()
                .filter(|d| d.pinned == Some(false))
                .count(),
            widened_jobs: diff.widened_jobs(),
            new_hosts: diff.new_hosts().into_iter().map(str::to_owned).collect(),
            moved_packages: diff.moved_packages(),
            new_privileged_triggers: diff.new_privileged_triggers().count(),
        },
        workflows: diff
            .workflows
            .iter()
            .map(|w| WorkflowDto {
                path: w.path.clone(),
                status: w.status.as_str(),
                triggers: ChangesDto::from(&w.triggers, trigger),
                jobs: w
                    .jobs
                    .iter()
                    .map(|j| JobDto {
                        job: j.job.clone(),
                        status: j.status.as_str(),
                        widens: j.widens(),
                        dependencies: ChangesDto::from(&j.dependencies, dep),
                        permissions: ChangesDto::from(&j.permissions, String::clone),
                        secrets: ChangesDto::from(&j.secrets, String::clone),
                        oidc: j.oidc,
                        hosts: ChangesDto::from(&j.hosts, String::clone),
                    })
                    .collect(),
            })
            .collect(),
        lockfiles: diff
            .lockfiles
            .iter()
            .map(|l| LockfileDto {
                path: l.path.clone(),
                status: l.status.as_str(),
                sources: ChangesDto::from(&l.sources, String::clone),
                moved: l
                    .moved
                    .iter()
                    .map(|m| MovedDto {
                        ecosystem: m.ecosystem.clone(),
                        name: m.name.clone(),
                        from: m.from.clone(),
                        to: m.to.clone(),
                    })
                    .collect(),
            })
            .collect(),
        findings: FindingsDto {
            new: diff.new_findings.iter().map(finding).collect(),
            resolved: diff.resolved_findings.iter().map(finding).collect(),
        },
    }
}

//! The inventory as a versioned JSON document. The types here are the frozen interface
//! (`"version": 1`); they are filled from the inventory, never serialised from it, so
//! internal changes do not change the format.

use serde::Serialize;

use tollgate_inventory::{Dependency, Inventory, JobIdentity};

/// The format version; bumped only for incompatible changes.
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct Document {
    pub version: u32,
    pub roots: Vec<String>,
    pub totals: TotalsDto,
    pub dependencies: Vec<DependencyDto>,
    pub jobs: Vec<JobDto>,
}

#[derive(Debug, Serialize)]
pub struct TotalsDto {
    pub workflows: usize,
    pub jobs: usize,
    pub dependencies: usize,
    pub external: usize,
    pub without_fallback: usize,
    pub unpinned: usize,
    pub by_kind: Vec<KindCount>,
    pub jobs_writing: usize,
    pub jobs_with_secrets: usize,
    pub jobs_with_oidc: usize,
    pub self_hosted_jobs: usize,
    pub jobs_without_timeout: usize,
    pub hosts: usize,
}

#[derive(Debug, Serialize)]
pub struct KindCount {
    pub kind: &'static str,
    pub count: usize,
}

#[derive(Debug, Serialize)]
pub struct DependencyDto {
    pub kind: &'static str,
    pub name: String,
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<String>,
    pub hosts: Vec<String>,
    pub external: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `true`, `false`, or `null` where pinning does not apply.
    pub pinned: Option<bool>,
    pub pinning: String,
    /// Fallback kinds found in any job.
    pub fallbacks: Vec<&'static str>,
    pub without_fallback: usize,
    pub uses: Vec<UseDto>,
}

#[derive(Debug, Serialize)]
pub struct UseDto {
    pub workflow: String,
    pub job: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<LocationDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// Places in the job that take the dependency on.
    pub occurrences: usize,
    pub pinned: Option<bool>,
    pub pinning: String,
    pub fallbacks: Vec<FallbackDto>,
}

#[derive(Debug, Serialize)]
pub struct LocationDto {
    pub path: String,
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Serialize)]
pub struct FallbackDto {
    pub kind: &'static str,
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct JobDto {
    pub workflow: String,
    pub job: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub runner: String,
    pub self_hosted: bool,
    pub permissions: Vec<String>,
    pub writes: bool,
    pub default_token: bool,
    pub secrets: Vec<String>,
    pub oidc: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_minutes: Option<String>,
    pub calls_workflow: bool,
    pub hosts: Vec<String>,
    pub external_dependencies: usize,
    pub without_fallback: usize,
}

fn dependency(d: &Dependency) -> DependencyDto {
    let p = d.pinning();
    DependencyDto {
        kind: d.kind.as_str(),
        name: d.name.clone(),
        key: d.key.clone(),
        ecosystem: d.ecosystem.clone(),
        hosts: d.hosts.clone(),
        external: d.external,
        note: d.note.clone(),
        pinned: p.pinned,
        pinning: p.how.into_owned(),
        fallbacks: d.fallback_kinds().into_iter().map(|k| k.as_str()).collect(),
        without_fallback: d.uses_without_fallback(),
        uses: d
            .uses
            .iter()
            .map(|u| UseDto {
                workflow: u.job.workflow.clone(),
                job: u.job.job.clone(),
                location: u.site.as_ref().map(|s| LocationDto {
                    path: s.path.to_string(),
                    line: s.start.line,
                    column: s.start.column,
                }),
                step: u.site.as_ref().and_then(|s| s.step_label.clone()),
                occurrences: u.sites,
                pinned: u.pinning.pinned,
                pinning: u.pinning.how.to_string(),
                fallbacks: u
                    .fallbacks
                    .iter()
                    .map(|f| FallbackDto {
                        kind: f.kind.as_str(),
                        detail: f.detail.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn job(j: &JobIdentity) -> JobDto {
    JobDto {
        workflow: j.job.workflow.clone(),
        job: j.job.job.clone(),
        name: j.name.clone(),
        runner: j.runner.clone(),
        self_hosted: j.self_hosted,
        permissions: j.permissions.clone(),
        writes: j.writes,
        default_token: j.default_token,
        secrets: j.secrets.clone(),
        oidc: j.oidc,
        environment: j.environment.clone(),
        timeout_minutes: j.timeout_minutes.clone(),
        calls_workflow: j.calls_workflow,
        hosts: j.hosts.clone(),
        external_dependencies: j.external_dependencies,
        without_fallback: j.without_fallback,
    }
}

/// The JSON document of an inventory.
#[must_use]
pub fn document(inv: &Inventory) -> Document {
    let t = &inv.totals;
    Document {
        version: VERSION,
        roots: inv.roots.clone(),
        totals: TotalsDto {
            workflows: t.workflows,
            jobs: t.jobs,
            dependencies: t.dependencies,
            external: t.external,
            without_fallback: t.without_fallback,
            unpinned: t.unpinned,
            by_kind: t
                .by_kind
                .iter()
                .map(|(k, n)| KindCount {
                    kind: k.as_str(),
                    count: *n,
                })
                .collect(),
            jobs_writing: t.jobs_writing,
            jobs_with_secrets: t.jobs_with_secrets,
            jobs_with_oidc: t.jobs_with_oidc,
            self_hosted_jobs: t.self_hosted_jobs,
            jobs_without_timeout: t.jobs_without_timeout,
            hosts: t.hosts,
        },
        dependencies: inv.dependencies.iter().map(dependency).collect(),
        jobs: inv.jobs.iter().map(job).collect(),
    }
}

/// The document as pretty JSON with a final newline.
///
/// # Errors
/// Serialisation errors from `serde_json` (none are expected for these types).
pub fn render(inv: &Inventory) -> Result<String, serde_json::Error> {
    Ok(serde_json::to_string_pretty(&document(inv))? + "\n")
}

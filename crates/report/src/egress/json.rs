//! The egress JSON document (`"version": 1`): frozen DTOs filled from the analysis, never
//! a serde dump of its internal types.

use serde::Serialize;
use tollgate_egress::JobEgress;
use tollgate_model::Location;

use super::split_for_list;

/// Bumped on any incompatible change of the document's shape.
pub const VERSION: u32 = 1;

/// A position in the JSON document (1-based).
#[derive(Debug, Serialize)]
pub struct LocationDto {
    pub path: std::sync::Arc<str>,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl LocationDto {
    fn of(l: &Location) -> Self {
        Self {
            path: l.path.clone(),
            line: l.start.line,
            column: l.start.column,
            end_line: l.end.line,
            end_column: l.end.column,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ProvenanceDto {
    pub kind: &'static str,
    pub label: String,
    pub location: Option<LocationDto>,
    pub step: Option<LocationDto>,
    pub platform: bool,
    pub optional: bool,
    pub conditional: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DestinationDto {
    pub host: String,
    pub port: u16,
    pub wildcard: bool,
    /// Only GitHub's own Actions service needs it.
    pub platform: bool,
    /// Outside GitHub's own service, only best-effort calls need it.
    pub optional: bool,
    /// Outside GitHub's own service, needed only under this condition.
    pub conditional: Option<String>,
    pub provenance: Vec<ProvenanceDto>,
}

#[derive(Debug, Serialize)]
pub struct UnresolvedDto {
    pub text: String,
    pub kind: &'static str,
    pub label: String,
    pub location: Option<LocationDto>,
}

#[derive(Debug, Serialize)]
pub struct UnknownActionDto {
    pub reference: String,
    pub location: Option<LocationDto>,
}

#[derive(Debug, Serialize)]
pub struct ControlDto {
    pub action: &'static str,
    pub policy: &'static str,
    /// `null` when the list is not in the file (an expression or the policy store).
    pub allowed_endpoints: Option<Vec<String>>,
    pub location: LocationDto,
}

#[derive(Debug, Serialize)]
pub struct JobDto {
    /// `gitlab-ci` for a job of a GitLab CI pipeline (`workflow` is its root file);
    /// absent for a GitHub Actions job.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci: Option<&'static str>,
    pub workflow: String,
    pub workflow_name: Option<String>,
    pub job: String,
    pub location: Option<LocationDto>,
    /// The harden-runner form of the list (shared-hosting wildcards left out).
    pub allowed_endpoints: Vec<String>,
    /// No destination is left unresolved and no action's network use is unknown: the
    /// list is complete as far as the files show.
    pub complete: bool,
    pub destinations: Vec<DestinationDto>,
    pub unresolved: Vec<UnresolvedDto>,
    pub unknown_actions: Vec<UnknownActionDto>,
    pub controls: Vec<ControlDto>,
}

/// The JSON document, version 1.
#[derive(Debug, Serialize)]
pub struct Document {
    pub version: u32,
    pub jobs: Vec<JobDto>,
}

/// The JSON document of the given jobs.
#[must_use]
pub fn document(jobs: &[&JobEgress]) -> Document {
    let jobs = jobs
        .iter()
        .map(|job| JobDto {
            ci: job.gitlab.then_some("gitlab-ci"),
            workflow: job.workflow.clone(),
            workflow_name: job.workflow_name.clone(),
            job: job.job_id.clone(),
            location: job.location.as_ref().map(LocationDto::of),
            allowed_endpoints: split_for_list(job).0.iter().map(|d| d.endpoint()).collect(),
            complete: job.incomplete().is_none(),
            destinations: job
                .destinations
                .iter()
                .map(|d| DestinationDto {
                    host: d.host.clone(),
                    port: d.port,
                    wildcard: d.wildcard,
                    platform: d.is_platform(),
                    optional: d.is_optional(),
                    conditional: d.condition().map(str::to_owned),
                    provenance: d
                        .provenance
                        .iter()
                        .map(|p| ProvenanceDto {
                            kind: p.kind.as_str(),
                            label: p.label.to_string(),
                            location: p.location.as_ref().map(LocationDto::of),
                            step: p.step().map(LocationDto::of),
                            platform: p.platform,
                            optional: p.optional,
                            conditional: p.conditional().map(str::to_owned),
                        })
                        .collect(),
                })
                .collect(),
            unresolved: job
                .unresolved
                .iter()
                .map(|u| UnresolvedDto {
                    text: u.text.clone(),
                    kind: u.kind.as_str(),
                    label: u.label.clone(),
                    location: u.location.as_ref().map(LocationDto::of),
                })
                .collect(),
            unknown_actions: job
                .unknown_actions
                .iter()
                .map(|a| UnknownActionDto {
                    reference: a.reference.clone(),
                    location: a.location.as_ref().map(LocationDto::of),
                })
                .collect(),
            controls: job
                .harden_runner
                .iter()
                .map(|h| ControlDto {
                    action: "step-security/harden-runner",
                    policy: h.policy.as_str(),
                    allowed_endpoints: h
                        .allowed
                        .as_ref()
                        .map(|l| l.iter().map(|e| e.text.clone()).collect()),
                    location: LocationDto::of(&h.location),
                })
                .collect(),
        })
        .collect();
    Document {
        version: VERSION,
        jobs,
    }
}

/// The JSON document as pretty-printed text with a final newline.
///
/// # Errors
/// Serialisation errors from `serde_json` (none are expected for these types).
pub fn render(jobs: &[&JobEgress]) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&document(jobs)).map(|s| s + "\n")
}

//! Renderers of an egress result: harden-runner `with:` blocks to paste, text for people,
//! and a versioned JSON document (frozen DTOs, not a dump of the internal types).

use std::fmt::Write as _;

use serde::Serialize;
use tollgate_model::Location;

use crate::hosts::broad_wildcard;
use crate::{Destination, JobEgress};

/// Whether a job matches a `--workflow` filter: its workflow's path, file name, file stem
/// or `name:`.
#[must_use]
pub fn workflow_matches(job: &JobEgress, pattern: &str) -> bool {
    tollgate_graph::util::workflow_matches(&job.workflow, job.workflow_name.as_deref(), pattern)
}

/// Input text as one visible line (see [`tollgate_model::text`]): the escaping helper of
/// the egress and inventory renderers.
pub use tollgate_model::text::visible;

/// Whether an endpoint can go into the `allowed-endpoints` folded block as is: a host
/// name (or wildcard) and a port. Anything else from the input (a space, `#`, a quote, a
/// line break) could end the block or add YAML of its own, so it is listed as a comment.
fn listable(endpoint: &str) -> bool {
    !endpoint.is_empty()
        && endpoint
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'*' | b':'))
}

fn at(l: &Location) -> String {
    format!("{}:{}:{}", visible(&l.path), l.start.line, l.start.column)
}

/// Destinations a harden-runner list should carry as entries: everything but wildcards
/// over shared hosting domains, which are left to the user as a comment.
fn split_for_list(job: &JobEgress) -> (Vec<&Destination>, Vec<&Destination>) {
    job.destinations
        .iter()
        .partition(|d| !d.wildcard || broad_wildcard(&d.host).is_none())
}

/// One YAML fragment per job: `egress-policy: block` and the `allowed-endpoints` folded
/// block, indented to paste under the `with:` of a harden-runner step. Comments name the
/// job and everything the list cannot say.
#[must_use]
pub fn harden_runner(jobs: &[&JobEgress]) -> String {
    let mut out = String::new();
    for (i, job) in jobs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "# {}: job `{}`",
            visible(&job.workflow),
            visible(&job.job_id)
        );
        let (entries, shared) = split_for_list(job);
        for d in shared {
            let why = d.provenance.first().map_or(String::new(), |p| {
                format!(" (needed by {})", visible(&p.label))
            });
            let _ = writeln!(
                out,
                "# not listed: `{}`{why} is a wildcard over a shared hosting domain; add the exact names an audit run shows",
                visible(&d.endpoint())
            );
        }
        for u in &job.unresolved {
            let _ = writeln!(
                out,
                "# unresolved: {} ({}{})",
                visible(&u.text),
                visible(&u.label),
                u.location
                    .as_ref()
                    .map_or(String::new(), |l| format!(", {}", at(l)))
            );
        }
        for a in &job.unknown_actions {
            let _ = writeln!(out, "# network use unknown: {}", visible(&a.reference));
        }
        let (entries, odd): (Vec<_>, Vec<_>) =
            entries.into_iter().partition(|d| listable(&d.endpoint()));
        for d in odd {
            let _ = writeln!(
                out,
                "# not listed: `{}` is not a host name",
                visible(&d.endpoint())
            );
        }
        out.push_str("egress-policy: block\n");
        out.push_str("allowed-endpoints: >\n");
        for d in entries {
            let _ = writeln!(out, "  {}", d.endpoint());
        }
    }
    out
}

/// A readable listing: per workflow and job, each destination with its reasons.
#[must_use]
pub fn text(jobs: &[&JobEgress]) -> String {
    let mut out = String::new();
    let mut last_workflow: Option<&str> = None;
    for job in jobs {
        if last_workflow != Some(job.workflow.as_str()) {
            if last_workflow.is_some() {
                out.push('\n');
            }
            let _ = writeln!(out, "{}", visible(&job.workflow));
            last_workflow = Some(&job.workflow);
        }
        let control = match job.blocking_harden_runner() {
            Some(_) => "harden-runner in block mode",
            None if !job.harden_runner.is_empty() => "harden-runner in audit mode",
            None => "no egress control",
        };
        let _ = writeln!(
            out,
            "  job {} ({} destinations, {} unresolved; {control})",
            visible(&job.job_id),
            job.destinations.len(),
            job.unresolved.len()
        );
        let width = job
            .destinations
            .iter()
            .map(|d| visible(&d.endpoint()).chars().count())
            .max()
            .unwrap_or(0);
        for d in &job.destinations {
            let mut reasons: Vec<String> = Vec::new();
            for p in &d.provenance {
                let r = match &p.location {
                    Some(l) if p.kind != crate::ProvenanceKind::Runner => {
                        format!("{} {} ({})", p.kind.as_str(), visible(&p.label), at(l))
                    }
                    _ => format!("{} {}", p.kind.as_str(), visible(&p.label)),
                };
                if !reasons.contains(&r) {
                    reasons.push(r);
                }
            }
            let _ = writeln!(
                out,
                "    {:width$}  {}",
                visible(&d.endpoint()),
                reasons.join("; "),
                width = width
            );
        }
        for u in &job.unresolved {
            let _ = writeln!(
                out,
                "    unresolved: {} ({} {}{})",
                visible(&u.text),
                u.kind.as_str(),
                visible(&u.label),
                u.location
                    .as_ref()
                    .map_or(String::new(), |l| format!(", {}", at(l)))
            );
        }
        for a in &job.unknown_actions {
            let _ = writeln!(
                out,
                "    network use unknown: {}{}",
                visible(&a.reference),
                a.location
                    .as_ref()
                    .map_or(String::new(), |l| format!(" ({})", at(l)))
            );
        }
    }
    out
}

/// A position in the JSON document (1-based).
#[derive(Debug, Serialize)]
pub struct LocationDto {
    pub path: std::sync::Arc<str>,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
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
}

#[derive(Debug, Serialize)]
pub struct DestinationDto {
    pub host: String,
    pub port: u16,
    pub wildcard: bool,
    /// Only GitHub's own Actions service needs it.
    pub platform: bool,
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
    pub workflow: String,
    pub workflow_name: Option<String>,
    pub job: String,
    pub location: Option<LocationDto>,
    /// The harden-runner form of the list (shared-hosting wildcards left out).
    pub allowed_endpoints: Vec<String>,
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
            workflow: job.workflow.clone(),
            workflow_name: job.workflow_name.clone(),
            job: job.job_id.clone(),
            location: job.location.as_ref().map(LocationDto::of),
            allowed_endpoints: split_for_list(job).0.iter().map(|d| d.endpoint()).collect(),
            destinations: job
                .destinations
                .iter()
                .map(|d| DestinationDto {
                    host: d.host.clone(),
                    port: d.port,
                    wildcard: d.wildcard,
                    platform: d.is_platform(),
                    provenance: d
                        .provenance
                        .iter()
                        .map(|p| ProvenanceDto {
                            kind: p.kind.as_str(),
                            label: p.label.clone(),
                            location: p.location.as_ref().map(LocationDto::of),
                            step: p.step.as_ref().map(LocationDto::of),
                            platform: p.platform,
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
    Document { version: 1, jobs }
}

/// The JSON document as pretty-printed text with a final newline.
///
/// # Errors
/// Serialisation errors from `serde_json` (none are expected for these types).
pub fn json(jobs: &[&JobEgress]) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&document(jobs)).map(|s| s + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_text_is_shown_on_one_line() {
        assert_eq!(visible("ci.yml"), "ci.yml");
        assert_eq!(
            visible("a\u{1b}]52;c;AA\u{7}\n::error file=x::forged"),
            "a\\u{1b}]52;c;AA\\u{7}\\n::error file=x::forged"
        );
        assert_eq!(visible("\r\t\u{9b}\u{202e}"), "\\r\\t\\u{9b}\\u{202e}");
    }

    #[test]
    fn only_host_names_go_into_the_yaml_block() {
        assert!(listable("api.github.com:443"));
        assert!(listable("*.blob.core.windows.net:443"));
        for odd in [
            "",
            "evil.example\negress-policy: audit:443",
            "a b:443",
            "x#y:443",
            "\"q\":443",
        ] {
            assert!(!listable(odd), "{odd:?}");
        }
    }
}

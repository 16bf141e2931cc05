//! The text form of an egress result: per workflow and job, each destination with the
//! reasons it is needed, then what only run time knows.

use std::fmt::Write as _;

use tollgate_egress::{JobEgress, ProvenanceKind};

use super::at;
use crate::escape::visible;

/// A readable listing: per workflow and job, each destination with its reasons.
#[must_use]
pub fn render(jobs: &[&JobEgress]) -> String {
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
            // The runner's network decides (docs/ci.md): nothing in the files says.
            None if job.gitlab => "GitLab CI job: allow these on the runner's network",
            Some(_) => "harden-runner in block mode",
            None if !job.harden_runner.is_empty() => "harden-runner in audit mode",
            None => "no egress control",
        };
        let complete = match job.incomplete() {
            Some(why) => format!("incomplete: {why}"),
            None => "complete as far as the files show".to_owned(),
        };
        let _ = writeln!(
            out,
            "  job {} ({} destinations, {} unresolved; {control}; {complete})",
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
                    Some(l) if p.kind != ProvenanceKind::Runner => {
                        format!("{} {} ({})", p.kind.as_str(), visible(&p.label), at(l))
                    }
                    _ => format!("{} {}", p.kind.as_str(), visible(&p.label)),
                };
                if !reasons.contains(&r) {
                    reasons.push(r);
                }
            }
            let condition = d
                .condition()
                .map_or(String::new(), |c| format!(" [conditional: {}]", visible(c)));
            let _ = writeln!(
                out,
                "    {:width$}  {}{condition}",
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

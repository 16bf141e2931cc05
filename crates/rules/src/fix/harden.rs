//! `unrestricted-egress`'s fix (unsafe: blocking egress changes what a job may reach): a
//! `step-security/harden-runner` step in block mode as the job's first step, with the
//! allow-list tollgate inferred. Only for a list that is complete as far as the files show:
//! nothing resolved only at run time, no action of unknown network use, no destination
//! needed only under a condition, no wildcard over a shared hosting domain, and every
//! entry a plain host name and port.

use tollgate_egress::JobEgress;
use tollgate_gha::Job;
use tollgate_model::{Edit, Span};

use super::Text;

/// The harden-runner release the step pins: its newest `vX.Y.Z` tag and commit in the
/// action snapshot of 2026-08-20 (`../shared/kb/actions-index.jsonl`).
const HARDEN_RUNNER: (&str, &str) = ("b09bb98e06d4d774595224525879c09bc6e98c40", "v2.20.1");

/// Whether an endpoint is safe to write into the folded block as is.
fn listable(endpoint: &str) -> bool {
    !endpoint.is_empty()
        && endpoint
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'*' | b':'))
}

/// The endpoints of a complete list, or `None`.
fn endpoints(eg: &JobEgress) -> Option<Vec<String>> {
    if eg.incomplete().is_some() || !eg.harden_runner.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for d in &eg.destinations {
        let shared = d.wildcard && tollgate_egress::hosts::broad_wildcard(&d.host).is_some();
        let e = d.endpoint();
        if d.condition().is_some() || shared || !listable(&e) {
            return None;
        }
        out.push(e);
    }
    (!out.is_empty()).then_some(out)
}

/// The step inserted before the job's first step.
pub fn first_step(text: &Text<'_>, job: &Job, eg: &JobEgress) -> Option<Edit> {
    let endpoints = endpoints(eg)?;
    let first = job.steps.first()?;
    let key = text.key_column(first.span.start)?;
    let at = text.line_start(first.span.start);
    let lead = &text.s[at..first.span.start];
    // `      - ` exactly: the first key on the item's own line.
    let dash = lead.find('-')?;
    if lead.matches('-').count() != 1 || !lead[..dash].bytes().all(|b| b == b' ') {
        return None;
    }
    let (d, k) = (" ".repeat(dash), " ".repeat(key));
    let (sha, tag) = HARDEN_RUNNER;
    let mut lines = vec![
        format!("{d}- uses: step-security/harden-runner@{sha} # {tag}"),
        format!("{k}with:"),
        format!("{k}  egress-policy: block"),
        format!("{k}  allowed-endpoints: >"),
    ];
    lines.extend(endpoints.iter().map(|e| format!("{k}    {e}")));
    let mut new = lines.join(text.eol);
    new.push_str(text.eol);
    Some(Edit {
        span: Span::empty(at),
        text: new,
    })
}

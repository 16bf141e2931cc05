//! `unrestricted-egress`'s fix (unsafe: blocking egress changes what a job may reach): a
//! `step-security/harden-runner` step in block mode as the job's first step, with the
//! allow-list tollgate inferred, or the job's harden-runner step in audit mode switched to
//! block mode with that list added to its own. Only for a list that is complete as far as the files show:
//! nothing resolved only at run time, no action of unknown network use, no destination
//! needed only under a condition, no wildcard over a shared hosting domain, and every
//! entry a plain host name and port.

use tollgate_egress::harden::listable;
use tollgate_egress::{EgressPolicy, JobEgress};
use tollgate_gha::Job;
use tollgate_model::{Edit, Span};

use super::Text;

/// The harden-runner release the step pins: its newest `vX.Y.Z` tag and commit in the
/// action snapshot of 2026-08-20 (`../shared/kb/actions-index.jsonl`).
const HARDEN_RUNNER: (&str, &str) = ("b09bb98e06d4d774595224525879c09bc6e98c40", "v2.20.1");

/// The endpoints of a complete list, or `None`.
fn endpoints(eg: &JobEgress) -> Option<Vec<String>> {
    if eg.incomplete().is_some() {
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
    if !eg.harden_runner.is_empty() {
        return None;
    }
    let endpoints = endpoints(eg)?;
    let first = job.steps.first()?;
    let key = text.key_column(first.span.start())?;
    let at = text.line_start(first.span.start());
    let lead = &text.s[at..first.span.start()];
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

/// The job's one harden-runner step in audit mode, written in `file`, switched to block
/// mode: `egress-policy: block`, and `allowed-endpoints` holding what it listed and what
/// tollgate inferred (replaced in place, or added after `egress-policy`).
pub fn to_block(text: &Text<'_>, file: &str, eg: &JobEgress) -> Option<Vec<Edit>> {
    let [h] = eg.harden_runner.as_slice() else {
        return None;
    };
    let policy = h.policy_location.as_ref()?;
    if h.policy != EgressPolicy::Audit || *policy.path != *file || h.location.path != policy.path {
        return None;
    }
    let mut list: Vec<String> = endpoints(eg)?;
    for e in h.allowed.as_ref()? {
        if !listable(&e.text) {
            return None;
        }
        list.push(e.text.clone());
    }
    list.sort();
    list.dedup();
    let col = text.key_column(policy.span.start())?;
    let k = " ".repeat(col);
    let mut edits = vec![Edit {
        span: text.trim_end(policy.span),
        text: "egress-policy: block".to_owned(),
    }];
    let entries: Vec<String> = list.iter().map(|e| format!("{k}  {e}")).collect();
    match &h.allowed_location {
        Some(at) if *at.path == *file => {
            // A block scalar's span starts at its first entry, after the indentation; a
            // value on the key's line is turned into a folded block.
            let span = text.trim_end(at.span);
            let own_line = text.s[text.line_start(span.start())..span.start()]
                .trim()
                .is_empty();
            let new = if own_line {
                let mut lines = entries.clone();
                lines[0] = lines[0].trim_start().to_owned();
                lines.join(text.eol)
            } else {
                format!(">{}{}", text.eol, entries.join(text.eol))
            };
            edits.push(Edit { span, text: new });
        }
        Some(_) => return None,
        None => {
            let mut lines = vec![format!("{k}allowed-endpoints: >")];
            lines.extend(entries);
            edits.push(text.insert_after(text.trim_end(policy.span).end(), &lines)?);
        }
    }
    Some(edits)
}

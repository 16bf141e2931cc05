//! `egress-not-allowed`: a destination a job needs that the configured allow-list does not
//! allow, or that the job's own harden-runner list (in block mode) leaves out, so the
//! step would fail at run time. On GitLab CI, the allow-list is checked against each
//! job's hosts (the images its runner pulls, what its scripts fetch); GitLab has no
//! harden-runner step, so only the configured list applies.

use tollgate_egress::{Destination, Endpoint, JobEgress, Provenance};
use tollgate_engine::{Context, GitlabJobCx, JobCx, Rule, Sink};
use tollgate_model::Location;

pub struct EgressNotAllowed;

/// The most telling reason: a step or command in a workflow or action (not the runner).
fn cause(d: &Destination) -> Option<&Provenance> {
    d.provenance
        .iter()
        .filter(|p| !p.platform)
        .find(|p| p.step().is_some())
}

impl EgressNotAllowed {
    /// `d` against `[policy.egress] allow`, when there is one.
    fn allow_list(cx: &Context<'_>, out: &mut Sink<'_>, eg: &JobEgress, d: &Destination) {
        let allow = &cx.config.policy.egress_allow;
        if allow.is_empty() {
            return;
        }
        let mut ok = false;
        for entry in allow {
            if Endpoint::parse(&entry.value).is_some_and(|e| e.allows(&d.host, d.port, true)) {
                entry.mark_used();
                ok = true;
            }
        }
        if ok {
            return;
        }
        let list = cx.config.source.as_ref().and_then(|s| {
            allow
                .first()
                .map(|e| (s.location(e.span), "the configured allow-list"))
        });
        Self::report(
            cx,
            out,
            eg,
            d,
            format!("`{}` is not in the egress allow-list", d.endpoint()),
            format!(
                "add `{}` to `[policy.egress] allow` if this destination is expected, or remove what needs it",
                d.host
            ),
            list,
        );
    }

    fn report(
        cx: &Context<'_>,
        out: &mut Sink<'_>,
        eg: &JobEgress,
        d: &Destination,
        message: String,
        help: String,
        list: Option<(Location, &'static str)>,
    ) {
        let Some(p) = cause(d) else { return };
        let Some(step) = p.step() else { return };
        let Some(file) = super::source(cx, &step.path) else {
            return;
        };
        let mut f = out
            .at(file, step.span)
            .message(message)
            .help(help)
            .job(Some(&eg.job_id));
        if let Some(l) = p.location.as_ref().filter(|l| *l != step) {
            f = f.related_location(
                l.clone(),
                format!("needed by {} `{}`", p.kind.as_str(), p.label),
            );
        }
        if let Some((l, m)) = list {
            f = f.related_location(l, m);
        }
        f.hop(format!("job {}", eg.job_id), eg.location.clone())
            .hop(p.label.to_string(), Some(step.clone()))
            .emit();
    }
}

impl Rule for EgressNotAllowed {
    fn id(&self) -> &'static str {
        "egress-not-allowed"
    }

    fn check_gitlab_job(&self, cx: &Context<'_>, job: &GitlabJobCx<'_>, out: &mut Sink<'_>) {
        let Some(eg) = super::gitlab_job_egress(cx, job) else {
            return;
        };
        for d in eg.external() {
            Self::allow_list(cx, out, eg, d);
        }
    }

    fn check_job(&self, cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        let Some(eg) = super::job_egress(cx, job) else {
            return;
        };
        let blocking = eg.blocking_harden_runner();
        // GitHub's own service endpoints are let through by GitHub and harden-runner.
        for d in eg.external() {
            Self::allow_list(cx, out, eg, d);
            // A best-effort call the action catches does not fail the step when blocked;
            // a setup action's download the runner's tool cache makes unneeded is
            // not made at all.
            if let Some(h) = blocking
                && !d.is_optional()
                && d.condition().is_none()
                && h.allows(&d.host, d.port) == Some(false)
            {
                let list = h
                    .allowed_location
                    .clone()
                    .map(|l| (l, "harden-runner blocks everything not listed here"));
                Self::report(
                    cx,
                    out,
                    eg,
                    d,
                    format!(
                        "`{}` is missing from harden-runner's `allowed-endpoints`; the step fails in block mode",
                        d.endpoint()
                    ),
                    format!("add `{}` to `allowed-endpoints`", d.endpoint()),
                    list,
                );
            }
        }
    }
}

//! `unrestricted-egress`: a job that reaches hosts outside GitHub with nothing limiting
//! where it may connect (no harden-runner in block mode, no configured control).

use tollgate_egress::EgressPolicy;
use tollgate_engine::{Context, JobCx, Rule, Sink};

use tollgate_model::Applicability;

use crate::common::glob_match;

pub struct UnrestrictedEgress;

impl Rule for UnrestrictedEgress {
    fn id(&self) -> &'static str {
        "unrestricted-egress"
    }

    fn check_job(&self, cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        let Some(eg) = super::job_egress(cx, job) else {
            return;
        };
        let external = eg.external().count();
        if external == 0 && eg.unresolved.is_empty() {
            return;
        }
        if eg
            .harden_runner
            .iter()
            .any(|h| matches!(h.policy, EgressPolicy::Block | EgressPolicy::Dynamic))
        {
            return;
        }
        // Controls named in the configuration (an egress proxy action, a runner group
        // with a firewall) count as well.
        let mut controlled = false;
        for entry in &cx.config.policy.egress_controls {
            let pattern = entry.value.to_ascii_lowercase();
            if eg.actions.iter().any(|(a, _)| {
                let a = a.to_ascii_lowercase();
                glob_match(&pattern, &a) || a.starts_with(&format!("{pattern}/"))
            }) {
                entry.mark_used();
                controlled = true;
            }
        }
        if controlled {
            return;
        }
        let unresolved = match eg.unresolved.len() {
            0 => String::new(),
            n => format!(
                " and {} only known at run time",
                crate::common::plural(n, "destination", "destinations")
            ),
        };
        let audit = eg
            .harden_runner
            .iter()
            .find(|h| h.policy == EgressPolicy::Audit);
        let what = if audit.is_some() {
            "harden-runner only audits"
        } else {
            "no egress control"
        };
        let mut f = out
            .at(&job.input.source, job.job.id.span)
            .message(format!(
                "job `{}` reaches {}{unresolved} with {what}",
                crate::common::quoted(&job.job.id.value),
                crate::common::plural(external, "external host", "external hosts")
            ))
            .help(match eg.incomplete() {
                None => format!(
                    "add `step-security/harden-runner` as the first step with `egress-policy: block`; `tollgate egress --job {}` prints its `allowed-endpoints`",
                    crate::common::quoted(&job.job.id.value)
                ),
                // A list that is not complete would break the job in block mode.
                Some(why) => format!(
                    "add `step-security/harden-runner` as the first step; `tollgate egress --job {}` prints its `allowed-endpoints`, but that list is incomplete ({why}): run it with `egress-policy: audit` first and add what it records",
                    crate::common::quoted(&job.job.id.value)
                ),
            });
        if let Some(h) = audit {
            f = f.related_location(
                h.policy_location
                    .clone()
                    .unwrap_or_else(|| h.location.clone()),
                "audit mode records connections but lets them through",
            );
        }
        for d in eg.external().take(3) {
            if let Some(l) = d.provenance.iter().find_map(|p| p.step().cloned()) {
                f = f.related_location(l, format!("reaches `{}`", d.endpoint()));
            }
        }
        let text = crate::fix::Text::of(&job.input.source);
        let fix = match crate::fix::harden::first_step(&text, job.job, eg) {
            Some(e) => text.fix(
                "add harden-runner in block mode with the inferred allow-list as the first step",
                Applicability::Unsafe,
                vec![e],
            ),
            None => crate::fix::harden::to_block(&text, &job.input.source.display, eg).and_then(
                |edits| {
                    text.fix(
                        "switch harden-runner to block mode with the inferred allow-list",
                        Applicability::Unsafe,
                        edits,
                    )
                },
            ),
        };
        f.fix(fix).emit();
    }
}

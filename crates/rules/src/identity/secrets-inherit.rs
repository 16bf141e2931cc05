//! `secrets-inherit`: a reusable-workflow call that hands over every secret.

use tollgate_engine::{Context, JobCx, Rule, Sink};
use tollgate_gha::{JobSecrets, RefKind, Uses};
use tollgate_model::Impact;

use tollgate_graph::Kind;
use tollgate_scan::FileModel;

use crate::chain::Chain;

pub struct SecretsInherit;

impl Rule for SecretsInherit {
    fn id(&self) -> &'static str {
        "secrets-inherit"
    }

    fn check_job(&self, cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        let Some(secrets) = &job.job.secrets else {
            return;
        };
        let JobSecrets::Inherit(span) = &secrets.value else {
            return;
        };
        let called = job.job.uses_text.as_ref().map_or_else(
            || "the called workflow".to_owned(),
            |t| format!("`{}`", t.value),
        );
        // A workflow of another repository at a movable ref can change what it does with
        // the secrets without any change here.
        let (severity, whose) = match job.job.uses.as_ref().map(|u| &u.value) {
            Some(Uses::Remote(r)) if r.ref_kind != RefKind::Sha => (
                Impact::High,
                "a workflow of another repository at a movable ref",
            ),
            Some(Uses::Remote(_)) => (Impact::Medium, "a workflow of another repository"),
            _ => (Impact::Medium, "a local workflow"),
        };
        // What the job calls, as the graph resolved it: a local workflow found in the
        // scan is its workflow node; name the secrets it declares.
        let node = cx
            .graph
            .job_node(&job.input.source.display, &job.job.id.value);
        let target = node.and_then(|n| cx.graph.uses_target(n));
        let called_model = target
            .filter(|t| {
                cx.graph
                    .node(*t)
                    .is_some_and(|n| n.kind.kind() == Kind::Workflow)
            })
            .and_then(|t| cx.graph.node(t)?.origin)
            .and_then(|o| cx.graph.input(cx.scan, o.input()))
            .and_then(|i| match &*i.parsed {
                FileModel::Workflow(wf) => Some(wf),
                _ => None,
            });
        let declared: Vec<String> = called_model
            .and_then(|wf| wf.on.as_ref())
            .and_then(|on| on.events.iter().find(|t| t.event.value == "workflow_call"))
            .map(|t| t.secrets.iter().map(|s| s.value.clone()).collect())
            .unwrap_or_default();
        // workflow → job → every secret → the workflow called.
        let mut path = Chain::to_job(cx, job.input, &job.job.id.value).hop(
            "every secret of the repository (`secrets: inherit`)",
            Some(job.input.source.location(*span)),
        );
        if let (Some(n), Some(t)) = (node, target) {
            let called_hop = cx.graph.path_hops(&[n, t]).pop();
            if let Some(h) = called_hop {
                path = path.hop(h.label, h.location);
            }
        }
        let help = if declared.is_empty() {
            "pass only the secrets the called workflow declares under `on.workflow_call.secrets`: `secrets: { NAME: ${{ secrets.NAME }} }`".to_owned()
        } else {
            let lines: Vec<String> = declared
                .iter()
                .map(|n| format!("  {n}: ${{{{ secrets.{n} }}}}"))
                .collect();
            format!(
                "pass only the secrets the called workflow declares:\nsecrets:\n{}",
                lines.join("\n")
            )
        };
        out.at(&job.input.source, *span)
            .message(format!(
                "job `{}` passes every secret of the repository to {called} ({whose})",
                crate::common::quoted(&job.job.id.value)
            ))
            .severity(severity)
            .help(help)
            .path(path.into_hops())
            .emit();
    }
}

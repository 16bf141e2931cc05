//! `secrets-inherit`: a reusable-workflow call that hands over every secret.

use tollgate_engine::{Context, JobCx, Rule, Sink};
use tollgate_gha::{JobSecrets, RefKind, Uses};
use tollgate_model::Impact;

use super::util::{local_workflow, repo_prefix};

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
        // For a local call, name the secrets the called workflow declares.
        let declared: Vec<String> = match job.job.uses.as_ref().map(|u| &u.value) {
            Some(Uses::Local { path } | Uses::SelfRepo { path }) => {
                let prefix = repo_prefix(&job.input.source.display);
                local_workflow(cx.scan, prefix, path)
                    .and_then(|(_, wf)| wf.on.as_ref())
                    .and_then(|on| on.events.iter().find(|t| t.event.value == "workflow_call"))
                    .map(|t| t.secrets.iter().map(|s| s.value.clone()).collect())
                    .unwrap_or_default()
            }
            _ => Vec::new(),
        };
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
            .emit();
    }
}

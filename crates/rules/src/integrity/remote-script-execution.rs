//! `remote-script-execution`: downloaded content run without verification.

use tollgate_engine::{Context, Rule, ScriptCx, Sink};
use tollgate_model::Impact;
use tollgate_shell::ExecHow;

use super::download_path;
use crate::common::unverified_uses;

pub struct RemoteScriptExecution;

impl Rule for RemoteScriptExecution {
    fn id(&self) -> &'static str {
        "remote-script-execution"
    }

    fn check_script(&self, cx: &Context<'_>, script: &ScriptCx<'_>, out: &mut Sink<'_>) {
        let Some(a) = script.analysis() else { return };
        let file = &script.input().source;
        // Installed and unpacked content is `unverified-download`'s concern.
        let executed =
            |h: &ExecHow| !matches!(h, ExecHow::Installed { .. } | ExecHow::Extracted { .. });
        for (d, x) in unverified_uses(a, cx.scan.repository_of(script.input()), executed) {
            let (how, severity) = match &x.how {
                ExecHow::Pipe { interpreter } => {
                    (format!("piped into `{interpreter}`"), Impact::High)
                }
                ExecHow::ProcessSubstitution { interpreter } => (
                    format!("run by `{interpreter}` through process substitution"),
                    Impact::High,
                ),
                ExecHow::CommandSubstitution { interpreter } => (
                    format!("run by `{interpreter}` through command substitution"),
                    Impact::High,
                ),
                ExecHow::LaterExecuted { file } => {
                    (format!("saved as `{file}` and executed"), Impact::Medium)
                }
                ExecHow::Sourced { file } => (
                    match file {
                        Some(f) => format!("saved as `{f}` and sourced"),
                        None => "sourced".to_owned(),
                    },
                    Impact::High,
                ),
                ExecHow::Installed { .. } | ExecHow::Extracted { .. } => continue,
            };
            let what = d
                .url
                .as_deref()
                .map_or_else(|| format!("`{}` output", d.tool), |u| format!("`{u}`"));
            let severity = if d.plain_http {
                Impact::Critical
            } else {
                severity
            };
            out.at(file, script.file_span(d.span))
                .message(format!("{what} is downloaded and {how} without verification"))
                .severity(severity)
                .related(file, script.file_span(x.span), "executed here")
                .path(download_path(cx, script, d, x, &how))
                .help(
                    "download to a file, check it against a pinned checksum (`echo \"<sha256>  file\" | sha256sum -c`) or signature before running it, or pin the URL to an immutable commit",
                )
                .emit();
        }
    }
}

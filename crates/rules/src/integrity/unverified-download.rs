//! `unverified-download`: an archive, package or binary downloaded and then installed or
//! unpacked with no checksum or signature check in the same step.

use tollgate_engine::{Context, Rule, Sink, StepCx};
use tollgate_model::Impact;
use tollgate_shell::ExecHow;

use crate::common::unverified_uses;

pub struct UnverifiedDownload;

impl Rule for UnverifiedDownload {
    fn id(&self) -> &'static str {
        "unverified-download"
    }

    fn check_step(&self, cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        let Some(a) = step.analysis() else { return };
        let uses = unverified_uses(a, cx.scan.repository_of(step.input), |h| {
            matches!(h, ExecHow::Installed { .. } | ExecHow::Extracted { .. })
        });
        for (d, x) in uses {
            let how = match &x.how {
                ExecHow::Installed { installer, .. } => format!("installed with `{installer}`"),
                ExecHow::Extracted { extractor, .. } => format!("unpacked with `{extractor}`"),
                _ => continue,
            };
            let what = d
                .url
                .as_deref()
                .map_or_else(|| format!("`{}` output", d.tool), |u| format!("`{u}`"));
            out.at(&step.input.source, step.script_span(d.span))
                .message(format!("{what} is downloaded and {how} without a checksum or signature check"))
                .severity(if d.plain_http { Impact::High } else { Impact::Medium })
                .related(&step.input.source, step.script_span(x.span), "used here")
                .path(super::download_path(cx, step, d, x, &how))
                .help("verify the file before using it: `sha256sum -c` against a checksum kept in the repository, `gpg --verify`, `cosign verify-blob` or `gh attestation verify`")
                .emit();
        }
    }
}

//! `unverified-download`: an archive, package or binary downloaded and then installed or
//! unpacked with no checksum or signature check in the same step or Dockerfile `RUN`.

use tollgate_engine::{Context, Rule, ScriptCx, Sink};
use tollgate_model::Impact;
use tollgate_shell::ExecHow;

use crate::common::unverified_uses;

pub struct UnverifiedDownload;

impl Rule for UnverifiedDownload {
    fn id(&self) -> &'static str {
        "unverified-download"
    }

    fn check_script(&self, cx: &Context<'_>, script: &ScriptCx<'_>, out: &mut Sink<'_>) {
        let Some(a) = script.analysis() else { return };
        let file = &script.input().source;
        let uses = unverified_uses(a, cx.scan.repository_of(script.input()), |h| {
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
            out.at(file, script.file_span(d.span))
                .message(format!("{what} is downloaded and {how} without a checksum or signature check"))
                .severity(if d.plain_http { Impact::High } else { Impact::Medium })
                .related(file, script.file_span(x.span), "used here")
                .path(super::download_path(cx, script, d, x, &how))
                .help("verify the file before using it: `sha256sum -c` against a checksum kept in the repository, `gpg --verify`, `cosign verify-blob` or `gh attestation verify`")
                .emit();
        }
    }
}

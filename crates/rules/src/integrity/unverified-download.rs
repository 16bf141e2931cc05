//! `unverified-download`: an archive, package or binary downloaded and then installed or
//! unpacked with no checksum or signature check in the same step.

use tollgate_engine::{Context, Rule, Sink, StepCx};
use tollgate_model::Impact;
use tollgate_shell::{ExecHow, Fact};

use crate::common::is_commit_pinned_github_url;

pub struct UnverifiedDownload;

impl Rule for UnverifiedDownload {
    fn id(&self) -> &'static str {
        "unverified-download"
    }

    fn check_step(&self, _cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        let Some(a) = step.analysis() else { return };
        let mut reported = Vec::new();
        for f in &a.facts {
            let Fact::DownloadExec(x) = f else { continue };
            if x.verified_by.is_some() || reported.contains(&x.download) {
                continue;
            }
            let how = match &x.how {
                ExecHow::Installed { installer, .. } => format!("installed with `{installer}`"),
                ExecHow::Extracted { extractor, .. } => format!("unpacked with `{extractor}`"),
                _ => continue,
            };
            let Some(Fact::Download(d)) = a.facts.get(x.download) else {
                continue;
            };
            if d.url.as_deref().is_some_and(is_commit_pinned_github_url) {
                continue;
            }
            reported.push(x.download);
            let what = d
                .url
                .as_deref()
                .map_or_else(|| format!("`{}` output", d.tool), |u| format!("`{u}`"));
            out.at(&step.input.source, step.script_span(d.span))
                .message(format!("{what} is downloaded and {how} without a checksum or signature check"))
                .severity(if d.plain_http { Impact::High } else { Impact::Medium })
                .related(&step.input.source, step.script_span(x.span), "used here")
                .help("verify the file before using it: `sha256sum -c` against a checksum kept in the repository, `gpg --verify`, `cosign verify-blob` or `gh attestation verify`")
                .emit();
        }
    }
}

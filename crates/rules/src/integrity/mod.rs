//! Rules about the integrity of what run steps and Dockerfile `RUN`s download and how
//! they fetch it.

#[path = "insecure-transport.rs"]
mod insecure_transport;
#[path = "remote-script-execution.rs"]
mod remote_script_execution;
#[path = "unverified-download.rs"]
mod unverified_download;

pub use insecure_transport::InsecureTransport;
pub use remote_script_execution::RemoteScriptExecution;
pub use unverified_download::UnverifiedDownload;

use tollgate_engine::{Context, ScriptCx};

use crate::chain::Chain;

/// workflow → job → (local actions) → step, or Dockerfile → `RUN` → the download (its
/// host) → where the content is used.
pub(crate) fn download_path(
    cx: &Context<'_>,
    script: &ScriptCx<'_>,
    d: &tollgate_shell::Download,
    x: &tollgate_shell::DownloadExec,
    how: &str,
) -> Vec<tollgate_model::PathHop> {
    let file = &script.input().source;
    let fetched = match (&d.url, &d.host) {
        (Some(u), _) => format!("downloads `{}`", crate::common::quoted(u)),
        (None, Some(h)) => format!("downloads from `{h}`"),
        (None, None) => format!("downloads with `{}`", d.tool),
    };
    Chain::to_script(cx, script)
        .hop(fetched, Some(file.location(script.file_span(d.span))))
        .hop(
            how.to_owned(),
            Some(file.location(script.file_span(x.span))),
        )
        .into_hops()
}

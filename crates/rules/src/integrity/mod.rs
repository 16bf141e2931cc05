//! Rules about the integrity of what run steps download and how they fetch it.

#[path = "insecure-transport.rs"]
mod insecure_transport;
#[path = "remote-script-execution.rs"]
mod remote_script_execution;
#[path = "unverified-download.rs"]
mod unverified_download;

pub use insecure_transport::InsecureTransport;
pub use remote_script_execution::RemoteScriptExecution;
pub use unverified_download::UnverifiedDownload;

use tollgate_engine::{Context, StepCx};

use crate::chain::Chain;

/// workflow → job → (local actions) → step → the download (its host) → where the content
/// is used.
pub(crate) fn download_path(
    cx: &Context<'_>,
    step: &StepCx<'_>,
    d: &tollgate_shell::Download,
    x: &tollgate_shell::DownloadExec,
    how: &str,
) -> Vec<tollgate_model::PathHop> {
    let file = &step.input.source;
    let fetched = match (&d.url, &d.host) {
        (Some(u), _) => format!("downloads `{}`", crate::common::quoted(u)),
        (None, Some(h)) => format!("downloads from `{h}`"),
        (None, None) => format!("downloads with `{}`", d.tool),
    };
    Chain::to_step(cx, step.input, step.job_index, step.step.index)
        .hop(fetched, Some(file.location(step.script_span(d.span))))
        .hop(
            how.to_owned(),
            Some(file.location(step.script_span(x.span))),
        )
        .into_hops()
}

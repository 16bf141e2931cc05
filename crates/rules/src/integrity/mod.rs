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

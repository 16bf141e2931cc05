//! The rule catalog: every rule's code, registered once in [`registry`](mod@registry) with
//! its page from `rules/<category>/<id>.md`, which the binary embeds.

mod chain;
mod common;
mod egress;
pub mod fix;
mod identity;
mod integrity;
mod pinning;
pub mod registry;
mod sources;

pub use registry::{pages, rules};

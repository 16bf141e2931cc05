//! Small helpers the identity rules share.

pub use crate::common::job_index;

//! Renderers over the same data: every output format is a function of the scan (inputs and
//! their models), the diagnostics and, later, the findings and the graph.
//!
//! JSON outputs are frozen DTOs with a `version` field, not serde dumps of internal types:
//! internal models may change without breaking users' scripts.

pub mod dot;
pub mod escape;
pub mod findings;
pub mod github;
pub mod graph_json;
pub mod json;
pub mod mermaid;
pub mod sarif;

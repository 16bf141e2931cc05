//! Renderers over the same data: every output format is a function of the scan (inputs and
//! their models), the diagnostics, the findings, the graph, and the egress and inventory
//! analyses. Every renderer of the tool is here; the analysis crates only compute.
//!
//! JSON outputs are frozen DTOs with a `version` field, not serde dumps of internal types:
//! internal models may change without breaking users' scripts.

pub mod baseline;
mod diagram;
pub mod diff;
pub mod dot;
pub mod egress;
pub mod escape;
pub mod findings;
pub mod fingerprint;
pub mod github;
pub mod gitlab;
pub mod graph_json;
pub mod html;
pub mod inventory;
pub mod json;
pub mod mermaid;
pub mod overview;
pub mod sarif;

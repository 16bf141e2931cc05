//! The dependency graph of a scanned repository: every workflow, trigger (with who can
//! fire it), job, step, action, reusable workflow, image, command, lockfile, package,
//! source, host, secret, permission, runner and untrusted code as a node, and what
//! connects them (contains, uses, needs, runs, installs, resolves-from, pulls, reaches,
//! holds, checks-out, builds, requires, reads) as edges.
//!
//! [`Graph::build`] turns a [`Scan`](tollgate_scan::Scan) into the graph: one fragment per
//! input, built in parallel, then merged in input order so node ids are the same whatever
//! the thread count. Local composite actions and reusable workflows (`./…`, `$/…`) are
//! resolved to their files among the scan's inputs (the scan stage loads those it was not
//! given), and cycles are reported as diagnostics. `.github/workflows/actions.lock` adds
//! locked commits and the transitive `uses:` edges of remote actions.
//!
//! Rules query the graph ([`Graph::job_steps`], [`Graph::reaches`], [`Graph::holds`],
//! [`Graph::path_to`]); renderers draw a filtered [`GraphView`].

mod fragment;
mod gitlab;
mod gitlab_nodes;
mod gitlab_triggers;
mod graph;
mod images;
mod model;
mod overview;
mod pass;
mod query;
mod resolve;
mod secrets;
mod shell;
mod sources;
pub mod util;
mod view;

pub use gitlab_nodes::GitlabJob;
pub use graph::{Graph, InputInfo};
pub use images::ImagePull;
pub use model::{
    Access, Edge, EdgeKind, ImagePin, InputId, Kind, Node, NodeId, NodeKind, Origin, RemoteRef,
    Target, Trust,
};
pub use overview::{Overview, OverviewEdge, OverviewKind, OverviewNode, OverviewScope, Tone};
pub use pass::Pass;
pub use query::{FlatStep, Held, Holdings, MAX_COMPOSITE_DEPTH, Reach};
pub use secrets::{Leak, LeakTo, Read, SecretReads, Via, Whole};
pub use sources::{Configured, EnvSetting, Naming, SourceNaming, SourceNamings};
pub use view::{GraphFilter, GraphView, ViewEdge};

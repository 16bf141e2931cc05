//! The graph every command and rule reads: the structural build of a scan followed by
//! the passes that derive facts over it, listed here and nowhere else.
//!
//! A pass ([`tollgate_graph::Pass`]) adds nodes, edges and one typed record to the
//! graph. To add a fact: write the pass (in its own crate when it needs a knowledge base
//! of its own, as egress does), add it to [`PASSES`], and document its node and edge
//! kinds in `docs/graphs.md`.

pub mod cache;
pub mod envfile;
pub mod flow;
pub mod identity;
pub mod needs;
pub mod pins;
pub mod publish;
pub mod tags;
pub mod trust;

use tollgate_graph::{Graph, Pass};
use tollgate_model::Diagnostic;
use tollgate_scan::Scan;

/// The passes, in the order they run: a later pass may read what an earlier one wrote.
const PASSES: &[&dyn Pass] = &[
    &tollgate_egress::Pass,
    &tollgate_inventory::Pass,
    &trust::Pass,
    &needs::Pass,
    &flow::Pass,
    &cache::Pass,
    &pins::Pass,
];

/// The graph of a scan with every pass run.
#[must_use]
pub fn graph(scan: &Scan) -> (Graph, Vec<Diagnostic>) {
    Graph::build_with(scan, PASSES)
}

//! The sizes of the types a check keeps by the thousand (workflow models, script
//! analyses, egress and delivery records, findings): what to read before and after a
//! change of their layout. `cargo run --release -p tollgate-bench --example sizes`

#![allow(clippy::print_stdout)]

use std::mem::size_of;

fn main() {
    let rows: [(&str, usize); 18] = [
        ("graph Node", size_of::<tollgate_graph::Node>()),
        ("graph Edge", size_of::<tollgate_graph::Edge>()),
        ("gha Workflow", size_of::<tollgate_gha::Workflow>()),
        ("gha Job", size_of::<tollgate_gha::Job>()),
        ("gha Step", size_of::<tollgate_gha::Step>()),
        ("gha KeyValue", size_of::<tollgate_gha::KeyValue>()),
        ("gha Env", size_of::<tollgate_gha::Env>()),
        (
            "gha Option<Matrix>",
            size_of::<Option<tollgate_gha::Matrix>>(),
        ),
        (
            "gha Option<RunsOn>",
            size_of::<Option<tollgate_gha::RunsOn>>(),
        ),
        (
            "gha Option<PermissionsBlock>",
            size_of::<Option<tollgate_gha::PermissionsBlock>>(),
        ),
        ("shell Command", size_of::<tollgate_shell::Command>()),
        ("shell Word", size_of::<tollgate_shell::Word>()),
        (
            "egress Destination",
            size_of::<tollgate_egress::Destination>(),
        ),
        (
            "egress Provenance",
            size_of::<tollgate_egress::Provenance>(),
        ),
        (
            "inventory JobDependency",
            size_of::<tollgate_inventory::JobDependency>(),
        ),
        ("model Finding", size_of::<tollgate_model::Finding>()),
        ("model Location", size_of::<tollgate_model::Location>()),
        ("model Span", size_of::<tollgate_model::Span>()),
    ];
    for (name, bytes) in rows {
        println!("{name:30} {bytes:5} bytes");
    }
}

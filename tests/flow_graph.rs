//! The flow pass's facts in the `graph` command's outputs: the JSON graph holds the
//! `value` nodes and `flows` edges, typed by its schema (see `schemas.rs`); the DOT and
//! Mermaid diagrams leave them out, as they leave out `requires` and `reads`, so a
//! diagram shows what pipelines depend on and does not change with the data flow.

mod common;

use common::{json, testdata, tollgate};

fn graph(format: &str) -> Vec<u8> {
    tollgate()
        .args(["graph", "--format", format])
        .arg(testdata("rules/template-injection/fires-derived"))
        .output()
        .expect("runs")
        .stdout
}

#[test]
fn json_holds_values_and_flows_and_diagrams_leave_them_out() {
    let doc = json(&graph("json"));
    let names: Vec<&str> = doc["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|n| n["kind"] == "value")
        .filter_map(|n| n["attrs"]["name"].as_str())
        .collect();
    // In file order of where each is first read: the `meta` step's write (line 16), the
    // workflow's `env:` (line 10, read by the later step), the changed-files action, and
    // the free-text dispatch input.
    assert_eq!(
        names,
        [
            "github.event.workflow_run.head_commit.message",
            "github.event.workflow_run.head_branch",
            "outputs of tj-actions/changed-files",
            "inputs.tag",
        ]
    );
    let flows = doc["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter(|e| e["kind"] == "flows")
        .count();
    // The write (16) and the four expansions of lines 20 to 23.
    assert_eq!(flows, 5);
    for format in ["dot", "mermaid"] {
        let text = String::from_utf8(graph(format)).expect("utf-8");
        assert!(!text.contains("untrusted value"), "{format}: {text}");
        // An edge's label: `[label="flows"…` in DOT, `-->|flows|` in Mermaid.
        assert!(
            !text.contains("\"flows") && !text.contains("|flows"),
            "{format}: {text}"
        );
        assert!(
            text.contains("report"),
            "{format}: the job is drawn: {text}"
        );
    }
}

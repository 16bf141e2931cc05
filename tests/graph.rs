//! End-to-end tests of `tollgate graph`: formats, filters, and rendering with Graphviz.
#![allow(clippy::print_stderr)]

mod common;

use common::{json, testdata, tollgate};
use predicates::prelude::*;

#[test]
fn json_graph_of_the_demo() {
    let out = tollgate()
        .args(["graph", "--format", "json"])
        .arg(testdata("demo"))
        .output()
        .expect("runs");
    assert!(out.status.success());
    let doc = json(&out.stdout);
    assert_eq!(doc["version"], 1);
    let nodes = doc["nodes"].as_array().expect("nodes");
    let label_of = |kind: &str| -> Vec<String> {
        nodes
            .iter()
            .filter(|n| n["kind"] == kind)
            .filter_map(|n| n["label"].as_str().map(str::to_owned))
            .collect()
    };
    // Hosts the demo's run steps and lockfiles reach, written into the fixtures by hand.
    let hosts = label_of("host");
    for h in [
        "sh.rustup.rs",
        "releases.example.com",
        "pypi.example.internal",
        "npm.example.internal",
    ] {
        assert!(hosts.iter().any(|x| x == h), "{h} in {hosts:?}");
    }
    // The composite action is resolved and its unpinned action is in the graph.
    assert!(
        label_of("action")
            .iter()
            .any(|a| a == "dtolnay/rust-toolchain@master")
    );
    let edges = doc["edges"].as_array().expect("edges");
    assert!(edges.iter().any(|e| e["kind"] == "needs"));
    assert!(edges.iter().any(|e| e["kind"] == "holds"));
    // Every image carries its pin state: the demo's container and service images are
    // tags, the image built with `${{ github.ref_name }}` in its tag is chosen at run time.
    let pin = |reference: &str| {
        nodes
            .iter()
            .find(|n| n["kind"] == "image" && n["attrs"]["reference"] == reference)
            .map(|n| n["attrs"]["pin"].clone())
    };
    assert_eq!(pin("node:20"), Some("tag".into()));
    assert_eq!(pin("postgres:16"), Some("tag".into()));
    assert_eq!(
        pin("ghcr.io/example/app:${{ github.ref_name }}"),
        Some("run-time".into())
    );
}

#[test]
fn filters_and_errors() {
    let out = tollgate()
        .args([
            "graph",
            "--format",
            "mermaid",
            "--workflow",
            "release",
            "--kinds",
            "action,image",
        ])
        .arg(testdata("demo"))
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("flowchart LR"));
    assert!(text.contains("softprops/action-gh-release@master"));
    assert!(
        !text.contains("setup-toolchain"),
        "the ci workflow is filtered out"
    );
    tollgate()
        .args(["graph", "--workflow", "nope"])
        .arg(testdata("demo"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope"));
    tollgate()
        .args(["graph", "--kinds", "gadget"])
        .arg(testdata("demo"))
        .assert()
        .code(2);
}

fn render_svg(dot: &[u8]) -> bool {
    use std::io::Write;
    let Ok(mut child) = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        return false;
    };
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(dot)
        .expect("write");
    let out = child.wait_with_output().expect("dot");
    assert!(
        out.status.success(),
        "dot failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    true
}

#[test]
fn dot_renders_with_graphviz() {
    if std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_err()
    {
        eprintln!("skipped: graphviz `dot` is not installed");
        return;
    }
    let out = tollgate()
        .arg("graph")
        .arg(testdata("demo"))
        .output()
        .expect("runs");
    assert!(render_svg(&out.stdout));
    // Every corpus repository is rendered by crates/report/tests/graph_render.rs.
}

/// A host found by following a step into a Makefile or a Dockerfile has the file on its
/// path: step `runs` the file, the file `reaches` the host (the job's own `reaches` edge
/// stays). In a Makefile the rule whose recipe needs the host is a `make-target` node
/// between them, and a Dockerfile whose `RUN make` leads into the Makefile is on the path.
#[test]
fn followed_files_are_nodes_on_the_path_to_a_host() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (rel, text) in [
        (
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n      - run: docker build .\n",
        ),
        (
            "Makefile",
            "test: deps\n\techo ok\n\ndeps:\n\tcurl -fsSLO https://tools.example.org/x.tgz\n\nimage:\n\tcurl -fsSLO https://build.example.org/b.tgz\n",
        ),
        (
            "Dockerfile",
            "FROM alpine:3\nRUN apk add git\nCOPY . /src\nWORKDIR /src\nRUN make image\n",
        ),
    ] {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
    }
    let out = tollgate()
        .args(["graph", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let doc = json(&out.stdout);
    let nodes = doc["nodes"].as_array().expect("nodes");
    let name = |id: &serde_json::Value| -> String {
        let n = nodes.iter().find(|n| &n["id"] == id).expect("node");
        format!(
            "{} {}",
            n["kind"].as_str().unwrap_or(""),
            n["label"].as_str().unwrap_or("")
        )
    };
    let edges: Vec<String> = doc["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            format!(
                "{} -{}-> {}",
                name(&e["from"]),
                e["kind"].as_str().unwrap_or(""),
                name(&e["to"])
            )
        })
        .collect();
    // Written by hand from the files above.
    for want in [
        "step run step 1 -runs-> script Makefile",
        "script Makefile -contains-> make-target make deps",
        "make-target make deps -reaches-> host tools.example.org",
        "job build -reaches-> host tools.example.org",
        "step run step 2 -runs-> dockerfile Dockerfile",
        "dockerfile Dockerfile -reaches-> host dl-cdn.alpinelinux.org",
        "dockerfile Dockerfile -pulls-> image alpine:3",
        "dockerfile Dockerfile -runs-> script Makefile",
        "script Makefile -contains-> make-target make image",
        "make-target make image -reaches-> host build.example.org",
        "job build -reaches-> host build.example.org",
    ] {
        assert!(edges.iter().any(|e| e == want), "{want}: {edges:#?}");
    }
    // The hosts hang off the targets, not the Makefile; the Dockerfile does not reach
    // what the Makefile it runs needs; a target whose recipe needs no host is no node.
    for unwanted in [
        "script Makefile -reaches-> host tools.example.org",
        "dockerfile Dockerfile -reaches-> host build.example.org",
        "step run step 2 -runs-> script Makefile",
    ] {
        assert!(
            !edges.iter().any(|e| e == unwanted),
            "{unwanted}: {edges:#?}"
        );
    }
    assert!(
        !nodes.iter().any(|n| n["label"] == "make test"),
        "{nodes:#?}"
    );
}

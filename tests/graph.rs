//! End-to-end tests of `tollgate graph`: formats, filters, and rendering with Graphviz.
#![allow(clippy::print_stderr)]

mod common;

use common::{json, testdata, tollgate};
use predicates::prelude::*;

/// A repository holding `files` (path, text).
fn write_repo<T: AsRef<str>>(files: &[(&str, T)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (rel, text) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text.as_ref()).expect("write");
    }
    dir
}

/// What `tollgate graph ARGS DIR` prints, which must succeed.
fn graph_text(args: &[&str], dir: &std::path::Path) -> String {
    let out = tollgate()
        .arg("graph")
        .args(args)
        .arg(dir)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The id of the first Mermaid node whose line holds `label`.
fn node_id(text: &str, label: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| l.contains(label) && l.starts_with('o'))
        .and_then(|l| l.split(['[', '(', '>', '{']).next())
        .unwrap_or_else(|| panic!("{label}: {text}"))
        .to_owned()
}

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
    let dir = write_repo(&[
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
    ]);
    let doc = json(graph_text(&["--format", "json"], dir.path()).as_bytes());
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

/// The overview, on a repository written for it: one node per event, workflow and job;
/// jobs of one workflow that lead to the same things and hold the same are one node;
/// actions grouped by owner with their pin state, hosts by domain; what a job holds on
/// it; a job of a workflow anyone can start with a write token is marked; a local
/// reusable workflow is a `calls` edge to its own node.
#[test]
fn the_overview_groups_and_merges() {
    let sha = "11bd71901bbe5b1630ceea73d27597364c9af683";
    let dir = write_repo(&[
        (
            ".github/workflows/ci.yml",
            format!("name: CI\non: [push, pull_request]\npermissions: {{}}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@{sha}\n      - uses: actions/setup-node@v4\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@{sha}\n      - uses: actions/setup-node@v4\n  docs:\n    uses: ./.github/workflows/reuse.yml\n"),
        ),
        (
            ".github/workflows/triage.yml",
            format!("on: pull_request_target\npermissions:\n  pull-requests: write\njobs:\n  label:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/labeler@{sha}\n        with:\n          token: ${{{{ secrets.BOT_TOKEN }}}}\n"),
        ),
        (
            ".github/workflows/reuse.yml",
            "on: workflow_call\npermissions: {}\njobs:\n  fetch:\n    runs-on: ubuntu-latest\n    steps:\n      - run: curl -fsSLO https://downloads.example.org/a.tgz\n".to_owned(),
        ),
    ]);
    let text = graph_text(&["--format", "mermaid"], dir.path());
    // Node labels by id, and edges as "label -> label".
    let mut labels = std::collections::BTreeMap::new();
    let mut edges = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some((id, rest)) = line.split_once(['[', '(', '>', '{'])
            && id.starts_with('o')
            && !id.contains(' ')
        {
            let label = rest.split('"').nth(1).unwrap_or("").replace("<br/>", " | ");
            labels.insert(id.to_owned(), label);
        } else if line.starts_with('o') && (line.contains(" --> ") || line.contains(" ==>")) {
            let words: Vec<&str> = line.split_whitespace().collect();
            edges.push((
                words[0].to_owned(),
                words[words.len() - 1].to_owned(),
                line.contains("calls"),
            ));
        }
    }
    let edge = |a: &str, b: &str| -> Option<bool> {
        edges.iter().find_map(|(f, t, calls)| {
            (labels[f].starts_with(a) && labels[t].starts_with(b)).then_some(*calls)
        })
    };
    let all: Vec<&String> = labels.values().collect();
    // Written by hand from the files above.
    for want in [
        "on: push | fired by collaborators",
        "on: pull_request | fired by anyone",
        "on: pull_request_target | anyone, with write token and secrets",
        "CI | ci.yml",
        "2 jobs: test, lint",
        "docs",
        "label | write: pull-requests, 1 secret",
        "actions/* | 2 references, 1 pinned",
        "acme/* | 1 reference, 1 pinned",
        "downloads.example.org",
    ] {
        assert!(all.iter().any(|l| l.as_str() == want), "{want}: {all:#?}");
    }
    assert_eq!(edge("on: push", "CI"), Some(false));
    assert_eq!(edge("CI", "2 jobs"), Some(false));
    assert_eq!(edge("2 jobs", "actions/*"), Some(false));
    assert_eq!(edge("docs", "reuse.yml"), Some(true), "{edges:?}");
    assert_eq!(edge("fetch", "downloads.example.org"), Some(false));
    // The caller's job does not reach what the called workflow's job reaches.
    assert_eq!(edge("docs", "downloads.example.org"), None);
    // The triage job holds a write token on an event anyone fires: the risk class.
    let label_id = labels
        .iter()
        .find(|(_, l)| l.starts_with("label |"))
        .map(|(id, _)| id.clone())
        .expect("label job");
    assert!(
        text.lines().any(|l| l.trim_start().starts_with("class ")
            && l.contains("job_risk")
            && l.split(' ')
                .nth(3)
                .is_some_and(|ids| ids.split(',').any(|i| i == label_id))),
        "{text}"
    );
}

const PREVIEW: &str = "on: pull_request_target\npermissions:\n  pull-requests: write\njobs:\n  preview:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: npm ci && npm run build\n";
const RELEASE: &str = "on: push\npermissions:\n  contents: write\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make release\n";

/// The trust view keeps what outsiders can start: the `pull_request_target` workflow,
/// its job with the write permission, and the pull request's code it checks out; the
/// workflow only collaborators can start is not in it.
#[test]
fn the_trust_view_is_the_attack_surface() {
    let dir = write_repo(&[
        (".github/workflows/preview.yml", PREVIEW),
        (".github/workflows/release.yml", RELEASE),
    ]);
    let text = graph_text(&["--view", "trust", "--format", "mermaid"], dir.path());
    // Written by hand from the two workflows.
    for want in [
        "on: pull_request_target<br/>anyone, with write token and secrets",
        "preview.yml",
        "preview<br/>write: pull-requests",
        "untrusted code: pull request head",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    for unwanted in ["release", "on: push"] {
        assert!(!text.contains(unwanted), "{unwanted}: {text}");
    }
    let edge = format!(
        "{} --> {}",
        node_id(&text, "preview<br/>"),
        node_id(&text, "untrusted code")
    );
    assert!(text.lines().any(|l| l.trim() == edge), "{edge}: {text}");
}

/// `--split DIR` writes one diagram per workflow, named after its file; a file name
/// that would make a hidden file gets a `_` first.
#[test]
fn split_writes_one_diagram_per_workflow() {
    let dir = write_repo(&[
        (".github/workflows/preview.yml", PREVIEW),
        (".github/workflows/release.yml", RELEASE),
        (".github/workflows/.hidden.yml", RELEASE),
    ]);
    let out_dir = tempfile::tempdir().expect("tempdir");
    let split = out_dir.path().to_str().expect("utf-8 path");
    graph_text(&["--format", "mermaid", "--split", split], dir.path());
    let mut names: Vec<String> = std::fs::read_dir(out_dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["_.hidden.mmd", "preview.mmd", "release.mmd"]);
    let release = std::fs::read_to_string(out_dir.path().join("release.mmd")).expect("release");
    assert!(release.contains("release<br/>write: contents"), "{release}");
    assert!(!release.contains("preview"), "{release}");
    // Not for the detailed views, nor with `-o`.
    for args in [&["--view", "full"][..], &["-o", "x.dot"][..]] {
        let out = tollgate()
            .arg("graph")
            .args(args)
            .arg("--split")
            .arg(out_dir.path())
            .arg(dir.path())
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

/// `--format svg` draws through Graphviz: tooltips list what a node stands for, and a
/// workflow or job links to its line.
#[test]
fn svg_has_tooltips_and_links() {
    if std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_err()
    {
        eprintln!("skipped: graphviz `dot` is not installed");
        return;
    }
    let dir = write_repo(&[(".github/workflows/release.yml", RELEASE)]);
    let svg = graph_text(&["--format", "svg"], dir.path());
    assert!(svg.starts_with("<?xml"), "{svg}");
    assert!(svg.trim_end().ends_with("</svg>"), "{svg}");
    // The job `release` is on line 5 of the workflow.
    assert!(svg.contains(".github/workflows/release.yml#L5"), "{svg}");
    assert!(
        svg.contains("<title>") || svg.contains("xlink:title"),
        "{svg}"
    );
}

/// The supply view: each workflow's external dependencies grouped, with the fallbacks
/// their uses have; a dependency a workflow takes on without a fallback is a warning edge.
#[test]
fn the_supply_view_shows_fallbacks_and_their_absence() {
    let dir = write_repo(&[(
        ".github/workflows/build.yml",
        "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: curl -fsSLO --retry 3 https://tools.example.org/a.tgz\n      - run: curl -fsSLO https://assets.example.net/b.tgz\n",
    )]);
    let text = graph_text(&["--view", "supply", "--format", "mermaid"], dir.path());
    let id = |label: &str| node_id(&text, label);
    // Written by hand: curl's `--retry 3` is a retry; the second download has none.
    let (wf, tools, assets, retry) = (
        id("build.yml"),
        id("tools.example.org"),
        id("assets.example.net"),
        id("fallback: retry"),
    );
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    assert!(
        lines.contains(&format!("{wf} --> {tools}").as_str()),
        "{text}"
    );
    assert!(
        lines.contains(&format!("{wf} -.->|no fallback| {assets}").as_str()),
        "{text}"
    );
    assert!(
        lines.contains(&format!("{tools} --> {retry}").as_str()),
        "{text}"
    );
    assert!(
        text.contains("tools.example.org<br/>1 download<br/>every use has a fallback"),
        "{text}"
    );
    assert!(text.contains("no fallback in 1 of 1 uses"), "{text}");
}

//! The graph renderers on real repositories: the DOT output of the demo repository and
//! of every corpus repository must render with Graphviz (`dot -Tsvg`) without error;
//! Mermaid and JSON outputs keep their shape and are deterministic.

// Skips and corpus figures are reported on stderr, shown with `--nocapture`.
#![allow(clippy::print_stderr)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use tollgate_graph::{Graph, GraphFilter, Kind};
use tollgate_scan::{ScanOptions, scan};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/demo");
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/graph");

/// The graph users draw: the structural build and the passes (the hosts jobs reach).
fn graph_of(path: &Path) -> Graph {
    let s = scan(&[path.to_path_buf()], &ScanOptions::default());
    tollgate_facts::graph(&s).0
}

fn dot_available() -> bool {
    Command::new("dot")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Run `dot -Tsvg` on `text`; the SVG on success, stderr on failure.
fn dot_svg(text: &str) -> Result<String, String> {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(text.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() && !stderr.contains("Error") {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(stderr)
    }
}

fn corpus_repos() -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(CORPUS) else {
        return Vec::new();
    };
    let mut repos: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    repos.sort();
    repos
}

#[test]
fn demo_dot_renders_with_graphviz() {
    if !dot_available() {
        eprintln!("skipped: Graphviz `dot` is not installed (CI installs the graphviz package)");
        return;
    }
    let g = graph_of(Path::new(DEMO));
    let text = tollgate_report::dot::render(&g, &GraphFilter::default());
    let svg = dot_svg(&text).unwrap_or_else(|e| panic!("dot failed on the demo: {e}\n{text}"));
    assert!(svg.contains("<svg"));
    assert!(text.contains("subgraph cluster_n"));
    assert!(text.contains("cluster_legend"));
    for fixture in ["basic", "composite", "cycle", "lock"] {
        let g = graph_of(&Path::new(FIXTURES).join(fixture));
        let text = tollgate_report::dot::render(&g, &GraphFilter::default());
        if let Err(e) = dot_svg(&text) {
            panic!("dot failed on fixture {fixture}: {e}\n{text}");
        }
    }
}

#[test]
fn corpus_dot_renders_with_graphviz() {
    let repos = corpus_repos();
    if repos.is_empty() {
        eprintln!("skipped: no corpus at {CORPUS}");
        return;
    }
    if !dot_available() {
        eprintln!("skipped: Graphviz `dot` is not installed (CI installs the graphviz package)");
        return;
    }
    for repo in repos {
        let g = graph_of(&repo);
        // Packages collapsed: the diagram a user draws of a real repository. The full
        // graph's DOT differs only in more package nodes and edges of the same form.
        let filter = GraphFilter {
            collapse_packages: true,
            ..GraphFilter::default()
        };
        let started = Instant::now();
        let text = tollgate_report::dot::render(&g, &filter);
        if let Err(e) = dot_svg(&text) {
            panic!("dot failed on {}: {e}", repo.display());
        }
        eprintln!(
            "{}: {} nodes, {} edges; dot {:?}",
            repo.file_name().and_then(|n| n.to_str()).unwrap_or("?"),
            g.node_count(),
            g.edge_count(),
            started.elapsed()
        );
        // A filtered diagram renders too.
        let kinds = GraphFilter {
            kinds: vec![Kind::Action, Kind::Image, Kind::Host],
            ..GraphFilter::default()
        };
        if let Err(e) = dot_svg(&tollgate_report::dot::render(&g, &kinds)) {
            panic!("dot failed on {} (kinds filter): {e}", repo.display());
        }
    }
}

/// The overview of every corpus repository fits one page: Graphviz draws it at most
/// 4,000 pixels on its longest side (96 DPI; measured largest: uv 2,155 × 3,851) and its
/// Mermaid form stays within Mermaid's default limits. So do the trust and supply views
/// (largest: electron's trust view, 2,408 × 1,951; codeql-action's supply view, 937 ×
/// 2,601).
#[test]
fn corpus_overview_fits_a_page() {
    let repos = corpus_repos();
    if repos.is_empty() {
        eprintln!("skipped: no corpus at {CORPUS}");
        return;
    }
    let size = |svg: &str, attr: &str| -> f64 {
        let at = svg.find(&format!("{attr}=\"")).expect("size attribute") + attr.len() + 2;
        let rest = &svg[at..];
        rest[..rest.find("pt").expect("pt")]
            .parse()
            .expect("number")
    };
    for repo in repos {
        let g = graph_of(&repo);
        for (view, ov) in [
            ("overview", g.overview(&[])),
            ("trust", g.trust_overview(&[])),
            (
                "supply",
                tollgate_inventory::supply::supply_overview(&g, &[]),
            ),
        ] {
            let mermaid = tollgate_report::overview::mermaid(&ov);
            assert_eq!(
                tollgate_report::overview::mermaid_limits(&mermaid),
                None,
                "{} {view}",
                repo.display()
            );
            if !dot_available() {
                continue;
            }
            let svg = dot_svg(&tollgate_report::overview::dot(&g, &ov))
                .unwrap_or_else(|e| panic!("dot failed on {} {view}: {e}", repo.display()));
            let (w, h) = (size(&svg, "width"), size(&svg, "height"));
            // Points to pixels at 96 DPI.
            let longest = w.max(h) * 96.0 / 72.0;
            assert!(longest <= 4000.0, "{} {view}: {w} x {h} pt", repo.display());
        }
    }
}

#[test]
fn mermaid_shape() {
    let g = graph_of(Path::new(DEMO));
    let text = tollgate_report::mermaid::render(&g, &GraphFilter::default());
    assert!(text.starts_with("flowchart LR\n"));
    let opens = text
        .lines()
        .filter(|l| l.trim_start().starts_with("subgraph "))
        .count();
    let ends = text.lines().filter(|l| l.trim() == "end").count();
    assert_eq!(opens, ends);
    assert!(opens >= 3 + 5, "one subgraph per workflow and job:\n{text}");
    // Nothing from the inputs reaches an identifier or breaks a label.
    for line in text.lines() {
        let l = line.trim_start();
        if l.starts_with('n') && !l.contains("-->") {
            let label_quotes = l.matches('"').count();
            assert_eq!(label_quotes, 2, "{l}");
        }
    }
    assert_eq!(
        text,
        tollgate_report::mermaid::render(&g, &GraphFilter::default())
    );
}

#[test]
fn json_shape() {
    let g = graph_of(Path::new(DEMO));
    let text = tollgate_report::graph_json::render(&g, &GraphFilter::default());
    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(v["version"], 1);
    let nodes = v["nodes"].as_array().expect("nodes");
    let edges = v["edges"].as_array().expect("edges");
    assert_eq!(nodes.len(), g.node_count());
    assert_eq!(edges.len(), g.edge_count());
    let wf = nodes
        .iter()
        .find(|n| n["kind"] == "workflow" && n["attrs"]["path"] == ".github/workflows/ci.yml")
        .expect("ci workflow");
    assert_eq!(wf["location"]["path"], ".github/workflows/ci.yml");
    assert!(wf["location"]["line"].as_u64().is_some_and(|l| l >= 1));
    let checkout = nodes
        .iter()
        .find(|n| n["kind"] == "action" && n["label"] == "actions/checkout@v4")
        .expect("checkout");
    assert_eq!(checkout["attrs"]["pinned"], "false");
    for e in edges {
        assert!(e["from"].is_u64() && e["to"].is_u64() && e["kind"].is_string());
    }
    let collapsed = tollgate_report::graph_json::render(
        &g,
        &GraphFilter {
            collapse_packages: true,
            ..GraphFilter::default()
        },
    );
    let c: serde_json::Value = serde_json::from_str(&collapsed).expect("valid JSON");
    assert!(
        c["nodes"]
            .as_array()
            .is_some_and(|n| n.iter().all(|n| n["kind"] != "package"))
    );
}

/// What steps need of the token (`requires` edges, added by the needs pass) is in the
/// JSON output but not drawn: the diagrams show what jobs hold, and a permission no job
/// holds (`contents: write`, needed by `release` in testdata/graph/requires) is not a node
/// of them, with or without a kind filter.
#[test]
fn requires_edges_are_in_json_but_not_drawn() {
    let g = graph_of(&Path::new(FIXTURES).join("requires"));
    let json = tollgate_report::graph_json::render(&g, &GraphFilter::default());
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let labels = |kind: &str| -> Vec<String> {
        let nodes = v["nodes"].as_array().expect("nodes");
        v["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .filter(|e| e["kind"] == kind)
            .filter_map(|e| {
                nodes
                    .iter()
                    .find(|n| n["id"] == e["to"])
                    .and_then(|n| n["label"].as_str().map(str::to_owned))
            })
            .collect()
    };
    let mut required = labels("requires");
    required.sort();
    assert_eq!(required, ["contents: read", "contents: write"]);
    assert_eq!(labels("holds"), ["contents: read"]);
    for filter in [
        GraphFilter::default(),
        GraphFilter {
            kinds: vec![Kind::Permission],
            ..GraphFilter::default()
        },
        GraphFilter {
            jobs: vec!["release".to_owned()],
            ..GraphFilter::default()
        },
    ] {
        for text in [
            tollgate_report::dot::render(&g, &filter),
            tollgate_report::mermaid::render(&g, &filter),
        ] {
            assert!(!text.contains("requires"), "{filter:?}\n{text}");
            assert!(!text.contains("contents: write"), "{filter:?}\n{text}");
        }
    }
    // The permission the job holds is drawn, with its `holds` edge.
    let dot = tollgate_report::dot::render(&g, &GraphFilter::default());
    assert!(
        dot.contains("contents: read") && dot.contains("holds"),
        "{dot}"
    );
}

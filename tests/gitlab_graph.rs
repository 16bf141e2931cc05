//! GitLab CI pipelines in the graph's outputs: includes of outside configuration as
//! `include` nodes with their pin state, runners selected by `tags:`, and the same in
//! the DOT, Mermaid and overview renderings (fixture `testdata/gitlab/graph`, read by
//! hand: see its `.gitlab-ci.yml`).

mod common;

use common::{json, testdata, tollgate};

fn run(args: &[&str]) -> Vec<u8> {
    let out = tollgate()
        .args(args)
        .arg(testdata("gitlab/graph"))
        .output()
        .expect("runs");
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn graph() -> serde_json::Value {
    json(&run(&["graph", "--format", "json"]))
}

fn nodes<'a>(doc: &'a serde_json::Value, kind: &str) -> Vec<&'a serde_json::Value> {
    doc["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|n| n["kind"] == kind)
        .collect()
}

/// (from label, edge kind, to label) of every edge into a node of `kind`.
fn edges_into(doc: &serde_json::Value, kind: &str) -> Vec<(String, String, String)> {
    let all = doc["nodes"].as_array().expect("nodes");
    let label = |id: &serde_json::Value| {
        all.iter()
            .find(|n| n["id"] == *id)
            .map(|n| n["label"].as_str().unwrap_or_default().to_owned())
            .unwrap_or_default()
    };
    let of = |id: &serde_json::Value| all.iter().find(|n| n["id"] == *id).map(|n| &n["kind"]);
    doc["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter(|e| of(&e["to"]).is_some_and(|k| k == kind))
        .map(|e| {
            (
                label(&e["from"]),
                e["kind"].as_str().unwrap_or_default().to_owned(),
                label(&e["to"]),
            )
        })
        .collect()
}

/// Each outside include is a node with its pin state (one per file of a project
/// include); the pipeline uses them, the job that triggers a child pipeline uses its
/// include; local includes are no node (their jobs are the pipeline's).
#[test]
fn includes_are_nodes_with_their_pin_state() {
    let doc = graph();
    let mut got: Vec<(String, String, String)> = nodes(&doc, "include")
        .iter()
        .map(|n| {
            (
                n["label"].as_str().unwrap_or_default().to_owned(),
                n["attrs"]["pin"].as_str().unwrap_or_default().to_owned(),
                format!(
                    "{}:{}",
                    n["location"]["path"]
                        .as_str()
                        .and_then(|p| p.rsplit_once("graph/"))
                        .map(|(_, p)| p)
                        .unwrap_or_default(),
                    n["location"]["line"]
                ),
            )
        })
        .collect();
    got.sort();
    let want = [
        (
            "component: gitlab.com/acme/components/deploy@1.4.0",
            "mutable",
            ".gitlab-ci.yml:13",
        ),
        (
            "project: acme/ci-templates:/jobs/lint.yml@v2.1.0",
            "mutable",
            ".gitlab-ci.yml:6",
        ),
        (
            "project: acme/ci-templates:/jobs/scan.yml@v2.1.0",
            "mutable",
            ".gitlab-ci.yml:7",
        ),
        (
            "project: acme/deploy:/pipeline.yml@main",
            "mutable",
            ".gitlab-ci.yml:40",
        ),
        (
            "project: acme/pinned:/base.yml@0123456789abcdef0123456789abcdef01234567",
            "commit",
            ".gitlab-ci.yml:10",
        ),
        (
            "remote: https://example.com/ci/common.yml",
            "mutable",
            ".gitlab-ci.yml:11",
        ),
        (
            "template: Jobs/SAST.gitlab-ci.yml",
            "not-applicable",
            ".gitlab-ci.yml:12",
        ),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(got, want);
    let mut uses = edges_into(&doc, "include");
    uses.sort();
    let from: Vec<(&str, &str)> = uses
        .iter()
        .map(|(f, k, _)| (f.as_str(), k.as_str()))
        .collect();
    assert_eq!(
        from.iter()
            .filter(|(f, k)| f.ends_with("graph/.gitlab-ci.yml") && *k == "uses")
            .count(),
        6
    );
    assert!(uses.contains(&(
        "deploy".to_owned(),
        "uses".to_owned(),
        "project: acme/deploy:/pipeline.yml@main".to_owned()
    )));
    assert_eq!(uses.len(), 7);
}

/// `tags:` select a runner: the job runs on it; a `saas-…` tag is a GitLab-hosted
/// runner, any other tag a self-managed one; a job without tags has no runner node.
#[test]
fn tags_select_runners() {
    let doc = graph();
    let mut runners: Vec<(String, String)> = nodes(&doc, "runner")
        .iter()
        .map(|n| {
            (
                n["attrs"]["labels"].as_str().unwrap_or_default().to_owned(),
                n["attrs"]["self_hosted"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    runners.sort();
    assert_eq!(
        runners,
        [
            ("docker, linux".to_owned(), "true".to_owned()),
            ("saas-linux-small-amd64".to_owned(), "false".to_owned()),
        ]
    );
    let mut on = edges_into(&doc, "runner");
    on.sort();
    assert_eq!(
        on,
        [
            (
                "hosted".to_owned(),
                "runs-on".to_owned(),
                "runs-on: saas-linux-small-amd64".to_owned()
            ),
            (
                "test".to_owned(),
                "runs-on".to_owned(),
                "runs-on: docker, linux".to_owned()
            ),
        ]
    );
}

/// The renderings draw include nodes: DOT and Mermaid in the full view, the overview
/// as groups by kind with how many are pinned.
#[test]
fn renderings_draw_includes() {
    let dot =
        String::from_utf8(run(&["graph", "--format", "dot", "--view", "full"])).expect("utf-8");
    assert!(
        dot.contains("remote: https://example.com/ci/common.yml"),
        "{dot}"
    );
    assert!(dot.contains("shape=tab"), "{dot}");
    let mermaid =
        String::from_utf8(run(&["graph", "--format", "mermaid", "--view", "full"])).expect("utf-8");
    assert!(
        mermaid.contains("[[\"template: Jobs/SAST.gitlab-ci.yml\"]]"),
        "{mermaid}"
    );
    let overview = String::from_utf8(run(&["graph", "--format", "dot"])).expect("utf-8");
    assert!(overview.contains("include: project"), "{overview}");
    assert!(overview.contains("4 includes, 1 pinned"), "{overview}");
    assert!(overview.contains("include: remote"), "{overview}");
}

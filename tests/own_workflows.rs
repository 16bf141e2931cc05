//! tollgate's own GitHub Action and the example workflows in docs/ are what we tell users to
//! run; they must pass tollgate's default rules without a single finding.

mod common;

use common::{json, root, tollgate};

#[test]
fn own_action_and_example_workflows_report_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    for e in std::fs::read_dir(root().join("docs/workflows")).expect("docs/workflows") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, wf.join(p.file_name().expect("name"))).expect("copy");
    }
    std::fs::copy(root().join("action.yml"), dir.path().join("action.yml")).expect("copy");
    let out = tollgate()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let doc = json(&out.stdout);
    let inputs = doc["inputs"].as_array().map_or(0, Vec::len);
    assert_eq!(inputs, 5, "the action and four workflows are read");
    let findings = doc["findings"].as_array().cloned().unwrap_or_default();
    let problems: Vec<&serde_json::Value> = doc["diagnostics"]
        .as_array()
        .map(|d| d.iter().filter(|x| x["severity"] != "note").collect())
        .unwrap_or_default();
    assert!(
        findings.is_empty() && problems.is_empty(),
        "{findings:#?}\n{problems:#?}"
    );
    assert_eq!(out.status.code(), Some(0));
}

//! tollgate's own GitHub Action (with its scripts), its release workflow and the example
//! workflows in docs/ are what we tell users to run or run ourselves; they must pass
//! tollgate's default rules without a single finding.

mod common;

use common::{json, root, tollgate};

#[test]
fn own_action_and_example_workflows_report_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    let mut workflows = 0;
    for e in std::fs::read_dir(root().join("docs/workflows")).expect("docs/workflows") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, wf.join(p.file_name().expect("name"))).expect("copy");
        workflows += 1;
    }
    std::fs::copy(
        root().join(".github/workflows/release.yml"),
        wf.join("release.yml"),
    )
    .expect("copy");
    std::fs::copy(root().join("action.yml"), dir.path().join("action.yml")).expect("copy");
    let scripts = dir.path().join("action");
    std::fs::create_dir_all(&scripts).expect("mkdir");
    let mut shell_scripts = 0;
    for e in std::fs::read_dir(root().join("action")).expect("action/") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, scripts.join(p.file_name().expect("name"))).expect("copy");
        shell_scripts += usize::from(p.extension().is_some_and(|x| x == "sh"));
    }
    let out = tollgate()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let doc = json(&out.stdout);
    let inputs = doc["inputs"].as_array().map_or(0, Vec::len);
    // The action runs each of its scripts as `bash "$GITHUB_ACTION_PATH/action/x.sh"`:
    // they are followed and checked too.
    assert_eq!(
        inputs,
        workflows + 2 + shell_scripts,
        "the action, its scripts, the release workflow and the example workflows are read"
    );
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

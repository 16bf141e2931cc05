//! `template-injection` findings carry the flow pass's chain as their path: the value's
//! carrier (a composite action's input, a reusable workflow's input) is a hop of its
//! own, located where the calling step or job puts the value in, in JSON `path` and in
//! SARIF's code flow alike. The expected hops were read off the fixtures line by line.

mod common;

use common::{json, testdata, tollgate};
use serde_json::Value;

fn run(format: &str, dir: &str) -> Value {
    let out = tollgate()
        .args([
            "check",
            "--format",
            format,
            "--select",
            "template-injection",
        ])
        .arg(testdata(dir))
        .output()
        .expect("runs");
    json(&out.stdout)
}

/// (label, file name, line) of every hop of the only finding.
fn only_path(doc: &Value) -> (Value, Vec<(String, String, u64)>) {
    let all = doc["findings"].as_array().expect("findings");
    assert_eq!(all.len(), 1, "{all:#?}");
    let f = all[0].clone();
    let hops = f["path"]
        .as_array()
        .expect("a path")
        .iter()
        .map(|h| {
            let file = h["location"]["path"].as_str().unwrap_or("");
            (
                h["label"].as_str().unwrap_or("").to_owned(),
                file.rsplit('/').next().unwrap_or("").to_owned(),
                h["location"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    (f, hops)
}

fn hop(label: &str, file: &str, line: u64) -> (String, String, u64) {
    (label.to_owned(), file.to_owned(), line)
}

#[test]
fn a_reusable_workflow_input_is_reported_with_the_callers_with_as_a_hop() {
    let dir = "rules/template-injection/fires-reusable-input";
    let (f, hops) = only_path(&run("json", dir));
    assert_eq!(f["location"]["line"], 16);
    assert!(
        f["location"]["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("greet.yml"))
    );
    // The value comes from the caller's `issue_comment` event: anyone can fire it with a
    // token that can write.
    assert_eq!(f["severity"], "high");
    assert_eq!(
        f["message"],
        "`${{ inputs.title }}` expands `inputs.title`, which carries `github.event.comment.body` from the calling job into a `run:` script"
    );
    assert_eq!(
        hops,
        [
            hop("on: `issue_comment`", "triage.yml", 1),
            hop("workflow `.github/workflows/triage.yml`", "triage.yml", 1),
            hop("job `greet`", "triage.yml", 7),
            hop(
                "`inputs.title` carries `github.event.comment.body` from the calling job",
                "triage.yml",
                10
            ),
            hop("workflow `.github/workflows/greet.yml`", "greet.yml", 1),
            hop("job `greet`", "greet.yml", 11),
            hop("step `run step 1`", "greet.yml", 14),
            hop(
                "`inputs.title` expanded into a `run:` script",
                "greet.yml",
                16
            ),
        ]
    );
    // SARIF: the same hops as a code flow, the carrier among them.
    let sarif = run("sarif", dir);
    let flow = sarif["runs"][0]["results"][0]["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .expect("a code flow")
        .clone();
    let carrier = flow
        .iter()
        .find(|l| {
            l["location"]["message"]["text"]
                .as_str()
                .is_some_and(|t| t.contains("from the calling job"))
        })
        .expect("the carrier hop in the code flow");
    assert_eq!(
        carrier["location"]["physicalLocation"]["region"]["startLine"],
        10
    );
    assert_eq!(flow.len(), hops.len());
}

#[test]
fn a_composite_action_input_is_a_hop_at_the_calling_steps_with() {
    let (f, hops) = only_path(&run(
        "json",
        "rules/template-injection/fires-composite-input",
    ));
    assert!(
        f["location"]["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("action.yml"))
    );
    assert_eq!(f["location"]["line"], 16);
    let n = hops.len();
    assert!(n >= 2, "{hops:?}");
    assert_eq!(
        hops[n - 2..],
        [
            hop(
                "`inputs.title` carries `github.event.issue.title` from the calling step",
                "triage.yml",
                15
            ),
            hop(
                "`inputs.title` expanded into a `run:` script",
                "action.yml",
                16
            ),
        ]
    );
}

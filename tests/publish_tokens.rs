//! `long-lived-publish-token` end to end: what each finding says and how sure it is, for
//! the cases whose wording carries a judgement (provenance seen or not, a publish that
//! tollgate cannot see).

mod common;

use common::{json, testdata, tollgate};
use serde_json::Value;

fn findings(case: &str) -> Vec<Value> {
    let out = tollgate()
        .args([
            "check",
            "--format",
            "json",
            "--select",
            "long-lived-publish-token",
        ])
        .arg(testdata(&format!("rules/long-lived-publish-token/{case}")))
        .output()
        .expect("runs");
    json(&out.stdout)["findings"]
        .as_array()
        .expect("findings")
        .clone()
}

fn at(all: &[Value], line: u64) -> &Value {
    all.iter()
        .find(|f| f["location"]["line"] == line)
        .unwrap_or_else(|| panic!("no finding at line {line}: {all:#?}"))
}

#[test]
fn npm_findings_say_whether_provenance_is_on() {
    let all = findings("fires-npm");
    // A token from the job's `env:` and no provenance: one finding says both.
    let f = at(&all, 17);
    let m = f["message"].as_str().unwrap_or_default();
    assert!(
        m.contains("`secrets.NPM_PUBLISH_TOKEN` (through `NODE_AUTH_TOKEN`)"),
        "{m}"
    );
    assert!(m.contains("without provenance"), "{m}");
    assert_eq!(
        (f["severity"].as_str(), f["confidence"].as_str()),
        (Some("medium"), Some("high"))
    );
    // `NPM_CONFIG_PROVENANCE: true` in the step's `env:` turns provenance on (tauri's
    // publish-cli-js.yml was reported as lacking it).
    let m = at(&all, 25)["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        m.contains("`secrets.ORG_NPM_TOKEN` (through `NPM_TOKEN`)"),
        "{m}"
    );
    assert!(!m.contains("without provenance"), "{m}");
    // No token, no `id-token: write`: only the provenance recommendation, which says what
    // tollgate cannot see.
    let f = at(&all, 33);
    let m = f["message"].as_str().unwrap_or_default();
    assert!(m.contains("publishConfig.provenance"), "{m}");
    assert_eq!(
        (f["severity"].as_str(), f["confidence"].as_str()),
        (Some("low"), Some("medium"))
    );
}

#[test]
fn a_publish_variable_in_an_unread_script_is_medium_confidence() {
    let all = findings("fires-crates");
    let f = at(&all, 18);
    let m = f["message"].as_str().unwrap_or_default();
    assert!(m.contains("only publishing reads"), "{m}");
    assert_eq!(f["confidence"], "medium");
    // A seen `cargo publish --token …` and `cargo login "$CRATES"` are sure.
    assert_eq!(at(&all, 11)["confidence"], "high");
    let m = at(&all, 12)["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(m.contains("`cargo login`"), "{m}");
}

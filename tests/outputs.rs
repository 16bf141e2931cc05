//! End-to-end tests of the output formats, configuration, selection and suppressions.

mod common;

use common::{assert_valid_sarif, json, testdata, tollgate};
use predicates::prelude::*;

fn sarif_of(path: &std::path::Path) -> serde_json::Value {
    let out = tollgate()
        .args(["check", "--format", "sarif"])
        .arg(path)
        .output()
        .expect("runs");
    json(&out.stdout)
}

#[test]
fn sarif_of_the_demo_is_valid_and_complete() {
    let doc = sarif_of(&testdata("demo"));
    assert_valid_sarif(&doc, "demo");
    let run = &doc["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.len() >= 2, "the whole catalog is listed");
    for r in rules {
        assert!(
            r["properties"]["tags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|x| x == "security"))
        );
        let sev: f64 = r["properties"]["security-severity"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("score");
        assert!((0.0..=10.0).contains(&sev));
        assert!(
            r["helpUri"]
                .as_str()
                .is_some_and(|u| u.starts_with("https://"))
        );
    }
    let results = run["results"].as_array().expect("results");
    let checkout = results
        .iter()
        .find(|r| {
            r["ruleId"] == "unpinned-action"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    == ".github/workflows/ci.yml"
        })
        .expect("the ci.yml checkout finding");
    let region = &checkout["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 16);
    assert_eq!(region["startColumn"], 15);
    assert_eq!(region["snippet"]["text"], "actions/checkout@v4");
}

/// A finding in a Dockerfile `RUN` names the Dockerfile (relative to the scan root) at the
/// download's line and column, in SARIF and JSON alike, and its code flow goes through
/// the `RUN`.
#[test]
fn a_dockerfile_run_finding_names_the_dockerfile() {
    let dir = tempfile::tempdir().expect("tmp");
    common::copy_dir(
        &testdata("rules/remote-script-execution/fires-dockerfile"),
        dir.path(),
    );
    let out = tollgate()
        .args([
            "check",
            "--format",
            "sarif",
            "--select",
            "remote-script-execution",
        ])
        .arg(dir.path())
        .output()
        .expect("runs");
    let doc = json(&out.stdout);
    assert_valid_sarif(&doc, "fires-dockerfile");
    let results = doc["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 4, "{results:#?}");
    let first = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(first["artifactLocation"]["uri"], "Dockerfile");
    assert_eq!(first["region"]["startLine"], 3);
    assert_eq!(first["region"]["startColumn"], 5);
    assert_eq!(
        first["region"]["snippet"]["text"],
        "curl -fsSL https://deb.nodesource.com/setup_20.x"
    );
    let flow: Vec<&str> = results[0]["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .expect("a code flow")
        .iter()
        .filter_map(|l| l["location"]["message"]["text"].as_str())
        .collect();
    assert!(flow.contains(&"`RUN`"), "{flow:?}");
    let out = tollgate()
        .args([
            "check",
            "--format",
            "json",
            "--select",
            "remote-script-execution",
        ])
        .arg(dir.path())
        .output()
        .expect("runs");
    let doc = json(&out.stdout);
    let f = &doc["findings"][0]["location"];
    assert_eq!(f["path"], "Dockerfile");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(3), Some(5))
    );
}

/// Every finding of the rules that read Dockerfile `RUN`s has a path through its `RUN`,
/// whether the rule builds its path or not (a `RUN` has no step for the runner to walk).
#[test]
fn dockerfile_run_findings_have_a_path_through_the_run() {
    for rule in [
        "remote-script-execution",
        "unverified-download",
        "unpinned-package-install",
    ] {
        let out = tollgate()
            .args(["check", "--format", "json", "--select", rule])
            .arg(testdata(&format!("rules/{rule}/fires-dockerfile")))
            .output()
            .expect("runs");
        let doc = json(&out.stdout);
        let findings = doc["findings"].as_array().expect("findings");
        assert!(!findings.is_empty(), "{rule}");
        for f in findings {
            let hops: Vec<&str> = f["path"]
                .as_array()
                .map(|p| p.iter().filter_map(|h| h["label"].as_str()).collect())
                .unwrap_or_default();
            assert!(
                hops.first().is_some_and(|h| h.starts_with("Dockerfile `")),
                "{rule}: {hops:?}"
            );
            assert!(hops.contains(&"`RUN`"), "{rule}: {hops:?}");
        }
    }
}

#[test]
fn sarif_of_every_rule_fixture_is_valid() {
    let cases = testdata("rules");
    for rule in std::fs::read_dir(&cases).expect("rules") {
        let rule = rule.expect("entry").path();
        for case in std::fs::read_dir(&rule).expect("cases") {
            let case = case.expect("entry").path();
            assert_valid_sarif(&sarif_of(&case), &case.display().to_string());
        }
    }
}

#[test]
fn fingerprints_survive_lines_inserted_above() {
    let dir = tempfile::tempdir().expect("tmp");
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    let body = "jobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/cache@v4\n";
    std::fs::write(wf.join("ci.yml"), format!("on: push\n{body}")).expect("w");
    let pinning = |p: &std::path::Path| {
        let out = tollgate()
            .args(["check", "--format", "sarif", "--select", "unpinned-action"])
            .arg(p)
            .output()
            .expect("runs");
        json(&out.stdout)
    };
    let before = pinning(dir.path());
    std::fs::write(
        wf.join("ci.yml"),
        format!("# a comment\n# another\non: push\n{body}"),
    )
    .expect("w");
    let after = pinning(dir.path());
    let prints = |d: &serde_json::Value| -> Vec<(serde_json::Value, serde_json::Value)> {
        d["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"].clone(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"].clone(),
                )
            })
            .collect()
    };
    let (b, a) = (prints(&before), prints(&after));
    assert_eq!(b.len(), 2);
    assert_ne!(b[0].0, b[1].0, "distinct findings, distinct fingerprints");
    assert_eq!(b[0].0, a[0].0);
    assert_eq!(b[1].0, a[1].0);
    assert_ne!(b[0].1, a[0].1, "the lines did move");
}

#[test]
fn github_format_prints_workflow_commands() {
    tollgate()
        .args(["check", "--format", "github"])
        .arg(testdata("rules/unpinned-action/fires-tag-branch-short"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "::error file=.github/workflows/ci.yml,line=6,col=15,endLine=6,endColumn=34,title=unpinned-action::action `actions/checkout@v4` is pinned to a tag",
        ));
}

#[test]
fn json_carries_findings() {
    let out = tollgate()
        .args(["check", "--format", "json", "--select", "pinning"])
        .arg(testdata("rules/unpinned-image/fires-container-services"))
        .output()
        .expect("runs");
    let doc = json(&out.stdout);
    let f = doc["findings"].as_array().expect("findings");
    assert_eq!(f.len(), 3);
    assert_eq!(f[0]["rule"], "unpinned-image");
    assert_eq!(f[0]["location"]["line"], 5);
    assert_eq!(f[0]["severity"], "medium");
    assert_eq!(f[1]["severity"], "high", "no tag is worse than a fixed tag");
    assert_eq!(f[0]["job"], "test");
}

#[test]
fn select_ignore_and_fail_level() {
    let case = testdata("rules/unpinned-image/fires-container-services");
    tollgate()
        .args(["check", "--select", "unpinned-action"])
        .arg(&case)
        .assert()
        .code(0);
    tollgate()
        .args([
            "check",
            "--select",
            "pinning,integrity",
            "--ignore",
            "pinning",
        ])
        .arg(&case)
        .assert()
        .code(0);
    tollgate()
        .args(["check", "--fail-level", "never"])
        .arg(&case)
        .assert()
        .code(0);
    tollgate()
        .args(["check", "--select", "unpinned-imag"])
        .arg(&case)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `unpinned-image`"));
}

fn repo_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    for (rel, text) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    dir
}

#[test]
fn inline_suppressions_and_unused_ones() {
    let dir = repo_with(&[(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4 # tollgate: ignore[unpinned-action] -- reviewed\n      - uses: actions/cache@v4\n      - run: echo # tollgate: ignore[unpinned-image]\n",
    )]);
    let out = tollgate()
        .args(["check", "--format", "json", "--select", "pinning"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let doc = json(&out.stdout);
    let lines: Vec<i64> = doc["findings"]
        .as_array()
        .expect("f")
        .iter()
        .filter_map(|f| f["location"]["line"].as_i64())
        .collect();
    assert_eq!(lines, vec![7]);
    let unused: Vec<&serde_json::Value> = doc["diagnostics"]
        .as_array()
        .expect("d")
        .iter()
        .filter(|d| d["code"] == "unused-suppression")
        .collect();
    assert_eq!(unused.len(), 1);
    assert_eq!(unused[0]["location"]["line"], 8);
    let out = tollgate()
        .args([
            "check",
            "--format",
            "json",
            "--select",
            "pinning",
            "--no-ignores",
        ])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(
        json(&out.stdout)["findings"].as_array().map(Vec::len),
        Some(2)
    );
}

#[test]
fn config_levels_ignores_and_errors() {
    let dir = repo_with(&[
        (
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  a:\n    runs-on: x\n    container: node:20\n    steps:\n      - uses: actions/checkout@v4\n  b:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n",
        ),
        (
            "tollgate.toml",
            "[rules.unpinned-image]\nlevel = \"warning\"\n\n[[ignore]]\npath = \".github/workflows/*.yml\"\nrules = [\"unpinned-action\"]\njob = \"b\"\n\n[[ignore]]\npath = \"nothing/*.yml\"\n",
        ),
    ]);
    let out = tollgate()
        .args(["check", "--format", "json", "--select", "pinning"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let doc = json(&out.stdout);
    let f: Vec<(String, String, String)> = doc["findings"]
        .as_array()
        .expect("f")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().into(),
                f["level"].as_str().unwrap_or_default().into(),
                f["job"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    assert_eq!(
        f,
        vec![
            ("unpinned-image".into(), "warning".into(), "a".into()),
            ("unpinned-action".into(), "error".into(), "a".into()),
        ]
    );
    assert!(
        doc["diagnostics"]
            .as_array()
            .expect("d")
            .iter()
            .any(|d| d["code"] == "unused-suppression" && d["location"]["line"] == 9)
    );
    tollgate()
        .args([
            "check",
            "--fail-level",
            "error",
            "--select",
            "unpinned-image",
        ])
        .arg(dir.path())
        .assert()
        .code(0);

    let bad = repo_with(&[(
        "tollgate.toml",
        "[rules.unpinned-image]\nlevel = \"loud\"\n",
    )]);
    tollgate()
        .args(["check", "--color", "never"])
        .arg(bad.path())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("tollgate.toml:1:1")
                .or(predicate::str::contains("tollgate.toml:2")),
        )
        .stderr(predicate::str::contains("level"));
    tollgate()
        .args(["check", "--config"])
        .arg(bad.path().join("missing.toml"))
        .arg(bad.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read configuration"));
}

#[test]
fn rules_explain_and_config_init() {
    tollgate()
        .arg("rules")
        .assert()
        .success()
        .stdout(predicate::str::contains("unpinned-action"));
    let out = tollgate()
        .args(["rules", "--format", "json"])
        .output()
        .expect("runs");
    let doc = json(&out.stdout);
    assert_eq!(doc["version"], 1);
    assert!(
        doc["rules"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x["id"] == "unpinned-image"))
    );
    tollgate()
        .args(["explain", "unpinned-action"])
        .assert()
        .success()
        .stdout(predicate::str::contains("## Why it matters"));
    tollgate().args(["explain", "nope"]).assert().code(2);
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = dir.path().join("tollgate.toml");
    tollgate()
        .args(["config", "--init", "-o"])
        .arg(&cfg)
        .assert()
        .success();
    assert!(std::fs::read_to_string(&cfg).is_ok_and(|s| s.contains("[policy.packages]")));
    tollgate()
        .args(["config", "--init", "-o"])
        .arg(&cfg)
        .assert()
        .code(2);
    // The written default is a valid configuration.
    tollgate()
        .args(["check", "--select", "unpinned-action", "--config"])
        .arg(&cfg)
        .arg(testdata("rules/unpinned-action/clean-sha-local-self"))
        .assert()
        .code(0);
}

//! End-to-end tests of baselines: `tollgate baseline` records the findings of a
//! repository written here by hand, and `check --baseline` (or the configuration's
//! `baseline`) reports only what is new, keeps matching when lines move and jobs are
//! renamed, counts what was fixed, shows again what rose in level, and refuses a missing
//! or broken baseline with exit code 2.

mod common;

use std::path::Path;

use common::{json, tollgate, write};
use serde_json::Value;

/// Six findings: `write-all` (line 2), a job without timeout on its key line (line 4), an
/// unpinned and credential-persisting checkout, and `curl | sh` without fallback.
const CI: &str = "on: push
permissions: write-all
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: curl -sSL https://example.com/install.sh | sh
";

fn repo(ci: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("git dir");
    write(dir.path(), ".github/workflows/ci.yml", ci);
    dir
}

fn record(dir: &Path) -> Value {
    let out = tollgate()
        .current_dir(dir)
        .args(["baseline", "-o", ".tollgate-baseline.json", "."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    json(&std::fs::read(dir.join(".tollgate-baseline.json")).expect("written"))
}

/// `check` in `dir` with `args`: exit code, the JSON findings' rules, and the human text.
fn check(dir: &Path, args: &[&str]) -> (Option<i32>, Vec<String>, String) {
    let run = |format: &str| {
        tollgate()
            .current_dir(dir)
            .args([
                "check",
                "--color",
                "never",
                "--fail-level",
                "note",
                "-f",
                format,
            ])
            .args(args)
            .arg(".")
            .output()
            .expect("runs")
    };
    let out = run("json");
    let doc = json(&out.stdout);
    let rules = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().unwrap_or_default().to_owned())
        .collect();
    let human = run("human");
    assert_eq!(human.status.code(), out.status.code());
    (
        out.status.code(),
        rules,
        String::from_utf8_lossy(&human.stdout).into_owned(),
    )
}

const WITH_BASELINE: &[&str] = &["--baseline", ".tollgate-baseline.json"];

#[test]
fn the_file_is_versioned_sorted_and_deterministic() {
    let dir = repo(CI);
    let doc = record(dir.path());
    assert_eq!(doc["version"], 1);
    let entries = doc["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 6);
    let keys: Vec<(String, String, String)> = entries
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap_or_default().to_owned(),
                e["rule"].as_str().unwrap_or_default().to_owned(),
                e["fingerprint"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let first = std::fs::read(dir.path().join(".tollgate-baseline.json")).expect("read");
    record(dir.path());
    let again = std::fs::read(dir.path().join(".tollgate-baseline.json")).expect("read");
    assert_eq!(first, again);
}

#[test]
fn only_new_findings_are_reported_and_fail() {
    let dir = repo(CI);
    record(dir.path());
    let (code, rules, human) = check(dir.path(), WITH_BASELINE);
    assert_eq!(code, Some(0), "{human}");
    assert!(rules.is_empty(), "{rules:?}");
    assert!(human.contains("; 6 in the baseline"), "{human}");

    // A second job with an unpinned action: only its findings are new.
    let more = format!(
        "{CI}  lint:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - uses: some-org/lint@main\n"
    );
    write(dir.path(), ".github/workflows/ci.yml", &more);
    let (code, rules, human) = check(dir.path(), WITH_BASELINE);
    assert_eq!(code, Some(1));
    assert_eq!(rules, ["unpinned-action"], "{human}");
    assert!(human.contains("some-org/lint@main"), "{human}");
    assert!(!human.contains("actions/checkout@v4"), "{human}");
}

#[test]
fn moved_lines_and_a_renamed_job_keep_matching() {
    let dir = repo(CI);
    let before = record(dir.path());
    // Lines inserted above everything, and in the middle; the job renamed.
    let moved = format!(
        "# leading comment\n\nname: ci\n{}",
        CI.replace("  build:", "\n  compile:")
    );
    write(dir.path(), ".github/workflows/ci.yml", &moved);
    let (code, rules, human) = check(dir.path(), WITH_BASELINE);
    assert_eq!((code, rules.len()), (Some(0), 0), "{human}");
    assert!(human.contains("; 6 in the baseline"), "{human}");
    assert!(!human.contains("fixed"), "{human}");

    // The rename did change the fingerprint of the finding on the job's key line: it
    // matched by its second key (rule, path and message with the job id masked).
    let after = record(dir.path());
    let timeout = |doc: &Value| {
        doc["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .find(|e| e["rule"] == "missing-job-timeout")
            .cloned()
            .expect("missing-job-timeout")
    };
    let (a, b) = (timeout(&before), timeout(&after));
    assert_ne!(a["fingerprint"], b["fingerprint"]);
    assert_eq!(a["message_hash"], b["message_hash"]);
}

#[test]
fn fixed_findings_are_counted_as_progress() {
    let dir = repo(CI);
    record(dir.path());
    let fixed = CI.replace(
        "      - run: curl -sSL https://example.com/install.sh | sh\n",
        "",
    );
    write(dir.path(), ".github/workflows/ci.yml", &fixed);
    let (code, rules, human) = check(dir.path(), WITH_BASELINE);
    assert_eq!((code, rules.len()), (Some(0), 0), "{human}");
    // `curl | sh`, its missing fallback and the job's timeout (it reaches no host now).
    assert!(human.contains("; 3 baseline findings fixed"), "{human}");
}

#[test]
fn a_finding_whose_level_rose_is_shown_again() {
    let dir = repo(CI);
    record(dir.path());
    write(
        dir.path(),
        "tollgate.toml",
        "[rules.missing-job-timeout]\nlevel = \"error\"\n",
    );
    let (code, rules, human) = check(dir.path(), WITH_BASELINE);
    assert_eq!(code, Some(1));
    assert_eq!(rules, ["missing-job-timeout"]);
    assert!(human.contains("(1 shown again: level rose)"), "{human}");
    // Lowered instead: still in the baseline.
    write(
        dir.path(),
        "tollgate.toml",
        "[rules.missing-job-timeout]\nlevel = \"note\"\n[rules.broad-permissions]\nlevel = \"note\"\n",
    );
    let (code, rules, _) = check(dir.path(), WITH_BASELINE);
    assert_eq!((code, rules.len()), (Some(0), 0));
}

#[test]
fn the_configuration_names_the_baseline_relative_to_itself() {
    let dir = repo(CI);
    let out = tollgate()
        .current_dir(dir.path())
        .args(["baseline", "-o", ".github/known.json", "."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    write(
        dir.path(),
        ".github/tollgate.toml",
        "baseline = \"known.json\"\n",
    );
    let (code, rules, human) = check(dir.path(), &[]);
    assert_eq!((code, rules.len()), (Some(0), 0), "{human}");
    // From another directory too (pre-commit and the Action run from the root, but a
    // person may not).
    let out = tollgate()
        .current_dir(dir.path().join(".github"))
        .args(["check", "--fail-level", "note", ".."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn a_missing_or_broken_baseline_is_an_error() {
    let dir = repo(CI);
    let out = tollgate()
        .current_dir(dir.path())
        .args(["check", "--baseline", "nope.json", "."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("baseline `nope.json`: no such file; `tollgate baseline -o FILE` writes one"),
        "{err}"
    );

    write(
        dir.path(),
        "broken.json",
        "{\"version\": 1, \"entries\": [{}]}",
    );
    let out = tollgate()
        .current_dir(dir.path())
        .args(["check", "--baseline", "broken.json", "."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a baseline file: missing field"), "{err}");

    // Named by the configuration: reported on the configuration's line.
    write(dir.path(), "tollgate.toml", "\nbaseline = \"gone.json\"\n");
    let out = tollgate()
        .current_dir(dir.path())
        .args(["check", "--color", "never", "."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tollgate.toml:2:12"), "{err}");
    assert!(err.contains("gone.json`: no such file"), "{err}");
}

#[test]
fn sarif_leaves_baselined_findings_out() {
    let dir = repo(CI);
    record(dir.path());
    let out = tollgate()
        .current_dir(dir.path())
        .args(["check", "-f", "sarif"])
        .args(WITH_BASELINE)
        .arg(".")
        .output()
        .expect("runs");
    let doc = json(&out.stdout);
    assert_eq!(doc["runs"][0]["results"].as_array().map(Vec::len), Some(0));
}

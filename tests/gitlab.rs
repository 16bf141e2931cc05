//! GitLab CI configurations end to end: discovery, local includes read through the
//! confined reader, the real corpus read without an error.

mod common;

use common::{corpus_gitlab, json, tollgate, write};

fn check_json(path: &std::path::Path) -> serde_json::Value {
    check_rule_json(path, None)
}

/// `check --format json` of `path`, with only `rule` when one is given.
fn check_rule_json(path: &std::path::Path, rule: Option<&str>) -> serde_json::Value {
    let mut cmd = tollgate();
    cmd.args(["check", "--format", "json"]);
    if let Some(r) = rule {
        cmd.args(["--select", r]);
    }
    let out = cmd.arg(path).output().expect("runs");
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out.stdout)
}

/// Each finding's path (after `below`, the fixture's directory) and line.
fn finding_lines(doc: &serde_json::Value, below: &str) -> Vec<(String, u64)> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["location"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .rsplit(below)
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
                f["location"]["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

fn inputs(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|i| {
            (
                i["path"].as_str().unwrap_or_default().to_owned(),
                i["kind"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn diagnostics(doc: &serde_json::Value, severity: &str) -> Vec<String> {
    doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == severity)
        .map(|d| format!("{}: {}", d["path"], d["message"]))
        .collect()
}

/// The root configuration is discovered; the files it includes (from the repository's
/// root, with or without a leading `/`, nested, and as a child pipeline) are read because
/// it includes them; an include that names no file is a note; a file nothing includes is
/// not read.
#[test]
fn local_includes_are_followed() {
    let dir = tempfile::tempdir().expect("tmp");
    let r = dir.path();
    std::fs::create_dir(r.join(".git")).expect("git");
    write(
        r,
        ".gitlab-ci.yml",
        "include:\n  - local: /ci/a.yml\n  - ci/missing.yml\n  - project: g/p\n    ref: main\n    file: x.yml\nchild:\n  trigger:\n    include: ci/child.yml\n",
    );
    write(r, "ci/a.yml", "include: '/ci/b.yml'\njob:\n  extends: .b\n");
    write(r, "ci/b.yml", ".b:\n  script: echo b\n");
    write(r, "ci/child.yml", "c:\n  script: echo c\n");
    write(r, "ci/unused.yml", "u:\n  script: echo u\n");
    let doc = check_json(r);
    let got = inputs(&doc);
    let want: Vec<(String, String)> = [".gitlab-ci.yml", "ci/a.yml", "ci/b.yml", "ci/child.yml"]
        .iter()
        .map(|p| ((*p).to_owned(), "gitlab-ci".to_owned()))
        .collect();
    assert_eq!(got, want);
    let notes = diagnostics(&doc, "note");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("ci/missing.yml"), "{notes:?}");
    assert!(diagnostics(&doc, "error").is_empty());
    assert!(diagnostics(&doc, "warning").is_empty());
}

/// An `extends:` that names nothing, in a configuration whose every include was read, is
/// a warning (GitLab rejects the configuration); with an include that cannot be read
/// offline, only a note (the template may be there).
#[test]
fn unknown_extends_is_a_warning_only_when_everything_was_read() {
    let dir = tempfile::tempdir().expect("tmp");
    let r = dir.path();
    write(
        r,
        "a/.gitlab-ci.yml",
        "job:\n  extends: .nowhere\n  script: x\n",
    );
    write(
        r,
        "b/.gitlab-ci.yml",
        "include:\n  - remote: https://example.com/t.yml\njob:\n  extends: .nowhere\n  script: x\n",
    );
    let doc = check_json(r);
    let warnings = diagnostics(&doc, "warning");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("a/.gitlab-ci.yml"), "{warnings:?}");
    assert_eq!(diagnostics(&doc, "note").len(), 1);
}

/// Every configuration of the GitLab corpus is an input and none has an error or a
/// warning: 192 of its 195 files are found by name (`.gitlab-ci.yml`, Debian's
/// `debian/salsa-ci.yml`) or because a configuration includes them; postgis's two
/// configurations are set by a custom CI configuration path and are read when named.
#[test]
fn gitlab_corpus_reads_cleanly() {
    let Some(corpus) = corpus_gitlab() else {
        return;
    };
    let doc = check_json(&corpus);
    let got: std::collections::BTreeSet<String> =
        inputs(&doc).into_iter().map(|(p, _)| p).collect();
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).expect("manifest");
    let custom = [
        "postgis__postgis/.gitlab/gitlab.com/ci.yml",
        "postgis__postgis/.gitlab/inaf.it/ci.yml",
    ];
    let want: std::collections::BTreeSet<String> = manifest
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            let (repo, _, path) = (f.next()?, f.next()?, f.next()?);
            Some(format!("{repo}/{path}"))
        })
        .filter(|p| !custom.contains(&p.as_str()))
        .collect();
    assert_eq!(got, want);
    assert!(
        diagnostics(&doc, "error").is_empty(),
        "{:?}",
        diagnostics(&doc, "error")
    );
    assert!(
        diagnostics(&doc, "warning").is_empty(),
        "{:?}",
        diagnostics(&doc, "warning")
    );
    for c in custom {
        let doc = check_json(&corpus.join(c));
        assert_eq!(inputs(&doc).len(), 1, "{c}");
        assert_eq!(inputs(&doc)[0].1, "gitlab-ci", "{c}");
        assert!(diagnostics(&doc, "error").is_empty(), "{c}");
    }
}

/// `--format gitlab` writes GitLab's code quality report: one issue per finding, in the
/// file the include is written in.
#[test]
fn code_quality_report_lists_each_finding() {
    let out = tollgate()
        .args(["check", "--format", "gitlab"])
        .arg(common::testdata(
            "rules/unpinned-include/fires-in-included-and-child",
        ))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out.stdout);
    let issues = doc.as_array().expect("an array");
    let got: Vec<(String, u64, String)> = issues
        .iter()
        .map(|i| {
            (
                i["location"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .rsplit("child/")
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
                i["location"]["lines"]["begin"].as_u64().unwrap_or_default(),
                i["check_name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                ".gitlab-ci.yml".to_owned(),
                8,
                "unpinned-include".to_owned()
            ),
            ("ci/shared.yml".to_owned(), 3, "unpinned-include".to_owned()),
        ]
    );
    assert!(
        issues
            .iter()
            .all(|i| i["severity"] == "major" && i["fingerprint"].is_string())
    );
}

/// A template's script line runs in every job that uses it, but is one place to fix:
/// it is reported once (the fixture's `.setup` line is in two jobs).
#[test]
fn a_template_line_in_many_jobs_is_reported_once() {
    let doc = check_rule_json(
        &common::testdata("rules/remote-script-execution/fires-gitlab"),
        Some("remote-script-execution"),
    );
    assert_eq!(
        finding_lines(&doc, "fires-gitlab/"),
        [
            (".gitlab-ci.yml".to_owned(), 12),
            ("ci/setup.yml".to_owned(), 4)
        ]
    );
}

/// What a job hook says about a template's value (here the image `.node` gives two
/// jobs, and `$CI_JOB_TOKEN` in a template's `variables:`) is said once, with the first
/// job.
#[test]
fn a_template_value_in_many_jobs_is_reported_once() {
    let count = |case: &str, rule: &str| {
        let doc = check_rule_json(&common::testdata(case), Some(rule));
        let findings = doc["findings"].as_array().expect("findings");
        let jobs: Vec<String> = findings
            .iter()
            .filter_map(|f| f["job"].as_str().map(str::to_owned))
            .collect();
        (findings.len(), jobs)
    };
    let (n, jobs) = count(
        "rules/egress-not-allowed/fires-gitlab-template-image",
        "egress-not-allowed",
    );
    // quay.io and its three CDN hosts, each once, all with the first job.
    assert_eq!(n, 4, "{jobs:?}");
    assert!(jobs.iter().all(|j| j == "test"), "{jobs:?}");
    let (n, jobs) = count(
        "rules/secrets-exposure/fires-gitlab-job-token-variables",
        "secrets-exposure",
    );
    assert_eq!(n, 3, "{jobs:?}");
}

/// A local include is read through the confined reader: a path that climbs out of the
/// repository is not followed, and a symbolic link to a file outside it is refused with
/// a diagnostic, never read.
#[cfg(unix)]
#[test]
fn local_includes_stay_inside_the_repository() {
    let outside = tempfile::tempdir().expect("tmp");
    write(
        outside.path(),
        "secret.yml",
        "leak:\n  script: echo secret-text\n",
    );
    let dir = tempfile::tempdir().expect("tmp");
    let r = dir.path();
    std::fs::create_dir(r.join(".git")).expect("git");
    write(
        r,
        ".gitlab-ci.yml",
        "include:\n  - local: ../outside/secret.yml\n  - local: /ci/link.yml\njob:\n  script: echo ok\n",
    );
    std::fs::create_dir(r.join("ci")).expect("ci");
    std::os::unix::fs::symlink(outside.path().join("secret.yml"), r.join("ci/link.yml"))
        .expect("symlink");
    let out = tollgate()
        .args(["check", "--format", "json"])
        .arg(r)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("secret-text"), "{text}");
    let doc = json(&out.stdout);
    let paths: Vec<(String, String)> = inputs(&doc);
    assert_eq!(
        paths,
        [(".gitlab-ci.yml".to_owned(), "gitlab-ci".to_owned())]
    );
    let refused = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .any(|d| d["path"] == "ci/link.yml");
    assert!(refused, "{text}");
}

/// A finding in a GitLab script has the runner's path: the pipeline, the job, then the
/// command (a job's node covers its definition, a step's its script lines).
#[test]
fn script_findings_have_a_path_through_the_job() {
    let doc = check_rule_json(
        &common::testdata("rules/unpinned-package-install/fires-gitlab"),
        Some("unpinned-package-install"),
    );
    let findings = doc["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 3);
    for f in findings {
        let hops: Vec<&str> = f["path"]
            .as_array()
            .map(|p| p.iter().filter_map(|h| h["label"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            hops.first().is_some_and(|h| h.starts_with("workflow `")),
            "{hops:?}"
        );
        assert!(hops.contains(&"job `test`"), "{hops:?}");
    }
}

/// The events of a GitLab pipeline's `trigger` nodes (`graph --format json`).
fn trigger_events(root: &std::path::Path) -> Vec<String> {
    let out = tollgate()
        .args(["graph", "--format", "json"])
        .arg(root)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out.stdout);
    let mut v: Vec<String> = doc["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|n| n["kind"] == "trigger")
        .map(|n| n["attrs"]["event"].as_str().unwrap_or_default().to_owned())
        .collect();
    v.sort();
    v
}

/// A pipeline's trigger nodes are the pipeline sources some job runs in: `workflow:
/// rules:` narrows them, a job's `rules:` adds merge request pipelines, and a job with
/// neither runs in branch and tag pipelines of every common source.
#[test]
fn pipeline_sources_are_trigger_nodes() {
    let dir = tempfile::tempdir().expect("tmp");
    let r = dir.path();
    std::fs::create_dir(r.join(".git")).expect("git");
    write(
        r,
        ".gitlab-ci.yml",
        "workflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n    - if: $CI_PIPELINE_SOURCE == \"schedule\"\ntest:\n  script: make\n  rules:\n    - when: always\n",
    );
    assert_eq!(trigger_events(r), ["merge_request_event", "schedule"]);
    write(
        r,
        ".gitlab-ci.yml",
        "build:\n  script: make\nmr:\n  script: make check\n  rules:\n    - if: $CI_MERGE_REQUEST_IID\n",
    );
    assert_eq!(
        trigger_events(r),
        [
            "api",
            "merge_request_event",
            "pipeline",
            "push",
            "schedule",
            "trigger",
            "web"
        ]
    );
}

/// A child pipeline runs where the job that starts it runs: the review child of a job
/// kept to merge request pipelines runs in them (and its job holding an ID token is
/// reported there); the nightly child of a scheduled job runs on schedule; a child job
/// whose own rules refuse `parent_pipeline` runs nowhere.
#[test]
fn child_pipelines_run_where_their_trigger_runs() {
    let root = common::testdata("gitlab/child-pipeline");
    assert_eq!(
        trigger_events(&root),
        [
            "merge_request_event",
            "merge_request_event",
            "schedule",
            "schedule"
        ]
    );
    let doc = check_rule_json(&root, Some("untrusted-pipeline"));
    assert_eq!(
        finding_lines(&doc, "child-pipeline/"),
        [("ci/review.yml".to_owned(), 4)]
    );
}

/// `# tollgate: ignore[rule]` works in GitLab CI files as in workflows: on a finding's
/// line, and on a job's key line for the whole job; one that hides nothing is reported.
#[test]
fn inline_suppressions_in_gitlab_files() {
    let dir = tempfile::tempdir().expect("tmp");
    let r = dir.path();
    std::fs::create_dir(r.join(".git")).expect("git");
    write(
        r,
        ".gitlab-ci.yml",
        "a:\n  image: node:22 # tollgate: ignore[unpinned-image] -- reviewed\n  script: make\nb: # tollgate: ignore[unpinned-image, remote-script-execution]\n  image: node:22\n  script:\n    - curl -fsSL https://example.com/i.sh | sh\nc:\n  image: node:22\n  script: make # tollgate: ignore[insecure-transport]\n",
    );
    let doc = check_json(r);
    let found: Vec<(String, u64)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["location"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    // A suppression hides the rules it names only: `missing-fallback` still reports
    // each job's image and the curl download (no cache, mirror or retry).
    let mut expected: Vec<(String, u64)> = [2, 5, 7, 9]
        .into_iter()
        .map(|l| ("missing-fallback".to_owned(), l))
        .collect();
    expected.push(("unpinned-image".to_owned(), 9));
    assert_eq!(found, expected, "{found:?}");
    let notes = diagnostics(&doc, "warning")
        .into_iter()
        .chain(diagnostics(&doc, "note"))
        .collect::<Vec<_>>();
    assert!(
        notes.iter().any(|n| n.contains("insecure-transport")),
        "the unused suppression is reported: {notes:?}"
    );
}

//! `tollgate diff` end to end on real git repositories built in temporary directories:
//! what a commit adds (an unpinned action, a host, a widened permission, a privileged
//! event, a package moved to another registry) in JSON, Markdown, SARIF and annotations;
//! an empty diff of a revision against itself; only the two trees read, never the
//! history; symlinks in a tree that do not leave it. The tests run the `git` binary to
//! build their fixtures (tollgate itself never does) and skip where it is missing.

#![allow(clippy::print_stderr)]

mod common;

use std::path::Path;
use std::process::Command;

use common::{json, tollgate, write};
use serde_json::Value;

/// `git` with a fixed identity and no user or system configuration; `None` when there
/// is no git binary to build fixtures with.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "gc.auto=0",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A new repository, or `None` (and a note) when git is missing.
fn repo() -> Option<tempfile::TempDir> {
    let dir = tempfile::tempdir().expect("tmp");
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("skipped: no `git` binary to build fixtures with");
        return None;
    }
    git(dir.path(), &["init", "-q"])?;
    Some(dir)
}

fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
}

const BEFORE: &str = "\
name: ci
on: pull_request
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - run: npm ci
";

const AFTER: &str = "\
name: ci
on: [pull_request, pull_request_target]
permissions:
  contents: write
jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - run: npm ci
      - uses: some-org/deploy-action@v1
      - run: curl -fsSL --retry 3 https://downloads.example.com/tool.tar.gz -o tool.tgz
";

fn lock(registry: &str) -> String {
    format!(
        r#"{{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {{
    "": {{ "name": "app", "version": "1.0.0", "dependencies": {{ "left-pad": "1.3.0" }} }},
    "node_modules/left-pad": {{
      "version": "1.3.0",
      "resolved": "{registry}/left-pad/-/left-pad-1.3.0.tgz",
      "integrity": "sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQuQ3PRLxVcTw8wr9Ne9TYOqFzELw4ObXzOGOFKsmOiTJ2ncqfYQ=="
    }}
  }}
}}
"#
    )
}

/// A repository whose last commit widens the pipeline in every way the diff reports.
fn widened() -> Option<tempfile::TempDir> {
    let dir = repo()?;
    let d = dir.path();
    write(d, ".github/workflows/ci.yml", BEFORE);
    write(d, "package-lock.json", &lock("https://registry.npmjs.org"));
    write(d, "README.md", "app\n");
    commit(d, "one");
    write(d, ".github/workflows/ci.yml", AFTER);
    write(d, "package-lock.json", &lock("https://npm.mirror.example"));
    commit(d, "two");
    Some(dir)
}

fn diff(dir: &Path, args: &[&str]) -> std::process::Output {
    tollgate()
        .current_dir(dir)
        .arg("diff")
        .args(args)
        .output()
        .expect("runs")
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn json_diff_of_the_last_commit() {
    let Some(dir) = widened() else { return };
    // HEAD defaults to the working tree, which is the last commit here.
    for args in [
        &["HEAD~1", "-f", "json"][..],
        &["HEAD~1", "HEAD", "-f", "json"],
    ] {
        let out = diff(dir.path(), args);
        assert_eq!(out.status.code(), Some(0), "no --fail-on: exit 0");
        let doc = json(&out.stdout);
        assert_eq!(doc["version"], 1);
        assert_eq!(doc["base"]["name"], "HEAD~1");
        assert_eq!(doc["base"]["commit"].as_str().map(str::len), Some(40));
        let wf = &doc["workflows"][0];
        assert_eq!(wf["path"], ".github/workflows/ci.yml");
        assert_eq!(wf["status"], "changed");
        assert_eq!(wf["triggers"]["added"][0]["event"], "pull_request_target");
        assert_eq!(wf["triggers"]["added"][0]["untrusted_privileged"], true);
        let job = &wf["jobs"][0];
        assert_eq!(job["job"], "build");
        assert_eq!(job["widens"], true);
        assert_eq!(strings(&job["permissions"]["added"]), ["contents: write"]);
        assert_eq!(strings(&job["permissions"]["removed"]), ["contents: read"]);
        let added = job["dependencies"]["added"].as_array().expect("list");
        let action = added
            .iter()
            .find(|d| d["kind"] == "action")
            .expect("the new action");
        assert_eq!(action["name"], "some-org/deploy-action@v1");
        assert_eq!(action["pinned"], false);
        assert!(
            strings(&job["hosts"]["added"]).contains(&"downloads.example.com"),
            "{job:#}"
        );
        assert!(strings(&job["hosts"]["removed"]).contains(&"registry.npmjs.org"));
        let lock = &doc["lockfiles"][0];
        assert_eq!(lock["path"], "package-lock.json");
        let moved = &lock["moved"][0];
        assert_eq!(moved["name"], "left-pad");
        assert_eq!(
            strings(&moved["from"]),
            ["registry https://registry.npmjs.org/"]
        );
        assert_eq!(
            strings(&moved["to"]),
            ["registry https://npm.mirror.example/"]
        );
        let rules: Vec<&str> = doc["findings"]["new"]
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|f| f["rule"].as_str())
            .collect();
        assert!(rules.contains(&"unpinned-action"), "{rules:?}");
        assert!(rules.contains(&"unknown-package-source"), "{rules:?}");
        assert_eq!(doc["findings"]["resolved"], Value::Array(Vec::new()));
        assert_eq!(doc["summary"]["moved_packages"], 1);
        assert_eq!(doc["summary"]["widened_jobs"], 1);
        assert_eq!(doc["summary"]["new_privileged_triggers"], 1);
        assert_eq!(doc["summary"]["added_unpinned"], 2);
    }
    // The other way round, the same changes are removals and resolved findings.
    let out = diff(dir.path(), &["HEAD", "HEAD~1", "-f", "json"]);
    let doc = json(&out.stdout);
    assert_eq!(doc["findings"]["new"], Value::Array(Vec::new()));
    assert!(
        !doc["findings"]["resolved"]
            .as_array()
            .expect("list")
            .is_empty()
    );
    assert_eq!(
        strings(&doc["workflows"][0]["jobs"][0]["permissions"]["removed"]),
        ["contents: write"]
    );
    assert_eq!(doc["workflows"][0]["jobs"][0]["widens"], false);
}

#[test]
fn markdown_diff_leads_with_a_summary_and_folds_the_details() {
    let Some(dir) = widened() else { return };
    let out = diff(dir.path(), &["HEAD~1"]);
    let md = String::from_utf8(out.stdout).expect("utf-8");
    let summary = md.lines().nth(2).expect("summary line");
    assert!(summary.starts_with("`HEAD~1 ("), "{md}");
    for part in [
        "new `pull_request_target` event",
        "3 new findings",
        "**2 unpinned**",
        "**1 job holds** more",
        "2 new hosts",
        "**1 package moved**",
    ] {
        assert!(summary.contains(part), "{part} in {summary}");
    }
    for line in [
        "<details><summary>New findings: 3</summary>",
        "  - ➕ action `some-org/deploy-action@v1` (**unpinned**: `tag`)",
        "  - ➕ permission `contents: write`",
        "  - ➖ permission `contents: read`",
        "  - ➕ host `downloads.example.com`",
        "- ⚠️ `npm` package `left-pad` moved from `registry https://registry.npmjs.org/` to `registry https://npm.mirror.example/`",
    ] {
        assert!(md.lines().any(|l| l == line), "{line}\nin\n{md}");
    }
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count()
    );
}

#[test]
fn fail_on_conditions() {
    let Some(dir) = widened() else { return };
    for (cond, code) in [
        ("new-findings", 1),
        ("new-permissions", 1),
        ("new-hosts", 1),
        ("new-actions", 1),
        ("moved-packages", 1),
        ("new-privileged-triggers", 1),
        ("any", 1),
    ] {
        let out = diff(dir.path(), &["HEAD~1", "--fail-on", cond]);
        assert_eq!(out.status.code(), Some(code), "{cond}");
    }
    // Going back narrows everything: nothing new to fail on, but `any` still sees it.
    for (cond, code) in [
        ("new-findings", 0),
        ("new-permissions", 0),
        ("new-actions", 0),
        ("new-privileged-triggers", 0),
        ("any", 1),
    ] {
        let out = diff(dir.path(), &["HEAD", "HEAD~1", "--fail-on", cond]);
        assert_eq!(out.status.code(), Some(code), "reverse {cond}");
    }
    let out = diff(dir.path(), &["HEAD~1", "--fail-on", "sometimes"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sarif_and_annotations_hold_only_the_new_findings() {
    let Some(dir) = widened() else { return };
    let out = diff(dir.path(), &["HEAD~1", "-f", "sarif"]);
    let log = json(&out.stdout);
    common::assert_valid_sarif(&log, "diff sarif");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 3, "{results:#?}");
    assert!(results.iter().any(|r| r["ruleId"] == "unpinned-action"));
    let out = diff(dir.path(), &["HEAD~1", "-f", "github"]);
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        text.contains("::error file=.github/workflows/ci.yml,line=12"),
        "{text}"
    );
}

#[test]
fn a_revision_against_itself_is_empty() {
    let Some(dir) = widened() else { return };
    for args in [&["HEAD", "HEAD"][..], &["HEAD"], &["HEAD~1", "HEAD~1"]] {
        let out = diff(dir.path(), args);
        assert_eq!(out.status.code(), Some(0));
        assert!(out.stdout.is_empty(), "{args:?}: nothing to comment");
        let mut with = args.to_vec();
        with.extend(["-f", "json", "--fail-on", "any"]);
        let out = diff(dir.path(), &with);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let doc = json(&out.stdout);
        for key in ["workflows", "lockfiles"] {
            assert_eq!(doc[key], Value::Array(Vec::new()), "{args:?} {key}");
        }
        assert_eq!(doc["findings"]["new"], Value::Array(Vec::new()));
    }
}

#[test]
fn only_the_two_trees_are_read_not_the_history() {
    let Some(dir) = repo() else { return };
    let d = dir.path();
    write(d, ".github/workflows/ci.yml", BEFORE);
    commit(d, "first");
    for k in 0..40 {
        write(d, "notes.txt", &format!("{k}\n"));
        commit(d, &format!("note {k}"));
    }
    write(d, ".github/workflows/ci.yml", AFTER);
    commit(d, "last");
    // Delete every commit object older than HEAD~1: a tool that walked the history
    // would fail; reading HEAD~1 needs only HEAD's parent link and the two trees.
    let old = git(d, &["rev-list", "HEAD~2"]).expect("rev-list");
    let mut removed = 0;
    for id in old.lines() {
        let p = d.join(".git/objects").join(&id[..2]).join(&id[2..]);
        std::fs::remove_file(&p).expect("a loose commit object");
        removed += 1;
    }
    assert_eq!(removed, 40, "the first commit and 39 of the notes");
    let out = diff(d, &["HEAD~1", "HEAD", "-f", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out.stdout);
    assert_eq!(doc["workflows"][0]["jobs"][0]["widens"], true);
    // And the history really is gone: a revision behind the cut cannot be read.
    let out = diff(d, &["HEAD~3"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn symlinks_in_a_tree_do_not_leave_it() {
    let Some(outer) = repo() else { return };
    // The repository is a subdirectory; a workflow lies next to it, outside.
    let d = outer.path().join("repo");
    std::fs::create_dir_all(&d).expect("mkdir");
    git(&d, &["init", "-q"]);
    write(outer.path(), "outside.yml", AFTER);
    write(&d, "README.md", "x\n");
    commit(&d, "empty");
    write(&d, "shared/inside.yml", AFTER);
    std::fs::create_dir_all(d.join(".github/workflows")).expect("mkdir");
    let link = |target: &str, name: &str| {
        #[cfg(unix)]
        std::os::unix::fs::symlink(target, d.join(".github/workflows").join(name))
            .expect("symlink");
        #[cfg(not(unix))]
        let _ = (target, name);
    };
    link("../../shared/inside.yml", "inside.yml");
    link("../../../outside.yml", "climbs.yml");
    let absolute = outer.path().join("outside.yml");
    link(absolute.to_str().expect("utf-8"), "absolute.yml");
    link("loop.yml", "loop.yml");
    commit(&d, "links");
    if !cfg!(unix) {
        return;
    }
    let out = diff(&d, &["HEAD~1", "HEAD", "-f", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let doc = json(&out.stdout);
    let paths: Vec<&str> = doc["workflows"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|w| w["path"].as_str())
        .collect();
    assert_eq!(paths, [".github/workflows/inside.yml"], "{doc:#}");
}

#[test]
fn two_directories_need_no_repository() {
    let a = tempfile::tempdir().expect("tmp");
    let b = tempfile::tempdir().expect("tmp");
    write(a.path(), ".github/workflows/ci.yml", BEFORE);
    write(b.path(), ".github/workflows/ci.yml", AFTER);
    let out = tollgate()
        .arg("diff")
        .arg(a.path())
        .arg(b.path())
        .args(["-f", "json", "--fail-on", "new-actions"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out.stdout);
    assert_eq!(doc["base"]["commit"], Value::Null);
    assert_eq!(doc["workflows"][0]["jobs"][0]["widens"], true);
    // A side with nothing to read is empty, not an error: everything is added.
    let empty = tempfile::tempdir().expect("tmp");
    let out = tollgate()
        .arg("diff")
        .arg(empty.path())
        .arg(b.path())
        .args(["-f", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out.stdout)["workflows"][0]["status"], "added");
    let out = tollgate()
        .arg("diff")
        .arg(empty.path())
        .arg(b.path())
        .output()
        .expect("runs");
    let md = String::from_utf8(out.stdout).expect("utf-8");
    let summary = md.lines().nth(2).expect("summary");
    assert!(
        summary.contains("1 workflow added · 1 job added"),
        "{summary}"
    );
    // Taking it all away says so.
    let out = tollgate()
        .arg("diff")
        .arg(a.path())
        .arg(empty.path())
        .output()
        .expect("runs");
    let md = String::from_utf8(out.stdout).expect("utf-8");
    assert!(md.contains("1 workflow removed · 1 job removed"), "{md}");
}

#[test]
fn an_unknown_revision_is_a_usage_error() {
    let Some(dir) = widened() else { return };
    let out = diff(dir.path(), &["no-such-branch"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no-such-branch"), "{err}");
    let plain = tempfile::tempdir().expect("tmp");
    let out = diff(plain.path(), &["HEAD~1"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_blob_over_its_limit_is_reported_not_loaded() {
    let Some(dir) = repo() else { return };
    let d = dir.path();
    write(d, ".github/workflows/ci.yml", BEFORE);
    commit(d, "one");
    // 9 MB of comments: over the 8 MB limit for workflows, tiny once compressed in git.
    let mut big = String::from(AFTER);
    while big.len() <= 9 << 20 {
        big.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    write(d, ".github/workflows/big.yml", &big);
    commit(d, "two");
    let out = diff(d, &["HEAD~1", "HEAD", "-f", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(".github/workflows/big.yml") && err.contains("larger than"),
        "{err}"
    );
    let doc = json(&out.stdout);
    assert_eq!(doc["workflows"], Value::Array(Vec::new()), "{doc:#}");
}

/// A new finding on a line whose text an old finding's line has too is the second of
/// its kind in HEAD: the diff's SARIF gives it the fingerprint a full check of HEAD
/// gives it, not the old alert's.
#[test]
fn sarif_fingerprints_are_those_of_the_whole_head_run() {
    const ONE: &str = "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - uses: octo/tool@v1\n";
    let two = format!(
        "{ONE}  b:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - uses: octo/tool@v1\n"
    );
    let a = tempfile::tempdir().expect("tmp");
    let b = tempfile::tempdir().expect("tmp");
    write(a.path(), ".github/workflows/ci.yml", ONE);
    write(b.path(), ".github/workflows/ci.yml", &two);
    let prints = |doc: &Value| -> Vec<(u64, String)> {
        doc["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .filter(|r| r["ruleId"] == "unpinned-action")
            .map(|r| {
                (
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .expect("line"),
                    r["partialFingerprints"]["tollgate/v1"]
                        .as_str()
                        .expect("fingerprint")
                        .to_owned(),
                )
            })
            .collect()
    };
    let check = tollgate()
        .arg("check")
        .args(["-f", "sarif", "--fail-level", "never"])
        .arg(b.path())
        .output()
        .expect("runs");
    let full = prints(&json(&check.stdout));
    assert_eq!(full.len(), 2, "{full:?}");
    let out = tollgate()
        .arg("diff")
        .arg(a.path())
        .arg(b.path())
        .args(["-f", "sarif"])
        .output()
        .expect("runs");
    let new = prints(&json(&out.stdout));
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0].0, 13);
    let head_print = full.iter().find(|(l, _)| *l == 13).expect("line 13");
    assert_eq!(new[0].1, head_print.1);
    // Not the old alert's, which shares the line's text.
    assert!(full.iter().any(|(l, p)| *l == 8 && *p != new[0].1));
}

/// A GitLab configuration's jobs come from the files it includes, whose names say
/// nothing (`ci/build.yml`): each side of the diff writes them out with the
/// configuration, so a change inside an included file is seen.
#[test]
fn gitlab_included_files_are_read_on_both_sides() {
    let Some(dir) = repo() else { return };
    let d = dir.path();
    write(d, ".gitlab-ci.yml", "include:\n  - local: /ci/build.yml\n");
    let pinned = "build:\n  image: alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n  script:\n    - make\n";
    write(d, "ci/build.yml", pinned);
    commit(d, "one");
    write(
        d,
        "ci/build.yml",
        "build:\n  image: alpine:3.20\n  script:\n    - make\n",
    );
    commit(d, "two");
    let out = diff(d, &["HEAD~1", "HEAD", "-f", "json"]);
    let doc = json(&out.stdout);
    let new: Vec<(String, String)> = doc["findings"]["new"]
        .as_array()
        .expect("list")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["path"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        new.contains(&("unpinned-image".to_owned(), "ci/build.yml".to_owned())),
        "{doc:#}"
    );
    // Both sides read the included file: nothing says it could not be read.
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!text.contains("could not be read"), "{text}");
}

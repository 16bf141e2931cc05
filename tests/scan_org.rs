//! `tollgate scan-org` and `tollgate merge` end to end on organisations written by the
//! tests: the example queries of docs/inventory.md answer as read by hand from the
//! fixtures, shards merged equal one unsharded run, a repository that cannot be read is a
//! diagnostic and the run goes on, bare repositories are read at HEAD.

#![allow(clippy::print_stderr)]

mod common;

use std::path::Path;
use std::process::Command;

use common::{root, tollgate, write};
use rusqlite::types::Value;

const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// The hand-checked organisation of the documented queries.
fn organisation(dir: &Path) {
    // alpha: tj-actions/changed-files by tag in a job with id-token: write that downloads
    // from a host the allow-list leaves out; another job runs in an image by tag.
    write(
        dir,
        "alpha/.github/workflows/ci.yml",
        "name: ci
on: push
permissions:
  contents: read
jobs:
  changes:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
      contents: read
    steps:
      - uses: tj-actions/changed-files@v45
      - run: curl -fsSL https://downloads.example.com/install.sh -o install.sh
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    container: node:20
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
",
    );
    // beta: the same action pinned; id-token: write reaching only an allowed host; a job
    // reaching a host outside the list without id-token (near misses); image by digest.
    write(
        dir,
        "beta/.github/workflows/release.yml",
        &format!(
            "on: push
permissions: {{}}
jobs:
  release:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    permissions:
      id-token: write
    steps:
      - uses: tj-actions/changed-files@{SHA}
      - run: curl -fsSL https://registry.npmjs.org/ -o index.json
  lint:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    permissions:
      contents: read
    container: node:20@{DIGEST}
    steps:
      - run: curl -fsSL https://downloads.example.com/lint.sh -o lint.sh
"
        ),
    );
    // gamma: another action of the same owner (a near miss of the name).
    write(
        dir,
        "gamma/.github/workflows/names.yml",
        "on: push
permissions: {}
jobs:
  names:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - uses: tj-actions/branch-names@v8
",
    );
    // A directory that looks like a bare repository but has no commit.
    for d in ["broken.git/objects", "broken.git/refs"] {
        std::fs::create_dir_all(dir.join(d)).expect("mkdir");
    }
    write(dir, "broken.git/HEAD", "ref: refs/heads/main\n");
    // Hidden directories are not repositories.
    write(
        dir,
        ".cache/.github/workflows/x.yml",
        "on: push\njobs: {}\n",
    );
    write(
        dir,
        "../org-policy.toml",
        "[policy.egress]\nallow = [\"registry.npmjs.org\", \"github.com\"]\n",
    );
}

/// The SQL blocks of the organisation database section of docs/inventory.md, in order.
fn documented_queries() -> Vec<String> {
    let doc = std::fs::read_to_string(root().join("docs/inventory.md")).expect("docs");
    let start = doc
        .find("## The organisation database")
        .expect("the section");
    let section = &doc[start..];
    let end = section[3..].find("\n## ").map_or(section.len(), |e| e + 3);
    let mut out = Vec::new();
    let mut rest = &section[..end];
    while let Some(i) = rest.find("```sql\n") {
        let body = &rest[i + 7..];
        let j = body.find("```").expect("closed block");
        out.push(body[..j].to_owned());
        rest = &body[j..];
    }
    out
}

fn rows(db: &Path, sql: &str) -> Vec<Vec<String>> {
    let conn = rusqlite::Connection::open(db).expect("open");
    let mut st = conn.prepare(sql).expect("prepare");
    let n = st.column_count();
    st.query_map([], |r| {
        Ok((0..n)
            .map(|i| match r.get::<_, Value>(i) {
                Ok(Value::Null) => "NULL".to_owned(),
                Ok(Value::Integer(x)) => x.to_string(),
                Ok(Value::Text(t)) => t,
                Ok(v) => format!("{v:?}"),
                Err(e) => format!("error {e}"),
            })
            .collect())
    })
    .expect("query")
    .collect::<Result<_, _>>()
    .expect("rows")
}

fn strings(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|s| (*s).to_owned()).collect())
        .collect()
}

#[test]
fn the_documented_queries_answer_as_read_from_the_fixtures() {
    let t = tempfile::tempdir().expect("tmp");
    let org = t.path().join("org");
    organisation(&org);
    let db = t.path().join("org.sqlite");
    let out = tollgate()
        .arg("scan-org")
        .arg(&org)
        .arg("--db")
        .arg(&db)
        .arg("--config")
        .arg(t.path().join("org-policy.toml"))
        .args(["--jobs", "2"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The broken repository is an input error: exit 1, as `check` has it.
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("broken.git: error[input::io] cannot read repository"),
        "{stdout}"
    );
    assert!(
        stdout.contains("alpha/.github/workflows/ci.yml:"),
        "findings carry the repository: {stdout}"
    );
    assert!(
        stdout.ends_with("4 repositories scanned, 1 unreadable, ")
            || stdout.contains("4 repositories scanned, 1 unreadable, "),
        "{stdout}"
    );
    // No progress bar off a terminal.
    assert!(!stderr.contains("repositories"), "{stderr}");

    let queries = documented_queries();
    assert_eq!(queries.len(), 4, "{queries:?}");
    assert_eq!(
        rows(&db, &queries[0]),
        strings(&[
            &["alpha", ".github/workflows/ci.yml", "changes", "v45", "0"],
            &["beta", ".github/workflows/release.yml", "release", SHA, "1"],
        ])
    );
    assert_eq!(
        rows(&db, &queries[1]),
        strings(&[&[
            "alpha",
            ".github/workflows/ci.yml",
            "changes",
            "downloads.example.com"
        ]])
    );
    assert_eq!(rows(&db, &queries[2]), strings(&[&["alpha", "1"]]));
    let unreadable = rows(&db, &queries[3]);
    assert_eq!(unreadable.len(), 1, "{unreadable:?}");
    assert_eq!(unreadable[0][0], "broken.git");
    assert!(unreadable[0][1].starts_with("cannot read repository"));

    // The other tables hold the same facts.
    assert_eq!(
        rows(
            &db,
            "SELECT repository, kind, files FROM repositories ORDER BY 1"
        ),
        strings(&[
            &["alpha", "checkout", "1"],
            &["beta", "checkout", "1"],
            &["broken.git", "bare", "0"],
            &["gamma", "checkout", "1"],
        ])
    );
    assert_eq!(
        rows(
            &db,
            "SELECT job, oidc, writes FROM jobs WHERE repository = 'beta' ORDER BY job"
        ),
        strings(&[&["lint", "0", "0"], &["release", "1", "0"]])
    );
    assert_eq!(
        rows(
            &db,
            "SELECT job, host, allowed FROM hosts WHERE repository = 'beta' AND host NOT LIKE '%docker%' ORDER BY job, host"
        ),
        strings(&[
            &["lint", "downloads.example.com", "0"],
            &["release", "registry.npmjs.org", "1"]
        ])
    );
    assert_eq!(
        rows(&db, "SELECT value FROM meta WHERE key = 'schema_version'"),
        strings(&[&["1"]])
    );
    assert_eq!(
        rows(
            &db,
            "SELECT job, scope, access FROM permissions WHERE repository = 'alpha' ORDER BY 1, 2"
        ),
        // `build` holds the workflow's `contents: read`.
        strings(&[
            &["build", "contents", "read"],
            &["changes", "contents", "read"],
            &["changes", "id-token", "write"]
        ])
    );
    // An organisation-wide allow-list is not `unused` in each repository that does
    // not need every entry.
    assert!(!stdout.contains("unused-allow"), "{stdout}");
    let findings = rows(
        &db,
        "SELECT COUNT(*) FROM findings WHERE repository = 'alpha' AND rule = 'unpinned-action'",
    );
    assert_ne!(findings, strings(&[&["0"]]), "alpha's tag is a finding");
}

/// `n` small distinct repositories (the workflow differs in its job, action and host).
fn generated(dir: &Path, n: usize) {
    for i in 0..n {
        write(
            dir,
            &format!("repo-{i:03}/.github/workflows/ci.yml"),
            &format!(
                "on: push
permissions:
  contents: read
jobs:
  job-{i}:
    runs-on: ubuntu-latest
    container: node:{i}
    steps:
      - uses: owner-{}/action@v{i}
      - run: curl -fsSL https://host-{i}.example.com/x -o x
",
                i % 7
            ),
        );
    }
}

fn scan(org: &Path, db: &Path, extra: &[&str]) -> std::process::Output {
    tollgate()
        .arg("scan-org")
        .arg(org)
        .arg("--db")
        .arg(db)
        .args(["--fail-level", "never"])
        .args(extra)
        .output()
        .expect("runs")
}

#[test]
fn shards_merged_equal_one_unsharded_run() {
    let t = tempfile::tempdir().expect("tmp");
    let org = t.path().join("org");
    generated(&org, 30);
    let whole = t.path().join("whole.sqlite");
    let out = scan(&org, &whole, &["--jobs", "3"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let mut shards = Vec::new();
    let mut counts = Vec::new();
    for i in 1..=3 {
        let db = t.path().join(format!("shard-{i}.sqlite"));
        let out = scan(&org, &db, &["--shard", &format!("{i}/3"), "--jobs", "1"]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        counts.push(rows(&db, "SELECT COUNT(*) FROM repositories")[0][0].clone());
        shards.push(db);
    }
    // Every shard has a part of the 30, and together they hold all of them.
    let n: Vec<usize> = counts.iter().map(|c| c.parse().expect("count")).collect();
    assert!(n.iter().all(|c| *c > 0 && *c < 30), "{n:?}");
    assert_eq!(n.iter().sum::<usize>(), 30);
    let merged = t.path().join("merged.sqlite");
    let out = tollgate()
        .arg("merge")
        .args(&shards)
        .arg("-o")
        .arg(&merged)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let a = tollgate_orgdb::contents(&whole).expect("whole");
    let b = tollgate_orgdb::contents(&merged).expect("merged");
    assert!(a["jobs"].len() == 30 && a["actions"].len() == 30, "{a:?}");
    assert_eq!(a, b);

    // A repository in two inputs is refused, and nothing is written.
    let again = t.path().join("again.sqlite");
    let out = tollgate()
        .arg("merge")
        .args([&shards[0], &shards[0]])
        .arg("-o")
        .arg(&again)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is in"),
        "{out:?}"
    );
    assert!(!again.exists());
}

#[test]
fn each_repository_is_its_own_root_inside_a_repository() {
    // The organisation directory is itself a repository with workflows; a repository in
    // it with neither `.github` nor `.git` must not become part of it, nor it of them.
    let t = tempfile::tempdir().expect("tmp");
    let org = t.path().join("org");
    write(
        &org,
        ".github/workflows/outer.yml",
        "on: push\njobs:\n  outer:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: outer/action@v1\n",
    );
    std::fs::create_dir_all(org.join(".git")).expect("mkdir");
    write(
        &org,
        "lab/.gitlab-ci.yml",
        "build:\n  image: alpine:3\n  script:\n    - echo hi\n",
    );
    generated(&org, 1);
    let db = t.path().join("org.sqlite");
    let out = scan(&org, &db, &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        rows(&db, "SELECT repository, files FROM repositories ORDER BY 1"),
        strings(&[&["lab", "1"], &["repo-000", "1"]])
    );
    assert_eq!(
        rows(&db, "SELECT repository, path FROM workflows ORDER BY 1"),
        strings(&[
            &["lab", ".gitlab-ci.yml"],
            &["repo-000", ".github/workflows/ci.yml"]
        ])
    );
    assert_eq!(
        rows(
            &db,
            "SELECT repository, rule, path FROM findings WHERE rule = 'unpinned-image' ORDER BY 1"
        ),
        strings(&[
            &["lab", "unpinned-image", ".gitlab-ci.yml"],
            &["repo-000", "unpinned-image", ".github/workflows/ci.yml"]
        ])
    );
    assert_eq!(
        rows(
            &db,
            "SELECT COUNT(*) FROM actions WHERE action = 'outer/action'"
        ),
        strings(&[&["0"]])
    );
}

#[test]
fn usage_errors_exit_2() {
    let t = tempfile::tempdir().expect("tmp");
    let org = t.path().join("org");
    generated(&org, 1);
    for shard in ["0/2", "3/2", "x"] {
        let out = tollgate()
            .arg("scan-org")
            .arg(&org)
            .args(["--shard", shard])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{shard}: {out:?}");
    }
    let empty = t.path().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let out = tollgate()
        .arg("scan-org")
        .arg(&empty)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = tollgate()
        .args(["merge", "-o"])
        .arg(t.path().join("m.sqlite"))
        .arg(org.join("repo-000/.github/workflows/ci.yml"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "not a database: {out:?}");
}

#[test]
fn bare_repositories_are_read_at_head() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("skipped: no `git` binary to build fixtures with");
        return;
    }
    let git = |dir: &Path, args: &[&str]| {
        let out = Command::new("git")
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .output()
            .expect("git");
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    let t = tempfile::tempdir().expect("tmp");
    let work = t.path().join("work");
    write(
        &work,
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  old:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: tj-actions/changed-files@v1\n",
    );
    git(&work, &["init", "-q"]);
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "one"]);
    // The work tree changes after the commit: only HEAD's tree is read.
    write(
        &work,
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  new:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: tj-actions/changed-files@v2\n",
    );
    let org = t.path().join("org");
    std::fs::create_dir_all(&org).expect("mkdir");
    git(
        t.path(),
        &["clone", "-q", "--bare", "work", "org/widget.git"],
    );
    // Which repository it is comes from the bare repository's own `config`.
    git(
        &org.join("widget.git"),
        &[
            "config",
            "remote.origin.url",
            "https://github.com/acme/widget.git",
        ],
    );
    let db = t.path().join("org.sqlite");
    let out = scan(&org, &db, &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        rows(&db, "SELECT repository, identity FROM repositories"),
        strings(&[&["widget.git", "acme/widget"]])
    );
    assert_eq!(
        rows(
            &db,
            "SELECT repository, workflow, job, ref FROM actions ORDER BY 1"
        ),
        strings(&[&["widget.git", ".github/workflows/ci.yml", "old", "v1"]])
    );
    let r = rows(&db, "SELECT kind, length(revision) FROM repositories");
    assert_eq!(r, strings(&[&["bare", "40"]]));
}

/// `--format json` prints one document: every repository in name order with its kind,
/// its findings by level and why it could not be read, and totals that add up; nothing
/// else goes to standard output.
#[test]
fn the_json_summary_lists_every_repository() {
    let t = tempfile::tempdir().expect("tmp");
    let org = t.path().join("org");
    organisation(&org);
    let out = tollgate()
        .arg("scan-org")
        .arg(&org)
        .args(["--format", "json", "--fail-level", "error", "--jobs", "2"])
        .output()
        .expect("runs");
    // alpha's unpinned tj-actions/changed-files is an error, and broken.git is unreadable.
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["version"], 1);
    let repos = doc["repositories"].as_array().expect("repositories");
    let names: Vec<&str> = repos.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["alpha", "beta", "broken.git", "gamma"]);
    let repo = |n: &str| repos.iter().find(|r| r["name"] == n).expect("repository");
    assert_eq!(repo("broken.git")["kind"], "bare");
    assert!(
        repo("broken.git")["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("cannot read repository")),
        "{doc}"
    );
    assert!(repo("alpha")["error"].is_null());
    assert!(
        repo("alpha")["findings"]["error"].as_u64() >= Some(1),
        "{doc}"
    );
    assert_eq!(repo("alpha")["failing"], true);
    let sum: u64 = repos
        .iter()
        .flat_map(|r| ["error", "warning", "note"].map(|l| r["findings"][l].as_u64().unwrap_or(0)))
        .sum();
    assert_eq!(doc["totals"]["findings"].as_u64(), Some(sum));
    assert_eq!(doc["totals"]["repositories"], 4);
    assert_eq!(doc["totals"]["unreadable"], 1);
    assert!(doc["database"].is_null());
}

//! Confinement, end to end: nothing outside the scanned repository is ever read, whatever
//! links the repository holds, in every output format; and the configuration file found in
//! a repository obeys the same rule and a size limit.

#![cfg(unix)]

mod common;

use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{tollgate, write};

/// A line no output may ever contain: it is only in files outside the scanned root.
const SECRET: &str = "s3cr3t-0utside-the-r00t";

/// A tree with a repository `repo/` and, beside it, files it must not read: an action, a
/// reusable workflow and a plain file, each holding the secret line.
fn hostile_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("outside");
    write(
        &out,
        "act/action.yml",
        &format!("runs:\n  using: composite\n  steps: []\n{SECRET}: 1\n"),
    );
    write(
        &out,
        "called.yml",
        &format!("on: workflow_call\n{SECRET}: 1\njobs: {{}}\n"),
    );
    write(&out, "plain", &format!("{SECRET}\n{SECRET}: 2\n"));
    let repo = dir.path().join("repo");
    // `root` is the whole file system; `linkdir` an action directory outside; the local
    // action `inner` has its `action.yml` linked out; `called.yml` is a link too.
    symlink("/", repo_dir(&repo).join("root")).expect("ln /");
    symlink(out.join("act"), repo.join("linkdir")).expect("ln dir");
    std::fs::create_dir_all(repo.join(".github/actions/inner")).expect("mkdir");
    symlink(
        out.join("act/action.yml"),
        repo.join(".github/actions/inner/action.yml"),
    )
    .expect("ln action.yml");
    std::fs::create_dir_all(repo.join(".github/workflows")).expect("mkdir");
    symlink(
        out.join("called.yml"),
        repo.join(".github/workflows/called.yml"),
    )
    .expect("ln workflow");
    let outside = out.to_string_lossy();
    write(
        &repo,
        ".github/workflows/ci.yml",
        &format!(
            "on: push\npermissions: {{}}\njobs:\n  call:\n    uses: ./.github/workflows/called.yml\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./root{outside}/act\n      - uses: ./root{outside}/plain\n      - uses: ./linkdir\n      - uses: ./.github/actions/inner\n      - uses: ./root/etc/passwd\n"
        ),
    );
    dir
}

/// `repo` created, for the first link.
fn repo_dir(repo: &Path) -> &Path {
    std::fs::create_dir_all(repo).expect("mkdir");
    repo
}

fn run(args: &[&str], dir: &Path) -> (Option<i32>, String) {
    let out = tollgate().args(args).arg(dir).output().expect("runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn links_out_of_the_repository_are_never_read_in_any_output() {
    let tree = hostile_tree();
    let repo = tree.path().join("repo");
    for format in ["human", "json", "sarif", "github"] {
        let (code, text) = run(&["check", "--color", "never", "--format", format], &repo);
        assert!(matches!(code, Some(0 | 1)), "{format}: {code:?}\n{text}");
        assert!(
            !text.contains(SECRET),
            "{format} leaks the outside file:\n{text}"
        );
        assert!(
            !text.contains("root:x:0"),
            "{format} leaks /etc/passwd:\n{text}"
        );
    }
    for cmd in ["graph", "egress", "inventory"] {
        let (code, text) = run(&[cmd], &repo);
        assert_eq!(code, Some(0), "{cmd}\n{text}");
        assert!(
            !text.contains(SECRET),
            "{cmd} leaks the outside file:\n{text}"
        );
    }
    // Each refused file is named once, with why, and only the workflow is an input.
    let out = tollgate()
        .args(["check", "--format", "json"])
        .arg(&repo)
        .output()
        .expect("runs");
    let doc = common::json(&out.stdout);
    let inputs: Vec<&str> = doc["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .filter_map(|i| i["path"].as_str())
        .collect();
    assert_eq!(inputs, [".github/workflows/ci.yml"]);
    let refused: Vec<&str> = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| {
            d["message"]
                .as_str()
                .is_some_and(|m| m.contains("outside the scan root"))
        })
        .filter_map(|d| d["path"].as_str())
        .collect();
    for path in [
        "linkdir/action.yml",
        ".github/actions/inner/action.yml",
        ".github/workflows/called.yml",
    ] {
        assert!(refused.contains(&path), "{path} not refused: {refused:?}");
    }
    assert!(
        refused
            .iter()
            .any(|p| p.ends_with("/act/action.yml") && p.starts_with("root/")),
        "{refused:?}"
    );
}

#[test]
fn configuration_links_out_of_the_repository_are_refused_without_quoting() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "outside.toml", &format!("{SECRET} = \n"));
    let repo = dir.path().join("repo");
    write(
        &repo,
        ".github/workflows/ci.yml",
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n",
    );
    symlink(dir.path().join("outside.toml"), repo.join("tollgate.toml")).expect("ln");
    let (code, text) = run(&["check"], &repo);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("outside the scan root"), "{text}");
    assert!(!text.contains(SECRET), "{text}");

    // A link to an endless device, and a FIFO, are refused at once.
    for target in ["/dev/zero", "fifo"] {
        let link = repo.join("tollgate.toml");
        std::fs::remove_file(&link).expect("rm");
        if target == "fifo" {
            let made = std::process::Command::new("mkfifo")
                .arg(&link)
                .status()
                .is_ok_and(|s| s.success());
            if !made {
                continue;
            }
        } else {
            symlink(target, &link).expect("ln");
        }
        let start = Instant::now();
        let (code, text) = run(&["check"], &repo);
        assert_eq!(code, Some(2), "{target}: {text}");
        assert!(start.elapsed() < Duration::from_secs(20), "{target}");
        assert!(
            text.contains("not read") || text.contains("outside the scan root"),
            "{target}: {text}"
        );
    }

    // A large configuration is refused by its size, without reading it.
    std::fs::remove_file(repo.join("tollgate.toml")).expect("rm");
    let big = std::fs::File::create(repo.join("tollgate.toml")).expect("create");
    big.set_len(2 << 30).expect("sparse 2 GB");
    let start = Instant::now();
    let (code, text) = run(&["check"], &repo);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("larger than the 1 MiB limit"), "{text}");
    assert!(start.elapsed() < Duration::from_secs(20));
}

/// 40,000 `[[ignore]]` entries (under the 1 MiB file limit) are refused by their count
/// with the position of the first one too many, in bounded time.
#[test]
fn configuration_with_too_many_entries_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n",
    );
    let mut toml = String::new();
    for _ in 0..40_000 {
        toml.push_str("[[ignore]]\npath=\"a\"\n");
    }
    assert!(toml.len() < 1 << 20);
    write(dir.path(), "tollgate.toml", &toml);
    let start = Instant::now();
    let (code, text) = run(&["check", "--color", "never"], dir.path());
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("`ignore` has 40000 entries; at most 5000"),
        "{text}"
    );
    // The 5,001st entry opens on line 10,001.
    assert!(text.contains("tollgate.toml:10001:1"), "{text}");
    assert!(start.elapsed() < Duration::from_secs(30));
}

/// Ignore files are inputs too: a `.gitignore` linked to `/dev/zero` (or a FIFO, or git's
/// `info/exclude` linked out) was read forever by the walker (6 GB in 20 s). They are
/// read through the confined reader and skipped when refused; the workflow is checked.
#[test]
fn ignore_files_linked_to_devices_or_fifos_are_not_read() {
    let dir = tempfile::tempdir().expect("tmp");
    let r = dir.path();
    write(
        r,
        ".github/workflows/ci.yml",
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n",
    );
    write(r, "sub/Cargo.lock", "version = 4\n");
    std::fs::create_dir_all(r.join(".git/info")).expect("mkdir");
    symlink("/dev/zero", r.join(".gitignore")).expect("ln");
    symlink("/dev/zero", r.join(".git/info/exclude")).expect("ln");
    let _ = std::process::Command::new("mkfifo")
        .arg(r.join("sub/.gitignore"))
        .status();
    let start = Instant::now();
    let out = tollgate()
        .args(["check", "--format", "json"])
        .arg(r)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = common::json(&out.stdout);
    let inputs: Vec<&str> = doc["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .filter_map(|i| i["path"].as_str())
        .collect();
    assert_eq!(inputs, [".github/workflows/ci.yml", "sub/Cargo.lock"]);
}

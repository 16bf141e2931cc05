//! Every input that once crashed, hung or blew up a fuzz target (kept under
//! `testdata/regressions/<target>/`) is replayed through the real binary: placed in a
//! repository where the target's front end reads it, it must end in exit code 0 or 1,
//! without a panic, in bounded time.
//!
//! The file layout mirrors the fuzz targets (see `fuzz/src/lib.rs`): for `gha`,
//! `lockfile` and `registry_config` the first byte selects the file kind; `check` inputs
//! are records separated by two NUL bytes, each a path selector byte and the file.

#![allow(clippy::print_stderr)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{testdata, tollgate};

const GHA: &[&str] = &[
    ".github/workflows/regression.yml",
    "action.yml",
    ".github/workflows/actions.lock",
    ".github/dependabot.yml",
];

const LOCKFILES: &[&str] = &[
    "Cargo.lock",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "requirements.txt",
    "go.mod",
    "go.sum",
    "Gemfile.lock",
];

const CONFIGS: &[&str] = &[
    ".npmrc",
    ".yarnrc.yml",
    ".cargo/config.toml",
    "pip.conf",
    "pyproject.toml",
    ".gemrc",
    "Gemfile",
];

const REPO_PATHS: &[&str] = &[
    ".github/workflows/a.yml",
    ".github/workflows/b.yaml",
    ".github/workflows/actions.lock",
    ".github/dependabot.yml",
    "action.yml",
    ".github/actions/setup/action.yml",
    "tollgate.toml",
    "Cargo.lock",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "requirements.txt",
    "go.mod",
    "go.sum",
    "Gemfile.lock",
    ".npmrc",
    ".yarnrc.yml",
    ".cargo/config.toml",
    "pip.conf",
    "pyproject.toml",
    ".gemrc",
    "Gemfile",
    "web/package-lock.json",
];

fn select(table: &[&'static str], data: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    match data.split_first() {
        Some((&b, rest)) => vec![(table[usize::from(b) % table.len()], rest.to_vec())],
        None => Vec::new(),
    }
}

/// A script as the body of a `run: |` literal block (indentation added to every line).
fn as_run_step(script: &[u8]) -> Vec<u8> {
    let mut out =
        b"on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - shell: bash\n        run: |\n"
            .to_vec();
    for line in script.split(|&b| b == b'\n') {
        out.extend_from_slice(b"          ");
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out
}

/// The files of the repository that replays `data` for `target`.
fn files_for(target: &str, data: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    match target {
        "yaml" => vec![(GHA[0], data.to_vec())],
        "gha" => select(GHA, data),
        "lockfile" => select(LOCKFILES, data),
        "registry_config" => select(CONFIGS, data),
        "shell" | "expressions" => vec![(GHA[0], as_run_step(data))],
        "check" => records(data),
        other => panic!("unknown fuzz target directory `{other}`"),
    }
}

/// Split a `check` input into (path, bytes) records.
fn records(data: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let (record, next) = match rest.windows(2).position(|w| w == b"\0\0") {
            Some(i) => (&rest[..i], &rest[i + 2..]),
            None => (rest, &rest[rest.len()..]),
        };
        if let Some((&b, body)) = record.split_first() {
            out.push((REPO_PATHS[usize::from(b) % REPO_PATHS.len()], body.to_vec()));
        }
        rest = next;
    }
    out
}

fn replay(target: &str, case: &Path) {
    let data = std::fs::read(case).expect("read case");
    let dir = tempfile::tempdir().expect("tmp");
    for (rel, bytes) in files_for(target, &data) {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, bytes).expect("write");
    }
    for format in ["json", "sarif"] {
        let start = Instant::now();
        let out = tollgate()
            .args(["check", "--format", format])
            .arg(dir.path())
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let what = format!("{target}/{}", case.display());
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{what}: exit {:?}: {stderr}",
            out.status.code()
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("valid JSON");
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{what}: {:?}",
            start.elapsed()
        );
    }
}

#[test]
fn every_fuzz_regression_replays_cleanly() {
    let root = testdata("regressions");
    let Ok(targets) = std::fs::read_dir(&root) else {
        eprintln!("skipped: no testdata/regressions");
        return;
    };
    let mut targets: Vec<_> = targets.flatten().map(|e| e.path()).collect();
    targets.sort();
    let mut n = 0;
    for t in targets.iter().filter(|p| p.is_dir()) {
        let target = t.file_name().and_then(|n| n.to_str()).expect("name");
        let mut cases: Vec<_> = std::fs::read_dir(t)
            .expect("read dir")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
            .collect();
        cases.sort();
        for case in cases {
            replay(target, &case);
            n += 1;
        }
    }
    eprintln!("replayed {n} regression inputs");
}

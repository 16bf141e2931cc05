//! Helpers shared by the end-to-end tests: the binary, the fixture paths, the corpus.

#![allow(dead_code, clippy::print_stderr)]

use std::path::PathBuf;

use assert_cmd::Command;

/// The `tollgate` binary built for this test run, with a clean environment.
pub fn tollgate() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tollgate"));
    // An Actions run names its repository in the environment (`GITHUB_REPOSITORY`): the
    // tests say which repository they mean themselves.
    c.env_remove("NO_COLOR")
        .env_remove("GITHUB_ACTIONS")
        .env("RAYON_NUM_THREADS", "2");
    c
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn testdata(rel: &str) -> PathBuf {
    root().join("testdata").join(rel)
}

/// `../shared/corpus` when it is present (CI and developer machines); tests that need it
/// skip, loudly, where it is absent.
pub fn corpus() -> Option<PathBuf> {
    let p = root().join("../shared/corpus");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipped: ../shared/corpus is not present");
        None
    }
}

/// Write `text` to `rel` under `root`, creating the directories on the way.
pub fn write(root: &std::path::Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

pub fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).expect("valid JSON output")
}

mod copy_dir;
#[allow(unused_imports)] // Not every test binary copies fixtures.
pub use copy_dir::copy_dir;

/// Check a SARIF log against the OASIS SARIF 2.1.0 schema kept in testdata.
pub fn assert_valid_sarif(doc: &serde_json::Value, what: &str) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(testdata("schemas/sarif-schema-2.1.0.json")).expect("schema"),
    )
    .expect("schema JSON");
    let v = jsonschema::validator_for(&schema).expect("compiles");
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

/// `../shared/corpus-gitlab` when it is present; tests that need it skip, loudly, where
/// it is absent.
pub fn corpus_gitlab() -> Option<PathBuf> {
    let p = root().join("../shared/corpus-gitlab");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipped: ../shared/corpus-gitlab is not present");
        None
    }
}

/// The hosts of one job of `egress --format json`, in its order.
pub fn destination_hosts(job: &serde_json::Value) -> Vec<String> {
    job["destinations"]
        .as_array()
        .expect("destinations")
        .iter()
        .filter_map(|d| d["host"].as_str().map(str::to_owned))
        .collect()
}

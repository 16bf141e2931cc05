//! Determinism and stability of the machine-readable outputs: the same input gives
//! byte-identical output across runs and thread counts, and JSON/SARIF parse back and
//! render again to the same bytes.

#![allow(clippy::print_stderr)]

mod common;

use std::path::Path;

use common::{corpus, testdata};

/// Run `check --format <format>` on `path` with `threads` rayon threads.
fn render(path: &Path, format: &str, threads: &str) -> Vec<u8> {
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .env("RAYON_NUM_THREADS", threads)
        .args(["check", "--format", format, "--color", "never"])
        .arg(path)
        .output()
        .expect("runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The output parses as JSON and renders back to the same document. SARIF is built as a
/// `serde_json::Value` (keys sorted), so it re-renders to exactly the same bytes; the JSON
/// report is serialised from structs in field order, which a `Value` does not keep, so
/// there the same lines must come back (in another order), none lost or duplicated.
fn assert_round_trips(bytes: &[u8], what: &str, exact: bool) {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    assert!(text.ends_with("}\n"), "{what}: one trailing newline");
    let value: serde_json::Value = serde_json::from_str(text).expect("parses");
    let again = serde_json::to_string_pretty(&value).expect("renders") + "\n";
    let reparsed: serde_json::Value = serde_json::from_str(&again).expect("parses");
    assert_eq!(
        reparsed, value,
        "{what}: parse → render → parse changes the value"
    );
    if exact {
        if let Some(line) = again.lines().zip(text.lines()).position(|(a, b)| a != b) {
            panic!("{what}: re-rendered output differs from line {}", line + 1);
        }
        assert_eq!(again, text, "{what}");
    } else {
        // Same lines up to order and trailing commas: a duplicate key would leave an extra
        // line in the original (the parsed value keeps only one of them).
        let lines = |s: &str| {
            let mut v: Vec<String> = s
                .lines()
                .map(|l| l.trim_end_matches(',').to_owned())
                .collect();
            v.sort();
            v
        };
        assert_eq!(
            lines(&again),
            lines(text),
            "{what}: lines lost or duplicated"
        );
    }
}

fn assert_deterministic(path: &Path, format: &str, runs: &[&str]) {
    let first = render(path, format, runs[0]);
    assert!(!first.is_empty());
    for threads in &runs[1..] {
        let other = render(path, format, threads);
        if other != first {
            let a = String::from_utf8_lossy(&first);
            let b = String::from_utf8_lossy(&other);
            let line = a.lines().zip(b.lines()).position(|(x, y)| x != y);
            panic!(
                "{format} on {} differs with RAYON_NUM_THREADS={threads} (first differing line {line:?})",
                path.display()
            );
        }
    }
    if format != "github" {
        let what = format!("{format} of {}", path.display());
        assert_round_trips(&first, &what, format == "sarif");
    }
}

#[test]
fn demo_json_is_deterministic_and_round_trips() {
    assert_deterministic(&testdata("demo"), "json", &["1", "2", "2", "1"]);
}

#[test]
fn demo_sarif_is_deterministic_and_round_trips() {
    assert_deterministic(&testdata("demo"), "sarif", &["1", "2", "2", "1"]);
}

#[test]
fn demo_github_annotations_are_deterministic() {
    assert_deterministic(&testdata("demo"), "github", &["1", "2"]);
}

/// Every rule fixture at once: many rules, many findings per file, ties in sort order.
#[test]
fn rule_fixtures_are_deterministic() {
    for format in ["json", "sarif"] {
        assert_deterministic(&testdata("rules"), format, &["1", "2", "2"]);
    }
}

#[test]
fn corpus_json_is_deterministic_and_round_trips() {
    let Some(c) = corpus() else { return };
    assert_deterministic(&c, "json", &["1", "2"]);
}

#[test]
fn corpus_sarif_is_deterministic_and_round_trips() {
    let Some(c) = corpus() else { return };
    assert_deterministic(&c, "sarif", &["1", "2"]);
}

/// Paths given in a different order, and a file given twice, give the same report.
#[test]
fn argument_order_does_not_matter() {
    let demo = testdata("demo");
    let wf = demo.join(".github/workflows");
    let run = |args: &[&Path]| {
        let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_tollgate"))
            .env("RAYON_NUM_THREADS", "2")
            .current_dir(&wf)
            .args(["check", "--format", "json"])
            .args(args)
            .output()
            .expect("runs");
        out.stdout
    };
    let a = run(&[Path::new("ci.yml"), Path::new("release.yml")]);
    let b = run(&[
        Path::new("release.yml"),
        Path::new("ci.yml"),
        Path::new("ci.yml"),
    ]);
    assert_eq!(
        String::from_utf8_lossy(&a),
        String::from_utf8_lossy(&b),
        "order of arguments changes the output"
    );
}

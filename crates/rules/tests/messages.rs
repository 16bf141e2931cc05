//! Counts in messages agree with their nouns: one host, two hosts.

use tollgate_engine::{Config, RunOptions, Selector, run};
use tollgate_scan::{ScanOptions, scan};

/// The messages of `rule` on a repository holding one workflow, `text`.
fn messages(rule: &str, text: &str) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join(".github/workflows/ci.yml");
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(&p, text).expect("write");
    let s = scan(&[dir.path().to_path_buf()], &ScanOptions::default());
    let (graph, _) = tollgate_facts::graph(&s);
    let opts = RunOptions {
        select: vec![Selector(rule.to_owned())],
        ..RunOptions::default()
    };
    run(
        tollgate_rules::rules(),
        &s,
        &graph,
        &Config::default(),
        &opts,
    )
    .findings
    .into_iter()
    .map(|f| f.message)
    .collect()
}

/// A job whose run steps fetch from each of `hosts`.
fn job(hosts: &[&str]) -> String {
    let steps: String = hosts
        .iter()
        .map(|h| format!("      - run: curl -fsSL https://{h}/x -o x\n"))
        .collect();
    format!("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n{steps}")
}

#[test]
fn one_host_is_singular_and_two_are_plural() {
    let one = messages("unrestricted-egress", &job(&["one.example.com"]));
    assert_eq!(one.len(), 1);
    assert!(one[0].contains("reaches 1 external host with"), "{one:?}");
    let two = messages(
        "unrestricted-egress",
        &job(&["one.example.com", "two.example.com"]),
    );
    assert!(two[0].contains("reaches 2 external hosts with"), "{two:?}");
    let timeout = messages(
        "missing-job-timeout",
        &job(&["one.example.com", "two.example.com"]),
    );
    assert!(timeout[0].contains(" and 1 more host "), "{timeout:?}");
}

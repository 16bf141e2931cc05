//! Counts in messages agree with their nouns: one host, two hosts.

mod common;

/// The messages of `rule` on a repository holding one workflow, `text`.
fn messages(rule: &str, text: &str) -> Vec<String> {
    common::findings(rule, text)
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

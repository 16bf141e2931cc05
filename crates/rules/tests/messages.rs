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

#[test]
fn a_script_an_action_runs_is_named_as_its_input() {
    let f = common::findings(
        "template-injection",
        "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: nick-fields/retry@v3\n        with:\n          command: |\n            echo start\n            echo \"${{ github.event.issue.title }}\"\n",
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message
            .contains("into the `command` input of `nick-fields/retry`, which runs it as a script"),
        "{}",
        f[0].message
    );
    // Located at the expression, on the script's second line.
    assert_eq!(f[0].primary.start.line as usize, 10, "{:?}", f[0].primary);
    assert_eq!(f[0].primary.start.column as usize, 19, "{:?}", f[0].primary);
}

#[test]
fn an_aliased_script_gets_a_finding_per_step_at_the_expression() {
    let f = common::findings(
        "template-injection",
        "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: &greet |\n          echo hello\n          echo \"${{ github.event.issue.title }}\"\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: *greet\n",
    );
    assert_eq!(f.len(), 2, "{f:#?}");
    for x in &f {
        assert_eq!(
            (
                x.primary.start.line as usize,
                x.primary.start.column as usize,
                x.primary.end.column
            ),
            (8, 17, 48),
            "{:?}",
            x.primary
        );
    }
    let jobs: Vec<Option<&str>> = f.iter().map(|x| x.job.as_deref()).collect();
    assert!(
        jobs.contains(&Some("a")) && jobs.contains(&Some("b")),
        "{jobs:?}"
    );
}

/// A vulnerable action's finding names the advisory, its severity and fixed version, and
/// the help links the advisory and says how old the snapshot is.
#[test]
fn a_known_vulnerable_action_names_its_advisory_and_fix() {
    let text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: hashicorp/vault-action@v2.1.0\n";
    let found = common::findings("known-vulnerable-action", text);
    assert_eq!(found.len(), 1, "{found:?}");
    let f = &found[0];
    assert!(
        f.message.starts_with(
            "`hashicorp/vault-action@v2.1.0` is affected by GHSA-4mgv-m5cm-f9h7 (high): "
        ),
        "{}",
        f.message
    );
    assert!(f.message.ends_with("; fixed in 2.2.0"), "{}", f.message);
    let help = f.help.as_deref().unwrap_or_default();
    assert!(
        help.contains("https://github.com/advisories/GHSA-4mgv-m5cm-f9h7"),
        "{help}"
    );
    assert!(help.contains("upgrade to 2.2.0 or later"), "{help}");
    assert!(
        help.contains(&tollgate_kb::action_advisories().snapshot_date),
        "{help}"
    );
    assert_eq!(f.severity, tollgate_model::Impact::High);
}

/// An advisory that gives the last affected version (trivy-action's force-pushed tags)
/// points past it.
#[test]
fn a_last_affected_version_is_named_in_the_help() {
    let text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aquasecurity/trivy-action@0.30.0\n";
    let found = common::findings("known-vulnerable-action", text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].message.contains("GHSA-69fq-xp46-6x23 (critical)")
            && found[0].message.ends_with("; affected up to 0.34.2"),
        "{}",
        found[0].message
    );
    let help = found[0].help.as_deref().unwrap_or_default();
    assert!(
        help.starts_with("upgrade to a release after 0.34.2"),
        "{help}"
    );
}

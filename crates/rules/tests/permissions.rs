//! `broad-permissions` never calls a scope unneeded on the word of a job it cannot judge:
//! a part the knowledge base does not know may use any scope.

mod common;

use tollgate_model::Finding;

fn broad(text: &str) -> Vec<Finding> {
    common::findings("broad-permissions", text)
}

const UNKNOWN_ACTION: &str =
    "example-org/close-blank-issue@0123456789abcdef0123456789abcdef01234567";

#[test]
fn a_workflow_scope_is_unneeded_only_for_jobs_whose_needs_are_known() {
    let text = format!(
        "on: issues\npermissions:\n  issues: write\njobs:\n  close:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: {UNKNOWN_ACTION}\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n"
    );
    let f = broad(&text);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message.contains("`test` does not need it"),
        "{}",
        f[0].message
    );
    assert!(!f[0].message.contains("`close`"), "{}", f[0].message);
    // The block suggested for the unknown job keeps room for what the action uses.
    let help = f[0].help.as_deref().unwrap_or_default();
    assert!(
        help.contains(
            "# and the scopes `example-org/close-blank-issue` uses (not known to tollgate)"
        ),
        "{help}"
    );
    assert!(!help.contains("job `close`:\n  permissions: {}"), "{help}");

    // With the known job gone, nothing is said.
    let only_unknown = text.split("  test:").next().unwrap_or_default().to_owned();
    assert!(broad(&only_unknown).is_empty());
}

#[test]
fn a_job_scope_is_kept_when_a_step_is_not_known() {
    let block = "on: push\njobs:\n  label:\n    runs-on: ubuntu-latest\n    permissions:\n      pull-requests: write\n    steps:\n";
    let unknown = format!("{block}      - uses: {UNKNOWN_ACTION}\n");
    assert!(broad(&unknown).is_empty());
    // The same block with only known steps is a finding.
    let known = format!("{block}      - run: make test\n");
    let f = broad(&known);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message
            .contains("holds `pull-requests: write` but none of its steps needs it"),
        "{}",
        f[0].message
    );
}

#[test]
fn the_default_token_is_reported_with_the_unknown_parts_named() {
    let text = format!(
        "on: push\njobs:\n  close:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: {UNKNOWN_ACTION}\n"
    );
    let f = broad(&text);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message
            .contains("(needs not known for `example-org/close-blank-issue`)"),
        "{}",
        f[0].message
    );
    let help = f[0].help.as_deref().unwrap_or_default();
    assert!(help.contains("contents: read # actions/checkout"), "{help}");
    assert!(help.contains("not known to tollgate"), "{help}");
}

/// Actions the action snapshot shows take no token by default are known to need nothing,
/// so a job of only such steps that holds a scope is reported (before, the action was
/// unknown and the job's needs with it).
#[test]
fn a_snapshot_action_without_a_token_input_needs_nothing() {
    let text = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: write\n    steps:\n      - uses: julia-actions/setup-julia@5c9647d97b78a5debe5164e9eec09d653d29bd71\n      - run: julia --version\n";
    let f = broad(text);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message
            .contains("holds `contents: write` but none of its steps needs it"),
        "{}",
        f[0].message
    );
}

//! The severities of `template-injection` and the reach of `dangerous-trigger` follow the
//! trust the graph gives each trigger (`rules/data/trigger-trust.toml`), on workflows
//! written here.

use tollgate_engine::{Config, RunOptions, Selector, run};
use tollgate_model::{Finding, Impact};
use tollgate_scan::{ScanOptions, scan};

/// The findings of `rule` on a repository holding one workflow, `text`.
fn findings(rule: &str, text: &str) -> Vec<Finding> {
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
}

fn injection(on: &str) -> Vec<(Impact, String)> {
    let text = format!(
        "on: {on}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"${{{{ github.event.pull_request.title }}}}\"\n"
    );
    findings("template-injection", &text)
        .into_iter()
        .map(|f| {
            let first = f.path.first().map(|h| h.label.clone()).unwrap_or_default();
            (f.severity, first)
        })
        .collect()
}

#[test]
fn template_injection_severity_follows_who_can_fire_the_workflow() {
    let high = |event: &str| vec![(Impact::High, format!("on: `{event}`"))];
    let no_trigger_hop = |s| vec![(s, "workflow `.github/workflows/ci.yml`".to_owned())];
    assert_eq!(
        injection("pull_request_target"),
        high("pull_request_target")
    );
    assert_eq!(injection("issues"), high("issues"));
    // The most dangerous of several is the one named, whatever their order in `on:`.
    assert_eq!(
        injection("[issue_comment, workflow_run, pull_request_target]"),
        high("pull_request_target")
    );
    // Anyone can fire these, but a fork's run gets a read-only token and no secrets.
    assert_eq!(injection("pull_request"), no_trigger_hop(Impact::Medium));
    assert_eq!(
        injection("pull_request_review"),
        no_trigger_hop(Impact::Medium)
    );
    // Only collaborators can push.
    assert_eq!(injection("push"), no_trigger_hop(Impact::Low));
}

#[test]
fn dangerous_trigger_reports_a_head_checkout_under_any_privileged_trigger_anyone_can_fire() {
    let wf = |on: &str| {
        format!(
            "on: {on}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: refs/pull/${{{{ github.event.issue.number }}}}/head\n"
        )
    };
    let messages = |on: &str| -> Vec<String> {
        findings("dangerous-trigger", &wf(on))
            .into_iter()
            .map(|f| f.message)
            .collect()
    };
    assert_eq!(
        messages("issue_comment"),
        [
            "`issue_comment` job `a` checks out the pull request ref `refs/pull/${{ github.event.issue.number }}/head`, running untrusted code with a token that can write"
        ]
    );
    assert!(messages("pull_request").is_empty());
    assert!(messages("workflow_dispatch").is_empty());
}

//! The severities of `template-injection` and the reach of `dangerous-trigger` follow the
//! trust the graph gives each trigger (`rules/data/trigger-trust.toml`), on workflows
//! written here.

mod common;

use common::findings;
use tollgate_model::Impact;

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

/// The severity of an expansion in a job with `job_if` and a step with `step_if`, on
/// `issue_comment` and `push` (wasmtime's `performance.yml` runs its push job only on push).
fn injection_guarded(job_if: &str, step_if: &str) -> Vec<Impact> {
    let text = format!(
        "on: [issue_comment, push]\njobs:\n  a:\n    runs-on: ubuntu-latest\n{job_if}    steps:\n      - run: echo \"${{{{ github.event.head_commit.message }}}}\"\n{step_if}"
    );
    findings("template-injection", &text)
        .into_iter()
        .map(|f| f.severity)
        .collect()
}

#[test]
fn template_injection_severity_counts_only_the_events_the_job_runs_on() {
    assert_eq!(injection_guarded("", ""), vec![Impact::High]);
    // Only collaborators push: the job never runs on the comment.
    assert_eq!(
        injection_guarded("    if: github.event_name == 'push'\n", ""),
        vec![Impact::Low]
    );
    assert_eq!(
        injection_guarded(
            "",
            "        if: ${{ github.event_name != 'issue_comment' }}\n"
        ),
        vec![Impact::Low]
    );
    // A condition that keeps the comment run stays high.
    assert_eq!(
        injection_guarded("    if: github.event_name == 'issue_comment'\n", ""),
        vec![Impact::High]
    );
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

/// The confidence and the guard hop of `dangerous-trigger` on a `pull_request_target`
/// workflow whose job `b` checks out the head, with `jobs` written before it and `cond`
/// as `b`'s `if:` (empty for none) and `step_if` on the checkout step.
fn guarded(jobs: &str, needs: &str, cond: &str, step_if: &str) -> Vec<(String, Option<String>)> {
    let job_if = if cond.is_empty() {
        String::new()
    } else {
        format!("    if: {cond}\n")
    };
    let step_if = if step_if.is_empty() {
        String::new()
    } else {
        format!("        if: {step_if}\n")
    };
    let text = format!(
        "on: [pull_request_target, pull_request]\npermissions:\n  contents: write\njobs:\n{jobs}  b:\n    runs-on: ubuntu-latest\n{needs}{job_if}    steps:\n      - uses: actions/checkout@v4\n{step_if}        with:\n          ref: ${{{{ github.event.pull_request.head.sha }}}}\n      - run: make test\n"
    );
    findings("dangerous-trigger", &text)
        .into_iter()
        .map(|f| {
            let guard = f
                .path
                .iter()
                .find(|h| h.label.starts_with("`if:` limits"))
                .map(|h| h.label.clone());
            (format!("{:?}", f.confidence), guard)
        })
        .collect()
}

#[test]
fn dangerous_trigger_lowers_its_confidence_for_a_job_its_condition_guards() {
    let high = || vec![("High".to_owned(), None)];
    let guard = |c: &str, what: &str| {
        vec![(
            c.to_owned(),
            Some(format!("`if:` limits the run to {what}")),
        )]
    };
    let same = "pull requests from branches of the same repository";
    let members = "owners, members, collaborators or named users";
    let label = "pull requests a maintainer has labelled";
    assert_eq!(guarded("", "", "", ""), high());
    assert_eq!(
        guarded(
            "",
            "",
            "github.event.pull_request.head.repo.full_name == github.repository",
            ""
        ),
        guard("Low", same)
    );
    assert_eq!(
        guarded(
            "",
            "",
            "${{ !github.event.pull_request.head.repo.fork }}",
            ""
        ),
        guard("Low", same)
    );
    // On the checkout step itself.
    assert_eq!(
        guarded(
            "",
            "",
            "",
            "contains(github.event.pull_request.labels.*.name, 'safe to test')"
        ),
        guard("Medium", label)
    );
    assert_eq!(
        guarded(
            "",
            "",
            "contains(fromJSON('[\"OWNER\", \"MEMBER\"]'), github.event.pull_request.author_association)",
            ""
        ),
        guard("Medium", members)
    );
    // Every alternative the run can take is guarded: the weakest holds.
    assert_eq!(
        guarded(
            "",
            "",
            "github.event.sender.login == 'alice' || contains(github.event.pull_request.labels.*.name, 'ok')",
            ""
        ),
        guard("Medium", label)
    );
    // An alternative a `pull_request_target` run cannot take does not count (poetry's
    // docs preview: same-repository only for `pull_request`, a label for the target).
    assert_eq!(
        guarded(
            "",
            "",
            "(github.event_name == 'pull_request_target' && contains(github.event.pull_request.labels.*.name, 'docs')) || (github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository)",
            ""
        ),
        guard("Medium", label)
    );
    // Not guards: an unguarded alternative, a test outsiders pass, text around the
    // expression (a string, always true).
    for cond in [
        "github.event.pull_request.head.repo.full_name == github.repository || github.actor == 'x'",
        "github.event.pull_request.author_association != 'OWNER'",
        "contains('OWNER,CONTRIBUTOR', github.event.pull_request.author_association)",
        "x ${{ github.event.pull_request.head.repo.fork == false }}",
    ] {
        assert_eq!(guarded("", "", cond, ""), high(), "{cond}");
    }
}

#[test]
fn a_guard_on_a_needed_job_holds_unless_the_job_runs_anyway() {
    let authorize = "  authorize:\n    runs-on: ubuntu-latest\n    if: github.event.pull_request.head.repo.full_name == github.repository\n    steps:\n      - run: echo ok\n";
    let chain = format!(
        "{authorize}  middle:\n    runs-on: ubuntu-latest\n    needs: authorize\n    steps:\n      - run: echo ok\n"
    );
    assert_eq!(
        guarded(authorize, "    needs: [authorize]\n", "", ""),
        vec![(
            "Low".to_owned(),
            Some(
                "`if:` limits the run to pull requests from branches of the same repository"
                    .to_owned()
            )
        )]
    );
    // Through a job that needs the guarded one.
    assert_eq!(guarded(&chain, "    needs: middle\n", "", "")[0].0, "Low");
    // `always()` runs the job when the guarded job is skipped.
    assert_eq!(
        guarded(authorize, "    needs: authorize\n", "${{ always() }}", ""),
        vec![("High".to_owned(), None)]
    );
    // A job that does not need the guarded one is not guarded by it.
    assert_eq!(
        guarded(authorize, "", "", ""),
        vec![("High".to_owned(), None)]
    );
}

#[test]
fn a_job_or_step_that_never_runs_on_the_privileged_event_is_not_reported() {
    let pr_only =
        "github.event_name == 'pull_request' && github.event.pull_request.head.repo.fork == false";
    assert_eq!(guarded("", "", pr_only, ""), vec![]);
    assert_eq!(
        guarded("", "", "", "github.event_name != 'pull_request_target'"),
        vec![]
    );
    assert_eq!(
        guarded(
            "",
            "",
            "github.event_name == 'push' || github.event_name == 'pull_request'",
            ""
        ),
        vec![]
    );
    // Skipped with the job it needs.
    let first = format!(
        "  a:\n    runs-on: ubuntu-latest\n    if: {pr_only}\n    steps:\n      - run: echo ok\n"
    );
    assert_eq!(guarded(&first, "    needs: a\n", "", ""), vec![]);
    // The event is named in either case.
    assert_eq!(
        guarded("", "", "github.event_name == 'PULL_REQUEST_TARGET'", ""),
        vec![("High".to_owned(), None)]
    );
}

#[test]
fn a_label_gate_does_not_lower_a_checkout_of_the_head_branch() {
    let wf = |r: &str| {
        format!(
            "on: pull_request_target\njobs:\n  test:\n    runs-on: ubuntu-latest\n    if: contains(github.event.pull_request.labels.*.name, 'safe to test')\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{{{ {r} }}}}\n      - run: make test\n"
        )
    };
    let got = |r: &str| -> Vec<(String, String)> {
        findings("dangerous-trigger", &wf(r))
            .into_iter()
            .map(|f| (format!("{:?}", f.confidence), f.message))
            .collect()
    };
    // The commit that was labelled: the gate holds, as far as a label can.
    let sha = got("github.event.pull_request.head.sha");
    assert_eq!(sha.len(), 1);
    assert_eq!(sha[0].0, "Medium");
    // The branch: the author pushes after the label is set, and that code runs.
    for r in ["github.event.pull_request.head.ref", "github.head_ref"] {
        let branch = got(r);
        assert_eq!(branch.len(), 1, "{r}");
        assert_eq!(branch[0].0, "High", "{r}");
        assert!(
            branch[0].1.contains("can change after the label is set"),
            "{}",
            branch[0].1
        );
    }
}

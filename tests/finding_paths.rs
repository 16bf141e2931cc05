//! Every finding shows the dependency path it ends: in JSON as `path`, in SARIF as a
//! `codeFlow` whose thread-flow locations follow the path in order, and in the human
//! output as one `path:` line. The expected chains below were written from the fixtures'
//! text, line by line.

mod common;

use common::{json, testdata, tollgate};
use serde_json::Value;

fn findings(args: &[&str], path: &std::path::Path) -> Vec<Value> {
    let out = tollgate()
        .args(["check", "--format", "json"])
        .args(args)
        .arg(path)
        .output()
        .expect("runs");
    let doc = json(&out.stdout);
    doc["findings"].as_array().expect("findings").clone()
}

/// The path of a finding as (label, line) pairs; line 0 where a hop has no location.
fn hops(f: &Value) -> Vec<(String, u64)> {
    f["path"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|h| {
                    (
                        h["label"].as_str().unwrap_or("").to_owned(),
                        h["location"]["line"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn one<'a>(all: &'a [Value], rule: &str, file_end: &str, line: u64) -> &'a Value {
    all.iter()
        .find(|f| {
            f["rule"] == rule
                && f["location"]["path"]
                    .as_str()
                    .is_some_and(|p| p.ends_with(file_end))
                && f["location"]["line"] == line
        })
        .unwrap_or_else(|| panic!("no {rule} finding at {file_end}:{line} in {all:#?}"))
}

fn labels(h: &[(String, u64)]) -> Vec<&str> {
    h.iter().map(|(l, _)| l.as_str()).collect()
}

#[test]
fn dangerous_trigger_goes_from_the_trigger_to_the_untrusted_checkout() {
    let all = findings(&["--select", "dangerous-trigger"], &testdata("demo"));
    let h = hops(one(&all, "dangerous-trigger", "triage.yml", 18));
    assert_eq!(
        labels(&h),
        [
            "on: `pull_request_target`",
            "workflow `.github/workflows/triage.yml`",
            "job `label`",
            "step `actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11`",
            "checks out the untrusted head (`ref: ${{ github.event.pull_request.head.sha }}`) with a token that can write",
        ]
    );
    // `on:` is line 2, the job line 13, the step line 16, the `ref:` value line 18.
    let lines: Vec<u64> = h.iter().map(|(_, l)| *l).collect();
    assert_eq!(lines, [2, 1, 13, 16, 18]);
}

#[test]
fn template_injection_goes_from_the_context_through_env_and_outputs_to_the_script() {
    let dir = testdata("rules/template-injection/fires-derived");
    let all = findings(&["--select", "template-injection"], &dir);
    // `BRANCH: ${{ github.event.workflow_run.head_branch }}` (line 10) → `$BRANCH`… line 20.
    let h = hops(one(&all, "template-injection", "wr.yml", 20));
    assert_eq!(h.first().map(|x| x.0.as_str()), Some("on: `workflow_run`"));
    let tail: Vec<(String, u64)> = h[h.len() - 2..].to_vec();
    assert_eq!(
        tail,
        [
            (
                "`env.BRANCH` carries `github.event.workflow_run.head_branch`".to_owned(),
                10
            ),
            ("`env.BRANCH` expanded into a `run:` script".to_owned(), 20),
        ]
    );
    // An output written by step `meta` (line 16) and expanded on line 21.
    let h = hops(one(&all, "template-injection", "wr.yml", 21));
    let (label, line) = &h[h.len() - 2];
    assert!(label.contains("written by step `meta`"), "{label}");
    assert_eq!(*line, 16);
}

#[test]
fn secrets_exposure_goes_from_the_job_to_the_secret_to_the_unpinned_code() {
    let dir = testdata("rules/secrets-exposure/fires-unpinned-action");
    let all = findings(&["--select", "secrets-exposure"], &dir);
    let h = hops(one(&all, "secrets-exposure", "ci.yml", 8));
    assert_eq!(
        h,
        [
            ("workflow `.github/workflows/ci.yml`".to_owned(), 1),
            ("job `deploy`".to_owned(), 3),
            ("secret `DEPLOY_KEY`".to_owned(), 8),
            (
                "passed to the unpinned action `some-org/deploy-action@v2`".to_owned(),
                6
            ),
        ]
    );
    let h = hops(one(&all, "secrets-exposure", "ci.yml", 19));
    assert_eq!(
        labels(&h)[1..],
        [
            "job `call`",
            "secret `PYPI_TOKEN`",
            "passed to the unpinned reusable workflow `octo-org/ci/.github/workflows/publish.yml@v1`",
        ]
    );
}

#[test]
fn secrets_inherit_goes_from_the_job_through_every_secret_to_the_called_workflow() {
    let dir = testdata("rules/secrets-inherit/fires-local-call");
    let all = findings(&["--select", "secrets-inherit"], &dir);
    let h = hops(one(&all, "secrets-inherit", "ci.yml", 7));
    assert_eq!(
        h,
        [
            ("workflow `.github/workflows/ci.yml`".to_owned(), 1),
            ("job `release`".to_owned(), 5),
            (
                "every secret of the repository (`secrets: inherit`)".to_owned(),
                7
            ),
            // The `uses:` value on line 6 names the workflow called.
            ("calls `./.github/workflows/release.yml`".to_owned(), 6),
        ]
    );
}

#[test]
fn downloads_go_from_the_step_to_the_url_to_where_the_content_is_used() {
    let all = findings(
        &["--select", "remote-script-execution,unverified-download"],
        &testdata("demo"),
    );
    // testdata/demo/.github/workflows/ci.yml: `curl -fsSL https://sh.rustup.rs | sh` on
    // line 22 of the step `Install tools` (line 20); `wget` on 25, `tar` on 26.
    assert_eq!(
        hops(one(&all, "remote-script-execution", "ci.yml", 22)),
        [
            ("workflow `.github/workflows/ci.yml`".to_owned(), 2),
            ("job `test`".to_owned(), 9),
            ("step `Install tools`".to_owned(), 20),
            ("downloads `https://sh.rustup.rs`".to_owned(), 22),
            ("piped into `sh`".to_owned(), 22),
        ]
    );
    let h = hops(one(&all, "unverified-download", "ci.yml", 25));
    assert_eq!(
        h[h.len() - 2..],
        [
            (
                "downloads `https://releases.example.com/tool.tar.gz`".to_owned(),
                25
            ),
            ("unpacked with `tar`".to_owned(), 26),
        ]
    );
}

#[test]
fn unpinned_image_goes_from_the_job_through_the_step_and_command_to_the_pull() {
    let rule = ["--select", "unpinned-image"];
    let base = testdata("rules").join("unpinned-image");
    // fires-container-services/.github/workflows/ci.yml: job `test` on line 3, its
    // container on line 5, service `db`'s image on line 8.
    let all = findings(&rule, &base.join("fires-container-services"));
    assert_eq!(
        hops(one(&all, "unpinned-image", "ci.yml", 5)),
        [
            ("workflow `.github/workflows/ci.yml`".to_owned(), 1),
            ("job `test`".to_owned(), 3),
            ("pulls `node:20` (job container)".to_owned(), 5),
        ]
    );
    assert_eq!(
        hops(one(&all, "unpinned-image", "ci.yml", 8)).last(),
        Some(&("pulls `postgres` (service `db`)".to_owned(), 8))
    );
    // fires-docker-run: `docker pull` in the second step (line 7), through its command.
    let all = findings(&rule, &base.join("fires-docker-run"));
    let h = hops(one(&all, "unpinned-image", "ci.yml", 7));
    assert_eq!(h[1], ("job `test`".to_owned(), 3));
    assert_eq!(
        h.last(),
        Some(&(
            "pulls `ghcr.io/example/tool` (`docker pull` image)".to_owned(),
            7
        ))
    );
    assert!(
        h.iter()
            .any(|(l, line)| l.starts_with("step ") && *line == 7),
        "{h:?}"
    );
}

#[test]
fn persisted_credentials_goes_from_the_checkout_to_the_upload_of_the_workspace() {
    let dir = testdata("rules/persisted-credentials/fires-artifact-high");
    let all = findings(&["--select", "persisted-credentials"], &dir);
    let h = hops(one(&all, "persisted-credentials", "ci.yml", 6));
    assert_eq!(
        h[1..],
        [
            ("job `build`".to_owned(), 3),
            ("uses `actions/checkout@v4`".to_owned(), 6),
            (
                "step `actions/upload-artifact@v3` uploads the checkout, `.git/config` included"
                    .to_owned(),
                8
            ),
        ]
    );
}

#[test]
fn an_action_reached_through_a_local_composite_action_shows_the_job_that_reaches_it() {
    let dir = testdata("rules/unpinned-action/fires-inside-composite");
    let all = findings(&["--select", "unpinned-action"], &dir);
    let h = hops(one(&all, "unpinned-action", "setup/action.yml", 5));
    assert_eq!(
        labels(&h),
        [
            "workflow `.github/workflows/ci.yml`",
            "job `build`",
            "uses local action `./.github/actions/setup`",
            "uses `dtolnay/rust-toolchain@stable`",
        ]
    );
}

#[test]
fn a_lockfile_finding_shows_the_install_that_reads_the_lockfile() {
    let all = findings(&["--select", "unknown-package-source"], &testdata("demo"));
    let h = hops(one(&all, "unknown-package-source", "package-lock.json", 17));
    assert_eq!(
        labels(&h)[..5],
        [
            "workflow `.github/workflows/ci.yml`",
            "job `test`",
            "step `Build`",
            "runs `npm ci`",
            "lockfile `web/package-lock.json`",
        ]
    );
    assert_eq!(h.last().map(|x| x.1), Some(17));
}

#[test]
fn missing_fallback_ends_at_the_hosts_without_a_fallback() {
    let all = findings(&["--select", "missing-fallback"], &testdata("demo"));
    let h = hops(one(&all, "missing-fallback", "ci.yml", 11));
    assert_eq!(
        h,
        [
            // The workflow's first key, after a comment line.
            ("workflow `.github/workflows/ci.yml`".to_owned(), 2),
            ("job `test`".to_owned(), 9),
            ("`node:20`".to_owned(), 11),
            ("host `docker.io`, with no fallback".to_owned(), 0),
        ]
    );
}

#[test]
fn a_file_no_workflow_reaches_has_no_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    common::write(
        dir.path(),
        "web/package-lock.json",
        r#"{"name":"x","lockfileVersion":3,"packages":{"":{"name":"x"},"node_modules/a":{"version":"1.0.0","resolved":"http://registry.npmjs.org/a/-/a-1.0.0.tgz"}}}"#,
    );
    std::fs::create_dir_all(dir.path().join(".github")).expect("mkdir");
    let all = findings(&["--select", "insecure-transport"], dir.path());
    assert_eq!(all.len(), 1, "{all:#?}");
    assert!(hops(&all[0]).is_empty(), "{all:#?}");
}

/// Every rule whose findings end a chain gives it on every finding of its `fires-*`
/// fixtures that a workflow reaches, starting at a trigger or a workflow and passing the
/// job; SARIF carries the same path as a code flow, hop for hop.
#[test]
fn every_rule_with_a_chain_emits_it_in_json_and_sarif() {
    const CHAINED: &[&str] = &[
        "unpinned-action",
        "unpinned-image",
        "remote-script-execution",
        "unverified-download",
        "unpinned-package-install",
        "insecure-transport",
        "secrets-exposure",
        "secrets-inherit",
        "dangerous-trigger",
        "persisted-credentials",
        "template-injection",
        "github-env-injection",
        "unknown-package-source",
        "missing-fallback",
        "egress-not-allowed",
        "cache-poisoning",
    ];
    for rule in CHAINED {
        let base = testdata("rules").join(rule);
        let mut seen = 0;
        for entry in std::fs::read_dir(&base).expect("fixtures") {
            let dir = entry.expect("entry").path();
            let fires = dir
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("fires-"));
            if !fires {
                continue;
            }
            let json_findings = findings(&["--select", rule], &dir);
            let sarif = tollgate()
                .args(["check", "--format", "sarif", "--select", rule])
                .arg(&dir)
                .output()
                .expect("runs");
            let sarif = json(&sarif.stdout);
            common::assert_valid_sarif(&sarif, &format!("{rule} {}", dir.display()));
            let results = sarif["runs"][0]["results"].as_array().expect("results");
            assert_eq!(
                results.len(),
                json_findings.len(),
                "{rule} {}",
                dir.display()
            );
            for (f, r) in json_findings.iter().zip(results) {
                let h = hops(f);
                let workflow_file = f["location"]["path"]
                    .as_str()
                    .is_some_and(|p| p.contains(".github/workflows/"));
                if workflow_file {
                    assert!(!h.is_empty(), "{rule} {}: {f:#?}", dir.display());
                }
                if h.is_empty() {
                    assert!(r.get("codeFlows").is_none(), "{r:#?}");
                    continue;
                }
                seen += 1;
                let first = &h[0].0;
                // A step of a composite action no workflow calls starts at the step; a
                // Dockerfile (not tied to the job that builds it yet) at the Dockerfile.
                assert!(
                    first.starts_with("workflow `")
                        || first.starts_with("on: ")
                        || first.starts_with("job ")
                        || (first.starts_with("step ") && !workflow_file)
                        || (first.starts_with("Dockerfile `") && !workflow_file),
                    "{rule}: {h:?}"
                );
                let flow = r["codeFlows"][0]["threadFlows"][0]["locations"]
                    .as_array()
                    .expect("a code flow");
                let texts: Vec<&str> = flow
                    .iter()
                    .map(|l| l["location"]["message"]["text"].as_str().unwrap_or(""))
                    .collect();
                assert_eq!(texts, labels(&h), "{rule}");
                let lines: Vec<u64> = flow
                    .iter()
                    .map(|l| {
                        l["location"]["physicalLocation"]["region"]["startLine"]
                            .as_u64()
                            .unwrap_or(0)
                    })
                    .collect();
                let want: Vec<u64> = h.iter().map(|(_, l)| *l).collect();
                assert_eq!(lines, want, "{rule}");
            }
        }
        assert!(
            seen > 0,
            "{rule}: no finding with a path in its fires-* fixtures"
        );
    }
}

#[test]
fn the_human_output_prints_the_path_on_one_line() {
    let out = tollgate()
        .args(["check", "--color", "never", "--select", "dangerous-trigger"])
        .arg(testdata("demo"))
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let joined: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        joined.contains("path: on: `pull_request_target` → workflow `.github/workflows/triage.yml` → job `label` →"),
        "{text}"
    );
}

#[test]
fn the_new_identity_and_pinning_rules_end_their_paths_at_what_they_judge() {
    // testdata/rules/unsound-condition/fires-text-around/.github/workflows/ci.yml: job
    // `test` (line 5), step `Report` with its `if:` at line 11.
    let all = findings(
        &["--select", "unsound-condition"],
        &testdata("rules/unsound-condition/fires-text-around"),
    );
    let h = hops(one(&all, "unsound-condition", "ci.yml", 11));
    assert_eq!(h.first().map(|x| x.1), Some(1), "{h:?}");
    assert_eq!(h.last().map(|x| x.1), Some(11), "{h:?}");
    assert!(
        h.last().is_some_and(|x| x.0.contains("always true")),
        "{h:?}"
    );

    // self-hosted-runner-exposure/fires-comment-group: job `bench` at line 7, its runner
    // group at line 10.
    let all = findings(
        &["--select", "self-hosted-runner-exposure"],
        &testdata("rules/self-hosted-runner-exposure/fires-comment-group"),
    );
    let h = hops(one(&all, "self-hosted-runner-exposure", "bench.yml", 10));
    assert!(h.iter().any(|x| x.1 == 7 && x.0.contains("bench")), "{h:?}");
    assert_eq!(h.last().map(|x| x.1), Some(10), "{h:?}");

    // ref-version-mismatch/fires-commit-is-another-version: the step's `uses:` (line 10),
    // then the lock entry (line 5 of actions.lock).
    let all = findings(
        &["--select", "ref-version-mismatch"],
        &testdata("rules/ref-version-mismatch/fires-commit-is-another-version"),
    );
    let h = hops(one(&all, "ref-version-mismatch", "ci.yml", 10));
    assert_eq!(h.last().map(|x| x.1), Some(5), "{h:?}");
    assert!(h.last().is_some_and(|x| x.0.contains("v4.1.1")), "{h:?}");

    // dependabot-code-execution/fires-allow: the update's ecosystem (line 9), then the
    // `allow` (line 15).
    let all = findings(
        &["--select", "dependabot-code-execution"],
        &testdata("rules/dependabot-code-execution/fires-allow"),
    );
    let h = hops(one(&all, "dependabot-code-execution", "dependabot.yml", 15));
    assert_eq!(h.iter().map(|x| x.1).collect::<Vec<_>>(), [9, 15], "{h:?}");
}

#[test]
fn github_env_injection_goes_from_the_trigger_through_the_source_to_the_write_and_its_use() {
    // testdata/rules/github-env-injection/fires-artifact-files/.github/workflows/comment.yml:
    // `on:` line 1, job `download` line 9, the download's `uses:` line 13, the write in
    // step 2 on line 19.
    let dir = testdata("rules/github-env-injection/fires-artifact-files");
    let all = findings(&["--select", "github-env-injection"], &dir);
    let h = hops(one(&all, "github-env-injection", "comment.yml", 19));
    assert_eq!(h.first().map(|x| x.0.as_str()), Some("on: `workflow_run`"));
    assert_eq!(
        h.iter().map(|x| x.1).collect::<Vec<_>>(),
        [1, 1, 9, 19, 13, 19],
        "{h:?}"
    );
    assert!(h[4].0.contains("`pr/number.txt`"), "{h:?}");
    assert_eq!(h[5].0, "written to `$GITHUB_ENV`");

    // Job `cli`: `gh run download` (line 48) into `context`, `cat context/ref` written to
    // `$GITHUB_OUTPUT` (line 49), expanded into step 2's script on line 54.
    let h = hops(one(&all, "github-env-injection", "comment.yml", 54));
    let tail: Vec<(String, u64)> = h[h.len() - 3..].to_vec();
    assert!(tail[0].0.contains("`gh run download`"), "{h:?}");
    assert_eq!(tail[0].1, 48);
    assert_eq!(
        tail[1..],
        [
            ("written to `$GITHUB_OUTPUT`".to_owned(), 49),
            (
                "`steps.ctx.outputs.ref` expanded into the script of step 2".to_owned(),
                54
            ),
        ]
    );
}

#[test]
fn hardcoded_credential_goes_through_the_local_action_to_the_literal() {
    // testdata/rules/hardcoded-credential/fires-action-fixture: ci.yml's job `deploy`
    // (line 5) calls ./.github/actions/deploy (line 12), whose step at line 9 has the
    // token in its `env:` at line 12.
    let all = findings(
        &["--select", "hardcoded-credential"],
        &testdata("rules/hardcoded-credential/fires-action-fixture"),
    );
    let f = one(&all, "hardcoded-credential", "deploy/action.yml", 12);
    let h = hops(f);
    assert_eq!(
        h.iter().map(|x| x.1).collect::<Vec<_>>(),
        [1, 5, 12, 9, 12],
        "{h:?}"
    );
    assert!(h[2].0.contains("./.github/actions/deploy"), "{h:?}");
    // The last hop names the format by its prefix only.
    assert_eq!(
        h.last().map(|x| x.0.as_str()),
        Some("literal GitHub personal access token (classic) `ghp_…`")
    );
    // An AWS key id: workflow (1) → job (5) → step (9) → the key id (11).
    let all = findings(
        &["--select", "hardcoded-credential"],
        &testdata("rules/hardcoded-credential/fires-aws-pair"),
    );
    let h = hops(one(&all, "hardcoded-credential", "deploy.yml", 11));
    assert_eq!(
        h.iter().map(|x| x.1).collect::<Vec<_>>(),
        [1, 5, 9, 11],
        "{h:?}"
    );
}

#[test]
fn long_lived_publish_token_goes_from_the_secret_to_the_publish() {
    // testdata/rules/long-lived-publish-token/fires-gem-and-action: job `gem` (line 9),
    // its `gem push` at line 14, the key handed over by the workflow's `env:` at line 7.
    let all = findings(
        &["--select", "long-lived-publish-token"],
        &testdata("rules/long-lived-publish-token/fires-gem-and-action"),
    );
    let h = hops(one(&all, "long-lived-publish-token", "release.yml", 14));
    assert_eq!(
        h.iter().map(|x| x.1).collect::<Vec<_>>(),
        [1, 9, 14, 7, 14],
        "{h:?}"
    );
    assert!(h[3].0.contains("`GEM_HOST_API_KEY`"), "{h:?}");
    // Through the local composite action (called at line 19) to its step (line 5) and
    // the token input (line 7).
    let h = hops(one(
        &all,
        "long-lived-publish-token",
        "release/action.yml",
        7,
    ));
    assert_eq!(
        h.iter().map(|x| x.1).collect::<Vec<_>>(),
        [1, 15, 19, 5, 7],
        "{h:?}"
    );
}

#[test]
fn cache_poisoning_goes_from_the_untrusted_writer_to_the_privileged_restore() {
    // fires-setup-node-release: `on:` (pr.yml line 3), the workflow, job `test` (7), the
    // checkout step (11) and its `ref:` (13), the writing setup-node (14); then
    // release.yml, job `publish` (7) and its setup-node (14), which restores.
    let all = findings(
        &["--select", "cache-poisoning"],
        &testdata("rules/cache-poisoning/fires-setup-node-release"),
    );
    let f = one(&all, "cache-poisoning", "pr.yml", 14);
    assert_eq!(f["level"], "error");
    assert_eq!(f["severity"], "critical");
    let h = hops(f);
    assert_eq!(
        h.iter().map(|x| x.1).collect::<Vec<_>>(),
        [3, 1, 7, 11, 13, 14, 1, 7, 14, 14],
        "{h:?}"
    );
    assert!(h[5].0.contains("writes the cache"), "{h:?}");
    assert!(
        h[9].0
            .contains("restores it in a job that publishes with `npm publish`"),
        "{h:?}"
    );

    // fires-writer-alone: no privileged restorer, one level below the rule's; the label
    // guard (line 7) comes before the checkout (15).
    let all = findings(
        &["--select", "cache-poisoning"],
        &testdata("rules/cache-poisoning/fires-writer-alone"),
    );
    let f = one(&all, "cache-poisoning", "label.yml", 16);
    assert_eq!(f["level"], "warning");
    let h = hops(f);
    assert_eq!(
        h.iter().map(|x| x.1).collect::<Vec<_>>(),
        [4, 1, 6, 13, 7, 15, 16],
        "{h:?}"
    );

    // fires-release-cache: a note, from the CI job that writes (ci.yml line 12) to the
    // release's restore (release.yml 15) and the publishing step (20).
    let all = findings(
        &["--select", "cache-poisoning", "--show-level", "note"],
        &testdata("rules/cache-poisoning/fires-release-cache"),
    );
    let f = one(&all, "cache-poisoning", "release.yml", 15);
    assert_eq!(f["level"], "note");
    assert_eq!(f["confidence"], "low");
    let h = hops(f);
    assert_eq!(h.get(3).map(|x| x.1), Some(12), "{h:?}");
    assert_eq!(h.last().map(|x| x.1), Some(20), "{h:?}");
}

/// A pinned remote composite action of the action snapshot whose own step uses an action
/// by tag: the chain continues from the `uses:` into the remote action's step.
#[test]
fn an_unpinned_action_inside_a_remote_composite_action_continues_the_chain_into_it() {
    let dir = testdata("rules/unpinned-action/fires-inside-remote-composite");
    let all = findings(&["--select", "unpinned-action"], &dir);
    let f = one(&all, "unpinned-action", "ci.yml", 11);
    let h = hops(f);
    assert_eq!(
        labels(&h),
        [
            "workflow `.github/workflows/ci.yml`",
            "job `build`",
            "uses `subosito/flutter-action@4cab68ce0f1c7c924f688bff4792e044f1aeb30c`",
            "`subosito/flutter-action` (commit 4cab68ce0f1c) uses `actions/cache@v5` in a composite step",
        ]
    );
    assert_eq!(f["confidence"], "high", "the snapshot's own commit: exact");
    let older = one(&all, "unpinned-action", "ci.yml", 13);
    assert_eq!(older["confidence"], "medium");
    assert!(
        older["message"].as_str().is_some_and(|m| m
            .contains("(approximate: read from `r-lib/actions/setup-renv` at commit d8b80f6aec8b")),
        "{older:#}"
    );
}

/// A remote docker action of the action snapshot whose image is a tag: the chain goes
/// through the `uses:` into the action's `runs.image`.
#[test]
fn a_remote_docker_actions_image_continues_the_chain_into_the_action() {
    let dir = testdata("rules/unpinned-image/fires-remote-docker-action");
    let all = findings(&["--select", "unpinned-image"], &dir);
    let h = hops(one(&all, "unpinned-image", "scorecard.yml", 11));
    assert_eq!(
        labels(&h),
        [
            "workflow `.github/workflows/scorecard.yml`",
            "job `analysis`",
            "uses `ossf/scorecard-action@e8e61e86ea0a152be84d03729c02a7300065c17d`",
            "`ossf/scorecard-action` (commit e8e61e86ea0a) runs `ghcr.io/ossf/scorecard-action:v2.4.4` (its `runs.image`)",
        ]
    );
}

#[test]
fn untrusted_pipeline_goes_from_the_job_through_its_rule_to_what_it_holds() {
    let all = findings(
        &["--select", "untrusted-pipeline"],
        &testdata("rules/untrusted-pipeline/fires-template-runner"),
    );
    let h = hops(one(&all, "untrusted-pipeline", "ci/templates.yml", 5));
    assert_eq!(
        labels(&h),
        [
            "workflow `testdata/rules/untrusted-pipeline/fires-template-runner/.gitlab-ci.yml`",
            "job `build-image`",
            "runs in merge request pipelines",
            "holds runner tag `docker-privileged`",
        ]
    );
    // The job's key, the template's `if:` and the tag, in the files they are written in.
    assert_eq!(h.iter().map(|(_, l)| *l).collect::<Vec<_>>(), [1, 9, 7, 5]);
}

//! Which pipelines jobs run in, on configurations written after GitLab's documentation
//! of `rules:`, `only:`/`except:` and `workflow: rules:`.

use crate::expr::{Known, Pipeline, Tri, eval};
use crate::sources::{RefKind, Runs, Source};
use crate::tests::config;

const MR: Pipeline = Pipeline {
    source: Source::MergeRequestEvent,
    reference: RefKind::MergeRequest,
};
const PUSH: Pipeline = Pipeline {
    source: Source::Push,
    reference: RefKind::Branch,
};
const TAG: Pipeline = Pipeline {
    source: Source::Push,
    reference: RefKind::Tag,
};

/// How job `name` runs in merge request and branch push pipelines.
fn runs(yaml: &str, name: &str) -> (Runs, Runs) {
    let c = config(&[(".gitlab-ci.yml", yaml)]);
    let j = c.jobs.iter().find(|j| j.name.value == name).expect("job");
    let s = c.job_sources(j);
    (s.runs(Source::MergeRequestEvent), s.runs(Source::Push))
}

#[test]
fn expressions() {
    let e = |s: &str, p| eval(s, p, Known::default());
    assert_eq!(
        e("$CI_PIPELINE_SOURCE == \"merge_request_event\"", MR),
        Tri::True
    );
    assert_eq!(
        e("$CI_PIPELINE_SOURCE == 'merge_request_event'", PUSH),
        Tri::False
    );
    assert_eq!(
        e("$CI_PIPELINE_SOURCE != \"merge_request_event\"", PUSH),
        Tri::True
    );
    assert_eq!(e("$CI_MERGE_REQUEST_IID", MR), Tri::True);
    assert_eq!(e("$CI_MERGE_REQUEST_ID", PUSH), Tri::False);
    assert_eq!(e("$CI_COMMIT_BRANCH", MR), Tri::False);
    assert_eq!(e("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", MR), Tri::False);
    assert_eq!(
        e("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", PUSH),
        Tri::Unknown
    );
    assert_eq!(e("$CI_COMMIT_BRANCH == \"main\"", TAG), Tri::False);
    assert_eq!(e("$CI_COMMIT_TAG", TAG), Tri::True);
    assert_eq!(e("$CI_COMMIT_REF_PROTECTED == \"true\"", MR), Tri::False);
    assert_eq!(
        e("$CI_COMMIT_REF_PROTECTED == \"true\"", PUSH),
        Tri::Unknown
    );
    assert_eq!(e("$CI_COMMIT_TAG == null", MR), Tri::True);
    assert_eq!(
        e("$CI_PIPELINE_SOURCE =~ /^(merge_request_event|push)$/", MR),
        Tri::True
    );
    assert_eq!(e("$CI_PIPELINE_SOURCE =~ /^(web|push)$/", MR), Tri::False);
    assert_eq!(e("$CI_PIPELINE_SOURCE !~ /merge_request/", MR), Tri::False);
    assert_eq!(e("$CI_PIPELINE_SOURCE =~ /^web.*$/", MR), Tri::Unknown);
    assert_eq!(
        e("$DEPLOY && $CI_MERGE_REQUEST_IID", MR),
        Tri::False,
        "no pipeline variables"
    );
    assert_eq!(e("$DEPLOY || $CI_COMMIT_BRANCH", PUSH), Tri::True);
    assert_eq!(e("$DEPLOY && $CI_COMMIT_BRANCH", PUSH), Tri::Unknown);
    assert_eq!(e("$DEPLOY && $CI_MERGE_REQUEST_IID", PUSH), Tri::False);
    assert_eq!(e("$DEPLOY || $CI_MERGE_REQUEST_IID", MR), Tri::True);
    assert_eq!(
        e(
            "($CI_COMMIT_TAG || $CI_COMMIT_BRANCH) && $CI_PIPELINE_SOURCE == 'push'",
            MR
        ),
        Tri::False
    );
    assert_eq!(e("$X == 'a' &&", MR), Tri::Unknown, "unreadable");
    let k = [("T".to_owned(), Some("GITLAB_MR_PIPELINE".to_owned()))];
    let t = |s: &str| eval(s, MR, Known::of(&k));
    assert_eq!(t("$T =~ /^EE_(RC|TAG)_BUILD_PIPELINE$/"), Tri::False);
    assert_eq!(t("$T =~ /TRIGGERED_(CE|EE)_PIPELINE/"), Tri::False);
    assert_eq!(t("$T =~ /_(MR|BUILD)_PIPELINE$/"), Tri::True);
    assert_eq!(t("$T =~ /^GITLAB_.*$/"), Tri::Unknown);
}

#[test]
fn the_first_layer_naming_a_variable_gives_its_value() {
    let job = [("X".to_owned(), Some("job".to_owned()))];
    let world = [
        ("X".to_owned(), Some("workflow".to_owned())),
        ("Y".to_owned(), None),
    ];
    let globals = [
        ("X".to_owned(), Some("top".to_owned())),
        ("Y".to_owned(), Some("top".to_owned())),
        ("Z".to_owned(), Some("top".to_owned())),
    ];
    let known = Known::new([&job, &world, &globals]);
    assert_eq!(eval("$X == 'job'", PUSH, known), Tri::True);
    // `Y` is set by the workflow to a value the files do not show: unknown, even though
    // the top level gives one.
    assert_eq!(eval("$Y == 'top'", PUSH, known), Tri::Unknown);
    assert_eq!(eval("$Z == 'top'", PUSH, known), Tri::True);
    assert_eq!(eval("$W", PUSH, known), Tri::Unknown);
    assert_eq!(eval("$W", MR, known), Tri::False);
}

/// `rules:` read the job's and the configuration's `variables:`.
#[test]
fn configuration_variables_decide() {
    let y = "variables:\n  NO_MR: \"true\"\na:\n  script: make\n  rules:\n    - if: $CI_MERGE_REQUEST_ID && $NO_MR == \"true\"\n      when: never\n    - if: $CI_MERGE_REQUEST_ID\nb:\n  variables:\n    NO_MR: \"false\"\n  script: make\n  rules:\n    - if: $CI_MERGE_REQUEST_ID && $NO_MR == \"true\"\n      when: never\n    - if: $CI_MERGE_REQUEST_ID\n";
    assert_eq!(runs(y, "a"), (Runs::No, Runs::No));
    assert_eq!(runs(y, "b"), (Runs::Yes, Runs::No));
}

/// The variables `workflow: rules:` set for a kind of pipeline are what the jobs'
/// rules read in it; a rule that may or may not match leaves them undecided.
#[test]
fn workflow_rule_variables() {
    let y = "workflow:\n  rules:\n    - if: $CI_MERGE_REQUEST_IID\n      variables:\n        KIND: MR\n    - if: $CI_COMMIT_BRANCH\n      variables:\n        KIND: BUILD\na:\n  script: make\n  rules:\n    - if: $KIND == \"BUILD\"\nb:\n  script: make\n  rules:\n    - if: $KIND == \"MR\"\n";
    assert_eq!(runs(y, "a"), (Runs::No, Runs::Yes));
    assert_eq!(runs(y, "b"), (Runs::Yes, Runs::No));
    let y = y.replace(
        "$CI_MERGE_REQUEST_IID",
        "$CI_MERGE_REQUEST_IID && $CI_PROJECT_PATH == \"g/p\"",
    );
    assert_eq!(runs(&y, "b"), (Runs::Maybe, Runs::No));
}

#[test]
fn no_rules_is_branches_and_tags() {
    assert_eq!(runs("a:\n  script: make\n", "a"), (Runs::No, Runs::Yes));
}

#[test]
fn rules_first_match_decides() {
    let y =
        "a:\n  script: make\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n";
    assert_eq!(runs(y, "a"), (Runs::Yes, Runs::No));
    let y = "a:\n  script: make\n  rules:\n    - if: $CI_MERGE_REQUEST_IID\n      when: never\n    - when: always\n";
    assert_eq!(runs(y, "a"), (Runs::No, Runs::Yes));
    let y = "a:\n  script: make\n  rules:\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n";
    assert_eq!(runs(y, "a"), (Runs::No, Runs::Maybe));
    let y = "a:\n  script: make\n  rules:\n    - changes: [src/**/*]\n";
    assert_eq!(runs(y, "a"), (Runs::Maybe, Runs::Maybe));
    // A variable that may say never, then a rule that always matches; a merge request
    // pipeline has no pipeline variables.
    let y = "a:\n  script: make\n  rules:\n    - if: $SKIP\n      when: never\n    - when: on_success\n";
    assert_eq!(runs(y, "a"), (Runs::Yes, Runs::Maybe));
}

#[test]
fn only_and_except() {
    let y = "a:\n  script: make\n  only: [merge_requests]\n";
    assert_eq!(runs(y, "a"), (Runs::Yes, Runs::No));
    let y = "a:\n  script: make\n  only: [main]\n";
    assert_eq!(runs(y, "a"), (Runs::No, Runs::Maybe));
    let y = "a:\n  script: make\n  only:\n    refs: [merge_requests, branches]\n    variables: [$CI_MERGE_REQUEST_IID]\n";
    assert_eq!(runs(y, "a"), (Runs::Yes, Runs::No));
    let y = "a:\n  script: make\n  except: [merge_requests]\n";
    assert_eq!(runs(y, "a"), (Runs::No, Runs::Yes));
    let y = "a:\n  script: make\n  only: [merge_requests, pushes]\n  except:\n    variables: [$CI_MERGE_REQUEST_IID]\n";
    assert_eq!(runs(y, "a"), (Runs::No, Runs::Yes));
}

#[test]
fn workflow_rules_narrow_jobs() {
    let y = "workflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == 'merge_request_event'\n      when: never\n    - when: always\na:\n  script: make\n  rules:\n    - when: always\n";
    assert_eq!(runs(y, "a"), (Runs::No, Runs::Yes));
    let y = "workflow:\n  rules:\n    - if: $CI_MERGE_REQUEST_IID\n    - if: $CI_COMMIT_TAG\na:\n  script: make\n  rules:\n    - when: always\n";
    // A tag pipeline is a push too.
    assert_eq!(runs(y, "a"), (Runs::Yes, Runs::Yes));
    let y = y.replace(
        "$CI_COMMIT_TAG",
        "$CI_COMMIT_TAG && $CI_PIPELINE_SOURCE == 'web'",
    );
    assert_eq!(runs(&y, "a"), (Runs::Yes, Runs::No));
    let c = config(&[(".gitlab-ci.yml", &y)]);
    let sources: Vec<&str> = c.sources().iter().map(|(s, _)| s.as_str()).collect();
    assert!(sources.contains(&"merge_request_event"), "{sources:?}");
    assert_eq!(sources, ["merge_request_event", "web"]);
}

#[test]
fn job_when_never_and_rule_position() {
    assert_eq!(
        runs("a:\n  script: make\n  when: never\n", "a"),
        (Runs::No, Runs::No)
    );
    let y = "a:\n  script: make\n  rules:\n    - if: $CI_COMMIT_TAG\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n";
    let c = config(&[(".gitlab-ci.yml", y)]);
    let at = c.job_sources(&c.jobs[0]).merge_request_at.expect("where");
    assert_eq!(
        &y[at.span.range()],
        "$CI_PIPELINE_SOURCE == \"merge_request_event\""
    );
}

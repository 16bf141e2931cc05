//! The reader on hand-written configurations, each checked against GitLab's documented
//! behaviour.

use tollgate_model::SourceFile;

use crate::{Config, GitlabFile, IncludeKind, IncludePin, Source, parse_file, resolve};

/// Parse `files` (the first is the root) and resolve them, local includes matched by path
/// as the scanner matches them.
pub(crate) fn config(files: &[(&str, &str)]) -> Config {
    let sources: Vec<SourceFile> = files
        .iter()
        .map(|(p, t)| SourceFile::new(*p, *p, *t))
        .collect();
    let models: Vec<GitlabFile> = sources
        .iter()
        .map(|s| {
            let (m, d) = parse_file(s);
            assert!(d.is_empty(), "{d:?}");
            m.expect("parses")
        })
        .collect();
    let includes: Vec<Vec<Option<usize>>> = models
        .iter()
        .map(|m| {
            m.includes
                .iter()
                .map(|i| {
                    (i.kind == IncludeKind::Local)
                        .then(|| {
                            let t = i.target.value.trim_start_matches('/');
                            files.iter().position(|(p, _)| *p == t)
                        })
                        .flatten()
                })
                .collect()
        })
        .collect();
    let src: Vec<Source<'_>> = sources
        .iter()
        .zip(&models)
        .zip(&includes)
        .map(|((file, model), includes)| Source {
            file,
            model,
            includes,
            inputs: &[],
        })
        .collect();
    resolve(&src)
}

fn job<'c>(c: &'c Config, name: &str) -> &'c crate::Job {
    c.jobs
        .iter()
        .find(|j| j.name.value == name)
        .unwrap_or_else(|| {
            panic!(
                "no job {name}: {:?}",
                c.jobs.iter().map(|j| &j.name.value).collect::<Vec<_>>()
            )
        })
}

fn script(j: &crate::Job) -> Vec<&str> {
    j.lines().map(|l| l.text.value.as_str()).collect()
}

#[test]
fn extends_merges_deeply_and_lists_replace() {
    let c = config(&[(
        ".gitlab-ci.yml",
        ".base:\n  image: alpine:3\n  variables: {A: a, B: b}\n  script: [base]\n.mid:\n  extends: .base\n  variables: {B: mid}\nbuild:\n  extends: [.mid]\n  script:\n    - echo build\n",
    )]);
    assert_eq!(c.jobs.len(), 1, "hidden jobs are templates, not jobs");
    let b = job(&c, "build");
    assert_eq!(
        b.image.as_ref().map(|i| i.name.value.as_str()),
        Some("alpine:3")
    );
    assert_eq!(script(b), ["echo build"]);
    let vars: Vec<_> = b
        .variables
        .iter()
        .map(|v| {
            (
                v.name.value.as_str(),
                v.value.as_ref().map(|t| t.value.as_str()),
            )
        })
        .collect();
    assert_eq!(vars, [("A", Some("a")), ("B", Some("mid"))]);
    assert!(c.problems.is_empty(), "{:?}", c.problems);
}

#[test]
fn references_are_replaced_and_script_lists_flattened() {
    let text = ".setup:\n  script:\n    - apt-get update\n    - apt-get install -y curl\ntest:\n  script:\n    - !reference [.setup, script]\n    - make test\n";
    let c = config(&[(".gitlab-ci.yml", text)]);
    let t = job(&c, "test");
    assert_eq!(
        script(t),
        ["apt-get update", "apt-get install -y curl", "make test"]
    );
    // Lines from the template keep their place in the file.
    let f = SourceFile::new("x", "x", text);
    assert_eq!(f.slice(t.script[0].text.span), "apt-get update");
    assert_eq!(
        f.line_col(
            t.script[1]
                .file_span(tollgate_model::Span::new(0, 7))
                .start()
        )
        .line,
        4
    );
}

#[test]
fn merge_keys_duplicate_keys_and_yaml_11_booleans() {
    let c = config(&[(
        ".gitlab-ci.yml",
        ".defs: &defs\n  image: ruby:3\n  allow_failure: yes\njob:\n  <<: *defs\n  script: one\n  script: two\n",
    )]);
    let j = job(&c, "job");
    assert_eq!(
        j.image.as_ref().map(|i| i.name.value.as_str()),
        Some("ruby:3")
    );
    assert_eq!(j.allow_failure, Some(true));
    assert_eq!(script(j), ["two"], "the last duplicate key wins");
}

#[test]
fn spec_header_documents_are_skipped() {
    let c = config(&[(
        "templates/x.yml",
        "spec:\n  inputs:\n    stage:\n      default: test\n---\ncomp:\n  stage: $[[ inputs.stage ]]\n  script: echo hi\n",
    )]);
    assert_eq!(script(job(&c, "comp")), ["echo hi"]);
}

#[test]
fn local_includes_merge_and_includer_wins() {
    let c = config(&[
        (
            ".gitlab-ci.yml",
            "include:\n  - local: /ci/base.yml\n  - project: group/lib\n    ref: main\n    file: [/a.yml, /b.yml]\n  - remote: https://example.com/ci.yml\n  - template: Security/SAST.gitlab-ci.yml\n  - component: gitlab.com/org/comp/build@1.2.0\n  - component: gitlab.com/org/comp/pinned@0123456789abcdef0123456789abcdef01234567\n  - project: group/lib\n    ref: 0123456789abcdef0123456789abcdef01234567\n    file: /c.yml\ndefault:\n  image: node:20\nunit:\n  extends: .unit\n  variables: {X: root}\n",
        ),
        (
            "ci/base.yml",
            ".unit:\n  script: npm test\n  variables: {X: base, Y: base}\nunit:\n  stage: test\n",
        ),
    ]);
    let u = job(&c, "unit");
    assert_eq!(script(u), ["npm test"]);
    assert_eq!(u.stage.as_ref().map(|s| s.value.as_str()), Some("test"));
    assert_eq!(
        u.image.as_ref().map(|i| i.name.value.as_str()),
        Some("node:20")
    );
    assert_eq!(
        u.script[0].text.file, 1,
        "the script is written in the included file"
    );
    let kinds: Vec<_> = c.includes.iter().map(|i| (i.kind, i.pin())).collect();
    assert_eq!(
        kinds,
        [
            (IncludeKind::Local, IncludePin::NotApplicable),
            (IncludeKind::Project, IncludePin::Mutable),
            (IncludeKind::Remote, IncludePin::Mutable),
            (IncludeKind::Template, IncludePin::NotApplicable),
            (IncludeKind::Component, IncludePin::Mutable),
            (IncludeKind::Component, IncludePin::Commit),
            (IncludeKind::Project, IncludePin::Commit),
        ]
    );
    assert_eq!(c.includes[1].files.len(), 2);
}

#[test]
fn images_services_and_job_keywords() {
    let c = config(&[(
        ".gitlab-ci.yml",
        "deploy:\n  image:\n    name: registry.example.com/tool:1\n    entrypoint: ['']\n    docker: {platform: arm64, user: root}\n  services:\n    - docker:24-dind\n    - name: postgres:16\n      alias: db\n  id_tokens:\n    VAULT_ID_TOKEN: {aud: https://vault.example.com}\n  secrets:\n    DB_PASSWORD:\n      vault: prod/db/password@ops\n      token: $VAULT_ID_TOKEN\n  tags: [docker, privileged]\n  environment: {name: production}\n  timeout: 30m\n  needs: [build, {job: test, artifacts: false}]\n  trigger:\n    include: child.yml\n  rules:\n    - if: $CI_COMMIT_TAG\n",
    )]);
    let d = job(&c, "deploy");
    let img = d.image.as_ref().expect("image");
    assert_eq!(img.name.value, "registry.example.com/tool:1");
    assert_eq!(img.docker.len(), 2);
    let services: Vec<_> = d.services.iter().map(|s| s.name.value.as_str()).collect();
    assert_eq!(services, ["docker:24-dind", "postgres:16"]);
    assert_eq!(d.id_tokens[0].value, "VAULT_ID_TOKEN");
    assert_eq!(d.secrets[0].provider.as_deref(), Some("vault"));
    assert_eq!(d.tags.len(), 2);
    assert_eq!(
        d.environment.as_ref().map(|e| e.value.as_str()),
        Some("production")
    );
    assert_eq!(d.timeout.as_ref().map(|e| e.value.as_str()), Some("30m"));
    assert_eq!(
        d.needs.iter().map(|n| n.value.as_str()).collect::<Vec<_>>(),
        ["build", "test"]
    );
    let t = d.trigger.as_ref().expect("trigger");
    assert_eq!(t.include[0].kind, IncludeKind::Local);
    assert!(d.rules.is_some());
}

#[test]
fn unknown_extends_and_references_are_problems_not_panics() {
    let c = config(&[(
        ".gitlab-ci.yml",
        "a:\n  extends: .missing\n  script: [!reference [.nothing, script], ok]\nb:\n  extends: b\n  script: x\n",
    )]);
    assert_eq!(script(job(&c, "a")), ["ok"]);
    assert_eq!(c.problems.len(), 3, "{:?}", c.problems);
}

#[test]
fn sessions_join_lines_of_one_file_and_split_after_script() {
    let text = ".t:\n  script: [from-template]\nj:\n  before_script: [a, b]\n  script:\n    - c\n    - !reference [.t, script]\n  after_script: [z]\n";
    let c = config(&[(".gitlab-ci.yml", text)]);
    let s = job(&c, "j").sessions();
    let texts: Vec<_> = s.iter().map(|s| (s.text.as_str(), s.after)).collect();
    // One file here, so the template line joins the session.
    assert_eq!(texts, [("a\nb\nc\nfrom-template", false), ("z", true)]);
    let f = SourceFile::new("x", "x", text);
    // `c` is at offset 4 of the joined text.
    assert_eq!(
        f.slice(s[0].file_span(tollgate_model::Span::new(4, 5))),
        "c"
    );
    assert_eq!(
        f.slice(s[0].file_span(tollgate_model::Span::new(6, 19))),
        "from-template"
    );
}

#[test]
fn sessions_are_made_once_and_do_not_change_equality() {
    let text = "j:\n  before_script: [a]\n  script: [b, c]\n";
    let c = config(&[(".gitlab-ci.yml", text)]);
    let fresh = job(&c, "j").clone();
    let asked = job(&c, "j");
    let first = asked.sessions();
    // The same sessions, not made again: the second call returns the first's.
    assert!(std::ptr::eq(first, asked.sessions()));
    assert_eq!(first[0].text, "a\nb\nc");
    // A job whose sessions were asked for equals one whose were not.
    assert_eq!(&fresh, asked);
    assert_eq!(fresh.sessions(), first);
}

#[test]
fn references_see_keys_a_job_inherits_through_extends() {
    // flexisip's and gromacs's configurations refer to `rules` and `before_script` that
    // the named job only has through `extends:`; GitLab runs them.
    let c = config(&[(
        ".gitlab-ci.yml",
        ".rules-dev:\n  rules: [{if: $DEV}]\n  before_script: [setup]\na:\n  extends: .rules-dev\n  script: x\nb:\n  script: y\n  before_script:\n    - !reference [a, before_script]\n  rules:\n    - !reference [a, rules]\n",
    )]);
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    assert_eq!(script(job(&c, "b")), ["setup", "y"]);
}

#[test]
fn child_pipeline_includes_are_listed_apart() {
    let (m, d) = parse_file(&SourceFile::new(
        "x",
        "x",
        "child:\n  trigger:\n    include:\n      - local: ci/child.yml\n      - artifact: gen.yml\n        job: generate\n",
    ));
    assert!(d.is_empty(), "{d:?}");
    let m = m.expect("parses");
    assert!(m.includes.is_empty());
    let kinds: Vec<_> = m.child_includes.iter().map(|i| (i.kind, i.pin())).collect();
    assert_eq!(
        kinds,
        [
            (IncludeKind::Local, IncludePin::NotApplicable),
            (IncludeKind::Artifact, IncludePin::NotApplicable)
        ]
    );
}

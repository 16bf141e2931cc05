//! End-to-end tests of `tollgate fix`: the edits on a repository written here by hand
//! (expected text written by hand), line endings kept, `--diff` changing nothing, a second
//! run changing nothing, anchors left alone, and on a copy of every corpus repository:
//! the fixed findings gone, every file still parsing to the same model except for the
//! intended change, and a second `fix` finding nothing to do.

#![allow(clippy::print_stderr)]

mod common;

use std::path::Path;

use common::{copy_dir, corpus, json, tollgate, write};
use serde_json::Value;
use tollgate_model::SourceFile;
use tollgate_yaml::{Limits, Node, NodeKind};

const CI: &str = "# CI for the fix test: comments and layout outside the edits must stay.
on:
  pull_request:

# The jobs.
jobs:
  test:
    runs-on: ubuntu-latest   # the runner
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
      - run: |
          echo \"title: ${{ github.event.pull_request.title }}\"
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - run: echo '${{ github.head_ref }}'
";

/// Pins `actions/setup-node@v4` with its version comment: the commit `ci.yml`'s tag gets.
const RELEASE: &str = "on:
  push:
    tags: [\"v*\"]
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: actions/setup-node@1d0ff469b7ec7b3cb9d8673fde0c81c44821de2a # v4
";

/// Both jobs need `contents: read` for the checkout and nothing else: one block for the
/// workflow, above the comment that introduces `jobs:`. Neither job pushes: both checkouts
/// get `persist-credentials: false` (one a new `with:`, one a new line in it). The pull
/// request's title and branch go through `env:`; the single-quoted expansion becomes a
/// double-quoted variable. setup-node takes the commit `release.yml` records for `v4`.
const CI_FIXED: &str = "# CI for the fix test: comments and layout outside the edits must stay.
on:
  pull_request:

permissions:
  contents: read # actions/checkout

# The jobs.
jobs:
  test:
    runs-on: ubuntu-latest   # the runner
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - uses: actions/setup-node@1d0ff469b7ec7b3cb9d8673fde0c81c44821de2a # v4
      - run: |
          echo \"title: ${PULL_REQUEST_TITLE}\"
        env:
          PULL_REQUEST_TITLE: ${{ github.event.pull_request.title }}
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
          persist-credentials: false
      - run: echo \"${HEAD_REF}\"
        env:
          HEAD_REF: ${{ github.head_ref }}
";

fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("git dir");
    for (rel, text) in files {
        write(dir.path(), rel, text);
    }
    dir
}

/// `tollgate ARGS` in `dir`.
fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    tollgate()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs")
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).expect("read")
}

#[test]
fn fix_writes_the_four_safe_fixes_and_keeps_everything_else() {
    let dir = repo(&[
        (".github/workflows/ci.yml", CI),
        (".github/workflows/release.yml", RELEASE),
    ]);
    let out = run(dir.path(), &["fix", "."]);
    assert_eq!(read(dir.path(), ".github/workflows/ci.yml"), CI_FIXED);
    assert_eq!(read(dir.path(), ".github/workflows/release.yml"), RELEASE);
    // What remains is reported: the two checkouts are still on a tag (no recorded pin).
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("unpinned-action"), "{stdout}");
    assert!(!stdout.contains("persisted-credentials"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("applied 7 fixes in 1 file"));
    assert_eq!(out.status.code(), Some(1));
    // Nothing is left to fix.
    let again = run(dir.path(), &["fix", "--diff", "."]);
    assert_eq!(again.status.code(), Some(0), "{again:?}");
    assert!(again.stdout.is_empty());
}

#[test]
fn diff_prints_the_edits_and_changes_nothing() {
    let dir = repo(&[
        (".github/workflows/ci.yml", CI),
        (".github/workflows/release.yml", RELEASE),
    ]);
    let out = run(
        dir.path(),
        &["fix", "--diff", "--select", "persisted-credentials", "."],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(read(dir.path(), ".github/workflows/ci.yml"), CI);
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.starts_with("--- a/.github/workflows/ci.yml\n+++ b/.github/workflows/ci.yml\n"),
        "{diff}"
    );
    let added: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .collect();
    assert_eq!(
        added,
        [
            "+        with:",
            "+          persist-credentials: false",
            "+          persist-credentials: false"
        ]
    );
}

#[test]
fn line_endings_are_kept() {
    let crlf = CI.replace('\n', "\r\n");
    let dir = repo(&[
        (".github/workflows/ci.yml", &crlf),
        (".github/workflows/release.yml", RELEASE),
    ]);
    run(dir.path(), &["fix", "-q", "."]);
    assert_eq!(
        read(dir.path(), ".github/workflows/ci.yml"),
        CI_FIXED.replace('\n', "\r\n")
    );
}

#[test]
fn check_fix_applies_the_safe_fixes_before_checking() {
    let dir = repo(&[
        (".github/workflows/ci.yml", CI),
        (".github/workflows/release.yml", RELEASE),
    ]);
    let out = run(dir.path(), &["check", "--fix", "--format", "json", "."]);
    assert_eq!(read(dir.path(), ".github/workflows/ci.yml"), CI_FIXED);
    let doc = json(&out.stdout);
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(
        !rules.contains(&"template-injection") && !rules.contains(&"broad-permissions"),
        "{rules:?}"
    );
}

/// An unquoted expansion changes meaning when quoted (word splitting): only `--unsafe`
/// moves it. PowerShell gets `${env:…}` inside double quotes.
#[test]
fn unquoted_expansions_need_unsafe_and_powershell_gets_its_own_syntax() {
    let wf = "on: pull_request_target
permissions: {}
jobs:
  a:
    runs-on: windows-latest
    timeout-minutes: 5
    steps:
      - run: Write-Output \"ref ${{ github.head_ref }}\"
  b:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - run: git checkout ${{ github.head_ref }}
";
    let dir = repo(&[(".github/workflows/t.yml", wf)]);
    run(
        dir.path(),
        &["fix", "-q", "--select", "template-injection", "."],
    );
    let safe = read(dir.path(), ".github/workflows/t.yml");
    assert!(safe.contains("      - run: Write-Output \"ref ${env:HEAD_REF}\"\n        env:\n          HEAD_REF: ${{ github.head_ref }}\n"), "{safe}");
    assert!(
        safe.contains("      - run: git checkout ${{ github.head_ref }}\n"),
        "{safe}"
    );
    run(
        dir.path(),
        &[
            "fix",
            "-q",
            "--unsafe",
            "--select",
            "template-injection",
            ".",
        ],
    );
    let all = read(dir.path(), ".github/workflows/t.yml");
    assert!(all.contains("      - run: git checkout \"${HEAD_REF}\"\n        env:\n          HEAD_REF: ${{ github.head_ref }}\n"), "{all}");
}

/// A script an alias repeats in another job is shared text: moving its expansion into one
/// step's `env:` would leave the other step reading an unset variable. No fix.
#[test]
fn anchored_text_is_not_edited() {
    let wf = "on: issues
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - run: &greet echo \"${{ github.event.issue.title }}\"
  b:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - run: *greet
";
    let dir = repo(&[(".github/workflows/t.yml", wf)]);
    let out = run(dir.path(), &["fix", "--diff", "--unsafe", "."]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(read(dir.path(), ".github/workflows/t.yml"), wf);
}

/// A YAML scalar in double quotes gets the variable escaped for that style.
#[test]
fn a_double_quoted_run_keeps_valid_yaml() {
    let wf = "on: workflow_dispatch
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - run: \"ruby bench/${{ github.event.inputs.path }}\"
";
    let dir = repo(&[(".github/workflows/t.yml", wf)]);
    run(dir.path(), &["fix", "-q", "--unsafe", "."]);
    let fixed = read(dir.path(), ".github/workflows/t.yml");
    assert!(fixed.contains("      - run: \"ruby bench/\\\"${INPUTS_PATH}\\\"\"\n        env:\n          INPUTS_PATH: ${{ github.event.inputs.path }}\n"), "{fixed}");
    let out = run(dir.path(), &["check", "-f", "json", "."]);
    let doc = json(&out.stdout);
    assert!(
        doc["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .is_empty(),
        "{doc}"
    );
}

// ---- the corpus -------------------------------------------------------------------------

/// A YAML document as plain values, without positions.
fn value(n: &Node) -> Value {
    match &n.kind {
        NodeKind::Scalar(s) => Value::String(s.value.clone()),
        NodeKind::Seq(items) => Value::Array(items.iter().map(value).collect()),
        NodeKind::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.as_str().unwrap_or("?").to_owned(), value(v)))
                .collect(),
        ),
    }
}

fn parse(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    let file = SourceFile::new("f.yml", path, text);
    let (docs, _) = tollgate_yaml::parse(&file, Limits::default()).ok()?;
    docs.first().map(value)
}

/// A script with every expansion and every variable the fix introduced (`names`) made one
/// placeholder, and quotes dropped: what must be equal before and after.
fn script_shape(s: &str, names: &[String]) -> String {
    let mut out = s.to_owned();
    while let Some(i) = out.find("${{") {
        let end = out[i..].find("}}").map_or(out.len(), |e| i + e + 2);
        out.replace_range(i..end, "@");
    }
    for n in names {
        for form in [
            format!("${{env:{n}}}"),
            format!("$env:{n}"),
            format!("${{{n}}}"),
        ] {
            out = out.replace(&form, "@");
        }
    }
    out.replace(['"', '\''], "")
}

/// The intended changes taken out of a workflow or action: `permissions:` blocks,
/// `persist-credentials`, the ref of `uses:`, step `env:` variables holding an expression
/// and the scripts' expansions and variables.
fn normalise(v: &mut Value) {
    let Value::Object(m) = v else { return };
    m.remove("permissions");
    if let Some(Value::Object(jobs)) = m.get_mut("jobs") {
        for j in jobs.values_mut() {
            if let Value::Object(j) = j {
                j.remove("permissions");
                if let Some(steps) = j.get_mut("steps") {
                    normalise_steps(steps);
                }
            }
        }
    }
    if let Some(Value::Object(runs)) = m.get_mut("runs")
        && let Some(steps) = runs.get_mut("steps")
    {
        normalise_steps(steps);
    }
}

fn normalise_steps(steps: &mut Value) {
    let Value::Array(steps) = steps else { return };
    for s in steps {
        let Value::Object(s) = s else { continue };
        if let Some(Value::String(u)) = s.get_mut("uses")
            && let Some((a, _)) = u.rsplit_once('@')
        {
            *u = a.to_owned();
        }
        if let Some(Value::Object(with)) = s.get_mut("with") {
            with.remove("persist-credentials");
            if with.is_empty() {
                s.remove("with");
            }
        }
        let mut names = Vec::new();
        if let Some(Value::Object(env)) = s.get_mut("env") {
            env.retain(|k, v| {
                let expr = v.as_str().is_some_and(|t| t.starts_with("${{"));
                if expr {
                    names.push(k.clone());
                }
                !expr
            });
            if env.is_empty() {
                s.remove("env");
            }
        }
        if let Some(Value::String(run)) = s.get_mut("run") {
            *run = script_shape(run, &names);
        }
    }
}

fn yaml_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            out.push(p);
        }
    }
}

#[test]
fn corpus_round_trip() {
    let Some(corpus) = corpus() else { return };
    let mut repos: Vec<_> = std::fs::read_dir(&corpus)
        .expect("corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().contains("__"))
        })
        .collect();
    repos.sort();
    let mut fixed_files = 0;
    for repo in repos {
        let name = repo
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let slug = name.replacen("__", "/", 1);
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join(&name);
        copy_dir(&repo, &dir);
        let check = |dir: &Path| {
            let out = tollgate()
                .args(["check", "-f", "json", "--repository", &slug])
                .arg(dir)
                .output()
                .expect("runs");
            json(&out.stdout)
        };
        let before = check(&dir);
        let fixable = before["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f.get("fix").is_some())
            .count();
        let out = tollgate()
            .args(["fix", "-q", "--unsafe", "--repository", &slug])
            .arg(&dir)
            .output()
            .expect("runs");
        assert!(matches!(out.status.code(), Some(0 | 1)), "{name}: {out:?}");
        let after = check(&dir);
        let left: Vec<&Value> = after["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f.get("fix").is_some())
            .collect();
        assert!(left.is_empty(), "{name}: fixable findings remain: {left:?}");
        assert_eq!(
            before["findings"].as_array().expect("f").len() - fixable,
            after["findings"].as_array().expect("f").len(),
            "{name}: a fix resolved or raised other findings"
        );
        let errors = |d: &Value| {
            d["diagnostics"]
                .as_array()
                .expect("d")
                .iter()
                .filter(|x| x["severity"] == "error")
                .count()
        };
        assert_eq!(
            errors(&before),
            errors(&after),
            "{name}: a fixed file no longer parses"
        );
        // Every changed file: the same model but for the intended change.
        let mut files = Vec::new();
        yaml_files(&dir, &mut files);
        for f in files {
            let orig = repo.join(f.strip_prefix(&dir).expect("inside"));
            if std::fs::read(&orig).ok() == std::fs::read(&f).ok() {
                continue;
            }
            fixed_files += 1;
            let (Some(mut a), Some(mut b)) = (parse(&orig), parse(&f)) else {
                panic!("{}: does not parse after fixing", f.display());
            };
            normalise(&mut a);
            normalise(&mut b);
            assert_eq!(a, b, "{}: the model changed beyond the fixes", f.display());
        }
        let again = tollgate()
            .args(["fix", "--diff", "--unsafe", "--repository", &slug])
            .arg(&dir)
            .output()
            .expect("runs");
        assert_eq!(
            again.status.code(),
            Some(0),
            "{name}: a second fix found more: {}",
            String::from_utf8_lossy(&again.stdout)
        );
    }
    eprintln!("{fixed_files} corpus files fixed");
    assert!(
        fixed_files > 50,
        "the corpus has fixable findings in many files"
    );
}

/// harden-runner in block mode with the inferred list (the download and the GitHub hosts
/// every job reaches, as `tollgate egress` lists them), only with `--unsafe` and only for
/// a job whose list is complete; afterwards the job is no longer unrestricted.
#[test]
fn harden_runner_goes_first_with_a_complete_list_only() {
    let wf = "on: push
permissions: {}
jobs:
  fetch:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - run: curl -fsSL --retry 3 https://downloads.example.org/tool.tar.gz -o tool.tar.gz
  dynamic:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - run: curl -fsSL --retry 3 \"$URL\" -o x.tar.gz
        env:
          URL: ${{ vars.TOOL_URL }}
";
    let dir = repo(&[(".github/workflows/t.yml", wf)]);
    run(
        dir.path(),
        &["fix", "-q", "--select", "unrestricted-egress", "."],
    );
    assert_eq!(
        read(dir.path(), ".github/workflows/t.yml"),
        wf,
        "safe fixes only: nothing"
    );
    run(
        dir.path(),
        &[
            "fix",
            "-q",
            "--unsafe",
            "--select",
            "unrestricted-egress",
            ".",
        ],
    );
    let fixed = read(dir.path(), ".github/workflows/t.yml");
    let step = "    steps:
      - uses: step-security/harden-runner@b09bb98e06d4d774595224525879c09bc6e98c40 # v2.20.1
        with:
          egress-policy: block
          allowed-endpoints: >
            *.actions.githubusercontent.com:443
            api.github.com:443
            downloads.example.org:443
            github.com:443
      - run: curl -fsSL --retry 3 https://downloads.example.org/tool.tar.gz -o tool.tar.gz
";
    assert!(fixed.contains(step), "{fixed}");
    // The job whose destination only run time knows is left as it was.
    assert_eq!(fixed.matches("harden-runner").count(), 1, "{fixed}");
    let out = run(
        dir.path(),
        &[
            "check",
            "-f",
            "json",
            "--select",
            "unrestricted-egress",
            ".",
        ],
    );
    let doc = json(&out.stdout);
    let jobs: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["job"].as_str())
        .collect();
    assert_eq!(jobs, ["dynamic"]);
}

/// SARIF carries the fixes as replacements (an insertion is an empty region) and stays
/// valid against the 2.1.0 schema.
#[test]
fn sarif_carries_the_fixes() {
    let dir = repo(&[
        (".github/workflows/ci.yml", CI),
        (".github/workflows/release.yml", RELEASE),
    ]);
    let out = run(dir.path(), &["check", "-f", "sarif", "."]);
    let doc = json(&out.stdout);
    common::assert_valid_sarif(&doc, "check with fixes");
    let results = doc["runs"][0]["results"].as_array().expect("results");
    // The lint job's checkout (line 17): a line inserted at the start of line 20.
    let lint = results
        .iter()
        .find(|r| {
            r["ruleId"] == "persisted-credentials"
                && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 17
        })
        .expect("the lint checkout's finding");
    let change = &lint["fixes"][0]["artifactChanges"][0];
    assert_eq!(
        change["artifactLocation"]["uri"],
        ".github/workflows/ci.yml"
    );
    assert_eq!(
        change["replacements"],
        serde_json::json!([{
            "deletedRegion": { "startLine": 20, "startColumn": 1, "endLine": 20, "endColumn": 1 },
            "insertedContent": { "text": "          persist-credentials: false\n" }
        }])
    );
    // A finding without a fix has none.
    assert!(
        results
            .iter()
            .filter(|r| r["ruleId"] == "missing-job-timeout")
            .all(|r| r.get("fixes").is_none())
    );
}

/// A checkout given a bot's token is kept persisting unless `--unsafe`: a later script
/// tollgate cannot read may push with it.
#[test]
fn a_checkout_with_another_credential_needs_unsafe() {
    let wf = "on: workflow_dispatch
permissions: {}
jobs:
  bump:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - uses: actions/checkout@v4
        with:
          token: ${{ secrets.BOT_PAT }}
      - run: ./tools/create_pr.ts
";
    let dir = repo(&[(".github/workflows/t.yml", wf)]);
    run(
        dir.path(),
        &["fix", "-q", "--select", "persisted-credentials", "."],
    );
    assert_eq!(read(dir.path(), ".github/workflows/t.yml"), wf);
    run(
        dir.path(),
        &[
            "fix",
            "-q",
            "--unsafe",
            "--select",
            "persisted-credentials",
            ".",
        ],
    );
    assert_eq!(
        read(dir.path(), ".github/workflows/t.yml"),
        wf.replace(
            "          token: ${{ secrets.BOT_PAT }}\n",
            "          token: ${{ secrets.BOT_PAT }}\n          persist-credentials: false\n"
        )
    );
}

/// A harden-runner step in audit mode is switched to block mode, its own list kept and the
/// inferred endpoints added (sorted, once each).
#[test]
fn harden_runner_in_audit_mode_is_switched_to_block() {
    let wf = "on: push
permissions: {}
jobs:
  fetch:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - uses: step-security/harden-runner@b09bb98e06d4d774595224525879c09bc6e98c40 # v2.20.1
        with:
          egress-policy: audit # first, see what it reaches
          allowed-endpoints: >
            github.com:443
            mirror.example.net:443
      - run: curl -fsSL --retry 3 https://downloads.example.org/tool.tar.gz -o tool.tar.gz
";
    let dir = repo(&[(".github/workflows/t.yml", wf)]);
    run(
        dir.path(),
        &[
            "fix",
            "-q",
            "--unsafe",
            "--select",
            "unrestricted-egress",
            ".",
        ],
    );
    let expected = wf.replace(
        "          egress-policy: audit # first, see what it reaches
          allowed-endpoints: >
            github.com:443
            mirror.example.net:443
",
        "          egress-policy: block # first, see what it reaches
          allowed-endpoints: >
            *.actions.githubusercontent.com:443
            api.github.com:443
            codeload.github.com:443
            downloads.example.org:443
            github.com:443
            mirror.example.net:443
",
    );
    assert_eq!(read(dir.path(), ".github/workflows/t.yml"), expected);
}

/// A local action that a named workflow uses is loaded and checked, but only the named
/// file is edited.
#[test]
fn only_named_files_are_edited() {
    let wf = "on: push
permissions:
  contents: read
jobs:
  a:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - uses: ./.github/actions/setup
      - uses: actions/checkout@v4
      - run: make
";
    let action = "name: setup
description: checks out the tools too
runs:
  using: composite
  steps:
    - uses: actions/checkout@v4
    - run: echo ready
      shell: bash
";
    let dir = repo(&[
        (".github/workflows/ci.yml", wf),
        (".github/actions/setup/action.yml", action),
    ]);
    run(
        dir.path(),
        &[
            "fix",
            "-q",
            "--select",
            "persisted-credentials",
            ".github/workflows/ci.yml",
        ],
    );
    assert_eq!(read(dir.path(), ".github/actions/setup/action.yml"), action);
    assert!(read(dir.path(), ".github/workflows/ci.yml").contains("persist-credentials: false"));
    // Named, the action is fixed too.
    run(
        dir.path(),
        &["fix", "-q", "--select", "persisted-credentials", "."],
    );
    assert!(
        read(dir.path(), ".github/actions/setup/action.yml").contains("persist-credentials: false")
    );
}

//! End-to-end tests of `tollgate check`: inputs, exit codes, bad input, output formats.

mod common;

use common::{corpus, json, testdata, tollgate};
use predicates::prelude::*;

#[test]
fn demo_repository_is_read_whole() {
    let out = tollgate()
        .args(["check", "--format", "json"])
        .arg(testdata("demo"))
        .output()
        .expect("runs");
    let doc = json(&out.stdout);
    assert_eq!(doc["version"], 1);
    let kinds: Vec<(String, String)> = doc["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|i| {
            (
                i["path"].as_str().unwrap_or_default().to_owned(),
                i["kind"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for (path, kind) in [
        (".github/workflows/ci.yml", "workflow"),
        (".github/actions/setup-toolchain/action.yml", "action"),
        (".github/dependabot.yml", "dependabot"),
        ("Cargo.lock", "cargo-lock"),
        ("web/package-lock.json", "npm-lock"),
        ("web/.npmrc", "npmrc"),
        ("requirements.txt", "requirements"),
    ] {
        assert!(
            kinds.contains(&(path.to_owned(), kind.to_owned())),
            "{path} as {kind} in {kinds:?}"
        );
    }
    // The triage workflow's job and step positions, counted by hand.
    let triage = doc["workflows"]
        .as_array()
        .expect("workflows")
        .iter()
        .find(|w| w["path"] == ".github/workflows/triage.yml")
        .expect("triage");
    let job = &triage["jobs"][0];
    assert_eq!(job["id"], "label");
    assert_eq!(job["location"]["line"], 13);
    assert_eq!(job["location"]["column"], 3);
    let checkout = &job["steps"][0]["uses"];
    assert_eq!(checkout["ref_kind"], "commit SHA");
    assert_eq!(checkout["location"]["line"], 16);
    assert_eq!(checkout["location"]["column"], 15);
    assert_eq!(job["steps"][1]["run"]["location"]["line"], 21);

    // Script facts carry file positions: `curl … | sh` on line 22 of ci.yml, where the
    // download starts at column 11 and the shell it is piped into at column 45.
    let ci = doc["workflows"]
        .as_array()
        .expect("workflows")
        .iter()
        .find(|w| w["path"] == ".github/workflows/ci.yml")
        .expect("ci");
    let facts = &ci["jobs"][0]["steps"][2]["run"]["facts"];
    assert_eq!(facts[0]["kind"], "download");
    assert_eq!(facts[0]["location"]["line"], 22);
    assert_eq!(facts[0]["location"]["column"], 11);
    assert_eq!(facts[1]["kind"], "download-exec");
    assert_eq!(facts[1]["location"]["column"], 45);

    // Packages with their sources, from the npm lockfile written by hand.
    let npm = doc["lockfiles"]
        .as_array()
        .expect("lockfiles")
        .iter()
        .find(|l| l["path"] == "web/package-lock.json")
        .expect("npm lock");
    let pkgs = npm["packages"].as_array().expect("packages");
    assert_eq!(pkgs.len(), 2);
    let left_pad = pkgs
        .iter()
        .find(|p| p["name"] == "left-pad")
        .expect("left-pad");
    assert_eq!(
        left_pad["location"]["line"], 20,
        "the entry starts at its key"
    );
    assert!(
        left_pad["source"]
            .to_string()
            .contains("http://registry.npmjs.org")
    );
}

#[test]
fn bad_inputs_are_reported_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("tmp");
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    std::fs::write(
        wf.join("good.yml"),
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n",
    )
    .expect("w");
    std::fs::write(wf.join("malformed.yml"), "on: push\njobs:\n  a: [\n").expect("w");
    std::fs::write(
        wf.join("shape.yml"),
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps: 3\n",
    )
    .expect("w");
    std::fs::write(wf.join("empty.yml"), "").expect("w");
    std::fs::write(wf.join("binary.yml"), b"\x7fELF\x00\x01").expect("w");
    std::fs::write(wf.join("latin1.yml"), b"name: caf\xe9\non: push\n").expect("w");
    let out = tollgate()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "input errors are something to report, not a crash"
    );
    let doc = json(&out.stdout);
    let diags = doc["diagnostics"].as_array().expect("diagnostics");
    let by_file = |name: &str| {
        diags
            .iter()
            .filter(|d| d["path"].as_str().is_some_and(|p| p.ends_with(name)))
            .collect::<Vec<_>>()
    };
    for (name, code, line, column) in [
        ("malformed.yml", "syntax", 4, 1),
        ("shape.yml", "shape", 5, 12),
        ("empty.yml", "empty", 1, 1),
        ("binary.yml", "not-text", 1, 5),
        ("latin1.yml", "not-text", 1, 10),
    ] {
        let d = by_file(name);
        assert_eq!(d.len(), 1, "{name}: {d:?}");
        assert_eq!(d[0]["code"], code, "{name}");
        assert_eq!(d[0]["location"]["line"], line, "{name}: {d:?}");
        assert_eq!(d[0]["location"]["column"], column, "{name}: {d:?}");
    }
    assert!(by_file("good.yml").is_empty());
    assert_eq!(
        doc["workflows"].as_array().map(Vec::len),
        Some(2),
        "good and shape are modelled"
    );
}

#[test]
fn human_output_shows_file_line_and_excerpt() {
    let dir = tempfile::tempdir().expect("tmp");
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    std::fs::write(wf.join("x.yml"), "on: push\njobs:\n  a:\n    runs-on: x\n    permissions: maybe\n    steps:\n      - run: echo\n").expect("w");
    tollgate()
        .args(["check", "--color", "never"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(".github/workflows/x.yml:5:18"))
        .stdout(predicate::str::contains("permissions: maybe"))
        .stdout(predicate::str::contains("in 1 input; 1 input problem"));
}

#[test]
fn usage_and_io_errors_exit_2() {
    tollgate()
        .args(["check", "--format", "xml"])
        .assert()
        .code(2);
    tollgate().arg("frobnicate").assert().code(2);
    let dir = tempfile::tempdir().expect("tmp");
    tollgate()
        .args(["check", "--output"])
        .arg(dir.path().join("missing/dir/out.json"))
        .arg(testdata("demo"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot write output"));
}

#[test]
fn version_and_help() {
    tollgate()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("tollgate "));
    tollgate()
        .args(["check", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"));
}

/// `--timings` prints the stages, then the rules that took longest: only rules that ran,
/// real rule ids, at most eight, slowest first.
#[test]
fn timings_name_the_stages_and_the_slowest_rules() {
    let ms = |s: &str| -> f64 {
        s.trim()
            .trim_end_matches(" ms")
            .parse()
            .unwrap_or_else(|_| panic!("a time in ms: {s:?}"))
    };
    let out = tollgate()
        .args(["check", "--quiet", "--timings"])
        .arg(testdata("demo"))
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    let stages = err
        .lines()
        .find(|l| l.starts_with("timings: discover"))
        .expect("stage line");
    for stage in ["parse", "graph", "rules", "output"] {
        assert!(stages.contains(&format!(" {stage} ")), "{stages}");
    }
    // The graph stage names the time of each pass it ran.
    assert!(stages.contains("; egress pass "), "{stages}");
    let rules = err
        .lines()
        .find_map(|l| l.strip_prefix("timings: rules busy "))
        .expect("rule line");
    let (_, slowest) = rules.split_once("slowest: ").expect("slowest");
    let listed: Vec<(&str, f64)> = slowest
        .split(", ")
        .map(|e| {
            let (id, t) = e.split_once(' ').expect("id and time");
            (id, ms(t))
        })
        .collect();
    assert_eq!(listed.len(), 8, "{rules}");
    let catalog = tollgate()
        .args(["rules", "--format", "json"])
        .output()
        .expect("rules");
    let catalog = json(&catalog.stdout).to_string();
    for (id, _) in &listed {
        assert!(catalog.contains(&format!("\"{id}\"")), "{id} is not a rule");
    }
    assert!(listed.windows(2).all(|w| w[0].1 >= w[1].1), "{rules}");

    // Only the rules that ran are timed.
    let out = tollgate()
        .args([
            "check",
            "--quiet",
            "--timings",
            "--select",
            "unpinned-action",
        ])
        .arg(testdata("demo"))
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.contains("rules busy"))
        .expect("rule line");
    let (_, slowest) = line.split_once("slowest: ").expect("slowest");
    assert!(
        slowest.starts_with("unpinned-action ") && !slowest.contains(','),
        "{line}"
    );
}

#[test]
fn clean_input_exits_0() {
    let dir = tempfile::tempdir().expect("tmp");
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    std::fs::write(wf.join("ok.yml"), "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n").expect("w");
    tollgate().arg("check").arg(dir.path()).assert().code(0);
}

/// Every file of the shared corpus is read without a panic, and no file of it gets an
/// error diagnostic except poetry's test fixture `invalid_lock/poetry.lock`, which is
/// invalid TOML on purpose (poetry's own tests check that it is rejected). The corpus
/// holds files that are not inputs (Dockerfiles, CODEOWNERS, other CI systems' files) and
/// repositories without workflows: every input is a corpus file, and every workflow of
/// the corpus is an input, whatever repositories it holds.
#[test]
fn corpus_parses_cleanly() {
    let Some(corpus) = corpus() else { return };
    let out = tollgate()
        .args(["check", "--format", "json"])
        .arg(&corpus)
        .output()
        .expect("runs");
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out.stdout);
    let inputs: std::collections::BTreeSet<String> = doc["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .filter_map(|i| i["path"].as_str().map(str::to_owned))
        .collect();
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).expect("manifest");
    // `owner/name` is stored as `owner__name`.
    let files: std::collections::BTreeSet<String> = manifest
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            let (repo, _, path) = (f.next()?, f.next()?, f.next()?);
            Some(format!("{}/{path}", repo.replace('/', "__")))
        })
        .collect();
    let stray: Vec<&String> = inputs.difference(&files).collect();
    assert!(
        stray.is_empty(),
        "inputs that are not corpus files: {stray:?}"
    );
    let workflows: Vec<&String> = files
        .iter()
        .filter(|f| {
            let (dir, name) = f.rsplit_once('/').unwrap_or_default();
            dir.ends_with("/.github/workflows")
                && (name.ends_with(".yml") || name.ends_with(".yaml"))
        })
        .collect();
    assert!(workflows.len() > 100, "the corpus has workflows");
    let missed: Vec<&&String> = workflows.iter().filter(|w| !inputs.contains(**w)).collect();
    assert!(missed.is_empty(), "workflows not read: {missed:?}");
    // Every file parses; the one corpus file that is invalid on purpose is a fixture of
    // poetry's own tests. (numpy's `linux_simd.yml` and pytest's `test.yml`, whose flow
    // sequences close with a `]` indented less than their items, parse as GitHub reads
    // them: their jobs are in the graph.)
    let errors: Vec<_> = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error")
        .filter(|d| d["path"] != "python-poetry__poetry/tests/fixtures/invalid_lock/poetry.lock")
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    for (repo, file, job) in [
        ("numpy__numpy", "linux_simd.yml", "specialize"),
        ("pytest-dev__pytest", "test.yml", "build"),
    ] {
        let out = tollgate()
            .args(["graph", "--format", "json"])
            .arg(corpus.join(repo))
            .output()
            .expect("runs");
        let graph = json(&out.stdout);
        let found = graph["nodes"].as_array().expect("nodes").iter().any(|n| {
            n["kind"] == "job"
                && n["attrs"]["id"] == job
                && n["location"]["path"]
                    .as_str()
                    .is_some_and(|p| p.ends_with(&format!("/{file}")))
        });
        assert!(found, "job `{job}` of {repo}/{file} is in the graph");
    }
}

/// `--repository` names the repository: a step guarded by `github.repository` naming
/// another one never runs, and nothing in it is reported.
#[test]
fn a_step_for_another_repository_is_not_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wf = dir.path().join(".github/workflows/ci.yml");
    std::fs::create_dir_all(wf.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &wf,
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - uses: evil/steal@main\n        if: github.repository == 'octo/upstream'\n",
    )
    .expect("write");
    let lines = |repository: &str| -> usize {
        let out = tollgate()
            .args([
                "check",
                "--format",
                "json",
                "--select",
                "unpinned-action",
                "--repository",
                repository,
            ])
            .arg(dir.path())
            .output()
            .expect("runs");
        json(&out.stdout)["findings"]
            .as_array()
            .expect("findings")
            .len()
    };
    assert_eq!(lines("octo/upstream"), 1);
    assert_eq!(lines("Octo/Upstream"), 1);
    assert_eq!(lines("octo/fork"), 0);
}

/// Two jobs with the same unpinned action twice each and a `write-all`: what a first run
/// shows a person.
fn first_run_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("git");
    common::write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push
permissions: write-all
jobs:
  a:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - uses: some-org/tool@v1
      - uses: some-org/tool@v1
  b:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - uses: some-org/tool@v1
",
    );
    dir
}

fn run_in(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let out = tollgate()
        .args(["check", "--color", "never"])
        .args(args)
        .arg(dir)
        .output()
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn human_output_leads_with_a_summary_and_groups_identical_findings() {
    let dir = first_run_repo();
    let (code, text) = run_in(dir.path(), &[]);
    assert_eq!(code, Some(1));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..5],
        [
            "4 findings (3 errors, 1 warning, 0 notes) in 1 input",
            "",
            "  error        3  unpinned-action",
            "  warning      1  broad-permissions",
            "",
        ],
        "{text}"
    );
    // The three uses are one entry (the first with its excerpt; the place in another job
    // names it), errors before the warning although the warning's line comes first.
    assert_eq!(text.matches("unpinned-action (").count(), 1, "{text}");
    assert!(
        text.contains("  2 more places alike:\n    .github/workflows/ci.yml:9:15\n    .github/workflows/ci.yml:14:15 (job `b`)\n"),
        "{text}"
    );
    let error_at = text.find("unpinned-action (").expect("error");
    let warning_at = text.find("broad-permissions (").expect("warning");
    assert!(error_at < warning_at, "{text}");
    // The label under the excerpt does not repeat the header's path.
    assert!(!text.contains("╰── .github/workflows/ci.yml"), "{text}");
    assert!(lines.last().is_some_and(|l| l.starts_with("4 findings")));
}

#[test]
fn show_level_only_hides_and_fail_level_defaults_to_error() {
    let dir = first_run_repo();
    let (code, text) = run_in(dir.path(), &["--show-level", "error"]);
    assert_eq!(code, Some(1));
    assert!(!text.contains("broad-permissions ("), "{text}");
    assert!(text.contains("; 1 below --show-level not shown"), "{text}");
    // The warning alone does not fail by default, as in the Action; it does at `warning`,
    // whether it is shown or not.
    let (code, _) = run_in(dir.path(), &["--select", "broad-permissions"]);
    assert_eq!(code, Some(0));
    let (code, text) = run_in(
        dir.path(),
        &[
            "--select",
            "broad-permissions",
            "--fail-level",
            "warning",
            "--show-level",
            "error",
        ],
    );
    assert_eq!(code, Some(1));
    assert!(!text.contains("write-all"), "{text}");
}

#[test]
fn concise_is_one_line_per_finding_in_file_order() {
    let dir = first_run_repo();
    let (code, text) = run_in(dir.path(), &["--format", "concise"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        text,
        ".github/workflows/ci.yml:2:14: warning[broad-permissions] workflow grants `write-all` to every job (needs not known for `some-org/tool`)
.github/workflows/ci.yml:8:15: error[unpinned-action] action `some-org/tool@v1` is pinned to a tag, which its owner can move, not a commit SHA
.github/workflows/ci.yml:9:15: error[unpinned-action] action `some-org/tool@v1` is pinned to a tag, which its owner can move, not a commit SHA
.github/workflows/ci.yml:14:15: error[unpinned-action] action `some-org/tool@v1` is pinned to a tag, which its owner can move, not a commit SHA
"
    );
    let (_, text) = run_in(
        dir.path(),
        &["--format", "concise", "--show-level", "error"],
    );
    assert_eq!(text.lines().count(), 3);
}

/// Identical diagnostics in two files are one entry too.
#[test]
fn identical_diagnostics_are_grouped() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("git");
    let wf = "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - run: echo hi\n        shell: nu {0}\n";
    common::write(dir.path(), ".github/workflows/a.yml", wf);
    common::write(dir.path(), ".github/workflows/b.yml", wf);
    let (code, text) = run_in(dir.path(), &[]);
    assert_eq!(code, Some(0));
    assert!(
        text.contains("  note         2  input::not-analysed\n"),
        "{text}"
    );
    assert_eq!(text.matches("script not analysed").count(), 1, "{text}");
    assert!(
        text.contains("  1 more place alike:\n    .github/workflows/b.yml:8:9\n"),
        "{text}"
    );
}

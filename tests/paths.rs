//! The paths users actually pass: a directory inside a repository, files (as pre-commit
//! passes them), several repositories, standard input; and the command lines that read
//! nothing, which must fail instead of passing silently.

mod common;

use std::path::Path;

use common::{json, tollgate, write};

/// A workflow with one unpinned action on line 7 (`unpinned-action`), nothing else.
const UNPINNED: &str = "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n";

/// A repository with the unpinned workflow, a local action it calls, and a configuration
/// that turns `unpinned-action` into an error.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let r = dir.path();
    std::fs::create_dir_all(r.join(".git")).expect("git dir");
    write(
        r,
        ".github/workflows/ci.yml",
        &format!("{UNPINNED}      - uses: ./.github/actions/local\n"),
    );
    write(
        r,
        ".github/actions/local/action.yml",
        "runs:\n  using: composite\n  steps:\n    - uses: actions/setup-node@v4\n",
    );
    write(
        r,
        "tollgate.toml",
        "[rules.unpinned-action]\nlevel = \"error\"\n",
    );
    dir
}

/// `(path, rule, level)` of every finding.
fn findings(doc: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["location"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["level"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

fn check_json(cwd: &Path, args: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let out = tollgate()
        .current_dir(cwd)
        .args(["check", "--format", "json", "--select", "unpinned-action"])
        .args(args)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), json(&out.stdout), err)
}

/// The findings of a whole-repository run, by path and with the configured level.
fn expected() -> Vec<(String, String, String)> {
    vec![
        (
            ".github/actions/local/action.yml".into(),
            "unpinned-action".into(),
            "error".into(),
        ),
        (
            ".github/workflows/ci.yml".into(),
            "unpinned-action".into(),
            "error".into(),
        ),
    ]
}

#[test]
fn a_directory_inside_a_repository_is_checked_within_that_repository() {
    let r = repo();
    for arg in [".", ".github", ".github/workflows", ".github/workflows/"] {
        let (code, doc, err) = check_json(r.path(), &[arg]);
        assert_eq!(code, Some(1), "{arg}: {err}");
        assert_eq!(findings(&doc), expected(), "{arg}");
    }
    // From a subdirectory, naming the workflows by a relative path.
    std::fs::create_dir_all(r.path().join("src")).expect("mkdir");
    let (code, doc, err) = check_json(&r.path().join("src"), &["../.github/workflows"]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(findings(&doc), expected());
}

#[test]
fn files_passed_alone_find_the_repository_and_its_configuration() {
    // pre-commit passes the changed files, relative to the repository root.
    let r = repo();
    let (code, doc, err) = check_json(r.path(), &[".github/workflows/ci.yml"]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(findings(&doc), expected(), "the config's level applies");
    // Absolute paths give the same repository-relative paths.
    let abs = r.path().join(".github/workflows/ci.yml");
    let (_, doc, _) = check_json(Path::new("/"), &[abs.to_str().expect("utf-8")]);
    assert_eq!(findings(&doc), expected());
}

#[test]
fn nothing_to_read_is_an_error_for_every_command() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "README.md", "# nothing here\n");
    let missing = dir.path().join("missing");
    for cmd in ["check", "graph", "egress", "inventory"] {
        let out = tollgate().arg(cmd).arg(dir.path()).output().expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd} on an empty tree: {err}");
        assert!(err.contains("warning: no input found"), "{cmd}: {err}");
        let out = tollgate().arg(cmd).arg(&missing).output().expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd} on a missing path: {err}");
        assert!(err.contains("missing"), "{cmd}: {err}");
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_or_device_on_the_command_line_is_an_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let fifo = dir.path().join("ci.yml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let mut paths = vec![Path::new("/dev/null").to_path_buf()];
    if made {
        paths.push(fifo);
    }
    for p in paths {
        let out = tollgate().arg("check").arg(&p).output().expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {err}", p.display());
        assert!(err.contains("not a regular file"), "{err}");
    }
}

#[test]
fn excluded_files_are_not_read_at_all() {
    let r = repo();
    // Broken on purpose: excluded, it must not fail the run. (Not under a test-fixture
    // directory, which discovery leaves out by itself.)
    write(r.path(), "legacy/bad/poetry.lock", "[[package]\n");
    write(
        r.path(),
        "tollgate.toml",
        "exclude = [\"legacy/**\"]\n[rules.unpinned-action]\nlevel = \"error\"\n",
    );
    let (code, doc, err) = check_json(r.path(), &["."]);
    assert_eq!(code, Some(1), "{err}");
    let paths: Vec<&str> = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["path"].as_str())
        .collect();
    assert!(!paths.iter().any(|p| p.contains("legacy")), "{paths:?}");
    let inputs = doc["inputs"].as_array().expect("inputs");
    assert!(
        !inputs
            .iter()
            .any(|i| i["path"].as_str().is_some_and(|p| p.contains("legacy"))),
        "{inputs:?}"
    );
    // Without the exclude, the broken file is reported: the test above is not vacuous.
    write(r.path(), "tollgate.toml", "");
    let (_, doc, _) = check_json(r.path(), &["."]);
    assert!(
        doc["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .any(|d| d["path"] == "legacy/bad/poetry.lock")
    );
}

#[test]
fn mistyped_rule_options_are_errors_on_their_line() {
    let r = repo();
    for (toml, line, needle) in [
        (
            "[rules.unpinned-action]\nlvl = \"off\"\n",
            2,
            "unknown option `lvl`",
        ),
        (
            "[rules.missing-fallback]\nlevel = \"note\"\nrelease-severty = \"high\"\n",
            3,
            "unknown option `release-severty`",
        ),
        (
            "[rules.missing-fallback]\nrelease-severity = \"urgent\"\n",
            2,
            "`release-severity` must be",
        ),
        (
            "\n[rules.unpinned-action]\nlevel = \"loud\"\n",
            3,
            "`level` must be",
        ),
    ] {
        write(r.path(), "tollgate.toml", toml);
        let out = tollgate()
            .current_dir(r.path())
            .args(["check", "--color", "never", "."])
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{toml}: {err}");
        assert!(err.contains(needle), "{toml}: {err}");
        assert!(
            err.contains(&format!("tollgate.toml:{line}:")),
            "{toml}: {err}"
        );
    }
    // A known option with a valid value is accepted.
    write(
        r.path(),
        "tollgate.toml",
        "[rules.missing-fallback]\nrelease-severity = \"high\"\n",
    );
    let out = tollgate()
        .current_dir(r.path())
        .args(["check", "."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn several_roots_are_told_apart_by_their_prefix() {
    let a = repo();
    let b = repo();
    let parent_a = a.path().parent().expect("tmp parent");
    assert_eq!(Some(parent_a), b.path().parent());
    let name = |d: &tempfile::TempDir| {
        d.path()
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_owned()
    };
    let (na, nb) = (name(&a), name(&b));
    let (code, doc, err) = check_json(parent_a, &[&na, &nb]);
    assert_eq!(code, Some(1), "{err}");
    let paths: Vec<String> = findings(&doc).into_iter().map(|f| f.0).collect();
    let mut want = vec![
        format!("{na}/.github/actions/local/action.yml"),
        format!("{na}/.github/workflows/ci.yml"),
        format!("{nb}/.github/actions/local/action.yml"),
        format!("{nb}/.github/workflows/ci.yml"),
    ];
    want.sort();
    assert_eq!(paths, want);
}

#[test]
fn gitignore_does_not_hide_github_and_none_above_the_root_applies() {
    let outer = tempfile::tempdir().expect("tmp");
    // A `.gitignore` above the scanned root that would hide everything.
    write(outer.path(), ".gitignore", "*.lock\n.github/\n");
    let r = outer.path().join("repo");
    write(&r, ".github/workflows/ci.yml", UNPINNED);
    write(&r, "Cargo.lock", "version = 4\n");
    // The repository's own `.gitignore` ignores `.github/` and its lockfile.
    write(&r, ".gitignore", ".github/\nignored/\n");
    write(&r, "ignored/Cargo.lock", "version = 4\n");
    let out = tollgate()
        .args(["check", "--format", "json"])
        .arg(&r)
        .output()
        .expect("runs");
    let doc = json(&out.stdout);
    let inputs: Vec<&str> = doc["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .filter_map(|i| i["path"].as_str())
        .collect();
    assert_eq!(inputs, [".github/workflows/ci.yml", "Cargo.lock"]);
}

#[test]
fn standard_input_is_one_workflow_and_the_default_configuration_can_be_printed() {
    let out = tollgate()
        .args([
            "check",
            "--format",
            "json",
            "--select",
            "unpinned-action",
            "-",
        ])
        .write_stdin(UNPINNED)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out.stdout);
    let f = &doc["findings"][0];
    assert_eq!(f["location"]["path"], "<stdin>");
    assert_eq!(f["location"]["line"], 7);
    assert_eq!(f["rule"], "unpinned-action");

    let dir = tempfile::tempdir().expect("tmp");
    let out = tollgate()
        .current_dir(dir.path())
        .args(["config", "--init", "-o", "-"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("[policy"), "{text}");
    assert!(!dir.path().join("-").exists(), "no file named `-`");
}

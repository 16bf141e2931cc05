//! Discovery over temporary trees: hidden `.github` included, dependency and ignored
//! directories skipped, symlinks not followed out of the root, explicit files always read.

use std::fs;
use std::path::PathBuf;

use tollgate_model::FileKind;
use tollgate_scan::{DiscoverOptions, ScanOptions, discover, scan};

fn write(root: &std::path::Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    fs::write(p, text).expect("write");
}

#[test]
fn walks_hidden_github_and_skips_the_rest() {
    let dir = tempfile::tempdir().expect("tmp");
    let r = dir.path();
    write(r, ".github/workflows/ci.yml", "on: push\njobs: {}\n");
    write(
        r,
        ".github/actions/setup/action.yml",
        "runs: {using: composite, steps: []}\n",
    );
    write(r, "node_modules/x/package-lock.json", "{}");
    write(r, "target/debug/Cargo.lock", "");
    write(r, "ignored/Cargo.lock", "");
    write(r, ".gitignore", "ignored/\n");
    write(r, "Cargo.lock", "version = 4\n");
    write(r, "README.md", "# hi\n");
    let found = discover(&[r.to_path_buf()], &DiscoverOptions::default());
    let (c, d) = (&found.candidates, &found.diagnostics);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(found.roots.len(), 1);
    let got: Vec<(&str, FileKind)> = c.iter().map(|c| (c.display.as_str(), c.kind)).collect();
    assert_eq!(
        got,
        vec![
            (".github/actions/setup/action.yml", FileKind::Action),
            (".github/workflows/ci.yml", FileKind::Workflow),
            ("Cargo.lock", FileKind::CargoLock),
        ]
    );
}

#[cfg(unix)]
#[test]
fn lockfiles_of_test_fixtures_are_not_inputs_unless_named() {
    let dir = tempfile::tempdir().expect("tmp");
    let r = dir.path();
    write(r, ".github/workflows/ci.yml", "on: push\njobs: {}\n");
    write(r, "requirements.txt", "requests==2.32.3\n");
    // Test inputs of the project's own parsers (renovate, poetry, Go modules).
    write(r, "lib/npm/__fixtures__/a/package-lock.json", "{}");
    write(r, "tests/fixtures/broken/poetry.lock", "");
    write(r, "pkg/x/testdata/go.mod", "module x\n");
    // A workflow or action there is still read: GitHub may run it.
    write(
        r,
        "testdata/.github/actions/a/action.yml",
        "runs: {using: composite, steps: []}\n",
    );
    let found = discover(&[r.to_path_buf()], &DiscoverOptions::default());
    let got: Vec<&str> = found
        .candidates
        .iter()
        .map(|c| c.display.as_str())
        .collect();
    assert_eq!(
        got,
        vec![
            ".github/workflows/ci.yml",
            "requirements.txt",
            "testdata/.github/actions/a/action.yml",
        ]
    );
    // Named on the command line, a fixture is read.
    let named = discover(
        &[r.join("tests/fixtures/broken/poetry.lock")],
        &DiscoverOptions::default(),
    );
    assert_eq!(named.candidates.len(), 1, "{:?}", named.candidates);
    let walked = discover(
        &[r.join("lib/npm/__fixtures__")],
        &DiscoverOptions::default(),
    );
    assert_eq!(walked.candidates.len(), 1, "{:?}", walked.candidates);
}

#[test]
fn symlinks_stay_inside_the_root_and_loops_end() {
    let outside = tempfile::tempdir().expect("tmp");
    write(
        outside.path(),
        "secret/.github/workflows/x.yml",
        "on: push\n",
    );
    let dir = tempfile::tempdir().expect("tmp");
    let r = dir.path();
    write(r, ".github/workflows/real.yml", "on: push\njobs: {}\n");
    std::os::unix::fs::symlink(
        outside.path().join("secret/.github/workflows/x.yml"),
        r.join(".github/workflows/leak.yml"),
    )
    .expect("link");
    std::os::unix::fs::symlink(
        r.join(".github/workflows/real.yml"),
        r.join(".github/workflows/inside.yml"),
    )
    .expect("link");
    std::os::unix::fs::symlink(r, r.join(".github/loop")).expect("loop");
    let found = discover(&[r.to_path_buf()], &DiscoverOptions::default());
    let (c, d) = (&found.candidates, &found.diagnostics);
    let names: Vec<&str> = c.iter().map(|c| c.display.as_str()).collect();
    assert_eq!(
        names,
        vec![".github/workflows/inside.yml", ".github/workflows/real.yml"]
    );
    assert!(d.iter().any(|d| d.path.ends_with("leak.yml")), "{d:?}");
}

#[test]
fn explicit_files_are_read_and_bad_ones_reported_without_stopping() {
    let dir = tempfile::tempdir().expect("tmp");
    let r = dir.path();
    write(
        r,
        "draft.yml",
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n",
    );
    write(r, "broken.yml", "on: [push\n");
    fs::write(r.join("binary.yml"), b"\x00\x01\x02").expect("write");
    let missing: PathBuf = r.join("missing.yml");
    let s = scan(
        &[
            r.join("draft.yml"),
            r.join("broken.yml"),
            r.join("binary.yml"),
            missing,
        ],
        &ScanOptions::default(),
    );
    assert_eq!(s.inputs.len(), 2, "draft and broken are read");
    // Broken YAML and the binary file are reported; the missing path is an error of the
    // command line, kept apart so the caller can exit with a usage error.
    assert_eq!(s.diagnostics.len(), 2, "{:#?}", s.diagnostics);
    assert_eq!(s.errors.len(), 1, "{:#?}", s.errors);
    assert!(s.errors[0].path.ends_with("missing.yml"));
}

#[test]
fn files_referenced_from_the_scanned_ones_are_loaded_once_each_level_by_level() {
    // pre-commit passes only the changed workflow; what it references (and what that
    // references) is loaded, each file once, whatever the number of workers.
    let dir = tempfile::tempdir().expect("tmp");
    let r = dir.path();
    write(
        r,
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  a:\n    uses: ./.github/workflows/r1.yml\n  b:\n    uses: ./.github/workflows/r2.yml\n  c:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/x\n",
    );
    let calls = |uses: &[&str]| {
        let steps: String = uses
            .iter()
            .map(|u| format!("      - uses: {u}\n"))
            .collect();
        format!("on: workflow_call\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n{steps}")
    };
    let composite = |uses: &[&str]| {
        let steps: String = uses.iter().map(|u| format!("    - uses: {u}\n")).collect();
        format!("runs:\n  using: composite\n  steps:\n{steps}")
    };
    write(
        r,
        ".github/workflows/r1.yml",
        &calls(&["./.github/actions/shared"]),
    );
    write(
        r,
        ".github/workflows/r2.yml",
        &calls(&["./.github/actions/shared", "./.github/actions/y"]),
    );
    write(
        r,
        ".github/actions/x/action.yml",
        &composite(&["./.github/actions/shared"]),
    );
    // The second candidate name, found after the first is missing.
    write(
        r,
        ".github/actions/shared/action.yaml",
        "runs: {using: composite, steps: []}\n",
    );
    write(
        r,
        ".github/actions/y/action.yml",
        &composite(&["./.github/actions/missing"]),
    );
    // Not referenced: never loaded.
    write(r, ".github/workflows/other.yml", "on: push\njobs: {}\n");
    let expected = vec![
        (".github/actions/shared/action.yaml", true),
        (".github/actions/x/action.yml", true),
        (".github/actions/y/action.yml", true),
        (".github/workflows/ci.yml", false),
        (".github/workflows/r1.yml", true),
        (".github/workflows/r2.yml", true),
    ];
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let s = pool.install(|| {
            scan(
                &[r.join(".github/workflows/ci.yml")],
                &ScanOptions::default(),
            )
        });
        let got: Vec<(&str, bool)> = s
            .inputs
            .iter()
            .map(|i| {
                // Displayed as given: the absolute path of the temporary tree.
                let d = i.source.display.as_str();
                (d.find(".github/").map_or(d, |k| &d[k..]), i.by_reference)
            })
            .collect();
        assert_eq!(got, expected, "{threads} threads");
    }
}

#[test]
fn a_local_action_under_the_checkout_path_of_the_repository_is_its_own() {
    // electron checks itself out into `src/electron` and then uses
    // `./src/electron/.github/actions/checkout`: the repository's own action.
    let dir = tempfile::tempdir().expect("tmp");
    let r = dir.path();
    write(
        r,
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./src/electron/.github/actions/early\n      - uses: actions/checkout@v4\n        with:\n          path: src/electron\n      - uses: ./src/electron/.github/actions/setup\n      - uses: actions/checkout@v4\n        with:\n          repository: other/repo\n          path: other\n      - uses: ./other/.github/actions/theirs\n",
    );
    write(
        r,
        ".github/actions/setup/action.yml",
        "runs:\n  using: composite\n  steps: []\n",
    );
    let s = scan(
        &[r.join(".github/workflows/ci.yml")],
        &ScanOptions::default(),
    );
    let Some(wf) = s.inputs.iter().find_map(|i| match i.parsed.as_ref() {
        tollgate_scan::FileModel::Workflow(wf) => Some(wf),
        _ => None,
    }) else {
        panic!("workflow");
    };
    let paths: Vec<&str> = wf.jobs[0]
        .steps
        .iter()
        .filter_map(|st| st.uses.as_ref()?.value.local_path())
        .collect();
    // Before the checkout, and under another repository's checkout, nothing changes.
    assert_eq!(
        paths,
        vec![
            "src/electron/.github/actions/early",
            ".github/actions/setup",
            "other/.github/actions/theirs"
        ]
    );
    // The action is loaded by reference, as the repository's own.
    let loaded: Vec<&str> = s
        .inputs
        .iter()
        .filter(|i| i.by_reference)
        .map(|i| i.source.display.as_ref())
        .collect();
    assert_eq!(loaded, vec![".github/actions/setup/action.yml"]);
    // The written text is kept for messages.
    assert_eq!(
        wf.jobs[0].steps[2].uses_text().map(|u| u.value.as_str()),
        Some("./src/electron/.github/actions/setup")
    );
}

/// Dockerfiles by their conventional names are inputs, parsed into their model (syntax
/// errors as diagnostics at their line); templates and fixture copies are not.
#[test]
fn dockerfiles_are_found_and_parsed() {
    let dir = tempfile::tempdir().expect("tmp");
    let r = dir.path();
    write(r, ".git/HEAD", "ref: refs/heads/main\n");
    write(
        r,
        "Dockerfile",
        "ARG V=3.20\nFROM alpine:${V} AS base\nFROM base\nRUN echo\n",
    );
    write(r, "build/app.Dockerfile", "FROM node:20\n");
    write(r, "Containerfile", "FROM scratch\n");
    write(r, "Dockerfile.broken", "FROM alpine\nFROOM x\n");
    write(r, "Dockerfile.j2", "FROM {{ image }}\n");
    write(r, "Dockerfile.dockerignore", "target\n");
    write(r, "tests/fixtures/Dockerfile", "FROOM\n");
    let s = scan(&[r.to_path_buf()], &ScanOptions::default());
    let got: Vec<(&str, FileKind)> = s
        .inputs
        .iter()
        .map(|i| (i.source.display.as_str(), i.kind))
        .collect();
    assert_eq!(
        got,
        vec![
            ("Containerfile", FileKind::Dockerfile),
            ("Dockerfile", FileKind::Dockerfile),
            ("Dockerfile.broken", FileKind::Dockerfile),
            ("build/app.Dockerfile", FileKind::Dockerfile),
        ]
    );
    let d: Vec<(&str, usize)> = s
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.path.as_str(),
                d.location.as_ref().map_or(0, |l| l.start.line as usize),
            )
        })
        .collect();
    assert_eq!(d, vec![("Dockerfile.broken", 2)], "{:?}", s.diagnostics);
    let Some(tollgate_scan::FileModel::Dockerfile(m)) =
        s.input_at(0, "Dockerfile").map(|i| &*i.parsed)
    else {
        panic!("a Dockerfile model");
    };
    let refs: Vec<&str> = m.pulls().map(|(_, r)| r).collect();
    assert_eq!(refs, ["alpine:3.20"]);
    assert_eq!(m.runs.len(), 1);
}

/// The `RUN` scripts of a Dockerfile go through the shell analysis, stored on the input
/// by the `RUN`'s index, with spans that map back into the file.
#[test]
fn dockerfile_run_scripts_are_analysed() {
    let dir = tempfile::tempdir().expect("tmp");
    let r = dir.path();
    write(r, ".git/HEAD", "ref: refs/heads/main\n");
    let text = "FROM alpine:3.20\nRUN apk add --no-cache curl && \\\n    # fetch the installer\n    curl -fsSL https://example.com/install.sh | sh\nRUN [\"echo\", \"exec form\"]\nRUN <<EOF\npip install requests\nEOF\n";
    write(r, "Dockerfile", text);
    let s = scan(&[r.to_path_buf()], &ScanOptions::default());
    assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
    let input = s.input_at(0, "Dockerfile").expect("input");
    let tollgate_scan::FileModel::Dockerfile(m) = &*input.parsed else {
        panic!("a Dockerfile model");
    };
    let steps: Vec<usize> = input.scripts.iter().map(|s| s.step).collect();
    assert_eq!(steps, [0, 2], "the exec form is not a script");
    let first = input.scripts[0].analysis.as_deref().expect("analysed");
    let span_of = |want: fn(&tollgate_shell::Fact) -> bool| {
        let f = first.facts.iter().find(|f| want(f)).expect("a fact");
        let at = m.runs[0].file_span(f.span());
        &text[at.range()]
    };
    let download = span_of(|f| matches!(f, tollgate_shell::Fact::Download(_)));
    assert!(download.starts_with("curl -fsSL"), "{download:?}");
    // The shell the download is piped into.
    assert_eq!(
        span_of(|f| matches!(f, tollgate_shell::Fact::DownloadExec(_))),
        "sh"
    );
    let second = input.scripts[1].analysis.as_deref().expect("analysed");
    assert!(
        second
            .facts
            .iter()
            .any(|f| matches!(f, tollgate_shell::Fact::Install(_))),
        "{:?}",
        second.facts
    );
}

//! Hand-written fixtures for every format: the parsed source, version and line of each entry.

mod common;

use common::{diagnostic_lines, load, summary};
use tollgate_lockfile::{IncludeKind, SourceRole};
use tollgate_model::DiagnosticCode;

fn assert_lines(got: &[String], want: &[&str]) {
    let got: Vec<&str> = got.iter().map(String::as_str).collect();
    assert_eq!(got, want, "\n got: {got:#?}");
}

const CRATES_IO: &str = "registry https://github.com/rust-lang/crates.io-index (default)";

#[test]
fn cargo_v3_git_registry_and_local() {
    let (f, p) = load("cargo/v3/Cargo.lock", None);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(p.format_version.as_deref(), Some("3"));
    assert_lines(
        &summary(&f, &p.packages),
        &[
            "L5 app@0.1.0 workspace",
            "L14 forked@0.3.0 git https://github.com/acme/forked rev=0a1b2c3 commit=0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
            &format!("L19 serde@1.0.200 {CRATES_IO}"),
            "L25 tagged@2.0.0 git ssh://git@github.com/acme/tagged.git rev=v2.0.0 commit=fedcba9876543210fedcba9876543210fedcba98",
            "L30 util@0.1.0 workspace",
        ],
    );
    let serde = &p.packages[2];
    assert_eq!(
        serde.integrity.as_ref().map(|i| i.algorithm.as_str()),
        Some("sha256")
    );
    assert_eq!(
        f.line_col(serde.source_span.map_or(0, |s| s.start)).line,
        22
    );
    assert!(p.packages[1].integrity.is_none());
}

#[test]
fn cargo_v4_sparse_and_v1_metadata() {
    let (f, p) = load("cargo/v4/Cargo.lock", None);
    assert_lines(
        &summary(&f, &p.packages),
        &[
            "L5 anyhow@1.0.86 registry sparse+https://index.crates.io/ (default)",
            "L11 internal-crate@0.4.2 registry sparse+https://cargo.corp.example.com/index/",
            "L17 branchy@0.1.0 git https://gitlab.com/acme/branchy rev=main commit=1111111111111111111111111111111111111111",
        ],
    );
    let (f, p) = load("cargo/v1/Cargo.lock", None);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(p.format_version.as_deref(), Some("1"));
    assert_lines(
        &summary(&f, &p.packages),
        &[
            "L1 app@0.1.0 workspace",
            &format!("L8 libc@0.2.150 {CRATES_IO}"),
            &format!("L13 nochecksum@1.0.0 {CRATES_IO}"),
        ],
    );
    // v1 keeps checksums in [metadata]; `<none>` means no checksum.
    assert!(p.packages[1].integrity.is_some());
    assert!(p.packages[2].integrity.is_none());
}

#[test]
fn cargo_corrupt_and_truncated() {
    let (f, p) = load(
        "cargo/corrupt/Cargo.lock",
        Some(tollgate_model::FileKind::CargoLock),
    );
    assert_eq!(diagnostic_lines(&p), [11]);
    assert_eq!(p.diagnostics[0].code, DiagnosticCode::Syntax);
    assert_lines(
        &summary(&f, &p.packages),
        &[&format!("L3 first@1.0.0 {CRATES_IO}")],
    );
    let (f, p) = load(
        "cargo/corrupt/truncated.lock",
        Some(tollgate_model::FileKind::CargoLock),
    );
    assert_eq!(diagnostic_lines(&p), [11]);
    assert_lines(
        &summary(&f, &p.packages),
        &[&format!("L3 whole@1.0.0 {CRATES_IO}")],
    );
}

#[test]
fn npm_v1_nested_alias_git_file() {
    let (f, p) = load("npm/v1/package-lock.json", None);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(p.format_version.as_deref(), Some("1"));
    assert_lines(
        &summary(&f, &p.packages),
        &[
            "L7 debug@2.6.9 registry https://registry.npmjs.org/ (default)",
            "L15 ms@2.0.0 registry https://registry.npmjs.org/ (default)",
            "L22 left-pad@- git https://github.com/stevemao/left-pad.git rev=- commit=5f0f6a8f9a3b5b4a4c5d2e1f0a9b8c7d6e5f4a3b",
            "L26 local-lib@- path ../local-lib",
            "L30 ms@2.1.3 registry https://npm.corp.example.com/",
            "L35 string-width@4.2.3 as string-width-cjs registry https://registry.npmjs.org/ (default)",
        ],
    );
    assert_eq!(
        p.packages[1]
            .integrity
            .as_ref()
            .map(|i| i.algorithm.as_str()),
        Some("sha1")
    );
    assert!(p.packages[3].flags.dev);
}

#[test]
fn npm_v3_workspaces_links_aliases() {
    let (f, p) = load("npm/v3/package-lock.json", None);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_lines(
        &summary(&f, &p.packages),
        &[
            "L13 @acme/ui@- workspace",
            "L17 @corp/secret@3.1.0 registry https://npm.corp.example.com/",
            "L22 lodash@4.17.21 registry https://registry.npmjs.org/ (default)",
            "L28 my-fork@1.0.0 git ssh://git@github.com/acme/my-fork.git rev=- commit=0123456789abcdef0123456789abcdef01234567",
            "L33 strip-ansi@6.0.1 as strip-ansi-cjs registry https://registry.npmjs.org/ (default)",
            "L39 tarball-dep@0.0.1 url https://cdn.example.com/builds/tarball-dep-latest.tgz",
            "L43 vendored@2.0.0 path vendor/vendored-2.0.0.tgz",
            "L47 inner@1.0.0 unknown",
            "L51 @acme/ui@0.1.0 workspace",
        ],
    );
    assert!(p.packages[2].flags.dev);
    assert!(p.packages[7].flags.bundled);
    // The `resolved` field is the source span.
    let s = p.packages[1].source_span.map_or(0, |s| s.start);
    assert_eq!(f.line_col(s).line, 19);
    let (f, p) = load("npm/v2/npm-shrinkwrap.json", None);
    assert_lines(
        &summary(&f, &p.packages),
        &["L11 semver@7.6.0 registry https://registry.npmjs.org/ (default)"],
    );
}

#[test]
fn npm_truncated_keeps_entries_before() {
    let (f, p) = load(
        "npm/corrupt/package-lock.json",
        Some(tollgate_model::FileKind::NpmLock),
    );
    assert_eq!(diagnostic_lines(&p), [30]);
    assert_lines(
        &summary(&f, &p.packages),
        &[
            "L13 @acme/ui@- workspace",
            "L17 @corp/secret@3.1.0 registry https://npm.corp.example.com/",
            "L22 lodash@4.17.21 registry https://registry.npmjs.org/ (default)",
        ],
    );
}

#[test]
fn requirements_options_continuations_vcs() {
    let (f, p) = load("requirements/requirements.txt", None);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let corp = "registry https://pypi.corp.example.com/simple";
    assert_lines(
        &summary(&f, &p.packages),
        &[
            &format!("L8 attrs@21.2.0 {corp}"),
            &format!("L11 requests@- {corp}"),
            &format!("L12 tomli@2.0.1 {corp}"),
            "L13 acme-tool@- git https://github.com/acme/tool.git rev=v1.2.0 commit=-",
            "L14 mylib@- git ssh://git@github.com/acme/mylib.git rev=- commit=0123456789abcdef0123456789abcdef01234567",
            "L15 wheelpkg@0.3.1 url https://files.example.com/wheelpkg-0.3.1-py3-none-any.whl",
            "L16 ./packages/local@- path ./packages/local",
            "L17 ./vendor/thing-1.0.tar.gz@- path ./vendor/thing-1.0.tar.gz",
            &format!("L18 numpy@1.26.4 {corp}"),
        ],
    );
    let attrs = &p.packages[0];
    assert_eq!(
        attrs.integrity.as_ref().map(|i| i.algorithm.as_str()),
        Some("sha256")
    );
    assert_eq!(f.line_col(attrs.span.end).line, 10);
    assert_eq!(
        p.packages[1].markers.as_deref(),
        Some("python_version < \"3.11\"")
    );
    assert!(p.packages[6].flags.editable);
    let inc: Vec<_> = p
        .includes
        .iter()
        .map(|i| (i.kind, i.path.as_str()))
        .collect();
    assert_eq!(
        inc,
        [
            (IncludeKind::Requirements, "base.txt"),
            (IncludeKind::Constraints, "constraints.txt")
        ]
    );
    let roles: Vec<_> = p
        .sources
        .iter()
        .map(|s| (s.role.clone(), s.insecure))
        .collect();
    assert_eq!(
        roles,
        [
            (SourceRole::Default, true),
            (SourceRole::Extra, false),
            (SourceRole::Setting, true)
        ]
    );
    let (f, p) = load("requirements/constraints.txt", None);
    assert_lines(
        &summary(&f, &p.packages),
        &["L3 urllib3@2.2.1 path ./wheels"],
    );
}

#[test]
fn requirements_invalid_line() {
    let (f, p) = load(
        "requirements/corrupt.txt",
        Some(tollgate_model::FileKind::Requirements),
    );
    assert_eq!(diagnostic_lines(&p), [2]);
    assert_eq!(summary(&f, &p.packages).len(), 2);
}

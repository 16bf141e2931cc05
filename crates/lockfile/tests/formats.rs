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
        f.line_col(serde.source_span.map_or(0, |s| s.start())).line as usize,
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
    let s = p.packages[1].source_span.map_or(0, |s| s.start());
    assert_eq!(f.line_col(s).line as usize, 19);
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
    assert_eq!(f.line_col(attrs.span.end()).line as usize, 10);
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

const NPMJS: &str = "registry https://registry.npmjs.org/ (default)";
const YARNPKG: &str = "registry https://registry.yarnpkg.com/ (default)";
const C0: &str = "0123456789abcdef0123456789abcdef01234567";

#[test]
fn yarn_classic_specifiers_git_alias_file() {
    let (f, p) = load("yarn/classic/yarn.lock", None);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(p.format_version.as_deref(), Some("1"));
    assert_lines(
        &summary(&f, &p.packages),
        &[
            &format!("L5 @babel/code-frame@7.10.4 {YARNPKG}"),
            "L12 left-pad@1.3.0 registry https://npm.corp.example.com/",
            &format!("L16 my-fork@2.0.0 git https://github.com/acme/my-fork rev=- commit={C0}"),
            "L20 other-fork@0.5.0 git https://github.com/acme/other.git rev=- commit=89abcdef0123456789abcdef0123456789abcdef",
            &format!("L24 string-width@4.2.3 as string-width-cjs {YARNPKG}"),
            "L29 local-thing@0.0.1 path ./vendor/local-thing",
        ],
    );
    // The sha1 in the `resolved` fragment counts as integrity when `integrity` is absent.
    assert_eq!(
        p.packages[1]
            .integrity
            .as_ref()
            .map(|i| i.algorithm.as_str()),
        Some("sha1")
    );
    assert_eq!(
        p.packages[0]
            .integrity
            .as_ref()
            .map(|i| i.algorithm.as_str()),
        Some("sha512")
    );
    assert_eq!(
        f.line_col(p.packages[0].source_span.map_or(0, |s| s.start()))
            .line,
        7
    );
}

#[test]
fn yarn_berry_protocols() {
    let (f, p) = load("yarn/berry/yarn.lock", None);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(p.format_version.as_deref(), Some("8"));
    assert_lines(
        &summary(&f, &p.packages),
        &[
            "L8 @acme/app@0.0.0-use.local workspace",
            &format!("L16 fork@1.0.0 git https://github.com/acme/fork.git rev=- commit={C0}"),
            "L22 local@0.0.0-use.local path ./local",
            &format!("L28 lodash@4.17.21 {NPMJS}"),
            &format!("L35 resolve@1.22.8 {NPMJS}"),
            &format!("L42 wrap-ansi@7.0.0 as wrap-ansi-cjs {NPMJS}"),
        ],
    );
    assert!(p.packages[3].integrity.is_some());
    assert_eq!(
        f.line_col(p.packages[4].source_span.map_or(0, |s| s.start()))
            .line,
        37
    );
}

#[test]
fn pnpm_v5_v6_v9() {
    let (f, p) = load("pnpm/v5/pnpm-lock.yaml", None);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_lines(
        &summary(&f, &p.packages),
        &[
            &format!("L15 @babel/core@7.22.0 {NPMJS}"),
            &format!("L20 left-pad@1.3.0 {NPMJS}"),
            &format!("L25 fork@1.0.0 git https://github.com/acme/fork rev=- commit={C0}"),
        ],
    );
    assert!(p.packages[1].flags.dev);
    let (f, p) = load("pnpm/v6/pnpm-lock.yaml", None);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(p.format_version.as_deref(), Some("6.0"));
    assert_lines(
        &summary(&f, &p.packages),
        &[
            &format!("L14 react-dom@18.2.0 {NPMJS}"),
            &format!("L22 react@18.2.0 {NPMJS}"),
            "L27 @corp/internal@2.0.0 registry https://npm.corp.example.com/",
        ],
    );
    let (f, p) = load("pnpm/v9/pnpm-lock.yaml", None);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_lines(
        &summary(&f, &p.packages),
        &[
            &format!("L11 @pnpm/exe@9.0.0 {NPMJS}"),
            "L34 is-odd@3.0.1 url https://example.com/tarballs/is-odd-3.0.1.tgz",
            &format!("L38 kleur@4.1.5 {NPMJS}"),
            &format!("L42 tool@1.2.0 git https://github.com/acme/tool.git rev=- commit={C0}"),
            "L46 local-dir@0.1.0 path ../local-dir",
        ],
    );
}

#[test]
fn pnpm_truncated_keeps_entries_before() {
    let (f, p) = load("corrupt/pnpm-lock.yaml", None);
    assert_eq!(diagnostic_lines(&p).len(), 1);
    assert!(diagnostic_lines(&p)[0] >= 43, "{:?}", p.diagnostics);
    assert_lines(
        &summary(&f, &p.packages),
        &[
            &format!("L11 @pnpm/exe@9.0.0 {NPMJS}"),
            "L34 is-odd@3.0.1 url https://example.com/tarballs/is-odd-3.0.1.tgz",
            &format!("L38 kleur@4.1.5 {NPMJS}"),
        ],
    );
}

const GOPROXY: &str = "registry https://proxy.golang.org (default)";

#[test]
fn go_mod_require_replace_toolchain() {
    let (f, p) = load("go/go.mod", None);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(p.format_version.as_deref(), Some("1.22.0"));
    assert_lines(
        &summary(&f, &p.packages),
        &[
            &format!("L5 golang.org/toolchain@go1.22.4 {GOPROXY}"),
            &format!("L7 github.com/spf13/cobra@v1.8.0 {GOPROXY}"),
            &format!(
                "L10 github.com/someone/forked@v1.0.1-fix as github.com/acme/forked {GOPROXY}"
            ),
            &format!("L11 golang.org/x/text@v0.14.0 {GOPROXY}"),
            "L12 example.com/acme/shared@v0.0.0-00010101000000-000000000000 path ../shared",
            &format!("L13 github.com/quoted/mod@v0.1.0 {GOPROXY}"),
            &format!("L22 golang.org/x/crypto@v0.17.0 {GOPROXY}"),
        ],
    );
    assert!(p.packages[3].flags.indirect);
    // The replace directive is where the fork's source is decided.
    assert_eq!(
        f.line_col(p.packages[2].source_span.map_or(0, |s| s.start()))
            .line,
        18
    );
    assert_eq!(
        f.line_col(p.packages[4].source_span.map_or(0, |s| s.start()))
            .line,
        21
    );
}

#[test]
fn go_sum_and_corrupt() {
    let (f, p) = load("go/go.sum", None);
    assert_lines(
        &summary(&f, &p.packages),
        &[
            &format!("L1 github.com/spf13/cobra@v1.8.0 {GOPROXY}"),
            &format!("L3 golang.org/x/text@v0.14.0 {GOPROXY}"),
        ],
    );
    assert_eq!(
        p.packages[0]
            .integrity
            .as_ref()
            .map(|i| i.algorithm.as_str()),
        Some("h1")
    );
    let (_, p) = load("corrupt/go.sum", None);
    assert_eq!(diagnostic_lines(&p), [2]);
    assert_eq!(p.packages.len(), 1);
}

#[test]
fn gemfile_lock_sections() {
    let (f, p) = load("gem/Gemfile.lock", None);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let rg = "registry https://rubygems.org/ (default)";
    assert_lines(
        &summary(&f, &p.packages),
        &[
            &format!(
                "L6 rails@7.1.3 git https://github.com/acme/rails-fork.git rev=security-fix commit={C0}"
            ),
            "L12 billing@0.1.0 path engines/billing",
            &format!("L17 actionpack@7.1.3 {rg}"),
            &format!("L19 nokogiri@1.16.0-x86_64-linux {rg}"),
            &format!("L20 rack@3.0.9 {rg}"),
            "L25 corp-auth@2.3.0 registry https://gems.corp.example.com/",
        ],
    );
    assert!(p.packages[4].integrity.is_some());
    assert!(p.packages[2].integrity.is_none());
    assert_eq!(
        f.line_col(p.packages[5].source_span.map_or(0, |s| s.start()))
            .line,
        23
    );
}

const PYPI: &str = "registry https://pypi.org/simple (default)";

#[test]
fn poetry_sources() {
    let (f, p) = load("poetry/poetry.lock", None);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(p.format_version.as_deref(), Some("2.0"));
    assert_lines(
        &summary(&f, &p.packages),
        &[
            &format!("L3 certifi@2024.2.2 {PYPI}"),
            "L13 corp-lib@1.4.0 registry https://pypi.corp.example.com/simple",
            &format!(
                "L26 forked@0.9.0 git https://github.com/acme/forked.git rev=main commit={C0}"
            ),
            "L41 wheel-from-url@2.0.0 url https://downloads.example.com/wheel_from_url-2.0.0-py3-none-any.whl",
            "L55 sibling@0.1.0 path ../sibling",
        ],
    );
    assert!(p.packages[0].integrity.is_some());
    assert!(p.packages[4].flags.editable);
    // A source is located at the line that names it (`url = …`), not at the
    // `[package.source]` header above it.
    for (k, line) in [(1, 23), (2, 37)] {
        assert_eq!(
            f.line_col(p.packages[k].source_span.map_or(0, |s| s.start()))
                .line,
            line
        );
    }
    let (f, p) = load("corrupt/poetry.lock", None);
    assert_eq!(diagnostic_lines(&p), [31]);
    assert_lines(
        &summary(&f, &p.packages),
        &[
            &format!("L3 certifi@2024.2.2 {PYPI}"),
            "L13 corp-lib@1.4.0 registry https://pypi.corp.example.com/simple",
        ],
    );
}

#[test]
fn uv_sources() {
    let (f, p) = load("uv/uv.lock", None);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_lines(
        &summary(&f, &p.packages),
        &[
            &format!("L4 anyio@4.3.0 {PYPI}"),
            "L13 myproject@0.1.0 workspace",
            "L22 torch@2.3.0+cpu registry https://download.pytorch.org/whl/cpu",
            &format!("L30 tool@1.0.0 git https://github.com/acme/tool rev=v1.0.0 commit={C0}"),
            "L35 vendored@0.2.0 path vendor/vendored-0.2.0-py3-none-any.whl",
            "L43 zipped@3.0.0 url https://example.com/zipped-3.0.0.tar.gz",
        ],
    );
    assert!(p.packages[0].integrity.is_some());
    assert!(p.packages[1].flags.editable);
    assert_eq!(
        f.line_col(p.packages[2].source_span.map_or(0, |s| s.start()))
            .line,
        25
    );
}

#[test]
fn pipfile_indexes() {
    let (f, p) = load("pipfile/Pipfile.lock", None);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_lines(
        &summary(&f, &p.packages),
        &[
            "L24 corp-lib@1.4.0 registry http://pypi.corp.example.com/simple",
            &format!("L31 forked@- git https://github.com/acme/forked.git rev=- commit={C0}"),
            &format!("L36 requests@2.31.0 {PYPI}"),
            "L46 local@- path ./local",
        ],
    );
    assert!(p.packages[3].flags.dev);
    assert_eq!(p.sources.len(), 2);
    assert!(p.sources[1].insecure);
    assert_eq!(p.sources[1].role, SourceRole::Extra);
}

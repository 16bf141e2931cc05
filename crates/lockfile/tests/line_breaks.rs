//! Line breaks the way each consuming tool sees them: a reader finds a directive exactly
//! when the tool that reads the file would obey it, whatever characters end its lines
//! (pip's `str.splitlines()`, universal newlines, LF only), and reports it at the line and
//! column the file's line index gives.

use tollgate_lockfile::{PackageFile, SourceRole, parse};
use tollgate_model::{FileKind, LineCol, SourceFile};

fn read(name: &str, kind: FileKind, text: &str) -> (SourceFile, PackageFile) {
    let file = SourceFile::new(name, name, text);
    let parsed = parse(&file, kind);
    (file, parsed)
}

/// `(role, url, line, column)` of every configured source.
fn sources(file: &SourceFile, p: &PackageFile) -> Vec<(SourceRole, String, usize, usize)> {
    p.sources
        .iter()
        .map(|s| {
            let at = file.line_col(s.span.start());
            (
                s.role.clone(),
                s.url.clone(),
                at.line as usize,
                at.column as usize,
            )
        })
        .collect()
}

fn evil_index(line: usize, column: usize) -> (SourceRole, String, usize, usize) {
    (
        SourceRole::Default,
        "https://evil.example/simple".to_owned(),
        line,
        column,
    )
}

/// pip splits requirements files with `str.splitlines()`: every one of its breaks ends the
/// requirement before `--index-url`, which pip then obeys.
#[test]
fn requirements_split_where_str_splitlines_does() {
    let lf = "requests==2.31.0\n--index-url https://evil.example/simple\n";
    let (f, p) = read("requirements.txt", FileKind::Requirements, lf);
    assert_eq!(sources(&f, &p), [evil_index(2, 1)]);
    assert_eq!(p.packages.len(), 1);
    // Breaks the line index also counts: the same line and column as with LF.
    for brk in ["\r", "\r\n"] {
        let text = lf.replacen('\n', brk, 1);
        let (f, p) = read("requirements.txt", FileKind::Requirements, &text);
        assert_eq!(sources(&f, &p), [evil_index(2, 1)], "{text:?}");
        assert_eq!(p.packages.len(), 1, "{text:?}");
        assert_eq!(p.packages[0].name, "requests");
    }
    // Breaks only pip counts: the option is still found; its position is where an editor
    // shows it, on line 1 after the 16 characters of the requirement and the break.
    for brk in [
        "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\u{85}", "\u{2028}", "\u{2029}",
    ] {
        let text = lf.replacen('\n', brk, 1);
        let (f, p) = read("requirements.txt", FileKind::Requirements, &text);
        assert_eq!(sources(&f, &p), [evil_index(1, 18)], "{text:?}");
        assert_eq!(p.packages.len(), 1, "{text:?}");
        assert_eq!(p.packages[0].version.as_deref(), Some("2.31.0"), "{text:?}");
    }
    // Not a break for Python: the unit separator stays inside the line.
    let text = lf.replacen('\n', "\x1f", 1);
    let (_, p) = read("requirements.txt", FileKind::Requirements, &text);
    assert!(p.sources.is_empty(), "{:?}", p.sources);
}

/// configparser reads pip.conf through a text-mode file (universal newlines): a lone CR
/// ends the section header, a form feed does not.
#[test]
fn pip_conf_splits_at_universal_newlines() {
    for brk in ["\n", "\r\n", "\r"] {
        let text = format!("[global]{brk}index-url = https://evil.example/simple{brk}");
        let (f, p) = read("pip.conf", FileKind::PipConf, &text);
        assert_eq!(sources(&f, &p), [evil_index(2, 1)], "{text:?}");
    }
    // `[global]\findex-url = …` is one line to configparser: a section header (its regex
    // matches `[global]` and ignores the rest), so no index is set.
    let (_, p) = read(
        "pip.conf",
        FileKind::PipConf,
        "[global]\x0cindex-url = https://evil.example/simple\n",
    );
    assert!(p.sources.is_empty(), "{:?}", p.sources);
    // A continuation line after a lone CR adds a second extra index.
    let text = "[global]\rextra-index-url = https://a.example/simple\r  https://b.example/simple\r";
    let (f, p) = read("pip.conf", FileKind::PipConf, text);
    let got = sources(&f, &p);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(
        (got[1].1.as_str(), got[1].2),
        ("https://b.example/simple", 3)
    );
}

/// npm's `ini` splits `.npmrc` at `/[\r\n]+/`.
#[test]
fn npmrc_splits_at_cr_and_lf() {
    let text = "registry=https://registry.npmjs.org/\r@acme:registry=https://npm.evil.example/\r";
    let (f, p) = read(".npmrc", FileKind::Npmrc, text);
    let got = sources(&f, &p);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1].0, SourceRole::Scoped);
    assert_eq!(
        (got[1].1.as_str(), got[1].2, got[1].3),
        ("https://npm.evil.example/", 2, 1)
    );
}

const YARN_V1: &str = "# yarn lockfile v1\n\n\"left-pad@^1.3.0\":\n  version \"1.3.0\"\n  resolved \"https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#3f8b\"\n  integrity sha512-x\n\nevil@^1.0.0:\n  version \"1.0.0\"\n  resolved \"https://evil.example/evil-1.0.0.tgz\"\n";

/// Yarn classic's tokeniser ends a line at `\n`, `\r\n` or a lone `\r`: the same entries at
/// the same lines whichever is used.
#[test]
fn yarn_v1_splits_at_universal_newlines() {
    let rows = |text: &str| {
        let (f, p) = read("yarn.lock", FileKind::YarnLock, text);
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        p.packages
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    p.version.clone(),
                    p.source.url().map(str::to_owned),
                    f.line_col(p.span.start()).line as usize,
                )
            })
            .collect::<Vec<_>>()
    };
    let lf = rows(YARN_V1);
    assert_eq!(lf.len(), 2);
    assert_eq!(lf[1].0, "evil");
    assert_eq!(lf[1].3, 8);
    for brk in ["\r\n", "\r"] {
        assert_eq!(rows(&YARN_V1.replace('\n', brk)), lf, "{brk:?}");
    }
}

/// Go ends go.mod and go.sum lines at `\n` only; a lone CR is a space, so it cannot start
/// a new requirement (Go refuses the line as malformed, and so do we).
#[test]
fn go_mod_and_go_sum_do_not_split_at_a_lone_cr() {
    let text = "module m\n\nrequire (\n\tgolang.org/x/a v1.0.0\r\tevil.example/b v1.0.0\n)\n";
    let (_, p) = read("go.mod", FileKind::GoMod, text);
    assert!(p.packages.iter().all(|p| p.name != "evil.example/b"));
    assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
    let (f, p) = read(
        "go.mod",
        FileKind::GoMod,
        &text.replace("\r", "\r\n").replace("\r\n\r\n", "\r\n"),
    );
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let evil = p
        .packages
        .iter()
        .find(|p| p.name == "evil.example/b")
        .expect("CRLF splits");
    assert_eq!(
        f.line_col(evil.span.start()),
        LineCol { line: 5, column: 1 }
    );

    let sum = "golang.org/x/a v1.0.0 h1:aaa=\revil.example/b v1.0.0 h1:bbb=\n";
    let (_, p) = read("go.sum", FileKind::GoSum, sum);
    assert!(p.packages.is_empty(), "{:?}", p.packages);
    assert_eq!(p.diagnostics.len(), 1);
}

/// Bundler splits Gemfile.lock at `\r?\n`: a lone CR does not start a new spec line.
#[test]
fn gemfile_lock_does_not_split_at_a_lone_cr() {
    let lf = "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (3.0.0)\n    evil (1.0.0)\n\nDEPENDENCIES\n  rack\n";
    let names = |text: &str| {
        let (_, p) = read("Gemfile.lock", FileKind::GemfileLock, text);
        p.packages
            .iter()
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(lf), ["rack", "evil"]);
    assert_eq!(names(&lf.replace('\n', "\r\n")), ["rack", "evil"]);
    let lone = lf.replace("(3.0.0)\n", "(3.0.0)\r");
    assert!(!names(&lone).contains(&"evil".to_owned()), "{lone:?}");
}

/// TOML allows LF and CRLF only: Cargo refuses a lockfile or config with a lone CR, and
/// the readers report one diagnostic at it.
#[test]
fn toml_files_with_a_lone_cr_are_invalid() {
    let lock = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\rsource = \"registry+https://evil.example/index\"\n";
    let (f, p) = read("Cargo.lock", FileKind::CargoLock, lock);
    assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
    let d = &p.diagnostics[0];
    assert!(d.message.contains("carriage return"), "{}", d.message);
    let at = d.location.as_ref().expect("location").start;
    // The CR ends line 5 (`version = "1.0.0"` is 17 characters).
    assert_eq!(
        at,
        LineCol {
            line: 5,
            column: 18
        }
    );
    assert!(p.packages.is_empty(), "{:?}", p.packages);
    let (_, p) = read(
        "Cargo.lock",
        FileKind::CargoLock,
        &lock.replace('\r', "\r\n"),
    );
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(p.packages.len(), 1);
    assert!(f.text().contains('\r'));

    let config = "[source.crates-io]\rreplace-with = \"evil\"\n";
    let (_, p) = read(".cargo/config.toml", FileKind::CargoConfig, config);
    assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
}

/// Yarn berry reads its YAML lockfile with js-yaml, where a lone CR is a line break: a
/// CR-only berry file is recognised as berry and gives the entries the LF one gives.
#[test]
fn yarn_berry_is_recognised_after_a_lone_cr() {
    let lf = "# This file is generated by running \"yarn install\".\n\n__metadata:\n  version: 8\n\n\"left-pad@npm:^1.3.0\":\n  version: 1.3.0\n  resolution: \"left-pad@npm:1.3.0\"\n";
    let rows = |text: &str| {
        let (f, p) = read("yarn.lock", FileKind::YarnLock, text);
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        p.packages
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    p.version.clone(),
                    f.line_col(p.span.start()),
                )
            })
            .collect::<Vec<_>>()
    };
    let want = rows(lf);
    assert_eq!(want.len(), 1);
    assert_eq!(want[0].2.line, 6);
    assert_eq!(rows(&lf.replace('\n', "\r")), want);
}

//! Every error path of the command line: tollgate's own failures (configuration, usage,
//! output) exit with 2 and one clear `error:` line on stderr, never a panic backtrace.

mod common;

use std::path::Path;

use common::{testdata, tollgate};

/// Run `tollgate` with `args` and check the contract of an error of tollgate itself: exit
/// code 2, nothing on stdout, exactly one `error:` line on stderr that mentions `needle`,
/// and no panic. Returns stderr for further checks.
fn fails_cleanly(args: &[&std::ffi::OsStr], needle: &str) -> String {
    let out = tollgate().args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let what = format!("{args:?}\nstderr:\n{stderr}");
    assert_eq!(out.status.code(), Some(2), "{what}");
    assert!(!stderr.contains("panicked"), "{what}");
    assert!(!stderr.contains("RUST_BACKTRACE"), "{what}");
    assert!(out.stdout.is_empty(), "no report on an error: {what}");
    let error_lines = stderr.lines().filter(|l| l.starts_with("error:")).count();
    assert_eq!(error_lines, 1, "one error message: {what}");
    assert!(stderr.contains(needle), "mentions `{needle}`: {what}");
    stderr
}

fn os(s: &str) -> &std::ffi::OsStr {
    s.as_ref()
}

fn p(path: &Path) -> &std::ffi::OsStr {
    path.as_os_str()
}

#[test]
fn missing_config_file() {
    let demo = testdata("demo");
    let stderr = fails_cleanly(
        &[
            os("check"),
            os("--config"),
            os("/nonexistent/tollgate.toml"),
            p(&demo),
        ],
        "invalid configuration",
    );
    assert!(stderr.contains("/nonexistent/tollgate.toml"), "{stderr}");
    assert!(stderr.contains("cannot read configuration"), "{stderr}");
}

#[test]
fn config_path_is_a_directory() {
    let dir = tempfile::tempdir().expect("tmp");
    let demo = testdata("demo");
    let stderr = fails_cleanly(
        &[os("check"), os("--config"), p(dir.path()), p(&demo)],
        "invalid configuration",
    );
    assert!(stderr.contains("cannot read configuration"), "{stderr}");
}

/// A configuration file the process may not read. As root, permission bits do not stop a
/// read, so this part is skipped there (the missing-file case above covers the same path).
#[test]
fn config_without_read_permission() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tmp");
    let config = dir.path().join("tollgate.toml");
    std::fs::write(&config, "").expect("write");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&config).is_ok() {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("skipped: running as root, chmod 000 does not block reading");
        }
        return;
    }
    let demo = testdata("demo");
    let stderr = fails_cleanly(
        &[os("check"), os("--config"), p(&config), p(&demo)],
        "invalid configuration",
    );
    assert!(stderr.contains("Permission denied"), "{stderr}");
}

#[test]
fn config_that_is_not_toml() {
    let dir = tempfile::tempdir().expect("tmp");
    let config = dir.path().join("tollgate.toml");
    std::fs::write(&config, b"[rules\n\xff\xfe").expect("write");
    let demo = testdata("demo");
    fails_cleanly(
        &[os("check"), os("--config"), p(&config), p(&demo)],
        "invalid configuration",
    );
}

#[test]
fn unknown_rule_in_select_and_ignore() {
    let demo = testdata("demo");
    for flag in ["--select", "--ignore"] {
        fails_cleanly(
            &[os("check"), os(flag), os("no-such-rule"), p(&demo)],
            "unknown rule `no-such-rule`",
        );
    }
    // One bad name among good ones is still an error.
    fails_cleanly(
        &[os("check"), os("--select"), os("pinning,nope"), p(&demo)],
        "unknown rule `nope`",
    );
}

#[test]
fn unknown_rule_in_explain() {
    fails_cleanly(&[os("explain"), os("no-such-rule")], "unknown rule");
}

#[test]
fn bad_format() {
    let demo = testdata("demo");
    fails_cleanly(
        &[os("check"), os("--format"), os("xml"), p(&demo)],
        "invalid value 'xml'",
    );
    fails_cleanly(&[os("rules"), os("--format"), os("yaml")], "invalid value");
}

#[test]
fn unknown_subcommand_and_flag() {
    fails_cleanly(&[os("frobnicate")], "unrecognized subcommand");
    fails_cleanly(&[os("check"), os("--no-such-flag")], "unexpected argument");
}

#[test]
fn output_in_a_missing_directory() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("missing/dir/out.json");
    let demo = testdata("demo");
    for format in ["json", "sarif", "human", "github"] {
        fails_cleanly(
            &[
                os("check"),
                os("--format"),
                os(format),
                os("--output"),
                p(&out),
                p(&demo),
            ],
            "cannot write output",
        );
    }
    assert!(!out.exists());
}

#[test]
fn output_path_is_a_directory() {
    let dir = tempfile::tempdir().expect("tmp");
    let demo = testdata("demo");
    let stderr = fails_cleanly(
        &[
            os("check"),
            os("--format"),
            os("sarif"),
            os("-o"),
            p(dir.path()),
            p(&demo),
        ],
        "cannot write output",
    );
    assert!(
        stderr.contains(&dir.path().display().to_string()),
        "{stderr}"
    );
}

#[test]
fn config_init_into_a_missing_directory_or_over_a_file() {
    let dir = tempfile::tempdir().expect("tmp");
    fails_cleanly(
        &[
            os("config"),
            os("--init"),
            os("-o"),
            p(&dir.path().join("missing/tollgate.toml")),
        ],
        "cannot write output",
    );
    let existing = dir.path().join("tollgate.toml");
    std::fs::write(&existing, "# mine\n").expect("write");
    fails_cleanly(
        &[os("config"), os("--init"), os("-o"), p(&existing)],
        "pass --force",
    );
    assert_eq!(
        std::fs::read_to_string(&existing).expect("read"),
        "# mine\n",
        "not overwritten"
    );
}

#[test]
fn repository_that_is_not_owner_slash_name() {
    let demo = testdata("demo");
    for bad in ["widget", "a/b/c", "", "a/.."] {
        fails_cleanly(
            &[os("check"), os("--repository"), os(bad), p(&demo)],
            "expected OWNER/NAME",
        );
    }
}

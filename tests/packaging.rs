//! Packaging: the wheel's metadata, the wheel-based pre-commit hook kept in step with the
//! source hook, and the Action's install, cache-key and check scripts run for real on a
//! locally built release archive (no network: the download is a `file://` URL).
//!
//! The wheel itself is built, installed and run by `.ci/wheel-test.sh` in CI.
#![allow(clippy::print_stderr)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::root;

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The workspace version from the root Cargo.toml.
fn version() -> String {
    let cargo = read("Cargo.toml");
    let start = cargo
        .find("[workspace.package]")
        .expect("workspace.package");
    cargo[start..]
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("version")
        .to_owned()
}

/// The value of `key:` in the block of hook `id` (a `- id:` at the start of a line, not
/// in a comment) of a hooks file.
fn hook_field(hooks: &str, id: &str, key: &str) -> String {
    let start = hooks
        .find(&format!("\n- id: {id}\n"))
        .unwrap_or_else(|| panic!("hook {id}"))
        + 1;
    hooks[start..]
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("- id:"))
        .find_map(|l| l.trim().strip_prefix(&format!("{key}: ")))
        .unwrap_or_else(|| panic!("{id}: {key}"))
        .to_owned()
}

#[test]
fn the_wheel_and_the_hooks_agree_with_the_crate() {
    let v = version();
    let pyproject = read("pyproject.toml");
    assert!(pyproject.contains("name = \"tollgate-cli\""));
    assert!(pyproject.contains("bindings = \"bin\""));
    assert!(
        pyproject.contains("dynamic = [\"version\"]"),
        "the version comes from Cargo"
    );

    let mirror = read("packaging/pre-commit/pyproject.toml");
    assert!(
        mirror.contains(&format!("version = \"{v}\"")),
        "mirror version"
    );
    assert!(
        mirror.contains(&format!("dependencies = [\"tollgate-cli=={v}\"]")),
        "the mirror installs this version's wheel"
    );

    let source = read(".pre-commit-hooks.yaml");
    let wheel = read("packaging/pre-commit/.pre-commit-hooks.yaml");
    assert_eq!(hook_field(&wheel, "tollgate", "language"), "python");
    for id in ["tollgate-source", "tollgate"] {
        assert_eq!(hook_field(&source, id, "language"), "rust");
        for key in ["entry", "files", "pass_filenames", "require_serial"] {
            assert_eq!(
                hook_field(&source, id, key),
                hook_field(&wheel, "tollgate", key),
                "{id}: {key} differs between the source and the wheel hooks"
            );
        }
    }
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .expect("hash")
        .to_owned()
}

/// A copy of the action's scripts whose checksums.txt lists `entries`.
fn action_copy(dir: &Path, entries: &str) -> PathBuf {
    let action = dir.join("action");
    std::fs::create_dir_all(&action).expect("mkdir");
    for f in ["install.sh", "source-key.sh", "check.sh", "version.txt"] {
        std::fs::copy(root().join("action").join(f), action.join(f)).expect("copy");
    }
    std::fs::write(action.join("checksums.txt"), entries).expect("write");
    action
}

fn install(action: &Path, base: &Path, dest: &Path) -> Output {
    Command::new("bash")
        .arg(action.join("install.sh"))
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env(
            "TOLLGATE_DOWNLOAD_BASE",
            format!("file://{}", base.display()),
        )
        .env("TOLLGATE_DEST", dest)
        .env_remove("GITHUB_OUTPUT")
        .env_remove("TOLLGATE_VERSION")
        .output()
        .expect("bash")
}

#[test]
fn the_action_installs_only_a_verified_binary() {
    if !["bash", "curl", "sha256sum", "tar"].iter().all(|t| have(t)) {
        eprintln!("skipped: bash, curl, sha256sum and tar are needed");
        return;
    }
    let v = read("action/version.txt").trim().to_owned();
    let dir = tempfile::tempdir().expect("tempdir");
    // The release archive, built here from the binary under test.
    let stage = dir.path().join("stage");
    std::fs::create_dir_all(&stage).expect("mkdir");
    std::fs::copy(env!("CARGO_BIN_EXE_tollgate"), stage.join("tollgate")).expect("copy");
    let base = dir.path().join("release");
    let tag = base.join(format!("v{v}"));
    std::fs::create_dir_all(&tag).expect("mkdir");
    let file = format!("tollgate-{v}-x86_64-unknown-linux-musl.tar.gz");
    let archive = tag.join(&file);
    let tar = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(&stage)
        .arg("tollgate")
        .status()
        .expect("tar");
    assert!(tar.success());
    let sum = sha256(&archive);

    // Verified: installed, and it runs.
    let action = action_copy(dir.path(), &format!("# comment\n{sum}  {file}\n"));
    let dest = dir.path().join("bin");
    let out = install(&action, &base, &dest);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bin = dest.join("tollgate");
    assert!(
        stdout.contains(&format!("bin={}", bin.display())),
        "{stdout}"
    );
    let ran = Command::new(&bin).arg("--version").output().expect("runs");
    assert!(String::from_utf8_lossy(&ran.stdout).contains(&v));

    // Tampered: one byte more, refused, nothing installed.
    let mut bytes = std::fs::read(&archive).expect("read");
    bytes.push(0);
    std::fs::write(&archive, bytes).expect("write");
    let dest2 = dir.path().join("bin2");
    let out = install(&action, &base, &dest2);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not match the checksum"));
    assert!(!dest2.join("tollgate").exists());
    assert!(!dest2.join(&file).exists(), "the bad archive is removed");

    // No committed checksum for the version: refused before any download.
    let action = action_copy(&dir.path().join("other"), "# none yet\n");
    let out = install(&action, &base, &dir.path().join("bin3"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("build-from-source: true"), "{err}");
}

fn source_key(tree: &Path) -> String {
    let out = Command::new("bash")
        .arg(root().join("action/source-key.sh"))
        .arg(tree)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .output()
        .expect("bash");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn the_source_cache_key_follows_the_sources() {
    if !have("bash") || !have("sha256sum") {
        eprintln!("skipped: bash and sha256sum are needed");
        return;
    }
    let action = read("action.yml");
    assert!(
        !action.contains("hashFiles"),
        "hashFiles is empty outside the workspace"
    );
    assert!(action.contains("key: ${{ steps.key.outputs.key }}"));

    let dir = tempfile::tempdir().expect("tempdir");
    let tree = |name: &str, lib: &str| {
        let t = dir.path().join(name);
        for (rel, text) in [
            ("Cargo.toml", "[package]\n"),
            ("Cargo.lock", "version = 4\n"),
            ("src/main.rs", "fn main() {}\n"),
            ("crates/a/src/lib.rs", lib),
        ] {
            common::write(&t, rel, text);
        }
        t
    };
    let a = source_key(&tree("a", "pub fn a() {}\n"));
    let same = source_key(&tree("b", "pub fn a() {}\n"));
    let changed = source_key(&tree("c", "pub fn b() {}\n"));
    assert!(a.starts_with("tollgate-source-Linux-X64-"), "{a}");
    assert_eq!(
        a, same,
        "the key depends on the contents, not the directory"
    );
    assert_ne!(a, changed, "another source, another key");
}

/// The words the check step passes to tollgate, through a stand-in binary that prints
/// its arguments one per line.
fn check_words(env: &[(&str, &str)], cwd: &Path) -> Vec<String> {
    let fake = cwd.join("fake-tollgate");
    std::fs::write(&fake, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\"\n").expect("write");
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("action/check.sh"))
        .current_dir(cwd)
        .env("TOLLGATE_BIN", "./fake-tollgate")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&fake)
        .status()
        .expect("chmod");
    let out = cmd.output().expect("bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_check_step_passes_inputs_as_words() {
    if !have("bash") {
        eprintln!("skipped: bash is needed");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a.yml"), "").expect("write");
    // SARIF goes to a file by default; github annotations to standard output.
    let sarif = check_words(&[("TOLLGATE_FORMAT", "sarif")], dir.path());
    assert!(
        sarif
            .windows(2)
            .any(|w| w == ["--output", "tollgate.sarif"])
    );
    let github = check_words(&[("TOLLGATE_FORMAT", "github")], dir.path());
    assert!(!github.iter().any(|w| w == "--output"), "{github:?}");
    // Extra flags and paths are split into words, never evaluated or globbed.
    let words = check_words(
        &[
            ("TOLLGATE_FORMAT", "human"),
            ("TOLLGATE_ARGS", "--select pinning $(touch pwned) *"),
            ("TOLLGATE_PATHS", ".github  action.yml"),
        ],
        dir.path(),
    );
    let tail: Vec<&str> = words.iter().map(String::as_str).skip(5).collect();
    assert_eq!(
        tail,
        [
            "--select",
            "pinning",
            "$(touch",
            "pwned)",
            "*",
            "--",
            ".github",
            "action.yml"
        ],
        "{words:?}"
    );
    assert!(!dir.path().join("pwned").exists());
}

#[test]
fn the_check_step_takes_a_baseline_and_a_diff_base() {
    if !have("bash") {
        eprintln!("skipped: bash is needed");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let words = check_words(
        &[("TOLLGATE_BASELINE", "ci/tollgate-baseline.json")],
        dir.path(),
    );
    assert_eq!(words[0], "check");
    assert!(
        words
            .windows(2)
            .any(|w| w == ["--baseline", "ci/tollgate-baseline.json"]),
        "{words:?}"
    );
    // A diff base turns the step into `tollgate diff BASE`: it fails on new findings, the
    // baseline does not apply, and the paths are not passed (the diff reads the repository).
    let words = check_words(
        &[
            ("TOLLGATE_DIFF_BASE", "0123abc"),
            ("TOLLGATE_BASELINE", "ci/tollgate-baseline.json"),
            ("TOLLGATE_PATHS", ".github"),
        ],
        dir.path(),
    );
    assert_eq!(
        words,
        [
            "diff",
            "--format",
            "sarif",
            "--fail-on",
            "new-findings",
            "--output",
            "tollgate.sarif",
            "--",
            "0123abc"
        ],
        "{words:?}"
    );
    // `human` becomes the Markdown comment, written to a file and to the job summary;
    // `never` fails on nothing.
    let summary = dir.path().join("summary.md");
    std::fs::write(dir.path().join("tollgate-diff.md"), "## tollgate diff\n").expect("write");
    let words = check_words(
        &[
            ("TOLLGATE_DIFF_BASE", "origin/main"),
            ("TOLLGATE_FORMAT", "human"),
            ("TOLLGATE_FAIL_LEVEL", "never"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().expect("utf-8")),
        ],
        dir.path(),
    );
    assert_eq!(
        words,
        [
            "diff",
            "--format",
            "markdown",
            "--output",
            "tollgate-diff.md",
            "--",
            "origin/main"
        ],
        "{words:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&summary).expect("summary"),
        "## tollgate diff\n"
    );
}

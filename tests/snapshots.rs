//! Snapshots of the human and GitHub outputs on a small fixture: colours off, width fixed,
//! paths relative to the scanned directory, so the text is the same on every machine.
//! Each snapshot was read line by line when it was accepted.

mod common;

use common::{testdata, tollgate};

fn run(format: &str) -> String {
    let out = tollgate()
        .args([
            "check",
            "--color",
            "never",
            "--select",
            "unpinned-action,remote-script-execution",
            "--format",
            format,
        ])
        .arg(testdata("rules/remote-script-execution/fires-pipe-sudo"))
        .output()
        .expect("runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn human_output() {
    insta::assert_snapshot!(run("human"));
}

#[test]
fn github_output() {
    insta::assert_snapshot!(run("github"));
}

//! The docs stay true: generated pages are current, README links every page of docs/, and
//! the `tollgate` commands shown in README and docs run as written.

mod common;

use std::path::{Path, PathBuf};

use common::{root, tollgate};

#[test]
fn generated_pages_are_current() {
    let dir = tempfile::tempdir().expect("tmp");
    tollgate()
        .arg("generate-docs")
        .arg(dir.path())
        .assert()
        .success();
    let mut stack = vec![dir.path().to_path_buf()];
    let mut n = 0;
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p.strip_prefix(dir.path()).expect("prefix");
            let committed =
                std::fs::read_to_string(root().join("docs").join(rel)).unwrap_or_default();
            let fresh = std::fs::read_to_string(&p).expect("read");
            assert!(
                committed == fresh,
                "docs/{} is out of date: run `cargo run -- generate-docs docs` and commit it",
                rel.display()
            );
            n += 1;
        }
    }
    assert!(n >= 4);
}

fn markdown_files() -> Vec<PathBuf> {
    let mut out = vec![root().join("README.md")];
    let mut stack = vec![root().join("docs")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn readme_links_every_doc_page() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    for page in markdown_files().iter().skip(1) {
        let rel = page
            .strip_prefix(root())
            .expect("prefix")
            .to_string_lossy()
            .replace('\\', "/");
        // Example outputs are linked from the page that explains them.
        if rel.starts_with("docs/examples/") {
            continue;
        }
        assert!(
            readme.contains(&format!("({rel})")),
            "README.md does not link {rel}"
        );
    }
}

/// `tollgate …` lines inside ```sh blocks, with the directory they are meant to run in.
fn commands(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("read");
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_sh = !in_sh && (line == "```sh" || line == "```bash" || line == "```console");
            continue;
        }
        let l = line.trim().trim_start_matches("$ ");
        if in_sh && l.starts_with("tollgate ") && !l.contains('|') && !l.contains('>') {
            out.push(l.split(" #").next().unwrap_or(l).trim().to_owned());
        }
    }
    out
}

#[test]
fn documented_commands_run_as_written() {
    let mut ran = 0;
    for page in markdown_files() {
        for cmd in commands(&page) {
            // Each command runs in a fresh copy of the demo repository, which stands for
            // "your repository" (some commands write files, such as `tollgate config --init`).
            let dir = tempfile::tempdir().expect("tmp");
            common::copy_dir(&root().join("testdata/demo"), dir.path());
            let words: Vec<&str> = cmd.split_whitespace().skip(1).collect();
            let out = tollgate()
                .current_dir(dir.path())
                .args(&words)
                .output()
                .expect("runs");
            let code = out.status.code();
            assert!(
                matches!(code, Some(0 | 1)),
                "{}: `{cmd}` exited {code:?}: {}",
                page.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran > 0, "no documented command found");
}

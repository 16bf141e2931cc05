//! Compares the fast YAML parser with saphyr's path on every `*.yml`/`*.yaml` under the
//! directories given: how many files and bytes the fast parser takes, and every file where
//! the two disagree. `FAST_DECLINED=1` lists the files it declines.
//! `cargo run --release -p tollgate-yaml --example yaml_check -- DIR…`

#![allow(clippy::print_stdout)]

use std::path::Path;

use tollgate_model::SourceFile;
use tollgate_yaml::{Options, fast_check};

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let Ok(t) = e.file_type() else { continue };
        if t.is_dir() {
            walk(&p, out);
        } else if t.is_file() && p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            out.push(p);
        }
    }
}

fn main() {
    let mut files = Vec::new();
    for d in std::env::args().skip(1) {
        walk(Path::new(&d), &mut files);
    }
    files.sort();
    let list = std::env::var_os("FAST_DECLINED").is_some();
    let (mut taken, mut taken_bytes, mut all_bytes, mut bad) = (0, 0, 0, 0);
    for p in &files {
        let Ok(text) = std::fs::read_to_string(p) else {
            continue;
        };
        all_bytes += text.len();
        let name = p.display().to_string();
        let f = SourceFile::new(name.as_str(), p.as_path(), text.as_str());
        match fast_check(&f, Options::default()) {
            None => {
                if list {
                    println!("declined {name} ({} bytes)", text.len());
                }
            }
            Some(Ok(())) => {
                taken += 1;
                taken_bytes += text.len();
            }
            Some(Err(e)) => {
                bad += 1;
                println!("DISAGREE {name}\n{e}\n");
            }
        }
    }
    println!(
        "{} files, {all_bytes} bytes; fast parser took {taken} files, {taken_bytes} bytes ({:.1} %); {bad} disagree",
        files.len(),
        100.0 * taken_bytes as f64 / all_bytes.max(1) as f64
    );
}

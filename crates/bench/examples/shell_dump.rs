//! Every script file of a directory (`*.sh`, sorted by name) analysed as bash, one JSON
//! line each: for comparing the shell stage's answers before and after a change to it.
//! `cargo run --release -p tollgate-bench --example shell_dump -- DIR > out.jsonl`

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;

use tollgate_shell::Analyzer;

fn main() -> std::io::Result<()> {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: shell_dump DIR");
        std::process::exit(2);
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .collect();
    files.sort();
    let mut analyzer = Analyzer::new();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for f in files {
        let Ok(script) = std::fs::read_to_string(&f) else {
            continue;
        };
        let a = analyzer.analyze(&script);
        let json = serde_json::to_string(&a).map_err(std::io::Error::other)?;
        writeln!(out, "{}\t{json}", f.display())?;
    }
    out.flush()
}

//! Parse every lockfile and registry config under a directory (default: the shared corpus)
//! and print packages by ecosystem and by source kind, diagnostics, and parse throughput.
//!
//! `cargo run --release -p tollgate-lockfile --example corpus_stats [DIR]`

#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use tollgate_lockfile::parse;
use tollgate_model::{FileKind, SourceFile};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let root = std::env::args().nth(1).map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/corpus"
            ))
        },
        PathBuf::from,
    );
    let mut paths = Vec::new();
    walk(&root, &mut paths);
    let mut files = Vec::new();
    for p in paths {
        let rel = p
            .strip_prefix(&root)
            .unwrap_or(&p)
            .to_string_lossy()
            .replace('\\', "/");
        let Some(kind) = FileKind::classify(&rel) else {
            continue;
        };
        if !(kind.is_lockfile() || kind.is_registry_config()) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        files.push((SourceFile::new(rel, &p, text), kind));
    }
    let bytes: usize = files.iter().map(|(f, _)| f.text().len()).sum();
    // Warm up once, then time several rounds for a stable figure.
    let rounds = 5;
    let mut results = Vec::new();
    let start = Instant::now();
    for round in 0..rounds {
        for (f, k) in &files {
            let parsed = parse(f, *k);
            if round == 0 {
                results.push(parsed);
            }
        }
    }
    let secs = start.elapsed().as_secs_f64() / f64::from(rounds);
    let mut by_eco: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_kind: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut by_format: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut sources = 0;
    for ((f, k), r) in files.iter().zip(&results) {
        let e = by_format.entry(k.as_str()).or_default();
        e.0 += 1;
        e.1 += r.packages.len();
        sources += r.sources.len();
        for p in &r.packages {
            *by_eco.entry(p.ecosystem.as_str()).or_default() += 1;
            let default = match &p.source {
                tollgate_lockfile::Source::Registry { default: true, .. } => "registry (default)",
                s => s.kind().as_str(),
            };
            *by_kind.entry((p.ecosystem.as_str(), default)).or_default() += 1;
        }
        for d in &r.diagnostics {
            let line = d.location.as_ref().map_or(0, |l| l.start.line);
            println!(
                "diagnostic {}:{line}: {:?} {}",
                f.display, d.code, d.message
            );
        }
    }
    println!(
        "files: {}  bytes: {}  configured sources: {sources}",
        files.len(),
        bytes
    );
    println!("by format (files, packages):");
    for (k, (n, p)) in &by_format {
        println!("  {k:<14} {n:>4} {p:>7}");
    }
    println!("packages by ecosystem:");
    for (k, n) in &by_eco {
        println!("  {k:<10} {n:>7}");
    }
    println!("packages by ecosystem and source kind:");
    for ((e, k), n) in &by_kind {
        println!("  {e:<10} {k:<20} {n:>7}");
    }
    println!(
        "parse time per round: {:.1} ms, throughput: {:.1} MB/s (single thread)",
        secs * 1e3,
        bytes as f64 / 1e6 / secs
    );
}

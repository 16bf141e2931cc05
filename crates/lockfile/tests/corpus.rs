//! Every lockfile and registry configuration in the shared corpus parses without syntax
//! diagnostics (the corpus's deliberately broken fixtures excepted), and every lockfile format
//! present yields packages, whatever repositories the corpus holds.
//! Skipped when the corpus is not present.

#![allow(clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tollgate_lockfile::parse;
use tollgate_model::{DiagnosticCode, FileKind, SourceFile};

/// Files in the corpus that are broken on purpose (poetry's own test fixtures).
const KNOWN_INVALID: &[&str] = &["python-poetry__poetry/tests/fixtures/invalid_lock/poetry.lock"];

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn corpus_parses() {
    let root = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ));
    if !root.is_dir() {
        eprintln!("corpus not present at {}; skipped", root.display());
        return;
    }
    let mut paths = Vec::new();
    walk(root, &mut paths);
    paths.sort();
    let mut files = 0;
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    let mut sources: BTreeMap<&str, usize> = BTreeMap::new();
    for p in paths {
        let rel = p
            .strip_prefix(root)
            .unwrap_or(&p)
            .to_string_lossy()
            .replace('\\', "/");
        let Some(kind) = FileKind::classify(&rel) else {
            continue;
        };
        if !(kind.is_lockfile() || kind.is_registry_config()) {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let file = SourceFile::new(rel.clone(), &p, text);
        let parsed = parse(&file, kind);
        files += 1;
        // Registry configuration files name sources, not packages (a `.cargo/config.toml`
        // may set only build flags): only lockfile formats must yield packages.
        if kind.is_lockfile() {
            *by_kind.entry(kind.as_str()).or_default() += parsed.packages.len();
        } else {
            *sources.entry(kind.as_str()).or_default() += parsed.sources.len();
        }
        let syntax: Vec<_> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.code == DiagnosticCode::Syntax)
            .collect();
        if KNOWN_INVALID.contains(&rel.as_str()) {
            assert_eq!(
                syntax.len(),
                1,
                "{rel}: the broken fixture gives exactly one diagnostic"
            );
            continue;
        }
        assert!(syntax.is_empty(), "{rel}: {syntax:?}");
        assert!(
            parsed
                .diagnostics
                .iter()
                .all(|d| d.code != DiagnosticCode::NotAnalysed),
            "{rel}: not analysed"
        );
        // Every entry's span starts inside the file and on a line that names the package
        // or opens its entry.
        for pkg in &parsed.packages {
            assert!(
                pkg.span.start() <= pkg.span.end() && pkg.span.end() <= file.text().len(),
                "{rel}: {pkg:?}"
            );
        }
    }
    eprintln!(
        "corpus: {files} files, packages by lockfile format: {by_kind:?}, sources by configuration format: {sources:?}"
    );
    assert!(files > 50, "corpus has lockfiles");
    // Every lockfile format present in the corpus yields packages.
    for (k, n) in &by_kind {
        assert!(*n > 0, "{k}: no packages");
    }
}

//! Every fixture cut at every byte parses without panicking and with at most one
//! diagnostic: a truncated lockfile is reported once, never aborts the run.

mod common;

use common::fixture_dir;
use tollgate_lockfile::parse;
use tollgate_model::{FileKind, SourceFile};

fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
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
fn every_prefix_of_every_fixture() {
    let root = fixture_dir();
    let mut paths = Vec::new();
    walk(&root, &mut paths);
    paths.sort();
    let mut checked = 0;
    for p in paths {
        let rel = p
            .strip_prefix(&root)
            .unwrap_or(&p)
            .to_string_lossy()
            .replace('\\', "/");
        let kind = FileKind::classify(&rel).or_else(|| match rel.as_str() {
            r if r.starts_with("cargo/") => Some(FileKind::CargoLock),
            r if r.starts_with("npm/") => Some(FileKind::NpmLock),
            r if r.starts_with("requirements/") => Some(FileKind::Requirements),
            _ => None,
        });
        let Some(kind) = kind else { continue };
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        for cut in (0..=text.len()).filter(|i| text.is_char_boundary(*i)) {
            let file = SourceFile::new(rel.clone(), &p, &text[..cut]);
            let parsed = parse(&file, kind);
            assert!(
                parsed.diagnostics.len() <= 1,
                "{rel} cut at {cut}: {:?}",
                parsed.diagnostics
            );
            checked += 1;
        }
    }
    assert!(checked > 1000);
}

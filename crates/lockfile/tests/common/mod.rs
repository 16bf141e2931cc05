//! Helpers shared by the fixture tests: load a fixture, summarise packages one per line.

#![allow(dead_code)]

use tollgate_lockfile::{Package, PackageFile, Source, parse};
use tollgate_model::{FileKind, SourceFile};

pub fn fixture_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/lockfile")
}

/// Load `testdata/lockfile/<rel>`, classify it by its name unless `kind` is given, parse it.
pub fn load(rel: &str, kind: Option<FileKind>) -> (SourceFile, PackageFile) {
    let path = fixture_dir().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let kind = kind
        .or_else(|| FileKind::classify(rel))
        .unwrap_or_else(|| panic!("{rel}: unclassified"));
    let file = SourceFile::new(rel, &path, text);
    let parsed = parse(&file, kind);
    (file, parsed)
}

/// `L<line> name@version <source>` for each package, the form the expectations use.
pub fn summary(file: &SourceFile, packages: &[Package]) -> Vec<String> {
    packages.iter().map(|p| summarise(file, p)).collect()
}

pub fn summarise(file: &SourceFile, p: &Package) -> String {
    let line = file.line_col(p.span.start()).line;
    let version = p.version.as_deref().unwrap_or("-");
    let source = match &p.source {
        Source::Registry { url, default } => {
            format!("registry {url}{}", if *default { " (default)" } else { "" })
        }
        Source::Git { url, rev, commit } => format!(
            "git {url} rev={} commit={}",
            rev.as_deref().unwrap_or("-"),
            commit.as_deref().unwrap_or("-")
        ),
        Source::Url { url } => format!("url {url}"),
        Source::Path { path } => format!("path {path}"),
        Source::Workspace => "workspace".to_owned(),
        Source::Unknown => "unknown".to_owned(),
    };
    let alias = p
        .alias
        .as_deref()
        .map(|a| format!(" as {a}"))
        .unwrap_or_default();
    format!("L{line} {}@{version}{alias} {source}", p.name)
}

/// The 1-based line of each diagnostic.
pub fn diagnostic_lines(parsed: &PackageFile) -> Vec<usize> {
    parsed
        .diagnostics
        .iter()
        .filter_map(|d| d.location.as_ref().map(|l| l.start.line as usize))
        .collect()
}

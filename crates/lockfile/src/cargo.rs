//! `Cargo.lock` (versions 1 to 4), read line by line.
//!
//! Cargo writes its lockfile in a fixed TOML subset: `[[package]]` headers at column 0,
//! one `key = "string"` per line and `dependencies = [ … ]` arrays one item per line. A line
//! scanner keeps the exact line of each entry, needs no DOM, and when a file is corrupt it
//! still returns every entry before the bad line: the `toml` crate's spanned tables
//! (`toml::Spanned`) would give positions too, but a parse error loses the whole file, and
//! `cargo-lock` keeps no positions. Anything outside the subset that is still valid TOML
//! (inline tables, single quotes) is accepted and ignored; anything invalid ends the scan
//! with one diagnostic.

use std::collections::HashMap;

use tollgate_model::{Diagnostic, DiagnosticCode, SourceFile, Span};

use crate::lines::{lf_lines, lone_cr, quoted, sub_span};
use crate::model::{Ecosystem, Integrity, Package, PackageFile, Source};
use crate::registry::registry_source;

#[derive(PartialEq, Eq)]
enum Section {
    Top,
    Package,
    /// v1 `[metadata]`: `"checksum name version (source)" = "hash"`.
    Metadata,
    /// Tables we do not read (`[[patch.unused]]`, future additions).
    Other,
}

pub(crate) fn parse(file: &SourceFile) -> PackageFile {
    let text = file.text();
    let mut out = PackageFile::default();
    let mut section = Section::Top;
    let mut current: Option<Package> = None;
    let mut in_array = false;
    let mut checksums: HashMap<String, String> = HashMap::new();
    let mut last_end = 0;
    let mut error: Option<(Span, String)> = None;

    // TOML ends a line at LF or CRLF; a lone CR is invalid and Cargo refuses the file, so
    // the scan stops there rather than read a line Cargo never would.
    for line in lf_lines(text) {
        if let Some(at) = lone_cr(&line) {
            error = Some((
                Span::empty(at),
                "a carriage return not followed by a line feed (invalid in TOML)".into(),
            ));
            break;
        }
        let t = line.text.trim();
        if in_array {
            // Items of `dependencies = [` are quoted strings; the array ends at `]`.
            if t.starts_with(']') {
                in_array = false;
            } else if !(t.is_empty() || t.starts_with('"') || t.starts_with('#')) {
                error = Some((
                    span_of(line.start, line.text),
                    "expected an array item or `]`".into(),
                ));
                break;
            }
            last_end = line.end();
            continue;
        }
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t.starts_with('[') {
            let Some(header) = t.split('#').next().map(str::trim) else {
                continue;
            };
            if !header.ends_with(']') {
                error = Some((
                    span_of(line.start, line.text),
                    "unterminated table header".into(),
                ));
                break;
            }
            finish(&mut out, current.take(), last_end);
            section = match header {
                "[[package]]" => {
                    current = Some(Package::new(
                        Ecosystem::Cargo,
                        String::new(),
                        Span::new(line.start, line.end()),
                    ));
                    Section::Package
                }
                "[metadata]" => Section::Metadata,
                _ => Section::Other,
            };
            last_end = line.end();
            continue;
        }
        // `key = value`
        let Some((key, value)) = split_kv(t) else {
            error = Some((
                span_of(line.start, line.text),
                "expected `key = value`".into(),
            ));
            break;
        };
        let value_str = value.trim();
        let parsed_value = if value_str.starts_with('"') {
            match quoted(value_str) {
                Some((v, rest)) if rest.trim().is_empty() || rest.trim().starts_with('#') => {
                    Some(v)
                }
                Some(_) => {
                    error = Some((
                        span_of(line.start, line.text),
                        "unexpected text after a string".into(),
                    ));
                    break;
                }
                None => {
                    error = Some((span_of(line.start, line.text), "unterminated string".into()));
                    break;
                }
            }
        } else {
            if value_str.starts_with('[') && !value_str.contains(']') {
                in_array = true;
            } else if value_str.is_empty() {
                error = Some((span_of(line.start, line.text), "missing value".into()));
                break;
            }
            None
        };
        last_end = line.end();
        match section {
            Section::Top if key == "version" => out.format_version = Some(value_str.to_owned()),
            Section::Package => {
                let (Some(pkg), Some(v)) = (current.as_mut(), parsed_value) else {
                    continue;
                };
                match key {
                    "name" => pkg.name = v.into_owned(),
                    "version" => pkg.version = Some(v.into_owned()),
                    "checksum" => pkg.integrity = Some(Integrity::new("sha256")),
                    "source" => {
                        pkg.source = cargo_source(&v);
                        pkg.source_span = Some(sub_span(line.start, line.text, line.text.trim()));
                    }
                    _ => {}
                }
            }
            Section::Metadata => {
                if let (Some(k), Some(v)) = (
                    key.strip_prefix("\"checksum ")
                        .and_then(|k| k.strip_suffix('"')),
                    parsed_value,
                ) && v != "<none>"
                {
                    checksums.insert(k.to_owned(), v.into_owned());
                }
            }
            _ => {}
        }
    }
    if in_array && error.is_none() {
        error = Some((
            Span::empty(text.len()),
            "unterminated array (unexpected end of file)".into(),
        ));
    }
    match error {
        // The entry being read when the error struck is incomplete: drop it.
        Some((span, msg)) => {
            out.diagnostics.push(Diagnostic::at(
                file,
                span,
                DiagnosticCode::Syntax,
                format!("invalid Cargo.lock: {msg}"),
            ));
        }
        None => finish(&mut out, current.take(), last_end),
    }
    if let Some(pkg) = out
        .packages
        .iter()
        .find(|p| p.name.is_empty() || p.version.is_none())
        && out.diagnostics.is_empty()
    {
        let span = Span::new(pkg.span.start(), pkg.span.start() + "[[package]]".len());
        out.diagnostics.push(Diagnostic::at(
            file,
            span,
            DiagnosticCode::Shape,
            "package entry without `name` or `version`",
        ));
    }
    out.packages.retain(|p| !p.name.is_empty());
    if out.format_version.is_none() && !out.packages.is_empty() {
        out.format_version = Some("1".into());
    }
    // v1 kept checksums in `[metadata]`, keyed by "name version (source)".
    if !checksums.is_empty() {
        for p in &mut out.packages {
            if p.integrity.is_none() {
                let key = format!(
                    "{} {} ({})",
                    p.name,
                    p.version.as_deref().unwrap_or(""),
                    raw_source(file, p.source_span)
                );
                if checksums.contains_key(&key) {
                    p.integrity = Some(Integrity::new("sha256"));
                }
            }
        }
    }
    out
}

fn span_of(start: usize, text: &str) -> Span {
    Span::new(start, start + text.len())
}

fn finish(out: &mut PackageFile, pkg: Option<Package>, end: usize) {
    if let Some(mut p) = pkg {
        p.span = p.span.with_end(end.max(p.span.end()));
        // No `source` means a path dependency or a workspace member, built from the tree.
        if p.source_span.is_none() {
            p.source = Source::Workspace;
        }
        out.packages.push(p);
    }
}

/// The source string as written (`registry+…`), from the `source = "…"` span.
fn raw_source(file: &SourceFile, span: Option<Span>) -> String {
    span.map(|s| file.slice(s))
        .and_then(|l| l.split_once('='))
        .and_then(|(_, v)| quoted(v.trim()))
        .map(|(v, _)| v.into_owned())
        .unwrap_or_default()
}

/// `key = value` with a bare or quoted key.
fn split_kv(t: &str) -> Option<(&str, &str)> {
    if let Some(inner) = t.strip_prefix('"') {
        // Quoted key (v1 metadata): find the closing quote, then `=`.
        let close = inner.find('"')? + 1;
        let (k, rest) = t.split_at(close + 1);
        let v = rest.trim_start().strip_prefix('=')?;
        return Some((k, v));
    }
    let (k, v) = t.split_once('=')?;
    let k = k.trim();
    if k.is_empty()
        || !k
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return None;
    }
    Some((k, v))
}

/// Interpret a Cargo source id: `registry+URL`, `sparse+URL`, `git+URL?rev=…#commit`.
pub(crate) fn cargo_source(s: &str) -> Source {
    if let Some(url) = s.strip_prefix("git+") {
        return git_url_with_query(url);
    }
    if s.starts_with("registry+") || s.starts_with("sparse+") {
        return registry_source(Ecosystem::Cargo, s);
    }
    if let Some(p) = s.strip_prefix("path+") {
        return Source::Path { path: p.to_owned() };
    }
    Source::Unknown
}

/// `URL?rev=…#commit` (Cargo after `git+`, uv): the query says what the manifest asked
/// for (`rev`, `tag`, `branch`), the fragment is the locked commit.
pub(crate) fn git_url_with_query(url: &str) -> Source {
    let (url, commit) = url
        .split_once('#')
        .map_or((url, None), |(u, c)| (u, Some(c.to_owned())));
    let (url, query) = url
        .split_once('?')
        .map_or((url, None), |(u, q)| (u, Some(q)));
    let rev = query.and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| matches!(*k, "rev" | "tag" | "branch"))
            .map(|(_, v)| v.to_owned())
    });
    Source::Git {
        url: url.to_owned(),
        rev,
        commit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_ids() {
        assert_eq!(
            cargo_source("git+https://github.com/a/b?branch=main#0123abcd"),
            Source::Git {
                url: "https://github.com/a/b".into(),
                rev: Some("main".into()),
                commit: Some("0123abcd".into())
            }
        );
        assert_eq!(
            cargo_source("sparse+https://index.crates.io/"),
            Source::Registry {
                url: "sparse+https://index.crates.io/".into(),
                default: true
            }
        );
        assert_eq!(
            cargo_source("registry+https://github.com/rust-lang/crates.io-index"),
            Source::Registry {
                url: "https://github.com/rust-lang/crates.io-index".into(),
                default: true
            }
        );
    }
}

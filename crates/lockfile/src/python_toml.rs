//! `poetry.lock` and `uv.lock`, both TOML with one `[[package]]` table per package.
//!
//! The `toml` crate's spanned document (`DeTable`) gives each array-of-tables element the
//! span of its `[[package]]` header, which is exactly the entry's first line; the entry's end
//! is the furthest value inside it. On a syntax error the crate recovers what it can; we
//! keep only packages that end before the error, so a corrupt entry is never half-read.

use std::ops::Range;

use tollgate_model::{Diagnostic, DiagnosticCode, SourceFile, Span};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::cargo::git_url_with_query;
use crate::model::{Ecosystem, Integrity, Package, PackageFile, Source};
use crate::registry::{default_source, registry_source};

type Val<'a> = Spanned<DeValue<'a>>;

fn span(r: Range<usize>) -> Span {
    Span::new(r.start, r.end)
}

fn get<'t, 'a>(t: &'t DeTable<'a>, k: &str) -> Option<&'t Val<'a>> {
    t.get(k)
}

fn get_str<'t>(t: &'t DeTable<'_>, k: &str) -> Option<&'t str> {
    get(t, k).and_then(|v| v.get_ref().as_str())
}

/// The furthest byte any value of `v` reaches.
fn max_end(v: &Val<'_>) -> usize {
    let own = v.span().end;
    match v.get_ref() {
        DeValue::Table(t) => t
            .iter()
            .map(|(k, v)| k.span().end.max(max_end(v)))
            .fold(own, usize::max),
        DeValue::Array(a) => a.iter().map(max_end).fold(own, usize::max),
        _ => own,
    }
}

/// Parse, recording one diagnostic on error; returns the (possibly partial) document and
/// the error offset.
fn parse_doc<'a>(
    file: &'a SourceFile,
    out: &mut PackageFile,
    what: &str,
) -> (Spanned<DeTable<'a>>, Option<usize>) {
    let (doc, errors) = DeTable::parse_recoverable(file.text());
    let err = errors.first().map(|e| {
        let at = e.span().map_or(0, |r| r.start);
        let message = e
            .message()
            .lines()
            .next()
            .unwrap_or("syntax error")
            .to_owned();
        out.diagnostics.push(Diagnostic::at(
            file,
            Span::empty(at),
            DiagnosticCode::Syntax,
            format!("invalid TOML in {what}: {message}"),
        ));
        at
    });
    (doc, err)
}

/// The `[[package]]` elements that lie entirely before `err`.
fn packages<'t, 'a>(
    file: &SourceFile,
    doc: &'t DeTable<'a>,
    err: Option<usize>,
) -> Vec<(&'t DeTable<'a>, Span)> {
    let Some(DeValue::Array(arr)) = get(doc, "package").map(Spanned::get_ref) else {
        return Vec::new();
    };
    let text = file.text();
    arr.iter()
        .filter_map(|e| {
            let DeValue::Table(t) = e.get_ref() else {
                return None;
            };
            let start = e.span().start;
            let end = max_end(e);
            if let Some(err) = err {
                // Complete only if another top-level table starts before the error.
                let next = next_table_header(text, end).unwrap_or(text.len());
                if next > err || start >= err {
                    return None;
                }
            }
            Some((t, Span::new(start, end)))
        })
        .collect()
}

/// The start of the next line at or after `from` that opens a table other than a
/// `[package.*]` sub-table of the current entry.
fn next_table_header(text: &str, from: usize) -> Option<usize> {
    let mut pos = from;
    while let Some(i) = text.get(pos..)?.find("\n[") {
        let at = pos + i + 1;
        if !text[at..].starts_with("[package.") {
            return Some(at);
        }
        pos = at;
    }
    None
}

fn hash_algo(v: Option<&Val<'_>>) -> Option<Integrity> {
    let h = match v?.get_ref() {
        DeValue::Table(t) => get_str(t, "hash")?,
        DeValue::String(s) => s,
        _ => return None,
    };
    h.split_once(':').map(|(a, _)| Integrity::new(a))
}

fn array_first<'t, 'a>(v: Option<&'t Val<'a>>) -> Option<&'t Val<'a>> {
    match v?.get_ref() {
        DeValue::Array(a) => a.first(),
        _ => None,
    }
}

pub(crate) fn parse_poetry(file: &SourceFile) -> PackageFile {
    let mut out = PackageFile::default();
    let (doc, err) = parse_doc(file, &mut out, "poetry.lock");
    let doc = doc.get_ref();
    // Poetry 1.0-1.4 kept hashes in `[metadata.files]`, keyed by package name.
    let meta = get(doc, "metadata").and_then(|m| match m.get_ref() {
        DeValue::Table(t) => Some(t),
        _ => None,
    });
    if let Some(m) = meta {
        out.format_version = get_str(m, "lock-version").map(str::to_owned);
    }
    let meta_files = meta
        .and_then(|m| get(m, "files"))
        .and_then(|f| match f.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        });
    for (t, entry_span) in packages(file, doc, err) {
        let name = get_str(t, "name").unwrap_or("");
        let mut p = Package::new(Ecosystem::PyPI, name, entry_span);
        p.version = get_str(t, "version").map(str::to_owned);
        p.flags.dev = get_str(t, "category") == Some("dev");
        p.integrity = hash_algo(array_first(get(t, "files")))
            .or_else(|| hash_algo(array_first(meta_files.and_then(|f| get(f, name)))));
        p.source = default_source(Ecosystem::PyPI);
        if let Some(src) = get(t, "source")
            && let DeValue::Table(s) = src.get_ref()
        {
            {
                let url = get_str(s, "url").unwrap_or("");
                // The line that names the source (`url = "…"`), else the table.
                p.source_span = Some(s.get_key_value("url").map_or_else(
                    || span(src.span()),
                    |(k, v)| Span::new(k.span().start, v.span().end),
                ));
                p.source = match get_str(s, "type").unwrap_or("") {
                    "git" => Source::Git {
                        url: url.to_owned(),
                        rev: get_str(s, "reference").map(str::to_owned),
                        commit: get_str(s, "resolved_reference").map(str::to_owned),
                    },
                    "url" => Source::Url {
                        url: url.to_owned(),
                    },
                    "file" | "directory" => Source::Path {
                        path: url.to_owned(),
                    },
                    // `legacy` is a PEP 503 simple index configured in pyproject.toml.
                    "legacy" | "" => registry_source(Ecosystem::PyPI, url),
                    _ => Source::Unknown,
                };
                p.flags.editable =
                    get(t, "develop").and_then(|d| d.get_ref().as_bool()) == Some(true);
            }
        }
        out.packages.push(p);
    }
    out
}

pub(crate) fn parse_uv(file: &SourceFile) -> PackageFile {
    let mut out = PackageFile::default();
    let (doc, err) = parse_doc(file, &mut out, "uv.lock");
    let doc = doc.get_ref();
    out.format_version = get(doc, "version").map(|v| file.slice(span(v.span())).to_owned());
    for (t, entry_span) in packages(file, doc, err) {
        let mut p = Package::new(
            Ecosystem::PyPI,
            get_str(t, "name").unwrap_or(""),
            entry_span,
        );
        p.version = get_str(t, "version").map(str::to_owned);
        p.integrity =
            hash_algo(get(t, "sdist")).or_else(|| hash_algo(array_first(get(t, "wheels"))));
        if let Some(src) = get(t, "source") {
            let key_start = t
                .get_key_value("source")
                .map_or(src.span().start, |(k, _)| k.span().start);
            p.source_span = Some(Span::new(key_start, src.span().end));
            if let DeValue::Table(s) = src.get_ref() {
                p.source = uv_source(s);
                p.flags.editable = s.get("editable").is_some();
            }
        }
        out.packages.push(p);
    }
    out
}

fn uv_source(s: &DeTable<'_>) -> Source {
    if let Some(r) = get_str(s, "registry") {
        return if r.contains("://") {
            registry_source(Ecosystem::PyPI, r)
        } else {
            // A registry may be a local directory of distributions (`--find-links ./dist`).
            Source::Path { path: r.to_owned() }
        };
    }
    if let Some(g) = get_str(s, "git") {
        // uv writes `https://host/repo?rev=…#<full commit>`, like Cargo without `git+`.
        return git_url_with_query(g);
    }
    if let Some(u) = get_str(s, "url") {
        return Source::Url { url: u.to_owned() };
    }
    // `editable` and `virtual` are the project's own workspace members.
    if s.get("editable").is_some() || s.get("virtual").is_some() {
        return Source::Workspace;
    }
    if let Some(p) = get_str(s, "path").or_else(|| get_str(s, "directory")) {
        return Source::Path { path: p.to_owned() };
    }
    Source::Unknown
}

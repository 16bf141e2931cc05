//! `Pipfile.lock` (pipenv): JSON with `_meta.sources` (the indexes) and the `default` and
//! `develop` package groups.
//!
//! A registry package names its index by `"index": "<source name>"`; without one pipenv
//! uses the first source. Git packages carry `git` and `ref` (the locked commit), local ones
//! `path`, archives `file`.

use tollgate_model::addr::is_commit_sha;
use tollgate_model::{Diagnostic, DiagnosticCode, SourceFile, Span};

use crate::json::{self, Value};
use crate::model::{
    ConfiguredSource, Ecosystem, Integrity, Package, PackageFile, Source, SourceRole,
};
use crate::registry::{default_source, registry_source};

pub(crate) fn parse(file: &SourceFile) -> PackageFile {
    let mut out = PackageFile::default();
    let (root, err) = json::parse(file.text());
    if let Some(root) = &root {
        let meta = root.get("_meta");
        if let Some(v) = meta.and_then(|m| m.get("pipfile-spec")) {
            out.format_version = Some(file.slice(v.span).to_owned());
        }
        if let Some(Value::Array(sources)) = meta.and_then(|m| m.get("sources")).map(|s| &s.value) {
            for (i, s) in sources.iter().enumerate() {
                if !s.complete {
                    continue;
                }
                let role = if i == 0 {
                    SourceRole::Default
                } else {
                    SourceRole::Extra
                };
                let mut c = ConfiguredSource::new(
                    Ecosystem::PyPI,
                    s.str("url").unwrap_or(""),
                    role,
                    s.span,
                );
                c.name = s.str("name").map(str::to_owned);
                if matches!(
                    s.get("verify_ssl").map(|v| &v.value),
                    Some(Value::Bool(false))
                ) {
                    c.insecure = true;
                }
                out.sources.push(c);
            }
        }
        for group in ["default", "develop"] {
            let Some(g) = root.get(group) else { continue };
            for (key, entry) in g.entries().unwrap_or_default() {
                if !entry.complete {
                    continue;
                }
                let mut p = Package::new(
                    Ecosystem::PyPI,
                    key.text.as_ref(),
                    Span::new(key.span.start(), entry.span.end()),
                );
                p.flags.dev = group == "develop";
                p.flags.editable = entry.bool("editable");
                p.markers = entry.str("markers").map(str::to_owned);
                p.version = entry
                    .str("version")
                    .map(|v| v.trim_start_matches("==").to_owned());
                if let Some(Value::Array(h)) = entry.get("hashes").map(|h| &h.value) {
                    p.integrity = h
                        .first()
                        .and_then(|h| h.as_str())
                        .and_then(|h| h.split_once(':'))
                        .map(|(a, _)| Integrity::new(a));
                }
                let field = |k: &str| {
                    entry
                        .get(k)
                        .map(|v| (v.as_str().unwrap_or("").to_owned(), v.span))
                };
                if let Some((url, sp)) = field("git") {
                    let r = entry.str("ref").map(str::to_owned);
                    let commit = r.clone().filter(|r| is_commit_sha(r));
                    p.source = Source::Git {
                        url,
                        rev: if commit.is_some() { None } else { r },
                        commit,
                    };
                    p.source_span = Some(sp);
                } else if let Some((path, sp)) = field("path") {
                    p.source = Source::Path { path };
                    p.source_span = Some(sp);
                } else if let Some((url, sp)) = field("file") {
                    p.source = Source::Url { url };
                    p.source_span = Some(sp);
                } else {
                    let index = entry.get("index");
                    let named = index
                        .and_then(|i| i.as_str())
                        .and_then(|n| out.sources.iter().find(|s| s.name.as_deref() == Some(n)));
                    let chosen = named.or_else(|| out.sources.first());
                    p.source = chosen.map_or_else(
                        || default_source(Ecosystem::PyPI),
                        |s| registry_source(Ecosystem::PyPI, &s.url),
                    );
                    p.source_span = index.map(|i| i.span);
                }
                out.packages.push(p);
            }
        }
    }
    if let Some(e) = err {
        out.diagnostics.push(Diagnostic::at(
            file,
            Span::empty(e.at),
            DiagnosticCode::Syntax,
            format!("invalid JSON in Pipfile.lock: {}", e.message),
        ));
    }
    out
}

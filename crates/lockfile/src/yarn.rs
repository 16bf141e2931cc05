//! `yarn.lock`: Yarn classic (v1, its own line format) and Yarn berry (v2+, YAML).
//!
//! Classic entries start at column 0 with one or more comma-separated specifiers
//! (`"a@^1", a@^1.2:`) and hold indented `key value` fields; `resolved` is the tarball URL
//! with the sha1 as fragment. Berry files are YAML with a `__metadata` entry; each entry's
//! `resolution:` is a locator `name@protocol:…` that says where the package comes from
//! (`npm:` the configured registry, `workspace:`, `patch:` wrapping another locator,
//! `link:`/`portal:` local folders, git URLs with `#commit=`). Berry records no registry
//! URL: that comes from `.yarnrc.yml`.

use tollgate_model::{Diagnostic, DiagnosticCode, SourceFile, Span};
use tollgate_yaml::Node;

use crate::lines::{quoted, universal_lines};
use crate::model::{Ecosystem, Integrity, Package, PackageFile, Source};
use crate::npm::{integrity, resolved_source, split_name_version};
use crate::registry::default_source;
use crate::yaml::parse_recovering;

pub(crate) fn parse(file: &SourceFile) -> PackageFile {
    if is_berry(file.text()) {
        parse_berry(file)
    } else {
        parse_classic(file)
    }
}

/// Berry's lockfile is YAML (read with js-yaml), where a lone CR ends a line too.
fn is_berry(text: &str) -> bool {
    text.starts_with("__metadata:")
        || text.contains("\n__metadata:")
        || text.contains("\r__metadata:")
}

fn parse_classic(file: &SourceFile) -> PackageFile {
    let mut out = PackageFile::default();
    let mut current: Option<Package> = None;
    let mut last_end = 0;
    // Yarn classic's lockfile tokeniser ends a line at `\n`, `\r\n` or a lone `\r`.
    for line in universal_lines(file.text()) {
        let t = line.text.trim_end();
        if t.trim_start().is_empty() || t.trim_start().starts_with('#') {
            if let Some(v) = t.strip_prefix("# yarn lockfile v") {
                out.format_version = Some(v.trim().to_owned());
            }
            continue;
        }
        let span = Span::new(line.start, line.end());
        if line.indent() == 0 {
            push(&mut out, current.take(), last_end);
            let Some(specs) = t.strip_suffix(':') else {
                error(
                    &mut out,
                    file,
                    span,
                    "expected an entry header ending in `:`",
                );
                break;
            };
            let Some(first) = first_specifier(specs) else {
                error(&mut out, file, span, "unterminated quoted specifier");
                break;
            };
            let (install, range) = split_name_version(&first);
            let mut p = Package::new(Ecosystem::Npm, install, span);
            // `alias@npm:real@^1` installs `real` under `alias`.
            if let Some(real) = range.strip_prefix("npm:").filter(|r| r.contains('@')) {
                let (real_name, _) = split_name_version(real);
                p.alias = Some(install.to_owned());
                p.name = real_name.to_owned();
            }
            // Local protocols record no `resolved`.
            if let Some(path) = range
                .strip_prefix("file:")
                .or_else(|| range.strip_prefix("link:"))
            {
                p.source = Source::Path {
                    path: path.to_owned(),
                };
            }
            current = Some(p);
            last_end = line.end();
            continue;
        }
        let Some(p) = current.as_mut() else {
            error(&mut out, file, span, "field outside an entry");
            break;
        };
        last_end = line.end();
        if line.indent() != 2 {
            continue; // dependency lists
        }
        let body = t.trim_start();
        let (key, value) = body.split_once(' ').unwrap_or((body, ""));
        let value = value.trim();
        let value = if value.starts_with('"') {
            match quoted(value) {
                Some((v, _)) => v.into_owned(),
                None => {
                    error(&mut out, file, span, "unterminated string");
                    current = None;
                    break;
                }
            }
        } else {
            value.to_owned()
        };
        match key {
            "version" => p.version = Some(value),
            "resolved" => {
                p.source = resolved_source(&value);
                p.source_span = Some(span);
                // A sha1 in the URL fragment is the classic integrity before `integrity`.
                if p.integrity.is_none()
                    && value
                        .rsplit_once('#')
                        .is_some_and(|(_, f)| tollgate_model::addr::is_commit_sha(f))
                    && !matches!(p.source, Source::Git { .. })
                {
                    p.integrity = Some(Integrity::new("sha1"));
                }
            }
            "integrity" => p.integrity = integrity(Some(&value)),
            _ => {}
        }
    }
    if !out.failed() {
        push(&mut out, current.take(), last_end);
    }
    out
}

/// The first of the comma-separated specifiers of a classic entry header, unquoted.
fn first_specifier(specs: &str) -> Option<String> {
    let s = specs.trim();
    if s.starts_with('"') {
        return quoted(s).map(|(v, _)| v.into_owned());
    }
    Some(s.split(',').next().unwrap_or(s).trim().to_owned())
}

fn push(out: &mut PackageFile, p: Option<Package>, end: usize) {
    if let Some(mut p) = p {
        p.span = p.span.with_end(end.max(p.span.end()));
        if p.source == Source::Unknown && p.source_span.is_none() {
            // No `resolved`: yarn fetches from the configured registry by name and version.
            p.source = default_source(Ecosystem::Npm);
        }
        out.packages.push(p);
    }
}

fn error(out: &mut PackageFile, file: &SourceFile, span: Span, msg: &str) {
    if !out.failed() {
        out.diagnostics.push(Diagnostic::at(
            file,
            span,
            DiagnosticCode::Syntax,
            format!("invalid yarn.lock: {msg}"),
        ));
    }
}

fn parse_berry(file: &SourceFile) -> PackageFile {
    let mut out = PackageFile::default();
    let docs = parse_recovering(file, &mut out.diagnostics, "yarn.lock");
    for doc in &docs {
        for (key, entry) in doc.as_map().unwrap_or_default() {
            let k = key.as_str().unwrap_or("");
            if k == "__metadata" {
                out.format_version = entry
                    .get("version")
                    .and_then(Node::as_str)
                    .map(str::to_owned);
                continue;
            }
            let Some((rkey, resolution)) = entry.entry("resolution") else {
                continue;
            };
            let locator = resolution.as_str().unwrap_or("");
            let (name, source, version) = berry_locator(locator);
            let mut p = Package::new(
                Ecosystem::Npm,
                name,
                Span::new(key.span.start(), entry.span.end().max(key.span.end())),
            );
            p.version = entry
                .get("version")
                .and_then(Node::as_str)
                .map(str::to_owned)
                .or(version);
            p.source = source;
            p.source_span = Some(Span::new(rkey.span.start(), resolution.span.end()));
            // The header's first descriptor is `install-name@range`; an alias names
            // another package than the resolution does.
            let first = k.split(", ").next().unwrap_or(k);
            let (install, _) = split_name_version(first);
            if !install.is_empty() && install != p.name {
                p.alias = Some(install.to_owned());
            }
            // Berry's checksum is `<cacheKey>/<sha512 hex>` (or bare hex before cache keys).
            if entry.get("checksum").is_some() {
                p.integrity = Some(Integrity::new("sha512"));
            }
            out.packages.push(p);
        }
    }
    out
}

/// Decode `name@protocol:rest` into the package name, its source and its version.
pub(crate) fn berry_locator(locator: &str) -> (String, Source, Option<String>) {
    let (name, range) = split_name_version(locator);
    // Locator parameters follow `::` (`::locator=root%40workspace%3A.`).
    let range_main = range.split("::").next().unwrap_or(range);
    let (proto, rest) = range_main.split_once(':').unwrap_or(("", range_main));
    let source = match proto {
        "npm" => {
            return (
                name.to_owned(),
                default_source(Ecosystem::Npm),
                Some(rest.to_owned()),
            );
        }
        "workspace" => Source::Workspace,
        // `patch:inner#patchfile`: the code comes from the inner locator (URL-encoded).
        "patch" => {
            let inner = rest.split('#').next().unwrap_or(rest);
            let inner = percent_decode(inner);
            let (_, src, version) = berry_locator(&inner);
            return (name.to_owned(), src, version);
        }
        "link" | "portal" | "file" => Source::Path {
            path: rest.to_owned(),
        },
        "http" | "https" | "git" | "git+ssh" | "git+https" | "ssh" | "github" => {
            berry_url_source(range_main)
        }
        _ => Source::Unknown,
    };
    (name.to_owned(), source, None)
}

/// Git locators carry `#commit=<sha>` (possibly with `head=`/`tag=` before it); any other
/// http(s) locator is an archive.
fn berry_url_source(url: &str) -> Source {
    let (base, frag) = url
        .split_once('#')
        .map_or((url, None), |(b, f)| (b, Some(f)));
    let params: Vec<(&str, &str)> = frag
        .map(|f| f.split('&').filter_map(|kv| kv.split_once('=')).collect())
        .unwrap_or_default();
    let commit = params
        .iter()
        .find(|(k, _)| *k == "commit")
        .map(|(_, v)| (*v).to_owned());
    let is_git = commit.is_some()
        || base.ends_with(".git")
        || base.starts_with("git")
        || base.starts_with("ssh:");
    if is_git {
        let rev = params
            .iter()
            .find(|(k, _)| matches!(*k, "head" | "tag" | "semver"))
            .map(|(_, v)| (*v).to_owned())
            .or_else(|| frag.filter(|f| !f.contains('=')).map(str::to_owned));
        return Source::Git {
            url: base.strip_prefix("git+").unwrap_or(base).to_owned(),
            rev,
            commit,
        };
    }
    Source::Url {
        url: url.to_owned(),
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn berry_locators() {
        let (n, s, v) = berry_locator(
            "resolve@patch:resolve@npm%3A1.22.8#optional!builtin<compat/resolve>::version=1.22.8&hash=c3c19d",
        );
        assert_eq!((n.as_str(), v.as_deref()), ("resolve", Some("1.22.8")));
        assert_eq!(s, default_source(Ecosystem::Npm));
        let (_, s, _) = berry_locator("a@workspace:packages/a");
        assert_eq!(s, Source::Workspace);
        let (_, s, _) = berry_locator(
            "b@https://github.com/x/b.git#commit=0123456789abcdef0123456789abcdef01234567",
        );
        assert!(matches!(
            s,
            Source::Git {
                commit: Some(_),
                ..
            }
        ));
        let (_, s, _) = berry_locator("c@link:./c::locator=root%40workspace%3A.");
        assert_eq!(s, Source::Path { path: "./c".into() });
    }
}

//! Registry configuration files: where packages come from when the lockfile does not say,
//! or says "the default registry" and the configuration replaces it.

use tollgate_model::{Diagnostic, DiagnosticCode, SourceFile, Span};
use tollgate_yaml::Node;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::lines::{lf_lines, sub_span, universal_lines};
use crate::model::{ConfiguredSource, Ecosystem, Package, PackageFile, Source, SourceRole};
use crate::registry::normalise_for_match;
use crate::yaml::parse_recovering;

fn source(eco: Ecosystem, url: &str, role: SourceRole, span: Span) -> ConfiguredSource {
    ConfiguredSource::new(eco, url, role, span)
}

/// `.npmrc`: ini-style `key = value` lines; `#` and `;` start comments. `registry` is the
/// default registry, `@scope:registry` the registry of one scope, `strict-ssl=false` turns
/// TLS verification off. Values may hold `${ENV}` references, which npm expands at run
/// time; they are kept as written. Auth keys (`//host/:_authToken`) are not read.
pub(crate) fn parse_npmrc(file: &SourceFile) -> PackageFile {
    let mut out = PackageFile::default();
    let mut strict_ssl_off = false;
    // npm reads the file with its `ini` package, which splits at `/[\r\n]+/`: a lone CR
    // ends a line.
    for line in universal_lines(file.text()) {
        let t = line.text.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') || t.starts_with('[') {
            continue;
        }
        let Some((k, v)) = t.split_once('=') else {
            continue;
        };
        let (k, v) = (k.trim(), unquote(v.trim()));
        let span = sub_span(line.start, line.text, t);
        if k == "registry" {
            out.sources
                .push(source(Ecosystem::Npm, v, SourceRole::Default, span));
        } else if let Some(scope) = k.strip_suffix(":registry").filter(|s| s.starts_with('@')) {
            let mut s = source(Ecosystem::Npm, v, SourceRole::Scoped, span);
            s.scope = Some(scope.to_owned());
            out.sources.push(s);
        } else if k == "strict-ssl" && v == "false" {
            strict_ssl_off = true;
            let mut s = source(Ecosystem::Npm, "", SourceRole::Setting, span);
            s.insecure = true;
            out.sources.push(s);
        }
    }
    if strict_ssl_off {
        for s in &mut out.sources {
            s.insecure = true;
        }
    }
    out
}

fn unquote(v: &str) -> &str {
    v.strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(v)
}

/// `.yarnrc.yml` (Yarn berry): `npmRegistryServer`, `npmScopes.<scope>.npmRegistryServer`,
/// `enableStrictSsl: false`, `unsafeHttpWhitelist`.
pub(crate) fn parse_yarnrc(file: &SourceFile) -> PackageFile {
    let mut out = PackageFile::default();
    let docs = parse_recovering(file, &mut out.diagnostics, ".yarnrc.yml");
    let insecure = docs
        .iter()
        .any(|d| d.get("enableStrictSsl").and_then(Node::as_bool) == Some(false));
    for doc in &docs {
        if let Some((k, v)) = doc.entry("npmRegistryServer") {
            out.sources.push(source(
                Ecosystem::Npm,
                v.as_str().unwrap_or(""),
                SourceRole::Default,
                k.span.cover(v.span),
            ));
        }
        for (scope, cfg) in doc
            .get("npmScopes")
            .and_then(Node::as_map)
            .unwrap_or_default()
        {
            if let Some((k, v)) = cfg.entry("npmRegistryServer") {
                let mut s = source(
                    Ecosystem::Npm,
                    v.as_str().unwrap_or(""),
                    SourceRole::Scoped,
                    k.span.cover(v.span),
                );
                s.scope = scope
                    .as_str()
                    .map(|s| format!("@{}", s.trim_start_matches('@')));
                out.sources.push(s);
            }
        }
    }
    for s in &mut out.sources {
        s.insecure |= insecure;
    }
    out
}

fn table<'t, 'a>(v: Option<&'t Spanned<DeValue<'a>>>) -> Option<&'t DeTable<'a>> {
    match v?.get_ref() {
        DeValue::Table(t) => Some(t),
        _ => None,
    }
}

fn str_of<'t>(t: &'t DeTable<'_>, k: &str) -> Option<&'t str> {
    t.get(k).and_then(|v| v.get_ref().as_str())
}

/// Span from a key to the end of its value.
fn kv_span(t: &DeTable<'_>, k: &str) -> Option<Span> {
    let (key, v) = t.get_key_value(k)?;
    Some(Span::new(
        key.span().start.min(v.span().start),
        v.span().end.max(key.span().end),
    ))
}

fn parse_toml<'a>(file: &'a SourceFile, out: &mut PackageFile, what: &str) -> Spanned<DeTable<'a>> {
    let (doc, errors) = DeTable::parse_recoverable(file.text());
    if let Some(e) = errors.first() {
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
    }
    doc
}

/// `.cargo/config.toml`: `[registries.<name>] index`, `[registry] default`, and
/// `[source.<name>]` with `registry`/`local-registry`/`directory`/`git` and `replace-with`.
/// Replacement chains (`crates-io` → `mirror` → `vendored`) are followed here so each
/// `Replacement` entry carries the URL that finally serves the packages.
pub(crate) fn parse_cargo_config(file: &SourceFile) -> PackageFile {
    let mut out = PackageFile::default();
    let doc = parse_toml(file, &mut out, "Cargo config");
    let doc = doc.get_ref();
    let mut named: Vec<(String, String, Span)> = Vec::new();
    if let Some(regs) = table(doc.get("registries")) {
        for (name, v) in regs.iter() {
            let Some(t) = table(Some(v)) else { continue };
            if let (Some(index), Some(span)) = (str_of(t, "index"), kv_span(t, "index")) {
                named.push((name.get_ref().to_string(), index.to_owned(), span));
            }
        }
    }
    let sources = table(doc.get("source"));
    let mut replacements: Vec<(String, String, Span)> = Vec::new();
    for (name, v) in sources
        .map(|s| s.iter().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        let Some(t) = table(Some(v)) else { continue };
        let name = name.get_ref().to_string();
        for key in ["registry", "local-registry", "directory", "git"] {
            if let (Some(url), Some(span)) = (str_of(t, key), kv_span(t, key)) {
                let url = match key {
                    "registry" | "git" => url.to_owned(),
                    _ => format!("{key}:{url}"),
                };
                named.push((name.clone(), url, span));
            }
        }
        if let (Some(to), Some(span)) = (str_of(t, "replace-with"), kv_span(t, "replace-with")) {
            replacements.push((name, to.to_owned(), span));
        }
    }
    for (name, url, span) in &named {
        let mut s = source(Ecosystem::Cargo, url, SourceRole::Named, *span);
        s.name = Some(name.clone());
        out.sources.push(s);
    }
    for (from, to, span) in &replacements {
        // Follow the chain (bounded, in case of a cycle) to the source that has a URL.
        let mut target = to.clone();
        for _ in 0..16 {
            match replacements.iter().find(|(f, _, _)| *f == target) {
                Some((_, next, _)) => target.clone_from(next),
                None => break,
            }
        }
        let url = named
            .iter()
            .find(|(n, _, _)| *n == target)
            .map_or_else(String::new, |(_, u, _)| u.clone());
        let mut s = source(
            Ecosystem::Cargo,
            &url,
            SourceRole::Replacement {
                replaces: from.clone(),
            },
            *span,
        );
        s.name = Some(target);
        out.sources.push(s);
    }
    if let Some(reg) = table(doc.get("registry"))
        && let (Some(def), Some(span)) = (str_of(reg, "default"), kv_span(reg, "default"))
    {
        let url = named
            .iter()
            .find(|(n, _, _)| n == def)
            .map_or_else(String::new, |(_, u, _)| u.clone());
        let mut s = source(Ecosystem::Cargo, &url, SourceRole::Default, span);
        s.name = Some(def.to_owned());
        out.sources.push(s);
    }
    out
}

/// `pip.conf` / `pip.ini`: ini sections (`[global]`, `[install]`); a value continues on
/// following indented lines, which is how several `extra-index-url`s are written.
pub(crate) fn parse_pip_conf(file: &SourceFile) -> PackageFile {
    let mut out = PackageFile::default();
    let mut current: Option<(String, Vec<(String, Span)>)> = None;
    let mut entries: Vec<(String, Vec<(String, Span)>)> = Vec::new();
    // pip reads the file with `configparser` through a text-mode file: universal newlines,
    // so a lone CR ends a line (but a form feed does not, unlike in requirements files).
    for line in universal_lines(file.text()) {
        let t = line.text.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        let span = sub_span(line.start, line.text, t);
        if line.text.starts_with([' ', '\t']) {
            if let Some((_, vals)) = current.as_mut() {
                vals.extend(t.split_whitespace().map(|v| (v.to_owned(), span)));
            }
            continue;
        }
        if let Some(c) = current.take() {
            entries.push(c);
        }
        if t.starts_with('[') {
            continue;
        }
        let Some((k, v)) = t.split_once(['=', ':']) else {
            continue;
        };
        let vals = v.split_whitespace().map(|v| (v.to_owned(), span)).collect();
        current = Some((k.trim().to_owned(), vals));
    }
    if let Some(c) = current.take() {
        entries.push(c);
    }
    let mut trusted = Vec::new();
    for (k, vals) in entries {
        let role = match k.as_str() {
            "index-url" | "index_url" => SourceRole::Default,
            "extra-index-url" | "extra_index_url" => SourceRole::Extra,
            "find-links" | "find_links" => SourceRole::FindLinks,
            "trusted-host" | "trusted_host" => {
                for (h, span) in vals {
                    let mut s = source(Ecosystem::PyPI, "", SourceRole::Setting, span);
                    s.scope = Some(h.clone());
                    s.insecure = true;
                    trusted.push(h);
                    out.sources.push(s);
                }
                continue;
            }
            _ => continue,
        };
        for (v, span) in vals {
            out.sources
                .push(source(Ecosystem::PyPI, &v, role.clone(), span));
        }
    }
    mark_trusted(&mut out.sources, &trusted);
    out
}

fn mark_trusted(sources: &mut [ConfiguredSource], trusted: &[String]) {
    for s in sources {
        let host = normalise_for_match(&s.url);
        let host = host.split('/').next().unwrap_or("");
        if trusted.iter().any(|t| t.split(':').next() == Some(host)) {
            s.insecure = true;
        }
    }
}

/// `pyproject.toml`: Poetry's `[[tool.poetry.source]]` (with `priority`, or the older
/// `default`/`secondary` flags), uv's `[[tool.uv.index]]` (`default`, `explicit`),
/// `[tool.uv] index-url`/`extra-index-url`, and `[tool.uv.sources]` per-package sources.
pub(crate) fn parse_pyproject(file: &SourceFile) -> PackageFile {
    let mut out = PackageFile::default();
    let doc = parse_toml(file, &mut out, "pyproject.toml");
    let tool = table(doc.get_ref().get("tool"));
    let poetry = tool.and_then(|t| table(t.get("poetry")));
    let uv = tool.and_then(|t| table(t.get("uv")));
    for (span, s) in tables(poetry, "source") {
        let url = str_of(s, "url").unwrap_or("");
        let flag = |k: &str| s.get(k).and_then(|v| v.get_ref().as_bool()) == Some(true);
        let role = match str_of(s, "priority") {
            Some("primary" | "default") => SourceRole::Default,
            Some("supplemental" | "secondary") => SourceRole::Extra,
            Some("explicit") => SourceRole::Explicit,
            _ if flag("default") => SourceRole::Default,
            _ if flag("secondary") => SourceRole::Extra,
            // Poetry 1.5+: a source without priority is `primary`.
            _ => SourceRole::Default,
        };
        let mut c = source(Ecosystem::PyPI, url, role, span);
        c.name = str_of(s, "name").map(str::to_owned);
        out.sources.push(c);
    }
    for (span, s) in tables(uv, "index") {
        let flag = |k: &str| s.get(k).and_then(|v| v.get_ref().as_bool()) == Some(true);
        // uv: indexes are searched in order before the default (PyPI unless one says
        // `default = true`); `explicit` ones serve only packages pinned to them.
        let role = if flag("explicit") {
            SourceRole::Explicit
        } else if flag("default") {
            SourceRole::Default
        } else {
            SourceRole::Extra
        };
        let mut c = source(Ecosystem::PyPI, str_of(s, "url").unwrap_or(""), role, span);
        c.name = str_of(s, "name").map(str::to_owned);
        out.sources.push(c);
    }
    if let Some(uv) = uv {
        if let (Some(u), Some(span)) = (str_of(uv, "index-url"), kv_span(uv, "index-url")) {
            out.sources
                .push(source(Ecosystem::PyPI, u, SourceRole::Default, span));
        }
        if let Some(DeValue::Array(a)) = uv.get("extra-index-url").map(Spanned::get_ref) {
            for v in a.iter() {
                if let Some(u) = v.get_ref().as_str() {
                    out.sources.push(source(
                        Ecosystem::PyPI,
                        u,
                        SourceRole::Extra,
                        Span::new(v.span().start, v.span().end),
                    ));
                }
            }
        }
        if let Some(srcs) = table(uv.get("sources")) {
            for (name, v) in srcs.iter() {
                let Some(t) = table(Some(v)) else { continue };
                let pkg = name.get_ref().to_string();
                let span = Span::new(name.span().start, v.span().end.max(name.span().end));
                let (url, pinned) = if let Some(g) = str_of(t, "git") {
                    let rev = str_of(t, "rev")
                        .or_else(|| str_of(t, "tag"))
                        .or_else(|| str_of(t, "branch"));
                    (
                        rev.map_or_else(|| g.to_owned(), |r| format!("{g}@{r}")),
                        true,
                    )
                } else if let Some(u) = str_of(t, "url") {
                    (u.to_owned(), true)
                } else if let Some(p) = str_of(t, "path") {
                    (p.to_owned(), true)
                } else if let Some(idx) = str_of(t, "index") {
                    // A package pinned to a named index resolves to that index's URL.
                    let url = out
                        .sources
                        .iter()
                        .find(|s| s.name.as_deref() == Some(idx))
                        .map(|s| s.url.clone());
                    (url.unwrap_or_default(), true)
                } else {
                    // `{ workspace = true }`: a member of this workspace.
                    (String::new(), false)
                };
                if pinned {
                    out.sources.push(source(
                        Ecosystem::PyPI,
                        &url,
                        SourceRole::Package { package: pkg },
                        span,
                    ));
                }
            }
        }
    }
    out
}

/// The tables of the array of tables `k` in `t`, each with its entry span.
fn tables<'t, 'a>(t: Option<&'t DeTable<'a>>, k: &str) -> Vec<(Span, &'t DeTable<'a>)> {
    let Some(DeValue::Array(a)) = t.and_then(|t| t.get(k)).map(Spanned::get_ref) else {
        return Vec::new();
    };
    a.iter()
        .filter_map(|e| match e.get_ref() {
            DeValue::Table(t) => Some((span_of_entry(e), t)),
            _ => None,
        })
        .collect()
}

/// An array-of-tables element spans its header; extend it to its last value.
fn span_of_entry(e: &Spanned<DeValue<'_>>) -> Span {
    let end = match e.get_ref() {
        DeValue::Table(t) => t
            .iter()
            .map(|(_, v)| v.span().end)
            .max()
            .unwrap_or(e.span().end),
        _ => e.span().end,
    };
    Span::new(e.span().start, end.max(e.span().end))
}

/// `.gemrc` (YAML): `:sources:` lists the gem sources `gem install` uses, in order.
pub(crate) fn parse_gemrc(file: &SourceFile) -> PackageFile {
    let mut out = PackageFile::default();
    let docs = parse_recovering(file, &mut out.diagnostics, ".gemrc");
    for doc in &docs {
        let list = doc.get(":sources").or_else(|| doc.get("sources"));
        for (i, s) in list
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let role = if i == 0 {
                SourceRole::Default
            } else {
                SourceRole::Extra
            };
            out.sources.push(source(
                Ecosystem::RubyGems,
                s.as_str().unwrap_or(""),
                role,
                s.span,
            ));
        }
    }
    out
}

/// `Gemfile`: Ruby, read line by line for the forms that name sources: `source "…"` (the
/// global source), `source "…" do … end` (a scoped source for the gems inside), and gems
/// with `git:`, `github:` or `path:` options (also inside `git "…" do` / `path "…" do`
/// blocks). Gems from these are also returned as packages (without versions), since a
/// Gemfile without a lockfile is still what CI installs from.
pub(crate) fn parse_gemfile(file: &SourceFile) -> PackageFile {
    let mut out = PackageFile::default();
    // The block stack: for each `do`, the source it opens (if any).
    let mut blocks: Vec<Option<(Source, Span)>> = Vec::new();
    // Ruby ends a line at LF or CRLF; a lone CR is a space ("treated as a mere space").
    for line in lf_lines(file.text()) {
        let t = line.text.trim();
        let code = t.split(" #").next().unwrap_or(t).trim();
        if code.is_empty() || code.starts_with('#') {
            continue;
        }
        let span = sub_span(line.start, line.text, t);
        if code == "end" {
            blocks.pop();
            continue;
        }
        let opens_block = code.ends_with(" do") || code.contains(" do |");
        let (word, args) = code.split_once([' ', '(']).unwrap_or((code, ""));
        let first = first_string(args);
        match word {
            "source" => {
                let url = first.unwrap_or_default();
                if opens_block {
                    let mut s = source(Ecosystem::RubyGems, &url, SourceRole::Extra, span);
                    s.scope = Some("block".to_owned());
                    out.sources.push(s);
                    blocks.push(Some((
                        crate::registry::registry_source(Ecosystem::RubyGems, &url),
                        span,
                    )));
                } else {
                    out.sources
                        .push(source(Ecosystem::RubyGems, &url, SourceRole::Default, span));
                }
            }
            "git" | "path" | "github" if opens_block => {
                let v = first.unwrap_or_default();
                let src = match word {
                    "path" => Source::Path { path: v },
                    "github" => Source::Git {
                        url: format!("https://github.com/{v}"),
                        rev: None,
                        commit: None,
                    },
                    _ => Source::Git {
                        url: v,
                        rev: option(args, "ref")
                            .or_else(|| option(args, "branch"))
                            .or_else(|| option(args, "tag")),
                        commit: None,
                    },
                };
                blocks.push(Some((src, span)));
            }
            "gem" => {
                let Some(name) = first else { continue };
                let rev = option(args, "ref")
                    .or_else(|| option(args, "branch"))
                    .or_else(|| option(args, "tag"));
                let own = if let Some(url) = option(args, "git") {
                    Some(Source::Git {
                        url,
                        rev,
                        commit: None,
                    })
                } else if let Some(repo) = option(args, "github") {
                    Some(Source::Git {
                        url: format!("https://github.com/{repo}"),
                        rev,
                        commit: None,
                    })
                } else {
                    option(args, "path").map(|path| Source::Path { path })
                };
                let inherited = blocks.iter().rev().find_map(|b| b.clone());
                let (src, src_span) = match (own, inherited) {
                    (Some(s), _) => (s, span),
                    (None, Some((s, sp))) => (s, sp),
                    (None, None) => continue,
                };
                if let Some(url) = src.url() {
                    out.sources.push(source(
                        Ecosystem::RubyGems,
                        url,
                        SourceRole::Package {
                            package: name.clone(),
                        },
                        src_span,
                    ));
                }
                let mut p = Package::new(Ecosystem::RubyGems, name, span);
                p.source = src;
                p.source_span = Some(src_span);
                out.packages.push(p);
            }
            _ if opens_block => blocks.push(None),
            _ => {}
        }
    }
    out
}

/// The first quoted string in `s`.
fn first_string(s: &str) -> Option<String> {
    let i = s.find(['"', '\''])?;
    let q = s[i..].chars().next()?;
    let rest = &s[i + 1..];
    let end = rest.find(q)?;
    Some(rest[..end].to_owned())
}

/// The string value of a keyword option `key: "v"` or `:key => "v"`.
fn option(args: &str, key: &str) -> Option<String> {
    for pat in [format!("{key}:"), format!(":{key} =>"), format!(":{key}=>")] {
        let mut from = 0;
        while let Some(i) = args[from..].find(&pat) {
            let at = from + i;
            // Whole-word match: `git:` must not match inside `github:`.
            let ok = at == 0
                || !args.as_bytes()[at - 1].is_ascii_alphanumeric()
                    && args.as_bytes()[at - 1] != b'_';
            if ok {
                return first_string(&args[at + pat.len()..]);
            }
            from = at + pat.len();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gemfile_options() {
        assert_eq!(option(r#""x", github: "a/b", branch: "main""#, "git"), None);
        assert_eq!(
            option(r#""x", :git => "https://g/x.git""#, "git").as_deref(),
            Some("https://g/x.git")
        );
        assert_eq!(
            option(r#""x", github: "a/b""#, "github").as_deref(),
            Some("a/b")
        );
    }
}

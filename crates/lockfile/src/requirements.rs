//! pip requirements and constraints files (`requirements*.txt`, `constraints*.txt`).
//!
//! The format is pip's: a line ending in `\` continues on the next one; `#` starts a
//! comment at the start of a line or after whitespace (so `…#egg=name` in a URL is not a
//! comment); options such as `--index-url` apply to the whole file wherever they appear;
//! `--hash` and a few others may follow a requirement on its own line.

use std::borrow::Cow;

use tollgate_model::addr::{host_of, is_commit_sha};
use tollgate_model::pep508;
use tollgate_model::{Diagnostic, DiagnosticCode, SourceFile, Span};

use crate::lines::python_lines;
use crate::model::{
    ConfiguredSource, Ecosystem, Include, IncludeKind, Integrity, Package, PackageFile, Source,
    SourceRole,
};
use crate::registry::{default_source, registry_source};

/// One logical line (continuations joined) and the span of its physical lines.
struct Logical<'a> {
    text: Cow<'a, str>,
    span: Span,
}

fn logical_lines(text: &str) -> Vec<Logical<'_>> {
    let mut out = Vec::new();
    let mut pending: Option<(String, usize)> = None;
    // pip reads the file with `str.splitlines()` (`req_file.preprocess`), so a form feed
    // or a lone CR ends a line as `\n` does: an `--index-url` after one is obeyed. Spans
    // are still byte ranges; their lines and columns come from the file's line index, which
    // does not break at a form feed, so such a line is reported where an editor shows it.
    for line in python_lines(text) {
        let t = line.text;
        let is_comment = t.trim_start().starts_with('#');
        // pip: a comment line never continues, and ends a continuation in progress.
        let continues = !is_comment && t.ends_with('\\');
        match (pending.take(), continues) {
            // A blank line outside a continuation says nothing; not keeping it bounds the
            // list by the lines that do (a file of a million form feeds is one entry).
            (None, false) if t.trim().is_empty() => {}
            (None, false) => out.push(Logical {
                text: Cow::Borrowed(t),
                span: Span::new(line.start, line.end()),
            }),
            (None, true) => pending = Some((t[..t.len() - 1].to_owned(), line.start)),
            (Some((mut acc, start)), true) => {
                acc.push_str(&t[..t.len() - 1]);
                pending = Some((acc, start));
            }
            (Some((mut acc, start)), false) => {
                if !is_comment {
                    acc.push_str(t);
                }
                out.push(Logical {
                    text: Cow::Owned(acc),
                    span: Span::new(start, line.end()),
                });
            }
        }
    }
    if let Some((acc, start)) = pending {
        out.push(Logical {
            text: Cow::Owned(acc),
            span: Span::new(start, text.len()),
        });
    }
    out
}

/// Remove a comment: `#` at the start or after whitespace.
fn strip_comment(s: &str) -> &str {
    let b = s.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'#' && (i == 0 || b[i - 1].is_ascii_whitespace()) {
            return &s[..i];
        }
    }
    s
}

/// Split `--opt=value`, `--opt value`, `-ovalue` into the option and its value.
fn split_option(s: &str) -> (&str, &str) {
    if let Some(rest) = s.strip_prefix("--") {
        let end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .map_or(s.len(), |i| i + 2);
        let (opt, val) = s.split_at(end);
        return (opt, val.trim_start_matches('=').trim());
    }
    // Short options take their value attached or after whitespace.
    let opt = s.get(..2).unwrap_or(s);
    (opt, s.get(2..).unwrap_or("").trim())
}

pub(crate) fn parse(file: &SourceFile) -> PackageFile {
    let mut out = PackageFile::default();
    let mut index: Option<(String, Span)> = None;
    let mut no_index = false;
    let mut trusted: Vec<String> = Vec::new();
    for logical in logical_lines(file.text()) {
        let line = strip_comment(&logical.text).trim();
        if line.is_empty() {
            continue;
        }
        let span = logical.span;
        if line.starts_with('-') && !line.starts_with("-e") && !line.starts_with("--editable") {
            let (opt, val) = split_option(line);
            match opt {
                "-r" | "--requirement" | "-c" | "--constraint" => {
                    let kind = if opt.contains('c') && opt != "--requirement" {
                        IncludeKind::Constraints
                    } else {
                        IncludeKind::Requirements
                    };
                    out.includes.push(Include {
                        kind,
                        path: val.to_owned(),
                        span,
                    });
                }
                "-i" | "--index-url" => {
                    index = Some((val.to_owned(), span));
                    out.sources.push(ConfiguredSource::new(
                        Ecosystem::PyPI,
                        val,
                        SourceRole::Default,
                        span,
                    ));
                }
                "--extra-index-url" => {
                    out.sources.push(ConfiguredSource::new(
                        Ecosystem::PyPI,
                        val,
                        SourceRole::Extra,
                        span,
                    ));
                }
                "-f" | "--find-links" => {
                    out.sources.push(ConfiguredSource::new(
                        Ecosystem::PyPI,
                        val,
                        SourceRole::FindLinks,
                        span,
                    ));
                }
                "--no-index" => no_index = true,
                "--trusted-host" => {
                    let mut s =
                        ConfiguredSource::new(Ecosystem::PyPI, "", SourceRole::Setting, span);
                    s.scope = Some(val.to_owned());
                    s.insecure = true;
                    trusted.push(val.to_owned());
                    out.sources.push(s);
                }
                // Other global options (`--pre`, `--require-hashes`, `--only-binary`…) do
                // not change sources.
                _ => {}
            }
            continue;
        }
        match requirement(line, span) {
            Some(p) => out.packages.push(p),
            None => {
                if !out.failed() {
                    out.diagnostics.push(Diagnostic::at(
                        file,
                        span,
                        DiagnosticCode::Syntax,
                        format!(
                            "invalid requirement `{}`",
                            line.chars().take(80).collect::<String>()
                        ),
                    ));
                }
            }
        }
    }
    // Index options apply to the whole file, wherever they appear.
    for s in &mut out.sources {
        if trusted
            .iter()
            .any(|h| host_of(&s.url).is_some_and(|x| Some(&x) == host_of(h).as_ref()))
        {
            s.insecure = true;
        }
    }
    let find_links = out
        .sources
        .iter()
        .find(|s| s.role == SourceRole::FindLinks)
        .map(|s| (s.url.clone(), s.span));
    for p in &mut out.packages {
        if !matches!(p.source, Source::Registry { .. }) {
            continue;
        }
        if no_index {
            // With `--no-index` pip only looks in `--find-links` locations.
            if let Some((url, span)) = &find_links {
                p.source = if url.contains("://") && !url.starts_with("file:") {
                    Source::Url { url: url.clone() }
                } else {
                    Source::Path { path: url.clone() }
                };
                p.source_span = Some(*span);
            } else {
                p.source = Source::Unknown;
            }
        } else if let Some((url, span)) = &index {
            p.source = registry_source(Ecosystem::PyPI, url);
            p.source_span = Some(*span);
        }
    }
    out
}

const VCS: [&str; 4] = ["git+", "hg+", "svn+", "bzr+"];

/// Parse one requirement line (without comment), including trailing per-requirement options.
fn requirement(line: &str, span: Span) -> Option<Package> {
    let (editable, line) = match line
        .strip_prefix("--editable")
        .or_else(|| line.strip_prefix("-e"))
    {
        Some(rest) => (true, rest.trim_start_matches('=').trim()),
        None => (false, line),
    };
    // Per-requirement options start at the first ` --` / ` -`-option.
    let (spec, opts) = match find_option_start(line) {
        Some(i) => (line[..i].trim(), &line[i..]),
        None => (line.trim(), ""),
    };
    let hashes: Vec<&str> = opts
        .split_whitespace()
        .filter_map(|t| {
            t.strip_prefix("--hash=")
                .or_else(|| t.strip_prefix("--hash "))
        })
        .collect();
    let mut p = if VCS.iter().any(|v| spec.starts_with(v)) {
        vcs_requirement(None, spec, span)
    } else if let Some(pep508::Requirement {
        name,
        url: Some(url),
        markers,
        ..
    }) = pep508::parse(spec)
    {
        let mut p = url_requirement(Some(name), url, span);
        p.markers = markers.map(str::to_owned);
        p
    } else if spec.contains("://") || spec.starts_with("file:") {
        let (url, markers) = split_url_markers(spec);
        let mut p = url_requirement(None, url, span);
        p.markers = markers;
        p
    } else if looks_like_path(spec) {
        let mut p = Package::new(Ecosystem::PyPI, spec, span);
        p.source = Source::Path {
            path: spec.to_owned(),
        };
        p
    } else {
        named_requirement(spec, span)?
    };
    if let Some(h) = hashes.first() {
        p.integrity = Some(Integrity::new(h.split(':').next().unwrap_or("sha256")));
    }
    p.flags.editable = editable;
    Some(p)
}

fn find_option_start(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    (1..b.len())
        .find(|&i| b[i] == b'-' && b[i - 1].is_ascii_whitespace() && b.get(i + 1) == Some(&b'-'))
}

fn looks_like_path(spec: &str) -> bool {
    spec.starts_with('.')
        || spec.starts_with('/')
        || spec.starts_with('~')
        || spec.contains('/')
        || spec.contains('\\')
        || [".whl", ".tar.gz", ".zip", ".tgz"]
            .iter()
            .any(|e| spec.ends_with(e))
}

/// In a URL requirement a marker must be preceded by whitespace (`;` is legal in URLs).
fn split_url_markers(s: &str) -> (&str, Option<String>) {
    match s.find(" ;").or_else(|| s.find("\t;")) {
        Some(i) => (s[..i].trim(), Some(s[i + 2..].trim().to_owned())),
        None => (s.trim(), None),
    }
}

/// `#egg=name` in a URL fragment.
fn egg(url: &str) -> Option<&str> {
    let frag = url.split_once('#')?.1;
    frag.split('&').find_map(|kv| kv.strip_prefix("egg="))
}

fn url_requirement(name: Option<&str>, url: &str, span: Span) -> Package {
    if VCS.iter().any(|v| url.starts_with(v)) {
        return vcs_requirement(name, url, span);
    }
    let file_name = url
        .split(['#', '?'])
        .next()
        .unwrap_or(url)
        .rsplit('/')
        .next()
        .unwrap_or("");
    // A wheel's file name is `name-version-…whl`; an sdist's `name-version.tar.gz`.
    let (guess_name, guess_version) = match file_name.split_once('-') {
        Some((n, rest)) if file_name.ends_with(".whl") => (Some(n), rest.split('-').next()),
        Some((n, rest)) => (
            Some(n),
            rest.strip_suffix(".tar.gz")
                .or_else(|| rest.strip_suffix(".zip")),
        ),
        None => (None, None),
    };
    let name = name.or_else(|| egg(url)).or(guess_name).unwrap_or(url);
    let mut p = Package::new(Ecosystem::PyPI, name, span);
    p.version = guess_version.map(str::to_owned);
    // A URL may carry its hash in the fragment (`#sha256=…`).
    if let Some(frag) = url.split_once('#').map(|(_, f)| f)
        && let Some((algo, _)) = frag
            .split('&')
            .find_map(|kv| kv.split_once('='))
            .filter(|(k, _)| k.starts_with("sha") || *k == "md5")
    {
        p.integrity = Some(Integrity::new(algo));
    }
    p.source = if let Some(path) = url
        .strip_prefix("file://")
        .or_else(|| url.strip_prefix("file:"))
    {
        Source::Path {
            path: path.to_owned(),
        }
    } else {
        Source::Url {
            url: url.split('#').next().unwrap_or(url).to_owned(),
        }
    };
    p
}

/// `git+https://host/x.git@rev#egg=name&subdirectory=…`
fn vcs_requirement(name: Option<&str>, spec: &str, span: Span) -> Package {
    let (spec, markers) = split_url_markers(spec);
    let name = name.or_else(|| egg(spec)).map(str::to_owned);
    let no_frag = spec.split('#').next().unwrap_or(spec);
    let url = VCS
        .iter()
        .find_map(|v| no_frag.strip_prefix(v))
        .unwrap_or(no_frag);
    // The revision follows the last `@` of the path, not the `user@` of the authority.
    let path_start = url.find("://").map_or(0, |i| i + 3);
    let path_start = url[path_start..]
        .find('/')
        .map_or(url.len(), |i| path_start + i);
    let (url, rev) = match url[path_start..].rfind('@') {
        Some(i) => (&url[..path_start + i], Some(&url[path_start + i + 1..])),
        None => (url, None),
    };
    let display_name = name.unwrap_or_else(|| {
        url.trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(url)
            .trim_end_matches(".git")
            .to_owned()
    });
    let mut p = Package::new(Ecosystem::PyPI, display_name, span);
    p.markers = markers;
    p.source = Source::Git {
        url: url.to_owned(),
        rev: rev.filter(|r| !is_commit_sha(r)).map(str::to_owned),
        commit: rev.filter(|r| is_commit_sha(r)).map(str::to_owned),
    };
    p
}

/// `name[extras] (specifiers) ; markers`; only `==X` (not a wildcard) and `===X` pin one
/// version.
fn named_requirement(spec: &str, span: Span) -> Option<Package> {
    let r = pep508::parse(spec).filter(|r| r.url.is_none())?;
    let mut p = Package::new(Ecosystem::PyPI, r.name, span);
    p.markers = r.markers.map(str::to_owned);
    p.version = r.exact_version().map(str::to_owned);
    p.source = default_source(Ecosystem::PyPI);
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Package {
        requirement(line, Span::empty(0)).unwrap_or_else(|| panic!("{line}"))
    }

    #[test]
    fn trusted_hosts_match_whatever_the_case() {
        // Hosts are case-insensitive (RFC 3986 §3.2.2): pip trusts `Pypi.Example.COM` when
        // told `--trusted-host pypi.example.com`, and so does this reader now (its own
        // host reader compared the letters as written).
        let text = "--index-url https://Pypi.Example.COM./simple\n--extra-index-url https://other.example/simple\n--trusted-host pypi.example.com:8080\nx==1\n";
        let file = SourceFile::new("requirements.txt", "requirements.txt", text);
        let p = parse(&file);
        let insecure: Vec<bool> = p.sources.iter().map(|s| s.insecure).collect();
        assert_eq!(
            insecure,
            [true, false, true],
            "index, extra index, the trusted-host setting"
        );
    }

    #[test]
    fn requirement_forms() {
        let p = one("Requests[socks]==2.31.0 ; python_version < \"3.11\"");
        assert_eq!(
            (p.name.as_str(), p.version.as_deref()),
            ("Requests", Some("2.31.0"))
        );
        assert_eq!(p.markers.as_deref(), Some("python_version < \"3.11\""));
        assert_eq!(one("flask>=2,<3").version, None);
        assert_eq!(one("x==1.*").version, None);
        let g = one("git+ssh://git@github.com/a/b.git@v1.1.0#egg=b");
        assert_eq!(
            g.source,
            Source::Git {
                url: "ssh://git@github.com/a/b.git".into(),
                rev: Some("v1.1.0".into()),
                commit: None
            }
        );
        assert_eq!(g.name, "b");
        let d = one(
            "pkg @ https://example.com/pkg-1.0-py3-none-any.whl#sha256=ab ; sys_platform == 'linux'",
        );
        assert_eq!(d.name, "pkg");
        assert_eq!(
            d.source,
            Source::Url {
                url: "https://example.com/pkg-1.0-py3-none-any.whl".into()
            }
        );
        assert!(d.integrity.is_some());
        let e = one("-e ./libs/core");
        assert!(e.flags.editable);
        assert_eq!(
            e.source,
            Source::Path {
                path: "./libs/core".into()
            }
        );
        assert!(requirement("$(curl x)", Span::empty(0)).is_none());
    }

    #[test]
    fn comments_and_options() {
        assert_eq!(strip_comment("a#egg=x # c"), "a#egg=x ");
        assert_eq!(
            split_option("--index-url=https://x"),
            ("--index-url", "https://x")
        );
        assert_eq!(split_option("-i https://x"), ("-i", "https://x"));
        assert_eq!(split_option("-rbase.txt"), ("-r", "base.txt"));
    }
}

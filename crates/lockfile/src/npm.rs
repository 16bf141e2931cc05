//! `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1, 2 and 3.
//!
//! Version 1 nests `dependencies` objects (a package's own copies of its dependencies sit
//! under it); versions 2 and 3 list every installed folder in a flat `packages` object keyed
//! by its path (`node_modules/a/node_modules/@s/b`). Version 2 carries both; the flat form
//! is complete, so it wins when present.

use tollgate_model::{Diagnostic, DiagnosticCode, SourceFile, Span};

use crate::json::{self, Node};
use crate::model::{Ecosystem, Integrity, Package, PackageFile, Source};
use crate::registry::{default_source, registry_source};

pub(crate) fn parse(file: &SourceFile) -> PackageFile {
    let mut out = PackageFile::default();
    let (root, err) = json::parse(file.text());
    if let Some(root) = &root {
        if let Some(v) = root.get("lockfileVersion") {
            out.format_version = Some(file.slice(v.span).to_owned());
        }
        if let Some(packages) = root.get("packages") {
            read_packages(packages, &mut out);
        } else if let Some(deps) = root.get("dependencies") {
            read_v1(deps, &mut out);
        }
    }
    if let Some(e) = err {
        out.diagnostics.push(Diagnostic::at(
            file,
            Span::empty(e.at),
            DiagnosticCode::Syntax,
            format!("invalid JSON in npm lockfile: {}", e.message),
        ));
    }
    out
}

/// v2/v3 `packages`: keys are install paths; `""` is the root project.
fn read_packages(packages: &Node<'_>, out: &mut PackageFile) {
    for (key, entry) in packages.entries().unwrap_or_default() {
        if key.text.is_empty() || !entry.complete {
            continue;
        }
        let path = key.text.as_ref();
        let install_name = path
            .rfind("node_modules/")
            .map(|i| &path[i + "node_modules/".len()..]);
        let real = entry.str("name");
        let name = real.or(install_name).unwrap_or(path);
        let mut p = Package::new(
            Ecosystem::Npm,
            name,
            Span::new(key.span.start(), entry.span.end()),
        );
        p.version = entry.str("version").map(str::to_owned);
        // An alias (`"foo": "npm:bar@1"`) installs `bar` under node_modules/foo; the entry
        // then carries `"name": "bar"`.
        if let (Some(real), Some(inst)) = (real, install_name)
            && real != inst
        {
            p.alias = Some(inst.to_owned());
        }
        p.flags.dev = entry.bool("dev") || entry.bool("devOptional");
        p.flags.bundled = entry.bool("inBundle");
        p.integrity = integrity(entry.str("integrity"));
        if install_name.is_none() {
            // A folder of the project itself (a workspace member).
            p.source = Source::Workspace;
        } else if entry.bool("link") {
            // A symlink to a folder of the project (`resolved` is the relative target).
            p.source = Source::Workspace;
            p.source_span = entry.get("resolved").map(|r| r.span);
        } else if let Some(r) = entry.get("resolved") {
            p.source = resolved_source(r.as_str().unwrap_or(""));
            p.source_span = Some(Span::new(key_start_of(entry, "resolved"), r.span.end()));
        } else if p.flags.bundled {
            // Bundled dependencies ship inside their parent's tarball.
            p.source = Source::Unknown;
        } else {
            // `omit-lockfile-registry-resolved` drops `resolved` for registry packages: npm
            // fetches them from the configured registry.
            p.source = default_source(Ecosystem::Npm);
        }
        out.packages.push(p);
    }
}

/// The span start of `key`'s key inside an object, for `source_span`.
fn key_start_of(obj: &Node<'_>, key: &str) -> usize {
    obj.entries()
        .and_then(|e| e.iter().find(|(k, _)| k.text == key))
        .map_or(obj.span.start(), |(k, _)| k.span.start())
}

/// v1 nested `dependencies`, depth first in file order.
fn read_v1(deps: &Node<'_>, out: &mut PackageFile) {
    let mut stack = vec![deps];
    // Visit in file order: push children after the parent entry is emitted.
    while let Some(obj) = stack.pop() {
        let mut nested = Vec::new();
        for (key, entry) in obj.entries().unwrap_or_default() {
            if !entry.complete {
                continue;
            }
            let mut p = Package::new(
                Ecosystem::Npm,
                key.text.as_ref(),
                Span::new(key.span.start(), entry.span.end()),
            );
            let version = entry.str("version").unwrap_or("");
            p.flags.dev = entry.bool("dev");
            p.flags.bundled = entry.bool("bundled");
            p.integrity = integrity(entry.str("integrity"));
            // v1 writes an alias as `"version": "npm:real@1.2.3"`, and git/file dependencies
            // as the URL or `file:` spec in `version`.
            if let Some(spec) = version.strip_prefix("npm:") {
                let (real, ver) = split_name_version(spec);
                p.alias = Some(key.text.to_string());
                p.name = real.to_owned();
                p.version = Some(ver.to_owned());
            } else if let Some(path) = version.strip_prefix("file:") {
                p.source = Source::Path {
                    path: path.to_owned(),
                };
                p.source_span = entry.get("version").map(|v| v.span);
            } else if is_git_spec(version) {
                p.source = resolved_source(version);
                p.source_span = entry.get("version").map(|v| v.span);
            } else {
                p.version = Some(version.to_owned());
            }
            if p.source_span.is_none() {
                if let Some(r) = entry.get("resolved") {
                    p.source = resolved_source(r.as_str().unwrap_or(""));
                    p.source_span = Some(Span::new(key_start_of(entry, "resolved"), r.span.end()));
                } else if p.flags.bundled {
                    p.source = Source::Unknown;
                } else {
                    p.source = default_source(Ecosystem::Npm);
                }
            }
            out.packages.push(p);
            if let Some(d) = entry.get("dependencies") {
                nested.push(d);
            }
        }
        // Stack order: reverse so the first nested object is read first.
        stack.extend(nested.into_iter().rev());
    }
    out.packages.sort_by_key(|p| p.span.start());
}

/// `name@version` where the name may start with `@`.
pub(crate) fn split_name_version(spec: &str) -> (&str, &str) {
    let at = spec.get(1..).and_then(|s| s.find('@')).map(|i| i + 1);
    match at {
        Some(i) => (&spec[..i], &spec[i + 1..]),
        None => (spec, ""),
    }
}

fn is_git_spec(s: &str) -> bool {
    s.starts_with("git+")
        || s.starts_with("git://")
        || s.starts_with("github:")
        || s.starts_with("gitlab:")
        || s.starts_with("bitbucket:")
}

/// The algorithm of an SRI string (`sha512-…`; several space-separated hashes may appear,
/// the first names the strongest npm wrote).
pub(crate) fn integrity(sri: Option<&str>) -> Option<Integrity> {
    let sri = sri?.trim();
    let (algo, _) = sri.split_once('-')?;
    Some(Integrity::new(algo))
}

/// Classify an npm/yarn `resolved` value.
pub(crate) fn resolved_source(r: &str) -> Source {
    if is_git_spec(r) {
        let url = r.strip_prefix("git+").unwrap_or(r);
        let (url, frag) = url
            .split_once('#')
            .map_or((url, None), |(u, f)| (u, Some(f)));
        let commit = frag.filter(|f| is_hex_commit(f)).map(str::to_owned);
        let rev = frag.filter(|f| !is_hex_commit(f)).map(str::to_owned);
        return Source::Git {
            url: url.to_owned(),
            rev,
            commit,
        };
    }
    if let Some(p) = r.strip_prefix("file:") {
        return Source::Path { path: p.to_owned() };
    }
    if r.starts_with("http://") || r.starts_with("https://") {
        let no_frag = r.split('#').next().unwrap_or(r);
        // GitHub tarballs of a commit, as yarn classic writes git dependencies.
        if let Some(rest) = no_frag.strip_prefix("https://codeload.github.com/") {
            let parts: Vec<&str> = rest.split('/').collect();
            if let [owner, repo, "tar.gz", commit] = parts.as_slice() {
                return Source::Git {
                    url: format!("https://github.com/{owner}/{repo}"),
                    rev: None,
                    commit: Some((*commit).to_owned()),
                };
            }
        }
        // Registry tarballs live at `<registry>/<name>/-/<file>.tgz`.
        if let Some(i) = no_frag.find("/-/") {
            let before = &no_frag[..i];
            // Strip the package name (one segment, or two for `@scope/name` and its
            // escaped `@scope%2fname` form).
            let mut base = before.rsplit_once('/').map_or(before, |(b, _)| b);
            if base.rsplit('/').next().is_some_and(|s| s.starts_with('@')) {
                base = base.rsplit_once('/').map_or(base, |(b, _)| b);
            }
            return registry_source(Ecosystem::Npm, &format!("{base}/"));
        }
        return Source::Url { url: r.to_owned() };
    }
    if r.is_empty() {
        return Source::Unknown;
    }
    // A relative path (a `link` target or a local tarball).
    Source::Path { path: r.to_owned() }
}

pub(crate) fn is_hex_commit(s: &str) -> bool {
    s.len() >= 7 && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolved_forms() {
        assert_eq!(
            resolved_source("https://registry.npmjs.org/@babel/core/-/core-7.0.0.tgz"),
            Source::Registry {
                url: "https://registry.npmjs.org/".into(),
                default: true
            }
        );
        assert_eq!(
            resolved_source("https://npm.corp.io/repo/lodash/-/lodash-4.0.0.tgz"),
            Source::Registry {
                url: "https://npm.corp.io/repo/".into(),
                default: false
            }
        );
        assert_eq!(
            resolved_source(
                "git+ssh://git@github.com/a/b.git#0123456789abcdef0123456789abcdef01234567"
            ),
            Source::Git {
                url: "ssh://git@github.com/a/b.git".into(),
                rev: None,
                commit: Some("0123456789abcdef0123456789abcdef01234567".into())
            }
        );
        assert_eq!(split_name_version("@s/n@1.0.0"), ("@s/n", "1.0.0"));
    }
}

//! `pnpm-lock.yaml`, lockfile versions 5 to 9, one or several YAML documents.
//!
//! Every version lists fetched packages under `packages:`, keyed by a package path whose
//! shape changed: v5 `/name/1.2.3_peer@1`, v6 `/name@1.2.3(peer@1)`, v9 `name@1.2.3` (peer
//! variants moved to `snapshots:`, which we skip because they name the same tarballs).
//! `resolution:` says where the tarball comes from: `{integrity}` alone means the configured
//! registry (pnpm does not write its URL), `{tarball}` a URL, `{type: git, repo, commit}`
//! a git repository, `{directory}` a local folder. pnpm 9 may put a separate document for
//! config dependencies before the main one, so all documents are read.

use tollgate_model::{SourceFile, Span};
use tollgate_yaml::Node;

use crate::model::{Ecosystem, Package, Parsed, Source};
use crate::npm::{integrity, resolved_source, split_name_version};
use crate::registry::default_source;
use crate::yaml::parse_recovering;

pub(crate) fn parse(file: &SourceFile) -> Parsed {
    let mut out = Parsed::default();
    let docs = parse_recovering(file, &mut out.diagnostics, "pnpm-lock.yaml");
    for doc in &docs {
        if let Some(v) = doc.get("lockfileVersion").and_then(Node::as_str) {
            out.format_version.get_or_insert_with(|| v.to_owned());
        }
        let Some(packages) = doc.get("packages").and_then(Node::as_map) else {
            continue;
        };
        for (key, entry) in packages {
            let Some(k) = key.as_str() else { continue };
            let (mut name, mut version) = split_key(k);
            if let Some(n) = entry.get("name").and_then(Node::as_str) {
                name = n.to_owned();
            }
            if let Some(v) = entry.get("version").and_then(Node::as_str) {
                version = Some(v.to_owned());
            }
            let mut p = Package::new(
                Ecosystem::Npm,
                name,
                Span::new(key.span.start, entry.span.end.max(key.span.end)),
            );
            p.version = version;
            p.flags.dev = entry.get("dev").and_then(Node::as_bool) == Some(true);
            if let Some((rk, res)) = entry.entry("resolution") {
                p.source_span = Some(Span::new(rk.span.start, res.span.end));
                p.integrity = integrity(res.get("integrity").and_then(Node::as_str));
                p.source = resolution_source(res);
            } else {
                p.source = default_source(Ecosystem::Npm);
            }
            out.packages.push(p);
        }
    }
    out
}

fn resolution_source(res: &Node) -> Source {
    let s = |k: &str| res.get(k).and_then(Node::as_str);
    if s("type") == Some("git") || s("repo").is_some() {
        return Source::Git {
            url: s("repo").unwrap_or("").to_owned(),
            rev: None,
            commit: s("commit").map(str::to_owned),
        };
    }
    if let Some(dir) = s("directory") {
        return Source::Path {
            path: dir.to_owned(),
        };
    }
    if let Some(t) = s("tarball") {
        // `file:` tarballs are local; registry tarballs (custom registries) keep their base.
        return resolved_source(t);
    }
    if s("integrity").is_some() {
        return default_source(Ecosystem::Npm);
    }
    Source::Unknown
}

/// Name and version from a `packages:` key of any lockfile version.
fn split_key(key: &str) -> (String, Option<String>) {
    let k = key.strip_prefix('/').unwrap_or(key);
    // Drop v6+/v9 peer suffixes `(peer@1)` and v5 `_peer@1` suffixes.
    let k = k.split('(').next().unwrap_or(k);
    let body = k.strip_prefix('@').map_or(k, |rest| rest);
    if body.contains('@') {
        // v6/v9: `name@version`; the version may itself be a URL or `file:` spec.
        let (n, v) = split_name_version(k);
        return (n.to_owned(), Some(v.to_owned()).filter(|v| !v.is_empty()));
    }
    // v5: `name/version_peers`, the name possibly `@scope/name`.
    match k.rsplit_once('/') {
        Some((n, v)) if !n.is_empty() => {
            let v = v.split('_').next().unwrap_or(v);
            (n.to_owned(), Some(v.to_owned()))
        }
        _ => (k.to_owned(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_shapes() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("/lodash/4.17.21", "lodash", Some("4.17.21")),
            (
                "/@babel/core/7.0.0_eslint@8.0.0",
                "@babel/core",
                Some("7.0.0"),
            ),
            (
                "/@babel/core@7.0.0(eslint@8.0.0)",
                "@babel/core",
                Some("7.0.0"),
            ),
            ("lodash@4.17.21", "lodash", Some("4.17.21")),
            ("@types/node@20.0.0", "@types/node", Some("20.0.0")),
        ];
        for (k, n, v) in cases {
            let (gn, gv) = split_key(k);
            assert_eq!((gn.as_str(), gv.as_deref()), (*n, *v), "{k}");
        }
    }
}

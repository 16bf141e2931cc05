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
use crate::npm::{integrity, resolved_source};
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
    // Drop v6+/v9 peer suffixes `(peer@1)`; they may hold `/` and `@` themselves.
    let k = k.split('(').next().unwrap_or(k);
    // The name is one segment, or two for `@scope/name`; what follows says the version:
    // `/1.2.3_peer@1` in v5, `@1.2.3` in v6 and v9.
    let name_len = if k.starts_with('@') {
        k.find('/').map_or(k.len(), |i| {
            i + 1 + k[i + 1..].find(['/', '@']).unwrap_or(k.len() - i - 1)
        })
    } else {
        k.find(['/', '@']).unwrap_or(k.len())
    };
    let (name, rest) = k.split_at(name_len);
    let version = if let Some(v) = rest.strip_prefix('/') {
        v.split('_').next().unwrap_or(v)
    } else {
        rest.strip_prefix('@').unwrap_or(rest)
    };
    (
        name.to_owned(),
        Some(version.to_owned()).filter(|v| !v.is_empty()),
    )
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

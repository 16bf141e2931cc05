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

use crate::lines::universal_lines;
use crate::model::{Ecosystem, Package, PackageFile, Source};
use crate::npm::{integrity, resolved_source};
use crate::registry::default_source;
use crate::yaml::parse_recovering;

pub(crate) fn parse(file: &SourceFile) -> PackageFile {
    let Some((text, blanked)) = only_read_sections(file.text()) else {
        return parse_text(file);
    };
    let mut out = parse_text(&SourceFile::new(file.display.clone(), &file.disk, text));
    // A YAML node ends where the next token starts: a section that follows a package
    // entry ends it, but once blanked the entry runs on to the token after it.
    let clamp = |span: &mut Span| {
        let end = span.end();
        if let Some(r) = blanked.iter().find(|r| r.start < end && end <= r.end) {
            *span = span.with_end(r.start);
        }
    };
    for p in &mut out.packages {
        clamp(&mut p.span);
        if let Some(s) = &mut p.source_span {
            clamp(s);
        }
    }
    out
}

/// The top-level keys read here. `importers:` (what each workspace project asks for),
/// `snapshots:` (v9 peer variants of `packages:` entries) and the rest name no fetched
/// package that `packages:` does not, and are often half of the file.
const READ: &[&str] = &["lockfileVersion", "packages"];

/// `text` with every top-level section other than [`READ`] blanked out (each character
/// but line breaks replaced by a space), so that the YAML parser skips them quickly and
/// every offset, line and column stays what it was. `None` when nothing would be blanked
/// or a top-level line is not a plain `key:` as pnpm writes them (then the whole text is
/// parsed as it is).
fn only_read_sections(text: &str) -> Option<(String, Vec<std::ops::Range<usize>>)> {
    let mut out: Option<Vec<u8>> = None;
    let mut blanked: Vec<std::ops::Range<usize>> = Vec::new();
    let mut blank = false;
    // pnpm reads the file with js-yaml, where a lone CR ends a line as LF and CRLF do: a
    // section key after one is a top-level key, and must not be blanked with the line
    // before it.
    for line in universal_lines(text) {
        let start = line.start;
        let rest = &text[line.end()..];
        let at = line.end()
            + if rest.starts_with("\r\n") {
                2
            } else {
                rest.len().min(1)
            };
        let line = line.text;
        match line.as_bytes().first() {
            // Indented lines, empty lines and comments belong to the current section.
            None | Some(b' ' | b'\t' | b'#') => {}
            _ if line.starts_with("---") || line.starts_with("...") => blank = false,
            _ => {
                let (key, rest) = line.split_once(':')?;
                let plain = key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'));
                if !plain || !(rest.is_empty() || rest.starts_with(' ')) {
                    return None;
                }
                blank = !READ.contains(&key);
            }
        }
        if blank {
            match blanked.last_mut() {
                Some(r) if r.end == start => r.end = at,
                _ => blanked.push(start..at),
            }
            let bytes = out.get_or_insert_with(|| text.as_bytes().to_vec());
            for b in &mut bytes[start..at] {
                if !matches!(*b, b'\n' | b'\r') {
                    *b = b' ';
                }
            }
        }
    }
    // Only ASCII bytes were replaced, whole lines at a time: still UTF-8.
    out.map(|b| (String::from_utf8(b).unwrap_or_default(), blanked))
}

fn parse_text(file: &SourceFile) -> PackageFile {
    let mut out = PackageFile::default();
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
                Span::new(key.span.start(), entry.span.end().max(key.span.end())),
            );
            p.version = version;
            p.flags.dev = entry.get("dev").and_then(Node::as_bool) == Some(true);
            if let Some((rk, res)) = entry.entry("resolution") {
                p.source_span = Some(Span::new(rk.span.start(), res.span.end()));
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
    fn unread_sections_are_blanked_in_place() {
        let text = "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      a: {specifier: ^1, version: 1.0.0}\n\npackages:\n\n  a@1.0.0:\n    resolution: {integrity: sha512-x}\n\nsnapshots:\n\n  a@1.0.0: {}\n";
        let (blanked, ranges) = only_read_sections(text).expect("blanked");
        assert_eq!(ranges.len(), 2, "{ranges:?}");
        assert!(text[ranges[0].clone()].starts_with("importers:"));
        assert!(text[ranges[1].clone()].starts_with("snapshots:"));
        assert_eq!(blanked.len(), text.len());
        assert_eq!(blanked.lines().count(), text.lines().count());
        assert!(!blanked.contains("importers") && !blanked.contains("snapshots"));
        assert!(!blanked.contains("specifier"));
        assert!(blanked.contains("packages:\n\n  a@1.0.0:\n    resolution"));
        // Nothing to blank, or a top-level line pnpm would not write: parsed as it is.
        assert_eq!(
            only_read_sections("lockfileVersion: '9.0'\npackages: {}\n"),
            None
        );
        assert_eq!(only_read_sections("snapshots: {}\n'packages': {}\n"), None);
        assert_eq!(only_read_sections("{packages: {}}\n"), None);
    }

    /// A package entry followed by a blanked section ends where that section starts, as
    /// it does when the whole text is parsed (not at the next token after the blanks).
    #[test]
    fn an_entry_before_a_blanked_section_ends_where_the_section_starts() {
        let text = "lockfileVersion: '9.0'\n\npackages:\n\n  a@1.0.0:\n    resolution: {integrity: sha512-x}\n\nsnapshots:\n\n  a@1.0.0: {}\n";
        let file = SourceFile::new("pnpm-lock.yaml", "pnpm-lock.yaml", text);
        let fast = parse(&file);
        let whole = parse_text(&file);
        assert_eq!(fast.packages.len(), 1, "{fast:?}");
        let at = text.find("snapshots:").expect("section");
        assert_eq!(fast.packages[0].span.end(), at);
        assert_eq!(fast.packages[0].span, whole.packages[0].span);
    }

    /// A lone CR ends a line for pnpm (js-yaml) and for our YAML parser: a `packages:`
    /// after one is read, not blanked with the section before it.
    #[test]
    fn a_section_after_a_lone_cr_is_not_blanked() {
        let text = "lockfileVersion: '9.0'\n\nimporters:\r  .: {}\rpackages:\r  evil@1.0.0:\r    resolution: {tarball: https://evil.example/e.tgz}\r\r\nsnapshots:\n  evil@1.0.0: {}\n";
        let file = SourceFile::new("pnpm-lock.yaml", "pnpm-lock.yaml", text);
        let whole = parse_text(&file);
        assert_eq!(whole.packages.len(), 1, "{whole:?}");
        let fast = parse(&file);
        assert_eq!(fast.packages, whole.packages);
        let (blanked, ranges) = only_read_sections(text).expect("blanked");
        assert!(blanked.contains("packages:\r  evil@1.0.0:"), "{blanked:?}");
        assert_eq!(ranges.len(), 2, "{ranges:?}");
        assert!(text[ranges[0].clone()].starts_with("importers:"));
        assert!(text[ranges[0].clone()].ends_with("{}\r"));
    }

    /// Blanking changes nothing in what is read: the fixtures and, when present, every
    /// pnpm lockfile of the shared corpus give the same packages, versions and
    /// diagnostics either way.
    #[test]
    fn blanking_reads_the_same_packages() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files: Vec<std::path::PathBuf> = ["v5", "v6", "v9"]
            .iter()
            .map(|v| root.join(format!("testdata/lockfile/pnpm/{v}/pnpm-lock.yaml")))
            .chain([root.join("testdata/lockfile/corrupt/pnpm-lock.yaml")])
            .collect();
        let corpus = root.join("../shared/corpus");
        for repo in std::fs::read_dir(&corpus).into_iter().flatten().flatten() {
            collect(&repo.path(), &mut files);
        }
        let mut blanked = 0;
        for path in &files {
            let text = std::fs::read_to_string(path).expect("read");
            let file = SourceFile::new(path.display().to_string(), path, text);
            let whole = parse_text(&file);
            let fast = parse(&file);
            blanked += usize::from(only_read_sections(file.text()).is_some());
            assert_eq!(fast.packages, whole.packages, "{}", path.display());
            assert_eq!(
                fast.format_version,
                whole.format_version,
                "{}",
                path.display()
            );
            assert_eq!(
                format!("{:?}", fast.diagnostics),
                format!("{:?}", whole.diagnostics),
                "{}",
                path.display()
            );
        }
        assert!(blanked >= 3, "the fixtures have sections to blank");
    }

    fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                collect(&p, out);
            } else if p.file_name().is_some_and(|n| n == "pnpm-lock.yaml") {
                out.push(p);
            }
        }
    }

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

//! Package sources in the graph: the fragment of a lockfile or registry configuration
//! (its packages and the sources they resolve from), the registries `env:` blocks set,
//! and where each source is named, and how: the `resolves-from` edges into `source`
//! nodes and the [`SourceNamings`] record beside them.
//!
//! A source is one node (a registry, a git repository, an archive URL), but the places
//! that name it are many and differ in what they mean: a lockfile entry, a registry
//! configuration entry with its role (default, scoped, extra index, replacement…), an
//! `env:` variable that sets a registry, an install command's index option. As with the
//! secret hand-overs, the graph's edges stay one per (namer, source), at the first place;
//! every naming, with how, is in the record, so that a rule reports at every place and
//! the second lockfile that takes a shared package from a registry is not lost to the
//! edge deduplication.
//!
//! Lockfile entries from the ecosystem's default registry over `https://` are the bulk
//! of every lockfile and say nothing a rule asks about: they are left out of the record
//! (their edges remain).

use tollgate_gha::Env;
use tollgate_lockfile::{Ecosystem, Source, SourceKind, SourceRole};
use tollgate_model::{FileKind, Span};
use tollgate_shell::IndexKind;

use crate::fragment::{FRef, FragmentBuilder, Key};
use crate::graph::Graph;
use crate::model::{EdgeKind, NodeId, NodeKind, Origin};

/// How a place names a source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Naming {
    /// A lockfile entry: the package (the naming's `from`) resolves from the source.
    Entry,
    /// A Go module `replace old => new v…` (go.mod): the package `new` comes from the
    /// default proxy, but its code from another repository than `replaces` names.
    Fork { replaces: String },
    /// A lockfile entry taken from a local path outside the repository (`../x`,
    /// `/opt/x`): there is no source node, the path is the whole fact.
    OutsidePath { path: String },
    /// An entry of a registry configuration file, with its role.
    Config(Box<Configured>),
    /// An `env:` variable of a workflow, job or step that sets a registry
    /// (`PIP_EXTRA_INDEX_URL`, `NPM_CONFIG_REGISTRY`, `GOPROXY`, …), with the role the
    /// setting gives the source.
    Env(Box<EnvSetting>),
    /// An index option of an install command (`--index-url`, `--extra-index-url`,
    /// `--find-links`, `--registry`, `GOPROXY=` on the command line).
    Index { kind: IndexKind },
}

/// A configured source's role (`SourceRole`) and scope (npm `@scope`, Go pattern).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Configured {
    pub role: SourceRole,
    pub scope: Option<String>,
    /// A `directory:` or `local-registry:` source (cargo vendoring) inside the
    /// repository: packages from a copy kept next to the code.
    pub inside: bool,
}

/// An `env:` variable that sets a registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvSetting {
    /// The variable's name as written.
    pub var: String,
    pub role: SourceRole,
    pub scope: Option<String>,
}

/// One place that names a source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceNaming {
    /// What names it: a package (lockfile entries), a registry configuration, a
    /// workflow, job or step (`env:`), or a command.
    pub from: NodeId,
    /// The source node; `None` for [`Naming::OutsidePath`].
    pub source: Option<NodeId>,
    /// The place: the lockfile entry's source field (or the entry), the configuration
    /// entry, the `env:` entry (key and value), the option's value.
    pub origin: Origin,
    pub naming: Naming,
}

/// The record the structural build leaves beside the `resolves-from` edges: every
/// naming, in input order and, within an input, in file order.
#[derive(Debug, Default)]
pub struct SourceNamings {
    namings: Vec<SourceNaming>,
}

impl SourceNamings {
    pub(crate) fn add(&mut self, naming: SourceNaming) {
        self.namings.push(naming);
    }
}

/// A naming found in a file, with its nodes as indices into the fragment.
#[derive(Clone, Debug)]
pub(crate) struct FNaming {
    pub from: usize,
    pub source: Option<usize>,
    pub origin: Origin,
    pub naming: Naming,
}

impl Graph {
    /// Every place that names a package source, in input and file order (lockfile
    /// entries from a default registry over `https://` excepted).
    #[must_use]
    pub fn source_namings(&self) -> &[SourceNaming] {
        self.record::<SourceNamings>()
            .map_or(&[], |r| r.namings.as_slice())
    }
}

impl FragmentBuilder<'_> {
    /// A source node (registry index or git repository).
    pub fn source(
        &mut self,
        ecosystem: Option<Ecosystem>,
        kind: SourceKind,
        url: &str,
        default: bool,
        span: Span,
    ) -> FRef {
        let data = || NodeKind::Source {
            ecosystem,
            kind,
            url: url.to_owned(),
            default,
        };
        let key = Key::Source(ecosystem, kind, url.to_owned());
        self.shared_with(key, data, Some(span)).0
    }

    /// Record that `from` names `source` (none for a path outside the repository) at
    /// `span`, and how. Both are nodes of this fragment: sources and the nodes that name
    /// them are always built here.
    pub fn naming(&mut self, from: &FRef, source: Option<&FRef>, span: Span, naming: Naming) {
        let FRef::Local(from) = *from else { return };
        let source = match source {
            Some(FRef::Local(s)) => Some(*s),
            Some(FRef::Key(_)) => return,
            None => None,
        };
        let origin = self.origin(span);
        self.frag.namings.push(crate::sources::FNaming {
            from,
            source,
            origin,
            naming,
        });
    }

    /// The registries an `env:` block sets (`PIP_EXTRA_INDEX_URL`, `NPM_CONFIG_REGISTRY`,
    /// `GOPROXY`, …), as `resolves-from` edges from `owner` (the workflow, job or step)
    /// located at the entry, with their role in the record. Settings that change trust
    /// and not the source, Go's `direct`/`off` keywords and values only known at run
    /// time (`${{ secrets.INDEX }}`, `$INDEX`) name no source.
    pub(crate) fn env_sources(&mut self, owner: &FRef, env: &Env) {
        for v in &env.vars {
            let span = v.key.span.cover(v.value.span);
            self.env_source(owner, &v.key.value, &v.value.value, span, true);
        }
    }

    /// The registry one environment variable `key` set to `value` names (see
    /// [`Self::env_sources`]), from `owner`, located at `span`; the naming is recorded
    /// only when `name` (a GitLab template's variable shared by many jobs is named once,
    /// with an edge from each job).
    pub(crate) fn env_source(
        &mut self,
        owner: &FRef,
        key: &str,
        value: &str,
        span: Span,
        name: bool,
    ) {
        for s in tollgate_lockfile::registry_from_env(key, value, span) {
            let url = s.url.trim();
            if matches!(s.role, SourceRole::Setting)
                || url.is_empty()
                || s.is_unresolved()
                || url.contains("${{")
                || matches!(url, "direct" | "off")
            {
                continue;
            }
            let default = tollgate_lockfile::is_default_registry(s.ecosystem, url);
            let src = self.source(Some(s.ecosystem), SourceKind::Registry, url, default, span);
            self.edge(owner, &src, EdgeKind::ResolvesFrom, Some(span));
            if name {
                let setting = EnvSetting {
                    var: key.to_owned(),
                    role: s.role,
                    scope: s.scope,
                };
                self.naming(owner, Some(&src), span, Naming::Env(Box::new(setting)));
            }
        }
    }
}

/// The nodes and edges of a lockfile or registry configuration file: the file, its
/// packages and the sources they and its entries resolve from, each naming recorded.
pub(crate) fn package_file(
    cx: &mut FragmentBuilder<'_>,
    kind: FileKind,
    parsed: &tollgate_lockfile::PackageFile,
) {
    let path = cx.input.source.display.clone();
    let file = if kind.is_lockfile() {
        let packages = parsed
            .packages
            .iter()
            .filter(|p| p.source != Source::Workspace)
            .count();
        Some(cx.shared(
            Key::File(cx.id),
            NodeKind::Lockfile {
                path,
                kind,
                packages,
            },
            Some(Span::empty(0)),
        ))
    } else if parsed
        .sources
        .iter()
        .any(|s| !matches!(s.role, SourceRole::Setting))
    {
        Some(cx.shared(
            Key::File(cx.id),
            NodeKind::RegistryConfig { path, kind },
            Some(Span::empty(0)),
        ))
    } else {
        None
    };
    let Some(file) = &file else { return };
    for p in &parsed.packages {
        let url = p.source.url().unwrap_or("").to_owned();
        if p.source == Source::Workspace {
            continue;
        }
        let data = || NodeKind::Package {
            ecosystem: p.ecosystem,
            name: p.name.clone(),
            version: p.version.clone(),
        };
        let key = Key::Package(p.ecosystem, p.name.clone(), p.version.clone(), url);
        let (pkg, _) = cx.shared_with(key, data, Some(p.span));
        cx.edge(file, &pkg, EdgeKind::Contains, Some(p.span));
        let span = p.source_span.unwrap_or(p.span);
        let (kind, url, default) = match &p.source {
            Source::Registry { url, default } => (SourceKind::Registry, url, *default),
            Source::Git { url, .. } => (SourceKind::Git, url, false),
            Source::Url { url } => (SourceKind::Url, url, false),
            Source::Path { path } => {
                if !path_inside(&cx.input.source.display, path) {
                    let naming = Naming::OutsidePath { path: path.clone() };
                    cx.naming(&pkg, None, span, naming);
                }
                continue;
            }
            Source::Workspace | Source::Unknown => continue,
        };
        let s = cx.source(Some(p.ecosystem), kind, url, default, span);
        cx.edge(&pkg, &s, EdgeKind::ResolvesFrom, Some(span));
        // A Go module replaced by another module path keeps the default proxy, but its
        // code comes from another repository.
        let naming = match &p.alias {
            Some(old) if default && p.ecosystem == Ecosystem::Go => Naming::Fork {
                replaces: old.clone(),
            },
            _ if default && !not_https(url) => continue,
            _ => Naming::Entry,
        };
        cx.naming(&pkg, Some(&s), span, naming);
    }
    for s in &parsed.sources {
        if matches!(s.role, SourceRole::Setting) {
            continue;
        }
        let default = tollgate_lockfile::is_default_registry(s.ecosystem, &s.url);
        let src = cx.source(
            Some(s.ecosystem),
            SourceKind::Registry,
            &s.url,
            default,
            s.span,
        );
        cx.edge(file, &src, EdgeKind::ResolvesFrom, Some(s.span));
        let dir = s
            .url
            .trim()
            .strip_prefix("directory:")
            .or_else(|| s.url.trim().strip_prefix("local-registry:"));
        let configured = Configured {
            role: s.role.clone(),
            scope: s.scope.clone(),
            inside: dir.is_some_and(|d| path_inside(&cx.input.source.display, d)),
        };
        cx.naming(
            file,
            Some(&src),
            s.span,
            Naming::Config(Box::new(configured)),
        );
    }
}

/// Whether a lockfile's source URL is anything but `https://`, after transport prefixes
/// such as cargo's `registry+` or `sparse+`: an entry from the default registry is
/// recorded only then, for the rules about plain-HTTP transport.
fn not_https(url: &str) -> bool {
    let mut u = url.trim();
    while let Some((prefix, rest)) = u.split_once('+') {
        if prefix.contains(['/', ':']) {
            break;
        }
        u = rest;
    }
    !u.starts_with("https://")
}

/// Whether a lockfile's local path dependency stays inside the repository: a relative
/// path from the lockfile's directory that does not climb above the scan root.
pub(crate) fn path_inside(lockfile: &str, path: &str) -> bool {
    let path = path
        .trim()
        .trim_start_matches("file:")
        .trim_start_matches("link:");
    if path.starts_with('/') || path.starts_with('~') || path.contains(":\\") {
        return false;
    }
    let dir = lockfile.rsplit_once('/').map_or("", |(d, _)| d);
    let joined = if dir.is_empty() {
        path.to_owned()
    } else {
        format!("{dir}/{path}")
    };
    crate::util::normalise(&joined).is_some()
}

#[cfg(test)]
mod tests {
    use super::{not_https, path_inside};

    #[test]
    fn local_paths_inside_the_repository() {
        assert!(path_inside("web/package-lock.json", "../shared"));
        assert!(path_inside("package-lock.json", "file:packages/a"));
        assert!(!path_inside("package-lock.json", "../outside"));
        assert!(!path_inside("a/Cargo.lock", "/opt/crates/x"));
        assert!(!path_inside("Cargo.lock", "~/src/x"));
        assert!(!path_inside("Cargo.lock", "C:\\src\\x"));
    }

    /// Default-registry entries are recorded only when not fetched over `https://`.
    #[test]
    fn transport_prefixes_are_looked_through() {
        assert!(!not_https(
            "registry+https://github.com/rust-lang/crates.io-index"
        ));
        assert!(!not_https("sparse+https://index.crates.io/"));
        assert!(!not_https("https://registry.npmjs.org/a/-/a-1.0.0+b.tgz"));
        assert!(not_https("http://registry.npmjs.org/"));
        assert!(not_https("registry+http://mirror.example/index"));
        assert!(not_https("git://example.com/x"));
    }
}

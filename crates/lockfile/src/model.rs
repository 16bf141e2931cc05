//! The normalised package model shared by every lockfile and registry-configuration parser.

use serde::Serialize;
use tollgate_model::{Diagnostic, Span};

// The ecosystem is knowledge-base vocabulary: package managers and registries name it too.
pub use tollgate_kb::Ecosystem;

/// Where a package comes from, as its lockfile records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Source {
    /// A package registry (index). `url` is normalised (no `registry+` prefix, no tarball
    /// path); `default` is true when it is the ecosystem's default public registry.
    Registry { url: String, default: bool },
    /// A git repository; `rev` is what was asked for (branch, tag, rev), `commit` the commit
    /// the lockfile pinned, when it records one.
    Git {
        url: String,
        rev: Option<String>,
        commit: Option<String>,
    },
    /// A direct archive URL (tarball, wheel, zip).
    Url { url: String },
    /// A local path outside the workspace's own members (`file:`, `path:`, `-e ./x`).
    Path { path: String },
    /// Part of the project itself: a workspace member, the root package, a workspace link.
    /// Cargo.lock cannot tell a workspace member from a path dependency; both land here.
    Workspace,
    /// The lockfile says nothing we can map (bundled npm packages, unknown protocols).
    Unknown,
}

/// The kind of a [`Source`] without its data, for counting and policy keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    Registry,
    Git,
    Url,
    Path,
    Workspace,
    Unknown,
}

impl SourceKind {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Registry => "registry",
            Self::Git => "git",
            Self::Url => "url",
            Self::Path => "path",
            Self::Workspace => "workspace",
            Self::Unknown => "unknown",
        }
    }
}

impl Source {
    #[must_use]
    pub const fn kind(&self) -> SourceKind {
        match self {
            Self::Registry { .. } => SourceKind::Registry,
            Self::Git { .. } => SourceKind::Git,
            Self::Url { .. } => SourceKind::Url,
            Self::Path { .. } => SourceKind::Path,
            Self::Workspace => SourceKind::Workspace,
            Self::Unknown => SourceKind::Unknown,
        }
    }

    /// The URL or path this source names, if any.
    #[must_use]
    pub fn url(&self) -> Option<&str> {
        match self {
            Self::Registry { url, .. } | Self::Git { url, .. } | Self::Url { url } => Some(url),
            Self::Path { path } => Some(path),
            Self::Workspace | Self::Unknown => None,
        }
    }
}

/// A content hash recorded for a package. Only the algorithm is kept: policies ask whether a
/// hash is present and how strong it is, never for the value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Integrity {
    /// `sha512`, `sha256`, `sha1`, `h1` (Go's dirhash), `blake2b`…, as the file names it.
    pub algorithm: String,
}

impl Integrity {
    pub(crate) fn new(algorithm: impl Into<String>) -> Self {
        Self {
            algorithm: algorithm.into(),
        }
    }
}

/// Facts about an entry that change how it is installed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PackageFlags {
    /// Only needed for development (npm `dev`, Pipfile `develop`, poetry `dev` category).
    #[serde(skip_serializing_if = "is_false")]
    pub dev: bool,
    /// Shipped inside another package's tarball (npm `inBundle`), not fetched itself.
    #[serde(skip_serializing_if = "is_false")]
    pub bundled: bool,
    /// Installed in editable/development mode (`-e`, uv `editable`).
    #[serde(skip_serializing_if = "is_false")]
    pub editable: bool,
    /// A constraint (`-c` file, go.sum line, go `exclude`), not an install by itself.
    #[serde(skip_serializing_if = "is_false")]
    pub constraint: bool,
    /// Go `// indirect` requirement.
    #[serde(skip_serializing_if = "is_false")]
    pub indirect: bool,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_false(b: &bool) -> bool {
    !*b
}

/// One package entry of a lockfile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Package {
    pub ecosystem: Ecosystem,
    /// The package's real name (for an npm alias, the aliased package).
    pub name: String,
    /// The exact version, when the entry pins one.
    pub version: Option<String>,
    pub source: Source,
    pub integrity: Option<Integrity>,
    /// The whole entry; `span.start` is on the entry's first line.
    pub span: Span,
    /// The field that names the source (`source = …`, `"resolved": …`, `resolution:`,
    /// `remote:`, `--index-url` …), when there is one.
    pub source_span: Option<Span>,
    /// The name the package is installed under when it differs from `name`
    /// (npm `"foo": "npm:bar@1"`, a pnpm/yarn alias).
    pub alias: Option<String>,
    /// Environment markers (`; python_version < "3.11"`), for Python requirements.
    pub markers: Option<String>,
    pub flags: PackageFlags,
}

impl Package {
    pub(crate) fn new(ecosystem: Ecosystem, name: impl Into<String>, span: Span) -> Self {
        Self {
            ecosystem,
            name: name.into(),
            version: None,
            source: Source::Unknown,
            integrity: None,
            span,
            source_span: None,
            alias: None,
            markers: None,
            flags: PackageFlags::default(),
        }
    }
}

/// What a configured source does to the resolution of packages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "role", rename_all = "kebab-case")]
pub enum SourceRole {
    /// The registry used for every package that nothing more specific claims
    /// (npm `registry=`, pip `index-url`, poetry `primary`, `GOPROXY`'s first entry).
    Default,
    /// Used for the packages of one scope (npm `@scope:registry`, yarn `npmScopes`,
    /// `GOPRIVATE` patterns); [`ConfiguredSource::scope`] holds the scope or pattern.
    Scoped,
    /// Replaces another source (cargo `[source.crates-io] replace-with`).
    Replacement { replaces: String },
    /// Searched in addition to the default (pip `extra-index-url`, poetry `supplemental`),
    /// the classic setting for dependency confusion.
    Extra,
    /// Only used by packages that name it (poetry/uv `explicit` indexes).
    Explicit,
    /// A named registry that packages may select (cargo `[registries]`, `[source.x]`).
    Named,
    /// Tried when the one before fails (`GOPROXY=a,b`).
    Fallback,
    /// A directory or page of archives searched for packages (pip `--find-links`).
    FindLinks,
    /// Changes how sources are trusted, not which one is used (`GONOSUMDB`, `GOINSECURE`,
    /// `GOFLAGS=-insecure`, pip `trusted-host`, npm `strict-ssl=false`).
    Setting,
    /// The source of one named package (uv `[tool.uv.sources]`, a Gemfile `git:` gem).
    Package { package: String },
}

/// A registry (or other source) configured outside the lockfile that changes where
/// packages come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConfiguredSource {
    pub ecosystem: Ecosystem,
    /// npm `@scope`, or a Go module path pattern.
    pub scope: Option<String>,
    /// Cargo registry/source name, poetry/uv index name.
    pub name: Option<String>,
    /// The URL as configured. `${ENV}` references are kept unresolved (see
    /// [`ConfiguredSource::is_unresolved`]); Go keywords `direct` and `off` are kept as is.
    pub url: String,
    #[serde(flatten)]
    pub role: SourceRole,
    /// TLS verification off (`strict-ssl=false`, `trusted-host`), plain `http://`, or
    /// checksum verification skipped (`GONOSUMDB`, `GOINSECURE`).
    pub insecure: bool,
    /// The config entry (key and value) that sets this source.
    pub span: Span,
}

impl ConfiguredSource {
    pub(crate) fn new(
        ecosystem: Ecosystem,
        url: impl Into<String>,
        role: SourceRole,
        span: Span,
    ) -> Self {
        let url = url.into();
        let insecure = url.starts_with("http://");
        Self {
            ecosystem,
            scope: None,
            name: None,
            url,
            role,
            insecure,
            span,
        }
    }

    /// True when the URL holds an environment reference (`${NPM_REGISTRY}`) that only the
    /// CI environment can resolve.
    #[must_use]
    pub fn is_unresolved(&self) -> bool {
        self.url.contains("${") || self.url.starts_with('$')
    }
}

/// Kind of include found in a requirements file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IncludeKind {
    /// `-r file`: more requirements.
    Requirements,
    /// `-c file`: constraints only.
    Constraints,
}

/// Another file this one pulls in (`-r`, `-c`), with the span of the option.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Include {
    pub kind: IncludeKind,
    /// The path as written, relative to the including file.
    pub path: String,
    pub span: Span,
}

/// Everything read from one file.
#[derive(Debug, Default, Serialize)]
pub struct PackageFile {
    pub packages: Vec<Package>,
    pub sources: Vec<ConfiguredSource>,
    /// Files included by this one (requirements `-r`/`-c`).
    pub includes: Vec<Include>,
    /// The lockfile format version, when the file records one.
    pub format_version: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
}

impl PackageFile {
    /// True when a diagnostic has already been recorded; parsers stop at the first one so a
    /// corrupt file yields exactly one.
    pub(crate) fn failed(&self) -> bool {
        !self.diagnostics.is_empty()
    }
}

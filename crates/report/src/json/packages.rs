//! The packages and configured sources of a lockfile or registry configuration in the
//! `check` JSON document: DTOs mapped by hand from `tollgate_lockfile`'s types, so a
//! field the parsers gain does not reach the document until it is mapped here and typed
//! in docs/schemas/check.schema.json.

use serde::Serialize;
use tollgate_lockfile::{ConfiguredSource, Package, Source, SourceRole};
use tollgate_model::SourceFile;

use super::Pos;
use super::facts::SpanDto;

/// One package entry of a lockfile.
#[derive(Serialize)]
pub struct PackageDto<'a> {
    /// `cargo`, `npm`, `pypi`, `go` or `rubygems`.
    pub ecosystem: &'static str,
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<&'a str>,
    pub source: PackageSourceDto<'a>,
    pub integrity: bool,
    pub location: Pos,
}

/// Where a package comes from, tagged by `kind`.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PackageSourceDto<'a> {
    Registry {
        url: &'a str,
        default: bool,
    },
    Git {
        url: &'a str,
        rev: Option<&'a str>,
        commit: Option<&'a str>,
    },
    Url {
        url: &'a str,
    },
    Path {
        path: &'a str,
    },
    Workspace,
    Unknown,
}

impl<'a> PackageDto<'a> {
    #[must_use]
    pub fn new(file: &SourceFile, p: &'a Package) -> Self {
        let source = match &p.source {
            Source::Registry { url, default } => PackageSourceDto::Registry {
                url,
                default: *default,
            },
            Source::Git { url, rev, commit } => PackageSourceDto::Git {
                url,
                rev: rev.as_deref(),
                commit: commit.as_deref(),
            },
            Source::Url { url } => PackageSourceDto::Url { url },
            Source::Path { path } => PackageSourceDto::Path { path },
            Source::Workspace => PackageSourceDto::Workspace,
            Source::Unknown => PackageSourceDto::Unknown,
        };
        Self {
            ecosystem: p.ecosystem.as_str(),
            name: &p.name,
            version: p.version.as_deref(),
            source,
            integrity: p.integrity.is_some(),
            location: Pos::of(file, p.span),
        }
    }
}

/// A registry (or other source) configured outside the lockfile. `span` is the byte range
/// of the config entry in the file; `location` is the same place as line and column.
#[derive(Serialize)]
pub struct SourceDto<'a> {
    pub ecosystem: &'static str,
    pub scope: Option<&'a str>,
    pub name: Option<&'a str>,
    pub url: &'a str,
    #[serde(flatten)]
    pub role: SourceRoleDto<'a>,
    pub insecure: bool,
    pub span: SpanDto,
    pub location: Pos,
}

/// What a configured source does to resolution, tagged by `role`.
#[derive(Serialize)]
#[serde(tag = "role", rename_all = "kebab-case")]
pub enum SourceRoleDto<'a> {
    Default,
    Scoped,
    Replacement { replaces: &'a str },
    Extra,
    Explicit,
    Named,
    Fallback,
    FindLinks,
    Setting,
    Package { package: &'a str },
}

impl<'a> SourceDto<'a> {
    #[must_use]
    pub fn new(file: &SourceFile, s: &'a ConfiguredSource) -> Self {
        let role = match &s.role {
            SourceRole::Default => SourceRoleDto::Default,
            SourceRole::Scoped => SourceRoleDto::Scoped,
            SourceRole::Replacement { replaces } => SourceRoleDto::Replacement { replaces },
            SourceRole::Extra => SourceRoleDto::Extra,
            SourceRole::Explicit => SourceRoleDto::Explicit,
            SourceRole::Named => SourceRoleDto::Named,
            SourceRole::Fallback => SourceRoleDto::Fallback,
            SourceRole::FindLinks => SourceRoleDto::FindLinks,
            SourceRole::Setting => SourceRoleDto::Setting,
            SourceRole::Package { package } => SourceRoleDto::Package { package },
        };
        Self {
            ecosystem: s.ecosystem.as_str(),
            scope: s.scope.as_deref(),
            name: s.name.as_deref(),
            url: &s.url,
            role,
            insecure: s.insecure,
            span: s.span.into(),
            location: Pos::of(file, s.span),
        }
    }
}

#[cfg(test)]
mod tests {
    use tollgate_lockfile::Ecosystem;
    use tollgate_model::Span;

    use super::*;

    fn file() -> SourceFile {
        SourceFile::new("go.env", "go.env", "GOPROXY=a,b\n")
    }

    /// The version-1 names and order, written out by hand.
    #[test]
    fn configured_sources_keep_their_version_1_shape() {
        let f = file();
        let mut s = ConfiguredSource {
            ecosystem: Ecosystem::Go,
            scope: None,
            name: None,
            url: "https://b.example".to_owned(),
            role: SourceRole::Fallback,
            insecure: false,
            span: Span::new(8, 11),
        };
        let text = serde_json::to_string(&SourceDto::new(&f, &s)).unwrap_or_default();
        assert_eq!(
            text,
            r#"{"ecosystem":"go","scope":null,"name":null,"url":"https://b.example","role":"fallback","insecure":false,"span":{"start":8,"end":11},"location":{"line":1,"column":9,"end_line":1,"end_column":12}}"#
        );
        s.role = SourceRole::Package {
            package: "x".to_owned(),
        };
        let text = serde_json::to_string(&SourceDto::new(&f, &s)).unwrap_or_default();
        assert!(
            text.contains(r#""role":"package","package":"x","insecure""#),
            "{text}"
        );
    }

    #[test]
    fn unknown_sources_are_a_bare_kind() {
        let f = file();
        let p = Package {
            ecosystem: Ecosystem::Npm,
            name: "x".to_owned(),
            version: None,
            source: Source::Unknown,
            integrity: None,
            span: Span::new(0, 1),
            source_span: None,
            alias: None,
            markers: None,
            flags: tollgate_lockfile::PackageFlags::default(),
        };
        let text = serde_json::to_string(&PackageDto::new(&f, &p)).unwrap_or_default();
        assert_eq!(
            text,
            r#"{"ecosystem":"npm","name":"x","source":{"kind":"unknown"},"integrity":false,"location":{"line":1,"column":1,"end_line":1,"end_column":2}}"#
        );
    }
}

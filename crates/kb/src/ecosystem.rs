//! The package ecosystems tollgate models registries and lockfiles for.

use serde::Serialize;

/// The package ecosystem a package, a configured source or a package manager belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Ecosystem {
    #[serde(rename = "cargo")]
    Cargo,
    #[serde(rename = "npm")]
    Npm,
    #[serde(rename = "pypi")]
    PyPI,
    #[serde(rename = "go")]
    Go,
    #[serde(rename = "rubygems")]
    RubyGems,
}

impl Ecosystem {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Cargo => "cargo",
            Self::Npm => "npm",
            Self::PyPI => "pypi",
            Self::Go => "go",
            Self::RubyGems => "rubygems",
        }
    }
}

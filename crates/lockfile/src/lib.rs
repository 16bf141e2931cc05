//! Lockfile and registry-configuration parsers with one package model across ecosystems.
//!
//! [`parse`] reads one file of a known [`FileKind`] into a [`PackageFile`]: its package entries
//! (each with the span of its entry and of the field naming its source), the registries it
//! configures, and at most one diagnostic when the file is corrupt. [`resolve`] applies
//! configured sources to a package the way its package manager would, and
//! [`registry_from_env`] reads registry settings from CI environment variables.
//!
//! Parsing never panics and never aborts: a truncated or corrupt file yields one
//! diagnostic at the line where reading stopped and every entry read before it.

mod cargo;
mod config;
mod gemfile_lock;
pub mod glob;
mod golang;
mod json;
mod lines;
mod model;
mod npm;
mod pipfile;
mod pnpm;
mod python_toml;
mod registry;
mod requirements;
mod yaml;
mod yarn;

pub use model::{
    ConfiguredSource, Ecosystem, Include, IncludeKind, Integrity, Package, PackageFile,
    PackageFlags, Source, SourceKind, SourceRole,
};
pub use registry::{
    DEFAULT_REGISTRIES, DefaultRegistry, Resolved, default_registry, go_patterns_match,
    is_default_registry, normalise_for_match, normalise_registry_url, pep503, registry_from_env,
    resolve,
};
use tollgate_model::{Diagnostic, DiagnosticCode, FileKind, SourceFile};

/// Parse `file` as `kind`. Kinds that are neither lockfiles nor registry configuration
/// give an empty result.
#[must_use]
pub fn parse(file: &SourceFile, kind: FileKind) -> PackageFile {
    match kind {
        FileKind::CargoLock => cargo::parse(file),
        FileKind::NpmLock => npm::parse(file),
        FileKind::Requirements => requirements::parse(file),
        FileKind::YarnLock => yarn::parse(file),
        FileKind::PnpmLock => pnpm::parse(file),
        FileKind::GoMod => golang::parse_mod(file),
        FileKind::GoSum => golang::parse_sum(file),
        FileKind::GemfileLock => gemfile_lock::parse(file),
        FileKind::PoetryLock => python_toml::parse_poetry(file),
        FileKind::UvLock => python_toml::parse_uv(file),
        FileKind::PipfileLock => pipfile::parse(file),
        FileKind::Npmrc => config::parse_npmrc(file),
        FileKind::Yarnrc => config::parse_yarnrc(file),
        FileKind::CargoConfig => config::parse_cargo_config(file),
        FileKind::PipConf => config::parse_pip_conf(file),
        FileKind::Pyproject => config::parse_pyproject(file),
        FileKind::Gemrc => config::parse_gemrc(file),
        FileKind::Gemfile => config::parse_gemfile(file),
        _ => not_supported(file, kind),
    }
}

fn not_supported(file: &SourceFile, kind: FileKind) -> PackageFile {
    let mut out = PackageFile::default();
    if kind.is_lockfile() || kind.is_registry_config() {
        out.diagnostics.push(Diagnostic::file(
            file.display.clone(),
            DiagnosticCode::NotAnalysed,
            format!("{} files are not read yet", kind.as_str()),
        ));
    }
    out
}

#[cfg(test)]
mod send_check {
    fn assert_send<T: Send + Sync>() {}

    #[test]
    fn model_types_are_send() {
        assert_send::<super::PackageFile>();
        assert_send::<super::Package>();
        assert_send::<super::ConfiguredSource>();
    }
}

//! Registry configuration fixtures and resolution of packages against them.

mod common;

use common::load;
use tollgate_lockfile::{
    ConfiguredSource, Ecosystem, Package, SourceRole, registry_from_env, resolve,
};
use tollgate_model::{SourceFile, Span};

/// `(line, role, scope, url, insecure)` of each configured source.
fn rows(
    f: &SourceFile,
    s: &[ConfiguredSource],
) -> Vec<(usize, SourceRole, Option<String>, String, bool)> {
    s.iter()
        .map(|s| {
            (
                f.line_col(s.span.start()).line as usize,
                s.role.clone(),
                s.scope.clone(),
                s.url.clone(),
                s.insecure,
            )
        })
        .collect()
}

#[test]
fn npmrc_registry_scopes_env_and_strict_ssl() {
    let (f, p) = load("config/.npmrc", None);
    let r = rows(&f, &p.sources);
    assert_eq!(
        r[0],
        (
            2,
            SourceRole::Default,
            None,
            "https://npm.corp.example.com/".into(),
            true
        )
    );
    assert_eq!(
        r[1],
        (
            3,
            SourceRole::Scoped,
            Some("@acme".into()),
            "https://npm.pkg.github.com".into(),
            true
        )
    );
    assert_eq!(r[2].2.as_deref(), Some("@internal"));
    assert!(p.sources[2].is_unresolved());
    assert_eq!(r[3].1, SourceRole::Setting);
    assert_eq!(r.len(), 4);
}

#[test]
fn yarnrc_scopes() {
    let (f, p) = load("config/.yarnrc.yml", None);
    let r = rows(&f, &p.sources);
    assert_eq!(
        r,
        [
            (
                3,
                SourceRole::Default,
                None,
                "https://yarn-mirror.example.com".into(),
                false
            ),
            (
                7,
                SourceRole::Scoped,
                Some("@acme".into()),
                "https://npm.pkg.github.com".into(),
                false
            ),
        ]
    );
}

#[test]
fn cargo_config_replacement_chain() {
    let (f, p) = load("config/.cargo/config.toml", None);
    assert!(p.diagnostics.is_empty());
    let r: Vec<_> = p
        .sources
        .iter()
        .map(|s| {
            (
                f.line_col(s.span.start()).line as usize,
                s.role.clone(),
                s.name.clone().unwrap_or_default(),
                s.url.clone(),
            )
        })
        .collect();
    let repl = |r: &str| SourceRole::Replacement { replaces: r.into() };
    assert_eq!(
        r,
        [
            (
                2,
                SourceRole::Named,
                "corp".into(),
                "sparse+https://cargo.corp.example.com/index/".into()
            ),
            (
                14,
                SourceRole::Named,
                "vendored".into(),
                "directory:vendor".into()
            ),
            (
                8,
                repl("crates-io"),
                "vendored".into(),
                "directory:vendor".into()
            ),
            (
                11,
                repl("mirror"),
                "vendored".into(),
                "directory:vendor".into()
            ),
            (
                5,
                SourceRole::Default,
                "corp".into(),
                "sparse+https://cargo.corp.example.com/index/".into()
            ),
        ]
    );
}

#[test]
fn pip_conf_multiline_and_trusted() {
    let (f, p) = load("config/pip.conf", None);
    let r = rows(&f, &p.sources);
    assert_eq!(
        r,
        [
            (
                2,
                SourceRole::Default,
                None,
                "https://pypi.corp.example.com/simple".into(),
                false
            ),
            (
                4,
                SourceRole::Extra,
                None,
                "https://download.pytorch.org/whl/cpu".into(),
                false
            ),
            (
                5,
                SourceRole::Extra,
                None,
                "http://legacy.example.com/simple".into(),
                true
            ),
            (
                6,
                SourceRole::Setting,
                Some("legacy.example.com".into()),
                String::new(),
                true
            ),
        ]
    );
}

#[test]
fn pyproject_poetry_and_uv() {
    let (f, p) = load("config/pyproject.toml", None);
    assert!(p.diagnostics.is_empty());
    let r: Vec<_> = p
        .sources
        .iter()
        .map(|s| {
            (
                f.line_col(s.span.start()).line as usize,
                s.role.clone(),
                s.url.clone(),
            )
        })
        .collect();
    let pkg = |n: &str| SourceRole::Package { package: n.into() };
    assert_eq!(
        r,
        [
            (
                5,
                SourceRole::Extra,
                "https://pypi.corp.example.com/simple".into()
            ),
            (
                10,
                SourceRole::Explicit,
                "https://download.pytorch.org/whl/cpu".into()
            ),
            (
                15,
                SourceRole::Explicit,
                "https://download.pytorch.org/whl/cu121".into()
            ),
            (
                22,
                pkg("httpx"),
                "https://github.com/encode/httpx@0.27.0".into()
            ),
            (23, pkg("sibling"), "../sibling".into()),
            (
                21,
                pkg("torch"),
                "https://download.pytorch.org/whl/cu121".into()
            ),
        ]
    );
}

#[test]
fn gemrc_and_gemfile() {
    let (f, p) = load("config/.gemrc", None);
    let r = rows(&f, &p.sources);
    assert_eq!(
        r[0],
        (
            3,
            SourceRole::Default,
            None,
            "https://gems.corp.example.com/".into(),
            false
        )
    );
    assert_eq!(r[1].1, SourceRole::Extra);
    let (f, p) = load("config/Gemfile", None);
    let names: Vec<_> = p
        .packages
        .iter()
        .map(|p| {
            (
                f.line_col(p.span.start()).line as usize,
                p.name.as_str(),
                p.source.url().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            (4, "rack", "https://github.com/acme/rack.git".to_owned()),
            (5, "octo", "https://github.com/acme/octo".to_owned()),
            (6, "billing", "engines/billing".to_owned()),
            (9, "corp-auth", "https://gems.corp.example.com".to_owned()),
            (
                13,
                "toolkit-core",
                "https://github.com/acme/toolkit.git".to_owned()
            ),
        ]
    );
    assert_eq!(p.sources[0].role, SourceRole::Default);
    assert_eq!(
        f.line_col(p.packages[3].source_span.map_or(0, |s| s.start()))
            .line,
        8
    );
}

fn registry_pkg(eco: Ecosystem, name: &str, url: &str) -> Package {
    let (_, p) = load("npm/v2/npm-shrinkwrap.json", None);
    let mut pkg = p.packages[0].clone();
    pkg.ecosystem = eco;
    pkg.name = name.into();
    pkg.source = tollgate_lockfile::Source::Registry {
        default: tollgate_lockfile::is_default_registry(eco, url),
        url: url.into(),
    };
    pkg
}

#[test]
fn resolve_npm_scope_then_default() {
    let (_, p) = load("config/.npmrc", None);
    let scoped = registry_pkg(Ecosystem::Npm, "@acme/ui", "https://registry.npmjs.org/");
    let r = resolve(&scoped, &p.sources);
    assert_eq!(
        (r.url.as_deref(), r.decided_by),
        (Some("https://npm.pkg.github.com"), Some(1))
    );
    let plain = registry_pkg(Ecosystem::Npm, "lodash", "https://registry.npmjs.org/");
    assert_eq!(resolve(&plain, &p.sources).decided_by, Some(0));
    // A lockfile URL that is not the default registry is fetched as recorded.
    let custom = registry_pkg(Ecosystem::Npm, "lodash", "https://other.example.com/");
    assert_eq!(resolve(&custom, &p.sources).decided_by, None);
}

#[test]
fn resolve_cargo_replacement_and_go_private() {
    let (_, p) = load("config/.cargo/config.toml", None);
    let serde = registry_pkg(
        Ecosystem::Cargo,
        "serde",
        "https://github.com/rust-lang/crates.io-index",
    );
    let r = resolve(&serde, &p.sources);
    assert_eq!(
        (r.url.as_deref(), r.decided_by),
        (Some("directory:vendor"), Some(2))
    );
    let mut env = registry_from_env(
        "GOPROXY",
        "https://goproxy.corp.example.com,direct",
        Span::empty(0),
    );
    env.extend(registry_from_env(
        "GOPRIVATE",
        "github.com/acme",
        Span::empty(0),
    ));
    let private = registry_pkg(
        Ecosystem::Go,
        "github.com/acme/tool",
        "https://proxy.golang.org",
    );
    assert_eq!(resolve(&private, &env).url.as_deref(), Some("direct"));
    let public = registry_pkg(
        Ecosystem::Go,
        "golang.org/x/text",
        "https://proxy.golang.org",
    );
    let r = resolve(&public, &env);
    assert_eq!(
        (r.url.as_deref(), r.decided_by),
        (Some("https://goproxy.corp.example.com"), Some(0))
    );
}

#[test]
fn resolve_pypi_package_pin() {
    let (_, p) = load("config/pyproject.toml", None);
    let torch = registry_pkg(Ecosystem::PyPI, "Torch", "https://pypi.org/simple");
    assert_eq!(
        resolve(&torch, &p.sources).url.as_deref(),
        Some("https://download.pytorch.org/whl/cu121")
    );
}

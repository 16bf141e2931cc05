//! Default public registries, URL normalisation, environment-variable configuration and
//! the resolution of a package's effective source against configured sources.

use serde::Serialize;
use tollgate_model::Span;

use crate::glob::{Wildcards, glob_matches};
use crate::model::{ConfiguredSource, Ecosystem, Package, Source, SourceRole};

// The default registries are knowledge-base data, shared with the egress inference and
// the inventory so that every part names the same URLs and hosts.
pub use tollgate_kb::registries::{DEFAULT_REGISTRIES, DefaultRegistry, default_registry};

/// A `Source::Registry` for the default registry of `ecosystem`.
#[must_use]
pub fn default_source(ecosystem: Ecosystem) -> Source {
    Source::Registry {
        url: default_registry(ecosystem).url.to_owned(),
        default: true,
    }
}

/// A `Source::Registry` for `url`, normalised and flagged when it is the default.
#[must_use]
pub fn registry_source(ecosystem: Ecosystem, url: &str) -> Source {
    let url = normalise_registry_url(url);
    let default = is_default_registry(ecosystem, &url);
    Source::Registry { url, default }
}

/// True when `url` belongs to the default public registry of `ecosystem`.
#[must_use]
pub fn is_default_registry(ecosystem: Ecosystem, url: &str) -> bool {
    let norm = normalise_for_match(url);
    default_registry(ecosystem).prefixes.iter().any(|p| {
        norm == *p
            || norm
                .strip_prefix(p)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// Lower-cased host plus path with no scheme, transport prefix (`registry+`, `sparse+`,
/// `git+`), user info, port, trailing `/` or `.git`: the form registry prefixes compare in.
#[must_use]
pub fn normalise_for_match(url: &str) -> String {
    let url = url.trim();
    let url = strip_transport(url);
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (host, path) = rest
        .find(['/', '?', '#'])
        .map_or((rest, ""), |i| (&rest[..i], &rest[i..]));
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split_once(':').map_or(host, |(h, _)| h);
    let path = path.split(['?', '#']).next().unwrap_or("");
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let mut out = host.to_ascii_lowercase();
    out.push_str(path);
    out
}

/// Drop Cargo's `registry+` and VCS `git+` prefixes; keep `sparse+`, which is part of a
/// Cargo source's identity (the same URL over another protocol is another source).
fn strip_transport(url: &str) -> &str {
    for p in ["registry+", "sparse+", "git+"] {
        if let Some(r) = url.strip_prefix(p) {
            return r;
        }
    }
    url
}

/// The registry URL as stored in [`Source::Registry`]: trimmed, without `registry+`,
/// scheme and host lower-cased.
#[must_use]
pub fn normalise_registry_url(url: &str) -> String {
    let url = url.trim();
    let url = url.strip_prefix("registry+").unwrap_or(url);
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let mut out = String::with_capacity(url.len());
    out.push_str(&scheme.to_ascii_lowercase());
    out.push_str("://");
    out.push_str(&rest[..host_end].to_ascii_lowercase());
    out.push_str(&rest[host_end..]);
    out
}

/// The effective source of a package after applying configured sources.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resolved {
    /// The registry (or git/archive URL, or path) the package manager fetches from; `None`
    /// for workspace members and unknown sources.
    pub url: Option<String>,
    /// Index into the `sources` slice of the entry that decided it; `None` when the lockfile
    /// alone decided.
    pub decided_by: Option<usize>,
}

/// Resolve `package` against `sources` as its package manager would.
///
/// `sources` are in increasing precedence: when two entries of the same role apply, the
/// later one wins (a project `.npmrc` after the user one, a `registry=` line after another).
/// Only registry packages are affected: a git, URL or path source is fetched as recorded.
/// A registry URL recorded in the lockfile is replaced only when it is the default public
/// registry, which is what npm's `replace-registry-host=npmjs`, pnpm and yarn do; Cargo's
/// `replace-with` applies to whatever source it names.
#[must_use]
pub fn resolve(package: &Package, sources: &[ConfiguredSource]) -> Resolved {
    let Source::Registry { url, default } = &package.source else {
        return Resolved {
            url: package.source.url().map(str::to_owned),
            decided_by: None,
        };
    };
    let eco = package.ecosystem;
    let found = |pred: &dyn Fn(&ConfiguredSource) -> bool| {
        sources
            .iter()
            .enumerate()
            .rev()
            .find(|(_, s)| s.ecosystem == eco && pred(s))
            .map(|(i, s)| Resolved {
                url: Some(s.url.clone()),
                decided_by: Some(i),
            })
    };
    // A source pinned for this one package (uv sources, a Gemfile git gem) comes first.
    if let Some(r) = found(
        &|s| matches!(&s.role, SourceRole::Package { package: p } if names_equal(eco, p, &package.name)),
    ) {
        return r;
    }
    let scoped = match eco {
        Ecosystem::Npm => package
            .name
            .strip_prefix('@')
            .and_then(|n| n.split_once('/'))
            .and_then(|(scope, _)| {
                found(&|s| {
                    s.role == SourceRole::Scoped
                        && s.scope
                            .as_deref()
                            .is_some_and(|sc| sc.trim_start_matches('@') == scope)
                })
            }),
        // GOPRIVATE/GONOPROXY patterns send matching modules straight to their VCS.
        Ecosystem::Go => found(&|s| {
            s.role == SourceRole::Scoped
                && s.scope
                    .as_deref()
                    .is_some_and(|p| go_patterns_match(p, &package.name))
        }),
        _ => None,
    };
    if let Some(r) = scoped {
        return r;
    }
    // Replacement: Cargo names sources (`crates-io` is the default's name); Bundler mirrors
    // name the URL they replace.
    let source_name = if *default {
        match eco {
            Ecosystem::Cargo => "crates-io".to_owned(),
            _ => default_registry(eco).url.to_owned(),
        }
    } else {
        sources
            .iter()
            .find(|s| {
                s.ecosystem == eco
                    && s.role == SourceRole::Named
                    && normalise_for_match(&s.url) == normalise_for_match(url)
            })
            .and_then(|s| s.name.clone())
            .unwrap_or_else(|| url.clone())
    };
    if let Some(r) = found(&|s| match &s.role {
        SourceRole::Replacement { replaces } => {
            replaces == &source_name
                || normalise_for_match(replaces) == normalise_for_match(&source_name)
        }
        _ => false,
    }) {
        return r;
    }
    // Cargo.lock names each package's registry explicitly; `[registry] default` only
    // changes `cargo publish`/`cargo add`, so only other ecosystems follow a Default.
    if *default && eco != Ecosystem::Cargo {
        if let Some(r) = found(&|s| s.role == SourceRole::Default && !is_go_keyword(&s.url)) {
            return r;
        }
        if eco == Ecosystem::Go
            && let Some(r) = found(&|s| s.role == SourceRole::Default)
        {
            return r;
        }
    }
    Resolved {
        url: Some(url.clone()),
        decided_by: None,
    }
}

fn is_go_keyword(url: &str) -> bool {
    matches!(url, "direct" | "off")
}

/// Package names compare case-insensitively with `-`, `_` and `.` equal in Python (PEP 503)
/// and case-insensitively in Ruby; exactly elsewhere.
fn names_equal(eco: Ecosystem, a: &str, b: &str) -> bool {
    match eco {
        Ecosystem::PyPI => pep503(a) == pep503(b),
        Ecosystem::RubyGems => a.eq_ignore_ascii_case(b),
        _ => a == b,
    }
}

/// PEP 503 normalised name: lower case, runs of `-_.` become one `-`.
#[must_use]
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// Go's `GOPRIVATE`-style matching: a comma-separated list of glob patterns, each matching
/// a module path prefix of as many path elements as the pattern has.
#[must_use]
pub fn go_patterns_match(patterns: &str, module: &str) -> bool {
    patterns
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .any(|pattern| {
            let n = pattern.split('/').count();
            let mut elems = module.split('/');
            let prefix: Vec<&str> = elems.by_ref().take(n).collect();
            prefix.len() == n
                && pattern
                    .split('/')
                    .zip(prefix)
                    .all(|(p, e)| glob_matches(p, Wildcards::StarQuestion, e))
        })
}

/// Registry configuration carried by an environment variable set in a workflow `env:`
/// block. `span` is the span of the variable's entry in the workflow. Returns nothing for
/// variables that do not configure sources.
#[must_use]
pub fn registry_from_env(var: &str, value: &str, span: Span) -> Vec<ConfiguredSource> {
    let upper = var.to_ascii_uppercase();
    let value = value.trim();
    let mk = |eco, url: &str, role| ConfiguredSource::new(eco, url, role, span);
    let list = |sep: &[char]| {
        value
            .split(sep)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let scoped = |eco, pattern: String, url: &str, role, insecure| {
        let mut s = ConfiguredSource::new(eco, url, role, span);
        s.scope = Some(pattern);
        s.insecure = insecure;
        s
    };
    match upper.as_str() {
        // `GOPROXY=a,b|c,direct`: after a comma Go falls back only on 404/410, after a pipe
        // on any error; both make the later entries fallbacks of the first.
        "GOPROXY" => list(&[',', '|'])
            .iter()
            .enumerate()
            .map(|(i, u)| {
                let role = if i == 0 {
                    SourceRole::Default
                } else {
                    SourceRole::Fallback
                };
                mk(Ecosystem::Go, u, role)
            })
            .collect(),
        "GOPRIVATE" | "GONOPROXY" => list(&[','])
            .into_iter()
            .map(|p| scoped(Ecosystem::Go, p, "direct", SourceRole::Scoped, false))
            .collect(),
        // Modules matching these patterns skip the checksum database (and, for GOINSECURE,
        // TLS): they are fetched unverified the first time.
        "GONOSUMDB" | "GOINSECURE" => list(&[','])
            .into_iter()
            .map(|p| scoped(Ecosystem::Go, p, "", SourceRole::Setting, true))
            .collect(),
        "GOSUMDB" => {
            let mut s = mk(Ecosystem::Go, value, SourceRole::Setting);
            s.insecure = value == "off";
            vec![s]
        }
        "GOFLAGS"
            if value
                .split_whitespace()
                .any(|f| f == "-insecure" || f == "-insecure=true") =>
        {
            let mut s = mk(Ecosystem::Go, "", SourceRole::Setting);
            s.insecure = true;
            vec![s]
        }
        "PIP_INDEX_URL" | "UV_INDEX_URL" | "UV_DEFAULT_INDEX" => {
            vec![mk(Ecosystem::PyPI, value, SourceRole::Default)]
        }
        // uv's `UV_INDEX` entries may be `name=url`.
        "PIP_EXTRA_INDEX_URL" | "UV_EXTRA_INDEX_URL" | "UV_INDEX" => list(&[' ', '\n', '\t'])
            .into_iter()
            .map(|u| {
                let u = u
                    .split_once('=')
                    .filter(|(n, _)| !n.contains(':'))
                    .map_or(u.as_str(), |(_, u)| u);
                mk(Ecosystem::PyPI, u, SourceRole::Extra)
            })
            .collect(),
        "PIP_FIND_LINKS" | "UV_FIND_LINKS" => list(&[' ', '\n', '\t'])
            .into_iter()
            .map(|u| mk(Ecosystem::PyPI, &u, SourceRole::FindLinks))
            .collect(),
        "PIP_TRUSTED_HOST" | "UV_INSECURE_HOST" => list(&[' ', '\n', '\t'])
            .into_iter()
            .map(|h| scoped(Ecosystem::PyPI, h, "", SourceRole::Setting, true))
            .collect(),
        "NPM_CONFIG_REGISTRY" | "YARN_NPM_REGISTRY_SERVER" | "YARN_REGISTRY" => {
            vec![mk(Ecosystem::Npm, value, SourceRole::Default)]
        }
        "NPM_CONFIG_STRICT_SSL" | "YARN_STRICT_SSL" if value == "false" => {
            let mut s = mk(Ecosystem::Npm, "", SourceRole::Setting);
            s.insecure = true;
            vec![s]
        }
        // Bundler: `BUNDLE_MIRROR__RUBYGEMS__ORG=https://mirror` mirrors https://rubygems.org.
        _ if upper.starts_with("BUNDLE_MIRROR__") => {
            let host = upper["BUNDLE_MIRROR__".len()..]
                .to_ascii_lowercase()
                .replace("__", ".");
            vec![mk(
                Ecosystem::RubyGems,
                value,
                SourceRole::Replacement {
                    replaces: format!("https://{host}/"),
                },
            )]
        }
        // `CARGO_REGISTRIES_MY_CO_INDEX` configures `[registries.my-co] index`; Cargo maps
        // `-` in names to `_` in variables, so the name is recovered lower-cased with `-`.
        _ if upper.starts_with("CARGO_REGISTRIES_") && upper.ends_with("_INDEX") => {
            let name = &upper["CARGO_REGISTRIES_".len()..upper.len() - "_INDEX".len()];
            if name.is_empty() {
                return Vec::new();
            }
            let mut s = mk(Ecosystem::Cargo, value, SourceRole::Named);
            s.name = Some(name.to_ascii_lowercase().replace('_', "-"));
            vec![s]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_registry_table() {
        let cases: &[(Ecosystem, &str, bool)] = &[
            (
                Ecosystem::Cargo,
                "registry+https://github.com/rust-lang/crates.io-index",
                true,
            ),
            (
                Ecosystem::Cargo,
                "https://github.com/rust-lang/crates.io-index.git",
                true,
            ),
            (Ecosystem::Cargo, "sparse+https://index.crates.io/", true),
            (
                Ecosystem::Cargo,
                "https://github.com/rust-lang/crates.io-index-fork",
                false,
            ),
            (
                Ecosystem::Cargo,
                "https://github.com/evil/crates.io-index",
                false,
            ),
            (Ecosystem::Npm, "https://registry.npmjs.org/", true),
            (
                Ecosystem::Npm,
                "https://registry.yarnpkg.com/a/-/a-1.tgz",
                true,
            ),
            (
                Ecosystem::Npm,
                "https://registry.npmjs.org.evil.com/",
                false,
            ),
            (Ecosystem::Npm, "https://npm.pkg.github.com/", false),
            (Ecosystem::PyPI, "https://pypi.org/simple/", true),
            (
                Ecosystem::PyPI,
                "https://files.pythonhosted.org/packages/x.whl",
                true,
            ),
            (
                Ecosystem::PyPI,
                "https://download.pytorch.org/whl/cpu",
                false,
            ),
            (Ecosystem::Go, "https://proxy.golang.org", true),
            (Ecosystem::RubyGems, "https://rubygems.org/", true),
            (Ecosystem::RubyGems, "https://RubyGems.org", true),
            (Ecosystem::RubyGems, "https://gems.example.com/", false),
        ];
        for (eco, url, want) in cases {
            assert_eq!(is_default_registry(*eco, url), *want, "{url}");
        }
    }

    #[test]
    fn go_pattern_table() {
        assert!(go_patterns_match(
            "*.corp.example.com",
            "git.corp.example.com/x/y"
        ));
        assert!(go_patterns_match("github.com/acme", "github.com/acme/tool"));
        assert!(go_patterns_match(
            "x.io,github.com/acme/*",
            "github.com/acme/tool/v2"
        ));
        assert!(!go_patterns_match(
            "github.com/acme",
            "github.com/acmeco/tool"
        ));
        assert!(!go_patterns_match(
            "github.com/acme/tool/sub",
            "github.com/acme/tool"
        ));
        assert!(go_patterns_match("gith?b.com", "github.com/x"));
        assert!(!go_patterns_match("gith?b.com", "gitub.com/x"));
    }

    #[test]
    fn go_pattern_that_backtracks_is_matched_in_linear_time() {
        // A backtracking matcher tries every split of the element among the stars.
        let pattern = format!("{}b", "*a".repeat(13));
        let module = "a".repeat(4000);
        let start = std::time::Instant::now();
        assert!(!go_patterns_match(&pattern, &module));
        assert!(go_patterns_match(&format!("{pattern},*"), &module));
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn env_goproxy_list() {
        let s = registry_from_env(
            "GOPROXY",
            "https://a.example,https://b.example|direct",
            Span::empty(0),
        );
        let got: Vec<_> = s.iter().map(|s| (s.url.as_str(), s.role.clone())).collect();
        assert_eq!(
            got,
            [
                ("https://a.example", SourceRole::Default),
                ("https://b.example", SourceRole::Fallback),
                ("direct", SourceRole::Fallback),
            ]
        );
        let p = registry_from_env("GOPRIVATE", "*.corp.io,github.com/acme", Span::empty(0));
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].scope.as_deref(), Some("github.com/acme"));
        let c = registry_from_env(
            "CARGO_REGISTRIES_MY_CO_INDEX",
            "sparse+https://x/",
            Span::empty(0),
        );
        assert_eq!(c[0].name.as_deref(), Some("my-co"));
        assert!(registry_from_env("GONOSUMDB", "x.io", Span::empty(0))[0].insecure);
        assert!(registry_from_env("HOME", "/root", Span::empty(0)).is_empty());
        let u = registry_from_env(
            "UV_INDEX",
            "torch=https://download.pytorch.org/whl",
            Span::empty(0),
        );
        assert_eq!(u[0].url, "https://download.pytorch.org/whl");
    }

    #[test]
    fn pep503_names() {
        assert_eq!(pep503("Foo__Bar.baz"), "foo-bar-baz");
    }
}

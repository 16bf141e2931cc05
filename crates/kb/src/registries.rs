//! The default public registry of each ecosystem: the URL lockfiles and configs write,
//! the URL prefixes that identify it, and the hosts an install from it reaches. The hosts
//! come from `rules/data/egress-hosts.toml` (`[[ecosystem]]`), so the inventory and the
//! egress allow-lists name the same ones.

use serde::Serialize;

use crate::Ecosystem;

/// The default public registry of one ecosystem.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct DefaultRegistry {
    pub ecosystem: Ecosystem,
    /// The canonical URL lockfiles and configs write for it.
    pub url: &'static str,
    /// URL prefixes (host, or host plus path, lower case, no scheme) that identify this
    /// registry in a lockfile or configuration: index, download and checksum hosts and
    /// legacy names. Recognising a URL is not reaching a host: `pypi.python.org` still
    /// names PyPI, but an install reaches only the hosts of [`DefaultRegistry::hosts`].
    pub prefixes: &'static [&'static str],
    /// The documentation that names these URLs.
    pub reference: &'static str,
}

/// Every ecosystem's default public registry.
pub const DEFAULT_REGISTRIES: &[DefaultRegistry] = &[
    // Cargo: crates.io is named by its git index on GitHub (Cargo.lock writes it whatever
    // protocol fetched it), by the sparse index, and by its download host. Only the exact
    // index repository on github.com counts, never github.com as a whole.
    DefaultRegistry {
        ecosystem: Ecosystem::Cargo,
        url: "https://github.com/rust-lang/crates.io-index",
        prefixes: &[
            "github.com/rust-lang/crates.io-index",
            "index.crates.io",
            "static.crates.io",
            "crates.io",
        ],
        reference: "https://doc.rust-lang.org/cargo/reference/registry-index.html",
    },
    // npm: `registry` defaults to https://registry.npmjs.org/; registry.yarnpkg.com is
    // Yarn's default `npmRegistryServer` and serves the same packages (a proxy of npm).
    DefaultRegistry {
        ecosystem: Ecosystem::Npm,
        url: "https://registry.npmjs.org/",
        prefixes: &["registry.npmjs.org", "registry.yarnpkg.com"],
        reference: "https://docs.npmjs.com/cli/using-npm/config#registry ; https://yarnpkg.com/configuration/yarnrc#npmRegistryServer",
    },
    // Python: pip's `--index-url` defaults to https://pypi.org/simple; files are served from
    // files.pythonhosted.org; pypi.python.org is the legacy name that still redirects.
    DefaultRegistry {
        ecosystem: Ecosystem::PyPI,
        url: "https://pypi.org/simple",
        prefixes: &["pypi.org", "files.pythonhosted.org", "pypi.python.org"],
        reference: "https://pip.pypa.io/en/stable/cli/pip_install/#cmdoption-i ; https://docs.pypi.org/api/",
    },
    // Go: GOPROXY defaults to https://proxy.golang.org,direct and GOSUMDB to sum.golang.org.
    DefaultRegistry {
        ecosystem: Ecosystem::Go,
        url: "https://proxy.golang.org",
        prefixes: &["proxy.golang.org", "sum.golang.org"],
        reference: "https://go.dev/ref/mod#environment-variables",
    },
    // Ruby: Bundler's and RubyGems' default source; index.rubygems.org serves the compact
    // index Bundler fetches.
    DefaultRegistry {
        ecosystem: Ecosystem::RubyGems,
        url: "https://rubygems.org/",
        prefixes: &["rubygems.org", "index.rubygems.org"],
        reference: "https://bundler.io/man/gemfile.5.html#GLOBAL-SOURCE",
    },
];

/// The default registry of `ecosystem`.
#[must_use]
pub fn default_registry(ecosystem: Ecosystem) -> &'static DefaultRegistry {
    // Every ecosystem has an entry (a test checks); the first is a harmless fallback.
    DEFAULT_REGISTRIES
        .iter()
        .find(|r| r.ecosystem == ecosystem)
        .unwrap_or(&DEFAULT_REGISTRIES[0])
}

impl DefaultRegistry {
    /// The hosts an install from this registry reaches, sorted: the `[[ecosystem]]` entry
    /// of `egress-hosts.toml`.
    #[must_use]
    pub fn hosts(&self) -> Vec<String> {
        let data = crate::egress_hosts();
        let mut hosts = data
            .ecosystem(self.ecosystem.as_str())
            .map(|e| data.expand(&e.hosts))
            .unwrap_or_default();
        hosts.sort();
        hosts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Ecosystem; 5] = [
        Ecosystem::Cargo,
        Ecosystem::Npm,
        Ecosystem::PyPI,
        Ecosystem::Go,
        Ecosystem::RubyGems,
    ];

    #[test]
    fn every_ecosystem_has_a_registry_and_hosts() {
        for eco in ALL {
            let r = default_registry(eco);
            assert_eq!(r.ecosystem, eco);
            assert!(!r.hosts().is_empty(), "{eco:?}");
        }
    }

    /// The hosts an install reaches are all names of the registry (so a URL on one of
    /// them is recognised as the default).
    #[test]
    fn hosts_are_registry_names() {
        for eco in ALL {
            let r = default_registry(eco);
            for h in r.hosts() {
                assert!(r.prefixes.contains(&h.as_str()), "{eco:?}: {h}");
            }
        }
    }

    #[test]
    fn crates_io_hosts() {
        // The sparse index and the download host; not github.com (only the legacy git
        // index lives there) and not crates.io (the web site and API, not installs).
        assert_eq!(
            default_registry(Ecosystem::Cargo).hosts(),
            ["index.crates.io", "static.crates.io"]
        );
    }
}

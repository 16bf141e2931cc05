//! The environment variables each package manager reads, and what each does to an
//! install: one table per tool, with its documentation. A name ending in `*` is a prefix.

use serde::Serialize;

/// What an index option or variable means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IndexKind {
    /// Replaces the default index (`--index-url`, `PIP_INDEX_URL`).
    Index,
    /// Added next to the default (`--extra-index-url`): dependency confusion territory.
    ExtraIndex,
    FindLinks,
    /// A registry (`--registry`, `NPM_CONFIG_REGISTRY`, `CARGO_REGISTRIES_X_INDEX`).
    Registry,
    /// A package source or channel (`gem --source`, `choco --source`, `conda -c`).
    Source,
    /// A module proxy (`GOPROXY`).
    Proxy,
}

/// What an environment variable does to an install.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvEffect {
    Index(IndexKind),
    /// Whitespace-separated list of index URLs.
    IndexList(IndexKind),
    /// Comma- or pipe-separated proxy list (`GOPROXY`); `direct` and `off` are not hosts.
    ProxyList,
    Trusted,
    /// Locked when the value is truthy.
    Locked,
    Retry,
    /// Insecure when the value is truthy (or, with `Off`, when it is `off`).
    Insecure,
    InsecureIfOff,
    /// `GOFLAGS`: `-insecure` inside.
    GoFlags,
    /// The install reads only local files or caches when the value is truthy
    /// (`PIP_NO_INDEX`, `UV_OFFLINE`, `npm_config_offline`, `CARGO_NET_OFFLINE`).
    Offline,
    /// Recorded as configuration in effect, with no effect of its own.
    Record,
}

/// pip and pipx (which runs pip): every option has a `PIP_<OPTION>` variable. <https://pip.pypa.io/en/stable/topics/configuration/#environment-variables>
pub const PIP: &[(&str, EnvEffect)] = &[
    ("PIP_INDEX_URL", EnvEffect::Index(IndexKind::Index)),
    (
        "PIP_EXTRA_INDEX_URL",
        EnvEffect::IndexList(IndexKind::ExtraIndex),
    ),
    ("PIP_FIND_LINKS", EnvEffect::IndexList(IndexKind::FindLinks)),
    ("PIP_TRUSTED_HOST", EnvEffect::Trusted),
    ("PIP_REQUIRE_HASHES", EnvEffect::Locked),
    ("PIP_RETRIES", EnvEffect::Retry),
    ("PIP_NO_INDEX", EnvEffect::Offline),
    ("PIP_CONSTRAINT", EnvEffect::Record),
];

/// uv, which does not read `PIP_*`: it has its own names. <https://docs.astral.sh/uv/reference/environment/>
pub const UV: &[(&str, EnvEffect)] = &[
    ("UV_INDEX_URL", EnvEffect::Index(IndexKind::Index)),
    ("UV_DEFAULT_INDEX", EnvEffect::Index(IndexKind::Index)),
    (
        "UV_EXTRA_INDEX_URL",
        EnvEffect::IndexList(IndexKind::ExtraIndex),
    ),
    ("UV_INDEX", EnvEffect::IndexList(IndexKind::ExtraIndex)),
    ("UV_FIND_LINKS", EnvEffect::IndexList(IndexKind::FindLinks)),
    ("UV_INSECURE_HOST", EnvEffect::Trusted),
    ("UV_LOCKED", EnvEffect::Locked),
    ("UV_FROZEN", EnvEffect::Locked),
    ("UV_HTTP_RETRIES", EnvEffect::Retry),
    ("UV_REQUIRE_HASHES", EnvEffect::Locked),
    ("UV_OFFLINE", EnvEffect::Offline),
];

/// npm, yarn, pnpm and bun: npm's `npm_config_*` (case-insensitive, as npm reads them), yarn's `YARN_*`, bun's `BUN_CONFIG_*`. <https://docs.npmjs.com/cli/using-npm/config#environment-variables>
pub const NPM: &[(&str, EnvEffect)] = &[
    ("npm_config_registry", EnvEffect::Index(IndexKind::Registry)),
    ("npm_config_fetch_retries", EnvEffect::Retry),
    ("npm_config_offline", EnvEffect::Offline),
    ("npm_config_strict_ssl", EnvEffect::Record),
    ("NODE_TLS_REJECT_UNAUTHORIZED", EnvEffect::Record),
    (
        "YARN_NPM_REGISTRY_SERVER",
        EnvEffect::Index(IndexKind::Registry),
    ),
    ("YARN_REGISTRY", EnvEffect::Index(IndexKind::Registry)),
    ("YARN_ENABLE_IMMUTABLE_INSTALLS", EnvEffect::Locked),
    ("BUN_CONFIG_REGISTRY", EnvEffect::Index(IndexKind::Registry)),
];

/// cargo: every config key has a `CARGO_<KEY>` variable. <https://doc.rust-lang.org/cargo/reference/config.html#environment-variables>
/// `CARGO_NET_OFFLINE` comes before the `CARGO_NET_*` prefix: the first match wins.
pub const CARGO: &[(&str, EnvEffect)] = &[
    ("CARGO_NET_RETRY", EnvEffect::Retry),
    ("CARGO_NET_OFFLINE", EnvEffect::Offline),
    ("CARGO_REGISTRIES_*", EnvEffect::Record),
    ("CARGO_REGISTRY_*", EnvEffect::Record),
    ("CARGO_NET_*", EnvEffect::Record),
    ("CARGO_HTTP_*", EnvEffect::Record),
    ("CARGO_SOURCE_*", EnvEffect::Record),
];

/// go: the module proxy, checksum database and private-module settings. <https://go.dev/ref/mod#environment-variables>
pub const GO: &[(&str, EnvEffect)] = &[
    ("GOPROXY", EnvEffect::ProxyList),
    ("GOFLAGS", EnvEffect::GoFlags),
    ("GOINSECURE", EnvEffect::Insecure),
    ("GOSUMDB", EnvEffect::InsecureIfOff),
    ("GONOSUMCHECK", EnvEffect::Insecure),
    ("GONOSUMDB", EnvEffect::Record),
    ("GOPRIVATE", EnvEffect::Record),
    ("GONOPROXY", EnvEffect::Record),
];

/// bundler: every setting has a `BUNDLE_<SETTING>` variable. <https://bundler.io/man/bundle-config.1.html>
pub const BUNDLE: &[(&str, EnvEffect)] = &[
    ("BUNDLE_FROZEN", EnvEffect::Locked),
    ("BUNDLE_DEPLOYMENT", EnvEffect::Locked),
    ("BUNDLE_RETRY", EnvEffect::Retry),
    ("BUNDLE_MIRROR__*", EnvEffect::Record),
];

/// poetry: repositories and their credentials are configured by variable.
/// <https://python-poetry.org/docs/configuration/#using-environment-variables>
pub const POETRY: &[(&str, EnvEffect)] = &[
    ("POETRY_REPOSITORIES_*", EnvEffect::Record),
    ("POETRY_HTTP_BASIC_*", EnvEffect::Record),
];

/// pipenv: its mirror variable, and pip's index variable it passes on.
/// <https://pipenv.pypa.io/en/latest/configuration.html>
pub const PIPENV: &[(&str, EnvEffect)] = &[
    ("PIPENV_PYPI_MIRROR", EnvEffect::Index(IndexKind::Index)),
    ("PIP_INDEX_URL", EnvEffect::Index(IndexKind::Index)),
];

/// rustup: the distribution server and the self-update root.
/// <https://rust-lang.github.io/rustup/environment-variables.html>
pub const RUSTUP: &[(&str, EnvEffect)] = &[
    ("RUSTUP_DIST_SERVER", EnvEffect::Index(IndexKind::Index)),
    ("RUSTUP_UPDATE_ROOT", EnvEffect::Record),
];

/// corepack: the registry it downloads package managers from.
/// <https://github.com/nodejs/corepack#environment-variables>
pub const COREPACK: &[(&str, EnvEffect)] = &[(
    "COREPACK_NPM_REGISTRY",
    EnvEffect::Index(IndexKind::Registry),
)];

/// gem: the API key `gem push` reads.
/// <https://guides.rubygems.org/command-reference/#gem-push>
pub const GEM: &[(&str, EnvEffect)] = &[("GEM_HOST_API_KEY", EnvEffect::Record)];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_name_each_variable_once() {
        for table in [
            PIP, UV, NPM, CARGO, GO, BUNDLE, POETRY, PIPENV, RUSTUP, COREPACK, GEM,
        ] {
            let mut names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
            names.sort_unstable();
            let len = names.len();
            names.dedup();
            assert_eq!(names.len(), len, "{names:?}");
            for n in names {
                let bare = n.strip_suffix('*').unwrap_or(n);
                assert!(!bare.is_empty() && !bare.contains('*'), "{n}");
            }
        }
        // uv reads its own names, never pip's.
        assert!(UV.iter().all(|(n, _)| !n.starts_with("PIP_")));
    }
}

//! The package managers the install recogniser knows, one enum: the name it reports, the
//! ecosystem whose registry model applies, the lockfiles a project install reads and the
//! registry configuration files that apply. Before this table the manager → ecosystem
//! mapping existed three times and disagreed (one copy listed names the recogniser never
//! reports, such as `uvx`, `pip3` and `bundler`, which it reports as `uv`, `pip` and
//! `bundle`).

use tollgate_model::FileKind;

use crate::Ecosystem;

/// A package manager, as the install recogniser reports it (`Install::manager` is
/// [`Manager::name`]). Aliases are folded at recognition: `pip3` and `python -m pip` are
/// `Pip`, `uvx` is `Uv`, `pnpx` is `Pnpm`, `bunx` is `Bun`, `bundler` is `Bundle`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Manager {
    Pip,
    Uv,
    Pipx,
    Poetry,
    Pipenv,
    Npm,
    Npx,
    Yarn,
    Pnpm,
    Bun,
    Corepack,
    Cargo,
    Rustup,
    Go,
    Gem,
    Bundle,
    AptGet,
    Apt,
    Aptitude,
    Yum,
    Dnf,
    Microdnf,
    Tdnf,
    Apk,
    Zypper,
    Brew,
    Choco,
    Snap,
    Pacman,
    Dotnet,
    Nuget,
    Conda,
    Mamba,
    Micromamba,
    /// `gh extension install`: a repository cloned from GitHub.
    Gh,
    /// `mvn` with goals: the build resolves plugins and dependencies.
    Maven,
    /// The Maven wrapper (`./mvnw`, `mvnw.cmd`) downloading Maven itself; the goals it
    /// runs are a [`Manager::Maven`] install of their own.
    Mvnw,
    /// `gradle` with tasks: the build resolves plugins and dependencies.
    Gradle,
    /// The Gradle wrapper (`./gradlew`, `gradlew.bat`) downloading Gradle itself; the
    /// tasks it runs are a [`Manager::Gradle`] install of their own.
    Gradlew,
    Composer,
    /// tox and nox create environments and pip-install into them.
    Tox,
    Nox,
}

/// Every manager, for lookups by name and for the tests.
pub const ALL: &[Manager] = &[
    Manager::Pip,
    Manager::Uv,
    Manager::Pipx,
    Manager::Poetry,
    Manager::Pipenv,
    Manager::Npm,
    Manager::Npx,
    Manager::Yarn,
    Manager::Pnpm,
    Manager::Bun,
    Manager::Corepack,
    Manager::Cargo,
    Manager::Rustup,
    Manager::Go,
    Manager::Gem,
    Manager::Bundle,
    Manager::AptGet,
    Manager::Apt,
    Manager::Aptitude,
    Manager::Yum,
    Manager::Dnf,
    Manager::Microdnf,
    Manager::Tdnf,
    Manager::Apk,
    Manager::Zypper,
    Manager::Brew,
    Manager::Choco,
    Manager::Snap,
    Manager::Pacman,
    Manager::Dotnet,
    Manager::Nuget,
    Manager::Conda,
    Manager::Mamba,
    Manager::Micromamba,
    Manager::Gh,
    Manager::Maven,
    Manager::Mvnw,
    Manager::Gradle,
    Manager::Gradlew,
    Manager::Composer,
    Manager::Tox,
    Manager::Nox,
];

impl Manager {
    /// The name the recogniser reports and the data files key on.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Pip => "pip",
            Self::Uv => "uv",
            Self::Pipx => "pipx",
            Self::Poetry => "poetry",
            Self::Pipenv => "pipenv",
            Self::Npm => "npm",
            Self::Npx => "npx",
            Self::Yarn => "yarn",
            Self::Pnpm => "pnpm",
            Self::Bun => "bun",
            Self::Corepack => "corepack",
            Self::Cargo => "cargo",
            Self::Rustup => "rustup",
            Self::Go => "go",
            Self::Gem => "gem",
            Self::Bundle => "bundle",
            Self::AptGet => "apt-get",
            Self::Apt => "apt",
            Self::Aptitude => "aptitude",
            Self::Yum => "yum",
            Self::Dnf => "dnf",
            Self::Microdnf => "microdnf",
            Self::Tdnf => "tdnf",
            Self::Apk => "apk",
            Self::Zypper => "zypper",
            Self::Brew => "brew",
            Self::Choco => "choco",
            Self::Snap => "snap",
            Self::Pacman => "pacman",
            Self::Dotnet => "dotnet",
            Self::Nuget => "nuget",
            Self::Conda => "conda",
            Self::Mamba => "mamba",
            Self::Micromamba => "micromamba",
            Self::Gh => "gh",
            Self::Maven => "maven",
            Self::Mvnw => "mvnw",
            Self::Gradle => "gradle",
            Self::Gradlew => "gradlew",
            Self::Composer => "composer",
            Self::Tox => "tox",
            Self::Nox => "nox",
        }
    }

    /// The manager a recogniser reported by [`Manager::name`].
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        ALL.iter().copied().find(|m| m.name() == name)
    }

    /// The lockfile ecosystem whose registry model applies, when there is one. Sources:
    /// <https://pip.pypa.io/en/stable/cli/pip_install/#cmdoption-i>,
    /// <https://docs.npmjs.com/cli/using-npm/config#registry>,
    /// <https://doc.rust-lang.org/cargo/reference/registry-index.html>,
    /// <https://go.dev/ref/mod#environment-variables>,
    /// <https://bundler.io/man/gemfile.5.html#GLOBAL-SOURCE>.
    #[must_use]
    pub const fn ecosystem(self) -> Option<Ecosystem> {
        Some(match self {
            // tox and nox install each environment's dependencies with pip (or uv), which
            // read the same index settings (<https://tox.wiki/en/latest/config.html#deps>,
            // <https://nox.thea.codes/en/stable/usage.html#changing-the-sessions-default-backend>).
            Self::Pip
            | Self::Uv
            | Self::Pipx
            | Self::Poetry
            | Self::Pipenv
            | Self::Tox
            | Self::Nox => Ecosystem::PyPI,
            // Corepack fetches the package managers themselves from the npm registry.
            Self::Npm | Self::Npx | Self::Yarn | Self::Pnpm | Self::Bun | Self::Corepack => {
                Ecosystem::Npm
            }
            Self::Cargo => Ecosystem::Cargo,
            Self::Go => Ecosystem::Go,
            Self::Gem | Self::Bundle => Ecosystem::RubyGems,
            _ => return None,
        })
    }

    /// The ecosystem of the manager named `name` (see [`Manager::ecosystem`]).
    #[must_use]
    pub fn ecosystem_of(name: &str) -> Option<Ecosystem> {
        Self::from_name(name).and_then(Self::ecosystem)
    }

    /// The lockfile kinds a project-level install reads. Bun reads `package-lock.json`
    /// and `yarn.lock` when it migrates a project
    /// (<https://bun.sh/docs/install/lockfile>).
    #[must_use]
    pub const fn lockfile_kinds(self) -> &'static [FileKind] {
        match self {
            Self::Npm => &[FileKind::NpmLock],
            Self::Yarn => &[FileKind::YarnLock],
            Self::Pnpm => &[FileKind::PnpmLock],
            Self::Bun => &[FileKind::NpmLock, FileKind::YarnLock],
            Self::Cargo => &[FileKind::CargoLock],
            Self::Go => &[FileKind::GoMod, FileKind::GoSum],
            Self::Bundle => &[FileKind::GemfileLock],
            Self::Poetry => &[FileKind::PoetryLock],
            Self::Uv => &[FileKind::UvLock],
            Self::Pipenv => &[FileKind::PipfileLock],
            _ => &[],
        }
    }
}

/// The registry configuration kinds of an ecosystem, with the sub-directory of a project
/// they live in (`.cargo/config.toml`).
#[must_use]
pub const fn config_kinds(eco: Ecosystem) -> &'static [(FileKind, &'static str)] {
    match eco {
        Ecosystem::Npm => &[(FileKind::Npmrc, ""), (FileKind::Yarnrc, "")],
        Ecosystem::Cargo => &[(FileKind::CargoConfig, ".cargo")],
        Ecosystem::PyPI => &[(FileKind::PipConf, ""), (FileKind::Pyproject, "")],
        Ecosystem::RubyGems => &[(FileKind::Gemrc, ""), (FileKind::Gemfile, "")],
        Ecosystem::Go => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for m in ALL {
            assert_eq!(Manager::from_name(m.name()), Some(*m));
        }
        let mut names: Vec<&str> = ALL.iter().map(|m| m.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }

    #[test]
    fn ecosystems() {
        assert_eq!(Manager::ecosystem_of("pnpm"), Some(Ecosystem::Npm));
        assert_eq!(Manager::ecosystem_of("uv"), Some(Ecosystem::PyPI));
        assert_eq!(Manager::ecosystem_of("bundle"), Some(Ecosystem::RubyGems));
        assert_eq!(Manager::ecosystem_of("apt-get"), None);
        // Aliases are folded by the recogniser and are not names of their own.
        for alias in ["uvx", "pnpx", "bunx", "pip3", "bundler"] {
            assert_eq!(Manager::from_name(alias), None, "{alias}");
        }
    }

    /// Every manager the egress data gives hosts for is one the recogniser reports, and
    /// every manager of an ecosystem has hosts there.
    #[test]
    fn egress_data_names_known_managers() {
        let hosts = crate::egress_hosts();
        for e in &hosts.manager {
            assert!(Manager::from_name(&e.name).is_some(), "{}", e.name);
        }
        for m in ALL {
            if m.ecosystem().is_some() {
                assert!(hosts.manager(m.name()).is_some(), "{}", m.name());
            }
        }
        for e in &crate::fallbacks().manager {
            for n in &e.names {
                assert!(Manager::from_name(n).is_some(), "fallbacks.toml: {n}");
            }
        }
    }
}

//! Which options of each package-manager command take a value: one table per tool, so
//! each tool's command line is read with its own arities. A shared table was the union of
//! pip's, uv's, pipx's and pipenv's options, and an option that takes a value in one tool
//! swallowed the next word in another (pipx's `-f` is `--force`, pip's is
//! `--find-links`). Options not listed are flags; `--name=value` is read either way.
//! Also which options make an install work offline, per manager.

use crate::Manager;

/// The options with which a package manager's install reads only local files or its
/// cache and reaches no package source: `--name=value` forms count when the value is not
/// false, and one-letter options (`-C`) also count inside a group of flags (`-yC`).
/// Sources: pip <https://pip.pypa.io/en/stable/cli/pip_install/#cmdoption-no-index>; uv
/// <https://docs.astral.sh/uv/reference/cli/>; npm, and npx which is `npm exec`
/// <https://docs.npmjs.com/cli/using-npm/config#offline>; yarn
/// <https://classic.yarnpkg.com/en/docs/cli/install#toc-yarn-install-offline>; pnpm
/// <https://pnpm.io/cli/install#--offline>; cargo, whose `--frozen` is `--locked
/// --offline` <https://doc.rust-lang.org/cargo/commands/cargo-install.html>; gem
/// <https://guides.rubygems.org/command-reference/#gem-install>; bundler
/// <https://bundler.io/man/bundle-install.1.html>; apt-get `--no-download`
/// <https://manpages.debian.org/stable/apt/apt-get.8.en.html>; dnf and yum `-C`
/// <https://dnf.readthedocs.io/en/latest/command_ref.html>; apk `--no-network`
/// <https://gitlab.alpinelinux.org/alpine/apk-tools/-/blob/master/doc/apk.8.scd>; conda,
/// mamba and micromamba <https://docs.conda.io/projects/conda/en/stable/commands/install.html>;
/// Maven `--offline` <https://maven.apache.org/ref/current/maven-embedder/cli.html>; Gradle
/// <https://docs.gradle.org/current/userguide/command_line_interface.html#sec:command_line_execution_options>;
/// tox 4's `--skip-env-install`, which skips the dependencies and the package
/// (<https://tox.wiki/en/latest/cli_interface.html>). The Maven and Gradle wrappers download
/// the tool itself whatever the options, so they have none.
#[must_use]
pub const fn offline_options(manager: Manager) -> &'static [&'static str] {
    match manager {
        Manager::Pip => &["--no-index"],
        Manager::Uv => &["--offline", "--no-index"],
        Manager::Npm | Manager::Npx | Manager::Yarn | Manager::Pnpm => &["--offline"],
        Manager::Cargo => &["--offline", "--frozen"],
        Manager::Gem => &["--local", "-l"],
        Manager::Bundle => &["--local"],
        Manager::AptGet | Manager::Apt => &["--no-download"],
        Manager::Yum | Manager::Dnf => &["--cacheonly", "-C"],
        Manager::Apk => &["--no-network"],
        Manager::Conda | Manager::Mamba | Manager::Micromamba => &["--offline"],
        // Maven's `-o` is matched by its recogniser as a word of its own: Maven's one-dash
        // options are words (`-Pdocs`), not groups of letters.
        Manager::Maven => &["--offline"],
        Manager::Gradle => &["--offline"],
        Manager::Tox => &["--skip-env-install"],
        _ => &[],
    }
}

/// The options of one command that take a value.
#[derive(Clone, Copy, Debug)]
pub struct Flags {
    /// Short options (one letter each) that take a value.
    pub short_values: &'static str,
    /// Long options (without dashes) that take a value.
    pub long_values: &'static [&'static str],
    /// Options spelt with one dash and a whole name (`go install -ldflags …`,
    /// `nuget install -Version 1`); then `long_values` lists those names.
    pub single_dash_long: bool,
}

impl Flags {
    #[must_use]
    pub const fn new(short_values: &'static str, long_values: &'static [&'static str]) -> Self {
        Self {
            short_values,
            long_values,
            single_dash_long: false,
        }
    }

    #[must_use]
    pub const fn single_dash(long_values: &'static [&'static str]) -> Self {
        Self {
            short_values: "",
            long_values,
            single_dash_long: true,
        }
    }

    /// Whether `-short` / `--long` takes a value (for the tests and the data checks).
    #[must_use]
    pub fn takes_value(&self, short: Option<char>, long: Option<&str>) -> bool {
        short.is_some_and(|c| self.short_values.contains(c))
            || long.is_some_and(|l| self.long_values.contains(&l))
    }
}

/// pip (`pip install|download|wheel`, `python -m pip`): `-d` is `download --dest`, `-w`
/// `wheel --wheel-dir`. <https://pip.pypa.io/en/stable/cli/pip_install/>,
/// <https://pip.pypa.io/en/stable/cli/pip/#general-options>
pub const PIP: Flags = Flags::new(
    "rceiftCdw",
    &[
        "requirement",
        "constraint",
        "editable",
        "target",
        "platform",
        "python-version",
        "implementation",
        "abi",
        "root",
        "prefix",
        "src",
        "upgrade-strategy",
        "config-settings",
        "global-option",
        "install-option",
        "report",
        "progress-bar",
        "root-user-action",
        "index-url",
        "extra-index-url",
        "find-links",
        "no-binary",
        "only-binary",
        "trusted-host",
        "group",
        "dest",
        "wheel-dir",
        "python",
        "log",
        "log-file",
        "proxy",
        "retries",
        "timeout",
        "exists-action",
        "cert",
        "client-cert",
        "cache-dir",
        "keyring-provider",
        "use-feature",
        "use-deprecated",
    ],
);

/// uv (`uv pip …`, `uv sync|add|lock|run|tool`, `uvx`): `-p` is `--python`, `-P`
/// `--upgrade-package`, `-w` `--with`, `-o` `--output-file`.
/// <https://docs.astral.sh/uv/reference/cli/>
pub const UV: Flags = Flags::new(
    "rceifCptPwo",
    &[
        "requirements",
        "requirement",
        "constraints",
        "constraint",
        "overrides",
        "override",
        "build-constraints",
        "build-constraint",
        "editable",
        "extra",
        "group",
        "only-group",
        "no-group",
        "optional",
        "index-url",
        "extra-index-url",
        "index",
        "default-index",
        "find-links",
        "index-strategy",
        "keyring-provider",
        "resolution",
        "prerelease",
        "exclude-newer",
        "link-mode",
        "config-setting",
        "config-settings",
        "python",
        "python-platform",
        "python-version",
        "target",
        "prefix",
        "with",
        "with-requirements",
        "with-editable",
        "from",
        "package",
        "directory",
        "project",
        "torch-backend",
        "upgrade-package",
        "reinstall-package",
        "refresh-package",
        "no-binary",
        "only-binary",
        "no-binary-package",
        "no-build-package",
        "no-build-isolation-package",
        "python-preference",
        "cache-dir",
        "config-file",
        "color",
        "allow-insecure-host",
        "trusted-host",
        "env-file",
        "script",
        "output-file",
        "branch",
        "tag",
        "rev",
        "marker",
        "bounds",
    ],
);

/// pipx: `-f` is `--force` and `-e` `--editable`, both flags; `--spec`, `--pip-args`
/// and `-i`/`--index-url` take values. <https://pipx.pypa.io/stable/docs/>
pub const PIPX: Flags = Flags::new(
    "ir",
    &[
        "spec",
        "python",
        "suffix",
        "pip-args",
        "index-url",
        "preinstall",
        "requirement",
        "backend",
    ],
);

/// pipenv: `-d` is `--dev`, a flag; `--categories`, `--index` and `--pypi-mirror` take
/// values. <https://pipenv.pypa.io/en/latest/cli.html>
pub const PIPENV: Flags = Flags::new(
    "rei",
    &[
        "requirements",
        "editable",
        "categories",
        "index",
        "extra-index-url",
        "pypi-mirror",
        "python",
    ],
);

/// yarn 1 and Yarn Berry: `-W`, `-D`, `-E` are flags; `yarn dlx -p` takes a package.
/// <https://classic.yarnpkg.com/en/docs/cli/>, <https://yarnpkg.com/cli>
pub const YARN: Flags = Flags::new(
    "p",
    &[
        "cwd",
        "registry",
        "network-timeout",
        "network-concurrency",
        "modules-folder",
        "cache-folder",
        "mutex",
        "mode",
        "package",
    ],
);

/// pnpm: `-w` is `--workspace-root`, a flag; `-C` is `--dir` and `-F` `--filter`.
/// <https://pnpm.io/cli/add>, <https://pnpm.io/pnpm-cli#options>
pub const PNPM: Flags = Flags::new(
    "CF",
    &[
        "dir",
        "filter",
        "registry",
        "reporter",
        "store-dir",
        "lockfile-dir",
        "modules-dir",
        "network-concurrency",
        "fetch-retries",
        "loglevel",
        "package",
    ],
);

/// bun: `-p` is `--production` and `-d` `--dev`, flags; `-c` is `--config`.
/// <https://bun.sh/docs/cli/install>
pub const BUN: Flags = Flags::new(
    "c",
    &[
        "config",
        "cwd",
        "registry",
        "backend",
        "cache-dir",
        "ca",
        "cafile",
        "filter",
        "network-concurrency",
    ],
);

/// The package runners `pnpx` (`pnpm dlx`) and `bunx`: `-p`/`--package` takes the
/// package; pnpm dlx's `-c` is `--shell-mode`, a flag.
/// <https://pnpm.io/cli/dlx>, <https://bun.sh/docs/cli/bunx>
pub const DLX: Flags = Flags::new("p", &["package", "registry", "cwd"]);

/// npm and npx (`npm exec`): `-w` is `--workspace`, `-p` is `npm exec --package`, `-C` is
/// `--prefix`. The table also held yarn's, pnpm's and bun's options; they have their own
/// now. <https://docs.npmjs.com/cli/commands/npm-install>,
/// <https://docs.npmjs.com/cli/commands/npm-exec>
pub const NPM: Flags = Flags::new(
    "wpC",
    &[
        "registry",
        "prefix",
        "fetch-retries",
        "cache",
        "tag",
        "workspace",
        "omit",
        "include",
        "loglevel",
        "userconfig",
        "install-strategy",
        "before",
        "otp",
        "access",
        "scope",
        "fetch-retry-mintimeout",
        "fetch-retry-maxtimeout",
        "package",
        "call",
        "filter",
        "dir",
        "network-timeout",
        "modules-folder",
        "cwd",
        "mode",
        "location",
    ],
);

/// `cargo install`, `cargo add` and `cargo binstall` (one table: binstall accepts `cargo install`'s options): <https://doc.rust-lang.org/cargo/commands/cargo-install.html>
pub const CARGO: Flags = Flags::new(
    "FjpZ",
    &[
        "version",
        "vers",
        "git",
        "branch",
        "tag",
        "rev",
        "path",
        "root",
        "registry",
        "index",
        "bin",
        "example",
        "features",
        "target",
        "target-dir",
        "profile",
        "jobs",
        "config",
        "manifest-path",
        "package",
        "color",
        "message-format",
        "exclude",
        "test",
        "bench",
        "strategies",
        "pkg-url",
        "pkg-fmt",
        "bin-dir",
        "install-path",
        "github-token",
        "min-tls-version",
        "rate-limit",
    ],
);

/// `go get`, `go install`, `go mod download`, `go run` and `go test` build flags: <https://pkg.go.dev/cmd/go#hdr-Compile_packages_and_dependencies>
pub const GO: Flags = Flags::single_dash(&[
    "ldflags",
    "gcflags",
    "asmflags",
    "tags",
    "o",
    "p",
    "modfile",
    "overlay",
    "pkgdir",
    "toolexec",
    "buildmode",
    "compiler",
    "installsuffix",
    "pgo",
    "C",
    "exec",
    "run",
    "bench",
    "timeout",
    "count",
    "coverprofile",
    "covermode",
    "coverpkg",
    "cpu",
    "parallel",
]);

/// poetry: <https://python-poetry.org/docs/cli/>
pub const POETRY: Flags = Flags::new(
    "EC",
    &[
        "with",
        "without",
        "only",
        "extras",
        "directory",
        "source",
        "group",
    ],
);

/// rustup: <https://rust-lang.github.io/rustup/>
pub const RUSTUP: Flags = Flags::new("ctp", &["profile", "component", "target", "toolchain"]);

/// gem: <https://guides.rubygems.org/command-reference/#gem-install>; `gem exec --gem GEM`
/// <https://guides.rubygems.org/command-reference/#gem-exec> (its `-g` is not listed:
/// `gem install -g` is `--file` with an optional value).
pub const GEM: Flags = Flags::new(
    "vsinP",
    &[
        "gem",
        "version",
        "source",
        "install-dir",
        "bindir",
        "platform",
        "trust-policy",
        "config-file",
    ],
);

/// bundle: <https://bundler.io/man/bundle-install.1.html>
pub const BUNDLE: Flags = Flags::new(
    "j",
    &[
        "jobs",
        "path",
        "without",
        "with",
        "gemfile",
        "retry",
        "binstubs",
        "standalone",
        "trust-policy",
    ],
);

/// apt-get, apt, aptitude: <https://manpages.ubuntu.com/manpages/noble/man8/apt-get.8.html>
pub const APT: Flags = Flags::new(
    "otc",
    &["option", "target-release", "config-file", "default-release"],
);

/// yum, dnf, microdnf, tdnf: <https://dnf.readthedocs.io/en/latest/command_ref.html>
pub const YUM: Flags = Flags::new(
    "cx",
    &[
        "enablerepo",
        "disablerepo",
        "setopt",
        "repofrompath",
        "releasever",
        "installroot",
        "config",
        "exclude",
        "repo",
    ],
);

/// apk: <https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper>
pub const APK: Flags = Flags::new(
    "Xtp",
    &[
        "repository",
        "virtual",
        "root",
        "repositories-file",
        "keys-dir",
        "arch",
    ],
);

/// zypper: <https://en.opensuse.org/SDB:Zypper_manual>
pub const ZYPPER: Flags = Flags::new("rR", &["repo", "from", "root"]);

/// brew: <https://docs.brew.sh/Manpage>
pub const BREW: Flags = Flags::new("", &["appdir", "cc"]);

/// choco: <https://docs.chocolatey.org/en-us/choco/commands/install/>
pub const CHOCO: Flags = Flags::new(
    "sv",
    &[
        "source",
        "version",
        "params",
        "package-parameters",
        "install-arguments",
        "ia",
        "timeout",
        "execution-timeout",
        "checksum",
        "checksum64",
        "cache-location",
    ],
);

/// snap: <https://snapcraft.io/docs/managing-snap-revisions>
pub const SNAP: Flags = Flags::new("", &["channel", "revision"]);

/// pacman: <https://man.archlinux.org/man/pacman.8>
pub const PACMAN: Flags = Flags::new("", &["root", "dbpath", "config", "cachedir"]);

/// dotnet: <https://learn.microsoft.com/en-us/dotnet/core/tools/dotnet-add-package>
pub const DOTNET: Flags = Flags::new(
    "svfpco",
    &[
        "source",
        "version",
        "add-source",
        "framework",
        "configfile",
        "packages",
        "tool-path",
        "output",
        "configuration",
        "runtime",
        "verbosity",
        "api-key",
        "interactive",
        "lock-file-path",
    ],
);

/// nuget.exe (one dash, capitalised names): <https://learn.microsoft.com/en-us/nuget/reference/cli-reference/cli-ref-install>
pub const NUGET: Flags = Flags::single_dash(&[
    "Version",
    "Source",
    "OutputDirectory",
    "ConfigFile",
    "Framework",
    "PackagesDirectory",
    "SolutionDirectory",
    "ApiKey",
    "Verbosity",
    "FallbackSource",
]);

/// conda, mamba, micromamba: <https://docs.conda.io/projects/conda/en/latest/commands/install.html>
pub const CONDA: Flags = Flags::new(
    "cnpf",
    &[
        "channel",
        "name",
        "prefix",
        "file",
        "override-channels-url",
        "platform",
        "root-prefix",
    ],
);

/// mvn, whose short options are words of their own (`-pl`, `-gs`, `-Dname=value`), so
/// the table is read with one dash: <https://maven.apache.org/ref/current/maven-embedder/cli.html>
pub const MAVEN: Flags = Flags::single_dash(&[
    "s",
    "settings",
    "gs",
    "global-settings",
    "f",
    "file",
    "l",
    "log-file",
    "T",
    "threads",
    "b",
    "builder",
    "pl",
    "projects",
    "P",
    "activate-profiles",
    "rf",
    "resume-from",
    "t",
    "toolchains",
    "gt",
    "global-toolchains",
    "D",
    "define",
    "color",
]);

/// gradle: <https://docs.gradle.org/current/userguide/command_line_interface.html>
pub const GRADLE: Flags = Flags::new(
    "xIDPpbcg",
    &[
        "exclude-task",
        "init-script",
        "project-dir",
        "build-file",
        "settings-file",
        "gradle-user-home",
        "project-cache-dir",
        "max-workers",
        "console",
        "warning-mode",
        "priority",
        "include-build",
        "dependency-verification",
        "write-verification-metadata",
        "update-locks",
    ],
);

/// composer: <https://getcomposer.org/doc/03-cli.md>
pub const COMPOSER: Flags = Flags::new(
    "d",
    &["working-dir", "repository", "stability", "prefer-install"],
);

/// tox 4: <https://tox.wiki/en/latest/cli_interface.html>
pub const TOX: Flags = Flags::new(
    "ecmfxp",
    &[
        "conf",
        "root",
        "workdir",
        "colored",
        "exit-and-dump-after",
        "factor",
        "labels",
        "skip-env",
        "installpkg",
        "discover",
        "hashseed",
        "override",
        "parallel",
        "result-json",
        "runner",
    ],
);

#[cfg(test)]
mod tests {
    use super::*;

    /// Offline options are written as they appear on a command line (`--long` or a
    /// one-letter `-x`), once per manager, and none of them takes a value in its tool's
    /// arity table (a value-taking option would swallow the next word).
    #[test]
    fn offline_options_are_flags() {
        for m in crate::managers::ALL {
            let opts = offline_options(*m);
            for o in opts {
                let long = o.strip_prefix("--");
                let short = o.strip_prefix('-').filter(|s| s.len() == 1);
                assert!(
                    long.is_some_and(|l| !l.is_empty()) || short.is_some(),
                    "{o}"
                );
            }
            let mut sorted = opts.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), opts.len(), "{}", m.name());
        }
        for (table, m) in [
            (PIP, Manager::Pip),
            (UV, Manager::Uv),
            (NPM, Manager::Npm),
            (YARN, Manager::Yarn),
            (PNPM, Manager::Pnpm),
            (CARGO, Manager::Cargo),
            (GEM, Manager::Gem),
            (BUNDLE, Manager::Bundle),
            (APT, Manager::AptGet),
            (YUM, Manager::Dnf),
            (APK, Manager::Apk),
            (CONDA, Manager::Conda),
            (MAVEN, Manager::Maven),
            (GRADLE, Manager::Gradle),
            (TOX, Manager::Tox),
        ] {
            for o in offline_options(m) {
                let long = o.strip_prefix("--");
                let short = o
                    .strip_prefix('-')
                    .and_then(|s| s.chars().next())
                    .filter(|_| long.is_none());
                assert!(!table.takes_value(short, long), "{}: {o}", m.name());
            }
        }
    }

    #[test]
    fn each_tool_reads_its_own_arity() {
        // pip's `-f` is `--find-links`; pipx's is `--force`.
        assert!(PIP.takes_value(Some('f'), None));
        assert!(!PIPX.takes_value(Some('f'), None));
        assert!(!PIPX.takes_value(Some('e'), Some("editable")));
        assert!(PIP.takes_value(Some('e'), Some("editable")));
        // pnpm's `-w` is `--workspace-root`; npm's is `--workspace`.
        assert!(NPM.takes_value(Some('w'), None));
        assert!(!PNPM.takes_value(Some('w'), None));
        // bun's `-p` is `--production`.
        assert!(!BUN.takes_value(Some('p'), None));
        assert!(UV.takes_value(None, Some("optional")));
        assert!(PIPENV.takes_value(None, Some("categories")));
    }
}

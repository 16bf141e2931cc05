//! Classification of input files by path.

use serde::Serialize;

/// What an input file is, decided from its path alone (contents are never sniffed, so
/// classification is cheap and predictable).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// `.github/workflows/*.yml|yaml`
    Workflow,
    /// `action.yml|yaml` anywhere: composite, docker or JavaScript action metadata.
    Action,
    /// `.github/workflows/actions.lock`
    ActionsLock,
    /// `.github/dependabot.yml|yaml`
    Dependabot,
    CargoLock,
    NpmLock,
    YarnLock,
    PnpmLock,
    PoetryLock,
    UvLock,
    PipfileLock,
    Requirements,
    GoMod,
    GoSum,
    GemfileLock,
    Npmrc,
    Yarnrc,
    CargoConfig,
    PipConf,
    Pyproject,
    Gemrc,
    Gemfile,
    /// `Dockerfile`, `Containerfile`, `*.Dockerfile`, `Dockerfile.*` (not templates such
    /// as `Dockerfile.j2`, nor a `Dockerfile.dockerignore`).
    Dockerfile,
    /// A Makefile a workflow runs (`make TARGET`): read only when referenced, never
    /// discovered by walking.
    Makefile,
    /// A shell script a workflow runs by path (`./build.sh`): read only when referenced.
    ShellScript,
    /// A GitLab CI configuration: `.gitlab-ci.yml` (or `.yaml`) anywhere and Debian's
    /// `debian/salsa-ci.yml`, and the files one includes with `include: local:` or runs as
    /// a child pipeline (read only when included).
    GitlabCi,
}

impl FileKind {
    /// Classify a `/`-separated path relative to the scan root (or an explicit file).
    #[must_use]
    pub fn classify(path: &str) -> Option<Self> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
        let in_dir = |dir: &str| parent == dir || parent.ends_with(&format!("/{dir}"));
        let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
        if in_dir(".github/workflows") {
            if name == "actions.lock" {
                return Some(Self::ActionsLock);
            }
            if yaml {
                return Some(Self::Workflow);
            }
        }
        if name == "action.yml" || name == "action.yaml" {
            return Some(Self::Action);
        }
        if in_dir(".github") && (name == "dependabot.yml" || name == "dependabot.yaml") {
            return Some(Self::Dependabot);
        }
        if is_dockerfile(name) {
            return Some(Self::Dockerfile);
        }
        // Debian's GitLab (Salsa) reads `debian/salsa-ci.yml` as the configuration.
        if name == ".gitlab-ci.yml"
            || name == ".gitlab-ci.yaml"
            || (in_dir("debian") && (name == "salsa-ci.yml" || name == "salsa-ci.yaml"))
        {
            return Some(Self::GitlabCi);
        }
        let kind = match name {
            "Cargo.lock" => Self::CargoLock,
            "package-lock.json" | "npm-shrinkwrap.json" => Self::NpmLock,
            "yarn.lock" => Self::YarnLock,
            "pnpm-lock.yaml" => Self::PnpmLock,
            "poetry.lock" => Self::PoetryLock,
            "uv.lock" => Self::UvLock,
            "Pipfile.lock" => Self::PipfileLock,
            "go.mod" => Self::GoMod,
            "go.sum" => Self::GoSum,
            "Gemfile.lock" | "gems.locked" => Self::GemfileLock,
            "Gemfile" | "gems.rb" => Self::Gemfile,
            ".npmrc" => Self::Npmrc,
            ".yarnrc.yml" => Self::Yarnrc,
            "pip.conf" | "pip.ini" => Self::PipConf,
            "pyproject.toml" => Self::Pyproject,
            ".gemrc" => Self::Gemrc,
            "config.toml" | "config" if in_dir(".cargo") => Self::CargoConfig,
            _ if is_requirements(name) => Self::Requirements,
            _ => return None,
        };
        Some(kind)
    }

    /// Stable kebab-case name used in JSON output.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Workflow => "workflow",
            Self::Action => "action",
            Self::ActionsLock => "actions-lock",
            Self::Dependabot => "dependabot",
            Self::CargoLock => "cargo-lock",
            Self::NpmLock => "npm-lock",
            Self::YarnLock => "yarn-lock",
            Self::PnpmLock => "pnpm-lock",
            Self::PoetryLock => "poetry-lock",
            Self::UvLock => "uv-lock",
            Self::PipfileLock => "pipfile-lock",
            Self::Requirements => "requirements",
            Self::GoMod => "go-mod",
            Self::GoSum => "go-sum",
            Self::GemfileLock => "gemfile-lock",
            Self::Npmrc => "npmrc",
            Self::Yarnrc => "yarnrc",
            Self::CargoConfig => "cargo-config",
            Self::PipConf => "pip-conf",
            Self::Pyproject => "pyproject",
            Self::Gemrc => "gemrc",
            Self::Gemfile => "gemfile",
            Self::Dockerfile => "dockerfile",
            Self::Makefile => "makefile",
            Self::ShellScript => "shell-script",
            Self::GitlabCi => "gitlab-ci",
        }
    }

    /// Lockfiles: package entries pinned to versions.
    #[must_use]
    pub const fn is_lockfile(self) -> bool {
        matches!(
            self,
            Self::CargoLock
                | Self::NpmLock
                | Self::YarnLock
                | Self::PnpmLock
                | Self::PoetryLock
                | Self::UvLock
                | Self::PipfileLock
                | Self::Requirements
                | Self::GoMod
                | Self::GoSum
                | Self::GemfileLock
        )
    }

    /// Registry configuration: files that change where packages come from.
    #[must_use]
    pub const fn is_registry_config(self) -> bool {
        matches!(
            self,
            Self::Npmrc
                | Self::Yarnrc
                | Self::CargoConfig
                | Self::PipConf
                | Self::Pyproject
                | Self::Gemrc
                | Self::Gemfile
        )
    }
}

/// Suffixes of files named like Dockerfiles that are not one a build reads: templates
/// rendered into one (`Dockerfile.tt` in Rails' generators, `Dockerfile.j2` in Ansible's),
/// per-Dockerfile ignore files, documentation and editor leftovers.
const NOT_DOCKERFILE: &[&str] = &[
    "dockerignore",
    "tt",
    "erb",
    "j2",
    "jinja",
    "jinja2",
    "tmpl",
    "tpl",
    "template",
    "in",
    "hbs",
    "mustache",
    "md",
    "txt",
    "orig",
    "bak",
    "swp",
    "rej",
];

/// The names Docker, Podman and their users give build files: `Dockerfile` and
/// `Containerfile` (the default names; Docker also reads `dockerfile`), `app.Dockerfile`
/// and `Dockerfile.app` (chosen with `-f`).
fn is_dockerfile(name: &str) -> bool {
    if matches!(name, "Dockerfile" | "dockerfile" | "Containerfile") {
        return true;
    }
    let suffix = name
        .strip_prefix("Dockerfile.")
        .or_else(|| name.strip_prefix("Containerfile."))
        .or_else(|| name.strip_prefix("dockerfile."));
    if let Some(ext) = suffix {
        let last = ext.rsplit('.').next().unwrap_or(ext);
        return !ext.is_empty() && !NOT_DOCKERFILE.contains(&last.to_ascii_lowercase().as_str());
    }
    let stem = name
        .strip_suffix(".Dockerfile")
        .or_else(|| name.strip_suffix(".dockerfile"))
        .or_else(|| name.strip_suffix(".Containerfile"));
    stem.is_some_and(|s| !s.is_empty())
}

/// `requirements.txt`, `requirements-dev.txt`, `requirements/base.txt`-style names and
/// `constraints*.txt`. Pip itself accepts any name; these are the conventional ones.
fn is_requirements(name: &str) -> bool {
    let Some(stem) = name
        .strip_suffix(".txt")
        .or_else(|| name.strip_suffix(".in"))
    else {
        return false;
    };
    stem.starts_with("requirements") || stem.starts_with("constraints")
}

#[cfg(test)]
mod tests {
    use super::FileKind::{self, *};

    #[test]
    fn classify_table() {
        let cases: &[(&str, Option<FileKind>)] = &[
            (".github/workflows/ci.yml", Some(Workflow)),
            ("sub/.github/workflows/ci.yaml", Some(Workflow)),
            (".github/workflows/actions.lock", Some(ActionsLock)),
            (".github/workflows/README.md", None),
            (".github/workflows/nested/x.yml", None),
            ("action.yml", Some(Action)),
            (".github/actions/setup/action.yaml", Some(Action)),
            (".github/dependabot.yml", Some(Dependabot)),
            ("dependabot.yml", None),
            ("Cargo.lock", Some(CargoLock)),
            ("web/package-lock.json", Some(NpmLock)),
            ("npm-shrinkwrap.json", Some(NpmLock)),
            ("yarn.lock", Some(YarnLock)),
            ("pnpm-lock.yaml", Some(PnpmLock)),
            ("requirements-dev.txt", Some(Requirements)),
            ("constraints.txt", Some(Requirements)),
            ("docs/requirements.in", Some(Requirements)),
            ("notes.txt", None),
            (".cargo/config.toml", Some(CargoConfig)),
            ("config.toml", None),
            ("go.mod", Some(GoMod)),
            ("Gemfile.lock", Some(GemfileLock)),
            (".npmrc", Some(Npmrc)),
            (".yarnrc.yml", Some(Yarnrc)),
            ("pyproject.toml", Some(Pyproject)),
            ("Dockerfile", Some(Dockerfile)),
            ("ci/docker/aarch64-linux/Dockerfile", Some(Dockerfile)),
            ("dockerfile", Some(Dockerfile)),
            ("Containerfile", Some(Dockerfile)),
            ("build/buildx-alpine.Dockerfile", Some(Dockerfile)),
            ("Dockerfile.windows", Some(Dockerfile)),
            ("Dockerfile.simple", Some(Dockerfile)),
            ("Containerfile.fedora", Some(Dockerfile)),
            ("Dockerfile.tt", None),
            ("Dockerfile.j2", None),
            ("Dockerfile.dockerignore", None),
            ("Dockerfile.md", None),
            ("Dockerfile.", None),
            (".Dockerfile", None),
            ("Dockerfiles", None),
            ("docs/dockerfile.md", None),
            (".gitlab-ci.yml", Some(GitlabCi)),
            ("ci/.gitlab-ci.yaml", Some(GitlabCi)),
            (".gitlab/ci/build.gitlab-ci.yml", None),
            (".gitlab-ci-main.yml", None),
            ("debian/salsa-ci.yml", Some(GitlabCi)),
            ("salsa-ci.yml", None),
        ];
        for (path, want) in cases {
            assert_eq!(FileKind::classify(path), *want, "{path}");
        }
    }
}

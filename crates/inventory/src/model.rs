//! The inventory's values: delivery dependencies with the jobs that take them on, how each
//! is pinned and what falls back when it fails, and the identity of every job.

use std::borrow::Cow;

use tollgate_graph::{NodeId, Origin};
use tollgate_model::LineCol;

/// What kind of thing a job depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DependencyKind {
    /// A remote action (`owner/repo[/path]@ref`), fetched from GitHub at job start.
    Action,
    /// A remote reusable workflow.
    ReusableWorkflow,
    /// A toolchain a setup action downloads (Node.js, Go, a JDK, rustup).
    Toolchain,
    /// A package registry, index, git repository or archive URL packages come from.
    PackageSource,
    /// A container image and its registry.
    Image,
    /// A file, release asset or repository fetched by a `run:` command.
    Download,
    /// The Actions cache service, used by a cache step.
    Cache,
    /// A GitLab CI include of another project's file, a URL, a GitLab template or a
    /// CI/CD component, read by GitLab when it creates the pipeline.
    Include,
}

impl DependencyKind {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Action => "action",
            Self::ReusableWorkflow => "reusable-workflow",
            Self::Toolchain => "toolchain",
            Self::PackageSource => "package-source",
            Self::Image => "image",
            Self::Download => "download",
            Self::Cache => "cache",
            Self::Include => "include",
        }
    }
}

/// What keeps a job going when a dependency fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FallbackKind {
    /// A cache restored before the download (`actions/cache`, `setup-*` with `cache:`).
    Cache,
    /// A mirror or source replacement (a configured registry, a built-in second source).
    Mirror,
    /// A copy kept in the repository (`vendor/`, `cargo vendor`).
    Vendored,
    /// The download is retried (`curl --retry`, `npm --fetch-retries`, a retry action).
    Retry,
}

impl FallbackKind {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Cache => "cache",
            Self::Mirror => "mirror",
            Self::Vendored => "vendored",
            Self::Retry => "retry",
        }
    }
}

/// One fallback, with what provides it (`actions/setup-node with cache: npm`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Fallback {
    pub kind: FallbackKind,
    pub detail: String,
}

/// How a dependency is pinned: `pinned` is `None` where pinning does not apply (a
/// registry as a whole, the cache service).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pinning {
    pub pinned: Option<bool>,
    /// Mostly one of a few fixed texts ("latest in the repository"), borrowed; composed
    /// ones (naming a version or a digest) owned.
    pub how: Cow<'static, str>,
}

impl Pinning {
    #[must_use]
    pub fn pinned(how: impl Into<Cow<'static, str>>) -> Self {
        Self {
            pinned: Some(true),
            how: how.into(),
        }
    }

    #[must_use]
    pub fn floating(how: impl Into<Cow<'static, str>>) -> Self {
        Self {
            pinned: Some(false),
            how: how.into(),
        }
    }

    #[must_use]
    pub fn not_applicable(how: impl Into<Cow<'static, str>>) -> Self {
        Self {
            pinned: None,
            how: how.into(),
        }
    }
}

/// Where a job takes on a dependency: the `uses:` value, the command, the image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// Display path of the file, shared with the file's other sites and locations.
    pub path: std::sync::Arc<str>,
    pub origin: Origin,
    /// Line and column of the start of `origin`.
    pub start: LineCol,
    /// The step (workflow step or composite-action step), when a step introduces it.
    pub step: Option<NodeId>,
    /// The step's label for humans.
    pub step_label: Option<String>,
}

/// One dependency of one job.
#[derive(Clone, Debug)]
pub struct JobDependency {
    pub kind: DependencyKind,
    /// Identity across jobs (`package-source pypi https://pypi.org/simple`).
    pub key: String,
    /// What to show (`pypi https://pypi.org/simple`, `node:20`, `actions/checkout@v4`).
    pub name: String,
    /// `npm`, `pypi`, `cargo`, `go`, `rubygems`, `apt`, … for package sources.
    pub ecosystem: Option<String>,
    pub hosts: Vec<String>,
    /// Outside the platform that runs the job (GitHub): a package registry, a toolchain
    /// or release download, an image registry, a git host other than GitHub. These are
    /// the dependencies a fallback is asked for.
    pub external: bool,
    pub pinning: Pinning,
    /// The first place the job takes it on.
    pub site: Option<Site>,
    /// How many places in the job take it on.
    pub sites: usize,
    pub fallbacks: Vec<Fallback>,
    /// A role worth saying (`extra index: dependency confusion`, `scoped @acme`).
    pub note: Option<String>,
    /// What to do about a missing fallback, for messages.
    pub help: Option<std::borrow::Cow<'static, str>>,
}

/// A job, named for humans.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct JobRef {
    /// Workflow display path.
    pub workflow: String,
    pub job: String,
    pub node: NodeId,
}

/// One job's use of a dependency.
#[derive(Clone, Debug)]
pub struct DependencyUse {
    pub job: JobRef,
    pub site: Option<Site>,
    pub sites: usize,
    pub pinning: Pinning,
    pub fallbacks: Vec<Fallback>,
}

/// A delivery dependency with every job that uses it.
#[derive(Clone, Debug)]
pub struct Dependency {
    pub kind: DependencyKind,
    pub key: String,
    pub name: String,
    pub ecosystem: Option<String>,
    pub hosts: Vec<String>,
    pub external: bool,
    pub note: Option<String>,
    pub uses: Vec<DependencyUse>,
}

impl Dependency {
    /// Uses by jobs that have no fallback for it (only counted for external ones).
    #[must_use]
    pub fn uses_without_fallback(&self) -> usize {
        if !self.external {
            return 0;
        }
        self.uses.iter().filter(|u| u.fallbacks.is_empty()).count()
    }

    /// Pinned where every use is pinned; unpinned where one is not.
    #[must_use]
    pub fn pinning(&self) -> Pinning {
        if let Some(u) = self.uses.iter().find(|u| u.pinning.pinned == Some(false)) {
            return u.pinning.clone();
        }
        self.uses
            .first()
            .map_or_else(|| Pinning::not_applicable(""), |u| u.pinning.clone())
    }

    /// The distinct fallbacks across jobs, or none.
    #[must_use]
    pub fn fallback_kinds(&self) -> Vec<FallbackKind> {
        let mut v: Vec<FallbackKind> = self
            .uses
            .iter()
            .flat_map(|u| u.fallbacks.iter().map(|f| f.kind))
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Distinct workflows using it.
    #[must_use]
    pub fn workflows(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.uses.iter().map(|u| u.job.workflow.as_str()).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// What a job holds and reaches: the blast radius if it were compromised.
#[derive(Clone, Debug)]
pub struct JobIdentity {
    pub job: JobRef,
    pub name: Option<String>,
    /// `contents: write`, `all: read`, `default token permissions`.
    pub permissions: Vec<String>,
    /// A write scope, `write-all`, or the repository default (write on older repositories).
    pub writes: bool,
    /// No `permissions:` block applies: the repository default.
    pub default_token: bool,
    /// Secret names; `*` for `secrets: inherit` or the whole `secrets` context.
    pub secrets: Vec<String>,
    pub oidc: bool,
    /// `runs-on:` as written (labels joined), or `reusable workflow` for a call.
    pub runner: String,
    pub self_hosted: bool,
    pub environment: Option<String>,
    /// Hosts the job can reach, sorted.
    pub hosts: Vec<String>,
    pub timeout_minutes: Option<String>,
    /// Calls a reusable workflow (`jobs.<id>.uses`): it has no steps of its own.
    pub calls_workflow: bool,
    /// The time limit of a job that sets none, in words: GitHub's 6 hours, or a GitLab
    /// project's own (1 hour unless changed).
    pub default_timeout: &'static str,
    /// External dependencies of the job, and how many have no fallback.
    pub external_dependencies: usize,
    pub without_fallback: usize,
}

impl JobIdentity {
    /// A rough exposure score for ordering: write tokens, OIDC and secrets weigh most,
    /// then self-hosted runners and the number of hosts reached.
    #[must_use]
    pub fn exposure(&self) -> usize {
        usize::from(self.writes) * 4
            + usize::from(self.oidc) * 4
            + self.secrets.len().min(5) * 2
            + usize::from(self.self_hosted) * 3
            + self.hosts.len().min(10)
    }
}

/// Figures for the top of the report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub workflows: usize,
    pub jobs: usize,
    pub dependencies: usize,
    pub external: usize,
    /// Dependency × job pairs for external dependencies with no fallback.
    pub without_fallback: usize,
    pub unpinned: usize,
    pub by_kind: Vec<(DependencyKind, usize)>,
    pub jobs_writing: usize,
    pub jobs_with_secrets: usize,
    pub jobs_with_oidc: usize,
    pub self_hosted_jobs: usize,
    pub jobs_without_timeout: usize,
    pub hosts: usize,
}

/// The whole inventory: worst items first.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    /// What was scanned (the paths given), for the title.
    pub roots: Vec<String>,
    pub dependencies: Vec<Dependency>,
    pub jobs: Vec<JobIdentity>,
    pub totals: Totals,
}

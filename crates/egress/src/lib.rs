//! Static egress inference: for every job of a scanned repository, the outbound
//! destinations it needs (`host`, port, wildcard) and why (the runner, an action, a
//! command, a lockfile entry, a registry configuration, an image, a git remote), plus the
//! destinations only run time knows (hosts built from expressions or shell variables),
//! which are reported as unresolved and never guessed.
//!
//! It runs as a graph pass ([`Pass`], listed in `tollgate_facts`): the hosts of
//! every job become `host` nodes and `reaches` edges, and the whole analysis is the
//! graph's record ([`of`]). The hosts of well-known actions, package managers and
//! container registries come from the knowledge base in `rules/data/egress-hosts.toml`. [`hosts`] and [`harden`] hold the allow-list matching
//! the egress rules share. The renderers (harden-runner blocks, text, JSON) are in
//! `tollgate-report`: this crate only computes.

pub mod harden;
pub mod hosts;
mod infer;
mod kb;
mod pass;

use tollgate_graph::NodeId;
use tollgate_model::Location;

pub use harden::{AllowedEndpoint, EgressPolicy, HardenRunner, harden_runner, is_harden_runner};
pub use hosts::{DEFAULT_PORT, Endpoint, broad_wildcard, host_covered, registry_hosts};
pub use kb::SharedDomain;
pub use pass::{Pass, of};

/// Why a job needs a destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProvenanceKind {
    /// GitHub's own service endpoints the runner uses for every job.
    Runner,
    /// An action's documented network use (knowledge base), or an input naming a host.
    Action,
    /// A `run:` command: a download, an install's default registry or index option.
    Command,
    /// A lockfile entry's source.
    Lockfile,
    /// A registry configured in a file (`.npmrc`, `pip.conf`, …) or in `env:`.
    RegistryConfig,
    /// A container image pulled (job container, service, `docker://`, `docker run`).
    Image,
    /// A git remote cloned or fetched, or a git source of a lockfile.
    Git,
}

impl ProvenanceKind {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Runner => "runner",
            Self::Action => "action",
            Self::Command => "command",
            Self::Lockfile => "lockfile",
            Self::RegistryConfig => "registry-config",
            Self::Image => "image",
            Self::Git => "git",
        }
    }
}

/// One reason a destination is needed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Provenance {
    pub kind: ProvenanceKind,
    /// What causes it, for people: `actions/setup-node@v4`, `npm ci`, `left-pad@1.3.0`.
    pub label: String,
    /// The most specific place that names it (the lockfile entry, the config line, the
    /// URL in the script, the `uses:` value).
    pub location: Option<Location>,
    /// The step or command of the job that brings it in, when `location` is elsewhere
    /// (a lockfile or config file) or the same place otherwise.
    pub step: Option<Location>,
    /// GitHub's own Actions service (runner traffic, artifact and cache storage): needed,
    /// but let through by GitHub and by harden-runner without an entry.
    pub platform: bool,
    /// Contacted only in a case whose failure the cause survives (a best-effort call the
    /// action catches): worth allowing, not worth breaking a block-mode list over.
    pub optional: bool,
    /// Contacted only when a condition the run decides holds, in words: a setup action
    /// downloads its toolchain only when the runner image lacks the version (`the
    /// runner's tool cache lacks go 1.23 (ubuntu-24.04 image … holds 1.23.5)`).
    pub conditional: Option<String>,
    /// The files between the job's step and `location` when the reason was found by
    /// following the build (a Dockerfile whose `RUN make` led into the Makefile): where
    /// each one runs the next, outermost first. Empty when `location` is in the step's
    /// file or in the file the step runs.
    pub via: Vec<Location>,
}

impl Provenance {
    /// A provenance whose cause is named in the job's own step (location and step alike),
    /// outside GitHub's own service.
    #[must_use]
    pub fn at(kind: ProvenanceKind, label: String, at: &Location) -> Self {
        Self {
            kind,
            label,
            location: Some(at.clone()),
            step: Some(at.clone()),
            platform: false,
            optional: false,
            conditional: None,
            via: Vec::new(),
        }
    }
}

/// One outbound destination of a job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destination {
    /// Lowercase host; `*.domain` when only a pattern is known (varying storage accounts).
    pub host: String,
    pub port: u16,
    pub wildcard: bool,
    /// Every reason, sorted.
    pub provenance: Vec<Provenance>,
}

impl Destination {
    /// Only GitHub's own service needs it.
    #[must_use]
    pub fn is_platform(&self) -> bool {
        self.provenance.iter().all(|p| p.platform)
    }

    /// Outside GitHub's own service (which harden-runner lets through), every reason for
    /// it is a best-effort call (see [`Provenance::optional`]).
    #[must_use]
    pub fn is_optional(&self) -> bool {
        let mut outside = self.provenance.iter().filter(|p| !p.platform).peekable();
        outside.peek().is_some() && outside.all(|p| p.optional)
    }

    /// Every reason outside GitHub's own service is conditional (see
    /// [`Provenance::conditional`]): the first condition, when so.
    #[must_use]
    pub fn condition(&self) -> Option<&str> {
        let mut outside = self.provenance.iter().filter(|p| !p.platform).peekable();
        outside.peek()?;
        let mut first = None;
        for p in outside {
            let c = p.conditional.as_deref()?;
            first.get_or_insert(c);
        }
        first
    }

    /// `host:port`, the harden-runner form.
    #[must_use]
    pub fn endpoint(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// A destination only run time knows: a URL or registry built from an expression or a
/// shell variable, or something an action contacts that depends on its configuration.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unresolved {
    /// The text as written (`https://${HOST}/x.tgz`, `${{ inputs.registry }}`) or what is
    /// unknown (`the base images named in the Dockerfile`).
    pub text: String,
    pub kind: ProvenanceKind,
    pub label: String,
    pub location: Option<Location>,
}

/// A remote action of the job whose network use the knowledge base does not know.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnknownAction {
    /// `owner/repo[/path]@ref` as written.
    pub reference: String,
    pub location: Option<Location>,
}

/// What one job reaches.
#[derive(Clone, Debug)]
pub struct JobEgress {
    pub job: NodeId,
    /// Display path of the workflow.
    pub workflow: String,
    pub workflow_name: Option<String>,
    pub job_id: String,
    /// The job id in the workflow.
    pub location: Option<Location>,
    /// Sorted by host, then port.
    pub destinations: Vec<Destination>,
    pub unresolved: Vec<Unresolved>,
    pub unknown_actions: Vec<UnknownAction>,
    /// The harden-runner steps of the job (direct or through local composite actions).
    pub harden_runner: Vec<HardenRunner>,
    /// Remote actions the job uses (`owner/repo[/path]`) with their `uses:` location,
    /// for controls named in the configuration.
    pub actions: Vec<(String, Location)>,
    /// A job of a GitLab CI pipeline (`workflow` is its root file): its list is applied
    /// on the runner's network, not with harden-runner.
    pub gitlab: bool,
}

impl JobEgress {
    /// Destinations outside GitHub's own service.
    pub fn external(&self) -> impl Iterator<Item = &Destination> {
        self.destinations.iter().filter(|d| !d.is_platform())
    }

    /// Whether the list is complete as far as the files show: no destination only run
    /// time knows and no action of unknown network use. When it is not, the words that
    /// say why (`2 destinations known only at run time, 1 action of unknown network
    /// use`).
    #[must_use]
    pub fn incomplete(&self) -> Option<String> {
        let plural = |n: usize, one: &str, many: &str| {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {many}")
            }
        };
        let mut why = Vec::new();
        if !self.unresolved.is_empty() {
            why.push(plural(
                self.unresolved.len(),
                "destination known only at run time",
                "destinations known only at run time",
            ));
        }
        if !self.unknown_actions.is_empty() {
            why.push(plural(
                self.unknown_actions.len(),
                "action of unknown network use",
                "actions of unknown network use",
            ));
        }
        (!why.is_empty()).then(|| why.join(", "))
    }

    /// The harden-runner step that enforces a list, if any (the first in block mode).
    #[must_use]
    pub fn blocking_harden_runner(&self) -> Option<&HardenRunner> {
        self.harden_runner
            .iter()
            .find(|h| h.policy == EgressPolicy::Block)
    }
}

/// What every job of a scan reaches, in graph order (workflow path, then job order).
#[derive(Clone, Debug, Default)]
pub struct Egress {
    pub jobs: Vec<JobEgress>,
}

impl Egress {
    /// The egress of the job at graph node `job` (jobs are in node order).
    #[must_use]
    pub fn job(&self, job: NodeId) -> Option<&JobEgress> {
        self.jobs
            .binary_search_by(|j| j.job.cmp(&job))
            .ok()
            .and_then(|i| self.jobs.get(i))
    }
}

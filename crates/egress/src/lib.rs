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

use std::sync::Arc;

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
///
/// The pass keeps thousands of these for the whole run (13,089 on the corpus's
/// workflows), so the common cases cost no copy: the step is stored only when it is
/// not the same place as `location` (see [`Provenance::step`]), and one label is shared
/// by the many reasons that carry it (a runner host's reason in every job, an action's
/// name on each of its hosts).
#[derive(Clone, Debug)]
pub struct Provenance {
    pub kind: ProvenanceKind,
    /// What causes it, for people: `actions/setup-node@v4`, `npm ci`, `left-pad@1.3.0`.
    pub label: Arc<str>,
    /// The most specific place that names it (the lockfile entry, the config line, the
    /// URL in the script, the `uses:` value).
    pub location: Option<Location>,
    /// Read through [`Provenance::step`].
    pub(crate) step: StepAt,
    /// GitHub's own Actions service (runner traffic, artifact and cache storage): needed,
    /// but let through by GitHub and by harden-runner without an entry.
    pub platform: bool,
    /// Contacted only in a case whose failure the cause survives (a best-effort call the
    /// action catches): worth allowing, not worth breaking a block-mode list over.
    pub optional: bool,
    /// Read through [`Provenance::conditional`] and [`Provenance::via`]: set on few
    /// reasons (862 and none of the 13,089 on the corpus's workflows), so boxed.
    pub(crate) rare: Option<Box<Rare>>,
}

/// The parts of a reason that few reasons have.
#[derive(Clone, Debug, Default)]
pub(crate) struct Rare {
    conditional: Option<String>,
    via: Vec<Location>,
}

/// Where a reason's step is: nearly always the very place its `location` is (97 % of
/// the reasons on the corpus), which then costs no second copy of the location.
#[derive(Clone, Debug)]
pub(crate) enum StepAt {
    /// The same place as `location` (nowhere when `location` is `None`).
    Location,
    /// Another place, or nowhere while `location` is somewhere.
    Other(Option<Box<Location>>),
}

impl StepAt {
    /// The step at `step` of a reason at `location`.
    pub(crate) fn of(step: &Location, location: &Location) -> Self {
        if step == location {
            Self::Location
        } else {
            Self::Other(Some(Box::new(step.clone())))
        }
    }
}

impl Provenance {
    /// A provenance whose cause is named in the job's own step (location and step alike),
    /// outside GitHub's own service.
    #[must_use]
    pub fn at(kind: ProvenanceKind, label: Arc<str>, at: &Location) -> Self {
        Self {
            kind,
            label,
            location: Some(at.clone()),
            step: StepAt::Location,
            platform: false,
            optional: false,
            rare: None,
        }
    }

    /// Contacted only when a condition the run decides holds, in words: a setup action
    /// downloads its toolchain only when the runner image lacks the version (`the
    /// runner's tool cache lacks go 1.23 (ubuntu-24.04 image … holds 1.23.5)`).
    #[must_use]
    pub fn conditional(&self) -> Option<&str> {
        self.rare.as_ref()?.conditional.as_deref()
    }

    /// The files between the job's step and `location` when the reason was found by
    /// following the build (a Dockerfile whose `RUN make` led into the Makefile): where
    /// each one runs the next, outermost first. Empty when `location` is in the step's
    /// file or in the file the step runs.
    #[must_use]
    pub fn via(&self) -> &[Location] {
        self.rare.as_ref().map_or(&[], |r| &r.via)
    }

    /// The same reason, contacted only when `conditional` holds (always when `None`).
    #[must_use]
    pub(crate) fn with_condition(mut self, conditional: Option<String>) -> Self {
        if conditional.is_some() || self.rare.is_some() {
            self.rare.get_or_insert_default().conditional = conditional;
        }
        self
    }

    /// Put `file` first on the way from the step to `location`.
    pub(crate) fn via_first(&mut self, file: Location) {
        self.rare.get_or_insert_default().via.insert(0, file);
    }

    /// The step or command of the job that brings it in, when `location` is elsewhere
    /// (a lockfile or config file) or the same place otherwise.
    #[must_use]
    pub fn step(&self) -> Option<&Location> {
        match &self.step {
            StepAt::Location => self.location.as_ref(),
            StepAt::Other(step) => step.as_deref(),
        }
    }

    /// Move the step to `step`; the step it had.
    pub(crate) fn set_step(&mut self, step: Option<Location>) -> Option<Location> {
        let old = self.step().cloned();
        self.step = if step == self.location {
            StepAt::Location
        } else {
            StepAt::Other(step.map(Box::new))
        };
        old
    }

    /// The fields in the order reasons sort by (the order they are declared in).
    #[allow(clippy::type_complexity)]
    fn key(
        &self,
    ) -> (
        ProvenanceKind,
        &str,
        Option<&Location>,
        Option<&Location>,
        bool,
        bool,
        Option<&str>,
        &[Location],
    ) {
        (
            self.kind,
            &self.label,
            self.location.as_ref(),
            self.step(),
            self.platform,
            self.optional,
            self.conditional(),
            self.via(),
        )
    }
}

impl PartialEq for Provenance {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Provenance {}

impl PartialOrd for Provenance {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Provenance {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
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
            let c = p.conditional()?;
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

#[cfg(test)]
mod tests {
    use tollgate_model::{SourceFile, Span};

    use super::*;

    fn places() -> (Location, Location) {
        let f = SourceFile::new("w.yml", "w.yml", "run: npm ci\nrun: make\n");
        (f.location(Span::new(5, 11)), f.location(Span::new(17, 21)))
    }

    #[test]
    fn a_step_is_stored_only_when_it_is_elsewhere() {
        let (cmd, other) = places();
        let mut p = Provenance::at(ProvenanceKind::Command, "npm ci".into(), &cmd);
        assert_eq!(p.step(), Some(&cmd));
        assert!(matches!(p.step, StepAt::Location));

        assert_eq!(p.set_step(Some(other.clone())), Some(cmd.clone()));
        assert_eq!(p.step(), Some(&other));
        assert_eq!(p.location.as_ref(), Some(&cmd));

        assert_eq!(p.set_step(None), Some(other.clone()));
        assert_eq!(p.step(), None);

        // Set back to the location's own place, it is not kept twice.
        assert_eq!(p.set_step(Some(cmd.clone())), None);
        assert!(matches!(p.step, StepAt::Location));
        assert!(matches!(StepAt::of(&cmd, &cmd), StepAt::Location));
        assert!(matches!(StepAt::of(&other, &cmd), StepAt::Other(Some(_))));
    }

    #[test]
    fn reasons_compare_by_their_step_not_by_how_it_is_stored() {
        let (cmd, other) = places();
        let p = Provenance::at(ProvenanceKind::Command, "npm ci".into(), &cmd);
        let mut same = p.clone();
        same.step = StepAt::Other(Some(Box::new(cmd.clone())));
        assert_eq!(p, same);
        assert_eq!(p.cmp(&same), std::cmp::Ordering::Equal);

        // Same location, the step earlier in the file sorts first, whether or not it is
        // the location's own place (which is stored as no step at all).
        let at_other = Provenance::at(ProvenanceKind::Command, "npm ci".into(), &other);
        let mut stepped_earlier = at_other.clone();
        stepped_earlier.set_step(Some(cmd));
        assert!(stepped_earlier < at_other);
        assert_ne!(stepped_earlier, at_other);
    }

    #[test]
    fn rare_parts_are_boxed_only_when_set() {
        let (cmd, other) = places();
        let p = Provenance::at(ProvenanceKind::Action, "a/b@v1".into(), &cmd);
        assert!(p.clone().with_condition(None).rare.is_none());
        let mut c = p
            .clone()
            .with_condition(Some("the cache lacks go".to_owned()));
        assert_eq!(c.conditional(), Some("the cache lacks go"));
        assert!(c.via().is_empty());
        c.via_first(other.clone());
        c.via_first(cmd.clone());
        assert_eq!(c.via(), [cmd, other]);
        assert_eq!(p.conditional(), None);
        assert_ne!(p, c);
        assert!(p < c);
    }

    #[test]
    fn a_reason_stays_small() {
        // 13,089 of them on the corpus's workflows: 208 bytes each before the step was
        // stored only when elsewhere, the label shared and the rare parts boxed.
        assert!(std::mem::size_of::<Provenance>() <= 112);
    }
}

//! Node and edge types of the dependency graph, and the pointers back into the inputs.

use tollgate_gha::RefKind;
use tollgate_gitlab::{IncludeKind, IncludePin};
pub use tollgate_kb::triggers::Trust;
use tollgate_lockfile::{Ecosystem, SourceKind};
use tollgate_model::{FileKind, Span};

/// A node of the graph. Ids are petgraph indices and stable for a given input set.
pub type NodeId = petgraph::graph::NodeIndex<u32>;

/// An input file: an index into `Scan::inputs`, which also holds the local actions and
/// workflows the scan stage loaded because they are referenced (as in a pre-commit run on
/// changed files only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InputId(pub usize);

/// Where a node or edge comes from: a span in one input. Lines and columns are worked
/// out when asked for ([`crate::Graph::location`]), from the line index the graph keeps
/// per input, so that the hundreds of thousands of edges of a large scan stay small.
///
/// Held in 32-bit fields, 12 bytes where an input id and a span of `usize` took 24 (and
/// an optional one 16 instead of 32, on every edge and node): a scan has far fewer than
/// 2³² inputs and reads no file above 128 MiB, so nothing is lost. Ordered by input,
/// then span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    input: u32,
    start: u32,
    end: u32,
}

impl Origin {
    /// The origin at `span` of `input`. Values beyond 32 bits, which the read limits
    /// rule out, saturate.
    #[must_use]
    pub fn new(input: InputId, span: Span) -> Self {
        let narrow = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Self {
            input: narrow(input.0),
            start: narrow(span.start()),
            end: narrow(span.end()),
        }
    }

    /// The input the origin is in.
    #[must_use]
    pub fn input(self) -> InputId {
        InputId(self.input as usize)
    }

    /// The byte span in the input's text.
    #[must_use]
    pub fn span(self) -> Span {
        Span::new(self.start as usize, self.end as usize)
    }
}

/// What a permission scope grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Access {
    Read,
    Write,
    /// No `permissions:` block at all: the repository's default token permissions, which
    /// on older repositories are write to everything.
    RepositoryDefault,
}

impl Access {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::RepositoryDefault => "repository-default",
        }
    }
}

/// A remote `owner/repo[/path]@ref` reference, with what `actions.lock` says about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteRef {
    /// The reference as written (`owner/repo[/path]@ref`): the dedup key.
    pub reference: String,
    pub owner: String,
    pub repo: String,
    pub path: Option<String>,
    pub git_ref: String,
    pub ref_kind: RefKind,
    /// The commit `actions.lock` locks this reference to (without `sha1-`).
    pub locked_commit: Option<String>,
}

impl RemoteRef {
    /// Pinned to an immutable commit, by the ref itself or by the lock.
    #[must_use]
    pub fn is_pinned(&self) -> bool {
        self.ref_kind == RefKind::Sha || self.locked_commit.is_some()
    }
}

/// What an action or reusable-workflow node points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Boxed: five strings, which would make every node of the graph as large.
    Remote(Box<RemoteRef>),
    /// `./path` or `$/path`, resolved against the repository root of the referring file.
    Local {
        /// The directory (actions) or file (workflows) relative to the scan root.
        path: String,
        /// The metadata file found for it (`…/action.yml`); `None` when it does not exist.
        file: Option<String>,
    },
}

/// The kind of a node with its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Workflow {
        path: String,
        name: Option<String>,
    },
    /// One event of `on:`, with who can fire it and whether such a run gets the base
    /// repository's token and secrets (`rules/data/trigger-trust.toml`).
    Trigger {
        event: String,
        trust: Trust,
        /// Fired by the least trusted party in `trust`, the run still gets a token that
        /// can write and the repository's secrets (`pull_request` from a fork does not).
        privileged: bool,
    },
    Job {
        /// Position in the workflow's `jobs:`.
        index: usize,
        id: String,
        name: Option<String>,
    },
    Step {
        /// The job's position in its workflow; `None` for a step of a composite action.
        job: Option<usize>,
        /// Position in the `steps:` list.
        index: usize,
        label: String,
    },
    /// An action: remote `owner/repo[/path]@ref`, or a local one resolved to its file.
    Action {
        target: Target,
        /// `runs.using` of a local action (`composite`, `docker`, `node20`).
        using: Option<String>,
    },
    /// A remote reusable workflow, or a local one that was not found (found local
    /// workflows are their [`NodeKind::Workflow`] node).
    ReusableWorkflow {
        target: Target,
    },
    Image {
        reference: String,
    },
    /// A command of a `run:` script that installs, downloads or pulls something.
    Command {
        tool: String,
        text: String,
    },
    Lockfile {
        path: String,
        kind: FileKind,
        packages: usize,
    },
    /// A registry configuration file (`.npmrc`, `.cargo/config.toml`, `pip.conf`, …)
    /// that configures at least one source.
    RegistryConfig {
        path: String,
        kind: FileKind,
    },
    /// A Dockerfile or Containerfile: `pulls` edges to the images its `FROM` and
    /// `COPY --from` lines name (stages, `scratch` and build-time variables are none).
    Dockerfile {
        path: String,
        stages: usize,
    },
    /// A Makefile or shell script a step runs (`make test`, `./build.sh`), read because
    /// a step names it: `reaches` edges to the hosts its recipes or commands need, and a
    /// `runs` edge from the step.
    Script {
        path: String,
        kind: FileKind,
    },
    /// A rule of a Makefile a step runs, whose recipe needs a host: `contains` from the
    /// Makefile's `script` node, `reaches` to the hosts (added by the egress pass), so
    /// the path step → Makefile → target → host names the recipe. `target` is the rule's
    /// targets as written (`build`, or `a b` for a rule with two).
    MakeTarget {
        path: String,
        target: String,
    },
    Package {
        ecosystem: Ecosystem,
        name: String,
        version: Option<String>,
    },
    /// A package source: a registry index, a git repository or an archive URL.
    Source {
        ecosystem: Option<Ecosystem>,
        kind: SourceKind,
        url: String,
        /// The ecosystem's default public registry.
        default: bool,
    },
    Host {
        name: String,
    },
    /// A secret; `name: None` stands for every secret (`secrets: inherit`).
    Secret {
        name: Option<String>,
    },
    /// A `GITHUB_TOKEN` permission scope (`contents`, `packages`, …; `all` for
    /// `read-all`/`write-all`, `default` when no block applies).
    Permission {
        scope: String,
        access: Access,
    },
    /// The job can request an OIDC token (`id-token: write`).
    Oidc,
    /// A GitLab CI `include:` of configuration from outside the repository: another
    /// project's file, a URL, one of GitLab's templates or a CI/CD component, with the
    /// pin state of what it names. GitLab reads it when it creates the pipeline.
    Include {
        /// `project`, `remote`, `template` or `component`.
        source: IncludeKind,
        /// The project path, URL, template name or component address (with its
        /// `@version`).
        target: String,
        /// `file:` of a project include (one node per file).
        file: Option<String>,
        /// `ref:` of a project include.
        reference: Option<String>,
        pin: IncludePin,
    },
    Runner {
        labels: String,
        self_hosted: bool,
    },
    /// Code from outside the repository's trust that a privileged run checks out or
    /// fetches (`what`: `pull request head`); one node per kind of code, the target of
    /// `checks-out` edges.
    Code {
        what: String,
    },
    /// A value an outsider controls, as an expression names it: an untrusted context
    /// (`github.event.issue.title`), a free-text `workflow_dispatch` input
    /// (`inputs.note`), or the outputs of an action known to pass on text a pull request
    /// chooses (`outputs of tj-actions/changed-files`). One node per name, the source of
    /// `flows` edges (added by the flow pass).
    Value {
        name: String,
    },
}

/// The kind of a node without its data: what filters and renderers switch on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Workflow,
    Trigger,
    Job,
    Step,
    Action,
    ReusableWorkflow,
    Image,
    Command,
    Lockfile,
    RegistryConfig,
    Dockerfile,
    Script,
    MakeTarget,
    Package,
    Source,
    Host,
    Secret,
    Permission,
    Oidc,
    Include,
    Runner,
    Code,
    Value,
}

impl Kind {
    pub const ALL: [Self; 23] = [
        Self::Workflow,
        Self::Trigger,
        Self::Job,
        Self::Step,
        Self::Action,
        Self::ReusableWorkflow,
        Self::Image,
        Self::Command,
        Self::Lockfile,
        Self::RegistryConfig,
        Self::Dockerfile,
        Self::Script,
        Self::MakeTarget,
        Self::Package,
        Self::Source,
        Self::Host,
        Self::Secret,
        Self::Permission,
        Self::Oidc,
        Self::Include,
        Self::Runner,
        Self::Code,
        Self::Value,
    ];

    /// Stable kebab-case name used on the command line and in JSON.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Workflow => "workflow",
            Self::Trigger => "trigger",
            Self::Job => "job",
            Self::Step => "step",
            Self::Action => "action",
            Self::ReusableWorkflow => "reusable-workflow",
            Self::Image => "image",
            Self::Command => "command",
            Self::Lockfile => "lockfile",
            Self::RegistryConfig => "registry-config",
            Self::Dockerfile => "dockerfile",
            Self::Script => "script",
            Self::MakeTarget => "make-target",
            Self::Package => "package",
            Self::Source => "source",
            Self::Host => "host",
            Self::Secret => "secret",
            Self::Permission => "permission",
            Self::Oidc => "oidc",
            Self::Include => "include",
            Self::Runner => "runner",
            Self::Code => "code",
            Self::Value => "value",
        }
    }

    /// Parse a kind name; plurals and a few synonyms are accepted (`actions`,
    /// `registry`, `images`).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        let s = match s.as_str() {
            "registry" | "registries" => "source",
            "reusable" | "reusable-workflows" => "reusable-workflow",
            "permissions" | "scope" | "scopes" => "permission",
            "container" | "containers" => "image",
            "config" | "registry-configs" => "registry-config",
            other => other,
        };
        let singular = s.strip_suffix('s').unwrap_or(s);
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.as_str() == singular)
    }
}

impl NodeKind {
    #[must_use]
    pub const fn kind(&self) -> Kind {
        match self {
            Self::Workflow { .. } => Kind::Workflow,
            Self::Trigger { .. } => Kind::Trigger,
            Self::Job { .. } => Kind::Job,
            Self::Step { .. } => Kind::Step,
            Self::Action { .. } => Kind::Action,
            Self::ReusableWorkflow { .. } => Kind::ReusableWorkflow,
            Self::Image { .. } => Kind::Image,
            Self::Command { .. } => Kind::Command,
            Self::Lockfile { .. } => Kind::Lockfile,
            Self::RegistryConfig { .. } => Kind::RegistryConfig,
            Self::Dockerfile { .. } => Kind::Dockerfile,
            Self::Script { .. } => Kind::Script,
            Self::MakeTarget { .. } => Kind::MakeTarget,
            Self::Package { .. } => Kind::Package,
            Self::Source { .. } => Kind::Source,
            Self::Host { .. } => Kind::Host,
            Self::Secret { .. } => Kind::Secret,
            Self::Permission { .. } => Kind::Permission,
            Self::Oidc => Kind::Oidc,
            Self::Include { .. } => Kind::Include,
            Self::Runner { .. } => Kind::Runner,
            Self::Code { .. } => Kind::Code,
            Self::Value { .. } => Kind::Value,
        }
    }

    /// A short human label for diagrams.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            Self::Workflow { path, name } => match name {
                Some(n) => format!("{n} ({})", file_name(path)),
                None => path.clone(),
            },
            Self::Trigger { event, .. } => format!("on: {event}"),
            Self::Job { id, name, .. } => match name {
                Some(n) if n != id => format!("{id} ({n})"),
                _ => id.clone(),
            },
            Self::Step { label, .. } => label.clone(),
            Self::Action { target, .. } | Self::ReusableWorkflow { target } => match target {
                Target::Remote(r) => match &r.locked_commit {
                    Some(c) => format!("{} (locked {})", r.reference, short(c)),
                    None => r.reference.clone(),
                },
                Target::Local { path, file } => match file {
                    Some(_) => format!("./{path}"),
                    None => format!("./{path} (not found)"),
                },
            },
            Self::Image { reference } => reference.clone(),
            Self::Command { text, .. } => text.clone(),
            Self::Lockfile { path, packages, .. } => format!("{path} ({packages} packages)"),
            Self::RegistryConfig { path, .. } => path.clone(),
            Self::Dockerfile { path, .. } | Self::Script { path, .. } => path.clone(),
            Self::MakeTarget { target, .. } => format!("make {target}"),
            Self::Package {
                ecosystem,
                name,
                version,
            } => match version {
                // pip writes constraints with their operator (`black==24.1.0`).
                Some(v) if v.starts_with(['=', '<', '>', '!', '~']) => {
                    format!("{}:{name}{v}", ecosystem.as_str())
                }
                Some(v) => format!("{}:{name}@{v}", ecosystem.as_str()),
                None => format!("{}:{name}", ecosystem.as_str()),
            },
            Self::Source { kind, url, .. } => format!("{} {url}", kind.as_str()),
            Self::Host { name } => name.clone(),
            Self::Secret { name } => match name {
                Some(n) => format!("secrets.{n}"),
                None => "all secrets (inherit)".to_owned(),
            },
            Self::Permission { scope, access } => match access {
                Access::RepositoryDefault => "default token permissions".to_owned(),
                _ => format!("{scope}: {}", access.as_str()),
            },
            Self::Oidc => "OIDC token (id-token: write)".to_owned(),
            Self::Include {
                source,
                target,
                file,
                reference,
                ..
            } => include_label(*source, target, file.as_deref(), reference.as_deref()),
            Self::Runner { labels, .. } => format!("runs-on: {labels}"),
            Self::Code { what } => format!("untrusted code: {what}"),
            Self::Value { name } => format!("untrusted value: {name}"),
        }
    }
}

impl NodeKind {
    /// How the node reads as one hop of a finding's dependency path: its kind and its
    /// name in backticks, the name cut at 200 characters.
    #[must_use]
    pub fn hop_label(&self) -> String {
        let q = |s: &str| format!("`{}`", tollgate_model::text::cut(s, 200));
        // The common hops in one allocation (a finding's path has several; the corpus's
        // findings label about 50,000).
        let hop = |kind: &str, name: &str| {
            let name = tollgate_model::text::cut(name, 200);
            let mut out = String::with_capacity(kind.len() + name.len() + 3);
            out.push_str(kind);
            out.push_str(" `");
            out.push_str(&name);
            out.push('`');
            out
        };
        match self {
            Self::Workflow { path, .. } => hop("workflow", path),
            Self::Trigger { event, .. } => hop("on:", event),
            Self::Job { id, .. } => hop("job", id),
            Self::Step { label, .. } => hop("step", label),
            Self::Action { target, .. } => match target {
                Target::Remote(r) => hop("uses", &r.reference),
                Target::Local { path, .. } => {
                    format!("uses local action {}", q(&format!("./{path}")))
                }
            },
            Self::ReusableWorkflow { target } => match target {
                Target::Remote(r) => format!("calls {}", q(&r.reference)),
                Target::Local { path, .. } => format!("calls {}", q(&format!("./{path}"))),
            },
            Self::Image { reference } => hop("pulls image", reference),
            Self::Command { text, .. } => hop("runs", text),
            Self::Lockfile { path, .. } => format!("lockfile {}", q(path)),
            Self::RegistryConfig { path, .. } => format!("registry configuration {}", q(path)),
            Self::Dockerfile { path, .. } => format!("Dockerfile {}", q(path)),
            Self::Script { path, kind } => match kind {
                FileKind::Makefile => format!("Makefile {}", q(path)),
                _ => format!("script {}", q(path)),
            },
            Self::MakeTarget { path, target } => {
                format!("target {} of {}", q(target), q(path))
            }
            Self::Host { name } => format!("host {}", q(name)),
            Self::Include { .. } => format!("includes {}", q(&self.label())),
            Self::Value { name } => format!("attacker-controllable {}", q(name)),
            other => other.label(),
        }
    }
}

/// `project: group/ci:/build.yml@v1`, `remote: https://…`, `template: Jobs/SAST.gitlab-ci.yml`,
/// `component: gitlab.com/org/c/name@1.0`.
fn include_label(
    source: IncludeKind,
    target: &str,
    file: Option<&str>,
    reference: Option<&str>,
) -> String {
    let mut s = format!("{}: {target}", source.as_str());
    if let Some(f) = file {
        s.push(':');
        if !f.starts_with('/') {
            s.push('/');
        }
        s.push_str(f);
    }
    if let Some(r) = reference {
        s.push('@');
        s.push_str(r);
    }
    s
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// How an image reference is pinned: what a pull of it gets over time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ImagePin {
    /// A full `@sha256:` digest: always the same bytes.
    Digest,
    /// A tag other than `latest` (and no full digest): the publisher can move it.
    Tag,
    /// No tag, or `latest` (and no full digest): moves with every push.
    Floating,
    /// Written with an expression (`${{ matrix.image }}`) or a shell variable (`$IMAGE`):
    /// chosen at run time, not judged here.
    RunTime,
}

impl ImagePin {
    /// The pin state of an image reference as written (a `docker://` prefix is allowed).
    #[must_use]
    pub fn of(reference: &str) -> Self {
        if reference.contains('$') {
            return Self::RunTime;
        }
        let r = tollgate_model::addr::ImageRef::parse(reference);
        if r.is_pinned() {
            Self::Digest
        } else if r.is_floating() {
            Self::Floating
        } else {
            Self::Tag
        }
    }

    /// Stable kebab-case name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Digest => "digest",
            Self::Tag => "tag",
            Self::Floating => "floating",
            Self::RunTime => "run-time",
        }
    }
}

/// The kind of an edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    /// Workflow → job, job → step, local action → step, lockfile → package.
    Contains,
    /// Trigger → workflow.
    Triggers,
    /// Job → the job it needs.
    Needs,
    /// Step → action, job → reusable workflow, action → action (through `actions.lock`).
    Uses,
    /// Job → runner.
    RunsOn,
    /// Step → command.
    Runs,
    /// Command → lockfile or package it installs.
    Installs,
    /// Package → source; command → registry config; registry config → source.
    ResolvesFrom,
    /// Job, step, action, command or Dockerfile → image.
    Pulls,
    /// Job → a host it must reach (added by the egress pass, located where the host is
    /// named); also a Makefile, script or Dockerfile a step runs → a host its commands
    /// reach.
    Reaches,
    /// Job → permission scope, secret or OIDC.
    Holds,
    /// Step of a privileged run → the untrusted code it checks out or fetches (added by
    /// the trust pass, located at the `ref:`/`repository:` value or the command).
    ChecksOut,
    /// Command (`docker build -t TAG`, `docker buildx build`, `podman build`) → the image
    /// it names, one per tag, located at the tag. A built image is made, not pulled: the
    /// edge is not a dependency ([`crate::Graph::reachable`] and dependency paths do not
    /// follow it), and its target is a node of its own, apart from the image a pull of
    /// the same reference reaches.
    Builds,
    /// Step → the permission scope (or OIDC) it needs, located at the evidence; job →
    /// what the reusable workflow it calls needs (added by the needs pass).
    Requires,
    /// Step → a secret its own `env:`, `with:` or `run:` text hands it; job → a secret
    /// the `env:` of the job or workflow hands every step of it, or that it hands to the
    /// workflow it calls (`secrets:`, `with:`). Located at the first expression that
    /// hands it over; every one of them, with how, is in the [`crate::SecretReads`]
    /// record.
    Reads,
    /// Attacker-controllable value → the step (workflow or composite-action step) that
    /// expands it into a `run:` script or an `actions/github-script` script, located at
    /// the `${{ … }}` expansion (added by the flow pass). What carries the value there
    /// (`env:` entries, step outputs, composite-action and reusable-workflow inputs) is
    /// in the pass's record, `tollgate_facts::flow::Flows`. Data flow, not a dependency:
    /// it leaves the value for the step, so no walk from a workflow or job (reachability,
    /// a finding's path) ever arrives at a value node.
    Flows,
}

impl EdgeKind {
    pub const ALL: [Self; 16] = [
        Self::Contains,
        Self::Triggers,
        Self::Needs,
        Self::Uses,
        Self::RunsOn,
        Self::Runs,
        Self::Installs,
        Self::ResolvesFrom,
        Self::Pulls,
        Self::Reaches,
        Self::Holds,
        Self::ChecksOut,
        Self::Builds,
        Self::Requires,
        Self::Reads,
        Self::Flows,
    ];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Contains => "contains",
            Self::Triggers => "triggers",
            Self::Needs => "needs",
            Self::Uses => "uses",
            Self::RunsOn => "runs-on",
            Self::Runs => "runs",
            Self::Installs => "installs",
            Self::ResolvesFrom => "resolves-from",
            Self::Pulls => "pulls",
            Self::Reaches => "reaches",
            Self::Holds => "holds",
            Self::ChecksOut => "checks-out",
            Self::Builds => "builds",
            Self::Requires => "requires",
            Self::Reads => "reads",
            Self::Flows => "flows",
        }
    }
}

/// A node: its kind and data, where it is written, and its structural parent (the
/// workflow of a job, the job or composite action of a step), which renderers use for
/// clusters.
#[derive(Clone, Debug)]
pub struct Node {
    pub kind: NodeKind,
    pub origin: Option<Origin>,
    pub parent: Option<NodeId>,
}

/// An edge: its kind and the span that creates it (the `uses:` value, the permission
/// entry, the secret expression, the install command).
#[derive(Clone, Copy, Debug)]
pub struct Edge {
    pub kind: EdgeKind,
    pub origin: Option<Origin>,
}

#[cfg(test)]
mod tests {
    use super::{InputId, Kind, Origin, Span};

    #[test]
    fn kind_names_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        let cases = [
            ("actions", Some(Kind::Action)),
            ("images", Some(Kind::Image)),
            ("hosts", Some(Kind::Host)),
            ("registry", Some(Kind::Source)),
            ("Secrets", Some(Kind::Secret)),
            ("reusable-workflows", Some(Kind::ReusableWorkflow)),
            ("packages", Some(Kind::Package)),
            ("dockerfiles", Some(Kind::Dockerfile)),
            ("scripts", Some(Kind::Script)),
            ("make-targets", Some(Kind::MakeTarget)),
            ("includes", Some(Kind::Include)),
            ("nothing", None),
        ];
        for (s, want) in cases {
            assert_eq!(Kind::parse(s), want, "{s}");
        }
    }

    #[test]
    fn an_origin_keeps_its_input_and_span_and_orders_by_them() {
        let at = |i, a, b| Origin::new(InputId(i), Span::new(a, b));
        let o = at(7, 120, 135);
        assert_eq!(o.input(), InputId(7));
        assert_eq!(o.span(), Span::new(120, 135));
        // Input first, then start, then end: as the (input, span) pair it replaced.
        let mut v = vec![at(2, 0, 5), at(1, 9, 10), at(1, 3, 8), at(1, 3, 4)];
        v.sort();
        assert_eq!(v, vec![at(1, 3, 4), at(1, 3, 8), at(1, 9, 10), at(2, 0, 5)]);
        // Beyond 32 bits (ruled out by the read limits) values saturate, never wrap.
        let big = at(1, usize::MAX, usize::MAX);
        assert_eq!(big.span().start(), u32::MAX as usize);
    }
}

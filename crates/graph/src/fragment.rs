//! Per-file graph fragments: each input becomes a list of nodes and edges built on its
//! own (in parallel), with shared nodes named by a key so the merge can deduplicate them.

use foldhash::HashMap;
use tollgate_gha::{
    Action, ActionsLock, Env, Job, JobSecrets, KeyValue, PermissionLevel, Permissions,
    PermissionsBlock, Runs, Step, Uses, UsesRef, Workflow,
};
use tollgate_lockfile::{Ecosystem, SourceKind};
use tollgate_model::{FileKind, Span};
use tollgate_scan::{FileModel, Input};

use crate::model::{Access, EdgeKind, InputId, NodeKind, Origin, RemoteRef, Target};
use crate::resolve::{Resolution, Resolver};
use crate::secrets::{self, Via};
use crate::util::secret_refs;

/// The identity of a node shared between files (or the node of a file itself).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Key {
    /// The node of an input file: a workflow, a local action, a lockfile or a config.
    File(InputId),
    /// A remote action or reusable workflow, by `owner/repo[/path]@ref`.
    Remote(String),
    /// A local reference that was not found: root, path, and whether a workflow.
    Missing(usize, String, bool),
    Image(String),
    Source(Option<Ecosystem>, SourceKind, String),
    Package(Ecosystem, String, Option<String>, String),
    Secret(Option<String>),
    Permission(String, Access),
    Oidc,
    Runner(String),
    /// A GitLab CI include of outside content, by its label (kind, target, file, ref).
    Include(String),
    /// An image a command builds (`docker build -t TAG`), by tag: a node apart from the
    /// pulled image of the same reference, so that the nodes of pulled images (and the
    /// ids of every other node) are what they were without builds, and a built image is
    /// never listed as something pulled.
    BuiltImage(String),
}

/// A key with its hash, worked out once where the fragment is built (in parallel) and
/// reused by the fragment's own table and by the serial merge: a lockfile's package keys
/// are three strings each, and hashing them again in the merge was most of its time.
#[derive(Clone, Debug)]
pub(crate) struct Hashed {
    pub hash: u64,
    pub key: Key,
}

impl Hashed {
    pub fn new(key: Key) -> Self {
        use std::hash::BuildHasher;
        // A fixed seed: the fragments and the merge must agree on every hash.
        let hash = foldhash::fast::FixedState::with_seed(0x746f_6c6c_6761_7465).hash_one(&key);
        Self { hash, key }
    }
}

impl PartialEq for Hashed {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.key == other.key
    }
}

impl Eq for Hashed {}

impl std::hash::Hash for Hashed {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// A node reference inside a fragment.
#[derive(Clone, Debug)]
pub(crate) enum FRef {
    Local(usize),
    Key(Key),
}

pub(crate) struct FNode {
    pub key: Option<Hashed>,
    pub kind: NodeKind,
    pub origin: Option<Origin>,
    pub parent: Option<FRef>,
}

pub(crate) struct FEdge {
    pub from: FRef,
    pub to: FRef,
    pub kind: EdgeKind,
    pub origin: Option<Origin>,
}

/// One file's part of the graph.
#[derive(Default)]
pub(crate) struct Fragment {
    pub nodes: Vec<FNode>,
    pub edges: Vec<FEdge>,
    /// Lock entries with a commit: reference → commit.
    pub locked: Vec<(String, String)>,
    /// Local step nodes whose script runs a non-docker command naming docker.
    pub image_scripts: Vec<usize>,
    /// The detail of the `reads` edges.
    pub reads: Vec<crate::secrets::FRead>,
    /// What scripts send further, per step (by index in `nodes`).
    pub leaks: Vec<(usize, crate::secrets::Leak)>,
    /// Every place that names a package source, with how (the detail of the
    /// `resolves-from` edges into sources).
    pub namings: Vec<crate::sources::FNaming>,
}

pub(crate) struct FragmentBuilder<'a> {
    pub id: InputId,
    pub input: &'a Input,
    pub resolver: &'a Resolver,
    pub frag: Fragment,
    /// The shared nodes this fragment already holds, so that a key repeated inside one
    /// file (the registry of every package of a lockfile) becomes one fragment node.
    shared: SharedTable,
}

/// The fragment's shared nodes by their key's hash; the keys themselves stay in the
/// nodes, not copied.
#[derive(Default)]
struct SharedTable {
    first: HashMap<u64, usize>,
    /// Nodes whose key's hash another key of this fragment has (64-bit hashes almost
    /// never collide, but a collision must not merge two nodes).
    collided: Vec<usize>,
}

impl SharedTable {
    /// The node holding `key` (`holds(i)` says whether node `i` does), or else whether
    /// another key has the same hash (the new node is then a collision).
    fn find(&self, hash: u64, holds: impl Fn(usize) -> bool) -> Result<usize, bool> {
        let Some(&first) = self.first.get(&hash) else {
            return Err(false);
        };
        if holds(first) {
            return Ok(first);
        }
        self.collided
            .iter()
            .copied()
            .find(|&i| holds(i))
            .ok_or(true)
    }

    /// Record node `i` for a key `find` did not find (`collided` is what it returned).
    fn insert(&mut self, hash: u64, i: usize, collided: bool) {
        if collided {
            self.collided.push(i);
        } else {
            self.first.insert(hash, i);
        }
    }
}

impl<'a> FragmentBuilder<'a> {
    pub fn new(id: InputId, input: &'a Input, resolver: &'a Resolver) -> Self {
        Self {
            id,
            input,
            resolver,
            frag: Fragment::default(),
            shared: SharedTable::default(),
        }
    }

    /// Resolve a local reference made in this input.
    pub fn resolve(&self, path: &str, workflow: bool) -> Resolution {
        self.resolver.resolve(self.input, path, workflow)
    }

    /// The input at a display path of this input's root.
    pub fn file(&self, path: &str) -> Option<InputId> {
        self.resolver.file(self.input.root, path)
    }

    /// The lockfiles and registry configuration files in directory `dir` of this input's
    /// root.
    pub fn in_dir(&self, dir: &str) -> &'a [InputId] {
        self.resolver.in_dir(self.input.root, dir)
    }

    pub fn origin(&self, span: Span) -> Origin {
        Origin::new(self.id, span)
    }

    pub fn local(&mut self, kind: NodeKind, span: Span, parent: Option<&FRef>) -> FRef {
        let origin = Some(self.origin(span));
        self.frag.nodes.push(FNode {
            key: None,
            kind,
            origin,
            parent: parent.cloned(),
        });
        FRef::Local(self.frag.nodes.len() - 1)
    }

    /// A shared node; the first definition in input order wins at the merge.
    pub fn shared(&mut self, key: Key, kind: NodeKind, span: Option<Span>) -> FRef {
        self.shared_with(key, || kind, span).0
    }

    /// A shared node whose data is built only when this fragment does not hold the key
    /// yet; the flag says whether it was new (so its own edges need adding).
    pub fn shared_with(
        &mut self,
        key: Key,
        kind: impl FnOnce() -> NodeKind,
        span: Option<Span>,
    ) -> (FRef, bool) {
        let key = Hashed::new(key);
        let nodes = &self.frag.nodes;
        let collided = match self
            .shared
            .find(key.hash, |i| nodes[i].key.as_ref() == Some(&key))
        {
            Ok(i) => return (FRef::Local(i), false),
            Err(collided) => collided,
        };
        let origin = span.map(|s| self.origin(s));
        let i = self.frag.nodes.len();
        self.shared.insert(key.hash, i, collided);
        self.frag.nodes.push(FNode {
            key: Some(key),
            kind: kind(),
            origin,
            parent: None,
        });
        (FRef::Local(i), true)
    }

    pub fn edge(&mut self, from: &FRef, to: &FRef, kind: EdgeKind, span: Option<Span>) {
        let origin = span.map(|s| self.origin(s));
        self.frag.edges.push(FEdge {
            from: from.clone(),
            to: to.clone(),
            kind,
            origin,
        });
    }

    /// An image node.
    pub fn image(&mut self, reference: &str, span: Span) -> FRef {
        let reference = reference.trim().to_owned();
        let kind = || NodeKind::Image {
            reference: reference.clone(),
        };
        self.shared_with(Key::Image(reference.clone()), kind, Some(span))
            .0
    }

    /// The node of an image a command builds, named by its tag.
    pub fn built_image(&mut self, tag: &str, span: Span) -> FRef {
        let reference = tag.trim().to_owned();
        let kind = || NodeKind::Image {
            reference: reference.clone(),
        };
        self.shared_with(Key::BuiltImage(reference.clone()), kind, Some(span))
            .0
    }

    fn remote(&mut self, r: &UsesRef, span: Span) -> FRef {
        let reference = format!("{}@{}", r.action(), r.git_ref);
        let remote = Box::new(RemoteRef {
            reference: reference.clone(),
            owner: r.owner.clone(),
            repo: r.repo.clone(),
            path: r.path.clone(),
            git_ref: r.git_ref.clone(),
            ref_kind: r.ref_kind,
            locked_commit: None,
        });
        let kind = if r.is_reusable_workflow() {
            NodeKind::ReusableWorkflow {
                target: Target::Remote(remote),
            }
        } else {
            NodeKind::Action {
                target: Target::Remote(remote),
                using: None,
            }
        };
        self.shared(Key::Remote(reference), kind, Some(span))
    }

    /// The node a `uses:` value points at (an image for `docker://`), with the edge kind.
    fn uses_target(&mut self, uses: &Uses, span: Span, workflow: bool) -> Option<(FRef, EdgeKind)> {
        match uses {
            Uses::Remote(r) => Some((self.remote(r, span), EdgeKind::Uses)),
            Uses::Local { path } | Uses::SelfRepo { path } => {
                let p = match self.resolve(path, workflow) {
                    Resolution::Found(id) => {
                        return Some((FRef::Key(Key::File(id)), EdgeKind::Uses));
                    }
                    Resolution::Missing(p) => p,
                    Resolution::Outside => path.clone(),
                };
                let target = Target::Local {
                    path: p.clone(),
                    file: None,
                };
                let kind = if workflow {
                    NodeKind::ReusableWorkflow { target }
                } else {
                    NodeKind::Action {
                        target,
                        using: None,
                    }
                };
                let key = Key::Missing(self.input.root, p, workflow);
                Some((self.shared(key, kind, Some(span)), EdgeKind::Uses))
            }
            Uses::Docker { image } => Some((self.image(image, span), EdgeKind::Pulls)),
            Uses::Invalid { .. } => None,
        }
    }

    /// Steps of a job or composite action, with their `uses:` edges and the secrets
    /// their own `env:`, `with:` and script hand them.
    fn steps(
        &mut self,
        parent: &FRef,
        job: Option<usize>,
        steps: &[Step],
        default_wd: Option<&str>,
    ) -> Vec<FRef> {
        let mut out = Vec::with_capacity(steps.len());
        for (i, step) in steps.iter().enumerate() {
            let node = self.local(
                NodeKind::Step {
                    job,
                    index: step.index,
                    label: step.label(),
                },
                step.span,
                Some(parent),
            );
            self.edge(parent, &node, EdgeKind::Contains, Some(step.span));
            if let Some(u) = &step.uses
                && let Some((target, kind)) = self.uses_target(&u.value, u.span, false)
            {
                self.edge(&node, &target, kind, Some(u.span));
            }
            self.input_image(&node, step);
            self.snapshot_image(&node, step);
            let wd = step
                .working_directory()
                .map(|w| w.value.as_str())
                .or(default_wd);
            self.run_facts(&node, job, step, wd);
            self.env_sources(&node, &step.env);
            self.step_reads(&node, step);
            // Uploads by later steps are followed in a job; a composite action's files
            // are not.
            let later = job.map(|_| steps.get(i + 1..).unwrap_or(&[]));
            self.leaks(&node, job, step, later);
            out.push(node);
        }
        out
    }
}

impl FragmentBuilder<'_> {
    /// The image an action runs from one of its inputs (`rules/data/image-inputs.toml`:
    /// `addnab/docker-run-action` `image`, `PyO3/maturin-action` `container`): a `pulls`
    /// edge from the step, at the value. A value with an expression, or one that means no
    /// image (`container: off`), is none.
    fn input_image(&mut self, node: &FRef, step: &Step) {
        let Some(Uses::Remote(r)) = step.uses.as_ref().map(|u| &u.value) else {
            return;
        };
        let Some(entry) = tollgate_kb::image_inputs().of(&r.action()) else {
            return;
        };
        let Some(kv) = step.with_value(&entry.input) else {
            return;
        };
        let image = kv.value.value.trim();
        if !kv.scalar
            || image.is_empty()
            || image.contains("${{")
            || entry.none.iter().any(|n| n.eq_ignore_ascii_case(image))
        {
            return;
        }
        let i = self.image(image, kv.value.span);
        self.edge(node, &i, EdgeKind::Pulls, Some(kv.value.span));
    }
}

impl FragmentBuilder<'_> {
    /// The `docker://` image a remote docker action of the action snapshot
    /// (`rules/data/action-snapshot.toml`) runs: a `pulls` edge from the step, at the
    /// `uses:`. The snapshot read the action at one commit; what another version runs may
    /// differ (the rules that judge the edge say so).
    fn snapshot_image(&mut self, node: &FRef, step: &Step) {
        let Some(u) = &step.uses else { return };
        let Uses::Remote(r) = &u.value else { return };
        let Some(image) = tollgate_kb::action_snapshot()
            .of(&r.action())
            .and_then(|a| a.image.as_deref())
            .and_then(|i| i.strip_prefix("docker://"))
        else {
            return;
        };
        let i = self.image(image, u.span);
        self.edge(node, &i, EdgeKind::Pulls, Some(u.span));
    }
}

/// Secret references in a `key: value` pair, as file spans.
fn kv_secrets(kv: &KeyValue, out: &mut Vec<(Option<String>, Span)>) {
    for r in secret_refs(&kv.value.value) {
        let span = kv.file_span(Span::new(r.start, r.end));
        out.push((r.name, span));
    }
}

fn env_secrets(env: &Env, out: &mut Vec<(Option<String>, Span)>) {
    for v in &env.vars {
        kv_secrets(v, out);
    }
    if let Some(e) = &env.expression {
        for r in secret_refs(&e.value) {
            out.push((r.name, e.span));
        }
    }
}

fn step_secrets(step: &Step, out: &mut Vec<(Option<String>, Span)>) {
    for kv in &step.with {
        kv_secrets(kv, out);
    }
    env_secrets(&step.env, out);
    if let Some(run) = &step.run {
        for r in secret_refs(&run.script) {
            out.push((r.name, run.file_span(Span::new(r.start, r.end))));
        }
    }
}

fn job_secrets(wf: &Workflow, job: &Job) -> Vec<(Option<String>, Span)> {
    let mut out = Vec::new();
    env_secrets(&wf.env, &mut out);
    env_secrets(&job.env, &mut out);
    for c in job.container.as_deref().into_iter().chain(&job.services) {
        env_secrets(&c.env, &mut out);
        for kv in c.credentials.iter().flatten() {
            kv_secrets(kv, &mut out);
        }
    }
    for kv in job.with.iter().chain(&job.outputs) {
        kv_secrets(kv, &mut out);
    }
    if let Some(s) = &job.secrets {
        match &s.value {
            JobSecrets::Inherit(span) => out.push((None, *span)),
            JobSecrets::Map(kvs) => {
                for kv in kvs {
                    kv_secrets(kv, &mut out);
                }
            }
        }
    }
    for step in &job.steps {
        step_secrets(step, &mut out);
    }
    out
}

fn permissions(
    cx: &mut FragmentBuilder<'_>,
    job: &FRef,
    block: Option<&PermissionsBlock>,
    job_span: Span,
) {
    let hold = |cx: &mut FragmentBuilder<'_>, scope: &str, access: Access, span: Span| {
        let key = Key::Permission(scope.to_owned(), access);
        let kind = NodeKind::Permission {
            scope: scope.to_owned(),
            access,
        };
        let node = cx.shared(key, kind, Some(span));
        cx.edge(job, &node, EdgeKind::Holds, Some(span));
    };
    let oidc = |cx: &mut FragmentBuilder<'_>, span: Span| {
        let node = cx.shared(Key::Oidc, NodeKind::Oidc, Some(span));
        cx.edge(job, &node, EdgeKind::Holds, Some(span));
    };
    let Some(block) = block else {
        hold(cx, "default", Access::RepositoryDefault, job_span);
        return;
    };
    match &block.permissions {
        Permissions::ReadAll => hold(cx, "all", Access::Read, block.value_span),
        Permissions::WriteAll => {
            hold(cx, "all", Access::Write, block.value_span);
            oidc(cx, block.value_span);
        }
        Permissions::Empty => {}
        Permissions::Scopes(scopes) => {
            for p in scopes {
                let span = p.scope.span.cover(p.level.span);
                match (p.scope.value.as_str(), p.level.value) {
                    (_, PermissionLevel::None) => {}
                    ("id-token", PermissionLevel::Write) => oidc(cx, span),
                    (scope, PermissionLevel::Read) => hold(cx, scope, Access::Read, span),
                    (scope, PermissionLevel::Write) => hold(cx, scope, Access::Write, span),
                }
            }
        }
    }
}

fn runner_label(job: &Job) -> Option<(String, bool, Span)> {
    let r = job.runs_on.as_ref()?;
    let mut labels: Vec<String> = r.labels.iter().map(|l| l.value.clone()).collect();
    if let Some(g) = &r.group {
        labels.insert(0, format!("group {}", g.value));
    }
    if labels.is_empty() {
        return None;
    }
    Some((labels.join(", "), r.is_self_hosted(), r.span))
}

fn workflow(cx: &mut FragmentBuilder<'_>, wf: &Workflow) {
    let path = cx.input.source.display.clone();
    let wnode = cx.shared(
        Key::File(cx.id),
        NodeKind::Workflow {
            path,
            name: wf.name.as_ref().map(|n| n.value.clone()),
        },
        Some(wf.name.as_ref().map_or(Span::empty(0), |n| n.span)),
    );
    cx.env_sources(&wnode, &wf.env);
    if let Some(on) = &wf.on {
        for t in &on.events {
            let (trust, privileged) = tollgate_kb::triggers().of(&t.event.value);
            let tn = cx.local(
                NodeKind::Trigger {
                    event: t.event.value.clone(),
                    trust,
                    privileged,
                },
                t.event.span,
                Some(&wnode),
            );
            cx.edge(&tn, &wnode, EdgeKind::Triggers, Some(t.event.span));
        }
    }
    let mut jobs: Vec<(String, FRef)> = Vec::with_capacity(wf.jobs.len());
    for (index, job) in wf.jobs.iter().enumerate() {
        let jn = cx.local(
            NodeKind::Job {
                index,
                id: job.id.value.clone(),
                name: job.name.as_ref().map(|n| n.value.clone()),
            },
            job.id.span,
            Some(&wnode),
        );
        cx.edge(&wnode, &jn, EdgeKind::Contains, Some(job.id.span));
        cx.env_sources(&jn, &job.env);
        if let Some((labels, self_hosted, span)) = runner_label(job) {
            let r = cx.shared(
                Key::Runner(labels.clone()),
                NodeKind::Runner {
                    labels,
                    self_hosted,
                },
                Some(span),
            );
            cx.edge(&jn, &r, EdgeKind::RunsOn, Some(span));
        }
        for c in job.container.as_deref().into_iter().chain(&job.services) {
            if let Some(img) = &c.image {
                let i = cx.image(&img.value, img.span);
                cx.edge(&jn, &i, EdgeKind::Pulls, Some(img.span));
                // `${{ matrix.x }}` with literal values: each image the matrix names,
                // pulled where its value is written.
                for v in job
                    .matrix
                    .as_ref()
                    .and_then(|m| m.expand(&img.value))
                    .unwrap_or_default()
                {
                    let i = cx.image(&v.value, v.span);
                    cx.edge(&jn, &i, EdgeKind::Pulls, Some(v.span));
                }
            }
        }
        permissions(
            cx,
            &jn,
            job.permissions.as_ref().or(wf.permissions.as_ref()),
            job.id.span,
        );
        for (name, span) in job_secrets(wf, job) {
            let s = cx.shared(
                Key::Secret(name.clone()),
                NodeKind::Secret { name },
                Some(span),
            );
            cx.edge(&jn, &s, EdgeKind::Holds, Some(span));
        }
        if let Some(u) = &job.uses
            && let Some((target, kind)) = cx.uses_target(&u.value, u.span, true)
        {
            cx.edge(&jn, &target, kind, Some(u.span));
        }
        let default_wd = job
            .defaults_working_directory
            .as_ref()
            .or(wf.defaults_working_directory.as_ref())
            .map(|w| w.value.as_str());
        cx.reads(&jn, &secrets::call(job));
        // The `env:` every step of the job inherits is read once, by the job: an edge per
        // step and variable grew with their product (a 156 KB workflow of 3,000 of each
        // took 3.8 GB). A job without steps calls a workflow, which GitHub does not pass
        // the caller's `env:` to.
        if !job.steps.is_empty() {
            let mut inherited = Vec::new();
            secrets::env(&wf.env, |var| Via::WorkflowEnv { var }, &mut inherited);
            secrets::env(&job.env, |var| Via::JobEnv { var }, &mut inherited);
            cx.reads(&jn, &inherited);
        }
        cx.steps(&jn, Some(index), &job.steps, default_wd);
        jobs.push((job.id.value.clone(), jn));
    }
    for (job, (_, jn)) in wf.jobs.iter().zip(&jobs) {
        for need in &job.needs {
            if let Some((_, target)) = jobs.iter().find(|(id, _)| *id == need.value) {
                cx.edge(jn, target, EdgeKind::Needs, Some(need.span));
            }
        }
    }
}

fn action(cx: &mut FragmentBuilder<'_>, action: Option<&Action>) {
    let display = &cx.input.source.display;
    let dir = display.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
    let using = action.and_then(|a| match &a.runs {
        Runs::Composite { using, .. } | Runs::Docker { using, .. } | Runs::Node { using, .. } => {
            Some(using.value.clone())
        }
        Runs::Unknown { using } => using.as_ref().map(|u| u.value.clone()),
    });
    let span = action
        .and_then(|a| a.name.as_ref().map(|n| n.span).or(a.runs_key))
        .unwrap_or_else(|| Span::empty(0));
    let node = cx.shared(
        Key::File(cx.id),
        NodeKind::Action {
            target: Target::Local {
                path: dir,
                file: Some(display.clone()),
            },
            using,
        },
        Some(span),
    );
    let Some(action) = action else {
        return;
    };
    match &action.runs {
        Runs::Composite { steps, .. } => {
            cx.steps(&node, None, steps, None);
        }
        Runs::Docker {
            image: Some(img), ..
        } if img.value.starts_with("docker://") => {
            let i = cx.image(&img.value["docker://".len()..], img.span);
            cx.edge(&node, &i, EdgeKind::Pulls, Some(img.span));
        }
        _ => {}
    }
}

fn actions_lock(cx: &mut FragmentBuilder<'_>, lock: &ActionsLock) {
    for dep in &lock.dependencies {
        let Uses::Remote(r) = Uses::parse(&dep.reference.value) else {
            continue;
        };
        let from = cx.remote(&r, dep.reference.span);
        if let Some(c) = &dep.commit {
            cx.frag
                .locked
                .push((format!("{}@{}", r.action(), r.git_ref), c.value.clone()));
        }
        for used in &dep.uses {
            if let Uses::Remote(u) = Uses::parse(&used.value) {
                let to = cx.remote(&u, used.span);
                cx.edge(&from, &to, EdgeKind::Uses, Some(used.span));
            }
        }
    }
}

/// A Dockerfile: its node, and a `pulls` edge to every registry image its `FROM` and
/// `COPY --from` lines name, at the reference (after `ARG` defaults; the image node is the
/// one workflows pulling the same reference reach).
fn dockerfile(cx: &mut FragmentBuilder<'_>, d: &tollgate_docker::Dockerfile) {
    let path = cx.input.source.display.clone();
    let at = d
        .stages
        .first()
        .map_or_else(|| Span::empty(0), |s| s.keyword);
    let node = cx.shared(
        Key::File(cx.id),
        NodeKind::Dockerfile {
            path,
            stages: d.stages.len(),
        },
        Some(at),
    );
    for (u, reference) in d.pulls() {
        let i = cx.image(reference, u.written.span);
        cx.edge(&node, &i, EdgeKind::Pulls, Some(u.written.span));
    }
}

/// Build the fragment of one input.
pub(crate) fn build(id: InputId, input: &Input, resolver: &Resolver) -> Fragment {
    let mut cx = FragmentBuilder::new(id, input, resolver);
    match (&*input.parsed, input.kind) {
        (FileModel::Workflow(wf), _) => workflow(&mut cx, wf),
        (FileModel::Action(a), _) => action(&mut cx, Some(a)),
        (_, FileKind::Action) => action(&mut cx, None),
        (FileModel::ActionsLock(lock), _) => actions_lock(&mut cx, lock),
        (_, FileKind::Workflow) => {
            // An unparseable workflow still gets its node, so references to it resolve.
            let path = input.source.display.clone();
            cx.shared(
                Key::File(id),
                NodeKind::Workflow { path, name: None },
                Some(Span::empty(0)),
            );
        }
        (FileModel::Packages(p), kind) => crate::sources::package_file(&mut cx, kind, p),
        (FileModel::Dockerfile(d), _) => dockerfile(&mut cx, d),
        (FileModel::Gitlab(m), _) => crate::gitlab::pipeline(&mut cx, m),
        // A Makefile or script a step runs: its node, for the egress pass's edges.
        (FileModel::Script(_), kind) => {
            let path = input.source.display.clone();
            cx.shared(
                Key::File(id),
                NodeKind::Script { path, kind },
                Some(Span::empty(0)),
            );
        }
        _ => {}
    }
    cx.frag
}

#[cfg(test)]
mod tests {
    use super::SharedTable;

    /// Two keys with one hash stay two nodes, and each is found again.
    #[test]
    fn keys_whose_hashes_collide_stay_apart() {
        let keys = ["a", "b", "c"];
        let mut t = SharedTable::default();
        let mut nodes: Vec<&str> = Vec::new();
        let get = |t: &mut SharedTable, nodes: &mut Vec<&'static str>, k: &'static str| {
            // Every key has the same hash.
            match t.find(7, |i| nodes[i] == k) {
                Ok(i) => i,
                Err(collided) => {
                    nodes.push(k);
                    t.insert(7, nodes.len() - 1, collided);
                    nodes.len() - 1
                }
            }
        };
        let first: Vec<usize> = keys.iter().map(|k| get(&mut t, &mut nodes, k)).collect();
        assert_eq!(first, [0, 1, 2]);
        let again: Vec<usize> = keys.iter().map(|k| get(&mut t, &mut nodes, k)).collect();
        assert_eq!(again, [0, 1, 2]);
        assert_eq!(nodes, keys);
    }
}

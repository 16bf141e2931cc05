//! Queries rules ask of the graph: how a node got there, what a job reaches, what it
//! holds, and the steps a job runs with local composite actions flattened in.

use std::collections::{BTreeSet, VecDeque};

use foldhash::{HashMap, HashSet};

use tollgate_model::{Diagnostic, DiagnosticCode, PathHop, Severity};

use crate::graph::Graph;
use crate::model::{Access, EdgeKind, InputId, Kind, NodeId, NodeKind, Origin, Target, Trust};

/// How many levels of local composite actions a job's steps are followed into: GitHub
/// runs at most ten nested composite actions in one workflow
/// (<https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations>).
pub const MAX_COMPOSITE_DEPTH: usize = 10;

/// One step a job runs, direct or inside a local composite action it calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlatStep {
    pub step: NodeId,
    /// The file the step is written in (the workflow, or the composite action).
    pub input: InputId,
    /// The job that runs it.
    pub job: NodeId,
    /// The `uses:` steps that led into the composite action holding this step,
    /// outermost first; empty for the job's own steps.
    pub via: Vec<NodeId>,
    /// The local composite action holding this step, if any.
    pub action: Option<NodeId>,
}

/// Everything a job reaches, by kind, each list sorted by node id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reach {
    pub actions: Vec<NodeId>,
    pub reusable_workflows: Vec<NodeId>,
    /// Local workflows called (reusable workflows resolved to files).
    pub workflows: Vec<NodeId>,
    pub images: Vec<NodeId>,
    pub commands: Vec<NodeId>,
    pub lockfiles: Vec<NodeId>,
    pub registry_configs: Vec<NodeId>,
    pub packages: Vec<NodeId>,
    pub sources: Vec<NodeId>,
    pub hosts: Vec<NodeId>,
    pub runners: Vec<NodeId>,
}

/// A held thing and the span that grants it (the permission entry, the secret
/// expression, `secrets: inherit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    pub node: NodeId,
    pub origin: Option<Origin>,
}

/// What a job holds: its effective token permissions, the secrets it references, and
/// whether it can request an OIDC token.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holdings {
    pub permissions: Vec<Held>,
    pub secrets: Vec<Held>,
    pub oidc: Option<Held>,
}

/// Edges that describe what a job depends on (not which other jobs it waits for, what
/// it holds, reads or needs to hold, nor the images it builds itself).
const fn is_dependency(kind: EdgeKind) -> bool {
    !matches!(
        kind,
        EdgeKind::Needs
            | EdgeKind::Holds
            | EdgeKind::Triggers
            | EdgeKind::ChecksOut
            | EdgeKind::Builds
            | EdgeKind::Requires
            | EdgeKind::Reads
    )
}

impl Graph {
    /// The command node `step` runs at `origin` (the command's span in its file).
    #[must_use]
    pub fn command_at(&self, step: NodeId, origin: Origin) -> Option<NodeId> {
        self.out_edges(step)
            .find(|(e, t)| {
                e.kind == EdgeKind::Runs && self.node(*t).and_then(|n| n.origin) == Some(origin)
            })
            .map(|(_, t)| t)
    }

    /// The files (lockfiles, requirement and constraint files) `command` installs from,
    /// each with where the command names it (the install itself for a project's
    /// lockfile, found in its directory).
    #[must_use]
    pub fn installed_files(&self, command: NodeId) -> Vec<(NodeId, Option<Origin>)> {
        self.out_edges(command)
            .filter(|(e, t)| e.kind == EdgeKind::Installs && self.is(*t, Kind::Lockfile))
            .map(|(e, t)| (t, e.origin))
            .collect()
    }

    /// Every job node, in id order.
    pub fn jobs(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.nodes_of(Kind::Job)
    }

    /// Every workflow node, in id order.
    pub fn workflows(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.nodes_of(Kind::Workflow)
    }

    /// The jobs of a workflow, in file order.
    #[must_use]
    pub fn jobs_of(&self, workflow: NodeId) -> Vec<NodeId> {
        self.outgoing(workflow)
            .into_iter()
            .filter(|(e, t)| e.kind == EdgeKind::Contains && self.is(*t, Kind::Job))
            .map(|(_, t)| t)
            .collect()
    }

    /// The workflow a node belongs to, following parents (`None` for shared nodes).
    #[must_use]
    pub fn workflow_of(&self, mut id: NodeId) -> Option<NodeId> {
        for _ in 0..8 {
            let node = self.node(id)?;
            if node.kind.kind() == Kind::Workflow {
                return Some(id);
            }
            id = node.parent?;
        }
        None
    }

    pub(crate) fn is(&self, id: NodeId, kind: Kind) -> bool {
        self.node(id).is_some_and(|n| n.kind.kind() == kind)
    }

    /// The steps of a local action node, when it is a resolved local action.
    fn local_action_steps(&self, action: NodeId) -> Vec<NodeId> {
        let Some(node) = self.node(action) else {
            return Vec::new();
        };
        if !matches!(
            node.kind,
            NodeKind::Action {
                target: Target::Local { file: Some(_), .. },
                ..
            }
        ) {
            return Vec::new();
        }
        self.outgoing(action)
            .into_iter()
            .filter(|(e, t)| e.kind == EdgeKind::Contains && self.is(*t, Kind::Step))
            .map(|(_, t)| t)
            .collect()
    }

    /// The steps a job runs in order, with the steps of the local composite actions it
    /// calls (transitively) placed right after the calling step. Each action's steps are
    /// listed once per job, after its first use: a later use lists only the calling
    /// step, so that actions using the next one twice (a diamond) stay linear instead of
    /// doubling per level. Nesting stops at [`MAX_COMPOSITE_DEPTH`] levels (the build
    /// reports a deeper reference), and a cycle of composite actions is followed once
    /// (the build reports it).
    #[must_use]
    pub fn job_steps(&self, job: NodeId) -> Vec<FlatStep> {
        let mut out = Vec::new();
        let direct: Vec<NodeId> = self
            .outgoing(job)
            .into_iter()
            .filter(|(e, t)| e.kind == EdgeKind::Contains && self.is(*t, Kind::Step))
            .map(|(_, t)| t)
            .collect();
        let mut expanded: HashSet<NodeId> = HashSet::default();
        self.flatten(job, &direct, None, &mut Vec::new(), &mut expanded, &mut out);
        out
    }

    fn flatten(
        &self,
        job: NodeId,
        steps: &[NodeId],
        action: Option<NodeId>,
        via: &mut Vec<NodeId>,
        expanded: &mut HashSet<NodeId>,
        out: &mut Vec<FlatStep>,
    ) {
        for &step in steps {
            let Some(input) = self.node(step).and_then(|n| n.origin).map(|o| o.input()) else {
                continue;
            };
            out.push(FlatStep {
                step,
                input,
                job,
                via: via.clone(),
                action,
            });
            if via.len() >= MAX_COMPOSITE_DEPTH {
                continue;
            }
            for (e, target) in self.outgoing(step) {
                // An action already expanded in this job (earlier, or an enclosing one in
                // a cycle) is not expanded again.
                if e.kind != EdgeKind::Uses || expanded.contains(&target) {
                    continue;
                }
                let inner = self.local_action_steps(target);
                if inner.is_empty() {
                    continue;
                }
                expanded.insert(target);
                via.push(step);
                self.flatten(job, &inner, Some(target), via, expanded, out);
                via.pop();
            }
        }
    }

    /// One diagnostic per step of a job whose local composite action nests deeper than
    /// [`MAX_COMPOSITE_DEPTH`] levels: the steps past that level are not analysed.
    pub(crate) fn nesting_diagnostics(&self) -> Vec<Diagnostic> {
        // Levels of nested local actions below each action, counted up to one past the
        // bound (which keeps the recursion shallow) and memoised, so that a diamond of
        // actions is measured in linear time.
        let mut levels: HashMap<NodeId, usize> = HashMap::default();
        let mut out = Vec::new();
        for job in self.jobs() {
            for (e, step) in self.outgoing(job) {
                if e.kind != EdgeKind::Contains || !self.is(step, Kind::Step) {
                    continue;
                }
                for (e, target) in self.outgoing(step) {
                    if e.kind != EdgeKind::Uses
                        || self.levels(target, &mut levels) <= MAX_COMPOSITE_DEPTH
                    {
                        continue;
                    }
                    let Some(origin) = e.origin else { continue };
                    out.push(Diagnostic {
                        severity: Severity::Warning,
                        code: DiagnosticCode::Limit,
                        message: format!(
                            "local composite actions nest more than {MAX_COMPOSITE_DEPTH} levels deep below this step; the steps past level {MAX_COMPOSITE_DEPTH} are not analysed"
                        ),
                        location: Some(self.location(&origin)),
                        path: self.path(origin.input()).to_owned(),
                        help: Some(format!(
                            "GitHub runs at most {MAX_COMPOSITE_DEPTH} levels of nested composite actions; flatten the actions"
                        )),
                    });
                }
            }
        }
        out
    }

    /// Levels of local composite actions from `root` down (1 for an action whose steps
    /// use none), capped at one past [`MAX_COMPOSITE_DEPTH`]; 0 for a node that is not a
    /// resolved local action. Memoised across calls, so that a diamond of actions is
    /// measured in linear time, and walked with an explicit stack, so that a long chain
    /// cannot overflow the thread's stack. A `uses:` back into an action being walked (a
    /// cycle, which the build reports) counts as no level.
    fn levels(&self, root: NodeId, memo: &mut HashMap<NodeId, usize>) -> usize {
        struct Frame {
            action: NodeId,
            uses: Vec<NodeId>,
            next: usize,
            deepest: usize,
        }
        let cap = MAX_COMPOSITE_DEPTH + 1;
        if let Some(&n) = memo.get(&root) {
            return n;
        }
        let Some(uses) = self.nested_uses(root) else {
            memo.insert(root, 0);
            return 0;
        };
        let mut on_stack: HashSet<NodeId> = HashSet::from_iter([root]);
        let mut frames = vec![Frame {
            action: root,
            uses,
            next: 0,
            deepest: 0,
        }];
        while let Some(top) = frames.last_mut() {
            if let Some(&child) = top.uses.get(top.next) {
                top.next += 1;
                if let Some(&n) = memo.get(&child) {
                    top.deepest = top.deepest.max(n);
                } else if !on_stack.contains(&child) {
                    match self.nested_uses(child) {
                        Some(uses) => {
                            on_stack.insert(child);
                            frames.push(Frame {
                                action: child,
                                uses,
                                next: 0,
                                deepest: 0,
                            });
                        }
                        None => {
                            memo.insert(child, 0);
                        }
                    }
                }
                continue;
            }
            let done = (top.deepest + 1).min(cap);
            let action = top.action;
            frames.pop();
            on_stack.remove(&action);
            memo.insert(action, done);
            if let Some(parent) = frames.last_mut() {
                parent.deepest = parent.deepest.max(done);
            }
        }
        memo.get(&root).copied().unwrap_or(0)
    }

    /// The `uses:` targets of the steps of a resolved local action; `None` when the node
    /// is not one (or has no steps).
    fn nested_uses(&self, action: NodeId) -> Option<Vec<NodeId>> {
        let steps = self.local_action_steps(action);
        if steps.is_empty() {
            return None;
        }
        Some(
            steps
                .into_iter()
                .flat_map(|s| self.outgoing(s))
                .filter(|(e, _)| e.kind == EdgeKind::Uses)
                .map(|(_, t)| t)
                .collect(),
        )
    }

    /// "How did this get here": the shortest chain from a workflow to `target`
    /// (workflow → job → step → action → …), or `None` when no workflow leads to it (a
    /// lockfile no job installs from). Ties go to the lower node ids.
    #[must_use]
    pub fn path_to(&self, target: NodeId) -> Option<Vec<NodeId>> {
        self.node(target)?;
        // Each node's successor towards `target`. A map, not a table of every node: a
        // finding's path is asked for per finding, and the walk upwards from a step
        // visits its few ancestors, not the whole graph.
        let mut next: HashMap<NodeId, NodeId> = HashMap::default();
        let mut seen: HashSet<NodeId> = HashSet::from_iter([target]);
        let mut queue = VecDeque::from([target]);
        while let Some(n) = queue.pop_front() {
            if self.is(n, Kind::Workflow) {
                let mut path = vec![n];
                let mut cur = n;
                while let Some(&after) = next.get(&cur) {
                    path.push(after);
                    cur = after;
                }
                return Some(path);
            }
            let mut sources: Vec<NodeId> = self
                .incoming(n)
                .into_iter()
                .filter(|(e, _)| is_dependency(e.kind))
                .map(|(_, s)| s)
                .collect();
            sources.sort();
            for s in sources {
                if seen.insert(s) {
                    next.insert(s, n);
                    queue.push_back(s);
                }
            }
        }
        None
    }

    /// A chain of nodes (from [`Graph::path_to`]) as the hops of a finding's path, each
    /// labelled by [`NodeKind::hop_label`] and located where the edge into it is written
    /// (the `uses:` value for a shared action node), else where the node is. A step that
    /// `uses:` the next node is left out: the next hop says the same, one line later.
    #[must_use]
    pub fn path_hops(&self, nodes: &[NodeId]) -> Vec<PathHop> {
        let mut out = Vec::with_capacity(nodes.len());
        let mut prev: Option<NodeId> = None;
        for (i, &n) in nodes.iter().enumerate() {
            let Some(node) = self.node(n) else { continue };
            let into_uses = nodes
                .get(i + 1)
                .is_some_and(|&next| self.edge_origin(n, next, EdgeKind::Uses).is_some());
            if !(into_uses && node.kind.kind() == Kind::Step) {
                // The edge into the node (of the first kind in `EdgeKind` order, when
                // several connect the two), walked once.
                let into = prev.and_then(|f| {
                    self.edges_between(f, n)
                        .into_iter()
                        .filter(|e| e.origin.is_some())
                        .min_by_key(|e| e.kind)
                });
                let at = into
                    .and_then(|e| e.origin)
                    .map(|o| self.location(&o))
                    .or_else(|| self.node_location(n));
                // A local workflow reached by `uses:` is a call, not where the path starts.
                let label = match (&node.kind, into.map(|e| e.kind)) {
                    (NodeKind::Workflow { path, .. }, Some(EdgeKind::Uses)) => {
                        format!("calls `./{path}`")
                    }
                    (kind, _) => kind.hop_label(),
                };
                out.push(PathHop {
                    label,
                    location: at,
                });
            }
            prev = Some(n);
        }
        out
    }

    /// What `node` (a step, or a job calling a workflow) `uses:`.
    #[must_use]
    pub fn uses_target(&self, node: NodeId) -> Option<NodeId> {
        self.out_edges(node)
            .find(|(e, _)| e.kind == EdgeKind::Uses)
            .map(|(_, t)| t)
    }

    /// The shortest chain from `from` to `to` along dependency edges, if any.
    #[must_use]
    pub fn path_between(&self, from: NodeId, to: NodeId) -> Option<Vec<NodeId>> {
        self.node(from)?;
        self.node(to)?;
        let mut prev: Vec<Option<NodeId>> = vec![None; self.node_count()];
        let mut seen: HashSet<NodeId> = HashSet::from_iter([from]);
        let mut queue = VecDeque::from([from]);
        while let Some(n) = queue.pop_front() {
            if n == to {
                let mut path = vec![n];
                let mut cur = n;
                while let Some(p) = prev.get(cur.index()).copied().flatten() {
                    path.push(p);
                    cur = p;
                }
                path.reverse();
                return Some(path);
            }
            for (e, t) in self.outgoing(n) {
                if is_dependency(e.kind) && seen.insert(t) {
                    if let Some(slot) = prev.get_mut(t.index()) {
                        *slot = Some(n);
                    }
                    queue.push_back(t);
                }
            }
        }
        None
    }

    /// Every node reachable from `from` along dependency edges (not `needs`, `holds`,
    /// `requires` or `triggers`), `from` excluded, sorted by id.
    #[must_use]
    pub fn reachable(&self, from: NodeId) -> Vec<NodeId> {
        let mut seen: BTreeSet<NodeId> = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(n) = stack.pop() {
            for (e, t) in self.outgoing(n) {
                if is_dependency(e.kind) && t != from && seen.insert(t) {
                    stack.push(t);
                }
            }
        }
        seen.into_iter().collect()
    }

    /// Everything a job reaches: actions (through local composite actions and called
    /// workflows, transitively), images, commands, lockfiles, packages, sources, hosts.
    #[must_use]
    pub fn reaches(&self, job: NodeId) -> Reach {
        let mut r = Reach::default();
        for n in self.reachable(job) {
            let Some(node) = self.node(n) else { continue };
            let list = match node.kind.kind() {
                Kind::Action => &mut r.actions,
                Kind::ReusableWorkflow => &mut r.reusable_workflows,
                Kind::Workflow => &mut r.workflows,
                Kind::Image => &mut r.images,
                Kind::Command => &mut r.commands,
                Kind::Lockfile => &mut r.lockfiles,
                Kind::RegistryConfig => &mut r.registry_configs,
                Kind::Package => &mut r.packages,
                Kind::Source => &mut r.sources,
                Kind::Host => &mut r.hosts,
                Kind::Runner => &mut r.runners,
                _ => continue,
            };
            list.push(n);
        }
        r
    }

    /// What a job holds: effective permissions (its own block, else the workflow's,
    /// else the repository default), referenced secrets, and OIDC.
    #[must_use]
    pub fn holds(&self, job: NodeId) -> Holdings {
        let mut h = Holdings::default();
        for (e, t) in self.outgoing(job) {
            if e.kind != EdgeKind::Holds {
                continue;
            }
            let held = Held {
                node: t,
                origin: e.origin,
            };
            match self.node(t).map(|n| n.kind.kind()) {
                Some(Kind::Permission) => h.permissions.push(held),
                Some(Kind::Secret) => h.secrets.push(held),
                Some(Kind::Oidc) => h.oidc = Some(held),
                _ => {}
            }
        }
        h
    }

    /// What `job`'s token may do with `scope`, from the permissions it holds (its own
    /// block, else the workflow's): `Some(RepositoryDefault)` without any block, `None`
    /// when the scope is not granted. `read-all` grants every scope but `id-token`.
    #[must_use]
    pub fn token_access(&self, job: NodeId, scope: &str) -> Option<Access> {
        let h = self.holds(job);
        if scope == "id-token" && h.oidc.is_some() {
            return Some(Access::Write);
        }
        let mut best = None;
        for p in &h.permissions {
            let Some(NodeKind::Permission { scope: s, access }) =
                self.node(p.node).map(|n| &n.kind)
            else {
                continue;
            };
            let applies = match (s.as_str(), access) {
                (_, Access::RepositoryDefault) => true,
                ("all", Access::Read) => scope != "id-token",
                ("all", _) => true,
                (s, _) => s == scope,
            };
            if applies {
                best = best.max(Some(*access));
            }
        }
        best
    }

    /// Whether `job`'s token can write anything: the repository default, `write-all`, a
    /// write scope or `id-token: write`.
    #[must_use]
    pub fn token_can_write(&self, job: NodeId) -> bool {
        let h = self.holds(job);
        h.oidc.is_some()
            || h.permissions.iter().any(|p| {
                matches!(
                    self.node(p.node).map(|n| &n.kind),
                    Some(NodeKind::Permission {
                        access: Access::Write | Access::RepositoryDefault,
                        ..
                    })
                )
            })
    }

    /// Whether `job` can read a secret other than `GITHUB_TOKEN` (by name, through
    /// `secrets: inherit`, or a computed `secrets[…]`).
    #[must_use]
    pub fn holds_secrets(&self, job: NodeId) -> bool {
        self.holds(job).secrets.iter().any(|s| {
            matches!(
                self.node(s.node).map(|n| &n.kind),
                Some(NodeKind::Secret { name }) if name.as_deref().is_none_or(|n| !n.eq_ignore_ascii_case("GITHUB_TOKEN"))
            )
        })
    }

    /// The `on:` events of a workflow (their `triggers` edges), in file order.
    #[must_use]
    pub fn triggers_of(&self, workflow: NodeId) -> Vec<NodeId> {
        let mut v: Vec<(Option<Origin>, NodeId)> = self
            .incoming(workflow)
            .into_iter()
            .filter(|(e, t)| e.kind == EdgeKind::Triggers && self.is(*t, Kind::Trigger))
            .map(|(e, t)| (e.origin, t))
            .collect();
        v.sort();
        v.into_iter().map(|(_, t)| t).collect()
    }

    /// Whether a trigger node is one anyone can fire that still runs with the base
    /// repository's token and secrets (`pull_request_target`, `issue_comment`, …).
    #[must_use]
    pub fn is_untrusted_privileged(&self, trigger: NodeId) -> bool {
        matches!(
            self.node(trigger).map(|n| &n.kind),
            Some(NodeKind::Trigger {
                trust: Trust::Anyone,
                privileged: true,
                ..
            })
        )
    }

    /// Whether anyone (not only collaborators, the clock or a caller) can fire some
    /// `on:` event of `workflow`, privileged or not.
    #[must_use]
    pub fn anyone_can_trigger(&self, workflow: NodeId) -> bool {
        self.triggers_of(workflow).into_iter().any(|t| {
            matches!(
                self.node(t).map(|n| &n.kind),
                Some(NodeKind::Trigger {
                    trust: Trust::Anyone,
                    ..
                })
            )
        })
    }

    /// The `on:` event of `workflow` that anyone can fire with the base repository's
    /// token and secrets, the most dangerous first (the knowledge base lists them in that
    /// order) when it has several: what findings name as the trigger.
    #[must_use]
    pub fn untrusted_privileged_trigger(&self, workflow: NodeId) -> Option<NodeId> {
        let kb = tollgate_kb::triggers();
        self.triggers_of(workflow)
            .into_iter()
            .filter(|&t| self.is_untrusted_privileged(t))
            .min_by_key(|&t| match self.node(t).map(|n| &n.kind) {
                Some(NodeKind::Trigger { event, .. }) => kb.rank(event),
                _ => usize::MAX,
            })
    }

    /// The untrusted code a step checks out or fetches (its `checks-out` edges): where
    /// and what, in file order.
    #[must_use]
    pub fn checkouts_of(&self, step: NodeId) -> Vec<(Origin, NodeId)> {
        let mut v: Vec<(Origin, NodeId)> = self
            .out_edges(step)
            .filter(|(e, _)| e.kind == EdgeKind::ChecksOut)
            .filter_map(|(e, t)| Some((e.origin?, t)))
            .collect();
        v.sort();
        v
    }
}

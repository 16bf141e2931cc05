//! The graph itself: building it from a scan (fragments in parallel, then one ordered
//! merge), applying `actions.lock`, detecting reference cycles, and accessors.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashSet};

use petgraph::Direction;
use petgraph::visit::EdgeRef;
use rayon::prelude::*;
use tollgate_gha::{Job, Step, Workflow};
use tollgate_model::{
    Diagnostic, DiagnosticCode, FileKind, LineCol, LineIndex, Location, Severity,
};
use tollgate_scan::{FileModel, Input, Scan};

use crate::fragment::{self, FRef, Fragment, Hashed, Key};
use crate::model::{Access, Edge, EdgeKind, InputId, Kind, Node, NodeId, NodeKind, Origin, Target};
use crate::resolve::Resolver;

type Inner = petgraph::Graph<Node, Edge, petgraph::Directed, u32>;

/// A node reference once its fragment is merged: a node's index, or, with the top bit
/// set, the index in [`Merge::later`] of the key of a node that a later file defines
/// (rare). Four bytes: a large scan keeps a third of a million of these waiting.
#[derive(Clone, Copy)]
struct Res(u32);

impl Res {
    const LATER: u32 = 1 << 31;

    fn id(id: NodeId) -> Self {
        debug_assert!(id.index() < Self::LATER as usize);
        Self(id.index() as u32)
    }

    /// The node with key `k` if it exists, else a reference to the key, kept in `later`.
    fn of_key(keyed: &HashMap<Hashed, NodeId>, later: &mut Vec<Hashed>, k: Key) -> Self {
        let k = Hashed::new(k);
        match keyed.get(&k) {
            Some(&id) => Self::id(id),
            None => {
                later.push(k);
                Self(Self::LATER | (later.len() - 1) as u32)
            }
        }
    }

    /// The node referred to, once every node exists.
    fn resolve(self, keyed: &HashMap<Hashed, NodeId>, later: &[Hashed]) -> Option<NodeId> {
        if self.0 & Self::LATER == 0 {
            Some(NodeId::new(self.0 as usize))
        } else {
            keyed
                .get(later.get((self.0 & !Self::LATER) as usize)?)
                .copied()
        }
    }
}

/// A parent (`kind` is `None`: `from`'s parent is `to`) or an edge waiting for every node
/// to exist, in input order.
struct Pending {
    from: Res,
    to: Res,
    kind: Option<EdgeKind>,
    origin: Option<Origin>,
}

impl Pending {
    fn parent(child: NodeId, parent: Res) -> Self {
        Self {
            from: Res::id(child),
            to: parent,
            kind: None,
            origin: None,
        }
    }

    fn edge(from: Res, to: Res, kind: EdgeKind, origin: Option<Origin>) -> Self {
        Self {
            from,
            to,
            kind: Some(kind),
            origin,
        }
    }
}

/// The state of a merge between batches of fragments.
#[derive(Default)]
struct Merge {
    keyed: HashMap<Hashed, NodeId>,
    /// Keys that pending references name before their node exists.
    later: Vec<Hashed>,
    pending: Vec<Pending>,
    locked: Vec<(String, String)>,
    /// The detail of the `reads` edges, by node id.
    secrets: crate::secrets::SecretReads,
    /// Every place that names a package source (the detail of `resolves-from`).
    sources: crate::sources::SourceNamings,
}

/// Per input: its display path and kind (for locations and lookups).
#[derive(Clone, Debug)]
pub struct InputInfo {
    pub path: std::sync::Arc<str>,
    pub kind: FileKind,
    /// For the lines and columns of origins.
    pub lines: LineIndex,
}

/// The dependency graph of one scan.
///
/// Node ids depend only on the inputs: fragments are built in parallel but merged in
/// input order (inputs are sorted by path), and shared nodes are deduplicated by key with
/// the first definition in that order winning.
#[derive(Debug)]
pub struct Graph {
    pub(crate) inner: Inner,
    inputs: Vec<InputInfo>,
    files: BTreeMap<InputId, NodeId>,
    /// Job nodes by (file path, job id), for rules that start from the workflow model.
    job_index: HashMap<(String, String), NodeId>,
    /// Step nodes by (input, job index in the workflow or `None` in an action, step
    /// index), for rules that start from a step model.
    step_index: HashMap<(InputId, Option<usize>, usize), NodeId>,
    /// Input ids by display path.
    by_path: HashMap<std::sync::Arc<str>, InputId>,
    /// Per input, its job and step nodes as (start, end, node), sorted by start then
    /// by longest first: what [`Graph::enclosing`] searches.
    spans: Vec<Vec<(u32, u32, NodeId)>>,
    /// Step nodes whose script runs a command other than docker that names docker
    /// (`pnpm build:docker`): it may build images the script does not show. Sorted.
    pub(crate) image_scripts: Vec<NodeId>,
    /// Host nodes by name (added by passes).
    pub(crate) hosts: HashMap<String, NodeId>,
    /// Permission nodes by scope and access, `id-token: write` standing for the OIDC
    /// node (built from the structure, added to by passes).
    pub(crate) permissions: HashMap<(String, Access), NodeId>,
    /// What passes recorded.
    pub(crate) records: crate::pass::Records,
    /// How long each pass took.
    pub(crate) pass_times: Vec<(&'static str, std::time::Duration)>,
}

impl Graph {
    /// Build the graph of a scan. Never fails: unresolvable references become nodes
    /// marked "not found", and cycles, unreadable local files and lockfile problems are
    /// returned as diagnostics (sorted).
    #[must_use]
    pub fn build(scan: &Scan) -> (Self, Vec<Diagnostic>) {
        let resolver = Resolver::index(&scan.inputs);
        let mut diagnostics = Vec::new();
        let all: Vec<(InputId, &Input)> = scan
            .inputs
            .iter()
            .enumerate()
            .map(|(i, input)| (InputId(i), input))
            .collect();
        let infos: Vec<InputInfo> = all
            .iter()
            .map(|(_, i)| InputInfo {
                path: std::sync::Arc::clone(i.source.shared_path()),
                kind: i.kind,
                lines: i.source.line_index(),
            })
            .collect();
        let mut graph = Self {
            inner: Inner::default(),
            inputs: infos,
            files: BTreeMap::new(),
            job_index: HashMap::default(),
            step_index: HashMap::default(),
            by_path: HashMap::default(),
            spans: Vec::new(),
            image_scripts: Vec::new(),
            hosts: HashMap::default(),
            permissions: HashMap::default(),
            records: crate::pass::Records::default(),
            pass_times: Vec::new(),
        };
        graph.merge(&all, &resolver);
        // The node table was reserved from an estimate that errs high (a third over on
        // the corpus); the graph lives as long as the run. The edge table
        // was sized exactly.
        graph.inner.shrink_to_fit_nodes();
        graph.index_jobs(scan);
        diagnostics.extend(graph.cycles());
        diagnostics.extend(graph.nesting_diagnostics());
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        (graph, diagnostics)
    }

    fn index_jobs(&mut self, scan: &Scan) {
        let mut index = HashMap::default();
        for n in self.nodes_of(Kind::Job) {
            if let Some(node) = self.node(n)
                && let NodeKind::Job { id, .. } = &node.kind
                && let Some(o) = node.origin
            {
                index
                    .entry((self.path(o.input()).to_owned(), id.clone()))
                    .or_insert(n);
            }
        }
        self.job_index = index;
        let mut steps = HashMap::default();
        for n in self.nodes_of(Kind::Step) {
            if let Some(node) = self.node(n)
                && let NodeKind::Step { job, index, .. } = node.kind
                && let Some(o) = node.origin
            {
                steps.entry((o.input(), job, index)).or_insert(n);
            }
        }
        self.step_index = steps;
        let mut permissions = HashMap::default();
        for n in self
            .nodes_of(Kind::Permission)
            .chain(self.nodes_of(Kind::Oidc))
        {
            let key = match self.node(n).map(|x| &x.kind) {
                Some(NodeKind::Permission { scope, access }) => (scope.clone(), *access),
                Some(NodeKind::Oidc) => ("id-token".to_owned(), Access::Write),
                _ => continue,
            };
            permissions.entry(key).or_insert(n);
        }
        self.permissions = permissions;
        self.by_path = self
            .inputs
            .iter()
            .enumerate()
            .map(|(i, info)| (std::sync::Arc::clone(&info.path), InputId(i)))
            .collect();
        let mut spans: Vec<Vec<(u32, u32, NodeId)>> = vec![Vec::new(); self.inputs.len()];
        for n in self.node_ids() {
            if let Some(node) = self.node(n)
                && matches!(node.kind.kind(), Kind::Job | Kind::Step)
                && let Some(o) = node.origin
            {
                // A job node is written at its key; the job's whole mapping is what holds
                // its findings.
                let key = o.span();
                let sp = match self.job_model(scan, n) {
                    Some((_, job)) => key.cover(job.span),
                    None => key,
                };
                let narrow = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
                if let Some(v) = spans.get_mut(o.input().0) {
                    v.push((narrow(sp.start()), narrow(sp.end()), n));
                }
            }
        }
        for v in &mut spans {
            v.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        }
        self.spans = spans;
    }

    /// The input at display path `path`.
    #[must_use]
    pub fn input_id(&self, path: &str) -> Option<InputId> {
        self.by_path.get(path).copied()
    }

    /// The innermost job or step node whose span holds `span` in the input at `path`
    /// (a finding's primary location), or else the node of the file itself (a lockfile,
    /// an action): where the finding's dependency path ends.
    #[must_use]
    pub fn enclosing(&self, path: &str, span: tollgate_model::Span) -> Option<NodeId> {
        let input = self.input_id(path)?;
        let nodes = self.spans.get(input.0);
        let (start, end) = (span.start(), span.end());
        let hit = nodes.and_then(|v| {
            // Spans nest (a job holds its steps), and the list is sorted by start: walking
            // back from the last node starting at or before `start`, the first one that
            // also ends at or after `end` is the innermost.
            let upto = v.partition_point(|&(s, _, _)| s as usize <= start);
            v[..upto]
                .iter()
                .rev()
                .find(|&&(_, e, _)| e as usize >= end)
                .map(|&(_, _, n)| n)
        });
        hit.or_else(|| self.file_node(input))
    }

    /// The node of step `index` of job `job` (`None` for a composite action's step) in
    /// `input`.
    #[must_use]
    pub fn step_node(&self, input: InputId, job: Option<usize>, index: usize) -> Option<NodeId> {
        self.step_index.get(&(input, job, index)).copied()
    }

    /// The node of job `id` in the file at display path `path`.
    #[must_use]
    pub fn job_node(&self, path: &str, id: &str) -> Option<NodeId> {
        self.job_index
            .get(&(path.to_owned(), id.to_owned()))
            .copied()
    }

    /// Pass 1 of the merge for a batch of fragments: nodes, so edges may point at nodes
    /// of later files. Node data moves out of the fragments; a shared node defined again
    /// keeps its first definition.
    fn absorb(&mut self, fragments: Vec<Fragment>, m: &mut Merge) {
        for frag in fragments {
            let mut ids = Vec::with_capacity(frag.nodes.len());
            let mut parents = Vec::new();
            for n in frag.nodes {
                let node = Node {
                    kind: n.kind,
                    origin: n.origin,
                    parent: None,
                };
                let id = match n.key {
                    Some(k) => match m.keyed.get(&k) {
                        Some(&id) => id,
                        None => {
                            let id = self.inner.add_node(node);
                            if let Key::File(f) = &k.key {
                                self.files.entry(*f).or_insert(id);
                            }
                            m.keyed.insert(k, id);
                            id
                        }
                    },
                    None => self.inner.add_node(node),
                };
                if let Some(p) = n.parent {
                    parents.push((id, p));
                }
                ids.push(id);
            }
            // Captures the key tables only, so edges go straight to `m.pending`.
            let mut res = |r: FRef| match r {
                FRef::Local(i) => ids.get(i).map(|&id| Res::id(id)),
                FRef::Key(k) => Some(Res::of_key(&m.keyed, &mut m.later, k)),
            };
            for (id, p) in parents {
                if let Some(p) = res(p) {
                    m.pending.push(Pending::parent(id, p));
                }
            }
            for e in frag.edges {
                if let (Some(from), Some(to)) = (res(e.from), res(e.to)) {
                    m.pending.push(Pending::edge(from, to, e.kind, e.origin));
                }
            }
            m.locked.extend(frag.locked);
            // Fragments are absorbed in input order and local nodes get increasing ids,
            // so the list stays sorted.
            self.image_scripts.extend(
                frag.image_scripts
                    .iter()
                    .filter_map(|&i| ids.get(i).copied()),
            );
            // Readers and secrets are nodes of the fragment itself (steps, jobs, and the
            // secret nodes it shares), so they have their ids already.
            for r in frag.reads {
                if let (Some(&reader), Some(&secret)) = (ids.get(r.reader), ids.get(r.secret)) {
                    let read = crate::secrets::Read {
                        secret,
                        origin: r.origin,
                        via: r.via,
                        whole: r.whole,
                    };
                    m.secrets.add_read(reader, read);
                }
            }
            for (step, leak) in frag.leaks {
                if let Some(&step) = ids.get(step) {
                    m.secrets.add_leak(step, leak);
                }
            }
            // Namers and sources are nodes of the fragment too.
            for n in frag.namings {
                if let Some(&from) = ids.get(n.from) {
                    m.sources.add(crate::sources::SourceNaming {
                        from,
                        source: n.source.and_then(|s| ids.get(s).copied()),
                        origin: n.origin,
                        naming: n.naming,
                    });
                }
            }
        }
    }

    /// Build the fragments and merge them in input order. Fragments are built in
    /// parallel a batch at a time, and each batch is merged while the next one is built:
    /// their nodes move into the graph and their edges are kept in a compact form until
    /// every node exists, so only two batches of fragments are in memory at once.
    fn merge(&mut self, all: &[(InputId, &Input)], resolver: &Resolver) {
        const BATCH: usize = 128;
        let build = |batch: &[(InputId, &Input)]| -> Vec<Fragment> {
            batch
                .par_iter()
                .map(|(id, input)| fragment::build(*id, input, resolver))
                .collect()
        };
        let mut m = Merge::default();
        // Room for what the inputs will add (a package node and two edges per package of
        // a lockfile, a few dozen per workflow), so
        // the node and edge tables do not grow by copying themselves. The key table is
        // left to grow: it holds a few keys per input (12,624 for the 4,230 inputs of the
        // ten-fold corpus), and sized by the node estimate it took 23 MB, most of it
        // touched by inserts at random places.
        let (mut nodes, mut edges) = (0, 0);
        for (_, input) in all {
            match &*input.parsed {
                FileModel::Packages(p) => {
                    nodes += p.packages.len() + p.sources.len() + 1;
                    edges += 2 * p.packages.len() + p.sources.len();
                }
                _ => {
                    nodes += 32;
                    edges += 64;
                }
            }
        }
        self.inner.reserve_nodes(nodes);
        m.pending.reserve(edges);
        let mut batches = all.chunks(BATCH);
        let mut current = batches.next().map(build);
        while let Some(fragments) = current.take() {
            let next = batches.next();
            let ((), built) = rayon::join(|| self.absorb(fragments, &mut m), || next.map(build));
            current = built;
        }
        let Merge {
            keyed,
            later,
            mut pending,
            locked,
            secrets,
            sources,
        } = m;
        self.set_record(secrets);
        self.set_record(sources);
        // Lock entries name remote actions by key; the key table is freed before the
        // edges are added.
        for (reference, commit) in locked {
            if let Some(id) = keyed.get(&Hashed::new(Key::Remote(reference)))
                && let Some(node) = self.inner.node_weight_mut(*id)
                && let NodeKind::Action {
                    target: Target::Remote(r),
                    ..
                }
                | NodeKind::ReusableWorkflow {
                    target: Target::Remote(r),
                } = &mut node.kind
                && r.locked_commit.is_none()
            {
                r.locked_commit = Some(commit);
            }
        }
        // Pass 2: parents and edges, deduplicated by (from, to, kind), first origin kept.
        // Every reference is resolved in place first (one that names a key no file
        // defined makes its entry dead: `from` keeps the top bit).
        pending.par_iter_mut().for_each(|p| {
            match (p.from.resolve(&keyed, &later), p.to.resolve(&keyed, &later)) {
                (Some(a), Some(b)) => (p.from, p.to) = (Res::id(a), Res::id(b)),
                _ => p.from = Res(u32::MAX),
            }
        });
        drop((keyed, later));
        let live = |p: &Pending| p.from.0 & Res::LATER == 0;
        // Duplicates are found by sorting (in parallel) rather than through a hash set:
        // a quarter of a million random probes was most of this pass on large scans.
        let mut order: Vec<(u32, u32, EdgeKind, u32)> = pending
            .par_iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let kind = p.kind.filter(|_| live(p))?;
                Some((p.from.0, p.to.0, kind, u32::try_from(i).ok()?))
            })
            .collect();
        order.par_sort_unstable();
        let mut first = vec![false; pending.len()];
        let mut last: Option<(u32, u32, EdgeKind)> = None;
        for &(from, to, kind, i) in &order {
            if last != Some((from, to, kind)) {
                first[i as usize] = true;
                last = Some((from, to, kind));
            }
        }
        drop(order);
        // The edge table is sized once, exactly: an estimate made before the merge erred
        // high and had to be shrunk by copying.
        self.inner
            .reserve_exact_edges(first.iter().filter(|&&keep| keep).count());
        for (p, keep) in pending.iter().zip(first) {
            if !live(p) {
                continue;
            }
            let (a, b) = (NodeId::new(p.from.0 as usize), NodeId::new(p.to.0 as usize));
            match p.kind {
                None => {
                    if let Some(node) = self.inner.node_weight_mut(a)
                        && node.parent.is_none()
                    {
                        node.parent = Some(b);
                    }
                }
                Some(kind) => {
                    if keep {
                        self.inner.add_edge(
                            a,
                            b,
                            Edge {
                                kind,
                                origin: p.origin,
                            },
                        );
                    }
                }
            }
        }
    }

    /// Cycles of `uses:` through local actions, local workflows or lock entries: one
    /// diagnostic per cycle, at the first reference (in input order) that closes it.
    fn cycles(&self) -> Vec<Diagnostic> {
        // A cycle runs through `Contains` and `Uses` edges, and containment is a tree, so
        // every cycle passes through files (or other nodes with content) that reference
        // each other. The components are found among those only: an edge from the
        // top-most container of each `uses:` to its target when the target has content.
        // Equivalent to the components of the whole graph's Contains+Uses subgraph, at a
        // fraction of its size.
        let contains = |n: NodeId, d: Direction| {
            self.inner
                .edges_directed(n, d)
                .find(|e| e.weight().kind == EdgeKind::Contains)
        };
        let top = |mut n: NodeId| {
            let mut steps = 0;
            while let Some(e) = contains(n, Direction::Incoming) {
                n = e.source();
                steps += 1;
                if steps > self.inner.node_count() {
                    break;
                }
            }
            n
        };
        let mut refs = petgraph::graphmap::DiGraphMap::<NodeId, ()>::new();
        for e in self.inner.edge_references() {
            if e.weight().kind == EdgeKind::Uses
                && contains(e.target(), Direction::Outgoing).is_some()
            {
                refs.add_edge(top(e.source()), e.target(), ());
            }
        }
        let mut out = Vec::new();
        for files in petgraph::algo::tarjan_scc(&refs) {
            if files.len() < 2 && !refs.contains_edge(files[0], files[0]) {
                continue;
            }
            let set: HashSet<NodeId> = files.iter().copied().collect();
            // The references that close the cycle: `uses:` inside these files (at any
            // depth of containment) that point at one of them.
            let mut inside: Vec<NodeId> = Vec::new();
            let mut seen: HashSet<NodeId> = HashSet::default();
            let mut stack: Vec<NodeId> = files.clone();
            while let Some(n) = stack.pop() {
                if !seen.insert(n) {
                    continue;
                }
                inside.push(n);
                stack.extend(
                    self.inner
                        .edges_directed(n, Direction::Outgoing)
                        .filter(|e| e.weight().kind == EdgeKind::Contains)
                        .map(|e| e.target()),
                );
            }
            let mut closing: Vec<(Origin, NodeId)> = inside
                .iter()
                .flat_map(|n| self.inner.edges_directed(*n, Direction::Outgoing))
                .filter(|e| e.weight().kind == EdgeKind::Uses && set.contains(&e.target()))
                .filter_map(|e| e.weight().origin.map(|o| (o, e.target())))
                .collect();
            closing.sort();
            let Some((origin, _)) = closing.first() else {
                continue;
            };
            let mut members: Vec<String> = files
                .iter()
                .filter_map(|n| self.inner.node_weight(*n))
                .filter(|n| {
                    matches!(
                        n.kind.kind(),
                        Kind::Action | Kind::Workflow | Kind::ReusableWorkflow
                    )
                })
                .map(|n| format!("`{}`", n.kind.label()))
                .collect();
            members.sort();
            out.push(Diagnostic {
                severity: Severity::Error,
                code: DiagnosticCode::Shape,
                message: format!("reference cycle between {}", members.join(", ")),
                location: Some(self.location(origin)),
                path: self.path(origin.input()).to_owned(),
                help: Some(
                    "GitHub rejects a workflow whose actions use each other in a cycle; remove one of the `uses:` references".to_owned(),
                ),
            });
        }
        out
    }

    /// The petgraph graph, for algorithms this crate does not wrap.
    #[must_use]
    pub const fn inner(&self) -> &Inner {
        &self.inner
    }

    #[must_use]
    pub fn node_count(&self) -> usize {
        self.inner.node_count()
    }

    #[must_use]
    pub fn edge_count(&self) -> usize {
        self.inner.edge_count()
    }

    #[must_use]
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.inner.node_weight(id)
    }

    /// Every node id in order.
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.inner.node_indices()
    }

    /// Nodes of one kind, in id order.
    pub fn nodes_of(&self, kind: Kind) -> impl Iterator<Item = NodeId> + '_ {
        self.inner
            .node_indices()
            .filter(move |n| self.inner[*n].kind.kind() == kind)
    }

    /// Outgoing edges of a node, in id order: `(edge, target)`.
    #[must_use]
    pub fn outgoing(&self, id: NodeId) -> Vec<(Edge, NodeId)> {
        // The graph never removes edges, and petgraph lists a node's edges newest first,
        // so the reversed list is in id order.
        let mut v: Vec<(Edge, NodeId)> = self.out_edges(id).collect();
        v.reverse();
        debug_assert!(self.is_id_ordered(id, Direction::Outgoing));
        v
    }

    /// Outgoing edges of a node, newest first, without collecting them: for callers that
    /// gather into sets and do not need id order.
    pub fn out_edges(&self, id: NodeId) -> impl Iterator<Item = (Edge, NodeId)> + '_ {
        self.inner
            .edges_directed(id, Direction::Outgoing)
            .map(|e| (*e.weight(), e.target()))
    }

    /// Whether petgraph lists the edges of `id` in descending id order (what
    /// [`Graph::outgoing`] and [`Graph::incoming`] rely on).
    fn is_id_ordered(&self, id: NodeId, dir: Direction) -> bool {
        let ids: Vec<_> = self.inner.edges_directed(id, dir).map(|e| e.id()).collect();
        ids.windows(2).all(|w| w[0] > w[1])
    }

    /// Incoming edges of a node, in id order: `(edge, source)`.
    #[must_use]
    pub fn incoming(&self, id: NodeId) -> Vec<(Edge, NodeId)> {
        let mut v: Vec<(Edge, NodeId)> = self
            .inner
            .edges_directed(id, Direction::Incoming)
            .map(|e| (*e.weight(), e.source()))
            .collect();
        v.reverse();
        debug_assert!(self.is_id_ordered(id, Direction::Incoming));
        v
    }

    /// Every edge in id order: `(from, to, edge)`.
    pub fn edges(&self) -> impl Iterator<Item = (NodeId, NodeId, Edge)> + '_ {
        self.inner
            .edge_references()
            .map(|e| (e.source(), e.target(), *e.weight()))
    }

    /// The origin of the edge `from → to` of `kind`, if there is one.
    #[must_use]
    pub fn edge_origin(&self, from: NodeId, to: NodeId, kind: EdgeKind) -> Option<Origin> {
        self.edges_between(from, to)
            .into_iter()
            .find(|e| e.kind == kind)
            .and_then(|e| e.origin)
    }

    /// The edges `from → to`. Both ends' edge lists are walked in step and the shorter
    /// one decides, so the cost is the smaller degree: a workflow of 20,000 jobs has
    /// 20,000 out-edges, a remote action used by every step as many in-edges, and the
    /// path of each of their findings asks for one edge between them.
    #[must_use]
    pub fn edges_between(&self, from: NodeId, to: NodeId) -> Vec<Edge> {
        let mut outgoing = self.inner.edges_directed(from, Direction::Outgoing);
        let mut incoming = self.inner.edges_directed(to, Direction::Incoming);
        let (mut out_hits, mut in_hits) = (Vec::new(), Vec::new());
        loop {
            match outgoing.next() {
                Some(e) if e.target() == to => out_hits.push(*e.weight()),
                Some(_) => {}
                None => return out_hits,
            }
            match incoming.next() {
                Some(e) if e.source() == from => in_hits.push(*e.weight()),
                Some(_) => {}
                None => return in_hits,
            }
        }
    }

    /// Display path of an input.
    #[must_use]
    pub fn path(&self, input: InputId) -> &str {
        self.inputs.get(input.0).map_or("", |i| &*i.path)
    }

    /// Information about every input of the scan, by [`InputId`].
    #[must_use]
    pub fn inputs(&self) -> &[InputInfo] {
        &self.inputs
    }

    /// The location of an origin.
    #[must_use]
    pub fn location(&self, origin: &Origin) -> Location {
        let Some(info) = self.inputs.get(origin.input().0) else {
            return Location {
                path: "".into(),
                span: origin.span(),
                start: LineCol::default(),
                end: LineCol::default(),
            };
        };
        Location {
            path: std::sync::Arc::clone(&info.path),
            span: origin.span(),
            start: info.lines.line_col(origin.span().start()),
            end: info.lines.line_col(origin.span().end()),
        }
    }

    /// The location of a node, when it has one.
    #[must_use]
    pub fn node_location(&self, id: NodeId) -> Option<Location> {
        self.node(id)?.origin.as_ref().map(|o| self.location(o))
    }

    /// The node of an input file (its workflow, local action, lockfile or config node).
    #[must_use]
    pub fn file_node(&self, input: InputId) -> Option<NodeId> {
        self.files.get(&input).copied()
    }

    /// The input for an id (the graph is built from `scan`'s inputs, in their order).
    #[must_use]
    pub fn input<'a>(&self, scan: &'a Scan, id: InputId) -> Option<&'a Input> {
        scan.inputs.get(id.0)
    }

    /// The workflow and job models of a job node.
    #[must_use]
    pub fn job_model<'a>(&'a self, scan: &'a Scan, job: NodeId) -> Option<(&'a Workflow, &'a Job)> {
        let node = self.node(job)?;
        let NodeKind::Job { index, .. } = node.kind else {
            return None;
        };
        let input = self.input(scan, node.origin?.input())?;
        let FileModel::Workflow(wf) = &*input.parsed else {
            return None;
        };
        Some((wf, wf.jobs.get(index)?))
    }

    /// The model of a step node (a workflow step or a composite action's step).
    #[must_use]
    pub fn step_model<'a>(&'a self, scan: &'a Scan, step: NodeId) -> Option<&'a Step> {
        let node = self.node(step)?;
        let NodeKind::Step { job, index, .. } = node.kind else {
            return None;
        };
        let input = self.input(scan, node.origin?.input())?;
        let steps = match (&*input.parsed, job) {
            (FileModel::Workflow(wf), Some(j)) => &wf.jobs.get(j)?.steps,
            (FileModel::Action(a), None) => a.steps(),
            _ => return None,
        };
        steps.iter().find(|s| s.index == index)
    }
}

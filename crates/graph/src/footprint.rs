//! What a per-job analysis can read of the graph, in a form two jobs can be compared by.
//!
//! The job analyses (egress, delivery dependencies) walk down from a job node: its steps,
//! the local composite actions and reusable workflows they call, the commands of their
//! scripts, the lockfiles and registry configuration those install from, and the models
//! of the files behind every node. When the same repository is scanned several times
//! over (forks, vendored copies, a monorepo of templated services), most jobs have a twin
//! that walks the same shapes through files with the same text. Two jobs with equal
//! [`Footprint`]s get the same analysis up to the paths, inputs and nodes of their own
//! files, which a [`Repoint`] maps from one to the other.
//!
//! A footprint lists, in walk order: every node of the job's own files (its kind, the file
//! it comes from and its span), every edge leaving them (its kind, its origin and where it
//! goes: another own node by position, a shared node such as a remote action or a package
//! by id), and every file once (the address of its model, equal for identical text, and
//! its path relative to the job's repository). Lockfiles, registry configuration files
//! and local reusable workflows are not walked into: what they lead to is a function of
//! their model, or (for a called workflow) not read by the job's analyses.

use std::sync::Arc;

use foldhash::HashMap;
use tollgate_model::{Location, Span};
use tollgate_scan::Scan;
use tollgate_scan::local::repo_prefix;

use crate::graph::Graph;
use crate::model::{EdgeKind, InputId, Kind, NodeId, NodeKind, Target};

/// The comparable shape of what a job's analyses read; see the module documentation.
#[derive(Debug)]
pub struct Footprint {
    /// The job's own nodes, in walk order (the job first).
    nodes: Vec<NodeId>,
    /// The files of those nodes and edges, in order of first appearance.
    inputs: Vec<InputId>,
    items: Vec<Item>,
    /// False when the walk reached a file outside the job's repository, or a shared node
    /// defined in one of the job's own files: then a result computed for this job holds
    /// paths that cannot be told apart for mapping, and it is not lent to other jobs.
    lendable: bool,
}

#[derive(Debug, PartialEq, Eq)]
enum Item {
    /// A file: the address of its model and its path within the job's repository.
    Input(usize, Box<str>),
    /// An own node: kind, file (position in `inputs`), span.
    Node(Kind, usize, Option<Span>),
    /// An edge from the last own node: kind, origin, and the target, an own node (by
    /// position) or a shared one (by id).
    EdgeOwn(EdgeKind, Option<(usize, Span)>, usize),
    EdgeShared(EdgeKind, Option<(usize, Span)>, NodeId),
}

/// Nodes that belong to the file they come from; the others (remote actions, images,
/// packages, sources, hosts, secrets, permissions, runners) are shared by every file that
/// names them and keep the origin of the first.
fn is_own(kind: &NodeKind) -> bool {
    match kind {
        NodeKind::Workflow { .. }
        | NodeKind::Trigger { .. }
        | NodeKind::Job { .. }
        | NodeKind::Step { .. }
        | NodeKind::Command { .. }
        | NodeKind::Lockfile { .. }
        | NodeKind::RegistryConfig { .. } => true,
        NodeKind::Action { target, .. } | NodeKind::ReusableWorkflow { target } => {
            matches!(target, Target::Local { .. })
        }
        _ => false,
    }
}

struct Walk<'a> {
    graph: &'a Graph,
    scan: &'a Scan,
    prefix: &'a str,
    fp: Footprint,
    node_pos: HashMap<NodeId, usize>,
    input_pos: HashMap<InputId, usize>,
}

impl Walk<'_> {
    fn input(&mut self, id: InputId) -> usize {
        if let Some(&i) = self.input_pos.get(&id) {
            return i;
        }
        let i = self.fp.inputs.len();
        self.fp.inputs.push(id);
        self.input_pos.insert(id, i);
        let path = self.graph.path(id);
        let model = self
            .graph
            .input(self.scan, id)
            .map_or(0, |input| Arc::as_ptr(&input.parsed) as usize);
        let rel = match path.strip_prefix(self.prefix) {
            Some(rel) => rel,
            None => {
                self.fp.lendable = false;
                path
            }
        };
        self.fp.items.push(Item::Input(model, rel.into()));
        i
    }

    /// Position of an own node, queued for the walk when new.
    fn own(&mut self, id: NodeId, queue: &mut Vec<NodeId>) -> usize {
        if let Some(&i) = self.node_pos.get(&id) {
            return i;
        }
        let i = self.fp.nodes.len();
        self.fp.nodes.push(id);
        self.node_pos.insert(id, i);
        queue.push(id);
        i
    }

    fn visit(&mut self, id: NodeId, queue: &mut Vec<NodeId>) {
        let Some(node) = self.graph.node(id) else {
            return;
        };
        let origin = node.origin.map(|o| (self.input(o.input()), o.span()));
        self.fp.items.push(Item::Node(
            node.kind.kind(),
            origin.map_or(usize::MAX, |o| o.0),
            origin.map(|o| o.1),
        ));
        // What lockfiles and registry configuration files lead to follows from their
        // model, and the analyses do not look inside a local reusable workflow a job
        // calls (its own jobs are analysed on their own); another job's `needs:` is not
        // read either.
        if matches!(
            node.kind.kind(),
            Kind::Lockfile | Kind::RegistryConfig | Kind::Workflow
        ) {
            return;
        }
        for (e, t) in self.graph.outgoing(id) {
            if e.kind == EdgeKind::Needs {
                continue;
            }
            let origin = e.origin.map(|o| (self.input(o.input()), o.span()));
            let Some(target) = self.graph.node(t) else {
                continue;
            };
            if is_own(&target.kind) {
                let pos = self.own(t, queue);
                self.fp.items.push(Item::EdgeOwn(e.kind, origin, pos));
            } else {
                self.fp.items.push(Item::EdgeShared(e.kind, origin, t));
            }
        }
    }
}

impl Footprint {
    /// Whether a result computed for the job of `self` holds for the job of `other`
    /// (after [`Repoint`]).
    #[must_use]
    pub fn lends_to(&self, other: &Self) -> bool {
        self.lendable && self.items == other.items
    }
}

impl Graph {
    /// The footprint of a job node; `None` for a node that is not a job.
    #[must_use]
    pub fn footprint(&self, scan: &Scan, job: NodeId) -> Option<Footprint> {
        let node = self.node(job)?;
        if !matches!(node.kind, NodeKind::Job { .. }) {
            return None;
        }
        let origin = node.origin?;
        let mut walk = Walk {
            graph: self,
            scan,
            prefix: repo_prefix(self.path(origin.input())),
            fp: Footprint {
                nodes: Vec::new(),
                inputs: Vec::new(),
                items: Vec::new(),
                lendable: true,
            },
            node_pos: HashMap::default(),
            input_pos: HashMap::default(),
        };
        let mut queue = Vec::new();
        walk.own(job, &mut queue);
        let mut next = 0;
        while let Some(&id) = queue.get(next) {
            next += 1;
            walk.visit(id, &mut queue);
        }
        // A shared node defined in one of the job's own files: its location would be
        // mapped to the twin's copy, where the twin itself would report the first one.
        for item in &walk.fp.items {
            if let Item::EdgeShared(_, _, t) = item
                && let Some(o) = self.node(*t).and_then(|n| n.origin)
                && walk.input_pos.contains_key(&o.input())
            {
                walk.fp.lendable = false;
            }
        }
        Some(walk.fp)
    }
}

/// Maps a result computed for one job onto its twin (see [`Footprint::lends_to`]): the
/// nodes, inputs and paths of the first job's own files to those of the second.
#[derive(Debug)]
pub struct Repoint {
    nodes: HashMap<NodeId, NodeId>,
    inputs: HashMap<InputId, InputId>,
    /// Display paths, longest first, so that a path is replaced before any shorter one
    /// that is a prefix of it.
    paths: Vec<(Arc<str>, Arc<str>)>,
    /// The longest prefix common to the paths mapped from: a text without it names none.
    /// Searched for in every label of a lent result, so built once.
    common: memchr::memmem::Finder<'static>,
}

impl Repoint {
    /// From the job of `from` to the job of `to`, two footprints for which
    /// `from.lends_to(to)` holds.
    #[must_use]
    pub fn new(graph: &Graph, from: &Footprint, to: &Footprint) -> Self {
        let nodes = from.nodes.iter().copied().zip(to.nodes.iter().copied());
        let inputs = from.inputs.iter().copied().zip(to.inputs.iter().copied());
        let paths: Vec<(Arc<str>, Arc<str>)> = from
            .inputs
            .iter()
            .zip(&to.inputs)
            .filter_map(|(a, b)| {
                let (a, b) = (graph.inputs().get(a.0)?, graph.inputs().get(b.0)?);
                (a.path != b.path).then(|| (Arc::clone(&a.path), Arc::clone(&b.path)))
            })
            .collect();
        Self::with_paths(
            nodes.filter(|(a, b)| a != b).collect(),
            inputs.filter(|(a, b)| a != b).collect(),
            paths,
        )
    }

    fn with_paths(
        nodes: HashMap<NodeId, NodeId>,
        inputs: HashMap<InputId, InputId>,
        mut paths: Vec<(Arc<str>, Arc<str>)>,
    ) -> Self {
        paths.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        let common = paths.iter().map(|(p, _)| &**p).reduce(|a, b| {
            let n = a
                .char_indices()
                .zip(b.chars())
                .take_while(|((_, x), y)| x == y)
                .last()
                .map_or(0, |((i, x), _)| i + x.len_utf8());
            &a[..n]
        });
        Self {
            common: memchr::memmem::Finder::new(common.unwrap_or_default()).into_owned(),
            nodes,
            inputs,
            paths,
        }
    }

    #[must_use]
    pub fn node(&self, id: NodeId) -> NodeId {
        self.nodes.get(&id).copied().unwrap_or(id)
    }

    #[must_use]
    pub fn input(&self, id: InputId) -> InputId {
        self.inputs.get(&id).copied().unwrap_or(id)
    }

    /// A location into one of the first job's files, moved to the same place in the
    /// second job's copy (same span, line and column: the files have the same text).
    pub fn location(&self, at: &mut Location) {
        if let Some((_, to)) = self.paths.iter().find(|(from, _)| *from == at.path) {
            at.path = Arc::clone(to);
        }
    }

    pub fn opt_location(&self, at: &mut Option<Location>) {
        if let Some(at) = at {
            self.location(at);
        }
    }

    /// A copy of `at` in the second job's files. Takes the second path's `Arc` directly:
    /// cloning the first one and replacing it would touch the count of a path that every
    /// twin shares, from every thread.
    #[must_use]
    pub fn location_of(&self, at: &Location) -> Location {
        let path = self
            .paths
            .iter()
            .find(|(from, _)| *from == at.path)
            .map_or(&at.path, |(_, to)| to);
        Location {
            path: Arc::clone(path),
            ..*at
        }
    }

    /// [`Self::location_of`] for an optional location.
    #[must_use]
    pub fn opt_location_of(&self, at: Option<&Location>) -> Option<Location> {
        at.map(|at| self.location_of(at))
    }

    /// A copy of `s` with [`Self::text`] applied.
    #[must_use]
    pub fn text_of(&self, s: &str) -> String {
        let mut s = s.to_owned();
        self.text(&mut s);
        s
    }

    /// A text that may name the first job's files (a display path, a message quoting
    /// one): each of them replaced by the second job's.
    pub fn text(&self, s: &mut String) {
        if self.paths.is_empty() {
            return;
        }
        let Some(first) = self.common.find(s.as_bytes()) else {
            return;
        };
        if self.common.needle().is_empty() {
            // No prefix shared by the paths: replace each in turn.
            for (from, to) in &self.paths {
                if s.contains(&**from) {
                    *s = s.replace(&**from, to);
                }
            }
            return;
        }
        // Every path starts with the common prefix, so a path can only start where the
        // prefix does: one pass over its occurrences, longest path first at each (the
        // text is valid UTF-8, and so is the prefix, so each occurrence is on a char
        // boundary).
        let mut out = String::new();
        let (mut copied, mut at) = (0, first);
        loop {
            let rest = &s[at..];
            if let Some((from, to)) = self.paths.iter().find(|(f, _)| rest.starts_with(&**f)) {
                out.push_str(&s[copied..at]);
                out.push_str(to);
                copied = at + from.len();
            }
            let next = at + rest.chars().next().map_or(1, char::len_utf8);
            let from = copied.max(next);
            match s.get(from..).and_then(|r| self.common.find(r.as_bytes())) {
                Some(k) => at = from + k,
                None => break,
            }
        }
        if copied > 0 {
            out.push_str(&s[copied..]);
            *s = out;
        }
    }
}

/// Which jobs are twins of an earlier job (equal footprints, see [`Footprint::lends_to`])
/// and the map from that job to each of them. Worked out once per graph and used by every
/// per-job analysis that shares results ([`share_per_job`]): the footprints and the
/// maps are the expensive part, and they do not depend on the analysis.
#[derive(Debug, Default)]
pub struct Twins {
    /// For a job that may take an earlier job's result: that job and the map onto it.
    follows: HashMap<NodeId, (NodeId, Arc<Repoint>)>,
}

impl Twins {
    /// The twins among `jobs`. Each job whose footprint an earlier lendable job's equals
    /// follows the first such job, in the order of `jobs`.
    #[must_use]
    pub fn new(graph: &Graph, scan: &Scan, jobs: &[NodeId]) -> Self {
        use rayon::prelude::*;
        let prints: Vec<Option<(Footprint, (usize, String))>> = jobs
            .par_iter()
            .map(|&job| Some((graph.footprint(scan, job)?, job_key(graph, scan, job)?)))
            .collect();
        // Grouped in order, so which job leads does not depend on the thread count.
        let mut leads: HashMap<&(usize, String), Vec<usize>> = HashMap::default();
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for (i, entry) in prints.iter().enumerate() {
            let Some((fp, key)) = entry else { continue };
            let list = leads.entry(key).or_default();
            let lead = list.iter().copied().find(|&l| {
                prints[l]
                    .as_ref()
                    .is_some_and(|(from, _)| from.lends_to(fp))
            });
            match lead {
                Some(l) => pairs.push((i, l)),
                None if fp.lendable => list.push(i),
                None => {}
            }
        }
        let follows = pairs
            .par_iter()
            .filter_map(|&(i, l)| {
                let (to, from) = (&prints[i].as_ref()?.0, &prints[l].as_ref()?.0);
                let map = Repoint::new(graph, from, to);
                Some((jobs[i], (jobs[l], Arc::new(map))))
            })
            .collect();
        Self { follows }
    }

    /// The job whose result `job` may take, and the map onto `job`.
    #[must_use]
    pub fn lender(&self, job: NodeId) -> Option<(NodeId, &Repoint)> {
        self.follows.get(&job).map(|(l, rp)| (*l, &**rp))
    }

    /// How many jobs may take another job's result.
    #[must_use]
    pub fn len(&self) -> usize {
        self.follows.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.follows.is_empty()
    }
}

/// Run a per-job analysis over `jobs` in parallel, computing it once for each set of
/// twins (jobs with equal footprints, worked out beforehand by [`Twins::new`] and shared
/// between analyses) and mapping that result onto the others.
///
/// `compute` returns the result and whether it may be lent (false when it read
/// something the footprint does not cover, such as the file system); `repoint` maps a
/// result onto a twin. Results come back in the order of `jobs`.
///
/// Jobs that follow no other job in `jobs` are computed first, in parallel; then each
/// follower takes its lender's result, mapped, when that result may be lent, and is
/// computed on its own otherwise.
pub fn share_per_job<T, C, R>(
    twins: &Twins,
    jobs: &[NodeId],
    compute: C,
    repoint: R,
) -> Vec<(NodeId, Option<T>)>
where
    T: Send + Sync,
    C: Fn(NodeId) -> Option<(T, bool)> + Sync,
    R: Fn(&T, &Repoint) -> T + Sync,
{
    use rayon::prelude::*;
    let position: HashMap<NodeId, usize> = jobs.iter().enumerate().map(|(i, &j)| (j, i)).collect();
    let lender = |job: NodeId| {
        let (lead, map) = twins.lender(job)?;
        Some((*position.get(&lead)?, map))
    };
    // One task per job: a job's analysis can be a hundred times another's.
    let first: Vec<Option<Option<(T, bool)>>> = jobs
        .par_iter()
        .with_max_len(1)
        .map(|&job| match lender(job) {
            Some(_) => None,
            None => Some(compute(job)),
        })
        .collect();
    let second: Vec<Option<(T, bool)>> = jobs
        .par_iter()
        .zip(&first)
        .map(|(&job, done)| {
            if done.is_some() {
                return None;
            }
            let (lead, map) = lender(job)?;
            match &first[lead] {
                Some(Some((t, true))) => Some((repoint(t, map), true)),
                _ => compute(job),
            }
        })
        .collect();
    jobs.iter()
        .zip(first.into_iter().zip(second))
        .map(|(&job, (done, later))| (job, done.flatten().or(later).map(|(t, _)| t)))
        .collect()
}

/// The model of a job's file and the job's id: only jobs that agree on both can be twins.
fn job_key(graph: &Graph, scan: &Scan, job: NodeId) -> Option<(usize, String)> {
    let node = graph.node(job)?;
    let NodeKind::Job { id, .. } = &node.kind else {
        return None;
    };
    let input = graph.input(scan, node.origin?.input())?;
    Some((Arc::as_ptr(&input.parsed) as usize, id.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repoint(paths: &[(&str, &str)]) -> Repoint {
        Repoint::with_paths(
            HashMap::default(),
            HashMap::default(),
            paths
                .iter()
                .map(|(a, b)| (Arc::from(*a), Arc::from(*b)))
                .collect(),
        )
    }

    #[test]
    fn paths_in_a_text_are_replaced_in_one_pass() {
        let rp = repoint(&[
            (
                "c0/r/.github/workflows/ci.yml",
                "c1/r/.github/workflows/ci.yml",
            ),
            ("c0/r/.github/actions/a", "c1/r/.github/actions/a"),
            (
                "c0/r/.github/actions/a/action.yml",
                "c1/r/.github/actions/a/action.yml",
            ),
        ]);
        assert_eq!(rp.text_of("nothing here"), "nothing here");
        assert_eq!(
            rp.text_of("c0/r/.github/other.yml"),
            "c0/r/.github/other.yml"
        );
        assert_eq!(
            rp.text_of(
                "job in `c0/r/.github/workflows/ci.yml` uses c0/r/.github/actions/a/action.yml"
            ),
            "job in `c1/r/.github/workflows/ci.yml` uses c1/r/.github/actions/a/action.yml"
        );
        // The longest path that starts at a place wins; the shorter one elsewhere.
        assert_eq!(
            rp.text_of("c0/r/.github/actions/a (é) c0/r/.github/actions/a/action.yml"),
            "c1/r/.github/actions/a (é) c1/r/.github/actions/a/action.yml"
        );
        assert_eq!(
            rp.text_of("ééc0/r/.github/workflows/ci.ymlc0/r/.github/workflows/ci.yml"),
            "ééc1/r/.github/workflows/ci.ymlc1/r/.github/workflows/ci.yml"
        );
    }

    #[test]
    fn a_replacement_is_not_replaced_again() {
        // The second job's path holds the first's: replaced once, not twice.
        let rp = repoint(&[("a/.github/w.yml", "b/a/.github/w.yml")]);
        assert_eq!(rp.text_of("see a/.github/w.yml"), "see b/a/.github/w.yml");
    }

    #[test]
    fn paths_without_a_common_prefix() {
        let rp = repoint(&[("a/x.yml", "c/x.yml"), ("é/y.yml", "d/y.yml")]);
        assert_eq!(rp.text_of("a/x.yml and é/y.yml"), "c/x.yml and d/y.yml");
    }
}

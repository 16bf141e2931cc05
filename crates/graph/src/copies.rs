//! Workflows and actions copied between repositories (forks, vendored copies, templated
//! services) have the same text, so their fragments differ only in what depends on
//! where the file stands: its own input and path, the inputs its lookups found (local
//! actions, lockfiles and registry configuration next to a command) and the paths of
//! references that were not found. The merge keeps what it needs of the first file's
//! fragment (an [`Original`]) and, for each later copy, asks the lookups again from the
//! copy's repository. When each gives the same answer there (an input of the same kind
//! at the same path within the repository, or nothing), the copy's nodes and edges are
//! the first file's, moved to the copy: the same graph as building the copy's own
//! fragment, without building it, and without hashing its shared nodes' keys again.

use foldhash::HashMap;
use tollgate_scan::Input;
use tollgate_scan::local::repo_prefix;

use super::{Graph, Merge, Pending, Res};
use crate::fragment::{FRef, Fragment, Key, Lookup};
use crate::model::{EdgeKind, InputId, Node, NodeId, NodeKind, Origin, Target};
use crate::resolve::{Resolution, Resolver, dir_of};

/// What a copy takes from one fragment node.
enum Part {
    /// A node of the file alone (a job, a step, a command): added again for the copy.
    Own,
    /// A node shared by key that does not depend on the file's place (a remote action,
    /// a package, a host): the copy's is the same node.
    Shared,
    /// The file's own node (keyed by its input).
    File,
    /// A local reference that was not found, keyed by root and path: the key, the node
    /// and its origin as the fragment had them.
    Missing(Key, NodeKind, Option<Origin>),
    /// Another input's node defined here: not a shape a copy can follow.
    Foreign,
}

/// The shape of a fragment that later inputs copy, once merged: per node, the graph node
/// it became and what a copy takes from it; parents and edges by fragment position or
/// key; and the fragment's lookups.
pub(super) struct Original {
    nodes: Vec<(NodeId, Part)>,
    parents: Vec<(usize, FRef)>,
    edges: Vec<(FRef, FRef, EdgeKind, Option<Origin>)>,
    lookups: Vec<Lookup>,
}

impl Original {
    /// Taken from a fragment (its lookups moved out) before its nodes move into the
    /// graph; `ids` follow later.
    pub(super) fn of(frag: &mut Fragment) -> Self {
        let nodes = frag
            .nodes
            .iter()
            .map(|n| {
                let part = match &n.key {
                    None => Part::Own,
                    Some(Key::File(f)) if *f == frag.id => Part::File,
                    Some(Key::File(_)) => Part::Foreign,
                    Some(k @ Key::Missing(..)) => {
                        Part::Missing(k.clone(), n.kind.clone(), n.origin)
                    }
                    Some(_) => Part::Shared,
                };
                (NodeId::new(0), part)
            })
            .collect();
        Self {
            nodes,
            parents: frag
                .nodes
                .iter()
                .enumerate()
                .filter_map(|(i, n)| n.parent.clone().map(|p| (i, p)))
                .collect(),
            edges: frag
                .edges
                .iter()
                .map(|e| (e.from.clone(), e.to.clone(), e.kind, e.origin))
                .collect(),
            lookups: std::mem::take(&mut frag.lookups),
        }
    }

    /// The graph nodes the fragment's nodes became, in fragment order.
    pub(super) fn set_ids(&mut self, ids: &[NodeId]) {
        for ((slot, _), id) in self.nodes.iter_mut().zip(ids) {
            *slot = *id;
        }
    }
}

/// How the first file's inputs and paths map onto a copy's.
struct CopyMap {
    inputs: HashMap<InputId, InputId>,
    /// Normalised paths of local references not found.
    missing: HashMap<String, String>,
    root: usize,
    path: String,
    dir: String,
}

impl CopyMap {
    fn input(&mut self, from: InputId, to: InputId) -> Option<()> {
        match self.inputs.insert(from, to) {
            Some(prev) if prev != to => None,
            _ => Some(()),
        }
    }

    fn key(&self, k: &Key) -> Option<Key> {
        Some(match k {
            Key::File(f) => Key::File(*self.inputs.get(f)?),
            Key::Missing(_, p, wf) => Key::Missing(
                self.root,
                self.missing.get(p).cloned().unwrap_or_else(|| p.clone()),
                *wf,
            ),
            other => other.clone(),
        })
    }

    fn origin(&self, o: Option<Origin>, id: InputId) -> Option<Origin> {
        o.map(|o| o.in_input(id))
    }

    /// The copy's version of a node that names the first file's paths.
    fn kind(&self, kind: &NodeKind) -> NodeKind {
        let mut kind = kind.clone();
        match &mut kind {
            NodeKind::Workflow { path, .. } => path.clone_from(&self.path),
            NodeKind::Action { target, .. } | NodeKind::ReusableWorkflow { target } => {
                if let Target::Local { path, file } = target {
                    if file.is_some() {
                        path.clone_from(&self.dir);
                        *file = Some(self.path.clone());
                    } else if let Some(p) = self.missing.get(path) {
                        path.clone_from(p);
                    }
                }
            }
            _ => {}
        }
        kind
    }
}

/// The input's repository prefix and its path within it; `None` for a file that is not
/// in a repository below the scan root (its lookups cannot be moved).
pub(super) fn place(display: &str) -> Option<(&str, &str)> {
    let prefix = repo_prefix(display);
    (!prefix.is_empty()).then(|| (prefix, &display[prefix.len()..]))
}

/// Ask `lookups`, made from `from`, again from `to`: the map from one to the other when
/// every answer agrees (see the module documentation).
fn replay(
    lookups: &[Lookup],
    all: &[(InputId, &Input)],
    (from_id, from): (InputId, &Input),
    (to_id, to): (InputId, &Input),
    resolver: &Resolver,
) -> Option<CopyMap> {
    let (from_prefix, rel) = place(&from.source.display)?;
    let (to_prefix, to_rel) = place(&to.source.display)?;
    if rel != to_rel {
        return None;
    }
    let display = |id: InputId| all.get(id.0).map(|(_, i)| i.source.display.as_str());
    // The same file of the other repository: same kind, same path within it.
    let same = |a: InputId, b: InputId| -> bool {
        let (Some(x), Some(y)) = (display(a), display(b)) else {
            return false;
        };
        resolver.kind(a).is_some()
            && resolver.kind(a) == resolver.kind(b)
            && x.strip_prefix(from_prefix)
                .zip(y.strip_prefix(to_prefix))
                .is_some_and(|(x, y)| x == y)
    };
    // A path of the first repository, moved to the copy's.
    let (from_top, to_top) = (
        from_prefix.trim_end_matches('/'),
        to_prefix.trim_end_matches('/'),
    );
    let moved = |p: &str| -> Option<String> {
        if p == from_top {
            Some(to_top.to_owned())
        } else {
            p.strip_prefix(from_prefix)
                .map(|rest| format!("{to_prefix}{rest}"))
        }
    };
    let mut map = CopyMap {
        inputs: HashMap::default(),
        missing: HashMap::default(),
        root: to.root,
        path: to.source.display.clone(),
        dir: dir_of(&to.source.display).to_owned(),
    };
    map.input(from_id, to_id)?;
    for l in lookups {
        match l {
            Lookup::Resolve {
                path,
                workflow,
                found,
            } => match (found, resolver.resolve(to, path, *workflow)) {
                (Resolution::Found(a), Resolution::Found(b)) if same(*a, b) => map.input(*a, b)?,
                (Resolution::Missing(a), Resolution::Missing(b)) if moved(a)? == b => {
                    map.missing.insert(a.clone(), b);
                }
                (Resolution::Outside, Resolution::Outside) => {}
                _ => return None,
            },
            Lookup::File { path, found } => match (found, resolver.file(to.root, &moved(path)?)) {
                (Some(a), Some(b)) if same(*a, b) => map.input(*a, b)?,
                (None, None) => {}
                _ => return None,
            },
            Lookup::InDir { dir, found } => {
                let there = resolver.in_dir(to.root, &moved(dir)?);
                if there.len() != found.len() {
                    return None;
                }
                for (a, b) in found.iter().zip(there) {
                    if !same(*a, *b) {
                        return None;
                    }
                    map.input(*a, *b)?;
                }
            }
        }
    }
    Some(map)
}

impl Graph {
    /// Merge input `to` as a copy of the earlier input `from` (same text and kind), from
    /// `from`'s [`Original`]. False, with nothing changed, when the copy's lookups do not
    /// give the same answers: its fragment is then built as any other.
    pub(super) fn absorb_copy(
        &mut self,
        to: InputId,
        from: InputId,
        m: &mut Merge,
        all: &[(InputId, &Input)],
        resolver: &Resolver,
    ) -> bool {
        let (Some(original), Some(&(_, a)), Some(&(_, b))) =
            (m.originals.get(&from), all.get(from.0), all.get(to.0))
        else {
            return false;
        };
        let Some(map) = replay(&original.lookups, all, (from, a), (to, b), resolver) else {
            return false;
        };
        // Every key the copy refers to must map (a file its lookups did not find would
        // not); checked before anything is added.
        let refs_map = original
            .edges
            .iter()
            .flat_map(|(f, t, ..)| [f, t])
            .chain(original.parents.iter().map(|(_, p)| p))
            .all(|r| match r {
                FRef::Local(_) => true,
                FRef::Key(k) => map.key(k).is_some(),
            })
            && original.nodes.iter().all(|(first, part)| match part {
                Part::Foreign => false,
                Part::Own | Part::File => self.inner.node_weight(*first).is_some(),
                Part::Shared | Part::Missing(..) => true,
            });
        if !refs_map {
            return false;
        }
        let mut ids = Vec::with_capacity(original.nodes.len());
        for (first, part) in &original.nodes {
            let id = match part {
                Part::Shared => *first,
                Part::Own | Part::File => {
                    let Some(node) = self.inner.node_weight(*first) else {
                        return false;
                    };
                    let node = Node {
                        kind: if matches!(part, Part::File) {
                            map.kind(&node.kind)
                        } else {
                            node.kind.clone()
                        },
                        origin: map.origin(node.origin, to),
                        parent: None,
                    };
                    let id = self.inner.add_node(node);
                    if matches!(part, Part::File) {
                        self.files.entry(to).or_insert(id);
                        m.keyed.insert(Key::File(to), id);
                    }
                    id
                }
                Part::Foreign => return false,
                Part::Missing(key, kind, origin) => {
                    let Some(key) = map.key(key) else {
                        return false;
                    };
                    if let Some(&id) = m.keyed.get(&key) {
                        id
                    } else {
                        let id = self.inner.add_node(Node {
                            kind: map.kind(kind),
                            origin: map.origin(*origin, to),
                            parent: None,
                        });
                        m.keyed.insert(key, id);
                        id
                    }
                }
            };
            ids.push(id);
        }
        // Captures the key tables only, so entries go straight to `m.pending`.
        let mut res = |r: &FRef| match r {
            FRef::Local(i) => ids.get(*i).map(|&id| Res::id(id)),
            FRef::Key(k) => map.key(k).map(|k| Res::of_key(&m.keyed, &mut m.later, k)),
        };
        for (i, p) in &original.parents {
            if let (Some(&id), Some(p)) = (ids.get(*i), res(p)) {
                m.pending.push(Pending::parent(id, p));
            }
        }
        for (f, t, kind, origin) in &original.edges {
            if let (Some(from), Some(target)) = (res(f), res(t)) {
                m.pending
                    .push(Pending::edge(from, target, *kind, map.origin(*origin, to)));
            }
        }
        true
    }
}

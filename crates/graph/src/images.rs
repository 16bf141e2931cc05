//! Container images as graph facts: the pin state of an image node, the images a job or
//! composite action pulls with whether it built them itself first, and the steps whose
//! scripts may build images out of sight. `unpinned-image` is a query over these.

use std::collections::HashSet;

use crate::graph::Graph;
use crate::model::{EdgeKind, ImagePin, Kind, NodeId, NodeKind, Origin};

/// One `pulls` edge of a job or composite action, seen in step order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImagePull {
    /// Where the edge starts: the job (container, services), the local action
    /// (`runs.image`), a step (`uses: docker://…`) or a command of a `run:` script.
    pub from: NodeId,
    /// The image node pulled.
    pub image: NodeId,
    /// Where the image is named.
    pub origin: Option<Origin>,
    pub pin: ImagePin,
    /// A command pull of an image the same job (or composite action) builds itself
    /// (`docker build -t` in this step, anywhere in it, or an earlier one), matched by
    /// the full tag or by the name before the tag's first `:`.
    pub built: bool,
    /// A command pull in a job after a step whose script runs another tool naming
    /// docker ([`Graph::runs_image_script`]): the image may have been built there.
    pub after_image_script: bool,
    /// The index of the step the pull is in (`uses: docker://` or a command of its
    /// script); `None` for the owner's own edges (container, services, `runs.image`).
    /// Lets a rule read what earlier steps did (an action that loads an image it built).
    pub step: Option<usize>,
}

impl Graph {
    /// The pin state of an image node; `None` for a node that is not an image.
    #[must_use]
    pub fn image_pin(&self, image: NodeId) -> Option<ImagePin> {
        match &self.node(image)?.kind {
            NodeKind::Image { reference } => Some(ImagePin::of(reference)),
            _ => None,
        }
    }

    /// Whether the `run:` script of `step` runs a command other than docker or podman
    /// that names docker in an argument (`pnpm build:docker`, `make docker-image`).
    #[must_use]
    pub fn runs_image_script(&self, step: NodeId) -> bool {
        self.image_scripts.binary_search(&step).is_ok()
    }

    /// The images `owner` (a job or a local composite or docker action node) pulls,
    /// through its own edges, its steps' `uses: docker://` and its steps' commands, in
    /// step order; each edge once (the graph keeps one edge per source and image).
    #[must_use]
    pub fn image_pulls(&self, owner: NodeId) -> Vec<ImagePull> {
        // Each source's edges in the order they are written (the graph lists a node's
        // edges newest first).
        let pull = |from: NodeId, after: bool, step: Option<usize>, out: &mut Vec<ImagePull>| {
            let mut edges: Vec<_> = self.out_edges(from).collect();
            edges.sort_by_key(|(e, image)| (e.origin, *image));
            for (e, image) in edges {
                if e.kind == EdgeKind::Pulls && self.is(image, Kind::Image) {
                    out.push(ImagePull {
                        from,
                        image,
                        origin: e.origin,
                        pin: self.image_pin(image).unwrap_or(ImagePin::RunTime),
                        built: false,
                        after_image_script: after,
                        step,
                    });
                }
            }
        };
        let mut out = Vec::new();
        pull(owner, false, None, &mut out);
        let job = self.is(owner, Kind::Job);
        let mut steps: Vec<(usize, NodeId)> = self
            .out_edges(owner)
            .filter(|(e, _)| e.kind == EdgeKind::Contains)
            .filter_map(|(_, t)| match self.node(t)?.kind {
                NodeKind::Step { index, .. } => Some((index, t)),
                _ => None,
            })
            .collect();
        steps.sort_unstable();
        // Tags built so far (in this step or earlier ones), with their names before the
        // first `:`.
        let mut built: HashSet<&str> = HashSet::new();
        let mut scripted = false;
        for (index, step) in steps {
            pull(step, false, Some(index), &mut out);
            let mut commands: Vec<NodeId> = self
                .out_edges(step)
                .filter(|(e, t)| e.kind == EdgeKind::Runs && self.is(*t, Kind::Command))
                .map(|(_, t)| t)
                .collect();
            // Command nodes are made in script order.
            commands.sort_unstable();
            for &c in &commands {
                for (e, t) in self.out_edges(c) {
                    if e.kind == EdgeKind::Builds
                        && let Some(NodeKind::Image { reference }) = self.node(t).map(|n| &n.kind)
                    {
                        built.insert(reference);
                        if let Some(name) = reference.split(':').next() {
                            built.insert(name);
                        }
                    }
                }
            }
            let start = out.len();
            for &c in &commands {
                pull(c, scripted, Some(index), &mut out);
            }
            for p in &mut out[start..] {
                p.built = matches!(
                    self.node(p.image).map(|n| &n.kind),
                    Some(NodeKind::Image { reference }) if built.contains(reference.as_str())
                );
            }
            scripted = scripted || (job && self.runs_image_script(step));
        }
        out
    }

    /// Image nodes that only `builds` edges lead to (images jobs build and nothing
    /// pulls), sorted: left out of diagrams and of what a job depends on.
    #[must_use]
    pub fn built_only_images(&self) -> Vec<NodeId> {
        let mut built = Vec::new();
        let mut pulled = HashSet::new();
        for (_, to, e) in self.edges() {
            if e.kind == EdgeKind::Builds {
                built.push(to);
            } else if self.is(to, Kind::Image) {
                pulled.insert(to);
            }
        }
        built.retain(|n| !pulled.contains(n));
        built.sort_unstable();
        built.dedup();
        built
    }
}

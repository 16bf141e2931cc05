//! The egress pass: the outbound destinations of every job, derived once and written into
//! the graph, so that `check`, `graph`, `inventory` and `egress` read the same hosts.
//!
//! For every job with steps, each destination outside GitHub's own service becomes a
//! `host` node with a `reaches` edge from the job, created at the place that names it (the
//! URL in a script, the `uses:` value, the lockfile entry, the image). A host found by
//! following a step into a Makefile, a script or a Dockerfile also gets the path through
//! that file: a `runs` edge from the step's command (or step) to the file's node, and a
//! `reaches` edge from the file to the host, or, in a Makefile, a `contains` edge to the
//! `make-target` node of the rule whose recipe needs it and a `reaches` edge from there.
//! GitHub's own
//! service endpoints, which every job reaches, stay out of the graph: they are in the
//! record with their provenance. The whole analysis (provenance, unresolved destinations,
//! unknown actions, harden-runner steps) is the pass's record, [`crate::Egress`].

use tollgate_graph::{EdgeKind, Graph, NodeId, NodeKind, Origin};
use tollgate_model::{Diagnostic, Location};
use tollgate_scan::Scan;

use crate::{Egress, infer};

/// The egress pass (see the module documentation).
pub struct Pass;

impl tollgate_graph::Pass for Pass {
    fn name(&self) -> &'static str {
        "egress"
    }

    fn run(&self, scan: &Scan, graph: &mut Graph) -> Vec<Diagnostic> {
        let jobs = infer::analyze_jobs(scan, graph);
        graph.reserve_edges(jobs.iter().map(|(_, e)| e.destinations.len()).sum());
        let mut through = Through {
            scan,
            seen: std::collections::HashSet::new(),
            targets: std::collections::HashMap::new(),
        };
        for (job, e) in &jobs {
            // Destinations are sorted by host, then port: one edge per host.
            let mut last: Option<&str> = None;
            for d in e.external() {
                if last == Some(d.host.as_str()) {
                    continue;
                }
                last = Some(&d.host);
                let origin = d
                    .provenance
                    .iter()
                    .filter(|p| !p.platform)
                    .find_map(|p| p.location.as_ref())
                    .and_then(|l| origin_of(graph, l));
                let host = graph.host_node(&d.host, origin);
                graph.add_edge(*job, host, EdgeKind::Reaches, origin);
                for p in d.provenance.iter().filter(|p| !p.platform) {
                    through.followed(graph, p, host);
                }
            }
        }
        graph.set_record(Egress {
            jobs: jobs.into_iter().map(|(_, e)| e).collect(),
        });
        Vec::new()
    }
}

/// The paths through followed files, each edge and target node added once.
struct Through<'a> {
    scan: &'a Scan,
    /// (from, to, kind) of the edges added.
    seen: std::collections::HashSet<(NodeId, NodeId, EdgeKind)>,
    /// The `make-target` node of (Makefile node, rule index).
    targets: std::collections::HashMap<(NodeId, usize), NodeId>,
}

impl Through<'_> {
    fn edge(
        &mut self,
        graph: &mut Graph,
        from: NodeId,
        to: NodeId,
        kind: EdgeKind,
        at: Option<Origin>,
    ) {
        if self.seen.insert((from, to, kind)) {
            graph.add_edge(from, to, kind, at);
        }
    }

    /// The path step → followed file (→ Makefile target) → host of a reason found in a
    /// Makefile, a script or a Dockerfile the step runs (its location is in that file,
    /// its step in the workflow).
    fn followed(&mut self, graph: &mut Graph, p: &crate::Provenance, host: NodeId) {
        let (Some(at), Some(step)) = (&p.location, p.step()) else {
            return;
        };
        if at.path == step.path {
            return;
        }
        let Some(input) = graph.input_id(&at.path) else {
            return;
        };
        let Some(file) = graph.file_node(input).filter(|&n| {
            matches!(
                graph.node(n).map(|n| &n.kind),
                Some(NodeKind::Script { .. } | NodeKind::Dockerfile { .. })
            )
        }) else {
            return;
        };
        let Some(mut from) = graph.enclosing(&step.path, step.span) else {
            return;
        };
        // step → each file between (a Dockerfile whose `RUN make` led on) → the file.
        let mut runs = origin_of(graph, step);
        for hop in p.via() {
            let Some(mid) = graph
                .input_id(&hop.path)
                .and_then(|i| graph.file_node(i))
                .filter(|&n| n != file)
            else {
                continue;
            };
            self.edge(graph, from, mid, EdgeKind::Runs, runs);
            from = mid;
            runs = origin_of(graph, hop);
        }
        self.edge(graph, from, file, EdgeKind::Runs, runs);
        let reaches = origin_of(graph, at);
        let via = self.make_target(graph, input, file, at).unwrap_or(file);
        self.edge(graph, via, host, EdgeKind::Reaches, reaches);
    }

    /// The `make-target` node of the Makefile rule whose recipe holds `at`, added with
    /// its `contains` edge from the Makefile's node the first time.
    fn make_target(
        &mut self,
        graph: &mut Graph,
        input: tollgate_graph::InputId,
        file: NodeId,
        at: &Location,
    ) -> Option<NodeId> {
        let tollgate_scan::FileModel::Script(s) = &*graph.input(self.scan, input)?.parsed else {
            return None;
        };
        let make = s.make.as_ref()?;
        let k = make.rules.iter().position(|r| {
            r.recipe
                .iter()
                .any(|l| l.span.start() <= at.span.start() && at.span.end() <= l.span.end())
        })?;
        if let Some(&n) = self.targets.get(&(file, k)) {
            return Some(n);
        }
        let rule = &make.rules[k];
        let origin = Some(Origin::new(input, rule.span));
        let node = graph.add_node(
            NodeKind::MakeTarget {
                path: at.path.to_string(),
                target: rule.targets.join(" "),
            },
            origin,
        );
        self.targets.insert((file, k), node);
        self.edge(graph, file, node, EdgeKind::Contains, origin);
        Some(node)
    }
}

fn origin_of(graph: &Graph, at: &Location) -> Option<Origin> {
    Some(Origin::new(graph.input_id(&at.path)?, at.span))
}

/// The egress of every job, as the egress pass recorded it in `graph` (empty for a graph
/// built without the pass).
#[must_use]
pub fn of(graph: &Graph) -> &Egress {
    static EMPTY: Egress = Egress { jobs: Vec::new() };
    graph.record::<Egress>().unwrap_or(&EMPTY)
}

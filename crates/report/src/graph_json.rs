//! The `graph --format json` document (version 1): nodes with kind, label, attributes and
//! source location; edges with kind and, where one span creates them, its location.
//!
//! These are frozen DTOs, not serde dumps of the graph's internal types.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use tollgate_graph::{EdgeKind, Graph, GraphFilter, GraphView, NodeId, NodeKind, Origin, Target};

/// Bumped on any incompatible change of the document's shape.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
pub struct GraphDocument {
    pub version: u32,
    pub nodes: Vec<NodeDto>,
    pub edges: Vec<EdgeDto>,
}

/// A 1-based position in a file, path relative to the scan root.
#[derive(Serialize)]
pub struct LocationDto {
    pub path: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Serialize)]
pub struct NodeDto {
    pub id: usize,
    pub kind: &'static str,
    pub label: String,
    pub location: Option<LocationDto>,
    /// The workflow of a job, the job or composite action of a step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<usize>,
    /// Kind-specific values (`ref`, `commit`, `pinned`, `ecosystem`, `access`, …), sorted.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
pub struct EdgeDto {
    pub from: usize,
    pub to: usize,
    pub kind: &'static str,
    /// How many edges this one stands for (collapsed packages); absent when one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// The span that creates the edge (the `uses:` value, a permission entry).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<LocationDto>,
}

fn location(graph: &Graph, origin: Option<&Origin>) -> Option<LocationDto> {
    origin.map(|o| {
        let at = graph.location(o);
        LocationDto {
            path: at.path.to_string(),
            line: at.start.line,
            column: at.start.column,
        }
    })
}

fn attrs(kind: &NodeKind) -> BTreeMap<&'static str, String> {
    let mut a = BTreeMap::new();
    let mut put = |k: &'static str, v: &str| {
        a.insert(k, v.to_owned());
    };
    match kind {
        NodeKind::Workflow { path, name } => {
            put("path", path);
            if let Some(n) = name {
                put("name", n);
            }
        }
        NodeKind::Trigger { event } => put("event", event),
        NodeKind::Job { id, name, .. } => {
            put("id", id);
            if let Some(n) = name {
                put("name", n);
            }
        }
        NodeKind::Step { index, .. } => put("index", &index.to_string()),
        NodeKind::Action { target, using } => {
            target_attrs(target, &mut put);
            if let Some(u) = using {
                put("using", u);
            }
        }
        NodeKind::ReusableWorkflow { target } => target_attrs(target, &mut put),
        NodeKind::Image { reference } => put("reference", reference),
        NodeKind::Command { tool, text } => {
            put("tool", tool);
            put("text", text);
        }
        NodeKind::Lockfile {
            path,
            kind,
            packages,
        } => {
            put("path", path);
            put("format", kind.as_str());
            put("packages", &packages.to_string());
        }
        NodeKind::RegistryConfig { path, kind } => {
            put("path", path);
            put("format", kind.as_str());
        }
        NodeKind::Package {
            ecosystem,
            name,
            version,
        } => {
            put("ecosystem", ecosystem.as_str());
            put("name", name);
            if let Some(v) = version {
                put("version", v);
            }
        }
        NodeKind::Source {
            ecosystem,
            kind,
            url,
            default,
        } => {
            if let Some(e) = ecosystem {
                put("ecosystem", e.as_str());
            }
            put("source_kind", kind.as_str());
            put("url", url);
            put("default", if *default { "true" } else { "false" });
        }
        NodeKind::Host { name } => put("host", name),
        NodeKind::Secret { name } => put("name", name.as_deref().unwrap_or("*")),
        NodeKind::Permission { scope, access } => {
            put("scope", scope);
            put("access", access.as_str());
        }
        NodeKind::Oidc => {}
        NodeKind::Runner {
            labels,
            self_hosted,
        } => {
            put("labels", labels);
            put("self_hosted", if *self_hosted { "true" } else { "false" });
        }
    }
    a
}

fn target_attrs(target: &Target, put: &mut impl FnMut(&'static str, &str)) {
    match target {
        Target::Remote(r) => {
            put("reference", &r.reference);
            put("ref", &r.git_ref);
            put("ref_kind", r.ref_kind.as_str());
            if let Some(c) = &r.locked_commit {
                put("locked_commit", c);
            }
            put("pinned", if r.is_pinned() { "true" } else { "false" });
        }
        Target::Local { path, file } => {
            put("path", path);
            match file {
                Some(f) => put("file", f),
                None => put("found", "false"),
            }
        }
    }
}

/// The origin of each edge of the view, as [`Graph::edge_origin`] gives it (the newest
/// edge of the kind between the two nodes), from one walk over the edges of each source
/// node: asking per edge scanned all the edges of its source each time, quadratic for a
/// workflow of many jobs.
fn edge_origins(view: &GraphView<'_>) -> HashMap<(NodeId, NodeId, EdgeKind), Option<Origin>> {
    let mut sources: Vec<NodeId> = view.edges.iter().map(|e| e.from).collect();
    sources.sort_unstable();
    sources.dedup();
    let mut origins = HashMap::with_capacity(view.edges.len());
    for from in sources {
        // Newest first, as `edge_origin` finds them: the first one seen is kept.
        for (edge, to) in view.graph.out_edges(from) {
            origins.entry((from, to, edge.kind)).or_insert(edge.origin);
        }
    }
    origins
}

/// The document of a view.
#[must_use]
pub fn document_of(view: &GraphView<'_>) -> GraphDocument {
    let g = view.graph;
    let nodes = view
        .nodes
        .iter()
        .filter_map(|id| {
            let n = g.node(*id)?;
            Some(NodeDto {
                id: id.index(),
                kind: n.kind.kind().as_str(),
                label: n.kind.label(),
                location: location(g, n.origin.as_ref()),
                parent: n
                    .parent
                    .filter(|p| view.nodes.binary_search(p).is_ok())
                    .map(|p| p.index()),
                attrs: attrs(&n.kind),
            })
        })
        .collect();
    let origins = edge_origins(view);
    let edges = view
        .edges
        .iter()
        .map(|e| EdgeDto {
            from: e.from.index(),
            to: e.to.index(),
            kind: e.kind.as_str(),
            count: (e.count > 1).then_some(e.count),
            location: location(
                g,
                origins
                    .get(&(e.from, e.to, e.kind))
                    .copied()
                    .flatten()
                    .as_ref(),
            ),
        })
        .collect();
    GraphDocument {
        version: VERSION,
        nodes,
        edges,
    }
}

/// The document of the filtered graph.
#[must_use]
pub fn document(graph: &Graph, filter: &GraphFilter) -> GraphDocument {
    document_of(&graph.view(filter))
}

/// The filtered graph as pretty JSON with a final newline: what `tollgate graph --format
/// json` prints.
#[must_use]
pub fn render(graph: &Graph, filter: &GraphFilter) -> String {
    let mut s = serde_json::to_string_pretty(&document(graph, filter)).unwrap_or_else(|e| {
        // Serialising plain strings and numbers cannot fail; keep the output valid JSON
        // if it ever does.
        serde_json::json!({ "version": VERSION, "error": e.to_string() }).to_string()
    });
    s.push('\n');
    s
}

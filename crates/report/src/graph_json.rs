//! The `graph --format json` document (version 1): nodes with kind, label, attributes and
//! source location; edges with kind and, where one span creates them, its location.
//!
//! These are frozen DTOs, not serde dumps of the graph's internal types.

use std::collections::HashMap;

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
    pub line: u32,
    pub column: u32,
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
    /// Kind-specific values (`ref`, `pinned`, `ecosystem`, `access`, …); absent for kinds
    /// without any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attrs: Option<AttrsDto>,
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

/// `"true"` or `"false"`: attribute values are strings.
const fn flag(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// A node's kind-specific values, one closed shape per node kind (docs/schemas/
/// graph.schema.json has the same shapes). Every value is a string; fields are in
/// alphabetical order, the order of version 1, where they were a sorted map.
#[derive(Serialize)]
#[serde(untagged)]
pub enum AttrsDto {
    Workflow {
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        path: String,
    },
    /// `trust`: who can fire the event; `privileged`: whether that run gets the base
    /// repository's token and secrets.
    Trigger {
        event: String,
        privileged: &'static str,
        trust: &'static str,
    },
    Job {
        id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    Step {
        index: String,
    },
    /// A remote action or reusable workflow; `using` only ever comes with local actions.
    Remote {
        #[serde(skip_serializing_if = "Option::is_none")]
        locked_commit: Option<String>,
        pinned: &'static str,
        #[serde(rename = "ref")]
        git_ref: String,
        ref_kind: &'static str,
        reference: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        using: Option<String>,
    },
    /// A local action or reusable workflow: the file found, or `found: "false"`.
    Local {
        #[serde(skip_serializing_if = "Option::is_none")]
        file: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        found: Option<&'static str>,
        path: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        using: Option<String>,
    },
    /// `pin`: `digest`, `tag` (movable), `floating` (no tag or `latest`) or `run-time`
    /// (named by an expression or variable).
    Image {
        pin: &'static str,
        reference: String,
    },
    Command {
        text: String,
        tool: String,
    },
    Lockfile {
        format: &'static str,
        packages: String,
        path: String,
    },
    RegistryConfig {
        format: &'static str,
        path: String,
    },
    Dockerfile {
        path: String,
        stages: String,
    },
    Script {
        path: String,
        format: &'static str,
    },
    MakeTarget {
        path: String,
        target: String,
    },
    Package {
        ecosystem: &'static str,
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        version: Option<String>,
    },
    Source {
        default: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        ecosystem: Option<&'static str>,
        source_kind: &'static str,
        url: String,
    },
    Host {
        host: String,
    },
    /// `name` is `*` for every secret.
    Secret {
        name: String,
    },
    Permission {
        access: &'static str,
        scope: String,
    },
    /// A GitLab include of outside content: `source` is `project`, `remote`, `template`
    /// or `component`; `pin` is `commit`, `mutable`, `dynamic` or `not-applicable` (a
    /// template, versioned with the instance).
    Include {
        #[serde(skip_serializing_if = "Option::is_none")]
        file: Option<String>,
        pin: &'static str,
        pinned: &'static str,
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        git_ref: Option<String>,
        source: &'static str,
        target: String,
    },
    Runner {
        labels: String,
        self_hosted: &'static str,
    },
    Code {
        what: String,
    },
    Value {
        name: String,
    },
}

/// The attributes of a node; `None` for kinds without any (OIDC).
fn attrs(kind: &NodeKind) -> Option<AttrsDto> {
    Some(match kind {
        NodeKind::Workflow { path, name } => AttrsDto::Workflow {
            name: name.clone(),
            path: path.clone(),
        },
        NodeKind::Trigger {
            event,
            trust,
            privileged,
        } => AttrsDto::Trigger {
            event: event.clone(),
            privileged: flag(*privileged),
            trust: trust.as_str(),
        },
        NodeKind::Job { id, name, .. } => AttrsDto::Job {
            id: id.clone(),
            name: name.clone(),
        },
        NodeKind::Step { index, .. } => AttrsDto::Step {
            index: index.to_string(),
        },
        NodeKind::Action { target, using } => target_attrs(target, using.clone()),
        NodeKind::ReusableWorkflow { target } => target_attrs(target, None),
        NodeKind::Image { reference } => AttrsDto::Image {
            pin: tollgate_graph::ImagePin::of(reference).as_str(),
            reference: reference.clone(),
        },
        NodeKind::Command { tool, text } => AttrsDto::Command {
            text: text.clone(),
            tool: tool.clone(),
        },
        NodeKind::Lockfile {
            path,
            kind,
            packages,
        } => AttrsDto::Lockfile {
            format: kind.as_str(),
            packages: packages.to_string(),
            path: path.clone(),
        },
        NodeKind::RegistryConfig { path, kind } => AttrsDto::RegistryConfig {
            format: kind.as_str(),
            path: path.clone(),
        },
        NodeKind::Dockerfile { path, stages } => AttrsDto::Dockerfile {
            path: path.clone(),
            stages: stages.to_string(),
        },
        NodeKind::Script { path, kind } => AttrsDto::Script {
            path: path.clone(),
            format: kind.as_str(),
        },
        NodeKind::MakeTarget { path, target } => AttrsDto::MakeTarget {
            path: path.clone(),
            target: target.clone(),
        },
        NodeKind::Package {
            ecosystem,
            name,
            version,
        } => AttrsDto::Package {
            ecosystem: ecosystem.as_str(),
            name: name.clone(),
            version: version.clone(),
        },
        NodeKind::Source {
            ecosystem,
            kind,
            url,
            default,
        } => AttrsDto::Source {
            default: flag(*default),
            ecosystem: ecosystem.map(|e| e.as_str()),
            source_kind: kind.as_str(),
            url: url.clone(),
        },
        NodeKind::Host { name } => AttrsDto::Host { host: name.clone() },
        NodeKind::Secret { name } => AttrsDto::Secret {
            name: name.as_deref().unwrap_or("*").to_owned(),
        },
        NodeKind::Permission { scope, access } => AttrsDto::Permission {
            access: access.as_str(),
            scope: scope.clone(),
        },
        NodeKind::Oidc => return None,
        NodeKind::Include {
            source,
            target,
            file,
            reference,
            pin,
        } => AttrsDto::Include {
            file: file.clone(),
            pin: pin.as_str(),
            pinned: flag(*pin == tollgate_gitlab::IncludePin::Commit),
            git_ref: reference.clone(),
            source: source.as_str(),
            target: target.clone(),
        },
        NodeKind::Runner {
            labels,
            self_hosted,
        } => AttrsDto::Runner {
            labels: labels.clone(),
            self_hosted: flag(*self_hosted),
        },
        NodeKind::Code { what } => AttrsDto::Code { what: what.clone() },
        NodeKind::Value { name } => AttrsDto::Value { name: name.clone() },
    })
}

fn target_attrs(target: &Target, using: Option<String>) -> AttrsDto {
    match target {
        Target::Remote(r) => AttrsDto::Remote {
            locked_commit: r.locked_commit.clone(),
            pinned: flag(r.is_pinned()),
            git_ref: r.git_ref.clone(),
            ref_kind: r.ref_kind.as_str(),
            reference: r.reference.clone(),
            using,
        },
        Target::Local { path, file } => AttrsDto::Local {
            file: file.clone(),
            found: file.is_none().then_some("false"),
            path: path.clone(),
            using,
        },
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

#[cfg(test)]
mod tests {
    use tollgate_graph::RemoteRef;

    use super::*;

    fn json_of(kind: &NodeKind) -> String {
        serde_json::to_string(&attrs(kind)).unwrap_or_default()
    }

    /// Version 1 wrote the attributes as a sorted map: the typed shapes keep that order.
    #[test]
    fn attributes_keep_their_version_1_keys_and_order() {
        let remote = NodeKind::Action {
            target: Target::Remote(Box::new(RemoteRef {
                reference: "o/r@v1".to_owned(),
                owner: "o".to_owned(),
                repo: "r".to_owned(),
                path: None,
                git_ref: "v1".to_owned(),
                ref_kind: tollgate_gha::RefKind::Tag,
                locked_commit: Some("abc".to_owned()),
            })),
            using: None,
        };
        assert_eq!(
            json_of(&remote),
            r#"{"locked_commit":"abc","pinned":"true","ref":"v1","ref_kind":"tag","reference":"o/r@v1"}"#
        );
        let missing = NodeKind::ReusableWorkflow {
            target: Target::Local {
                path: "./x.yml".to_owned(),
                file: None,
            },
        };
        assert_eq!(json_of(&missing), r#"{"found":"false","path":"./x.yml"}"#);
        assert_eq!(json_of(&NodeKind::Oidc), "null");
        let secret = NodeKind::Secret { name: None };
        assert_eq!(json_of(&secret), r#"{"name":"*"}"#);
    }
}

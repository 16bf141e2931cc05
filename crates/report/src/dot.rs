//! Graphviz DOT rendering of the dependency graph: one cluster per workflow, per job and
//! per local composite action, node shapes and colours by kind, labelled edges, a legend.
//!
//! `petgraph::dot` has no clusters, so the text is written here; every list is in node or
//! edge id order, so the same graph renders to the same bytes.

use std::fmt::Write;

use tollgate_graph::{EdgeKind, Graph, GraphFilter, GraphView, Kind, NodeId};

use crate::escape::{is_unsafe, push_visible};

/// Shape and fill colour of a node kind (shared with the Mermaid renderer's classes).
pub(crate) const fn style(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Workflow => ("folder", "#c6dbef"),
        Kind::Trigger => ("cds", "#fdd0a2"),
        Kind::Job => ("box", "#9ecae1"),
        Kind::Step => ("box", "#eff3ff"),
        Kind::Action => ("component", "#c7e9c0"),
        Kind::ReusableWorkflow => ("tab", "#74c476"),
        Kind::Image => ("box3d", "#dadaeb"),
        Kind::Command => ("note", "#fff7bc"),
        Kind::Lockfile => ("cylinder", "#fdae6b"),
        Kind::RegistryConfig => ("note", "#fdd49e"),
        Kind::Package => ("ellipse", "#f7f7f7"),
        Kind::Source => ("cylinder", "#bcbddc"),
        Kind::Host => ("octagon", "#fcbba1"),
        Kind::Secret => ("invhouse", "#fb6a4a"),
        Kind::Permission => ("hexagon", "#fcae91"),
        Kind::Oidc => ("doubleoctagon", "#de2d26"),
        Kind::Runner => ("box3d", "#d9d9d9"),
    }
}

const fn edge_style(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Contains => "color=\"#969696\"",
        EdgeKind::Triggers => "color=\"#e6550d\"",
        EdgeKind::Needs => "color=\"#3182bd\", style=bold",
        EdgeKind::Uses => "color=\"#31a354\"",
        EdgeKind::RunsOn => "color=\"#636363\", style=dotted",
        EdgeKind::Runs => "color=\"#8c6d31\"",
        EdgeKind::Installs => "color=\"#e6550d\"",
        EdgeKind::ResolvesFrom => "color=\"#756bb1\"",
        EdgeKind::Pulls => "color=\"#6a51a3\"",
        EdgeKind::Reaches => "color=\"#d94801\", style=dashed",
        EdgeKind::Holds => "color=\"#cb181d\", style=dashed",
        EdgeKind::Reads => "color=\"#fb6a4a\", style=dotted",
    }
}

/// Whether diagrams draw edges of `kind`. `reads` edges repeat what `holds` draws (the
/// secrets a job's steps reference, once more per step that reads them): drawn, they
/// would bury the diagram; the JSON graph keeps them.
pub(crate) const fn drawn(kind: EdgeKind) -> bool {
    !matches!(kind, EdgeKind::Reads)
}

/// Longest label drawn; longer ones (commands, step names) are cut with `…`.
const MAX_LABEL: usize = 60;

/// A label cut to [`MAX_LABEL`] characters on one line.
pub(crate) fn short_label(s: &str) -> String {
    let one_line = s.split('\n').next().unwrap_or("").trim_end();
    let cut = one_line != s.trim_end();
    if one_line.chars().count() > MAX_LABEL {
        let mut t: String = one_line.chars().take(MAX_LABEL - 1).collect();
        t.push('…');
        t
    } else if cut {
        format!("{one_line} …")
    } else {
        one_line.to_owned()
    }
}

/// A DOT double-quoted string that Graphviz shows as the text itself: quotes and
/// backslashes escaped (a backslash would start Graphviz's `\N`, `\l` escapes), `&`
/// written as `&amp;` (Graphviz reads entities in labels, and `&#27;` would put a control
/// character into the SVG), control characters shown as `\u{1b}`, never passed through
/// (XML forbids them, so the SVG would not parse).
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '&' => out.push_str("&amp;"),
            c if is_unsafe(c) => {
                let mut shown = String::new();
                push_visible(&mut shown, c);
                out.push_str(&shown.replace('\\', "\\\\"));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn node_line(out: &mut String, view: &GraphView<'_>, id: NodeId, indent: usize) {
    let Some(node) = view.graph.node(id) else {
        return;
    };
    let kind = node.kind.kind();
    let (shape, fill) = style(kind);
    let font = if matches!(kind, Kind::Oidc) {
        ", fontcolor=white"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{:indent$}n{} [label={}, shape={shape}, fillcolor=\"{fill}\"{font}];",
        "",
        id.index(),
        quote(&short_label(&node.kind.label())),
    );
}

fn cluster(out: &mut String, view: &GraphView<'_>, head: NodeId, indent: usize) {
    let Some(node) = view.graph.node(head) else {
        return;
    };
    let kind = node.kind.kind();
    let title = format!("{}: {}", kind.as_str(), short_label(&node.kind.label()));
    let fill = match kind {
        Kind::Workflow => "#f7fbff",
        Kind::Job => "#ffffff",
        _ => "#f7fcf5",
    };
    let _ = writeln!(out, "{:indent$}subgraph cluster_n{} {{", "", head.index());
    let inner = indent + 2;
    let _ = writeln!(
        out,
        "{:inner$}label={}; style=\"rounded,filled\"; fillcolor=\"{fill}\"; color=\"#9ecae1\";",
        "",
        quote(&title)
    );
    node_line(out, view, head, inner);
    members(out, view, Some(head), inner);
    let _ = writeln!(out, "{:indent$}}}", "");
}

fn members(out: &mut String, view: &GraphView<'_>, head: Option<NodeId>, indent: usize) {
    for &m in view.members(head) {
        if view.is_cluster_head(m) {
            cluster(out, view, m, indent);
        } else {
            node_line(out, view, m, indent);
        }
    }
}

/// Render a view as DOT.
#[must_use]
pub fn render_view(view: &GraphView<'_>) -> String {
    let mut out = String::new();
    out.push_str("digraph tollgate {\n");
    out.push_str("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, newrank=true];\n");
    out.push_str("  node [fontname=\"Helvetica\", fontsize=10, style=filled];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=8];\n");
    members(&mut out, view, None, 2);
    for e in view.edges.iter().filter(|e| drawn(e.kind)) {
        let label = if e.count > 1 {
            format!("{} ({})", e.kind.as_str(), e.count)
        } else {
            e.kind.as_str().to_owned()
        };
        let _ = writeln!(
            out,
            "  n{} -> n{} [label={}, {}];",
            e.from.index(),
            e.to.index(),
            quote(&label),
            edge_style(e.kind)
        );
    }
    legend(&mut out, view);
    out.push_str("}\n");
    out
}

fn legend(out: &mut String, view: &GraphView<'_>) {
    let kinds = view.kinds();
    if kinds.is_empty() {
        return;
    }
    out.push_str("  subgraph cluster_legend {\n");
    out.push_str("    label=\"legend\"; style=\"rounded\"; color=\"#bdbdbd\"; fontsize=10;\n");
    for k in &kinds {
        let (shape, fill) = style(*k);
        let _ = writeln!(
            out,
            "    legend_{} [label={}, shape={shape}, fillcolor=\"{fill}\"];",
            k.as_str().replace('-', "_"),
            quote(k.as_str())
        );
    }
    // One rank is one column in a left-to-right layout.
    let names: Vec<String> = kinds
        .iter()
        .map(|k| format!("legend_{}", k.as_str().replace('-', "_")))
        .collect();
    let _ = writeln!(out, "    {{ rank=same; {}; }}", names.join("; "));
    out.push_str("  }\n");
}

/// Render the graph, filtered, as DOT: what `tollgate graph --format dot` prints.
#[must_use]
pub fn render(graph: &Graph, filter: &GraphFilter) -> String {
    render_view(&graph.view(filter))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_labels() {
        assert_eq!(quote(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        // Control characters are shown (the backslash escaped for Graphviz), not passed.
        assert_eq!(quote("x\ny"), r#""x\\ny""#);
        assert_eq!(quote("a\u{1b}[2J\r"), r#""a\\u{1b}[2J\\r""#);
        assert_eq!(quote("a && b &#27;"), r#""a &amp;&amp; b &amp;#27;""#);
        assert_eq!(short_label("one\ntwo"), "one …");
        let long = "x".repeat(100);
        assert_eq!(short_label(&long).chars().count(), MAX_LABEL);
    }
}

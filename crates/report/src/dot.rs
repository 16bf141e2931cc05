//! Graphviz DOT rendering of the dependency graph: one cluster per workflow, per job and
//! per local composite action, node shapes and colours by kind, labelled edges, a legend.
//!
//! `petgraph::dot` has no clusters, so the text is written here; every list is in node or
//! edge id order, so the same graph renders to the same bytes.

use std::fmt::Write;

use tollgate_graph::{EdgeKind, Graph, GraphFilter, GraphView, Kind, NodeId};

use crate::diagram::Drawn;
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
        Kind::Dockerfile => ("folder", "#bcbddc"),
        Kind::Script => ("folder", "#fff7bc"),
        Kind::MakeTarget => ("rarrow", "#fff7bc"),
        Kind::Package => ("ellipse", "#f7f7f7"),
        Kind::Source => ("cylinder", "#bcbddc"),
        Kind::Host => ("octagon", "#fcbba1"),
        Kind::Secret => ("invhouse", "#fb6a4a"),
        Kind::Permission => ("hexagon", "#fcae91"),
        Kind::Oidc => ("doubleoctagon", "#de2d26"),
        Kind::Include => ("tab", "#a1d99b"),
        Kind::Runner => ("box3d", "#d9d9d9"),
        Kind::Code => ("note", "#e31a1c"),
        // Not drawn (see `diagram`); styled for completeness.
        Kind::Value => ("note", "#fb6a4a"),
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
        EdgeKind::ChecksOut => "color=\"#e31a1c\", style=bold",
        // Not drawn (see `GraphView::for_diagram`); styled for completeness.
        EdgeKind::Builds => "color=\"#6a51a3\", style=dotted",
        EdgeKind::Requires => "color=\"#fb6a4a\", style=dotted",
        EdgeKind::Reads => "color=\"#fb6a4a\", style=dotted",
        EdgeKind::Flows => "color=\"#e31a1c\", style=dotted",
    }
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
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    quote_into(&mut out, s);
    out.push('"');
    out
}

/// Lines as one DOT string, each escaped as [`quote`] does, joined by Graphviz's `\n`.
pub(crate) fn quote_lines(lines: &[String]) -> String {
    let mut out = String::from("\"");
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str("\\n");
        }
        quote_into(&mut out, l);
    }
    out.push('"');
    out
}

fn quote_into(out: &mut String, s: &str) {
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
}

fn node_line(out: &mut String, d: &Drawn<'_, '_>, id: NodeId, indent: usize) {
    let Some(node) = d.view.graph.node(id) else {
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
        d.view.diagram_id(id),
        quote(&short_label(&node.kind.label())),
    );
}

fn cluster(out: &mut String, d: &Drawn<'_, '_>, head: NodeId, indent: usize) {
    let Some(node) = d.view.graph.node(head) else {
        return;
    };
    let kind = node.kind.kind();
    let title = format!("{}: {}", kind.as_str(), short_label(&node.kind.label()));
    let fill = match kind {
        Kind::Workflow => "#f7fbff",
        Kind::Job => "#ffffff",
        _ => "#f7fcf5",
    };
    let _ = writeln!(
        out,
        "{:indent$}subgraph cluster_n{} {{",
        "",
        d.view.diagram_id(head)
    );
    let inner = indent + 2;
    let _ = writeln!(
        out,
        "{:inner$}label={}; style=\"rounded,filled\"; fillcolor=\"{fill}\"; color=\"#9ecae1\";",
        "",
        quote(&title)
    );
    node_line(out, d, head, inner);
    members(out, d, Some(head), inner);
    let _ = writeln!(out, "{:indent$}}}", "");
}

fn members(out: &mut String, d: &Drawn<'_, '_>, head: Option<NodeId>, indent: usize) {
    for m in d.members(head) {
        if d.view.is_cluster_head(m) {
            cluster(out, d, m, indent);
        } else {
            node_line(out, d, m, indent);
        }
    }
}

/// What diagrams leave out: the untrusted code the trust pass adds, whose view (with the
/// triggers that make a checkout dangerous) is still to be designed, the images jobs
/// build themselves ([`GraphView::for_diagram`]), what steps need of the token (see
/// [`crate::diagram`]) and the secrets each step reads (`reads` repeats what `holds`
/// draws, once more per step: drawn, it would bury the diagram), and the attacker-
/// controllable values the flow pass adds with the steps they flow into (data flow, not
/// a dependency; its view is still to be designed, like that of untrusted code). JSON
/// keeps them all.
pub(crate) fn diagram<'g>(view: &GraphView<'g>) -> GraphView<'g> {
    view.without(
        &[Kind::Code, Kind::Value],
        &[
            EdgeKind::ChecksOut,
            EdgeKind::Requires,
            EdgeKind::Reads,
            EdgeKind::Flows,
        ],
    )
    .for_diagram()
}

/// Render a view as DOT.
#[must_use]
pub fn render_view(view: &GraphView<'_>) -> String {
    let view = &diagram(view);
    let d = &Drawn::new(view);
    let mut out = String::new();
    out.push_str("digraph tollgate {\n");
    out.push_str("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, newrank=true];\n");
    out.push_str("  node [fontname=\"Helvetica\", fontsize=10, style=filled];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=8];\n");
    members(&mut out, d, None, 2);
    for e in d.edges() {
        let label = if e.count > 1 {
            format!("{} ({})", e.kind.as_str(), e.count)
        } else {
            e.kind.as_str().to_owned()
        };
        let _ = writeln!(
            out,
            "  n{} -> n{} [label={}, {}];",
            view.diagram_id(e.from),
            view.diagram_id(e.to),
            quote(&label),
            edge_style(e.kind)
        );
    }
    legend(&mut out, d);
    out.push_str("}\n");
    out
}

fn legend(out: &mut String, d: &Drawn<'_, '_>) {
    let kinds = d.kinds();
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

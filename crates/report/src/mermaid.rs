//! Mermaid `flowchart` rendering of the dependency graph, for Markdown that GitHub renders:
//! subgraphs per workflow, job and local composite action, shapes and classes by kind.
//!
//! Node ids are `n<id>` and subgraph ids `c<id>`, so nothing from the inputs reaches an
//! identifier; labels are quoted and entity-escaped, so no input text can break the syntax.

use std::fmt::Write;

use tollgate_graph::{Graph, GraphFilter, GraphView, Kind, NodeId};

use crate::diagram::Drawn;
use crate::dot::{short_label, style};
use crate::escape::{is_unsafe, push_visible};

/// A label as Mermaid's quoted-string form wants it: quotes, angle brackets, `#`,
/// backticks and pipes as entity codes; control characters shown as `\u{1b}` (a raw one
/// would end the line or reach the SVG).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '`' => out.push_str("#96;"),
            '|' => out.push_str("#124;"),
            c if is_unsafe(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Opening and closing brackets of a node shape by kind.
const fn shape(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Workflow | Kind::Image | Kind::Dockerfile | Kind::Script => ("[/", "/]"),
        Kind::Trigger | Kind::MakeTarget => (">", "]"),
        Kind::Job => ("(", ")"),
        Kind::Action | Kind::ReusableWorkflow | Kind::Include => ("[[", "]]"),
        Kind::Lockfile | Kind::Source => ("[(", ")]"),
        Kind::Host => ("((", "))"),
        Kind::Secret | Kind::Permission | Kind::Oidc => ("{{", "}}"),
        Kind::Package => ("([", "])"),
        Kind::Step
        | Kind::Command
        | Kind::RegistryConfig
        | Kind::Runner
        | Kind::Code
        | Kind::Value => ("[", "]"),
    }
}

fn class_name(kind: Kind) -> String {
    format!("k_{}", kind.as_str().replace('-', "_"))
}

fn node_line(out: &mut String, d: &Drawn<'_, '_>, id: NodeId, indent: usize) {
    let Some(node) = d.view.graph.node(id) else {
        return;
    };
    let (open, close) = shape(node.kind.kind());
    let _ = writeln!(
        out,
        "{:indent$}n{}{open}\"{}\"{close}",
        "",
        d.view.diagram_id(id),
        escape(&short_label(&node.kind.label()))
    );
}

fn subgraph(out: &mut String, d: &Drawn<'_, '_>, head: NodeId, indent: usize) {
    let Some(node) = d.view.graph.node(head) else {
        return;
    };
    let title = format!(
        "{}: {}",
        node.kind.kind().as_str(),
        short_label(&node.kind.label())
    );
    let _ = writeln!(
        out,
        "{:indent$}subgraph c{}[\"{}\"]",
        "",
        d.view.diagram_id(head),
        escape(&title)
    );
    node_line(out, d, head, indent + 2);
    members(out, d, Some(head), indent + 2);
    let _ = writeln!(out, "{:indent$}end", "");
}

fn members(out: &mut String, d: &Drawn<'_, '_>, head: Option<NodeId>, indent: usize) {
    for m in d.members(head) {
        if d.view.is_cluster_head(m) {
            subgraph(out, d, m, indent);
        } else {
            node_line(out, d, m, indent);
        }
    }
}

/// Render a view as a Mermaid flowchart.
#[must_use]
pub fn render_view(view: &GraphView<'_>) -> String {
    let view = &crate::dot::diagram(view);
    let d = &Drawn::new(view);
    let mut out = String::from("flowchart LR\n");
    members(&mut out, d, None, 2);
    for e in d.edges() {
        let label = if e.count > 1 {
            format!("{} ({})", e.kind.as_str(), e.count)
        } else {
            e.kind.as_str().to_owned()
        };
        let _ = writeln!(
            out,
            "  n{} -->|\"{}\"| n{}",
            view.diagram_id(e.from),
            escape(&label),
            view.diagram_id(e.to)
        );
    }
    for k in d.kinds() {
        let (_, fill) = style(k);
        let _ = writeln!(out, "  classDef {} fill:{fill},stroke:#555", class_name(k));
        let ids: Vec<String> = d
            .nodes()
            .filter(|n| view.graph.node(*n).is_some_and(|x| x.kind.kind() == k))
            .map(|n| format!("n{}", view.diagram_id(n)))
            .collect();
        // Mermaid accepts long `class` lists, but chunks keep lines readable in diffs.
        for chunk in ids.chunks(40) {
            let _ = writeln!(out, "  class {} {}", chunk.join(","), class_name(k));
        }
    }
    out
}

/// Render the graph, filtered, as Mermaid: what `tollgate graph --format mermaid` prints.
#[must_use]
pub fn render(graph: &Graph, filter: &GraphFilter) -> String {
    render_view(&graph.view(filter))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_that_breaks_syntax() {
        assert_eq!(
            escape(r#"a "b" <c> #d `e` f|g"#),
            "a #quot;b#quot; #lt;c#gt; #35;d #96;e#96; f#124;g"
        );
        assert_eq!(
            escape("a\u{1b}]52;c;AA\u{7}\n\"]\nclick n1 href"),
            "a\\u{1b}]52;c;AA\\u{7}\\n#quot;]\\nclick n1 href"
        );
    }
}

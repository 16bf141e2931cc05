//! The overview ([`tollgate_graph::Overview`]) as Graphviz DOT and as a Mermaid flowchart:
//! events, workflows, jobs (with what they hold) and the grouped external dependencies,
//! left to right, coloured by what needs a reviewer's eye.
//!
//! Node ids are `o<index>`; every label, tooltip and link is escaped by the format's one
//! helper, so no input text reaches an identifier or breaks the syntax.

use std::fmt::Write;

use tollgate_graph::{Graph, Overview, OverviewKind, Tone};

use crate::dot::{quote, quote_lines, short_label};

/// Mermaid's default `maxEdges`: a chart with more is not rendered.
pub const MERMAID_MAX_EDGES: usize = 500;
/// Mermaid's default `maxTextSize` (characters of the chart's source).
pub const MERMAID_MAX_TEXT: usize = 50_000;

const fn shape(kind: OverviewKind) -> &'static str {
    match kind {
        OverviewKind::Event => "cds",
        OverviewKind::Workflow => "folder",
        OverviewKind::Job => "box",
        OverviewKind::Actions => "component",
        OverviewKind::Images => "box3d",
        OverviewKind::Includes => "tab",
        OverviewKind::Sources => "cylinder",
        OverviewKind::Hosts => "octagon",
        OverviewKind::Code => "note",
        OverviewKind::Toolchain => "tab",
        OverviewKind::Fallback => "ellipse",
    }
}

/// Fill colour: the tone's, or the kind's when the tone is plain.
const fn fill(kind: OverviewKind, tone: Tone) -> &'static str {
    match tone {
        Tone::Good => "#c7e9c0",
        Tone::Caution => "#fdd0a2",
        Tone::Risk => "#fb6a4a",
        Tone::Plain => match kind {
            OverviewKind::Event => "#f0f0f0",
            OverviewKind::Workflow => "#c6dbef",
            OverviewKind::Job => "#eff3ff",
            OverviewKind::Actions => "#e5f5e0",
            OverviewKind::Images => "#dadaeb",
            OverviewKind::Includes => "#e5f5e0",
            OverviewKind::Sources => "#efedf5",
            OverviewKind::Hosts => "#fee6ce",
            OverviewKind::Code => "#fb6a4a",
            OverviewKind::Toolchain => "#deebf7",
            OverviewKind::Fallback => "#c7e9c0",
        },
    }
}

fn lines_of(node: &tollgate_graph::OverviewNode) -> Vec<String> {
    node.lines.iter().map(|l| short_label(l)).collect()
}

/// Render an overview as DOT. Nodes written somewhere link to `path#Lline` and carry
/// what they stand for as a tooltip (SVG output shows both).
#[must_use]
pub fn dot(graph: &Graph, ov: &Overview) -> String {
    let mut out = String::from("digraph tollgate {\n");
    out.push_str(
        "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, nodesep=0.1, ranksep=0.5];\n",
    );
    out.push_str(
        "  node [fontname=\"Helvetica\", fontsize=10, style=\"filled\", margin=\"0.08,0.03\"];\n",
    );
    out.push_str("  edge [color=\"#969696\", arrowsize=0.5];\n");
    for (i, n) in ov.nodes.iter().enumerate() {
        let _ = write!(
            out,
            "  o{i} [label={}, shape={}, fillcolor=\"{}\"",
            quote_lines(&lines_of(n)),
            shape(n.kind),
            fill(n.kind, n.tone)
        );
        if n.kind == OverviewKind::Job {
            out.push_str(", style=\"filled,rounded\"");
        }
        if !n.details.is_empty() {
            let shown: Vec<String> = n.details.iter().take(30).map(|d| short_label(d)).collect();
            let _ = write!(out, ", tooltip={}", quote_lines(&shown));
        }
        if let Some(loc) = n.at.and_then(|a| graph.node_location(a)) {
            let url = format!("{}#L{}", crate::escape::uri_path(&loc.path), loc.start.line);
            let _ = write!(out, ", URL={}", quote(&url));
        }
        out.push_str("];\n");
    }
    for e in &ov.edges {
        let style = match (e.kind, e.note) {
            (_, Some(note)) => format!(
                " [style=dashed, color=\"#de2d26\", fontcolor=\"#de2d26\", label={}, fontsize=8]",
                quote(note)
            ),
            (tollgate_graph::EdgeKind::Uses, None)
                if ov.nodes[e.to].kind == OverviewKind::Workflow =>
            {
                " [style=bold, color=\"#31a354\", label=\"calls\", fontsize=8]".to_owned()
            }
            _ => String::new(),
        };
        let _ = writeln!(out, "  o{} -> o{}{style};", e.from, e.to);
    }
    out.push_str("}\n");
    out
}

/// Render an overview as a Mermaid flowchart.
#[must_use]
pub fn mermaid(ov: &Overview) -> String {
    let mut out = String::from("flowchart LR\n");
    for (i, n) in ov.nodes.iter().enumerate() {
        let (open, close) = match n.kind {
            OverviewKind::Event => (">", "]"),
            OverviewKind::Workflow => ("[/", "/]"),
            OverviewKind::Job => ("(", ")"),
            OverviewKind::Actions | OverviewKind::Includes => ("[[", "]]"),
            OverviewKind::Images | OverviewKind::Sources => ("[(", ")]"),
            OverviewKind::Hosts => ("{{", "}}"),
            OverviewKind::Code => ("[", "]"),
            OverviewKind::Toolchain => ("[", "]"),
            OverviewKind::Fallback => ("([", "])"),
        };
        let label: Vec<String> = lines_of(n)
            .iter()
            .map(|l| crate::mermaid::escape(l))
            .collect();
        let _ = writeln!(out, "  o{i}{open}\"{}\"{close}", label.join("<br/>"));
    }
    for e in &ov.edges {
        let arrow = if let Some(note) = e.note {
            format!("-.->|{}|", crate::mermaid::escape(note))
        } else if e.kind == tollgate_graph::EdgeKind::Uses
            && ov.nodes[e.to].kind == OverviewKind::Workflow
        {
            "==>|calls|".to_owned()
        } else {
            "-->".to_owned()
        };
        let _ = writeln!(out, "  o{} {arrow} o{}", e.from, e.to);
    }
    let mut classes: std::collections::BTreeMap<String, (String, Vec<usize>)> =
        std::collections::BTreeMap::new();
    for (i, n) in ov.nodes.iter().enumerate() {
        let name = format!("{}_{:?}", n.kind.as_str(), n.tone).to_ascii_lowercase();
        classes
            .entry(name)
            .or_insert_with(|| (fill(n.kind, n.tone).to_owned(), Vec::new()))
            .1
            .push(i);
    }
    for (name, (color, ids)) in &classes {
        let _ = writeln!(out, "  classDef {name} fill:{color},stroke:#555");
        for chunk in ids.chunks(40) {
            let ids: Vec<String> = chunk.iter().map(|i| format!("o{i}")).collect();
            let _ = writeln!(out, "  class {} {name}", ids.join(","));
        }
    }
    out
}

/// Why a Mermaid chart would not render with Mermaid's default configuration, if it
/// would not: too many edges, or too much text.
#[must_use]
pub fn mermaid_limits(text: &str) -> Option<String> {
    let edges = text
        .lines()
        .filter(|l| l.contains(" --> ") || l.contains(" ==>") || l.contains(" -.->"))
        .count();
    if edges > MERMAID_MAX_EDGES {
        return Some(format!(
            "{edges} edges, more than Mermaid draws by default ({MERMAID_MAX_EDGES})"
        ));
    }
    if text.len() > MERMAID_MAX_TEXT {
        return Some(format!(
            "{} characters, more than Mermaid reads by default ({MERMAID_MAX_TEXT})",
            text.len()
        ));
    }
    None
}

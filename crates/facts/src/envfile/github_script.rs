//! `actions/github-script` steps: their expansions of outputs that carry an outsider's
//! value, and `core.exportVariable`/`core.addPath` calls given one.

use std::collections::HashMap;

use tollgate_gha::{Step, Uses};
use tollgate_graph::{Graph, NodeId};
use tollgate_model::Span;

use super::{Certainty, Source, Target, Written, holds_line_breaks, uses_of_outputs, value_name};
use crate::flow::{self, Taint};

/// In an `actions/github-script` script: expansions of outputs carrying an outsider's
/// value, and `core.exportVariable(name, value)` and `core.addPath(dir)` whose argument
/// expands an outsider's value or reads it from `context.payload`.
pub(super) fn github_script(
    graph: &Graph,
    node: Option<NodeId>,
    step: &Step,
    outputs: &HashMap<String, (Source, usize, Span)>,
    out: &mut Vec<Written>,
) {
    let Some(Uses::Remote(r)) = step.uses.as_ref().map(|u| &u.value) else {
        return;
    };
    if !r.action().eq_ignore_ascii_case("actions/github-script") {
        return;
    }
    let Some(kv) = step.with_value("script") else {
        return;
    };
    let text = &kv.value.value;
    uses_of_outputs(step, text, &|s| kv.file_span(s), outputs, out);
    let flows = node.map(|n| flow::into_step(graph, n)).unwrap_or_default();
    for (call, target) in [
        ("exportVariable(", Target::ExportVariable),
        ("addPath(", Target::AddPath),
    ] {
        for (i, _) in text.match_indices(call) {
            let start = i + call.len();
            let len = text[start..].find(')').unwrap_or(text.len() - start);
            let args = Span::new(start, start + len);
            let file = kv.file_span(args);
            let expanded = flows.iter().find(|f| {
                let at = f.at.span();
                file.start() <= at.start()
                    && at.end() <= file.end()
                    && !matches!(f.taint, Taint::DispatchInput { .. })
            });
            let source = if let Some(f) = expanded {
                Some(Source {
                    what: format!("`{}`", f.written),
                    through: None,
                    lines: holds_line_breaks(&value_name(graph, f.value)),
                    at: f.at.span(),
                    certainty: Certainty::Direct,
                })
            } else {
                payload_reference(&text[start..start + len]).map(|p| Source {
                    what: format!("`{p}`"),
                    through: None,
                    lines: holds_line_breaks(&p),
                    at: file,
                    certainty: Certainty::Direct,
                })
            };
            if let Some(source) = source {
                out.push(Written {
                    step: step.index,
                    target: target.clone(),
                    at: kv.file_span(Span::new(i, start + len + 1)),
                    source,
                });
            }
        }
    }
}

/// A `context.payload.…` reference in JavaScript text that names an untrusted context
/// (`context.payload.pull_request.title` is `github.event.pull_request.title`).
fn payload_reference(js: &str) -> Option<String> {
    js.match_indices("context.payload.").find_map(|(i, _)| {
        let path: String = js[i + "context.payload.".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
            .collect();
        let path = path.trim_end_matches('.');
        let as_context = format!("github.event.{path}");
        flow::tainted_text(&format!("${{{{ {as_context} }}}}"))
            .map(|_| format!("context.payload.{path}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_references_that_are_untrusted() {
        assert_eq!(
            payload_reference("'T', context.payload.pull_request.title").as_deref(),
            Some("context.payload.pull_request.title")
        );
        assert_eq!(
            payload_reference("'N', context.payload.pull_request.number"),
            None
        );
    }
}

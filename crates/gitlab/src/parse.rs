//! One file: YAML to its configuration document (GitLab's reading of YAML: the last of
//! duplicate keys wins, merge keys apply, a `spec:` header document may come first) and
//! its `include:` entries.

use tollgate_model::{Diagnostic, DiagnosticCode, Severity, SourceFile};
use tollgate_yaml::{DuplicateKeys, Node, NodeKind, Options, YamlError};

use crate::model::{GitlabFile, Include, IncludeKind, Text};

/// Parse one GitLab CI file. `None` (with an error diagnostic) when it is not YAML or not
/// a mapping.
#[must_use]
pub fn parse_file(file: &SourceFile) -> (Option<GitlabFile>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let options = Options {
        duplicate_keys: DuplicateKeys::LastWins,
        comment_after_quote: true,
        ..Options::default()
    };
    let docs = match tollgate_yaml::parse_with(file, options) {
        Ok((docs, _)) => docs,
        Err(e) => {
            let code = match e {
                YamlError::Syntax { .. } => DiagnosticCode::Syntax,
                YamlError::Limit { .. } => DiagnosticCode::Limit,
            };
            diags.push(Diagnostic::at(
                file,
                e.span(),
                code,
                format!("invalid YAML: {}", e.message()),
            ));
            return (None, diags);
        }
    };
    // A file with a `spec:` header is two documents: the header, then the configuration.
    let (spec, spec_inputs, body) = match docs.as_slice() {
        [head, rest @ ..] if head.get("spec").is_some() => (
            Some(head.span),
            crate::inputs::spec_defaults(head),
            rest.first(),
        ),
        [first, ..] => (None, Vec::new(), Some(first)),
        [] => (None, Vec::new(), None),
    };
    let document = match body {
        None => None,
        Some(n) if n.is_null() => None,
        Some(n) if n.as_map().is_some() => Some(merge_keys(n, 0)),
        Some(n) => {
            diags.push(Diagnostic::at(
                file,
                n.span,
                DiagnosticCode::Shape,
                format!(
                    "a GitLab CI configuration is a mapping of keywords and jobs, not {}",
                    n.kind_name()
                ),
            ));
            return (None, diags);
        }
    };
    let own = document
        .as_ref()
        .and_then(|d| d.get("include"))
        .map(|n| includes(n, 0, file, &mut diags))
        .unwrap_or_default();
    let mut child_includes = Vec::new();
    for (_, job) in document.as_ref().and_then(Node::as_map).unwrap_or_default() {
        if let Some(inc) = job.get("trigger").and_then(|t| t.get("include")) {
            child_includes.extend(includes(inc, 0, file, &mut diags));
        }
    }
    (
        Some(GitlabFile {
            spec,
            spec_inputs,
            document,
            includes: own,
            child_includes,
        }),
        diags,
    )
}

/// Deepest merge-key chain followed; beyond it the keys stay as written.
const MAX_MERGE_DEPTH: usize = 64;

/// The node with YAML merge keys applied as GitLab's YAML reader (Ruby's Psych) applies
/// them: entries are read in order; `<<: *a` sets every key of `a`, replacing any set
/// before it, and a later key replaces a merged one; `<<: [*a, *b]` merges `b` then `a`,
/// so the first listed wins.
pub(crate) fn merge_keys(node: &Node, depth: usize) -> Node {
    match &node.kind {
        NodeKind::Scalar(_) => node.clone(),
        NodeKind::Seq(items) => Node {
            kind: NodeKind::Seq(items.iter().map(|n| merge_keys(n, depth + 1)).collect()),
            ..node.clone()
        },
        NodeKind::Map(entries) => {
            let mut out: Vec<(Node, Node)> = Vec::with_capacity(entries.len());
            let set = |out: &mut Vec<(Node, Node)>, k: Node, v: Node| {
                if let Some(name) = k.as_str()
                    && let Some(slot) = out.iter_mut().find(|(o, _)| o.as_str() == Some(name))
                {
                    *slot = (k, v);
                } else {
                    out.push((k, v));
                }
            };
            for (k, v) in entries {
                if k.as_str() == Some("<<") && depth < MAX_MERGE_DEPTH {
                    let sources: Vec<&Node> = match &v.kind {
                        NodeKind::Map(_) => vec![v],
                        NodeKind::Seq(items) => items.iter().rev().collect(),
                        NodeKind::Scalar(_) => Vec::new(),
                    };
                    if sources.is_empty() {
                        continue;
                    }
                    for src in sources {
                        let merged = merge_keys(src, depth + 1);
                        if let NodeKind::Map(inner) = merged.kind {
                            for (mk, mv) in inner {
                                set(&mut out, mk, mv);
                            }
                        }
                    }
                    continue;
                }
                set(&mut out, k.clone(), merge_keys(v, depth + 1));
            }
            Node {
                kind: NodeKind::Map(out),
                ..node.clone()
            }
        }
    }
}

fn text(file: usize, n: &Node) -> Option<Text> {
    Some(Text {
        file,
        value: n.as_str()?.to_owned(),
        span: n.span,
    })
}

/// The entries of an `include:` value (a string, a mapping or a list of either). `file`
/// is the index written into each entry's texts.
pub(crate) fn includes(
    node: &Node,
    file: usize,
    source: &SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Include> {
    let items: Vec<&Node> = match &node.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    let mut out = Vec::new();
    for item in items {
        match include(item, file) {
            Some(i) => out.push(i),
            None if item.is_null() => {}
            None => diags.push(
                Diagnostic::at(
                    source,
                    item.span,
                    DiagnosticCode::Shape,
                    "an `include:` entry is a path, a URL or a mapping with `local`, `project`, `remote`, `template`, `component` or `artifact`",
                )
                .with_severity(Severity::Warning),
            ),
        }
    }
    out
}

fn include(item: &Node, file: usize) -> Option<Include> {
    if let Some(s) = text(file, item) {
        if s.value.trim().is_empty() {
            return None;
        }
        let kind = if s.value.contains("://") {
            IncludeKind::Remote
        } else {
            IncludeKind::Local
        };
        return Some(Include {
            kind,
            span: item.span,
            target: s,
            reference: None,
            files: Vec::new(),
            conditional: false,
            inputs: Vec::new(),
        });
    }
    item.as_map()?;
    let (kind, key) = [
        (IncludeKind::Local, "local"),
        (IncludeKind::Project, "project"),
        (IncludeKind::Remote, "remote"),
        (IncludeKind::Template, "template"),
        (IncludeKind::Component, "component"),
        (IncludeKind::Artifact, "artifact"),
    ]
    .into_iter()
    .find(|(_, k)| item.get(k).is_some())?;
    let target = text(file, item.get(key)?)?;
    let files = match item.get("file") {
        Some(n) => match n.as_seq() {
            Some(seq) => seq.iter().filter_map(|n| text(file, n)).collect(),
            None => text(file, n).into_iter().collect(),
        },
        None => Vec::new(),
    };
    Some(Include {
        kind,
        span: item.span,
        target,
        reference: item.get("ref").and_then(|n| text(file, n)),
        files,
        conditional: item.get("rules").is_some(),
        inputs: crate::inputs::given(item),
    })
}

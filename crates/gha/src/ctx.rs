//! Parsing context: the file, collected diagnostics, and helpers that turn YAML nodes into
//! spanned values while reporting unexpected shapes instead of failing.

use tollgate_model::{Diagnostic, DiagnosticCode, Severity, SourceFile, Span};
use tollgate_yaml::{Node, NodeKind, ScalarMap};

use crate::model::{Env, KeyValue, Spanned};

pub(crate) struct Ctx<'f> {
    pub file: &'f SourceFile,
    pub diags: Vec<Diagnostic>,
}

impl<'f> Ctx<'f> {
    pub fn new(file: &'f SourceFile) -> Self {
        Self {
            file,
            diags: Vec::new(),
        }
    }

    pub fn shape(&mut self, span: Span, message: impl Into<String>) {
        self.diags.push(Diagnostic::at(
            self.file,
            span,
            DiagnosticCode::Shape,
            message,
        ));
    }

    pub fn shape_warning(&mut self, span: Span, message: impl Into<String>) {
        self.diags.push(
            Diagnostic::at(self.file, span, DiagnosticCode::Shape, message)
                .with_severity(Severity::Warning),
        );
    }

    /// A scalar as a spanned string; anything else is reported as `what` having the wrong
    /// shape and yields `None`.
    pub fn string(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        if let Some(s) = node.as_str() {
            return Some(Spanned::new(s.to_owned(), node.span));
        }
        self.shape(
            node.span,
            format!("`{what}` must be a string, found {}", node.kind_name()),
        );
        None
    }

    /// A scalar's text, or a non-scalar's source text; never fails.
    pub fn text(&self, node: &Node) -> (Spanned<String>, bool) {
        match node.as_str() {
            Some(s) => (Spanned::new(s.to_owned(), node.span), true),
            None => (
                Spanned::new(self.file.slice(node.span).to_owned(), node.span),
                false,
            ),
        }
    }

    /// A string or a list of strings (`needs:`, `runs-on:`, `branches:`).
    pub fn string_list(&mut self, node: &Node, what: &str) -> Vec<Spanned<String>> {
        match &node.kind {
            NodeKind::Scalar(_) if node.is_null() => Vec::new(),
            NodeKind::Scalar(s) => vec![Spanned::new(s.value.clone(), node.span)],
            NodeKind::Seq(items) => items.iter().filter_map(|n| self.string(n, what)).collect(),
            NodeKind::Map(_) => {
                self.shape(
                    node.span,
                    format!("`{what}` must be a string or a list, found a mapping"),
                );
                Vec::new()
            }
        }
    }

    /// A mapping of string keys to scalar-ish values (`with:`, `outputs:`, `secrets:`).
    pub fn key_values(&mut self, node: &Node, what: &str) -> Vec<KeyValue> {
        let Some(entries) = self.map(node, what) else {
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|(k, v)| {
                let key = self.string(k, what)?;
                let (value, scalar) = self.text(v);
                // Positions inside a value matter only where an expression sits in it,
                // or where it may be a script an action runs (a multi-line value).
                let map = (scalar && (value.value.contains("${{") || value.value.contains('\n')))
                    .then(|| ScalarMap::new(self.file, v).map(Box::new))
                    .flatten();
                Some(KeyValue {
                    key,
                    value,
                    scalar,
                    map,
                })
            })
            .collect()
    }

    /// The entries of a mapping; null is an empty mapping, anything else is reported.
    pub fn map<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [(Node, Node)]> {
        if let Some(m) = node.as_map() {
            return Some(m);
        }
        if !node.is_null() {
            self.shape(
                node.span,
                format!("`{what}` must be a mapping, found {}", node.kind_name()),
            );
        }
        None
    }

    /// An `env:` block: a mapping, or one expression that yields a mapping.
    pub fn env(&mut self, key: Span, node: &Node) -> Env {
        if let Some(s) = node.as_str()
            && s.contains("${{")
        {
            return Env {
                key: Some(key),
                vars: thin_vec::ThinVec::new(),
                expression: Some(Box::new(Spanned::new(s.to_owned(), node.span))),
            };
        }
        Env {
            key: Some(key),
            vars: self.key_values(node, "env").into(),
            expression: None,
        }
    }

    /// Report keys outside `known`. Merge keys get their own message because GitHub
    /// accepts anchors and aliases but not `<<`.
    pub fn check_keys(&mut self, entries: &[(Node, Node)], known: &[&str], what: &str) {
        for (k, _) in entries {
            let Some(name) = k.as_str() else {
                self.shape(k.span, format!("keys of {what} must be strings"));
                continue;
            };
            if name == "<<" {
                self.shape(
                    k.span,
                    "YAML merge keys (`<<`) are not supported by GitHub Actions",
                );
            } else if !known.contains(&name) {
                self.shape_warning(k.span, format!("unknown key `{name}` in {what}"));
            }
        }
    }

    /// The `# comment` that follows a value on its line, if any.
    pub fn trailing_comment(&self, span: Span) -> Option<String> {
        let lc = self.file.line_col(span.end());
        let line_start = self.file.line_start(lc.line as usize);
        let line = self.file.line_text(lc.line as usize);
        let rest = line.get(span.end().saturating_sub(line_start)..)?;
        let hash = rest.find('#')?;
        // A `#` only starts a comment after whitespace.
        if hash > 0 && !rest[..hash].ends_with([' ', '\t']) {
            return None;
        }
        let c = rest[hash + 1..].trim();
        (!c.is_empty()).then(|| c.to_owned())
    }
}

//! The spanned YAML node types and their accessors.

use tollgate_model::Span;

/// How a scalar was written; block styles matter for mapping script lines back to the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar {
    pub value: String,
    pub style: Style,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    /// Entries in document order; duplicate keys are reported by the builder and dropped.
    Map(Vec<(Node, Node)>),
}

/// One YAML node. `span` covers the node's text in the file; for a node reached through an
/// alias it is the span of the anchored original, which is where a user must edit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
    /// Span of the `*alias` when this node was produced by expanding one.
    pub alias: Option<Span>,
    /// A local tag written on the node (`!reference` is `Some("!reference")`); core-schema
    /// tags (`!!str`) and untagged nodes are `None`.
    pub tag: Option<String>,
}

impl Node {
    /// The scalar text, for any scalar (including `null`-looking ones).
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(&s.value),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(v) => Some(v),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            NodeKind::Map(v) => Some(v),
            _ => None,
        }
    }

    /// True for an unquoted `null`, `~`, `Null`, `NULL` or an empty plain scalar.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar(Scalar { value, style: Style::Plain })
            if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// YAML 1.2 core booleans only (`true`/`false` and their capitalised forms), unquoted.
    /// `yes`/`on` are strings, as in GitHub's parser.
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            NodeKind::Scalar(Scalar {
                value,
                style: Style::Plain,
            }) => match value.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// The value for `key` in a mapping, comparing scalar keys by text.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value node for `key` in a mapping.
    #[must_use]
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    /// A short noun for messages: "a string", "a list", "a mapping".
    #[must_use]
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar(_) if self.is_null() => "null",
            NodeKind::Scalar(_) => "a scalar",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }
}

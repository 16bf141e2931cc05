//! The configuration as one tree whose every value remembers its file: the files merged
//! in GitLab's order, `!reference` tags replaced, `extends:` applied by deep merge.

use tollgate_model::Span;
use tollgate_yaml::{Node, NodeKind};

/// A value of the merged configuration.
#[derive(Clone, Debug)]
pub(crate) enum Item {
    /// A scalar, as written in `file`.
    Leaf { file: usize, node: Node },
    Seq {
        file: usize,
        span: Span,
        items: Vec<Item>,
    },
    Map {
        file: usize,
        span: Span,
        entries: Vec<Entry>,
    },
    /// `!reference [job, key, …]`, not yet replaced.
    Ref {
        file: usize,
        span: Span,
        path: Vec<String>,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub name: String,
    pub file: usize,
    pub key: Span,
    pub value: Item,
}

impl Item {
    pub(crate) fn from_node(file: usize, node: &Node) -> Self {
        if node.tag.as_deref() == Some("!reference")
            && let Some(seq) = node.as_seq()
        {
            return Self::Ref {
                file,
                span: node.span,
                path: seq
                    .iter()
                    .map(|n| n.as_str().unwrap_or_default().to_owned())
                    .collect(),
            };
        }
        match &node.kind {
            NodeKind::Scalar(_) => Self::Leaf {
                file,
                node: node.clone(),
            },
            NodeKind::Seq(items) => Self::Seq {
                file,
                span: node.span,
                items: items.iter().map(|n| Self::from_node(file, n)).collect(),
            },
            NodeKind::Map(entries) => Self::Map {
                file,
                span: node.span,
                entries: entries
                    .iter()
                    .map(|(k, v)| Entry {
                        name: k.as_str().unwrap_or_default().to_owned(),
                        file,
                        key: k.span,
                        value: Self::from_node(file, v),
                    })
                    .collect(),
            },
        }
    }

    pub(crate) const fn file(&self) -> usize {
        match self {
            Self::Leaf { file, .. }
            | Self::Seq { file, .. }
            | Self::Map { file, .. }
            | Self::Ref { file, .. } => *file,
        }
    }

    pub(crate) fn span(&self) -> Span {
        match self {
            Self::Leaf { node, .. } => node.span,
            Self::Seq { span, .. } | Self::Map { span, .. } | Self::Ref { span, .. } => *span,
        }
    }

    pub(crate) fn entries(&self) -> Option<&[Entry]> {
        match self {
            Self::Map { entries, .. } => Some(entries),
            _ => None,
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Item> {
        self.entry(key).map(|e| &e.value)
    }

    pub(crate) fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().find(|e| e.name == key)
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Self::Leaf { node, .. } => node.as_str(),
            _ => None,
        }
    }
}

/// `over` deep-merged onto `base`: mappings merge key by key, anything else replaces.
pub(crate) fn deep_merge(base: &mut Item, over: &Item) {
    match (base, over) {
        (
            Item::Map { entries: b, .. },
            Item::Map {
                entries: o,
                file,
                span,
            },
        ) => {
            for e in o {
                match b.iter_mut().find(|x| x.name == e.name) {
                    Some(slot) => {
                        slot.file = e.file;
                        slot.key = e.key;
                        deep_merge(&mut slot.value, &e.value);
                    }
                    None => b.push(e.clone()),
                }
            }
            let _ = (file, span);
        }
        (b, o) => *b = o.clone(),
    }
}

/// Most nested `!reference` levels GitLab follows.
const MAX_REFERENCE_DEPTH: usize = 10;

/// Replace every `!reference` in `item`, looking its first name up with `lookup` (a job
/// or template with its `extends:` applied: GitLab's references see inherited keys). A
/// reference that cannot be followed becomes an empty list and a problem.
pub(crate) fn resolve_refs(
    item: &mut Item,
    lookup: &dyn Fn(&str) -> Option<Item>,
    depth: usize,
    problems: &mut Vec<(usize, Span, String)>,
) {
    match item {
        Item::Ref { file, span, path } => {
            let (file, span) = (*file, *span);
            let found = if depth >= MAX_REFERENCE_DEPTH {
                problems.push((
                    file,
                    span,
                    format!("`!reference` nested deeper than {MAX_REFERENCE_DEPTH} levels"),
                ));
                None
            } else {
                let first = path.first().and_then(|p| lookup(p));
                let mut at = first.as_ref();
                for p in path.iter().skip(1) {
                    at = at.and_then(|i| i.get(p));
                }
                if at.is_none() {
                    problems.push((
                        file,
                        span,
                        format!(
                            "`!reference [{}]` names nothing in this configuration",
                            path.join(", ")
                        ),
                    ));
                }
                at.cloned()
            };
            *item = match found {
                Some(mut x) => {
                    resolve_refs(&mut x, lookup, depth + 1, problems);
                    x
                }
                None => Item::Seq {
                    file,
                    span,
                    items: Vec::new(),
                },
            };
        }
        Item::Seq { items, .. } => {
            for i in items {
                resolve_refs(i, lookup, depth, problems);
            }
        }
        Item::Map { entries, .. } => {
            for e in entries {
                resolve_refs(&mut e.value, lookup, depth, problems);
            }
        }
        Item::Leaf { .. } => {}
    }
}

//! A bash syntax tree held in one vector: what the walk reads of a tree-sitter-bash tree
//! (kinds, fields, byte ranges, named-ness, errors), copied out in one cursor pass.
//!
//! Reading it costs an index per step, where tree-sitter's node API re-derives positions
//! on every move.

use std::ops::Range;
use std::sync::LazyLock;

/// No node (end of a sibling chain, no children).
const NONE: u32 = u32::MAX;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Raw {
    pub kind: &'static str,
    /// The field of the parent this node fills (`name`, `argument`, `condition`, …).
    pub field: Option<&'static str>,
    pub start: u32,
    pub end: u32,
    pub named: bool,
    pub error: bool,
    pub missing: bool,
    pub has_error: bool,
    first_child: u32,
    next_sibling: u32,
}

impl Raw {
    pub(crate) const fn new(kind: &'static str, named: bool, start: usize, end: usize) -> Self {
        Self {
            kind,
            field: None,
            start: start as u32,
            end: end as u32,
            named,
            error: false,
            missing: false,
            has_error: false,
            first_child: NONE,
            next_sibling: NONE,
        }
    }
}

/// The bash grammar's node kind and field names by id, as `'static` strings.
struct Names {
    kinds: Vec<&'static str>,
    fields: Vec<Option<&'static str>>,
}

static LANGUAGE: LazyLock<tree_sitter::Language> =
    LazyLock::new(|| tree_sitter_bash::LANGUAGE.into());

static NAMES: LazyLock<Names> = LazyLock::new(|| {
    let l: &'static tree_sitter::Language = &LANGUAGE;
    Names {
        kinds: (0..l.node_kind_count())
            .map(|i| {
                u16::try_from(i)
                    .ok()
                    .and_then(|i| l.node_kind_for_id(i))
                    .unwrap_or("ERROR")
            })
            .collect(),
        // Field ids start at 1.
        fields: (0..=l.field_count())
            .map(|i| u16::try_from(i).ok().and_then(|i| l.field_name_for_id(i)))
            .collect(),
    }
});

/// A syntax tree.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    nodes: Vec<Raw>,
    root: u32,
}

impl Tree {
    /// Copy a tree-sitter tree, in pre-order.
    pub(crate) fn from_tree_sitter(tree: &tree_sitter::Tree) -> Self {
        let names = &*NAMES;
        let mut b = Builder::default();
        let mut c = tree.walk();
        loop {
            let n = c.node();
            let kind = names
                .kinds
                .get(usize::from(n.kind_id()))
                .copied()
                .unwrap_or("ERROR");
            let mut raw = Raw::new(kind, n.is_named(), n.start_byte(), n.end_byte());
            raw.field = c
                .field_id()
                .and_then(|f| names.fields.get(usize::from(f.get())).copied().flatten());
            raw.error = n.is_error();
            raw.missing = n.is_missing();
            raw.has_error = n.has_error();
            b.open(raw);
            if c.goto_first_child() {
                continue;
            }
            b.close();
            loop {
                if c.goto_next_sibling() {
                    break;
                }
                if !c.goto_parent() {
                    return b.finish();
                }
                b.close();
            }
        }
    }

    pub(crate) fn root(&self) -> Node<'_> {
        Node {
            tree: self,
            id: self.root,
        }
    }
}

/// Builds a tree, either in pre-order (`open` a node, add its children, `close` it; the
/// first node is the root) or bottom-up (`node` makes a parent of nodes made before).
#[derive(Debug, Default)]
pub(crate) struct Builder {
    nodes: Vec<Raw>,
    /// Per open node: its index and its last child so far.
    open: Vec<(u32, u32)>,
}

impl Builder {
    pub(crate) fn open(&mut self, raw: Raw) {
        let id = self.nodes.len() as u32;
        self.nodes.push(raw);
        if let Some((parent, last)) = self.open.last_mut() {
            if *last == NONE {
                self.nodes[*parent as usize].first_child = id;
            } else {
                self.nodes[*last as usize].next_sibling = id;
            }
            *last = id;
        }
        self.open.push((id, NONE));
    }

    pub(crate) fn close(&mut self) {
        self.open.pop();
    }

    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            nodes: Vec::with_capacity(n),
            open: Vec::new(),
        }
    }

    /// A node without children, made bottom-up.
    pub(crate) fn leaf(&mut self, raw: Raw) -> u32 {
        let id = self.nodes.len() as u32;
        self.nodes.push(raw);
        id
    }

    /// A parent of `children` (made before, in order, none with a parent yet).
    pub(crate) fn node(&mut self, mut raw: Raw, children: &[u32]) -> u32 {
        raw.first_child = children.first().copied().unwrap_or(NONE);
        for w in children.windows(2) {
            self.nodes[w[0] as usize].next_sibling = w[1];
        }
        self.leaf(raw)
    }

    pub(crate) fn set_field(&mut self, id: u32, field: &'static str) {
        self.nodes[id as usize].field = Some(field);
    }

    pub(crate) fn kind_of(&self, id: u32) -> &'static str {
        self.nodes[id as usize].kind
    }

    pub(crate) fn start_of(&self, id: u32) -> usize {
        self.nodes[id as usize].start as usize
    }

    pub(crate) fn end_of(&self, id: u32) -> usize {
        self.nodes[id as usize].end as usize
    }

    /// The tree whose root is `root` (made bottom-up).
    pub(crate) fn finish_at(self, root: u32) -> Tree {
        Tree {
            nodes: self.nodes,
            root,
        }
    }

    pub(crate) fn finish(mut self) -> Tree {
        self.nodes.shrink_to_fit();
        Tree {
            nodes: self.nodes,
            root: 0,
        }
    }
}

/// A node of a [`Tree`].
#[derive(Clone, Copy)]
pub(crate) struct Node<'t> {
    tree: &'t Tree,
    id: u32,
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}@{}..{}",
            self.kind(),
            self.raw().start,
            self.raw().end
        )
    }
}

impl<'t> Node<'t> {
    fn raw(self) -> &'t Raw {
        &self.tree.nodes[self.id as usize]
    }

    pub(crate) fn kind(self) -> &'static str {
        self.raw().kind
    }

    pub(crate) fn field_name(self) -> Option<&'static str> {
        self.raw().field
    }

    pub(crate) fn start_byte(self) -> usize {
        self.raw().start as usize
    }

    pub(crate) fn end_byte(self) -> usize {
        self.raw().end as usize
    }

    pub(crate) fn byte_range(self) -> Range<usize> {
        self.start_byte()..self.end_byte()
    }

    pub(crate) fn is_named(self) -> bool {
        self.raw().named
    }

    pub(crate) fn is_error(self) -> bool {
        self.raw().error
    }

    pub(crate) fn is_missing(self) -> bool {
        self.raw().missing
    }

    pub(crate) fn has_error(self) -> bool {
        self.raw().has_error
    }

    pub(crate) fn children(self) -> Children<'t> {
        Children {
            tree: self.tree,
            next: self.raw().first_child,
        }
    }

    pub(crate) fn named_children(self) -> impl Iterator<Item = Node<'t>> {
        self.children().filter(|n| n.is_named())
    }

    pub(crate) fn named_child(self, i: usize) -> Option<Node<'t>> {
        self.named_children().nth(i)
    }
}

pub(crate) struct Children<'t> {
    tree: &'t Tree,
    next: u32,
}

impl<'t> Iterator for Children<'t> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        if self.next == NONE {
            return None;
        }
        let n = Node {
            tree: self.tree,
            id: self.next,
        };
        self.next = n.raw().next_sibling;
        Some(n)
    }
}

/// Whether two trees are the same: kinds, fields, ranges, flags and shape; the first
/// difference otherwise.
pub(crate) fn same(a: Node<'_>, b: Node<'_>) -> Result<(), String> {
    let strip = |r: &Raw| Raw {
        first_child: 0,
        next_sibling: 0,
        ..*r
    };
    // Without recursion: `a && b && …` nests as deep as it is long.
    let mut stack = vec![(a, b)];
    while let Some((a, b)) = stack.pop() {
        let (ra, rb) = (a.raw(), b.raw());
        if strip(ra) != strip(rb) {
            return Err(format!("{ra:?}\n  !=\n{rb:?}"));
        }
        let (mut ca, mut cb) = (a.children(), b.children());
        loop {
            match (ca.next(), cb.next()) {
                (None, None) => break,
                (Some(x), Some(y)) => stack.push((x, y)),
                (x, y) => return Err(format!("children of {a:?} differ: {x:?} vs {y:?}")),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The copy against tree-sitter's own node API, node by node.
    fn check(a: Node<'_>, b: tree_sitter::Node<'_>, field: Option<&str>) {
        assert_eq!(a.kind(), b.kind());
        assert_eq!(a.byte_range(), b.byte_range(), "{a:?}");
        assert_eq!(a.field_name(), field, "{a:?}");
        assert_eq!(
            (a.is_named(), a.is_error(), a.is_missing(), a.has_error()),
            (b.is_named(), b.is_error(), b.is_missing(), b.has_error()),
            "{a:?}"
        );
        let mut c = b.walk();
        let theirs: Vec<_> = b
            .children(&mut c)
            .enumerate()
            .map(|(i, n)| (n, b.field_name_for_child(i as u32)))
            .collect();
        let ours: Vec<_> = a.children().collect();
        assert_eq!(ours.len(), theirs.len(), "{a:?}");
        for (x, (y, f)) in ours.into_iter().zip(theirs) {
            check(x, y, f);
        }
    }

    #[test]
    fn the_copy_keeps_every_node_and_field() {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_bash::LANGUAGE.into())
            .expect("grammar");
        for script in [
            "echo hi",
            "",
            "# only a comment\n",
            "FOO=1 make -C dir all 2>&1 | tee log && echo \"done $FOO ${BAR:-x}\"",
            "if [ -f a ]; then cat <<EOF | sh\necho $(date)\nEOF\nfi\nfor i in 1 2; do echo $i; done",
            // Errors and missing nodes.
            "echo \"unterminated\nif then fi )",
            "case $x in a) echo a;; esac; f() { local y=1; }",
        ] {
            let ts = parser.parse(script, None).expect("parse");
            let ours = Tree::from_tree_sitter(&ts);
            check(ours.root(), ts.root_node(), None);
            assert_eq!(ours.root().kind(), "program");
        }
    }
}

//! A parser for the plain block YAML most CI files are written in: block mappings and
//! sequences, plain scalars (over several lines too), one-line quoted scalars, `|` and
//! `>` block scalars, one-line flow sequences and mappings of scalars, anchors, aliases
//! and tags (`&name`, `*name`, `!reference`, `!!str`), and comments. It builds the very
//! tree the saphyr path builds for them (values, styles, spans, anchors and the copies
//! aliases make, duplicate-key warnings, through the same [`Builder`]) at a fraction of
//! the cost, and declines (`None`) any document with another form: tabs, carriage
//! returns, several documents, quoted scalars over several lines, nested flow
//! collections, explicit keys, indentation indicators, properties on an empty node or
//! before a key, errors, anything it is not sure of. The caller then parses with saphyr.
//!
//! Debug builds check every tree built here against saphyr's (so every test run checks it
//! on all YAML it reads, the shared corpus included); a test holds the two equal on random
//! documents made of the pieces real ones use, some of them damaged; the `yaml_check`
//! example compares the two on a directory.

use foldhash::HashMap;
use tollgate_model::{SourceFile, Span};

use crate::build::{Builder, Options, Warning, YamlError};
use crate::node::{Node, Style};

type Tree = (Vec<Node>, Vec<Warning>);

/// Nesting this parser takes; deeper documents go to saphyr, which reports its limit.
const MAX_DEPTH: usize = 64;

/// saphyr's bound on a simple key's length; longer keys go to saphyr.
const MAX_KEY: usize = 1000;

/// Parse `file`, or `None` when it holds a form this parser does not build (or an error,
/// a limit exceeded included, which saphyr's path reports).
pub(crate) fn parse(file: &SourceFile, options: Options) -> Option<Tree> {
    let text = file.text();
    if !plain_text(text) {
        return None;
    }
    let mut p = P {
        t: text,
        s: text.as_bytes(),
        b: Builder::new(file, options),
        depth: 0,
        pending: None,
        anchors: HashMap::default(),
        next_anchor: 1,
    };
    p.document()?;
    Some(p.b.finish())
}

/// Text this parser reads: with no tab, carriage return or other control character, no
/// byte-order mark and no character YAML does not print.
fn plain_text(text: &str) -> bool {
    // Without a branch per byte, so that it runs at the speed of the machine's vectors.
    let control = text.as_bytes().chunks(64).any(|chunk| {
        chunk.iter().fold(false, |bad, &b| {
            bad | (b < 0x20 && b != b'\n') | (b == 0x7f)
        })
    });
    !control && (text.is_ascii() || !text.chars().any(unprintable))
}

/// Characters saphyr does not take as printable text, or reads as line breaks.
fn unprintable(c: char) -> bool {
    matches!(
        c,
        '\u{80}'..='\u{9f}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
    ) || matches!(c, '\u{2028}' | '\u{2029}')
}

struct P<'a, 'f> {
    t: &'a str,
    s: &'a [u8],
    b: Builder<'f>,
    depth: usize,
    /// Properties read before a node, for the next node built to take.
    pending: Option<Props>,
    /// The anchors defined so far, by name: each definition gets the next number, as
    /// saphyr numbers them (from 1), and an alias names the latest.
    anchors: HashMap<&'a str, usize>,
    next_anchor: usize,
}

/// A node's properties: where they start (a collection's span starts there), its anchor
/// (0 for none) and its local tag.
struct Props {
    at: usize,
    anchor: usize,
    tag: Option<String>,
}

/// A scalar read from the text: its span, value and style, and where its line goes on.
struct Read {
    span: Span,
    value: String,
    style: Style,
    after: usize,
}

impl<'a> P<'a, '_> {
    /// The byte at `i`, or 0 past the end (the text holds no NUL).
    fn at(&self, i: usize) -> u8 {
        self.s.get(i).copied().unwrap_or(0)
    }

    /// Whether the byte at `i` ends a token: a space, a line break or the end.
    fn blank(&self, i: usize) -> bool {
        matches!(self.at(i), b' ' | b'\n' | 0)
    }

    fn is_dash(&self, i: usize) -> bool {
        self.at(i) == b'-' && self.blank(i + 1)
    }

    fn spaces(&self, mut i: usize) -> usize {
        while self.at(i) == b' ' {
            i += 1;
        }
        i
    }

    fn column(&self, i: usize) -> usize {
        i - memchr::memrchr(b'\n', &self.s[..i]).map_or(0, |n| n + 1)
    }

    /// The next token at or after `i`, past blanks, line breaks and comments; the
    /// text's length at the end.
    fn skip(&self, mut i: usize) -> usize {
        loop {
            i = self.spaces(i);
            match self.at(i) {
                b'#' => {
                    i = self.line_end(i);
                }
                b'\n' => i += 1,
                _ => return i.min(self.s.len()),
            }
        }
    }

    /// The position of the line break ending the line of `i` (or the end).
    fn line_end(&self, i: usize) -> usize {
        let i = i.min(self.s.len());
        memchr::memchr(b'\n', &self.s[i..]).map_or(self.s.len(), |n| i + n)
    }

    /// After a token ending at `i`: blanks, an optional comment after a blank (or at the
    /// line's start), the line break; the start of the next line.
    fn end_line(&self, i: usize) -> Option<usize> {
        let j = self.spaces(i);
        let j = match self.at(j) {
            b'#' if j == 0 || matches!(self.at(j - 1), b' ' | b'\n') => self.line_end(j),
            _ => j,
        };
        match self.at(j) {
            b'\n' => Some(j + 1),
            0 => Some(j),
            _ => None,
        }
    }

    /// Where saphyr ends a quoted scalar's span (`trim`: less the blanks it ends in), or
    /// an empty flow collection's closing token, that ends at `after`: at the end of its
    /// line when only blanks and a comment follow.
    fn token_end(&self, after: usize, trim: bool) -> usize {
        let rest = self.spaces(after);
        let end = match self.at(rest) {
            b'#' if rest > after => self.line_end(rest),
            b'\n' | 0 => rest,
            _ => return after,
        };
        if trim { self.trim_end(after, end) } else { end }
    }

    fn scalar(&mut self, r: Read) -> Option<()> {
        let (anchor, tag) = self.pending.take().map_or((0, None), |p| (p.anchor, p.tag));
        self.b.count(1, r.span).ok()?;
        self.b.scalar(r.span, r.value, r.style, anchor, tag).ok()
    }

    /// A collection starting at `at`, or at its properties.
    fn open(&mut self, at: usize, map: bool) -> Option<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let (at, anchor, tag) = match self.pending.take() {
            Some(p) => (p.at, p.anchor, p.tag),
            None => (at, 0, None),
        };
        self.b.open(Span::empty(at), map, anchor, tag).ok()
    }

    /// The name of an anchor or alias starting at `i` (after its `&` or `*`), up to a
    /// blank; only the characters names are made of in CI files.
    fn name(&self, i: usize) -> Option<(&'a str, usize)> {
        let mut j = i;
        while !self.blank(j) {
            if !(self.at(j).is_ascii_alphanumeric()
                || matches!(self.at(j), b'-' | b'_' | b'.' | b'/'))
            {
                return None;
            }
            j += 1;
        }
        (j > i).then(|| (&self.t[i..j], j))
    }

    /// The properties (`&anchor`, `!tag`, `!!tag`, at most one of each) at `j`, kept for
    /// the next node; where the node itself starts.
    fn props(&mut self, j: usize) -> Option<usize> {
        let mut props = Props {
            at: j,
            anchor: 0,
            tag: None,
        };
        let (mut anchored, mut tagged) = (false, false);
        let mut k = j;
        loop {
            match self.at(k) {
                b'&' if !anchored => {
                    let (name, end) = self.name(k + 1)?;
                    props.anchor = self.next_anchor;
                    self.next_anchor += 1;
                    self.anchors.insert(name, props.anchor);
                    anchored = true;
                    k = end;
                }
                b'!' if !tagged => {
                    // `!!str` is a core-schema tag, which the tree does not keep.
                    let core = self.at(k + 1) == b'!';
                    let (name, end) = self.name(k + 1 + usize::from(core))?;
                    if name.contains(['/', '.']) {
                        return None;
                    }
                    props.tag = (!core).then(|| format!("!{name}"));
                    tagged = true;
                    k = end;
                }
                _ => break,
            }
            k = self.spaces(k);
        }
        self.pending = Some(props);
        Some(k)
    }

    /// An alias at `j` (the `*`); where its token ends.
    fn alias(&mut self, j: usize) -> Option<usize> {
        let (name, end) = self.name(j + 1)?;
        let id = *self.anchors.get(name)?;
        self.b.alias(id, Span::new(j, end)).ok()?;
        Some(end)
    }

    fn close(&mut self, span: Span) -> Option<()> {
        self.depth -= 1;
        self.b.close(span).ok()
    }

    fn document(&mut self) -> Option<()> {
        let mut at = self.skip(0);
        if self.s[at..].starts_with(b"---") && self.blank(at + 3) && self.column(at) == 0 {
            at = self.skip(self.end_line(at + 3)?);
        }
        if at >= self.s.len() || self.column(at) != 0 {
            return None;
        }
        let next = self.block(at)?;
        (next >= self.s.len()).then_some(())
    }

    /// A block collection whose first token is `at`; the next token after it.
    fn block(&mut self, at: usize) -> Option<usize> {
        if self.is_dash(at) {
            self.seq(at, false)
        } else if self.key(at).is_some() {
            self.map(at)
        } else {
            None
        }
    }

    /// A block mapping whose first key is at `at`.
    fn map(&mut self, mut at: usize) -> Option<usize> {
        let c = self.column(at);
        self.open(at, true)?;
        loop {
            let (key, colon) = self.key(at)?;
            self.scalar(key)?;
            let next = self.value(colon + 1, c, Span::empty(colon))?;
            if next >= self.s.len() || self.column(next) < c {
                self.close(Span::empty(next))?;
                return Some(next);
            }
            if self.column(next) > c || self.is_dash(next) {
                return None;
            }
            at = next;
        }
    }

    /// A block sequence whose first `-` is at `at`; `indentless` when it is a mapping's
    /// value at the mapping's own column (`key:` then `- item`).
    fn seq(&mut self, mut at: usize, indentless: bool) -> Option<usize> {
        let c = self.column(at);
        let start = if indentless {
            // saphyr starts such a sequence at its first item's token, or at the end of
            // the `-`'s line when the item is not on it.
            let first = self.spaces(at + 1);
            if matches!(self.at(first), b'\n' | b'#' | 0) {
                self.line_end(first)
            } else {
                first
            }
        } else {
            at
        };
        self.open(start, false)?;
        loop {
            let next = self.item(at, c)?;
            if next >= self.s.len() || self.column(next) < c {
                self.close(Span::empty(next))?;
                return Some(next);
            }
            if self.column(next) > c {
                return None;
            }
            if self.is_dash(next) {
                at = next;
            } else if indentless {
                self.close(Span::empty(next))?;
                return Some(next);
            } else {
                return None;
            }
        }
    }

    /// The item after the `-` at `dash`, in a sequence at column `c`.
    fn item(&mut self, dash: usize, c: usize) -> Option<usize> {
        let mut j = self.spaces(dash + 1);
        if matches!(self.at(j), b'&' | b'!') {
            j = self.props(j)?;
            // Properties before a key on the item's line: whose are they?
            if self.key(j).is_some() {
                return None;
            }
        }
        match self.at(j) {
            // saphyr puts an empty item at the end of the `-`'s line.
            b'\n' | b'#' | 0 => self.on_next_lines(j, c, Span::empty(self.line_end(j))),
            b'|' | b'>' => self.block_scalar(j, c),
            _ if self.is_dash(j) => None,
            _ if self.key(j).is_some() => self.map(j),
            _ => self.inline(j, c),
        }
    }

    /// The value after a key's `:` at `i`, in a mapping at column `c`; `null` is where an
    /// empty value's span goes.
    fn value(&mut self, i: usize, c: usize, null: Span) -> Option<usize> {
        let mut j = self.spaces(i);
        if matches!(self.at(j), b'&' | b'!') {
            j = self.props(j)?;
        }
        match self.at(j) {
            b'\n' | b'#' | 0 => {
                let line = self.end_line(j)?;
                let next = self.skip(line);
                if next < self.s.len() && self.column(next) == c && self.is_dash(next) {
                    if self.pending.is_some() {
                        return None;
                    }
                    return self.seq(next, true);
                }
                self.on_next_lines(j, c, null)
            }
            b'|' | b'>' => self.block_scalar(j, c),
            _ => self.inline(j, c),
        }
    }

    /// A value that starts on the lines after `j` (the rest of a line that holds only a
    /// comment, if anything): a collection indented more than `c`, or an empty value.
    fn on_next_lines(&mut self, j: usize, c: usize, null: Span) -> Option<usize> {
        let next = self.skip(self.end_line(j)?);
        if next < self.s.len() && self.column(next) > c {
            if self.is_dash(next) || self.key(next).is_some() {
                return self.block(next);
            }
            // A scalar under properties on a line of their own: saphyr's span of it
            // starts at whatever follows them.
            if matches!(self.at(next), b'|' | b'>') || self.pending.is_some() {
                return None;
            }
            return self.inline(next, c);
        }
        // An empty node with properties: not written in CI files.
        if self.pending.is_some() {
            return None;
        }
        self.scalar(Read {
            span: null,
            value: String::new(),
            style: Style::Plain,
            after: null.end(),
        })?;
        Some(next)
    }

    /// A value written on the line it starts on (a scalar, with the lines that go on a
    /// plain one; an alias; a one-line flow collection), in a collection at column `c`.
    /// A line after it indented more is an error or a comment: left to saphyr.
    fn inline(&mut self, j: usize, c: usize) -> Option<usize> {
        let after = match self.at(j) {
            b'*' if self.pending.is_none() => self.alias(j)?,
            b'[' => self.flow(j, b']')?,
            b'{' => self.flow(j, b'}')?,
            b'"' | b'\'' => {
                let r = self.quoted(j)?;
                let after = r.after;
                self.scalar(r)?;
                after
            }
            _ => {
                let r = self.plain_lines(self.scalar_at(j, 0)?, c)?;
                let after = r.after;
                self.scalar(r)?;
                after
            }
        };
        let line = self.end_line(after)?;
        let mut p = line;
        while p < self.s.len() {
            let sp = self.spaces(p);
            if self.at(sp) != b'\n' {
                if sp - p > c {
                    return None;
                }
                break;
            }
            p = sp + 1;
        }
        Some(self.skip(line))
    }

    /// A mapping key at `at` (plain or quoted, on one line, followed by `:` and a blank):
    /// the key and the position of its `:`.
    fn key(&self, at: usize) -> Option<(Read, usize)> {
        if matches!(self.at(at), b'"' | b'\'') {
            let r = self.quoted(at)?;
            let colon = self.spaces(r.after);
            return (self.at(colon) == b':' && self.blank(colon + 1)).then_some((r, colon));
        }
        if !self.plain_start(at, false) {
            return None;
        }
        let mut j = at;
        loop {
            match self.at(j) {
                b':' if self.blank(j + 1) => break,
                b'#' if self.at(j - 1) == b' ' => return None,
                b'\n' | 0 => return None,
                _ => j += 1,
            }
            if j - at > MAX_KEY {
                return None;
            }
        }
        let end = self.trim_end(at, j);
        Some((self.plain(at, end), j))
    }
}

/// Whether the fast parser's tree of `file` is saphyr's: `None` when the fast parser
/// declines the file, the first difference when they disagree.
#[doc(hidden)]
pub fn check(file: &SourceFile, options: Options) -> Option<Result<(), String>> {
    let tree = parse(file, options)?;
    Some(compare(&tree, &Builder::new(file, options).run()))
}

/// Panic, naming `file` and the first difference, unless saphyr's path built `tree` too.
#[cfg(debug_assertions)]
pub(crate) fn assert_agrees(file: &SourceFile, tree: &Tree, theirs: &Result<Tree, YamlError>) {
    if let Err(e) = compare(tree, theirs) {
        panic!(
            "the fast YAML parser and saphyr disagree on {}: {e}",
            file.display
        );
    }
}

fn compare(tree: &Tree, theirs: &Result<Tree, YamlError>) -> Result<(), String> {
    let theirs = match theirs {
        Err(e) => return Err(format!("the fast parser accepted it, saphyr says {e:?}")),
        Ok(t) if t == tree => return Ok(()),
        Ok(t) => t,
    };
    if tree.1 != theirs.1 {
        return Err(format!("warnings: {:?} against {:?}", tree.1, theirs.1));
    }
    if tree.0.len() != theirs.0.len() {
        return Err(format!(
            "{} documents against {}",
            tree.0.len(),
            theirs.0.len()
        ));
    }
    let mut todo: Vec<(&Node, &Node)> = tree.0.iter().zip(&theirs.0).collect();
    while let Some((a, b)) = todo.pop() {
        let shallow = |n: &Node| match &n.kind {
            crate::NodeKind::Scalar(s) => format!("{:?} {:?}", s.style, s.value),
            crate::NodeKind::Seq(v) => format!("sequence of {}", v.len()),
            crate::NodeKind::Map(v) => format!("mapping of {}", v.len()),
        };
        if a.span != b.span || shallow(a) != shallow(b) || a.tag != b.tag || a.alias != b.alias {
            return Err(format!(
                "fast {}..{} {}, saphyr {}..{} {}",
                a.span.start(),
                a.span.end(),
                shallow(a),
                b.span.start(),
                b.span.end(),
                shallow(b)
            ));
        }
        match (&a.kind, &b.kind) {
            (crate::NodeKind::Seq(x), crate::NodeKind::Seq(y)) => {
                todo.extend(x.iter().zip(y).rev())
            }
            (crate::NodeKind::Map(x), crate::NodeKind::Map(y)) => todo.extend(
                x.iter()
                    .zip(y)
                    .rev()
                    .flat_map(|((k, v), (l, w))| [(v, w), (k, l)]),
            ),
            _ => {}
        }
    }
    Err("the trees differ".into())
}

mod scalar;
#[cfg(test)]
mod tests;

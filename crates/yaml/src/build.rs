//! Building the spanned tree from parser events, iteratively and within limits.

use std::hash::BuildHasher;

use foldhash::HashSet;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};
use tollgate_model::{SourceFile, Span};

use crate::node::{Node, NodeKind, Scalar, Style};

/// Resource limits for one file.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Total nodes in the tree after alias expansion.
    pub max_nodes: usize,
    /// Maximum nesting depth of sequences and mappings.
    pub max_depth: usize,
    /// Total bytes of scalar text copied by alias expansion. The node count alone does not
    /// bound memory: one alias of a 1 MiB scalar is one node but a 1 MiB copy.
    pub max_alias_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // A large real pnpm-lock.yaml has a few hundred thousand nodes; 4 million leaves
        // room for those and stops a billion-laughs document long before memory is a problem.
        Self {
            max_nodes: 4_000_000,
            max_depth: 256,
            max_alias_bytes: 64 << 20,
        }
    }
}

/// What to do with a key written twice in one mapping.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DuplicateKeys {
    /// Keep the first value and report a [`Warning`] (GitHub's reading).
    #[default]
    FirstWins,
    /// The later value replaces the earlier one in place, silently (GitLab's reader,
    /// Ruby's Psych). Merge keys (`<<`) are kept every time they occur: the reader that
    /// applies them sees each one.
    LastWins,
}

/// How to build the tree.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub limits: Limits,
    pub duplicate_keys: DuplicateKeys,
    /// Accept a comment written right after a quoted scalar (`key: 'v'# note`), as
    /// libyaml (and so Ruby's and Python's YAML readers, and GitLab) does; YAML 1.2 and
    /// saphyr want a blank before the `#`.
    pub comment_after_quote: bool,
}

/// Why a document could not be turned into a tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum YamlError {
    /// Not valid YAML; the span is where the parser stopped.
    Syntax { span: Span, message: String },
    /// Valid so far, but a limit was exceeded.
    Limit { span: Span, message: String },
}

impl YamlError {
    #[must_use]
    pub fn span(&self) -> Span {
        match self {
            Self::Syntax { span, .. } | Self::Limit { span, .. } => *span,
        }
    }

    #[must_use]
    pub fn message(&self) -> &str {
        match self {
            Self::Syntax { message, .. } | Self::Limit { message, .. } => message,
        }
    }
}

/// A non-fatal problem found while building (duplicate keys).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub span: Span,
    pub message: String,
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        tag: Option<String>,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        anchor: usize,
        tag: Option<String>,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        /// The hashes of the keys so far, not copies of them (`repeated`).
        seen: HashSet<u64>,
    },
}

/// Whether `name` is already a key of the mapping: a new hash is a new key; a hash seen
/// before is confirmed against the entries (a collision costs a scan, not a wrong answer,
/// and the hasher's seed is random, so input cannot aim for collisions).
fn repeated(seen: &mut HashSet<u64>, entries: &[(Node, Node)], name: &str) -> bool {
    let hash = seen.hasher().hash_one(name);
    !seen.insert(hash) && entries.iter().any(|(k, _)| k.as_str() == Some(name))
}

/// Parse every document of `file`. Duplicate keys are reported in the returned warnings;
/// the first occurrence is kept, as the value users see first when reading the file.
///
/// # Errors
/// A [`YamlError`] for invalid YAML or an exceeded limit.
pub fn parse(file: &SourceFile, limits: Limits) -> Result<(Vec<Node>, Vec<Warning>), YamlError> {
    parse_with(
        file,
        Options {
            limits,
            duplicate_keys: DuplicateKeys::FirstWins,
            comment_after_quote: false,
        },
    )
}

/// [`parse`] with [`Options`] other than the default.
///
/// # Errors
/// A [`YamlError`] for invalid YAML or an exceeded limit.
pub fn parse_with(
    file: &SourceFile,
    options: Options,
) -> Result<(Vec<Node>, Vec<Warning>), YamlError> {
    let first = parse_once(file, options);
    let Err(YamlError::Syntax { span, message }) = &first else {
        return first;
    };
    if options.comment_after_quote && message == COMMENT_SPACING {
        return comments_blanked(file, options, span.start()).unwrap_or(first);
    }
    if message != INVALID_INDENTATION {
        return first;
    }
    // A flow collection whose items or closing bracket are indented less than its
    // context wants (numpy's and pytest's workflows: a `]` under the `- [` that opens
    // it): GitHub's parser and libyaml accept it, saphyr does not. Flow content does not
    // care about line breaks between tokens, so the token goes on the line before it:
    // the line breaks in between become spaces, a rewrite of the same length that keeps
    // every byte where it was, so the spans of the reparsed tree hold for the file as
    // written. Only between flow tokens (after `[`, `{` or `,`, or before `]` or `}`).
    let mut text = file.text().to_owned();
    let mut at = span.start();
    for _ in 0..MAX_JOINS {
        if !join_flow_line(&mut text, at) {
            break;
        }
        let patched = SourceFile::new(file.display.as_str(), &file.disk, text.as_str());
        match parse_once(&patched, options) {
            Err(YamlError::Syntax { span, message })
                if message == INVALID_INDENTATION && span.start() > at =>
            {
                at = span.start();
            }
            Err(YamlError::Syntax { .. }) => break,
            other => return other,
        }
    }
    first
}

/// What [`parse_with`] returns.
type Parsed = Result<(Vec<Node>, Vec<Warning>), YamlError>;

/// saphyr's message for a `#` with no blank before it.
const COMMENT_SPACING: &str = "comments must be separated from other tokens by whitespace";

/// Reparse with each comment saphyr rejects for the missing blank (`'v'# note`) written
/// over with spaces: a rewrite of the same length, so spans hold for the file as written.
/// Only a `#` right after a closing quote is blanked, to the end of its line.
fn comments_blanked(file: &SourceFile, options: Options, mut at: usize) -> Option<Parsed> {
    let mut text = file.text().to_owned();
    for _ in 0..MAX_JOINS {
        let bytes = text.as_bytes();
        let line_end = bytes[at.min(bytes.len())..]
            .iter()
            .position(|b| matches!(b, b'\n' | b'\r'))
            .map_or(bytes.len(), |i| at + i);
        let line_start = bytes[..at.min(bytes.len())]
            .iter()
            .rposition(|b| matches!(b, b'\n' | b'\r'))
            .map_or(0, |i| i + 1);
        let hash = (line_start + 1..line_end)
            .find(|&i| bytes[i] == b'#' && matches!(bytes[i - 1], b'\'' | b'"'))?;
        let spaces = " ".repeat(line_end - hash);
        text.replace_range(hash..line_end, &spaces);
        let patched = SourceFile::new(file.display.as_str(), &file.disk, text.as_str());
        match parse_once(&patched, options) {
            Err(YamlError::Syntax { span, message }) if message == COMMENT_SPACING => {
                at = span.start();
            }
            other => return Some(other),
        }
    }
    None
}

/// saphyr's message for a token indented less than its context allows.
const INVALID_INDENTATION: &str = "invalid indentation";

/// How many lines of one file may be joined (each costs a reparse).
const MAX_JOINS: usize = 16;

/// If the token at `at` starts its line (only blanks before it) and sits between flow
/// tokens (the last byte with content before it is `[`, `{` or `,`, or the token is `]`
/// or `}`), turn the line breaks between the two into spaces and say whether it did.
/// The line with content must not hold a `#`: the token could land in a comment.
fn join_flow_line(text: &mut String, at: usize) -> bool {
    let bytes = text.as_bytes();
    let Some(&token) = bytes.get(at) else {
        return false;
    };
    let before = &bytes[..at];
    let Some(content_end) = before
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .map(|i| i + 1)
    else {
        return false;
    };
    let gap = content_end..at;
    if !bytes[gap.clone()]
        .iter()
        .any(|b| matches!(b, b'\r' | b'\n'))
    {
        return false;
    }
    let between =
        matches!(bytes[content_end - 1], b'[' | b'{' | b',') || matches!(token, b']' | b'}');
    let line_start = before[..content_end]
        .iter()
        .rposition(|b| matches!(b, b'\n' | b'\r'))
        .map_or(0, |i| i + 1);
    if !between || before[line_start..content_end].contains(&b'#') {
        return false;
    }
    // Only ASCII line breaks are replaced by ASCII spaces: the text stays UTF-8 and
    // every offset stays where it was.
    let spaces = " ".repeat(gap.len());
    text.replace_range(gap, &spaces);
    true
}

fn parse_once(file: &SourceFile, options: Options) -> Result<(Vec<Node>, Vec<Warning>), YamlError> {
    if let Some(tree) = crate::fast::parse(file, options) {
        #[cfg(debug_assertions)]
        crate::fast::assert_agrees(file, &tree, &Builder::new(file, options).run());
        return Ok(tree);
    }
    Builder::new(file, options).run()
}

pub(crate) struct Builder<'f> {
    file: &'f SourceFile,
    limits: Limits,
    duplicate_keys: DuplicateKeys,
    nodes: usize,
    /// Scalar bytes copied so far by alias expansion.
    alias_bytes: usize,
    /// Anchored nodes by anchor id (saphyr numbers anchors from 1) with subtree sizes.
    anchors: Vec<Option<(Node, (usize, usize))>>,
    stack: Vec<Frame>,
    docs: Vec<Node>,
    warnings: Vec<Warning>,
}

/// A local tag's text (`!reference`); core-schema tags (`!!str`) are not kept.
fn local_tag(tag: Option<&saphyr_parser::Tag>) -> Option<String> {
    let t = tag?;
    (t.handle == "!").then(|| format!("!{}", t.suffix))
}

fn style(s: ScalarStyle) -> Style {
    match s {
        ScalarStyle::Plain => Style::Plain,
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        ScalarStyle::Literal => Style::Literal,
        ScalarStyle::Folded => Style::Folded,
    }
}

/// The number of nodes of a subtree and the bytes of scalar text it holds.
fn size(node: &Node) -> (usize, usize) {
    // Iterative so a deep tree cannot overflow the stack here either.
    let (mut n, mut bytes) = (0, 0usize);
    let mut todo = vec![node];
    while let Some(x) = todo.pop() {
        n += 1;
        match &x.kind {
            NodeKind::Scalar(s) => bytes = bytes.saturating_add(s.value.len()),
            NodeKind::Seq(v) => todo.extend(v),
            NodeKind::Map(v) => todo.extend(v.iter().flat_map(|(k, v)| [k, v])),
        }
    }
    (n, bytes)
}

impl<'f> Builder<'f> {
    pub(crate) fn new(file: &'f SourceFile, options: Options) -> Self {
        Builder {
            file,
            limits: options.limits,
            duplicate_keys: options.duplicate_keys,
            nodes: 0,
            alias_bytes: 0,
            anchors: Vec::new(),
            stack: Vec::new(),
            docs: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The documents and warnings built so far.
    pub(crate) fn finish(self) -> (Vec<Node>, Vec<Warning>) {
        (self.docs, self.warnings)
    }

    /// The parser counts `\n`, `\r\n` and a lone `\r` as one line break each and reports a
    /// line and a column in characters; the file's line index counts the same breaks, so
    /// the pair names the same byte in LF, CRLF, CR and mixed files.
    fn offset(&self, m: &saphyr_parser::Marker) -> usize {
        self.file.offset_of(m.line(), m.col())
    }

    fn span(&self, s: &saphyr_parser::Span) -> Span {
        Span::new(self.offset(&s.start), self.offset(&s.end))
    }

    /// `span` without the spaces and tabs it ends with.
    fn trim_blanks_end(&self, span: Span) -> Span {
        let bytes = self.file.text().as_bytes();
        let mut end = span.end().min(bytes.len());
        while end > span.start() && matches!(bytes[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        Span::new(span.start(), end)
    }

    fn scan_error(&self, e: &ScanError) -> YamlError {
        let at = self.offset(e.marker());
        let span = Span::empty(at);
        let message = e.info().to_string();
        // saphyr bounds its own recursion; report that as the limit it is.
        if message.contains("recursion limit") {
            YamlError::Limit {
                span,
                message: format!("nesting too deep: {message}"),
            }
        } else {
            YamlError::Syntax { span, message }
        }
    }

    pub(crate) fn count(&mut self, n: usize, at: Span) -> Result<(), YamlError> {
        self.nodes += n;
        if self.nodes > self.limits.max_nodes {
            return Err(YamlError::Limit {
                span: at,
                message: format!(
                    "document expands to more than {} nodes (alias expansion bomb?)",
                    self.limits.max_nodes
                ),
            });
        }
        Ok(())
    }

    fn count_alias_bytes(&mut self, bytes: usize, at: Span) -> Result<(), YamlError> {
        self.alias_bytes = self.alias_bytes.saturating_add(bytes);
        if self.alias_bytes > self.limits.max_alias_bytes {
            return Err(YamlError::Limit {
                span: at,
                message: format!(
                    "aliases copy more than {} MiB of text (alias expansion bomb?)",
                    self.limits.max_alias_bytes >> 20
                ),
            });
        }
        Ok(())
    }

    /// Keep a copy of an anchored node for its aliases. The copy is charged to the same
    /// budgets as alias expansion: anchors nested in anchors copy a subtree once per level,
    /// which would otherwise multiply an expanded subtree by the nesting depth.
    fn remember(&mut self, anchor: usize, node: &Node) -> Result<(), YamlError> {
        if anchor == 0 {
            return Ok(());
        }
        let (n, bytes) = size(node);
        self.count(n, node.span)?;
        self.count_alias_bytes(bytes, node.span)?;
        if self.anchors.len() <= anchor {
            self.anchors.resize(anchor + 1, None);
        }
        if let Some(slot) = self.anchors.get_mut(anchor) {
            *slot = Some((node.clone(), (n, bytes)));
        }
        Ok(())
    }

    /// A scalar at its final span (properties skipped, blanks trimmed), already
    /// [counted](Self::count).
    pub(crate) fn scalar(
        &mut self,
        span: Span,
        value: String,
        style: Style,
        anchor: usize,
        tag: Option<String>,
    ) -> Result<(), YamlError> {
        let node = Node {
            span,
            kind: NodeKind::Scalar(Scalar { value, style }),
            alias: None,
            tag,
        };
        self.remember(anchor, &node)?;
        self.push(node);
        Ok(())
    }

    /// A copy of the node anchored as `id` (saphyr's numbering, from 1), for the alias
    /// at `span`.
    pub(crate) fn alias(&mut self, id: usize, span: Span) -> Result<(), YamlError> {
        let Some((n, bytes)) = self
            .anchors
            .get(id)
            .and_then(|a| a.as_ref().map(|(_, s)| *s))
        else {
            return Err(YamlError::Syntax {
                span,
                message: "alias refers to an unknown anchor".into(),
            });
        };
        // Check the budgets before cloning: the clone is what they bound.
        self.count(n, span)?;
        self.count_alias_bytes(bytes, span)?;
        if let Some(Some((node, _))) = self.anchors.get(id) {
            let mut node = node.clone();
            node.alias = Some(span);
            self.push(node);
        }
        Ok(())
    }

    /// A sequence (`map` false) or mapping starting at `span`.
    pub(crate) fn open(
        &mut self,
        span: Span,
        map: bool,
        anchor: usize,
        tag: Option<String>,
    ) -> Result<(), YamlError> {
        self.count(1, span)?;
        self.depth_check(span)?;
        self.stack.push(if map {
            Frame::Map {
                start: span.start(),
                anchor,
                tag,
                entries: Vec::new(),
                key: None,
                seen: HashSet::default(),
            }
        } else {
            Frame::Seq {
                start: span.start(),
                anchor,
                tag,
                items: Vec::new(),
            }
        });
        Ok(())
    }

    /// The end of the innermost open collection; `span` is the parser's end event: the
    /// collection ends with its last entry, or with the event where the entry ends earlier.
    pub(crate) fn close(&mut self, span: Span) -> Result<(), YamlError> {
        let (start, anchor, tag, end, kind) = match self.stack.pop() {
            Some(Frame::Seq {
                start,
                anchor,
                tag,
                items,
            }) => {
                let end = items
                    .last()
                    .map_or(span.end(), |n| n.span.end().max(span.start()));
                (start, anchor, tag, end, NodeKind::Seq(items))
            }
            Some(Frame::Map {
                start,
                anchor,
                tag,
                entries,
                ..
            }) => {
                let end = entries
                    .last()
                    .map_or(span.end(), |(_, v)| v.span.end().max(span.start()));
                (start, anchor, tag, end, NodeKind::Map(entries))
            }
            None => return Ok(()),
        };
        let node = Node {
            span: Span::new(start, end.max(start)),
            kind,
            alias: None,
            tag,
        };
        self.remember(anchor, &node)?;
        self.push(node);
        Ok(())
    }

    pub(crate) fn run(mut self) -> Result<(Vec<Node>, Vec<Warning>), YamlError> {
        let text = self.file.text();
        let mut parser = Parser::new_from_str(text);
        while let Some(ev) = parser.next_event() {
            let (event, raw_span) = ev.map_err(|e| self.scan_error(&e))?;
            let span = self.span(&raw_span);
            match event {
                Event::Scalar(value, st, anchor, tag) => {
                    // Only a scalar with properties has them in its span: a block
                    // scalar's text may well start with `!`, `&` or `>` (`if: |` then
                    // `!contains(…)`).
                    let properties = anchor > 0 || tag.is_some();
                    let at = if properties {
                        self.skip_properties(span)
                    } else {
                        span
                    };
                    // saphyr ends the last scalar of a flow collection where the `]` or
                    // `}` starts, blanks included; a plain or quoted scalar never ends
                    // in a blank.
                    let at = match st {
                        ScalarStyle::Literal | ScalarStyle::Folded if properties => {
                            self.block_content(at)
                        }
                        ScalarStyle::Literal | ScalarStyle::Folded => at,
                        _ => self.trim_blanks_end(at),
                    };
                    self.count(1, span)?;
                    self.scalar(
                        at,
                        value.into_owned(),
                        style(st),
                        anchor,
                        local_tag(tag.as_deref()),
                    )?;
                }
                Event::Alias(id) => self.alias(id, span)?,
                Event::SequenceStart(anchor, tag) => {
                    self.open(span, false, anchor, local_tag(tag.as_deref()))?;
                }
                Event::MappingStart(anchor, tag) => {
                    self.open(span, true, anchor, local_tag(tag.as_deref()))?;
                }
                Event::SequenceEnd | Event::MappingEnd => self.close(span)?,
                Event::StreamStart
                | Event::StreamEnd
                | Event::DocumentStart(_)
                | Event::DocumentEnd
                | Event::Nothing => {}
            }
        }
        Ok(self.finish())
    }

    /// The parser's scalar span starts at the node's properties (`&anchor`, `!tag`);
    /// findings should point at the value itself.
    fn skip_properties(&self, mut span: Span) -> Span {
        let text = self.file.text();
        while let Some(rest) = text.get(span.range()) {
            if !(rest.starts_with('&') || rest.starts_with('!')) {
                break;
            }
            let word = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let ws = rest[word..]
                .find(|c: char| !c.is_whitespace())
                .unwrap_or(rest.len() - word);
            span = span.with_start(span.start() + word + ws);
        }
        span
    }

    /// A block scalar's span starts, as the parser gives it, at its first content line;
    /// after properties (`run: &x |`) it starts at the `|` or `>` header instead. Move it
    /// to the first non-blank line after the header, at its indentation, so that both
    /// spellings map positions in the value to the same places.
    fn block_content(&self, mut span: Span) -> Span {
        let text = self.file.text();
        let Some(rest) = text.get(span.range()) else {
            return span;
        };
        if !(rest.starts_with('|') || rest.starts_with('>')) {
            return span;
        }
        let Some(nl) = rest.find('\n') else {
            return span;
        };
        let mut at = span.start() + nl + 1;
        while let Some(line) = text.get(at..span.end()) {
            let end = line.find('\n').map_or(line.len(), |i| i + 1);
            let body = &line[..end];
            if body.trim().is_empty() && end < line.len() {
                at += end;
                continue;
            }
            at += body.len() - body.trim_start_matches(' ').len();
            break;
        }
        span = span.with_start(at.min(span.end()));
        span
    }

    fn depth_check(&self, span: Span) -> Result<(), YamlError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(YamlError::Limit {
                span,
                message: format!("nesting deeper than {} levels", self.limits.max_depth),
            });
        }
        Ok(())
    }

    fn push(&mut self, node: Node) {
        let last_wins = self.duplicate_keys == DuplicateKeys::LastWins;
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries, key, seen, ..
            }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    if last_wins {
                        if let Some(name) = k.as_str()
                            && name != "<<"
                            && repeated(seen, entries, name)
                            && let Some(slot) = entries
                                .iter_mut()
                                .find(|(old, _)| old.as_str() == Some(name))
                        {
                            *slot = (k, node);
                            return;
                        }
                        entries.push((k, node));
                        return;
                    }
                    if let Some(name) = k.as_str()
                        && repeated(seen, entries, name)
                    {
                        self.warnings.push(Warning {
                            span: k.span,
                            message: format!("duplicate key `{name}`; the first one is used"),
                        });
                        return;
                    }
                    entries.push((k, node));
                }
            },
        }
    }
}

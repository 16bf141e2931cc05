//! The walk from a tree-sitter-bash tree to the flat command list, with contexts, pipeline
//! links and the inner scripts of `sh -c "…"`, `eval "…"` and `bash <<EOF`.

use thin_vec::ThinVec;
use tollgate_model::Span;
use tree_sitter::Parser;

use crate::tree::{Node, Tree};

use crate::command::{
    Assignment, ChainOp, Command, CommandContext, Heredoc, Redirect, Word, strip_outer_quotes,
};
use crate::mask::overlaps;
use crate::unwrap::unwrap_wrappers;
use crate::{Limit, LimitKind};

mod inner;
mod text;

pub(crate) use inner::is_shell;
use text::static_text;

/// How deep the walk may descend in one tree before it stops and reports. Each `$( … )`
/// level costs about three tree levels, so this allows well over fifty nested
/// substitutions while keeping the recursion far from the stack limit of a rayon thread.
const MAX_TREE_DEPTH: u16 = 256;
/// How many scripts-inside-scripts (`sh -c "sh -c '…'"`) are analysed.
const MAX_INNER_DEPTH: u8 = 4;

/// Where the text being walked sits in the analysed script.
#[derive(Clone, Copy)]
enum Map {
    /// The text is a verbatim slice starting at this offset.
    Offset(usize),
    /// The text was unescaped from a word: offsets cannot be mapped, so every span is
    /// the span of that word.
    Coarse(Span),
}

impl Map {
    fn span(self, node: Node<'_>) -> Span {
        match self {
            Self::Offset(base) => Span::new(node.start_byte() + base, node.end_byte() + base),
            Self::Coarse(s) => s,
        }
    }

    fn inner(self, start: usize) -> Self {
        match self {
            Self::Offset(base) => Self::Offset(base + start),
            Self::Coarse(s) => Self::Coarse(s),
        }
    }
}

#[derive(Clone, Copy)]
struct Src<'t> {
    text: &'t str,
    map: Map,
}

impl<'t> Src<'t> {
    fn text(self, node: Node<'_>) -> &'t str {
        self.text.get(node.byte_range()).unwrap_or("")
    }
}

#[derive(Clone, Copy, Default)]
struct Ctx {
    flags: CommandContext,
    parent: Option<usize>,
    chain: Option<ChainOp>,
    depth: u16,
    inner: u8,
    /// The innermost loop whose body or condition is being walked (an index into
    /// `Walker::loops`).
    loop_id: Option<usize>,
}

/// The head and tail simple commands of a walked statement, for pipeline links.
type Ends = (Option<usize>, Option<usize>);

pub(crate) struct Walker<'a> {
    pub parser: &'a mut Parser,
    pub expressions: &'a [Span],
    pub commands: Vec<Command>,
    /// Stand-alone assignments and `export`s, in source order.
    pub assignments: Vec<Assignment>,
    /// Redirections of compound statements (`{ …; } >> "$GITHUB_ENV"`), with the
    /// statement span.
    pub statement_redirects: Vec<(Span, Redirect)>,
    /// References to token variables (`$GITHUB_TOKEN`, `${GH_TOKEN}`).
    pub token_refs: Vec<(String, Span)>,
    pub syntax_errors: Vec<Span>,
    pub limits: Vec<Limit>,
    pub parse_failed: bool,
    /// Per loop met, whether its body or condition runs `break` or `sleep`: known only
    /// once the whole loop is walked, so commands note their loop in `command_loops` and
    /// learn the answer at the end of the walk.
    loops: Vec<bool>,
    /// The innermost loop of each command, parallel to `commands`.
    command_loops: Vec<Option<usize>>,
    /// Commands run again by the right side of their `||` (`apt-get install x ||
    /// (sleep 5; apt-get install x)`), both runs: retried like the body of a retry loop.
    or_retried: Vec<usize>,
    /// The image of the container whose command is being walked (`docker run IMAGE …`).
    container_image: Option<String>,
    /// Containers the script started by name (`docker run --name NAME IMAGE`), for the
    /// commands later given to `docker exec NAME`.
    container_names: Vec<(String, String)>,
}

use tollgate_kb::github::TOKEN_VARS;

impl<'a> Walker<'a> {
    pub fn new(parser: &'a mut Parser, expressions: &'a [Span]) -> Self {
        Self {
            parser,
            expressions,
            commands: Vec::new(),
            assignments: Vec::new(),
            statement_redirects: Vec::new(),
            token_refs: Vec::new(),
            syntax_errors: Vec::new(),
            limits: Vec::new(),
            parse_failed: false,
            loops: Vec::new(),
            command_loops: Vec::new(),
            or_retried: Vec::new(),
            container_image: None,
            container_names: Vec::new(),
        }
    }

    /// Parse and walk a whole script (the masked text).
    pub fn run(&mut self, text: &str) {
        self.script(text, Map::Offset(0), Ctx::default());
        for (cmd, l) in self.commands.iter_mut().zip(&self.command_loops) {
            cmd.context.retry_loop = l.is_some_and(|l| self.loops[l]);
        }
        for &i in &self.or_retried {
            self.commands[i].context.retry_loop = true;
        }
    }

    fn script(&mut self, text: &str, map: Map, ctx: Ctx) {
        let tree = if let Some(tree) = crate::fast::parse(text) {
            #[cfg(debug_assertions)]
            if let Some(Err(e)) = crate::fast::check_masked(self.parser, text) {
                panic!("the fast parser disagrees with tree-sitter on {text:?}: {e}");
            }
            tree
        } else {
            let Some(tree) = self.parser.parse(text, None) else {
                self.parse_failed = true;
                return;
            };
            Tree::from_tree_sitter(&tree)
        };
        let root = tree.root();
        let src = Src { text, map };
        if root.has_error() {
            self.collect_errors(root, src);
        }
        self.walk(root, src, ctx);
    }

    /// Record ERROR and MISSING nodes, descending only into subtrees that hold errors.
    fn collect_errors(&mut self, node: Node<'_>, src: Src<'_>) {
        error_spans(node, |n| src.map.span(n), &mut self.syntax_errors);
    }

    fn deeper(&mut self, node: Node<'_>, src: Src<'_>, ctx: &mut Ctx) -> bool {
        ctx.depth += 1;
        if ctx.depth > MAX_TREE_DEPTH {
            let span = src.map.span(node);
            // One report per cut subtree is enough.
            if self.limits.last().is_none_or(|l| l.span != span) {
                self.limits.push(Limit {
                    kind: LimitKind::NestingDepth,
                    span,
                });
            }
            return false;
        }
        true
    }

    fn walk(&mut self, node: Node<'_>, src: Src<'_>, mut ctx: Ctx) -> Ends {
        if !self.deeper(node, src, &mut ctx) {
            return (None, None);
        }
        match node.kind() {
            "command" => {
                let i = self.command(node, src, ctx);
                (Some(i), Some(i))
            }
            "pipeline" => self.pipeline(node, src, ctx, None),
            "list" => self.list(node, src, ctx),
            "redirected_statement" => self.redirected(node, src, ctx),
            "variable_assignment" => {
                self.assignment_stmt(node, src, ctx, false);
                (None, None)
            }
            "variable_assignments" => {
                for ch in node.named_children() {
                    self.assignment_stmt(ch, src, ctx, false);
                }
                (None, None)
            }
            "declaration_command" => {
                self.declaration(node, src, ctx);
                (None, None)
            }
            "comment" | "heredoc_body" | "word" | "string" | "raw_string" | "number" => {
                // Words outside commands (a `for` list, a `case` value) may still hold
                // substitutions.
                if node.kind() == "string" {
                    self.scan_word(node, src, ctx);
                }
                (None, None)
            }
            kind => {
                match kind {
                    "function_definition" => ctx.flags.function = true,
                    "if_statement" => ctx.flags.conditional = true,
                    "elif_clause" | "else_clause" => {
                        ctx.flags.conditional = true;
                        ctx.flags.branch = true;
                    }
                    "while_statement" | "for_statement" | "c_style_for_statement" => {
                        ctx.flags.loop_body = true;
                    }
                    "case_statement" | "case_item" => ctx.flags.case_arm = true,
                    "subshell" => ctx.flags.subshell = true,
                    "negated_command" => ctx.flags.negated = true,
                    "test_command" => ctx.flags.test = true,
                    "command_substitution" => ctx.flags.command_substitution = true,
                    "process_substitution" => ctx.flags.process_substitution = true,
                    _ => {}
                }
                let loop_id = matches!(
                    kind,
                    "while_statement" | "for_statement" | "c_style_for_statement"
                )
                .then(|| {
                    self.loops.push(false);
                    self.loops.len() - 1
                });
                let mut ends: Ends = (None, None);
                let mut first = true;
                let simple = matches!(kind, "negated_command" | "ERROR");
                for ch in node.children() {
                    let field = ch.field_name();
                    if !ch.is_named() {
                        continue;
                    }
                    let mut child = ctx;
                    match kind {
                        // The branches of an `if`, not its first condition; the
                        // statements of a `case` arm, not its patterns.
                        "if_statement" if field != Some("condition") => child.flags.branch = true,
                        "case_item" if field != Some("value") => child.flags.branch = true,
                        // A `while`/`until` loop repeats its condition and its body; a
                        // `for` loop only its body, not the list it walks.
                        "while_statement" => child.loop_id = loop_id,
                        "for_statement" | "c_style_for_statement" if field == Some("body") => {
                            child.loop_id = loop_id;
                        }
                        _ => {}
                    }
                    let e = self.walk(ch, src, child);
                    if simple && first {
                        ends = e;
                    }
                    first = false;
                }
                if simple { ends } else { (None, None) }
            }
        }
    }

    fn pipeline(
        &mut self,
        node: Node<'_>,
        src: Src<'_>,
        mut ctx: Ctx,
        mut prev: Option<usize>,
    ) -> Ends {
        ctx.flags.pipeline = true;
        let mut head = None;
        let mut first = true;
        for ch in node.children() {
            if !ch.is_named() || ch.kind() == "comment" {
                continue;
            }
            let mut member_ctx = ctx;
            if !first {
                member_ctx.chain = None;
            }
            let (h, t) = self.walk(ch, src, member_ctx);
            if first {
                head = h;
                first = false;
            }
            if let (Some(p), Some(h)) = (prev, h) {
                self.commands[p].pipe_next = u32::try_from(h).ok();
                self.commands[h].pipe_prev = u32::try_from(p).ok();
            }
            prev = t;
        }
        if let Some(h) = head {
            self.commands[h].context.pipeline = true;
        }
        (head, prev)
    }

    fn list(&mut self, node: Node<'_>, src: Src<'_>, mut ctx: Ctx) -> Ends {
        ctx.flags.and_or = true;
        let mut head = None;
        let mut tail = None;
        let mut op = None;
        for ch in node.children() {
            match ch.kind() {
                "&&" => op = Some(ChainOp::And),
                "||" => op = Some(ChainOp::Or),
                _ if ch.is_named() && ch.kind() != "comment" => {
                    let mut sub = ctx;
                    sub.chain = op.or(ctx.chain.filter(|_| head.is_none()));
                    // Right of `&&`/`||`, a command runs only as the left side allows.
                    sub.flags.branch |= op.is_some();
                    let from = self.commands.len();
                    let (h, t) = self.walk(ch, src, sub);
                    // `a || a`: both runs are the one retried call.
                    if op == Some(ChainOp::Or)
                        && let Some(left) = tail
                    {
                        let again: Vec<usize> = (from..self.commands.len())
                            .filter(|&i| same_call(&self.commands[left], &self.commands[i]))
                            .collect();
                        if !again.is_empty() {
                            self.or_retried.push(left);
                            self.or_retried.extend(again);
                        }
                    }
                    if head.is_none() {
                        head = h;
                    }
                    tail = t;
                }
                _ => {}
            }
        }
        (head, tail)
    }

    fn redirected(&mut self, node: Node<'_>, src: Src<'_>, ctx: Ctx) -> Ends {
        let mut ends: Ends = (None, None);
        let mut body_seen = false;
        let mut heredocs = Vec::new();
        for ch in node.children() {
            if !ch.is_named() {
                continue;
            }
            if !body_seen && !is_redirect(ch.kind()) {
                ends = self.walk(ch, src, ctx);
                body_seen = true;
                continue;
            }
            if is_redirect(ch.kind()) {
                let owner = ends.1;
                if ch.kind() == "heredoc_redirect" {
                    heredocs.push(ch);
                }
                let r = self.redirect(ch, src, ctx, owner, &mut ends);
                match (owner, r) {
                    (Some(i), Some(r)) => self.commands[i].redirects.push(r),
                    (None, Some(r)) => self.statement_redirects.push((src.map.span(node), r)),
                    _ => {}
                }
            }
        }
        // `bash <<EOF … EOF`: the heredoc only reached the command now.
        if let Some(i) = ends.0.filter(|_| !heredocs.is_empty())
            && self.commands[i].span.start() == src.map.span(node).start()
            && self.commands[i]
                .redirects
                .iter()
                .any(|r| r.heredoc.is_some())
        {
            let nodes = Nodes {
                args: Vec::new(),
                redirects: heredocs,
            };
            self.inner_scripts(i, &nodes, src, ctx);
        }
        ends
    }

    /// Build a redirection; walk substitutions in its target and the commands that
    /// tree-sitter-bash nests inside a heredoc redirect (`cat <<EOF | sh`).
    fn redirect(
        &mut self,
        node: Node<'_>,
        src: Src<'_>,
        ctx: Ctx,
        owner: Option<usize>,
        ends: &mut Ends,
    ) -> Option<Redirect> {
        let span = src.map.span(node);
        let mut op = String::new();
        let mut fd = None;
        let mut target = None;
        let mut heredoc: Option<Heredoc> = None;
        let mut sub = ctx;
        sub.parent = owner;
        let mut chain = None;
        for ch in node.children() {
            let k = ch.kind();
            if !ch.is_named() {
                match k {
                    "&&" => chain = Some(ChainOp::And),
                    "||" => chain = Some(ChainOp::Or),
                    _ if op.is_empty() => op.push_str(k),
                    _ => {}
                }
                continue;
            }
            match k {
                "file_descriptor" => fd = src.text(ch).parse().ok(),
                "heredoc_start" => {
                    let raw = src.text(ch);
                    let quoted = raw.contains(['\'', '"', '\\']);
                    heredoc = Some(Heredoc {
                        delimiter: strip_outer_quotes(raw).replace('\\', ""),
                        quoted,
                        strip_tabs: op == "<<-",
                        body: Span::empty(src.map.span(ch).end()),
                    });
                }
                "heredoc_body" => {
                    if let Some(h) = heredoc.as_mut() {
                        h.body = src.map.span(ch);
                    }
                }
                "heredoc_end" | "heredoc_content" => {}
                "pipeline" => {
                    // `cat <<EOF | sh`: the pipeline after the heredoc start continues
                    // from the command that owns the heredoc.
                    let mut pctx = ctx;
                    pctx.flags.pipeline = true;
                    if let Some(o) = owner {
                        self.commands[o].context.pipeline = true;
                    }
                    let (_, t) = self.pipeline(ch, src, pctx, owner);
                    ends.1 = t;
                }
                "file_redirect" | "heredoc_redirect" | "herestring_redirect" => {
                    if let Some(r) = self.redirect(ch, src, ctx, owner, ends)
                        && let Some(o) = owner
                    {
                        self.commands[o].redirects.push(r);
                    }
                }
                _ if heredoc.is_some() && chain.is_some() => {
                    // `cat <<EOF && next`: the rest of the list.
                    let mut lctx = ctx;
                    lctx.flags.and_or = true;
                    lctx.flags.branch = true;
                    lctx.chain = chain.take();
                    let (_, t) = self.walk(ch, src, lctx);
                    ends.1 = t;
                }
                _ if target.is_none() && heredoc.is_none() => {
                    self.scan_word(ch, src, sub);
                    target = Some(self.word(ch, src));
                }
                _ => {
                    self.scan_word(ch, src, sub);
                }
            }
        }
        Some(Redirect {
            span,
            op,
            fd,
            target,
            heredoc,
        })
    }

    fn assignment_stmt(&mut self, node: Node<'_>, src: Src<'_>, ctx: Ctx, exported: bool) {
        if node.kind() != "variable_assignment" {
            if node.kind() == "variable_name" && exported {
                self.assignments.push(Assignment {
                    name: src.text(node).to_owned(),
                    value: None,
                    span: src.map.span(node),
                    exported: true,
                });
            }
            return;
        }
        let a = self.assignment(node, src, ctx, exported);
        self.assignments.push(a);
    }

    fn assignment(&mut self, node: Node<'_>, src: Src<'_>, ctx: Ctx, exported: bool) -> Assignment {
        let mut name = String::new();
        let mut value = None;
        for ch in node.children() {
            let field = ch.field_name();
            match field {
                Some("name") => src.text(ch).clone_into(&mut name),
                Some("value") => {
                    self.scan_word(ch, src, ctx);
                    value = Some(self.word(ch, src));
                }
                _ => {}
            }
        }
        Assignment {
            name,
            value,
            span: src.map.span(node),
            exported,
        }
    }

    fn declaration(&mut self, node: Node<'_>, src: Src<'_>, ctx: Ctx) {
        let mut exported = false;
        for ch in node.children() {
            match ch.kind() {
                "export" => exported = true,
                "word" if src.text(ch).starts_with('-') && src.text(ch).contains('x') => {
                    exported = true;
                }
                "variable_assignment" | "variable_name" => {
                    self.assignment_stmt(ch, src, ctx, exported);
                }
                _ => {}
            }
        }
    }

    fn command(&mut self, node: Node<'_>, src: Src<'_>, ctx: Ctx) -> usize {
        let span = src.map.span(node);
        let idx = self.commands.len();
        let text = src.text(node);
        self.command_loops.push(ctx.loop_id);
        self.commands.push(Command {
            span,
            argv: Vec::new(),
            name_index: 0,
            wrappers: ThinVec::new(),
            assignments: ThinVec::new(),
            redirects: ThinVec::new(),
            pipe_prev: None,
            pipe_next: None,
            parent: ctx.parent.and_then(|p| u32::try_from(p).ok()),
            chain: ctx.chain,
            context: ctx.flags,
            line_continuation: text.contains("\\\n") || text.contains("\\\r\n"),
            container_image: ctx
                .flags
                .container
                .then(|| self.container_image.as_deref().map(Box::from))
                .flatten(),
        });
        let mut sub = ctx;
        sub.parent = Some(idx);
        sub.chain = None;
        let mut argv = Vec::new();
        let mut arg_nodes = Vec::new();
        let mut assignments = Vec::new();
        let mut redirect_nodes = Vec::new();
        for ch in node.children() {
            let field = ch.field_name();
            match field {
                Some("name") => {
                    let w = ch.named_child(0).unwrap_or(ch);
                    self.scan_word(w, src, sub);
                    argv.push(self.word(w, src));
                    arg_nodes.push(w);
                }
                Some("argument") => {
                    self.scan_word(ch, src, sub);
                    argv.push(self.word(ch, src));
                    arg_nodes.push(ch);
                }
                Some("redirect") => redirect_nodes.push(ch),
                _ if ch.kind() == "variable_assignment" => {
                    assignments.push(self.assignment(ch, src, sub, true));
                }
                _ if is_redirect(ch.kind()) => redirect_nodes.push(ch),
                _ => {}
            }
        }
        let raws: Vec<&str> = arg_nodes.iter().map(|n| src.text(*n)).collect();
        let unwrapped = unwrap_wrappers(&argv, &raws);
        assignments.extend(unwrapped.assignments);
        {
            let cmd = &mut self.commands[idx];
            cmd.argv = argv;
            cmd.name_index = unwrapped.name_index;
            cmd.wrappers = unwrapped.wrappers.into();
            cmd.assignments = assignments.into();
        }
        if let Some(l) = ctx.loop_id
            && matches!(self.commands[idx].name(), Some("break" | "sleep"))
        {
            self.loops[l] = true;
        }
        let mut ends = (Some(idx), Some(idx));
        for r in &redirect_nodes {
            if let Some(r) = self.redirect(*r, src, ctx, Some(idx), &mut ends) {
                self.commands[idx].redirects.push(r);
            }
        }
        let nodes = Nodes {
            args: arg_nodes,
            redirects: redirect_nodes,
        };
        self.inner_scripts(idx, &nodes, src, ctx);
        idx
    }

    /// Walk the parts of a word that can hold commands, and note token variables.
    fn scan_word(&mut self, node: Node<'_>, src: Src<'_>, mut ctx: Ctx) {
        match node.kind() {
            "simple_expansion" | "expansion" => {
                for ch in node.children() {
                    if ch.kind() == "variable_name" {
                        let name = src.text(ch);
                        if TOKEN_VARS.contains(&name) {
                            self.token_refs.push((name.to_owned(), src.map.span(node)));
                        }
                    } else if ch.is_named() && node.kind() == "expansion" {
                        self.scan_word(ch, src, ctx);
                    }
                }
            }
            "command_substitution" | "process_substitution" => {
                self.walk(node, src, ctx);
            }
            "string"
            | "concatenation"
            | "arithmetic_expansion"
            | "translated_string"
            | "array"
            | "binary_expression"
            | "unary_expression"
            | "parenthesized_expression" => {
                if !self.deeper(node, src, &mut ctx) {
                    return;
                }
                for ch in node.named_children() {
                    self.scan_word(ch, src, ctx);
                }
            }
            _ => {}
        }
    }

    fn word(&self, node: Node<'_>, src: Src<'_>) -> Word {
        let span = src.map.span(node);
        let has_expression = overlaps(self.expressions, span);
        let mut text = String::new();
        let mut quoted = false;
        let ok = !has_expression && static_text(node, src, &mut text, &mut quoted, 0);
        Word {
            span,
            text: ok.then(|| text.into_boxed_str()),
            has_expression,
            quoted,
            variables: if ok {
                ThinVec::new()
            } else {
                expanded_variables(node, src).into()
            },
        }
    }
}

/// The parameters a word expands, in source order, not looking into command or process
/// substitutions: each node of the word is visited once, so the cost is the word's size.
fn expanded_variables(node: Node<'_>, src: Src<'_>) -> Vec<String> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if matches!(n.kind(), "command_substitution" | "process_substitution") {
            continue;
        }
        let expansion = matches!(n.kind(), "simple_expansion" | "expansion");
        for ch in n.named_children() {
            if expansion && ch.kind() == "variable_name" {
                out.push((ch.start_byte(), src.text(ch).to_owned()));
            } else {
                stack.push(ch);
            }
        }
    }
    out.sort_unstable();
    out.into_iter().map(|(_, v)| v).collect()
}

/// Whether `b` runs the same program and subcommand as `a` (the first word after the
/// name that is not an option: `apt-get install`, `curl <url>`), so that `a || b` runs
/// `a` again when it fails.
fn same_call(a: &Command, b: &Command) -> bool {
    let first = |c: &Command| {
        c.args()
            .iter()
            .map(Word::as_str)
            .find(|t| t.is_none_or(|t| !t.starts_with('-')))
            .flatten()
            .map(str::to_owned)
    };
    a.name().is_some() && a.name() == b.name() && first(a).is_some() && first(a) == first(b)
}

/// The tree nodes of a command's words (parallel to `argv`) and redirections.
struct Nodes<'t> {
    args: Vec<Node<'t>>,
    redirects: Vec<Node<'t>>,
}

fn is_redirect(kind: &str) -> bool {
    matches!(
        kind,
        "file_redirect" | "heredoc_redirect" | "herestring_redirect"
    )
}

/// What [`error_spans`] reads of a syntax tree: the copied bash tree and tree-sitter's
/// PowerShell tree alike.
pub(crate) trait ErrorNodes: Copy {
    fn is_error(self) -> bool;
    fn is_missing(self) -> bool;
    fn has_error(self) -> bool;
    fn children_into(self, out: &mut Vec<Self>);
}

impl ErrorNodes for Node<'_> {
    fn is_error(self) -> bool {
        Node::is_error(self)
    }
    fn is_missing(self) -> bool {
        Node::is_missing(self)
    }
    fn has_error(self) -> bool {
        Node::has_error(self)
    }
    fn children_into(self, out: &mut Vec<Self>) {
        out.extend(self.children());
    }
}

impl ErrorNodes for tree_sitter::Node<'_> {
    fn is_error(self) -> bool {
        tree_sitter::Node::is_error(&self)
    }
    fn is_missing(self) -> bool {
        tree_sitter::Node::is_missing(&self)
    }
    fn has_error(self) -> bool {
        tree_sitter::Node::has_error(&self)
    }
    fn children_into(self, out: &mut Vec<Self>) {
        let mut c = self.walk();
        out.extend(self.children(&mut c));
    }
}

/// The spans of the error and missing nodes under `node` (a tree of either grammar),
/// each subtree with an error entered only down to its first error node; `span` maps a
/// node to the script.
pub(crate) fn error_spans<N: ErrorNodes>(node: N, span: impl Fn(N) -> Span, out: &mut Vec<Span>) {
    let mut stack = vec![node];
    let mut children = Vec::new();
    while let Some(n) = stack.pop() {
        if n.is_error() || n.is_missing() {
            out.push(span(n));
            continue;
        }
        n.children_into(&mut children);
        stack.extend(
            children
                .drain(..)
                .filter(|ch| ch.has_error() || ch.is_missing()),
        );
    }
}

#[cfg(test)]
mod tests;

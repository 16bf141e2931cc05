//! The walk from a tree-sitter-powershell tree to the same flat command list the bash walk
//! builds, so that every recogniser reads PowerShell commands as it reads bash ones.
//!
//! What maps to what:
//! - a `command` (`Invoke-WebRequest -Uri x -OutFile f`, `pip install x`) is a [`Command`]
//!   whose words are its name, its `-Parameter`s and its arguments as written; the name
//!   is folded the way PowerShell resolves it (case-insensitive, `.exe` dropped, `\` read
//!   as `/`), so `PIP.exe` and `.\uv.exe` are `pip` and `./uv`;
//! - `a | b` links pipeline neighbours, `a && b`/`a || b` (PowerShell 7) are chains;
//! - commands inside `( … )`, `$( … )` and `@( … )` get the enclosing command as parent
//!   and the command-substitution context, like bash's `$( … )`, so `iex (irm url)`
//!   reads as `eval "$(curl url)"`;
//! - `[scriptblock]::Create(text)` is recorded as an `iex` command over its argument (it
//!   turns text into code), and `.DownloadFile(url, file)`/`.DownloadString(url)` as
//!   `webclient.downloadfile`/`webclient.downloadstring` commands over their arguments;
//! - `$env:NAME = value` is an exported assignment; `$env:GITHUB_TOKEN` a token use;
//! - `>`, `>>` are redirections, and `Out-File`/`Add-Content`/`Set-Content`/`Tee-Object`
//!   with a path become the redirection they stand for, so writes to `$env:GITHUB_ENV`
//!   are found.

use thin_vec::ThinVec;
use tollgate_kb::github::TOKEN_VARS;
use tollgate_model::Span;
use tree_sitter::{Node, Parser};

use crate::command::{Assignment, ChainOp, Command, CommandContext, Redirect, Word, Wrapper};
use crate::mask::overlaps;
use crate::{Limit, LimitKind};

mod word;

/// How deep the walk may descend before it stops and reports (PowerShell's expression
/// grammar nests about a dozen levels per operand, so this is larger than bash's).
const MAX_TREE_DEPTH: u16 = 1024;

#[derive(Clone, Copy, Default)]
struct Ctx {
    flags: CommandContext,
    parent: Option<usize>,
    chain: Option<ChainOp>,
    depth: u16,
    loop_id: Option<usize>,
}

type Ends = (Option<usize>, Option<usize>);

pub(crate) struct Walker<'a> {
    text: &'a str,
    expressions: &'a [Span],
    pub commands: Vec<Command>,
    pub assignments: Vec<Assignment>,
    pub token_refs: Vec<(String, Span)>,
    pub syntax_errors: Vec<Span>,
    pub limits: Vec<Limit>,
    pub parse_failed: bool,
    loops: Vec<bool>,
    command_loops: Vec<Option<usize>>,
}

impl<'a> Walker<'a> {
    pub fn new(text: &'a str, expressions: &'a [Span]) -> Self {
        Self {
            text,
            expressions,
            commands: Vec::new(),
            assignments: Vec::new(),
            token_refs: Vec::new(),
            syntax_errors: Vec::new(),
            limits: Vec::new(),
            parse_failed: false,
            loops: Vec::new(),
            command_loops: Vec::new(),
        }
    }

    /// Parse and walk a whole script (the masked text).
    pub fn run(&mut self, parser: &mut Parser) {
        let Some(tree) = parser.parse(self.text, None) else {
            self.parse_failed = true;
            return;
        };
        let root = tree.root_node();
        if root.has_error() {
            self.collect_errors(root);
        }
        self.walk(root, Ctx::default());
        for (cmd, l) in self.commands.iter_mut().zip(&self.command_loops) {
            cmd.context.retry_loop = l.is_some_and(|l| self.loops[l]);
        }
    }

    fn src(&self, node: Node<'_>) -> &'a str {
        self.text.get(node.byte_range()).unwrap_or("")
    }

    fn collect_errors(&mut self, node: Node<'_>) {
        crate::walk::error_spans(node, span, &mut self.syntax_errors);
    }

    fn deeper(&mut self, node: Node<'_>, ctx: &mut Ctx) -> bool {
        ctx.depth += 1;
        if ctx.depth > MAX_TREE_DEPTH {
            let s = span(node);
            if self.limits.last().is_none_or(|l| l.span != s) {
                self.limits.push(Limit {
                    kind: LimitKind::NestingDepth,
                    span: s,
                });
            }
            return false;
        }
        true
    }

    fn walk(&mut self, node: Node<'_>, mut ctx: Ctx) -> Ends {
        if !self.deeper(node, &mut ctx) {
            return (None, None);
        }
        match node.kind() {
            "command" => {
                let i = self.command(node, ctx);
                (Some(i), Some(i))
            }
            "pipeline" => self.pipeline(node, ctx),
            "pipeline_chain" => self.pipe(node, ctx),
            "variable" => {
                self.variable(node);
                (None, None)
            }
            "generic_token" => {
                self.token_in_text(node);
                (None, None)
            }
            "comment" => (None, None),
            "invokation_expression" => {
                self.invocation(node, ctx);
                (None, None)
            }
            kind => {
                match kind {
                    "function_statement" | "filter_statement" | "class_statement" => {
                        ctx.flags.function = true;
                    }
                    "if_statement" | "switch_statement" => ctx.flags.conditional = true,
                    "elseif_clause" | "else_clause" | "catch_clause" | "switch_clause" => {
                        ctx.flags.conditional = true;
                        ctx.flags.branch = true;
                    }
                    "while_statement" | "for_statement" | "foreach_statement" | "do_statement" => {
                        ctx.flags.loop_body = true
                    }
                    "parenthesized_expression" | "sub_expression" | "array_expression" => {
                        ctx.flags.command_substitution = true;
                    }
                    _ => {}
                }
                let loop_id = matches!(
                    kind,
                    "while_statement" | "for_statement" | "foreach_statement" | "do_statement"
                )
                .then(|| {
                    self.loops.push(false);
                    self.loops.len() - 1
                });
                let mut c = node.walk();
                let mut first_pipeline = true;
                for ch in node.named_children(&mut c) {
                    let mut child = ctx;
                    if kind == "if_statement" && ch.kind() == "statement_block" {
                        child.flags.branch = true;
                    }
                    if kind == "foreach_statement" && ch.kind() == "pipeline" && first_pipeline {
                        // The collection a `foreach` walks is read once, not retried.
                        first_pipeline = false;
                    } else if loop_id.is_some() {
                        child.loop_id = loop_id;
                    }
                    self.walk(ch, child);
                }
                (None, None)
            }
        }
    }

    /// A pipeline statement: chains of pipes joined by `&&`/`||`, or an assignment.
    fn pipeline(&mut self, node: Node<'_>, mut ctx: Ctx) -> Ends {
        let mut c = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut c).collect();
        if let Some(a) = children
            .iter()
            .find(|n| n.kind() == "assignment_expression")
        {
            let mut d = a.walk();
            let parts: Vec<Node<'_>> = a.named_children(&mut d).collect();
            let op = parts
                .iter()
                .position(|n| n.kind() == "assignement_operator")
                .unwrap_or(parts.len());
            let lhs = parts.first().copied();
            let value = parts.get(op + 1).copied();
            self.assignment(*a, lhs, value, ctx);
            for ch in parts.iter().skip(op + 1) {
                self.walk(*ch, ctx);
            }
            return (None, None);
        }
        let multi = children.iter().any(|n| n.kind() == "pipeline_chain_tail");
        if multi {
            ctx.flags.and_or = true;
        }
        let mut head = None;
        let mut tail = None;
        let mut op = None;
        for ch in children {
            if ch.kind() == "pipeline_chain_tail" {
                let t = self.src(ch);
                op = if t.contains("||") {
                    Some(ChainOp::Or)
                } else {
                    Some(ChainOp::And)
                };
                continue;
            }
            let mut sub = ctx;
            sub.chain = op.or(ctx.chain.filter(|_| head.is_none()));
            sub.flags.branch |= op.is_some();
            let (h, t) = self.walk(ch, sub);
            if head.is_none() {
                head = h;
            }
            tail = t;
        }
        (head, tail)
    }

    /// `a | b | c`.
    fn pipe(&mut self, node: Node<'_>, mut ctx: Ctx) -> Ends {
        let mut c = node.walk();
        let members: Vec<Node<'_>> = node
            .named_children(&mut c)
            .filter(|n| n.kind() != "comment")
            .collect();
        if members.len() > 1 {
            ctx.flags.pipeline = true;
        }
        let mut head = None;
        let mut prev: Option<usize> = None;
        for (k, m) in members.into_iter().enumerate() {
            let mut sub = ctx;
            if k > 0 {
                sub.chain = None;
            }
            let (h, t) = self.walk(m, sub);
            if k == 0 {
                head = h;
            }
            if let (Some(p), Some(h)) = (prev, h) {
                self.commands[p].pipe_next = u32::try_from(h).ok();
                self.commands[h].pipe_prev = u32::try_from(p).ok();
            }
            prev = t;
        }
        (head, prev)
    }

    /// `$env:NAME = value` is an exported assignment (child processes see it).
    fn assignment(
        &mut self,
        node: Node<'_>,
        lhs: Option<Node<'_>>,
        value: Option<Node<'_>>,
        ctx: Ctx,
    ) {
        let Some(lhs) = lhs else { return };
        let name = self.src(lhs).trim();
        let Some(var) = env_name(name) else {
            // `$x = …`: the walk of the value still finds its commands.
            self.walk(lhs, ctx);
            return;
        };
        let value = value.map(|v| self.word(single_value(v)));
        self.assignments.push(Assignment {
            name: var.to_owned(),
            value,
            span: span(node),
            exported: true,
        });
    }

    fn variable(&mut self, node: Node<'_>) {
        let text = self.src(node);
        if let Some(name) = env_name(text)
            && let Some(known) = TOKEN_VARS.iter().find(|t| t.eq_ignore_ascii_case(name))
        {
            self.token_refs.push(((*known).to_owned(), span(node)));
        }
    }

    /// A bare argument such as `https://x/$env:GH_TOKEN@host` holds variables as text.
    fn token_in_text(&mut self, node: Node<'_>) {
        let text = self.src(node);
        let base = node.start_byte();
        let lower = text.to_ascii_lowercase();
        let mut from = 0;
        while let Some(at) = lower[from..].find("$env:") {
            let start = from + at;
            let name_start = start + 5;
            let len = text[name_start..]
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            let name = &text[name_start..name_start + len];
            if let Some(known) = TOKEN_VARS.iter().find(|t| t.eq_ignore_ascii_case(name)) {
                self.token_refs.push((
                    (*known).to_owned(),
                    Span::new(base + start, base + name_start + len),
                ));
            }
            from = name_start + len;
        }
    }

    /// `[scriptblock]::Create(text)` and `(New-Object Net.WebClient).DownloadFile(…)`:
    /// method calls that stand for a command; any other call is walked for the commands
    /// inside its operands.
    fn invocation(&mut self, node: Node<'_>, ctx: Ctx) {
        let mut c = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut c).collect();
        let member = children
            .iter()
            .find(|n| n.kind() == "member_name")
            .map(|n| self.src(*n).to_ascii_lowercase());
        let target = children.first().map(|n| self.src(*n).to_ascii_lowercase());
        let args = children.iter().find(|n| n.kind() == "argument_list");
        let synthetic = match (member.as_deref(), target.as_deref()) {
            (Some("create"), Some(t)) if t.replace(' ', "") == "[scriptblock]" => Some("iex"),
            (Some("downloadfile"), _) => Some("webclient.downloadfile"),
            (Some("downloadstring"), _) => Some("webclient.downloadstring"),
            _ => None,
        };
        let (Some(name), Some(args)) = (synthetic, args) else {
            for ch in children {
                self.walk(ch, ctx);
            }
            return;
        };
        let name_node = children
            .iter()
            .find(|n| n.kind() == "member_name")
            .copied()
            .unwrap_or(node);
        // The receiver (`(New-Object Net.WebClient)`) runs first.
        for ch in children.iter().filter(|n| n.kind() != "argument_list") {
            self.walk(*ch, ctx);
        }
        let idx = self.push_command(node, ctx);
        let mut argv = vec![Word {
            span: span(name_node),
            text: Some(name.into()),
            has_expression: false,
            quoted: false,
            variables: ThinVec::new(),
        }];
        let mut sub = ctx;
        sub.parent = Some(idx);
        sub.chain = None;
        sub.flags.command_substitution = true;
        for a in argument_expressions(*args) {
            argv.push(self.word(a));
            self.walk(a, sub);
        }
        self.commands[idx].argv = argv;
    }

    fn push_command(&mut self, node: Node<'_>, ctx: Ctx) -> usize {
        let text = self.src(node);
        // The grammar's command ends after the blanks that follow its last word.
        let trimmed = text.trim_end_matches([' ', '\t', '\r', '\n', '`']);
        self.command_loops.push(ctx.loop_id);
        self.commands.push(Command {
            span: Span::new(node.start_byte(), node.start_byte() + trimmed.len()),
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
            line_continuation: trimmed.contains("`\n") || trimmed.contains("`\r\n"),
            container_image: None,
        });
        self.commands.len() - 1
    }

    fn command(&mut self, node: Node<'_>, ctx: Ctx) -> usize {
        let idx = self.push_command(node, ctx);
        let mut sub = ctx;
        sub.parent = Some(idx);
        sub.chain = None;
        let mut argv = Vec::new();
        let mut wrappers = Vec::new();
        let mut redirects = Vec::new();
        let mut c = node.walk();
        for ch in node.named_children(&mut c) {
            match ch.kind() {
                "command_invokation_operator" => {
                    // `& cmd` runs a command; `. file` runs a script in the current scope
                    // (bash's `source`).
                    let op = self.src(ch).trim();
                    let w = Word {
                        span: span(ch),
                        text: Some(op.into()),
                        has_expression: false,
                        quoted: false,
                        variables: ThinVec::new(),
                    };
                    if op == "&" {
                        wrappers.push(Wrapper {
                            name: "&".into(),
                            span: span(ch),
                        });
                    }
                    argv.push(w);
                }
                "command_name" | "command_name_expr" => {
                    let mut w = self.word(ch);
                    if let Some(t) = w.text.take() {
                        w.text = Some(fold_name(&t).into());
                    }
                    self.walk_inner(ch, sub);
                    argv.push(w);
                }
                "command_elements" => {
                    let mut e = ch.walk();
                    for el in ch.named_children(&mut e) {
                        match el.kind() {
                            "command_argument_sep" | "comment" => {}
                            "redirection" => {
                                redirects.push(self.redirection(el, sub));
                            }
                            _ => {
                                argv.push(self.word(el));
                                self.walk_inner(el, sub);
                            }
                        }
                    }
                }
                _ => self.walk_inner(ch, sub),
            }
        }
        let name_index = usize::from(wrappers.len() == 1 && argv.len() > 1);
        if let Some(l) = ctx.loop_id
            && argv
                .get(name_index)
                .and_then(Word::as_str)
                .is_some_and(|n| matches!(n, "break" | "start-sleep" | "sleep"))
        {
            self.loops[l] = true;
        }
        let cmd = &mut self.commands[idx];
        cmd.argv = argv;
        cmd.name_index = name_index;
        cmd.wrappers = wrappers.into();
        cmd.redirects = redirects.into();
        cmd_redirect_cmdlet(cmd);
        idx
    }

    /// The commands and variables inside an argument.
    fn walk_inner(&mut self, node: Node<'_>, ctx: Ctx) {
        match node.kind() {
            "variable" => self.variable(node),
            "generic_token" => self.token_in_text(node),
            _ => {
                let mut c = node.walk();
                for ch in node.named_children(&mut c) {
                    self.walk(ch, ctx);
                }
            }
        }
    }

    fn redirection(&mut self, node: Node<'_>, ctx: Ctx) -> Redirect {
        let mut op = String::new();
        let mut target = None;
        let mut c = node.walk();
        for ch in node.named_children(&mut c) {
            match ch.kind() {
                "file_redirection_operator" | "merging_redirection_operator" => {
                    op = self.src(ch).trim().to_owned();
                }
                "redirected_file_name" => {
                    let mut d = ch.walk();
                    let inner = ch
                        .named_children(&mut d)
                        .find(|n| n.kind() != "command_argument_sep")
                        .map_or(ch, single_value);
                    target = Some(self.word(inner));
                    self.walk_inner(ch, ctx);
                }
                _ => {}
            }
        }
        // `2>`, `*>>`: the stream number leads the operator.
        let fd = op
            .chars()
            .next()
            .and_then(|c| c.to_digit(10))
            .filter(|_| op.len() > 1);
        let mut bare = op
            .trim_start_matches(|c: char| c.is_ascii_digit() || c == '*')
            .to_owned();
        // `2>&1` merges streams: bash's `>&` with the stream as its target.
        if let Some(to) = bare.strip_prefix(">&").map(str::to_owned) {
            let at = node.end_byte() - to.len();
            target = Some(Word {
                span: Span::new(at, node.end_byte()),
                text: Some(to.into()),
                has_expression: false,
                quoted: false,
                variables: ThinVec::new(),
            });
            bare = ">&".to_owned();
        }
        Redirect {
            span: span(node),
            op: bare,
            fd,
            target,
            heredoc: None,
        }
    }

    fn word(&self, node: Node<'_>) -> Word {
        let s = span(node);
        let has_expression = overlaps(self.expressions, s);
        let (text, quoted, variables) = word::static_text(node, self.text);
        Word {
            span: s,
            text: text.filter(|_| !has_expression).map(String::into_boxed_str),
            has_expression,
            quoted,
            variables: variables.into(),
        }
    }
}

fn span(node: Node<'_>) -> Span {
    Span::new(node.start_byte(), node.end_byte())
}

/// The name after `$env:` (or `${env:…}`), case kept.
pub(crate) fn env_name(text: &str) -> Option<&str> {
    let t = text.strip_prefix('$')?;
    let t = t
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .unwrap_or(t);
    let (scope, name) = t.split_once(':')?;
    (scope.eq_ignore_ascii_case("env")
        && !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
    .then_some(name)
}

/// PowerShell resolves command names case-insensitively and finds `x.exe` for `x`; a
/// path is kept as a path (`\` read as `/`) so later uses of a downloaded file match.
pub(crate) fn fold_name(name: &str) -> String {
    let slashed = name.replace('\\', "/");
    let lower = slashed.to_ascii_lowercase();
    let cut = lower
        .strip_suffix(".exe")
        .map_or(slashed.as_str(), |_| &slashed[..slashed.len() - 4]);
    if cut.contains('/') {
        cut.to_owned()
    } else {
        cut.to_ascii_lowercase()
    }
}

/// Descend through the one-child wrappers of PowerShell's expression grammar (a value is
/// `array_literal_expression > unary_expression > string_literal > …`).
pub(crate) fn single_value(mut node: Node<'_>) -> Node<'_> {
    loop {
        if node.named_child_count() != 1
            || matches!(
                node.kind(),
                "string_literal"
                    | "parenthesized_expression"
                    | "sub_expression"
                    | "variable"
                    | "generic_token"
            )
        {
            return node;
        }
        match node.named_child(0) {
            Some(ch)
                if ch.start_byte() == node.start_byte() && ch.end_byte() == node.end_byte() =>
            {
                node = ch;
            }
            _ => return node,
        }
    }
}

/// The operands of a method call's `( … )`, each reduced to its value.
fn argument_expressions(args: Node<'_>) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let mut c = args.walk();
    for list in args.named_children(&mut c) {
        if list.kind() != "argument_expression_list" {
            continue;
        }
        let mut d = list.walk();
        for a in list.named_children(&mut d) {
            if a.kind() == "argument_expression" {
                out.push(single_value(a));
            }
        }
    }
    out
}

/// `Out-File f`, `Add-Content -Path f`, `Set-Content f`, `Tee-Object -FilePath f`: the
/// redirection each stands for (`>>` when it appends), so writes to the workflow-command
/// files read as `echo … >> "$GITHUB_ENV"` does.
fn cmd_redirect_cmdlet(cmd: &mut Command) {
    let Some(name) = cmd.name() else { return };
    let (params, appends): (&[&str], bool) = match name {
        "out-file" => (&["-filepath", "-path", "-literalpath"], false),
        "add-content" | "ac" => (&["-path", "-literalpath"], true),
        "set-content" | "sc" => (&["-path", "-literalpath"], false),
        // `tee` (the alias) already reads as bash's `tee`.
        "tee-object" => (&["-filepath", "-literalpath", "-path"], false),
        _ => return,
    };
    let args = cmd.args();
    let lower = |w: &Word| w.as_str().map(str::to_ascii_lowercase);
    let append = appends
        || args.iter().any(|w| {
            lower(w)
                .as_deref()
                .is_some_and(|t| t == "-append" || t == "-a")
        });
    // The named path, else the first positional argument.
    let mut target = None;
    let mut k = 0;
    while k < args.len() {
        let t = lower(&args[k]);
        match t.as_deref() {
            Some(p) if params.contains(&p) => {
                target = args.get(k + 1).cloned();
                break;
            }
            Some(p) if p.starts_with('-') => {
                // Switches take no value; other named parameters take the next word.
                let switch = matches!(
                    p,
                    "-append" | "-force" | "-noclobber" | "-nonewline" | "-passthru" | "-a"
                );
                k += if switch { 1 } else { 2 };
            }
            _ => {
                if target.is_none() {
                    target = Some(args[k].clone());
                }
                break;
            }
        }
    }
    let Some(target) = target else { return };
    cmd.redirects.push(Redirect {
        span: target.span,
        op: if append { ">>" } else { ">" }.to_owned(),
        fd: None,
        target: Some(target),
        heredoc: None,
    });
}

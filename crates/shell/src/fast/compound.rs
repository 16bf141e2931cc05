//! Compound commands for the fast parser: `if`/`elif`/`else`, `for NAME in WORDS`,
//! `while` and `until` loops, `{ … }` groups, `[ … ]` and `[[ … ]]` tests of the common
//! shapes (in `[[ … ]]` joined by `&&` and `||`), `!` before a command and
//! `export NAME=WORD …`, and function definitions, built as tree-sitter-bash builds
//! them. Only outside `$( … )`.

use super::{MAX_DEPTH, P};
use crate::tree::Raw;

/// The compound commands built here.
enum Form {
    /// `[ … ]`, or `[[ … ]]`.
    Test {
        double: bool,
    },
    /// `{ … }`.
    Group,
    /// `NAME() { … }`, or `function NAME { … }`.
    Function {
        keyword: bool,
    },
    If,
    For,
    /// `while` or `until`.
    While(&'static str),
}

/// Bytes that may follow a keyword for it to be one.
fn ends_keyword(c: Option<u8>) -> bool {
    matches!(c, None | Some(b' ' | b'\t' | b'\n' | b';'))
}

/// The unary test operators (`-f FILE`, `-z STRING`, …).
fn unary_test(op: &[u8]) -> bool {
    op.len() == 2 && op[0] == b'-' && b"abcdefghknoprstuwxzGLNOS".contains(&op[1])
}

/// The binary test operators tree-sitter-bash reads as a `test_operator` node.
fn binary_test(op: &[u8]) -> bool {
    matches!(
        op,
        b"-eq" | b"-ne" | b"-lt" | b"-gt" | b"-le" | b"-ge" | b"-nt" | b"-ot" | b"-ef"
    )
}

impl P<'_> {
    /// Whether the keyword `k` starts at `self.i`, followed by a blank, a newline, a `;`
    /// or the end.
    pub(super) fn keyword(&self, k: &str) -> bool {
        self.s[self.i..].starts_with(k.as_bytes())
            && ends_keyword(self.s.get(self.i + k.len()).copied())
    }

    /// A compound command at `self.i` with the redirections after it: `Some(None)` when
    /// none starts here, `None` for forms not modelled.
    pub(super) fn compound(&mut self) -> Option<Option<(u32, Vec<u32>)>> {
        if self.peek() == Some(b'!') && matches!(self.at(1), Some(b' ' | b'\t')) {
            return self.negated().map(Some);
        }
        if self.keyword("export") {
            return self.export().map(|d| Some((d, Vec::new())));
        }
        self.nest += 1;
        let node = self.compound_command();
        self.nest -= 1;
        let Some(node) = node? else {
            return Some(None);
        };
        // `[ -f x ] > f`, `f() { a; } > f`: not modelled.
        let bare = matches!(self.b.kind_of(node), "test_command" | "function_definition");
        let mut redirects = Vec::new();
        loop {
            self.blanks();
            match self.redirect()? {
                Some(_) if bare => return None,
                Some(r) => redirects.push(r),
                None => break,
            }
        }
        // A word after the command (`fi x`) is an error.
        if self.word_ahead() {
            return None;
        }
        Some(Some((node, redirects)))
    }

    /// The compound command starting at `self.i`, if one does.
    fn form_ahead(&self) -> Option<Form> {
        Some(match (self.peek(), self.at(1), self.at(2)) {
            (Some(b'['), Some(b' ' | b'\t'), _) => Form::Test { double: false },
            (Some(b'['), Some(b'['), Some(b' ' | b'\t')) => Form::Test { double: true },
            (Some(b'{'), Some(b' ' | b'\t' | b'\n'), _) => Form::Group,
            _ if self.keyword("function") => Form::Function { keyword: true },
            _ if self.keyword("if") => Form::If,
            _ if self.keyword("for") => Form::For,
            _ if self.keyword("while") => Form::While("while"),
            _ if self.keyword("until") => Form::While("until"),
            _ if self
                .name_end()
                .is_some_and(|e| self.s[e..].starts_with(b"() {")) =>
            {
                Form::Function { keyword: false }
            }
            _ => return None,
        })
    }

    /// The compound command at `self.i` without what follows it: `Some(None)` when none
    /// starts here, `None` for forms not modelled.
    fn compound_command(&mut self) -> Option<Option<u32>> {
        let Some(form) = self.form_ahead() else {
            return Some(None);
        };
        // Deeper nesting (`self.nest` counts this one) is left to tree-sitter and the
        // walk's own limit: the parser recurses once per level.
        if self.nest > MAX_DEPTH {
            return None;
        }
        Some(Some(match form {
            Form::Test { double } => self.test(double)?,
            Form::Group => self.group()?,
            Form::Function { keyword } => self.function(keyword)?,
            Form::If => self.if_statement()?,
            Form::For => self.for_statement()?,
            Form::While(k) => self.while_statement(k)?,
        }))
    }

    /// `{ … }` at `self.i`.
    fn group(&mut self) -> Option<u32> {
        let start = self.i;
        let mut kids = vec![self.keyword_leaf("{")];
        self.statements_until(&mut kids, &["}"], None)?;
        kids.push(self.keyword_leaf("}"));
        Some(
            self.b
                .node(Raw::new("compound_statement", true, start, self.i), &kids),
        )
    }

    /// `NAME() { … }`, or (`keyword`) `function NAME { … }`.
    fn function(&mut self, keyword: bool) -> Option<u32> {
        let start = self.i;
        let mut kids = Vec::new();
        if keyword {
            kids.push(self.keyword_leaf("function"));
            self.blanks();
        }
        let end = self.name_end()?;
        kids.push(self.leaf_in("word", self.i, end, Some("name")));
        self.i = end;
        if !keyword {
            kids.push(self.keyword_leaf("("));
            kids.push(self.keyword_leaf(")"));
        }
        self.blanks();
        if !(self.peek() == Some(b'{') && matches!(self.at(1), Some(b' ' | b'\t' | b'\n'))) {
            return None;
        }
        let body = self.group()?;
        self.b.set_field(body, "body");
        kids.push(body);
        Some(
            self.b
                .node(Raw::new("function_definition", true, start, self.i), &kids),
        )
    }

    /// `export NAME=WORD NAME …`, nothing else on the line.
    fn export(&mut self) -> Option<u32> {
        let start = self.i;
        let mut kids = vec![self.keyword_leaf("export")];
        loop {
            self.blanks();
            match self.peek() {
                None | Some(b'\n' | b';' | b'|' | b'&' | b'#') => break,
                _ => {}
            }
            let end = self.name_end()?;
            if self.s.get(end) == Some(&b'=') {
                kids.push(self.assignment(end)?);
            } else {
                kids.push(self.leaf("variable_name", true, self.i, end));
                self.i = end;
            }
            // `export A=1>f`, `export A$B`: not modelled.
            if !matches!(self.peek(), None | Some(b' ' | b'\t' | b'\n' | b';')) {
                return None;
            }
        }
        // `export` alone, and `export A | b`, `export A && b`: not modelled.
        if kids.len() < 2 || !matches!(self.peek(), None | Some(b'\n' | b';' | b'#')) {
            return None;
        }
        let end = self.b.end_of(kids[kids.len() - 1]);
        Some(
            self.b
                .node(Raw::new("declaration_command", true, start, end), &kids),
        )
    }

    /// `! COMMAND`: a simple command or a test, with no redirection.
    fn negated(&mut self) -> Option<(u32, Vec<u32>)> {
        let start = self.i;
        let bang = self.leaf("!", false, start, start + 1);
        self.i += 1;
        self.blanks();
        // `! ! a`, `! if …`: not modelled.
        if matches!(self.peek(), Some(b'!'))
            || ["if", "for", "while", "until"]
                .iter()
                .any(|k| self.keyword(k))
        {
            return None;
        }
        let (cmd, redirects) = self.command()?;
        if !redirects.is_empty() || !matches!(self.b.kind_of(cmd), "command" | "test_command") {
            return None;
        }
        let end = self.b.end_of(cmd);
        let node = self
            .b
            .node(Raw::new("negated_command", true, start, end), &[bang, cmd]);
        Some((node, Vec::new()))
    }

    /// The keyword (or bracket) `k` at `self.i` as an anonymous leaf, stepped over.
    fn keyword_leaf(&mut self, k: &'static str) -> u32 {
        let id = self.leaf(k, false, self.i, self.i + k.len());
        self.i += k.len();
        id
    }

    /// `if … then … [elif … then …]… [else …] fi`.
    fn if_statement(&mut self) -> Option<u32> {
        let start = self.i;
        let mut kids = vec![self.keyword_leaf("if")];
        self.statements_until(&mut kids, &["then"], Some("condition"))?;
        kids.push(self.keyword_leaf("then"));
        let (_, mut next) = self.statements_until(&mut kids, &["elif", "else", "fi"], None)?;
        while next == Some("elif") {
            let from = self.i;
            let mut clause = vec![self.keyword_leaf("elif")];
            self.statements_until(&mut clause, &["then"], None)?;
            clause.push(self.keyword_leaf("then"));
            let (_, after) = self.statements_until(&mut clause, &["elif", "else", "fi"], None)?;
            next = after;
            self.close_clause("elif_clause", from, clause, &mut kids)?;
        }
        if next == Some("else") {
            let from = self.i;
            let mut clause = vec![self.keyword_leaf("else")];
            self.statements_until(&mut clause, &["fi"], None)?;
            self.close_clause("else_clause", from, clause, &mut kids)?;
        }
        kids.push(self.keyword_leaf("fi"));
        Some(
            self.b
                .node(Raw::new("if_statement", true, start, self.i), &kids),
        )
    }

    /// The `elif` or `else` clause `kind` from `from` with its children `clause`, added to
    /// the `if`'s `kids`. Comments on lines of their own after the clause's last statement
    /// are the `if`'s children to tree-sitter-bash, after the clause.
    fn close_clause(
        &mut self,
        kind: &'static str,
        from: usize,
        mut clause: Vec<u32>,
        kids: &mut Vec<u32>,
    ) -> Option<()> {
        let mut moved = Vec::new();
        while let Some(&last) = clause.last() {
            let start = self.b.start_of(last);
            let own_line = self.s[..start]
                .iter()
                .rev()
                .find(|c| !matches!(c, b' ' | b'\t'))
                .is_some_and(|&c| c == b'\n');
            if self.b.kind_of(last) != "comment" || !own_line {
                break;
            }
            moved.push(clause.pop()?);
        }
        moved.reverse();
        let limit = moved.first().map_or(self.i, |&c| self.b.start_of(c));
        let end = self.clause_end(*clause.last()?, limit)?;
        kids.push(self.b.node(Raw::new(kind, true, from, end), &clause));
        kids.extend(moved);
        Some(())
    }

    /// Where an `elif` or `else` clause ends, its last child `last` and what follows it
    /// (the next keyword or a comment) at `limit`: tree-sitter-bash counts the newlines
    /// that end the last statement into the clause, not the blanks after them.
    fn clause_end(&self, last: u32, limit: usize) -> Option<usize> {
        let end = self.b.end_of(last);
        // After a `;` the newlines are only blanks.
        if self.b.kind_of(last) == ";" {
            return Some(end);
        }
        let mut j = limit;
        while j > end && matches!(self.s[j - 1], b' ' | b'\t') {
            j -= 1;
        }
        if j > end && self.s[j - 1] == b'\n' {
            // A line continuation there: not modelled.
            if self.s[..j - 1].ends_with(b"\\") {
                return None;
            }
            return Some(j);
        }
        Some(end)
    }

    /// `do … done`, as a loop's body.
    fn do_group(&mut self) -> Option<u32> {
        let from = self.i;
        let mut kids = vec![self.keyword_leaf("do")];
        self.statements_until(&mut kids, &["done"], None)?;
        kids.push(self.keyword_leaf("done"));
        let mut r = Raw::new("do_group", true, from, self.i);
        r.field = Some("body");
        Some(self.b.node(r, &kids))
    }

    /// `for NAME in WORDS; do … done` (the `;` or a newline before `do`).
    fn for_statement(&mut self) -> Option<u32> {
        let start = self.i;
        let mut kids = vec![self.keyword_leaf("for")];
        self.blanks();
        let name_end = self.name_end()?;
        kids.push(self.leaf_in("variable_name", self.i, name_end, Some("variable")));
        self.i = name_end;
        self.blanks();
        if !self.keyword("in") {
            return None;
        }
        kids.push(self.keyword_leaf("in"));
        let mut values = 0;
        loop {
            self.blanks();
            match self.peek() {
                Some(b';') => {
                    kids.push(self.leaf(";", false, self.i, self.i + 1));
                    self.i += 1;
                    break;
                }
                Some(b'\n') => break,
                _ if self.word_ahead() => {
                    kids.push(self.word(Some("value"))?);
                    values += 1;
                }
                _ => return None,
            }
        }
        // `for x in; do`: not modelled.
        if values == 0 {
            return None;
        }
        self.newlines()?;
        if !self.keyword("do") {
            return None;
        }
        kids.push(self.do_group()?);
        Some(
            self.b
                .node(Raw::new("for_statement", true, start, self.i), &kids),
        )
    }

    /// `while …; do … done` and `until …; do … done`.
    fn while_statement(&mut self, k: &'static str) -> Option<u32> {
        let start = self.i;
        let mut kids = vec![self.keyword_leaf(k)];
        self.statements_until(&mut kids, &["do"], Some("condition"))?;
        kids.push(self.do_group()?);
        Some(
            self.b
                .node(Raw::new("while_statement", true, start, self.i), &kids),
        )
    }

    /// `[ EXPR ]` or (`double`) `[[ EXPR ]]`, EXPR one of `-op WORD`, `! -op WORD` and
    /// `WORD op WORD`, in `[[ … ]]` several joined by `&&` and `||`.
    fn test(&mut self, double: bool) -> Option<u32> {
        let start = self.i;
        let (open, close) = if double { ("[[", "]]") } else { ("[", "]") };
        let open_id = self.keyword_leaf(open);
        self.blanks();
        // Whether the test compares with a `test_operator` (`-eq`, `-nt`, …) or `==`.
        let (expr, numeric) = if double {
            (self.either_of()?, false)
        } else {
            let (e, kind) = self.term(false)?;
            (
                e,
                matches!(kind, "test_operator" | "==") && self.b.kind_of(e) == "binary_expression",
            )
        };
        self.blanks();
        if !self.s[self.i..].starts_with(close.as_bytes()) {
            return None;
        }
        let close_id = self.keyword_leaf(close);
        // `[ $A -ne 1 ] && a >> f` and, on a later line, `[ -e x ]`: tree-sitter-bash can
        // read everything from the first `[` to the last `]` as one test holding a
        // redirected statement. Not modelled: a single-bracket numeric, file or `==`
        // comparison with a redirection and then a `]` anywhere after it.
        if !double && numeric {
            let rest = &self.s[self.i..];
            if rest
                .iter()
                .position(|c| matches!(c, b'>' | b'<'))
                .is_some_and(|r| rest[r..].contains(&b']'))
            {
                return None;
            }
        }
        // A closing bracket glued to more (`]x`, `]]x`): not modelled.
        if !matches!(
            self.peek(),
            None | Some(b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b')')
        ) {
            return None;
        }
        Some(self.b.node(
            Raw::new("test_command", true, start, self.i),
            &[open_id, expr, close_id],
        ))
    }

    /// In `[[ … ]]`: terms joined by `||` (loosest) and `&&`, each left to right.
    /// tree-sitter-bash reads `=` and `=~` there as looser still (`x = a || b` compares
    /// `x` with `a || b`): a `=` or `=~` in such a chain is not modelled.
    fn either_of(&mut self) -> Option<u32> {
        // Comparisons, and those with `=` or `=~`.
        let mut count = (0, 0);
        let mut left = self.all_of(&mut count)?;
        while self.list_op("||") {
            let op = self.keyword_leaf("||");
            self.b.set_field(op, "operator");
            self.blanks();
            let right = self.all_of(&mut count)?;
            left = self.joined(left, op, right);
        }
        if count.0 > 1 && count.1 > 0 {
            return None;
        }
        Some(left)
    }

    /// Terms joined by `&&`, counted in `count` (all, and those with `=` or `=~`).
    fn all_of(&mut self, count: &mut (u32, u32)) -> Option<u32> {
        let (mut left, kind) = self.term(true)?;
        count.0 += 1;
        count.1 += u32::from(matches!(kind, "=" | "=~"));
        while self.list_op("&&") {
            let op = self.keyword_leaf("&&");
            self.b.set_field(op, "operator");
            self.blanks();
            let (right, kind) = self.term(true)?;
            count.0 += 1;
            count.1 += u32::from(matches!(kind, "=" | "=~"));
            left = self.joined(left, op, right);
        }
        Some(left)
    }

    /// After blanks, whether `op` (`&&`, `||`) and a blank follow.
    fn list_op(&mut self, op: &str) -> bool {
        self.blanks();
        self.s[self.i..].starts_with(op.as_bytes()) && matches!(self.at(2), Some(b' ' | b'\t'))
    }

    /// The binary expression `left op right`.
    fn joined(&mut self, left: u32, op: u32, right: u32) -> u32 {
        let (from, end) = (self.b.start_of(left), self.b.end_of(right));
        self.b.set_field(left, "left");
        self.b.set_field(right, "right");
        self.b.node(
            Raw::new("binary_expression", true, from, end),
            &[left, op, right],
        )
    }

    /// The `!` at `self.i` as a test's operator leaf, stepped over with the blanks after.
    fn bang(&mut self) -> u32 {
        let bang = self.leaf("!", false, self.i, self.i + 1);
        self.b.set_field(bang, "operator");
        self.i += 1;
        self.blanks();
        bang
    }

    /// One comparison: `-op WORD`, `! -op WORD` or `WORD op WORD`, and the kind of its
    /// operator (`!`, `test_operator`, `=`, `==`, `!=`, `=~`).
    fn term(&mut self, double: bool) -> Option<(u32, &'static str)> {
        let negates_test = || {
            let mut j = self.i + 1;
            while matches!(self.s.get(j), Some(b' ' | b'\t')) {
                j += 1;
            }
            let end = self.token_end(j);
            unary_test(&self.s[j..end])
        };
        if self.peek() == Some(b'!') && matches!(self.at(1), Some(b' ' | b'\t')) && negates_test() {
            let from = self.i;
            let bang = self.bang();
            let inner = self.unary()?;
            let end = self.b.end_of(inner);
            let node = self.b.node(
                Raw::new("unary_expression", true, from, end),
                &[bang, inner],
            );
            Some((node, "!"))
        } else if self.at_operator().is_some_and(unary_test) {
            Some((self.unary()?, "test_operator"))
        } else {
            self.binary(double)
        }
    }

    /// The end of the run of bytes from `from` up to a blank or a newline.
    fn token_end(&self, from: usize) -> usize {
        self.s[from..]
            .iter()
            .position(|c| matches!(c, b' ' | b'\t' | b'\n'))
            .map_or(self.s.len(), |k| from + k)
    }

    /// The operator-like word at `self.i` (up to a blank), if it starts with `-`.
    fn at_operator(&self) -> Option<&[u8]> {
        if self.peek() != Some(b'-') {
            return None;
        }
        Some(&self.s[self.i..self.token_end(self.i)])
    }

    /// `-op WORD`.
    fn unary(&mut self) -> Option<u32> {
        let from = self.i;
        let op = self.at_operator().filter(|op| unary_test(op))?;
        let op_id = self.leaf_in("test_operator", from, from + op.len(), Some("operator"));
        self.i = from + 2;
        self.blanks();
        let operand = self.operand(None)?;
        let end = self.b.end_of(operand);
        Some(self.b.node(
            Raw::new("unary_expression", true, from, end),
            &[op_id, operand],
        ))
    }

    /// `WORD op WORD`, op one of `=`, `==`, `!=`, `=~` (in `[[ … ]]`) and the numeric and
    /// file comparisons, and the kind of its operator (`=`, `==`, `!=`, `=~`,
    /// `test_operator`).
    fn binary(&mut self, double: bool) -> Option<(u32, &'static str)> {
        let from = self.i;
        // `[[ ! "$x" =~ re ]]`: tree-sitter-bash negates the left operand alone.
        let left =
            if double && self.peek() == Some(b'!') && matches!(self.at(1), Some(b' ' | b'\t')) {
                let bang = self.bang();
                let operand = self.operand(None)?;
                let end = self.b.end_of(operand);
                let mut r = Raw::new("unary_expression", true, from, end);
                r.field = Some("left");
                self.b.node(r, &[bang, operand])
            } else {
                self.operand(Some("left"))?
            };
        self.blanks();
        let at = self.i;
        let len = self.token_end(at) - at;
        let op = &self.s[at..at + len];
        let op_id = if let Some(kind) = match op {
            b"=" => Some("="),
            b"==" => Some("=="),
            b"!=" => Some("!="),
            b"=~" if double => Some("=~"),
            _ => None,
        } {
            let id = self.leaf(kind, false, at, at + len);
            self.b.set_field(id, "operator");
            id
        } else if binary_test(op) {
            self.leaf_in("test_operator", at, at + len, Some("operator"))
        } else {
            return None;
        };
        let kind = self.b.kind_of(op_id);
        // Only `=~` takes a negated left operand here.
        if self.b.kind_of(left) == "unary_expression" && kind != "=~" {
            return None;
        }
        self.i = at + len;
        self.blanks();
        let right = match kind {
            "=~" => self.regex()?,
            // The right of `==` and `!=` is a pattern: a bare word there is one
            // `extglob_pattern`; quoted strings and expansions are read as elsewhere.
            "==" | "!=" => match self.peek() {
                Some(b'"' | b'$' | b'\'') => self.operand(Some("right"))?,
                _ => self.pattern()?,
            },
            // In `[[ … ]]` tree-sitter-bash reads the right of `=` as a `regex` unless it
            // is quoted; only quoted strings are modelled there.
            "=" if double && self.peek() != Some(b'"') => return None,
            _ => self.operand(Some("right"))?,
        };
        let end = self.b.end_of(right);
        let node = self.b.node(
            Raw::new("binary_expression", true, from, end),
            &[left, op_id, right],
        );
        Some((node, kind))
    }

    /// A bare glob pattern with a `*` (`refs/tags/*`, `v4.*`) as the right of `==` or
    /// `!=`: one `extglob_pattern` leaf. Patterns with other bytes (brackets, quotes,
    /// expansions, `@`, `:`), or that start with a digit or `-`, are not modelled.
    fn pattern(&mut self) -> Option<u32> {
        let from = self.i;
        let len = self.token_end(from) - from;
        let text = &self.s[from..from + len];
        if text.is_empty()
            || text[0].is_ascii_digit()
            || text[0] == b'-'
            // A plain word there is a `word` or an `extglob_pattern` to tree-sitter-bash
            // by rules not modelled (`true` and `commit` the one, `b` the other).
            || !text.contains(&b'*')
            || !text.iter().all(|&c| {
                c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/' | b'-' | b'*')
            })
            || !matches!(self.s.get(from + len), Some(b' ' | b'\t'))
        {
            return None;
        }
        self.i = from + len;
        Some(self.leaf_in("extglob_pattern", from, from + len, Some("right")))
    }

    /// The right of `=~` when it starts with `^` or `(`: one `regex` leaf up to the blank
    /// before `]]`. Quotes, expansions other than a final `$` anchor, blanks and `]]`
    /// inside it are not modelled.
    fn regex(&mut self) -> Option<u32> {
        let from = self.i;
        let len = self.token_end(from) - from;
        let text = &self.s[from..from + len];
        let dollar_inside = text
            .iter()
            .enumerate()
            .any(|(k, &c)| c == b'$' && k + 1 < text.len());
        // A regex that starts otherwise may be read as a word (`v1`, `pull_request`).
        if !matches!(text.first(), Some(b'^' | b'('))
            || dollar_inside
            || text
                .iter()
                .any(|c| matches!(c, b'"' | b'\'' | b'`' | b'\\' | b'#'))
            || !self.s[from + len..].trim_ascii_start().starts_with(b"]]")
            || text.windows(2).any(|w| w == b"]]")
        {
            return None;
        }
        self.i = from + len;
        Some(self.leaf_in("regex", from, from + len, Some("right")))
    }

    /// A test's operand: one word not starting with `-`, `!` or `(`.
    fn operand(&mut self, field: Option<&'static str>) -> Option<u32> {
        if !self.word_ahead() || matches!(self.peek(), Some(b'-' | b'!')) {
            return None;
        }
        let from = self.i;
        let w = self.word(field)?;
        // A word glued to the closing bracket (`x]`) or another operator, or one holding
        // a `=` (`a=b`, read as an assignment): not modelled.
        if !matches!(self.peek(), Some(b' ' | b'\t')) || self.s[from..self.i].contains(&b'=') {
            return None;
        }
        Some(w)
    }
}

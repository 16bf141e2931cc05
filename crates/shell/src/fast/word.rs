//! The words of a script for the fast parser: bare words, numbers, quoted strings,
//! `$NAME`, `${NAME}` and `${NAME…}` expansions, command substitutions and their
//! concatenations, built as tree-sitter-bash builds them.

use super::{MAX_DEPTH, P, bare, name_byte, name_start};
use crate::tree::Raw;

impl P<'_> {
    /// One word: a bare word, a number, a quoted string, an expansion, or their
    /// concatenation.
    pub(super) fn word(&mut self, field: Option<&'static str>) -> Option<u32> {
        let start = self.i;
        let mut parts: Vec<(usize, usize, Part)> = Vec::new();
        while let Some(c) = self.peek() {
            let from = self.i;
            let part = match c {
                b'\'' => {
                    let close = self.s[from + 1..].iter().position(|&c| c == b'\'')?;
                    self.i = from + close + 2;
                    Part::Raw
                }
                b'"' => {
                    self.i = from + 1;
                    let mut inner = Vec::new();
                    self.string_parts(&mut inner)?;
                    Part::Str(inner)
                }
                b'$' => self.dollar()?,
                // An escaped character joins the bare word; a line continuation inside
                // a word is left to tree-sitter.
                b'\\' => {
                    // `$A\b`, `''\b`: tree-sitter ends the word before the escape; not
                    // modelled.
                    if !self.at(1).is_some_and(|n| n != b'\n' && n.is_ascii())
                        || parts
                            .last()
                            .is_some_and(|(_, _, p)| !matches!(p, Part::Bare))
                    {
                        return None;
                    }
                    self.i += 2;
                    self.bare_run();
                    Part::Bare
                }
                c if bare(c) || c == b'*' || (c == b'#' && !parts.is_empty()) => {
                    self.bare_run();
                    Part::Bare
                }
                b' ' | b'\t' | b'\n' | b';' | b'|' | b'&' | b'>' | b'<' => break,
                b')' if self.depth > 0 => break,
                _ => return None,
            };
            parts.push((from, self.i, part));
        }
        let end = self.i;
        // `2>&1 cmd`, `echo 52>f`, `a2>f`: a word against a redirection may be its
        // descriptor; only a one-digit descriptor after the name is modelled (in
        // `redirect`).
        if matches!(self.peek(), Some(b'<' | b'>')) {
            return None;
        }
        if parts.len() <= 1 {
            let (s, e, part) = parts.pop()?;
            return self.emit_part(s, e, &part, field, true);
        }
        // Digits after other parts: tree-sitter's lexing of numbers in concatenations
        // is not modelled.
        if parts.iter().any(|(s, e, p)| {
            matches!(p, Part::Bare) && self.s[*s..*e].first().is_some_and(u8::is_ascii_digit)
        }) {
            return None;
        }
        // One expanding part at most (`$A`, `${A}`, `"…$A…"`): tree-sitter splits
        // `$a/$b/c`, `x/${a}/${b}/c` and `\$x"$@"$A/$B` in ways not modelled.
        let dynamic = |p: &Part| match p {
            Part::Simple(_) | Part::Braced | Part::Operator { .. } | Part::Subst(_) => true,
            Part::Str(inner) => inner.iter().any(|(_, _, p)| !matches!(p, Part::Bare)),
            Part::Bare | Part::Raw => false,
        };
        if parts.iter().filter(|(_, _, p)| dynamic(p)).count() > 1 {
            return None;
        }
        // An expansion is the first part or follows a first, plain bare part
        // (`--opt=$A`): after a quote (`'a'"b"$C`), an escape (`x\ y$1`) or more parts,
        // tree-sitter may read a lone `$`; not modelled.
        if parts.iter().enumerate().skip(1).any(|(k, (_, _, p))| {
            matches!(
                p,
                Part::Simple(_) | Part::Braced | Part::Operator { .. } | Part::Subst(_)
            ) && !(k == 1
                && matches!(parts[0].2, Part::Bare)
                && !self.s[parts[0].0..parts[0].1].contains(&b'\\'))
        }) {
            return None;
        }
        // `B="x"A=$A`: a `=` after the first part; not modelled.
        if parts[1..]
            .iter()
            .any(|(s, e, p)| matches!(p, Part::Bare) && self.s[*s..*e].contains(&b'='))
        {
            return None;
        }
        let mut kids = Vec::with_capacity(parts.len());
        for (s, e, part) in &parts {
            kids.push(self.emit_part(*s, *e, part, None, false)?);
        }
        let mut r = Raw::new("concatenation", true, start, end);
        r.field = field;
        Some(self.b.node(r, &kids))
    }

    fn bare_run(&mut self) {
        while let Some(c) = self.peek() {
            if bare(c) || c == b'*' || c == b'#' {
                self.i += 1;
            } else if c == b'\\' && self.at(1).is_some_and(|n| n != b'\n' && n.is_ascii()) {
                self.i += 2;
            } else {
                break;
            }
        }
    }

    /// `$( … )` at `self.i`: its statements, as tree-sitter's `command_substitution`.
    fn substitution(&mut self) -> Option<Part> {
        let from = self.i;
        // Deeper nesting is left to tree-sitter (and the walk's own limit): the parser
        // recurses once per level.
        if self.depth >= MAX_DEPTH {
            return None;
        }
        let open = self.leaf("$(", false, from, from + 2);
        self.i = from + 2;
        self.depth += 1;
        let mut kids = vec![open];
        let first = self.statements(&mut kids)?;
        self.depth -= 1;
        // `$( )`, and `$(a;)`: not modelled.
        first?;
        if self.peek() != Some(b')') || self.b.kind_of(kids[kids.len() - 1]) == ";" {
            return None;
        }
        kids.push(self.leaf(")", false, self.i, self.i + 1));
        self.i += 1;
        let node = self
            .b
            .node(Raw::new("command_substitution", true, from, self.i), &kids);
        Some(Part::Subst(node))
    }

    /// `$NAME`, `$1`, `$@`… or `${NAME}`.
    fn dollar(&mut self) -> Option<Part> {
        let from = self.i;
        match self.at(1) {
            Some(c) if name_start(c) => {
                let mut j = from + 2;
                while self.s.get(j).copied().is_some_and(name_byte) {
                    j += 1;
                }
                self.i = j;
                Some(Part::Simple(false))
            }
            // `$1x`: where tree-sitter ends the name is not modelled.
            Some(c) if c.is_ascii_digit() => {
                self.i = from + 2;
                (!self.peek().is_some_and(name_byte)).then_some(Part::Simple(false))
            }
            Some(b'@' | b'*' | b'#' | b'?' | b'$' | b'!' | b'-') => {
                self.i = from + 2;
                (!self.peek().is_some_and(name_byte)).then_some(Part::Simple(true))
            }
            Some(b'(') if self.at(2) != Some(b'(') => self.substitution(),
            Some(b'{') => {
                let mut j = from + 2;
                if !self.s.get(j).copied().is_some_and(name_start) {
                    return None;
                }
                while self.s.get(j).copied().is_some_and(name_byte) {
                    j += 1;
                }
                let name_end = j;
                let op = self.expansion_operator(j);
                if let Some((op, _)) = op {
                    j = name_end + op.len();
                    while self.s.get(j).copied().is_some_and(operand_byte) {
                        j += 1;
                    }
                }
                if self.s.get(j) != Some(&b'}') {
                    return None;
                }
                self.i = j + 1;
                Some(match op {
                    None => Part::Braced,
                    Some((op, rest)) => {
                        let operand = &self.s[name_end + op.len()..j];
                        // An operand that starts with a digit may be a `number`, a word
                        // operand with `-` or `*` is split (`gh-pages`): not modelled.
                        if operand.first().is_some_and(u8::is_ascii_digit)
                            || (rest.is_none() && !operand.is_empty())
                            || (rest == Some("word")
                                && operand.iter().any(|c| matches!(c, b'-' | b'*')))
                        {
                            return None;
                        }
                        Part::Operator {
                            name_end,
                            op,
                            rest: if operand.is_empty() { None } else { rest },
                        }
                    }
                })
            }
            _ => None,
        }
    }

    /// The operator after the name in `${NAME…}` at `j`, among those modelled, and the
    /// kind of its operand (none for the case conversions `,,` and `^^`, which take none).
    fn expansion_operator(&self, j: usize) -> Option<(&'static str, Option<&'static str>)> {
        const OPERATORS: &[(&str, Option<&str>)] = &[
            ("##", Some("regex")),
            ("%%", Some("regex")),
            ("#", Some("regex")),
            ("%", Some("regex")),
            (":-", Some("word")),
            (":=", Some("word")),
            (":+", Some("word")),
            ("-", Some("word")),
            (",,", None),
            ("^^", None),
        ];
        let rest = &self.s[j..];
        OPERATORS
            .iter()
            .find(|(op, _)| rest.starts_with(op.as_bytes()))
            .copied()
    }

    /// The inside of a double-quoted string, up to and past its closing quote.
    fn string_parts(&mut self, out: &mut Vec<(usize, usize, Part)>) -> Option<()> {
        let mut content: Option<usize> = None;
        loop {
            match self.peek()? {
                c @ (b'"' | b'$') => {
                    if let Some(s) = content.take() {
                        // Blanks alone before a `$` or the closing quote (`" $A"`,
                        // `"$A "`, `" "`): tree-sitter-bash makes them part of that
                        // token, not a `string_content`; not modelled.
                        if self.s[s..self.i].iter().all(|c| matches!(c, b' ' | b'\t')) {
                            return None;
                        }
                        out.push((s, self.i, Part::Bare));
                    }
                    if c == b'"' {
                        self.i += 1;
                        return Some(());
                    }
                    let from = self.i;
                    let part = self.dollar()?;
                    out.push((from, self.i, part));
                }
                b'`' | b'\n' => return None,
                b'\\' => {
                    if !self.at(1).is_some_and(|n| n.is_ascii() && n != b'\n') {
                        return None;
                    }
                    content.get_or_insert(self.i);
                    self.i += 2;
                }
                _ => {
                    content.get_or_insert(self.i);
                    self.i += 1;
                }
            }
        }
    }

    fn emit_part(
        &mut self,
        s: usize,
        e: usize,
        part: &Part,
        field: Option<&'static str>,
        alone: bool,
    ) -> Option<u32> {
        let mut raw = Raw::new("word", true, s, e);
        raw.field = field;
        Some(match part {
            Part::Bare => {
                let w = &self.s[s..e];
                // `==`, `=~`: operator tokens to tree-sitter even among arguments.
                if w.first() == Some(&b'=') {
                    return None;
                }
                if alone && is_number(w) {
                    raw.kind = "number";
                } else if w
                    .strip_prefix(b"-")
                    .unwrap_or(w)
                    .first()
                    .is_some_and(u8::is_ascii_digit)
                    && (!alone || w.contains(&b'#'))
                {
                    // A whole word that starts with digits (`3.12`, `0x1F`, `1G`) is one
                    // word to tree-sitter, the longest token; in a concatenation, or with
                    // a `#` (`1#` is an error), where its number ends is not modelled.
                    return None;
                }
                self.b.leaf(raw)
            }
            Part::Raw => {
                raw.kind = "raw_string";
                self.b.leaf(raw)
            }
            Part::Simple(special) => {
                let d = self.leaf("$", false, s, s + 1);
                let kind = if *special {
                    "special_variable_name"
                } else {
                    "variable_name"
                };
                let v = self.leaf(kind, true, s + 1, e);
                raw.kind = "simple_expansion";
                self.b.node(raw, &[d, v])
            }
            Part::Operator { name_end, op, rest } => {
                let (name_end, op_end) = (*name_end, *name_end + op.len());
                let mut kids = vec![
                    self.leaf("${", false, s, s + 2),
                    self.leaf("variable_name", true, s + 2, name_end),
                ];
                let mut op = Raw::new(op, false, name_end, op_end);
                op.field = Some("operator");
                kids.push(self.b.leaf(op));
                if let Some(kind) = rest {
                    kids.push(self.leaf(kind, true, op_end, e - 1));
                }
                kids.push(self.leaf("}", false, e - 1, e));
                raw.kind = "expansion";
                self.b.node(raw, &kids)
            }
            Part::Braced => {
                let a = self.leaf("${", false, s, s + 2);
                let v = self.leaf("variable_name", true, s + 2, e - 1);
                let z = self.leaf("}", false, e - 1, e);
                raw.kind = "expansion";
                self.b.node(raw, &[a, v, z])
            }
            Part::Subst(node) => {
                if let Some(f) = field {
                    self.b.set_field(*node, f);
                }
                *node
            }
            Part::Str(inner) => {
                let mut kids = vec![self.leaf("\"", false, s, s + 1)];
                for (is, ie, ip) in inner {
                    kids.push(match ip {
                        Part::Bare => self.leaf("string_content", true, *is, *ie),
                        _ => self.emit_part(*is, *ie, ip, None, false)?,
                    });
                }
                kids.push(self.leaf("\"", false, e - 1, e));
                raw.kind = "string";
                self.b.node(raw, &kids)
            }
        })
    }
}

/// Bytes of a `${NAME…}` operand modelled here (`v`, `refs/*/`, `.*`).
fn operand_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/' | b'*' | b'-')
}

/// tree-sitter-bash's `number`: `-?(0x)?[0-9]+(#[0-9A-Za-z@_]+)?`, the whole word.
fn is_number(w: &[u8]) -> bool {
    let w = w.strip_prefix(b"-").unwrap_or(w);
    let w = w.strip_prefix(b"0x").unwrap_or(w);
    let (digits, base) = match w.iter().position(|&c| c == b'#') {
        Some(k) => (&w[..k], Some(&w[k + 1..])),
        None => (w, None),
    };
    !digits.is_empty()
        && digits.iter().all(u8::is_ascii_digit)
        && base.is_none_or(|b| {
            !b.is_empty()
                && b.iter()
                    .all(|&c| c.is_ascii_alphanumeric() || c == b'@' || c == b'_')
        })
}

enum Part {
    Bare,
    Raw,
    /// `$NAME` (false) or `$@`-like (true).
    Simple(bool),
    Braced,
    /// `${NAME` operator operand `}`: where the name ends, the operator, and the
    /// operand's kind (none when there is no operand).
    Operator {
        name_end: usize,
        op: &'static str,
        rest: Option<&'static str>,
    },
    /// `$( … )`, built.
    Subst(u32),
    Str(Vec<(usize, usize, Part)>),
}

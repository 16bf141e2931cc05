//! A parser for the plain scripts most `run:` steps hold: simple commands with literal,
//! quoted and `$NAME` words, command substitutions (`$( … )`), prefix assignments,
//! pipelines, `&&`/`||` lists, file redirections and comments, and the common compound
//! commands (`if`, `for`, `while`, `{ … }`, tests, `!`, `export`: `fast/compound.rs`).
//! It builds the very tree tree-sitter-bash builds for them (kinds, fields, byte ranges),
//! at a small fraction of the cost, and declines (`None`) any script with another form,
//! or one where tree-sitter-bash reads lines together (before a line that starts with
//! `\`, after two lines that end in `|`): the caller then parses it with tree-sitter.
//!
//! Debug builds check every tree built here against tree-sitter's; tests hold the two
//! equal on random scripts made of the pieces real ones use, and the `fast_check` example
//! on a directory of scripts. A form is accepted here only once it is checked there.
//! (Handing each other statement to tree-sitter alone, and taking its tree in, was tried:
//! tree-sitter-bash's tree of a whole script can run a pipeline on over the lines after
//! it where a later statement has `$( … )` or `||`, so statement-wise trees differ.)

use crate::tree::{Builder, Raw, Tree};

/// Parse `text`, or `None` when it holds a form this parser does not build.
pub(crate) fn parse(text: &str) -> Option<Tree> {
    if text.len() >= u32::MAX as usize
        || text.contains('\r')
        || dangling_continuation(text)
        || pipes_continued(text) > 1
        // A line that starts with an escape (`\$x`) is joined to the line before by
        // tree-sitter-bash, as one word `\n\$x`.
        || text
            .split('\n')
            .skip(1)
            .any(|l| l.trim_start_matches([' ', '\t']).starts_with('\\'))
    {
        return None;
    }
    let mut p = P {
        s: text.as_bytes(),
        i: 0,
        b: Builder::with_capacity(text.len() / 3 + 4),
        depth: 0,
        nest: 0,
        long_pipeline: false,
    };
    let root = p.program()?;
    Some(p.b.finish_at(root))
}

/// Whether the fast parser's tree of the script `script` (its `${{ … }}` masked as the
/// analysis masks them) is tree-sitter's: `None` when the fast parser declines the text,
/// the first difference when they disagree.
#[doc(hidden)]
pub fn check(parser: &mut tree_sitter::Parser, script: &str) -> Option<Result<(), String>> {
    let (masked, _) = crate::mask::mask(script);
    check_masked(parser, &masked)
}

/// [`check`] of a text already masked.
pub(crate) fn check_masked(
    parser: &mut tree_sitter::Parser,
    text: &str,
) -> Option<Result<(), String>> {
    let ours = parse(text)?;
    let Some(theirs) = parser.parse(text, None) else {
        return Some(Err("tree-sitter gave up".into()));
    };
    let theirs = Tree::from_tree_sitter(&theirs);
    Some(crate::tree::same(ours.root(), theirs.root()))
}

/// The deepest `$( … )` nesting built here.
const MAX_DEPTH: u32 = 16;

struct P<'s> {
    s: &'s [u8],
    i: usize,
    b: Builder,
    /// How many `$( … )` the parser is inside.
    depth: u32,
    /// How many compound commands (`if`, loops) the parser is inside.
    nest: u32,
    /// Whether a pipeline of three commands or more was read.
    long_pipeline: bool,
}

/// Bytes that make up a bare word with no special meaning.
fn bare(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            b'_' | b'.' | b'/' | b':' | b'@' | b'%' | b'+' | b',' | b'=' | b'-' | b'~' | b'^'
        )
}

fn name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Words that are keywords or builtins with a tree of their own in command position.
fn reserved(w: &[u8]) -> bool {
    matches!(
        w,
        b"if"
            | b"then"
            | b"else"
            | b"elif"
            | b"fi"
            | b"case"
            | b"esac"
            | b"for"
            | b"select"
            | b"while"
            | b"until"
            | b"do"
            | b"done"
            | b"function"
            | b"time"
            | b"coproc"
            | b"in"
            | b"export"
            | b"declare"
            | b"typeset"
            | b"local"
            | b"readonly"
            | b"unset"
            | b"unsetenv"
    )
}

impl P<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn at(&self, k: usize) -> Option<u8> {
        self.s.get(self.i + k).copied()
    }

    /// Skip blanks and line continuations (a backslash-newline between words), not
    /// newlines.
    fn blanks(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t') => self.i += 1,
                Some(b'\\') if self.at(1) == Some(b'\n') => self.i += 2,
                _ => return,
            }
        }
    }

    fn leaf(&mut self, kind: &'static str, named: bool, start: usize, end: usize) -> u32 {
        self.b.leaf(Raw::new(kind, named, start, end))
    }

    fn leaf_in(
        &mut self,
        kind: &'static str,
        start: usize,
        end: usize,
        field: Option<&'static str>,
    ) -> u32 {
        let mut r = Raw::new(kind, true, start, end);
        r.field = field;
        self.b.leaf(r)
    }

    fn program(&mut self) -> Option<u32> {
        let mut kids = Vec::new();
        let first = self.statements(&mut kids)?;
        // Blank scripts are left to tree-sitter.
        let start = first?;
        Some(
            self.b
                .node(Raw::new("program", true, start, self.s.len()), &kids),
        )
    }

    /// Statements, comments and `;` up to the end of the text, or inside `$( … )` up to
    /// (not past) its `)`: the offset of the first, if any.
    fn statements(&mut self, kids: &mut Vec<u32>) -> Option<Option<usize>> {
        self.statements_until(kids, &[], None)
            .map(|(first, _)| first)
    }

    /// Statements, comments and `;` up to (not past) one of the keywords `stop` in command
    /// position, the end of the text when `stop` is empty, or inside `$( … )` its `)`:
    /// the offset of the first and the keyword met. With `field`, each statement and `;`
    /// is given it (an `if`'s or a `while`'s condition); comments there are not modelled.
    fn statements_until(
        &mut self,
        kids: &mut Vec<u32>,
        stop: &[&'static str],
        field: Option<&'static str>,
    ) -> Option<(Option<usize>, Option<&'static str>)> {
        let mut first = None;
        // Whether a statement ends right here (a `;` may follow).
        let mut after_statement = false;
        loop {
            self.blanks();
            match self.peek() {
                None if self.depth > 0 || !stop.is_empty() => return None,
                None => break,
                Some(b')') if self.depth > 0 => break,
                Some(b'\n') => {
                    self.i += 1;
                    after_statement = false;
                }
                // A comment inside `$( … )` (which may swallow its `)`), or among a
                // condition's statements: not modelled.
                Some(b'#') if self.depth > 0 || field.is_some() => return None,
                Some(b'#') => {
                    first.get_or_insert(self.i);
                    let start = self.i;
                    while self.peek().is_some_and(|c| c != b'\n') {
                        self.i += 1;
                    }
                    kids.push(self.leaf("comment", true, start, self.i));
                    after_statement = false;
                }
                Some(b';') => {
                    // A `;` with no statement before it is a syntax error; `;;` too.
                    if !after_statement || self.at(1) == Some(b';') {
                        return None;
                    }
                    let semi = self.leaf(";", false, self.i, self.i + 1);
                    if let Some(f) = field {
                        self.b.set_field(semi, f);
                    }
                    kids.push(semi);
                    self.i += 1;
                    after_statement = false;
                }
                Some(_) => {
                    if let Some(&k) = stop.iter().find(|k| self.keyword(k)) {
                        // A block with no statement is a syntax error.
                        return first.is_some().then_some((first, Some(k)));
                    }
                    first.get_or_insert(self.i);
                    let st = self.statement()?;
                    if let Some(f) = field {
                        self.b.set_field(st, f);
                    }
                    kids.push(st);
                    self.blanks();
                    let closes = self.depth > 0 && self.peek() == Some(b')');
                    if !closes && !matches!(self.peek(), None | Some(b'\n' | b';' | b'#')) {
                        return None;
                    }
                    after_statement = true;
                }
            }
        }
        Some((first, None))
    }

    /// A statement: commands joined by `|`, `&&` and `||` (lists nest to the left), each
    /// redirection wrapping everything before it in the statement, as tree-sitter-bash
    /// has it (`a && b > f` redirects the list).
    fn statement(&mut self) -> Option<u32> {
        let start = self.i;
        // The tree left of the last `&&`/`||` and that operator.
        let mut left: Option<(u32, u32)> = None;
        // The current pipeline's members and bars.
        let mut members: Vec<u32> = Vec::new();
        loop {
            let (cmd, redirects) = self.command()?;
            members.push(cmd);
            if let Some(&last) = redirects.last() {
                // `$(a | b | c > f)`: inside a substitution or a compound command
                // tree-sitter-bash may redirect only the pipeline's last two commands; not
                // modelled.
                if (self.depth > 0 || self.nest > 0) && members.len() >= 5 {
                    return None;
                }
                // `[[ … ]] | b | c < in`: with a compound command, a test or a negated
                // command in the pipeline, the same reading; not modelled.
                if members.len() >= 3
                    && members.iter().any(|&m| {
                        !matches!(self.b.kind_of(m), "command" | "redirected_statement" | "|")
                    })
                {
                    return None;
                }
                // After `a | b | c`, tree-sitter-bash reads the lines up to a later
                // redirection as one command, as before a later `||`; not modelled.
                if self.long_pipeline {
                    return None;
                }
                let single = left.is_none() && members.len() == 1;
                let full = self.join(start, left.take(), std::mem::take(&mut members));
                self.b.set_field(full, "body");
                let end = self.b.end_of(last);
                let mut kids = vec![full];
                kids.extend(redirects);
                let r = self
                    .b
                    .node(Raw::new("redirected_statement", true, start, end), &kids);
                members.push(r);
                self.blanks();
                // `a | b > f | c`: not modelled.
                if self.peek() == Some(b'|') && self.at(1) != Some(b'|') && !single {
                    return None;
                }
            }
            self.blanks();
            match (self.peek(), self.at(1)) {
                (Some(b'|'), Some(b'|')) | (Some(b'&'), Some(b'&')) => {
                    // `a | b | c || d`: tree-sitter-bash makes the first command a
                    // pipeline's and the rest a list, and after `a | b | c` it reads
                    // the lines up to a later `||` or `&&` as one command (`c\nd\ne`).
                    // Not modelled.
                    if self.long_pipeline || members.len() >= 5 {
                        return None;
                    }
                    let op = if self.peek() == Some(b'|') {
                        "||"
                    } else {
                        "&&"
                    };
                    let t = self.join(start, left.take(), std::mem::take(&mut members));
                    let op_id = self.leaf(op, false, self.i, self.i + 2);
                    self.i += 2;
                    self.newlines()?;
                    left = Some((t, op_id));
                }
                (Some(b'|'), Some(b'&')) => return None,
                (Some(b'|'), _) => {
                    members.push(self.leaf("|", false, self.i, self.i + 1));
                    self.i += 1;
                    self.newlines()?;
                }
                _ => break,
            }
        }
        Some(self.join(start, left, members))
    }

    /// The pipeline of `members` (or its one command), joined to `left` by its operator.
    fn join(&mut self, start: usize, left: Option<(u32, u32)>, members: Vec<u32>) -> u32 {
        let (first, last) = (members[0], members[members.len() - 1]);
        self.long_pipeline |= members.len() >= 5;
        let p = if members.len() == 1 {
            first
        } else {
            let r = Raw::new(
                "pipeline",
                true,
                self.b.start_of(first),
                self.b.end_of(last),
            );
            self.b.node(r, &members)
        };
        match left {
            None => p,
            Some((l, op)) => {
                let end = self.b.end_of(p);
                self.b.node(Raw::new("list", true, start, end), &[l, op, p])
            }
        }
    }

    /// Blanks and newlines, no comment: after an operator that continues on the next
    /// line, or a `for` loop's words before its `do`.
    fn newlines(&mut self) -> Option<()> {
        loop {
            self.blanks();
            match self.peek() {
                Some(b'\n') => self.i += 1,
                Some(b'#') | None => return None,
                _ => return Some(()),
            }
        }
    }

    /// A simple command with its prefix assignments, and the redirections after it; or
    /// one bare assignment.
    fn command(&mut self) -> Option<(u32, Vec<u32>)> {
        self.blanks();
        let start = self.i;
        if self.depth == 0
            && let Some(compound) = self.compound()?
        {
            return Some(compound);
        }
        let mut kids = Vec::new();
        let mut empty = false;
        while let Some(eq) = self.assignment_ahead() {
            kids.push(self.assignment(eq)?);
            empty |= self.i == eq + 1;
            self.blanks();
        }
        // `A= cmd`: tree-sitter's reading is not modelled.
        if empty && self.word_ahead() {
            return None;
        }
        if !self.word_ahead() {
            // `a=1` alone; more than one (`variable_assignments`) is left to tree-sitter.
            return (kids.len() == 1).then(|| (kids[0], Vec::new()));
        }
        // `a+=1`, `a[0]=1`: assignments not modelled.
        if self
            .name_end()
            .is_some_and(|j| matches!(self.s.get(j), Some(b'+' | b'[')))
        {
            return None;
        }
        let name_start = self.i;
        let word = self.word(None)?;
        // Keywords, also glued to more (`if"x"`); and names with `=` (`--x=1$A` is an
        // assignment to tree-sitter) or `#`.
        let name = &self.s[name_start..self.i];
        let lead = name
            .iter()
            .position(|&c| !name_byte(c))
            .map_or(name, |k| &name[..k]);
        if reserved(lead) || name.iter().any(|c| matches!(c, b'=' | b'#')) {
            return None;
        }
        // `a@b c`, `a%b`: an error to tree-sitter-bash; `A=1 a:b`: read otherwise after
        // an assignment; a name that starts with a digit (`5`, `1.5 x`): tree-sitter-bash
        // can read the lines after it into the command. Not modelled.
        if name.iter().any(|c| matches!(c, b'@' | b'%'))
            || (!kids.is_empty() && name.contains(&b':'))
            || name.first().is_some_and(u8::is_ascii_digit)
        {
            return None;
        }
        let mut name = Raw::new("command_name", true, name_start, self.i);
        name.field = Some("name");
        kids.push(self.b.node(name, &[word]));
        let mut end = self.i;
        let mut redirects = Vec::new();
        loop {
            self.blanks();
            match (self.peek(), self.at(1)) {
                (None | Some(b'\n' | b';' | b'|' | b'#'), _) | (Some(b'&'), Some(b'&')) => break,
                (Some(b')'), _) if self.depth > 0 => break,
                _ => {}
            }
            if let Some(r) = self.redirect()? {
                redirects.push(r);
                continue;
            }
            if !redirects.is_empty() || !self.word_ahead() {
                return None;
            }
            kids.push(self.word(Some("argument"))?);
            end = self.i;
        }
        let cmd = self.b.node(Raw::new("command", true, start, end), &kids);
        Some((cmd, redirects))
    }

    /// At `NAME=`: the offset of the `=`.
    fn assignment_ahead(&self) -> Option<usize> {
        let j = self.name_end()?;
        (self.s.get(j) == Some(&b'=')).then_some(j)
    }

    /// The end of the variable name at `self.i`, if one starts there.
    fn name_end(&self) -> Option<usize> {
        let mut j = self.i;
        if !self.s.get(j).copied().is_some_and(name_start) {
            return None;
        }
        while self.s.get(j).copied().is_some_and(name_byte) {
            j += 1;
        }
        Some(j)
    }

    fn assignment(&mut self, eq: usize) -> Option<u32> {
        let start = self.i;
        let name = self.leaf_in("variable_name", start, eq, Some("name"));
        let op = self.leaf("=", false, eq, eq + 1);
        self.i = eq + 1;
        let mut kids = vec![name, op];
        match self.peek() {
            None | Some(b' ' | b'\t' | b'\n' | b';') => {}
            Some(b'(') => return None,
            _ => kids.push(self.word(Some("value"))?),
        }
        Some(
            self.b
                .node(Raw::new("variable_assignment", true, start, self.i), &kids),
        )
    }

    fn word_ahead(&self) -> bool {
        self.peek()
            .is_some_and(|c| bare(c) || matches!(c, b'\'' | b'"' | b'$' | b'\\' | b'*'))
    }

    /// A redirection (`>`, `>>`, `<`, `2>&1`, `&>`): `Some(None)` when none starts here,
    /// `None` for forms not modelled.
    fn redirect(&mut self) -> Option<Option<u32>> {
        let start = self.i;
        let mut j = self.i;
        let mut kids = Vec::new();
        if self.s.get(j).is_some_and(u8::is_ascii_digit)
            && matches!(self.s.get(j + 1), Some(b'>' | b'<'))
        {
            kids.push(self.leaf_in("file_descriptor", j, j + 1, Some("descriptor")));
            j += 1;
        }
        let op: &'static str = match (self.s.get(j), self.s.get(j + 1), self.s.get(j + 2)) {
            (Some(b'>'), Some(b'>'), _) => ">>",
            (Some(b'>'), Some(b'&'), Some(b'-')) => return None,
            (Some(b'>'), Some(b'&'), _) => ">&",
            (Some(b'&'), Some(b'>'), Some(b'>')) => return None,
            (Some(b'&'), Some(b'>'), _) => "&>",
            (Some(b'>'), Some(b'|' | b'('), _) => return None,
            (Some(b'>'), _, _) => ">",
            (Some(b'<'), Some(b'<' | b'&' | b'>' | b'('), _) => return None,
            (Some(b'<'), _, _) => "<",
            _ if kids.is_empty() => return Some(None),
            _ => return None,
        };
        kids.push(self.leaf(op, false, j, j + op.len()));
        self.i = j + op.len();
        self.blanks();
        if !self.word_ahead() {
            return None;
        }
        kids.push(self.word(Some("destination"))?);
        let mut r = Raw::new("file_redirect", true, start, self.i);
        r.field = Some("redirect");
        Some(Some(self.b.node(r, &kids)))
    }
}

/// How many lines end in a pipe (`a |` newline `b`). With more than one in a script,
/// tree-sitter-bash can read the lines after them as one command (`a |\n b |\n c\n d\n
/// e || f` makes `c d e` one command).
fn pipes_continued(text: &str) -> usize {
    text.lines()
        .filter(|l| {
            let l = l.trim_end_matches([' ', '\t']);
            l.ends_with('|') && !l.ends_with("||")
        })
        .count()
}

/// A line continuation followed by a blank line or the end: a syntax error or an empty
/// command to tree-sitter, not modelled.
fn dangling_continuation(text: &str) -> bool {
    text.match_indices("\\\n").any(|(k, _)| {
        text[k + 2..]
            .trim_start_matches([' ', '\t'])
            .chars()
            .next()
            .is_none_or(|c| c == '\n')
    })
}

mod compound;
mod word;

#[cfg(test)]
mod tests;

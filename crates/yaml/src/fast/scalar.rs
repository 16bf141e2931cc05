//! The fast parser's scalars: plain (over several lines too), quoted on one line, block
//! scalars, and the one-line flow collections made of them.

use tollgate_model::Span;

use super::{P, Read};
use crate::node::Style;

impl P<'_, '_> {
    /// Whether a plain scalar may start at `i`: not with an indicator, nor with `-`, `?`
    /// or `:` followed by a blank (or in a flow collection, by a flow indicator).
    pub(super) fn plain_start(&self, i: usize, flow: bool) -> bool {
        match self.at(i) {
            b'-' | b'?' | b':' => {
                let next = self.at(i + 1);
                let flow_indicator = matches!(next, b',' | b'[' | b']' | b'{' | b'}');
                !(self.blank(i + 1) || flow && flow_indicator)
            }
            b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
            | b'"' | b'%' | b'@' | b'`' | b' ' | b'\n' | 0 => false,
            _ => true,
        }
    }

    pub(super) fn trim_end(&self, start: usize, mut end: usize) -> usize {
        while end > start && self.at(end - 1) == b' ' {
            end -= 1;
        }
        end
    }

    pub(super) fn plain(&self, start: usize, end: usize) -> Read {
        Read {
            span: Span::new(start, end),
            // Both ends are next to ASCII bytes, so on character boundaries.
            value: self.t[start..end].to_owned(),
            style: Style::Plain,
            after: end,
        }
    }

    /// A scalar on one line at `i`: quoted, or plain up to a comment or the line's end;
    /// in a flow collection that `close` (`]` or `}`) ends, up to a `,` or `close`.
    pub(super) fn scalar_at(&self, i: usize, close: u8) -> Option<Read> {
        if matches!(self.at(i), b'"' | b'\'') {
            return self.quoted(i);
        }
        let flow = close != 0;
        if !self.plain_start(i, flow) {
            return None;
        }
        let mut j = i;
        loop {
            match self.at(j) {
                b':' if self.blank(j + 1) => return None,
                b':' if flow && matches!(self.at(j + 1), b',' | b'[' | b']' | b'{' | b'}') => {
                    return None;
                }
                b'#' if self.at(j - 1) == b' ' => break,
                b',' if flow => break,
                b if flow && b == close => break,
                b'[' | b']' | b'{' | b'}' if flow => return None,
                b'\n' | 0 => break,
                _ => j += 1,
            }
        }
        Some(self.plain(i, self.trim_end(i, j)))
    }

    /// A plain scalar `first` read on its first line, with the lines that go on it: lines
    /// indented more than `c` (its collection's column) before any comment. Each line
    /// break is a space, or goes with the empty lines after it.
    pub(super) fn plain_lines(&self, first: Read, c: usize) -> Option<Read> {
        let Read {
            span, mut value, ..
        } = first;
        let mut end = span.end();
        // A comment ends the scalar: nothing may go on it.
        let mut closed = self.at(self.spaces(end)) == b'#';
        let mut line = self.line_end(end) + 1;
        let mut breaks = 0;
        while line < self.s.len() {
            let q = self.spaces(line);
            match self.at(q) {
                b'\n' => {
                    breaks += 1;
                    line = q + 1;
                    continue;
                }
                0 => break,
                _ => {}
            }
            if q - line <= c {
                break;
            }
            if closed || self.at(q) == b'#' {
                return None;
            }
            let r = self.continued(q)?;
            if breaks == 0 {
                value.push(' ');
            }
            for _ in 0..breaks {
                value.push('\n');
            }
            value.push_str(&r.value);
            end = r.span.end();
            closed = self.at(self.spaces(end)) == b'#';
            breaks = 0;
            line = self.line_end(end) + 1;
        }
        Some(Read {
            span: Span::new(span.start(), end),
            value,
            style: Style::Plain,
            after: end,
        })
    }

    /// The text of a line that goes on a plain scalar, from `q` (its first non-blank) to a
    /// comment or the line's end.
    pub(super) fn continued(&self, q: usize) -> Option<Read> {
        let mut j = q;
        loop {
            match self.at(j) {
                b':' if self.blank(j + 1) => return None,
                b'#' if self.at(j - 1) == b' ' => break,
                b'\n' | 0 => break,
                _ => j += 1,
            }
        }
        Some(self.plain(q, self.trim_end(q, j)))
    }

    /// A single- or double-quoted scalar on one line at `i`.
    pub(super) fn quoted(&self, i: usize) -> Option<Read> {
        let q = self.at(i);
        let mut value = Vec::new();
        let mut j = i + 1;
        loop {
            let run = self.s[j..]
                .iter()
                .position(|&b| b == q || b == b'\\' || b == b'\n')
                .map_or(self.s.len(), |n| j + n);
            value.extend_from_slice(&self.s[j..run]);
            j = run;
            match self.at(j) {
                b'\'' if q == b'\'' && self.at(j + 1) == b'\'' => {
                    value.push(b'\'');
                    j += 2;
                }
                b'\\' if q == b'\'' => {
                    value.push(b'\\');
                    j += 1;
                }
                b'\\' => {
                    value.push(match self.at(j + 1) {
                        b'\\' => b'\\',
                        b'"' => b'"',
                        b'/' => b'/',
                        b'n' => b'\n',
                        b't' => b'\t',
                        b'r' => b'\r',
                        b'0' => 0,
                        b'a' => 7,
                        b'b' => 8,
                        b'e' => 0x1b,
                        b'f' => 0x0c,
                        b'v' => 0x0b,
                        b' ' => b' ',
                        _ => return None,
                    });
                    j += 2;
                }
                c if c == q => break,
                _ => return None,
            }
        }
        Some(Read {
            span: Span::new(i, self.token_end(j + 1, true)),
            value: String::from_utf8(value).ok()?,
            style: if q == b'"' {
                Style::DoubleQuoted
            } else {
                Style::SingleQuoted
            },
            after: j + 1,
        })
    }

    /// A flow sequence (at `i` its `[`, `close` `]`) or mapping (`{`, `}`; `key: value`
    /// entries) of scalars on one line; where its line goes on.
    pub(super) fn flow(&mut self, i: usize, close: u8) -> Option<usize> {
        let map = close == b'}';
        self.open(i, map)?;
        let mut j = self.spaces(i + 1);
        if self.at(j) == close {
            self.close(Span::new(j, self.token_end(j + 1, false)))?;
            return Some(j + 1);
        }
        loop {
            if map {
                let (key, colon) = self.flow_key(j)?;
                self.scalar(key)?;
                j = self.spaces(colon + 1);
                if matches!(self.at(j), b',' | b'}') {
                    return None;
                }
            }
            let r = self.scalar_at(j, close)?;
            j = self.spaces(r.after);
            self.scalar(r)?;
            match self.at(j) {
                b',' => {
                    j = self.spaces(j + 1);
                    if self.at(j) == close {
                        return None;
                    }
                }
                c if c == close => {
                    self.close(Span::new(j, j + 1))?;
                    return Some(j + 1);
                }
                _ => return None,
            }
        }
    }

    /// A key in a flow mapping at `j`, followed by `:` and a blank: the key and its `:`.
    pub(super) fn flow_key(&self, j: usize) -> Option<(Read, usize)> {
        let r = if matches!(self.at(j), b'"' | b'\'') {
            self.quoted(j)?
        } else {
            if !self.plain_start(j, true) {
                return None;
            }
            let mut k = j;
            while !(self.at(k) == b':' && self.blank(k + 1)) {
                if matches!(
                    self.at(k),
                    b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'\n' | 0
                ) {
                    return None;
                }
                k += 1;
            }
            self.plain(j, self.trim_end(j, k))
        };
        let colon = self.spaces(r.after);
        (self.at(colon) == b':' && self.blank(colon + 1) && self.at(colon + 1) != b'\n')
            .then_some((r, colon))
    }

    /// A block scalar whose header (`|`, `>`, with `-` or `+`) is at `h`, in a collection
    /// at column `n`; the next token after it.
    pub(super) fn block_scalar(&mut self, h: usize, n: usize) -> Option<usize> {
        let literal = self.at(h) == b'|';
        let mut k = h + 1;
        let chomp = self.at(k);
        if matches!(chomp, b'-' | b'+') {
            k += 1;
        }
        if !self.blank(k) && self.at(k) != b'#' {
            return None;
        }
        let mut p = self.end_line(k)?;
        // Leading blank lines, then the first content line sets the indentation.
        let mut leading = 0;
        let mut widest = 0;
        let indent = loop {
            let q = self.spaces(p);
            if q >= self.s.len() {
                return None;
            }
            if self.at(q) != b'\n' {
                break q - p;
            }
            leading += 1;
            widest = widest.max(q - p);
            p = q + 1;
        };
        if indent <= n || widest > indent {
            return None;
        }
        let start = p + indent;
        let mut value = String::with_capacity(64);
        for _ in 0..leading {
            value.push('\n');
        }
        let mut breaks = 0;
        let mut first = true;
        // Whether the line before was more indented than the scalar (folded scalars keep
        // the line breaks around such lines).
        let mut was_more = false;
        let stop = loop {
            if p >= self.s.len() {
                break self.s.len();
            }
            let q = self.spaces(p);
            if q >= self.s.len() {
                // Blanks with no line break at the end of the text: saphyr's reading
                // of them is its own.
                return None;
            }
            // A line of blanks only is empty, unless a literal scalar's line has more
            // blanks than its indentation: then those are its text.
            if self.at(q) == b'\n' && (q - p <= indent || !literal) {
                if q - p > indent {
                    return None;
                }
                breaks += 1;
                p = q + 1;
                continue;
            }
            if q - p < indent {
                break q;
            }
            let end = self.line_end(q);
            let line = self.t.get(p + indent..end)?;
            if literal {
                if !first {
                    value.push('\n');
                }
                for _ in 0..breaks {
                    value.push('\n');
                }
            } else {
                let more = line.starts_with(' ');
                if !first {
                    // Between two lines at the scalar's indentation a line break is a
                    // space, or goes with the empty lines after it; next to a more
                    // indented line it stays.
                    let kept = usize::from(more || was_more);
                    if breaks + kept == 0 {
                        value.push(' ');
                    }
                    for _ in 0..breaks + kept {
                        value.push('\n');
                    }
                }
                was_more = more;
            }
            value.push_str(line);
            first = false;
            breaks = 0;
            p = end + 1;
        };
        match chomp {
            b'-' => {}
            b'+' => {
                for _ in 0..=breaks {
                    value.push('\n');
                }
            }
            _ => value.push('\n'),
        }
        let style = if literal {
            Style::Literal
        } else {
            Style::Folded
        };
        self.scalar(Read {
            span: Span::new(start, stop),
            value,
            style,
            after: stop,
        })?;
        Some(self.skip(stop))
    }
}

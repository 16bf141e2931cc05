//! Edits of workflow text for the rules' fixes, computed from the models' exact spans.
//!
//! Every edit here inserts or replaces whole lines or one value in a block-style mapping,
//! written in the file's own indentation and line ending; anything in flow style (`{ … }`,
//! `[ … ]`) or laid out so that the place of a new line is not certain gets no fix rather
//! than a guess. Nothing is re-serialised.

pub mod checkout;
pub mod env;
pub mod harden;
pub mod permissions;
pub mod pin;

use tollgate_model::{Applicability, Edit, Fix, SourceFile, Span};
use tollgate_yaml::{DuplicateKeys, Limits, Node, NodeKind, Options};

/// A file's text with the line ending it uses.
pub struct Text<'a> {
    pub s: &'a str,
    pub eol: &'static str,
    /// The spans of anchored nodes that an alias repeats elsewhere: text there is shared
    /// by every copy, so an edit for one place would change the others.
    aliased: Vec<Span>,
}

/// Whether `s` may hold a YAML anchor (`&`) or alias (`*`) token: the sigil at the start
/// of a line or after a blank, `[`, `{` or `,`, then a name character. Shell's `&&`,
/// `2>&1` and globs such as `*.yml` or `**/x` do not count.
fn has_token(s: &str, sigil: u8) -> bool {
    let b = s.as_bytes();
    positions(b, sigil).any(|i| {
        let before = if i == 0 { b'\n' } else { b[i - 1] };
        let after = b.get(i + 1).copied().unwrap_or(b' ');
        matches!(before, b'\n' | b' ' | b'\t' | b'[' | b'{' | b',')
            && (after.is_ascii_alphanumeric() || after == b'_')
    })
}

fn positions(b: &[u8], needle: u8) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(needle, b)
}

/// Spans of the nodes an alias expanded (the anchored originals).
fn aliased(node: &Node, out: &mut Vec<Span>) {
    if node.alias.is_some() {
        out.push(node.span);
        return;
    }
    match &node.kind {
        NodeKind::Seq(items) => items.iter().for_each(|n| aliased(n, out)),
        NodeKind::Map(entries) => entries.iter().for_each(|(k, v)| {
            aliased(k, out);
            aliased(v, out);
        }),
        NodeKind::Scalar(_) => {}
    }
}

impl<'a> Text<'a> {
    pub fn of(file: &'a SourceFile) -> Self {
        let s = file.text();
        let eol = match s.find('\n') {
            Some(i) if i > 0 && s.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        };
        let mut spans = Vec::new();
        let yaml = [".yml", ".yaml"]
            .iter()
            .any(|e| file.display.to_ascii_lowercase().ends_with(e));
        // An alias needs an anchor: without both tokens nothing is shared (most
        // workflows), and the file is not read again.
        if yaml && has_token(s, b'&') && has_token(s, b'*') {
            // As leniently as any front end reads it (GitLab's duplicate keys, a comment
            // after a quote); a file that does not parse is all shared, so never edited.
            let options = Options {
                limits: Limits::default(),
                duplicate_keys: DuplicateKeys::LastWins,
                comment_after_quote: true,
            };
            match tollgate_yaml::parse_with(file, options) {
                Ok((docs, _)) => docs.iter().for_each(|d| aliased(d, &mut spans)),
                Err(_) => spans.push(Span::new(0, s.len())),
            }
        }
        Self {
            s,
            eol,
            aliased: spans,
        }
    }

    /// A fix of `edits`, unless one of them falls in text an alias repeats.
    pub fn fix(
        &self,
        title: impl Into<String>,
        applicability: Applicability,
        edits: Vec<Edit>,
    ) -> Option<Fix> {
        let shared = edits.iter().any(|e| {
            self.aliased
                .iter()
                .any(|a| a.start() <= e.span.end() && e.span.start() <= a.end())
        });
        if shared {
            return None;
        }
        Fix::new(title, applicability, edits)
    }

    /// The offset where the line holding `at` starts.
    pub fn line_start(&self, at: usize) -> usize {
        self.s[..at.min(self.s.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1)
    }

    /// The column of a block-mapping key starting at `at`: what precedes it on its line
    /// is spaces and sequence markers (`- `) only. `None` in flow style or after a tab.
    pub fn key_column(&self, at: usize) -> Option<usize> {
        let start = self.line_start(at);
        let before = self.s.get(start..at)?;
        before
            .bytes()
            .all(|b| b == b' ' || b == b'-')
            .then_some(before.len())
            .filter(|_| !before.trim_start().starts_with("--"))
    }

    /// `span` without trailing whitespace and line breaks (a block node's span can reach
    /// the start of the next line).
    pub fn trim_end(&self, span: Span) -> Span {
        let text = self.s.get(span.range()).unwrap_or("");
        Span::new(span.start(), span.start() + text.trim_end().len())
    }

    /// Whether the rest of the line after `at` is blank or a comment.
    pub fn rest_is_blank(&self, at: usize) -> bool {
        let rest = self.s.get(at..).unwrap_or("");
        let line = rest.split('\n').next().unwrap_or("").trim();
        line.is_empty() || line.starts_with('#')
    }

    /// Where a line inserted after a node ending at `end` goes: the start of the next
    /// line, when nothing but a comment follows the node on its own. The second value
    /// says whether a line break must be written first (the file ends there without one).
    pub fn after(&self, end: usize) -> Option<(usize, bool)> {
        if !self.rest_is_blank(end) {
            return None;
        }
        match self.s[end..].find('\n') {
            Some(i) => Some((end + i + 1, false)),
            None => Some((self.s.len(), true)),
        }
    }

    /// Insert `lines` (each without its line break) on new lines after a node ending
    /// at `end`.
    pub fn insert_after(&self, end: usize, lines: &[String]) -> Option<Edit> {
        let (at, newline_first) = self.after(self.trim_end(Span::new(end, end)).end().max(end))?;
        let mut text = String::new();
        if newline_first {
            text.push_str(self.eol);
        }
        for l in lines {
            text.push_str(l);
            text.push_str(self.eol);
        }
        Some(Edit {
            span: Span::empty(at),
            text,
        })
    }
}

/// Text from the input made safe for the inside of a YAML comment: one line, no control
/// characters.
pub fn comment_text(s: &str) -> String {
    let one: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    tollgate_model::text::cut(one.trim(), 120).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("w.yml", "w.yml", text.to_owned())
    }

    #[test]
    fn columns_of_block_keys_and_none_in_flow_style() {
        let f = file("a:\n  - uses: x\n    with: {b: 1}\n");
        let t = Text::of(&f);
        assert_eq!(t.key_column(f.text().find("uses").expect("found")), Some(4));
        assert_eq!(t.key_column(f.text().find("with").expect("found")), Some(4));
        assert_eq!(t.key_column(f.text().find("b:").expect("found")), None);
    }

    #[test]
    fn insertion_after_a_node_keeps_the_line_ending_and_ends_an_unterminated_file() {
        let f = file("a: 1\r\nb: 2");
        let t = Text::of(&f);
        assert_eq!(t.eol, "\r\n");
        let e = t.insert_after(4, &["c: 3".to_owned()]).expect("fix");
        assert_eq!((e.span.start(), e.text.as_str()), (6, "c: 3\r\n"));
        let e = t
            .insert_after(f.text().len(), &["c: 3".to_owned()])
            .expect("insertion");
        assert_eq!(e.text, "\r\nc: 3\r\n");
        // Something other than a comment after the node: no place for a line.
        let f = file("a: {b: 1, c: 2}\n");
        assert!(Text::of(&f).insert_after(8, &["x".to_owned()]).is_none());
    }

    #[test]
    fn anchor_and_alias_tokens_but_not_shell_or_globs() {
        assert!(has_token("a: &x 1\nb: *x\n", b'&') && has_token("b: *x", b'*'));
        assert!(has_token("- &step\n", b'&'));
        assert!(!has_token("run: make && make test 2>&1 &\n", b'&'));
        assert!(!has_token("paths: ['**/*.yml', \"*.md\"]\n", b'*'));
    }

    #[test]
    fn comment_text_is_one_line() {
        assert_eq!(comment_text("a\nb\u{1b}[31m"), "a b [31m");
    }
}

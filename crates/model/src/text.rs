//! Text from the inputs shown safely: the one definition of which characters must never
//! reach an output as they are, and their visible form. Every output family builds its
//! escaping on it (terminal and CI log, DOT, Mermaid, YAML allow-lists, CSV, JSON).
//!
//! Input text (file names, job ids, `uses:` values, source lines) is attacker-controlled:
//! an ESC sequence can clear a terminal or write to the clipboard (OSC 52), a newline can
//! start a line the Actions runner reads as a workflow command (`::error ...`), and a raw
//! control character makes Graphviz write SVG that is not valid XML.

use std::borrow::Cow;

/// `text` whole up to `max` characters, else its first `max` characters and an ellipsis:
/// how messages, paths and findings quote input text, which can be a megabyte long and
/// would otherwise be copied into every finding that names it.
#[must_use]
pub fn cut(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((at, _)) => Cow::Owned(format!("{}…", &text[..at])),
    }
}

/// Whether `c` must not reach an output as is: C0 and C1 control characters and DEL (a
/// terminal acts on them), the bidirectional formatting characters (they reorder what a
/// reader sees, "Trojan Source") and the Unicode line and paragraph separators (some
/// viewers and JavaScript break lines on them).
#[must_use]
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Append the visible form of `c`: `\n`, `\r`, `\t`, or `\u{1b}` as Rust writes it.
pub fn push_visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            use std::fmt::Write as _;
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// `s` with every character [`is_unsafe`] holds (newlines and tabs included) shown
/// visibly: one line of plain text. Borrowed when there is nothing to escape, which is
/// nearly always.
#[must_use]
pub fn visible(s: &str) -> Cow<'_, str> {
    visible_except(s, &[])
}

/// [`visible`], but the characters in `keep` pass through (multi-line help text keeps its
/// `\n`).
#[must_use]
pub fn visible_except<'a>(s: &'a str, keep: &[char]) -> Cow<'a, str> {
    let unsafe_here = |c: char| is_unsafe(c) && !keep.contains(&c);
    let Some(first) = s.find(unsafe_here) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if unsafe_here(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::cut;

    #[test]
    fn cut_keeps_short_text_and_counts_characters_not_bytes() {
        assert_eq!(cut("build", 5), "build");
        assert_eq!(cut("builds", 5), "build…");
        // Two-byte characters: the cut falls between characters, never inside one.
        assert_eq!(cut("ééééé", 3), "ééé…");
        assert_eq!(cut("", 0), "");
        assert_eq!(cut("x", 0), "…");
    }
}

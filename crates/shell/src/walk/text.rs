//! Quote removal: the static text of a word, with the unescaping of bare, double-quoted
//! and ANSI-C (`$'…'`) parts.

use super::*;

/// Quote removal for static words; `false` when any part is dynamic.
pub(super) fn static_text(
    node: Node<'_>,
    src: Src<'_>,
    out: &mut String,
    quoted: &mut bool,
    depth: u8,
) -> bool {
    if depth > 32 {
        return false;
    }
    let t = src.text(node);
    match node.kind() {
        "word" | "number" => {
            unescape_bare(t, out);
            true
        }
        "raw_string" => {
            *quoted = true;
            out.push_str(strip_outer_quotes(t));
            true
        }
        "string" | "translated_string" => {
            *quoted = true;
            if node.named_children().any(|n| n.kind() != "string_content") {
                return false;
            }
            let inner = t.trim_start_matches('$');
            unescape_double(strip_outer_quotes(inner), out);
            true
        }
        "ansi_c_string" => {
            *quoted = true;
            let inner = t.strip_prefix('$').map_or(t, strip_outer_quotes);
            unescape_ansi_c(inner, out)
        }
        "concatenation" => {
            for ch in node.children() {
                if !static_text(ch, src, out, quoted, depth + 1) {
                    return false;
                }
            }
            true
        }
        _ => false,
    }
}

/// Backslash removal outside quotes: `\x` is `x`, `\<newline>` joins lines.
fn unescape_bare(t: &str, out: &mut String) {
    if !t.contains('\\') {
        out.push_str(t);
        return;
    }
    let mut chars = t.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('\n') | None => {}
                Some(n) => out.push(n),
            }
        } else {
            out.push(c);
        }
    }
}

/// Inside double quotes a backslash only escapes `$`, `` ` ``, `"`, `\` and newline.
fn unescape_double(t: &str, out: &mut String) {
    if !t.contains('\\') {
        out.push_str(t);
        return;
    }
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('$' | '`' | '"' | '\\') => {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                }
                Some('\n') => {
                    chars.next();
                }
                _ => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
}

/// `$'…'` strings: the common escapes; anything exotic makes the word dynamic.
fn unescape_ansi_c(t: &str, out: &mut String) -> bool {
    let mut chars = t.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(c @ ('\\' | '\'' | '"' | '?')) => out.push(c),
            _ => return false,
        }
    }
    true
}

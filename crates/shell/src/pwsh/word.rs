//! The static text of a PowerShell argument: quote removal (`'…'` with `''`, `"…"` with
//! backtick escapes and `""`), here-strings, bare tokens with backtick escapes, numbers.
//! An argument that expands a variable or runs a sub-expression has no static text; its
//! variables are listed instead.

use tree_sitter::Node;

use super::single_value;

/// (static text, quoted, expanded variables) of one argument node.
pub(super) fn static_text(node: Node<'_>, src: &str) -> (Option<String>, bool, Vec<String>) {
    let v = single_value(node);
    let raw = src.get(v.byte_range()).unwrap_or("");
    match v.kind() {
        "command_name" | "command_parameter" | "generic_token" => {
            if raw.contains('$') || raw.contains('@') && raw.starts_with('@') {
                return (None, false, variables_in(raw));
            }
            let quoted = raw.contains(['"', '\'']);
            (Some(unquote_bare(raw)), quoted, Vec::new())
        }
        "string_literal" => string(v, raw),
        "expandable_string_literal"
        | "verbatim_string_characters"
        | "expandable_here_string_literal"
        | "verbatim_here_string_characters" => string(v, raw),
        "integer_literal" | "real_literal" | "decimal_integer_literal" => {
            (Some(raw.to_owned()), false, Vec::new())
        }
        "variable" => (None, false, variables_in(raw)),
        _ => (None, false, variables_in(raw)),
    }
}

fn string(node: Node<'_>, raw: &str) -> (Option<String>, bool, Vec<String>) {
    let inner = if node.kind() == "string_literal" {
        node.named_child(0)
    } else {
        Some(node)
    };
    let kind = inner.map_or("", |n| n.kind());
    match kind {
        "verbatim_string_characters" => {
            let body = raw
                .strip_prefix('\'')
                .and_then(|r| r.strip_suffix('\''))
                .unwrap_or(raw);
            (Some(body.replace("''", "'")), true, Vec::new())
        }
        "verbatim_here_string_characters" => (Some(here_body(raw).to_owned()), true, Vec::new()),
        "expandable_string_literal" | "expandable_here_string_literal" => {
            let body = if kind == "expandable_here_string_literal" {
                here_body(raw)
            } else {
                raw.strip_prefix('"')
                    .and_then(|r| r.strip_suffix('"'))
                    .unwrap_or(raw)
            };
            if expands(body) {
                return (None, true, variables_in(body));
            }
            (Some(unescape(body).replace("\"\"", "\"")), true, Vec::new())
        }
        _ => (None, true, variables_in(raw)),
    }
}

/// The body of `@"…"@` / `@'…'@`: between the line after the opener and the line
/// holding the closer.
fn here_body(raw: &str) -> &str {
    let after = raw.find('\n').map_or("", |i| &raw[i + 1..]);
    let before = after.rfind('\n').map_or("", |i| &after[..i]);
    before.strip_suffix('\r').unwrap_or(before)
}

/// Whether double-quoted text expands something: `$name`, `${…}`, `$(…)`, `$env:X`
/// (not a lone `$` or an escaped `` `$ ``).
fn expands(body: &str) -> bool {
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'`' => i += 2,
            b'$' => {
                if b.get(i + 1)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || b"_{(:?".contains(c))
                {
                    return true;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    false
}

/// Backtick escapes of double-quoted strings and bare tokens: `` `n `` and friends stand
/// for control characters; any other escaped character stands for itself.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '`' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            // A backtick before a line end continues the line.
            Some('\n') => {}
            Some(o) => out.push(o),
            None => {}
        }
    }
    out
}

/// A bare token as PowerShell passes it on: quotes inside it removed (`-Csetup-args="--x"`
/// gives `-Csetup-args=--x`), backtick escapes applied.
fn unquote_bare(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut quote: Option<char> = None;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None | Some('"'), '`') => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => {
                if chars.peek() == Some(&q) {
                    out.push(q);
                    chars.next();
                } else {
                    quote = None;
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The variables a text expands, in order: `$name`, `${name}`, `$env:NAME` (as `NAME`),
/// `$scope:name` (as `name`).
fn variables_in(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'`' {
            i += 2;
            continue;
        }
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        i += 1;
        let braced = b.get(i) == Some(&b'{');
        if braced {
            i += 1;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b':') {
            i += 1;
        }
        let name = &text[start..i];
        let name = name.rsplit(':').next().unwrap_or(name);
        if !name.is_empty() {
            out.push(name.to_owned());
        }
        if braced {
            while i < b.len() && b[i] != b'}' {
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_tokens_and_escapes() {
        let cases = [
            ("plain", "plain"),
            ("-Csetup-args=\"--vsenv\"", "-Csetup-args=--vsenv"),
            ("a`$b", "a$b"),
            ("'it''s'", "it's"),
        ];
        for (raw, want) in cases {
            assert_eq!(unquote_bare(raw), want, "{raw}");
        }
        assert_eq!(unescape("a`tb`\"c"), "a\tb\"c");
    }

    #[test]
    fn expansion_and_variables() {
        assert!(expands("x $v y"));
        assert!(expands("$env:X"));
        assert!(expands("$(Get-Date)"));
        assert!(!expands("cost: 5$"));
        assert!(!expands("a `$b"));
        assert_eq!(
            variables_in("https://x/$env:VER/${name}/$y"),
            ["VER", "name", "y"]
        );
    }
}

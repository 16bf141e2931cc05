//! A small JSON reader that keeps the byte span of every value and returns a partial tree
//! when the input is truncated or corrupt.
//!
//! serde_json does not expose positions of nested values, and locating each entry again by
//! scanning the text for its key would read a large lockfile twice and can be fooled by the
//! same key appearing in several places. One forward pass that records spans is exact,
//! allocates only for strings with escapes, and on an error keeps every value completed
//! before it, so a truncated `package-lock.json` still yields the packages it holds.

use std::borrow::Cow;

use tollgate_model::Span;

/// Nesting beyond this is refused (a hostile file must not overflow the stack).
const MAX_DEPTH: usize = 256;

#[derive(Debug)]
pub(crate) enum Value<'a> {
    Null,
    Bool(bool),
    Number,
    Str(Cow<'a, str>),
    #[allow(dead_code)]
    Array(Vec<Node<'a>>),
    Object(Vec<(Key<'a>, Node<'a>)>),
}

#[derive(Debug)]
pub(crate) struct Key<'a> {
    pub span: Span,
    pub text: Cow<'a, str>,
}

#[derive(Debug)]
pub(crate) struct Node<'a> {
    pub span: Span,
    pub value: Value<'a>,
    /// False for a container the parser could not finish (the error is inside it).
    pub complete: bool,
}

impl<'a> Node<'a> {
    pub(crate) fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.entries()?
            .iter()
            .find(|(k, _)| k.text == key)
            .map(|(_, v)| v)
    }

    pub(crate) fn str(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_str()
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn bool(&self, key: &str) -> bool {
        matches!(self.get(key).map(|n| &n.value), Some(Value::Bool(true)))
    }

    pub(crate) fn entries(&self) -> Option<&[(Key<'a>, Node<'a>)]> {
        match &self.value {
            Value::Object(v) => Some(v),
            _ => None,
        }
    }
}

/// Where and why reading stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Error {
    pub at: usize,
    pub message: String,
}

/// Parse `text`; on error, the tree holds every value completed before the error.
pub(crate) fn parse(text: &str) -> (Option<Node<'_>>, Option<Error>) {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        error: None,
        depth: 0,
    };
    p.skip_ws();
    if p.pos >= p.bytes.len() {
        return (None, Some(p.err_at(p.pos, "empty document")));
    }
    let root = p.value();
    if p.error.is_none() {
        p.skip_ws();
        if p.pos < p.bytes.len() {
            p.error = Some(p.err_at(p.pos, "trailing characters after the JSON document"));
        }
    }
    (root, p.error)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    error: Option<Error>,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn err_at(&self, at: usize, message: &str) -> Error {
        Error {
            at,
            message: message.to_owned(),
        }
    }

    fn fail(&mut self, message: &str) {
        if self.error.is_none() {
            let what = match self.bytes.get(self.pos) {
                None => format!("{message} (unexpected end of file)"),
                Some(_) => message.to_owned(),
            };
            self.error = Some(Error {
                at: self.pos.min(self.bytes.len()),
                message: what,
            });
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// One value; `None` when nothing usable was read (the error is set).
    fn value(&mut self) -> Option<Node<'a>> {
        self.skip_ws();
        let start = self.pos;
        let scalar = |value, end| {
            Some(Node {
                span: Span::new(start, end),
                value,
                complete: true,
            })
        };
        match self.bytes.get(self.pos) {
            Some(b'{') => self.container(true),
            Some(b'[') => self.container(false),
            Some(b'"') => {
                let s = self.string()?;
                scalar(Value::Str(s), self.pos)
            }
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => {
                while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') =
                    self.bytes.get(self.pos)
                {
                    self.pos += 1;
                }
                scalar(Value::Number, self.pos)
            }
            _ => {
                self.fail("expected a JSON value");
                None
            }
        }
    }

    fn literal(&mut self, word: &str, value: Value<'a>) -> Option<Node<'a>> {
        let start = self.pos;
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Some(Node {
                span: Span::new(start, self.pos),
                value,
                complete: true,
            })
        } else {
            self.fail("expected a JSON value");
            None
        }
    }

    fn string(&mut self) -> Option<Cow<'a, str>> {
        // `self.pos` is on the opening quote.
        let start = self.pos + 1;
        let mut i = start;
        let mut escaped = false;
        loop {
            match self.bytes.get(i) {
                None => {
                    self.pos = i;
                    self.fail("unterminated string");
                    return None;
                }
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    i += 2;
                }
                Some(0..=0x1f) => {
                    self.pos = i;
                    self.fail("control character or line break inside a string");
                    return None;
                }
                Some(_) => i += 1,
            }
        }
        let raw = self.text.get(start..i).unwrap_or("");
        self.pos = i + 1;
        Some(if escaped {
            Cow::Owned(unescape(raw))
        } else {
            Cow::Borrowed(raw)
        })
    }

    fn container(&mut self, object: bool) -> Option<Node<'a>> {
        let start = self.pos;
        self.pos += 1;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.fail("nesting too deep");
            return None;
        }
        let close = if object { b'}' } else { b']' };
        let mut items = Vec::new();
        let mut entries = Vec::new();
        let mut complete = false;
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&close) {
            self.pos += 1;
            complete = true;
        } else {
            loop {
                if object {
                    self.skip_ws();
                    if self.bytes.get(self.pos) != Some(&b'"') {
                        self.fail("expected a string key");
                        break;
                    }
                    let kstart = self.pos;
                    let Some(k) = self.string() else { break };
                    let key = Key {
                        span: Span::new(kstart, self.pos),
                        text: k,
                    };
                    self.skip_ws();
                    if self.bytes.get(self.pos) != Some(&b':') {
                        self.fail("expected `:` after a key");
                        break;
                    }
                    self.pos += 1;
                    let Some(v) = self.value() else { break };
                    // A container cut short by the error is kept (it holds the entries read
                    // so far); its `complete` flag tells consumers not to trust it as a whole.
                    let done = v.complete && self.error.is_none();
                    entries.push((key, v));
                    if !done {
                        break;
                    }
                } else {
                    let Some(v) = self.value() else { break };
                    let done = v.complete && self.error.is_none();
                    items.push(v);
                    if !done {
                        break;
                    }
                }
                self.skip_ws();
                match self.bytes.get(self.pos) {
                    Some(b',') => self.pos += 1,
                    Some(c) if *c == close => {
                        self.pos += 1;
                        complete = true;
                        break;
                    }
                    _ => {
                        self.fail(if object {
                            "expected `,` or `}`"
                        } else {
                            "expected `,` or `]`"
                        });
                        break;
                    }
                }
            }
        }
        self.depth -= 1;
        let value = if object {
            Value::Object(entries)
        } else {
            Value::Array(items)
        };
        Some(Node {
            span: Span::new(start, self.pos),
            value,
            complete,
        })
    }
}

/// The value of a double-quoted string body: the escapes JSON (RFC 8259 §7) and TOML basic
/// strings share (`\n \t \r \b \f \uXXXX`, any other escaped character as itself),
/// UTF-16 surrogate pairs (`\ud83d\ude00`) joined into one character, and TOML's
/// `\UXXXXXXXX`. What does not make a character (a lone surrogate, bad hex) becomes
/// U+FFFD, so a broken escape stays visible instead of vanishing. The one unescaper of the
/// line readers (TOML, yarn.lock) and the JSON reader.
pub(crate) fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hi = hex_code(&mut chars, 4);
                let code = match hi {
                    Some(h @ 0xd800..=0xdbff) => {
                        // A high surrogate needs `\uDC00`–`\uDFFF` right after it.
                        let mut ahead = chars.clone();
                        let lo = (ahead.next() == Some('\\') && ahead.next() == Some('u'))
                            .then(|| hex_code(&mut ahead, 4))
                            .flatten()
                            .filter(|l| (0xdc00..=0xdfff).contains(l));
                        lo.map(|l| {
                            chars = ahead;
                            0x10000 + ((h - 0xd800) << 10) + (l - 0xdc00)
                        })
                    }
                    other => other,
                };
                out.push(code.and_then(char::from_u32).unwrap_or('\u{fffd}'));
            }
            Some('U') => {
                let code = hex_code(&mut chars, 8);
                out.push(code.and_then(char::from_u32).unwrap_or('\u{fffd}'));
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// The value of the next `n` characters as hexadecimal digits; `None` (consuming what it
/// read) when fewer are there or one is not a digit.
fn hex_code(chars: &mut std::str::Chars<'_>, n: usize) -> Option<u32> {
    let hex: String = chars.by_ref().take(n).collect();
    (hex.len() == n && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| u32::from_str_radix(&hex, 16).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes() {
        let cases = [
            (r"plain", "plain"),
            (r#"a\"b\\c\/d"#, "a\"b\\c/d"),
            (r"\n\t\r\b\f", "\n\t\r\u{8}\u{c}"),
            (r"\u0041\u00e9", "A\u{e9}"),
            // A surrogate pair is one character (RFC 8259 §7), not two replacement marks.
            (r"\ud83d\ude00!", "\u{1f600}!"),
            (r"\uD83D\uDE00", "\u{1f600}"),
            (r"\ud83dx", "\u{fffd}x"),
            (r"\ude00", "\u{fffd}"),
            (r"\ud83d\u0041", "\u{fffd}A"),
            (r"\u12", "\u{fffd}"),
            (r"\uzzzzq", "\u{fffd}q"),
            // TOML's eight-digit form.
            (r"\U0001F600", "\u{1f600}"),
            (r"\U00110000", "\u{fffd}"),
            ("trailing\\", "trailing"),
        ];
        for (raw, want) in cases {
            assert_eq!(unescape(raw), want, "{raw}");
        }
    }

    #[test]
    fn spans_and_values() {
        let t = r#"{"a": {"b": [1, true, null]}, "c": "x\"y"}"#;
        let (root, err) = parse(t);
        assert!(err.is_none());
        let root = root.unwrap_or_else(|| panic!("no root"));
        let a = root.get("a").unwrap_or_else(|| panic!("a"));
        assert_eq!(&t[a.span.range()], r#"{"b": [1, true, null]}"#);
        assert_eq!(root.str("c"), Some("x\"y"));
    }

    #[test]
    fn truncated_keeps_completed_values() {
        let t = "{\"p\": {\"a\": {\"v\": 1}, \"b\": {\"v\": ";
        let (root, err) = parse(t);
        let err = err.unwrap_or_else(|| panic!("error expected"));
        assert_eq!(err.at, t.len());
        let root = root.unwrap_or_else(|| panic!("partial root"));
        let p = root.get("p").unwrap_or_else(|| panic!("p"));
        assert!(!p.complete);
        let e = p.entries().unwrap_or_default();
        assert_eq!(e.len(), 2);
        assert!(e[0].1.complete);
        assert!(!e[1].1.complete);
    }

    #[test]
    fn errors_have_positions() {
        for (t, at) in [
            ("{\"a\" 1}", 5),
            ("[1,,2]", 3),
            ("{\"a\":\"x\ny\"}", 7),
            ("{} x", 3),
            ("", 0),
        ] {
            let (_, err) = parse(t);
            assert_eq!(err.map(|e| e.at), Some(at), "{t:?}");
        }
    }

    #[test]
    fn deep_nesting_is_refused() {
        let t = "[".repeat(10_000);
        let (_, err) = parse(&t);
        assert!(err.is_some());
    }
}

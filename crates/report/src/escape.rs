//! Text from the inputs made safe to print: control characters shown visibly, JSON with
//! no raw control characters, and file paths as relative URI references.
//!
//! Input text (file names, job ids, `uses:` values, source lines) is attacker-controlled:
//! an ESC sequence can clear a terminal or write to the clipboard (OSC 52), a newline can
//! start a line the Actions runner reads as a workflow command (`::error ...`), and a raw
//! control character makes Graphviz write SVG that is not valid XML. Each output family
//! has one escaping helper built on [`is_unsafe`] and [`push_visible`].

use std::borrow::Cow;
use std::io::Write;

pub use tollgate_model::text::{is_unsafe, push_visible, visible, visible_except};

/// A display path (relative, `/`-separated) as a relative URI reference (RFC 3986) for
/// SARIF's `artifactLocation.uri`: every byte other than an unreserved character or `/`
/// is percent-encoded (UTF-8 bytes one by one), so a space, `#`, `?`, `%`, `:` (which
/// would make the first segment a scheme), a backslash or a newline cannot change what
/// the reference means.
#[must_use]
pub fn uri_path(path: &str) -> Cow<'_, str> {
    let keep = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/');
    if path.bytes().all(keep) {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len() + 16);
    for b in path.bytes() {
        if keep(b) {
            out.push(char::from(b));
        } else {
            use std::fmt::Write as _;
            let _ = write!(out, "%{b:02X}");
        }
    }
    Cow::Owned(out)
}

/// Text for HTML element content or a quoted attribute value: `&`, `<`, `>`, `"` and `'`
/// as character references, and the characters [`is_unsafe`] holds shown visibly
/// (`\u{1b}`), so no input text can open a tag, end an attribute or reach a terminal
/// that prints the file.
#[must_use]
pub fn html(s: &str) -> Cow<'_, str> {
    let special = |c: char| matches!(c, '&' | '<' | '>' | '"' | '\'');
    if !s.chars().any(|c| special(c) || is_unsafe(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in visible(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Input text as one Markdown code span, for pull-request comments: line breaks
/// flattened and control characters shown visibly, inside a backtick fence longer than
/// any run of backticks in the text (padded with spaces when the text starts or ends with
/// one). GitHub renders nothing inside a code span: no HTML (`</details>`, `<img>`), no
/// `@mention` that pings someone, no link, no `#123` reference.
#[must_use]
pub fn markdown_code(s: &str) -> String {
    let flat = visible(&s.replace(['\n', '\r'], " ")).into_owned();
    let mut longest = 0;
    let mut run = 0;
    for c in flat.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if flat.starts_with('`') || flat.ends_with('`') || flat.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{flat}{pad}{fence}")
}

/// Write the part of a JSON string serde_json leaves as is, with the characters
/// [`is_unsafe`] holds that serde_json does not escape (DEL, C1, bidirectional controls,
/// line separators) written as `\uXXXX`: the same string to a JSON reader, nothing a
/// terminal acts on to a person reading the file.
///
/// # Errors
/// When writing fails.
pub fn write_json_fragment<W: ?Sized + Write>(w: &mut W, fragment: &str) -> std::io::Result<()> {
    // Every character `is_unsafe` holds is a control (below 0x20, DEL) or not ASCII: the
    // common all-printable-ASCII fragment is checked byte by byte and written at once.
    if fragment.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return w.write_all(fragment.as_bytes());
    }
    let mut rest = fragment;
    while let Some(at) = rest.find(is_unsafe) {
        w.write_all(&rest.as_bytes()[..at])?;
        let c = rest[at..].chars().next().unwrap_or(' ');
        // Every character is_unsafe holds is in the Basic Multilingual Plane.
        write!(w, "\\u{:04x}", u32::from(c))?;
        rest = &rest[at + c.len_utf8()..];
    }
    w.write_all(rest.as_bytes())
}

/// serde_json's pretty layout (two spaces a level, `": "` after keys, empty arrays and
/// objects as `[]` and `{}`) with [`write_json_fragment`] for string contents: byte for
/// byte the document `serde_json::to_writer_pretty` writes when no string holds such a
/// character. Each line break and its indentation is one write (serde_json's own
/// formatter writes the indentation a level at a time, a copy per level: a tenth of the
/// SARIF output stage).
#[derive(Debug, Default)]
pub struct SafePretty {
    level: usize,
    has_value: bool,
}

/// A line break followed by the indentation of the deepest level written at once;
/// deeper levels are written in pieces.
const BREAK: &[u8] = b"\n                                                                ";

impl SafePretty {
    fn line<W: ?Sized + Write>(&self, w: &mut W) -> std::io::Result<()> {
        let mut spaces = self.level * 2;
        let first = spaces.min(BREAK.len() - 1);
        w.write_all(&BREAK[..=first])?;
        spaces -= first;
        while spaces > 0 {
            let n = spaces.min(BREAK.len() - 1);
            w.write_all(&BREAK[1..=n])?;
            spaces -= n;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line(w)?;
        }
        w.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&self, w: &mut W, first: bool) -> std::io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.line(w)
    }
}

impl serde_json::ser::Formatter for SafePretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        write_json_fragment(w, fragment)
    }
}

/// Write `value` as indented JSON with no raw control characters (see [`SafePretty`]).
///
/// # Errors
/// When serialisation or writing fails.
pub fn to_writer_pretty<W: ?Sized + Write, T: ?Sized + serde::Serialize>(
    w: &mut W,
    value: &T,
) -> std::io::Result<()> {
    // serde writes a document as a great many small pieces (indentation, punctuation,
    // keys). Through a `dyn Write` each piece is a call that cannot be inlined; a buffer
    // of our own type in front of it makes them copies into memory (the output stage of
    // a 56 MB SARIF log went from 191 to 107 ms, medians of 5).
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, w);
    let mut ser = serde_json::Serializer::with_formatter(&mut buffered, SafePretty::default());
    value.serialize(&mut ser).map_err(std::io::Error::from)?;
    buffered.flush()
}

/// [`to_writer_pretty`] into a string.
///
/// # Errors
/// When serialisation fails.
pub fn to_string_pretty<T: ?Sized + serde::Serialize>(value: &T) -> std::io::Result<String> {
    let mut out = Vec::new();
    to_writer_pretty(&mut out, value)?;
    String::from_utf8(out).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_shows_every_control_character() {
        let cases = [
            ("plain ünïcode", "plain ünïcode"),
            ("a\u{1b}[2Jb", "a\\u{1b}[2Jb"),
            (
                "osc\u{1b}]52;c;ZXZpbA==\u{7}",
                "osc\\u{1b}]52;c;ZXZpbA==\\u{7}",
            ),
            ("x\n::error file=a::b", "x\\n::error file=a::b"),
            ("cr\r\ttab", "cr\\r\\ttab"),
            ("del\u{7f} csi\u{9b}", "del\\u{7f} csi\\u{9b}"),
            ("bidi\u{202e}x\u{2066}", "bidi\\u{202e}x\\u{2066}"),
            ("ls\u{2028}", "ls\\u{2028}"),
            ("nul\0", "nul\\u{0}"),
        ];
        for (input, want) in cases {
            assert_eq!(visible(input), want, "{input:?}");
        }
        assert!(matches!(visible("clean"), Cow::Borrowed(_)));
        assert_eq!(visible_except("a\nb\u{1b}", &['\n']), "a\nb\\u{1b}");
    }

    #[test]
    fn markdown_code_spans_hold_any_text() {
        let cases = [
            ("plain", "`plain`"),
            ("a`b", "``a`b``"),
            ("`x`", "`` `x` ``"),
            ("a``b", "```a``b```"),
            ("</details><img src=x>", "`</details><img src=x>`"),
            ("@octocat #1", "`@octocat #1`"),
            ("line\nbreak\u{1b}[2J", "`line break\\u{1b}[2J`"),
            ("", "`  `"),
        ];
        for (input, want) in cases {
            assert_eq!(markdown_code(input), want, "{input:?}");
        }
    }

    #[test]
    fn uri_paths_are_percent_encoded() {
        let cases = [
            (".github/workflows/ci.yml", ".github/workflows/ci.yml"),
            ("a b/c#d?e%f", "a%20b/c%23d%3Fe%25f"),
            ("x:y/z.yml", "x%3Ay/z.yml"),
            ("back\\slash", "back%5Cslash"),
            ("new\nline", "new%0Aline"),
            ("é", "%C3%A9"),
            ("esc\u{1b}", "esc%1B"),
        ];
        for (input, want) in cases {
            assert_eq!(uri_path(input), want, "{input:?}");
        }
    }

    #[test]
    fn json_is_the_same_document_without_raw_controls() {
        let value = serde_json::json!({
            "s": "a\u{1b}b\u{7f}c\u{9b}d\u{202e}e\u{2028}f\n\"g\"\\",
            "list": [1, {"k": "plain"}],
            "empty": {},
        });
        let safe = to_string_pretty(&value).expect("serialises");
        assert!(
            !safe.contains(|c: char| is_unsafe(c) && c != '\n'),
            "{safe}"
        );
        let back: serde_json::Value = serde_json::from_str(&safe).expect("valid JSON");
        assert_eq!(back, value);
        let clean = serde_json::json!({"a": [1, 2, {"b": "c"}], "d": []});
        assert_eq!(
            to_string_pretty(&clean).expect("serialises"),
            serde_json::to_string_pretty(&clean).expect("serialises")
        );
    }

    /// The layout is written here, not by serde_json: it must stay serde_json's, also for
    /// empty containers, containers holding only empty ones, and nesting deeper than one
    /// write of indentation covers (32 levels).
    #[test]
    fn layout_is_serde_jsons_at_every_depth() {
        let mut deep = serde_json::json!({"leaf": [[], {}, "x"]});
        for i in 0..45 {
            deep = if i % 2 == 0 {
                serde_json::json!([deep, {}, []])
            } else {
                serde_json::json!({"k": deep, "e": [], "n": null})
            };
        }
        for value in [
            deep,
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!([[]]),
            serde_json::json!({"a": {}}),
            serde_json::json!("s"),
            serde_json::json!([1, [2, [3, []]], {"x": {"y": [{}]}}]),
        ] {
            assert_eq!(
                to_string_pretty(&value).expect("serialises"),
                serde_json::to_string_pretty(&value).expect("serialises")
            );
        }
    }
}

//! Property tests of span round-trips: for generated documents (ASCII and non-ASCII text,
//! LF, CRLF and lone-CR line endings, plain, quoted and literal block scalars), the text at
//! a node's span is exactly what was written, every position inside a literal block maps
//! back to the same character in the file, and every key and value has the same line and
//! column whichever line ending the document was written with.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use tollgate_model::{LineCol, SourceFile};
use tollgate_yaml::{Limits, NodeKind, ScalarMap, parse};

#[derive(Clone, Debug)]
enum Value {
    Plain(String),
    Single(String),
    Double(String),
    /// Lines of a literal block and the extra indentation of the block.
    Literal(Vec<String>, usize),
}

fn word() -> impl Strategy<Value = String> {
    // Letters, digits, punctuation that is safe inside a plain scalar, and multi-byte
    // characters of 2, 3 and 4 bytes.
    proptest::string::string_regex("[a-zA-Z0-9][a-zA-Z0-9./@_=()éü→😀-]{0,12}").expect("regex")
}

fn phrase() -> impl Strategy<Value = String> {
    proptest::collection::vec(word(), 1..4).prop_map(|w| w.join(" "))
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        phrase().prop_map(Value::Plain),
        phrase().prop_map(Value::Single),
        phrase().prop_map(Value::Double),
        (proptest::collection::vec(phrase(), 1..5), 0usize..3)
            .prop_map(|(l, i)| Value::Literal(l, i)),
    ]
}

fn key() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-z][a-z0-9_-]{0,8}").expect("regex")
}

/// The document text and, for each entry, the key and the value as written.
fn render(entries: &[(String, Value)], eol: &str) -> String {
    let mut s = String::new();
    for (k, v) in entries {
        match v {
            Value::Plain(p) => s.push_str(&format!("{k}: {p}{eol}")),
            Value::Single(p) => s.push_str(&format!("{k}: '{p}'{eol}")),
            Value::Double(p) => s.push_str(&format!("{k}: \"{p}\"{eol}")),
            Value::Literal(lines, extra) => {
                s.push_str(&format!("{k}: |{eol}"));
                let pad = " ".repeat(2 + extra);
                for l in lines {
                    s.push_str(&format!("{pad}{l}{eol}"));
                }
            }
        }
    }
    s
}

/// Parse `entries` written with `eol`, check every span against the text, and return the
/// start and end (line, column) of every key and value.
fn check(entries: &[(String, Value)], eol: &str) -> Result<Vec<(LineCol, LineCol)>, TestCaseError> {
    let text = render(entries, eol);
    let file = SourceFile::new("t.yml", "t.yml", text.as_str());
    let (docs, warnings) = parse(&file, Limits::default()).expect("parses");
    prop_assert!(warnings.is_empty());
    let map = docs[0].as_map().expect("map");
    prop_assert_eq!(map.len(), entries.len());
    let mut positions = Vec::new();
    for ((k, v), (kn, vn)) in entries.iter().zip(map) {
        for span in [kn.span, vn.span] {
            positions.push((file.line_col(span.start()), file.line_col(span.end())));
        }
        prop_assert_eq!(file.slice(kn.span), k.as_str());
        let NodeKind::Scalar(s) = &vn.kind else {
            panic!("scalar")
        };
        match v {
            Value::Plain(p) => {
                prop_assert_eq!(file.slice(vn.span), p.as_str());
                prop_assert_eq!(&s.value, p);
            }
            Value::Single(p) => {
                prop_assert_eq!(file.slice(vn.span), format!("'{p}'"));
                prop_assert_eq!(&s.value, p);
            }
            Value::Double(p) => {
                prop_assert_eq!(file.slice(vn.span), format!("\"{p}\""));
                prop_assert_eq!(&s.value, p);
            }
            Value::Literal(lines, _) => {
                let want: String = lines.iter().map(|l| format!("{l}\n")).collect();
                prop_assert_eq!(&s.value, &want);
            }
        }
        // Every character of the value maps to the same character in the file (for
        // every style here: none has escapes or folding).
        let m = ScalarMap::new(&file, vn).expect("scalar map");
        for (i, c) in s.value.char_indices().filter(|(_, c)| *c != '\n') {
            let at = m.to_file(i);
            prop_assert_eq!(
                text[at..].chars().next(),
                Some(c),
                "value offset {} of {:?} maps to file offset {}",
                i,
                s.value,
                at
            );
            // And the line/column of that offset names the same character.
            let lc = file.line_col(at);
            let line = file.line_text(lc.line as usize);
            prop_assert_eq!(line.chars().nth(lc.column as usize - 1), Some(c));
        }
    }
    Ok(positions)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn spans_slice_to_what_was_written_with_any_line_ending(
        entries in proptest::collection::btree_map(key(), value(), 1..8),
    ) {
        let entries: Vec<(String, Value)> = entries.into_iter().collect();
        let lf = check(&entries, "\n")?;
        prop_assert_eq!(&check(&entries, "\r\n")?, &lf, "CRLF");
        prop_assert_eq!(&check(&entries, "\r")?, &lf, "CR");
    }
}

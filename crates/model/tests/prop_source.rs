//! Property tests of the line index: for any text (multi-byte characters, LF, CRLF, lone
//! CR), `line_col` and `offset_of` are inverse at every character boundary, and the
//! column counts characters of the line up to the offset; the same lines written with LF,
//! CRLF, lone CR or a mix of the three give every character the same line and column.

use proptest::prelude::*;
use tollgate_model::{SourceFile, Span};

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("a".to_owned()),
            Just(" ".to_owned()),
            Just("\n".to_owned()),
            Just("\r\n".to_owned()),
            Just("\r".to_owned()),
            Just("é".to_owned()),
            Just("→".to_owned()),
            Just("😀".to_owned()),
            proptest::string::string_regex("[a-z]{1,5}").expect("regex"),
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

/// One line's text: no line break of any kind.
fn line() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just(" ".to_owned()),
            Just("é".to_owned()),
            Just("😀".to_owned()),
            proptest::string::string_regex("[a-z:#-]{1,6}").expect("regex"),
        ],
        0..8,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn line_col_and_offset_of_are_inverse(t in text()) {
        let f = SourceFile::new("t", "t", t.as_str());
        for (at, _) in t.char_indices().chain(std::iter::once((t.len(), ' '))) {
            let lc = f.line_col(at);
            let (line, column) = (lc.line as usize, lc.column as usize);
            prop_assert!(line >= 1 && line <= f.line_count());
            prop_assert_eq!(f.offset_of(line, column - 1), at, "{:?} at {}", lc, at);
            let line_start = f.line_start(line);
            prop_assert_eq!(t[line_start..at].chars().count() + 1, column);
            let before = &t[line_start..at];
            prop_assert!(!before.contains('\n'));
            // A `\r` inside a line is only the first half of a `\r\n` whose `\n` is `at`.
            prop_assert!(
                !before.contains('\r') || (before.ends_with('\r') && t[at..].starts_with('\n')),
                "{:?} at {}", before, at
            );
        }
    }

    #[test]
    fn lf_crlf_cr_and_mixed_endings_give_the_same_positions(
        lines in proptest::collection::vec(line(), 1..12),
        mix in proptest::collection::vec(0usize..3, 12),
        last in any::<bool>(),
    ) {
        let write = |eol: &dyn Fn(usize) -> &'static str| -> (String, Vec<usize>) {
            let mut s = String::new();
            let mut starts = Vec::new();
            for (i, l) in lines.iter().enumerate() {
                starts.push(s.len());
                s.push_str(l);
                if i + 1 < lines.len() || last {
                    s.push_str(eol(i));
                }
            }
            (s, starts)
        };
        let eols = ["\n", "\r\n", "\r"];
        // A lone CR, an empty line and an LF read as one CRLF, in every tool; the mix
        // avoids writing that.
        let mut mixed: Vec<&str> = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            let e = eols[mix[i % mix.len()]];
            let after_cr = mixed.last() == Some(&"\r");
            mixed.push(if after_cr && l.is_empty() && e == "\n" { "\r" } else { e });
        }
        let (lf, lf_starts) = write(&|_| "\n");
        let reference = SourceFile::new("t", "t", lf.as_str());
        prop_assert_eq!(reference.line_count(), lines.len() + usize::from(last));
        let variants = [
            write(&|_| "\r\n"),
            write(&|_| "\r"),
            write(&|i| mixed[i]),
        ];
        for (text, starts) in &variants {
            let f = SourceFile::new("t", "t", text.as_str());
            prop_assert_eq!(f.line_count(), reference.line_count());
            for (i, l) in lines.iter().enumerate() {
                prop_assert_eq!(f.line_text(i + 1), l.as_str());
                // Every character and the end of the line.
                for (at, _) in l.char_indices().chain(std::iter::once((l.len(), ' '))) {
                    let want = reference.line_col(lf_starts[i] + at);
                    let got = f.line_col(starts[i] + at);
                    prop_assert_eq!(got, want, "{:?} line {} byte {}", text, i + 1, at);
                    prop_assert_eq!(f.offset_of(got.line as usize, got.column as usize - 1), starts[i] + at);
                }
            }
        }
    }

    #[test]
    fn locations_and_slices_never_panic(t in text(), a in 0usize..200, b in 0usize..200) {
        let f = SourceFile::new("t", "t", t.as_str());
        let span = Span::new(a.min(b), a.max(b));
        let loc = f.location(span);
        prop_assert!(loc.start <= loc.end);
        let s = f.slice(span);
        prop_assert!(s.is_empty() || t.get(span.range()) == Some(s));
        for line in 0..f.line_count() + 2 {
            let _ = f.line_text(line);
        }
    }
}

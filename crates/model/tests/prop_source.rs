//! Property tests of the line index: for any text (multi-byte characters, LF, CRLF, lone
//! CR), `line_col` and `offset_of` are inverse at every character boundary, and the
//! column counts characters of the line up to the offset.

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn line_col_and_offset_of_are_inverse(t in text()) {
        let f = SourceFile::new("t", "t", t.as_str());
        for (at, _) in t.char_indices().chain(std::iter::once((t.len(), ' '))) {
            let lc = f.line_col(at);
            prop_assert!(lc.line >= 1 && lc.line <= f.line_count());
            prop_assert_eq!(f.offset_of(lc.line, lc.column - 1), at, "{:?} at {}", lc, at);
            let line_start = f.line_start(lc.line);
            prop_assert_eq!(t[line_start..at].chars().count() + 1, lc.column);
            prop_assert!(!t[line_start..at].contains('\n'));
        }
    }

    #[test]
    fn locations_and_slices_never_panic(t in text(), a in 0usize..200, b in 0usize..200) {
        let f = SourceFile::new("t", "t", t.as_str());
        let span = Span::new(a.min(b), a.max(b));
        let loc = f.location(span);
        prop_assert!(loc.start <= loc.end);
        let s = f.slice(span);
        prop_assert!(s.is_empty() || t.get(span.start..span.end) == Some(s));
        for line in 0..f.line_count() + 2 {
            let _ = f.line_text(line);
        }
    }
}

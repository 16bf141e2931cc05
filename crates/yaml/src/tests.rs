//! Unit tests of the tree builder and scalar maps against hand-checked positions.

use tollgate_model::{LineCol, SourceFile, Span};

use crate::{Limits, NodeKind, ScalarMap, YamlError, parse};

fn file(text: &str) -> SourceFile {
    SourceFile::new("t.yml", "t.yml", text)
}

fn lc(f: &SourceFile, off: usize) -> (u32, u32) {
    let LineCol { line, column } = f.line_col(off);
    (line, column)
}

#[test]
fn spans_of_keys_and_values() {
    let f = file("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n");
    let (docs, warnings) = parse(&f, Limits::default()).expect("parses");
    assert!(warnings.is_empty());
    let root = &docs[0];
    let (k, v) = root.entry("on").expect("on");
    assert_eq!(f.slice(k.span), "on");
    assert_eq!(f.slice(v.span), "push");
    let jobs = root.get("jobs").expect("jobs");
    let (id, job) = &jobs.as_map().expect("map")[0];
    assert_eq!(lc(&f, id.span.start()), (3, 3));
    let ro = job.get("runs-on").expect("runs-on");
    assert_eq!(lc(&f, ro.span.start()), (4, 14));
    assert_eq!(f.slice(ro.span), "ubuntu-latest");
}

#[test]
fn literal_block_lines_map_exactly() {
    let text = "steps:\n  - run: |\n      echo one\n        two\n\n      three\n";
    let f = file(text);
    let (docs, _) = parse(&f, Limits::default()).expect("parses");
    let run = docs[0].get("steps").and_then(|s| s.as_seq()).expect("seq")[0]
        .get("run")
        .expect("run");
    let value = run.as_str().expect("str");
    assert_eq!(value, "echo one\n  two\n\nthree\n");
    let map = ScalarMap::new(&f, run).expect("scalar");
    assert!(map.is_exact());
    let two = value.find("two").expect("two");
    assert_eq!(lc(&f, map.to_file(two)), (4, 9));
    let three = value.find("three").expect("three");
    assert_eq!(lc(&f, map.to_file(three)), (6, 7));
    assert_eq!(&text[map.to_file(three)..map.to_file(three) + 5], "three");
}

#[test]
fn literal_block_with_leading_blank_lines_and_indicator() {
    let text = "a: |\n\n\n    x\n     y\nb: |2\n     z\n   w\n";
    let f = file(text);
    let (docs, _) = parse(&f, Limits::default()).expect("parses");
    let a = docs[0].get("a").expect("a");
    let m = ScalarMap::new(&f, a).expect("map");
    let y = a.as_str().expect("s").find('y').expect("y");
    assert_eq!(lc(&f, m.to_file(y)), (5, 6));
    let b = docs[0].get("b").expect("b");
    assert_eq!(b.as_str(), Some("   z\n w\n"));
    let m = ScalarMap::new(&f, b).expect("map");
    let w = b.as_str().expect("s").find('w').expect("w");
    assert_eq!(lc(&f, m.to_file(w)), (8, 4));
}

#[test]
fn crlf_literal_block() {
    let text = "run: |\r\n  a\r\n  bc\r\n";
    let f = file(text);
    let (docs, _) = parse(&f, Limits::default()).expect("parses");
    let run = docs[0].get("run").expect("run");
    let m = ScalarMap::new(&f, run).expect("map");
    let c = run.as_str().expect("s").find('c').expect("c");
    assert_eq!(&text[m.to_file(c)..=m.to_file(c)], "c");
    assert_eq!(lc(&f, m.to_file(c)), (3, 4));
}

#[test]
fn quoted_and_folded_maps() {
    let text = "a: \"x y\"\nb: \"x\\ty\"\nc: >-\n  one\n  two\n";
    let f = file(text);
    let (docs, _) = parse(&f, Limits::default()).expect("parses");
    let a = ScalarMap::new(&f, docs[0].get("a").expect("a")).expect("m");
    assert!(a.is_exact());
    assert_eq!(lc(&f, a.to_file(2)), (1, 7));
    // An escape and folded lines are aligned character by character.
    let b = ScalarMap::new(&f, docs[0].get("b").expect("b")).expect("m");
    assert!(b.is_exact());
    assert_eq!(lc(&f, b.to_file(2)), (2, 8));
    let c = ScalarMap::new(&f, docs[0].get("c").expect("c")).expect("m");
    assert!(c.is_exact());
    assert_eq!(lc(&f, c.to_file(5)), (5, 4));
}

#[test]
fn anchors_and_aliases_keep_the_anchor_span() {
    let text = "x: &img node:20\ny: *img\n";
    let f = file(text);
    let (docs, _) = parse(&f, Limits::default()).expect("parses");
    let y = docs[0].get("y").expect("y");
    assert_eq!(y.as_str(), Some("node:20"));
    assert_eq!(lc(&f, y.span.start()), (1, 9));
    assert_eq!(y.alias.map(|s| lc(&f, s.start())), Some((2, 4)));
}

#[test]
fn an_anchored_block_scalar_maps_like_a_plain_one() {
    // `run: &x |` starts at its first content line, as `run: |` does, so positions in
    // the value map onto the file exactly (they were one line early, and zero-width).
    for (text, header) in [
        ("a: &x |\n  one\n  two ${{ y }}\nb: *x\n", "&x |"),
        (
            "a: !!str &x |-\n\n  one\n  two ${{ y }}\nb: *x\n",
            "!!str &x |-",
        ),
        ("a: |\n  one\n  two ${{ y }}\n", "|"),
    ] {
        let f = file(text);
        let (docs, _) = parse(&f, Limits::default()).expect("parses");
        let a = docs[0].get("a").expect("a");
        let value = a.as_str().expect("scalar");
        let m = ScalarMap::new(&f, a).expect("map");
        assert!(m.is_exact(), "{header}");
        let at = value.find("${{").expect("expression");
        let line = if text.contains("\n\n") { 4 } else { 3 };
        assert_eq!(lc(&f, m.to_file(at)), (line, 7), "{header}");
        if let Some(b) = docs[0].get("b") {
            assert_eq!(b.as_str(), Some(value), "{header}");
        }
    }
}

#[test]
fn a_block_scalar_whose_text_starts_like_a_property_starts_at_its_text() {
    // `if: |` then `!contains(…)`, a PowerShell `& ./x.ps1`, a Markdown `> quote`: the
    // text is not an anchor, a tag or a header, and the span starts at its first byte.
    // (They were taken for properties: the span skipped the first word, or a line.) The
    // tab in the last comment sends the document down saphyr's path, not the fast
    // parser's.
    for first in [
        "!contains(x, 'y')",
        "& ./build.ps1 -x",
        "> [!NOTE] read",
        "| x",
    ] {
        let text = format!("a: |\n  {first}\n  two\nz: 1 #\tnote\n");
        let f = file(&text);
        assert_eq!(crate::fast_check(&f, crate::Options::default()), None);
        let (docs, _) = parse(&f, Limits::default()).expect("parses");
        let a = docs[0].get("a").expect("a");
        assert_eq!(lc(&f, a.span.start()), (2, 3), "{first}");
        assert_eq!(a.as_str(), Some(format!("{first}\ntwo\n").as_str()));
        let m = ScalarMap::new(&f, a).expect("map");
        assert!(m.is_exact(), "{first}");
        assert_eq!(lc(&f, m.to_file(first.len() + 1)), (3, 3), "{first}");
    }
}

#[test]
fn escaped_and_folded_scalars_map_each_character_to_where_it_is_written() {
    // Each case: the text, and the (line, column) of `$` in the file.
    for (text, want) in [
        ("a: 'echo ''x'' \"${{ y }}\"'\n", (1, 17)),
        ("a: \"echo \\\"${{ y }}\\\"\"\n", (1, 12)),
        ("a: \"tab\\there \\x41 ${{ y }}\"\n", (1, 20)),
        ("a: >\n  echo one\n  echo \"${{ y }}\"\n", (3, 9)),
        ("a: >-\n  one\n\n  two ${{ y }}\n", (4, 7)),
        ("a: 'one\n  two ${{ y }}'\n", (2, 7)),
        ("a: \"one \\\n  two ${{ y }}\"\n", (2, 7)),
        ("a: 'one\r\n  two ${{ y }}'\r\n", (2, 7)),
    ] {
        let f = file(text);
        let (docs, _) = parse(&f, Limits::default()).expect("parses");
        let a = docs[0].get("a").expect("a");
        let value = a.as_str().expect("scalar");
        let m = ScalarMap::new(&f, a).expect("map");
        assert!(m.is_exact(), "{text:?} → {value:?}");
        let at = value.find("${{").expect("expression");
        assert_eq!(lc(&f, m.to_file(at)), want, "{text:?} → {value:?}");
        // The expression keeps its width.
        let span = m.span_to_file(Span::new(at, at + "${{ y }}".len()));
        assert_eq!(f.slice(span), "${{ y }}", "{text:?}");
    }
}

#[test]
fn alias_bomb_is_bounded() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let mut prev = 'a';
    for c in 'b'..='j' {
        text.push_str(&format!(
            "{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
        ));
        prev = c;
    }
    let f = file(&text);
    let err = parse(&f, Limits::default()).expect_err("bomb");
    assert!(matches!(err, YamlError::Limit { .. }), "{err:?}");
}

#[test]
fn deep_nesting_is_bounded() {
    let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let f = file(&text);
    let err = parse(&f, Limits::default()).expect_err("deep");
    assert!(matches!(err, YamlError::Limit { .. }), "{err:?}");
}

#[test]
fn syntax_error_has_position() {
    let f = file("a: [1, 2\nb: c\n");
    let err = parse(&f, Limits::default()).expect_err("bad");
    assert!(matches!(err, YamlError::Syntax { .. }));
    assert!(f.line_col(err.span().start()).line >= 1);
}

#[test]
fn duplicate_keys_warn_and_keep_first() {
    let f = file("a: 1\na: 2\n");
    let (docs, warnings) = parse(&f, Limits::default()).expect("parses");
    assert_eq!(docs[0].get("a").and_then(|n| n.as_str()), Some("1"));
    assert_eq!(warnings.len(), 1);
    assert_eq!(lc(&f, warnings[0].span.start()), (2, 1));
}

#[test]
fn multiple_documents() {
    let f = file("---\na: 1\n---\nb: 2\n");
    let (docs, _) = parse(&f, Limits::default()).expect("parses");
    assert_eq!(docs.len(), 2);
    assert!(matches!(docs[1].kind, NodeKind::Map(_)));
}

#[test]
fn booleans_are_strict() {
    let f = file("a: yes\nb: true\nc: 'true'\nd: ~\n");
    let (docs, _) = parse(&f, Limits::default()).expect("parses");
    assert_eq!(docs[0].get("a").and_then(|n| n.as_bool()), None);
    assert_eq!(docs[0].get("b").and_then(|n| n.as_bool()), Some(true));
    assert_eq!(docs[0].get("c").and_then(|n| n.as_bool()), None);
    assert!(docs[0].get("d").is_some_and(|n| n.is_null()));
}

#[test]
fn alias_of_a_large_scalar_is_bounded_by_bytes() {
    // Few nodes, but every alias copies a 1 MiB string: 3,000 of them would need 3 GiB.
    let text = format!(
        "big: &b \"{}\"\nrefs: [{}]\n",
        "x".repeat(1 << 20),
        vec!["*b"; 3000].join(",")
    );
    let f = file(&text);
    let err = parse(&f, Limits::default()).expect_err("bomb");
    assert!(matches!(err, YamlError::Limit { .. }), "{err:?}");
    assert!(err.message().contains("MiB"), "{err:?}");
    // The error points at the alias that crossed the budget, on line 2.
    assert_eq!(f.line_col(err.span().start()).line, 2);
}

#[test]
fn anchors_nested_in_anchors_are_bounded() {
    // Each anchor keeps a copy of its subtree, so 200 nested anchors around one 1 MiB
    // scalar would copy it 200 times.
    let depth = 200;
    let mut text = String::from("x: ");
    for i in 0..depth {
        text.push_str(&format!("&a{i} ["));
    }
    text.push_str(&format!("\"{}\"", "y".repeat(1 << 20)));
    text.push_str(&"]".repeat(depth));
    text.push('\n');
    let f = file(&text);
    let err = parse(&f, Limits::default()).expect_err("bomb");
    assert!(matches!(err, YamlError::Limit { .. }), "{err:?}");
}

/// The parser counts a lone CR as a line break (YAML 1.2, 5.4); so does the line index, so
/// one stray CR in an LF file moves nothing after it, and a literal block written with CR
/// maps each script line onto its own source line.
#[test]
fn a_stray_cr_and_cr_only_blocks_keep_positions() {
    let f = file("a: 1\rb: 2\nc: |\r  x\r  yz\rd: end\n");
    let (docs, _) = parse(&f, Limits::default()).expect("parses");
    let root = &docs[0];
    let (b, _) = root.entry("b").expect("b");
    assert_eq!(lc(&f, b.span.start()), (2, 1));
    let (c, block) = root.entry("c").expect("c");
    assert_eq!(lc(&f, c.span.start()), (3, 1));
    let (d, end) = root.entry("d").expect("d");
    assert_eq!(
        (lc(&f, d.span.start()), lc(&f, end.span.end())),
        ((6, 1), (6, 7))
    );
    let m = ScalarMap::new(&f, block).expect("map");
    // Value "x\nyz\n": `y` is value offset 2, on source line 5, column 3.
    assert_eq!(lc(&f, m.to_file(2)), (5, 3));
    assert_eq!(
        f.slice(m.span_to_file(tollgate_model::Span::new(2, 4))),
        "yz"
    );
    // The block's end is where `d` starts, not past it.
    assert!(block.span.end() <= d.span.start());
}

/// A closing bracket on its own line, indented less than the flow collection's items
/// (numpy's `linux_simd.yml`, pytest's `test.yml`): GitHub accepts it, and so does the
/// tree, with every scalar's span pointing into the file as written.
#[test]
fn a_dedented_closing_bracket_is_accepted_with_exact_spans() {
    let text = "matrix:\n  prop:\n    - [\n      \"a\",\n      \"b\"\n    ]\n    - [\n    \"c\",\n  ]\n  map: {\n      k: v\n  }\nafter: x\n";
    for t in [text.to_owned(), text.replace('\n', "\r\n")] {
        let f = file(&t);
        let (docs, _) = parse(&f, Limits::default()).expect("parses");
        let root = &docs[0];
        let prop = root
            .get("matrix")
            .and_then(|m| m.get("prop"))
            .expect("prop");
        let rows: Vec<Vec<&str>> = prop
            .as_seq()
            .expect("seq")
            .iter()
            .map(|r| {
                r.as_seq()
                    .expect("row")
                    .iter()
                    .map(|c| f.slice(c.span))
                    .collect()
            })
            .collect();
        // Quoted scalars' spans include their quotes, at their own lines.
        assert_eq!(rows, [vec!["\"a\"", "\"b\""], vec!["\"c\""]]);
        let c = &prop.as_seq().expect("seq")[1].as_seq().expect("row")[0];
        assert_eq!(lc(&f, c.span.start()), (8, 5));
        let k = root
            .get("matrix")
            .and_then(|m| m.get("map"))
            .and_then(|m| m.get("k"));
        assert_eq!(k.map(|v| f.slice(v.span)), Some("v"));
        let after = root.get("after").expect("after");
        assert_eq!(lc(&f, after.span.start()), (13, 8));
    }
}

/// The last scalar of a flow collection ends at its last character, not at the bracket.
#[test]
fn the_last_flow_scalar_ends_before_the_blanks() {
    let f = file("a: [\"x\", y  , 'z'   ]\nb: {k: v\t}\n");
    let (docs, _) = parse(&f, Limits::default()).expect("parses");
    let a: Vec<&str> = docs[0]
        .get("a")
        .and_then(|a| a.as_seq())
        .expect("a")
        .iter()
        .map(|n| f.slice(n.span))
        .collect();
    assert_eq!(a, ["\"x\"", "y", "'z'"]);
    let v = docs[0].get("b").and_then(|b| b.get("k")).expect("k");
    assert_eq!(f.slice(v.span), "v");
}

/// The token is not moved into a comment, and real indentation errors stay errors.
#[test]
fn a_dedented_bracket_after_a_comment_and_bad_indentation_stay_errors() {
    for text in ["a:\n  - [\n    \"x\", # note\n  ]\n", "a:\n  b: 1\n c: 2\n"] {
        assert!(
            matches!(
                parse(&file(text), Limits::default()),
                Err(YamlError::Syntax { .. })
            ),
            "{text}"
        );
    }
}

#[test]
fn local_tags_are_kept_on_sequences_scalars_and_mappings() {
    let f = file("a: !reference [.setup, script]\nb: !custom x\nc: !!str 1\nd: !m {k: v}\n");
    let (docs, _) = parse(&f, Limits::default()).expect("parses");
    let a = docs[0].get("a").expect("a");
    assert_eq!(a.tag.as_deref(), Some("!reference"));
    assert_eq!(a.as_seq().map(<[_]>::len), Some(2));
    assert_eq!(
        docs[0].get("b").and_then(|n| n.tag.as_deref()),
        Some("!custom")
    );
    assert_eq!(docs[0].get("c").and_then(|n| n.tag.as_deref()), None);
    assert_eq!(docs[0].get("d").and_then(|n| n.tag.as_deref()), Some("!m"));
}

#[test]
fn duplicate_keys_first_wins_by_default_and_last_wins_on_request() {
    let text = "x: 1\ny: 2\nx: 3\n<<: {z: 4}\n<<: {w: 5}\n";
    let f = file(text);
    let (docs, warnings) = parse(&f, Limits::default()).expect("parses");
    assert_eq!(docs[0].get("x").and_then(|n| n.as_str()), Some("1"));
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    let options = crate::Options {
        duplicate_keys: crate::DuplicateKeys::LastWins,
        ..crate::Options::default()
    };
    let (docs, warnings) = crate::parse_with(&f, options).expect("parses");
    assert!(warnings.is_empty());
    let map = docs[0].as_map().expect("map");
    let keys: Vec<_> = map.iter().filter_map(|(k, _)| k.as_str()).collect();
    // The later `x` replaces the earlier in place; both merge keys are kept.
    assert_eq!(keys, ["x", "y", "<<", "<<"]);
    assert_eq!(docs[0].get("x").and_then(|n| n.as_str()), Some("3"));
    assert_eq!(f.slice(docs[0].get("x").expect("x").span), "3");
}

#[test]
fn a_comment_right_after_a_quote_is_accepted_only_on_request() {
    let text = "a: 'x'# note 'y'\nb: \"z\"#c\nc: 'k#v'\n";
    let f = file(text);
    let err = parse(&f, Limits::default()).expect_err("YAML 1.2 wants a blank");
    assert!(matches!(err, YamlError::Syntax { .. }));
    let options = crate::Options {
        comment_after_quote: true,
        ..crate::Options::default()
    };
    let (docs, _) = crate::parse_with(&f, options).expect("libyaml reads it");
    assert_eq!(docs[0].get("a").and_then(|n| n.as_str()), Some("x"));
    assert_eq!(docs[0].get("b").and_then(|n| n.as_str()), Some("z"));
    assert_eq!(docs[0].get("c").and_then(|n| n.as_str()), Some("k#v"));
    assert_eq!(f.slice(docs[0].get("b").expect("b").span), "\"z\"");
}

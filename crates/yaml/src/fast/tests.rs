//! The fast parser against saphyr's path: hand-written cases it must take or leave, and
//! random documents made of the pieces CI files use, some of them damaged, on which it
//! must build saphyr's very tree or decline.

use tollgate_model::SourceFile;

use proptest::prelude::Rng as _;
use proptest::test_runner::{RngAlgorithm, TestRng};

use super::check;
use crate::{DuplicateKeys, Options, parse};

fn file(text: &str) -> SourceFile {
    SourceFile::new("t.yml", "t.yml", text)
}

fn both(options: Options, text: &str) -> Option<Result<(), String>> {
    check(&file(text), options)
}

#[test]
fn builds_sapyhrs_tree_for_plain_documents() {
    for text in [
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n",
        "---\n# a comment\nname: ci\non:\n  push:\n    branches: [main, 'release/*']\n",
        "a:   # note\n  # more\nb: |\n  x\n # less indented comment\n\nc: x\n",
        "k:\n  - a\n  # c\n\n  - b\n# end\n",
        "k: |+\n  a\n\n\nz: 1\n",
        "k: >-\n  a\n  b\n\n  c\n\nz: 1\n",
        "steps:\n- uses: actions/checkout@v4\n  with:\n    fetch-depth: 0\n- run: |\n    echo hi\n",
        "a: [] # c\nb: [x] # c\nc: {}  # c  \nd: \"x\\\"\\n\" # y \ne: 'it''s'\n",
        "a:\n  - x\n  -   # c\n  - y\n",
        "if: |\n  !contains(github.event.pull_request.labels.*.name, 'x')\nrun: |\n  & ./a.ps1\nv: |\n  > quoted\n",
        "on:\n  workflow_dispatch:\n  schedule:\n    - cron: '0 0 * * 0' # every Sunday\n",
        "é: ü\nurl: https://example.com/a#b\nx: a:b\n",
        "a: one\n  two\n\n  three\nb:\n  four\n  five # c\n",
        "- {target: x86_64, os: 'ubuntu'} # c\n- { a: b }\n",
        "a: >\n  one\n    more\n  two\n\n  three\nb: :x\n",
        "no: final line break",
        ".a: &x\n  k: v\nb: *x\nc: &y plain\nd: !reference [.a, k]\ne: &z\n  - 1\nf:\n  <<: *x\n",
        "a: &x |\n  one\nb: !!str &x two\nc: *x\n",
    ] {
        assert_eq!(both(Options::default(), text), Some(Ok(())), "{text:?}");
    }
}

#[test]
fn leaves_the_rest_to_saphyr() {
    for text in [
        // Properties the fast parser does not read, several documents, explicit keys.
        "a: &x\nb: 1\n",
        "a: &x\n  plain\n",
        "- &x k: v\n",
        "a: !<tag:yaml.org,2002:str> x\n",
        "a: *undefined\n",
        "a: 1\n---\nb: 2\n",
        "? a\n: b\n",
        // Quoted scalars over several lines; a plain one with a comment inside.
        "a: \"one\n  two\"\n",
        "a: one # c\n  two\n",
        // Tabs, carriage returns, a byte-order mark, blanks at the end of a block
        // scalar with no line break after them.
        "a:\tb\n",
        "a: b\r\n",
        "\u{feff}a: b\n",
        "a: >\n  x\n  ",
        // Nested flow collections, indentation indicators.
        "a: {b: [c]}\n",
        "a: [b, [c]]\n",
        "a: |2\n   x\n",
        // Errors: saphyr reports them.
        "a: b: c\n",
        "a: 'x'# note\n",
        "a:\n  b: 1\n c: 2\n",
        "- a\nb: c\n",
        // An empty document, a bare scalar, a root indented.
        "# only a comment\n",
        "just text\n",
        "  a: b\n",
    ] {
        assert_eq!(both(Options::default(), text), None, "{text:?}");
    }
}

#[test]
fn duplicate_keys_are_reported_as_saphyrs_path_reports_them() {
    let text = "a: 1\nb: 2\na: 3\n";
    for keys in [DuplicateKeys::FirstWins, DuplicateKeys::LastWins] {
        let options = Options {
            duplicate_keys: keys,
            ..Options::default()
        };
        assert_eq!(both(options, text), Some(Ok(())));
    }
    let (docs, warnings) = parse(&file(text), crate::Limits::default()).expect("parses");
    assert_eq!(warnings.len(), 1);
    assert_eq!(docs[0].get("a").and_then(crate::Node::as_str), Some("1"));
}

/// A deterministic generator (proptest's), so a failure names its seed.
struct Rng(TestRng);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(TestRng::from_seed(
            RngAlgorithm::ChaCha,
            &[seed.to_le_bytes(), seed.to_be_bytes(), [7; 8], [9; 8]].concat(),
        ))
    }

    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const KEYS: &[&str] = &[
    "on", "name", "runs-on", "steps", "with", "env", "if", "run", "uses", "a b", "x.y", "'on'",
    "\"key\"", "a:b", "k#1", "-x", "<<", "é", "a[0]", "key ", "1", "true",
];

const SCALARS: &[&str] = &[
    "push",
    "ubuntu-latest",
    "${{ github.token }}",
    "actions/checkout@v4",
    "a # comment",
    "a#b",
    "https://example.com/x#y",
    "3.12",
    "-1",
    "-x",
    "'single ''quoted'''",
    "\"double \\\"q\\\" \\t\\n\\\\ \\/\"",
    "''",
    "\"\" # c",
    "'a' # c  ",
    "x'y\"z",
    "~",
    "[]",
    "[a, 'b', \"c\"]",
    "[ a , b ] # c",
    "[http://x, y]",
    "{}",
    "{}  # c  ",
    "{ }",
    "{a: b, 'c': \"d\"}",
    "{ target: x86_64, os: ubuntu-latest } # c",
    "{a: http://x, b: -1}",
    ":php-psr",
    "?x",
    "&a1 anchored",
    "&a2 'quoted'",
    "!t tagged",
    "!!str core",
    "&a1 !t both",
    "!reference [.setup, script]",
    "&a3 [x, y]",
    "!t {a: b}",
    "&a4 |\n      block",
    "*a1",
    "*a2",
    "*a3",
    "*missing",
    "ü — ✓",
    "x ",
];

/// Scalars the fast parser declines, or that are errors.
const ODD: &[&str] = &[
    "\"bad \\q\"",
    "\"\\x41\"",
    "a: b",
    "a:",
    "[a, ]",
    "[a: b]",
    "[a, {b}]",
    "{a: }",
    "{a: b,}",
    "{a: [b]}",
    "{a: {b: c}}",
    "{a, b}",
    "{a:b}",
    "[{a: b}]",
    "&anchor",
    "&a &b x",
    "!a !b x",
    "!<tag:x> y",
    "!e!x y",
    "&a *a1",
    "*a1 x",
    "&\u{e9} x",
    "@at",
    "`tick`",
    "%pct",
    "? q",
    ": c",
    "a\tb",
    "'a'# c",
];

fn scalar<'a>(r: &mut Rng) -> &'a str {
    if r.below(40) == 0 {
        r.pick(ODD)
    } else {
        r.pick(SCALARS)
    }
}

/// A random document: mappings and sequences nested with random indentation, scalars of
/// every style, block scalars, comments and blank lines.
fn document(r: &mut Rng) -> String {
    let mut out = String::new();
    if r.below(6) == 0 {
        out.push_str(r.pick(&["---\n", "# head\n", "\n", "--- # c\n"]));
    }
    if r.below(2) == 0 {
        if r.below(3) == 0 {
            // Anchors for the aliases the values name.
            out.push_str(".a: &a1 one\n.b: &a3 [x, y]\n.c: &a2\n  k: v\n");
        }
        mapping(r, &mut out, 0, 0, false);
    } else {
        sequence(r, &mut out, 0, 0);
    }
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn filler(r: &mut Rng, out: &mut String, n: usize) {
    match r.below(12) {
        0 => out.push('\n'),
        1 => {
            // Mostly no deeper than the collection: a deeper comment after a value on
            // its line is left to saphyr.
            let deeper = if r.below(4) == 0 { 3 } else { 1 };
            indent(out, r.below(n + deeper));
            out.push_str("# note\n");
        }
        2 => {
            indent(out, r.below(n + 4));
            out.push('\n');
        }
        _ => {}
    }
}

/// What follows a key's `:` or an item's `-`: a value on the line, a block scalar, or a
/// collection on the lines after (at `n`, more than the parent's column `c`).
fn value(r: &mut Rng, out: &mut String, c: usize, depth: usize, map: bool) {
    let choice = if depth > 4 { r.below(3) } else { r.below(7) };
    match choice {
        0 | 1 => {
            out.push(' ');
            out.push_str(scalar(r));
            out.push('\n');
            if r.below(4) == 0 {
                continuation(r, out, c);
            }
        }
        2 => block_scalar(r, out, c),
        3 if r.below(3) == 0 => {
            // A scalar on the lines after.
            out.push('\n');
            indent(out, c + 1 + r.below(3));
            out.push_str(scalar(r));
            out.push('\n');
            continuation(r, out, c);
        }
        3 => {
            out.push_str(r.pick(&["", " ", "  # c"]));
            out.push('\n');
        }
        4 if map && r.below(2) == 0 => {
            // An indentless sequence.
            out.push('\n');
            sequence(r, out, c, depth + 1);
        }
        _ => {
            out.push_str(r.pick(&["", " # c", "", " &m1", " &m2 # c", " !t", " &m1 !t", " *a1"]));
            out.push('\n');
            filler(r, out, c);
            let n = c + 1 + r.below(4);
            if r.below(2) == 0 {
                mapping(r, out, n, depth + 1, false);
            } else {
                sequence(r, out, n, depth + 1);
            }
        }
    }
}

/// Lines that may go on a plain scalar written before them (or be errors after a quoted
/// one or a comment): indented more than the collection's column `c`, or not.
fn continuation(r: &mut Rng, out: &mut String, c: usize) {
    for _ in 0..1 + r.below(3) {
        if r.below(4) == 0 {
            indent(out, r.below(c + 3));
            out.push('\n');
        }
        indent(out, c + usize::from(r.below(8) != 0) + r.below(3));
        out.push_str(r.pick(&[
            "and more",
            "&& b == 'c'",
            "x # c",
            "- item",
            "[a]",
            "{b}",
            "*x",
            "&y",
            "!z",
            "'q'",
            "\"d\"",
            "|",
            "> f",
            "% p",
            "@ a",
            "a: b",
            "a:b",
            "end:",
            "# comment",
            "ü",
            "...",
            "---",
            "? k",
            ": v",
        ]));
        out.push('\n');
    }
}

fn block_scalar(r: &mut Rng, out: &mut String, c: usize) {
    out.push(' ');
    out.push_str(if r.below(30) == 0 {
        r.pick(&["|2", "|#", ">1"])
    } else {
        r.pick(&["|", ">", "|-", ">-", "|+", ">+", "| # c"])
    });
    out.push('\n');
    let n = c + 1 + r.below(3);
    if r.below(5) == 0 {
        out.push('\n');
    }
    for _ in 0..1 + r.below(4) {
        match r.below(8) {
            0 => out.push('\n'),
            1 => {
                indent(out, n + 1 + r.below(2));
                out.push('\n');
            }
            2 => {
                indent(out, n + 2);
                out.push_str("more indented\n");
            }
            3 => {
                indent(out, n);
                out.push_str("# not a comment  \n");
            }
            _ => {
                indent(out, n);
                out.push_str(r.pick(&["echo hi", "make $X", "!x", "& y", "> z", "a  b "]));
                out.push('\n');
            }
        }
    }
    if r.below(4) == 0 {
        indent(out, r.below(n));
        out.push_str("# after\n");
    }
}

/// A mapping at column `c`; `inline` when its first key goes on a line already begun
/// (after `- `).
fn mapping(r: &mut Rng, out: &mut String, c: usize, depth: usize, inline: bool) {
    for i in 0..1 + r.below(4) {
        if i > 0 || !inline {
            indent(out, c);
        }
        out.push_str(r.pick(KEYS));
        out.push(':');
        value(r, out, c, depth, true);
        filler(r, out, c);
    }
}

fn sequence(r: &mut Rng, out: &mut String, c: usize, depth: usize) {
    for _ in 0..1 + r.below(4) {
        indent(out, c);
        out.push('-');
        if depth < 4 && r.below(3) == 0 {
            // A mapping on the item's line.
            let gap = 1 + r.below(2);
            indent(out, gap);
            mapping(r, out, c + 1 + gap, depth + 1, true);
        } else {
            value(r, out, c, depth, false);
        }
        filler(r, out, c);
    }
}

/// Damage a document the way typing does: a byte dropped, doubled or replaced, a line's
/// indentation changed.
fn damage(r: &mut Rng, text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..1 + r.below(2) {
        if bytes.is_empty() {
            break;
        }
        let i = r.below(bytes.len());
        match r.below(4) {
            0 => {
                bytes.remove(i);
            }
            1 => bytes.insert(i, bytes[i]),
            2 => bytes.insert(i, b' '),
            _ => bytes[i] = *b" :-#'\"[]{}|>".get(r.below(12)).unwrap_or(&b' '),
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[test]
fn agrees_with_saphyr_on_random_documents() {
    let mut taken = 0;
    for seed in 1..=20_000u64 {
        let mut r = Rng::new(seed);
        let mut text = document(&mut r);
        if r.below(4) == 0 {
            text = damage(&mut r, &text);
        }
        if r.below(8) == 0 {
            text.truncate(text.trim_end_matches('\n').len());
        }
        for keys in [DuplicateKeys::FirstWins, DuplicateKeys::LastWins] {
            let options = Options {
                duplicate_keys: keys,
                ..Options::default()
            };
            match both(options, &text) {
                Some(Ok(())) => taken += 1,
                Some(Err(e)) => panic!("seed {seed}: {e}\n{text}"),
                None => {}
            }
        }
    }
    // The generator writes mostly what the fast parser takes: the test must exercise it.
    assert!(taken > 6_000, "only {taken} documents taken");
}

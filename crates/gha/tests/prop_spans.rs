//! Property tests of span round-trips in the workflow model: `&source[span]` is the value
//! reported for `uses:` and `with:` values, and every word of a `run:` script (literal
//! block or one line, LF, CRLF or lone-CR line endings) maps back through `Run::file_span`
//! onto the same text, at the same line and column whichever line ending was used.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use tollgate_model::{LineCol, SourceFile, Span};

fn name() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-z][a-z0-9-]{0,10}").expect("regex")
}

fn uses() -> impl Strategy<Value = String> {
    (
        name(),
        name(),
        prop_oneof![
            proptest::string::string_regex("v[0-9]{1,2}(\\.[0-9]{1,2}){0,2}").expect("regex"),
            proptest::string::string_regex("[0-9a-f]{40}").expect("regex"),
            name(),
        ],
    )
        .prop_map(|(o, r, v)| format!("{o}/{r}@{v}"))
}

/// A word that YAML reads as a plain string wherever it stands: a leading `-` would make
/// a one-word value a sequence entry.
fn script_word() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9_./=é😀][a-zA-Z0-9_./=é😀-]{0,9}").expect("regex")
}

fn script_line() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(script_word(), 1..5)
}

#[derive(Clone, Debug)]
struct StepSpec {
    uses: Option<String>,
    with: Vec<(String, String)>,
    /// Script lines (words) and whether to write it as a literal block.
    run: Vec<Vec<String>>,
    literal: bool,
}

fn step() -> impl Strategy<Value = StepSpec> {
    prop_oneof![
        (
            uses(),
            proptest::collection::btree_map(name(), script_word(), 0..3)
        )
            .prop_map(|(u, w)| StepSpec {
                uses: Some(u),
                with: w.into_iter().collect(),
                run: Vec::new(),
                literal: false
            }),
        (
            proptest::collection::vec(script_line(), 1..5),
            any::<bool>()
        )
            .prop_map(|(lines, literal)| {
                let lines = if literal {
                    lines
                } else {
                    lines.into_iter().take(1).collect()
                };
                StepSpec {
                    uses: None,
                    with: Vec::new(),
                    run: lines,
                    literal,
                }
            }),
    ]
}

fn render(steps: &[StepSpec], eol: &str) -> String {
    let mut s = format!(
        "on: push{eol}jobs:{eol}  build:{eol}    runs-on: ubuntu-latest{eol}    steps:{eol}"
    );
    for st in steps {
        if let Some(u) = &st.uses {
            s.push_str(&format!("      - uses: {u}{eol}"));
            if !st.with.is_empty() {
                s.push_str(&format!("        with:{eol}"));
                for (k, v) in &st.with {
                    s.push_str(&format!("          {k}: {v}{eol}"));
                }
            }
        } else if st.literal {
            s.push_str(&format!("      - run: |{eol}"));
            for l in &st.run {
                s.push_str(&format!("          {}{eol}", l.join(" ")));
            }
        } else {
            s.push_str(&format!("      - run: {}{eol}", st.run[0].join(" ")));
        }
    }
    s
}

/// Parse the workflow written with `eol`, check that every reported value is the text at
/// its span, and return the (line, column) of every span checked.
fn check(steps: &[StepSpec], eol: &str) -> Result<Vec<(LineCol, LineCol)>, TestCaseError> {
    let text = render(steps, eol);
    let file = SourceFile::new(".github/workflows/p.yml", "p.yml", text.as_str());
    let mut positions = Vec::new();
    let mut at =
        |span: Span| positions.push((file.line_col(span.start()), file.line_col(span.end())));
    let (wf, diags) = tollgate_gha::parse_workflow(&file);
    prop_assert!(diags.is_empty(), "{:?}", diags);
    let wf = wf.expect("workflow");
    let job = &wf.jobs[0];
    prop_assert_eq!(job.steps.len(), steps.len());
    for (spec, step) in steps.iter().zip(&job.steps) {
        if let Some(u) = &spec.uses {
            let t = step.uses_text().expect("uses text");
            prop_assert_eq!(file.slice(t.span), u.as_str());
            at(t.span);
            prop_assert_eq!(&t.value, u);
            prop_assert_eq!(step.uses.as_ref().map(|s| s.span), Some(t.span));
            for ((k, v), kv) in spec.with.iter().zip(&step.with) {
                prop_assert_eq!(file.slice(kv.key.span), k.as_str());
                prop_assert_eq!(file.slice(kv.value.span), v.as_str());
                at(kv.key.span);
                at(kv.value.span);
            }
        }
        if spec.run.is_empty() {
            continue;
        }
        let run = step.run.as_ref().expect("run");
        // Walk the script word by word; each must map to the same word in the file.
        let mut from = 0;
        for word in spec.run.iter().flatten() {
            let start = from
                + run.script[from..]
                    .find(word.as_str())
                    .expect("word in script");
            let span = Span::new(start, start + word.len());
            let mapped = run.file_span(span);
            prop_assert_eq!(
                file.slice(mapped),
                word.as_str(),
                "script span {:?} mapped to {:?}",
                span,
                mapped
            );
            at(mapped);
            from = span.end();
        }
    }
    Ok(positions)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn reported_values_are_the_text_at_their_spans_with_any_line_ending(
        steps in proptest::collection::vec(step(), 1..6),
    ) {
        let lf = check(&steps, "\n")?;
        prop_assert_eq!(&check(&steps, "\r\n")?, &lf, "CRLF");
        prop_assert_eq!(&check(&steps, "\r")?, &lf, "CR");
    }
}

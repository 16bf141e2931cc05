//! `unsound-condition`: an `if:` that does not guard what it seems to guard. A value with
//! text outside its `${{ }}` (a block scalar's final line break, `${{ a }} || ${{ b }}`)
//! is a string, so it is always true; `contains()` of a string literal is a substring test,
//! so a value that is part of one item passes too.

use tollgate_engine::{Context, JobCx, Rule, Sink, StepCx};
use tollgate_gha::Spanned;
use tollgate_gha::cond::{Operand, StringCondition, Test, required_tests, string_condition};
use tollgate_model::{Confidence, Impact, SourceFile};

use crate::chain::Chain;

pub struct UnsoundCondition;

impl Rule for UnsoundCondition {
    fn id(&self) -> &'static str {
        "unsound-condition"
    }

    fn check_job(&self, cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        if let Some(cond) = &job.job.if_ {
            let what = format!("job `{}`", crate::common::quoted(&job.job.id.value));
            let chain = || Chain::to_job(cx, job.input, &job.job.id.value);
            check(&job.input.source, cond, &what, &chain, out);
        }
    }

    fn check_step(&self, cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        if let Some(cond) = &step.step.if_ {
            let what = step.step.name.as_ref().map_or_else(
                || format!("step {}", step.step.index + 1),
                |n| format!("step `{}`", crate::common::quoted(&n.value)),
            );
            let chain = || Chain::to_step(cx, step.input, step.job_index, step.step.index);
            check(&step.input.source, cond, &what, &chain, out);
        }
    }
}

/// `chain` is walked only for a finding (most conditions are sound).
fn check(
    file: &SourceFile,
    cond: &Spanned<String>,
    what: &str,
    chain: &dyn Fn() -> Chain,
    out: &mut Sink<'_>,
) {
    let hop = |label: String| {
        chain()
            .hop(label, Some(file.location(cond.span)))
            .into_hops()
    };
    if let Some(kind) = string_condition(&cond.value) {
        let (outside, help) = match &kind {
            StringCondition::LineBreak => (
                "the line break a `|` or `>` block scalar keeps at its end".to_owned(),
                "strip the final line break with `|-` or `>-`, or write the condition on one line (the `${{ }}` may be left out of an `if:`)",
            ),
            StringCondition::Space => (
                "the spaces around it".to_owned(),
                "remove the spaces around `${{ }}`, or leave the braces out: an `if:` is an expression already",
            ),
            StringCondition::Text(t) => (
                format!(
                    "the text `{}` outside `${{{{ }}}}`",
                    crate::common::quoted(t)
                ),
                "write the whole condition as one expression, inside one `${{ }}` or with none (`if: success() || failure()`, not `if: ${{ success() }} || ${{ failure() }}`)",
            ),
        };
        out.at(file, cond.span)
            .message(format!(
                "the `if:` of {what} is always true: {outside} makes it a string, not an expression, and a non-empty string is true"
            ))
            .help(help)
            .path(hop(format!("`if:` always true ({what} always runs)")))
            .emit();
        return;
    }
    let mut tests = required_tests(&cond.value);
    let mut substring = Vec::new();
    while let Some(t) = tests.pop() {
        match t {
            Test::Contains {
                haystack: Operand::Literal(text),
                needle: Operand::Context(ctx),
            } => substring.push((text, ctx)),
            Test::Any(alternatives) => tests.extend(alternatives.into_iter().flatten()),
            _ => {}
        }
    }
    for (text, ctx) in substring {
        out.at(file, cond.span)
            .message(format!(
                "`contains('{}', {ctx})` in the `if:` of {what} tests for a substring: any part of the string (`{}`) passes, not only its items",
                crate::common::quoted(&text),
                crate::common::quoted(&text.chars().take(3).collect::<String>()),
            ))
            .help("test against a list: `contains(fromJSON('[\"a\", \"b\"]'), ctx)`, or compare with `==`")
            .severity(Impact::Low)
            .confidence(Confidence::Medium)
            .path(hop(format!("`if:` passes for any substring of `{}`", crate::common::quoted(&text))))
            .emit();
    }
}

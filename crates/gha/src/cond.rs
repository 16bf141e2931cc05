//! `if:` conditions read as expressions: the tests a condition requires to hold for the
//! job or step to run (its top-level `&&` operands), each in a small closed form that
//! passes can judge (who may run a job, what it is limited to) without splitting the
//! condition's text.
//!
//! The expression is parsed by `github-actions-expressions` (GitHub's grammar, depth
//! limited). A condition under `||` guarantees nothing on its own, so only the operands
//! of the top-level conjunction are returned; a condition that is not one expression
//! (text around `${{ }}` makes it a non-empty string, always true) requires nothing.

use github_actions_expressions::call::{Call, Function};
use github_actions_expressions::op::{BinExpr, BinOp, UnOp};
use github_actions_expressions::{Evaluation, Expr, SpannedExpr};

/// Conditions longer than this are not read: no real `if:` comes near it, and the
/// parsed tree of a longer one could nest deep enough to matter.
const MAX_CONDITION: usize = 4096;

/// One side of a comparison, or an argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operand {
    /// A context reference, lower-cased, without whitespace
    /// (`github.event.pull_request.head.repo.full_name`, `github.event.*.labels.*.name`).
    Context(String),
    /// A string, number or boolean literal, as text.
    Literal(String),
    /// A constant list (`fromJSON('["OWNER", "MEMBER"]')`), its items as text.
    List(Vec<String>),
    /// Anything else (a function result, arithmetic).
    Other,
}

impl Operand {
    /// The context this operand names, if it is one.
    #[must_use]
    pub fn context(&self) -> Option<&str> {
        match self {
            Self::Context(c) => Some(c),
            _ => None,
        }
    }
}

/// A test a condition requires: one operand of its top-level `&&`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Test {
    /// `a == b` (`equal: true`) or `a != b`.
    Compare { a: Operand, b: Operand, equal: bool },
    /// `contains(haystack, needle)`.
    Contains { haystack: Operand, needle: Operand },
    /// `startsWith(a, b)` and the like, or any other call, by name (lower-cased).
    Call(String),
    /// A bare context (`github.event.pull_request.head.repo.fork`), `negated` for `!ctx`.
    Truthy { context: String, negated: bool },
    /// A disjunction: one of the alternatives holds, each alternative the tests of its
    /// own `&&`.
    Any(Vec<Vec<Test>>),
    /// Anything else: a constant, a status function, a negated comparison.
    Other,
}

/// The tests `condition` (an `if:` value, with or without `${{ }}`) requires to hold, in
/// order; empty when it requires nothing that can be read (unparsable, too long, a
/// string around an expression). A condition whose top level is `||` is one
/// [`Test::Any`].
#[must_use]
pub fn required_tests(condition: &str) -> Vec<Test> {
    let Some(inner) = expression_text(condition) else {
        return Vec::new();
    };
    let Ok(expr) = Expr::parse(inner) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    conjuncts(&expr, &mut out);
    out
}

/// Whether `condition` calls `always()`, `failure()` or `cancelled()` anywhere (under
/// `||` or `!` too). Without one, GitHub adds `success()`: the job or step runs only when
/// the jobs it needs (or the steps before it) succeeded. An unreadable condition is
/// taken to call one, since nothing can be said about when it runs.
#[must_use]
pub fn calls_status_function(condition: &str) -> bool {
    let Some(inner) = expression_text(condition) else {
        // Text around `${{ }}`: a string; GitHub still adds `success()`.
        return condition.trim().len() > MAX_CONDITION;
    };
    let Ok(expr) = Expr::parse(inner) else {
        return true;
    };
    let mut stack: Vec<&SpannedExpr<'_>> = vec![&expr];
    while let Some(e) = stack.pop() {
        match &e.inner {
            Expr::Call(Call { func, args }) => {
                if matches!(
                    func,
                    Function::Always | Function::Failure | Function::Cancelled
                ) {
                    return true;
                }
                stack.extend(args.iter());
            }
            Expr::BinExpr(BinExpr { lhs, rhs, .. }) => {
                stack.push(lhs);
                stack.push(rhs);
            }
            Expr::UnExpr { expr, .. } | Expr::Index(expr) => stack.push(expr),
            Expr::Context(c) => stack.extend(c.parts.iter()),
            _ => {}
        }
    }
    false
}

/// Why an `if:` value that holds `${{ }}` is a string rather than one expression: text
/// outside the braces. GitHub then evaluates the value as a string template, and a
/// non-empty string is true, whatever the expressions inside say. The text is not
/// trimmed: the line break a `|` or `>` block scalar keeps at its end is outside too
/// (actions/languageservices#215; actions/runner#1173, #2629).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StringCondition {
    /// Only white space outside, with a line break: a block scalar's final line break
    /// (`|` or `>` without the `-` chomping indicator).
    LineBreak,
    /// Only spaces or tabs outside (a quoted value with a space before or after).
    Space,
    /// Other text outside, trimmed (`(`, `||`, `== 'x'`).
    Text(String),
}

/// The [`StringCondition`] of an `if:` value, when it holds `${{ }}` but is not one
/// expression spanning the whole value.
#[must_use]
pub fn string_condition(condition: &str) -> Option<StringCondition> {
    let exprs = crate::expr::expressions(condition);
    let first = exprs.first()?;
    if exprs.len() == 1 && first.start == 0 && first.end == condition.len() {
        return None;
    }
    let mut outside = String::new();
    let mut at = 0;
    for e in &exprs {
        outside.push_str(&condition[at..e.start.max(at)]);
        at = e.end.max(at);
    }
    outside.push_str(&condition[at.min(condition.len())..]);
    let text = outside.trim();
    Some(if !text.is_empty() {
        let mut words = String::new();
        for (i, w) in text.split_whitespace().enumerate() {
            if i > 0 {
                words.push(' ');
            }
            words.push_str(w);
        }
        StringCondition::Text(words)
    } else if outside.contains('\n') {
        StringCondition::LineBreak
    } else {
        StringCondition::Space
    })
}

/// The expression of an `if:` value: the whole value (trimmed) when it holds no `${{ }}`,
/// or what is inside the one `${{ }}` that is the whole value. `None` when there is text
/// outside the braces (the value is then a string, which is always true: see
/// [`string_condition`]) or the condition is too long to read.
fn expression_text(condition: &str) -> Option<&str> {
    if condition.len() > MAX_CONDITION {
        return None;
    }
    if !condition.contains("${{") {
        let t = condition.trim();
        return (!t.is_empty()).then_some(t);
    }
    if string_condition(condition).is_some() {
        return None;
    }
    condition.strip_prefix("${{")?.strip_suffix("}}")
}

/// The operands of a chain of `op` (`a && b && c`, which the parser builds left-nested),
/// in order, found by walking the left spine in a loop.
fn operands<'a, 's>(e: &'a SpannedExpr<'s>, op: BinOp) -> Vec<&'a SpannedExpr<'s>> {
    let mut right: Vec<&SpannedExpr<'_>> = Vec::new();
    let mut cur = e;
    while let Expr::BinExpr(BinExpr { lhs, op: o, rhs }) = &cur.inner
        && *o == op
    {
        right.push(rhs);
        cur = lhs;
    }
    right.push(cur);
    right.reverse();
    right
}

fn conjuncts(e: &SpannedExpr<'_>, out: &mut Vec<Test>) {
    for operand in operands(e, BinOp::And) {
        // `a && (b && c)`: the parenthesised chain is part of the same conjunction.
        if matches!(
            &operand.inner,
            Expr::BinExpr(BinExpr { op: BinOp::And, .. })
        ) {
            conjuncts(operand, out);
        } else {
            out.push(test(operand));
        }
    }
}

/// The alternatives of a `||` chain, in order, each the tests of its own `&&`.
fn alternatives(e: &SpannedExpr<'_>) -> Vec<Vec<Test>> {
    operands(e, BinOp::Or)
        .into_iter()
        .map(|alt| {
            let mut tests = Vec::new();
            conjuncts(alt, &mut tests);
            tests
        })
        .collect()
}

fn test(e: &SpannedExpr<'_>) -> Test {
    match &e.inner {
        // Nesting beyond `a || b` needs parentheses, which the parser's depth budget
        // bounds, so this recursion is bounded too.
        Expr::BinExpr(BinExpr { op: BinOp::Or, .. }) => Test::Any(alternatives(e)),
        Expr::BinExpr(BinExpr {
            lhs,
            op: op @ (BinOp::Eq | BinOp::Neq),
            rhs,
        }) => Test::Compare {
            a: operand(lhs),
            b: operand(rhs),
            equal: *op == BinOp::Eq,
        },
        Expr::Call(Call {
            func: Function::Contains,
            args,
        }) if args.len() == 2 => Test::Contains {
            haystack: operand(&args[0]),
            needle: operand(&args[1]),
        },
        Expr::Call(Call { func, .. }) => Test::Call(format!("{func:?}").to_ascii_lowercase()),
        Expr::Context(_) => Test::Truthy {
            context: context_text(e.origin.raw),
            negated: false,
        },
        Expr::UnExpr {
            op: UnOp::Not,
            expr,
        } if matches!(expr.inner, Expr::Context(_)) => Test::Truthy {
            context: context_text(expr.origin.raw),
            negated: true,
        },
        _ => Test::Other,
    }
}

fn operand(e: &SpannedExpr<'_>) -> Operand {
    match &e.inner {
        Expr::Context(_) => Operand::Context(context_text(e.origin.raw)),
        Expr::Literal(l) => Operand::Literal(l.as_str().into_owned()),
        Expr::Call(Call {
            func: Function::FromJSON,
            ..
        }) => match e.consteval() {
            Some(Evaluation::Array(items)) => Operand::List(
                items
                    .iter()
                    .map(|i| match i {
                        Evaluation::String(s) => s.clone(),
                        other => other.sema().to_string(),
                    })
                    .collect(),
            ),
            Some(Evaluation::String(s)) => Operand::Literal(s),
            _ => Operand::Other,
        },
        _ => Operand::Other,
    }
}

fn context_text(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether an `if:` value can never hold, so that nothing in the job or step it guards
/// can happen: the literal `false` (`if: false`, `if: ${{ false }}`), or, when the
/// repository is known, a required test of `github.repository` or
/// `github.repository_owner` against a literal that this repository is not (a file
/// synced from another repository, steps kept for a fork), or `!=` the one it is.
/// GitHub compares strings ignoring case.
#[must_use]
pub fn never_runs(
    condition: Option<&crate::Spanned<String>>,
    repository: Option<&tollgate_model::repo::Repository>,
) -> bool {
    let Some(c) = condition else { return false };
    let t = c.value.trim();
    let t = t
        .strip_prefix("${{")
        .and_then(|r| r.strip_suffix("}}"))
        .unwrap_or(t)
        .trim();
    if t == "false" {
        return true;
    }
    let Some(repo) = repository else { return false };
    required_tests(&c.value).iter().any(|test| {
        let Test::Compare { a, b, equal } = test else {
            return false;
        };
        let (context, literal) = match (a, b) {
            (Operand::Context(c), Operand::Literal(l))
            | (Operand::Literal(l), Operand::Context(c)) => (c.as_str(), l),
            _ => return false,
        };
        let holds = match context {
            "github.repository" => literal.eq_ignore_ascii_case(&repo.full_name()),
            "github.repository_owner" => literal.eq_ignore_ascii_case(&repo.owner),
            _ => return false,
        };
        holds != *equal
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_outside_the_braces_makes_a_string() {
        // A `|` block scalar keeps its final line break: a string, always true, so the
        // repository test guards nothing.
        let block = "${{ github.repository == 'o/r' }}\n";
        assert_eq!(string_condition(block), Some(StringCondition::LineBreak));
        assert!(required_tests(block).is_empty());
        assert_eq!(
            string_condition(" ${{ true }}"),
            Some(StringCondition::Space)
        );
        assert_eq!(
            string_condition("(${{ success() }} ||\n ${{ failure() }})"),
            Some(StringCondition::Text("( || )".to_owned()))
        );
        assert_eq!(
            string_condition("${{ env.X }} == 'false'"),
            Some(StringCondition::Text("== 'false'".to_owned()))
        );
        // One expression, or none: not a string.
        assert_eq!(string_condition("${{ github.repository == 'o/r' }}"), None);
        assert_eq!(string_condition("github.event_name == 'push'\n"), None);
        assert_eq!(
            required_tests("${{ github.repository == 'o/r' }}").len(),
            1,
            "a `|-` value, stripped, still guards"
        );
    }

    #[test]
    fn a_literal_false_or_another_repositorys_name_never_runs() {
        use tollgate_model::repo::Repository;
        let cond =
            |t: &str| crate::Spanned::new(t.to_owned(), tollgate_model::Span::new(0, t.len()));
        let here = Repository::from_slug("prometheus/prometheus", "t").expect("a slug");
        for (text, without, with) in [
            ("false", true, true),
            ("${{ false }}", true, true),
            ("${{false}}", true, true),
            ("  false ", true, true),
            ("true", false, false),
            ("${{ !false }}", false, false),
            ("false && github.event_name == 'push'", false, false),
            ("falsey", false, false),
            (
                "github.repository == 'prometheus/snmp_exporter'",
                false,
                true,
            ),
            (
                "${{ github.repository == 'Prometheus/Prometheus' }}",
                false,
                false,
            ),
            (
                "github.event_name == 'push' && github.repository == 'other/x'",
                false,
                true,
            ),
            ("'other/x' == github.repository", false, true),
            ("github.repository != 'prometheus/prometheus'", false, true),
            ("github.repository != 'other/x'", false, false),
            ("github.repository_owner == 'other'", false, true),
            ("github.repository_owner == 'prometheus'", false, false),
            // Under `||` nothing is required.
            (
                "github.repository == 'other/x' || github.event_name == 'push'",
                false,
                false,
            ),
            // Text around the braces makes a string: always true.
            ("x ${{ github.repository == 'other/x' }}", false, false),
        ] {
            assert_eq!(never_runs(Some(&cond(text)), None), without, "{text}");
            assert_eq!(
                never_runs(Some(&cond(text)), Some(&here)),
                with,
                "{text} in {}",
                here.full_name()
            );
        }
        assert!(!never_runs(None, Some(&here)));
    }

    fn ctx(s: &str) -> Operand {
        Operand::Context(s.to_owned())
    }

    #[test]
    fn the_top_level_conjunction_is_split_into_tests() {
        let t = required_tests(
            "${{ github.event.pull_request.head.repo.full_name == github.repository && !cancelled() && contains(fromJSON('[\"OWNER\", \"MEMBER\"]'), github.event.comment.author_association) }}",
        );
        assert_eq!(
            t,
            vec![
                Test::Compare {
                    a: ctx("github.event.pull_request.head.repo.full_name"),
                    b: ctx("github.repository"),
                    equal: true,
                },
                Test::Other,
                Test::Contains {
                    haystack: Operand::List(vec!["OWNER".into(), "MEMBER".into()]),
                    needle: ctx("github.event.comment.author_association"),
                },
            ]
        );
    }

    #[test]
    fn a_disjunction_is_one_test_with_its_alternatives() {
        let fork = Test::Compare {
            a: ctx("github.event.pull_request.head.repo.fork"),
            b: Operand::Literal("false".into()),
            equal: true,
        };
        let push = Test::Compare {
            a: ctx("github.event_name"),
            b: Operand::Literal("push".into()),
            equal: true,
        };
        assert_eq!(
            required_tests(
                "github.event.pull_request.head.repo.fork == false || github.event_name == 'push' && cancelled()"
            ),
            vec![Test::Any(vec![
                vec![fork.clone()],
                vec![push.clone(), Test::Call("cancelled".into())]
            ])]
        );
        assert_eq!(
            required_tests(
                "github.event_name == 'push' && (github.event.pull_request.head.repo.fork == false || github.event_name == 'push')"
            ),
            vec![push.clone(), Test::Any(vec![vec![fork], vec![push]])]
        );
    }

    #[test]
    fn parentheses_and_case_do_not_change_the_tests() {
        assert_eq!(
            required_tests(
                "(github.event_name == 'push') && (!GitHub.Event.Pull_Request.Head.Repo.Fork)"
            ),
            vec![
                Test::Compare {
                    a: ctx("github.event_name"),
                    b: Operand::Literal("push".into()),
                    equal: true,
                },
                Test::Truthy {
                    context: "github.event.pull_request.head.repo.fork".into(),
                    negated: true,
                },
            ]
        );
    }

    #[test]
    fn status_functions_are_found_under_any_operator() {
        assert!(calls_status_function("${{ !cancelled() }}"));
        assert!(calls_status_function(
            "github.event_name == 'push' || always()"
        ));
        assert!(calls_status_function(
            "contains(format('{0}', failure()), 'x')"
        ));
        assert!(!calls_status_function(
            "success() && github.event_name == 'push'"
        ));
        assert!(!calls_status_function("${{ github.actor == 'x' }} always"));
        assert!(calls_status_function("github.actor =="));
    }

    #[test]
    fn text_around_an_expression_is_a_string_and_requires_nothing() {
        assert!(required_tests("${{ github.actor == 'x' }} && true").is_empty());
        assert!(required_tests("ok ${{ github.actor == 'x' }}").is_empty());
        assert!(required_tests("").is_empty());
        assert!(required_tests("github.actor ==").is_empty());
    }

    #[test]
    fn long_and_deep_conditions_are_bounded() {
        let deep = format!("{}a{}", "(".repeat(2000), ")".repeat(2000));
        assert!(required_tests(&deep).is_empty());
        let long = vec!["a == 'b'"; 300].join(" && ");
        assert!(long.len() < MAX_CONDITION);
        assert_eq!(required_tests(&long).len(), 300);
        let too_long = vec!["a == 'b'"; 600].join(" && ");
        assert!(required_tests(&too_long).is_empty());
    }
}

//! `spoofable-bot-check`: trust granted because `github.actor` (or
//! `github.triggering_actor`) is a bot's login, in a workflow that anyone can start with
//! the repository's token and secrets. The actor is whoever caused the latest event, not
//! the author of the code: a bot can be made the actor of an outsider's pull request.

use tollgate_engine::{Context, JobCx, Rule, Sink, StepCx};
use tollgate_facts::trust::{open_to_outsiders, runs_on};
use tollgate_gha::Spanned;
use tollgate_gha::cond::{Operand, Test, required_tests};
use tollgate_graph::{NodeId, NodeKind};
use tollgate_model::SourceFile;

use crate::chain::Chain;

pub struct SpoofableBotCheck;

impl Rule for SpoofableBotCheck {
    fn id(&self) -> &'static str {
        "spoofable-bot-check"
    }

    fn check_job(&self, cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        let Some(cond) = &job.job.if_ else { return };
        let Some(j) = super::util::job_index(job.workflow, job.job) else {
            return;
        };
        let node = cx
            .graph
            .job_node(&job.input.source.display, &job.job.id.value);
        let Some(event) = privileged_event(cx, node, |e| runs_on(job.workflow, j, None, e)) else {
            return;
        };
        let what = format!("job `{}`", crate::common::quoted(&job.job.id.value));
        let chain = Chain::to_job(cx, job.input, &job.job.id.value);
        check(&job.input.source, cond, &what, &event, &chain, out);
    }

    fn check_step(&self, cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        let Some(cond) = &step.step.if_ else { return };
        let tollgate_engine::StepOwner::Job { workflow, .. } = step.owner else {
            return;
        };
        let Some(j) = step.job_index else { return };
        let node = Chain::step_node(cx, step.input, step.job_index, step.step.index);
        let Some(event) = privileged_event(cx, node, |e| runs_on(workflow, j, Some(step.step), e))
        else {
            return;
        };
        let what = step.step.name.as_ref().map_or_else(
            || format!("step {}", step.step.index + 1),
            |n| format!("step `{}`", crate::common::quoted(&n.value)),
        );
        let chain = Chain::to_step(cx, step.input, step.job_index, step.step.index);
        check(&step.input.source, cond, &what, &event, &chain, out);
    }
}

/// The most dangerous event of the workflow `node` belongs to that anyone can fire with
/// the repository's token and secrets, and on which `runs` says the job or step runs.
fn privileged_event(
    cx: &Context<'_>,
    node: Option<NodeId>,
    runs: impl Fn(&str) -> bool,
) -> Option<String> {
    let workflow = cx.graph.workflow_of(node?)?;
    let kb = tollgate_kb::triggers();
    cx.graph
        .triggers_of(workflow)
        .into_iter()
        .filter(|&t| cx.graph.is_untrusted_privileged(t))
        .filter_map(|t| match &cx.graph.node(t)?.kind {
            NodeKind::Trigger { event, .. } => Some(event.clone()),
            _ => None,
        })
        .filter(|e| runs(e))
        .min_by_key(|e| kb.rank(e))
}

/// The actor contexts: who caused the event (or re-ran it), not who wrote the code.
const ACTORS: [&str; 2] = ["github.actor", "github.triggering_actor"];

/// The actor context and bot login of a test that compares them for equality (or finds
/// the actor in a list holding the login).
fn bot_check(t: &Test) -> Option<(String, String)> {
    match t {
        Test::Compare { a, b, equal: true } => [(a, b), (b, a)].into_iter().find_map(|(x, y)| {
            let ctx = x.context().filter(|c| ACTORS.contains(c))?;
            match y {
                Operand::Literal(login) if login.to_ascii_lowercase().ends_with("[bot]") => {
                    Some((ctx.to_owned(), login.clone()))
                }
                _ => None,
            }
        }),
        Test::Contains {
            haystack: Operand::List(items),
            needle: Operand::Context(ctx),
        } if ACTORS.contains(&ctx.as_str()) => items
            .iter()
            .find(|i| i.to_ascii_lowercase().ends_with("[bot]"))
            .map(|login| (ctx.clone(), login.clone())),
        _ => None,
    }
}

/// A bot check that grants a run fired by `event` something: one the condition requires,
/// or one in an alternative of a `||` when no other alternative already lets outsiders
/// through (then the bot check adds nothing: tauri's fork-comment job runs for every
/// fork's pull request by design, and for Dependabot's too).
fn granting_check(tests: &[Test], event: &str) -> Option<(String, String)> {
    for t in tests {
        if let Some(found) = bot_check(t) {
            return Some(found);
        }
        if let Test::Any(alternatives) = t {
            let holds = |alt: &Vec<Test>| granting_check(alt, event);
            let Some(found) = alternatives.iter().find_map(holds) else {
                continue;
            };
            let others_open = alternatives
                .iter()
                .any(|alt| holds(alt).is_none() && open_to_outsiders(alt, event));
            if !others_open {
                return Some(found);
            }
        }
    }
    None
}

fn check(
    file: &SourceFile,
    cond: &Spanned<String>,
    what: &str,
    event: &str,
    chain: &Chain,
    out: &mut Sink<'_>,
) {
    let Some((ctx, login)) = granting_check(&required_tests(&cond.value), event) else {
        return;
    };
    out.at(file, cond.span)
        .message(format!(
            "the `if:` of {what} trusts `{ctx}` being `{}` on `{event}`, which anyone can fire with the repository's token and secrets: the actor is whoever caused the latest event, and an outsider can make the bot the actor of their own pull request",
            crate::common::quoted(&login)
        ))
        .help("check who wrote the code instead: `github.event.pull_request.user.login == 'dependabot[bot]'` (the pull request's author), and for Dependabot use `dependabot/fetch-metadata`; better, run bot automation on `pull_request`, where an outsider's run gets no secrets")
        .path(
            chain
                .clone()
                .hop(
                    format!("`if:` trusts `{ctx}` on `{event}`"),
                    Some(file.location(cond.span)),
                )
                .into_hops(),
        )
        .emit();
}

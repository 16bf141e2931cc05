//! `dangerous-trigger`: a `pull_request_target` or `workflow_run` job that checks out or
//! fetches the untrusted head, so code from a fork runs with the base repository's token
//! and secrets.

use tollgate_engine::{Context, JobCx, Rule, Sink};
use tollgate_gha::{Env, Step, Uses, expressions};
use tollgate_model::{Confidence, Impact, Span};
use tollgate_shell::{Command, Word};

use super::kb::contexts;
use super::util::{Match, env_value, job_index, match_pattern, references};
use crate::chain::Chain;

pub struct DangerousTrigger;

const TRIGGERS: &[&str] = &["pull_request_target", "workflow_run"];

impl Rule for DangerousTrigger {
    fn id(&self) -> &'static str {
        "dangerous-trigger"
    }

    fn check_job(&self, cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        let wf = job.workflow;
        let Some(on) = &wf.on else { return };
        let Some(trigger) = TRIGGERS.iter().find(|t| on.has(t)) else {
            return;
        };
        let file = &job.input.source;
        let mut hits: Vec<(Span, String)> = Vec::new();
        // The step of each hit, by position in `hits`.
        let mut hit_steps: Vec<usize> = Vec::new();
        let j = job_index(wf, job.job);
        for step in &job.job.steps {
            checkout_hits(step, &mut hits);
            hit_steps.resize(hits.len(), step.index);
            let envs = [&step.env, &job.job.env, &wf.env];
            if let (Some(run), Some(analysis)) = (
                &step.run,
                j.and_then(|j| job.input.script(Some(j), step.index))
                    .and_then(|s| s.analysis.as_deref()),
            ) {
                for cmd in &analysis.commands {
                    if let Some(what) = fetches_head(cmd, &run.script, &envs) {
                        hits.push((run.file_span(cmd.span), what));
                    }
                }
            }
            hit_steps.resize(hits.len(), step.index);
        }
        if hits.is_empty() {
            return;
        }
        // What the job holds, as the graph records it (the job's own block or the
        // workflow's; every secret the job's expressions reference, `secrets: inherit`).
        let node = cx.graph.job_node(&file.display, &job.job.id.value);
        let secrets = node.is_some_and(|n| cx.graph.holds_secrets(n));
        let writes = node.is_none_or(|n| cx.graph.token_can_write(n));
        let (severity, holds) = match (secrets, writes) {
            (true, true) => (Impact::Critical, "with secrets and a token that can write"),
            (true, false) => (Impact::High, "with secrets"),
            (false, true) => (Impact::High, "with a token that can write"),
            (false, false) => (
                Impact::Medium,
                "with the base repository's cache and read token",
            ),
        };
        // A job limited to pull requests from branches of the same repository does not
        // run code from forks; the guard is only as good as its expression, so say so
        // with lower confidence rather than stay silent.
        let guarded = [job.job.if_.as_ref()]
            .into_iter()
            .flatten()
            .chain(job.job.steps.iter().filter_map(|s| s.if_.as_ref()))
            .any(|c| same_repo_guard(&c.value));
        for ((span, what), step) in hits.into_iter().zip(hit_steps) {
            // trigger → workflow → job → step → the untrusted checkout.
            let path = Chain::to_step(cx, job.input, j, step)
                .first(format!("on: `{trigger}`"), Some(file.location(on.key)))
                .hop(format!("{what} {holds}"), Some(file.location(span)));
            out.at(file, span)
                .message(format!(
                    "`{trigger}` job `{}` {what}, running untrusted code {holds}",
                    crate::common::quoted(&job.job.id.value)
                ))
                .severity(severity)
                .confidence(if guarded { Confidence::Low } else { Confidence::High })
                .related(file, on.key, format!("triggered by `{trigger}`"))
                .help(format!(
                    "do not build or run the pull request's code in a `{trigger}` workflow: move that work to a `pull_request` workflow (no secrets, read-only token) and, if results must be posted, pass them as an artifact to a separate privileged job that never executes them"
                ))
                .path(path.into_hops())
                .emit();
        }
    }
}

/// Whether an expression text names the untrusted head (its branch, SHA, number or
/// repository); returns the reference.
pub fn head_reference(text: &str) -> Option<String> {
    let c = contexts();
    for e in expressions(text) {
        for (r, _, _) in references(&e.inner) {
            let head = c
                .context
                .iter()
                .filter(|x| x.head)
                .chain(&c.head)
                .any(|x| match_pattern(&x.pattern, &r) == Some(Match::Exact));
            if head {
                return Some(r);
            }
        }
    }
    None
}

fn checkout_hits(step: &Step, hits: &mut Vec<(Span, String)>) {
    let Some(u) = &step.uses else { return };
    let Uses::Remote(r) = &u.value else { return };
    if !r.action().eq_ignore_ascii_case("actions/checkout") {
        return;
    }
    for key in ["ref", "repository"] {
        let Some(kv) = step.with_value(key) else {
            continue;
        };
        let v = &kv.value.value;
        let what = if let Some(r) = head_reference(v) {
            Some(format!(
                "checks out the untrusted head (`{key}: ${{{{ {r} }}}}`)"
            ))
        } else if key == "ref" && v.contains("refs/pull/") {
            Some(format!("checks out the pull request ref `{v}`"))
        } else {
            None
        };
        if let Some(what) = what {
            hits.push((kv.value.span, what));
            return;
        }
    }
}

/// Whether a word names the head: an expression naming it, a parameter it expands whose
/// `env:` value names it (the shell model lists the parameters), or a
/// `pull/N/head|merge` ref.
fn word_is_head(word: &Word, script: &str, envs: &[&Env]) -> bool {
    let text = word.display(script);
    if head_reference(&text).is_some() {
        return true;
    }
    if text.contains("pull/") && (text.contains("/head") || text.contains("/merge")) {
        return true;
    }
    word.variables
        .iter()
        .any(|name| env_value(envs, name).is_some_and(|v| head_reference(v).is_some()))
}

/// `gh pr checkout`, or a git command (past git's global options) that fetches or checks
/// out the head.
fn fetches_head(cmd: &Command, script: &str, envs: &[&Env]) -> Option<String> {
    let args = cmd.args();
    match cmd.name()? {
        "gh" => {
            let mut positional = args
                .iter()
                .filter_map(Word::as_str)
                .filter(|a| !a.starts_with('-'));
            (positional.next() == Some("pr") && positional.next() == Some("checkout"))
                .then(|| "runs `gh pr checkout`, fetching the untrusted head".to_owned())
        }
        "git" => {
            let k = cmd.git_subcommand()?;
            let sub = args.get(k).and_then(Word::as_str)?;
            (matches!(
                sub,
                "fetch" | "checkout" | "switch" | "pull" | "reset" | "clone" | "worktree"
            ) && args[k + 1..].iter().any(|w| word_is_head(w, script, envs)))
            .then(|| format!("runs `git {sub}` on the untrusted head"))
        }
        _ => None,
    }
}

fn same_repo_guard(cond: &str) -> bool {
    let c: String = cond
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    c.contains("head.repo.full_name==github.repository")
        || c.contains("github.repository==github.event.pull_request.head.repo.full_name")
        || c.contains("head_repository.full_name==github.repository")
        || c.contains("github.repository==github.event.workflow_run.head_repository.full_name")
        || c.contains("head.repo.fork==false")
        || c.contains("!github.event.pull_request.head.repo.fork")
}

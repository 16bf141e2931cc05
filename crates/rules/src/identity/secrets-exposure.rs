//! `secrets-exposure`: secrets that reach more code or more readers than the step that
//! needs them: workflow-level `env:`, `toJSON(secrets)` and computed `secrets[…]`, a
//! secret handed to an unpinned third-party action, and secrets echoed to the log or
//! written to `$GITHUB_ENV`, step outputs or uploaded files.

use std::collections::BTreeSet;

use tollgate_engine::{Context, JobCx, Rule, Sink, StepCx, StepOwner, WorkflowCx};
use tollgate_gha::{JobSecrets, KeyValue, RefKind, Step, Uses, UsesRef, expressions};
use tollgate_model::{Impact, SourceFile, Span};
use tollgate_shell::{EnvTarget, Fact};

use super::util::{expression_secret_names, job_index, secret_names};
use crate::chain::Chain;

pub struct SecretsExposure;

impl Rule for SecretsExposure {
    fn id(&self) -> &'static str {
        "secrets-exposure"
    }

    fn check_workflow(&self, _cx: &Context<'_>, wcx: &WorkflowCx<'_>, out: &mut Sink<'_>) {
        let file = &wcx.input.source;
        for kv in &wcx.workflow.env.vars {
            for (span, inner) in value_expressions(kv) {
                for name in expression_secret_names(&inner) {
                    out.at(file, span)
                        .message(format!(
                            "workflow-level `env` puts secret `{name}` (as `{}`) in the environment of every step of every job",
                            kv.key.value
                        ))
                        .severity(Impact::Medium)
                        .help(format!(
                            "move `{}` to the `env:` of the steps that use it",
                            kv.key.value
                        ))
                        .emit();
                }
                whole_secrets(file, span, &inner, out);
            }
        }
    }

    fn check_job(&self, cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        let file = &job.input.source;
        let j = job.job;
        for kv in j.env.vars.iter().chain(&j.with) {
            for (span, inner) in value_expressions(kv) {
                whole_secrets(file, span, &inner, out);
            }
        }
        let Some(secrets) = &j.secrets else { return };
        let JobSecrets::Map(map) = &secrets.value else {
            return;
        };
        let untrusted = match j.uses.as_ref().map(|u| &u.value) {
            Some(Uses::Remote(r)) => unpinned_third_party(cx, r),
            _ => None,
        };
        let chain = Chain::to_job(cx, job.input, &j.id.value);
        let uses = j.uses.as_ref().map(|u| u.span);
        for kv in map {
            for (span, inner) in value_expressions(kv) {
                whole_secrets(file, span, &inner, out);
                let Some(r) = &untrusted else { continue };
                for name in expression_secret_names(&inner) {
                    unpinned(
                        file,
                        span,
                        &name,
                        (r, uses, &chain),
                        "reusable workflow",
                        out,
                    );
                }
            }
        }
    }

    fn check_step(&self, cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        let file = &step.input.source;
        let s = step.step;
        let untrusted = match s.uses.as_ref().map(|u| &u.value) {
            Some(Uses::Remote(r)) => unpinned_third_party(cx, r),
            _ => None,
        };
        let chain = if untrusted.is_some() {
            // job → secret → action: the step holding both is left out.
            Chain::to_step(cx, step.input, step.job_index, s.index).pop()
        } else {
            Chain::default()
        };
        let uses = s.uses.as_ref().map(|u| u.span);
        for kv in s.env.vars.iter().chain(&s.with) {
            for (span, inner) in value_expressions(kv) {
                whole_secrets(file, span, &inner, out);
                let Some(r) = &untrusted else { continue };
                for name in expression_secret_names(&inner) {
                    unpinned(file, span, &name, (r, uses, &chain), "action", out);
                }
            }
        }
        if let Some(run) = &s.run {
            for e in expressions(&run.script) {
                whole_secrets(
                    file,
                    run.file_span(Span::new(e.start, e.end)),
                    &e.inner,
                    out,
                );
            }
            script_leaks(step, out);
        }
    }
}

/// Every `${{ … }}` in a value, with its file span and inner text.
fn value_expressions(kv: &KeyValue) -> Vec<(Span, String)> {
    expressions(&kv.value.value)
        .into_iter()
        .map(|e| (kv.file_span(Span::new(e.start, e.end)), e.inner))
        .collect()
}

/// `toJSON(secrets)` and `secrets[<computed>]`: every secret, or any secret.
fn whole_secrets(file: &SourceFile, span: Span, inner: &str, out: &mut Sink<'_>) {
    let flat: String = inner
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    if flat.contains("tojson(secrets)") {
        out.at(file, span)
            .message("`toJSON(secrets)` expands every secret of the repository")
            .severity(Impact::High)
            .help("reference only the secrets this step needs, by name: `${{ secrets.NAME }}`")
            .emit();
        return;
    }
    let mut from = 0;
    while let Some(rel) = flat[from..].find("secrets[") {
        let at = from + rel;
        from = at + 8;
        let before_ok = at == 0 || !flat.as_bytes()[at - 1].is_ascii_alphanumeric();
        let quoted = matches!(flat.as_bytes().get(at + 8), Some(b'\'' | b'"'));
        if before_ok && !quoted {
            out.at(file, span)
                .message(format!("`${{{{ {inner} }}}}` selects a secret by a computed name, so it can read any secret"))
                .severity(Impact::Medium)
                .help("name each secret literally (`secrets.NAME`), choosing between them with a condition if needed")
                .emit();
            return;
        }
    }
}

/// A remote action or workflow not pinned to a SHA whose owner is not trusted by the
/// configuration; marks the trusted-owner entry that matched.
fn unpinned_third_party(cx: &Context<'_>, r: &UsesRef) -> Option<String> {
    if r.ref_kind == RefKind::Sha {
        return None;
    }
    let trusted = cx.config.policy.trusted_owners.iter().find(|t| {
        crate::common::glob_match(&t.value.to_ascii_lowercase(), &r.owner.to_ascii_lowercase())
    });
    if let Some(t) = trusted {
        t.mark_used();
        return None;
    }
    Some(format!("{}@{}", r.action(), r.git_ref))
}

fn unpinned(
    file: &SourceFile,
    span: Span,
    name: &str,
    to: (&str, Option<Span>, &Chain),
    what: &str,
    out: &mut Sink<'_>,
) {
    let (target, uses, chain) = to;
    // job → the secret → the code that can change under it.
    let path = chain
        .clone()
        .hop(format!("secret `{name}`"), Some(file.location(span)))
        .hop(
            format!("passed to the unpinned {what} `{target}`"),
            uses.map(|u| file.location(u)),
        );
    out.at(file, span)
        .message(format!(
            "secret `{name}` is passed to the {what} `{target}`, whose owner can change its code without a change here"
        ))
        .severity(Impact::High)
        .help(format!(
            "pin `{}` to a full commit SHA (`@<sha> # {}`), or list its owner in `[policy.actions] trusted-owners` if you trust it as your own code",
            target.split('@').next().unwrap_or(target),
            target.split('@').nth(1).unwrap_or("")
        ))
        .path(path.into_hops())
        .emit();
}

/// Echoed secrets and secrets written to workflow-command files or uploaded files.
fn script_leaks(step: &StepCx<'_>, out: &mut Sink<'_>) {
    let s = step.step;
    let Some(run) = &s.run else { return };
    let job = match step.owner {
        StepOwner::Job { workflow, job } => job_index(workflow, job),
        StepOwner::Action(_) => None,
    };
    let Some(analysis) = step
        .input
        .script(job, s.index)
        .and_then(|x| x.analysis.as_deref())
    else {
        return;
    };
    let file = &step.input.source;
    let script = &run.script;
    let mut seen = BTreeSet::new();
    let secrets_in = |span: Span| -> Vec<(Span, String)> {
        analysis
            .expressions
            .iter()
            .filter(|e| e.start >= span.start && e.end <= span.end)
            .flat_map(|e| {
                let text = script.get(e.start..e.end).unwrap_or("");
                secret_names(text).into_iter().map(move |n| (*e, n))
            })
            .collect()
    };
    for f in &analysis.facts {
        match f {
            Fact::SecretEcho(e) => {
                if e.name.eq_ignore_ascii_case("GITHUB_TOKEN") || !seen.insert(e.expression_span) {
                    continue;
                }
                out.at(file, run.file_span(e.expression_span))
                    .message(format!("secret `{}` is printed to the log", e.name))
                    .severity(Impact::Medium)
                    .help("do not print secrets: masking only hides the exact value, and any transformation (base64, a substring, JSON) escapes it")
                    .emit();
            }
            Fact::EnvWrite(w) => {
                let (place, severity) = match w.target {
                    EnvTarget::GithubEnv => (
                        "`$GITHUB_ENV`, which exposes it to every later step of the job",
                        Impact::Medium,
                    ),
                    EnvTarget::GithubOutput => (
                        "a step output, which later jobs and the run's logs can read",
                        Impact::Medium,
                    ),
                    EnvTarget::GithubStepSummary => (
                        "the step summary, which anyone who can read the run sees",
                        Impact::High,
                    ),
                    EnvTarget::GithubPath | EnvTarget::GithubState => continue,
                };
                // The written text comes from this command or the ones piped into it.
                let mut spans = vec![w.span];
                if let Some(c) = analysis.commands.iter().find(|c| c.span == w.span) {
                    let mut prev = c.pipe_prev;
                    while let Some(p) = prev.and_then(|p| analysis.commands.get(p)) {
                        spans.push(p.span);
                        prev = p.pipe_prev;
                    }
                }
                for (e, name) in spans.into_iter().flat_map(&secrets_in) {
                    if !seen.insert(e) {
                        continue;
                    }
                    out.at(file, run.file_span(e))
                        .message(format!("secret `{name}` is written to {place}"))
                        .severity(severity)
                        .help("pass the secret to the steps that need it through their own `env:` instead of writing it to a workflow-command file")
                        .emit();
                }
            }
            _ => {}
        }
    }
    // A secret written to a file that a later step uploads as an artifact.
    let StepOwner::Job { job, .. } = step.owner else {
        return;
    };
    for cmd in &analysis.commands {
        for r in cmd.redirects.iter().filter(|r| r.is_output()) {
            let Some(target) = r.target.as_ref().and_then(|t| t.as_str()) else {
                continue;
            };
            if target.starts_with("/dev/") || target.contains("GITHUB_") {
                continue;
            }
            let Some(upload) = job
                .steps
                .iter()
                .filter(|x| x.index > s.index)
                .find(|x| uploads(x, target))
            else {
                continue;
            };
            for (e, name) in secrets_in(cmd.span) {
                if !seen.insert(e) {
                    continue;
                }
                out.at(file, run.file_span(e))
                    .message(format!(
                        "secret `{name}` is written to `{target}`, which step `{}` uploads as an artifact",
                        upload.label()
                    ))
                    .severity(Impact::High)
                    .related(file, upload.span, "uploads the file")
                    .help("write secrets outside the uploaded paths (for example under `$RUNNER_TEMP`) and delete them after use")
                    .emit();
            }
        }
    }
}

fn uploads(step: &Step, file: &str) -> bool {
    let Some(Uses::Remote(r)) = step.uses.as_ref().map(|u| &u.value) else {
        return false;
    };
    if !r.action().eq_ignore_ascii_case("actions/upload-artifact") {
        return false;
    }
    let file = file.trim_start_matches("./");
    step.with_value("path").is_some_and(|p| {
        p.value
            .value
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .any(|l| {
                let l = l.trim_start_matches("./").trim_end_matches('/');
                l == file
                    || l == "."
                    || l.is_empty()
                    || l == "*"
                    || (!l.is_empty() && file.starts_with(&format!("{l}/")))
            })
    })
}

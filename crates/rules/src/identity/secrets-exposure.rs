//! `secrets-exposure`: secrets that reach more code or more readers than the step that
//! needs them: workflow-level `env:`, `toJSON(secrets)` and computed `secrets[…]`, a
//! secret handed to an unpinned third-party action, and secrets echoed to the log or
//! written to `$GITHUB_ENV`, step outputs or uploaded files. On GitLab CI: `id_tokens:`
//! and `secrets:` under `default:` ([`super::gitlab_secrets`]), and `$CI_JOB_TOKEN`
//! given to another host than GitLab's ([`super::gitlab_job_token`]).

use std::collections::BTreeSet;

use tollgate_engine::{Context, GitlabJobCx, JobCx, Rule, ScriptCx, Sink, StepCx, WorkflowCx};
use tollgate_graph::{
    Graph, InputId, LeakTo, NodeId, NodeKind, Read, RemoteRef, Target, Via, Whole,
};
use tollgate_model::{Confidence, Impact, SourceFile, Span};
use tollgate_scan::Input;

use crate::chain::Chain;

pub struct SecretsExposure;

impl Rule for SecretsExposure {
    fn id(&self) -> &'static str {
        "secrets-exposure"
    }

    fn check_input(&self, _cx: &Context<'_>, input: &Input, out: &mut Sink<'_>) {
        super::gitlab_secrets::defaults(input, out);
    }

    fn check_gitlab_job(&self, cx: &Context<'_>, job: &GitlabJobCx<'_>, out: &mut Sink<'_>) {
        super::gitlab_job_token::variables(cx, job, out);
    }

    fn check_script(&self, cx: &Context<'_>, script: &ScriptCx<'_>, out: &mut Sink<'_>) {
        super::gitlab_job_token::script(cx, script, out);
    }

    fn check_workflow(&self, cx: &Context<'_>, wcx: &WorkflowCx<'_>, out: &mut Sink<'_>) {
        let file = &wcx.input.source;
        let g = cx.graph;
        let Some(wf) = cx
            .scan
            .index_of(wcx.input)
            .and_then(|i| g.file_node(InputId(i)))
        else {
            return;
        };
        // Every job with steps reads the workflow's `env:` for them; each expression once.
        let mut seen = BTreeSet::new();
        for job in g.jobs_of(wf) {
            for r in g.reads_of(job) {
                let Via::WorkflowEnv { var: Some(var) } = &r.via else {
                    continue;
                };
                if !seen.insert((r.origin, r.secret)) {
                    continue;
                }
                let span = r.origin.span();
                if let Some(name) = named(g, r) {
                    out.at(file, span)
                        .message(format!(
                            "workflow-level `env` puts secret `{name}` (as `{var}`) in the environment of every step of every job"
                        ))
                        .severity(Impact::Medium)
                        .help(format!("move `{var}` to the `env:` of the steps that use it"))
                        .emit();
                }
                whole_secrets(file, span, r, out);
            }
        }
    }

    fn check_job(&self, cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        let file = &job.input.source;
        let g = cx.graph;
        let Some(jn) = g.job_node(&file.display, &job.job.id.value) else {
            return;
        };
        // The job's `env:`, read for its steps, and what the job hands to the workflow it
        // calls.
        let reads = g.reads_of(jn);
        let target = g.uses_target(jn);
        // Asked only when the job hands secrets over: the answer marks a trusted-owner
        // entry as used.
        let untrusted = target
            .filter(|_| {
                reads
                    .iter()
                    .any(|r| matches!(r.via, Via::CallSecrets { .. }))
            })
            .and_then(|t| remote(g, t))
            .and_then(|r| unpinned_third_party(cx, job.input, r));
        let uses = target.and_then(|t| g.edge_origin(jn, t, tollgate_graph::EdgeKind::Uses));
        // Walked only when a finding needs it.
        let chain = std::cell::OnceCell::new();
        let chain = || chain.get_or_init(|| Chain::to_job(cx, job.input, &job.job.id.value));
        // The job's `env:` is in the environment of every step, the actions' too: the
        // first step that runs an unpinned third-party action, asked only when the job's
        // `env:` holds a named secret.
        let env_secret = reads
            .iter()
            .any(|r| matches!(r.via, Via::JobEnv { var: Some(_) }) && named(g, r).is_some());
        let exposed_to = env_secret.then(|| first_unpinned_action(cx, job)).flatten();
        for r in reads {
            let span = r.origin.span();
            match r.via {
                Via::JobEnv { var: Some(ref var) } => {
                    whole_secrets(file, span, r, out);
                    if let (Some(to), Some(name)) = (&exposed_to, named(g, r)) {
                        env_to_unpinned(file, span, (name, var), to, chain(), out);
                    }
                }
                Via::CallWith { .. } => {
                    whole_secrets(file, span, r, out);
                }
                Via::CallSecrets { .. } => {
                    whole_secrets(file, span, r, out);
                    if let (Some(t), Some(name)) = (&untrusted, named(g, r)) {
                        let uses = uses.map(|o| o.span());
                        unpinned(
                            file,
                            span,
                            name,
                            (t, uses, chain()),
                            "reusable workflow",
                            out,
                        );
                    }
                }
                _ => {}
            }
        }
    }

    fn check_step(&self, cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        let file = &step.input.source;
        let g = cx.graph;
        let Some(node) = Chain::step_node(cx, step.input, step.job_index, step.step.index) else {
            return;
        };
        let target = g.uses_target(node);
        let untrusted = target
            .and_then(|t| remote(g, t))
            .and_then(|r| unpinned_third_party(cx, step.input, r));
        let chain = if untrusted.is_some() {
            // job → secret → action: the step holding both is left out.
            Chain::to_step(cx, step.input, step.job_index, step.step.index).pop()
        } else {
            Chain::default()
        };
        let uses = target.and_then(|t| g.edge_origin(node, t, tollgate_graph::EdgeKind::Uses));
        for r in g.reads_of(node) {
            let span = r.origin.span();
            match r.via {
                Via::StepEnv { var: Some(_) } | Via::With { .. } => {
                    whole_secrets(file, span, r, out);
                    if let (Some(t), Some(name)) = (&untrusted, named(g, r)) {
                        let uses = uses.map(|o| o.span());
                        unpinned(file, span, name, (t, uses, &chain), "action", out);
                    }
                }
                Via::Script => whole_secrets(file, span, r, out),
                _ => {}
            }
        }
        script_leaks(g, node, step.input, out);
    }
}

/// The first step of `job` that runs an unpinned third-party action: the reference, where
/// the step's `uses:` is, and the step's label.
fn first_unpinned_action(cx: &Context<'_>, job: &JobCx<'_>) -> Option<(Untrusted, Span, String)> {
    let g = cx.graph;
    let j = super::util::job_index(job.workflow, job.job);
    job.job.steps.iter().find_map(|s| {
        let node = Chain::step_node(cx, job.input, j, s.index)?;
        let t = g.uses_target(node)?;
        let target = unpinned_third_party(cx, job.input, remote(g, t)?)?;
        let uses = g.edge_origin(node, t, tollgate_graph::EdgeKind::Uses)?;
        Some((target, uses.span(), s.label()))
    })
}

/// Secrets that are not credentials: the workflow's own token (reported by the
/// permission rules), and GitHub's debug-logging switches, which GitHub reads from a
/// secret or variable of that name ("Enabling debug logging") and which hold `true`.
const NOT_CREDENTIALS: &[&str] = &["GITHUB_TOKEN", "ACTIONS_STEP_DEBUG", "ACTIONS_RUNNER_DEBUG"];

/// The secret's name, for a named secret that is a credential.
fn named<'g>(g: &'g Graph, r: &Read) -> Option<&'g str> {
    g.secret_name(r.secret)
        .filter(|n| !NOT_CREDENTIALS.iter().any(|c| n.eq_ignore_ascii_case(c)))
}

/// The remote reference of an action or reusable-workflow node.
fn remote(g: &Graph, node: NodeId) -> Option<&RemoteRef> {
    match &g.node(node)?.kind {
        NodeKind::Action {
            target: Target::Remote(r),
            ..
        }
        | NodeKind::ReusableWorkflow {
            target: Target::Remote(r),
        } => Some(r),
        _ => None,
    }
}

/// `toJSON(secrets)` and `secrets[<computed>]`: every secret, or any secret. Once per
/// expression, whatever the number of secrets it reads.
fn whole_secrets(file: &SourceFile, span: Span, r: &Read, out: &mut Sink<'_>) {
    match &r.whole {
        Some(Whole::Every) => out
            .at(file, span)
            .message("`toJSON(secrets)` expands every secret of the repository")
            .severity(Impact::High)
            .help("reference only the secrets this step needs, by name: `${{ secrets.NAME }}`")
            .emit(),
        Some(Whole::Computed(inner)) => out
            .at(file, span)
            .message(format!("`${{{{ {inner} }}}}` selects a secret by a computed name, so it can read any secret"))
            .severity(Impact::Medium)
            .help("name each secret literally (`secrets.NAME`), choosing between them with a condition if needed")
            .emit(),
        None => {}
    }
}

/// An unpinned remote action or workflow that receives a secret.
struct Untrusted {
    /// The reference as written.
    reference: String,
    /// GitHub's own (`actions/*`, `github/*`) at a tag: the party that already runs the
    /// runner, and so sees every secret of the job, publishes it.
    platform: bool,
}

/// The owners whose actions GitHub itself publishes.
const PLATFORM_OWNERS: &[&str] = &["actions", "github"];

/// A remote action or workflow not pinned to a SHA, of another repository than the one
/// `input` is in, whose owner is not trusted by the configuration; marks the
/// trusted-owner entry that matched.
fn unpinned_third_party(
    cx: &Context<'_>,
    input: &tollgate_scan::Input,
    r: &RemoteRef,
) -> Option<Untrusted> {
    if r.is_pinned()
        || cx
            .scan
            .repository_of(input)
            .is_some_and(|repo| repo.is(&format!("{}/{}", r.owner, r.repo)))
    {
        return None;
    }
    let trusted = cx.config.policy.trusted_owners.iter().find(|t| {
        crate::common::glob_match(&t.value.to_ascii_lowercase(), &r.owner.to_ascii_lowercase())
    });
    if let Some(t) = trusted {
        t.mark_used();
        return None;
    }
    let platform = r.ref_kind == tollgate_gha::RefKind::Tag
        && PLATFORM_OWNERS
            .iter()
            .any(|o| r.owner.eq_ignore_ascii_case(o));
    Some(Untrusted {
        reference: r.reference.clone(),
        platform,
    })
}

/// How a finding about `t` is worded and weighed: a GitHub-owned action at a tag is a
/// low-severity, low-confidence finding that says whose it is.
fn weigh(t: &Untrusted, what: &str) -> (String, Impact, Confidence) {
    if t.platform {
        (format!("GitHub's own {what}"), Impact::Low, Confidence::Low)
    } else {
        (format!("the {what}"), Impact::High, Confidence::High)
    }
}

fn unpinned(
    file: &SourceFile,
    span: Span,
    name: &str,
    to: (&Untrusted, Option<Span>, &Chain),
    what: &str,
    out: &mut Sink<'_>,
) {
    let (t, uses, chain) = to;
    let target = t.reference.as_str();
    let (whose, severity, confidence) = weigh(t, what);
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
            "secret `{name}` is passed to {whose} `{target}`, whose owner can change its code without a change here"
        ))
        .severity(severity)
        .confidence(confidence)
        .help(format!(
            "pin `{}` to a full commit SHA (`@<sha> # {}`), or list its owner in `[policy.actions] trusted-owners` if you trust it as your own code",
            target.split('@').next().unwrap_or(target),
            target.split('@').nth(1).unwrap_or("")
        ))
        .path(path.into_hops())
        .emit();
}

/// A secret in the job's `env:` (as `var`), which the unpinned third-party action `to`
/// (its reference, where its step's `uses:` is, the step's label) can read from its
/// environment.
fn env_to_unpinned(
    file: &SourceFile,
    span: Span,
    (name, var): (&str, &str),
    to: &(Untrusted, Span, String),
    chain: &Chain,
    out: &mut Sink<'_>,
) {
    let (t, uses, step) = to;
    let target = t.reference.as_str();
    let (whose, severity, confidence) = weigh(t, "unpinned action");
    // job → the secret in its `env:` → the code that can change under it.
    let path = chain
        .clone()
        .hop(
            format!("secret `{name}` in the job's `env:` as `{var}`"),
            Some(file.location(span)),
        )
        .hop(
            format!("in the environment of {whose} `{target}` (step `{step}`)"),
            Some(file.location(*uses)),
        );
    out.at(file, span)
        .message(format!(
            "job-level `env` puts secret `{name}` (as `{var}`) in the environment of {whose} `{target}`, whose owner can change its code without a change here"
        ))
        .severity(severity)
        .confidence(confidence)
        .help(format!(
            "move `{var}` to the `env:` of the steps that use it, and pin `{}` to a full commit SHA",
            target.split('@').next().unwrap_or(target)
        ))
        .path(path.into_hops())
        .emit();
}

/// Echoed secrets and secrets written to workflow-command files or uploaded files.
fn script_leaks(g: &Graph, step: NodeId, input: &Input, out: &mut Sink<'_>) {
    let file = &input.source;
    for leak in g.leaks_of(step) {
        let name = &leak.name;
        let (place, severity) = match &leak.to {
            LeakTo::Log => {
                out.at(file, leak.origin.span())
                    .message(format!("secret `{name}` is printed to the log"))
                    .severity(Impact::Medium)
                    .help("do not print secrets: masking only hides the exact value, and any transformation (base64, a substring, JSON) escapes it")
                    .emit();
                continue;
            }
            LeakTo::Artifact {
                file: target,
                step,
                at,
            } => {
                out.at(file, leak.origin.span())
                    .message(format!(
                        "secret `{name}` is written to `{target}`, which step `{step}` uploads as an artifact"
                    ))
                    .severity(Impact::High)
                    .related(file, at.span(), "uploads the file")
                    .help("write secrets outside the uploaded paths (for example under `$RUNNER_TEMP`) and delete them after use")
                    .emit();
                continue;
            }
            LeakTo::GithubEnv => (
                "`$GITHUB_ENV`, which exposes it to every later step of the job",
                Impact::Medium,
            ),
            LeakTo::GithubOutput => (
                "a step output, which later jobs and the run's logs can read",
                Impact::Medium,
            ),
            LeakTo::StepSummary => (
                "the step summary, which anyone who can read the run sees",
                Impact::High,
            ),
        };
        out.at(file, leak.origin.span())
            .message(format!("secret `{name}` is written to {place}"))
            .severity(severity)
            .help("pass the secret to the steps that need it through their own `env:` instead of writing it to a workflow-command file")
            .emit();
    }
}

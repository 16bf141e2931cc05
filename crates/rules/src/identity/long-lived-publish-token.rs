//! `long-lived-publish-token`: a package published to npm, PyPI, crates.io or RubyGems
//! with a token kept as a repository secret, where the registry accepts trusted
//! publishing (a short-lived credential exchanged for the workflow's OIDC token); and
//! `npm publish` without provenance where the job could have it.
//!
//! The publish commands are the shell analysis's `publish` credential facts (the
//! recogniser the egress inference and the needs pass share), the secrets a step reads
//! are the graph's `reads` (with how each is handed over), and the registries with their
//! token variables and options are the knowledge base's `trusted-publishing.toml`.

use tollgate_engine::{Context, Rule, ScriptCx, Sink, StepCx, StepOwner};
use tollgate_gha::{Env, Step, Uses, env_value};
use tollgate_graph::{Access, Graph, NodeId, Read, Via};
use tollgate_kb::publishing::Registry;
use tollgate_model::{Confidence, Impact, Span};
use tollgate_shell::{Command, CredentialKind, Fact, Word};

use crate::chain::Chain;

pub struct LongLivedPublishToken;

impl Rule for LongLivedPublishToken {
    fn id(&self) -> &'static str {
        "long-lived-publish-token"
    }

    fn check_step(&self, cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        let Some(node) = Chain::step_node(cx, step.input, step.job_index, step.step.index) else {
            return;
        };
        if publishing_action(cx, step, node, out) {
            return;
        }
        // A token variable only publishing reads, handed a secret by the step's own
        // `env:`, where no publish command of that registry is seen: the publish is in
        // code tollgate does not read (a script file, an action it does not know).
        let seen: Vec<&str> = step
            .analysis()
            .map(|a| {
                a.facts
                    .iter()
                    .filter_map(|f| match f {
                        Fact::Credential(c) => match &c.kind {
                            CredentialKind::Publish { tool, .. } => Some(tool.as_str()),
                            _ => None,
                        },
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let kb = tollgate_kb::trusted_publishing();
        for r in cx.graph.reads_of(node) {
            let Via::StepEnv { var: Some(var) } = &r.via else {
                continue;
            };
            let Some(registry) = kb.for_publish_env(var) else {
                continue;
            };
            if registry.tools.iter().any(|t| seen.contains(&t.as_str())) {
                continue;
            }
            let Some((name, _)) = stored(cx.graph, r) else {
                continue;
            };
            let file = &step.input.source;
            let chain = Chain::to_step(cx, step.input, step.job_index, step.step.index);
            let token = Token {
                name,
                how: format!(
                    "`{var}`, which only publishing reads, in a step whose publish tollgate does not see"
                ),
                at: r.origin.span(),
            };
            let before = out.len();
            emit_token(out, file, token.at, registry, &token, "", chain);
            out.amend_since(before, Confidence::Medium, "");
        }
    }

    fn check_script(&self, cx: &Context<'_>, script: &ScriptCx<'_>, out: &mut Sink<'_>) {
        let ScriptCx::Step(step) = script else { return };
        let (Some(analysis), Some(run)) = (script.analysis(), &step.step.run) else {
            return;
        };
        let Some(node) = script.node(cx) else { return };
        let text = run.script.as_str();
        let reads: Vec<&Read> = cx.graph.step_reads(node).collect();
        logins(cx, step, analysis, &reads, out);
        for f in &analysis.facts {
            let Fact::Credential(c) = f else { continue };
            let CredentialKind::Publish { tool, oidc } = &c.kind else {
                continue;
            };
            let Some(registry) = tollgate_kb::trusted_publishing().for_tool(tool) else {
                continue;
            };
            let Some(cmd) = analysis.commands.iter().find(|x| x.span == c.span) else {
                continue;
            };
            if cmd.has_flag(&registry.dry_run) || elsewhere(step, registry, cmd, text) {
                continue;
            }
            let at = step.script_span(cmd.span);
            let token = token_of(cx.graph, &reads, registry, cmd, text, at);
            let chain = Chain::to_step(cx, step.input, step.job_index, step.step.index);
            let file = &step.input.source;
            let no_provenance = registry.provenance
                && tool == "npm publish"
                && !oidc
                && !provenance_env(step, cmd, text);
            match token {
                Some(token) => {
                    let also = if no_provenance {
                        ", and without provenance (no `--provenance` or `NPM_CONFIG_PROVENANCE`; package.json's `publishConfig`, which tollgate does not read, may still ask for it)"
                    } else {
                        ""
                    };
                    emit_token(out, file, at, registry, &token, also, chain);
                }
                None if no_provenance && could_attest(cx, step) => {
                    emit_provenance(out, file, at, chain);
                }
                None => {}
            }
        }
    }
}

/// A publishing action (the knowledge base's) given a stored token in its token input,
/// unless its registry input names another registry. True when the step is such an
/// action, reported or not.
fn publishing_action(
    cx: &Context<'_>,
    step: &StepCx<'_>,
    node: NodeId,
    out: &mut Sink<'_>,
) -> bool {
    let Some(Uses::Remote(r)) = step.step.uses.as_ref().map(|u| &u.value) else {
        return false;
    };
    let Some((registry, action)) = tollgate_kb::trusted_publishing().for_action(&r.action()) else {
        return false;
    };
    let with = |name: &str| {
        step.step
            .with
            .iter()
            .find(|kv| kv.key.value == name)
            .map(|kv| kv.value.value.as_str())
    };
    if action
        .registry_input
        .as_deref()
        .and_then(with)
        .is_some_and(|v| !v.contains("${{") && !registry.is_public(v))
    {
        return true;
    }
    let found = cx.graph.reads_of(node).iter().find_map(|r| match &r.via {
        Via::With { input } if *input == action.token_input => stored(cx.graph, r),
        _ => None,
    });
    if let Some((name, read)) = found {
        let file = &step.input.source;
        let token = Token {
            name,
            how: format!("`with: {}`", action.token_input),
            at: read.origin.span(),
        };
        let chain = Chain::to_step(cx, step.input, step.job_index, step.step.index);
        emit_token(out, file, token.at, registry, &token, "", chain);
    }
    true
}

/// Whether `NPM_CONFIG_PROVENANCE` (npm reads its configuration from the environment
/// whatever the case of the name) is set true for the command: on it, or in an `env:`.
fn provenance_env(step: &StepCx<'_>, cmd: &Command, text: &str) -> bool {
    let truthy = |v: &str| matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes");
    if cmd
        .assignments
        .iter()
        .filter(|a| a.name.eq_ignore_ascii_case("NPM_CONFIG_PROVENANCE"))
        .filter_map(|a| a.value.as_ref())
        .any(|w| truthy(&w.display(text)))
    {
        return true;
    }
    envs(step)
        .iter()
        .find_map(|e| {
            e.vars
                .iter()
                .find(|v| v.key.value.eq_ignore_ascii_case("NPM_CONFIG_PROVENANCE"))
        })
        .is_some_and(|v| truthy(&v.value.value))
}

/// `cargo login` (a registry's `login` command) handed a stored token: the token is kept
/// for the publishes that follow, in this step or later ones.
fn logins(
    cx: &Context<'_>,
    step: &StepCx<'_>,
    analysis: &tollgate_shell::Analysis,
    reads: &[&Read],
    out: &mut Sink<'_>,
) {
    let Some(run) = &step.step.run else { return };
    let text = run.script.as_str();
    for registry in &tollgate_kb::trusted_publishing().registry {
        for login in &registry.login {
            for cmd in &analysis.commands {
                let words: Vec<&str> = cmd
                    .name_word()
                    .into_iter()
                    .chain(cmd.args())
                    .map_while(Word::as_str)
                    .collect();
                let leads = login
                    .split_whitespace()
                    .enumerate()
                    .all(|(i, w)| words.get(i) == Some(&w));
                if !leads || elsewhere(step, registry, cmd, text) {
                    continue;
                }
                let at = step.script_span(cmd.span);
                let Some(mut token) = token_of(cx.graph, reads, registry, cmd, text, at)
                    .or_else(|| positional_token(cx.graph, reads, cmd, at))
                else {
                    continue;
                };
                token.how = format!("`{login}`, which keeps it for the publishes that follow");
                let chain = Chain::to_step(cx, step.input, step.job_index, step.step.index);
                emit_token(out, &step.input.source, at, registry, &token, "", chain);
            }
        }
    }
}

/// The stored secret given to a command as an argument: a secret expression in its text,
/// or a variable holding one (`cargo login "$TOKEN"`).
fn positional_token(g: &Graph, reads: &[&Read], cmd: &Command, at: Span) -> Option<Token> {
    let vars: Vec<&str> = cmd
        .args()
        .iter()
        .flat_map(|w| w.variables.iter().map(String::as_str))
        .collect();
    reads.iter().find_map(|r| {
        let (name, _) = stored(g, r)?;
        let s = r.origin.span();
        let inside = matches!(r.via, Via::Script) && s.start() >= at.start() && s.end() <= at.end();
        let through = match &r.via {
            Via::StepEnv { var: Some(v) }
            | Via::JobEnv { var: Some(v) }
            | Via::WorkflowEnv { var: Some(v) } => vars.contains(&v.as_str()),
            _ => false,
        };
        (inside || through).then(|| Token {
            name,
            how: String::new(),
            at: s,
        })
    })
}

/// A stored token a publish uses: the secret's name, how it is handed over, and where
/// (the expression that hands it over).
struct Token {
    name: String,
    how: String,
    at: Span,
}

/// A named secret other than the workflow's own token, with its read.
fn stored<'g>(g: &Graph, r: &'g Read) -> Option<(String, &'g Read)> {
    let name = g.secret_name(r.secret)?;
    (!name.eq_ignore_ascii_case("GITHUB_TOKEN")).then(|| (name.to_owned(), r))
}

/// The stored secret a publish command authenticates with, and how it is handed over: a
/// token variable of the registry in the step's, job's or workflow's `env:`, a secret
/// expression in the command's own text (`--token ${{ secrets.X }}`, `X=… cmd`), or a
/// token option whose value is a variable that holds a secret.
fn token_of(
    g: &Graph,
    reads: &[&Read],
    registry: &Registry,
    cmd: &Command,
    text: &str,
    at: Span,
) -> Option<Token> {
    let env_var = |r: &Read| match &r.via {
        Via::StepEnv { var: Some(v) }
        | Via::JobEnv { var: Some(v) }
        | Via::WorkflowEnv { var: Some(v) } => Some(v.clone()),
        _ => None,
    };
    for r in reads {
        let Some((name, _)) = stored(g, r) else {
            continue;
        };
        if let Some(v) = env_var(r)
            && registry
                .token_env
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&v))
        {
            return Some(Token {
                name,
                how: format!("`{v}`"),
                at: r.origin.span(),
            });
        }
        let s = r.origin.span();
        if matches!(r.via, Via::Script) && s.start() >= at.start() && s.end() <= at.end() {
            return Some(Token {
                name,
                how: "the command line".to_owned(),
                at: s,
            });
        }
    }
    let words = flag_values(cmd, &registry.token_flags, text);
    let vars: Vec<&str> = words
        .iter()
        .flat_map(|w| w.variables.iter().map(String::as_str))
        .collect();
    reads.iter().find_map(|r| {
        let (name, _) = stored(g, r)?;
        let v = env_var(r)?;
        vars.contains(&v.as_str()).then(|| Token {
            name,
            how: format!("a token option given `${v}`"),
            at: r.origin.span(),
        })
    })
}

/// The words given as values of `flags`: the word after the option, or the option's
/// own word when written `--token=$T`.
fn flag_values<'c>(cmd: &'c Command, flags: &[String], text: &str) -> Vec<&'c Word> {
    let args = cmd.args();
    let mut out = Vec::new();
    for (i, w) in args.iter().enumerate() {
        let t = w.display(text);
        if flags.iter().any(|f| *f == t) {
            out.extend(args.get(i + 1));
        } else if flags.iter().any(|f| t.starts_with(&format!("{f}="))) {
            out.push(w);
        }
    }
    out
}

/// Whether the publish goes to another registry than the public one: a registry option
/// or variable naming another, or (npm) `actions/setup-node` set up for another.
fn elsewhere(step: &StepCx<'_>, registry: &Registry, cmd: &Command, text: &str) -> bool {
    let other = |v: &str| !v.contains('$') && !registry.is_public(v);
    let args = cmd.args();
    for (i, w) in args.iter().enumerate() {
        let t = w.display(text);
        for f in &registry.registry_flags {
            if t == f.as_str() && args.get(i + 1).is_some_and(|n| other(&n.display(text))) {
                return true;
            }
            if t.strip_prefix(&format!("{f}=")).is_some_and(other) {
                return true;
            }
        }
    }
    let envs = envs(step);
    if registry
        .registry_env
        .iter()
        .filter_map(|n| {
            cmd.assignment(n)
                .and_then(|a| a.value.as_ref())
                .map(|w| w.display(text).into_owned())
                .or_else(|| env_value(&envs, n).map(str::to_owned))
        })
        .any(|v| other(&v))
    {
        return true;
    }
    registry.provenance
        && steps_of(step).iter().any(|s| {
            let setup_node = matches!(s.uses.as_ref().map(|u| &u.value),
                Some(Uses::Remote(r)) if r.action().eq_ignore_ascii_case("actions/setup-node"));
            setup_node
                && s.with
                    .iter()
                    .any(|kv| kv.key.value == "registry-url" && other(&kv.value.value))
        })
}

/// The `env:` blocks a step's script sees, innermost first.
fn envs<'a>(step: &StepCx<'a>) -> Vec<&'a Env> {
    let mut out = vec![&step.step.env];
    if let StepOwner::Job { workflow, job } = step.owner {
        out.push(&job.env);
        out.push(&workflow.env);
    }
    out
}

/// The steps beside this one: its job's, or its composite action's.
fn steps_of<'a>(step: &StepCx<'a>) -> &'a [Step] {
    match step.owner {
        StepOwner::Job { job, .. } => &job.steps,
        StepOwner::Action(a) => a.steps(),
    }
}

/// Whether the job of a workflow step could attest provenance: it runs on a GitHub-hosted
/// runner (npm accepts provenance from cloud-hosted runners only) and does not already
/// hold `id-token: write` (with it, `npm publish` without a token uses trusted
/// publishing, which attaches provenance itself).
fn could_attest(cx: &Context<'_>, step: &StepCx<'_>) -> bool {
    let StepOwner::Job { job, .. } = step.owner else {
        return false;
    };
    if job
        .runs_on
        .as_ref()
        .is_some_and(tollgate_gha::RunsOn::is_self_hosted)
    {
        return false;
    }
    let node: Option<NodeId> = cx.graph.job_node(&step.input.source.display, &job.id.value);
    node.is_none_or(|n| cx.graph.token_access(n, "id-token") != Some(Access::Write))
}

fn emit_token(
    out: &mut Sink<'_>,
    file: &tollgate_model::SourceFile,
    span: Span,
    registry: &Registry,
    token: &Token,
    also: &str,
    chain: Chain,
) {
    let secret = crate::common::quoted(&token.name);
    let how = &token.how;
    let name = &registry.name;
    // The hand-over gets a hop of its own where it is written apart from the publish
    // (an `env:` of the job or workflow, a step's `env:`).
    let chain = if token.at == span {
        chain
    } else {
        chain.hop(
            format!("`secrets.{secret}` handed over through {how}"),
            Some(file.location(token.at)),
        )
    };
    out.at(file, span)
        .message(format!(
            "publishes to {name} with the long-lived token `secrets.{secret}` (through {how}){also}: {name} accepts trusted publishing (a credential minted per run from the workflow's OIDC token, valid for minutes), which leaves no long-lived secret to leak"
        ))
        .help(format!(
            "register this workflow as a trusted publisher on {name} ({}), grant the job `permissions: id-token: write`, drop the token, then revoke it",
            registry.trusted_publishing
        ))
        .path(
            chain
                .hop(
                    format!("publishes to {name} with `secrets.{secret}`"),
                    Some(file.location(span)),
                )
                .into_hops(),
        )
        .emit();
}

fn emit_provenance(
    out: &mut Sink<'_>,
    file: &tollgate_model::SourceFile,
    span: Span,
    chain: Chain,
) {
    out.at(file, span)
        .message("`npm publish` without `--provenance` on a GitHub-hosted runner, where npm can record which workflow built the package; provenance may still be on through `NPM_CONFIG_PROVENANCE` set elsewhere or `publishConfig.provenance` in package.json, which tollgate does not read")
        .help("publish with trusted publishing (`permissions: id-token: write` and no token: npm then attaches provenance itself), or add `--provenance` with `id-token: write`")
        .severity(Impact::Low)
        .confidence(Confidence::Medium)
        .path(
            chain
                .hop("`npm publish` without provenance", Some(file.location(span)))
                .into_hops(),
        )
        .emit();
}

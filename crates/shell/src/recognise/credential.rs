//! Credential use (secrets, the GitHub token, pushes, publishing, signing) and writes to
//! the workflow-command files (`$GITHUB_ENV`, `$GITHUB_OUTPUT`, …).

use tollgate_model::Span;

use super::Recogniser;
use crate::command::{Command, Redirect, Word};
use crate::facts::{Credential, CredentialKind, EnvTarget, EnvWrite, Fact, SecretEcho};

/// Secret names referenced by one expression (GitHub's grammar, read by the reader the
/// graph and the rules share), then `github.token` when the expression uses it.
fn secret_names(expr: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = tollgate_kb::secrets::secret_refs(expr)
        .into_iter()
        .filter_map(|r| r.name)
        .map(|n| (n, true))
        .collect();
    if expr.to_ascii_lowercase().contains("github.token") {
        out.push(("github.token".into(), false));
    }
    out
}

pub(super) fn expressions(cx: &mut Recogniser<'_>) {
    let script = cx.script();
    for e in cx.input.expressions {
        let text = script.get(e.range()).unwrap_or("");
        for (name, is_secret) in secret_names(text) {
            // Expression contexts are case-insensitive: `secrets.github_token` is the
            // same token.
            let kind = if !is_secret {
                CredentialKind::GithubToken { via: name }
            } else if name.eq_ignore_ascii_case("GITHUB_TOKEN") {
                CredentialKind::GithubToken {
                    via: format!("secrets.{name}"),
                }
            } else {
                CredentialKind::Secret { name }
            };
            cx.push(Fact::Credential(Credential { kind, span: *e }));
        }
    }
}

pub(super) fn token_refs(cx: &mut Recogniser<'_>) {
    for (name, span) in cx.input.token_refs {
        let kind = if name.starts_with("ACTIONS_ID_TOKEN") {
            CredentialKind::OidcToken
        } else {
            CredentialKind::GithubToken { via: name.clone() }
        };
        cx.push(Fact::Credential(Credential { kind, span: *span }));
    }
}

pub(super) fn publish(cx: &mut Recogniser<'_>, cmd: &Command, tool: &str, oidc: bool) {
    cx.push(Fact::Credential(Credential {
        kind: CredentialKind::Publish {
            tool: tool.to_owned(),
            oidc,
        },
        span: cmd.span,
    }));
}

fn env_target(text: &str) -> Option<EnvTarget> {
    // Longest names first: `GITHUB_ENV` is not a prefix of the others, but be explicit.
    [
        ("GITHUB_STEP_SUMMARY", EnvTarget::GithubStepSummary),
        ("GITHUB_OUTPUT", EnvTarget::GithubOutput),
        ("GITHUB_ENV", EnvTarget::GithubEnv),
        ("GITHUB_PATH", EnvTarget::GithubPath),
        ("GITHUB_STATE", EnvTarget::GithubState),
    ]
    .into_iter()
    .find(|(n, _)| {
        text.find(n).is_some_and(|at| {
            let after = text.as_bytes().get(at + n.len());
            after.is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        })
    })
    .map(|(_, t)| t)
}

/// `NAME=…` or `NAME<<DELIM` at the start of the echoed text; the whole text for PATH.
fn key_of(text: &str, target: EnvTarget) -> Option<String> {
    let t = text.trim_start_matches(['"', '\'']);
    if target == EnvTarget::GithubPath {
        return (!t.is_empty()).then(|| t.trim_end_matches(['"', '\'']).to_owned());
    }
    let name: String = t
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let rest = &t[name.len()..];
    (!name.is_empty() && (rest.starts_with('=') || rest.starts_with("<<"))).then_some(name)
}

pub(super) fn env_write_redirect(
    cx: &mut Recogniser<'_>,
    span: Span,
    r: &Redirect,
    key_src: Option<&Command>,
) {
    if !r.is_output() {
        return;
    }
    let Some(w) = &r.target else { return };
    let text = cx.text(w);
    let Some(target) = env_target(&text) else {
        return;
    };
    let key = key_src
        .and_then(|c| echoed_text(cx, c))
        .and_then(|t| key_of(&t, target));
    cx.push(Fact::EnvWrite(EnvWrite {
        target,
        key,
        target_span: r.span,
        span,
    }));
}

fn echoed_text(cx: &Recogniser<'_>, cmd: &Command) -> Option<String> {
    let name = cmd.name()?;
    // PowerShell's `Write-Output` (of which `echo` is an alias there) writes its text.
    if !matches!(name, "echo" | "printf" | "write-output") {
        return None;
    }
    let w = cmd
        .args()
        .iter()
        .find(|w| !w.as_str().is_some_and(|t| t.starts_with('-')))?;
    Some(cx.text(w).into_owned())
}

pub(super) fn env_writes(cx: &mut Recogniser<'_>, cmd: &Command) {
    for r in &cmd.redirects {
        env_write_redirect(cx, cmd.span, r, Some(cmd));
    }
    if cmd.name() == Some("tee") {
        for w in cmd.args() {
            let text = cx.text(w);
            if let Some(target) = env_target(&text) {
                let key = cmd
                    .pipe_prev()
                    .and_then(|p| echoed_text(cx, &cx.input.commands[p]))
                    .and_then(|t| key_of(&t, target));
                cx.push(Fact::EnvWrite(EnvWrite {
                    target,
                    key,
                    target_span: w.span,
                    span: cmd.span,
                }));
            }
        }
    }
}

/// `echo ${{ secrets.X }}` printing a secret to the log. Piping it on (`| docker login
/// --password-stdin`) or writing it to a file is not echoing.
pub(super) fn secret_echo(cx: &mut Recogniser<'_>, cmd: &Command) {
    // `Write-Host` and `Write-Output` are PowerShell's (`echo` is `Write-Output` there).
    if !matches!(
        cmd.name(),
        Some("echo" | "printf" | "write-host" | "write-output")
    ) || cmd.pipe_next.is_some()
    {
        return;
    }
    if cmd
        .redirects
        .iter()
        .any(|r| r.is_output() && r.fd.is_none_or(|f| f == 1))
    {
        return;
    }
    let script = cx.script();
    for w in cmd.args().iter().filter(|w| w.has_expression) {
        for e in cx
            .input
            .expressions
            .iter()
            .filter(|e| e.start() >= w.span.start() && e.end() <= w.span.end())
        {
            let text = script.get(e.range()).unwrap_or("");
            for (name, is_secret) in secret_names(text) {
                if is_secret {
                    cx.push(Fact::SecretEcho(SecretEcho {
                        name,
                        expression_span: *e,
                        span: cmd.span,
                    }));
                }
            }
        }
    }
}

/// Whether a word reads as a flag in a publish command (`--provenance`).
pub(super) fn has_flag(cmd: &Command, flag: &str) -> bool {
    cmd.args().iter().filter_map(Word::as_str).any(|t| {
        t == flag
            || t.strip_prefix(flag)
                .is_some_and(|r| r.starts_with('=') && r != "=false")
    })
}

//! `hardcoded-credential`: a credential written literally into a workflow or action: a
//! container's or service's registry `password`, or a token of a published format
//! (GitHub, AWS, Google, npm, PyPI, Docker Hub, GitLab, Slack, Stripe: the knowledge
//! base's `credential-formats.toml`) in an `env:` value, a `with:` input, a `run:` script,
//! the `secrets:` a job hands to a reusable workflow or an action input's default.
//!
//! Messages and the primary location never carry the credential whole: the message
//! names the format by its documented prefix, and the location covers that prefix only
//! (SARIF copies the located text into its snippet).

use tollgate_engine::{Context, JobCx, Rule, Sink, StepCx, StepOwner, WorkflowCx};
use tollgate_gha::{Container, Env, JobSecrets, KeyValue, Spanned};
use tollgate_kb::credentials::{Found, aws_secret_keys, is_aws_secret_key};
use tollgate_model::{Confidence, SourceFile, Span};
use tollgate_scan::Input;

use crate::chain::Chain;

pub struct HardcodedCredential;

impl Rule for HardcodedCredential {
    fn id(&self) -> &'static str {
        "hardcoded-credential"
    }

    fn check_workflow(&self, _cx: &Context<'_>, wf: &WorkflowCx<'_>, out: &mut Sink<'_>) {
        let at = Place::new(wf.input, false, Chain::default);
        env(&at, &wf.workflow.env, "the workflow", out);
    }

    fn check_job(&self, cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        let j = &job.job;
        let at = Place::new(job.input, false, || {
            Chain::to_job(cx, job.input, &j.id.value)
        });
        let what = format!("job `{}`", crate::common::quoted(&j.id.value));
        env(&at, &j.env, &what, out);
        for c in j.container.as_deref().into_iter().chain(&j.services) {
            container(&at, c, &what, out);
        }
        block(&at, &j.with, &what, "`with` input", out);
        if let Some(Spanned {
            value: JobSecrets::Map(map),
            ..
        }) = &j.secrets
        {
            block(&at, map, &what, "`secrets` entry", out);
        }
    }

    fn check_step(&self, cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        let s = step.step;
        let in_action = matches!(step.owner, StepOwner::Action(_));
        let at = Place::new(step.input, in_action, || {
            Chain::to_step(cx, step.input, step.job_index, s.index)
        });
        let what = s.name.as_ref().map_or_else(
            || format!("step {}", s.index + 1),
            |n| format!("step `{}`", crate::common::quoted(&n.value)),
        );
        env(&at, &s.env, &what, out);
        block(&at, &s.with, &what, "`with` input", out);
        if let Some(run) = &s.run {
            let text = run.script.as_str();
            let tokens = tollgate_kb::credential_formats().find(text);
            let secrets = aws_secret_keys(text);
            let aws_secret = (!secrets.is_empty() && mentions_secret(text))
                .then(|| {
                    secrets
                        .first()
                        .map(|&(a, b)| run.file_span(Span::new(a, b)))
                })
                .flatten();
            for t in tokens {
                if t.format.paired && aws_secret.is_none() {
                    continue;
                }
                let span = run.file_span(Span::new(t.start, t.start + t.format.prefix.len()));
                at.report(
                    &t,
                    span,
                    &format!("the `run` script of {what}"),
                    aws_secret.filter(|_| t.format.paired),
                    out,
                );
            }
        }
    }

    fn check_action(
        &self,
        _cx: &Context<'_>,
        input: &Input,
        action: &tollgate_gha::Action,
        out: &mut Sink<'_>,
    ) {
        let at = Place::new(input, true, Chain::default);
        for i in &action.inputs {
            let Some(d) = &i.default else { continue };
            let what = format!(
                "the default of input `{}`",
                crate::common::quoted(&i.id.value)
            );
            for t in tollgate_kb::credential_formats().find(&d.value) {
                // An access key id alone is no credential; a default holds one value.
                if t.format.paired {
                    continue;
                }
                let span = value_span(&input.source, &d.value, d.span, &t);
                at.report(&t, span, &what, None, out);
            }
        }
        if let tollgate_gha::Runs::Docker { env: e, .. } = &action.runs {
            env(&at, e, "the action's `runs`", out);
        }
    }
}

/// Where findings go: the file, whether it is an action that sits among test fixtures,
/// and the chain leading to the job or step.
/// The chain is built only when a finding needs it: almost every place has none, and
/// walking the graph for each step of a run cost more than the search itself.
struct Place<'a> {
    file: &'a SourceFile,
    fixture: bool,
    chain: std::cell::OnceCell<Chain>,
    make_chain: Box<dyn Fn() -> Chain + 'a>,
}

impl<'a> Place<'a> {
    fn new(input: &'a Input, is_action: bool, chain: impl Fn() -> Chain + 'a) -> Self {
        Self {
            file: &input.source,
            fixture: is_action && under_tests(&input.source.display),
            chain: std::cell::OnceCell::new(),
            make_chain: Box::new(chain),
        }
    }

    fn chain(&self) -> Chain {
        self.chain.get_or_init(|| (self.make_chain)()).clone()
    }

    /// Report token `t`, located at `span` (its prefix) in `where_`, with the literal
    /// secret access key that makes an AWS key id a credential.
    fn report(
        &self,
        t: &Found<'_>,
        span: Span,
        where_: &str,
        pair: Option<Span>,
        out: &mut Sink<'_>,
    ) {
        let f = t.format;
        let shown = masked(&f.prefix);
        let paired = if pair.is_some() {
            " with a literal secret access key beside it"
        } else {
            ""
        };
        let mut b = out
            .at(self.file, span)
            .message(format!(
                "{} `{shown}` written literally in {where_}{paired}: anyone who can read the repository or its history can use it{}",
                f.name,
                self.fixture_note()
            ))
            .help("revoke the credential now (it stays in the git history), store its replacement as an encrypted secret and pass `${{ secrets.NAME }}`; where the service supports it, use OpenID Connect (cloud federation, trusted publishing) instead of a stored credential")
            .path(
                self.chain()
                    .hop(
                        format!("literal {} `{shown}`", f.name),
                        Some(self.file.location(span)),
                    )
                    .into_hops(),
            );
        if let Some(p) = pair {
            b = b.related(self.file, p, "the secret access key");
        }
        if self.fixture {
            b = b.confidence(Confidence::Low);
        }
        b.emit();
    }

    fn fixture_note(&self) -> &'static str {
        if self.fixture {
            " (the action sits under a test directory and may be a fixture)"
        } else {
            ""
        }
    }
}

/// A token's documented prefix followed by an ellipsis: what messages show of it.
fn masked(prefix: &str) -> String {
    format!("{prefix}…")
}

/// Whether an action at `path` sits among tests (a `test`, `tests`, `testdata`,
/// `fixtures` or `__tests__` directory): a token there may be a fixture for a scanner.
fn under_tests(path: &str) -> bool {
    const DIRS: &[&str] = &[
        "test",
        "tests",
        "testdata",
        "test-data",
        "testing",
        "fixtures",
        "__fixtures__",
        "__tests__",
    ];
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    parts
        .iter()
        .any(|p| DIRS.contains(&p.to_ascii_lowercase().as_str()))
}

/// Whether a script names a secret (`AWS_SECRET_ACCESS_KEY`, `aws_secret_access_key`,
/// `--secret-key`): a 40-character word there is the secret access key of the key id.
fn mentions_secret(text: &str) -> bool {
    text.to_ascii_lowercase().contains("secret")
}

/// The file span of the prefix of token `t`, found in the value `value` written at
/// `span`: the token's characters are written as they are (no quote or escape holds one),
/// so its text is looked for in the file's text of the value, at the same occurrence.
fn value_span(file: &SourceFile, value: &str, span: Span, t: &Found<'_>) -> Span {
    let token = t.text(value);
    let nth = value
        .match_indices(token)
        .take_while(|(i, _)| *i < t.start)
        .count();
    let raw = file.slice(span);
    raw.match_indices(token)
        .nth(nth)
        .map_or(Span::empty(span.start()), |(i, _)| {
            Span::new(span.start() + i, span.start() + i + t.format.prefix.len())
        })
}

/// The tokens of every value of a `KeyValue` block (`env:`, `with:`, `secrets:`); an AWS
/// key id counts when the block also holds a literal secret access key in an entry whose
/// name says so.
fn block(at: &Place<'_>, kvs: &[KeyValue], owner: &str, noun: &str, out: &mut Sink<'_>) {
    let secret = kvs.iter().find(|kv| {
        kv.key.value.to_ascii_lowercase().contains("secret")
            && is_aws_secret_key(kv.value.value.trim())
    });
    for kv in kvs.iter().filter(|kv| kv.scalar) {
        let where_ = || {
            format!(
                "{noun} `{}` of {owner}",
                crate::common::quoted(&kv.key.value)
            )
        };
        for t in tollgate_kb::credential_formats().find(&kv.value.value) {
            let pair = match (t.format.paired, secret) {
                (false, _) => None,
                (true, Some(s)) => Some(s.value.span),
                (true, None) => continue,
            };
            let span = value_span(at.file, &kv.value.value, kv.value.span, &t);
            at.report(&t, span, &where_(), pair, out);
        }
    }
}

fn env(at: &Place<'_>, e: &Env, owner: &str, out: &mut Sink<'_>) {
    block(at, &e.vars, owner, "`env` variable", out);
}

/// A container's (or service's) `credentials.password` written as a literal, and any
/// token in its `env:`.
fn container(at: &Place<'_>, c: &Container, job: &str, out: &mut Sink<'_>) {
    let what = match &c.id {
        Some(id) => format!("service `{}` of {job}", crate::common::quoted(&id.value)),
        None => format!("the container of {job}"),
    };
    env(at, &c.env, &what, out);
    let Some(creds) = &c.credentials else { return };
    let Some(pw) = creds.iter().find(|kv| kv.key.value == "password") else {
        return;
    };
    if !kv_is_literal(pw) {
        return;
    }
    let user = creds
        .iter()
        .find(|kv| kv.key.value == "username")
        .filter(|u| kv_is_literal(u))
        .map_or("", |_| " (beside a literal `username`)");
    let mut b = out
        .at(at.file, pw.key.span)
        .message(format!(
            "the registry `password` in the `credentials` of {what} is written literally{user}: anyone who can read the repository or its history can log in to the registry with it"
        ))
        .help("revoke the password, store its replacement as an encrypted secret and write `password: ${{ secrets.NAME }}`")
        .path(
            at.chain()
                .hop(
                    format!("literal `password` of {what}"),
                    Some(at.file.location(pw.key.span)),
                )
                .into_hops(),
        );
    if at.fixture {
        b = b.confidence(Confidence::Low);
    }
    b.emit();
}

/// Whether a credential value is a literal someone typed: not empty, no expression, and
/// not a stand-in (`$PASSWORD`, `<password>`, `xxxx`, `***`, `changeme`).
fn kv_is_literal(kv: &KeyValue) -> bool {
    let v = kv.value.value.trim();
    if !kv.scalar || v.is_empty() || v.contains("${{") {
        return false;
    }
    let stand_in = v.starts_with('$')
        || (v.starts_with('<') && v.ends_with('>'))
        || v.chars().all(|c| matches!(c, 'x' | 'X' | '*' | '.' | '-'))
        || ["changeme", "password", "placeholder", "secret", "example"]
            .iter()
            .any(|w| v.eq_ignore_ascii_case(w));
    !stand_in
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_directories_are_recognised() {
        assert!(under_tests("tests/fixtures/action.yml"));
        assert!(under_tests("pkg/__tests__/x/action.yml"));
        assert!(under_tests("testdata/a/action.yml"));
        assert!(!under_tests(".github/actions/publish/action.yml"));
        assert!(!under_tests("latest/action.yml"));
        assert!(!under_tests("tests.yml"));
    }

    #[test]
    fn masks_keep_the_prefix_only() {
        assert_eq!(masked("ghp_"), "ghp_…");
    }
}

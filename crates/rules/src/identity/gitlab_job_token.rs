//! `secrets-exposure` on GitLab CI: `$CI_JOB_TOKEN` handed to something that is not
//! GitLab's. The job token is meant for the GitLab instance that runs the job: its API,
//! its package and container registries, its repositories
//! (`https://gitlab-ci-token:${CI_JOB_TOKEN}@$CI_SERVER_HOST/…`). Sent to another host it
//! is a credential of the project in a stranger's hands for as long as the job runs.
//!
//! What is judged, in a job's scripts: a URL that carries the token (in its user part or
//! anywhere in the word) and the host of the command that is given it (the URL a `curl
//! --header "JOB-TOKEN: …"` calls, the registry a `docker login -p` logs in to, Docker
//! Hub when none is named, a `--password-stdin` login fed by an `echo` of it), and a
//! script fetched from the network that is given it as an argument, in its prefix
//! environment, or exported under another name before it runs. In `variables:`: a `<TOOL>_PASSWORD`/`<TOOL>_TOKEN` that holds it next to
//! a `<TOOL>_…URL`/`_HOST`/`_HOSTNAME`/`_REGISTRY` with another host
//! (`TWINE_PASSWORD` with `TWINE_REPOSITORY_URL`).
//!
//! GitLab's own hosts: those named by GitLab's predefined variables (`$CI_SERVER_HOST`,
//! `$CI_API_V4_URL`, `$CI_REGISTRY`, …) and literal hosts with a `gitlab` label
//! (`gitlab.com`, `registry.gitlab.com`, `gitlab.example.org`), which name a GitLab
//! instance. A host only known at run time (another variable) is not judged. The token is
//! in the environment of every script of the job anyway, so a remote script that is merely
//! run is `remote-script-execution`'s, not this rule's.

use tollgate_engine::{Context, GitlabJobCx, ScriptCx, Sink};
use tollgate_gitlab::{Variable, expand_variables};
use tollgate_model::{Impact, Span};
use tollgate_shell::{Analysis, Command, Fact, Word};

use crate::common::quoted;

const TOKEN: &str = "CI_JOB_TOKEN";

/// GitLab's predefined variables that name the instance or one of its services.
const OWN_VARIABLES: &[&str] = &[
    "CI_SERVER_HOST",
    "CI_SERVER_FQDN",
    "CI_SERVER_URL",
    "CI_SERVER_SHELL_SSH_HOST",
    "CI_API_V4_URL",
    "CI_API_GRAPHQL_URL",
    "CI_PROJECT_URL",
    "CI_REPOSITORY_URL",
    "CI_REGISTRY",
    "CI_REGISTRY_IMAGE",
    "CI_DEPENDENCY_PROXY_SERVER",
    "CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX",
    "CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX",
    "CI_TEMPLATE_REGISTRY_HOST",
    "CI_PAGES_URL",
];

/// Where a credential goes.
#[derive(Debug, PartialEq, Eq)]
enum Dest {
    /// The GitLab instance (or a GitLab instance).
    Own,
    /// A literal host that is not GitLab's.
    Other(String),
    /// Only known at run time.
    Unknown,
}

/// The host of `target`: a URL (`scheme://[user@]host[:port]/…`) or a registry
/// (`host[:port][/path]`), after the job's variables are expanded.
fn destination(target: &str, vars: &[&Variable]) -> Dest {
    let expanded = expand_variables(target, vars);
    let target = expanded.as_deref().unwrap_or(target).trim();
    let rest = target.split_once("://").map_or(target, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(var) = host_port.strip_prefix('$') {
        let name = var.trim_start_matches('{');
        let name: String = name
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        return if OWN_VARIABLES.contains(&name.as_str()) {
            Dest::Own
        } else {
            Dest::Unknown
        };
    }
    let host = host_port
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let literal = !host.is_empty()
        && host.contains('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !literal {
        return Dest::Unknown;
    }
    if host
        .split(['.', '-'])
        .any(|label| label.eq_ignore_ascii_case("gitlab"))
    {
        Dest::Own
    } else {
        Dest::Other(host)
    }
}

fn has_token(w: &Word) -> bool {
    w.variables.iter().any(|v| v == TOKEN)
}

fn text<'s>(script: &'s str, w: &Word) -> &'s str {
    script.get(w.span.range()).unwrap_or("")
}

/// Strip one level of quotes from a word as written (`"https://…$X@h/"`).
fn unquote(s: &str) -> &str {
    s.trim_matches(|c| c == '"' || c == '\'')
}

/// The commands that log in to a container registry, by their name.
const LOGINS: &[&str] = &[
    "docker", "podman", "buildah", "skopeo", "nerdctl", "crane", "oras", "helm", "regctl",
];

/// Options of a login command that take a value.
const LOGIN_VALUES: &[&str] = &["-u", "--username", "-p", "--password"];

/// The registry a `docker login`-like command logs in to: its positional argument after
/// `login`, Docker Hub when there is none. `None` for another command.
fn login_registry(c: &Command, script: &str) -> Option<String> {
    let name = c.name()?;
    if !LOGINS.contains(&name) {
        return None;
    }
    let args = c.args();
    let at = args.iter().position(|w| w.as_str() == Some("login"))?;
    let mut k = at + 1;
    while k < args.len() {
        let w = unquote(text(script, &args[k]));
        if LOGIN_VALUES.contains(&w) {
            k += 2;
            continue;
        }
        if !w.starts_with('-') && !w.is_empty() {
            return Some(w.to_owned());
        }
        k += 1;
    }
    Some("docker.io".to_owned())
}

/// Where command `c` sends what it is given: a registry it logs in to, else the first URL
/// among its arguments.
fn command_target(c: &Command, script: &str) -> Option<String> {
    if let Some(r) = login_registry(c, script) {
        return Some(r);
    }
    c.args()
        .iter()
        .map(|w| unquote(text(script, w)))
        .find(|t| t.contains("://") && !t.contains(TOKEN))
        .map(str::to_owned)
}

/// One handing over of the token found in a script.
struct Handed {
    span: Span,
    host: String,
    how: &'static str,
}

fn scan_commands(a: &Analysis, script: &str, vars: &[&Variable]) -> Vec<Handed> {
    let mut out = Vec::new();
    for c in &a.commands {
        let words = c
            .args()
            .iter()
            .chain(c.name_word())
            .chain(c.assignments.iter().filter_map(|x| x.value.as_ref()));
        let carrying: Vec<&Word> = words.filter(|w| has_token(w)).collect();
        let Some(first) = carrying.first() else {
            continue;
        };
        // A URL that carries the token goes to its own host.
        if let Some(w) = carrying
            .iter()
            .find(|w| unquote(text(script, w)).contains("://"))
        {
            if let Dest::Other(host) = destination(unquote(text(script, w)), vars) {
                out.push(Handed {
                    span: w.span,
                    host,
                    how: "in a URL to",
                });
            }
            continue;
        }
        // `echo "$CI_JOB_TOKEN" | docker login --password-stdin host`.
        let receiver = c
            .pipe_next()
            .and_then(|n| a.commands.get(n))
            .filter(|n| login_registry(n, script).is_some())
            .unwrap_or(c);
        if let Some(target) = command_target(receiver, script) {
            if let Dest::Other(host) = destination(&target, vars) {
                let how = if login_registry(receiver, script).is_some() {
                    "as the password of a login to the registry"
                } else {
                    "to a command that sends it to"
                };
                out.push(Handed {
                    span: first.span,
                    host,
                    how,
                });
            }
            continue;
        }
        // A script fetched from the network, given the token.
        let fetched = a.facts.iter().find_map(|f| match f {
            Fact::DownloadExec(e) if e.span == c.span => match a.facts.get(e.download) {
                Some(Fact::Download(d)) => Some(d.host.clone()),
                _ => None,
            },
            _ => None,
        });
        if let Some(Some(host)) = fetched
            && let Dest::Other(host) = destination(&format!("https://{host}/"), vars)
        {
            out.push(Handed {
                span: first.span,
                host,
                how: "to a script fetched from",
            });
        }
    }
    out
}

/// `export NAME=$CI_JOB_TOKEN` (or `NAME=… ; export NAME`) before a script fetched from
/// another host runs in the same shell: the token is handed to it under a name it reads.
fn exported_to_fetched(a: &Analysis, vars: &[&Variable]) -> Vec<Handed> {
    let mut out = Vec::new();
    for x in &a.assignments {
        if !x.exported || !x.value.as_ref().is_some_and(has_token) {
            continue;
        }
        let later = a.facts.iter().find_map(|f| match f {
            Fact::DownloadExec(e) if e.span.start() > x.span.start() => {
                match a.facts.get(e.download) {
                    Some(Fact::Download(d)) => d.host.as_ref().and_then(|h| {
                        match destination(&format!("https://{h}/"), vars) {
                            Dest::Other(h) => Some(h),
                            _ => None,
                        }
                    }),
                    _ => None,
                }
            }
            _ => None,
        });
        if let Some(host) = later {
            out.push(Handed {
                span: x.span,
                host,
                how: "in the environment of a script fetched from",
            });
        }
    }
    out
}

/// The variables a job's values are expanded with: its own, then the pipeline's.
fn job_vars<'a>(job: &'a GitlabJobCx<'a>) -> Vec<&'a Variable> {
    job.job
        .variables
        .iter()
        .chain(&job.config.variables)
        .collect()
}

fn report(
    out: &mut Sink<'_>,
    file: &tollgate_model::SourceFile,
    span: Span,
    how: &str,
    host: &str,
) {
    out.at(file, span)
        .message(format!(
            "`$CI_JOB_TOKEN` is given {how} `{}`, which is not the GitLab instance the token is for",
            quoted(host)
        ))
        .help("use a credential made for that service (a masked, protected CI/CD variable scoped to the jobs that need it); keep the job token for the instance's own API, registries and repositories")
        .severity(Impact::High)
        .emit();
}

/// The job token handed to another host in a GitLab job's script.
pub(super) fn script(_cx: &Context<'_>, script: &ScriptCx<'_>, out: &mut Sink<'_>) {
    let ScriptCx::Gitlab(s) = script else { return };
    let (job, session) = (s.job, s.session);
    if !session.text.contains(TOKEN) {
        return;
    }
    let Some(a) = script.analysis() else { return };
    let vars = job_vars(job);
    let mut handed = scan_commands(a, &session.text, &vars);
    handed.extend(exported_to_fetched(a, &vars));
    for h in handed {
        report(
            out,
            &script.input().source,
            script.file_span(h.span),
            h.how,
            &h.host,
        );
    }
}

/// Name endings of a variable that holds a credential for a tool.
const SECRET_ENDS: &[&str] = &["_PASSWORD", "_TOKEN", "_PASS", "_API_KEY"];
/// Name endings of a variable that says where the tool sends it.
const PLACE_ENDS: &[&str] = &[
    "_REPOSITORY_URL",
    "_URL",
    "_HOSTNAME",
    "_HOST",
    "_REGISTRY",
    "_SERVER",
    "_ENDPOINT",
];

/// `variables:` of the job (or the pipeline's) that give the token to a tool whose
/// destination, named by a sibling variable, is another host.
pub(super) fn variables(cx: &Context<'_>, job: &GitlabJobCx<'_>, out: &mut Sink<'_>) {
    let vars = job_vars(job);
    for v in &vars {
        let Some(value) = &v.value else { continue };
        if v.raw || !value.value.contains(TOKEN) {
            continue;
        }
        let name = v.name.value.as_str();
        let Some(prefix) = SECRET_ENDS.iter().find_map(|e| name.strip_suffix(e)) else {
            continue;
        };
        let place = vars.iter().find_map(|p| {
            let rest = p.name.value.strip_prefix(prefix)?;
            PLACE_ENDS
                .contains(&rest)
                .then_some(p.value.as_ref())
                .flatten()
        });
        let Some(place) = place else { continue };
        let Dest::Other(host) = destination(&place.value, &vars) else {
            continue;
        };
        let Some(input) = job.input_of(cx.scan, value.file) else {
            continue;
        };
        let how = "through `variables:` as";
        out.at(&input.source, v.name.span.cover(value.span))
            .message(format!(
                "`$CI_JOB_TOKEN` is given {how} `{}` to a tool that sends it to `{}`, which is not the GitLab instance the token is for",
                quoted(name),
                quoted(&host)
            ))
            .help("use a credential made for that service (a masked, protected CI/CD variable scoped to the jobs that need it); keep the job token for the instance's own API, registries and repositories")
            .severity(Impact::High)
            .emit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations() {
        assert_eq!(
            destination("https://gitlab-ci-token:$T@gitlab.com/a.git", &[]),
            Dest::Own
        );
        assert_eq!(
            destination("${CI_SERVER_PROTOCOL}://u:$T@${CI_SERVER_HOST}:443/x", &[]),
            Dest::Own
        );
        assert_eq!(destination("$CI_REGISTRY", &[]), Dest::Own);
        assert_eq!(destination("${CI_API_V4_URL}/projects/1", &[]), Dest::Own);
        assert_eq!(
            destination("https://git.example.org/x", &[]),
            Dest::Other("git.example.org".into())
        );
        assert_eq!(destination("ghcr.io", &[]), Dest::Other("ghcr.io".into()));
        assert_eq!(
            destination("https://u:$T@{CI_SERVER_HOST}:1/x", &[]),
            Dest::Unknown
        );
        assert_eq!(destination("$PACKAGE_URL/x", &[]), Dest::Unknown);
        assert_eq!(
            destination("https://registry.gitlab.example.org/x", &[]),
            Dest::Own
        );
    }
}

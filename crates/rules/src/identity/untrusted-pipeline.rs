//! `untrusted-pipeline`: a GitLab CI job that runs in merge request pipelines and holds
//! what the project protects: `secrets:`, `id_tokens:`, project variables named like
//! credentials, a deployment environment, or a runner its tags name privileged, shell or
//! self-hosted.
//!
//! A merge request pipeline runs the merge request's code and configuration. For a merge
//! request from a fork GitLab runs it in the fork by default; a member of the project can
//! run it in the project (GitLab warns about exactly this), and every member can run
//! their own branch's merge request. A job written to hold credentials there means the
//! credentials are not protected (protected variables and runners are kept from merge
//! request pipelines) and reach whatever the merge request runs.
//!
//! Which pipelines a job runs in is the reader's ([`tollgate_gitlab::Config::job_sources`]):
//! `rules:`, `only:`/`except:`, `when: never` and `workflow: rules:`.

use tollgate_engine::{Context, GitlabJobCx, Rule, Sink};
use tollgate_gitlab::{Config, Job, PipelineSource, Runs};
use tollgate_model::{Impact, Span};

use crate::chain::Chain;
use crate::common::quoted;

pub struct UntrustedPipeline;

/// One protected resource a job holds, where it is written.
struct Held {
    file: usize,
    span: Span,
    what: String,
    /// `secrets:`, `id_tokens:` or a privileged runner: written to hold credentials or a
    /// machine, not only a variable's name.
    strong: bool,
}

impl Rule for UntrustedPipeline {
    fn id(&self) -> &'static str {
        "untrusted-pipeline"
    }

    fn check_gitlab_job(&self, cx: &Context<'_>, job: &GitlabJobCx<'_>, out: &mut Sink<'_>) {
        let config = job.config;
        let sources = config.job_sources(job.job);
        let runs = sources.runs(PipelineSource::MergeRequestEvent);
        if runs == Runs::No {
            return;
        }
        // A resource a template gives several jobs is reported with the first of them.
        let mut held: Vec<Held> = held(config, job.job)
            .into_iter()
            .filter(|h| !reported_earlier(config, job.index, h))
            .collect();
        if held.is_empty() {
            return;
        }
        held.sort_by_key(|h| !h.strong);
        let first = &held[0];
        let Some(file) = job.input_of(cx.scan, first.file) else {
            return;
        };
        let mut list: Vec<String> = held.iter().take(3).map(|h| h.what.clone()).collect();
        if held.len() > 3 {
            list.push(crate::common::plural(held.len() - 3, "more", "more"));
        }
        let may = if runs == Runs::Maybe {
            "may run (as conditions the files do not decide allow)"
        } else {
            "runs"
        };
        let mut chain = Chain::to_job(cx, job.input, &job.job.name.value);
        if let Some(at) = sources.merge_request_at
            && let Some(i) = job.input_of(cx.scan, at.file)
        {
            chain = chain.hop(
                "runs in merge request pipelines",
                Some(i.source.location(at.span)),
            );
        }
        let chain = chain.hop(
            format!("holds {}", first.what),
            Some(file.source.location(first.span)),
        );
        out.at(&file.source, first.span)
            .message(format!(
                "job `{}` {may} in merge request pipelines, which run the merge request's own code and configuration, and holds {}",
                quoted(&job.job.name.value),
                list.join(", ")
            ))
            .help("keep credentials out of merge request pipelines: run the job only for protected branches or tags (`rules: - if: $CI_COMMIT_REF_PROTECTED == \"true\"`), mark the variables protected, bind Vault roles and cloud trust policies to protected refs (`ref_protected` claim), use protected runners for privileged work, and do not run merge request pipelines from forks in the project before reviewing them")
            .severity(if first.strong { Impact::High } else { Impact::Medium })
            .path(chain.into_hops())
            .emit();
    }
}

/// Whether an earlier job that also runs in merge request pipelines holds the same
/// resource at the same place.
fn reported_earlier(config: &Config, index: usize, h: &Held) -> bool {
    config.jobs[..index].iter().any(|other| {
        config
            .job_sources(other)
            .runs(PipelineSource::MergeRequestEvent)
            != Runs::No
            && held(config, other)
                .iter()
                .any(|o| o.file == h.file && o.span == h.span)
    })
}

/// What `job` holds that the project protects, in the order written.
fn held(config: &Config, job: &Job) -> Vec<Held> {
    let mut out = Vec::new();
    for s in &job.secrets {
        out.push(Held {
            file: s.name.file,
            span: s.name.span,
            what: format!(
                "secret `{}`{}",
                quoted(&s.name.value),
                s.provider
                    .as_ref()
                    .map(|p| format!(" ({p})"))
                    .unwrap_or_default()
            ),
            strong: true,
        });
    }
    for t in &job.id_tokens {
        out.push(Held {
            file: t.file,
            span: t.span,
            what: format!("ID token `{}`", quoted(&t.value)),
            strong: true,
        });
    }
    for t in &job.tags {
        if privileged_runner(&t.value) {
            out.push(Held {
                file: t.file,
                span: t.span,
                what: format!("runner tag `{}`", quoted(&t.value)),
                strong: true,
            });
        }
    }
    if let Some(env) = &job.environment
        && deployment(&env.value)
    {
        out.push(Held {
            file: env.file,
            span: env.span,
            what: format!("environment `{}`", quoted(&env.value)),
            strong: false,
        });
    }
    let mut seen: Vec<String> = Vec::new();
    for line in job.lines() {
        for (name, inner) in variable_refs(&line.text.value) {
            if seen.contains(&name) || !credential_name(&name) || defined(config, job, &name) {
                continue;
            }
            out.push(Held {
                file: line.text.file,
                span: line.file_span(inner),
                what: format!("variable `${}`", quoted(&name)),
                strong: false,
            });
            seen.push(name);
        }
    }
    out
}

/// A runner tag that names a machine the project keeps for itself: privileged Docker,
/// the shell executor, a self-hosted machine.
fn privileged_runner(tag: &str) -> bool {
    let t = tag.to_ascii_lowercase();
    if t.contains("self-hosted") || t.contains("selfhosted") || t.contains("self_hosted") {
        return true;
    }
    t.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w == "privileged" || w == "shell")
}

/// An environment that deploys somewhere lasting: not a review app (`review/…`, or a name
/// made per merge request from a variable), which GitLab designs for merge requests.
fn deployment(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    !n.is_empty() && !n.contains('$') && !n.starts_with("review") && !n.starts_with("preview")
}

/// A variable name that says it holds a credential.
fn credential_name(name: &str) -> bool {
    if name.starts_with("CI_") || name.starts_with("GITLAB_") {
        // Predefined: the job token and the registry password exist in every pipeline.
        return false;
    }
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper.split('_').filter(|w| !w.is_empty()).collect();
    let pair = |a: &str, b: &str| words.windows(2).any(|w| w[0] == a && w[1] == b);
    words.iter().any(|w| {
        matches!(
            *w,
            "TOKEN" | "PASSWORD" | "PASSWD" | "SECRET" | "APIKEY" | "CREDENTIALS" | "PAT"
        )
    }) || pair("API", "KEY")
        || pair("PRIVATE", "KEY")
        || pair("ACCESS", "KEY")
        || pair("SSH", "KEY")
        || pair("DEPLOY", "KEY")
        || pair("SIGNING", "KEY")
}

/// Whether the configuration gives `name` a value itself (the job's or the top-level
/// `variables:`): then it is not a project variable.
fn defined(config: &Config, job: &Job, name: &str) -> bool {
    job.variables
        .iter()
        .chain(&config.variables)
        .any(|v| v.name.value == name)
}

/// `$NAME` and `${NAME}` references in a script line, with their spans in it.
fn variable_refs(text: &str) -> Vec<(String, Span)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        let braced = b.get(i + 1) == Some(&b'{');
        let start = i + 1 + usize::from(braced);
        let mut j = start;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
            j += 1;
        }
        if j > start && !b[start].is_ascii_digit() {
            out.push((text[start..j].to_owned(), Span::new(i, j)));
        }
        i = j.max(i + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{credential_name, deployment, privileged_runner, variable_refs};

    #[test]
    fn names() {
        for n in [
            "DEPLOY_TOKEN",
            "NPM_TOKEN",
            "DOCKER_PASSWORD",
            "AWS_SECRET_ACCESS_KEY",
            "SSH_PRIVATE_KEY",
            "GH_PAT",
            "API_KEY",
        ] {
            assert!(credential_name(n), "{n}");
        }
        for n in [
            "CI_JOB_TOKEN",
            "CI_REGISTRY_PASSWORD",
            "TOKENIZER",
            "KEY",
            "PATH",
            "SECRETARY",
        ] {
            assert!(!credential_name(n), "{n}");
        }
        assert!(privileged_runner("docker-privileged"));
        assert!(privileged_runner("shell"));
        assert!(privileged_runner("self-hosted-arm64"));
        assert!(!privileged_runner("shellcheck"));
        assert!(!privileged_runner("saas-linux-small-amd64"));
        assert!(deployment("production"));
        assert!(!deployment("review/$CI_COMMIT_REF_SLUG"));
        let r = variable_refs("curl -H \"x: ${A_TOKEN}\" $B $1 $$");
        let names: Vec<&str> = r.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["A_TOKEN", "B"]);
    }
}

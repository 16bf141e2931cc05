//! GitLab jobs in the delivery inventory.
//!
//! A GitLab job's shell sessions (`before_script` with `script`, then `after_script`)
//! are its step nodes in the graph; each is read as a step with a `run:` script
//! ([`tollgate_graph::GitlabJob::steps`]), so the second pass reads its installs and
//! downloads exactly as it reads a GitHub step's. The scripts' analyses are kept on the
//! configuration's root file, which may not be the file a session is written in.
//!
//! At the job's level: its `image:` and `services:`, the pipeline's includes of outside
//! configuration (every job of the pipeline is read from the configuration they can
//! change) and those of the child pipeline its `trigger:` starts. GitLab reads an include when it creates the pipeline, not the runner, so
//! an include is not external to the job's run: it has no fallback to add.

//!
//! GitLab's own fallbacks: the job's `cache:` (restored before its first session, and
//! matched by its paths as a cache action's `path:`), `retry:` for the failures a
//! dependency's outage causes, an image's `pull_policy` that takes the runner's copy,
//! and the dependency proxy.

use tollgate_gitlab::{IncludeKind, IncludePin};

use super::{CacheCover, Collector, plain};
use crate::model::{DependencyKind, Fallback, FallbackKind, JobDependency, Pinning};

/// The failure reasons GitLab gives a job whose script failed: an install or download
/// that could not reach its host. <https://docs.gitlab.com/ci/yaml/#retrywhen>
const SCRIPT_FAILURES: &[&str] = &["script_failure"];

/// The failure reasons of an image that could not be pulled: `script_failure` on the
/// Docker and Kubernetes executors (GitLab's `retry:when` documentation),
/// `image_pull_failure` on runners from 16.1, reported as `runner_system_failure` where
/// GitLab does not know it (gitlab-runner!4098).
const PULL_FAILURES: &[&str] = &[
    "script_failure",
    "runner_system_failure",
    "image_pull_failure",
];

/// An image pulled through GitLab's dependency proxy, which keeps the images it served
/// (`<host>/<group>/dependency_proxy/containers/<image>`; the
/// `$CI_DEPENDENCY_PROXY_*_IMAGE_PREFIX` variables name it too and are not read as a
/// registry at all). <https://docs.gitlab.com/user/packages/dependency_proxy/>
fn dependency_proxy(name: &str) -> bool {
    name.contains("/dependency_proxy/containers/")
}

/// A path that starts with a variable the configuration sets (`$PIP_CACHE_DIR` for
/// `$CI_PROJECT_DIR/.cache/pip`), with the variable's value in its place.
fn leading_variable(path: &str, vars: &[&tollgate_gitlab::Variable]) -> String {
    for v in vars {
        let Some(value) = &v.value else { continue };
        let name = &v.name.value;
        for pattern in [format!("${{{name}}}"), format!("${name}")] {
            if let Some(rest) = path.strip_prefix(&pattern)
                && !rest
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                return format!("{}{rest}", value.value.trim());
            }
        }
    }
    path.to_owned()
}

/// The registry an image reference names after its own registry's host
/// (`registry.cern.ch/ghcr.io/org/image` → `ghcr.io`): the image comes through a proxy.
fn proxied_registry(name: &str) -> Option<&str> {
    let mut parts = name.trim().split('/');
    let host = parts.next()?;
    let next = parts.next()?;
    let registry_like = |s: &str| s.contains('.') && !s.contains(':') && !s.starts_with('.');
    (registry_like(host) && registry_like(next) && parts.next().is_some()).then_some(next)
}

/// A cached path as written, relative to the project directory.
fn project_relative(p: &str) -> &str {
    let p = p.trim();
    for pre in ["$CI_PROJECT_DIR/", "${CI_PROJECT_DIR}/", "./"] {
        if let Some(r) = p.strip_prefix(pre) {
            return r;
        }
    }
    p
}

impl Collector<'_> {
    /// Images and includes of a GitLab job.
    pub(super) fn gitlab_level(&mut self) {
        let Some(gl) = self.gitlab.as_ref() else {
            return;
        };
        let (config, job) = (gl.config, gl.job);
        let place = |file: usize| {
            let id = self.graph.input_id(config.files.get(file)?)?;
            Some((id, self.graph.input(self.scan, id)?))
        };
        let mut found = Vec::new();
        for image in job.image.iter().chain(&job.services) {
            let name = image.name.value.trim();
            // A `parallel: matrix:` variable: each value, where it is written; another
            // `$VAR` is named at run time.
            let mut names = job.matrix_values(name);
            if names.is_empty() {
                names.push((name.to_owned(), image.name.clone()));
            }
            // `$VAR` with a literal `variables:` value (the job's, then the pipeline's).
            let vars: Vec<&tollgate_gitlab::Variable> =
                job.variables.iter().chain(&config.variables).collect();
            for (n, _) in &mut names {
                if let Some(x) = tollgate_gitlab::expand_variables(n, &vars) {
                    *n = x;
                }
            }
            for (name, at) in names {
                // A hosted macOS runner's VM image is no registry pull.
                if tollgate_gitlab::Image::is_hosted_macos_vm(&name) {
                    continue;
                }
                if let Some((id, input)) = place(at.file) {
                    let site = self.site(id, input, at.span, None);
                    if let Some(mut d) = self.image_dep(&name, site) {
                        image_fallbacks(image, &name, &mut d);
                        found.push(d);
                    }
                }
            }
        }
        // The pipeline's includes, then those of the child pipeline the job triggers.
        let includes = config
            .includes
            .iter()
            .zip(config.include_files.iter().copied())
            .chain(
                job.trigger
                    .iter()
                    .flat_map(|t| t.include.iter().map(move |i| (i, t.file))),
            );
        for (inc, file) in includes {
            let (source, hosts) = match inc.kind {
                IncludeKind::Project | IncludeKind::Template => (inc.kind, Vec::new()),
                IncludeKind::Remote => (
                    inc.kind,
                    tollgate_graph::util::host_of(inc.target.value.trim())
                        .into_iter()
                        .collect(),
                ),
                IncludeKind::Component => (
                    inc.kind,
                    inc.target
                        .value
                        .trim()
                        .split('/')
                        .next()
                        .filter(|h| h.contains('.') && !h.contains('$'))
                        .map(str::to_owned)
                        .into_iter()
                        .collect(),
                ),
                IncludeKind::Local | IncludeKind::Artifact => continue,
            };
            let Some((id, input)) = place(file) else {
                continue;
            };
            let pinning = match inc.pin() {
                IncludePin::Commit => Pinning::pinned("commit SHA"),
                IncludePin::Mutable => Pinning::floating(match (source, &inc.reference) {
                    (IncludeKind::Project, None) => "default branch",
                    (IncludeKind::Project, Some(_)) => "branch or tag",
                    (IncludeKind::Component, _) => "version",
                    _ => "URL",
                }),
                IncludePin::Dynamic => {
                    Pinning::not_applicable("chosen when the pipeline is created")
                }
                IncludePin::NotApplicable => {
                    Pinning::not_applicable("versioned with the GitLab instance")
                }
            };
            let target = inc.target.value.trim();
            let names: Vec<String> = if source == IncludeKind::Project && !inc.files.is_empty() {
                inc.files
                    .iter()
                    .map(|f| {
                        let f = f.value.trim();
                        let sep = if f.starts_with('/') { "" } else { "/" };
                        match &inc.reference {
                            Some(r) => format!("{target}:{sep}{f}@{}", r.value.trim()),
                            None => format!("{target}:{sep}{f}"),
                        }
                    })
                    .collect()
            } else {
                vec![target.to_owned()]
            };
            for name in names {
                let site = self.site(id, input, inc.target.span, None);
                let mut d = plain(
                    DependencyKind::Include,
                    format!("include {} {name}", source.as_str()),
                    format!("{}: {name}", source.as_str()),
                    hosts.clone(),
                    false,
                    pinning.clone(),
                    site,
                );
                d.note = Some(
                    "read by GitLab when it creates the pipeline: it can change every job"
                        .to_owned(),
                );
                found.push(d);
            }
        }
        for d in found {
            self.push(d, 0, None);
        }
    }
}

/// What GitLab offers an image of `image:` or `services:` in place of a pull.
fn image_fallbacks(image: &tollgate_gitlab::Image, name: &str, d: &mut JobDependency) {
    if dependency_proxy(name) {
        d.fallbacks.push(Fallback {
            kind: FallbackKind::Mirror,
            detail: "pulled through GitLab's dependency proxy".to_owned(),
        });
    }
    // A registry that proxies another under its name (`registry.cern.ch/ghcr.io/...`,
    // Harbor's proxy-cache projects): a mirror the organisation runs.
    if let Some(upstream) = proxied_registry(name) {
        d.fallbacks.push(Fallback {
            kind: FallbackKind::Mirror,
            detail: format!("pulled through a proxy of `{upstream}`"),
        });
    }
    // `if-not-present` takes the runner's copy of the image when it has one; after
    // `always`, only when the pull fails. <https://docs.gitlab.com/ci/yaml/#imagepull_policy>
    if image
        .pull_policy
        .iter()
        .any(|p| p.value.trim() == "if-not-present")
    {
        d.fallbacks.push(Fallback {
            kind: FallbackKind::Cache,
            detail: "`pull_policy: if-not-present` uses the runner's copy".to_owned(),
        });
    }
}

impl Collector<'_> {
    /// The job's `cache:` entries that restore, as caches in place before its first
    /// session.
    pub(super) fn gitlab_caches(&mut self) {
        let Some((config, job)) = self.gitlab.as_ref().map(|g| (g.config, g.job)) else {
            return;
        };
        let vars: Vec<&tollgate_gitlab::Variable> =
            job.variables.iter().chain(&config.variables).collect();
        for cache in job.caches.iter().filter(|c| c.restores) {
            let paths: Vec<String> = cache
                .paths
                .iter()
                .map(|p| project_relative(&leading_variable(p.value.trim(), &vars)).to_owned())
                .filter(|p| !p.is_empty())
                .collect();
            let ecosystems: Vec<String> = paths
                .iter()
                .flat_map(|p| self.path_ecosystems(p).collect::<Vec<_>>())
                .collect();
            if paths.is_empty() {
                continue;
            }
            let detail = format!("GitLab `cache:` of `{}`", paths.join("`, `"));
            self.caches.push(CacheCover {
                pos: None,
                ecosystems,
                paths,
                detail,
            });
        }
    }

    /// `retry:` of a GitLab job, when it runs the job again on the failure an outage of
    /// `dep` causes: a pull of the job's image or a service's, else its script's.
    pub(super) fn gitlab_retry(&self, dep: &JobDependency) -> Option<Fallback> {
        let retry = self.gitlab.as_ref()?.job.retry.as_ref()?;
        let pull = dep.kind == DependencyKind::Image
            && dep.site.as_ref().is_some_and(|s| s.step.is_none());
        let reasons = if pull { PULL_FAILURES } else { SCRIPT_FAILURES };
        retry.on_any(reasons).then(|| Fallback {
            kind: FallbackKind::Retry,
            detail: if retry.when.is_empty() {
                format!("`retry: {}`", retry.max)
            } else {
                format!(
                    "`retry: max: {}` on `{}`",
                    retry.max,
                    retry.when.join("`, `")
                )
            },
        })
    }
}

/// The advice for a GitLab job, in GitLab's terms (the knowledge base's names actions).
pub(super) fn help(dep: &mut JobDependency) {
    let text = match dep.kind {
        DependencyKind::PackageSource => {
            "keep the package manager's downloads in GitLab's `cache:` (a path in the project, such as `.cache/pip` with `PIP_CACHE_DIR` or `.npm` with `npm ci --cache .npm`), use a mirror, or retry (`retry:` on `script_failure`)"
        }
        DependencyKind::Download => {
            "retry the download (`curl --retry 5`, `wget --tries 5`), keep the file in GitLab's `cache:`, or retry the job (`retry:` on `script_failure`)"
        }
        // `docker pull`/`run` in the script.
        DependencyKind::Image if dep.site.as_ref().is_some_and(|s| s.step.is_some()) => {
            "pull the image through GitLab's dependency proxy or a registry you run, or retry the pull (in the script, or `retry:` on `script_failure`)"
        }
        DependencyKind::Image => {
            "pull the image through GitLab's dependency proxy or a registry you run, let the runner use its copy (`pull_policy: [always, if-not-present]`), or retry the pull (`retry:` on `script_failure` and `runner_system_failure`)"
        }
        _ => return,
    };
    dep.help = Some(text.into());
}

/// Whether `name` (an image reference, or a download's `git <url>` or URL) is served by
/// the project's own GitLab, as `$CI_REGISTRY_IMAGE` and `$CI_REPOSITORY_URL` are: the
/// instance the repository lives on (when its identity names a host other than
/// github.com) and its registry, or a path of the repository's own group on GitLab.com.
/// The pipeline runs on that instance: it is no outside party the job could fall back
/// from.
pub(super) fn own_instance(repo: &tollgate_model::repo::Repository, name: &str) -> bool {
    // A download's name: `git <url>`, `release <url>` or `downloads from <host>`.
    let name = name.trim();
    let rest = ["git ", "release ", "downloads from "]
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .unwrap_or(name);
    let rest = rest.split_once("://").map_or(rest, |(_, r)| r);
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = authority
        .split_once(':')
        .map_or(authority, |(h, _)| h)
        .to_ascii_lowercase();
    let own = repo.host.to_ascii_lowercase();
    // The instance's registry: `registry.<instance>`, or a registry in the same domain
    // (`gitlab-registry.cern.ch` for `gitlab.cern.ch`, `registry.videolan.org` for
    // `code.videolan.org`).
    let domain = |h: &str| {
        let labels: Vec<&str> = h.rsplitn(3, '.').take(2).collect();
        (labels.len() == 2).then(|| format!("{}.{}", labels[1], labels[0]))
    };
    if own != "github.com"
        && (host == own
            || host.contains("registry")
                && domain(&host).is_some()
                && domain(&host) == domain(&own))
    {
        return true;
    }
    // A slug names no forge (it reads as github.com): GitLab.com is then taken for the
    // project's instance only where a path is in the repository's own group.
    let group = repo.owner.split('/').next().unwrap_or_default();
    matches!(own.as_str(), "github.com" | "gitlab.com")
        && matches!(host.as_str(), "gitlab.com" | "registry.gitlab.com")
        && !group.is_empty()
        && path
            .split('/')
            .next()
            .is_some_and(|g| g.eq_ignore_ascii_case(group))
}

#[cfg(test)]
mod tests {
    use super::own_instance;
    use tollgate_model::repo::Repository;

    #[test]
    fn proxied_registries() {
        use super::proxied_registry;
        assert_eq!(
            proxied_registry("registry.cern.ch/ghcr.io/acts-project/ubuntu2404:87"),
            Some("ghcr.io")
        );
        assert_eq!(proxied_registry("ghcr.io/acts-project/ubuntu2404:87"), None);
        assert_eq!(proxied_registry("registry.example.com/team/img:1.2"), None);
        assert_eq!(proxied_registry("docker.io/library/python:3.12"), None);
    }

    #[test]
    fn the_projects_own_gitlab() {
        let on_github = Repository::from_slug("xen-project/xen", "test").expect("slug");
        assert!(own_instance(
            &on_github,
            "registry.gitlab.com/xen-project/xen/debian:12"
        ));
        assert!(own_instance(
            &on_github,
            "git https://gitlab-ci-token:${CI_JOB_TOKEN}@gitlab.com/Xen-Project/other.git"
        ));
        assert!(!own_instance(
            &on_github,
            "registry.gitlab.com/gitlab-org/cli:v1"
        ));
        assert!(!own_instance(&on_github, "docker.io/xen-project/xen"));
        let own =
            Repository::from_remote_url("https://code.videolan.org/videolan/dav1d.git", "test")
                .expect("url");
        assert!(own_instance(
            &own,
            "registry.code.videolan.org/dav1d-debian:1"
        ));
        assert!(own_instance(
            &own,
            "git https://code.videolan.org/videolan/dav1d-test-data.git"
        ));
        assert!(own_instance(&own, "registry.videolan.org/dav1d-debian:1"));
        assert!(own_instance(&own, "downloads from code.videolan.org"));
        assert!(!own_instance(&own, "videolan.org/dav1d-debian:1"));
        assert!(!own_instance(&own, "registry.example.org/dav1d-debian:1"));
        assert!(!own_instance(&own, "gitlab.com/videolan/x"));
    }
}

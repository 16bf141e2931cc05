//! `missing-fallback`: an external delivery dependency of a job (a package registry, a
//! toolchain or release download, an image registry, a git host other than GitHub) with
//! no cache, mirror, vendored copy or retry in that job.
//!
//! The dependencies and their fallbacks are the delivery pass's record in the graph
//! (`tollgate_inventory::dependencies`), so this rule and `tollgate inventory` never
//! disagree. A composite action's step used by several jobs
//! is one finding that names the jobs; so is a GitLab template line, with every
//! dependency its jobs make of it (`image: ${REGISTRY}/${CONTAINER}`).

use std::collections::BTreeMap;

use tollgate_engine::{Context, Rule, Sink};
use tollgate_inventory::{DependencyKind, JobDependency, job_ref};
use tollgate_model::{Confidence, Impact};
use tollgate_scan::FileModel;

use super::is_release_workflow;

pub struct MissingFallback;

fn kind_words(d: &JobDependency) -> &'static str {
    match d.kind {
        DependencyKind::PackageSource => "package source",
        DependencyKind::Toolchain => "toolchain download",
        DependencyKind::Image => "image",
        DependencyKind::Download => "download",
        DependencyKind::Action => "action",
        DependencyKind::ReusableWorkflow => "reusable workflow",
        DependencyKind::Cache => "cache",
        DependencyKind::Include => "include",
    }
}

/// `` `a` ``, `` `a` and `b` ``, `` `a`, `b` and 3 more ``.
fn names(v: &[String]) -> String {
    let shown: Vec<String> = v.iter().take(3).map(|s| format!("`{s}`")).collect();
    match v.len() {
        0 => String::new(),
        1 => shown.join(""),
        2 | 3 => {
            let (last, rest) = shown
                .split_last()
                .map_or((String::new(), &[][..]), |(l, r)| (l.clone(), r));
            format!("{} and {last}", rest.join(", "))
        }
        n => format!("{} and {} more", shown.join(", "), n - 3),
    }
}

struct Hit {
    dep: JobDependency,
    /// The dependencies' names and hosts: one, or on a GitLab template line that
    /// `$VARIABLES` make a different image for each job, every one of them.
    names: Vec<String>,
    hosts: Vec<String>,
    jobs: Vec<String>,
    release: bool,
    /// Every job is on a GitHub-hosted runner, outside a container.
    hosted: bool,
}

/// A GitHub-hosted runner image by its label (`ubuntu-24.04`, `windows-latest`,
/// `macos-15`), with no job container: its apt sources point at the runner's own package
/// mirror (<https://github.com/actions/runner-images>, `apt-mirrors.txt`).
fn github_hosted(job: &tollgate_gha::Job) -> bool {
    let Some(r) = &job.runs_on else { return false };
    job.container.is_none()
        && !r.is_self_hosted()
        && !r.is_dynamic()
        && r.labels.iter().any(|l| {
            let l = l.value.to_ascii_lowercase();
            ["ubuntu-", "windows-", "macos-"]
                .iter()
                .any(|p| l.starts_with(p))
        })
}

/// OS packages (apt, dnf) installed on a GitHub-hosted runner come through the runner's
/// mirror, which GitHub runs with the runner: a finding worth less than others.
fn hosted_os_packages(d: &JobDependency) -> bool {
    d.kind == DependencyKind::PackageSource && matches!(d.ecosystem.as_deref(), Some("apt" | "rpm"))
}

impl Rule for MissingFallback {
    fn id(&self) -> &'static str {
        "missing-fallback"
    }

    fn check_scan(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let release_severity = cx
            .config
            .options("missing-fallback")
            .and_then(|o| o.get("release-severity"))
            .and_then(|v| v.as_str())
            .and_then(Impact::parse);
        // (file, offset, dependency) → the jobs that take it on there without a fallback.
        let mut hits: BTreeMap<(usize, usize, String), Hit> = BTreeMap::new();
        for job in cx.graph.jobs() {
            let jr = job_ref(cx.graph, job);
            let release = cx
                .graph
                .node(job)
                .and_then(|n| n.origin)
                .and_then(|o| cx.graph.input(cx.scan, o.input()))
                .is_some_and(|i| match &*i.parsed {
                    FileModel::Workflow(wf) => is_release_workflow(&i.source.display, wf),
                    _ => false,
                });
            let hosted = cx
                .graph
                .job_model(cx.scan, job)
                .is_some_and(|(_, j)| github_hosted(j));
            // A GitLab template line is one finding, whatever each job makes of it.
            let gitlab = cx.graph.gitlab_job(cx.scan, job).is_some();
            for d in tollgate_inventory::dependencies(cx.graph, job) {
                if !d.external || !d.fallbacks.is_empty() || d.kind == DependencyKind::Cache {
                    continue;
                }
                let Some(site) = &d.site else { continue };
                let key = (
                    site.origin.input().0,
                    site.origin.span().start(),
                    if gitlab {
                        format!("gitlab {}", kind_words(d))
                    } else {
                        d.key.clone()
                    },
                );
                let hit = hits.entry(key).or_insert_with(|| Hit {
                    dep: d.clone(),
                    names: Vec::new(),
                    hosts: Vec::new(),
                    jobs: Vec::new(),
                    release: false,
                    hosted: true,
                });
                // A GitHub finding names the first place's dependency, as before.
                if gitlab || hit.names.is_empty() {
                    if !hit.names.contains(&d.name) {
                        hit.names.push(d.name.clone());
                    }
                    for h in &d.hosts {
                        if !hit.hosts.contains(h) {
                            hit.hosts.push(h.clone());
                        }
                    }
                }
                hit.jobs.push(jr.job.clone());
                hit.release |= release;
                hit.hosted &= hosted;
            }
        }
        for hit in hits.into_values() {
            let d = &hit.dep;
            let Some(site) = &d.site else { continue };
            let Some(input) = cx.graph.input(cx.scan, site.origin.input()) else {
                continue;
            };
            let mut jobs = hit.jobs.clone();
            jobs.dedup();
            let who = if jobs.len() == 1 {
                format!("job {}", names(&jobs))
            } else {
                format!("jobs {}", names(&jobs))
            };
            let hosted_os = hit.hosted && hosted_os_packages(d);
            let hosts = if hit.hosts.is_empty() {
                String::new()
            } else {
                format!(" on `{}`", hit.hosts.join("`, `"))
            };
            let what = if hit.names.len() > 1 {
                format!("{}s {}", kind_words(d), names(&hit.names))
            } else {
                format!("{} `{}`", kind_words(d), d.name)
            };
            let mut f = out
                .at(&input.source, site.origin.span())
                .message(format!(
                    "{who} {} on {what}{hosts} with no cache, mirror, vendored copy or retry",
                    if jobs.len() == 1 { "depends" } else { "depend" },
                ))
                .help({
                    let help = d.help.clone().unwrap_or(std::borrow::Cow::Borrowed(
                        "add a cache, a mirror, a vendored copy or a retry",
                    ));
                    if hosted_os {
                        format!("{help}; on a GitHub-hosted runner the packages come through the runner's own mirror, so an outage is less likely").into()
                    } else {
                        help
                    }
                })
                .job((jobs.len() == 1).then(|| jobs[0].as_str()));
            // Setup actions use a version already in a GitHub-hosted runner's tool cache
            // without downloading it; which versions those images hold is not known here.
            if d.kind == DependencyKind::Toolchain {
                f = f.confidence(Confidence::Medium);
            }
            // GitHub runs the mirror with the runner: such a finding stays a low note
            // of low confidence, in release workflows too.
            if hosted_os {
                f = f.confidence(Confidence::Low);
            } else if hit.release
                && let Some(s) = release_severity
            {
                f = f.severity(s);
            }
            // workflow → job → step → the dependency → each host it is fetched from.
            let at = input.source.location(site.origin.span());
            let mut path = tollgate_engine::context_path(cx.scan, cx.graph, &at);
            if !path.is_empty() && !hit.hosts.is_empty() {
                let (noun, hosts) = match hit.hosts.as_slice() {
                    [one] => ("host", format!("`{one}`")),
                    many => ("hosts", format!("`{}`", many.join("`, `"))),
                };
                path.push(tollgate_model::PathHop {
                    label: format!("{noun} {hosts}, with no fallback"),
                    location: None,
                });
            }
            f.path(path).emit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{github_hosted, names};
    use tollgate_model::SourceFile;

    fn hosted(job: &str) -> bool {
        let text = format!("on: push\njobs:\n  a:\n{job}    steps:\n      - run: echo\n");
        let f = SourceFile::new("ci.yml", "ci.yml", text);
        let (wf, _) = tollgate_gha::parse_workflow(&f);
        wf.and_then(|wf| wf.jobs.first().map(github_hosted))
            .expect("one job")
    }

    #[test]
    fn hosted_runners() {
        assert!(hosted("    runs-on: ubuntu-latest\n"));
        assert!(hosted("    runs-on: ubuntu-24.04\n"));
        assert!(hosted("    runs-on: [windows-2022]\n"));
        assert!(hosted("    runs-on: macos-15\n"));
        // A container brings its own distribution's mirrors.
        assert!(!hosted(
            "    runs-on: ubuntu-latest\n    container: debian:12\n"
        ));
        assert!(!hosted("    runs-on: [self-hosted, linux]\n"));
        assert!(!hosted("    runs-on: ${{ matrix.os }}\n"));
        assert!(!hosted("    runs-on: arc-runner-set\n"));
    }

    #[test]
    fn name_lists() {
        let v = |n: usize| (0..n).map(|i| format!("j{i}")).collect::<Vec<_>>();
        assert_eq!(names(&v(1)), "`j0`");
        assert_eq!(names(&v(2)), "`j0` and `j1`");
        assert_eq!(names(&v(3)), "`j0`, `j1` and `j2`");
        assert_eq!(names(&v(5)), "`j0`, `j1`, `j2` and 2 more");
    }
}

//! A GitLab CI configuration in the graph, through the node and edge kinds the GitHub
//! front end uses: the pipeline is a `workflow` node (the root file's), each visible job a
//! `job` node, each shell session of a job (`before_script` with `script`, then
//! `after_script`) a `step` node whose commands come from the shell analysis, `image:` and
//! `services:` `pulls` edges, `id_tokens:` the OIDC node and `secrets:` secret nodes the
//! job holds, `needs:` edges between jobs.
//!
//! A value written in an included file keeps its place there: the nodes and edges of a
//! job defined in `ci/build.yml` have their origin in that input.

use std::collections::HashSet;

use tollgate_gitlab::{Config, Image, Variable, expand_variables};
use tollgate_model::Span;
use tollgate_scan::gitlab::GitlabModel;

use crate::fragment::{FRef, FragmentBuilder, Key};
use crate::model::{Access, EdgeKind, InputId, NodeKind};

/// The permission node every GitLab job holds: its job token.
const JOB_TOKEN: &str = "CI_JOB_TOKEN";

/// The input of file `file` of `config` (the root is the fragment's own input).
fn input_of(cx: &FragmentBuilder<'_>, config: &Config, file: usize) -> Option<InputId> {
    if file == 0 {
        return Some(cx.id);
    }
    cx.file(config.files.get(file)?)
}

/// Run `f` with the builder's origins in input `at` (the file a value is written in).
fn in_file<T>(
    cx: &mut FragmentBuilder<'_>,
    at: Option<InputId>,
    f: impl FnOnce(&mut FragmentBuilder<'_>) -> T,
) -> Option<T> {
    let at = at?;
    let own = cx.id;
    cx.id = at;
    let out = f(cx);
    cx.id = own;
    Some(out)
}

/// The package registries `variables:` set (`PIP_INDEX_URL`, `NPM_CONFIG_REGISTRY`,
/// `UV_INDEX_URL`, `GOPROXY`, …), as `resolves-from` edges from `owner` (the pipeline for
/// the top-level `variables:`, else the job), read as a GitHub `env:` is. A value is
/// expanded with the literal values of the job's and the pipeline's variables first; one
/// still holding a `$` is only known at run time and names no source: that covers the
/// project's own GitLab package registry (`${CI_API_V4_URL}/projects/${CI_PROJECT_ID}/
/// packages/pypi/simple`), which is the project's own source. A variable written once and
/// shared by many jobs (a template's) is named once, with an edge from each job.
fn variable_sources(
    cx: &mut FragmentBuilder<'_>,
    config: &Config,
    owner: &FRef,
    vars: &[Variable],
    scope: &[&Variable],
    named: &mut HashSet<(usize, Span)>,
) {
    for v in vars {
        let Some(value) = &v.value else { continue };
        let expanded = if v.raw {
            None
        } else {
            expand_variables(&value.value, scope)
        };
        let text = expanded.as_deref().unwrap_or(&value.value);
        if text.contains('$') || text.trim().is_empty() {
            continue;
        }
        let span = if value.file == v.name.file {
            v.name.span.cover(value.span)
        } else {
            v.name.span
        };
        let first = named.insert((v.name.file, span));
        let at = input_of(cx, config, v.name.file);
        in_file(cx, at, |cx| {
            cx.env_source(owner, &v.name.value, text, span, first);
        });
    }
}

fn pull(cx: &mut FragmentBuilder<'_>, config: &Config, job: &FRef, image: &Image) {
    let name = image.name.value.trim();
    if name.is_empty() || Image::is_hosted_macos_vm(name) {
        return;
    }
    let at = input_of(cx, config, image.name.file);
    in_file(cx, at, |cx| {
        let i = cx.image(name, image.name.span);
        cx.edge(job, &i, EdgeKind::Pulls, Some(image.name.span));
    });
}

/// The fragment of a GitLab CI file: nothing for a file another one includes (its jobs
/// are the including configuration's), the pipeline for a configuration's root.
pub(crate) fn pipeline(cx: &mut FragmentBuilder<'_>, model: &GitlabModel) {
    let Some(config) = model.config.as_deref() else {
        return;
    };
    let path = cx.input.source.display.clone();
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
    let wnode = cx.shared(
        Key::File(cx.id),
        NodeKind::Workflow {
            path,
            name: config
                .workflow
                .as_ref()
                .and_then(|w| w.name.as_ref())
                .map(|n| n.value.clone()),
        },
        Some(Span::empty(0)),
    );
    crate::gitlab_nodes::includes(cx, config, &wnode, |cx, f| input_of(cx, config, f));
    crate::gitlab_triggers::triggers(cx, config, &wnode);
    let mut named = HashSet::new();
    let globals: Vec<&Variable> = config.variables.iter().collect();
    variable_sources(cx, config, &wnode, &config.variables, &globals, &mut named);
    let mut jobs: Vec<(String, FRef)> = Vec::with_capacity(config.jobs.len());
    for (index, job) in config.jobs.iter().enumerate() {
        let at = input_of(cx, config, job.name.file);
        let Some(jn) = in_file(cx, at, |cx| {
            let jn = cx.local(
                NodeKind::Job {
                    index,
                    id: job.name.value.clone(),
                    name: None,
                },
                job.span,
                Some(&wnode),
            );
            cx.edge(&wnode, &jn, EdgeKind::Contains, Some(job.name.span));
            jn
        }) else {
            continue;
        };
        crate::gitlab_nodes::job(cx, job, &jn, |cx, f| input_of(cx, config, f));
        let scope: Vec<&Variable> = job.variables.iter().chain(&config.variables).collect();
        variable_sources(cx, config, &jn, &job.variables, &scope, &mut named);
        for image in job.image.iter().chain(&job.services) {
            pull(cx, config, &jn, image);
        }
        // Every GitLab job holds the job token, `CI_JOB_TOKEN`: the access of the user
        // who started the pipeline, limited to the job token's features (among them
        // pushing to the project's container and package registries) and by project
        // settings the files do not show. It can write; it is no GitHub token scope.
        let at = input_of(cx, config, job.name.file);
        in_file(cx, at, |cx| {
            let key = Key::Permission(JOB_TOKEN.to_owned(), Access::Write);
            let kind = NodeKind::Permission {
                scope: JOB_TOKEN.to_owned(),
                access: Access::Write,
            };
            let node = cx.shared(key, kind, Some(job.name.span));
            cx.edge(&jn, &node, EdgeKind::Holds, Some(job.name.span));
        });
        for t in &job.id_tokens {
            let at = input_of(cx, config, t.file);
            in_file(cx, at, |cx| {
                let node = cx.shared(Key::Oidc, NodeKind::Oidc, Some(t.span));
                cx.edge(&jn, &node, EdgeKind::Holds, Some(t.span));
            });
        }
        for s in &job.secrets {
            let at = input_of(cx, config, s.name.file);
            in_file(cx, at, |cx| {
                let name = Some(s.name.value.clone());
                let node = cx.shared(
                    Key::Secret(name.clone()),
                    NodeKind::Secret { name },
                    Some(s.name.span),
                );
                cx.edge(&jn, &node, EdgeKind::Holds, Some(s.name.span));
            });
        }
        for (k, session) in job.sessions().iter().enumerate() {
            let at = input_of(cx, config, session.file);
            let analysis = cx
                .input
                .script(Some(index), k)
                .and_then(|s| s.analysis.clone());
            // The session's lines, so that a finding inside them is found in the step.
            let first = session.file_span(Span::new(0, session.text.len()));
            let label = if session.after {
                "after_script"
            } else {
                "script"
            };
            let dir = dir.clone();
            in_file(cx, at, |cx| {
                let step = cx.local(
                    NodeKind::Step {
                        job: Some(index),
                        index: k,
                        label: label.to_owned(),
                    },
                    first,
                    Some(&jn),
                );
                cx.edge(&jn, &step, EdgeKind::Contains, Some(first));
                if let Some(a) = analysis {
                    cx.script_facts(
                        &step,
                        &a,
                        &session.text,
                        &|s| session.file_span(s),
                        Some(dir),
                    );
                }
            });
        }
        jobs.push((job.name.value.clone(), jn));
    }
    for (job, (_, jn)) in config.jobs.iter().zip(&jobs) {
        for need in &job.needs {
            if let Some((_, target)) = jobs.iter().find(|(id, _)| *id == need.value) {
                let at = input_of(cx, config, need.file);
                in_file(cx, at, |cx| {
                    cx.edge(jn, target, EdgeKind::Needs, Some(need.span));
                });
            }
        }
    }
}

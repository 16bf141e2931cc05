//! The nodes of a GitLab CI pipeline that are not jobs or scripts: its includes of
//! outside configuration and the runners its jobs ask for by `tags:`.
//!
//! - An `include:` of another project's file, a URL, a GitLab template or a CI/CD
//!   component is an `include` node with its pin state (a `ref:` or component version
//!   that is not a full commit SHA can move), which the pipeline `uses`; an include of a
//!   child pipeline's `trigger:` is used by the job that triggers it. `local:` and
//!   `artifact:` includes are files of the repository or of the pipeline: not nodes (the
//!   local files' jobs are the pipeline's own).
//! - `image:` and `services:` named by a `parallel: matrix:` variable pull each image
//!   the matrix names, from where its value is written.
//! - A job's `tags:` select the runner that runs it: a `runner` node, which the job
//!   `runs-on`, as for GitHub's `runs-on:`. GitLab's hosted runners are chosen by
//!   `saas-…` tags (`saas-linux-small-amd64`) or by no tag at all; any other tag selects
//!   a runner registered by the project, its group or the instance's administrators: a
//!   self-managed runner, marked `self_hosted`.

use tollgate_gitlab::{Config, Include, IncludeKind, Job};
use tollgate_model::Span;
use tollgate_scan::{FileModel, Input, Scan};

use crate::Graph;
use crate::fragment::{FRef, FragmentBuilder, Key};
use crate::model::{EdgeKind, NodeId, NodeKind};

/// One node per file of a project include (GitLab reads each), one per other include,
/// each with where it is named; none for kinds that are not outside content.
fn include_nodes(inc: &Include) -> Vec<(NodeKind, Span)> {
    if !matches!(
        inc.kind,
        IncludeKind::Project | IncludeKind::Remote | IncludeKind::Template | IncludeKind::Component
    ) {
        return Vec::new();
    }
    let target = inc.target.value.trim().to_owned();
    if target.is_empty() {
        return Vec::new();
    }
    let reference = inc.reference.as_ref().map(|r| r.value.trim().to_owned());
    let files: Vec<(Option<String>, Span)> =
        if inc.kind == IncludeKind::Project && !inc.files.is_empty() {
            inc.files
                .iter()
                .map(|f| (Some(f.value.trim().to_owned()), f.span))
                .collect()
        } else {
            vec![(None, inc.target.span)]
        };
    files
        .into_iter()
        .map(|(file, span)| {
            let kind = NodeKind::Include {
                source: inc.kind,
                target: target.clone(),
                file,
                reference: reference.clone(),
                pin: inc.pin(),
            };
            (kind, span)
        })
        .collect()
}

/// `from` uses every outside content `inc` names, with the edge at the include's entry.
fn uses_include(cx: &mut FragmentBuilder<'_>, from: &FRef, inc: &Include) {
    for (kind, span) in include_nodes(inc) {
        let key = Key::Include(kind.label());
        let node = cx.shared(key, kind, Some(span));
        cx.edge(from, &node, EdgeKind::Uses, Some(inc.span));
    }
}

/// The pipeline's includes (every file's, in reading order), used by the pipeline node.
pub(crate) fn includes(
    cx: &mut FragmentBuilder<'_>,
    config: &Config,
    pipeline: &FRef,
    input_of: impl Fn(&FragmentBuilder<'_>, usize) -> Option<crate::model::InputId>,
) {
    for (inc, &file) in config.includes.iter().zip(&config.include_files) {
        let Some(at) = input_of(cx, file) else {
            continue;
        };
        in_input(cx, at, |cx| uses_include(cx, pipeline, inc));
    }
}

/// The job's own nodes: the runner its `tags:` select, the includes of its `trigger:`.
pub(crate) fn job(
    cx: &mut FragmentBuilder<'_>,
    job: &Job,
    node: &FRef,
    input_of: impl Fn(&FragmentBuilder<'_>, usize) -> Option<crate::model::InputId>,
) {
    if let Some(first) = job.tags.first()
        && let Some(at) = input_of(cx, first.file)
    {
        let tags: Vec<&str> = job
            .tags
            .iter()
            .map(|t| t.value.trim())
            .filter(|t| !t.is_empty())
            .collect();
        if !tags.is_empty() {
            let labels = tags.join(", ");
            let self_hosted = tags.iter().any(|t| !t.starts_with("saas-"));
            let span = job.tags.iter().skip(1).fold(first.span, |s, t| {
                if t.file == first.file {
                    s.cover(t.span)
                } else {
                    s
                }
            });
            in_input(cx, at, |cx| {
                let r = cx.shared(
                    // Apart from GitHub's runner labels: a tag names another thing.
                    Key::Runner(format!("gitlab:{labels}")),
                    NodeKind::Runner {
                        labels,
                        self_hosted,
                    },
                    Some(span),
                );
                cx.edge(node, &r, EdgeKind::RunsOn, Some(span));
            });
        }
    }
    // `image: $IMAGE` with `parallel: matrix:` values: each image a run pulls, where its
    // value is written.
    for image in job.image.iter().chain(&job.services) {
        for (name, at_value) in job.matrix_values(image.name.value.trim()) {
            if let Some(at) = input_of(cx, at_value.file) {
                in_input(cx, at, |cx| {
                    let i = cx.image(&name, at_value.span);
                    cx.edge(node, &i, EdgeKind::Pulls, Some(at_value.span));
                });
            }
        }
    }
    if let Some(t) = &job.trigger
        && let Some(at) = input_of(cx, t.file)
    {
        in_input(cx, at, |cx| {
            for inc in &t.include {
                uses_include(cx, node, inc);
            }
        });
    }
}

/// Run `f` with the builder's origins in input `at`.
fn in_input(
    cx: &mut FragmentBuilder<'_>,
    at: crate::model::InputId,
    f: impl FnOnce(&mut FragmentBuilder<'_>),
) {
    let own = cx.id;
    cx.id = at;
    f(cx);
    cx.id = own;
}

/// A GitLab job of the graph with its configuration.
pub struct GitlabJob<'a> {
    /// The configuration's root file (which holds the jobs' script analyses).
    pub root: &'a Input,
    pub config: &'a Config,
    /// Position in `config.jobs` (and the `job` of its scripts).
    pub index: usize,
    pub job: &'a Job,
}

impl GitlabJob<'_> {
    /// The job's step nodes (its shell sessions: `before_script` with `script`, then
    /// `after_script`), each with its session as a step whose `run:` is the session's
    /// text mapped onto its file: what reads GitHub steps' scripts reads these the same
    /// way. The analyses of the scripts are on [`GitlabJob::root`], under job
    /// [`GitlabJob::index`] and the step's index.
    #[must_use]
    pub fn steps(&self, graph: &Graph, job: NodeId) -> Vec<(crate::FlatStep, tollgate_gha::Step)> {
        let sessions = self.job.sessions();
        graph
            .job_steps(job)
            .into_iter()
            .filter_map(|fs| {
                let NodeKind::Step { index, .. } = graph.node(fs.step)?.kind else {
                    return None;
                };
                let s = sessions.get(index)?;
                let span = s.file_span(Span::new(0, s.text.len()));
                let mut step = tollgate_gha::Step::blank(index, span);
                step.run = Some(Box::new(tollgate_gha::Run {
                    key: span,
                    script: s.text.clone(),
                    span,
                    map: s.map.clone(),
                    input: None,
                }));
                Some((fs, step))
            })
            .collect()
    }
}

impl Graph {
    /// The GitLab job at node `job`: its pipeline's root file, configuration and model.
    /// `None` for a GitHub job or another node.
    #[must_use]
    pub fn gitlab_job<'a>(&'a self, scan: &'a Scan, job: NodeId) -> Option<GitlabJob<'a>> {
        let NodeKind::Job { index, .. } = self.node(job)?.kind else {
            return None;
        };
        let pipeline = self.workflow_of(job)?;
        let root = self.input(scan, self.node(pipeline)?.origin?.input())?;
        let FileModel::Gitlab(m) = &*root.parsed else {
            return None;
        };
        let config = m.config.as_deref()?;
        Some(GitlabJob {
            root,
            config,
            index,
            job: config.jobs.get(index)?,
        })
    }
}

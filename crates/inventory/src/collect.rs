//! The delivery dependencies of one job, each with the place that introduces it, how it
//! is pinned and the fallbacks the job has for it.
//!
//! The job's steps are read in order (local composite actions flattened in), twice: a
//! first pass notes the caches, retry settings and images built in the job; the second
//! records every dependency and asks the first pass what covers it. A cache counts only
//! when it is restored before the step that downloads.

use std::collections::{BTreeSet, HashMap};

use tollgate_gha::{Env, Job, RefKind, Step, Uses, Workflow};
use tollgate_graph::util::{host_of, image_host, repo_prefix};
use tollgate_graph::{EdgeKind, FlatStep, Graph, InputId, Kind, NodeId, NodeKind, Origin, Target};
use tollgate_lockfile::{
    ConfiguredSource, Ecosystem, SourceKind, SourceRole, default_registry, is_default_registry,
    normalise_for_match, registry_from_env,
};
use tollgate_model::Span;
use tollgate_model::addr::{is_commit_pinned_github_url, is_commit_sha};
use tollgate_scan::{FileModel, Input, Scan};
use tollgate_shell::{Download, Fact, IndexKind, Install};

use crate::data::{Knowledge, knowledge};
use crate::model::{DependencyKind, Fallback, FallbackKind, JobDependency, Pinning, Site};

mod download;
mod gitlab;
mod install;
mod optional;
mod retry;

use download::download_dep;
use install::fetches;
use optional::failure_ignored;
use retry::{RetriedCommands, apt_config_retries, wget_retries};

/// The lockfile ecosystem a package manager installs from, when it has one (the
/// knowledge base's one table).
#[must_use]
pub fn manager_ecosystem(manager: &str) -> Option<Ecosystem> {
    tollgate_kb::Manager::ecosystem_of(manager)
}

/// GitHub itself: the platform that runs the job (the knowledge base's one test).
pub use tollgate_kb::github::is_platform_host;

/// A cache restored by a step (or, on GitLab, before the job's first session: `None`),
/// and what it keeps.
struct CacheCover {
    pos: Option<usize>,
    ecosystems: Vec<String>,
    paths: Vec<String>,
    detail: String,
}

impl CacheCover {
    /// Restored before the step at `pos` runs.
    fn restored_before(&self, pos: usize) -> bool {
        self.pos.is_none_or(|p| p < pos)
    }
}

/// A dependency as found, before merging the places of one job.
struct Found {
    dep: JobDependency,
    pos: usize,
    /// Where a download writes, to match cache paths.
    output: Option<String>,
}

struct Collector<'a> {
    scan: &'a Scan,
    graph: &'a Graph,
    kb: &'static Knowledge,
    workflow: Option<&'a Workflow>,
    job: Option<&'a Job>,
    steps: Vec<FlatStep>,
    caches: Vec<CacheCover>,
    built: BTreeSet<String>,
    vendored_cargo: Option<String>,
    /// The first step that writes `Acquire::Retries` to apt's configuration, and what it
    /// says: apt retries in every later step.
    apt_retries: Option<(usize, String)>,
    /// A retried `cargo fetch` met so far in the job: later builds of the lockfile read
    /// the packages it downloaded.
    cargo_fetched: bool,
    found: Vec<Found>,
    /// The GitLab job, for a job of a GitLab pipeline, and its sessions as steps.
    gitlab: Option<tollgate_graph::GitlabJob<'a>>,
    sessions: &'a [(NodeId, Step)],
}

/// The dependencies of every job in `jobs`, in parallel, in the same order.
#[must_use]
pub(crate) fn all_job_dependencies(
    scan: &Scan,
    graph: &Graph,
    jobs: &[NodeId],
) -> Vec<(NodeId, Vec<JobDependency>)> {
    use rayon::prelude::*;
    jobs.par_iter()
        .map(|&j| (j, job_dependencies(scan, graph, j)))
        .collect()
}

/// The dependencies of `job`, one per distinct dependency, in order of first appearance.
#[must_use]
pub(crate) fn job_dependencies(scan: &Scan, graph: &Graph, job: NodeId) -> Vec<JobDependency> {
    let model = graph.job_model(scan, job);
    // A job whose `if:` can never hold never runs: it depends on nothing.
    let repository = graph
        .node(job)
        .and_then(|n| n.origin)
        .and_then(|o| graph.input(scan, o.input()))
        .and_then(|i| scan.repository_of(i));
    if model.is_some_and(|(_, j)| tollgate_gha::cond::never_runs(j.if_.as_ref(), repository)) {
        return Vec::new();
    }
    let gitlab = graph.gitlab_job(scan, job);
    let sessions = gitlab
        .as_ref()
        .map(|g| {
            g.steps(graph, job)
                .into_iter()
                .map(|(fs, s)| (fs.step, s))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let mut c = Collector {
        scan,
        graph,
        kb: knowledge(),
        workflow: model.map(|(w, _)| w),
        job: model.map(|(_, j)| j),
        steps: graph.job_steps(job),
        caches: Vec::new(),
        built: BTreeSet::new(),
        vendored_cargo: None,
        apt_retries: None,
        cargo_fetched: false,
        found: Vec::new(),
        gitlab,
        sessions: &sessions,
    };
    c.first_pass();
    c.gitlab_caches();
    c.job_level(job);
    c.gitlab_level();
    for pos in 0..c.steps.len() {
        c.step(pos);
    }
    c.finish()
}

/// `~/`, `$HOME/` and `${{ env.HOME }}/`-style prefixes dropped, for path matching.
fn strip_home(p: &str) -> &str {
    let p = p.trim();
    for pre in ["~/", "$HOME/", "${HOME}/", "${{ env.HOME }}/"] {
        if let Some(r) = p.strip_prefix(pre) {
            return r;
        }
    }
    p
}

/// Whether a version value names one exact version (`1.2.3`, a commit) or a file.
fn exact_version(v: &str) -> bool {
    let v = v.trim().trim_start_matches('v');
    v.split('.').count() >= 3 && v.split('.').all(|p| !p.is_empty()) || is_commit_sha(v)
}

impl<'a> Collector<'a> {
    fn step_model(&self, fs: &FlatStep) -> Option<(&'a Step, &'a Input)> {
        let input = self.graph.input(self.scan, fs.input)?;
        let step = self.graph.step_model(self.scan, fs.step).or_else(|| {
            self.sessions
                .iter()
                .find(|(n, _)| *n == fs.step)
                .map(|(_, s)| s)
        })?;
        Some((step, input))
    }

    fn job_index(&self, fs: &FlatStep) -> Option<usize> {
        match self.graph.node(fs.step).map(|n| &n.kind) {
            Some(NodeKind::Step { job, .. }) => *job,
            _ => None,
        }
    }

    fn analysis(
        &self,
        fs: &FlatStep,
        step: &Step,
        input: &'a Input,
    ) -> Option<&'a tollgate_shell::Analysis> {
        // A GitLab configuration keeps its scripts' analyses on its root file.
        let input = self.gitlab.as_ref().map_or(input, |g| g.root);
        input
            .script(self.job_index(fs), step.index)
            .and_then(|s| s.analysis.as_deref())
    }

    /// Caches, images built in the job, and `cargo vendor`.
    fn first_pass(&mut self) {
        for pos in 0..self.steps.len() {
            let fs = self.steps[pos].clone();
            let Some((step, input)) = self.step_model(&fs) else {
                continue;
            };
            if let Some(u) = &step.uses
                && let Uses::Remote(r) = &u.value
                && let Some(cache) = self.kb.cache(&r.action())
                // A save-only cache (`actions/cache/save`) restores nothing for this job.
                && cache.restores
            {
                let input_value = cache
                    .input
                    .as_deref()
                    .and_then(|i| step.with_value(i))
                    .map(|kv| kv.value.value.clone());
                if cache.enabled(&r.git_ref, input_value.as_deref()) {
                    let mut ecosystems = cache.covers.clone();
                    if let Some(v) = &input_value
                        && let Some(e) = cache.value_covers.get(v.trim())
                    {
                        ecosystems.push(e.clone());
                    }
                    let paths: Vec<String> = if cache.paths {
                        step.with_value("path")
                            .map(|kv| {
                                kv.value
                                    .value
                                    .lines()
                                    .map(|l| strip_home(l).to_owned())
                                    .filter(|l| !l.is_empty() && !l.starts_with('!'))
                                    .collect()
                            })
                            .unwrap_or_default()
                    } else {
                        Vec::new()
                    };
                    for p in &paths {
                        ecosystems.extend(self.path_ecosystems(p));
                    }
                    let detail = match (&cache.input, &input_value) {
                        (Some(i), Some(v)) => format!("`{}` with `{i}: {}`", r.action(), v.trim()),
                        _ if cache.paths && !paths.is_empty() => {
                            format!("`{}` of `{}`", r.action(), paths.join("`, `"))
                        }
                        _ => format!("`{}`", r.action()),
                    };
                    self.caches.push(CacheCover {
                        pos: Some(pos),
                        ecosystems,
                        paths,
                        detail,
                    });
                }
            }
            if self.apt_retries.is_none()
                && let Some(run) = &step.run
                && let Some(detail) = apt_config_retries(&run.script)
            {
                self.apt_retries = Some((pos, detail));
            }
            if let Some(a) = self.analysis(&fs, step, input) {
                for f in &a.facts {
                    match f {
                        Fact::ImageBuild(b) => {
                            self.built
                                .extend(b.tags.iter().map(|t| t.trim().to_owned()));
                        }
                        Fact::Install(i)
                            if i.manager == "cargo"
                                && i.subcommand.as_deref() == Some("vendor") =>
                        {
                            self.vendored_cargo = Some("`cargo vendor` in this job".to_owned());
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    /// The ecosystems whose downloads a cached path keeps (`[[cache-path]]` of the
    /// knowledge base).
    fn path_ecosystems<'p>(&'p self, path: &'p str) -> impl Iterator<Item = String> + 'p {
        self.kb
            .cache_path
            .iter()
            .filter(move |cp| path.contains(&cp.pattern))
            .map(|cp| cp.covers.clone())
    }

    fn site(&self, id: InputId, input: &Input, span: Span, step: Option<&FlatStep>) -> Site {
        let label = step.and_then(|fs| match self.graph.node(fs.step).map(|n| &n.kind) {
            Some(NodeKind::Step { label, .. }) => Some(label.clone()),
            _ => None,
        });
        Site {
            path: std::sync::Arc::clone(input.source.shared_path()),
            origin: Origin::new(id, span),
            start: input.source.line_col(span.start()),
            step: step.map(|s| s.step),
            step_label: label,
        }
    }

    fn push(&mut self, dep: JobDependency, pos: usize, output: Option<String>) {
        self.found.push(Found { dep, pos, output });
    }

    /// The job's container and service images, and a reusable-workflow call.
    fn job_level(&mut self, job: NodeId) {
        let (Some(jm), Some(node)) = (self.job, self.graph.node(job)) else {
            return;
        };
        let Some(o) = node.origin else { return };
        let Some(input) = self.graph.input(self.scan, o.input()) else {
            return;
        };
        for c in jm.container.as_deref().into_iter().chain(&jm.services) {
            if let Some(img) = &c.image {
                let site = self.site(o.input(), input, img.span, None);
                if let Some(d) = self.image_dep(&img.value, site) {
                    self.push(d, 0, None);
                }
            }
        }
        if let Some(u) = &jm.uses
            && let Uses::Remote(r) = &u.value
        {
            let reference = format!("{}@{}", r.action(), r.git_ref);
            let pinning = self.remote_pinning(job, &reference, r.ref_kind);
            let site = self.site(o.input(), input, u.span, None);
            self.push(
                plain(
                    DependencyKind::ReusableWorkflow,
                    format!("reusable-workflow {reference}"),
                    reference,
                    vec!["github.com".to_owned()],
                    false,
                    pinning,
                    site,
                ),
                0,
                None,
            );
        }
    }

    /// Pinning of a remote reference, with what `actions.lock` says.
    fn remote_pinning(&self, from: NodeId, reference: &str, kind: RefKind) -> Pinning {
        let locked = self.graph.outgoing(from).into_iter().any(|(e, t)| {
            e.kind == EdgeKind::Uses
                && matches!(
                    self.graph.node(t).map(|n| &n.kind),
                    Some(NodeKind::Action { target: Target::Remote(r), .. } | NodeKind::ReusableWorkflow { target: Target::Remote(r) })
                        if r.reference == reference && r.locked_commit.is_some()
                )
        });
        match kind {
            RefKind::Sha => Pinning::pinned("commit SHA"),
            _ if locked => Pinning::pinned("locked by actions.lock"),
            other => Pinning::floating(other.as_str()),
        }
    }

    fn image_dep(&self, reference: &str, site: Site) -> Option<JobDependency> {
        let reference = reference.trim().trim_start_matches("docker://");
        if reference.is_empty() || reference.contains("${{") || reference.starts_with('$') {
            return None;
        }
        if self.built.contains(reference) {
            return None;
        }
        let host = image_host(reference)?;
        // The one reading of image references, which `unpinned-image` shares.
        let parsed = tollgate_model::addr::ImageRef::parse(reference);
        let pinning = if parsed.is_pinned() {
            Pinning::pinned("digest")
        } else if parsed.is_floating() {
            Pinning::floating("no tag or `latest`")
        } else {
            Pinning::floating("tag")
        };
        let mut d = plain(
            DependencyKind::Image,
            format!("image {reference}"),
            reference.to_owned(),
            vec![host.clone()],
            true,
            pinning,
            site,
        );
        d.help = Some(format!(
            "mirror the image to a registry you run, or retry the pull; the job stops when `{host}` does not answer"
        ).into());
        Some(d)
    }

    fn step(&mut self, pos: usize) {
        let fs = self.steps[pos].clone();
        let Some((step, input)) = self.step_model(&fs) else {
            return;
        };
        if tollgate_gha::cond::never_runs(step.if_.as_ref(), self.scan.repository_of(input)) {
            return;
        }
        if let Some(u) = &step.uses {
            let site = self.site(fs.input, input, u.span, Some(&fs));
            match &u.value {
                Uses::Remote(r) => self.remote_step(pos, &fs, step, r, site),
                Uses::Docker { image } => {
                    if let Some(d) = self.image_dep(image, site) {
                        self.push(d, pos, None);
                    }
                }
                _ => {}
            }
        }
        let Some(run) = &step.run else { return };
        let Some(analysis) = self.analysis(&fs, step, input) else {
            return;
        };
        let loops = RetriedCommands::new(analysis);
        // An action that runs the script as its input and runs it again on failure
        // (`nick-fields/retry` `command:`).
        let action_retry = run.input.as_ref().filter(|i| i.retries);
        // `continue-on-error: true`: the job goes on when the step fails, so nothing the
        // step fetches can stop it.
        let step_optional = step
            .continue_on_error()
            .is_some_and(|s| input.source.slice(s).trim() == "true");
        for fact in &analysis.facts {
            // A command whose failure the script ignores (`|| true`, `|| exit 0`) fetches
            // something the job can do without.
            if step_optional || failure_ignored(analysis, fact.span()) {
                continue;
            }
            let span = run.file_span(fact.span());
            let site = self.site(fs.input, input, span, Some(&fs));
            let looped = loops.around(fact.span());
            let start = self.found.len();
            match fact {
                Fact::Install(i) if fetches(i) => {
                    self.install(pos, &fs, step, input, i, site, span);
                }
                Fact::Download(d) => {
                    // A call that sends data (a webhook, an upload API) talks to a
                    // service but fetches nothing the build needs.
                    if d.sends {
                        continue;
                    }
                    if let Some(mut dep) = download_dep(d, site) {
                        if !d.retry && d.tool == "wget" && wget_retries(analysis, d.span) {
                            dep.fallbacks.push(Fallback {
                                kind: FallbackKind::Retry,
                                detail: "`wget` retries 20 times by default".to_owned(),
                            });
                        }
                        self.push(dep, pos, d.output.clone());
                    }
                }
                Fact::Image(i) => {
                    if let Some(d) = self.image_dep(&i.image, site) {
                        self.push(d, pos, None);
                    }
                }
                _ => {}
            }
            if looped {
                for f in &mut self.found[start..] {
                    f.dep.fallbacks.push(Fallback {
                        kind: FallbackKind::Retry,
                        detail: "the script runs the command again when it fails".to_owned(),
                    });
                }
            }
            if let Some(i) = action_retry {
                for f in &mut self.found[start..] {
                    f.dep.fallbacks.push(Fallback {
                        kind: FallbackKind::Retry,
                        detail: format!("`{}` runs the script again when it fails", i.action),
                    });
                }
            }
            if let Fact::Install(i) = fact
                && i.manager == "cargo"
            {
                self.cargo_fetch(i, start, looped || action_retry.is_some());
            }
        }
    }

    /// `cargo fetch` downloads every package of the lockfile; a build, check or test of
    /// the same lockfile later in the job reads them from `~/.cargo/registry` (wasmtime's
    /// `install-rust` action fetches in a retry loop, then each job builds). `cargo
    /// install` resolves its own packages and is not covered.
    fn cargo_fetch(&mut self, i: &Install, start: usize, retried: bool) {
        let sub = i.subcommand.as_deref().unwrap_or("");
        if sub == "fetch" {
            self.cargo_fetched |= retried || i.retry;
        } else if self.cargo_fetched && sub != "install" && i.packages.is_empty() {
            for f in &mut self.found[start..] {
                f.dep.fallbacks.push(Fallback {
                    kind: FallbackKind::Retry,
                    detail: "a retried `cargo fetch` earlier in the job downloaded the packages"
                        .to_owned(),
                });
            }
        }
    }

    fn remote_step(
        &mut self,
        pos: usize,
        fs: &FlatStep,
        step: &Step,
        r: &tollgate_gha::UsesRef,
        site: Site,
    ) {
        let action = r.action();
        let reference = format!("{action}@{}", r.git_ref);
        let pinning = self.remote_pinning(fs.step, &reference, r.ref_kind);
        self.push(
            plain(
                DependencyKind::Action,
                format!("action {reference}"),
                reference.clone(),
                vec!["github.com".to_owned()],
                false,
                pinning,
                site.clone(),
            ),
            pos,
            None,
        );
        if self.caches.iter().any(|c| c.pos == Some(pos)) {
            self.push(
                plain(
                    DependencyKind::Cache,
                    "cache github-actions-cache".to_owned(),
                    "GitHub Actions cache".to_owned(),
                    Vec::new(),
                    false,
                    Pinning::not_applicable("n/a"),
                    site.clone(),
                ),
                pos,
                None,
            );
        }
        if let Some(t) = self.kb.toolchain(&action) {
            let version = t.version_inputs.iter().find_map(|i| {
                step.with_value(i)
                    .map(|kv| (i, kv.value.value.trim().to_owned()))
            });
            // setup-gradle without `gradle-version` runs the project's wrapper and
            // downloads no Gradle of its own.
            if version.is_none() && t.download_only_with_version {
                return;
            }
            let pinning = match version {
                Some((i, v)) if v.contains("${{") => {
                    Pinning::floating(format!("`{i}` set by an expression"))
                }
                Some((i, v)) if i.ends_with("-file") || exact_version(&v) => {
                    Pinning::pinned(format!("`{i}: {v}`"))
                }
                Some((i, v)) => Pinning::floating(format!("`{i}: {v}` (a range)")),
                // The action then reads a version file (`packageManager`, `.nvmrc`,
                // `rust-toolchain.toml`) or takes the runner's default: not judged here.
                None => Pinning::not_applicable(
                    "no version input (a version file or the runner's default)",
                ),
            };
            let mut d = plain(
                DependencyKind::Toolchain,
                format!("toolchain {}", action.to_ascii_lowercase()),
                format!("{} ({action})", t.what),
                t.hosts.clone(),
                !t.platform,
                pinning,
                site,
            );
            if let Some(b) = &t.builtin_fallback {
                d.fallbacks.push(Fallback {
                    kind: FallbackKind::Mirror,
                    detail: format!("`{action}` {b}"),
                });
            }
            // A version the runner image already holds is not downloaded at all.
            if let Some(hit) = tollgate_graph::util::tool_cache_hit(self.job, step, &action) {
                d.fallbacks.push(Fallback {
                    kind: FallbackKind::Cache,
                    detail: format!(
                        "the runner's tool cache holds {} {} ({}): nothing is downloaded while the image keeps it",
                        hit.tool, hit.version, hit.snapshot
                    ),
                });
            }
            d.help = Some(format!(
                "use a runner image that already holds {}, or cache the tool directory; a release or CDN outage stops the job",
                t.what
            ).into());
            self.push(d, pos, None);
        }
    }

    /// Adds the cache and environment fallbacks, then merges the places of one
    /// dependency: the job has a fallback of a kind only where every place has it, and
    /// the first place without one is kept (the one to point at).
    fn finish(mut self) -> Vec<JobDependency> {
        let found = std::mem::take(&mut self.found);
        let mut out: Vec<JobDependency> = Vec::new();
        // Where each key is in `out`: a search of `out` per dependency was quadratic in a
        // job of many distinct downloads.
        let mut index: HashMap<String, usize> = HashMap::new();
        for f in found {
            let mut dep = f.dep;
            let step = self
                .steps
                .get(f.pos)
                .and_then(|fs| self.step_model(fs))
                .map(|(s, _)| s);
            if let Some(g) = &self.gitlab
                && dep.external
                && matches!(dep.kind, DependencyKind::Image | DependencyKind::Download)
                && self
                    .scan
                    .repository_of(g.root)
                    .is_some_and(|r| gitlab::own_instance(r, &dep.name))
            {
                dep.external = false;
                dep.note = Some("served by the project's own GitLab".to_owned());
            }
            if dep.external {
                if let Some(eco) = dep.ecosystem.clone() {
                    for c in self
                        .caches
                        .iter()
                        .filter(|c| c.restored_before(f.pos) && c.ecosystems.contains(&eco))
                    {
                        dep.fallbacks.push(Fallback {
                            kind: FallbackKind::Cache,
                            detail: c.detail.clone(),
                        });
                    }
                    if let Some(r) = self.env_retry(step, &eco) {
                        dep.fallbacks.push(r);
                    }
                    // The step that writes the setting usually installs right after
                    // (astral-sh/uv writes `80-retries`, then runs `apt install`).
                    if eco == "apt"
                        && let Some((p, detail)) = &self.apt_retries
                        && *p <= f.pos
                    {
                        dep.fallbacks.push(Fallback {
                            kind: FallbackKind::Retry,
                            detail: detail.clone(),
                        });
                    }
                }
                if let Some(o) = &f.output {
                    let o = strip_home(o);
                    for c in self.caches.iter().filter(|c| c.restored_before(f.pos)) {
                        if c.paths
                            .iter()
                            .any(|p| o.starts_with(p.trim_end_matches('/')))
                        {
                            dep.fallbacks.push(Fallback {
                                kind: FallbackKind::Cache,
                                detail: c.detail.clone(),
                            });
                        }
                    }
                }
                if let Some(r) = self.gitlab_retry(&dep) {
                    dep.fallbacks.push(r);
                }
                if self.gitlab.is_some() {
                    gitlab::help(&mut dep);
                }
                if let Some(s) = step
                    && s.if_
                        .as_ref()
                        .is_some_and(|i| i.value.contains("cache-hit"))
                {
                    dep.fallbacks.push(Fallback {
                        kind: FallbackKind::Cache,
                        detail: "the step runs only on a cache miss (`cache-hit`)".to_owned(),
                    });
                }
            }
            dep.fallbacks.sort();
            dep.fallbacks.dedup();
            match index.get(&dep.key).and_then(|&i| out.get_mut(i)) {
                Some(prev) => {
                    prev.sites += 1;
                    let kinds: BTreeSet<FallbackKind> =
                        dep.fallbacks.iter().map(|f| f.kind).collect();
                    // Whether the places so far all had a fallback, asked before this
                    // place's kinds narrow them: the first place without one is the one
                    // to point at.
                    let covered_so_far = !prev.fallbacks.is_empty();
                    prev.fallbacks.retain(|f| kinds.contains(&f.kind));
                    if dep.fallbacks.is_empty() && covered_so_far {
                        prev.site = dep.site;
                    }
                    if dep.pinning.pinned == Some(false) {
                        prev.pinning = dep.pinning;
                    }
                }
                None => {
                    index.insert(dep.key.clone(), out.len());
                    out.push(dep);
                }
            }
        }
        // Kept for the whole run (the delivery pass's record): without the growth slack.
        out.shrink_to_fit();
        out
    }
}

fn plain(
    kind: DependencyKind,
    key: String,
    name: String,
    hosts: Vec<String>,
    external: bool,
    pinning: Pinning,
    site: Site,
) -> JobDependency {
    JobDependency {
        kind,
        key,
        name,
        ecosystem: None,
        hosts,
        external,
        pinning,
        site: Some(site),
        sites: 1,
        fallbacks: Vec::new(),
        note: None,
        help: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert!(is_platform_host("objects.githubusercontent.com"));
        assert!(!is_platform_host("gitlab.com"));
        assert!(exact_version("1.2.3"));
        assert!(!exact_version("20"));
        assert_eq!(strip_home("~/.npm"), ".npm");
        assert_eq!(manager_ecosystem("pnpm"), Some(Ecosystem::Npm));
        assert_eq!(manager_ecosystem("apt-get"), None);
    }
}

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
use tollgate_scan::{Input, Parsed, Scan};
use tollgate_shell::{Download, Fact, IndexKind, Install};

use crate::data::{Knowledge, knowledge};
use crate::model::{DependencyKind, Fallback, FallbackKind, JobDependency, Pinning, Site};

/// The lockfile ecosystem a package manager installs from, when it has one (the
/// knowledge base's one table).
#[must_use]
pub fn manager_ecosystem(manager: &str) -> Option<Ecosystem> {
    tollgate_kb::Manager::ecosystem_of(manager)
}

/// GitHub itself: the platform that runs the job (the knowledge base's one test).
pub use tollgate_kb::github::is_platform_host;

/// A cache restored by a step, and what it keeps.
struct CacheCover {
    pos: usize,
    ecosystems: Vec<String>,
    paths: Vec<String>,
    detail: String,
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
    kb: &'a Knowledge,
    workflow: Option<&'a Workflow>,
    job: Option<&'a Job>,
    steps: Vec<FlatStep>,
    caches: Vec<CacheCover>,
    built: BTreeSet<String>,
    vendored_cargo: Option<String>,
    found: Vec<Found>,
}

/// The dependencies of every job in `jobs`, in parallel, in the same order.
#[must_use]
pub fn all_job_dependencies(
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
pub fn job_dependencies(scan: &Scan, graph: &Graph, job: NodeId) -> Vec<JobDependency> {
    let model = graph.job_model(scan, job);
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
        found: Vec::new(),
    };
    c.first_pass();
    c.job_level(job);
    for pos in 0..c.steps.len() {
        c.step(pos);
    }
    c.finish()
}

fn truthy(v: &str) -> bool {
    let v = v.trim();
    !v.is_empty() && !v.eq_ignore_ascii_case("false") && v != "0"
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
        let step = self.graph.step_model(self.scan, fs.step)?;
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
            {
                let input_value = cache
                    .input
                    .as_deref()
                    .and_then(|i| step.with_value(i))
                    .map(|kv| kv.value.value.clone());
                let on = match (&cache.input, &input_value) {
                    (None, _) => true,
                    (Some(_), None) => cache.default,
                    (Some(_), Some(v)) => truthy(v) != cache.inverted,
                };
                if on {
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
                        for cp in &self.kb.cache_path {
                            if p.contains(&cp.pattern) {
                                ecosystems.push(cp.covers.clone());
                            }
                        }
                    }
                    let detail = match (&cache.input, &input_value) {
                        (Some(i), Some(v)) => format!("`{}` with `{i}: {}`", r.action(), v.trim()),
                        _ if cache.paths && !paths.is_empty() => {
                            format!("`{}` of `{}`", r.action(), paths.join("`, `"))
                        }
                        _ => format!("`{}`", r.action()),
                    };
                    self.caches.push(CacheCover {
                        pos,
                        ecosystems,
                        paths,
                        detail,
                    });
                }
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

    fn site(&self, id: InputId, input: &Input, span: Span, step: Option<&FlatStep>) -> Site {
        let label = step.and_then(|fs| match self.graph.node(fs.step).map(|n| &n.kind) {
            Some(NodeKind::Step { label, .. }) => Some(label.clone()),
            _ => None,
        });
        Site {
            path: input.source.display.clone(),
            origin: Origin::new(id, span),
            start: input.source.line_col(span.start),
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
        for c in jm.container.iter().chain(&jm.services) {
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
        let (name_part, digest) = reference
            .split_once('@')
            .map_or((reference, None), |(n, d)| (n, Some(d)));
        let last = name_part.rsplit('/').next().unwrap_or(name_part);
        let tag = last.split_once(':').map(|(_, t)| t);
        let pinning = match (digest, tag) {
            (Some(d), _) if d.starts_with("sha256:") && d.len() == 71 => Pinning::pinned("digest"),
            (_, None | Some("latest")) => Pinning::floating("no tag or `latest`"),
            (_, Some(_)) => Pinning::floating("tag"),
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
        ));
        Some(d)
    }

    fn step(&mut self, pos: usize) {
        let fs = self.steps[pos].clone();
        let Some((step, input)) = self.step_model(&fs) else {
            return;
        };
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
        let loops = RetryLoops::new(&run.script);
        for fact in &analysis.facts {
            let span = run.file_span(fact.span());
            let site = self.site(fs.input, input, span, Some(&fs));
            let looped = loops.around(fact.span());
            let start = self.found.len();
            match fact {
                Fact::Install(i) => {
                    let text = run.script.get(i.span.start..i.span.end).unwrap_or("");
                    if fetches(i, text) {
                        self.install(pos, &fs, step, input, i, site, span);
                    }
                }
                Fact::Download(d) => {
                    let text = run.script.get(d.span.start..d.span.end).unwrap_or("");
                    if sends(text) {
                        continue;
                    }
                    if let Some(dep) = download_dep(d, site) {
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
                        detail: "a shell loop retries the command".to_owned(),
                    });
                }
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
        if self.caches.iter().any(|c| c.pos == pos) {
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
            d.help = Some(format!(
                "use a runner image that already holds {}, or cache the tool directory; a release or CDN outage stops the job",
                t.what
            ));
            self.push(d, pos, None);
        }
    }

    /// Registry configuration in effect for an install: the registry configs the graph
    /// ties to the command, then `env:` of the workflow, job and step (later wins).
    fn configured(
        &self,
        fs: &FlatStep,
        step: &Step,
        span: Span,
        eco: Ecosystem,
    ) -> Vec<(ConfiguredSource, String)> {
        let mut out = Vec::new();
        let cmd = self.command_node(fs, span);
        if let Some(cmd) = cmd {
            for (e, t) in self.graph.outgoing(cmd) {
                if e.kind != EdgeKind::ResolvesFrom {
                    continue;
                }
                let Some(NodeKind::RegistryConfig { path, .. }) =
                    self.graph.node(t).map(|n| &n.kind)
                else {
                    continue;
                };
                let Some(input) = self
                    .graph
                    .node(t)
                    .and_then(|n| n.origin)
                    .and_then(|o| self.graph.input(self.scan, o.input()))
                else {
                    continue;
                };
                if let Parsed::Packages(p) = &*input.parsed {
                    for s in p.sources.iter().filter(|s| s.ecosystem == eco) {
                        out.push((s.clone(), format!("`{path}`")));
                    }
                }
            }
        }
        let envs: [Option<&Env>; 3] = [
            self.workflow.map(|w| &w.env),
            self.job.map(|j| &j.env),
            Some(&step.env),
        ];
        for env in envs.into_iter().flatten() {
            for v in &env.vars {
                for s in
                    registry_from_env(&v.key.value, &v.value.value, v.key.span.cover(v.value.span))
                {
                    if s.ecosystem == eco {
                        out.push((s, format!("`env: {}`", v.key.value)));
                    }
                }
            }
        }
        out
    }

    /// The command node of an install, matched by its span in the file.
    fn command_node(&self, fs: &FlatStep, span: Span) -> Option<NodeId> {
        self.graph.outgoing(fs.step).into_iter().find_map(|(e, t)| {
            (e.kind == EdgeKind::Runs
                && self
                    .graph
                    .node(t)
                    .and_then(|n| n.origin)
                    .is_some_and(|o| o.span() == span))
            .then_some(t)
        })
    }

    /// Retry asked for in `env:` of the workflow, job or step for an ecosystem.
    fn env_retry(&self, step: Option<&Step>, eco: &str) -> Option<Fallback> {
        let envs: [Option<&Env>; 3] = [
            self.workflow.map(|w| &w.env),
            self.job.map(|j| &j.env),
            step.map(|s| &s.env),
        ];
        for env in envs.into_iter().flatten() {
            for v in &env.vars {
                if let Some(r) = self
                    .kb
                    .retry_env
                    .iter()
                    .find(|r| r.name.eq_ignore_ascii_case(&v.key.value) && r.covers == eco)
                    && truthy(&v.value.value)
                {
                    return Some(Fallback {
                        kind: FallbackKind::Retry,
                        detail: format!("`{}={}`", r.name, v.value.value.trim()),
                    });
                }
            }
        }
        None
    }

    #[allow(clippy::too_many_arguments)]
    fn install(
        &mut self,
        pos: usize,
        fs: &FlatStep,
        step: &Step,
        input: &Input,
        inst: &Install,
        site: Site,
        span: Span,
    ) {
        let Some(eco) = manager_ecosystem(inst.manager) else {
            self.system_install(pos, inst, site);
            return;
        };
        let eco_name = eco.as_str();
        let mut retry = Vec::new();
        if inst.retry {
            retry.push(Fallback {
                kind: FallbackKind::Retry,
                detail: format!("`{}` retries", inst.manager),
            });
        }
        // The registry packages come from: an option on the command line, else the
        // configuration (a config file or `env:`), else the public default.
        let mut primary: Option<(String, Option<String>)> = None;
        let mut extras: Vec<(String, String)> = Vec::new();
        for idx in inst.index_urls.iter().filter(|i| i.url.contains("://")) {
            match idx.kind {
                IndexKind::Index | IndexKind::Registry | IndexKind::Proxy | IndexKind::Source => {
                    primary = Some((idx.url.clone(), Some("the command line".to_owned())));
                }
                IndexKind::ExtraIndex => extras.push((
                    idx.url.clone(),
                    "extra index (dependency confusion risk)".to_owned(),
                )),
                IndexKind::FindLinks => extras.push((idx.url.clone(), "find-links".to_owned())),
            }
        }
        let mut go_fallback: Option<String> = None;
        if primary.is_none() {
            for (s, from) in self.configured(fs, step, span, eco) {
                if s.is_unresolved() && s.url.trim().is_empty() {
                    continue;
                }
                match &s.role {
                    SourceRole::Default if !matches!(s.url.as_str(), "direct" | "off") => {
                        primary = Some((s.url.clone(), Some(from)));
                    }
                    SourceRole::Replacement { replaces } => {
                        let default_name = if eco == Ecosystem::Cargo {
                            "crates-io"
                        } else {
                            default_registry(eco).url
                        };
                        if replaces == default_name
                            || normalise_for_match(replaces)
                                == normalise_for_match(default_registry(eco).url)
                        {
                            primary = Some((s.url.clone(), Some(from)));
                        }
                    }
                    SourceRole::Scoped if eco == Ecosystem::Npm => extras.push((
                        s.url.clone(),
                        format!(
                            "scoped registry for `{}`",
                            s.scope.clone().unwrap_or_default()
                        ),
                    )),
                    SourceRole::Extra => {
                        extras.push((
                            s.url.clone(),
                            "extra index (dependency confusion risk)".to_owned(),
                        ));
                    }
                    SourceRole::Fallback
                        if eco == Ecosystem::Go && s.url != "direct" && s.url != "off" =>
                    {
                        go_fallback = Some(format!("`GOPROXY` falls back to `{}`", s.url));
                    }
                    _ => {}
                }
            }
        }
        let pinning = self.install_pinning(fs, span, inst);
        let mut own = retry.clone();
        if let Some(r) = self.env_retry(Some(step), eco_name) {
            own.push(r);
        }
        let (url, via) = primary.map_or_else(
            || (default_registry(eco).url.to_owned(), None),
            |(u, v)| (u, v),
        );
        let vendored_dir = url
            .strip_prefix("directory:")
            .or_else(|| url.strip_prefix("local-registry:"));
        let default = is_default_registry(eco, &url);
        let mut fallbacks = own.clone();
        let (key_url, name_url) = if let Some(dir) = vendored_dir {
            fallbacks.push(Fallback {
                kind: FallbackKind::Vendored,
                detail: format!(
                    "sources replaced by the directory `{dir}` ({})",
                    via.clone().unwrap_or_default()
                ),
            });
            (
                default_registry(eco).url.to_owned(),
                default_registry(eco).url.to_owned(),
            )
        } else if default {
            (
                default_registry(eco).url.to_owned(),
                default_registry(eco).url.to_owned(),
            )
        } else {
            if let Some(v) = &via {
                fallbacks.push(Fallback {
                    kind: FallbackKind::Mirror,
                    detail: format!("packages served by `{url}` (set in {v})"),
                });
            }
            (normalise_for_match(&url), url.clone())
        };
        if eco == Ecosystem::Cargo
            && let Some(v) = &self.vendored_cargo
        {
            fallbacks.push(Fallback {
                kind: FallbackKind::Vendored,
                detail: v.clone(),
            });
        }
        if let Some(g) = &go_fallback {
            fallbacks.push(Fallback {
                kind: FallbackKind::Mirror,
                detail: g.clone(),
            });
        }
        if let Some(v) = self.vendor_dir(fs, input, step, eco) {
            fallbacks.push(Fallback {
                kind: FallbackKind::Vendored,
                detail: v,
            });
        }
        let hosts = registry_hosts(eco, &name_url);
        let mut d = plain(
            DependencyKind::PackageSource,
            format!("package-source {eco_name} {key_url}"),
            format!("{eco_name} {name_url}"),
            hosts,
            true,
            pinning.clone(),
            site.clone(),
        );
        d.ecosystem = Some(eco_name.to_owned());
        d.fallbacks = fallbacks;
        d.help = Some(package_help(eco));
        self.push(d, pos, None);
        for (url, note) in extras {
            if url.trim().is_empty() {
                continue;
            }
            let mut d = plain(
                DependencyKind::PackageSource,
                format!("package-source {eco_name} {}", normalise_for_match(&url)),
                format!("{eco_name} {url}"),
                host_of(&url).into_iter().collect(),
                true,
                pinning.clone(),
                site.clone(),
            );
            d.ecosystem = Some(eco_name.to_owned());
            d.note = Some(note);
            d.fallbacks = own.clone();
            d.help = Some(package_help(eco));
            self.push(d, pos, None);
        }
        self.lockfile_sources(pos, fs, span, eco, &pinning, &site, &own);
    }

    /// Sources a lockfile installed by the command names besides the default registry:
    /// other registries, git repositories, archive URLs.
    #[allow(clippy::too_many_arguments)]
    fn lockfile_sources(
        &mut self,
        pos: usize,
        fs: &FlatStep,
        span: Span,
        eco: Ecosystem,
        pinning: &Pinning,
        site: &Site,
        own: &[Fallback],
    ) {
        let Some(cmd) = self.command_node(fs, span) else {
            return;
        };
        let mut seen: BTreeSet<(SourceKind, String)> = BTreeSet::new();
        let mut hosts: BTreeSet<String> = BTreeSet::new();
        for (e, lock) in self.graph.outgoing(cmd) {
            if e.kind != EdgeKind::Installs
                || self
                    .graph
                    .node(lock)
                    .is_none_or(|n| n.kind.kind() != Kind::Lockfile)
            {
                continue;
            }
            // Into sets: the order edges are visited in does not matter.
            for (e, pkg) in self.graph.out_edges(lock) {
                if e.kind != EdgeKind::Contains {
                    continue;
                }
                for (e, t) in self.graph.out_edges(pkg) {
                    match (e.kind, self.graph.node(t).map(|n| &n.kind)) {
                        (
                            EdgeKind::ResolvesFrom,
                            Some(NodeKind::Source {
                                kind,
                                url,
                                default: false,
                                ..
                            }),
                        ) => {
                            seen.insert((*kind, url.clone()));
                        }
                        (EdgeKind::DownloadsFrom, Some(NodeKind::Host { name })) => {
                            hosts.insert(name.clone());
                        }
                        _ => {}
                    }
                }
            }
        }
        let eco_name = eco.as_str();
        for (kind, url) in seen {
            let host = host_of(&url);
            let external =
                kind != SourceKind::Git || !host.as_deref().is_some_and(is_platform_host);
            let mut d = plain(
                DependencyKind::PackageSource,
                format!("package-source {eco_name} {}", normalise_for_match(&url)),
                format!("{eco_name} {} {url}", kind.as_str()),
                host.into_iter().collect(),
                external,
                pinning.clone(),
                site.clone(),
            );
            d.ecosystem = Some(eco_name.to_owned());
            d.note = Some(format!("{} source in the lockfile", kind.as_str()));
            d.fallbacks = own.to_vec();
            d.help = Some(package_help(eco));
            self.push(d, pos, None);
        }
        for h in hosts {
            let mut d = plain(
                DependencyKind::PackageSource,
                format!("package-source {eco_name} archive {h}"),
                format!("{eco_name} archives from {h}"),
                vec![h.clone()],
                !is_platform_host(&h),
                pinning.clone(),
                site.clone(),
            );
            d.ecosystem = Some(eco_name.to_owned());
            d.note = Some("direct archive URLs in the lockfile".to_owned());
            d.fallbacks = own.to_vec();
            d.help = Some(package_help(eco));
            self.push(d, pos, None);
        }
    }

    fn install_pinning(&self, fs: &FlatStep, span: Span, inst: &Install) -> Pinning {
        if inst.require_hashes {
            return Pinning::pinned("hashes");
        }
        if inst.locked {
            return Pinning::pinned("lockfile (frozen install)");
        }
        let has_lock = self.command_node(fs, span).is_some_and(|c| {
            self.graph.outgoing(c).into_iter().any(|(e, t)| {
                e.kind == EdgeKind::Installs
                    && self
                        .graph
                        .node(t)
                        .is_some_and(|n| n.kind.kind() == Kind::Lockfile)
            })
        });
        if has_lock {
            return Pinning::pinned("lockfile");
        }
        if !inst.packages.is_empty()
            && inst
                .packages
                .iter()
                .all(|p| p.version.as_deref().is_some_and(exact_version))
        {
            return Pinning::pinned("exact versions");
        }
        Pinning::floating("no lockfile or exact version")
    }

    /// A vendored copy the package manager uses on its own: Go's `vendor/modules.txt`
    /// and Bundler's `vendor/cache` in the step's directory.
    fn vendor_dir(
        &self,
        fs: &FlatStep,
        input: &Input,
        step: &Step,
        eco: Ecosystem,
    ) -> Option<String> {
        let rel = match eco {
            Ecosystem::Go => "vendor/modules.txt",
            Ecosystem::RubyGems => "vendor/cache",
            _ => return None,
        };
        let root = self.scan.roots.get(input.root)?;
        let wd = step
            .working_directory
            .as_ref()
            .map(|w| w.value.clone())
            .or_else(|| {
                (fs.action.is_none())
                    .then(|| {
                        self.job
                            .and_then(|j| j.defaults_working_directory.as_ref())
                            .map(|w| w.value.clone())
                    })
                    .flatten()
            })
            .unwrap_or_default();
        if wd.contains('$') {
            return None;
        }
        let path = root
            .disk_path(repo_prefix(&input.source.display))
            .join(wd.trim_start_matches("./"))
            .join(rel);
        // Only asked of paths that stay inside the repository once links are resolved: a
        // link (or `..`) must not make the answer depend on the machine's other files.
        tollgate_scan::confine::exists_inside(&path, &root.canonical)
            .then(|| format!("`{rel}` in the repository"))
    }

    fn system_install(&mut self, pos: usize, inst: &Install, site: Site) {
        let Some(m) = self.kb.manager(inst.manager) else {
            return;
        };
        let hosts = tollgate_kb::egress_hosts().manager_hosts(inst.manager);
        let name = match hosts.first() {
            Some(h) => format!("{} ({h})", m.ecosystem),
            None => format!("{} repositories", m.ecosystem),
        };
        let mut d = plain(
            DependencyKind::PackageSource,
            format!("package-source {}", m.ecosystem),
            name,
            hosts,
            true,
            if inst.packages.iter().all(|p| p.version.is_some()) && !inst.packages.is_empty() {
                Pinning::pinned("exact versions")
            } else {
                Pinning::floating("latest in the repository")
            },
            site,
        );
        d.ecosystem = Some(m.ecosystem.clone());
        if inst.retry {
            d.fallbacks.push(Fallback {
                kind: FallbackKind::Retry,
                detail: format!("`{}` retries", inst.manager),
            });
        }
        d.help = Some(m.help.clone());
        self.push(d, pos, None);
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
            if dep.external {
                if let Some(eco) = dep.ecosystem.clone() {
                    for c in self
                        .caches
                        .iter()
                        .filter(|c| c.pos < f.pos && c.ecosystems.contains(&eco))
                    {
                        dep.fallbacks.push(Fallback {
                            kind: FallbackKind::Cache,
                            detail: c.detail.clone(),
                        });
                    }
                    if let Some(r) = self.env_retry(step, &eco) {
                        dep.fallbacks.push(r);
                    }
                }
                if let Some(o) = &f.output {
                    let o = strip_home(o);
                    for c in self.caches.iter().filter(|c| c.pos < f.pos) {
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
                    prev.fallbacks.retain(|f| kinds.contains(&f.kind));
                    if dep.fallbacks.is_empty() && !prev.fallbacks.is_empty() {
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

/// Hosts of a registry: the ones an install from the default registry reaches (the
/// knowledge base's, as egress lists them), else the URL's.
fn registry_hosts(eco: Ecosystem, url: &str) -> Vec<String> {
    if is_default_registry(eco, url) {
        return default_registry(eco).hosts();
    }
    host_of(url).into_iter().collect()
}

fn package_help(eco: Ecosystem) -> String {
    // The advice is knowledge-base data next to the cache actions it names.
    tollgate_kb::fallbacks()
        .advice(eco)
        .unwrap_or_default()
        .to_owned()
}

/// Whether an install reaches a package source at all: `--no-index`/`--offline`
/// installs read local files only, `uv python` fetches interpreters from GitHub
/// releases (not packages), and `npx`/`uvx` with nothing but options runs no package.
fn fetches(i: &Install, text: &str) -> bool {
    let offline = text.split_whitespace().any(|w| {
        matches!(w, "--no-index" | "--offline" | "--frozen-offline") || w.starts_with("--offline=")
    });
    if offline && i.index_urls.iter().all(|u| u.kind == IndexKind::FindLinks) {
        return false;
    }
    if i.manager == "uv"
        && i.subcommand
            .as_deref()
            .is_some_and(|s| s.starts_with("python"))
    {
        return false;
    }
    // The recogniser reports uvx, pnpx and bunx as uv, pnpm and bun with the runner's
    // name as the subcommand.
    let runner =
        i.manager == "npx" || matches!(i.subcommand.as_deref(), Some("uvx" | "pnpx" | "bunx"));
    !(runner && i.packages.iter().all(|p| p.name.starts_with('-')))
}

/// The shell loops of a script that retry what they run, indexed once per script: asking
/// [`RetryLoops::around`] for every command costs a few binary searches, where searching
/// the script's text again per command was quadratic in a script of many downloads.
struct RetryLoops<'s> {
    script: &'s str,
    /// Where each loop keyword (`for`, `while`, `until`) and each `done` starts, in
    /// order, with whether the word stands alone at its end in the whole script.
    opens: Vec<Word>,
    dones: Vec<Word>,
    /// Where `break` and `sleep` (any case) start, in order.
    retries: Vec<usize>,
}

/// One occurrence of a keyword: its start, its end, and whether it is followed by a
/// word boundary (whitespace, `;` or the end of the script). It is always preceded by
/// one (or the start of the script).
#[derive(Clone, Copy)]
struct Word {
    start: usize,
    end: usize,
    bounded_after: bool,
}

fn is_boundary(c: char) -> bool {
    c.is_whitespace() || c == ';'
}

impl<'s> RetryLoops<'s> {
    fn new(script: &'s str) -> Self {
        let words = |ws: &[&str]| {
            let mut found: Vec<Word> = ws
                .iter()
                .flat_map(|w| {
                    script.match_indices(w).filter_map(|(i, w)| {
                        let end = i + w.len();
                        let pre = script[..i].chars().next_back();
                        pre.is_none_or(is_boundary).then(|| Word {
                            start: i,
                            end,
                            bounded_after: script[end..].chars().next().is_none_or(is_boundary),
                        })
                    })
                })
                .collect();
            found.sort_by_key(|w| w.start);
            found
        };
        let lower = script.to_ascii_lowercase();
        let mut retries: Vec<usize> = ["break", "sleep"]
            .iter()
            .flat_map(|w| lower.match_indices(w).map(|(i, _)| i))
            .collect();
        retries.sort_unstable();
        Self {
            script,
            opens: words(&["for", "while", "until"]),
            dones: words(&["done"]),
            retries,
        }
    }

    /// The last word that ends by `at` and stands alone within `script[..at]` (where a
    /// word ending right at `at` needs no boundary after it).
    fn last_before(words: &[Word], at: usize) -> Option<usize> {
        let n = words.partition_point(|w| w.end <= at);
        let bounded = words[..n]
            .iter()
            .rev()
            .find(|w| w.bounded_after || w.end == at);
        bounded.map(|w| w.start)
    }

    /// True when the command at `span` sits in a shell loop that retries it: a `for`,
    /// `while` or `until` loop around it whose body breaks out or sleeps between
    /// attempts.
    fn around(&self, span: Span) -> bool {
        if self.script.get(..span.start).is_none() {
            return false;
        }
        let Some(open) = Self::last_before(&self.opens, span.start) else {
            return false;
        };
        // The loop must still be open at the command: no `done` between its start and it.
        if Self::last_before(&self.dones, span.start).is_some_and(|d| d > open) {
            return false;
        }
        let Some(after) = self.script.get(span.end..) else {
            return false;
        };
        // The first `done` after the command. One right at its end needs no boundary
        // before it.
        let close = if after
            .strip_prefix("done")
            .is_some_and(|rest| rest.chars().next().is_none_or(is_boundary))
        {
            Some(span.end)
        } else {
            let from = self.dones.partition_point(|w| w.start < span.end);
            self.dones[from..]
                .iter()
                .find(|w| w.bounded_after)
                .map(|w| w.start)
        };
        let Some(close) = close else {
            return false;
        };
        // The loop's body up to the command and from it to `done`.
        self.retry_in(open, span.start) || self.retry_in(span.end, close)
    }

    /// Whether `break` or `sleep` lies wholly within `from..to`.
    fn retry_in(&self, from: usize, to: usize) -> bool {
        let i = self.retries.partition_point(|&p| p < from);
        self.retries.get(i).is_some_and(|&p| p + 5 <= to)
    }
}

/// A `curl`/`wget` that sends data (a webhook, a metrics or upload API) talks to a
/// service but fetches nothing the build needs: not a delivery dependency.
fn sends(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.iter().enumerate().any(|(i, w)| {
        let next = words
            .get(i + 1)
            .map(|n| n.trim_matches(['"', '\'']).to_ascii_uppercase());
        matches!(
            *w,
            "-d" | "-F" | "-T" | "--form" | "--upload-file" | "--post-data" | "--post-file"
        ) || w.starts_with("--data")
            || w.starts_with("--json")
            || ((*w == "-X" || *w == "--request" || *w == "--method")
                && next.is_some_and(|m| m != "GET" && m != "HEAD"))
            || w.starts_with("-XPOST")
            || w.starts_with("--request=POST")
            || w.starts_with("--method=POST")
    })
}

/// A download as a dependency; `None` for what is not a delivery dependency (API calls,
/// artifacts of the same run, dynamic or local hosts).
fn download_dep(d: &Download, site: Site) -> Option<JobDependency> {
    if matches!(d.tool, "gh api" | "gh run download") {
        return None;
    }
    let host = d.host.clone()?;
    if matches!(
        host.as_str(),
        "localhost" | "127.0.0.1" | "0.0.0.0" | "::1" | "[::1]"
    ) || host.ends_with(".local")
    {
        return None;
    }
    let url = d.url.clone().unwrap_or_else(|| host.clone());
    let git = d.tool.starts_with("git ") || d.tool == "gh repo clone";
    let release = d.tool == "gh release download" || url.contains("/releases/download/");
    // `gh release download` without `-R` fetches the workflow's own repository.
    let own_release = d.tool == "gh release download" && d.url.is_none();
    let external = if own_release {
        false
    } else if release {
        true
    } else {
        !is_platform_host(&host)
    };
    let (key, name, help) = if git {
        let repo = tollgate_lockfile::normalise_for_match(&url);
        (
            format!("download git {repo}"),
            format!("git {url}"),
            "mirror the repository, or retry the clone; a git host outage stops the job",
        )
    } else if release {
        (
            format!(
                "download release {}",
                tollgate_lockfile::normalise_for_match(&url)
            ),
            format!("release {url}"),
            "retry the download (`curl --retry 5`, `wget --tries 5`), or cache the file (`actions/cache` with the download under `if: steps.<id>.outputs.cache-hit != 'true'`)",
        )
    } else {
        (
            format!("download host {host}"),
            format!("downloads from {host}"),
            "retry the download (`curl --retry 5`, `wget --tries 5`), or cache the file (`actions/cache` with the download under `if: steps.<id>.outputs.cache-hit != 'true'`)",
        )
    };
    let pinning = if is_commit_pinned_github_url(&url) {
        Pinning::pinned("commit in the URL")
    } else if git {
        match &d.reference {
            Some(r) if is_commit_sha(r) => Pinning::pinned("commit"),
            Some(r) => Pinning::floating(format!("ref `{r}`")),
            None => Pinning::floating("default branch"),
        }
    } else {
        Pinning::floating("URL")
    };
    let mut dep = plain(
        DependencyKind::Download,
        key,
        name,
        vec![host],
        external,
        pinning,
        site,
    );
    if d.retry {
        dep.fallbacks.push(Fallback {
            kind: FallbackKind::Retry,
            detail: format!("`{}` retries", d.tool),
        });
    }
    dep.help = Some(help.to_owned());
    Some(dep)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The per-command scan [`RetryLoops`] replaced, kept as the oracle it must agree
    /// with.
    fn in_retry_loop(script: &str, span: Span) -> bool {
        let before = script.get(..span.start).unwrap_or("");
        let after = script.get(span.end..).unwrap_or("");
        let words = |t: &str, w: &str| {
            t.match_indices(w)
                .map(|(i, _)| i)
                .filter(|&i| {
                    let pre = t[..i].chars().next_back();
                    let post = t[i + w.len()..].chars().next();
                    pre.is_none_or(|c| c.is_whitespace() || c == ';')
                        && post.is_none_or(|c| c.is_whitespace() || c == ';')
                })
                .collect::<Vec<_>>()
        };
        let open = ["for", "while", "until"]
            .iter()
            .filter_map(|w| words(before, w).into_iter().max())
            .max();
        let Some(open) = open else { return false };
        if !words(&before[open..], "done").is_empty() {
            return false;
        }
        let Some(close) = words(after, "done").into_iter().min() else {
            return false;
        };
        let body = format!("{} {}", &before[open..], &after[..close]);
        let lower = body.to_ascii_lowercase();
        lower.contains("break") || lower.contains("sleep")
    }

    #[test]
    fn retry_loops_agree_with_the_per_command_scan() {
        const TOKENS: &[&str] = &[
            "for", "while", "until", "done", "break", "SLEEP", "x", ";", " ", "\n", "curl", "é",
            "do", "fordone", "donex",
        ];
        // A fixed linear congruential sequence: the same scripts on every run.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            usize::try_from(seed >> 33).unwrap_or(0) % n
        };
        for _ in 0..400 {
            let script: String = (0..next(14) + 1)
                .map(|_| TOKENS[next(TOKENS.len())])
                .collect();
            let cuts: Vec<usize> = (0..=script.len())
                .filter(|&i| script.is_char_boundary(i))
                .collect();
            let loops = RetryLoops::new(&script);
            for &a in &cuts {
                for &b in cuts.iter().filter(|&&b| b >= a) {
                    let span = Span::new(a, b);
                    assert_eq!(
                        loops.around(span),
                        in_retry_loop(&script, span),
                        "{script:?} {a}..{b}"
                    );
                }
            }
        }
    }

    #[test]
    fn helpers() {
        assert!(is_platform_host("objects.githubusercontent.com"));
        assert!(!is_platform_host("gitlab.com"));
        assert!(exact_version("1.2.3"));
        assert!(!exact_version("20"));
        assert_eq!(strip_home("~/.npm"), ".npm");
        assert_eq!(manager_ecosystem("pnpm"), Some(Ecosystem::Npm));
        assert_eq!(manager_ecosystem("apt-get"), None);
        let script = "for i in 1 2 3; do\n  dnf install x && break || sleep 10\ndone";
        assert!(RetryLoops::new(script).around(Span::new(20, 33)));
        let script = "for f in *.txt; do echo $f; done\napt-get install x";
        assert!(!RetryLoops::new(script).around(Span::new(33, 50)));
        assert!(
            registry_hosts(Ecosystem::Npm, "https://registry.npmjs.org/")
                .contains(&"registry.npmjs.org".to_owned())
        );
    }
}

//! The inference itself: walk a job's steps (with local composite actions flattened in)
//! and collect the destinations of the runner, the actions, the commands of `run:`
//! scripts, the lockfiles and registry configuration their installs read, and the images
//! the job pulls.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use tollgate_gha::{Env, Run, Step, Uses};
use tollgate_graph::util::{host_of, image_host};
use tollgate_graph::{EdgeKind, Graph, Kind, NodeId, NodeKind};
use tollgate_lockfile::{ConfiguredSource, Ecosystem, Source, SourceRole};
use tollgate_model::{Location, SourceFile, Span};
use tollgate_scan::{FileModel, Input, Scan};
use tollgate_shell::{CredentialKind, Fact, IndexKind, Install, PackageKind};

use crate::harden::harden_runner;
use crate::hosts::{DEFAULT_PORT, registry_hosts};
use crate::kb::{self, ActionEntry, RunnerWhen};
use crate::{
    Destination, JobEgress, Provenance, ProvenanceKind, StepAt, UnknownAction, Unresolved,
};

mod gitlab;
mod install;
mod run;
mod snapshot;

use run::RunStep;

/// What every job of the graph reaches, in parallel, in graph order, sharing one
/// [`Cache`]. Jobs that call a reusable workflow run no steps themselves (the called
/// workflow's jobs are reported from its own file) and are left out. The egress pass
/// ([`crate::Pass`]) is the one caller.
#[must_use]
pub(crate) fn analyze_jobs(scan: &Scan, graph: &Graph) -> Vec<(NodeId, JobEgress)> {
    use rayon::prelude::*;
    let cache = Cache::default();
    let jobs: Vec<NodeId> = graph.jobs().collect();
    jobs.into_par_iter()
        .filter_map(|j| Some((j, analyze_job_with(scan, graph, j, &cache)?)))
        .collect()
}

/// Work shared between the jobs of one analysis: which packages of a lockfile stand for
/// all the others (the first of each registry or host). Many jobs install from the same
/// lockfile, so the walk over its thousands of packages is done once per (lockfile node,
/// configured sources) instead of once per install command.
#[derive(Default)]
struct Cache {
    representatives: Mutex<HashMap<NodeId, Vec<Walked>>>,
}

/// The representatives of one lockfile under one configuration.
type Walked = (Vec<ConfiguredSource>, Arc<[Representative]>);

impl Cache {
    /// The representatives of `parsed`, the model of the lockfile at graph node `file`,
    /// under `configured`.
    fn representatives(
        &self,
        file: NodeId,
        parsed: &tollgate_lockfile::PackageFile,
        configured: &[ConfiguredSource],
    ) -> Arc<[Representative]> {
        let lock = || {
            self.representatives
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
        };
        if let Some(hit) = lock()
            .get(&file)
            .and_then(|v| v.iter().find(|(c, _)| c.as_slice() == configured))
        {
            return Arc::clone(&hit.1);
        }
        let reps: Arc<[Representative]> = representatives(parsed, configured).into();
        lock()
            .entry(file)
            .or_default()
            .push((configured.to_vec(), Arc::clone(&reps)));
        reps
    }
}

/// A package that stands for every package of its lockfile with the same resolved
/// registry or host and the same deciding configuration entry.
struct Representative {
    package: usize,
    url: String,
    decided_by: Option<usize>,
}

/// The first package of each (registry or host, deciding config entry) of a lockfile.
fn representatives(
    parsed: &tollgate_lockfile::PackageFile,
    configured: &[ConfiguredSource],
) -> Vec<Representative> {
    let go_keyword = |u: &str| matches!(u.trim(), "direct" | "off");
    let mut seen: HashSet<(String, Option<usize>)> = HashSet::new();
    let mut out = Vec::new();
    for (i, pkg) in parsed.packages.iter().enumerate() {
        if pkg.flags.bundled
            || matches!(
                pkg.source,
                Source::Workspace | Source::Path { .. } | Source::Unknown
            )
        {
            continue;
        }
        let resolved = tollgate_lockfile::resolve(pkg, configured);
        let Some(url) = resolved.url else { continue };
        let key = if tollgate_lockfile::is_default_registry(pkg.ecosystem, &url) {
            format!("default:{:?}", pkg.ecosystem)
        } else if go_keyword(&url) {
            // `direct` fetches each module from its own host.
            format!("{url} {}", host_of(&pkg.name).unwrap_or_default())
        } else if is_dynamic(&url) {
            url.clone()
        } else {
            host_of(&url).unwrap_or_else(|| url.clone())
        };
        if seen.insert((key, resolved.decided_by)) {
            out.push(Representative {
                package: i,
                url,
                decided_by: resolved.decided_by,
            });
        }
    }
    out
}

fn analyze_job_with(scan: &Scan, graph: &Graph, job: NodeId, cache: &Cache) -> Option<JobEgress> {
    let node = graph.node(job)?;
    let NodeKind::Job { id, .. } = &node.kind else {
        return None;
    };
    if let Some(gl) = graph.gitlab_job(scan, job) {
        return Some(gitlab::analyze(scan, graph, job, id, &gl, cache));
    }
    let input = graph.input(scan, node.origin?.input())?;
    let (wf, model) = graph.job_model(scan, job)?;
    if model.uses.is_some() {
        return None;
    }
    let file = &input.source;
    let job_loc = graph.node_location(job);
    let mut acc = Acc::default();
    let mut env = env_sources(&wf.env, file, &mut acc);
    env.extend(env_sources(&model.env, file, &mut acc));

    for c in model
        .container
        .as_deref()
        .into_iter()
        .chain(&model.services)
    {
        if let Some(img) = &c.image {
            let at = file.location(img.span);
            acc.image(&img.value, &at, &at);
        }
    }

    let mut remote_actions = false;
    let followed = std::cell::RefCell::new(std::collections::HashSet::new());
    // The job's steps run in its `container:` when it has one.
    let container_image = model
        .container
        .as_ref()
        .and_then(|c| c.image.as_ref())
        .map(|i| i.value.as_str());
    for flat in graph.job_steps(job) {
        let Some(step) = graph.step_model(scan, flat.step) else {
            continue;
        };
        let Some(sinput) = graph.input(scan, flat.input) else {
            continue;
        };
        let sfile = &sinput.source;
        let mut step_env = env.clone();
        step_env.extend(env_sources(&step.env, sfile, &mut acc));
        if let Some(u) = &step.uses {
            let at = sfile.location(u.span);
            match &u.value {
                Uses::Remote(r) => {
                    remote_actions = true;
                    let action = r.action();
                    acc.actions.push((action.clone(), at.clone()));
                    if let Some(h) = harden_runner(step, sfile) {
                        acc.harden.push(h);
                    }
                    let reference = step
                        .uses_text()
                        .map_or_else(|| format!("{action}@{}", r.git_ref), |t| t.value.clone());
                    match kb::kb().action(&action) {
                        Some(entry) => {
                            let cached = tollgate_graph::util::tool_cache_hit(Some(model), step, &action)
                                .map(|h| {
                                    format!(
                                        "only on a runner image without {} {} in its tool cache ({} has it)",
                                        h.tool, h.version, h.snapshot
                                    )
                                });
                            // `${{ env.X }}` in the inputs, from the literal env blocks.
                            let envs = [&step.env, &model.env, &wf.env];
                            acc.action(
                                entry,
                                &ActionStep {
                                    step,
                                    file: sfile,
                                    reference: &reference,
                                    at: &at,
                                    cached: cached.as_deref(),
                                    envs: &envs,
                                },
                            );
                        }
                        None => {
                            if !snapshot::action(&mut acc, r, &reference, &at) {
                                acc.unknown.insert(UnknownAction {
                                    reference,
                                    location: Some(at),
                                });
                            }
                        }
                    }
                }
                Uses::Docker { image } => {
                    remote_actions = true;
                    acc.image(image, &at, &at);
                }
                _ => {
                    // A local Docker action pulls its `docker://` image.
                    for (e, target) in graph.outgoing(flat.step) {
                        if e.kind != EdgeKind::Uses {
                            continue;
                        }
                        for (e2, img) in graph.outgoing(target) {
                            if e2.kind != EdgeKind::Pulls {
                                continue;
                            }
                            if let Some(NodeKind::Image { reference }) =
                                graph.node(img).map(|n| &n.kind)
                            {
                                let loc = graph.node_location(img).unwrap_or_else(|| at.clone());
                                acc.image(reference, &loc, &at);
                            }
                        }
                    }
                }
            }
        }
        let job_index = match graph.node(flat.step).map(|n| &n.kind) {
            Some(NodeKind::Step { job, .. }) => *job,
            _ => None,
        };
        let cx = RunStep {
            scan,
            graph,
            cache,
            step_node: flat.step,
            input: sinput,
            scripts: None,
            job_index,
            env: &step_env,
            depth: 0,
            cwd: None,
            followed: &followed,
            image: container_image,
            in_image: false,
        };
        cx.run_facts(step, &mut acc);
        // docker/build-push-action builds `file` (default `<context>/Dockerfile`) with
        // `context` (default: the repository at the ref), both from the workspace.
        if let Some(Uses::Remote(r)) = step.uses.as_ref().map(|u| &u.value)
            && r.action().eq_ignore_ascii_case("docker/build-push-action")
        {
            let envs = [&step.env, &model.env, &wf.env];
            let input = |name: &str| {
                step.with_value(name)
                    .map(|kv| tollgate_gha::resolve_env_refs(kv.value.value.trim(), &envs))
            };
            let at = step
                .uses
                .as_ref()
                .map_or_else(|| sfile.location(step.span), |u| sfile.location(u.span));
            let via = step
                .uses_text()
                .map_or_else(|| r.action(), |t| t.value.clone());
            let dir = tollgate_scan::follow::base_dir(sinput, None);
            cx.follow_dockerfile(
                dir.as_deref(),
                input("context").as_deref(),
                input("file").as_deref(),
                &at,
                &via,
                &mut acc,
            );
        }
    }

    let kb = kb::kb();
    for r in &kb.runner {
        if r.when == RunnerWhen::Always || remote_actions {
            let p = Provenance {
                kind: ProvenanceKind::Runner,
                label: r.reason.clone(),
                location: job_loc.clone(),
                step: StepAt::Location,
                platform: true,
                optional: false,
                rare: None,
            };
            acc.add(&r.host, DEFAULT_PORT, p);
        }
    }
    Some(acc.finish(
        job,
        input,
        wf.name.as_ref().map(|n| n.value.clone()),
        id,
        job_loc,
    ))
}

/// A step that uses an action the knowledge base knows: the step, its file, the
/// reference as written, where its `uses:` is, the tool-cache condition of its downloads
/// (see [`Acc::action`]) and the env blocks its inputs can read (innermost first).
#[derive(Clone, Copy)]
struct ActionStep<'a> {
    step: &'a Step,
    file: &'a SourceFile,
    reference: &'a str,
    at: &'a Location,
    cached: Option<&'a str>,
    envs: &'a [&'a tollgate_gha::Env],
}

/// A registry setting from an `env:` block, with where it is written.
#[derive(Clone, Debug)]
struct EnvSource {
    source: ConfiguredSource,
    location: Location,
    label: String,
}

/// Registry settings of an `env:` block (`NPM_CONFIG_REGISTRY`, `PIP_INDEX_URL`, `GOPROXY`,
/// …); values built from expressions are unresolved.
fn env_sources(env: &Env, file: &SourceFile, acc: &mut Acc) -> Vec<EnvSource> {
    let mut out = Vec::new();
    for kv in &env.vars {
        let span = kv.key.span.cover(kv.value.span);
        for s in tollgate_lockfile::registry_from_env(&kv.key.value, &kv.value.value, span) {
            if matches!(s.role, SourceRole::Setting) || s.url.is_empty() {
                continue;
            }
            let location = file.location(span);
            let label = format!("{}={}", kv.key.value, s.url);
            if s.is_unresolved() || s.url.contains("${{") {
                acc.unresolved.insert(Unresolved {
                    text: s.url.clone(),
                    kind: ProvenanceKind::RegistryConfig,
                    label: kv.key.value.clone(),
                    location: Some(location),
                });
                continue;
            }
            out.push(EnvSource {
                source: s,
                location,
                label,
            });
        }
    }
    out
}

#[derive(Default)]
struct Acc {
    dests: BTreeMap<(String, u16), BTreeSet<Provenance>>,
    unresolved: BTreeSet<Unresolved>,
    unknown: BTreeSet<UnknownAction>,
    harden: Vec<crate::HardenRunner>,
    actions: Vec<(String, Location)>,
    /// `(host, file)` pairs already recorded from a lockfile, so a lockfile of a thousand
    /// packages gives one provenance per host, at its first entry.
    lockfile_seen: BTreeSet<(String, String)>,
}

/// Names that are not internet destinations: loopback, and single-label names, which
/// on a runner are service containers (`redis`, `postgres`) or git remotes (`origin`).
fn is_local(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    tollgate_model::addr::is_loopback(h) || h == "host.docker.internal" || !h.contains(['.', ':'])
}

fn is_dynamic(text: &str) -> bool {
    text.contains('$')
}

/// The port a URL connects to: explicit, else by scheme (ssh for scp-like git remotes).
fn url_port(url: &str) -> u16 {
    let url = url.trim();
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None if url.contains('@') && !url.contains('/') || url.starts_with("git@") => {
            return 22;
        }
        None => (String::new(), url),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    if !authority.starts_with('[')
        && let Some((_, p)) = authority.rsplit_once(':')
        && let Ok(p) = p.parse::<u16>()
    {
        return p;
    }
    let scheme = scheme.rsplit('+').next().unwrap_or(&scheme);
    match scheme {
        "http" => 80,
        "ftp" => 21,
        "git" => 9418,
        "ssh" => 22,
        _ => DEFAULT_PORT,
    }
}

/// The ecosystem of a package manager (the knowledge base's one table).
fn ecosystem(manager: &str) -> Option<Ecosystem> {
    tollgate_kb::Manager::ecosystem_of(manager)
}

/// The hosts behind an ecosystem's default registry (the knowledge base's one table).
fn default_hosts(eco: Ecosystem) -> Vec<String> {
    tollgate_lockfile::default_registry(eco).hosts()
}

/// Shorten a command for a label.
fn short(text: &str) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 72 {
        let cut: String = one.chars().take(71).collect();
        format!("{cut}…")
    } else {
        one
    }
}

impl Acc {
    /// What a followed file (a Makefile's recipes, a script) needs, as needed by the
    /// command `via` at `at` that runs it: each reason keeps its place in the file and
    /// names the command.
    fn absorb(&mut self, sub: Acc, at: &Location, via: &str) {
        for ((host, port), provs) in sub.dests {
            let set = self.dests.entry((host, port)).or_default();
            for mut p in provs {
                p.label = format!("{via} → {}", p.label).into();
                // The command of a followed file that ran the next one stays on the path.
                if let Some(inner) = p.set_step(Some(at.clone()))
                    && p.location.as_ref().is_some_and(|l| l.path != inner.path)
                {
                    p.via_first(inner);
                }
                set.insert(p);
            }
        }
        for mut u in sub.unresolved {
            u.label = format!("{via} → {}", u.label);
            self.unresolved.insert(u);
        }
    }

    fn add(&mut self, host: &str, port: u16, p: Provenance) {
        let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
        if host.is_empty() || is_local(&host) {
            return;
        }
        self.dests.entry((host, port)).or_default().insert(p);
    }

    fn unresolved(&mut self, text: &str, kind: ProvenanceKind, label: &str, at: &Location) {
        self.unresolved.insert(Unresolved {
            text: text.to_owned(),
            kind,
            label: label.to_owned(),
            location: Some(at.clone()),
        });
    }

    /// An image pulled: its registry's hosts.
    fn image(&mut self, reference: &str, at: &Location, step: &Location) {
        let r = reference.trim();
        let r = r.strip_prefix("docker://").unwrap_or(r);
        if r.is_empty() {
            return;
        }
        if is_dynamic(r) {
            // `ghcr.io/${{ github.repository }}:x`: the registry is known when the text
            // before the first `/` is a literal host (it has a dot or a port).
            match r.split_once('/') {
                Some((registry, _)) if !is_dynamic(registry) && registry.contains(['.', ':']) => {
                    if let Some(host) = image_host(&format!("{registry}/x")) {
                        self.registry(&host, r, at, step);
                    }
                }
                _ => self.unresolved(r, ProvenanceKind::Image, r, at),
            }
            return;
        }
        let Some(registry) = image_host(r) else {
            return;
        };
        self.registry(&registry, r, at, step);
    }

    /// The hosts of a registry an image `reference` is pulled from.
    fn registry(&mut self, registry: &str, reference: &str, at: &Location, step: &Location) {
        let registry = registry.to_ascii_lowercase();
        let label: Arc<str> = reference.into();
        for h in registry_hosts(&registry) {
            self.add(
                &h,
                DEFAULT_PORT,
                Provenance {
                    kind: ProvenanceKind::Image,
                    label: label.clone(),
                    location: Some(at.clone()),
                    step: StepAt::of(step, at),
                    platform: false,
                    optional: false,
                    rare: None,
                },
            );
        }
    }

    /// The hosts the knowledge base lists for an action, given the step's inputs. With
    /// `cached` (the condition under which a setup action downloads its toolchain at all,
    /// when the runner's tool cache holds the version), the hosts it lists for itself
    /// are conditional; hosts its inputs name are not.
    fn action(&mut self, entry: &ActionEntry, a: &ActionStep<'_>) {
        let ActionStep {
            step,
            file,
            reference,
            at,
            cached,
            envs,
        } = *a;
        let kb = kb::kb();
        let label: Arc<str> = reference.into();
        let prov = |platform: bool, location: &Location| Provenance {
            kind: ProvenanceKind::Action,
            label: label.clone(),
            location: Some(location.clone()),
            step: StepAt::of(at, location),
            platform,
            optional: false,
            rare: None,
        };
        // An input's value and where it is written (the `uses:` for a default), with
        // `${{ env.X }}` replaced where the env blocks set `X` to a literal.
        let input = |name: &str| -> Option<(String, Location)> {
            match step.with_value(name) {
                Some(kv) => Some((
                    tollgate_gha::resolve_env_refs(kv.value.value.trim(), envs),
                    file.location(kv.value.span),
                )),
                None => entry.defaults.get(name).map(|v| (v.clone(), at.clone())),
            }
        };
        let mut hosts: Vec<(String, bool)> = Vec::new();
        hosts.extend(kb.expand(&entry.hosts).into_iter().map(|h| (h, false)));
        for h in kb.expand(&entry.optional) {
            self.add(
                &h,
                DEFAULT_PORT,
                Provenance {
                    optional: true,
                    ..prov(false, at)
                },
            );
        }
        hosts.extend(kb.expand(&entry.platform).into_iter().map(|h| (h, true)));
        if let Some(when) = &entry.fallback_when {
            let condition = match cached {
                Some(c) => format!("{c}, and then {when}"),
                None => when.clone(),
            };
            for h in kb.expand(&entry.fallback) {
                self.add(
                    &h,
                    DEFAULT_PORT,
                    prov(false, at).with_condition(Some(condition.clone())),
                );
            }
        }
        for w in &entry.when {
            let value = if w.present {
                step.with_value(&w.input)
                    .map(|kv| kv.value.value.trim().to_owned())
            } else {
                input(&w.input).map(|(v, _)| v)
            };
            let hit = match (&value, &w.equals, &w.contains) {
                (None, _, _) => false,
                (Some(_), None, None) => true,
                (Some(v), Some(eq), _) => v.eq_ignore_ascii_case(eq),
                (Some(v), None, Some(c)) => {
                    v.to_ascii_lowercase().contains(&c.to_ascii_lowercase())
                }
            };
            if hit {
                hosts.extend(kb.expand(&w.hosts).into_iter().map(|h| (h, false)));
                hosts.extend(kb.expand(&w.platform).into_iter().map(|h| (h, true)));
            }
        }
        for (host, platform) in hosts {
            let conditional = if platform {
                None
            } else {
                cached.map(str::to_owned)
            };
            // `{input:NAME}` templates take the input's value.
            let (host, location) = match template(&host) {
                Some((before, name, after)) => match input(name) {
                    Some((v, _)) if is_dynamic(&v) => {
                        self.unresolved(
                            &host.replace(&format!("{{input:{name}}}"), &v),
                            ProvenanceKind::Action,
                            reference,
                            at,
                        );
                        continue;
                    }
                    Some((v, loc)) => (format!("{before}{}{after}", v.to_ascii_lowercase()), loc),
                    None => continue,
                },
                None => (host, at.clone()),
            };
            self.add(
                &host,
                DEFAULT_PORT,
                prov(platform, &location).with_condition(conditional),
            );
        }
        for name in &entry.host_inputs {
            let Some((value, loc)) = input(name) else {
                continue;
            };
            if is_dynamic(&value) {
                self.unresolved(&value, ProvenanceKind::Action, reference, &loc);
                continue;
            }
            if let Some(h) = host_of(&value) {
                let port = if value.contains("://") {
                    url_port(&value)
                } else {
                    DEFAULT_PORT
                };
                for host in registry_hosts(&h) {
                    self.add(&host, port, prov(false, &loc));
                }
            }
        }
        for name in &entry.image_inputs {
            let Some((value, loc)) = input(name) else {
                continue;
            };
            for image in value
                .split([',', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                self.image(image, &loc, at);
            }
        }
        if let Some(why) = &entry.unresolved {
            self.unresolved(why, ProvenanceKind::Action, reference, at);
        }
    }

    fn finish(
        self,
        job: NodeId,
        input: &Input,
        workflow_name: Option<String>,
        job_id: &str,
        location: Option<Location>,
    ) -> JobEgress {
        let destinations = self
            .dests
            .into_iter()
            .map(|((host, port), provenance)| Destination {
                wildcard: host.starts_with('*'),
                host,
                port,
                provenance: provenance.into_iter().collect(),
            })
            .collect();
        JobEgress {
            job,
            workflow: input.source.display.clone(),
            workflow_name,
            job_id: job_id.to_owned(),
            location,
            destinations,
            unresolved: self.unresolved.into_iter().collect(),
            unknown_actions: self.unknown.into_iter().collect(),
            harden_runner: self.harden,
            actions: self.actions,
            gitlab: false,
        }
    }
}

/// Split `pre{input:NAME}post` into its parts.
fn template(host: &str) -> Option<(&str, &str, &str)> {
    let start = host.find("{input:")?;
    let rest = &host[start + "{input:".len()..];
    let end = rest.find('}')?;
    Some((&host[..start], &rest[..end], &rest[end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_and_locals() {
        assert_eq!(url_port("https://x.io/a"), 443);
        assert_eq!(url_port("http://x.io/a"), 80);
        assert_eq!(url_port("https://x.io:8443/a"), 8443);
        assert_eq!(url_port("git@github.com:a/b.git"), 22);
        assert_eq!(url_port("git+https://github.com/a/b"), 443);
        assert_eq!(url_port("git://example.org/x"), 9418);
        assert!(is_local("localhost"));
        assert!(is_local("127.0.0.1"));
        assert!(is_local("postgres"));
        assert!(!is_local("example.com"));
        assert_eq!(
            template("sts.{input:aws-region}.amazonaws.com"),
            Some(("sts.", "aws-region", ".amazonaws.com"))
        );
        assert_eq!(short("a   b\n c"), "a b c");
    }
}

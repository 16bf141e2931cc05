//! Package-manager installs of a job: the registry configuration in effect, the lockfile
//! sources, pinning and the vendored copies an install reads instead of the network.

use super::*;

impl<'a> Collector<'a> {
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
                if let FileModel::Packages(p) = &*input.parsed {
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
    pub(super) fn env_retry(&self, step: Option<&Step>, eco: &str) -> Option<Fallback> {
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
                    && tollgate_kb::fallbacks::truthy(&v.value.value)
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
    pub(super) fn install(
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
        d.help = package_help(eco);
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
            d.help = package_help(eco);
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
                        // An archive URL: one dependency per host it is fetched from.
                        (
                            EdgeKind::ResolvesFrom,
                            Some(NodeKind::Source {
                                kind: SourceKind::Url,
                                url,
                                ..
                            }),
                        ) => {
                            hosts.extend(host_of(url));
                        }
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
            d.help = package_help(eco);
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
            d.help = package_help(eco);
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
            .working_directory()
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
        // apt's hosts are a GitHub-hosted Ubuntu runner's (its Azure mirror first); a
        // GitLab job installs from the repositories its image's distribution names: known
        // for the images the data describes (as the egress pass reads them), else none.
        let kb = tollgate_kb::egress_hosts();
        let hosts = match &self.gitlab {
            Some(g) => {
                let image = g.job.image.as_ref().map(|i| i.name.value.trim());
                kb.manager_hosts_in(inst.manager, image, true)
                    .map(|(hosts, _)| hosts)
                    .unwrap_or_default()
            }
            None => kb.manager_hosts(inst.manager),
        };
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
            } else if matches!(inst.manager, "maven" | "gradle") {
                // A build resolves the versions its build files name, which are not read.
                Pinning::not_applicable("the versions the build files name")
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
        d.help = Some(m.help.as_str().into());
        self.push(d, pos, None);
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

fn package_help(eco: Ecosystem) -> Option<std::borrow::Cow<'static, str>> {
    // The advice is knowledge-base data next to the cache actions it names.
    Some(
        tollgate_kb::fallbacks()
            .advice(eco)
            .unwrap_or_default()
            .into(),
    )
}

/// Whether an install reaches a package source at all: offline installs (the shell
/// facts' `offline`: `--no-index`, `--offline`, …) read local files only unless an index
/// is named anyway, `uv python` fetches interpreters from GitHub releases (not packages),
/// and `npx`/`uvx` with nothing but options runs no package.
pub(super) fn fetches(i: &Install) -> bool {
    if i.offline && i.index_urls.iter().all(|u| u.kind == IndexKind::FindLinks) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_hosts_of_the_default_registry() {
        assert!(
            registry_hosts(Ecosystem::Npm, "https://registry.npmjs.org/")
                .contains(&"registry.npmjs.org".to_owned())
        );
    }
}

//! The registries one package-manager install reaches: its lockfiles, the registry
//! configuration in effect and the index options on the command line.

use super::*;

impl RunStep<'_> {
    /// The registries one install command reaches.
    #[allow(clippy::too_many_lines)]
    pub(super) fn install(
        &self,
        inst: &Install,
        run: &Run,
        cmd: Option<NodeId>,
        cmd_loc: &Location,
        text: &Arc<str>,
        acc: &mut Acc,
    ) {
        let kb = kb::kb();
        let eco = ecosystem(inst.manager);
        let command = |location: &Location| Provenance {
            kind: ProvenanceKind::Command,
            label: text.clone(),
            location: Some(location.clone()),
            step: StepAt::of(cmd_loc, location),
            platform: false,
            optional: false,
            rare: None,
        };
        // What the manager may also reach that only files tollgate does not read say (the
        // repositories a `pom.xml` declares, what tox runs in its environments), and the
        // configuration files the command line names.
        if !inst.offline
            && let Some(note) = kb
                .manager(inst.manager)
                .and_then(|m| m.unresolved.as_deref())
        {
            acc.unresolved(note, ProvenanceKind::Command, text, cmd_loc);
        }
        for f in &inst.config_files {
            acc.unresolved(
                &format!(
                    "the repositories and mirrors `{}` declares (not read)",
                    f.path
                ),
                ProvenanceKind::Command,
                text,
                &self.loc(run, f.span),
            );
        }
        // Configured sources in effect, in increasing precedence: `env:` blocks, then
        // registry configuration files, then variables set in the script itself.
        let mut sources: Vec<EnvSource> = self.env.to_vec();
        let mut lockfiles: Vec<NodeId> = Vec::new();
        if let Some(cmd) = cmd {
            for (e, t) in self.graph.outgoing(cmd) {
                let Some(node) = self.graph.node(t) else {
                    continue;
                };
                match (e.kind, node.kind.kind()) {
                    (EdgeKind::Installs, Kind::Lockfile) => lockfiles.push(t),
                    (EdgeKind::ResolvesFrom, Kind::RegistryConfig) => {
                        let Some(cfg) = node
                            .origin
                            .and_then(|o| self.graph.input(self.scan, o.input()))
                        else {
                            continue;
                        };
                        if let FileModel::Packages(p) = &*cfg.parsed {
                            for s in &p.sources {
                                if matches!(s.role, SourceRole::Setting) {
                                    continue;
                                }
                                let location = cfg.source.location(s.span);
                                if s.is_unresolved() {
                                    acc.unresolved(
                                        &s.url,
                                        ProvenanceKind::RegistryConfig,
                                        &cfg.source.display,
                                        &location,
                                    );
                                    continue;
                                }
                                sources.push(EnvSource {
                                    source: s.clone(),
                                    location,
                                    label: cfg.source.display.clone(),
                                });
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        for e in &inst.env {
            let Some(value) = &e.value else { continue };
            for s in tollgate_lockfile::registry_from_env(&e.name, value, e.span) {
                if matches!(s.role, SourceRole::Setting) || s.url.is_empty() {
                    continue;
                }
                let location = self.loc(run, e.span);
                if s.is_unresolved() {
                    acc.unresolved(&s.url, ProvenanceKind::Command, &e.name, &location);
                    continue;
                }
                sources.push(EnvSource {
                    label: format!("{}={}", e.name, s.url),
                    source: s,
                    location,
                });
            }
        }
        if let Some(eco) = eco {
            sources.retain(|s| s.source.ecosystem == eco);
        } else {
            sources.clear();
        }
        let from_config = |acc: &mut Acc, s: &EnvSource| {
            let Some(h) = host_of(&s.source.url) else {
                return;
            };
            acc.add(
                &h,
                url_port(&s.source.url),
                Provenance {
                    kind: ProvenanceKind::RegistryConfig,
                    label: s.label.as_str().into(),
                    location: Some(s.location.clone()),
                    step: StepAt::of(cmd_loc, &s.location),
                    platform: false,
                    optional: false,
                    rare: None,
                },
            );
        };
        let go_keyword = |u: &str| matches!(u.trim(), "direct" | "off");
        // Index and registry options on the command line.
        let mut replaced = false;
        for idx in &inst.index_urls {
            if go_keyword(&idx.url) {
                continue;
            }
            let at = self.loc(run, idx.span);
            if matches!(
                idx.kind,
                IndexKind::Index | IndexKind::Registry | IndexKind::Proxy
            ) {
                replaced = true;
            }
            match host_of(&idx.url) {
                Some(h) if !is_dynamic(&idx.url) => acc.add(&h, url_port(&idx.url), command(&at)),
                _ => acc.unresolved(&idx.url, ProvenanceKind::Command, text, &at),
            }
        }
        // An install told to work offline (`mvn -o`, `cargo --frozen`, `pip --no-index`)
        // reaches only the locations its command line names.
        if inst.offline {
            return;
        }
        let default_cfg = sources
            .iter()
            .rev()
            .find(|s| s.source.role == SourceRole::Default && !go_keyword(&s.source.url))
            .cloned();
        let manager_defaults = |acc: &mut Acc| {
            match kb.manager_hosts_in(inst.manager, self.image, self.in_image) {
                Some((hosts, port)) => {
                    for h in hosts {
                        acc.add(&h, port.unwrap_or(DEFAULT_PORT), command(cmd_loc));
                    }
                }
                // In an image the data does not know, such a manager reaches what the
                // image's own sources say: not known offline, and said so.
                None if kb.manager_in(inst.manager, self.image).is_some() => {
                    let what = match self.image.filter(|i| !i.is_empty()) {
                        Some(i) => format!("the package sources of image `{i}`"),
                        None => "the package sources of the image it runs in, which the files do not name".to_owned(),
                    };
                    acc.unresolved(&what, ProvenanceKind::Command, text, cmd_loc);
                }
                None => {}
            }
        };
        // What the lockfiles it installs from resolve to.
        let configured: Vec<ConfiguredSource> = sources.iter().map(|s| s.source.clone()).collect();
        // Whether any lockfile names a package fetched from somewhere.
        let mut fetched = false;
        for lf in &lockfiles {
            let Some(lnode) = self.graph.node(*lf) else {
                continue;
            };
            let Some(linput) = lnode
                .origin
                .and_then(|o| self.graph.input(self.scan, o.input()))
            else {
                continue;
            };
            let FileModel::Packages(parsed) = &*linput.parsed else {
                continue;
            };
            // A lockfile of thousands of packages names a handful of hosts: only the first
            // package of each (registry or host, deciding config entry) adds anything, and
            // building provenance for the others was most of the egress stage's time.
            let reps = self.cache.representatives(*lf, parsed, &configured);
            fetched |= !reps.is_empty();
            for rep in reps.iter() {
                let Some(pkg) = parsed.packages.get(rep.package) else {
                    continue;
                };
                let url = rep.url.as_str();
                let version = pkg
                    .version
                    .as_deref()
                    .map(|v| format!("@{v}"))
                    .unwrap_or_default();
                let label: Arc<str> = format!("{}{version}", pkg.name).into();
                let (kind, location) = match rep.decided_by.and_then(|i| sources.get(i)) {
                    Some(s) => (ProvenanceKind::RegistryConfig, s.location.clone()),
                    None => {
                        let kind = if matches!(pkg.source, Source::Git { .. }) {
                            ProvenanceKind::Git
                        } else {
                            ProvenanceKind::Lockfile
                        };
                        (
                            kind,
                            linput.source.location(pkg.source_span.unwrap_or(pkg.span)),
                        )
                    }
                };
                let hosts: Vec<String> = if go_keyword(url) {
                    // `direct`: the module is fetched from its own VCS host.
                    if url.trim() == "direct" {
                        host_of(&pkg.name).into_iter().collect()
                    } else {
                        Vec::new()
                    }
                } else if tollgate_lockfile::is_default_registry(pkg.ecosystem, url) {
                    default_hosts(pkg.ecosystem)
                } else if is_dynamic(url) {
                    acc.unresolved(url, kind, &label, &location);
                    Vec::new()
                } else {
                    host_of(url).into_iter().collect()
                };
                let port = if go_keyword(url) {
                    DEFAULT_PORT
                } else {
                    url_port(url)
                };
                for h in hosts {
                    let key = (h.clone(), linput.source.display.clone());
                    if !acc.lockfile_seen.insert(key) {
                        continue;
                    }
                    acc.add(
                        &h,
                        port,
                        Provenance {
                            kind,
                            label: label.clone(),
                            location: Some(location.clone()),
                            step: StepAt::of(cmd_loc, &location),
                            platform: false,
                            optional: false,
                            rare: None,
                        },
                    );
                }
            }
        }
        // Packages named on the command line.
        let mut named = false;
        for p in &inst.packages {
            let at = self.loc(run, p.span);
            match p.kind {
                PackageKind::Registry => {
                    named = true;
                    if replaced {
                        continue;
                    }
                    // npm sends `@scope/name` to the scope's registry when one is set.
                    let scoped = (eco == Some(Ecosystem::Npm))
                        .then(|| p.name.strip_prefix('@').and_then(|n| n.split_once('/')))
                        .flatten()
                        .and_then(|(scope, _)| {
                            sources.iter().rev().find(|s| {
                                s.source.role == SourceRole::Scoped
                                    && s.source
                                        .scope
                                        .as_deref()
                                        .is_some_and(|sc| sc.trim_start_matches('@') == scope)
                            })
                        });
                    match scoped.or(default_cfg.as_ref()) {
                        Some(s) => from_config(acc, s),
                        None => manager_defaults(acc),
                    }
                }
                PackageKind::Git | PackageKind::Url => {
                    if is_dynamic(&p.name) {
                        acc.unresolved(&p.name, ProvenanceKind::Command, text, &at);
                    } else if let Some(h) = host_of(&p.name) {
                        let mut prov = command(&at);
                        if p.kind == PackageKind::Git {
                            prov.kind = ProvenanceKind::Git;
                        }
                        acc.add(&h, url_port(&p.name), prov);
                    }
                }
                PackageKind::Path | PackageKind::LocalFile => {}
            }
        }
        // A project install with no lockfile in the repository, or whose lockfiles fetch
        // nothing (an empty lockfile, workspace packages only): the default registry (or
        // the configured one), which the install still asks (npm and yarn send their audit
        // there, the others resolve what the manifest names), and every scoped registry,
        // since the manifest may name scoped packages.
        if (lockfiles.is_empty() || !fetched) && !named && !replaced {
            match &default_cfg {
                Some(s) => from_config(acc, s),
                None => manager_defaults(acc),
            }
            for s in sources
                .iter()
                .filter(|s| s.source.role == SourceRole::Scoped)
            {
                if !go_keyword(&s.source.url) {
                    from_config(acc, s);
                }
            }
        }
        // Extra indexes from configuration are searched in addition to the default.
        for s in sources
            .iter()
            .filter(|s| matches!(s.source.role, SourceRole::Extra | SourceRole::FindLinks))
        {
            from_config(acc, s);
        }
    }
}

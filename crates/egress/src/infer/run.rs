//! One step's `run:` script: the destinations of its commands (downloads, clones, images,
//! `go` builds) found by the shell analysis.

use super::*;

/// One step's `run:` script in context.
pub(super) struct RunStep<'a> {
    pub(super) scan: &'a Scan,
    pub(super) graph: &'a Graph,
    pub(super) cache: &'a Cache,
    pub(super) step_node: NodeId,
    pub(super) input: &'a Input,
    pub(super) job_index: Option<usize>,
    pub(super) env: &'a [EnvSource],
}

impl RunStep<'_> {
    pub(super) fn loc(&self, run: &Run, span: Span) -> Location {
        self.input.source.location(run.file_span(span))
    }

    pub(super) fn run_facts(&self, step: &Step, acc: &mut Acc) {
        let Some(run) = &step.run else { return };
        let Some(analysis) = self
            .input
            .script(self.job_index, step.index)
            .and_then(|s| s.analysis.as_deref())
        else {
            return;
        };
        // The graph's command nodes of this step, by their span in the file.
        let commands: Vec<(Span, NodeId)> = self
            .graph
            .outgoing(self.step_node)
            .into_iter()
            .filter(|(e, _)| e.kind == EdgeKind::Runs)
            .filter_map(|(_, t)| Some((self.graph.node(t)?.origin?.span(), t)))
            .collect();
        self.go_builds(run, analysis, acc);
        for fact in &analysis.facts {
            let cmd_loc = self.loc(run, fact.span());
            let text = short(
                run.script
                    .get(fact.span().start..fact.span().end)
                    .unwrap_or(""),
            );
            match fact {
                Fact::Download(d) => {
                    let kind = if d.tool.starts_with("git") || d.tool == "gh repo clone" {
                        ProvenanceKind::Git
                    } else {
                        ProvenanceKind::Command
                    };
                    let at = self.loc(run, d.url_span.unwrap_or(d.span));
                    let prov = || Provenance {
                        kind,
                        label: text.clone(),
                        location: Some(at.clone()),
                        step: Some(cmd_loc.clone()),
                        platform: false,
                        optional: false,
                        conditional: None,
                    };
                    match (&d.host, &d.url) {
                        (Some(h), url) => {
                            let port = url.as_deref().map_or(DEFAULT_PORT, url_port);
                            acc.add(h, port, prov());
                            // Release assets redirect to GitHub's object storage.
                            let release = d.tool == "gh release download"
                                || (h == "github.com"
                                    && url
                                        .as_deref()
                                        .is_some_and(|u| u.contains("/releases/download/")));
                            if release {
                                let kb = kb::kb();
                                for r in kb.expand(&["@github-releases".to_owned()]) {
                                    acc.add(&r, DEFAULT_PORT, prov());
                                }
                            }
                        }
                        (None, Some(url)) if is_dynamic(url) => {
                            acc.unresolved(url, kind, &text, &at);
                        }
                        (None, None) if d.tool == "git submodule" => {
                            acc.unresolved(
                                "the submodule URLs in `.gitmodules`",
                                kind,
                                &text,
                                &cmd_loc,
                            );
                        }
                        _ => {}
                    }
                }
                Fact::Image(i) => {
                    let at = self.loc(run, i.image_span);
                    acc.image(&i.image, &at, &cmd_loc);
                }
                // An image the job makes from a container or an archive (`docker commit`,
                // `tag`, `import`) reads no Dockerfile and pulls no base image.
                Fact::ImageBuild(b) if b.tool.ends_with(" build") => {
                    let what = format!(
                        "the base images named in `{}`",
                        b.dockerfile.as_deref().unwrap_or("Dockerfile")
                    );
                    acc.unresolved(&what, ProvenanceKind::Image, &text, &cmd_loc);
                }
                Fact::Install(i) => {
                    let cmd = commands
                        .iter()
                        .find(|(s, _)| *s == run.file_span(i.span))
                        .map(|(_, n)| *n);
                    self.install(i, run, cmd, &cmd_loc, &text, acc);
                }
                Fact::Credential(c) => {
                    // `gh` writes go to the API; release assets are uploaded to
                    // uploads.github.com.
                    if let CredentialKind::GhWrite { subcommand } = &c.kind {
                        let mut hosts = vec!["api.github.com"];
                        if matches!(subcommand.as_str(), "release upload" | "release create") {
                            hosts.push("uploads.github.com");
                        }
                        for h in hosts {
                            acc.add(
                                h,
                                DEFAULT_PORT,
                                Provenance::at(ProvenanceKind::Command, text.clone(), &cmd_loc),
                            );
                        }
                    }
                    if let CredentialKind::Publish { tool, .. } = &c.kind
                        && let Some(p) = kb::kb().publish(tool)
                    {
                        for h in kb::kb().expand(&p.hosts) {
                            acc.add(
                                &h,
                                DEFAULT_PORT,
                                Provenance::at(ProvenanceKind::Command, text.clone(), &cmd_loc),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// `go build`, `go test`, `go vet`, `go run`, `go generate` and `go list` download the
    /// main module's missing dependencies through `GOPROXY` (default `proxy.golang.org`,
    /// checked against `sum.golang.org`); the shell analysis does not count them as
    /// installs, so they are read here from the commands.
    fn go_builds(&self, run: &Run, analysis: &tollgate_shell::Analysis, acc: &mut Acc) {
        let kb = kb::kb();
        for cmd in &analysis.commands {
            if cmd.name() != Some("go") {
                continue;
            }
            let sub = cmd.args().first().and_then(|w| w.as_str()).unwrap_or("");
            if !matches!(sub, "build" | "test" | "vet" | "run" | "generate" | "list") {
                continue;
            }
            let at = self.loc(run, cmd.span);
            let text = short(run.script.get(cmd.span.start..cmd.span.end).unwrap_or("go"));
            let configured = self.env.iter().rev().find(|s| {
                s.source.ecosystem == Ecosystem::Go && s.source.role == SourceRole::Default
            });
            match configured {
                Some(s) if matches!(s.source.url.trim(), "direct" | "off") => {}
                Some(s) => {
                    if let Some(h) = host_of(&s.source.url) {
                        acc.add(
                            &h,
                            url_port(&s.source.url),
                            Provenance {
                                kind: ProvenanceKind::RegistryConfig,
                                label: s.label.clone(),
                                location: Some(s.location.clone()),
                                step: Some(at.clone()),
                                platform: false,
                                optional: false,
                                conditional: None,
                            },
                        );
                    }
                }
                None => {
                    for h in kb
                        .manager("go")
                        .map(|m| kb.expand(&m.hosts))
                        .unwrap_or_default()
                    {
                        acc.add(
                            &h,
                            DEFAULT_PORT,
                            Provenance::at(ProvenanceKind::Command, text.clone(), &at),
                        );
                    }
                }
            }
        }
    }
}

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
    /// The input holding the step's script analysis when it is not `input`: a GitLab
    /// configuration's root file, for a session written in a file it includes. Files
    /// followed from the step (`depth` above 0) hold their own.
    pub(super) scripts: Option<&'a Input>,
    pub(super) job_index: Option<usize>,
    pub(super) env: &'a [EnvSource],
    /// How many files deep this script is from the job's step (a Makefile a step runs
    /// is 1); followed files have no command nodes of their own.
    pub(super) depth: usize,
    /// Where the scripts run when the file does not say it: a Dockerfile's `RUN`s run
    /// in the build context copied into the image (`COPY . .`), not where the
    /// Dockerfile is.
    pub(super) cwd: Option<&'a str>,
    /// The files (and Makefile goals) already followed for this job: each is followed
    /// once, so a script that runs itself, or a thousand calls of one Makefile target,
    /// costs one reading, not one per call and level.
    pub(super) followed: &'a std::cell::RefCell<std::collections::HashSet<String>>,
    /// The image the scripts run in, whose package sources an install reads: the job's
    /// `container:`, or the base of the Dockerfile stage a `RUN` belongs to. A command
    /// given to `docker run`/`docker exec` names its own.
    pub(super) image: Option<&'a str>,
    /// The scripts always run in an image (a GitLab job's: its `image:`, else the
    /// runner's default), never on a hosted runner's own system, so a package manager
    /// whose sources are the image's reads no runner mirror list.
    pub(super) in_image: bool,
}

/// Files run by files run by a step are followed this deep at most.
const MAX_FOLLOW_DEPTH: usize = 4;

impl RunStep<'_> {
    pub(super) fn loc(&self, run: &Run, span: Span) -> Location {
        self.input.source.location(run.file_span(span))
    }

    pub(super) fn run_facts(&self, step: &Step, acc: &mut Acc) {
        let Some(run) = &step.run else { return };
        let holder = match self.scripts {
            Some(root) if self.depth == 0 => root,
            _ => self.input,
        };
        let Some(analysis) = holder
            .script(self.job_index, step.index)
            .and_then(|s| s.analysis.as_deref())
        else {
            return;
        };
        // The graph's command nodes of this step, by their span in the file (a followed
        // file has none: its spans are in another file).
        let commands: Vec<(Span, NodeId)> = if self.depth > 0 {
            Vec::new()
        } else {
            self.graph
                .outgoing(self.step_node)
                .into_iter()
                .filter(|(e, _)| e.kind == EdgeKind::Runs)
                .filter_map(|(_, t)| Some((self.graph.node(t)?.origin?.span(), t)))
                .collect()
        };
        self.go_builds(run, analysis, acc);
        for fact in &analysis.facts {
            let cmd_loc = self.loc(run, fact.span());
            let text: Arc<str> = short(run.script.get(fact.span().range()).unwrap_or("")).into();
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
                        step: StepAt::of(&cmd_loc, &at),
                        platform: false,
                        optional: false,
                        rare: None,
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
                Fact::Invoke(inv) => self.follow(inv, step, &cmd_loc, &text, acc),
                // An image the job makes from a container or an archive (`docker commit`,
                // `tag`, `import`) reads no Dockerfile and pulls no base image.
                Fact::ImageBuild(b) if b.tool.ends_with(" build") => {
                    let dir = tollgate_scan::follow::base_dir(self.input, Some(step));
                    self.follow_dockerfile(
                        dir.as_deref(),
                        b.context.as_deref(),
                        b.dockerfile.as_deref(),
                        &cmd_loc,
                        &text,
                        acc,
                    );
                }
                Fact::Install(i) => {
                    let cmd = commands
                        .iter()
                        .find(|(s, _)| *s == run.file_span(i.span))
                        .map(|(_, n)| *n);
                    // A command run in a container reads that container's sources.
                    let inside = analysis
                        .commands
                        .iter()
                        .find(|c| c.span == i.span && c.context.container);
                    let cx = RunStep {
                        image: inside.map_or(self.image, |c| c.container_image.as_deref()),
                        ..*self
                    };
                    cx.install(i, run, cmd, &cmd_loc, &text, acc);
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

    /// Follow a command that runs a file of the repository (`make test`, `./build.sh`)
    /// into the file the scan loaded, and add what its recipes or commands need, as needed
    /// by that command. What cannot be followed is said: the file is missing, the goal
    /// has no rule, the script is in another language, the directory is only known at
    /// run time.
    fn follow(
        &self,
        inv: &tollgate_shell::Invoke,
        step: &Step,
        at: &Location,
        text: &str,
        acc: &mut Acc,
    ) {
        use tollgate_scan::follow::{ScriptFile, action_dir, base_dir, invoke_candidates};
        if self.depth >= MAX_FOLLOW_DEPTH {
            acc.unresolved(
                &format!(
                    "what `{text}` runs (files run by files are followed {MAX_FOLLOW_DEPTH} deep)"
                ),
                ProvenanceKind::Command,
                text,
                at,
            );
            return;
        }
        let dir = match self.cwd {
            _ if inv.what == "action-script" => action_dir(self.input),
            Some(c) => Some(c.to_owned()),
            None => base_dir(self.input, Some(step)),
        };
        let Some((files, _)) = dir.and_then(|dir| invoke_candidates(&dir, inv)) else {
            acc.unresolved(
                &format!("what `{text}` runs (a directory outside the repository or known only at run time)"),
                ProvenanceKind::Command,
                text,
                at,
            );
            return;
        };
        let Some(target) = files
            .iter()
            .find_map(|f| self.scan.input_at(self.input.root, f))
        else {
            let name = files.last().map_or("the file", String::as_str);
            acc.unresolved(
                &format!("what `{text}` runs (`{name}` is not in the repository)"),
                ProvenanceKind::Command,
                text,
                at,
            );
            return;
        };
        let tollgate_scan::FileModel::Script(ScriptFile {
            make,
            steps,
            interpreter,
        }) = &*target.parsed
        else {
            return;
        };
        if let Some(lang) = interpreter {
            acc.unresolved(
                &format!("what `{text}` runs (a `{lang}` script: not analysed)"),
                ProvenanceKind::Command,
                text,
                at,
            );
            return;
        }
        let goals: Vec<String> = match make {
            Some(m) if inv.targets.is_empty() => m.default_goal.iter().cloned().collect(),
            Some(_) => inv.targets.clone(),
            None => Vec::new(),
        };
        let key = format!("{}#{}", target.source.display, goals.join(" "));
        if !self.followed.borrow_mut().insert(key) {
            return;
        }
        let chosen: Vec<&Step> = match make {
            Some(m) => {
                let mut out = Vec::new();
                for goal in goals {
                    let rules = m.recipe_rules(&goal);
                    if rules.is_empty() {
                        acc.unresolved(
                            &format!(
                                "what `{text}` runs (no rule `{goal}` in `{}`)",
                                target.source.display
                            ),
                            ProvenanceKind::Command,
                            text,
                            at,
                        );
                    }
                    for r in rules {
                        if let Some(k) = m.rules.iter().position(|x| std::ptr::eq(x, r))
                            && let Some(s) = steps.get(k)
                        {
                            out.push(s);
                        }
                    }
                }
                out
            }
            None => steps.iter().collect(),
        };
        let cx = RunStep {
            input: target,
            job_index: None,
            depth: self.depth + 1,
            cwd: None,
            ..*self
        };
        let mut sub = Acc::default();
        for s in chosen {
            cx.run_facts(s, &mut sub);
        }
        acc.absorb(sub, at, text);
    }

    /// Follow an image build into its Dockerfile: the registries of the images it pulls
    /// (`FROM`, `COPY --from`), the hosts of its `ADD` URLs, and what its `RUN` scripts
    /// need, as needed by the command or step `via` at `at`. `dir` is where the build
    /// runs (`None`: known only at run time), `context` the build context relative to
    /// it (default `.`), `file` the Dockerfile (default `<context>/Dockerfile`). A
    /// Dockerfile the scan did not read is said to be unresolved.
    pub(super) fn follow_dockerfile(
        &self,
        dir: Option<&str>,
        context: Option<&str>,
        file: Option<&str>,
        at: &Location,
        via: &str,
        acc: &mut Acc,
    ) {
        let unknown = |acc: &mut Acc, why: &str| {
            acc.unresolved(
                &format!("the base images and build steps of {why}"),
                ProvenanceKind::Image,
                via,
                at,
            );
        };
        let join = |base: &str, rel: &str| {
            let rel = rel.trim();
            tollgate_scan::local::normalise(&if base.is_empty() {
                rel.to_owned()
            } else {
                format!("{base}/{rel}")
            })
        };
        let context = context.unwrap_or(".");
        let context_dir = dir
            .filter(|_| !is_dynamic(context) && !context.contains("://"))
            .and_then(|d| join(d, context));
        let path = dir
            .filter(|_| context_dir.is_some())
            .and_then(|d| match file {
                Some(f) if is_dynamic(f) => None,
                Some(f) => join(d, f),
                None => join(d, &format!("{context}/Dockerfile")),
            });
        let Some(path) = path else {
            unknown(acc, "a Dockerfile known only at run time");
            return;
        };
        let Some(target) = self.scan.input_at(self.input.root, &path) else {
            unknown(
                acc,
                &format!("`{path}` (not read: not in the repository or excluded)"),
            );
            return;
        };
        let tollgate_scan::FileModel::Dockerfile(d) = &*target.parsed else {
            unknown(acc, &format!("`{path}`"));
            return;
        };
        // Each Dockerfile once per job, with its build context.
        let key = format!("{path}#{}", context_dir.as_deref().unwrap_or(""));
        if !self.followed.borrow_mut().insert(key) {
            return;
        }
        if self.depth >= MAX_FOLLOW_DEPTH {
            unknown(
                acc,
                &format!("`{path}` (files run by files are followed {MAX_FOLLOW_DEPTH} deep)"),
            );
            return;
        }
        let mut sub = Acc::default();
        let file = &target.source;
        for (u, reference) in d.pulls() {
            let loc = file.location(u.written.span);
            sub.image(reference, &loc, &loc);
        }
        for unresolved in d
            .images
            .iter()
            .filter(|u| matches!(u.target, tollgate_docker::Target::Unresolved))
        {
            let loc = file.location(unresolved.written.span);
            sub.unresolved(
                &unresolved.written.value,
                ProvenanceKind::Image,
                &unresolved.written.value,
                &loc,
            );
        }
        for add in &d.adds {
            let loc = file.location(add.url.span);
            if let Some(h) = host_of(&add.url.value).filter(|_| !is_dynamic(&add.url.value)) {
                sub.add(
                    &h,
                    url_port(&add.url.value),
                    Provenance::at(
                        ProvenanceKind::Command,
                        format!("ADD {}", short(&add.url.value)).into(),
                        &loc,
                    ),
                );
            } else {
                sub.unresolved(&add.url.value, ProvenanceKind::Command, "ADD", &loc);
            }
        }
        // Each `RUN` with a shell script, as a step of the Dockerfile (its scripts are
        // indexed by `RUN`; the script keeps the file's offsets).
        let cx = RunStep {
            input: target,
            job_index: None,
            depth: self.depth + 1,
            cwd: context_dir.as_deref(),
            ..*self
        };
        for (k, run) in d.runs.iter().enumerate() {
            let Some(script) = &run.script else { continue };
            let cx = RunStep {
                image: d.base_image(run.stage),
                ..cx
            };
            let step = Step::from_script(
                k,
                script.span,
                script.value.clone(),
                &[(0, script.span.start(), script.span.end())],
            );
            cx.run_facts(&step, &mut sub);
        }
        acc.absorb(sub, at, via);
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
            let text: Arc<str> = short(run.script.get(cmd.span.range()).unwrap_or("go")).into();
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
                                label: s.label.as_str().into(),
                                location: Some(s.location.clone()),
                                step: StepAt::of(&at, &s.location),
                                platform: false,
                                optional: false,
                                rare: None,
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

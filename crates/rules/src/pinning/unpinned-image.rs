//! `unpinned-image`: a container image used without a `@sha256:` digest.
//!
//! A query over the graph: every `pulls` edge of a job or local action into an image
//! node, with the node's pin state; images the same job (or composite action) builds
//! itself (`builds` edges, and images an earlier `docker/build-push-action` step loads)
//! are skipped, and a pull after a step whose script may build images out of sight is
//! reported with low confidence. A script image written with `$VAR` is judged with the
//! literal `env:` value when nothing in the job can have changed the variable. Images
//! that actions run from an input (`rules/data/image-inputs.toml`) are judged like a
//! job's `container:`. The path of a finding goes from the workflow through the job
//! (and the step and command) to the pull. A Dockerfile's `FROM` and `COPY --from`
//! images are the `pulls` edges of its node, judged the same way, with `ARG` defaults
//! expanded by the front end (stages, `scratch` and build-time variables are no pull).

use tollgate_docker::Dockerfile;
use tollgate_engine::{Context, GitlabJobCx, JobCx, Rule, Sink};
use tollgate_gha::{Action, Env, Spanned, Step, Uses, env_value};
use tollgate_graph::{Graph, ImagePin, ImagePull, InputId, NodeId, NodeKind};
use tollgate_model::PathHop;
use tollgate_model::addr::ImageRef;
use tollgate_model::{Confidence, Impact, SourceFile, Span};
use tollgate_shell::{EnvTarget, Fact};

use crate::chain::Chain;
use tollgate_scan::{FileModel, Input};

pub struct UnpinnedImage;

impl Rule for UnpinnedImage {
    fn id(&self) -> &'static str {
        "unpinned-image"
    }

    fn check_job(&self, cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        let file = &job.input.source;
        let Some(node) = cx.graph.job_node(&file.display, &job.job.id.value) else {
            return;
        };
        let pulls = cx.graph.image_pulls(node);
        // The job's own edges: the graph keeps one per image, so two services of one
        // image are told apart by the model, which also names them.
        let own = |img: &Spanned<String>| {
            pulls
                .iter()
                .filter(|p| p.from == node)
                .find(|p| reference(cx.graph, p.image) == Some(img.value.trim()))
                .map(|p| p.pin)
        };
        // An image written with `${{ matrix.x }}` is judged per literal value of the
        // matrix, at the value (where a digest would go).
        let matrix_or = |img: &Spanned<String>, pin: ImagePin, what: &str, out: &mut Sink<'_>| {
            let path = path_to(cx, node, file, img.span, what, &img.value);
            let per_value = (pin == ImagePin::RunTime)
                .then(|| job.job.matrix.as_ref()?.expand(&img.value))
                .flatten();
            match per_value {
                Some(images) => {
                    for Spanned {
                        value: image,
                        span: at,
                    } in images
                    {
                        let pin = ImagePin::of(&image);
                        check(
                            file,
                            &image,
                            Some((&img.value, "for this matrix value")),
                            pin,
                            at,
                            what,
                            path.clone(),
                            out,
                        );
                    }
                }
                None => check(file, &img.value, None, pin, img.span, what, path, out),
            }
        };
        if let Some(img) = job.job.container.as_ref().and_then(|c| c.image.as_ref())
            && let Some(pin) = own(img)
        {
            matrix_or(img, pin, "job container", out);
        }
        for s in &job.job.services {
            if let Some(img) = &s.image
                && let Some(pin) = own(img)
            {
                let what = s.id.as_ref().map_or_else(
                    || "service".to_owned(),
                    |id| format!("service `{}`", id.value),
                );
                matrix_or(img, pin, &what, out);
            }
        }
        let owner = Owner {
            input: job.input,
            job: job_index(job),
            steps: &job.job.steps,
            envs: vec![&job.job.env, &job.workflow.env],
        };
        steps(cx, file, node, &pulls, &owner, out);
    }

    fn check_action(&self, cx: &Context<'_>, input: &Input, action: &Action, out: &mut Sink<'_>) {
        let file = &input.source;
        let Some(node) = cx
            .graph
            .input_id(&file.display)
            .and_then(|i| cx.graph.file_node(i))
        else {
            return;
        };
        let pulls = cx.graph.image_pulls(node);
        for p in pulls.iter().filter(|p| p.from == node) {
            // `runs.image: docker://…`; a `Dockerfile` builds locally and is no edge.
            if let (Some(image), Some(o)) = (reference(cx.graph, p.image), p.origin) {
                // The action's own file: the runner's default path (none, when no
                // workflow step is at the location).
                check(
                    file,
                    image,
                    None,
                    p.pin,
                    o.span(),
                    "docker action image",
                    None,
                    out,
                );
            }
        }
        let owner = Owner {
            input,
            job: None,
            steps: action.steps(),
            envs: Vec::new(),
        };
        steps(cx, file, node, &pulls, &owner, out);
    }

    fn check_input(&self, cx: &Context<'_>, input: &Input, out: &mut Sink<'_>) {
        let FileModel::Dockerfile(d) = &*input.parsed else {
            return;
        };
        dockerfile(cx, input, d, out);
    }

    fn check_gitlab_job(&self, cx: &Context<'_>, job: &GitlabJobCx<'_>, out: &mut Sink<'_>) {
        crate::pinning::gitlab_image::check_job(cx, job, out);
    }
}

/// A GitLab job's image or service, judged as a job container is (`gitlab_image` reads
/// the GitLab model and its variables).
#[allow(clippy::too_many_arguments)]
pub(crate) fn check_gitlab(
    cx: &Context<'_>,
    node: Option<NodeId>,
    file: &SourceFile,
    image: &str,
    written: Option<(&str, &str)>,
    at: Span,
    what: &str,
    out: &mut Sink<'_>,
) {
    let path = node.and_then(|n| path_to(cx, n, file, at, what, image));
    check(
        file,
        image,
        written,
        ImagePin::of(image),
        at,
        what,
        path,
        out,
    );
}

/// The images of a Dockerfile: each `FROM` and `COPY --from` line that pulls one, at the
/// reference. The graph keeps one edge per image, so the places come from the model and
/// the pin state from the edge's image node.
fn dockerfile(cx: &Context<'_>, input: &Input, d: &Dockerfile, out: &mut Sink<'_>) {
    let file = &input.source;
    let Some(node) = cx
        .scan
        .index_of(input)
        .and_then(|i| cx.graph.file_node(InputId(i)))
    else {
        return;
    };
    let pulls = cx.graph.image_pulls(node);
    for (u, image) in d.pulls() {
        let Some(p) = pulls
            .iter()
            .find(|p| reference(cx.graph, p.image) == Some(image))
        else {
            continue;
        };
        let what = format!("`{}` image", u.via.as_str());
        let written = u
            .substituted()
            .then_some((u.written.value.as_str(), "with its `ARG` defaults"));
        let path = path_to(cx, node, file, u.written.span, &what, image);
        check(
            file,
            image,
            written,
            p.pin,
            u.written.span,
            &what,
            path,
            out,
        );
    }
}

/// The job's index in its workflow.
fn job_index(job: &JobCx<'_>) -> Option<usize> {
    job.workflow
        .jobs
        .iter()
        .position(|j| std::ptr::eq(j, job.job))
}

/// What a job or composite action holds that the pulls of its steps are read against.
struct Owner<'a> {
    input: &'a Input,
    /// The job's index in its workflow; `None` in a composite action.
    job: Option<usize>,
    steps: &'a [Step],
    /// The `env:` blocks around the steps, innermost first (job, then workflow).
    envs: Vec<&'a Env>,
}

impl Owner<'_> {
    fn step(&self, index: usize) -> Option<&Step> {
        self.steps.iter().find(|s| s.index == index)
    }

    /// Whether an earlier step than `index` loads an image tagged `image` into the
    /// local Docker: `docker/build-push-action` with `load: true` (or a `type=docker`
    /// output) and that name among its `tags`.
    fn loaded_before(&self, index: usize, image: &str) -> bool {
        let name = image.split(':').next().unwrap_or(image);
        self.steps.iter().filter(|s| s.index < index).any(|s| {
            let Some(Spanned {
                value: Uses::Remote(r),
                ..
            }) = s.uses.as_deref()
            else {
                return false;
            };
            if !r.action().eq_ignore_ascii_case("docker/build-push-action") {
                return false;
            }
            let with = |k: &str| s.with_value(k).map(|kv| kv.value.value.trim());
            let loads = with("load").is_some_and(|v| v.eq_ignore_ascii_case("true"))
                || with("outputs").is_some_and(|v| v.contains("type=docker"));
            loads
                && with("tags").is_some_and(|tags| {
                    tags.split([',', '\n'])
                        .map(str::trim)
                        .any(|t| t == image || t == name)
                })
        })
    }

    /// The image of the script pull at `at` (a file span) in step `index`, with its
    /// `$VAR`/`${VAR}` parameters replaced by literal `env:` values, when that is provably
    /// what the command sees: every parameter is set by a step, job or workflow `env:`
    /// to a value with no expression or parameter of its own, the script sets none of
    /// them, and no earlier step of the job writes them (or a name it does not show) to
    /// `$GITHUB_ENV`.
    fn resolve_env(&self, index: usize, at: Span) -> Option<String> {
        let step = self.step(index)?;
        let run = step.run.as_ref()?;
        let analysis = self.input.script(self.job, index)?.analysis.as_deref()?;
        let image = analysis.facts.iter().find_map(|f| match f {
            Fact::Image(i) if run.file_span(i.image_span) == at => Some(i),
            _ => None,
        })?;
        let envs: Vec<&Env> = std::iter::once(&step.env)
            .chain(self.envs.iter().copied())
            .collect();
        if envs.iter().any(|e| e.expression.is_some()) {
            return None;
        }
        let cmd = analysis.commands.iter().find(|c| c.span == image.span)?;
        let set_in_script = |name: &str| {
            analysis.assignments.iter().any(|a| a.name == name)
                || cmd.assignments.iter().any(|a| a.name == name)
                || analysis.commands.iter().any(|c| {
                    matches!(c.name(), Some("read" | "mapfile" | "readarray" | "getopts"))
                        && c.args().iter().any(|w| w.as_str() == Some(name))
                })
                || run.script.contains(&format!("for {name} "))
        };
        // An earlier step's write to `$GITHUB_ENV` sets the variable for this step: one
        // that names it, or one whose name is not known.
        let written: Vec<Option<&str>> = self
            .steps
            .iter()
            .filter(|s| s.index < index)
            .filter_map(|s| self.input.script(self.job, s.index)?.analysis.as_deref())
            .flat_map(|a| &a.facts)
            .filter_map(|f| match f {
                Fact::EnvWrite(w) if w.target == EnvTarget::GithubEnv => Some(w.key.as_deref()),
                _ => None,
            })
            .collect();
        if written.contains(&None) {
            return None;
        }
        substitute(&image.image, |name| {
            if set_in_script(name) || written.contains(&Some(name)) {
                return None;
            }
            env_value(&envs, name).filter(|v| !v.contains('$') && !v.is_empty())
        })
    }
}

/// `text` with every `$NAME` and `${NAME}` replaced by `value(NAME)`; `None` when one
/// has no value or is written another way (`${NAME:-x}`, `$(…)`, `${{ … }}`).
fn substitute<'v>(text: &str, value: impl Fn(&str) -> Option<&'v str>) -> Option<String> {
    let is_name = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, tail) = if let Some(braced) = after.strip_prefix('{') {
            let end = braced.find('}')?;
            (&braced[..end], &braced[end + 1..])
        } else {
            let end = after
                .bytes()
                .position(|b| !is_name(b))
                .unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        if name.is_empty() || !name.bytes().all(is_name) || name.as_bytes()[0].is_ascii_digit() {
            return None;
        }
        out.push_str(value(name)?);
        rest = tail;
    }
    out.push_str(rest);
    Some(out)
}

/// What names the image of an action input at `at` (`rules/data/image-inputs.toml`):
/// "`PyO3/maturin-action` input `container`".
fn input_image(step: &Step, at: Span) -> Option<String> {
    let Some(Uses::Remote(r)) = step.uses.as_ref().map(|u| &u.value) else {
        return None;
    };
    let entry = tollgate_kb::image_inputs().of(&r.action())?;
    let kv = step.with_value(&entry.input)?;
    (kv.value.span == at).then(|| format!("`{}` input `{}`", r.action(), entry.input))
}

/// The reference an image node names.
fn reference(graph: &Graph, image: NodeId) -> Option<&str> {
    match &graph.node(image)?.kind {
        NodeKind::Image { reference } => Some(reference),
        _ => None,
    }
}

/// The pulls of the steps of `owner`: `uses: docker://…` and the commands of `run:`
/// scripts.
fn steps(
    cx: &Context<'_>,
    file: &SourceFile,
    owner: NodeId,
    pulls: &[ImagePull],
    model: &Owner<'_>,
    out: &mut Sink<'_>,
) {
    let graph = cx.graph;
    for p in pulls.iter().filter(|p| p.from != owner) {
        let (Some(from), Some(image), Some(o)) =
            (graph.node(p.from), reference(graph, p.image), p.origin)
        else {
            continue;
        };
        match &from.kind {
            NodeKind::Step { index, .. } => {
                // The image of a remote docker action of the action snapshot.
                if let Some(st) = model.step(*index)
                    && let Some(remote) = super::unpinned_image_remote::describe(
                        cx,
                        model.input,
                        model.job,
                        st,
                        image,
                        o.span(),
                    )
                {
                    let before = out.len();
                    check(
                        file,
                        image,
                        None,
                        p.pin,
                        o.span(),
                        &remote.what,
                        Some(remote.path),
                        out,
                    );
                    if let Some(why) = remote.approximate {
                        out.amend_since(before, Confidence::Medium, &why);
                    }
                    continue;
                }
                // `uses: docker://…`, or an image the action runs from an input.
                let what = model
                    .step(*index)
                    .and_then(|st| input_image(st, o.span()))
                    .unwrap_or_else(|| "step image".to_owned());
                let path = path_to(cx, p.from, file, o.span(), &what, image);
                check(file, image, None, p.pin, o.span(), &what, path, out);
            }
            NodeKind::Command { tool, .. } => {
                // An image the job built (or loaded) itself is not pulled from a
                // registry.
                if p.built || p.step.is_some_and(|i| model.loaded_before(i, image)) {
                    continue;
                }
                // The repository's own image (`renovate/renovate` in renovatebot/renovate)
                // after a step that runs an image build script: built here, not pulled.
                if p.after_image_script
                    && cx
                        .scan
                        .repository_of(model.input)
                        .is_some_and(|r| named_after(r, image))
                {
                    continue;
                }
                let before = out.len();
                let what = format!("`{tool}` image");
                let path = path_to(cx, p.from, file, o.span(), &what, image);
                match p.pin {
                    ImagePin::RunTime => {
                        // `registry:$TAG` with `TAG` from `env:`: judge the value; else
                        // what the reference itself shows (a tag written out).
                        match p.step.and_then(|i| model.resolve_env(i, o.span())) {
                            Some(resolved) => {
                                let pin = ImagePin::of(&resolved);
                                check(
                                    file,
                                    &resolved,
                                    Some((image, "with its `env:` values")),
                                    pin,
                                    o.span(),
                                    &what,
                                    path,
                                    out,
                                );
                            }
                            None => check(file, image, None, p.pin, o.span(), &what, path, out),
                        }
                    }
                    _ => check(file, image, None, p.pin, o.span(), &what, path, out),
                }
                if p.after_image_script {
                    // `pnpm build:docker`, `make docker-image`: the job may have built
                    // this image itself, in a script we cannot see.
                    out.amend_since(
                        before,
                        Confidence::Low,
                        "; an earlier step runs an image build script that may have built it locally",
                    );
                }
            }
            _ => {}
        }
    }
}

/// Whether the image's name (past any registry, before the tag) ends in the repository's
/// name: `renovate/renovate`, `ghcr.io/octo/widget:dev` for octo/widget.
fn named_after(repository: &tollgate_model::repo::Repository, image: &str) -> bool {
    let name = image.split(['@']).next().unwrap_or(image);
    let last = name.rsplit('/').next().unwrap_or(name);
    let last = last.split(':').next().unwrap_or(last);
    repository.name.len() >= 4 && last.eq_ignore_ascii_case(&repository.name)
}

/// workflow → job → (step → command) → the image pulled, at `at`.
fn path_to(
    cx: &Context<'_>,
    from: NodeId,
    file: &SourceFile,
    at: Span,
    what: &str,
    image: &str,
) -> Option<Vec<PathHop>> {
    let hops = Chain::to(cx, from)
        .hop(
            format!("pulls `{}` ({what})", crate::common::quoted(image)),
            Some(file.location(at)),
        )
        .into_hops();
    Some(hops)
}

/// The tag of a reference whose name is chosen at run time but whose tag is written out
/// (`ghcr.io/cross-rs/${{ matrix.target }}:main`, `$REGISTRY/app:1.4`); `None` when the
/// tag itself is computed or a digest follows.
fn literal_tag(image: &str) -> Option<&str> {
    let r = ImageRef::parse(image);
    let tag = r.tag?;
    let plain = !tag.is_empty()
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    (plain && r.digest.is_none()).then_some(tag)
}

/// Tags that name a moving channel rather than a release: they move as often as
/// `latest` (`nightly`, `edge`, a branch, `2019-latest`, MySQL's `innovation`).
fn floating_tag(tag: &str) -> bool {
    let t = tag.to_ascii_lowercase();
    t.contains("latest")
        || matches!(
            t.as_str(),
            "edge" | "nightly" | "main" | "master" | "innovation"
        )
}

/// How an image is pinned, in words, and how much that matters: `None` for a digest or
/// an image chosen at run time.
fn judge(image: &str, pin: ImagePin) -> Option<(String, Impact)> {
    let tag = ImageRef::parse(image).tag;
    // A name chosen at run time before a tag written out: whatever the name, the image
    // is that tag and no digest.
    let pin = match pin {
        ImagePin::RunTime => match literal_tag(image)? {
            "latest" => ImagePin::Floating,
            _ => ImagePin::Tag,
        },
        p => p,
    };
    Some(match (pin, tag) {
        (ImagePin::Digest | ImagePin::RunTime, _) => return None,
        (ImagePin::Floating, None) => ("no tag (implicitly `latest`)".to_owned(), Impact::High),
        (ImagePin::Floating | ImagePin::Tag, Some(tag))
            if pin == ImagePin::Floating || floating_tag(tag) =>
        {
            (format!("the floating `{tag}` tag"), Impact::High)
        }
        (ImagePin::Floating | ImagePin::Tag, _) => (
            "a tag, which the publisher can move".to_owned(),
            Impact::Medium,
        ),
    })
}

#[allow(clippy::too_many_arguments)]
pub(super) fn check(
    file: &SourceFile,
    image: &str,
    // The reference as written and what made it the image judged.
    written: Option<(&str, &str)>,
    pin: ImagePin,
    at: Span,
    what: &str,
    path: Option<Vec<PathHop>>,
    out: &mut Sink<'_>,
) {
    // An image chosen at run time cannot be judged here.
    if image.is_empty() {
        return;
    }
    let Some((how, severity)) = judge(image, pin) else {
        return;
    };
    let r = ImageRef::parse(image);
    let shown = match written {
        Some((w, how)) => format!("`{image}` (`{w}` {how})"),
        None => format!("`{image}`"),
    };
    let mut f = out
        .at(file, at)
        .message(format!("{what} {shown} is pinned to {how}, not a digest"))
        .severity(severity);
    if let Some(path) = path {
        f = f.path(path);
    }
    f
        .help(format!(
            "pin the image by digest, keeping the tag for readers: `{}:{}@sha256:<digest>` (`docker buildx imagetools inspect {}` prints it)",
            r.name,
            r.tag.unwrap_or("<tag>"),
            image
        ))
        .emit();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_channel_tags_are_as_severe_as_latest() {
        let cases = [
            ("alpine", "no tag (implicitly `latest`)", Impact::High),
            ("alpine:latest", "the floating `latest` tag", Impact::High),
            // laravel databases-nightly.yml and databases.yml.
            (
                "mysql:innovation",
                "the floating `innovation` tag",
                Impact::High,
            ),
            (
                "quay.io/mariadb-foundation/mariadb-devel:verylatest",
                "the floating `verylatest` tag",
                Impact::High,
            ),
            (
                "mcr.microsoft.com/mssql/server:2019-latest",
                "the floating `2019-latest` tag",
                Impact::High,
            ),
            // prometheus prombench.yml, ripgrep release.yml (cross images).
            (
                "prominfra/prombench:master",
                "the floating `master` tag",
                Impact::High,
            ),
            (
                "ghcr.io/cross-rs/aarch64-unknown-linux-gnu:main",
                "the floating `main` tag",
                Impact::High,
            ),
            ("alpine:edge", "the floating `edge` tag", Impact::High),
            (
                "rustlang/rust:nightly",
                "the floating `nightly` tag",
                Impact::High,
            ),
            (
                "node:20",
                "a tag, which the publisher can move",
                Impact::Medium,
            ),
            (
                "nodejs-rust:lts-alpine",
                "a tag, which the publisher can move",
                Impact::Medium,
            ),
            (
                "localhost:5000/main",
                "no tag (implicitly `latest`)",
                Impact::High,
            ),
        ];
        for (image, how, impact) in cases {
            let got = judge(image, ImagePin::of(image)).expect(image);
            assert_eq!((got.0.as_str(), got.1), (how, impact), "{image}");
        }
        // ripgrep release.yml: the name comes from the matrix, the tag is written out.
        for (image, how) in [
            (
                "ghcr.io/cross-rs/${{ matrix.target }}:main",
                "the floating `main` tag",
            ),
            ("${{ matrix.image }}:latest", "the floating `latest` tag"),
            ("$REGISTRY/app:1.4", "a tag, which the publisher can move"),
        ] {
            let got = judge(image, ImagePin::of(image)).expect(image);
            assert_eq!(got.0, how, "{image}");
        }
        for image in [
            "rockylinux/rockylinux:${{ matrix.rocky-version }}",
            "app:v$VERSION",
            "app:${{ x }}-slim",
            "${{ matrix.image }}",
            "$IMAGE",
            "$IMAGE:1@sha256:$D",
        ] {
            assert!(judge(image, ImagePin::of(image)).is_none(), "{image}");
        }
        let pinned =
            "alpine:edge@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d";
        assert!(judge(pinned, ImagePin::of(pinned)).is_none());
        assert!(judge("x:$TAG", ImagePin::of("x:$TAG")).is_none());
    }

    #[test]
    fn env_parameters_are_substituted_only_in_plain_forms() {
        let env = |n: &str| match n {
            "V" => Some("v2.0.0-rc6"),
            "REG" => Some("ghcr.io"),
            _ => None,
        };
        let cases = [
            ("zot:$V", Some("zot:v2.0.0-rc6")),
            ("${REG}/o/zot:${V}", Some("ghcr.io/o/zot:v2.0.0-rc6")),
            ("$REG/zot", Some("ghcr.io/zot")),
            ("zot:latest", Some("zot:latest")),
            ("zot:$UNSET", None),
            ("zot:${V:-1}", None),
            ("zot:$1", None),
            ("zot:${V", None),
            ("zot:$", None),
        ];
        for (text, want) in cases {
            assert_eq!(substitute(text, env).as_deref(), want, "{text}");
        }
    }
}

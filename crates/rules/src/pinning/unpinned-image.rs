//! `unpinned-image`: a container image used without a `@sha256:` digest.
//!
//! A query over the graph: every `pulls` edge of a job or local action into an image
//! node, with the node's pin state; images the same job (or composite action) builds
//! itself (`builds` edges) are skipped, and a pull after a step whose script may build
//! images out of sight is reported with low confidence. The path of a finding goes
//! from the workflow through the job (and the step and command) to the pull.

use tollgate_engine::{Context, JobCx, Rule, Sink};
use tollgate_gha::{Action, Spanned};
use tollgate_graph::{Graph, ImagePin, ImagePull, NodeId, NodeKind};
use tollgate_model::PathHop;
use tollgate_model::addr::ImageRef;
use tollgate_model::{Confidence, Impact, SourceFile, Span};

use crate::chain::Chain;
use tollgate_scan::Input;

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
        if let Some(img) = job.job.container.as_ref().and_then(|c| c.image.as_ref())
            && let Some(pin) = own(img)
        {
            let path = path_to(cx, node, file, img.span, "job container", &img.value);
            check(file, &img.value, pin, img.span, "job container", path, out);
        }
        for s in &job.job.services {
            if let Some(img) = &s.image
                && let Some(pin) = own(img)
            {
                let what = s.id.as_ref().map_or_else(
                    || "service".to_owned(),
                    |id| format!("service `{}`", id.value),
                );
                let path = path_to(cx, node, file, img.span, &what, &img.value);
                check(file, &img.value, pin, img.span, &what, path, out);
            }
        }
        steps(cx, file, node, &pulls, out);
    }

    fn check_action(&self, cx: &Context<'_>, input: &Input, _action: &Action, out: &mut Sink<'_>) {
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
                    p.pin,
                    o.span(),
                    "docker action image",
                    None,
                    out,
                );
            }
        }
        steps(cx, file, node, &pulls, out);
    }
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
            NodeKind::Step { .. } => {
                let path = path_to(cx, p.from, file, o.span(), "step image", image);
                check(file, image, p.pin, o.span(), "step image", path, out);
            }
            NodeKind::Command { tool, .. } => {
                // An image the job built itself is not pulled from a registry.
                if p.built {
                    continue;
                }
                let before = out.len();
                let what = format!("`{tool}` image");
                let path = path_to(cx, p.from, file, o.span(), &what, image);
                check(file, image, p.pin, o.span(), &what, path, out);
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

fn check(
    file: &SourceFile,
    image: &str,
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
    let (how, severity) = match pin {
        ImagePin::Digest | ImagePin::RunTime => return,
        ImagePin::Floating => (
            match ImageRef::parse(image).tag {
                Some(_) => "the floating `latest` tag",
                None => "no tag (implicitly `latest`)",
            },
            Impact::High,
        ),
        ImagePin::Tag => ("a tag, which the publisher can move", Impact::Medium),
    };
    let r = ImageRef::parse(image);
    let mut f = out
        .at(file, at)
        .message(format!("{what} `{image}` is pinned to {how}, not a digest"))
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

//! `unpinned-image`: a container image used without a `@sha256:` digest.

use tollgate_engine::{Context, JobCx, Rule, Sink, StepCx};
use tollgate_gha::{Action, Runs, Spanned, Uses};
use tollgate_model::{Impact, SourceFile};
use tollgate_scan::Input;
use tollgate_shell::Fact;

use crate::common::ImageRef;

pub struct UnpinnedImage;

impl Rule for UnpinnedImage {
    fn id(&self) -> &'static str {
        "unpinned-image"
    }

    fn check_job(&self, _cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        let file = &job.input.source;
        if let Some(img) = job.job.container.as_ref().and_then(|c| c.image.as_ref()) {
            check(file, &img.value, img, "job container", out);
        }
        for s in &job.job.services {
            if let Some(img) = &s.image {
                let what = s.id.as_ref().map_or_else(
                    || "service".to_owned(),
                    |id| format!("service `{}`", id.value),
                );
                check(file, &img.value, img, &what, out);
            }
        }
    }

    fn check_step(&self, _cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        if let Some(Spanned {
            value: Uses::Docker { image },
            span,
        }) = &step.step.uses
        {
            check(
                &step.input.source,
                image,
                &Spanned::new(image.clone(), *span),
                "step image",
                out,
            );
        }
        let Some(a) = step.analysis() else { return };
        for f in &a.facts {
            let Fact::Image(img) = f else { continue };
            // Shell variables make the image a run-time choice, as expressions do.
            if img.image.contains('$') {
                continue;
            }
            let at = Spanned::new(img.image.clone(), step.script_span(img.image_span));
            check(
                &step.input.source,
                &img.image,
                &at,
                &format!("`{}` image", img.tool),
                out,
            );
        }
    }

    fn check_action(&self, _cx: &Context<'_>, input: &Input, action: &Action, out: &mut Sink<'_>) {
        if let Runs::Docker {
            image: Some(img), ..
        } = &action.runs
        {
            // `Dockerfile` or a path builds locally; only `docker://` names a registry image.
            if let Some(name) = img.value.strip_prefix("docker://") {
                check(&input.source, name, img, "docker action image", out);
            }
        }
    }
}

fn check(file: &SourceFile, image: &str, at: &Spanned<String>, what: &str, out: &mut Sink<'_>) {
    // An image chosen at run time cannot be judged here.
    if image.contains("${{") || image.is_empty() {
        return;
    }
    let r = ImageRef::parse(image);
    if r.is_pinned() {
        return;
    }
    let (how, severity) = if r.is_floating() {
        (
            match r.tag {
                Some(_) => "the floating `latest` tag",
                None => "no tag (implicitly `latest`)",
            },
            Impact::High,
        )
    } else {
        ("a tag, which the publisher can move", Impact::Medium)
    };
    out.at(file, at.span)
        .message(format!("{what} `{image}` is pinned to {how}, not a digest"))
        .severity(severity)
        .help(format!(
            "pin the image by digest, keeping the tag for readers: `{}:{}@sha256:<digest>` (`docker buildx imagetools inspect {}` prints it)",
            r.name,
            r.tag.unwrap_or("<tag>"),
            image
        ))
        .emit();
}

//! `unpinned-image`: a container image used without a `@sha256:` digest.

use std::collections::HashSet;

use tollgate_engine::{Context, JobCx, Rule, Sink, StepCx};
use tollgate_gha::{Action, Runs, Spanned, Step, Uses};
use tollgate_model::{Confidence, Impact, SourceFile};
use tollgate_scan::Input;
use tollgate_shell::Fact;

use crate::common::{ImageRef, job_index};

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
        if let Some(j) = job_index(job.workflow, job.job) {
            script_images(job.input, Some(j), &job.job.steps, out);
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
        script_images(input, None, action.steps(), out);
    }
}

/// The images the `run:` scripts of a job (`job` is its index) or of a composite action
/// (`None`) pull, in one pass over the steps in order: what earlier steps built or ran is
/// carried along rather than looked up again for every step, which was quadratic in the
/// number of steps.
fn script_images(input: &Input, job: Option<usize>, steps: &[Step], out: &mut Sink<'_>) {
    // Tags of images built (`docker build -t`) so far: the full tags and their names.
    let mut built: HashSet<&str> = HashSet::new();
    // Whether an earlier step of the job runs a build script that mentions docker
    // through another tool (`pnpm build:docker`, `make docker`, `./scripts/docker.sh`).
    let mut scripted = false;
    for step in steps {
        let Some(a) = input
            .script(job, step.index)
            .and_then(|s| s.analysis.as_deref())
        else {
            continue;
        };
        // An image built anywhere in the step counts, even after the pull.
        for f in &a.facts {
            if let Fact::ImageBuild(b) = f {
                for tag in &b.tags {
                    built.insert(tag);
                    if let Some(name) = tag.split(':').next() {
                        built.insert(name);
                    }
                }
            }
        }
        for f in &a.facts {
            let Fact::Image(img) = f else { continue };
            // Shell variables make the image a run-time choice, as expressions do; an
            // image the job built itself is not pulled from a registry.
            if img.image.contains('$') || built.contains(img.image.as_str()) {
                continue;
            }
            let span = step
                .run
                .as_ref()
                .map_or(step.span, |r| r.file_span(img.image_span));
            let at = Spanned::new(img.image.clone(), span);
            let what = format!("`{}` image", img.tool);
            let before = out.len();
            check(&input.source, &img.image, &at, &what, out);
            if scripted {
                // `pnpm build:docker`, `make docker-image`: the job may have built this
                // image itself, in a script we cannot see.
                out.amend_since(
                    before,
                    Confidence::Low,
                    "; an earlier step runs an image build script that may have built it locally",
                );
            }
        }
        scripted = scripted
            || (job.is_some()
                && a.commands.iter().any(|c| {
                    !matches!(c.name(), Some("docker" | "podman"))
                        && c.args()
                            .iter()
                            .any(|w| w.as_str().is_some_and(|t| t.contains("docker")))
                }));
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

//! `unpinned-image`: a container image used without a `@sha256:` digest.

use tollgate_engine::{Context, JobCx, Rule, Sink, StepCx};
use tollgate_gha::{Action, Runs, Spanned, Uses};
use tollgate_model::{Confidence, Impact, SourceFile};
use tollgate_scan::Input;
use tollgate_shell::Fact;

use crate::common::ImageRef;

pub struct UnpinnedImage;

impl Rule for UnpinnedImage {
    fn id(&self) -> &'static str {
        "unpinned-image"
    }

    fn file_local(&self) -> bool {
        true
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
        let built = built_before(step);
        for f in &a.facts {
            let Fact::Image(img) = f else { continue };
            // Shell variables make the image a run-time choice, as expressions do; an
            // image the job built itself is not pulled from a registry.
            if img.image.contains('$')
                || built
                    .iter()
                    .any(|b| b == &img.image || b.split(':').next() == Some(img.image.as_str()))
            {
                continue;
            }
            let at = Spanned::new(img.image.clone(), step.script_span(img.image_span));
            let scripted = built_by_script(step);
            let what = format!("`{}` image", img.tool);
            let before = out.len();
            check(&step.input.source, &img.image, &at, &what, out);
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

/// Whether an earlier step of the job runs a build script that mentions docker through
/// another tool (`pnpm build:docker`, `make docker`, `./scripts/docker-build.sh`).
fn built_by_script(step: &StepCx<'_>) -> bool {
    let tollgate_engine::StepOwner::Job { job, .. } = step.owner else {
        return false;
    };
    job.steps
        .iter()
        .take_while(|s| s.index < step.step.index)
        .filter_map(|s| {
            step.input
                .script(step.job_index, s.index)?
                .analysis
                .as_deref()
        })
        .flat_map(|a| a.commands.iter())
        .any(|c| {
            !matches!(c.name(), Some("docker" | "podman"))
                && c.args()
                    .iter()
                    .any(|w| w.as_str().is_some_and(|t| t.contains("docker")))
        })
}

/// Tags of images built (`docker build -t`) earlier in the step's job or action, and
/// earlier in the step itself.
fn built_before(step: &StepCx<'_>) -> Vec<String> {
    let mut steps: Vec<(Option<usize>, usize)> = match step.owner {
        tollgate_engine::StepOwner::Job { job, .. } => job
            .steps
            .iter()
            .map(|s| (step.job_index, s.index))
            .collect(),
        tollgate_engine::StepOwner::Action(a) => {
            a.steps().iter().map(|s| (None, s.index)).collect()
        }
    };
    steps.retain(|(_, i)| *i <= step.step.index);
    steps
        .into_iter()
        .filter_map(|(j, i)| step.input.script(j, i)?.analysis.as_deref())
        .flat_map(|a| a.facts.iter())
        .filter_map(|f| match f {
            Fact::ImageBuild(b) => Some(b.tags.clone()),
            _ => None,
        })
        .flatten()
        .collect()
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

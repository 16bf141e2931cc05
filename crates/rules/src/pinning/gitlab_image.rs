//! `unpinned-image` on GitLab jobs: `image:` and `services:`, with a `$VAR` in the
//! reference replaced by the job's or the configuration's literal `variables:` value
//! (GitLab expands those in `image:`), each image of `default:` reported once per
//! configuration, not once per job inheriting it. Images of the project's own registry
//! (`$CI_REGISTRY_IMAGE`) are what the project builds, and GitLab's hosted macOS VM
//! images (`macos-15-xcode-16`) are no registry pull: neither is judged.

use tollgate_engine::{Context, GitlabJobCx, Sink};
use tollgate_gitlab::{Image, Variable};

use super::unpinned_image::check_gitlab;

/// `reference` with each `$NAME`/`${NAME}` that `vars` give a literal value replaced;
/// `None` when nothing was replaced.
fn expand(reference: &str, vars: &[&Variable]) -> Option<String> {
    tollgate_gitlab::expand_variables(reference, vars)
}

pub(crate) fn check_job(cx: &Context<'_>, job: &GitlabJobCx<'_>, out: &mut Sink<'_>) {
    let j = job.job;
    let vars: Vec<&Variable> = j.variables.iter().chain(&job.config.variables).collect();
    let node = cx.graph.job_node(&job.input.source.display, &j.name.value);
    let images = j
        .image
        .iter()
        .map(|i| (i, "job image".to_owned()))
        .chain(j.services.iter().map(|s| {
            let what = s.alias.as_ref().map_or_else(
                || "service".to_owned(),
                |a| format!("service `{}`", a.value),
            );
            (s, what)
        }));
    for (image, what) in images {
        if inherited_earlier(job, image) {
            continue;
        }
        let written = image.name.value.trim();
        if written.contains("CI_REGISTRY_IMAGE") || hosted_macos(written) {
            continue;
        }
        let Some(file) = job.input_of(cx.scan, image.name.file) else {
            continue;
        };
        let expanded = expand(written, &vars);
        let (judged, how) = match &expanded {
            Some(e) => (e.as_str(), Some((written, "with its `variables:` value"))),
            None => (written, None),
        };
        check_gitlab(
            cx,
            node,
            &file.source,
            judged,
            how,
            image.name.span,
            &what,
            out,
        );
    }
}

/// GitLab's hosted macOS runners take `image:` as the name of one of their virtual
/// machine images (`macos-15-xcode-16`), from GitLab's own list, not a registry pull.
fn hosted_macos(name: &str) -> bool {
    tollgate_gitlab::Image::is_hosted_macos_vm(name)
}

/// Whether an earlier job of the configuration has the same image written at the same
/// place (`default: image:`, or a template many jobs extend): reported there once.
fn inherited_earlier(job: &GitlabJobCx<'_>, image: &Image) -> bool {
    job.config.jobs[..job.index].iter().any(|other| {
        other
            .image
            .iter()
            .chain(&other.services)
            .any(|i| i.name.file == image.name.file && i.name.span == image.name.span)
    })
}

#[cfg(test)]
mod tests {
    use super::expand;
    use tollgate_gitlab::{Text, Variable};
    use tollgate_model::Span;

    fn var(name: &str, value: &str) -> Variable {
        let t = |v: &str| Text {
            file: 0,
            value: v.to_owned(),
            span: Span::empty(0),
        };
        Variable {
            name: t(name),
            value: Some(t(value)),
            raw: false,
        }
    }

    #[test]
    fn hosted_macos_images_are_gitlab_vm_names() {
        assert!(super::hosted_macos("macos-15-xcode-16"));
        assert!(super::hosted_macos("macos-26-xcode-26"));
        assert!(!super::hosted_macos("macos-15-xcode-16:latest"));
        assert!(!super::hosted_macos(
            "registry.example.com/macos-15-xcode-16"
        ));
        assert!(!super::hosted_macos("macos"));
    }

    #[test]
    fn variables_expand_in_image_references() {
        let a = var("PY", "3.12");
        let b = var("PY_IMAGE", "python");
        let c = var("DYN", "$OTHER");
        let vars = [&a, &b, &c];
        assert_eq!(expand("python:$PY", &vars).as_deref(), Some("python:3.12"));
        assert_eq!(
            expand("${PY_IMAGE}:${PY}-slim", &vars).as_deref(),
            Some("python:3.12-slim")
        );
        assert_eq!(expand("$PY_IMAGE:1", &vars).as_deref(), Some("python:1"));
        assert_eq!(expand("x:$DYN", &vars), None);
        assert_eq!(expand("alpine:3", &vars), None);
    }
}

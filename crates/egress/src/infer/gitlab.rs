//! A GitLab job's destinations: the images its runner pulls (`image:`, `services:`) and
//! what its scripts reach, read from each shell session as from a GitHub `run:` step
//! ([`tollgate_graph::GitlabJob::steps`]).
//!
//! GitLab's includes are not among them: GitLab reads them when it creates the
//! pipeline, before any runner starts. The runner's own connection to its GitLab
//! instance (and the instance's container registry) is the runner's configuration, not
//! the job's: it is not listed either, and `docs/ci.md` says to allow it.

use super::*;

/// What the GitLab job at `job` (id `id`) reaches.
pub(super) fn analyze(
    scan: &Scan,
    graph: &Graph,
    job: NodeId,
    id: &str,
    gl: &tollgate_graph::GitlabJob<'_>,
    cache: &Cache,
) -> JobEgress {
    let job_loc = graph.node_location(job);
    let mut acc = Acc::default();
    let file_of = |f: usize| {
        let id = graph.input_id(gl.config.files.get(f)?)?;
        graph.input(scan, id)
    };
    for image in gl.job.image.iter().chain(&gl.job.services) {
        // A `parallel: matrix:` variable: each image a run pulls, where its value is.
        let mut names = gl.job.matrix_values(image.name.value.trim());
        if names.is_empty() {
            names.push((image.name.value.trim().to_owned(), image.name.clone()));
        }
        // `$VAR` with a literal `variables:` value (the job's, then the pipeline's).
        let vars: Vec<&tollgate_gitlab::Variable> = gl
            .job
            .variables
            .iter()
            .chain(&gl.config.variables)
            .collect();
        for (n, _) in &mut names {
            if let Some(x) = tollgate_gitlab::expand_variables(n, &vars) {
                *n = x;
            }
        }
        for (name, t) in names {
            // A hosted macOS runner's VM image is no registry pull.
            if tollgate_gitlab::Image::is_hosted_macos_vm(&name) {
                continue;
            }
            if let Some(input) = file_of(t.file) {
                let at = input.source.location(t.span);
                acc.image(&name, &at, &at);
            }
        }
    }
    // GitLab runs no job without a script (or a trigger): one that has none in the files
    // read takes it from an include that cannot be read offline, so its list is not
    // complete.
    if gl.job.script.is_empty()
        && gl.job.trigger.is_none()
        && let Some(at) = &job_loc
    {
        acc.unresolved(
            "what the job's `script:` reaches (it comes from an include that cannot be read offline)",
            ProvenanceKind::Command,
            "script: from an include",
            at,
        );
    }
    let followed = std::cell::RefCell::new(std::collections::HashSet::new());
    // The scripts run in the job's `image:`.
    let image = gl.job.image.as_ref().map(|i| i.name.value.trim());
    for (flat, step) in gl.steps(graph, job) {
        let Some(sinput) = graph.input(scan, flat.input) else {
            continue;
        };
        let cx = RunStep {
            scan,
            graph,
            cache,
            step_node: flat.step,
            input: sinput,
            scripts: Some(gl.root),
            job_index: Some(gl.index),
            env: &[],
            depth: 0,
            cwd: None,
            followed: &followed,
            image,
            in_image: true,
        };
        cx.run_facts(&step, &mut acc);
    }
    let name = gl
        .config
        .workflow
        .as_ref()
        .and_then(|w| w.name.as_ref())
        .map(|n| n.value.clone());
    let mut e = acc.finish(job, gl.root, name, id, job_loc);
    e.gitlab = true;
    e
}

//! GitLab jobs in the delivery inventory.
//!
//! A GitLab job's shell sessions (`before_script` with `script`, then `after_script`)
//! are its step nodes in the graph; each is read as a step with a `run:` script
//! ([`tollgate_graph::GitlabJob::steps`]), so the second pass reads its installs and
//! downloads exactly as it reads a GitHub step's. The scripts' analyses are kept on the
//! configuration's root file, which may not be the file a session is written in.
//!
//! At the job's level: its `image:` and `services:`, the pipeline's includes of outside
//! configuration (every job of the pipeline is read from the configuration they can
//! change) and those of the child pipeline its `trigger:` starts. GitLab reads an include when it creates the pipeline, not the runner, so
//! an include is not external to the job's run: it has no fallback to add.

use tollgate_gitlab::{IncludeKind, IncludePin};

use super::{Collector, plain};
use crate::model::{DependencyKind, Pinning};

impl Collector<'_> {
    /// Images and includes of a GitLab job.
    pub(super) fn gitlab_level(&mut self) {
        let Some(gl) = self.gitlab.as_ref() else {
            return;
        };
        let (config, job) = (gl.config, gl.job);
        let place = |file: usize| {
            let id = self.graph.input_id(config.files.get(file)?)?;
            Some((id, self.graph.input(self.scan, id)?))
        };
        let mut found = Vec::new();
        for image in job.image.iter().chain(&job.services) {
            let name = image.name.value.trim();
            // A `parallel: matrix:` variable: each value, where it is written; another
            // `$VAR` is named at run time.
            let mut names = job.matrix_values(name);
            if names.is_empty() {
                names.push((name.to_owned(), image.name.clone()));
            }
            // `$VAR` with a literal `variables:` value (the job's, then the pipeline's).
            let vars: Vec<&tollgate_gitlab::Variable> =
                job.variables.iter().chain(&config.variables).collect();
            for (n, _) in &mut names {
                if let Some(x) = tollgate_gitlab::expand_variables(n, &vars) {
                    *n = x;
                }
            }
            for (name, at) in names {
                // A hosted macOS runner's VM image is no registry pull.
                if tollgate_gitlab::Image::is_hosted_macos_vm(&name) {
                    continue;
                }
                if let Some((id, input)) = place(at.file) {
                    let site = self.site(id, input, at.span, None);
                    if let Some(d) = self.image_dep(&name, site) {
                        found.push(d);
                    }
                }
            }
        }
        // The pipeline's includes, then those of the child pipeline the job triggers.
        let includes = config
            .includes
            .iter()
            .zip(config.include_files.iter().copied())
            .chain(
                job.trigger
                    .iter()
                    .flat_map(|t| t.include.iter().map(move |i| (i, t.file))),
            );
        for (inc, file) in includes {
            let (source, hosts) = match inc.kind {
                IncludeKind::Project | IncludeKind::Template => (inc.kind, Vec::new()),
                IncludeKind::Remote => (
                    inc.kind,
                    tollgate_graph::util::host_of(inc.target.value.trim())
                        .into_iter()
                        .collect(),
                ),
                IncludeKind::Component => (
                    inc.kind,
                    inc.target
                        .value
                        .trim()
                        .split('/')
                        .next()
                        .filter(|h| h.contains('.') && !h.contains('$'))
                        .map(str::to_owned)
                        .into_iter()
                        .collect(),
                ),
                IncludeKind::Local | IncludeKind::Artifact => continue,
            };
            let Some((id, input)) = place(file) else {
                continue;
            };
            let pinning = match inc.pin() {
                IncludePin::Commit => Pinning::pinned("commit SHA"),
                IncludePin::Mutable => Pinning::floating(match (source, &inc.reference) {
                    (IncludeKind::Project, None) => "default branch",
                    (IncludeKind::Project, Some(_)) => "branch or tag",
                    (IncludeKind::Component, _) => "version",
                    _ => "URL",
                }),
                IncludePin::Dynamic => {
                    Pinning::not_applicable("chosen when the pipeline is created")
                }
                IncludePin::NotApplicable => {
                    Pinning::not_applicable("versioned with the GitLab instance")
                }
            };
            let target = inc.target.value.trim();
            let names: Vec<String> = if source == IncludeKind::Project && !inc.files.is_empty() {
                inc.files
                    .iter()
                    .map(|f| {
                        let f = f.value.trim();
                        let sep = if f.starts_with('/') { "" } else { "/" };
                        match &inc.reference {
                            Some(r) => format!("{target}:{sep}{f}@{}", r.value.trim()),
                            None => format!("{target}:{sep}{f}"),
                        }
                    })
                    .collect()
            } else {
                vec![target.to_owned()]
            };
            for name in names {
                let site = self.site(id, input, inc.target.span, None);
                let mut d = plain(
                    DependencyKind::Include,
                    format!("include {} {name}", source.as_str()),
                    format!("{}: {name}", source.as_str()),
                    hosts.clone(),
                    false,
                    pinning.clone(),
                    site,
                );
                d.note = Some(
                    "read by GitLab when it creates the pipeline: it can change every job"
                        .to_owned(),
                );
                found.push(d);
            }
        }
        for d in found {
            self.push(d, 0, None);
        }
    }
}

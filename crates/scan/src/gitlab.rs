//! GitLab CI configurations: the files a `.gitlab-ci.yml` includes with `include: local:`
//! (followed by `local::load_referenced`, through the confined reader), and each
//! configuration resolved over its files once they are all read, with its job scripts
//! analysed.

use std::collections::HashMap;
use std::sync::Arc;

use tollgate_gitlab::{Config, GitlabFile, IncludeKind, Source};
use tollgate_model::{Diagnostic, DiagnosticCode, FileKind, Severity};
use tollgate_shell::{Analysis, Analyzer, ShellKind};

use crate::discover::Root;
use crate::input::{FileModel, Input, Script};

/// A GitLab CI file: its own document and includes, and for the root of a configuration
/// (a file no other file includes) the configuration resolved over it and its includes.
#[derive(Debug)]
pub struct GitlabModel {
    pub file: GitlabFile,
    /// `Some` for the root of a configuration. Each job's scripts are the input's
    /// [`Script`]s: `job` is the index in `config.jobs`, `step` the index in
    /// [`tollgate_gitlab::Job::sessions`].
    pub config: Option<Arc<Config>>,
}

/// The files a local include may name, most likely first. GitLab reads `local:` paths
/// from the repository's root: the nearest directory above the includer that holds a
/// `.gitlab-ci.yml` or `.git` (a scan of many repositories has many), then every other
/// directory above it. Paths with a wildcard (see [`crate::gitlab_glob`]) or a variable
/// are not candidates.
#[must_use]
pub fn include_candidates(
    display: &str,
    path: &str,
    is_base: impl Fn(&str) -> bool,
) -> Vec<String> {
    let path = path.trim();
    if path.contains(['*', '$']) {
        return Vec::new();
    }
    let Some(rel) = crate::local::normalise(path.trim_start_matches('/')) else {
        return Vec::new();
    };
    if rel.is_empty() {
        return Vec::new();
    }
    let mut dirs = Vec::new();
    let mut d = display;
    while let Some((p, _)) = d.rsplit_once('/') {
        dirs.push(format!("{p}/"));
        d = p;
    }
    dirs.push(String::new());
    let mut out: Vec<String> = dirs
        .iter()
        .filter(|d| is_base(d))
        .map(|d| format!("{d}{rel}"))
        .collect();
    for d in &dirs {
        let c = format!("{d}{rel}");
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Whether the file at `display` is a repository's default pipeline (`.gitlab-ci.yml`),
/// which runs on its own even when a trigger also starts it as a child.
fn is_default_pipeline(display: &str) -> bool {
    let name = display.rsplit('/').next().unwrap_or(display);
    name == ".gitlab-ci.yml" || name == ".gitlab-ci.yaml"
}

/// Whether `dir` (a display directory ending in `/`, or empty) of `root` is a repository
/// root for GitLab includes.
pub(crate) fn is_base(root: &Root, dir: &str) -> bool {
    [".gitlab-ci.yml", ".gitlab-ci.yaml", ".git"]
        .iter()
        .any(|m| std::fs::symlink_metadata(root.disk_path(&format!("{dir}{m}"))).is_ok())
}

/// The local includes of a parsed GitLab file, each as its candidate files; a wildcard
/// include as each file it names.
pub(crate) fn include_refs(input: &Input, root: &Root) -> Vec<Vec<String>> {
    let FileModel::Gitlab(m) = &*input.parsed else {
        return Vec::new();
    };
    let display = &input.source.display;
    m.file
        .includes
        .iter()
        .chain(&m.file.child_includes)
        .filter(|i| i.kind == IncludeKind::Local)
        .flat_map(|i| local_targets(display, &i.target.value, root))
        .filter(|c| !c.is_empty())
        .collect()
}

/// What a `local:` include of file `display` names: its candidate files (the first that
/// exists is the one), or for a wildcard each file it matches under the repository's
/// root ([`crate::gitlab_glob`]) as a candidate list of one.
fn local_targets(display: &str, path: &str, root: &Root) -> Vec<Vec<String>> {
    if !crate::gitlab_glob::is_wildcard(path) {
        return vec![include_candidates(display, path, |d| is_base(root, d))];
    }
    // The nearest repository root above the includer (the scan's root at the latest).
    let mut base = root.prefix.clone();
    let mut d = display;
    while let Some((p, _)) = d.rsplit_once('/') {
        let dir = format!("{p}/");
        if is_base(root, &dir) {
            base = dir;
            break;
        }
        d = p;
    }
    let files = crate::gitlab_glob::list(root, &base);
    crate::gitlab_glob::expand(path, files.iter().map(String::as_str))
        .into_iter()
        .map(|f| vec![format!("{base}{f}")])
        .collect()
}

/// Resolve every configuration among `inputs` and analyse its scripts.
pub(crate) fn resolve_all(inputs: &mut [Input], roots: &[Root], diagnostics: &mut Vec<Diagnostic>) {
    let by_path: HashMap<(usize, &str), usize> = inputs
        .iter()
        .enumerate()
        .filter(|(_, i)| i.kind == FileKind::GitlabCi)
        .map(|(k, i)| ((i.root, i.source.display.as_str()), k))
        .collect();
    // For each GitLab input, the input each of its includes names (local ones found).
    let mut links: HashMap<usize, Vec<Option<usize>>> = HashMap::new();
    // The `inputs:` given by (includer, included file).
    let mut given: HashMap<(usize, usize), Vec<(String, String)>> = HashMap::new();
    // The `inputs:` a trigger gives the child pipeline file it names.
    let mut child_given: HashMap<usize, Vec<(String, String)>> = HashMap::new();
    for (k, input) in inputs.iter().enumerate() {
        let FileModel::Gitlab(m) = &*input.parsed else {
            continue;
        };
        let (root, display) = (input.root, input.source.display.as_str());
        let Some(r) = roots.get(root) else { continue };
        let mut found: Vec<Option<usize>> = Vec::new();
        for inc in &m.file.includes {
            if inc.kind != IncludeKind::Local {
                found.push(None);
                continue;
            }
            let targets = local_targets(display, &inc.target.value, r);
            let wildcard = crate::gitlab_glob::is_wildcard(&inc.target.value);
            let hits: Vec<usize> = targets
                .iter()
                .filter_map(|c| {
                    c.iter()
                        .find_map(|p| by_path.get(&(root, p.as_str())).copied())
                })
                .collect();
            if hits.is_empty() {
                let what = if wildcard {
                    "no file that could be read"
                } else if targets.iter().all(Vec::is_empty) {
                    "a variable"
                } else {
                    "a file that could not be read"
                };
                diagnostics.push(
                    Diagnostic::at(
                        &inputs[k].source,
                        inc.target.span,
                        DiagnosticCode::Resolution,
                        format!(
                            "`include: {}` names {what}; its jobs are not analysed",
                            inc.target.value
                        ),
                    )
                    .with_severity(Severity::Note),
                );
                found.push(None);
            }
            if !inc.inputs.is_empty() {
                for &h in &hits {
                    given.entry((k, h)).or_insert_with(|| inc.inputs.clone());
                }
            }
            // A wildcard includes every file it names, in path order.
            found.extend(hits.into_iter().map(Some));
        }
        links.insert(k, found);
        // A child pipeline's file (`trigger: include: - local: x  inputs: …`) is the root
        // of a configuration of its own, which reads the trigger's inputs. A pipeline's own
        // `.gitlab-ci.yml` triggered as a child is read as the default pipeline, without
        // them; and a value that is itself an input reference of the trigger's file is
        // not known here, so its default applies.
        for inc in &m.file.child_includes {
            if inc.kind != IncludeKind::Local || inc.inputs.is_empty() {
                continue;
            }
            let values: Vec<(String, String)> = inc
                .inputs
                .iter()
                .filter(|(_, v)| !v.contains("$[["))
                .cloned()
                .collect();
            for c in local_targets(display, &inc.target.value, r) {
                let Some(&h) = c.iter().find_map(|p| by_path.get(&(root, p.as_str()))) else {
                    continue;
                };
                if !is_default_pipeline(&inputs[h].source.display) {
                    child_given.entry(h).or_insert_with(|| values.clone());
                }
            }
        }
    }
    let included: std::collections::HashSet<usize> =
        links.values().flatten().flatten().copied().collect();
    let mut tops: Vec<usize> = links
        .keys()
        .copied()
        .filter(|k| !included.contains(k))
        .collect();
    tops.sort_unstable();
    let mut analyzer = Analyzer::new();
    let mut cache: HashMap<String, Arc<Analysis>> = HashMap::new();
    let mut resolved: Vec<(usize, Config, Vec<Script>)> = Vec::new();
    for top in tops {
        // The configuration's files: the root, then what it includes, breadth first.
        let mut order = vec![top];
        let mut idx: Vec<Vec<Option<usize>>> = Vec::new();
        let mut n = 0;
        while n < order.len() {
            let mine: Vec<Option<usize>> = links
                .get(&order[n])
                .map(|l| {
                    l.iter()
                        .map(|t| {
                            t.map(|t| {
                                order.iter().position(|&o| o == t).unwrap_or_else(|| {
                                    order.push(t);
                                    order.len() - 1
                                })
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            idx.push(mine);
            n += 1;
        }
        let sources: Vec<Source<'_>> = order
            .iter()
            .zip(&idx)
            .filter_map(|(&o, inc)| match &*inputs[o].parsed {
                FileModel::Gitlab(m) => Some(Source {
                    file: &inputs[o].source,
                    model: &m.file,
                    includes: inc,
                    // From the first file of this configuration that includes it; for
                    // the root, from the first trigger that names it as a child.
                    inputs: order
                        .iter()
                        .find_map(|&p| given.get(&(p, o)))
                        .or_else(|| (o == top).then(|| child_given.get(&o)).flatten())
                        .map_or(&[], Vec::as_slice),
                }),
                _ => None,
            })
            .collect();
        if sources.len() != order.len() {
            continue;
        }
        let config = tollgate_gitlab::resolve(&sources);
        // Definitions missing from the files read most likely come from an include that
        // cannot be read offline: a note then, a warning when every include was read.
        let unread = config.includes.iter().any(|i| i.kind != IncludeKind::Local)
            || idx.iter().flatten().any(Option::is_none);
        for p in &config.problems {
            let Some(&o) = order.get(p.file) else {
                continue;
            };
            diagnostics.push(
                Diagnostic::at(
                    &inputs[o].source,
                    p.span,
                    DiagnosticCode::Resolution,
                    &p.message,
                )
                .with_severity(if unread {
                    Severity::Note
                } else {
                    Severity::Warning
                }),
            );
        }
        let mut scripts = Vec::new();
        for (j, job) in config.jobs.iter().enumerate() {
            for (s, session) in job.sessions().iter().enumerate() {
                let analysis = cache
                    .entry(session.text.clone())
                    .or_insert_with(|| Arc::new(analyzer.analyze(&session.text)))
                    .clone();
                scripts.push(Script {
                    job: Some(j),
                    step: s,
                    shell: ShellKind::classify("bash"),
                    analysis: Some(analysis),
                });
            }
        }
        resolved.push((top, config, scripts));
    }
    child_pipelines(inputs, roots, &by_path, &mut resolved);
    for (top, config, scripts) in resolved {
        let file = match &*inputs[top].parsed {
            FileModel::Gitlab(m) => m.file.clone(),
            _ => continue,
        };
        inputs[top].parsed = Arc::new(FileModel::Gitlab(GitlabModel {
            file,
            config: Some(Arc::new(config)),
        }));
        inputs[top].scripts = scripts.into();
    }
}

/// A configuration that jobs of others start as a child pipeline (`trigger: include:
/// local:`) runs only when they do: its jobs take the triggering jobs' pipelines
/// ([`tollgate_gitlab::Config::as_child_of`]). A repository's own `.gitlab-ci.yml` is
/// its default pipeline as well, and keeps its own sources.
fn child_pipelines(
    inputs: &[Input],
    roots: &[Root],
    by_path: &HashMap<(usize, &str), usize>,
    resolved: &mut [(usize, Config, Vec<Script>)],
) {
    let mut parents: HashMap<usize, tollgate_gitlab::Sources> = HashMap::new();
    for (top, config, _) in resolved.iter() {
        let root = inputs[*top].root;
        let Some(r) = roots.get(root) else { continue };
        for job in &config.jobs {
            let Some(t) = &job.trigger else { continue };
            let Some(display) = config.files.get(t.file) else {
                continue;
            };
            for inc in t.include.iter().filter(|i| i.kind == IncludeKind::Local) {
                for c in local_targets(display, &inc.target.value, r) {
                    let Some(&child) = c.iter().find_map(|p| by_path.get(&(root, p.as_str())))
                    else {
                        continue;
                    };
                    if is_default_pipeline(&inputs[child].source.display) || child == *top {
                        continue;
                    }
                    let s = config.job_sources(job);
                    parents
                        .entry(child)
                        .and_modify(|p| *p = p.union(&s))
                        .or_insert(s);
                }
            }
        }
    }
    for (top, config, _) in resolved.iter_mut() {
        if let Some(p) = parents.get(top) {
            config.as_child_of(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::include_candidates;

    #[test]
    fn local_includes_are_read_from_the_repository_root() {
        let base = |d: &str| d == "repo/";
        assert_eq!(
            include_candidates("repo/.gitlab/ci/a.yml", "/ci/b.yml", base),
            [
                "repo/ci/b.yml",
                "repo/.gitlab/ci/ci/b.yml",
                "repo/.gitlab/ci/b.yml",
                "ci/b.yml"
            ]
        );
        assert!(include_candidates("x/.gitlab-ci.yml", "ci/*.yml", base).is_empty());
        assert!(include_candidates("x/.gitlab-ci.yml", "$FILE", base).is_empty());
        assert!(include_candidates("x/.gitlab-ci.yml", "../../etc/passwd", base).is_empty());
    }
}

//! `unknown-package-source`: a lockfile entry, an install option, a registry
//! configuration or a workflow `env:` setting that takes packages from a source the policy
//! does not allow.
//!
//! Lockfile entries are grouped: one finding per lockfile and source (registry URL, git
//! repository, archive host), at the first entry from it, with the number of entries in
//! the message. A lockfile of two thousand packages from one private registry is one
//! decision, not two thousand.

use std::collections::BTreeMap;

use tollgate_engine::{Context, Rule, Sink, StepCx, WorkflowCx};
use tollgate_gha::Env;
use tollgate_graph::util::host_of;
use tollgate_inventory::manager_ecosystem;
use tollgate_lockfile::{
    ConfiguredSource, Ecosystem, Package, Source, SourceRole, normalise_for_match,
    registry_from_env,
};
use tollgate_model::{Impact, SourceFile, Span};
use tollgate_scan::{FileModel, Input};
use tollgate_shell::{Fact, IndexKind};

use super::policy::{Verdict, judge};

pub struct UnknownPackageSource;

const HELP_ALLOW: &str = "if you trust it, add it to `[policy.packages] allow` in tollgate.toml (a registry URL, a URL prefix ending in `/`, or a git host or organisation such as `github.com/my-org`)";

const CONFUSION: &str = "an extra index is searched next to the default one and the highest version wins, so anyone who publishes the same name on the public index can replace your package (dependency confusion)";

/// What to report about one lockfile source group.
struct Group<'p> {
    first: &'p Package,
    count: usize,
    what: String,
    url: String,
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// Inside the repository: a relative path from the lockfile's directory that does not
/// climb above the scan root.
fn path_inside(lockfile: &str, path: &str) -> bool {
    let path = path
        .trim()
        .trim_start_matches("file:")
        .trim_start_matches("link:");
    if path.starts_with('/') || path.starts_with('~') || path.contains(":\\") {
        return false;
    }
    let dir = lockfile.rsplit_once('/').map_or("", |(d, _)| d);
    let joined = if dir.is_empty() {
        path.to_owned()
    } else {
        format!("{dir}/{path}")
    };
    tollgate_graph::util::normalise(&joined).is_some()
}

impl UnknownPackageSource {
    fn lockfile(&self, cx: &Context<'_>, input: &Input, packages: &[Package], out: &mut Sink<'_>) {
        let mut groups: BTreeMap<String, Group<'_>> = BTreeMap::new();
        for p in packages {
            let (key, what, url) = match &p.source {
                Source::Registry { url, default } => {
                    if *default {
                        // A Go module replaced by another module path: same proxy, but the
                        // code comes from another repository.
                        match &p.alias {
                            Some(old) if p.ecosystem == Ecosystem::Go => {
                                if !matches!(judge(cx, None, &p.name), Verdict::Unknown) {
                                    continue;
                                }
                                self.go_fork(input, p, old, out);
                                continue;
                            }
                            _ => continue,
                        }
                    }
                    if !matches!(judge(cx, Some(p.ecosystem), url), Verdict::Unknown) {
                        continue;
                    }
                    (
                        format!("registry {}", normalise_for_match(url)),
                        "registry",
                        url.clone(),
                    )
                }
                Source::Git { url, .. } => {
                    if !matches!(judge(cx, None, url), Verdict::Unknown) {
                        continue;
                    }
                    (
                        format!("git {}", normalise_for_match(url)),
                        "git repository",
                        url.clone(),
                    )
                }
                Source::Url { url } => {
                    if !matches!(judge(cx, Some(p.ecosystem), url), Verdict::Unknown) {
                        continue;
                    }
                    let host = host_of(url).unwrap_or_else(|| url.clone());
                    (format!("url {host}"), "direct URLs on", host)
                }
                Source::Path { path } => {
                    if path_inside(&input.source.display, path) {
                        continue;
                    }
                    (
                        format!("path {path}"),
                        "local path outside the repository",
                        path.clone(),
                    )
                }
                Source::Workspace | Source::Unknown => continue,
            };
            groups
                .entry(key)
                .and_modify(|g| g.count += 1)
                .or_insert(Group {
                    first: p,
                    count: 1,
                    what: what.to_owned(),
                    url,
                });
        }
        let mut groups: Vec<Group<'_>> = groups.into_values().collect();
        groups.sort_by_key(|g| g.first.span.start);
        for g in groups {
            let span = g.first.source_span.unwrap_or(g.first.span);
            let others = if g.count > 1 {
                format!(
                    " (and {} more from it in this file)",
                    plural(g.count - 1, "entry")
                )
            } else {
                String::new()
            };
            out.at(&input.source, span)
                .message(format!(
                    "`{}` comes from {} `{}`, which the package policy does not allow{others}",
                    g.first.name, g.what, g.url
                ))
                .help(format!(
                    "take it from the ecosystem's public registry or a registry you run; {HELP_ALLOW}"
                ))
                .emit();
        }
    }

    fn go_fork(&self, input: &Input, p: &Package, old: &str, out: &mut Sink<'_>) {
        let span = p.source_span.unwrap_or(p.span);
        out.at(&input.source, span)
            .message(format!(
                "go.mod replaces `{old}` with `{}`, so its code comes from another repository the package policy does not allow",
                p.name
            ))
            .help(format!(
                "drop the `replace` once the fix is upstream, or move the fork into your organisation; {HELP_ALLOW}"
            ))
            .emit();
    }

    fn config(
        &self,
        cx: &Context<'_>,
        input: &Input,
        sources: &[ConfiguredSource],
        out: &mut Sink<'_>,
    ) {
        for s in sources {
            self.configured(
                cx,
                &input.source,
                s,
                s.span,
                &format!("`{}`", input.source.display),
                out,
            );
        }
    }

    /// One configured source (from a config file or a workflow `env:` entry) at `span`.
    fn configured(
        &self,
        cx: &Context<'_>,
        file: &SourceFile,
        s: &ConfiguredSource,
        span: Span,
        origin: &str,
        out: &mut Sink<'_>,
    ) {
        let url = s.url.trim();
        // Settings change trust, not the source; `${VAR}` is only known in CI; Go's
        // `direct`/`off` are keywords.
        if matches!(s.role, SourceRole::Setting)
            || url.is_empty()
            || s.is_unresolved()
            || matches!(url, "direct" | "off")
        {
            return;
        }
        if let Some(dir) = url
            .strip_prefix("directory:")
            .or_else(|| url.strip_prefix("local-registry:"))
        {
            if path_inside(&file.display, dir) {
                return;
            }
        } else if !matches!(judge(cx, Some(s.ecosystem), url), Verdict::Unknown) {
            return;
        }
        let role = match &s.role {
            SourceRole::Default => "sets the default registry to".to_owned(),
            SourceRole::Scoped => format!(
                "sets the registry of `{}` to",
                s.scope.clone().unwrap_or_default()
            ),
            SourceRole::Replacement { replaces } => format!("replaces `{replaces}` with"),
            SourceRole::Extra => "adds the extra index".to_owned(),
            SourceRole::Explicit | SourceRole::Named => "names the registry".to_owned(),
            SourceRole::Fallback => "falls back to".to_owned(),
            SourceRole::FindLinks => "searches for packages in".to_owned(),
            SourceRole::Package { package } => format!("takes `{package}` from"),
            SourceRole::Setting => return,
        };
        let extra = s.role == SourceRole::Extra;
        let mut f = out.at(file, span).message(format!(
            "{origin} {role} `{url}`, which the package policy does not allow{}",
            if extra {
                ": a dependency confusion risk"
            } else {
                ""
            }
        ));
        if extra {
            f = f
                .severity(Impact::High)
                .help(format!(
                    "{CONFUSION}; use one index that serves both (a proxy such as a registry you run), or pin those packages to it with hashes; {HELP_ALLOW}"
                ));
        } else {
            f = f.help(format!(
                "use the public registry or a registry you run; {HELP_ALLOW}"
            ));
        }
        f.emit();
    }

    fn env(&self, cx: &Context<'_>, input: &Input, env: &Env, out: &mut Sink<'_>) {
        for v in &env.vars {
            let span = v.key.span.cover(v.value.span);
            for s in registry_from_env(&v.key.value, &v.value.value, span) {
                if s.role == SourceRole::Scoped {
                    continue;
                }
                self.configured(
                    cx,
                    &input.source,
                    &s,
                    span,
                    &format!("`env: {}`", v.key.value),
                    out,
                );
            }
        }
    }
}

impl Rule for UnknownPackageSource {
    fn id(&self) -> &'static str {
        "unknown-package-source"
    }

    fn check_input(&self, cx: &Context<'_>, input: &Input, out: &mut Sink<'_>) {
        let FileModel::Packages(p) = &*input.parsed else {
            return;
        };
        if input.kind.is_lockfile() {
            self.lockfile(cx, input, &p.packages, out);
        }
        if input.kind.is_registry_config() {
            self.config(cx, input, &p.sources, out);
        }
    }

    fn check_workflow(&self, cx: &Context<'_>, wf: &WorkflowCx<'_>, out: &mut Sink<'_>) {
        self.env(cx, wf.input, &wf.workflow.env, out);
        for job in &wf.workflow.jobs {
            out.set_job(Some(&job.id.value));
            self.env(cx, wf.input, &job.env, out);
            for step in &job.steps {
                self.env(cx, wf.input, &step.env, out);
            }
        }
        out.set_job(None);
    }

    fn check_step(&self, cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        let Some(analysis) = step.analysis() else {
            return;
        };
        for fact in &analysis.facts {
            let Fact::Install(i) = fact else { continue };
            let Some(eco) = manager_ecosystem(i.manager) else {
                continue;
            };
            for idx in &i.index_urls {
                let url = idx.url.trim();
                if !url.contains("://") || url.contains('$') {
                    continue;
                }
                if !matches!(judge(cx, Some(eco), url), Verdict::Unknown) {
                    continue;
                }
                let extra = idx.kind == IndexKind::ExtraIndex;
                let what = match idx.kind {
                    IndexKind::ExtraIndex => "adds the extra index",
                    IndexKind::FindLinks => "searches for packages in",
                    IndexKind::Proxy => "uses the module proxy",
                    _ => "installs from",
                };
                let mut f = out
                    .at(&step.input.source, step.script_span(idx.span))
                    .message(format!(
                        "`{}` {what} `{url}`, which the package policy does not allow{}",
                        i.manager,
                        if extra {
                            ": a dependency confusion risk"
                        } else {
                            ""
                        }
                    ));
                if extra {
                    f = f.severity(Impact::High).help(format!(
                        "{CONFUSION}; use `--index-url` with one index that serves both, or install with `--require-hashes`; {HELP_ALLOW}"
                    ));
                } else {
                    f = f.help(format!(
                        "install from the public registry or a registry you run; {HELP_ALLOW}"
                    ));
                }
                f.emit();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::path_inside;

    #[test]
    fn paths() {
        assert!(path_inside("web/package-lock.json", "../shared"));
        assert!(path_inside("package-lock.json", "file:packages/a"));
        assert!(!path_inside("package-lock.json", "../outside"));
        assert!(!path_inside("a/Cargo.lock", "/opt/crates/x"));
    }
}

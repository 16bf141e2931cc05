//! `unknown-package-source`: a lockfile entry, an install option, a registry
//! configuration or a workflow `env:` setting that takes packages from a source the policy
//! does not allow. On GitLab CI the same facts come from the jobs' scripts and the
//! `variables:` of the pipeline and its jobs (`PIP_INDEX_URL`, `NPM_CONFIG_REGISTRY`, …).
//!
//! A query over the graph: each `source` node is judged once against the policy, and
//! every place the graph records as naming it (the `resolves-from` edges and their
//! `SourceNamings` record) is reported, with the chain that leads there as its path.
//!
//! Lockfile entries are grouped: one finding per lockfile and source (registry URL, git
//! repository, archive host), at the first entry from it, with the number of entries in
//! the message. A lockfile of two thousand packages from one private registry is one
//! decision, not two thousand.

use std::collections::BTreeMap;

use tollgate_engine::{Context, Rule, Sink};
use tollgate_graph::util::host_of;
use tollgate_graph::{Naming, NodeId, SourceNaming};
use tollgate_lockfile::{SourceKind, SourceRole, normalise_for_match};
use tollgate_model::Impact;
use tollgate_shell::IndexKind;

use super::namings::{self, SourceData};
use super::policy::{Verdict, judge};

pub struct UnknownPackageSource;

const HELP_ALLOW: &str = "if you trust it, add it to `[policy.packages] allow` in tollgate.toml (a registry URL, a URL prefix ending in `/`, or a git host or organisation such as `github.com/my-org`)";

const CONFUSION: &str = "an extra index is searched next to the default one and the highest version wins, so anyone who publishes the same name on the public index can replace your package (dependency confusion)";

/// What to report about one lockfile's entries from one source (or host, or path).
struct Group<'g> {
    first: &'g SourceNaming,
    count: usize,
    what: &'static str,
    url: String,
    /// How the last hop of the path names it.
    hop: String,
}

/// Judgements made once per source node (or, for a Go fork, per package node): `true`
/// when the policy does not allow it. Judging marks the allow entries used.
struct Judged<'c, 'a> {
    cx: &'c Context<'a>,
    seen: BTreeMap<NodeId, bool>,
}

impl Judged<'_, '_> {
    /// Whether the policy rejects `node`, judged by `verdict` the first time only.
    fn rejects(&mut self, node: NodeId, verdict: impl FnOnce() -> Verdict) -> bool {
        *self
            .seen
            .entry(node)
            .or_insert_with(|| matches!(verdict(), Verdict::Unknown))
    }

    /// A source node: git repositories belong to no registry, everything else to its
    /// ecosystem's.
    fn source(&mut self, node: NodeId, s: &SourceData<'_>) -> bool {
        let cx = self.cx;
        let eco = if s.kind == SourceKind::Git {
            None
        } else {
            s.ecosystem
        };
        let url = s.url.trim();
        self.rejects(node, || judge(cx, eco, url))
    }
}

/// `what` for the role a configuration entry or `env:` variable gives a source.
fn role_words(role: &SourceRole, scope: Option<&str>) -> Option<String> {
    Some(match role {
        SourceRole::Default => "sets the default registry to".to_owned(),
        SourceRole::Scoped => format!("sets the registry of `{}` to", scope.unwrap_or_default()),
        SourceRole::Replacement { replaces } => format!("replaces `{replaces}` with"),
        SourceRole::Extra => "adds the extra index".to_owned(),
        SourceRole::Explicit | SourceRole::Named => "names the registry".to_owned(),
        SourceRole::Fallback => "falls back to".to_owned(),
        SourceRole::FindLinks => "searches for packages in".to_owned(),
        SourceRole::Package { package } => format!("takes `{package}` from"),
        SourceRole::Setting => return None,
    })
}

impl UnknownPackageSource {
    /// Lockfile entries, grouped per lockfile and source: one finding at the first entry
    /// from it, with the number of the others.
    fn entries(&self, cx: &Context<'_>, judged: &mut Judged<'_, '_>, out: &mut Sink<'_>) {
        let g = cx.graph;
        let mut groups: BTreeMap<(usize, String), Group<'_>> = BTreeMap::new();
        for n in namings::included(cx) {
            let (key, what, url, hop) = match &n.naming {
                Naming::Entry => {
                    let Some(id) = n.source else { continue };
                    let Some(s) = namings::source(g, id) else {
                        continue;
                    };
                    if s.default || !judged.source(id, &s) {
                        continue;
                    }
                    let url = s.url.to_owned();
                    match s.kind {
                        SourceKind::Registry => (
                            format!("registry {}", normalise_for_match(&url)),
                            "registry",
                            url.clone(),
                            format!("registry `{url}`"),
                        ),
                        SourceKind::Git => (
                            format!("git {}", normalise_for_match(&url)),
                            "git repository",
                            url.clone(),
                            format!("git repository `{url}`"),
                        ),
                        SourceKind::Url => {
                            let host = host_of(&url).unwrap_or_else(|| url.clone());
                            (
                                format!("url {host}"),
                                "direct URLs on",
                                host,
                                format!("archive `{url}`"),
                            )
                        }
                        _ => continue,
                    }
                }
                Naming::OutsidePath { path } => (
                    format!("path {path}"),
                    "local path outside the repository",
                    path.clone(),
                    format!("local path `{path}`"),
                ),
                Naming::Fork { replaces } => {
                    self.fork(cx, judged, n, replaces, out);
                    continue;
                }
                _ => continue,
            };
            groups
                .entry((n.origin.input().0, key))
                .and_modify(|gr| gr.count += 1)
                .or_insert(Group {
                    first: n,
                    count: 1,
                    what,
                    url,
                    hop,
                });
        }
        for gr in groups.into_values() {
            let n = gr.first;
            let Some(input) = g.input(cx.scan, n.origin.input()) else {
                continue;
            };
            let name = namings::package_name(g, n.from).unwrap_or_default();
            let others = if gr.count > 1 {
                format!(
                    " (and {} more from it in this file)",
                    crate::common::plural(gr.count - 1, "entry", "entries")
                )
            } else {
                String::new()
            };
            out.at(&input.source, n.origin.span())
                .job(None)
                .message(format!(
                    "`{name}` comes from {} `{}`, which the package policy does not allow{others}",
                    gr.what, gr.url
                ))
                .help(format!(
                    "take it from the ecosystem's public registry or a registry you run; {HELP_ALLOW}"
                ))
                .path(namings::hops(g, n, gr.hop))
                .emit();
        }
    }

    /// A Go module replaced by another module path: judged by the new path (a git host
    /// and organisation), once per package node.
    fn fork(
        &self,
        cx: &Context<'_>,
        judged: &mut Judged<'_, '_>,
        n: &SourceNaming,
        replaces: &str,
        out: &mut Sink<'_>,
    ) {
        let g = cx.graph;
        let name = namings::package_name(g, n.from).unwrap_or_default();
        if !judged.rejects(n.from, || judge(cx, None, name)) {
            return;
        }
        let Some(input) = g.input(cx.scan, n.origin.input()) else {
            return;
        };
        out.at(&input.source, n.origin.span())
            .job(None)
            .message(format!(
                "go.mod replaces `{replaces}` with `{name}`, so its code comes from another repository the package policy does not allow"
            ))
            .help(format!(
                "drop the `replace` once the fix is upstream, or move the fork into your organisation; {HELP_ALLOW}"
            ))
            .path(namings::hops(g, n, format!("fork `{name}` of `{replaces}`")))
            .emit();
    }

    /// A source set by a configuration file entry or an `env:` variable (`origin`: how
    /// the message names the place).
    #[allow(clippy::too_many_arguments)]
    fn configured(
        &self,
        cx: &Context<'_>,
        judged: &mut Judged<'_, '_>,
        n: &SourceNaming,
        role: &SourceRole,
        scope: Option<&str>,
        origin: &str,
        out: &mut Sink<'_>,
    ) {
        let g = cx.graph;
        let Some(id) = n.source else { return };
        let Some(s) = namings::source(g, id) else {
            return;
        };
        let url = s.url.trim();
        // `${VAR}` is only known in CI; Go's `direct`/`off` are keywords; a vendored
        // directory inside the repository is no outside source.
        let unresolved = url.contains("${") || url.starts_with('$');
        if url.is_empty() || unresolved || matches!(url, "direct" | "off") {
            return;
        }
        if url.starts_with("directory:") || url.starts_with("local-registry:") {
            if matches!(&n.naming, Naming::Config(c) if c.inside) {
                return;
            }
        } else if !judged.source(id, &s) {
            return;
        }
        let Some(role_text) = role_words(role, scope) else {
            return;
        };
        let Some(input) = g.input(cx.scan, n.origin.input()) else {
            return;
        };
        let extra = *role == SourceRole::Extra;
        let subject = format!("{origin} {role_text} `{url}`");
        let extra_help = "use one index that serves both (a proxy such as a registry you run), or pin those packages to it with hashes";
        let plain_help = "use the public registry or a registry you run";
        let help = extra.then_some(extra_help);
        rejected(out, g, &input.source, n, url, &subject, help, plain_help);
    }

    /// An install command's index option.
    fn index(
        &self,
        cx: &Context<'_>,
        judged: &mut Judged<'_, '_>,
        n: &SourceNaming,
        kind: IndexKind,
        out: &mut Sink<'_>,
    ) {
        let g = cx.graph;
        let Some(id) = n.source else { return };
        let Some(s) = namings::source(g, id) else {
            return;
        };
        // Only managers with a registry model (the node has an ecosystem) are judged,
        // and only URLs written out.
        let url = s.url.trim();
        if s.ecosystem.is_none() || !url.contains("://") || url.contains('$') {
            return;
        }
        if !judged.source(id, &s) {
            return;
        }
        let manager = match g.node(n.from).map(|x| &x.kind) {
            Some(tollgate_graph::NodeKind::Command { tool, .. }) => tool.as_str(),
            _ => return,
        };
        let Some(input) = g.input(cx.scan, n.origin.input()) else {
            return;
        };
        let extra = kind == IndexKind::ExtraIndex;
        let what = match kind {
            IndexKind::ExtraIndex => "adds the extra index",
            IndexKind::FindLinks => "searches for packages in",
            IndexKind::Proxy => "uses the module proxy",
            _ => "installs from",
        };
        let subject = format!("`{manager}` {what} `{url}`");
        let extra_help =
            "use `--index-url` with one index that serves both, or install with `--require-hashes`";
        let plain_help = "install from the public registry or a registry you run";
        let help = extra.then_some(extra_help);
        rejected(out, g, &input.source, n, url, &subject, help, plain_help);
    }
}

/// Report a source the policy rejects, named by `subject` at `n`; an extra index (with
/// `extra_help`, how to avoid it) is a dependency confusion risk, high severity.
#[allow(clippy::too_many_arguments)]
fn rejected(
    out: &mut Sink<'_>,
    g: &tollgate_graph::Graph,
    file: &tollgate_model::SourceFile,
    n: &SourceNaming,
    url: &str,
    subject: &str,
    extra_help: Option<&str>,
    plain_help: &str,
) {
    let confusion = if extra_help.is_some() {
        ": a dependency confusion risk"
    } else {
        ""
    };
    let f = out
        .at(file, n.origin.span())
        .job(namings::job_of(g, n.from))
        .message(format!(
            "{subject}, which the package policy does not allow{confusion}"
        ))
        .path(namings::hops(g, n, format!("registry `{url}`")));
    match extra_help {
        Some(h) => f
            .severity(Impact::High)
            .help(format!("{CONFUSION}; {h}; {HELP_ALLOW}")),
        None => f.help(format!("{plain_help}; {HELP_ALLOW}")),
    }
    .emit();
}

/// Whether `node` is a registry configuration file (not a lockfile).
fn is_config(cx: &Context<'_>, node: NodeId) -> bool {
    matches!(
        cx.graph.node(node).map(|n| &n.kind),
        Some(tollgate_graph::NodeKind::RegistryConfig { .. })
    )
}

impl Rule for UnknownPackageSource {
    fn id(&self) -> &'static str {
        "unknown-package-source"
    }

    /// A query over the places the graph records as naming a source: each source is
    /// judged once, and reported at every place that names it.
    fn check_scan(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let mut judged = Judged {
            cx,
            seen: BTreeMap::new(),
        };
        self.entries(cx, &mut judged, out);
        for n in namings::included(cx) {
            match &n.naming {
                // Index options of a lockfile (`--index-url` in a requirements file)
                // are reported through the entries that resolve from them.
                Naming::Config(c) if is_config(cx, n.from) => {
                    let origin = format!("`{}`", namings::file_of(cx.graph, n.origin));
                    self.configured(
                        cx,
                        &mut judged,
                        n,
                        &c.role,
                        c.scope.as_deref(),
                        &origin,
                        out,
                    );
                }
                // A scoped registry set through the environment is left to the
                // configuration it scopes.
                Naming::Env(e) if e.role != SourceRole::Scoped => {
                    // A GitLab configuration sets the environment with `variables:`.
                    let gitlab = cx
                        .graph
                        .input(cx.scan, n.origin.input())
                        .is_some_and(|i| matches!(&*i.parsed, tollgate_scan::FileModel::Gitlab(_)));
                    let key = if gitlab { "variables" } else { "env" };
                    let origin = format!("`{key}: {}`", e.var);
                    self.configured(
                        cx,
                        &mut judged,
                        n,
                        &e.role,
                        e.scope.as_deref(),
                        &origin,
                        out,
                    );
                }
                Naming::Index { kind } => self.index(cx, &mut judged, n, *kind, out),
                _ => {}
            }
        }
    }
}

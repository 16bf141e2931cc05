//! One repository's facts as rows, taken from the analyses that own them while its graph
//! is alive: the inventory's dependencies and job identities (what `inventory` and `diff`
//! show), the graph's workflows, triggers and lockfile packages, and the findings of the
//! rules. Nothing here re-reads an input.

use tollgate_graph::{EdgeKind, Graph, Kind, NodeKind};
use tollgate_inventory::{DependencyKind, Inventory};
use tollgate_model::{Diagnostic, Finding};
use tollgate_scan::Scan;

/// A repository of the scanned directory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Repository {
    /// Its directory name under the scanned directory.
    pub name: String,
    /// `checkout` or `bare`.
    pub kind: &'static str,
    pub identity: Option<String>,
    pub revision: Option<String>,
    pub files: usize,
    /// Why it could not be read.
    pub error: Option<String>,
}

/// A job as rows name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobKey {
    pub workflow: String,
    pub job: String,
}

#[derive(Clone, Debug)]
pub struct Job {
    pub key: JobKey,
    pub name: Option<String>,
    pub runner: String,
    pub self_hosted: bool,
    pub environment: Option<String>,
    pub writes: bool,
    pub default_token: bool,
    pub oidc: bool,
    pub timeout_minutes: Option<String>,
    pub permissions: Vec<(String, String)>,
    pub secrets: Vec<String>,
    /// Host and whether the allow-list allows it (`None`: no allow-list).
    pub hosts: Vec<(String, Option<bool>)>,
    pub dependencies: Vec<Dep>,
}

/// One dependency of one job, from the inventory.
#[derive(Clone, Debug)]
pub struct Dep {
    pub kind: DependencyKind,
    pub name: String,
    pub ecosystem: Option<String>,
    pub external: bool,
    pub pinned: Option<bool>,
    pub how: String,
    pub fallbacks: String,
    pub note: Option<String>,
    pub path: Option<String>,
    pub line: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct Package {
    pub lockfile: String,
    pub ecosystem: String,
    pub name: String,
    pub version: Option<String>,
    pub source: Option<String>,
}

#[derive(Clone, Debug)]
pub struct FindingRow {
    pub rule: &'static str,
    pub level: &'static str,
    pub severity: &'static str,
    pub confidence: &'static str,
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub job: Option<String>,
    pub message: String,
    pub fingerprint: String,
}

#[derive(Clone, Debug)]
pub struct DiagnosticRow {
    pub severity: &'static str,
    pub code: &'static str,
    pub path: String,
    pub line: Option<u32>,
    pub message: String,
}

/// Everything the database keeps of one repository: small, owned, graph-free.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub repository: Repository,
    /// Path, name.
    pub workflows: Vec<(String, Option<String>)>,
    /// Workflow, event, untrusted and privileged.
    pub triggers: Vec<(String, String, bool)>,
    pub jobs: Vec<Job>,
    pub packages: Vec<Package>,
    pub findings: Vec<FindingRow>,
    pub diagnostics: Vec<DiagnosticRow>,
}

/// What a repository's facts are taken from.
#[derive(Clone, Copy, Debug)]
pub struct Sources<'a> {
    pub scan: &'a Scan,
    pub graph: &'a Graph,
    /// `tollgate_inventory::build` of the same scan and graph.
    pub inventory: &'a Inventory,
    pub findings: &'a [Finding],
    /// One per finding (`tollgate_report::fingerprint`).
    pub fingerprints: &'a [String],
    pub diagnostics: &'a [Diagnostic],
    /// `[policy.egress] allow` of the configuration that applied; empty: none.
    pub egress_allow: &'a [String],
}

/// `scope: access` as the inventory writes permissions, split for queries.
fn permission(p: &str) -> (String, String) {
    match p.split_once(": ") {
        Some((scope, access)) => (scope.to_owned(), access.to_owned()),
        None => ("*".to_owned(), "default".to_owned()),
    }
}

/// The job's scopes; the inventory keeps `id-token` apart (as OIDC), the table lists it
/// with the others so one query finds every scope.
fn permissions(listed: &[String], oidc: bool) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = listed.iter().map(|p| permission(p)).collect();
    if oidc && !v.iter().any(|(s, _)| s == "id-token") {
        v.push(("id-token".to_owned(), "write".to_owned()));
    }
    v.sort();
    v
}

impl Facts {
    /// The facts of one analysed repository.
    #[must_use]
    pub fn of(repository: Repository, s: Sources<'_>) -> Self {
        let allow: Vec<tollgate_egress::Endpoint> = s
            .egress_allow
            .iter()
            .filter_map(|e| tollgate_egress::Endpoint::parse(e))
            .collect();
        let allowed = |host: &str| {
            (!s.egress_allow.is_empty()).then(|| allow.iter().any(|e| e.allows(host, 443, true)))
        };
        let mut facts = Self {
            repository,
            ..Self::default()
        };
        for w in s.graph.workflows() {
            let Some(NodeKind::Workflow { path, name }) = s.graph.node(w).map(|n| &n.kind) else {
                continue;
            };
            facts.workflows.push((path.clone(), name.clone()));
            for t in s.graph.triggers_of(w) {
                if let Some(NodeKind::Trigger { event, .. }) = s.graph.node(t).map(|n| &n.kind) {
                    facts.triggers.push((
                        path.clone(),
                        event.clone(),
                        s.graph.is_untrusted_privileged(t),
                    ));
                }
            }
        }
        facts.workflows.sort();
        facts.workflows.dedup_by(|a, b| a.0 == b.0);
        facts.triggers.sort();
        facts.triggers.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        for identity in &s.inventory.jobs {
            if identity.job.workflow.is_empty() {
                continue;
            }
            let dependencies = tollgate_inventory::dependencies(s.graph, identity.job.node)
                .iter()
                .map(|d| Dep {
                    kind: d.kind,
                    name: d.name.clone(),
                    ecosystem: d.ecosystem.clone(),
                    external: d.external,
                    pinned: d.pinning.pinned,
                    how: d.pinning.how.to_string(),
                    fallbacks: d
                        .fallbacks
                        .iter()
                        .map(|f| f.kind.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                    note: d.note.clone(),
                    path: d.site.as_ref().map(|x| x.path.to_string()),
                    line: d.site.as_ref().map(|x| x.start.line),
                })
                .collect();
            facts.jobs.push(Job {
                key: JobKey {
                    workflow: identity.job.workflow.clone(),
                    job: identity.job.job.clone(),
                },
                name: identity.name.clone(),
                runner: identity.runner.clone(),
                self_hosted: identity.self_hosted,
                environment: identity.environment.clone(),
                writes: identity.writes,
                default_token: identity.default_token,
                oidc: identity.oidc,
                timeout_minutes: identity.timeout_minutes.clone(),
                permissions: permissions(&identity.permissions, identity.oidc),
                secrets: identity.secrets.clone(),
                hosts: identity
                    .hosts
                    .iter()
                    .map(|h| (h.clone(), allowed(h)))
                    .collect(),
                dependencies,
            });
        }
        facts.packages = packages(s.graph);
        facts.findings = s
            .findings
            .iter()
            .zip(s.fingerprints)
            .map(|(f, fp)| FindingRow {
                rule: f.rule,
                level: f.level.as_str(),
                severity: f.severity.as_str(),
                confidence: f.confidence.as_str(),
                path: f.primary.path.to_string(),
                line: f.primary.start.line,
                column: f.primary.start.column,
                job: f.job.as_deref().map(str::to_owned),
                message: f.message.clone(),
                fingerprint: fp.clone(),
            })
            .collect();
        facts.diagnostics = s.diagnostics.iter().map(DiagnosticRow::of).collect();
        facts
    }

    /// A repository's row alone: one that could not be read (its `error` says why), or
    /// one with nothing to read.
    #[must_use]
    pub fn only(repository: Repository) -> Self {
        Self {
            repository,
            ..Self::default()
        }
    }
}

impl DiagnosticRow {
    #[must_use]
    pub fn of(d: &Diagnostic) -> Self {
        Self {
            severity: d.severity.as_str(),
            code: d.code.as_str(),
            path: d.path.clone(),
            line: d.location.as_ref().map(|l| l.start.line),
            message: d.message.clone(),
        }
    }
}

/// Every lockfile's packages and the sources they resolve from, as the graph holds them.
fn packages(graph: &Graph) -> Vec<Package> {
    let mut out = Vec::new();
    for file in graph.nodes_of(Kind::Lockfile) {
        let Some(NodeKind::Lockfile { path, .. }) = graph.node(file).map(|n| &n.kind) else {
            continue;
        };
        for (e, pkg) in graph.out_edges(file) {
            if e.kind != EdgeKind::Contains {
                continue;
            }
            let Some(NodeKind::Package {
                ecosystem,
                name,
                version,
            }) = graph.node(pkg).map(|n| &n.kind)
            else {
                continue;
            };
            let mut sources: Vec<String> = graph
                .out_edges(pkg)
                .filter(|(e, _)| e.kind == EdgeKind::ResolvesFrom)
                .filter_map(|(_, s)| match graph.node(s).map(|n| &n.kind) {
                    Some(NodeKind::Source { kind, url, .. }) => {
                        Some(format!("{} {url}", kind.as_str()))
                    }
                    _ => None,
                })
                .collect();
            sources.sort();
            sources.dedup();
            let row = |source| Package {
                lockfile: path.clone(),
                ecosystem: ecosystem.as_str().to_owned(),
                name: name.clone(),
                version: version.clone(),
                source,
            };
            if sources.is_empty() {
                out.push(row(None));
            }
            for src in sources {
                out.push(row(Some(src)));
            }
        }
    }
    out
}

//! The inventory as a CycloneDX 1.6 bill of materials (`tollgate inventory --format
//! cyclonedx`). What the pipelines use are `components` with package URLs (remote
//! actions and reusable workflows as `pkg:github`, images as `pkg:docker`, packages as
//! `pkg:npm`, `pkg:pypi`, `pkg:cargo`, `pkg:golang`, `pkg:gem`; toolchains by name);
//! the workflows, jobs and steps are the `formulation`, each job with what it holds
//! (token permissions, secret names, OIDC, runner) and reaches (egress hosts) as
//! `tollgate:` properties and the components it uses as resource references.
//!
//! The few CycloneDX types needed are written here with serde: the formulation types of
//! the `cyclonedx-bom` crate are crate-private, and lack the workflow `uid` the 1.6
//! schema requires and the steps of a task. The document is deterministic: no serial number,
//! and a timestamp only when the caller passes one (`SOURCE_DATE_EPOCH`).

mod purl;
mod types;

use std::collections::{BTreeMap, BTreeSet};

use tollgate_graph::{EdgeKind, Graph, Kind, NodeId, NodeKind, Target};
use tollgate_inventory::{DependencyKind, Inventory, JobIdentity};

pub use purl::encode as purl_encode;
pub use types::{
    Bom, Component, Formula, Metadata, Property, ResourceReference, Step, Task, Tools, Workflow,
};

/// The components and formulation being built, keyed by `bom-ref` so the output is
/// sorted and every reference unique.
#[derive(Default)]
struct Builder {
    components: BTreeMap<String, Component>,
    /// The `bom-ref` of each inventory dependency key that has a component.
    by_key: BTreeMap<String, String>,
    /// The `bom-ref` of each package node of the graph that has a component.
    by_package: BTreeMap<NodeId, String>,
}

impl Builder {
    fn add(&mut self, c: Component) -> String {
        let r = c.bom_ref.clone();
        match self.components.get_mut(&r) {
            Some(existing) => existing.properties.extend(c.properties),
            None => {
                self.components.insert(r.clone(), c);
            }
        }
        r
    }
}

fn prop(name: &str, value: impl Into<String>) -> Property {
    Property {
        name: format!("tollgate:{name}"),
        value: value.into(),
    }
}

/// Remote actions and reusable workflows of the graph by the reference as written.
fn remotes(graph: &Graph) -> BTreeMap<&str, &tollgate_graph::RemoteRef> {
    let mut out = BTreeMap::new();
    for kind in [Kind::Action, Kind::ReusableWorkflow] {
        for id in graph.nodes_of(kind) {
            if let Some(
                NodeKind::Action {
                    target: Target::Remote(r),
                    ..
                }
                | NodeKind::ReusableWorkflow {
                    target: Target::Remote(r),
                },
            ) = graph.node(id).map(|n| &n.kind)
            {
                out.insert(r.reference.as_str(), r.as_ref());
            }
        }
    }
    out
}

fn dependency_components(inv: &Inventory, graph: &Graph, b: &mut Builder) {
    let remotes = remotes(graph);
    for d in &inv.dependencies {
        let p = d.pinning();
        let mut properties = vec![prop("kind", d.kind.as_str())];
        if let Some(pinned) = p.pinned {
            properties.push(prop("pinned", pinned.to_string()));
        }
        if !p.how.is_empty() {
            properties.push(prop("pinning", p.how.clone()));
        }
        let component = match d.kind {
            DependencyKind::Action | DependencyKind::ReusableWorkflow => {
                let Some(r) = remotes.get(d.name.as_str()) else {
                    continue;
                };
                if let Some(c) = &r.locked_commit {
                    properties.push(prop("locked-commit", c.clone()));
                }
                let purl = purl::github(&r.owner, &r.repo, &r.git_ref, r.path.as_deref());
                Component {
                    kind: "application",
                    bom_ref: purl.clone(),
                    group: Some(r.owner.clone()),
                    name: match &r.path {
                        Some(path) => format!("{}/{path}", r.repo),
                        None => r.repo.clone(),
                    },
                    version: Some(r.git_ref.clone()),
                    purl: Some(purl),
                    properties,
                }
            }
            DependencyKind::Image => {
                let Some(purl) = purl::docker(&d.name) else {
                    continue;
                };
                Component {
                    kind: "container",
                    bom_ref: purl.clone(),
                    group: None,
                    name: d.name.clone(),
                    version: None,
                    purl: Some(purl),
                    properties,
                }
            }
            DependencyKind::Toolchain => Component {
                kind: "application",
                bom_ref: format!("tollgate:{}", d.key),
                group: None,
                name: d.name.clone(),
                version: None,
                purl: None,
                properties,
            },
            // A GitLab include is configuration GitLab reads into the pipeline: a file.
            DependencyKind::Include => Component {
                kind: "file",
                bom_ref: format!("tollgate:{}", d.key),
                group: None,
                name: d.name.clone(),
                version: None,
                purl: None,
                properties,
            },
            DependencyKind::PackageSource | DependencyKind::Download | DependencyKind::Cache => {
                continue;
            }
        };
        let r = b.add(component);
        b.by_key.insert(d.key.clone(), r);
    }
}

fn package_components(graph: &Graph, b: &mut Builder) {
    for id in graph.nodes_of(Kind::Package) {
        let Some(NodeKind::Package {
            ecosystem,
            name,
            version,
        }) = graph.node(id).map(|n| &n.kind)
        else {
            continue;
        };
        let Some(purl) = purl::package(*ecosystem, name, version.as_deref()) else {
            continue;
        };
        let mut properties = vec![
            prop("kind", "package"),
            prop("ecosystem", ecosystem.as_str()),
        ];
        let exact = version.as_deref().and_then(purl::exact_version);
        if let Some(v) = version.as_ref().filter(|_| exact.is_none()) {
            properties.push(prop("version-constraint", v.clone()));
        }
        let r = b.add(Component {
            kind: "library",
            bom_ref: purl.clone(),
            group: None,
            name: name.clone(),
            version: exact.map(str::to_owned),
            purl: Some(purl),
            properties,
        });
        b.by_package.insert(id, r);
    }
}

/// The packages a step installs: its commands' installs, directly or through the
/// lockfile they install from (the graph's `Runs`, `Installs` and `Contains` edges).
fn step_packages<'a>(graph: &Graph, step: NodeId, b: &'a Builder) -> BTreeSet<&'a str> {
    let mut out = BTreeSet::new();
    for (e, command) in graph.outgoing(step) {
        if e.kind != EdgeKind::Runs {
            continue;
        }
        for (e, target) in graph.outgoing(command) {
            if e.kind != EdgeKind::Installs {
                continue;
            }
            if let Some(r) = b.by_package.get(&target) {
                out.insert(r.as_str());
            }
            for (e, package) in graph.outgoing(target) {
                if e.kind == EdgeKind::Contains
                    && let Some(r) = b.by_package.get(&package)
                {
                    out.insert(r.as_str());
                }
            }
        }
    }
    out
}

fn job_properties(j: &JobIdentity) -> Vec<Property> {
    let mut p = vec![
        prop("job-id", j.job.job.clone()),
        prop("runner", j.runner.clone()),
        prop("self-hosted", j.self_hosted.to_string()),
        prop("token-writes", j.writes.to_string()),
        prop("default-token", j.default_token.to_string()),
        prop("oidc", j.oidc.to_string()),
        prop("calls-workflow", j.calls_workflow.to_string()),
    ];
    p.extend(j.permissions.iter().map(|x| prop("permission", x.clone())));
    p.extend(j.secrets.iter().map(|x| prop("secret", x.clone())));
    if let Some(e) = &j.environment {
        p.push(prop("environment", e.clone()));
    }
    if let Some(t) = &j.timeout_minutes {
        p.push(prop("timeout-minutes", t.clone()));
    }
    p.extend(j.hosts.iter().map(|h| prop("egress-host", h.clone())));
    p
}

fn job_index(graph: &Graph, job: NodeId) -> usize {
    match graph.node(job).map(|n| &n.kind) {
        Some(NodeKind::Job { index, .. }) => *index,
        _ => usize::MAX,
    }
}

fn formulation(inv: &Inventory, graph: &Graph, b: &Builder) -> Formula {
    // What each job and each step uses, from the inventory's record of uses.
    let mut job_uses: BTreeMap<NodeId, BTreeSet<&str>> = BTreeMap::new();
    let mut step_uses: BTreeMap<NodeId, BTreeSet<&str>> = BTreeMap::new();
    for d in &inv.dependencies {
        let Some(r) = b.by_key.get(&d.key) else {
            continue;
        };
        for u in &d.uses {
            job_uses.entry(u.job.node).or_default().insert(r);
            if let Some(step) = u.site.as_ref().and_then(|s| s.step) {
                step_uses.entry(step).or_default().insert(r);
            }
        }
    }
    let mut by_workflow: BTreeMap<&str, Vec<&JobIdentity>> = BTreeMap::new();
    for j in &inv.jobs {
        by_workflow.entry(&j.job.workflow).or_default().push(j);
    }
    let workflows = by_workflow
        .into_iter()
        .map(|(path, mut jobs)| {
            jobs.sort_by_key(|j| (job_index(graph, j.job.node), j.job.job.clone()));
            let tasks = jobs
                .iter()
                .map(|j| task(graph, j, &job_uses, &step_uses, b))
                .collect();
            Workflow {
                bom_ref: format!("workflow:{path}"),
                uid: path.to_owned(),
                name: path.to_owned(),
                task_types: vec!["other"],
                tasks,
                properties: vec![prop("path", path)],
            }
        })
        .collect();
    Formula {
        bom_ref: "formulation".to_owned(),
        workflows,
    }
}

fn task(
    graph: &Graph,
    j: &JobIdentity,
    job_uses: &BTreeMap<NodeId, BTreeSet<&str>>,
    step_uses: &BTreeMap<NodeId, BTreeSet<&str>>,
    b: &Builder,
) -> Task {
    let uid = format!("{}#{}", j.job.workflow, j.job.job);
    let mut references: BTreeSet<&str> = job_uses
        .get(&j.job.node)
        .into_iter()
        .flatten()
        .copied()
        .collect();
    let steps = graph
        .job_steps(j.job.node)
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let name = match graph.node(s.step).map(|n| &n.kind) {
                Some(NodeKind::Step { label, .. }) => label.clone(),
                _ => String::new(),
            };
            let mut properties = vec![prop("index", i.to_string())];
            if s.action.is_some() {
                properties.push(prop("in-composite-action", "true"));
            }
            let packages = step_packages(graph, s.step, b);
            properties.extend(
                step_uses
                    .get(&s.step)
                    .into_iter()
                    .flatten()
                    .chain(packages.iter())
                    .map(|r| prop("uses", *r)),
            );
            references.extend(packages);
            Step { name, properties }
        })
        .collect();
    Task {
        bom_ref: format!("job:{uid}"),
        uid,
        name: j.name.clone().unwrap_or_else(|| j.job.job.clone()),
        task_types: vec!["other"],
        resource_references: references
            .into_iter()
            .map(|r| ResourceReference {
                reference: r.to_owned(),
            })
            .collect(),
        steps,
        properties: job_properties(j),
    }
}

/// The CycloneDX document of an inventory. `version` is tollgate's version;
/// `timestamp` (seconds since the epoch, from `SOURCE_DATE_EPOCH`) is the only time
/// written, so two runs on the same input give the same bytes.
#[must_use]
pub fn document(inv: &Inventory, graph: &Graph, version: &str, timestamp: Option<i64>) -> Bom {
    let mut b = Builder::default();
    dependency_components(inv, graph, &mut b);
    package_components(graph, &mut b);
    let formula = formulation(inv, graph, &b);
    let mut components: Vec<Component> = b.components.into_values().collect();
    for c in &mut components {
        c.properties.sort();
        c.properties.dedup();
    }
    Bom {
        schema: types::SCHEMA,
        bom_format: "CycloneDX",
        spec_version: "1.6",
        version: 1,
        metadata: Metadata {
            timestamp: timestamp.map(types::rfc3339),
            tools: Tools {
                components: vec![Component {
                    kind: "application",
                    bom_ref: "tollgate".to_owned(),
                    group: None,
                    name: "tollgate".to_owned(),
                    version: Some(version.to_owned()),
                    purl: None,
                    properties: Vec::new(),
                }],
            },
            properties: inv.roots.iter().map(|r| prop("root", r.clone())).collect(),
        },
        components,
        formulation: vec![formula],
    }
}

//! The identity of one job: what it holds (token permissions, secrets, OIDC), where it
//! runs, and the hosts it reaches according to the egress inference.

use tollgate_graph::{Access, Graph, NodeId, NodeKind};
use tollgate_scan::Scan;

use crate::model::{JobIdentity, JobRef};

/// What `job` holds, where it runs and the outside hosts it reaches.
#[must_use]
pub fn job_identity(scan: &Scan, graph: &Graph, job: NodeId, jr: JobRef) -> JobIdentity {
    let holdings = graph.holds(job);
    let mut permissions = Vec::new();
    let mut writes = false;
    let mut default_token = false;
    for h in &holdings.permissions {
        if let Some(NodeKind::Permission { scope, access }) = graph.node(h.node).map(|n| &n.kind) {
            match access {
                Access::RepositoryDefault => {
                    default_token = true;
                    writes = true;
                    permissions.push("repository default".to_owned());
                }
                Access::Write => {
                    writes = true;
                    permissions.push(format!("{scope}: write"));
                }
                Access::Read => permissions.push(format!("{scope}: read")),
            }
        }
    }
    permissions.sort();
    permissions.dedup();
    let mut secrets: Vec<String> = holdings
        .secrets
        .iter()
        .filter_map(|h| match graph.node(h.node).map(|n| &n.kind) {
            Some(NodeKind::Secret { name }) => Some(name.clone().unwrap_or_else(|| "*".to_owned())),
            _ => None,
        })
        .collect();
    secrets.sort();
    secrets.dedup();
    // The hosts the egress pass put in the graph: what `graph` and `egress` show too.
    // GitHub's own service endpoints are not among them (every job needs them).
    let hosts: Vec<String> = graph.hosts_of(job).into_iter().map(str::to_owned).collect();
    let model = graph.job_model(scan, job).map(|(_, j)| j);
    let calls_workflow = model.is_some_and(|j| j.uses.is_some());
    let (runner, self_hosted) = match model.and_then(|j| j.runs_on.as_ref()) {
        Some(r) => {
            let mut labels: Vec<String> = r.labels.iter().map(|l| l.value.clone()).collect();
            if let Some(g) = &r.group {
                labels.insert(0, format!("group {}", g.value));
            }
            (labels.join(", "), r.is_self_hosted())
        }
        None if calls_workflow => ("reusable workflow".to_owned(), false),
        None => (String::new(), false),
    };
    JobIdentity {
        job: jr,
        name: model.and_then(|j| j.name.as_ref()).map(|n| n.value.clone()),
        permissions,
        writes,
        default_token,
        secrets,
        oidc: holdings.oidc.is_some(),
        runner,
        self_hosted,
        environment: model
            .and_then(|j| j.environment.as_ref())
            .map(|e| e.value.clone()),
        hosts,
        timeout_minutes: model
            .and_then(|j| j.timeout_minutes.as_ref())
            .map(|t| t.value.clone()),
        calls_workflow,
        external_dependencies: 0,
        without_fallback: 0,
    }
}

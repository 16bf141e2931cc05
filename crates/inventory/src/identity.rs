//! The identity of one job: what it holds (token permissions, secrets, OIDC), where it
//! runs, and the hosts it reaches according to the egress inference.

use tollgate_graph::{Access, EdgeKind, Graph, NodeId, NodeKind};
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
    let gitlab = graph.gitlab_job(scan, job);
    // A GitLab job: its runner is the one its `tags:` select (a node of the graph).
    let (runner, self_hosted) = match &gitlab {
        Some(_) => graph
            .outgoing(job)
            .into_iter()
            .find_map(|(e, t)| match graph.node(t).map(|n| &n.kind) {
                Some(NodeKind::Runner {
                    labels,
                    self_hosted,
                }) if e.kind == EdgeKind::RunsOn => Some((labels.clone(), *self_hosted)),
                _ => None,
            })
            .unwrap_or_default(),
        None => (runner, self_hosted),
    };
    if let Some(g) = &gitlab {
        return JobIdentity {
            job: jr,
            name: None,
            permissions,
            writes,
            default_token,
            secrets,
            oidc: holdings.oidc.is_some(),
            runner,
            self_hosted,
            environment: g.job.environment.as_ref().map(|e| e.value.clone()),
            hosts,
            timeout_minutes: g
                .job
                .timeout
                .as_ref()
                .map(|t| gitlab_minutes(&t.value).unwrap_or_else(|| t.value.clone())),
            calls_workflow: false,
            default_timeout: "the project's, 1 h unless changed",
            external_dependencies: 0,
            without_fallback: 0,
        };
    }
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
        default_timeout: "6 h",
        external_dependencies: 0,
        without_fallback: 0,
    }
}

/// A GitLab `timeout:` (`1h 30m`, `90 minutes`, `2 hours`, `3600`) in whole minutes, when
/// every part of it reads as a number with a unit of seconds, minutes, hours or days.
fn gitlab_minutes(value: &str) -> Option<String> {
    let v = value.trim().to_ascii_lowercase();
    if let Ok(seconds) = v.parse::<u64>() {
        return Some((seconds / 60).to_string());
    }
    let mut seconds = 0u64;
    let mut number: Option<u64> = None;
    let mut rest = v.as_str();
    while !rest.is_empty() {
        rest = rest.trim_start_matches([' ', ',']);
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 {
            number = Some(rest[..digits].parse().ok()?);
            rest = &rest[digits..];
            continue;
        }
        let letters = rest.len()
            - rest
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .len();
        if letters == 0 {
            return None;
        }
        let unit = match &rest[..letters] {
            "s" | "sec" | "secs" | "second" | "seconds" => 1,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
            "d" | "day" | "days" => 86_400,
            _ => return None,
        };
        seconds += number.take()? * unit;
        rest = &rest[letters..];
    }
    (number.is_none() && seconds > 0).then(|| (seconds / 60).to_string())
}

#[cfg(test)]
mod tests {
    use super::gitlab_minutes;

    #[test]
    fn gitlab_timeouts_in_minutes() {
        assert_eq!(gitlab_minutes("1h 30m").as_deref(), Some("90"));
        assert_eq!(gitlab_minutes("2 hours").as_deref(), Some("120"));
        assert_eq!(gitlab_minutes("10 minutes").as_deref(), Some("10"));
        assert_eq!(gitlab_minutes("3600").as_deref(), Some("60"));
        assert_eq!(gitlab_minutes("1 day").as_deref(), Some("1440"));
        assert_eq!(gitlab_minutes("soon"), None);
        assert_eq!(gitlab_minutes("30"), Some("0".to_owned()));
        assert_eq!(gitlab_minutes("5 fortnights"), None);
    }
}

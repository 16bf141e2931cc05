//! `secrets-inherit`: a reusable-workflow call that hands over every secret.

use std::collections::BTreeSet;

use tollgate_engine::{Context, JobCx, Rule, Sink};
use tollgate_gha::{JobSecrets, RefKind, Uses, Workflow};
use tollgate_model::Impact;

use tollgate_graph::{Graph, Kind, NodeId, Via};
use tollgate_scan::FileModel;

use crate::chain::Chain;

pub struct SecretsInherit;

impl Rule for SecretsInherit {
    fn id(&self) -> &'static str {
        "secrets-inherit"
    }

    fn check_job(&self, cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        let Some(secrets) = &job.job.secrets else {
            return;
        };
        let JobSecrets::Inherit(span) = &secrets.value else {
            return;
        };
        let called = job.job.uses_text().map_or_else(
            || "the called workflow".to_owned(),
            |t| format!("`{}`", t.value),
        );
        // A workflow of another repository at a movable ref can change what it does with
        // the secrets without any change here.
        let own = cx.scan.repository_of(job.input);
        let (severity, whose) = match job.job.uses.as_ref().map(|u| &u.value) {
            Some(Uses::Remote(r)) if own.is_some_and(|o| o.is(&r.slug())) => {
                (Impact::Medium, "a workflow of this repository")
            }
            Some(Uses::Remote(r)) if r.ref_kind != RefKind::Sha => (
                Impact::High,
                "a workflow of another repository at a movable ref",
            ),
            Some(Uses::Remote(_)) => (Impact::Medium, "a workflow of another repository"),
            _ => (Impact::Medium, "a local workflow"),
        };
        // What the job calls, as the graph resolved it: a local workflow found in the
        // scan is its workflow node; name the secrets it declares.
        let node = cx
            .graph
            .job_node(&job.input.source.display, &job.job.id.value);
        let target = node.and_then(|n| cx.graph.uses_target(n));
        let called_model = target
            .filter(|t| {
                cx.graph
                    .node(*t)
                    .is_some_and(|n| n.kind.kind() == Kind::Workflow)
            })
            .and_then(|t| cx.graph.node(t)?.origin)
            .and_then(|o| cx.graph.input(cx.scan, o.input()))
            .and_then(|i| match &*i.parsed {
                FileModel::Workflow(wf) => Some(wf),
                _ => None,
            });
        let declared: Vec<String> = called_model
            .and_then(|wf| wf.on.as_ref())
            .and_then(|on| on.events.iter().find(|t| t.event.value == "workflow_call"))
            .map(|t| t.secrets.iter().map(|s| s.value.clone()).collect())
            .unwrap_or_default();
        // workflow → job → every secret → the workflow called.
        let mut path = Chain::to_job(cx, job.input, &job.job.id.value).hop(
            "every secret of the repository (`secrets: inherit`)",
            Some(job.input.source.location(*span)),
        );
        if let (Some(n), Some(t)) = (node, target) {
            let called_hop = cx.graph.path_hops(&[n, t]).pop();
            if let Some(h) = called_hop {
                path = path.hop(h.label, h.location);
            }
        }
        // What the called workflow reads, when it is in the scan: the names to declare
        // and pass instead.
        let used = target
            .filter(|_| called_model.is_some())
            .map(|t| referenced(cx, t));
        let help = help(&declared, used.as_ref());
        out.at(&job.input.source, *span)
            .message(format!(
                "job `{}` passes every secret of the repository to {called} ({whose})",
                crate::common::quoted(&job.job.id.value)
            ))
            .severity(severity)
            .help(help)
            .path(path.into_hops())
            .emit();
    }
}

/// The secrets a called workflow reads (through the local workflows it calls in turn
/// with `secrets: inherit`), or `None` when one of them reads secrets by a computed
/// name or as a whole (`toJSON(secrets)`), so that no list is complete.
fn referenced(cx: &Context<'_>, workflow: NodeId) -> Option<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut todo = vec![workflow];
    while let Some(w) = todo.pop() {
        if !seen.insert(w) {
            continue;
        }
        let g = cx.graph;
        for job in g.jobs_of(w) {
            let steps = g.outgoing(job).into_iter().filter(|(e, t)| {
                e.kind == tollgate_graph::EdgeKind::Contains
                    && g.node(*t).is_some_and(|n| n.kind.kind() == Kind::Step)
            });
            let readers = std::iter::once(job).chain(steps.map(|(_, t)| t));
            for reader in readers {
                for r in g.reads_of(reader) {
                    if r.whole.is_some() {
                        return None;
                    }
                    if matches!(r.via, Via::CallInherit) {
                        // A nested call that inherits: what it reads must reach it. A
                        // workflow outside the scan may read anything.
                        let t = g.uses_target(job).filter(|t| is_workflow(g, *t))?;
                        todo.push(t);
                        continue;
                    }
                    if let Some(n) = g.secret_name(r.secret) {
                        names.insert(n.to_owned());
                    }
                }
            }
        }
        // `if:` conditions test secrets too (`if: secrets.TOKEN != ''`), outside any
        // hand-over.
        if let Some(wf) = workflow_model(cx, w) {
            names.extend(condition_secrets(wf));
        }
    }
    names.retain(|n| !n.eq_ignore_ascii_case("GITHUB_TOKEN"));
    Some(names)
}

fn is_workflow(g: &Graph, node: NodeId) -> bool {
    g.node(node)
        .is_some_and(|n| n.kind.kind() == Kind::Workflow)
}

/// The parsed workflow behind a workflow node of the scan.
fn workflow_model<'a>(cx: &Context<'a>, node: NodeId) -> Option<&'a Workflow> {
    let input = cx
        .graph
        .input(cx.scan, cx.graph.node(node)?.origin?.input())?;
    match &*input.parsed {
        FileModel::Workflow(wf) => Some(wf),
        _ => None,
    }
}

/// The secrets named in the `if:` conditions of a workflow's jobs and steps (with or
/// without `${{ }}`, which GitHub adds to a condition that lacks it).
fn condition_secrets(wf: &Workflow) -> Vec<String> {
    let conditions = wf.jobs.iter().flat_map(|j| {
        j.if_
            .iter()
            .chain(j.steps.iter().filter_map(|s| s.if_.as_ref()))
    });
    conditions
        .flat_map(|c| {
            let v = c.value.trim();
            if v.contains("${{") {
                tollgate_graph::util::secret_names(v)
            } else {
                tollgate_graph::util::secret_names(&format!("${{{{ {v} }}}}"))
            }
        })
        .collect()
}

/// The help: the secrets to pass by name (declared, or read and to be declared), or to
/// drop `secrets: inherit` when the called workflow reads none.
fn help(declared: &[String], used: Option<&Option<BTreeSet<String>>>) -> String {
    let pass = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("  {n}: ${{{{ secrets.{n} }}}}"))
            .collect::<Vec<String>>()
            .join("\n")
    };
    let quoted = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<String>>()
            .join(", ")
    };
    match used {
        // Not in the scan, or a computed or whole read: only the declared list is known.
        None | Some(None) => {
            if declared.is_empty() {
                "pass only the secrets the called workflow needs, declared under its `on.workflow_call.secrets`: `secrets: { NAME: ${{ secrets.NAME }} }`".to_owned()
            } else {
                let d: Vec<&str> = declared.iter().map(String::as_str).collect();
                format!(
                    "pass only the secrets the called workflow declares:\nsecrets:\n{}",
                    pass(&d)
                )
            }
        }
        Some(Some(read)) => {
            let undeclared: Vec<&str> = read
                .iter()
                .map(String::as_str)
                .filter(|n| !declared.iter().any(|d| d == n))
                .collect();
            let all: BTreeSet<&str> = declared
                .iter()
                .map(String::as_str)
                .chain(undeclared.iter().copied())
                .collect();
            let all: Vec<&str> = all.into_iter().collect();
            if all.is_empty() {
                "the called workflow reads no secret: remove `secrets: inherit`".to_owned()
            } else if undeclared.is_empty() {
                format!(
                    "pass only the secrets the called workflow declares:\nsecrets:\n{}",
                    pass(&all)
                )
            } else {
                let them = if all.len() == 1 { "it" } else { "them" };
                let declare = if undeclared.len() == all.len() {
                    them.to_owned()
                } else {
                    quoted(&undeclared)
                };
                format!(
                    "the called workflow reads {}: declare {declare} under its `on.workflow_call.secrets` and pass {them} by name:\nsecrets:\n{}",
                    quoted(&all),
                    pass(&all)
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::help;

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn the_help_names_the_secrets_to_pass_or_says_to_remove_inherit() {
        let none: Vec<String> = Vec::new();
        assert_eq!(
            help(&none, Some(&Some(set(&[])))),
            "the called workflow reads no secret: remove `secrets: inherit`"
        );
        let h = help(&none, Some(&Some(set(&["NPM_TOKEN", "APP_KEY"]))));
        assert!(
            h.starts_with("the called workflow reads `APP_KEY`, `NPM_TOKEN`: declare them under its `on.workflow_call.secrets`"),
            "{h}"
        );
        assert!(
            h.ends_with("  APP_KEY: ${{ secrets.APP_KEY }}\n  NPM_TOKEN: ${{ secrets.NPM_TOKEN }}"),
            "{h}"
        );
        let declared = vec!["NPM_TOKEN".to_owned()];
        let h = help(&declared, Some(&Some(set(&["NPM_TOKEN", "APP_KEY"]))));
        assert!(h.contains("declare `APP_KEY` under"), "{h}");
        let h = help(&none, Some(&Some(set(&["DISCORD_WEBHOOK"]))));
        assert!(
            h.starts_with("the called workflow reads `DISCORD_WEBHOOK`: declare it under its `on.workflow_call.secrets` and pass it by name:"),
            "{h}"
        );
        let h = help(&declared, Some(&Some(set(&["NPM_TOKEN"]))));
        assert_eq!(
            h,
            "pass only the secrets the called workflow declares:\nsecrets:\n  NPM_TOKEN: ${{ secrets.NPM_TOKEN }}"
        );
        // A remote workflow, or one reading `toJSON(secrets)`: no list to give.
        assert!(help(&none, None).starts_with("pass only the secrets the called workflow needs"));
        assert!(
            help(&none, Some(&None)).starts_with("pass only the secrets the called workflow needs")
        );
    }
}

//! `broad-permissions`: a job whose token can do more than its steps need: the repository
//! default token, `write-all`, workflow-level write scopes that reach every job, and
//! write scopes no step of the job needs according to the knowledge base.
//!
//! A job with a part the knowledge base does not know (an action, a script file, an API
//! call) may need any scope: a write scope it holds is then not called unneeded, and the
//! suggested block names the unknown parts instead of leaving their scopes out.

use tollgate_engine::{Context, Rule, Sink, WorkflowCx};
use tollgate_facts::needs::{self, Needs};
use tollgate_gha::{Job, PermissionLevel, Permissions, Workflow};
use tollgate_model::{Applicability, Fix, Impact, SourceFile, Span};

use crate::common::quoted;
use crate::fix::{Text, permissions as edit};

pub struct BroadPermissions;

impl Rule for BroadPermissions {
    fn id(&self) -> &'static str {
        "broad-permissions"
    }

    fn check_workflow(&self, cx: &Context<'_>, wcx: &WorkflowCx<'_>, out: &mut Sink<'_>) {
        let wf = wcx.workflow;
        let file = &wcx.input.source;
        // A workflow that only runs when called gets its token from the caller, where a
        // missing block is reported.
        let only_called = wf.on.as_ref().is_some_and(|on| {
            !on.events.is_empty() && on.events.iter().all(|t| t.event.value == "workflow_call")
        });
        // What each job needs, as the needs pass recorded it on the job's node; needs
        // that either of two scopes meets are settled by what the job holds, as the
        // graph records it (what `inventory` lists).
        let needs: Vec<Needs> = wf
            .jobs
            .iter()
            .map(|j| {
                let Some(node) = cx.graph.job_node(&file.display, &j.id.value) else {
                    return Needs::default();
                };
                needs::of(cx.graph, node).map_or_else(Needs::default, |n| {
                    n.resolve(&|scope| needs::held(cx.graph, node, scope))
                })
            })
            .collect();
        let inheriting: Vec<usize> = (0..wf.jobs.len())
            .filter(|&i| wf.jobs[i].permissions.is_none())
            .collect();

        let text = Text::of(file);
        // Every job without a block needing the same: one block for the workflow.
        let shared = (wf.permissions.is_none()
            && !only_called
            && wf.jobs.iter().all(|j| j.permissions.is_none())
            && needs.iter().all(Needs::is_known)
            && needs.windows(2).all(|w| same(&w[0], &w[1])))
        .then(|| needs.first())
        .flatten();
        let workflow_fix = workflow_fix(&text, wf, &needs, &inheriting);
        if let Some(block) = &wf.permissions
            && !inheriting.is_empty()
        {
            match &block.permissions {
                Permissions::WriteAll => {
                    let unknown = merged_unknown(&needs, &inheriting);
                    out.at(file, block.value_span)
                        .message(with_unknown(
                            format!(
                                "workflow grants `write-all` to {}",
                                jobs_phrase(wf.jobs.as_slice(), &inheriting)
                            ),
                            &unknown,
                        ))
                        .severity(Impact::High)
                        .help(per_job_help(&wf.jobs, &needs, &inheriting))
                        .fix(workflow_fix.clone())
                        .emit();
                }
                Permissions::Scopes(scopes) => {
                    for p in scopes
                        .iter()
                        .filter(|p| p.level.value == PermissionLevel::Write)
                    {
                        let scope = &p.scope.value;
                        // Only jobs whose needs are all known are said not to need it.
                        let unneeded: Vec<usize> = inheriting
                            .iter()
                            .copied()
                            .filter(|&i| {
                                needs[i].is_known()
                                    && needs[i].level(scope) < PermissionLevel::Write
                            })
                            .collect();
                        if unneeded.is_empty() {
                            continue;
                        }
                        let names: Vec<String> = unneeded
                            .iter()
                            .map(|&i| format!("`{}`", quoted(&wf.jobs[i].id.value)))
                            .collect();
                        out.at(file, p.scope.span.cover(p.level.span))
                            .message(format!(
                                "workflow-level `{scope}: write` reaches every job; {} {} not need it",
                                names.join(", "),
                                if names.len() == 1 { "does" } else { "do" }
                            ))
                            .severity(Impact::Medium)
                            .help(format!(
                                "set `permissions: {{}}` (or read scopes) at workflow level and grant `{scope}: write` only in the jobs that need it. {}",
                                per_job_help(&wf.jobs, &needs, &inheriting)
                            ))
                            .fix(workflow_fix.clone())
                            .emit();
                    }
                }
                Permissions::ReadAll | Permissions::Empty => {}
            }
        }

        for (i, job) in wf.jobs.iter().enumerate() {
            let n = &needs[i];
            let id = quoted(&job.id.value);
            let fix = || {
                match shared {
                Some(all) => text.fix(
                    "add the least-privilege `permissions:` block every job shares, at workflow level",
                    Applicability::Safe,
                    edit::workflow(&text, wf, all).into_iter().collect(),
                ),
                None => text.fix(
                    format!("write job `{id}`'s least-privilege `permissions:` block"),
                    Applicability::Safe,
                    edit::job(&text, job, n).unwrap_or_default(),
                ),
            }
            };
            match &job.permissions {
                None if wf.permissions.is_none() && !only_called => {
                    emit_job(
                        out,
                        file,
                        (job, n),
                        job.id.span,
                        Impact::Medium,
                        format!(
                            "job `{id}` runs with the repository's default token permissions (no `permissions:` block)"
                        ),
                        fix(),
                    );
                }
                None => {}
                Some(b) => match &b.permissions {
                    Permissions::WriteAll => emit_job(
                        out,
                        file,
                        (job, n),
                        b.value_span,
                        Impact::High,
                        format!("job `{id}` holds `write-all`"),
                        fix(),
                    ),
                    Permissions::Scopes(scopes) => {
                        for p in scopes
                            .iter()
                            .filter(|p| p.level.value == PermissionLevel::Write)
                        {
                            let scope = &p.scope.value;
                            let need = n.level(scope);
                            // A part whose needs are not known may be what uses it.
                            if need == PermissionLevel::Write || !n.is_known() {
                                continue;
                            }
                            let what = if need == PermissionLevel::Read {
                                "only needs read"
                            } else {
                                "none of its steps needs it"
                            };
                            emit_job(
                                out,
                                file,
                                (job, n),
                                p.scope.span.cover(p.level.span),
                                Impact::Medium,
                                format!("job `{id}` holds `{scope}: write` but {what}"),
                                fix(),
                            );
                        }
                    }
                    Permissions::ReadAll | Permissions::Empty => {}
                },
            }
        }
    }
}

fn emit_job(
    out: &mut Sink<'_>,
    file: &SourceFile,
    (job, n): (&Job, &Needs),
    span: Span,
    severity: Impact,
    message: String,
    fix: Option<Fix>,
) {
    out.at(file, span)
        .message(with_unknown(message, n))
        .severity(severity)
        .job(Some(&job.id.value))
        .help(format!(
            "least-privilege block for job `{}`:\n{}",
            quoted(&job.id.value),
            n.block(0)
        ))
        .fix(fix)
        .emit();
}

/// Two jobs' needs give the same block (scopes, levels and reasons).
fn same(a: &Needs, b: &Needs) -> bool {
    let set = |n: &Needs| {
        n.scopes
            .iter()
            .filter(|(_, (l, _))| *l != PermissionLevel::None)
            .map(|(s, v)| (s.clone(), v.clone()))
            .collect::<Vec<_>>()
    };
    set(a) == set(b)
}

/// The fix of a workflow-level block that reaches `inheriting` jobs: when every job
/// inherits it and needs the same, that block in its place; else a block for each
/// inheriting job and `permissions: {}` at workflow level. Only when every inheriting
/// job's needs are known.
fn workflow_fix(
    text: &Text<'_>,
    wf: &Workflow,
    needs: &[Needs],
    inheriting: &[usize],
) -> Option<Fix> {
    if wf.permissions.is_none()
        || inheriting.is_empty()
        || !inheriting.iter().all(|&i| needs[i].is_known())
    {
        return None;
    }
    let title = "move the workflow's token permissions into least-privilege blocks";
    if inheriting.len() == wf.jobs.len() && needs.windows(2).all(|w| same(&w[0], &w[1])) {
        let edits = edit::workflow_replaced(text, wf, needs.first())?;
        return text.fix(title, Applicability::Safe, edits);
    }
    let mut edits = Vec::with_capacity(inheriting.len() + 1);
    for &i in inheriting {
        edits.extend(edit::job(text, &wf.jobs[i], &needs[i])?);
    }
    edits.extend(edit::workflow_replaced(text, wf, None)?);
    text.fix(title, Applicability::Safe, edits)
}

fn merged_unknown(needs: &[Needs], jobs: &[usize]) -> Needs {
    let mut u = Needs::default();
    for &i in jobs {
        u.unknown.extend(needs[i].unknown.iter().cloned());
    }
    u
}

/// Needs built from unknown parts are a guess: say what was not judged.
fn with_unknown(message: String, n: &Needs) -> String {
    if n.is_known() {
        message
    } else {
        format!("{message} (needs not known for {})", n.unknown_list())
    }
}

fn jobs_phrase(jobs: &[Job], which: &[usize]) -> String {
    if which.len() == jobs.len() {
        return "every job".to_owned();
    }
    let names: Vec<String> = which
        .iter()
        .map(|&i| format!("`{}`", quoted(&jobs[i].id.value)))
        .collect();
    format!("jobs {}", names.join(", "))
}

fn per_job_help(jobs: &[Job], needs: &[Needs], which: &[usize]) -> String {
    let blocks: Vec<String> = which
        .iter()
        .map(|&i| {
            format!(
                "job `{}`:\n{}",
                quoted(&jobs[i].id.value),
                needs[i].block(2)
            )
        })
        .collect();
    format!("least-privilege blocks:\n{}", blocks.join("\n"))
}

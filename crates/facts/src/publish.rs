//! Whether a job publishes: a release, a package or an image, by a step that `uses:` an
//! action the permissions knowledge base marks as publishing (`publishes`, or
//! `publishes-input` set to a truthy value or an expression) or by a command the shell
//! analysis reads as publishing (`npm publish`, `cargo publish`, `gh release create`).

use tollgate_gha::{Step, Uses};
use tollgate_graph::{Graph, NodeId, NodeKind, Origin};
use tollgate_scan::Scan;
use tollgate_shell::{CredentialKind, Fact};

/// The first step of a job that publishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Publishing {
    pub step: NodeId,
    /// The `uses:` value or the command.
    pub at: Origin,
    /// What publishes, in words: `` `npm publish` ``.
    pub what: String,
}

/// The first step of `job` (in run order, through local composite actions) that
/// publishes, if any.
#[must_use]
pub fn publishes(graph: &Graph, scan: &Scan, job: NodeId) -> Option<Publishing> {
    graph.job_steps(job).into_iter().find_map(|fs| {
        let step = graph.step_model(scan, fs.step)?;
        let (span, what) = by_action(step).or_else(|| {
            let job_index = match graph.node(fs.step).map(|n| &n.kind) {
                Some(NodeKind::Step { job, .. }) => *job,
                _ => None,
            };
            let input = graph.input(scan, fs.input)?;
            let script = input.script(job_index, step.index)?;
            let run = step.run.as_ref()?;
            script.analysis.as_deref()?.facts.iter().find_map(|f| match f {
                Fact::Credential(c) => match &c.kind {
                    CredentialKind::Publish { tool, .. } => {
                        Some((run.file_span(c.span), format!("`{tool}`")))
                    }
                    CredentialKind::GhWrite { subcommand } if subcommand.starts_with("release") => {
                        Some((run.file_span(c.span), format!("`gh {subcommand}`")))
                    }
                    _ => None,
                },
                _ => None,
            })
        })?;
        Some(Publishing {
            step: fs.step,
            at: Origin::new(fs.input, span),
            what,
        })
    })
}

/// The publishing action a step uses, with where.
fn by_action(step: &Step) -> Option<(tollgate_model::Span, String)> {
    let u = step.uses.as_ref()?;
    let Uses::Remote(r) = &u.value else {
        return None;
    };
    let action = r.action();
    let (_, entry) = tollgate_kb::permissions().action_named(&action.to_ascii_lowercase())?;
    let on = entry.publishes
        || entry.publishes_input.as_deref().is_some_and(|i| {
            step.with_value(i)
                .is_some_and(|kv| tollgate_kb::fallbacks::truthy(&kv.value.value))
        });
    on.then(|| (u.span, format!("`{action}`")))
}

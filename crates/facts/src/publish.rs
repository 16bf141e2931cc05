//! Whether a job publishes: a release, a package or an image, by a step that `uses:` an
//! action the permissions knowledge base marks as publishing (`publishes`, or
//! `publishes-input` set to a truthy value or an expression) or by a command the shell
//! analysis reads as publishing (`npm publish`, `cargo publish`, `gh release create`).
//! A `--dry-run` publishes nothing and is left out.

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
    /// The step's or the job's `if:` lets it publish only on a tag ref.
    pub only_on_tags: bool,
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
            let analysis = script.analysis.as_deref()?;
            // The dry-run options of the registry's tool, as the knowledge base lists
            // them for `long-lived-publish-token` too (`--dry-run`, `gem push -n`…).
            let dry_run = |span: tollgate_model::Span, tool: &str| {
                let flags = tollgate_kb::trusted_publishing()
                    .for_tool(tool)
                    .map_or_else(|| vec!["--dry-run".to_owned()], |r| r.dry_run.clone());
                analysis
                    .commands
                    .iter()
                    .any(|c| c.span == span && c.has_flag(&flags))
            };
            analysis.facts.iter().find_map(|f| match f {
                Fact::Credential(c)
                    if matches!(&c.kind, CredentialKind::Publish { tool, .. } if dry_run(c.span, tool)) =>
                {
                    None
                }
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
        let on_tags = |c: Option<&tollgate_gha::Spanned<String>>| {
            c.is_some_and(|c| crate::tags::of(&c.value) == crate::tags::Tags::Only)
        };
        let job_if = graph.job_model(scan, job).and_then(|(_, j)| j.if_.as_ref());
        Some(Publishing {
            step: fs.step,
            at: Origin::new(fs.input, span),
            what,
            only_on_tags: on_tags(step.if_.as_ref()) || on_tags(job_if),
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

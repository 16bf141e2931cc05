//! `unpinned-action`: a remote `uses:` whose ref is not a full commit SHA.

use tollgate_engine::config::PinPolicy;
use tollgate_engine::{Context, JobCx, Rule, Sink, StepCx};
use tollgate_gha::{RefKind, Spanned, Uses, UsesRef};
use tollgate_graph::{EdgeKind, NodeId, NodeKind, Target};
use tollgate_model::{Applicability, Fix, Impact, SourceFile};

use super::unpinned_action_inside as inside;
use crate::chain::Chain;
use crate::common::glob_match;

pub struct UnpinnedAction;

impl Rule for UnpinnedAction {
    fn id(&self) -> &'static str {
        "unpinned-action"
    }

    fn check_job(&self, cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        if let (Some(uses), Some(text)) = (&job.job.uses, job.job.uses_text()) {
            let node = cx
                .graph
                .job_node(&job.input.source.display, &job.job.id.value);
            let chain = || Chain::to_called(cx, job.input, &job.job.id.value);
            let at = Site {
                file: &job.input.source,
                node,
                chain: &chain,
                repository: cx.scan.repository_of(job.input),
                comment: None,
            };
            check(
                cx,
                &at,
                uses,
                text,
                job.job.uses_comment().is_some(),
                "reusable workflow",
                out,
            );
        }
    }

    fn check_step(&self, cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        if let (Some(uses), Some(text)) = (&step.step.uses, step.step.uses_text()) {
            let (job, index) = (step.job_index, step.step.index);
            let chain = || Chain::to_uses(cx, step.input, job, index);
            let at = Site {
                file: &step.input.source,
                node: Chain::step_node(cx, step.input, job, index),
                chain: &chain,
                repository: cx.scan.repository_of(step.input),
                comment: step.step.uses_comment(),
            };
            check(
                cx,
                &at,
                uses,
                text,
                step.step.uses_comment().is_some(),
                "action",
                out,
            );
        }
    }
}

/// Where a `uses:` is written: its file, the graph node of its step or job, the chain
/// that leads to it, and the repository it is in (when known).
pub(super) struct Site<'a> {
    pub(super) file: &'a SourceFile,
    pub(super) node: Option<NodeId>,
    /// Built only for a finding: most `uses:` are pinned (walking the graph for every
    /// step's chain was most of the rule's time).
    pub(super) chain: &'a dyn Fn() -> Chain,
    pub(super) repository: Option<&'a tollgate_model::repo::Repository>,
    /// The comment beside the `uses:` (`# v4.2.1`).
    pub(super) comment: Option<&'a str>,
}

/// Whether the graph's remote-reference node behind `node`'s `uses:` is locked to a
/// commit by `actions.lock` (the graph attaches the lock to the reference).
fn locked(cx: &Context<'_>, node: Option<NodeId>) -> bool {
    node.into_iter()
        .flat_map(|n| cx.graph.out_edges(n))
        .filter(|(e, _)| e.kind == EdgeKind::Uses)
        .filter_map(|(_, t)| cx.graph.node(t))
        .any(|t| match &t.kind {
            NodeKind::Action {
                target: Target::Remote(r),
                ..
            }
            | NodeKind::ReusableWorkflow {
                target: Target::Remote(r),
            } => r.locked_commit.is_some(),
            _ => false,
        })
}

/// The configured pin policy for an action: the first matching `owner/repo` pattern.
pub(super) fn policy(cx: &Context<'_>, r: &UsesRef) -> PinPolicy {
    let slug = r.slug();
    for (pattern, p) in &cx.config.policy.action_pins {
        if glob_match(&pattern.value, &slug) || glob_match(&pattern.value, &r.action()) {
            pattern.mark_used();
            return *p;
        }
    }
    PinPolicy::HashPin
}

fn check(
    cx: &Context<'_>,
    at: &Site<'_>,
    uses: &Spanned<Uses>,
    text: &Spanned<String>,
    has_comment: bool,
    what: &str,
    out: &mut Sink<'_>,
) {
    let Uses::Remote(r) = &uses.value else { return };
    let file = at.file;
    let path = || (at.chain)().into_hops();
    let kind = r.ref_kind;
    // The repository's own action or workflow by name (`owner/this-repo/path@ref`): the
    // code is its own, like a `./` reference, whichever ref it names.
    if at.repository.is_some_and(|repo| repo.is(&r.slug())) {
        return;
    }
    if kind == RefKind::Sha {
        inside::check(cx, at, uses, r, out);
        return;
    }
    if kind == RefKind::Expression {
        out.at(file, uses.span)
            .message(format!(
                "{what} `{}` has an expression as its ref; GitHub does not evaluate expressions in `uses:`",
                text.value
            ))
            .severity(Impact::High)
            .help("write the commit SHA literally: `uses: owner/repo@<40-hex-sha> # vX.Y.Z`")
            .path(path())
            .emit();
        return;
    }
    let accepted = match policy(cx, r) {
        PinPolicy::Any => true,
        PinPolicy::RefPin => kind == RefKind::Tag,
        PinPolicy::HashPin => false,
    };
    // A reference locked in actions.lock is pinned by the lock.
    if accepted || locked(cx, at.node) {
        inside::check(cx, at, uses, r, out);
        return;
    }
    let (what_ref, severity) = match kind {
        RefKind::Branch => ("a branch (or a tag that looks like one)", Impact::High),
        RefKind::ShortSha => (
            "an abbreviated SHA, which can collide with a branch or tag name",
            Impact::Medium,
        ),
        _ => ("a tag, which its owner can move", Impact::Medium),
    };
    out.at(file, uses.span)
        .message(format!("{what} `{}` is pinned to {what_ref}, not a commit SHA", text.value))
        .severity(severity)
        .help(format!(
            "pin to the full 40-character commit SHA the ref points to, keeping the version as a comment: `uses: {}@<sha> # {}`",
            r.action(),
            r.git_ref
        ))
        .path(path())
        .fix(fix(cx, file, text, has_comment, r))
        .emit();
}

/// The pin another `uses:` in the scan records for the same action and tag (its commit
/// with the tag as its version comment): the same commit the tag named when that pin was
/// made. Offline, nothing else tells a tag's commit (a lock entry already pins the
/// reference, so it is never reported).
fn fix(
    cx: &Context<'_>,
    file: &SourceFile,
    text: &Spanned<String>,
    has_comment: bool,
    r: &UsesRef,
) -> Option<Fix> {
    let action = r.action();
    // A pin another repository of the scan records says nothing about this one.
    let root = cx.scan.inputs_at_path(&file.display).next()?.root;
    let sha = cx
        .graph
        .record::<tollgate_facts::pins::RecordedPins>()?
        .get(root, &action, &r.git_ref)?
        .to_owned();
    let t = crate::fix::Text::of(file);
    let edits = crate::fix::pin::pin(&t, text.span, &text.value, has_comment, &sha, &r.git_ref)?;
    t.fix(
        format!(
            "pin `{action}` to the commit this repository records for `{}`",
            r.git_ref
        ),
        Applicability::Safe,
        edits,
    )
}

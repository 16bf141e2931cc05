//! `persisted-credentials`: `actions/checkout` leaves the token in `.git/config` unless
//! told not to, where every later step (and any artifact of the workspace) can read it.

use tollgate_engine::{Context, Rule, Sink, StepCx};
use tollgate_gha::{RefKind, Step};
use tollgate_graph::{EdgeKind, Graph, Kind, NodeId, NodeKind, RemoteRef, Target};
use tollgate_model::{Confidence, Impact};

use crate::chain::Chain;

pub struct PersistedCredentials;

impl Rule for PersistedCredentials {
    fn id(&self) -> &'static str {
        "persisted-credentials"
    }

    fn check_step(&self, cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        let g = cx.graph;
        let Some(node) = Chain::step_node(cx, step.input, step.job_index, step.step.index) else {
            return;
        };
        let Some(target) = g.uses_target(node) else {
            return;
        };
        let Some((at, _)) = g
            .edge_origin(node, target, EdgeKind::Uses)
            .zip(remote(g, target).filter(|r| action(r).eq_ignore_ascii_case("actions/checkout")))
        else {
            return;
        };
        let persist = step
            .step
            .with_value("persist-credentials")
            .map(|v| v.value.value.trim());
        if persist.is_some_and(|v| v.eq_ignore_ascii_case("false")) {
            return;
        }
        // `persist-credentials: ${{ … }}` is decided at run time.
        let dynamic = persist.is_some_and(|v| v.contains("${{"));
        let checkout_dir = step
            .step
            .with_value("path")
            .map_or(String::new(), |p| normalise(&p.value.value));
        let leak = later_steps(g, node)
            .into_iter()
            .find_map(|s| uploads_workspace(cx, s, &checkout_dir));
        // `persist-credentials: true` is a decision the workflow's author made (a later
        // step pushes with the stored token): reported only when the token then leaves
        // the job with an upload of the checkout.
        let explicit = persist.is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if explicit && leak.is_none() {
            return;
        }
        let file = &step.input.source;
        let mut b = out.at(file, at.span());
        match leak {
            Some((label, span, what)) => {
                b = b
                    .message(format!(
                        "`actions/checkout` persists the token in `.git/config` and {what} `{label}` uploads the checkout"
                    ))
                    .severity(Impact::High)
                    .related(file, span, "uploads the workspace, `.git/config` included")
                    // workflow → job → the checkout that keeps the token → the upload.
                    .path(
                        Chain::to_uses(cx, step.input, step.job_index, step.step.index)
                            .hop(
                                format!("step `{label}` uploads the checkout, `.git/config` included"),
                                Some(file.location(span)),
                            )
                            .into_hops(),
                    );
            }
            None => {
                b = b
                    .message("`actions/checkout` persists the token in `.git/config` for every later step")
                    .severity(Impact::Low);
            }
        }
        if dynamic {
            b = b.confidence(Confidence::Low);
        }
        b.help(
            "add `with: persist-credentials: false` to the checkout; a step that must push can pass the token itself (`git push https://x-access-token:${GITHUB_TOKEN}@github.com/…` with `GITHUB_TOKEN` in that step's `env:`)",
        )
        .emit();
    }
}

/// The remote reference of an action node.
fn remote(g: &Graph, node: NodeId) -> Option<&RemoteRef> {
    match &g.node(node)?.kind {
        NodeKind::Action {
            target: Target::Remote(r),
            ..
        } => Some(r),
        _ => None,
    }
}

/// `owner/repo[/path]` of a reference.
fn action(r: &RemoteRef) -> &str {
    r.reference.split_once('@').map_or(&r.reference, |(a, _)| a)
}

/// The steps after `step` in its job or composite action, in order.
fn later_steps(g: &Graph, step: NodeId) -> Vec<NodeId> {
    let index = |n: NodeId| match g.node(n).map(|n| &n.kind) {
        Some(NodeKind::Step { index, .. }) => Some(*index),
        _ => None,
    };
    let (Some(mine), Some(parent)) = (index(step), g.node(step).and_then(|n| n.parent)) else {
        return Vec::new();
    };
    g.outgoing(parent)
        .into_iter()
        .filter(|(e, t)| {
            e.kind == EdgeKind::Contains
                && g.node(*t).is_some_and(|n| n.kind.kind() == Kind::Step)
                && index(*t).is_some_and(|i| i > mine)
        })
        .map(|(_, t)| t)
        .collect()
}

fn normalise(p: &str) -> String {
    let p = p.trim().trim_start_matches("./").trim_end_matches('/');
    let p = p
        .strip_prefix("${{ github.workspace }}")
        .unwrap_or(p)
        .trim_start_matches('/');
    if p == "." {
        String::new()
    } else {
        p.to_owned()
    }
}

/// Whether an upload path covers the checkout directory: the workspace root, a root
/// glob, or the checkout directory itself.
fn covers(path_value: &str, checkout_dir: &str) -> bool {
    path_value
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('!'))
        .any(|l| {
            let n = normalise(l);
            n.is_empty()
                || n == "*"
                || n == "**"
                || n.starts_with("**/")
                || (!checkout_dir.is_empty() && n == checkout_dir)
        })
}

/// upload-artifact before v4.4 included hidden files such as `.git/`; since then only
/// `include-hidden-files: true` does.
fn uploads_hidden(r: &RemoteRef, step: &Step) -> bool {
    if step
        .with_value("include-hidden-files")
        .is_some_and(|v| v.value.value.trim().eq_ignore_ascii_case("true"))
    {
        return true;
    }
    let version = match r.ref_kind {
        RefKind::Tag => Some(r.git_ref.as_str()),
        // A SHA pin usually carries its version as a trailing comment.
        _ => step.uses_comment.as_deref(),
    };
    version.is_some_and(|v| {
        let mut parts = v.trim().trim_start_matches('v').split('.');
        let major: u32 = parts
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(u32::MAX);
        let minor: u32 = parts
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(u32::MAX);
        major < 4 || (major == 4 && minor < 4)
    })
}

/// The label and span of a later step that uploads the checkout directory, and what
/// kind of step it is.
fn uploads_workspace(
    cx: &Context<'_>,
    node: NodeId,
    checkout_dir: &str,
) -> Option<(String, tollgate_model::Span, &'static str)> {
    let g = cx.graph;
    let r = remote(g, g.uses_target(node)?)?;
    let s = g.step_model(cx.scan, node)?;
    let name = action(r).to_ascii_lowercase();
    let path = s.with_value("path")?;
    if !covers(&path.value.value, checkout_dir) {
        return None;
    }
    let what = match name.as_str() {
        "actions/upload-artifact" if uploads_hidden(r, s) => "artifact step",
        // A cache is readable by later runs, including runs for other branches' pull
        // requests that restore it.
        "actions/cache" | "actions/cache/save" => "cache step",
        _ => return None,
    };
    Some((s.label(), s.span, what))
}

//! `persisted-credentials`: `actions/checkout` leaves the token in `.git/config` unless
//! told not to, where every later step (and any artifact of the workspace) can read it.

use tollgate_engine::{Context, Rule, Sink, StepCx, StepOwner};
use tollgate_gha::{PermissionLevel, Permissions, RefKind, Step};
use tollgate_graph::{EdgeKind, Graph, Kind, NodeId, NodeKind, RemoteRef, Target};
use tollgate_model::{Applicability, Confidence, Impact};
use tollgate_scan::{FileModel, Input};
use tollgate_shell::{CredentialKind, Fact};

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
        // The workflow's token in a job that grants it no scope can do nothing that an
        // anonymous request cannot: persisting it gives a later step nothing. A `token:` or
        // `ssh-key:` input persists that credential instead, whatever the job grants.
        if own_token(step.step) && powerless_token(step) {
            return;
        }
        // `persist-credentials: ${{ … }}` is decided at run time.
        // So is `with: ${{ fromJSON(…) }}`, which may set it.
        let dynamic =
            persist.is_some_and(|v| v.contains("${{")) || step.step.with_expression().is_some();
        let checkout_dir = step
            .step
            .with_value("path")
            .map_or(String::new(), |p| normalise(&p.value.value));
        let leak = later_steps(g, node)
            .into_iter()
            .find_map(|s| uploads_workspace(cx, s, &checkout_dir));
        // `persist-credentials: true` is a decision the workflow's author made (a later
        // step pushes with the stored token): reported only when the token then leaves
        // the job with an upload of the checkout. A later step that pushes with the stored
        // credentials (`git push` without a credential of its own, an action that pushes
        // through the checkout's git configuration) makes the same decision implicitly:
        // the suggested `persist-credentials: false` would break it.
        let explicit = persist.is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if leak.is_none() && (explicit || pushes_later(cx, step, &checkout_dir)) {
            return;
        }
        let file = &step.input.source;
        // No later step pushes with the stored credentials (when nothing leaks, that was
        // settled above): `false` takes nothing from the job. Against an explicit `true`
        // the fix overrides a decision, and a checkout given another credential (a bot's
        // token, a deploy key) was most likely given it for a later push from a script
        // tollgate cannot read: both only with `--unsafe`.
        let text = crate::fix::Text::of(file);
        let fix = (!dynamic && (leak.is_none() || !pushes_later(cx, step, &checkout_dir)))
            .then(|| crate::fix::checkout::persist_false(&text, step.step))
            .flatten()
            .and_then(|e| {
                text.fix(
                    "set `persist-credentials: false` on the checkout",
                    if explicit || !own_token(step.step) {
                        Applicability::Unsafe
                    } else {
                        Applicability::Safe
                    },
                    vec![e],
                )
            });
        let mut b = out.at(file, at.span()).fix(fix);
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
        _ => step.uses_comment(),
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

/// Actions that push through the git configuration `actions/checkout` leaves, with no
/// token input of their own (their READMEs: "uses the credentials persisted by
/// actions/checkout"). `ad-m/github-push-action` is not one: it authenticates with its
/// own `github_token` input, so it works with `persist-credentials: false`.
const PERSISTED_PUSHERS: &[&str] = &[
    "stefanzweifel/git-auto-commit-action",
    "endbug/add-and-commit",
];

/// Whether the checkout persists the workflow's own token: no `token:` input (or the
/// workflow token itself) and no `ssh-key:`.
fn own_token(step: &Step) -> bool {
    let set = |k: &str| {
        step.with_value(k)
            .is_some_and(|v| !v.value.value.trim().is_empty())
    };
    let token_is_own = step
        .with_value("token")
        .is_none_or(|v| !tollgate_facts::identity::is_other_identity(&v.value.value));
    token_is_own && !set("ssh-key")
}

/// Whether the job's token holds no scope: `permissions: {}` (or every scope `none`) on
/// the job, or on the workflow when the job has no block of its own (a job block
/// replaces the workflow's entirely). `id-token` is not a scope of the token itself: it
/// lets a step request an OIDC token through other variables. Unknown in a composite
/// action, whose job is not known here.
fn powerless_token(step: &StepCx<'_>) -> bool {
    let StepOwner::Job { workflow, job } = step.owner else {
        return false;
    };
    let Some(block) = job.permissions.as_ref().or(workflow.permissions.as_ref()) else {
        return false;
    };
    match &block.permissions {
        Permissions::Empty => true,
        Permissions::Scopes(scopes) => scopes
            .iter()
            .all(|p| p.level.value == PermissionLevel::None || p.scope.value == "id-token"),
        Permissions::ReadAll | Permissions::WriteAll => false,
    }
}

/// Whether a step after `step` (in its job or composite action, or in a local composite
/// action such a step runs) pushes with the credentials the checkout stored.
/// When a later step sets up a credential of its own for git (a remote URL with a
/// token, say), the pushes use that one: `persist-credentials: false` breaks nothing
/// (and the header the checkout stored would even be sent in its place).
fn pushes_later(cx: &Context<'_>, step: &StepCx<'_>, checkout_dir: &str) -> bool {
    let (steps, job) = match step.owner {
        StepOwner::Job { job, .. } => (job.steps.as_slice(), step.job_index),
        StepOwner::Action(a) => (a.steps(), None),
    };
    let later = || steps.iter().filter(|s| s.index > step.step.index);
    if later().any(|s| {
        s.run
            .as_ref()
            .is_some_and(|r| sets_own_credentials(&r.script))
    }) {
        return false;
    }
    // A checkout into a subdirectory (`path:`) serves only the pushes that work there:
    // a step whose working directory, script or inputs name that directory. A checkout
    // into the workspace root serves the pushes that do not work in another checkout's
    // directory.
    let others: Vec<String> = steps
        .iter()
        .filter(|s| s.index != step.step.index && is_checkout(s))
        .filter_map(|s| s.with_value("path").map(|p| normalise(&p.value.value)))
        .filter(|d| !d.is_empty())
        .collect();
    let in_dir = |s: &Step| {
        if checkout_dir.is_empty() {
            !others.iter().any(|d| names_dir(s, d))
        } else {
            names_dir(s, checkout_dir)
        }
    };
    later().any(|s| in_dir(s) && pushes(cx, step.input, job, s, 0))
}

/// Whether a step is an `actions/checkout`, by its `uses:` text.
fn is_checkout(s: &Step) -> bool {
    s.uses_text().is_some_and(|u| {
        u.value
            .split('@')
            .next()
            .is_some_and(|a| a.trim().eq_ignore_ascii_case("actions/checkout"))
    })
}

/// Whether a step works in directory `dir` (normalised, not empty): its working
/// directory is in it, or its script or one of its inputs names it.
fn names_dir(s: &Step, dir: &str) -> bool {
    s.working_directory()
        .is_some_and(|w| normalise(&w.value).starts_with(dir))
        || s.run.as_ref().is_some_and(|r| r.script.contains(dir))
        || s.with.iter().any(|kv| normalise(&kv.value.value) == dir)
}

/// Whether `s` (step of `input`, in job `job`) pushes with persisted credentials.
fn pushes(cx: &Context<'_>, input: &Input, job: Option<usize>, s: &Step, depth: usize) -> bool {
    if let Some(u) = s.uses_text() {
        let action = u.value.split('@').next().unwrap_or("").trim();
        if PERSISTED_PUSHERS
            .iter()
            .any(|p| action.eq_ignore_ascii_case(p))
        {
            return true;
        }
    }
    if let (Some(run), Some(a)) = (
        &s.run,
        input
            .script(job, s.index)
            .and_then(|x| x.analysis.as_deref()),
    ) && !sets_own_credentials(&run.script)
        && a.facts.iter().any(|f| {
            matches!(f, Fact::Credential(c)
                if matches!(c.kind, CredentialKind::GitPush { .. })
                    && !carries_credential(run.script.get(c.span.range()).unwrap_or("")))
        })
    {
        return true;
    }
    // A local composite action run by the step: its own steps, one level at a time.
    depth < 3 && local_action_pushes(cx, input, job, s, depth)
}

fn local_action_pushes(
    cx: &Context<'_>,
    input: &Input,
    job: Option<usize>,
    s: &Step,
    depth: usize,
) -> bool {
    let g = cx.graph;
    let Some(node) = Chain::step_node(cx, input, job, s.index) else {
        return false;
    };
    let Some(target) = g.uses_target(node) else {
        return false;
    };
    if !matches!(
        g.node(target).map(|n| &n.kind),
        Some(NodeKind::Action {
            target: Target::Local { .. },
            ..
        })
    ) {
        return false;
    }
    let Some(action_input) = g
        .node(target)
        .and_then(|n| n.origin)
        .and_then(|o| g.input(cx.scan, o.input()))
    else {
        return false;
    };
    let FileModel::Action(a) = &*action_input.parsed else {
        return false;
    };
    a.steps()
        .iter()
        .any(|inner| pushes(cx, action_input, None, inner, depth + 1))
}

/// Whether a `git push` command names a credential itself: a URL with user information
/// (`https://x-access-token:${TOKEN}@github.com/…`) or an SSH remote (`git@host:…`),
/// which the persisted HTTP header does not serve.
fn carries_credential(cmd: &str) -> bool {
    has_userinfo_url(cmd)
        || cmd.split_whitespace().any(|w| {
            let w = w.trim_matches(['"', '\'']);
            w.starts_with("git@") || w.starts_with("ssh://")
        })
}

/// Whether `text` holds a URL with user information (`https://user:token@host/…`,
/// the token often an expression: `https://git:${{ secrets.PAT }}@github.com/…`).
fn has_userinfo_url(text: &str) -> bool {
    // An expression becomes one word, so that its spaces do not end the URL.
    let mut flat = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("${{") {
        flat.push_str(&rest[..i]);
        flat.push('X');
        rest = rest[i..].find("}}").map_or("", |j| &rest[i + j + 2..]);
    }
    flat.push_str(rest);
    flat.match_indices("://").any(|(i, _)| {
        flat[i + 3..]
            .split(['/', ' ', '\t', '\n', '"', '\''])
            .next()
            .is_some_and(|authority| authority.contains('@'))
    })
}

/// Whether a script sets up a credential of its own for later git commands (a clone,
/// remote URL or URL rewrite carrying a token, a credential helper, `gh auth setup-git`,
/// an extra header), so that its pushes do not rely on what the checkout persisted.
fn sets_own_credentials(script: &str) -> bool {
    let s = script.to_ascii_lowercase();
    has_userinfo_url(&s)
        || s.contains("x-access-token")
        || s.contains("gh auth setup-git")
        || s.contains("credential.helper")
        || s.contains("http.extraheader")
        || s.contains(".insteadof")
}

#[cfg(test)]
mod tests {
    use super::{carries_credential, sets_own_credentials};

    #[test]
    fn a_push_names_its_own_credential_in_its_url_or_remote() {
        for (cmd, own) in [
            ("git push origin HEAD:main", false),
            ("git push origin dev:dev -f", false),
            (
                "git push https://x-access-token:${GH_TOKEN}@github.com/o/r.git HEAD",
                true,
            ),
            ("git push \"https://${TOKEN}@github.com/o/r\" main", true),
            ("git push git@github.com:o/r.git main", true),
            ("git push https://github.com/o/r.git main", false),
        ] {
            assert_eq!(carries_credential(cmd), own, "{cmd}");
        }
    }

    #[test]
    fn a_script_that_sets_up_git_credentials_does_not_rely_on_the_checkout() {
        for (script, own) in [
            ("git commit -am x\ngit push", false),
            ("gh auth setup-git\ngit push origin HEAD", true),
            (
                "git remote set-url origin https://x:${T}@github.com/o/r\ngit push",
                true,
            ),
            (
                "git config --global url.\"https://${T}@github.com/\".insteadOf https://github.com/\ngit push",
                true,
            ),
            (
                "git clone https://${DENOBOT_PAT}@github.com/o/data.git gh-pages\ncd gh-pages\ngit push origin gh-pages",
                true,
            ),
            ("curl -fsSL https://example.com/x.sh | sh\ngit push", false),
            (
                "git remote set-url origin https://git:${{ secrets.PAT }}@github.com/${{ github.repository }}",
                true,
            ),
        ] {
            assert_eq!(sets_own_credentials(script), own, "{script}");
        }
    }
}

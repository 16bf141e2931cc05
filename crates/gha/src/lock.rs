//! `.github/workflows/actions.lock` (GitHub's action lock file, preview 2026): its model and
//! its parser.

use serde::Serialize;
use tollgate_model::{Diagnostic, SourceFile};

use crate::ctx::Ctx;
use crate::model::Spanned;
use crate::parse::document;

#[derive(Clone, Debug, Serialize)]
pub struct LockedDependency {
    /// `owner/repo[/path]@ref` as written in workflows.
    pub reference: Spanned<String>,
    pub git_ref: Option<String>,
    /// The locked commit, without the `sha1-` prefix.
    pub commit: Option<Spanned<String>>,
    /// Transitive references this dependency uses.
    pub uses: Vec<Spanned<String>>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ActionsLock {
    /// Per workflow path, the references it uses.
    pub workflows: Vec<(Spanned<String>, Vec<Spanned<String>>)>,
    pub dependencies: Vec<LockedDependency>,
}

impl ActionsLock {
    /// The lock entry for a reference, if locked with a commit.
    #[must_use]
    pub fn locked(&self, reference: &str) -> Option<&LockedDependency> {
        self.dependencies
            .iter()
            .find(|d| d.reference.value == reference && d.commit.is_some())
    }
}

/// Parse `.github/workflows/actions.lock`.
#[must_use]
pub fn parse_actions_lock(file: &SourceFile) -> (Option<ActionsLock>, Vec<Diagnostic>) {
    let mut ctx = Ctx::new(file);
    let Some(root) = document(file, &mut ctx, "actions lock file") else {
        return (None, ctx.diags);
    };
    let mut lock = ActionsLock::default();
    if let Some(wfs) = root.get("workflows") {
        for (k, v) in ctx.map(wfs, "workflows").unwrap_or_default() {
            if let Some(path) = ctx.string(k, "workflow path") {
                let refs = ctx.string_list(v, "workflow references");
                lock.workflows.push((path, refs));
            }
        }
    }
    if let Some(deps) = root.get("dependencies") {
        for (k, v) in ctx.map(deps, "dependencies").unwrap_or_default() {
            let Some(reference) = ctx.string(k, "dependency") else {
                continue;
            };
            let field = |name: &str| v.get(name).and_then(|n| n.as_str()).map(str::to_owned);
            let commit_node = v.get("commit");
            let commit = commit_node.and_then(|c| c.as_str()).map(|c| {
                Spanned::new(
                    c.strip_prefix("sha1-").unwrap_or(c).to_owned(),
                    commit_node.map_or(k.span, |n| n.span),
                )
            });
            if commit.is_none() {
                ctx.shape(
                    k.span,
                    format!("locked dependency `{}` has no `commit:`", reference.value),
                );
            }
            let uses = v
                .get("uses")
                .map(|u| ctx.string_list(u, "uses"))
                .unwrap_or_default();
            lock.dependencies.push(LockedDependency {
                reference,
                git_ref: field("ref"),
                commit,
                uses,
            });
        }
    }
    if root.get("workflows").is_none() && root.get("dependencies").is_none() {
        ctx.shape(
            root.span,
            "an actions lock file needs `workflows:` or `dependencies:`",
        );
    }
    (Some(lock), ctx.diags)
}

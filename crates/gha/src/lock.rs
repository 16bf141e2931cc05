//! The model of `.github/workflows/actions.lock` (GitHub's action lock file, preview 2026).

use serde::Serialize;

use crate::model::Spanned;

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

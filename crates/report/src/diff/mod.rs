//! `tollgate diff` renderers: Markdown for a pull-request comment and a versioned JSON
//! document. SARIF and annotations of the new findings reuse [`crate::sarif`] and
//! [`crate::github`].

pub mod json;
pub mod markdown;

/// What one side of the diff is, for titles: the argument as given and, for a git
/// revision, the commit it resolved to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SideLabel {
    pub name: String,
    pub commit: Option<String>,
}

impl SideLabel {
    /// `HEAD~1 (0123abc)`, or the directory.
    #[must_use]
    pub fn display(&self) -> String {
        match &self.commit {
            Some(c) => format!("{} ({})", self.name, c.get(..7).unwrap_or(c)),
            None => self.name.clone(),
        }
    }
}

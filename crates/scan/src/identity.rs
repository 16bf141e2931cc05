//! Which repository a scan root is: the `origin` remote in its `.git/config` (read
//! through the confined reader like every other file), or, inside a GitHub Actions run
//! whose workspace is the root, `GITHUB_REPOSITORY`. `--repository` overrides both
//! (`ScanOptions::repository`).

use std::path::Path;

use tollgate_model::repo::Repository;

/// A `.git/config` larger than this is not read: real ones are a few hundred bytes.
const MAX_GIT_CONFIG: u64 = 64 * 1024;

/// The repository the directory `canonical` (a resolved scan root) is, when it says.
#[must_use]
pub fn of_root(canonical: &Path) -> Option<Repository> {
    from_git_config(canonical).or_else(|| {
        from_actions_env(
            canonical,
            std::env::var("GITHUB_ACTIONS").ok().as_deref(),
            std::env::var_os("GITHUB_WORKSPACE")
                .as_deref()
                .map(Path::new),
            std::env::var("GITHUB_REPOSITORY").ok().as_deref(),
        )
    })
}

/// The repository a bare git directory is: the `origin` remote of its own `config`, read
/// through the confined reader within the git directory.
#[must_use]
pub fn of_bare(git_dir: &Path) -> Option<Repository> {
    let dir = std::fs::canonicalize(git_dir).ok()?;
    let bytes = crate::confine::read(&dir.join("config"), &dir, MAX_GIT_CONFIG).ok()?;
    Repository::from_git_config(&String::from_utf8_lossy(&bytes), "config")
}

fn from_git_config(root: &Path) -> Option<Repository> {
    let git = root.join(".git");
    // A worktree's or submodule's `.git` is a file pointing elsewhere, often outside the
    // root: not followed.
    if !std::fs::symlink_metadata(&git).is_ok_and(|m| m.is_dir()) {
        return None;
    }
    let bytes = crate::confine::read(&git.join("config"), root, MAX_GIT_CONFIG).ok()?;
    Repository::from_git_config(&String::from_utf8_lossy(&bytes), ".git/config")
}

/// `GITHUB_REPOSITORY` when this is an Actions run (`GITHUB_ACTIONS=true`) and the root
/// is its workspace: a scan of some other directory in the same run is not that
/// repository.
fn from_actions_env(
    root: &Path,
    actions: Option<&str>,
    workspace: Option<&Path>,
    repository: Option<&str>,
) -> Option<Repository> {
    if actions != Some("true") {
        return None;
    }
    let workspace = std::fs::canonicalize(workspace?).ok()?;
    (workspace == root)
        .then(|| Repository::from_slug(repository?, "GITHUB_REPOSITORY"))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_of_the_roots_git_config() {
        let dir = tempfile::tempdir().expect("test value");
        let root = std::fs::canonicalize(dir.path()).expect("test value");
        assert_eq!(from_git_config(&root), None);
        std::fs::create_dir(root.join(".git")).expect("test value");
        std::fs::write(
            root.join(".git/config"),
            "[remote \"origin\"]\n\turl = https://github.com/octo/widget.git\n",
        )
        .expect("test value");
        let r = from_git_config(&root).expect("test value");
        assert_eq!(
            (r.full_name().as_str(), r.from),
            ("octo/widget", ".git/config")
        );
    }

    #[test]
    fn a_bare_repository_says_which_it_is_in_its_own_config() {
        let dir = tempfile::tempdir().expect("test value");
        assert_eq!(of_bare(dir.path()), None);
        std::fs::write(
            dir.path().join("config"),
            "[core]\n\tbare = true\n[remote \"origin\"]\n\turl = git@github.com:octo/widget.git\n",
        )
        .expect("test value");
        let r = of_bare(dir.path()).expect("test value");
        assert_eq!((r.full_name().as_str(), r.from), ("octo/widget", "config"));
    }

    #[cfg(unix)]
    #[test]
    fn a_git_config_outside_the_root_is_not_read() {
        let outside = tempfile::tempdir().expect("test value");
        std::fs::write(
            outside.path().join("config"),
            "[remote \"origin\"]\n\turl = https://github.com/octo/widget.git\n",
        )
        .expect("test value");
        let dir = tempfile::tempdir().expect("test value");
        let root = std::fs::canonicalize(dir.path()).expect("test value");
        std::fs::create_dir(root.join(".git")).expect("test value");
        std::os::unix::fs::symlink(outside.path().join("config"), root.join(".git/config"))
            .expect("test value");
        assert_eq!(from_git_config(&root), None);
        // A `.git` file (worktree) is not followed either.
        let wt = tempfile::tempdir().expect("test value");
        let wt_root = std::fs::canonicalize(wt.path()).expect("test value");
        std::fs::write(wt_root.join(".git"), "gitdir: /elsewhere\n").expect("test value");
        assert_eq!(from_git_config(&wt_root), None);
    }

    #[test]
    fn the_actions_run_only_for_its_own_workspace() {
        let dir = tempfile::tempdir().expect("test value");
        let root = std::fs::canonicalize(dir.path()).expect("test value");
        let other = tempfile::tempdir().expect("test value");
        let r = from_actions_env(&root, Some("true"), Some(dir.path()), Some("octo/widget"));
        assert_eq!(r.expect("test value").full_name(), "octo/widget");
        assert_eq!(
            from_actions_env(&root, None, Some(dir.path()), Some("octo/widget")),
            None
        );
        assert_eq!(
            from_actions_env(&root, Some("true"), Some(other.path()), Some("octo/widget")),
            None
        );
        assert_eq!(
            from_actions_env(&root, Some("true"), Some(dir.path()), Some("not a slug")),
            None
        );
    }
}

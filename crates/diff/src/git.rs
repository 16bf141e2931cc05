//! A git revision's tree as a directory the scanner can read: the blobs discovery and the
//! follow-up reads would open are written into a private temporary directory, read
//! offline from the repository's object database with `gix`. Nothing runs `git`, nothing
//! is checked out, and only the one tree is read (no history walk).
//!
//! Confinement is kept as on disk: every blob is bounded by the scanner's limit for its
//! kind before it is loaded; a symlink blob is resolved inside the tree (by path, at most
//! [`MAX_LINK_HOPS`] links) and written as the file it names, and one that leaves the
//! tree, is absolute or names a directory is not written at all; submodules are not
//! entered. Paths are checked component by component so a hostile tree cannot write
//! outside the directory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tollgate_model::FileKind;
use tollgate_scan::ReadLimits;

/// Symlinks to symlinks are followed this far, then dropped (a loop ends here).
pub const MAX_LINK_HOPS: usize = 8;
/// A tree with more files to write than this is refused rather than half read.
pub const MAX_FILES: usize = 100_000;
/// Nor more bytes than this in all.
pub const MAX_BYTES: u64 = 2 << 30;

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("`{path}` is not inside a git repository: {message}")]
    NoRepository { path: String, message: String },
    #[error("`{rev}` is not a revision of the repository at `{repo}`: {message}")]
    Revision {
        rev: String,
        repo: String,
        message: String,
    },
    #[error("cannot read `{rev}` from the object database: {message}")]
    Object { rev: String, message: String },
    #[error("`{rev}` holds more than {limit} to read; scan a directory instead")]
    TooLarge { rev: String, limit: String },
    #[error("cannot write the tree of `{rev}` to a temporary directory: {source}")]
    Write { rev: String, source: std::io::Error },
}

/// An opened repository, for reading revisions.
pub struct Repository {
    repo: gix::Repository,
    /// The work tree (or the git directory of a bare repository), for messages and for
    /// the repository's identity.
    pub path: PathBuf,
}

impl std::fmt::Debug for Repository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repository")
            .field("path", &self.path)
            .finish()
    }
}

/// A revision's tree written out: scan [`Materialised::dir`]; dropped, it is removed.
#[derive(Debug)]
pub struct Materialised {
    dir: tempfile::TempDir,
    /// The revision as given and the commit it resolved to.
    pub rev: String,
    pub commit: String,
    /// Entries of the tree (files, links and directories), and what was written.
    pub entries: usize,
    pub files: usize,
    pub bytes: u64,
    /// Symlinks not written: absolute, leaving the tree, dangling, a loop or a directory.
    pub skipped_links: Vec<String>,
}

impl Materialised {
    #[must_use]
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// Open the repository that holds `dir` (searching upwards, as git does).
///
/// # Errors
/// When no repository holds it.
pub fn open(dir: &Path) -> Result<Repository, GitError> {
    wrap(dir, gix::discover(dir))
}

/// The repository `found` for `dir`, with its work tree (or git directory) as its path.
fn wrap<E: std::fmt::Display>(
    dir: &Path,
    found: Result<gix::Repository, E>,
) -> Result<Repository, GitError> {
    let repo = found.map_err(|e| GitError::NoRepository {
        path: dir.display().to_string(),
        message: e.to_string(),
    })?;
    let path = repo
        .workdir()
        .map_or_else(|| repo.git_dir().to_path_buf(), Path::to_path_buf);
    Ok(Repository { repo, path })
}

/// Open the repository at exactly `dir` (a bare repository's git directory, or a work
/// tree), without searching upwards: an organisation scan must never read an enclosing
/// repository in place of a broken one.
///
/// # Errors
/// When `dir` is not a repository.
pub fn open_exact(dir: &Path) -> Result<Repository, GitError> {
    wrap(dir, gix::open(dir))
}

/// Whether a path in a tree is one the scan may read: what discovery classifies, what a
/// step may run by path (Makefiles, shell scripts, executables), the configuration and
/// the ignore files discovery honours. (The files GitLab configurations include are
/// found by reading the configurations: see `materialise`.)
#[must_use]
pub fn is_relevant(path: &str, executable: bool) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    FileKind::classify(path).is_some()
        || executable
        || matches!(
            name,
            "Makefile" | "makefile" | "GNUmakefile" | ".gitignore" | ".ignore" | "tollgate.toml"
        )
        || [".mk", ".sh", ".bash"].iter().any(|x| name.ends_with(x))
}

/// The size limit of a path, as the scanner applies it on disk.
fn limit_of(path: &str, limits: ReadLimits) -> u64 {
    FileKind::classify(path).map_or(limits.max_yaml, |k| tollgate_scan::limit_for(k, limits))
}

/// `link_dir/target`, resolved lexically inside the tree; `None` when it is absolute or
/// climbs out.
fn resolve_link(link: &str, target: &str) -> Option<String> {
    if target.starts_with('/') || target.contains('\\') || target.contains(':') {
        return None;
    }
    let dir = link.rsplit_once('/').map_or("", |(d, _)| d);
    tollgate_scan::local::normalise(&format!("{dir}/{target}"))
}

/// Whether a tree path is safe to join under the directory: plain names only.
fn safe_path(path: &str) -> bool {
    !path.is_empty()
        && path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != ".." && c != ".git" && !c.contains('\\'))
}

#[derive(Clone, Copy)]
struct Entry {
    oid: gix::ObjectId,
    link: bool,
    blob: bool,
    executable: bool,
}

impl Repository {
    /// The commit `rev` names (`HEAD~1`, a branch, a tag, a full or short id).
    ///
    /// # Errors
    /// When it names nothing, or something that is not a commit or tree.
    pub fn resolve(&self, rev: &str) -> Result<(String, gix::ObjectId), GitError> {
        let id = self
            .repo
            .rev_parse_single(rev)
            .map_err(|e| GitError::Revision {
                rev: rev.to_owned(),
                repo: self.path.display().to_string(),
                message: e.to_string(),
            })?;
        let tree = id
            .object()
            .and_then(|o| o.peel_to_tree())
            .map_err(|e| GitError::Revision {
                rev: rev.to_owned(),
                repo: self.path.display().to_string(),
                message: e.to_string(),
            })?;
        Ok((id.detach().to_string(), tree.id))
    }

    /// Write the relevant files of `rev`'s tree into a new temporary directory.
    ///
    /// # Errors
    /// An unknown revision, an unreadable object, a tree over [`MAX_FILES`] or
    /// [`MAX_BYTES`], or a failed write.
    pub fn materialise(&self, rev: &str, limits: ReadLimits) -> Result<Materialised, GitError> {
        let (commit, tree_id) = self.resolve(rev)?;
        let object = |e: &dyn std::fmt::Display| GitError::Object {
            rev: rev.to_owned(),
            message: e.to_string(),
        };
        let write = |source| GitError::Write {
            rev: rev.to_owned(),
            source,
        };
        let tree = self.repo.find_tree(tree_id).map_err(|e| object(&e))?;
        let records = tree
            .traverse()
            .breadthfirst
            .files()
            .map_err(|e| object(&e))?;
        let mut entries: HashMap<String, Entry> = HashMap::with_capacity(records.len());
        for r in &records {
            let Ok(path) = std::str::from_utf8(&r.filepath) else {
                continue;
            };
            entries.insert(
                path.to_owned(),
                Entry {
                    oid: r.oid,
                    link: r.mode.is_link(),
                    blob: r.mode.is_blob(),
                    executable: r.mode.is_executable(),
                },
            );
        }
        let dir = tempfile::Builder::new()
            .prefix("tollgate-rev-")
            .tempdir()
            .map_err(write)?;
        let mut out = Materialised {
            dir,
            rev: rev.to_owned(),
            commit,
            entries: records.len(),
            files: 0,
            bytes: 0,
            skipped_links: Vec::new(),
        };
        let mut paths: Vec<&String> = entries.keys().collect();
        paths.sort();
        // The files GitLab configurations include, which their names do not give away.
        let configurations: Vec<String> = paths
            .iter()
            .filter(|p| FileKind::classify(p) == Some(FileKind::GitlabCi))
            .map(|p| (*p).clone())
            .collect();
        let all: Vec<&str> = paths.iter().map(|p| p.as_str()).collect();
        let included = crate::gitlab::included(
            &configurations,
            &all,
            |p| entries.get(p).is_some_and(|e| e.blob || e.link) && safe_path(p),
            |p| {
                let target = self.follow(p, *entries.get(p)?, &entries).ok()??;
                let size = self.repo.find_header(target).ok()?.size();
                if size > limit_of(p, limits) {
                    return None;
                }
                let blob = self.repo.find_object(target).ok()?;
                String::from_utf8(blob.data.clone()).ok()
            },
        );
        for path in paths {
            let e = entries[path];
            if !(e.blob || e.link)
                || !safe_path(path)
                || !(is_relevant(path, e.executable) || included.contains(path))
            {
                continue;
            }
            let Some(target) = self.follow(path, e, &entries).map_err(|m| object(&m))? else {
                out.skipped_links.push(path.clone());
                continue;
            };
            let size = self
                .repo
                .find_header(target)
                .map_err(|e| object(&e))?
                .size();
            // Over its limit: written empty-handed would hide it; leave a file of the
            // limit's size + 1 so the scanner reports it as too large, as on disk.
            let limit = limit_of(path, limits);
            let disk = out.dir.path().join(path);
            if let Some(parent) = disk.parent() {
                std::fs::create_dir_all(parent).map_err(write)?;
            }
            out.files += 1;
            if out.files > MAX_FILES {
                return Err(GitError::TooLarge {
                    rev: rev.to_owned(),
                    limit: format!("{MAX_FILES} files"),
                });
            }
            if size > limit {
                let f = std::fs::File::create(&disk).map_err(write)?;
                f.set_len(limit + 1).map_err(write)?;
                continue;
            }
            out.bytes += size;
            if out.bytes > MAX_BYTES {
                return Err(GitError::TooLarge {
                    rev: rev.to_owned(),
                    limit: format!("{} MB", MAX_BYTES >> 20),
                });
            }
            let blob = self.repo.find_object(target).map_err(|e| object(&e))?;
            std::fs::write(&disk, &blob.data).map_err(write)?;
        }
        Ok(out)
    }

    /// The blob a tree entry stands for: itself, or what its symlink chain names inside
    /// the tree; `None` when the chain leaves the tree, dangles, loops or ends at a
    /// directory or submodule.
    fn follow(
        &self,
        path: &str,
        mut e: Entry,
        entries: &HashMap<String, Entry>,
    ) -> Result<Option<gix::ObjectId>, String> {
        let mut at = path.to_owned();
        for _ in 0..=MAX_LINK_HOPS {
            if !e.link {
                return Ok(e.blob.then_some(e.oid));
            }
            let target = self.repo.find_object(e.oid).map_err(|x| x.to_string())?;
            let Ok(target) = std::str::from_utf8(&target.data) else {
                return Ok(None);
            };
            let Some(next) = resolve_link(&at, target) else {
                return Ok(None);
            };
            let Some(n) = entries.get(&next) else {
                return Ok(None);
            };
            at = next;
            e = *n;
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_inside_the_tree_only() {
        let cases = [
            ("a/b/link", "../c", Some("a/c")),
            ("a/link", "./x/y", Some("a/x/y")),
            ("link", "../outside", None),
            ("a/link", "../../etc/passwd", None),
            ("a/link", "/etc/passwd", None),
            ("a/link", "C:/x", None),
            ("a/link", "..\\x", None),
        ];
        for (link, target, want) in cases {
            assert_eq!(
                resolve_link(link, target).as_deref(),
                want,
                "{link} -> {target}"
            );
        }
    }

    #[test]
    fn relevant_paths() {
        let cases = [
            (".github/workflows/ci.yml", false, true),
            ("package-lock.json", false, true),
            ("sub/Makefile", false, true),
            ("scripts/build.sh", false, true),
            ("scripts/build", true, true),
            ("src/main.rs", false, false),
            ("README.md", false, false),
            ("tollgate.toml", false, true),
        ];
        for (path, exec, want) in cases {
            assert_eq!(is_relevant(path, exec), want, "{path}");
        }
    }

    #[test]
    fn unsafe_paths_are_refused() {
        for p in [
            "",
            "a//b",
            "../x",
            "a/../b",
            ".git/config",
            "a/.git/hooks/x",
            "a\\b",
        ] {
            assert!(!safe_path(p), "{p}");
        }
        assert!(safe_path(".github/workflows/ci.yml"));
    }
}

//! The one gate every file tollgate reads passes through: after resolving symbolic links,
//! it must be a regular file inside the scan root and under the size limit for its kind.
//!
//! tollgate reads untrusted repositories (a pull request can add any symbolic link), so a
//! path named by the input (`uses: ./x`, a lockfile next to an install command) or found by
//! walking is never trusted to stay where it looks: a link to `/`, to a file outside, to
//! `/dev/zero` or to a FIFO is refused before a byte is read, and the refusal says why
//! without quoting what the target holds.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a path was not read.
#[derive(Debug)]
pub enum Refusal {
    /// It does not exist, is a dangling or looping link, or the system refused it.
    Io(std::io::Error),
    /// After resolving links it is outside the scan root.
    Outside,
    /// A directory, FIFO, socket or device: reading it could block or never end.
    NotRegular(&'static str),
    /// Larger than the limit for its kind (in bytes).
    TooLarge(u64),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(e) => write!(f, "cannot read file: {e}"),
            Self::Outside => f.write_str(
                "not read: it resolves (through a symbolic link) to a path outside the scan root",
            ),
            Self::NotRegular(what) => write!(f, "not read: it is {what}, not a regular file"),
            Self::TooLarge(max) => write!(
                f,
                "file is larger than the {} limit for this kind; skipped",
                human_size(*max)
            ),
        }
    }
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} B")
    }
}

/// The canonical form of a scan root, against which every read is checked. A root that
/// cannot be resolved (it vanished) is kept as given: nothing under it will resolve either.
#[must_use]
pub fn canonical_root(root: &Path) -> PathBuf {
    std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf())
}

/// What kind of thing a non-regular file is, for the refusal message.
fn kind_name(ft: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_block_device() || ft.is_char_device() {
            return "a device";
        }
    }
    if ft.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Resolve `path` and check it: a regular file inside `root` (canonical), at most `max`
/// bytes. Returns the resolved path and its size.
///
/// # Errors
/// The [`Refusal`] that says why it may not be read.
pub fn check(path: &Path, root: &Path, max: u64) -> Result<(PathBuf, u64), Refusal> {
    let resolved = std::fs::canonicalize(path).map_err(Refusal::Io)?;
    if !resolved.starts_with(root) {
        return Err(Refusal::Outside);
    }
    // By the resolved path's own metadata, before opening: opening a FIFO would block.
    let meta = std::fs::metadata(&resolved).map_err(Refusal::Io)?;
    if !meta.file_type().is_file() {
        return Err(Refusal::NotRegular(kind_name(meta.file_type())));
    }
    if meta.len() > max {
        return Err(Refusal::TooLarge(max));
    }
    Ok((resolved, meta.len()))
}

/// Whether `path` resolves to something (file or directory) inside `root`, for the few
/// places that only ask whether a path exists (`vendor/` next to a manifest).
#[must_use]
pub fn exists_inside(path: &Path, root: &Path) -> bool {
    std::fs::canonicalize(path).is_ok_and(|p| p.starts_with(root))
}

/// Open a path that [`check`] resolved, without following a link that appeared since and
/// without blocking on a FIFO that replaced it; the opened file is checked again.
fn open_resolved(resolved: &Path) -> Result<File, Refusal> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = opts.open(resolved).map_err(Refusal::Io)?;
    let meta = file.metadata().map_err(Refusal::Io)?;
    if !meta.file_type().is_file() {
        return Err(Refusal::NotRegular(kind_name(meta.file_type())));
    }
    Ok(file)
}

/// The bytes of `path` when [`check`] accepts it, never more than `max`.
///
/// # Errors
/// The [`Refusal`] that says why it was not read.
pub fn read(path: &Path, root: &Path, max: u64) -> Result<Vec<u8>, Refusal> {
    let (resolved, len) = check(path, root, max)?;
    let file = open_resolved(&resolved)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0).saturating_add(1));
    // One byte past the limit tells a file that grew while read, never more.
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(Refusal::Io)?;
    if bytes.len() as u64 > max {
        return Err(Refusal::TooLarge(max));
    }
    Ok(bytes)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().join("repo");
        std::fs::create_dir_all(&root).expect("mkdir");
        let root = canonical_root(&root);
        (dir, root)
    }

    #[test]
    fn a_regular_file_inside_is_read() {
        let (_d, root) = setup();
        std::fs::write(root.join("a.yml"), "on: push\n").expect("w");
        std::os::unix::fs::symlink(root.join("a.yml"), root.join("b.yml")).expect("ln");
        assert_eq!(
            read(&root.join("a.yml"), &root, 100).expect("a"),
            b"on: push\n"
        );
        assert_eq!(
            read(&root.join("b.yml"), &root, 100).expect("b"),
            b"on: push\n"
        );
    }

    #[test]
    fn links_out_of_the_root_are_refused() {
        let (d, root) = setup();
        std::fs::write(d.path().join("secret"), "password\n").expect("w");
        std::os::unix::fs::symlink(d.path().join("secret"), root.join("s")).expect("ln");
        std::os::unix::fs::symlink("/", root.join("rootfs")).expect("ln");
        for p in [root.join("s"), root.join("rootfs/etc/passwd")] {
            let e = read(&p, &root, 1 << 20).expect_err("outside");
            assert!(matches!(e, Refusal::Outside), "{p:?}: {e}");
            assert!(!e.to_string().contains("password"));
        }
        // `..` out of the root is the same as a link out of it.
        let e = read(&root.join("../secret"), &root, 1 << 20).expect_err("dotdot");
        assert!(matches!(e, Refusal::Outside), "{e}");
    }

    #[test]
    fn devices_fifos_and_directories_are_refused_without_blocking() {
        let (_d, root) = setup();
        std::os::unix::fs::symlink("/dev/zero", root.join("zero")).expect("ln");
        // /dev/zero is outside the root; a device inside the root is refused for its kind.
        assert!(matches!(
            read(&root.join("zero"), &root, 1 << 20),
            Err(Refusal::Outside)
        ));
        let e = read(Path::new("/dev/zero"), Path::new("/"), 1 << 20).expect_err("dev");
        assert!(matches!(e, Refusal::NotRegular("a device")), "{e}");
        let fifo = root.join("fifo.yml");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            let e = read(&fifo, &root, 1 << 20).expect_err("fifo");
            assert!(matches!(e, Refusal::NotRegular("a FIFO")), "{e}");
        }
        let e = read(&root, &root, 1 << 20).expect_err("dir");
        assert!(matches!(e, Refusal::NotRegular("a directory")), "{e}");
    }

    #[test]
    fn size_limit_is_checked_before_reading() {
        let (_d, root) = setup();
        std::fs::write(root.join("big"), vec![b'a'; 2048]).expect("w");
        let e = read(&root.join("big"), &root, 1024).expect_err("big");
        assert!(matches!(e, Refusal::TooLarge(1024)), "{e}");
        assert_eq!(
            e.to_string(),
            "file is larger than the 1 KiB limit for this kind; skipped"
        );
        assert_eq!(
            read(&root.join("big"), &root, 2048).expect("fits").len(),
            2048
        );
    }
}

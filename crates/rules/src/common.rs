//! Helpers shared by rules: container image references and action lookups.

use tollgate_gha::{Job, Workflow};

/// A container image reference split into its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub name: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Parse `[registry/]name[:tag][@algo:hex]`. A `:` before the last `/` is a registry
    /// port, not a tag.
    #[must_use]
    pub fn parse(s: &'a str) -> Self {
        let s = s.strip_prefix("docker://").unwrap_or(s);
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (r, Some(d)),
            None => (s, None),
        };
        let slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[slash..].rfind(':') {
            Some(i) => (&rest[..slash + i], Some(&rest[slash + i + 1..])),
            None => (rest, None),
        };
        Self { name, tag, digest }
    }

    /// Pinned only by a full SHA-256 digest.
    #[must_use]
    pub fn is_pinned(&self) -> bool {
        self.digest.is_some_and(|d| {
            d.strip_prefix("sha256:")
                .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        })
    }

    /// No tag or `latest`: the image changes whenever anyone pushes.
    #[must_use]
    pub fn is_floating(&self) -> bool {
        matches!(self.tag, None | Some("latest"))
    }
}

/// The index of `job` in `wf.jobs` (hooks are handed jobs borrowed from that list), in
/// constant time from its address: a search by pointer was linear per job, and so
/// quadratic over a workflow of many jobs.
#[must_use]
pub fn job_index(wf: &Workflow, job: &Job) -> Option<usize> {
    let size = std::mem::size_of::<Job>().max(1);
    let offset = std::ptr::from_ref(job)
        .addr()
        .checked_sub(wf.jobs.as_ptr().addr())?;
    let i = offset / size;
    (offset % size == 0 && wf.jobs.get(i).is_some_and(|j| std::ptr::eq(j, job))).then_some(i)
}

/// How many characters of input text a message quotes.
pub const QUOTE_MAX: usize = 200;

/// Input text (a job id, an image name) as a message quotes it: whole up to
/// [`QUOTE_MAX`] characters, else cut there with an ellipsis. Messages are copied into
/// every output, so a megabyte of input quoted by each of thousands of findings would
/// multiply it.
#[must_use]
pub fn quoted(text: &str) -> std::borrow::Cow<'_, str> {
    tollgate_model::text::cut(text, QUOTE_MAX)
}

/// Match `text` against a glob with `*` wildcards (`actions/*`, `*/setup-*`): the code
/// base's one matcher.
pub use tollgate_lockfile::glob::matches as glob_match;

/// The first unverified use of each download in a script, for the uses `wanted` accepts:
/// `(download, use)`. A download verified before its use, or addressed by commit (which
/// nobody can change), is left out.
pub fn unverified_uses(
    analysis: &tollgate_shell::Analysis,
    wanted: impl Fn(&tollgate_shell::ExecHow) -> bool,
) -> Vec<(&tollgate_shell::Download, &tollgate_shell::DownloadExec)> {
    use tollgate_shell::Fact;
    let mut out: Vec<(&tollgate_shell::Download, &tollgate_shell::DownloadExec)> = Vec::new();
    let mut seen = Vec::new();
    for f in &analysis.facts {
        let Fact::DownloadExec(x) = f else { continue };
        if x.verified_by.is_some() || seen.contains(&x.download) || !wanted(&x.how) {
            continue;
        }
        let Some(Fact::Download(d)) = analysis.facts.get(x.download) else {
            continue;
        };
        if d.url
            .as_deref()
            .is_some_and(tollgate_model::addr::is_commit_pinned_github_url)
        {
            continue;
        }
        seen.push(x.download);
        out.push((d, x));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_refs() {
        let cases = [
            ("node:20", "node", Some("20"), None),
            ("node", "node", None, None),
            (
                "localhost:5000/app:1.2",
                "localhost:5000/app",
                Some("1.2"),
                None,
            ),
            (
                "ghcr.io/o/app@sha256:abc",
                "ghcr.io/o/app",
                None,
                Some("sha256:abc"),
            ),
            (
                "docker://alpine:3.20@sha256:x",
                "alpine",
                Some("3.20"),
                Some("sha256:x"),
            ),
        ];
        for (s, n, t, d) in cases {
            let r = ImageRef::parse(s);
            assert_eq!((r.name, r.tag, r.digest), (n, t, d), "{s}");
        }
        let pinned = format!("alpine@sha256:{}", "a".repeat(64));
        assert!(ImageRef::parse(&pinned).is_pinned());
        assert!(!ImageRef::parse("alpine@sha256:abc").is_pinned());
        assert!(ImageRef::parse("alpine:latest").is_floating());
    }

    #[test]
    fn quotes_are_capped() {
        assert_eq!(quoted("build"), "build");
        let long = "é".repeat(QUOTE_MAX + 5);
        let q = quoted(&long);
        assert_eq!(q.chars().count(), QUOTE_MAX + 1);
        assert!(q.ends_with("é…"));
        assert_eq!(quoted(&"x".repeat(QUOTE_MAX)), "x".repeat(QUOTE_MAX));
    }

    #[test]
    fn globs() {
        assert!(glob_match("actions/*", "actions/checkout"));
        assert!(glob_match("*/setup-*", "actions/setup-node"));
        assert!(!glob_match("actions/*", "github/codeql-action"));
        assert!(glob_match("octo/repo", "octo/repo"));
        assert!(glob_match("*", "x/y"));
    }
}

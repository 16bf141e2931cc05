//! Helpers shared by rules: container image references and action lookups.

use tollgate_gha::{Job, Workflow};

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
/// `(download, use)`. A download verified before its use, addressed by commit (which
/// nobody can change), or published by the scanned repository itself (its releases and
/// files, its own site: whoever could swap them can change the workflow too) is left out.
pub fn unverified_uses<'a>(
    analysis: &'a tollgate_shell::Analysis,
    repository: Option<&tollgate_model::repo::Repository>,
    wanted: impl Fn(&tollgate_shell::ExecHow) -> bool,
) -> Vec<(
    &'a tollgate_shell::Download,
    &'a tollgate_shell::DownloadExec,
)> {
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
            || repository.is_some_and(|r| publishes(r, d))
        {
            continue;
        }
        seen.push(x.download);
        out.push((d, x));
    }
    out
}

/// Whether download `d` fetches what `repository` publishes: a URL of its releases or
/// files, or `gh release download -R` naming it.
fn publishes(repository: &tollgate_model::repo::Repository, d: &tollgate_shell::Download) -> bool {
    let Some(url) = d.url.as_deref() else {
        return false;
    };
    repository.publishes(url)
        || repository.site(url)
        || (d.tool == "gh release download"
            && url
                .strip_prefix("https://github.com/")
                .is_some_and(|slug| repository.is(slug)))
}

/// `n` with the word for one or for many: `1 entry`, `2 entries`, `0 hosts`.
#[must_use]
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(plural(0, "entry", "entries"), "0 entries");
        assert_eq!(plural(1, "entry", "entries"), "1 entry");
        assert_eq!(plural(2, "entry", "entries"), "2 entries");
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

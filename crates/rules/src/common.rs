//! Helpers shared by rules: container image references and action lookups.

use tollgate_gha::{Job, Workflow};
use tollgate_scan::Scan;

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

#[cfg(test)]
mod tests {
    use super::*;

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

/// The working directory of a `run:` step relative to the repository root (`""` for the
/// root): the step's `working-directory`, else the job's `defaults.run.working-directory`,
/// else the workflow's. Expressions make it unknown (`None`).
#[must_use]
pub fn working_dir(step: &tollgate_engine::StepCx<'_>) -> Option<String> {
    let wd = step
        .step
        .working_directory
        .as_ref()
        .or_else(|| match step.owner {
            tollgate_engine::StepOwner::Job { workflow, job } => job
                .defaults_working_directory
                .as_ref()
                .or(workflow.defaults_working_directory.as_ref()),
            tollgate_engine::StepOwner::Action(_) => None,
        });
    match wd {
        None => Some(String::new()),
        Some(w) if w.value.contains("${{") || w.value.contains('$') => None,
        Some(w) => Some(join("", &w.value)),
    }
}

/// `dir/rel` normalised: `./` dropped, `..` applied, no leading or trailing `/`.
#[must_use]
pub fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// The input at `rel` (a display path) under the same root as `input`.
#[must_use]
pub fn input_at<'a>(scan: &'a Scan, root: usize, rel: &str) -> Option<&'a tollgate_scan::Input> {
    scan.input_at(root, rel)
}

/// The first lockfile of `kind` found in `dir` or its ancestors (package managers look
/// upwards for their workspace root).
#[must_use]
pub fn lockfile_near<'a>(
    scan: &'a Scan,
    root: usize,
    dir: &str,
    names: &[&str],
) -> Option<&'a tollgate_scan::Input> {
    let mut d = dir.to_owned();
    loop {
        for n in names {
            if let Some(i) = input_at(scan, root, &join(&d, n)) {
                return Some(i);
            }
        }
        if d.is_empty() {
            return None;
        }
        d = d
            .rsplit_once('/')
            .map_or(String::new(), |(p, _)| p.to_owned());
    }
}

#[cfg(test)]
mod path_tests {
    use super::*;

    #[test]
    fn joins() {
        assert_eq!(join("", "./web"), "web");
        assert_eq!(join("web", "../api/"), "api");
        assert_eq!(join("a/b", "requirements.txt"), "a/b/requirements.txt");
    }
}

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

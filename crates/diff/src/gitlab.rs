//! The files a revision's GitLab CI configurations include with `include: local:` (and
//! `trigger: include:`), found in its tree as the scanner finds them on disk: they are
//! written out with the configurations, so each side of a diff reads the jobs they
//! define. Their names say nothing (`ci/build.yml`), so only an include names them.

use std::collections::BTreeSet;

use tollgate_gitlab::IncludeKind;
use tollgate_model::SourceFile;

/// Most included files followed for one revision (GitLab allows 150 includes per
/// pipeline).
const MAX_INCLUDED: usize = 150;

/// The paths that the GitLab files `start` include, directly or through one another,
/// that `exists` in the tree; `read` gives a path's text (`None` when it cannot be
/// read or is over its size limit).
pub(crate) fn included(
    start: &[String],
    all: &[&str],
    exists: impl Fn(&str) -> bool,
    read: impl Fn(&str) -> Option<String>,
) -> BTreeSet<String> {
    let mut seen: BTreeSet<String> = start.iter().cloned().collect();
    let mut queue: Vec<String> = start.to_vec();
    let mut out = BTreeSet::new();
    // A directory holding a configuration is a repository root for `local:` paths, as
    // the scanner decides on disk; the tree's root always is.
    let is_base = |d: &str| {
        d.is_empty()
            || exists(&format!("{d}.gitlab-ci.yml"))
            || exists(&format!("{d}.gitlab-ci.yaml"))
    };
    while let Some(path) = queue.pop() {
        let Some(text) = read(&path) else { continue };
        let file = SourceFile::new(path.clone(), &path, text);
        let (Some(model), _) = tollgate_gitlab::parse_file(&file) else {
            continue;
        };
        for inc in model.includes.iter().chain(&model.child_includes) {
            if inc.kind != IncludeKind::Local {
                continue;
            }
            let hits: Vec<String> = if tollgate_scan::gitlab_glob::is_wildcard(&inc.target.value) {
                // Every file the pattern names under the nearest repository root.
                let mut base = "";
                let mut d = path.as_str();
                while let Some((p, _)) = d.rsplit_once('/') {
                    if is_base(&format!("{p}/")) {
                        base = &path[..=p.len()];
                        break;
                    }
                    d = p;
                }
                let under = all.iter().filter_map(|f| f.strip_prefix(base));
                tollgate_scan::gitlab_glob::expand(&inc.target.value, under)
                    .into_iter()
                    .map(|f| format!("{base}{f}"))
                    .filter(|f| exists(f))
                    .collect()
            } else {
                tollgate_scan::gitlab::include_candidates(&path, &inc.target.value, is_base)
                    .into_iter()
                    .find(|c| exists(c))
                    .into_iter()
                    .collect()
            };
            for c in hits {
                if !seen.insert(c.clone()) {
                    continue;
                }
                if out.len() >= MAX_INCLUDED {
                    return out;
                }
                out.insert(c.clone());
                queue.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::included;

    #[test]
    fn local_includes_are_followed_through_the_tree() {
        let files = [
            (
                ".gitlab-ci.yml",
                "include:\n  - local: /ci/a.yml\n  - ci/missing.yml\n  - project: g/p\n    file: /x.yml\nchild:\n  trigger:\n    include: ci/child.yml\n",
            ),
            ("ci/a.yml", "include: ci/b.yml\njob:\n  script: x\n"),
            ("ci/b.yml", "include: ci/a.yml\n.b:\n  script: y\n"),
            ("ci/child.yml", "c:\n  script: z\n"),
            ("ci/unused.yml", "u:\n  script: u\n"),
            ("x.yml", "v:\n  script: v\n"),
            ("w/.gitlab-ci.yml", "include: 'jobs/**/*.yml'\n"),
            ("w/jobs/a.yml", "a:\n  script: a\n"),
            ("w/jobs/deep/b.yml", "b:\n  script: b\n"),
            ("jobs/c.yml", "c:\n  script: c\n"),
        ];
        let text = |p: &str| {
            files
                .iter()
                .find(|(f, _)| *f == p)
                .map(|(_, t)| (*t).to_owned())
        };
        let all: Vec<&str> = files.iter().map(|(f, _)| *f).collect();
        let got = included(
            &[".gitlab-ci.yml".to_owned()],
            &all,
            |p| text(p).is_some(),
            text,
        );
        let got: Vec<&str> = got.iter().map(String::as_str).collect();
        assert_eq!(got, ["ci/a.yml", "ci/b.yml", "ci/child.yml"]);
        // A wildcard names every file it matches under its repository's root.
        let got = included(
            &["w/.gitlab-ci.yml".to_owned()],
            &all,
            |p| text(p).is_some(),
            text,
        );
        let got: Vec<&str> = got.iter().map(String::as_str).collect();
        assert_eq!(got, ["w/jobs/a.yml", "w/jobs/deep/b.yml"]);
    }
}

//! Downloads (`curl`, `wget`, `git clone`, `gh release download`) as job dependencies.

use super::*;

/// A download as a dependency; `None` for what is not a delivery dependency (API calls,
/// artifacts of the same run, dynamic or local hosts).
pub(super) fn download_dep(d: &Download, site: Site) -> Option<JobDependency> {
    if matches!(d.tool, "gh api" | "gh run download") {
        return None;
    }
    let host = d.host.clone()?;
    if matches!(
        host.as_str(),
        "localhost" | "127.0.0.1" | "0.0.0.0" | "::1" | "[::1]"
    ) || host.ends_with(".local")
    {
        return None;
    }
    let url = d.url.clone().unwrap_or_else(|| host.clone());
    let git = d.tool.starts_with("git ") || d.tool == "gh repo clone";
    let release = d.tool == "gh release download" || url.contains("/releases/download/");
    // `gh release download` without `-R` fetches the workflow's own repository. A release
    // asset on github.com is served by GitHub, which runs the job anyway: external means
    // outside GitHub, whatever the kind of download.
    let own_release = d.tool == "gh release download" && d.url.is_none();
    let external = !own_release && !is_platform_host(&host);
    let (key, name, help) = if git {
        let repo = tollgate_lockfile::normalise_for_match(&url);
        (
            format!("download git {repo}"),
            format!("git {url}"),
            "mirror the repository, or retry the clone; a git host outage stops the job",
        )
    } else if release {
        (
            format!(
                "download release {}",
                tollgate_lockfile::normalise_for_match(&url)
            ),
            format!("release {url}"),
            "retry the download (`curl --retry 5`, `wget --tries 5`), or cache the file (`actions/cache` with the download under `if: steps.<id>.outputs.cache-hit != 'true'`)",
        )
    } else {
        (
            format!("download host {host}"),
            format!("downloads from {host}"),
            "retry the download (`curl --retry 5`, `wget --tries 5`), or cache the file (`actions/cache` with the download under `if: steps.<id>.outputs.cache-hit != 'true'`)",
        )
    };
    let pinning = if is_commit_pinned_github_url(&url) {
        Pinning::pinned("commit in the URL")
    } else if git {
        match &d.reference {
            Some(r) if is_commit_sha(r) => Pinning::pinned("commit"),
            Some(r) => Pinning::floating(format!("ref `{r}`")),
            None => Pinning::floating("default branch"),
        }
    } else {
        Pinning::floating("URL")
    };
    let mut dep = plain(
        DependencyKind::Download,
        key,
        name,
        vec![host],
        external,
        pinning,
        site,
    );
    if d.retry {
        dep.fallbacks.push(Fallback {
            kind: FallbackKind::Retry,
            detail: format!("`{}` retries", d.tool),
        });
    }
    dep.help = Some(help.into());
    Some(dep)
}

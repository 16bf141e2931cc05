//! The identity of the repository being scanned (`owner/name` on its forge), when it can
//! be known: from `--repository`, from the `origin` remote in `.git/config`, or from the
//! `GITHUB_REPOSITORY` of the Actions run that checked it out. Rules use it to tell the
//! repository's own releases, scripts and actions from third parties', and conditions on
//! `github.repository` that can never hold here.

use crate::addr::host_of;

/// `owner/name` on a forge host, compared case-insensitively (as GitHub does).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repository {
    /// `github.com`, or another forge's host (GitHub Enterprise Server, GitLab).
    pub host: String,
    pub owner: String,
    pub name: String,
    /// Where the identity came from, for messages (`--repository`, `.git/config`, …).
    pub from: &'static str,
}

impl Repository {
    /// An `owner/name` slug on github.com; `None` unless it is exactly two non-empty
    /// parts of the characters GitHub allows.
    #[must_use]
    pub fn from_slug(slug: &str, from: &'static str) -> Option<Self> {
        let (owner, name) = slug.trim().split_once('/')?;
        let name = name.strip_suffix(".git").unwrap_or(name);
        let ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        (ok(owner) && ok(name) && name != "." && name != "..").then(|| Self {
            host: "github.com".to_owned(),
            owner: owner.to_owned(),
            name: name.to_owned(),
            from,
        })
    }

    /// The repository a git remote URL names: `https://host/owner/name(.git)`,
    /// `ssh://git@host[:port]/owner/name`, or scp-like `git@host:owner/name`. A path
    /// with more than two parts (GitLab subgroups) keeps the last part as the name and
    /// the rest as the owner.
    #[must_use]
    pub fn from_remote_url(url: &str, from: &'static str) -> Option<Self> {
        let url = url.trim();
        let (host, path) = if let Some((_, rest)) = url.split_once("://") {
            let (authority, path) = rest.split_once('/')?;
            (host_of(authority)?, path)
        } else {
            // scp-like: [user@]host:path (no scheme, a colon before any slash).
            let (authority, path) = url.split_once(':')?;
            if authority.contains('/') {
                return None;
            }
            (host_of(authority)?, path)
        };
        let path = path.trim_matches('/');
        let path = path.strip_suffix(".git").unwrap_or(path);
        let (owner, name) = path.rsplit_once('/')?;
        let mut repo = Self::from_slug(&format!("{}/{name}", owner.replace('/', "-")), from)?;
        repo.owner = owner.to_owned();
        repo.host = host;
        Some(repo)
    }

    /// The `origin` remote of a `.git/config` file's text (or the only remote, when there
    /// is one and it is not called `origin`).
    #[must_use]
    pub fn from_git_config(text: &str, from: &'static str) -> Option<Self> {
        let mut remotes: Vec<(String, String)> = Vec::new();
        let mut section: Option<String> = None;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                // `[remote "origin"]`; the subsection name is case-sensitive.
                section = line
                    .strip_prefix('[')
                    .and_then(|l| l.strip_suffix(']'))
                    .and_then(|l| {
                        let (kind, name) = l.split_once(char::is_whitespace)?;
                        kind.eq_ignore_ascii_case("remote")
                            .then(|| name.trim().trim_matches('"').to_owned())
                    });
                continue;
            }
            let Some(remote) = &section else { continue };
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            if key.trim().eq_ignore_ascii_case("url") && !remotes.iter().any(|(r, _)| r == remote) {
                remotes.push((remote.clone(), value.trim().trim_matches('"').to_owned()));
            }
        }
        let url = match remotes.iter().find(|(r, _)| r == "origin") {
            Some((_, u)) => u,
            None if remotes.len() == 1 => &remotes[0].1,
            None => return None,
        };
        Self::from_remote_url(url, from)
    }

    /// `owner/name`, as `github.repository` holds it.
    #[must_use]
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    /// Whether `slug` (`owner/name`, an action reference's first two parts) is this
    /// repository.
    #[must_use]
    pub fn is(&self, slug: &str) -> bool {
        slug.split_once('/').is_some_and(|(o, n)| {
            o.eq_ignore_ascii_case(&self.owner)
                && n.trim_end_matches('/').eq_ignore_ascii_case(&self.name)
        })
    }

    /// Whether `url` fetches something this repository publishes on GitHub: its release
    /// assets (`github.com/o/n/releases/…`), its files (`raw.githubusercontent.com/o/n/…`,
    /// `github.com/o/n/raw/…`), its archives, or its REST resources
    /// (`api.github.com/repos/o/n/…`). Whoever could change those can change the
    /// repository itself.
    #[must_use]
    pub fn publishes(&self, url: &str) -> bool {
        if self.host != "github.com" {
            return false;
        }
        let url = url.trim();
        let rest = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => rest,
            Some(_) => return false,
            None => url,
        };
        let mut parts = rest.split(['/', '?', '#']);
        let Some(host) = parts.next().and_then(host_of) else {
            return false;
        };
        let parts: Vec<&str> = parts.collect();
        let slug = match (host.as_str(), parts.as_slice()) {
            ("github.com" | "raw.githubusercontent.com", [o, n, _, ..])
            | ("api.github.com", ["repos", o, n, _, ..]) => format!("{o}/{n}"),
            _ => return false,
        };
        self.is(&slug)
    }
}

impl Repository {
    /// Whether `url` is on the repository's own site: an `https` host whose registered
    /// domain is named after the repository (`golangci-lint.run` for
    /// `golangci/golangci-lint`, `deno.land` for `denoland/deno`, `sh.rustup.rs` for
    /// `rust-lang/rustup`). Names of fewer than four characters are too common to tell.
    #[must_use]
    pub fn site(&self, url: &str) -> bool {
        let Some(("https", rest)) = url.trim().split_once("://") else {
            return false;
        };
        let Some(host) = rest.split(['/', '?', '#']).next().and_then(host_of) else {
            return false;
        };
        let labels: Vec<&str> = host.split('.').collect();
        let name = self.name.to_ascii_lowercase();
        name.len() >= 4 && labels.len() >= 2 && labels[labels.len() - 2].eq_ignore_ascii_case(&name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_named_after_the_repository_is_its_site() {
        let r = |slug: &str| Repository::from_slug(slug, "t").expect("slug");
        assert!(r("golangci/golangci-lint").site("https://golangci-lint.run/install.sh"));
        assert!(r("denoland/deno").site("https://deno.land/install.sh"));
        assert!(r("rust-lang/rustup").site("https://sh.rustup.rs"));
        assert!(r("Octo/Widget").site("https://get.widget.dev/x"));
        // Another name, a name inside a longer one, plain HTTP, a short name.
        assert!(!r("octo/widget").site("https://widgetry.io/install.sh"));
        assert!(!r("octo/widget").site("https://widget.example.com/x"));
        assert!(!r("octo/widget").site("http://widget.dev/x"));
        assert!(!r("astral-sh/uv").site("https://uv.dev/x"));
    }

    #[test]
    fn remote_urls_of_every_form() {
        for url in [
            "https://github.com/astral-sh/uv.git",
            "https://github.com/astral-sh/uv",
            "https://github.com/astral-sh/uv/",
            "git@github.com:astral-sh/uv.git",
            "ssh://git@github.com:22/astral-sh/uv.git",
            "https://user:token@github.com/astral-sh/uv.git",
        ] {
            let r = Repository::from_remote_url(url, "t").unwrap_or_else(|| panic!("{url}"));
            assert_eq!(
                (r.host.as_str(), r.full_name().as_str()),
                ("github.com", "astral-sh/uv"),
                "{url}"
            );
        }
        let gl = Repository::from_remote_url("git@gitlab.com:group/sub/project.git", "t")
            .expect("test value");
        assert_eq!(
            (gl.host.as_str(), gl.owner.as_str(), gl.name.as_str()),
            ("gitlab.com", "group/sub", "project")
        );
        for bad in [
            "",
            "https://github.com/",
            "https://github.com/only",
            "/local/path/repo",
            "../repo",
        ] {
            assert_eq!(Repository::from_remote_url(bad, "t"), None, "{bad}");
        }
    }

    #[test]
    fn the_origin_remote_of_a_git_config() {
        let text = "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = https://github.com/up/x.git\n[remote \"origin\"]\n\turl = git@github.com:me/x.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n[branch \"main\"]\n\tremote = origin\n";
        assert_eq!(
            Repository::from_git_config(text, "t")
                .expect("test value")
                .full_name(),
            "me/x"
        );
        let only = "[remote \"fork\"]\n  url = https://github.com/a/b\n";
        assert_eq!(
            Repository::from_git_config(only, "t")
                .expect("test value")
                .full_name(),
            "a/b"
        );
        let two = "[remote \"a\"]\nurl = https://github.com/a/b\n[remote \"c\"]\nurl = https://github.com/c/d\n";
        assert_eq!(Repository::from_git_config(two, "t"), None);
        assert_eq!(
            Repository::from_git_config("[core]\nurl = https://github.com/a/b\n", "t"),
            None
        );
    }

    #[test]
    fn what_the_repository_publishes() {
        let r = Repository::from_slug("astral-sh/uv", "t").expect("test value");
        for own in [
            "https://github.com/astral-sh/uv/releases/latest/download/uv.tar.gz",
            "https://GitHub.com/Astral-SH/UV/releases/download/v1/x.zip",
            "https://raw.githubusercontent.com/astral-sh/uv/main/install.sh",
            "https://api.github.com/repos/astral-sh/uv/releases/latest",
            "github.com/astral-sh/uv/archive/refs/tags/v1.tar.gz",
        ] {
            assert!(r.publishes(own), "{own}");
        }
        for other in [
            "https://github.com/astral-sh/ruff/releases/latest/download/x",
            "https://github.com/astral-sh/uv",
            "http://github.com/astral-sh/uv/releases/download/v1/x",
            "https://github.com.evil.example/astral-sh/uv/releases/x",
            "https://astral.sh/uv/install.sh",
            "https://api.github.com/astral-sh/uv/x",
        ] {
            assert!(!r.publishes(other), "{other}");
        }
        assert!(r.is("Astral-sh/uv") && r.is("astral-sh/uv/") && !r.is("astral-sh/uvx"));
        assert_eq!(Repository::from_slug("a/b/c", "t"), None);
        assert_eq!(Repository::from_slug("a/..", "t"), None);
    }
}

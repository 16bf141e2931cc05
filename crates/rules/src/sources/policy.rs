//! The package-source policy: each ecosystem's official public registry, plus the
//! `[policy.packages] allow` entries of the configuration.
//!
//! An entry with a scheme and no trailing `/` names one registry exactly; an entry ending
//! in `/` is a URL prefix; an entry without a scheme (`github.com/my-org`,
//! `gitlab.example.com`) is a host or an organisation, matched at a path boundary. URLs
//! compare without scheme, transport prefix, credentials, port, trailing `/` or `.git`.

use tollgate_engine::Context;
use tollgate_graph::util::host_of;
use tollgate_lockfile::{Ecosystem, is_default_registry, normalise_for_match};

/// Why a source passes.
pub enum Verdict {
    /// The ecosystem's official public registry.
    Default,
    /// Allowed by this configuration entry.
    Allowed,
    /// A registry on the runner itself.
    Local,
    Unknown,
}

/// Whether `entry` allows the source at `url` (a URL, or a Go module path).
#[must_use]
pub fn entry_matches(entry: &str, url: &str) -> bool {
    let e = entry.trim();
    let exact = e.contains("://") && !e.ends_with('/');
    let en = normalise_for_match(e);
    let un = normalise_for_match(url);
    if en.is_empty() {
        return false;
    }
    if exact {
        return un == en;
    }
    un == en || un.strip_prefix(&en).is_some_and(|r| r.starts_with('/'))
}

/// Judge a registry, git or archive URL of `ecosystem` (`None` for a git host or URL
/// that belongs to no registry). Entries that allow it are marked used.
pub fn judge(cx: &Context<'_>, ecosystem: Option<Ecosystem>, url: &str) -> Verdict {
    if ecosystem.is_some_and(|e| is_default_registry(e, url)) {
        return Verdict::Default;
    }
    // A registry on the runner itself (a Verdaccio started by the job to test
    // publishing) is no outside party.
    if host_of(url).is_some_and(|h| tollgate_model::addr::is_loopback(&h)) {
        return Verdict::Local;
    }
    match cx
        .config
        .policy
        .package_allow
        .iter()
        .find(|e| entry_matches(&e.value, url))
    {
        Some(e) => {
            e.mark_used();
            Verdict::Allowed
        }
        None => Verdict::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::entry_matches;

    #[test]
    fn entries() {
        let cases = [
            (
                "https://npm.example.internal/",
                "https://npm.example.internal/npm/",
                true,
            ),
            (
                "https://npm.example.internal",
                "https://npm.example.internal/",
                true,
            ),
            (
                "https://npm.example.internal",
                "https://npm.example.internal/other",
                false,
            ),
            (
                "github.com/my-org",
                "https://github.com/my-org/tool.git",
                true,
            ),
            (
                "github.com/my-org",
                "https://github.com/my-organisation/tool",
                false,
            ),
            (
                "gitlab.example.com",
                "git+ssh://git@gitlab.example.com/a/b",
                true,
            ),
            ("github.com/my-org", "github.com/my-org/fork", true),
            ("", "https://x/", false),
        ];
        for (e, u, want) in cases {
            assert_eq!(entry_matches(e, u), want, "{e} {u}");
        }
    }
}

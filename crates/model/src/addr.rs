//! Addresses that several front ends and rules read the same way: full commit ids, the
//! host of a URL, URLs that name GitHub content by commit and container image references.
//! One definition each, so a lockfile, a `run:` script, the graph and a rule cannot
//! disagree about what is pinned or where.

/// Whether `s` is a full SHA-1 commit id: exactly 40 hexadecimal digits (either case).
/// Abbreviated ids are not: a short prefix can be made to collide.
#[must_use]
pub fn is_commit_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The host of a URL-like string, lowercase (RFC 3986: hosts are case-insensitive),
/// without user, port, path or a trailing root dot. Accepts `scheme://`, `git+https://`,
/// scp-like `git@host:org/repo` and bare `host/path`; returns `None` when the host part
/// is dynamic (`${…}`, `$VAR`) or empty.
#[must_use]
pub fn host_of(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = match url.split_once("://") {
        // RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). Anything else
        // (`${SCHEME}://…`) is not a URL we can read a host from.
        Some((scheme, rest))
            if scheme
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic())
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')) =>
        {
            rest
        }
        Some(_) => return None,
        None => {
            // scp-like `git@github.com:org/repo.git`: a colon before any slash.
            match url.split_once(':') {
                Some((h, _)) if !h.contains('/') && h.contains('@') => h,
                _ => url,
            }
        }
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = if host.starts_with('[') {
        // An IPv6 literal keeps both brackets; drop only a port after them.
        host.find(']').map_or(host, |i| &host[..=i])
    } else {
        host.split(':').next().unwrap_or(host)
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let valid = !host.is_empty()
        && host.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'[' | b']' | b':')
        });
    valid.then_some(host)
}

/// Whether a host (as [`host_of`] gives it; IPv6 literals with or without brackets)
/// is the runner itself: `localhost` and its subdomains, `127.0.0.0/8`, `::1`,
/// `0.0.0.0`. A registry or service there (a Verdaccio the job starts, a service
/// container's published port) is no outside party.
#[must_use]
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h == "localhost"
        || h.ends_with(".localhost")
        || h.starts_with("127.")
        || h == "::1"
        || h == "0.0.0.0"
}

/// Whether a host is link-local: `169.254.0.0/16` and `fe80::/10`, where the cloud
/// instance metadata service answers (`169.254.169.254`, and AWS's `fd00:ec2::254`), in
/// plain HTTP by design.
#[must_use]
pub fn is_link_local(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.starts_with("169.254.") || h.starts_with("fe80:") || h == "fd00:ec2::254"
}

/// True for `https://raw.githubusercontent.com/<owner>/<repo>/<40-hex>/…` and
/// `https://github.com/<owner>/<repo>/raw|blob/<40-hex>/…`: content addressed by commit,
/// which nobody can change (Scorecard counts these as pinned). Only over `https` (or with
/// no scheme written): content fetched over plain `http` can be swapped on the way, commit
/// or not. Scheme and host compare case-insensitively.
#[must_use]
pub fn is_commit_pinned_github_url(url: &str) -> bool {
    let url = url.trim();
    let rest = match url.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => rest,
        Some(_) => return false,
        None => url,
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let Some((first, path)) = parts.split_first() else {
        return false;
    };
    let Some(host) = host_of(first) else {
        return false;
    };
    match (host.as_str(), path) {
        ("raw.githubusercontent.com", [_, _, r, ..]) => is_commit_sha(r),
        ("github.com", [_, _, "raw" | "blob", r, ..]) => is_commit_sha(r),
        _ => false,
    }
}

/// A container image reference split into its parts: the code base's one reading of
/// `[registry/]name[:tag][@digest]`, shared by the graph (pin state, registry host) and
/// the rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Everything before the tag: `[registry[:port]/]path`.
    pub name: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Parse `[registry/]name[:tag][@algo:hex]`, with or without a `docker://` prefix.
    /// A `:` before the last `/` is a registry port, not a tag.
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

    /// The registry named before the first `/` when it looks like a host (has a dot or a
    /// port, or is `localhost`), as Docker reads it; `None` means Docker Hub.
    #[must_use]
    pub fn registry(&self) -> Option<&'a str> {
        match self.name.split_once('/') {
            Some((first, _))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                Some(first)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_and_link_local_hosts() {
        for h in [
            "localhost",
            "api.localhost",
            "127.0.0.1",
            "127.1.2.3",
            "[::1]",
            "::1",
            "0.0.0.0",
        ] {
            assert!(is_loopback(h), "{h}");
        }
        for h in [
            "localhost.example.com",
            "128.0.0.1",
            "[::2]",
            "169.254.169.254",
        ] {
            assert!(!is_loopback(h), "{h}");
        }
        for h in ["169.254.169.254", "[fd00:ec2::254]", "fe80::1"] {
            assert!(is_link_local(h), "{h}");
        }
        for h in ["169.255.0.1", "10.0.0.1", "localhost"] {
            assert!(!is_link_local(h), "{h}");
        }
        assert_eq!(host_of("http://[::1]:8080/x").as_deref(), Some("[::1]"));
    }

    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn commit_shas() {
        let cases = [
            (SHA, true),
            ("0123456789ABCDEF0123456789ABCDEF01234567", true),
            (&SHA[..39], false),
            ("0123456789abcdef0123456789abcdef012345678", false),
            ("0123456789abcdef0123456789abcdef0123456g", false),
            ("", false),
            ("v1.2.3", false),
        ];
        for (s, want) in cases {
            assert_eq!(is_commit_sha(s), want, "{s}");
        }
    }

    #[test]
    fn hosts() {
        let cases = [
            ("https://registry.npmjs.org/", Some("registry.npmjs.org")),
            ("git+https://github.com/a/b.git", Some("github.com")),
            ("git@github.com:org/repo.git", Some("github.com")),
            ("http://user:pw@Example.COM:8080/x", Some("example.com")),
            ("sparse+https://index.crates.io/", Some("index.crates.io")),
            ("https://pypi.org./simple", Some("pypi.org")),
            ("https://[::1]:8080/x", Some("[::1]")),
            ("https://h.example?x=1", Some("h.example")),
            ("https://${NPM_HOST}/", None),
            ("${SCHEME}://example.com/x", None),
            ("://example.com/x", None),
            ("$URL", None),
            ("", None),
            ("file:///srv/wheels", None),
            (
                "pypi.example.internal/simple",
                Some("pypi.example.internal"),
            ),
        ];
        for (url, want) in cases {
            assert_eq!(host_of(url).as_deref(), want, "{url}");
        }
    }

    #[test]
    fn commit_pinned_urls() {
        let cases = [
            (
                format!("https://raw.githubusercontent.com/o/r/{SHA}/install.sh"),
                true,
            ),
            (
                format!("raw.githubusercontent.com/o/r/{SHA}/install.sh"),
                true,
            ),
            (
                format!("HTTPS://Raw.GitHubUserContent.com/o/r/{SHA}/x"),
                true,
            ),
            (format!("https://github.com/o/r/raw/{SHA}/x.sh"), true),
            (format!("https://github.com/o/r/blob/{SHA}/x.sh"), true),
            (
                "https://raw.githubusercontent.com/o/r/main/install.sh".into(),
                false,
            ),
            (format!("https://github.com/o/r/tree/{SHA}/x"), false),
            (
                format!("https://raw.githubusercontent.com/o/r/{}/x", &SHA[..7]),
                false,
            ),
            // Plain http: anyone on the path can answer with other content.
            (
                format!("http://raw.githubusercontent.com/o/r/{SHA}/x"),
                false,
            ),
            (format!("https://example.com/o/r/{SHA}/x"), false),
            (
                format!("https://raw.githubusercontent.com.evil.example/o/r/{SHA}/x"),
                false,
            ),
        ];
        for (url, want) in cases {
            assert_eq!(is_commit_pinned_github_url(&url), want, "{url}");
        }
    }

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
        assert!(!ImageRef::parse("alpine:3").is_floating());
    }

    #[test]
    fn image_registries() {
        let cases = [
            ("node:20", None),
            ("library/alpine:3", None),
            ("ghcr.io/owner/app@sha256:abc", Some("ghcr.io")),
            ("localhost:5000/x", Some("localhost:5000")),
            ("localhost/x", Some("localhost")),
            ("docker://quay.io/x/y:1", Some("quay.io")),
        ];
        for (img, want) in cases {
            assert_eq!(ImageRef::parse(img).registry(), want, "{img}");
        }
    }
}

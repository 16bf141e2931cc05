//! Host names, `host[:port]` endpoints and wildcard matching as allow-lists use them, the
//! hosts behind a container registry, and the shared-hosting test for wildcards.

use crate::kb::{self, SharedDomain};

/// The port of an endpoint written without one: HTTPS.
pub const DEFAULT_PORT: u16 = 443;

/// One allow-list entry or destination: `host`, `host:port`, `*.domain[:port]` or `*`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Endpoint {
    /// Lowercase, without a trailing dot; `*.domain` for a wildcard, `*` for everything.
    pub host: String,
    /// `None` when the entry names no port.
    pub port: Option<u16>,
}

impl Endpoint {
    /// Parse an allow-list entry. Schemes and paths are tolerated (`https://x/y` is `x`)
    /// because people paste URLs; `None` for an empty or malformed entry.
    #[must_use]
    pub fn parse(entry: &str) -> Option<Self> {
        let e = entry.trim();
        let e = e.split_once("://").map_or(e, |(_, r)| r);
        let e = e.split(['/', '?', '#']).next().unwrap_or("");
        if e.is_empty() {
            return None;
        }
        let (host, port) = match e.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') => (h, Some(p.parse::<u16>().ok()?)),
            _ => (e, None),
        };
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let ok = !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'*'));
        ok.then_some(Self { host, port })
    }

    /// A wildcard (`*.domain`) or everything (`*`).
    #[must_use]
    pub fn is_wildcard(&self) -> bool {
        self.host.starts_with('*')
    }

    /// Whether this allow-list entry lets through `host` on `port`. A wildcard
    /// `*.domain` covers every name below `domain` (not `domain` itself) and any narrower
    /// wildcard; `*` covers everything. An entry without a port allows any port when
    /// `any_port` (tollgate's config) and only 443 otherwise (harden-runner).
    #[must_use]
    pub fn allows(&self, host: &str, port: u16, any_port: bool) -> bool {
        let port_ok = match self.port {
            Some(p) => p == port,
            None => any_port || port == DEFAULT_PORT,
        };
        port_ok && host_covered(&self.host, host)
    }
}

/// Whether the host pattern `pattern` covers `host` (which may itself be a wildcard).
#[must_use]
pub fn host_covered(pattern: &str, host: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if pattern == host {
        return true;
    }
    let Some(base) = pattern.strip_prefix("*.") else {
        return false;
    };
    // `*.a.com` covers `x.a.com`, `x.y.a.com` and the narrower wildcard `*.y.a.com`.
    let name = host.strip_prefix("*.").unwrap_or(host);
    name.len() > base.len()
        && name.ends_with(base)
        && name.as_bytes().get(name.len() - base.len() - 1) == Some(&b'.')
}

/// The shared hosting domain a wildcard entry spans, when it is broad: a bare `*`, or
/// `*.X` where anyone can register a name under `X` (X is a shared domain or a parent of
/// one). Returns the domain's description; `Some(None)` for a bare `*`.
#[must_use]
pub fn broad_wildcard(entry: &str) -> Option<Option<&'static SharedDomain>> {
    let e = Endpoint::parse(entry)?;
    if e.host == "*" {
        return Some(None);
    }
    let base = e.host.strip_prefix("*.")?;
    let x: Vec<&str> = base.split('.').collect();
    kb::shared()
        .domain
        .iter()
        .find(|d| {
            let p: Vec<&str> = d.suffix.split('.').collect();
            x.len() <= p.len()
                && x.iter()
                    .rev()
                    .zip(p.iter().rev())
                    .all(|(a, b)| *b == "*" || a == b)
        })
        .map(Some)
}

/// The hosts pulling an image from `registry` contacts: the registry itself (unless the
/// knowledge base replaces the name, as for `docker.io`) plus its blob and auth hosts.
#[must_use]
pub fn registry_hosts(registry: &str) -> Vec<String> {
    let kb = kb::kb();
    let registry = registry.to_ascii_lowercase();
    for r in &kb.registry {
        let Some(caps) = tollgate_lockfile::glob::captures(&r.pattern, &registry) else {
            continue;
        };
        let mut out = Vec::new();
        if !r.replace {
            out.push(registry.clone());
        }
        for h in kb.expand(&r.hosts) {
            let mut h = h;
            for (i, c) in caps.iter().enumerate() {
                h = h.replace(&format!("{{{}}}", i + 1), c);
            }
            if !out.contains(&h) {
                out.push(h);
            }
        }
        return out;
    }
    vec![registry]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_entries() {
        let cases = [
            ("github.com:443", Some(("github.com", Some(443)))),
            ("GitHub.com", Some(("github.com", None))),
            (
                "*.actions.githubusercontent.com:443",
                Some(("*.actions.githubusercontent.com", Some(443))),
            ),
            ("https://pypi.org/simple", Some(("pypi.org", None))),
            ("*", Some(("*", None))),
            ("x.com:http", None),
            ("", None),
            ("bad host", None),
        ];
        for (s, want) in cases {
            let got = Endpoint::parse(s);
            assert_eq!(got.as_ref().map(|e| (e.host.as_str(), e.port)), want, "{s}");
        }
    }

    #[test]
    fn matching() {
        let e = |s| Endpoint::parse(s).expect("entry");
        assert!(e("github.com:443").allows("github.com", 443, false));
        assert!(!e("github.com:443").allows("api.github.com", 443, false));
        assert!(e("github.com").allows("github.com", 443, false));
        assert!(!e("github.com").allows("github.com", 80, false));
        assert!(e("github.com").allows("github.com", 80, true));
        assert!(e("*.example.com").allows("a.example.com", 443, true));
        assert!(e("*.example.com").allows("a.b.example.com", 443, true));
        assert!(!e("*.example.com").allows("example.com", 443, true));
        assert!(!e("*.example.com").allows("badexample.com", 443, true));
        assert!(e("*.githubusercontent.com").allows("*.actions.githubusercontent.com", 443, true));
        assert!(!e("*.actions.githubusercontent.com").allows("*.githubusercontent.com", 443, true));
        assert!(e("*").allows("anything.io", 8080, true));
    }

    #[test]
    fn broad_wildcards() {
        let broad = |s| broad_wildcard(s).is_some();
        assert!(broad("*.blob.core.windows.net:443"));
        assert!(broad("*.core.windows.net"));
        assert!(broad("*"));
        assert!(broad("*.s3.amazonaws.com"));
        assert!(broad("*.s3.eu-west-1.amazonaws.com"));
        assert!(broad("*.amazonaws.com"));
        assert!(broad("*.githubusercontent.com"));
        assert!(broad("*.com"));
        assert!(!broad("*.actions.githubusercontent.com"));
        assert!(!broad("*.data.mcr.microsoft.com"));
        assert!(!broad("*.mybucket.s3.amazonaws.com"));
        assert!(!broad("github.com"));
        assert!(!broad("*.example.com"));
    }

    #[test]
    fn registries() {
        assert_eq!(
            registry_hosts("docker.io"),
            [
                "registry-1.docker.io",
                "auth.docker.io",
                "production.cloudflare.docker.com",
                "production.cloudfront.docker.com",
                "docker-images-prod.6aa30f8b08e16409b46e0173d6de2f56.r2.cloudflarestorage.com"
            ]
        );
        assert_eq!(
            registry_hosts("ghcr.io"),
            ["ghcr.io", "pkg-containers.githubusercontent.com"]
        );
        assert_eq!(
            registry_hosts("123456789012.dkr.ecr.us-east-1.amazonaws.com"),
            [
                "123456789012.dkr.ecr.us-east-1.amazonaws.com",
                "prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com"
            ]
        );
        assert_eq!(registry_hosts("quay.example.com"), ["quay.example.com"]);
    }
}

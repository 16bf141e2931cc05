//! The digest an image tag names today, from its registry (the OCI distribution API):
//! `HEAD /v2/{repository}/manifests/{tag}` accepting image indexes and manifests, whose
//! `Docker-Content-Digest` is the digest to pin; a `401` with a `Bearer` challenge is
//! answered with an anonymous token from the challenge's realm (Docker Hub, GHCR, Quay…).
//!
//! `TOLLGATE_REGISTRY_URL` sends every registry request to one base URL instead (a mirror,
//! or a local server in tests); a token realm must then be on that server too.

use std::collections::BTreeMap;
use std::time::Duration;

use tollgate_model::addr::ImageRef;

use crate::Resolved;

const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

/// The registry client of one run.
pub struct Registry {
    agent: ureq::Agent,
    base: Option<String>,
    /// Answers of this run, by image.
    answers: BTreeMap<String, Resolved>,
    limited: bool,
    /// Requests made.
    pub requests: usize,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// `realm`, `service` and `scope` of a `Bearer` challenge.
fn challenge(header: &str) -> Option<BTreeMap<String, String>> {
    let rest = header
        .trim()
        .strip_prefix("Bearer ")
        .or_else(|| header.trim().strip_prefix("bearer "))?;
    let mut out = BTreeMap::new();
    let mut s = rest;
    while let Some((k, v)) = s.split_once('=') {
        let k = k.trim().trim_start_matches(',').trim().to_ascii_lowercase();
        let v = v.trim_start();
        let (value, tail) = match v.strip_prefix('"') {
            Some(q) => {
                let end = q.find('"')?;
                (&q[..end], &q[end + 1..])
            }
            None => v.split_once(',').map_or((v, ""), |(a, b)| (a, b)),
        };
        out.insert(k, value.to_owned());
        s = tail.trim_start().trim_start_matches(',');
    }
    Some(out)
}

/// `sha256:` and 64 hex digits.
fn is_digest(s: &str) -> bool {
    s.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The registry host and repository path of an image (`node` → Docker Hub's
/// `library/node`).
fn locate(image: &ImageRef<'_>) -> Option<(String, String)> {
    let (host, repo) = match image.registry() {
        Some(r) => (
            r.to_ascii_lowercase(),
            image.name.split_once('/')?.1.to_owned(),
        ),
        None if image.name.contains('/') => {
            ("registry-1.docker.io".to_owned(), image.name.to_owned())
        }
        None => (
            "registry-1.docker.io".to_owned(),
            format!("library/{}", image.name),
        ),
    };
    let host = if host == "docker.io" || host == "index.docker.io" {
        "registry-1.docker.io".to_owned()
    } else {
        host
    };
    let ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/' | b':'))
            && !s.contains("..")
    };
    (ok(&host) && ok(&repo)).then_some((host, repo.to_ascii_lowercase()))
}

impl Registry {
    #[must_use]
    pub fn from_env() -> Self {
        Self::new(
            std::env::var("TOLLGATE_REGISTRY_URL")
                .ok()
                .filter(|s| !s.is_empty()),
        )
    }

    #[must_use]
    pub fn new(base: Option<String>) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(15)))
            .http_status_as_error(false)
            .user_agent(concat!("tollgate/", env!("CARGO_PKG_VERSION")))
            .build();
        Self {
            agent: config.into(),
            base: base.map(|b| b.trim_end_matches('/').to_owned()),
            answers: BTreeMap::new(),
            limited: false,
            requests: 0,
        }
    }

    /// Whether a registry's rate limit stopped the look-ups of this run.
    #[must_use]
    pub const fn rate_limited(&self) -> bool {
        self.limited
    }

    /// The digest the tag of `image` (`latest` when it has none) names today.
    pub fn digest_of(&mut self, image: &str) -> Resolved {
        if let Some(r) = self.answers.get(image) {
            return r.clone();
        }
        let r = self.ask(image);
        if !matches!(r, Resolved::RateLimited) {
            self.answers.insert(image.to_owned(), r.clone());
        }
        r
    }

    fn ask(&mut self, image: &str) -> Resolved {
        let parsed = ImageRef::parse(image);
        if parsed.digest.is_some() {
            return Resolved::NotFound;
        }
        let tag = parsed.tag.unwrap_or("latest");
        let Some((host, repo)) = locate(&parsed) else {
            return Resolved::NotFound;
        };
        if tag.is_empty()
            || !tag
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        {
            return Resolved::NotFound;
        }
        if self.limited {
            return Resolved::RateLimited;
        }
        let base = self
            .base
            .clone()
            .unwrap_or_else(|| format!("https://{host}"));
        let url = format!("{base}/v2/{repo}/manifests/{tag}");
        let mut token: Option<String> = None;
        for attempt in 0..2 {
            let mut req = self.agent.head(&url).header("Accept", ACCEPT);
            if let Some(t) = &token {
                req = req.header("Authorization", &format!("Bearer {t}"));
            }
            self.requests += 1;
            let resp = match req.call() {
                Ok(r) => r,
                Err(e) => return Resolved::Failed(e.to_string()),
            };
            let header = |name: &str| {
                resp.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.trim().to_owned())
            };
            match resp.status().as_u16() {
                200 => {
                    return match header("docker-content-digest") {
                        Some(d) if is_digest(&d) => Resolved::Found(d.to_ascii_lowercase()),
                        _ => Resolved::NotFound,
                    };
                }
                401 if attempt == 0 => {
                    let Some(c) = header("www-authenticate").as_deref().and_then(challenge) else {
                        return Resolved::Failed(
                            "the registry asked for credentials it did not describe".into(),
                        );
                    };
                    match self.token(&c) {
                        Ok(t) => token = Some(t),
                        Err(r) => return r,
                    }
                }
                429 => {
                    self.limited = true;
                    return Resolved::RateLimited;
                }
                401 | 403 | 404 => return Resolved::NotFound,
                other => return Resolved::Failed(format!("the registry answered {other}")),
            }
        }
        Resolved::NotFound
    }

    /// An anonymous pull token from a challenge's realm (https only, unless every request
    /// goes to the configured base, whose realm must then be on it too).
    fn token(&mut self, c: &BTreeMap<String, String>) -> Result<String, Resolved> {
        let realm = c.get("realm").ok_or(Resolved::NotFound)?;
        let allowed = match &self.base {
            Some(b) => realm.starts_with(b.as_str()),
            None => realm.starts_with("https://"),
        };
        if !allowed {
            return Err(Resolved::Failed(format!("refused token realm `{realm}`")));
        }
        let mut req = self.agent.get(realm);
        for k in ["service", "scope"] {
            if let Some(v) = c.get(k) {
                req = req.query(k, v);
            }
        }
        self.requests += 1;
        let resp = req.call().map_err(|e| Resolved::Failed(e.to_string()))?;
        if resp.status().as_u16() == 429 {
            self.limited = true;
            return Err(Resolved::RateLimited);
        }
        if resp.status().as_u16() != 200 {
            return Err(Resolved::NotFound);
        }
        let body = resp
            .into_body()
            .with_config()
            .limit(64 << 10)
            .read_to_string()
            .map_err(|e| Resolved::Failed(e.to_string()))?;
        let v: serde_json::Value = serde_json::from_str(&body).map_err(|_| Resolved::NotFound)?;
        v["token"]
            .as_str()
            .or_else(|| v["access_token"].as_str())
            .map(str::to_owned)
            .ok_or(Resolved::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_and_locations() {
        let c = challenge(r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/node:pull""#)
            .expect("challenge");
        assert_eq!(c["realm"], "https://auth.docker.io/token");
        assert_eq!(c["scope"], "repository:library/node:pull");
        let at = |s: &str| locate(&ImageRef::parse(s));
        assert_eq!(
            at("node:20"),
            Some(("registry-1.docker.io".into(), "library/node".into()))
        );
        assert_eq!(
            at("bitnami/redis"),
            Some(("registry-1.docker.io".into(), "bitnami/redis".into()))
        );
        assert_eq!(
            at("ghcr.io/Org/App:1"),
            Some(("ghcr.io".into(), "org/app".into()))
        );
        assert_eq!(
            at("docker.io/library/alpine"),
            Some(("registry-1.docker.io".into(), "library/alpine".into()))
        );
        assert_eq!(at("ghcr.io/a/../b"), None);
    }
}

//! The online look-ups tollgate makes only when a user asks for them (`fix --online`):
//! the commit an action's tag or branch names today, through the GitHub REST API, and the
//! digest an image tag names today, from its registry ([`Registry`]).
//!
//! - One request per `owner/repo@ref`: `GET /repos/{owner}/{repo}/commits/{ref}` with the
//!   `application/vnd.github.sha` media type, whose body is the 40-hex commit (an annotated
//!   tag is followed to its commit).
//! - A token from `GITHUB_TOKEN` or `GH_TOKEN` when set (60 requests an hour without one,
//!   5,000 with one).
//! - A cache of answers in `$TOLLGATE_CACHE_DIR`, else `$XDG_CACHE_HOME/tollgate`, else
//!   `~/.cache/tollgate` (`github-refs.json`), kept a day: a tag asked for again within
//!   the day is not requested again.
//! - Rate limits: a 403 or 429 with `x-ratelimit-remaining: 0` or `retry-after` stops every
//!   further request of the run; the caller says how many references were left.
//! - `TOLLGATE_GITHUB_API` replaces `https://api.github.com` (GitHub Enterprise Server's
//!   `https://HOST/api/v3`, or a local server in tests).

mod registry;

pub use registry::Registry;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tollgate_model::addr::is_commit_sha;

/// What a look-up gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// The full commit SHA (lowercase), or the image digest (`sha256:…`).
    Found(String),
    /// No such repository or ref (404, 422), or an answer that is not a commit.
    NotFound,
    /// The API's rate limit is reached: nothing more is asked in this run.
    RateLimited,
    /// The request failed (network, TLS, timeout, a 5xx); the message says how.
    Failed(String),
}

/// How long a cached answer is used.
const CACHE_TTL: u64 = 24 * 60 * 60;
/// The cache file is read only up to this size (it holds a few hundred bytes per ref).
const CACHE_MAX: u64 = 8 << 20;

/// The GitHub client of one run.
pub struct GitHub {
    agent: ureq::Agent,
    api: String,
    token: Option<String>,
    cache_path: Option<PathBuf>,
    cache: BTreeMap<String, (String, u64)>,
    /// Refs the API said do not exist, in this run (never written to the cache).
    missing: std::collections::BTreeSet<String>,
    dirty: bool,
    limited: bool,
    /// Requests made (not answered from the cache).
    pub requests: usize,
}

impl std::fmt::Debug for GitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("GitHub")
            .field("api", &self.api)
            .field("token", &self.token.as_ref().map(|_| "set"))
            .finish_non_exhaustive()
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The cache directory the environment names.
fn cache_dir() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("TOLLGATE_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("tollgate")))
        .or_else(|| var("HOME").map(|h| h.join(".cache").join("tollgate")))
}

/// An owner or repository name as GitHub allows them.
fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A ref percent-encoded for the URL path (`/` kept: a branch may hold it).
fn encode_ref(r: &str) -> String {
    let mut out = String::with_capacity(r.len());
    for b in r.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl GitHub {
    /// A client configured from the environment (see the module documentation).
    #[must_use]
    pub fn from_env() -> Self {
        let api = std::env::var("TOLLGATE_GITHUB_API")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "https://api.github.com".to_owned());
        let token = ["GITHUB_TOKEN", "GH_TOKEN"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|t| !t.trim().is_empty()));
        Self::new(api, token, cache_dir().map(|d| d.join("github-refs.json")))
    }

    /// A client of `api` (no trailing slash needed), with `token`, caching in `cache`.
    #[must_use]
    pub fn new(api: String, token: Option<String>, cache: Option<PathBuf>) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(15)))
            .http_status_as_error(false)
            .user_agent(concat!("tollgate/", env!("CARGO_PKG_VERSION")))
            .build();
        let mut cache_map = BTreeMap::new();
        if let Some(p) = &cache
            && std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.len() <= CACHE_MAX)
            && let Ok(text) = std::fs::read_to_string(p)
            && let Ok(serde_json::Value::Object(map)) = serde_json::from_str(&text)
        {
            for (k, v) in map {
                if let (Some(sha), Some(at)) = (v["commit"].as_str(), v["at"].as_u64())
                    && is_commit_sha(sha)
                {
                    cache_map.insert(k, (sha.to_owned(), at));
                }
            }
        }
        Self {
            agent: config.into(),
            api: api.trim_end_matches('/').to_owned(),
            token,
            cache_path: cache,
            cache: cache_map,
            missing: std::collections::BTreeSet::new(),
            dirty: false,
            limited: false,
            requests: 0,
        }
    }

    /// Whether the rate limit stopped the look-ups of this run.
    #[must_use]
    pub const fn rate_limited(&self) -> bool {
        self.limited
    }

    /// The commit `git_ref` of `owner/repo` names.
    pub fn commit_of(&mut self, owner: &str, repo: &str, git_ref: &str) -> Resolved {
        if !valid_name(owner) || !valid_name(repo) || git_ref.is_empty() || git_ref.contains("..") {
            return Resolved::NotFound;
        }
        let key = format!("{}/{owner}/{repo}@{git_ref}", self.api).to_ascii_lowercase();
        if let Some((sha, at)) = self.cache.get(&key)
            && now().saturating_sub(*at) < CACHE_TTL
        {
            return Resolved::Found(sha.clone());
        }
        if self.missing.contains(&key) {
            return Resolved::NotFound;
        }
        if self.limited {
            return Resolved::RateLimited;
        }
        let url = format!(
            "{}/repos/{owner}/{repo}/commits/{}",
            self.api,
            encode_ref(git_ref)
        );
        let mut req = self
            .agent
            .get(&url)
            .header("Accept", "application/vnd.github.sha")
            .header("X-GitHub-Api-Version", "2022-11-28");
        if let Some(t) = &self.token {
            req = req.header("Authorization", &format!("Bearer {t}"));
        }
        self.requests += 1;
        let resp = match req.call() {
            Ok(r) => r,
            Err(e) => return Resolved::Failed(e.to_string()),
        };
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .map(str::to_owned)
        };
        let limited = matches!(status, 403 | 429)
            && (header("x-ratelimit-remaining").as_deref() == Some("0")
                || header("retry-after").is_some());
        if limited {
            self.limited = true;
            return Resolved::RateLimited;
        }
        match status {
            200 => {
                let body = resp.into_body().with_config().limit(1024).read_to_string();
                match body.map(|b| b.trim().to_ascii_lowercase()) {
                    Ok(sha) if is_commit_sha(&sha) => {
                        self.cache.insert(key, (sha.clone(), now()));
                        self.dirty = true;
                        Resolved::Found(sha)
                    }
                    Ok(_) => Resolved::NotFound,
                    Err(e) => Resolved::Failed(e.to_string()),
                }
            }
            404 | 422 => {
                self.missing.insert(key);
                Resolved::NotFound
            }
            other => Resolved::Failed(format!("the API answered {other}")),
        }
    }

    /// Write the cache back (best effort: a cache that cannot be written is not an error
    /// of the run).
    pub fn save(&mut self) {
        let Some(p) = &self.cache_path else { return };
        if !self.dirty {
            return;
        }
        let fresh = now();
        let map: serde_json::Map<String, serde_json::Value> = self
            .cache
            .iter()
            .filter(|(_, (_, at))| fresh.saturating_sub(*at) < CACHE_TTL)
            .map(|(k, (sha, at))| (k.clone(), serde_json::json!({ "commit": sha, "at": at })))
            .collect();
        if let Some(dir) = p.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Ok(text) = serde_json::to_string_pretty(&serde_json::Value::Object(map)) {
            let _ = std::fs::write(p, text);
        }
        self.dirty = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_refs_are_checked_and_encoded() {
        assert!(valid_name("actions") && valid_name("setup-node.js"));
        assert!(!valid_name("..") && !valid_name("a/b") && !valid_name("a?b"));
        assert_eq!(encode_ref("releases/v1 x#"), "releases/v1%20x%23");
    }

    #[test]
    fn invalid_names_are_not_requested() {
        let mut gh = GitHub::new("http://127.0.0.1:9".into(), None, None);
        assert_eq!(gh.commit_of("..", "r", "v1"), Resolved::NotFound);
        assert_eq!(gh.commit_of("o", "r", "a/../b"), Resolved::NotFound);
        assert_eq!(gh.requests, 0);
    }
}

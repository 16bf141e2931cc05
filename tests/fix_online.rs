//! `tollgate fix --online` against a local HTTP server that answers as the GitHub REST API
//! does (`GET /repos/{owner}/{repo}/commits/{ref}` with the `application/vnd.github.sha`
//! media type: the commit as the body), from the answers in `testdata/online/answers.json`:
//! pins from the API, the token sent, the cache used, the rate limit obeyed, and no
//! request at all without `--online`.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use common::{testdata, tollgate, write};

/// Requests the server saw: (path, authorization header).
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A server answering every request from `answers` (path without query → status, headers,
/// body; `unauthorized`, when present, is the answer to a request without an
/// `Authorization` header; `{url}` in a header is the server's own URL) and 404 otherwise;
/// its base URL and what it saw.
fn server(answers: serde_json::Value) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let own = url.clone();
    let seen: Seen = Arc::default();
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut words = line.split_whitespace();
            let method = words.next().unwrap_or("").to_owned();
            let target = words.next().unwrap_or("").to_owned();
            let path = target.split('?').next().unwrap_or("").to_owned();
            let mut auth = None;
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = h.split_once(':')
                    && k.eq_ignore_ascii_case("authorization")
                {
                    auth = Some(v.trim().to_owned());
                }
            }
            log.lock()
                .expect("log")
                .push((target.clone(), auth.clone()));
            let mut answer = answers.get(&path);
            if auth.is_none()
                && let Some(u) = answer.and_then(|a| a.get("unauthorized"))
            {
                answer = Some(u);
            }
            let status = answer.and_then(|a| a["status"].as_u64()).unwrap_or(404);
            let body = answer
                .and_then(|a| a["body"].as_str())
                .unwrap_or("{\"message\":\"Not Found\"}");
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            if let Some(h) = answer.and_then(|a| a["headers"].as_object()) {
                for (k, v) in h {
                    head.push_str(&format!(
                        "{k}: {}\r\n",
                        v.as_str().unwrap_or("").replace("{url}", &own)
                    ));
                }
            }
            head.push_str("\r\n");
            let mut s = stream;
            let _ = s.write_all(head.as_bytes());
            if method != "HEAD" {
                let _ = s.write_all(body.as_bytes());
            }
        }
    });
    (url, seen)
}

fn answers(name: &str) -> serde_json::Value {
    let all: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(testdata("online/answers.json")).expect("answers"),
    )
    .expect("json");
    all[name].clone()
}

const WF: &str = "on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - uses: actions/setup-node@v4
";

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("git");
    write(dir.path(), ".github/workflows/ci.yml", WF);
    dir
}

fn fix(dir: &Path, url: &str, cache: &Path, extra: &[&str]) -> std::process::Output {
    tollgate()
        .current_dir(dir)
        .env("TOLLGATE_GITHUB_API", url)
        .env("TOLLGATE_CACHE_DIR", cache)
        .env("GITHUB_TOKEN", "test-token")
        .env_remove("GH_TOKEN")
        .args(["fix", "--select", "unpinned-action"])
        .args(extra)
        .arg(".")
        .output()
        .expect("runs")
}

fn read(dir: &Path) -> String {
    std::fs::read_to_string(dir.join(".github/workflows/ci.yml")).expect("read")
}

#[test]
fn online_pins_what_the_api_knows_sends_the_token_and_caches() {
    let (url, seen) = server(answers("ok"));
    let cache = tempfile::tempdir().expect("cache");
    let dir = repo();
    let out = fix(dir.path(), &url, cache.path(), &["--online"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    // checkout's v4 is known to the server; setup-node's v4 is not (404): left as it was.
    let expected = WF.replace(
        "actions/checkout@v4\n",
        "actions/checkout@08eba0b27e820071cde6df949e0beb9ba4906955 # v4\n",
    );
    assert_eq!(read(dir.path()), expected);
    let requests = seen.lock().expect("seen").clone();
    assert_eq!(
        requests,
        [
            (
                "/repos/actions/checkout/commits/v4".to_owned(),
                Some("Bearer test-token".to_owned())
            ),
            (
                "/repos/actions/setup-node/commits/v4".to_owned(),
                Some("Bearer test-token".to_owned())
            ),
        ]
    );
    // A second repository within the day: checkout's commit comes from the cache.
    let again = repo();
    fix(again.path(), &url, cache.path(), &["--online"]);
    assert_eq!(read(again.path()), expected);
    let requests = seen.lock().expect("seen").clone();
    assert_eq!(requests.len(), 3, "{requests:?}");
    assert_eq!(requests[2].0, "/repos/actions/setup-node/commits/v4");
}

#[test]
fn the_rate_limit_stops_the_lookups_and_is_reported() {
    let (url, seen) = server(answers("rate-limited"));
    let cache = tempfile::tempdir().expect("cache");
    let dir = repo();
    let out = fix(dir.path(), &url, cache.path(), &["--online"]);
    assert_eq!(read(dir.path()), WF);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("2 references left unpinned") && stderr.contains("rate limit"),
        "{stderr}"
    );
    // The first 403 stops the run's requests.
    assert_eq!(seen.lock().expect("seen").len(), 1);
}

#[test]
fn without_online_no_request_is_made() {
    let (url, seen) = server(answers("ok"));
    let cache = tempfile::tempdir().expect("cache");
    let dir = repo();
    fix(dir.path(), &url, cache.path(), &[]);
    assert_eq!(read(dir.path()), WF);
    assert!(seen.lock().expect("seen").is_empty());
}

/// Images: the registry's `Bearer` challenge answered with an anonymous token from its
/// realm, the manifest's `Docker-Content-Digest` appended to the reference (the tag kept);
/// an image the registry does not know is left as it was.
#[test]
fn online_pins_images_to_the_digest_the_registry_names() {
    let (url, seen) = server(answers("registry"));
    let cache = tempfile::tempdir().expect("cache");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("git");
    let wf = "on: push
permissions: {}
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    container: node:20
    services:
      cache:
        image: example/unknown:1
    steps:
      - run: npm test
";
    write(dir.path(), ".github/workflows/ci.yml", wf);
    let out = tollgate()
        .current_dir(dir.path())
        .env("TOLLGATE_REGISTRY_URL", &url)
        .env("TOLLGATE_GITHUB_API", &url)
        .env("TOLLGATE_CACHE_DIR", cache.path())
        .args(["fix", "--online", "--select", "unpinned-image", "."])
        .output()
        .expect("runs");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    assert_eq!(
        read(dir.path()),
        wf.replace(
            "container: node:20\n",
            "container: node:20@sha256:1c11a9ffa9fd7b2e0ea40d9ef3cd4b5ba4b4b07e2fa1e8fb0f3d7a1f4ba0c5b4\n"
        )
    );
    let requests: Vec<(String, Option<String>)> = seen.lock().expect("seen").clone();
    let paths: Vec<&str> = requests.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/v2/library/node/manifests/20",
            "/token?service=registry.test&scope=repository%3Alibrary%2Fnode%3Apull",
            "/v2/library/node/manifests/20",
            "/v2/example/unknown/manifests/1",
        ]
    );
    assert_eq!(
        requests[2].1.as_deref(),
        Some("Bearer anonymous-pull-token")
    );
}

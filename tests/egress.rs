//! End-to-end tests of `tollgate egress`: the harden-runner blocks, JSON with provenance,
//! filters, and the egress rules through `tollgate check`.
#![allow(clippy::print_stderr)]

mod common;

use common::{copy_dir, corpus, json, testdata, tollgate};

fn egress(args: &[&str]) -> std::process::Output {
    tollgate()
        .arg("egress")
        .args(args)
        .arg(testdata("egress/repo"))
        .output()
        .expect("runs")
}

#[test]
fn harden_runner_blocks_list_every_needed_host() {
    let out = egress(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    // Written by hand from the fixture: the job container on GHCR, checkout, the lockfile's
    // public registry and the scoped private registry of web/.npmrc.
    let web = "# .github/workflows/ci.yml: job `web`\n\
# unresolved: https://${MIRROR_HOST}/fonts.tar.gz (curl -fsSLO \"https://${MIRROR_HOST}/fonts.tar.gz\", .github/workflows/ci.yml:13:26)\n\
egress-policy: block\n\
allowed-endpoints: >\n\
\x20 *.actions.githubusercontent.com:443\n\
\x20 api.github.com:443\n\
\x20 codeload.github.com:443\n\
\x20 ghcr.io:443\n\
\x20 github.com:443\n\
\x20 npm.acme.example:443\n\
\x20 pkg-containers.githubusercontent.com:443\n\
\x20 registry.npmjs.org:443\n";
    assert!(text.starts_with(web), "{text}");
    for line in ["  pypi.acme.example:443\n", "  upload.pypi.org:443\n"] {
        assert!(text.contains(line), "{line} in {text}");
    }
}

#[test]
fn json_carries_provenance_and_controls() {
    let out = egress(&["--format", "json"]);
    assert!(out.status.success());
    let doc = json(&out.stdout);
    assert_eq!(doc["version"], 1);
    let jobs = doc["jobs"].as_array().expect("jobs");
    assert_eq!(jobs.len(), 2);
    let web = &jobs[0];
    assert_eq!(web["job"], "web");
    let dest = |job: &serde_json::Value, host: &str| -> serde_json::Value {
        job["destinations"]
            .as_array()
            .expect("destinations")
            .iter()
            .find(|d| d["host"] == host)
            .cloned()
            .unwrap_or_else(|| panic!("{host}"))
    };
    let scoped = dest(web, "npm.acme.example");
    assert_eq!(scoped["provenance"][0]["kind"], "registry-config");
    assert_eq!(scoped["provenance"][0]["location"]["path"], "web/.npmrc");
    assert_eq!(scoped["provenance"][0]["step"]["line"], 11);
    let public = dest(web, "registry.npmjs.org");
    assert_eq!(public["provenance"][0]["kind"], "lockfile");
    assert_eq!(dest(web, "github.com")["platform"], false);
    assert_eq!(dest(web, "codeload.github.com")["platform"], true);
    assert_eq!(web["unresolved"][0]["kind"], "command");
    let release = &jobs[1];
    assert_eq!(release["controls"][0]["policy"], "block");
    assert_eq!(
        release["controls"][0]["allowed_endpoints"],
        serde_json::json!(["github.com:443", "api.github.com:443"])
    );
}

#[test]
fn filters_text_and_errors() {
    let out = egress(&["--job", "release", "--format", "text"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("job release"));
    assert!(!text.contains("job web"));
    assert!(text.contains("harden-runner in block mode"));
    let out = egress(&["--workflow", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
}

#[test]
fn check_reports_hosts_missing_from_the_block_list() {
    let out = tollgate()
        .args([
            "check",
            "--format",
            "json",
            "--select",
            "egress-not-allowed",
        ])
        .arg(testdata("egress/repo"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out.stdout);
    let findings = doc["findings"].as_array().expect("findings");
    let lines: Vec<(String, u64)> = findings
        .iter()
        .map(|f| {
            (
                f["message"].as_str().unwrap_or_default().to_owned(),
                f["location"]["line"]
                    .as_u64()
                    .or_else(|| f["primary"]["start"]["line"].as_u64())
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        lines
            .iter()
            .any(|(m, _)| m.contains("pypi.acme.example:443")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|(m, _)| m.contains("upload.pypi.org:443")),
        "{lines:?}"
    );
    assert_eq!(findings.len(), 2, "{lines:?}");
}

#[test]
fn output_is_deterministic_on_the_corpus() {
    let Some(dir) = corpus() else { return };
    let run = |threads: &str| {
        tollgate()
            .env("RAYON_NUM_THREADS", threads)
            .args(["egress", "--format", "json"])
            .arg(&dir)
            .output()
            .expect("runs")
    };
    let a = run("1");
    let b = run("2");
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
}

/// Two repositories with the same lockfile (one shared model) but different `.npmrc`
/// files: each job resolves the lockfile through its own configuration.
#[test]
fn identical_lockfiles_resolve_through_their_own_configuration() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&testdata("egress/repo"), &dir.path().join("a"));
    copy_dir(&testdata("egress/repo"), &dir.path().join("b"));
    std::fs::write(
        dir.path().join("b/web/.npmrc"),
        "@acme:registry=https://npm.other.example/\n",
    )
    .expect("write");
    let out = tollgate()
        .args(["egress", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out.stdout);
    let hosts = |path: &str| -> Vec<String> {
        let job = doc["jobs"]
            .as_array()
            .expect("jobs")
            .iter()
            .find(|j| j["job"] == "web" && j["workflow"] == path)
            .unwrap_or_else(|| panic!("web job of {path}"));
        job["destinations"]
            .as_array()
            .expect("destinations")
            .iter()
            .filter_map(|d| d["host"].as_str().map(str::to_owned))
            .collect()
    };
    let (a, b) = (
        hosts("a/.github/workflows/ci.yml"),
        hosts("b/.github/workflows/ci.yml"),
    );
    assert!(a.iter().any(|h| h == "npm.acme.example"), "{a:?}");
    assert!(!a.iter().any(|h| h == "npm.other.example"), "{a:?}");
    assert!(b.iter().any(|h| h == "npm.other.example"), "{b:?}");
    assert!(!b.iter().any(|h| h == "npm.acme.example"), "{b:?}");
    assert!(b.iter().any(|h| h == "registry.npmjs.org"), "{b:?}");
}

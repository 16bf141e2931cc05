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

/// A repository holding `files` (path, text).
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (rel, text) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
    }
    dir
}

/// `tollgate egress --format json` of `dir`.
fn egress_json(dir: &std::path::Path) -> serde_json::Value {
    let out = tollgate()
        .args(["egress", "--format", "json"])
        .arg(dir)
        .output()
        .expect("runs");
    json(&out.stdout)
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
# incomplete: 1 destination known only at run time; run harden-runner with `egress-policy: audit` and add what it records before blocking\n\
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
    // The web job downloads from `${MIRROR_HOST}`; the other job's hosts are all known.
    assert_eq!(web["complete"], false);
    assert_eq!(jobs[1]["complete"], true);
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
            "--fail-level",
            "note",
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

/// A setup action whose version the runner image's tool cache holds downloads nothing:
/// its hosts are conditional (a comment in the harden-runner block, `conditional` in
/// JSON), and a block-mode list without them is not reported. A version the cache lacks,
/// a runner the knowledge base does not describe, or `check-latest` keep them required.
#[test]
fn a_toolchain_the_runner_image_holds_is_a_conditional_download() {
    let job = |id: &str, runner: &str, with: &str| {
        format!(
            "  {id}:\n    runs-on: {runner}\n    strategy:\n      matrix:\n        go: ['1.22', '1.24.x']\n    steps:\n      - uses: step-security/harden-runner@0634a2670c59f64b4a01f0f96f84700a4088b9f0\n        with:\n          egress-policy: block\n          allowed-endpoints: >\n            github.com:443\n            api.github.com:443\n      - uses: actions/setup-go@d35c59abb061a4a6fb18e82ac0862c26744d6ab5\n        with:\n{with}\n"
        )
    };
    let text = format!(
        "on: push\npermissions: {{}}\njobs:\n{}{}{}{}{}",
        job("cached", "ubuntu-latest", "          go-version: '1.23'"),
        job(
            "matrix",
            "ubuntu-24.04",
            "          go-version: ${{ matrix.go }}"
        ),
        job("old", "ubuntu-latest", "          go-version: '1.21'"),
        job(
            "own",
            "[self-hosted, linux]",
            "          go-version: '1.23'"
        ),
        job(
            "latest",
            "ubuntu-latest",
            "          go-version: '1.23'\n          check-latest: true"
        ),
    );
    let dir = repo(&[(".github/workflows/ci.yml", &text)]);
    let doc = egress_json(dir.path());
    let jobs = doc["jobs"].as_array().expect("jobs");
    let dest = |job: &str, host: &str| -> serde_json::Value {
        let j = jobs.iter().find(|j| j["job"] == job).expect("job");
        j["destinations"]
            .as_array()
            .expect("destinations")
            .iter()
            .find(|d| d["host"] == host)
            .cloned()
            .unwrap_or_else(|| panic!("{job}: {host}"))
    };
    let allowed = |job: &str| -> Vec<String> {
        let j = jobs.iter().find(|j| j["job"] == job).expect("job");
        j["allowed_endpoints"]
            .as_array()
            .expect("allowed")
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    for job in ["cached", "matrix"] {
        let d = dest(job, "release-assets.githubusercontent.com");
        let why = d["conditional"]
            .as_str()
            .unwrap_or_else(|| panic!("{job}: {d}"));
        assert!(
            why.contains("tool cache") && why.contains("go 1.2"),
            "{job}: {why}"
        );
        assert!(
            !allowed(job).contains(&"release-assets.githubusercontent.com:443".to_owned()),
            "{job}"
        );
    }
    for job in ["old", "own", "latest"] {
        assert!(
            dest(job, "release-assets.githubusercontent.com")["conditional"].is_null(),
            "{job}"
        );
        assert!(
            allowed(job).contains(&"release-assets.githubusercontent.com:443".to_owned()),
            "{job}"
        );
    }
    // The Go project's own download site is setup-go's fallback, reached only when the
    // actions/go-versions manifest lacks the version: conditional even where the download
    // itself is not, and never in the generated list.
    for job in ["old", "own", "latest", "cached"] {
        for host in [
            "go.dev",
            "golang.org",
            "storage.googleapis.com",
            "raw.githubusercontent.com",
        ] {
            let d = dest(job, host);
            let why = d["conditional"]
                .as_str()
                .unwrap_or_else(|| panic!("{job}: {d}"));
            assert!(why.contains("go-versions manifest"), "{job}: {why}");
            assert!(!allowed(job).contains(&format!("{host}:443")), "{job}");
        }
    }
    // Platform hosts are not "optional": only best-effort calls outside GitHub's service are.
    assert_eq!(dest("old", "github.com")["optional"], false);

    let out = tollgate()
        .args(["egress"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let cached = text
        .split("# .github/workflows/ci.yml: job `cached`")
        .nth(1)
        .and_then(|t| t.split("\n# .github").next())
        .expect("cached block");
    assert!(
        cached.contains("# conditional, not listed: release-assets.githubusercontent.com:443 (only on a runner image without go 1.23 "),
        "{cached}"
    );
    assert!(
        !cached.contains("\n  release-assets.githubusercontent.com:443"),
        "{cached}"
    );

    // The block lists lack the release asset hosts: only the jobs that download report it.
    let out = tollgate()
        .args([
            "check",
            "--format",
            "json",
            "--select",
            "egress-not-allowed",
        ])
        .arg(dir.path())
        .output()
        .expect("runs");
    let mut jobs: Vec<String> = json(&out.stdout)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            f["message"]
                .as_str()
                .unwrap_or("")
                .contains("release-assets.githubusercontent.com")
        })
        .filter_map(|f| f["job"].as_str().map(str::to_owned))
        .collect();
    jobs.sort();
    jobs.dedup();
    assert_eq!(jobs, ["latest", "old", "own"]);
}

/// `${{ env.REGISTRY }}` in an action's inputs is the literal the env blocks give it
/// (stratus-red-team's docker.yml), and an image reference whose registry is literal
/// names its registry even when the rest is an expression.
#[test]
fn literal_env_values_and_registries_resolve() {
    let dir = repo(&[(
        ".github/workflows/docker.yml",
        "on: push\nenv:\n  REGISTRY: ghcr.io\n  IMAGE_NAME: ${{ github.repository }}\njobs:\n  push:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772\n        with:\n          registry: ${{ env.REGISTRY }}\n      - uses: docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83\n        with:\n          tags: |\n            ${{ env.REGISTRY }}/${{ env.IMAGE_NAME }}:${{ github.ref_name }}\n            quay.io/${{ github.repository }}:latest\n            ${{ vars.MIRROR }}/x:1\n",
    )]);
    let doc = egress_json(dir.path());
    let job = &doc["jobs"][0];
    let hosts: Vec<&str> = job["destinations"]
        .as_array()
        .expect("destinations")
        .iter()
        .filter_map(|d| d["host"].as_str())
        .collect();
    for h in ["ghcr.io", "pkg-containers.githubusercontent.com", "quay.io"] {
        assert!(hosts.contains(&h), "{h}: {hosts:?}");
    }
    let unresolved: Vec<&str> = job["unresolved"]
        .as_array()
        .expect("unresolved")
        .iter()
        .filter_map(|u| u["text"].as_str())
        .collect();
    assert_eq!(
        unresolved,
        [
            "${{ vars.MIRROR }}/x:1",
            "the base images and build steps of `Dockerfile` (not read: not in the repository or excluded)"
        ],
        "{unresolved:?}"
    );
}

/// The knowledge-base entries issue #34 measured as incomplete or missing, one job each in
/// `testdata/egress/kb` (expected hosts written by hand from the entries' cited sources).
#[test]
fn kb_entries_cover_the_measured_actions() {
    let out = tollgate()
        .args(["egress", "--format", "json"])
        .arg(testdata("egress/kb"))
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out.stdout);
    let job = |id: &str| -> serde_json::Value {
        doc["jobs"]
            .as_array()
            .expect("jobs")
            .iter()
            .find(|j| j["job"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("job {id}"))
    };
    let hosts = |id: &str| -> Vec<String> {
        job(id)["destinations"]
            .as_array()
            .expect("destinations")
            .iter()
            .map(|d| format!("{}:{}", d["host"].as_str().unwrap_or_default(), d["port"]))
            .collect()
    };
    let has = |id: &str, want: &[&str]| {
        let got = hosts(id);
        for w in want {
            assert!(got.iter().any(|h| h == w), "{id}: {w} not in {got:?}");
        }
    };
    let lacks = |id: &str, unwanted: &[&str]| {
        let got = hosts(id);
        for u in unwanted {
            assert!(!got.iter().any(|h| h == u), "{id}: {u} in {got:?}");
        }
    };
    let known = |id: &str| {
        let j = job(id);
        assert_eq!(j["unknown_actions"], serde_json::json!([]), "{id}: {j}");
    };

    // Scorecard's checks query OSV, deps.dev, the Best Practices site (old name and new) and
    // OSS-Fuzz's status file; only publishing signs (Sigstore) and posts the results.
    let checks = [
        "api.osv.dev:443",
        "api.deps.dev:443",
        "bestpractices.coreinfrastructure.org:443",
        "www.bestpractices.dev:443",
        "oss-fuzz-build-logs.storage.googleapis.com:443",
    ];
    let publishing = [
        "api.scorecard.dev:443",
        "api.securityscorecards.dev:443",
        "fulcio.sigstore.dev:443",
        "rekor.sigstore.dev:443",
        "sigstore-tuf-root.storage.googleapis.com:443",
    ];
    has("scorecard-publish", &checks);
    has("scorecard-publish", &publishing);
    has("scorecard-local", &checks);
    lacks("scorecard-local", &publishing);

    // CodeQL per sub-action: init fetches the bundle (and Go's modules for a Go analysis),
    // autobuild runs a build nobody can see from here, upload-sarif fetches no bundle.
    has(
        "codeql",
        &[
            "objects.githubusercontent.com:443",
            "release-assets.githubusercontent.com:443",
            "proxy.golang.org:443",
            "sum.golang.org:443",
            "storage.googleapis.com:443",
        ],
    );
    let codeql = job("codeql");
    assert!(
        codeql["unresolved"]
            .as_array()
            .is_some_and(|u| u.iter().any(|e| e.to_string().contains("autobuild"))),
        "{codeql}"
    );
    has("sarif", &["api.github.com:443"]);
    lacks(
        "sarif",
        &[
            "objects.githubusercontent.com:443",
            "release-assets.githubusercontent.com:443",
        ],
    );

    // dependency-review looks dependencies up on the Scorecard API and deps.dev by default.
    let lookups = ["api.securityscorecards.dev:443", "api.deps.dev:443"];
    has("review", &lookups);
    lacks("review-quiet", &lookups);

    // Actions that were unknown: the STS exchange, GoReleaser's download and release.
    has(
        "release",
        &[
            "webhooks.build.datadoghq.com:443",
            "goreleaser.com:443",
            "release-assets.githubusercontent.com:443",
            "uploads.github.com:443",
            "proxy.golang.org:443",
            "storage.googleapis.com:443",
        ],
    );
    known("release");
    has(
        "staticcheck",
        &[
            "proxy.golang.org:443",
            "sum.golang.org:443",
            "storage.googleapis.com:443",
        ],
    );
    known("staticcheck");

    // The Go proxy's zip redirect, Docker Hub's current blob hosts, the .NET install
    // script's aka.ms links, setup-go's version list on golang.org.
    has(
        "go",
        &["proxy.golang.org:443", "storage.googleapis.com:443"],
    );
    has(
        "docker",
        &[
            "registry-1.docker.io:443",
            "production.cloudflare.docker.com:443",
            "docker-images-prod.6aa30f8b08e16409b46e0173d6de2f56.r2.cloudflarestorage.com:443",
        ],
    );
    has("dotnet", &["aka.ms:443"]);
    has("setup-go", &["golang.org:443", "go.dev:443"]);

    // The conformance suite's install action: `go install` of its client.
    has(
        "conformance",
        &["proxy.golang.org:443", "storage.googleapis.com:443"],
    );
    known("conformance");

    // The retry action under its former name: known, and its command is the step's script.
    has("retry", &["downloads.acme.example:443"]);
    known("retry");
}

/// `make TARGET` is followed through the Makefile (prerequisites first, variables
/// expanded, `$(MAKE) -C` into a sub-directory) and `./script.sh` through the script;
/// each host names the command that runs the file. What cannot be followed is said.
#[test]
fn makefiles_and_scripts_the_steps_run_are_followed() {
    let dir = repo(&[
        (
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n      - run: ./scripts/fetch.sh\n        working-directory: tools\n      - run: make nothing\n      - run: bash scripts/missing.sh\n      - run: ./gen.py\n",
        ),
        (
            "Makefile",
            "TOOL_URL = https://tools.example.org/x-$(VERSION).tgz\nVERSION := 1.0\n\n.PHONY: test deps\ntest: deps\n\tgo test ./...\n\t$(MAKE) -C docs html\n\ndeps:\n\t@curl -fsSL $(TOOL_URL) -o x.tgz\n",
        ),
        (
            "docs/Makefile",
            "html:\n\tpip install -r requirements.txt\n",
        ),
        (
            "tools/scripts/fetch.sh",
            "#!/usr/bin/env bash\nset -euo pipefail\ncurl -fsSLO https://downloads.example.net/data.zip\n",
        ),
        ("gen.py", "#!/usr/bin/env python3\nimport urllib.request\n"),
    ]);
    let doc = egress_json(dir.path());
    let job = &doc["jobs"][0];
    let dest = |host: &str| -> Option<serde_json::Value> {
        job["destinations"]
            .as_array()
            .expect("destinations")
            .iter()
            .find(|d| d["host"] == host)
            .cloned()
    };
    // Written by hand: `make test` runs `deps` (curl) then `go test` and the docs
    // Makefile's `pip install`; the script in tools/ downloads its data.
    let tools = dest("tools.example.org").expect("make deps");
    let p = &tools["provenance"][0];
    // The label is the command as run, the Makefile variable expanded.
    assert_eq!(
        p["label"], "make test → curl -fsSL https://tools.example.org/x-1.0.tgz -o x.tgz",
        "{p}"
    );
    assert_eq!(p["location"]["column"], 14, "{p}");
    assert_eq!(p["location"]["path"], "Makefile", "{p}");
    assert_eq!(p["location"]["line"], 10, "{p}");
    assert_eq!(p["step"]["path"], ".github/workflows/ci.yml", "{p}");
    assert_eq!(p["step"]["line"], 6, "{p}");
    for h in [
        "proxy.golang.org",
        "sum.golang.org",
        "pypi.org",
        "files.pythonhosted.org",
    ] {
        assert!(dest(h).is_some(), "{h}");
    }
    let pip = dest("pypi.org").expect("pypi");
    assert!(
        pip["provenance"][0]["label"]
            .as_str()
            .is_some_and(|l| l.starts_with("make test → make -C docs html → pip install")),
        "{pip}"
    );
    let data = dest("downloads.example.net").expect("script");
    assert_eq!(
        data["provenance"][0]["location"]["path"],
        "tools/scripts/fetch.sh"
    );
    let unresolved: Vec<&str> = job["unresolved"]
        .as_array()
        .expect("unresolved")
        .iter()
        .filter_map(|u| u["text"].as_str())
        .collect();
    for said in [
        "what `make nothing` runs (no rule `nothing` in `Makefile`)",
        "what `bash scripts/missing.sh` runs (`scripts/missing.sh` is not in the repository)",
        "what `./gen.py` runs (a `python3` script: not analysed)",
    ] {
        assert!(unresolved.contains(&said), "{said}: {unresolved:?}");
    }
}

/// `docker build` and docker/build-push-action are followed into the Dockerfile they
/// build: the registries of its base images, its `ADD` URLs and what its `RUN` scripts
/// need (a `make` inside it too), each named after the step that builds it.
#[test]
fn image_builds_follow_their_dockerfile() {
    let dir = repo(&[
        (
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  cli:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build -f build/app.Dockerfile .\n  action:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83\n        with:\n          context: svc\n  missing:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build ./nowhere\n",
        ),
        (
            "build/app.Dockerfile",
            "FROM golang:1.25-alpine AS builder\nRUN apk add --no-cache make\nADD https://assets.example.com/schema.json /schema.json\nCOPY . /src\nWORKDIR /src\nRUN make\nFROM builder AS final\n",
        ),
        (
            "Makefile",
            "all:\n\tcurl -fsSLO https://make.example.org/tool.tgz\n",
        ),
        (
            "svc/Dockerfile",
            "FROM quay.io/org/base:1\nRUN pip install requests\n",
        ),
    ]);
    let doc = egress_json(dir.path());
    let job = |id: &str| -> serde_json::Value {
        doc["jobs"]
            .as_array()
            .expect("jobs")
            .iter()
            .find(|j| j["job"] == id)
            .cloned()
            .expect("job")
    };
    let hosts = |id: &str| -> Vec<String> { common::destination_hosts(&job(id)) };
    // Written by hand from the Dockerfiles.
    let cli = hosts("cli");
    for h in [
        "registry-1.docker.io",
        "dl-cdn.alpinelinux.org",
        "assets.example.com",
        "make.example.org",
    ] {
        assert!(cli.contains(&h.to_owned()), "{h}: {cli:?}");
    }
    let action = hosts("action");
    for h in ["quay.io", "pypi.org", "files.pythonhosted.org"] {
        assert!(action.contains(&h.to_owned()), "{h}: {action:?}");
    }
    assert!(
        !action.contains(&"registry-1.docker.io".to_owned()),
        "{action:?}"
    );
    let unresolved: Vec<String> = job("missing")["unresolved"]
        .as_array()
        .expect("unresolved")
        .iter()
        .filter_map(|u| u["text"].as_str().map(str::to_owned))
        .collect();
    assert!(
        unresolved
            .iter()
            .any(|u| u.contains("`nowhere/Dockerfile`")),
        "{unresolved:?}"
    );
}

/// Commands a step runs inside a container (`docker run IMAGE …`, `docker exec NAME …`),
/// the steps of a job `container:` and a Dockerfile's `RUN`s reach what they name through
/// the runner's network, and their installs read the image's package sources, not the
/// runner's apt mirror.
#[test]
fn commands_in_containers_reach_the_images_sources() {
    let dir = repo(&[
        (
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  exec:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          docker run --rm -d --name box ubuntu:latest sleep 90\n          docker exec box apt-get update\n          docker exec box apt-get install -y curl\n          docker exec box curl -I https://goreleaser.com\n  shc:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker run --rm debian:12 bash -c \"apt-get update && apt-get install -y git && git clone https://git.example.org/r.git\"\n  job-container:\n    runs-on: ubuntu-latest\n    container: python:3.12\n    steps:\n      - run: apt-get update && apt-get install -y jq\n  runner:\n    runs-on: ubuntu-latest\n    steps:\n      - run: sudo apt-get install -y jq\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build .\n",
        ),
        (
            "Dockerfile",
            "FROM ubuntu:24.04 AS base\nRUN apt-get update\nFROM base AS app\nRUN apt-get install -y make\n",
        ),
    ]);
    let doc = egress_json(dir.path());
    let hosts = |id: &str| -> Vec<String> {
        doc["jobs"]
            .as_array()
            .expect("jobs")
            .iter()
            .find(|j| j["job"] == id)
            .expect("job")["destinations"]
            .as_array()
            .expect("destinations")
            .iter()
            .map(|d| format!("{}:{}", d["host"].as_str().unwrap_or("?"), d["port"]))
            .collect()
    };
    // Written by hand: Ubuntu's image lists archive and security over HTTP, Debian's
    // (and python's, built on it) deb.debian.org; only the runner has the Azure mirror.
    let ubuntu = ["archive.ubuntu.com:80", "security.ubuntu.com:80"];
    for (job, want, not) in [
        (
            "exec",
            &[&ubuntu[..], &["goreleaser.com:443"]].concat(),
            "azure.archive.ubuntu.com:80",
        ),
        (
            "shc",
            &vec!["deb.debian.org:80", "git.example.org:443"],
            "archive.ubuntu.com:80",
        ),
        (
            "job-container",
            &vec!["deb.debian.org:80"],
            "azure.archive.ubuntu.com:80",
        ),
        ("build", &ubuntu.to_vec(), "azure.archive.ubuntu.com:80"),
        (
            "runner",
            &vec!["azure.archive.ubuntu.com:80"],
            "deb.debian.org:80",
        ),
    ] {
        let got = hosts(job);
        for h in want {
            assert!(got.contains(&(*h).to_owned()), "{job}: {h} in {got:?}");
        }
        assert!(!got.contains(&not.to_owned()), "{job}: {not} in {got:?}");
    }
}

/// `unrestricted-egress` does not send a job with an incomplete list straight to block
/// mode: the web job's `${MIRROR_HOST}` download is known only at run time.
#[test]
fn an_incomplete_list_is_not_suggested_for_block_mode() {
    let out = tollgate()
        .args([
            "check",
            "--format",
            "json",
            "--select",
            "unrestricted-egress",
        ])
        .arg(testdata("egress/repo"))
        .output()
        .expect("runs");
    let doc = json(&out.stdout);
    let web = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["job"] == "web")
        .expect("web is reported");
    let help = web["help"].as_str().expect("help");
    assert!(
        help.contains("that list is incomplete (1 destination known only at run time)")
            && help.contains("`egress-policy: audit` first"),
        "{help}"
    );
}

//! End-to-end tests of the one knowledge base: the inventory and the egress allow-lists
//! name the same hosts for a default registry (they read one table).

mod common;

use common::{json, testdata, tollgate};

fn run(cmd: &str, path: &std::path::Path) -> serde_json::Value {
    let out = tollgate()
        .args([cmd, "--format", "json"])
        .arg(path)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out.stdout)
}

/// On `testdata/demo` the inventory listed crates.io, github.com, index.crates.io and
/// static.crates.io for the crates.io registry while egress allowed only the last two: the
/// inventory took every URL that *names* crates.io for a host an install *reaches*.
#[test]
fn inventory_and_egress_agree_on_crates_io() {
    let demo = testdata("demo");
    let inv = run("inventory", &demo);
    let dep = inv["dependencies"]
        .as_array()
        .and_then(|deps| {
            deps.iter()
                .find(|d| d["name"] == "cargo https://github.com/rust-lang/crates.io-index")
        })
        .expect("the demo installs from crates.io");
    assert_eq!(
        dep["hosts"],
        serde_json::json!(["index.crates.io", "static.crates.io"])
    );
    let egress = run("egress", &demo);
    let job = egress["jobs"]
        .as_array()
        .and_then(|jobs| jobs.iter().find(|j| j["job"] == "test"))
        .expect("job test");
    let allowed: Vec<&str> = job["allowed_endpoints"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    for host in dep["hosts"].as_array().into_iter().flatten() {
        let host = host.as_str().unwrap_or_default();
        assert!(
            allowed.contains(&format!("{host}:443").as_str()),
            "{host} not in {allowed:?}"
        );
    }
}

/// The inventory took apt's host from its own table (`archive.ubuntu.com`) while egress
/// allowed the mirror GitHub's runner images use (`azure.archive.ubuntu.com`, and
/// `security.ubuntu.com`); both now read egress-hosts.toml's `[[manager]]` table, which
/// also names the images' failover mirror (`archive.ubuntu.com`), all three on port 80 as
/// the runner images' apt mirror list writes them.
#[test]
fn inventory_and_egress_agree_on_apt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    std::fs::write(
        wf.join("ci.yml"),
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: sudo apt-get install -y jq\n",
    )
    .expect("write");
    let inv = run("inventory", dir.path());
    let dep = inv["dependencies"]
        .as_array()
        .and_then(|deps| deps.iter().find(|d| d["ecosystem"] == "apt"))
        .expect("the apt dependency");
    assert_eq!(
        dep["hosts"],
        serde_json::json!([
            "azure.archive.ubuntu.com",
            "archive.ubuntu.com",
            "security.ubuntu.com"
        ])
    );
    let egress = run("egress", dir.path());
    let allowed = &egress["jobs"][0]["allowed_endpoints"];
    for host in [
        "azure.archive.ubuntu.com:80",
        "archive.ubuntu.com:80",
        "security.ubuntu.com:80",
    ] {
        assert!(
            allowed
                .as_array()
                .is_some_and(|a| a.iter().any(|v| v == host)),
            "{host} not in {allowed}"
        );
    }
}

/// `uvx`, `pnpx` and `bunx` with nothing but options run no package; the inventory
/// matched them by names the recogniser never reports (it reports `uv`, `pnpm` and
/// `bun`), so `uvx --version` counted as an install from PyPI.
#[test]
fn package_runners_with_only_options_fetch_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    std::fs::write(
        wf.join("ci.yml"),
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: uvx --version\n      - run: bunx --help\n      - run: npx --version\n",
    )
    .expect("write");
    let inv = run("inventory", dir.path());
    let sources: Vec<&serde_json::Value> = inv["dependencies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["kind"] == "package-source")
        .collect();
    assert!(sources.is_empty(), "{sources:?}");
}

/// The job of a one-job workflow whose steps are `steps` (YAML list items), from
/// `tollgate egress --format json`.
fn egress_of(steps: &str, extra: &[(&str, &str)]) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("tempdir");
    common::write(
        dir.path(),
        ".github/workflows/ci.yml",
        &format!("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n{steps}"),
    );
    for (rel, text) in extra {
        common::write(dir.path(), rel, text);
    }
    let out = tollgate()
        .args(["egress", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("runs");
    json(&out.stdout)["jobs"][0].clone()
}

/// The labels of the reasons the job reaches `host`.
fn reasons(job: &serde_json::Value, host: &str) -> Vec<String> {
    job["destinations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["host"] == host)
        .flat_map(|d| d["provenance"].as_array().cloned().unwrap_or_default())
        .map(|p| p["label"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// slackapi/slack-github-action/cli is not in the egress knowledge base; the snapshot's
/// analysis of its action.yml (read by hand: `curl … https://downloads.slack-edge.com/
/// slack-cli/install.sh | bash`, and actions/cache) gives its hosts, exactly for the
/// commit read and approximately for a tag.
#[test]
fn a_remote_composite_action_reaches_what_its_snapshot_steps_reach() {
    let exact = egress_of(
        "      - uses: slackapi/slack-github-action/cli@faf8f8f0669585c3c0adaf42d29b91413be78d48\n",
        &[],
    );
    let why = reasons(&exact, "downloads.slack-edge.com");
    assert_eq!(why.len(), 1, "{exact}");
    assert!(
        why[0].contains("its composite steps (action snapshot of 2026-08-20)"),
        "{why:?}"
    );
    assert!(!why[0].contains("approximate"), "{why:?}");
    // actions/cache inside: GitHub's cache storage, a platform host.
    let cache = exact["destinations"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["host"] == "*.blob.core.windows.net"))
        .expect("the cache storage");
    assert_eq!(cache["platform"], true);
    assert!(
        exact["unknown_actions"]
            .as_array()
            .is_some_and(Vec::is_empty),
        "{exact}"
    );

    let tag = egress_of("      - uses: slackapi/slack-github-action/cli@v3\n", &[]);
    let why = reasons(&tag, "downloads.slack-edge.com");
    assert!(
        why.iter().any(|w| w
            .contains("approximate: action snapshot of 2026-08-20, read at commit faf8f8f06695")),
        "{why:?}"
    );
}

/// reviewdog/action-shellcheck runs `$GITHUB_ACTION_PATH/script.sh`, and its inner
/// reviewdog/action-setup runs `install.sh`: files of the actions the snapshot does not
/// hold, so the list is incomplete and says which.
#[test]
fn scripts_of_a_remote_action_are_unresolved() {
    let job = egress_of("      - uses: reviewdog/action-shellcheck@v1\n", &[]);
    assert_eq!(job["complete"], false, "{job}");
    let texts: Vec<&str> = job["unresolved"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u["text"].as_str())
        .collect();
    for script in ["script.sh", "install.sh", "check-installed.sh"] {
        assert!(
            texts.iter().any(|t| t.contains(&format!(
                "(`{script}` is a file of the action, not in the snapshot)"
            ))),
            "{script}: {texts:?}"
        );
    }
}

/// A docker action of the snapshot that the egress knowledge base lacks pulls its
/// `docker://` image (Docker Hub); an action neither knows stays unknown.
#[test]
fn a_remote_docker_action_pulls_its_image_and_an_unknown_action_stays_unknown() {
    let job = egress_of(
        "      - uses: wagoid/commitlint-github-action@v6\n      - uses: example-owner/not-in-any-snapshot@v1\n",
        &[],
    );
    let why = reasons(&job, "registry-1.docker.io");
    assert_eq!(why, ["wagoid/commitlint-github-action:6.2.1"], "{job}");
    let unknown: Vec<&str> = job["unknown_actions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u["reference"].as_str())
        .collect();
    assert_eq!(unknown, ["example-owner/not-in-any-snapshot@v1"]);
}

/// A local composite action's `$GITHUB_ACTION_PATH/install.sh` is the script next to
/// its action.yml: followed like `./install.sh` from a workflow.
#[test]
fn a_local_action_runs_its_own_script_by_the_action_path() {
    let job = egress_of(
        "      - uses: ./.github/actions/setup\n",
        &[
            (
                ".github/actions/setup/action.yml",
                "name: setup\nruns:\n  using: composite\n  steps:\n    - run: \"$GITHUB_ACTION_PATH/install.sh\"\n      shell: bash\n",
            ),
            (
                ".github/actions/setup/install.sh",
                "#!/bin/sh\ncurl -fsSL https://downloads.example.org/tool.tgz -o /tmp/tool.tgz\n",
            ),
        ],
    );
    assert_eq!(reasons(&job, "downloads.example.org").len(), 1, "{job}");
    assert_eq!(job["complete"], true, "{job}");
}

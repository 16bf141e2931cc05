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

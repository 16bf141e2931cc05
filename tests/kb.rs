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

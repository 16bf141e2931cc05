//! End-to-end tests of `tollgate inventory`: the three formats agree with each other and
//! with the fixture written by hand, output is deterministic, and the corpus runs clean.

mod common;

use common::{corpus, json, testdata, tollgate};

fn run(args: &[&str], path: &std::path::Path) -> Vec<u8> {
    let out = tollgate()
        .arg("inventory")
        .args(args)
        .arg(path)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn json_matches_the_fixture() {
    let doc = json(&run(&["--format", "json"], &testdata("inventory/basic")));
    assert_eq!(doc["version"], 1);
    let totals = &doc["totals"];
    assert_eq!(totals["workflows"], 2);
    assert_eq!(totals["jobs"], 3);
    assert_eq!(totals["self_hosted_jobs"], 1);
    assert_eq!(totals["jobs_with_oidc"], 1);
    let deps = doc["dependencies"].as_array().expect("dependencies");
    let dep = |name: &str| {
        deps.iter()
            .find(|d| d["name"] == name)
            .unwrap_or_else(|| panic!("no dependency `{name}`"))
    };
    // The npm cache of setup-node covers `npm ci` in `web`, but nothing covers pip there.
    assert_eq!(
        dep("npm https://registry.npmjs.org/")["fallbacks"][0],
        "cache"
    );
    let pypi = dep("pypi https://pypi.org/simple");
    assert_eq!(pypi["without_fallback"], 1);
    assert_eq!(pypi["uses"][0]["job"], "web");
    assert_eq!(pypi["uses"][0]["location"]["line"], 16);
    // The release download comes in through the composite action.
    let release = dep("release https://github.com/acme/tool/releases/download/v1.0.0/tool.tgz");
    assert_eq!(
        release["uses"][0]["location"]["path"],
        ".github/actions/fetch-tool/action.yml"
    );
    assert_eq!(
        dep("downloads from data.example.com")["fallbacks"][0],
        "retry"
    );
    assert_eq!(dep("python:3.12")["pinned"], false);
    assert_eq!(dep("actions/checkout@v4")["pinning"], "tag");
    // Worst first: the first dependency is one some job has no fallback for.
    assert!(deps[0]["without_fallback"].as_u64() > Some(0));
    let jobs = doc["jobs"].as_array().expect("jobs");
    let publish = jobs
        .iter()
        .find(|j| j["job"] == "publish")
        .expect("publish");
    assert_eq!(publish["oidc"], true);
    assert_eq!(publish["environment"], "release");
    assert_eq!(publish["secrets"][0], "CARGO_REGISTRY_TOKEN");
    // The most exposed job (write token, OIDC, a secret) comes first.
    assert_eq!(jobs[0]["job"], "publish");
    let integration = jobs
        .iter()
        .find(|j| j["job"] == "integration")
        .expect("integration");
    assert_eq!(integration["self_hosted"], true);
    assert!(integration.get("timeout_minutes").is_none());
}

#[test]
fn csv_has_one_row_per_dependency_and_job() {
    let dir = testdata("inventory/basic");
    let doc = json(&run(&["--format", "json"], &dir));
    let uses: usize = doc["dependencies"]
        .as_array()
        .expect("dependencies")
        .iter()
        .map(|d| d["uses"].as_array().map_or(0, Vec::len))
        .sum();
    let csv = String::from_utf8(run(&["--format", "csv"], &dir)).expect("utf-8");
    let rows: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(rows[0].starts_with("kind,dependency,ecosystem,hosts,external,workflow,job"));
    assert_eq!(rows.len() - 1, uses);
    assert!(
        rows.iter()
            .any(|r| r.contains(",web,") && r.ends_with(",none,"))
    );
}

#[test]
fn markdown_is_tables_without_html() {
    let md = String::from_utf8(run(&[], &testdata("inventory/basic"))).expect("utf-8");
    assert!(md.starts_with("# Delivery inventory\n"));
    for heading in [
        "## Totals",
        "## What stops a job when it is down",
        "## Delivery dependencies",
        "## Build identities",
    ] {
        assert!(md.contains(heading), "{heading}");
    }
    assert!(md.contains("| Dependency | Kind | Hosts | Pinned | Fallback | Used by |"));
    assert!(!md.contains('<'), "no HTML in the Markdown");
    // Every table row has as many cells as its header.
    let mut width = 0;
    for line in md.lines() {
        if !line.starts_with('|') {
            width = 0;
            continue;
        }
        let cells = line.replace("\\|", "").matches('|').count();
        if width == 0 {
            width = cells;
        }
        assert_eq!(cells, width, "{line}");
    }
}

#[test]
fn output_is_deterministic_and_written_to_a_file() {
    let dir = testdata("inventory/basic");
    for format in ["markdown", "json", "csv"] {
        let a = run(&["--format", format], &dir);
        let b = run(&["--format", format], &dir);
        assert_eq!(a, b, "{format}");
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("inventory.md");
    tollgate()
        .args(["inventory", "-o"])
        .arg(&out)
        .arg(&dir)
        .assert()
        .success();
    let written = std::fs::read(&out).expect("written");
    assert_eq!(written, run(&[], &dir));
}

#[test]
fn corpus_repositories_inventory_cleanly() {
    let Some(corpus) = corpus() else { return };
    for repo in [
        "python-poetry__poetry",
        "sveltejs__svelte",
        "prometheus__prometheus",
    ] {
        let dir = corpus.join(repo);
        if !dir.is_dir() {
            continue;
        }
        let doc = json(&run(&["--format", "json"], &dir));
        assert_eq!(doc["version"], 1, "{repo}");
        assert!(doc["totals"]["jobs"].as_u64() > Some(0), "{repo}");
    }
}

/// A lockfile entry fetched from an archive URL (not a registry) is a dependency on the
/// host it comes from, through the install that reads the lockfile.
#[test]
fn lockfile_archives_are_dependencies_on_their_host() {
    let dir = tempfile::tempdir().expect("tempdir");
    common::write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm ci\n",
    );
    common::write(
        dir.path(),
        "package-lock.json",
        r#"{"name":"x","lockfileVersion":3,"packages":{"":{"name":"x"},"node_modules/left-pad":{"version":"1.3.0","resolved":"https://cdn.example.org/tarballs/left-pad-1.3.0.tgz","integrity":"sha512-AA=="}}}"#,
    );
    let doc = json(&run(&["--format", "json"], dir.path()));
    let deps = doc["dependencies"].as_array().expect("dependencies");
    let archive = deps
        .iter()
        .find(|d| d["name"] == "npm archives from cdn.example.org")
        .unwrap_or_else(|| panic!("{deps:#?}"));
    assert_eq!(archive["hosts"][0], "cdn.example.org");
    assert_eq!(archive["uses"][0]["job"], "build");
}

//! `tollgate inventory --format cyclonedx`: the document validates against the official
//! CycloneDX 1.6 JSON schema (kept in testdata/schemas/cyclonedx with the schemas it
//! references), on the demo and on every corpus repository; it lists the components the
//! demo's pipelines use with the package URLs checked by hand; and it is deterministic.

mod common;

use std::collections::BTreeSet;

use common::{corpus, json, testdata, tollgate};
use serde_json::Value;

/// Resolves the schemas the CycloneDX schema references by their `$id`, from testdata:
/// no network.
struct Local;

impl jsonschema::Retrieve for Local {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let file = uri
            .path()
            .as_str()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        let file = match file.as_str() {
            "spdx.schema.json" => "spdx.SNAPSHOT.schema.json".to_owned(),
            "jsf-0.82.schema.json" => "jsf-0.82.SNAPSHOT.schema.json".to_owned(),
            _ => file,
        };
        let text = std::fs::read_to_string(testdata("schemas/cyclonedx").join(&file))?;
        Ok(serde_json::from_str(&text)?)
    }
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(testdata("schemas/cyclonedx/bom-1.6.SNAPSHOT.schema.json"))
        .expect("schema");
    let schema: Value = serde_json::from_str(&text).expect("schema JSON");
    jsonschema::options()
        .with_retriever(Local)
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .take(10)
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

fn bom(path: &std::path::Path) -> (Vec<u8>, Value) {
    bom_with_threads(path, "2")
}

fn bom_with_threads(path: &std::path::Path, threads: &str) -> (Vec<u8>, Value) {
    let out = tollgate()
        .env_remove("SOURCE_DATE_EPOCH")
        .env("RAYON_NUM_THREADS", threads)
        .args(["inventory", "--format", "cyclonedx"])
        .arg(path)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out.stdout);
    (out.stdout, doc)
}

fn purls(doc: &Value) -> BTreeSet<String> {
    doc["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter_map(|c| c["purl"].as_str().map(str::to_owned))
        .collect()
}

fn tasks(doc: &Value) -> Vec<&Value> {
    doc["formulation"][0]["workflows"]
        .as_array()
        .expect("workflows")
        .iter()
        .flat_map(|w| w["tasks"].as_array().expect("tasks"))
        .collect()
}

fn props<'a>(v: &'a Value, name: &str) -> Vec<&'a str> {
    v["properties"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["name"] == name)
        .filter_map(|p| p["value"].as_str())
        .collect()
}

#[test]
fn the_demo_validates_and_lists_what_its_pipelines_use() {
    let (_, doc) = bom(&testdata("demo"));
    assert_valid(&validator(), &doc, "demo");
    assert_eq!(doc["bomFormat"], "CycloneDX");
    assert_eq!(doc["specVersion"], "1.6");
    assert!(doc.get("serialNumber").is_none());
    assert!(doc["metadata"].get("timestamp").is_none());
    assert_eq!(
        doc["metadata"]["tools"]["components"][0]["name"],
        "tollgate"
    );
    let p = purls(&doc);
    for want in [
        // ci.yml, and the local composite action it calls.
        "pkg:github/actions/checkout@v4",
        "pkg:github/swatinem/rust-cache@v2",
        "pkg:github/dtolnay/rust-toolchain@master",
        "pkg:docker/node@20",
        "pkg:docker/postgres@16",
        // release.yml: pinned actions and the reusable workflow's path as subpath.
        "pkg:github/actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11",
        "pkg:github/docker/login-action@9780b0c442fbb1117ed29e0efdff1e18412f7567",
        "pkg:github/softprops/action-gh-release@master",
        "pkg:github/example/shared-workflows@main#.github/workflows/notify.yml",
        // Lockfiles: the npm scope is an encoded namespace.
        "pkg:npm/%40example/ui@2.1.0",
        "pkg:npm/left-pad@1.3.0",
        "pkg:pypi/build@1.2.2",
        "pkg:pypi/twine@5.1.1",
        "pkg:cargo/serde@1.0.215",
    ] {
        assert!(p.contains(want), "{want} missing from {p:#?}");
    }
    // The workflows are the formulation, each job a task with what it holds.
    let workflows: Vec<&str> = doc["formulation"][0]["workflows"]
        .as_array()
        .expect("workflows")
        .iter()
        .filter_map(|w| w["uid"].as_str())
        .collect();
    assert_eq!(
        workflows,
        [
            ".github/workflows/ci.yml",
            ".github/workflows/release.yml",
            ".github/workflows/triage.yml"
        ]
    );
    let all = tasks(&doc);
    let publish = all
        .iter()
        .find(|t| t["uid"] == ".github/workflows/release.yml#publish")
        .expect("publish job");
    assert_eq!(props(publish, "tollgate:secret"), ["PYPI_TOKEN"]);
    assert_eq!(props(publish, "tollgate:permission"), ["all: write"]);
    assert_eq!(props(publish, "tollgate:oidc"), ["true"]);
    assert!(props(publish, "tollgate:egress-host").contains(&"upload.pypi.org"));
    let test = all
        .iter()
        .find(|t| t["uid"] == ".github/workflows/ci.yml#test")
        .expect("test job");
    let refs: Vec<&str> = test["resourceReferences"]
        .as_array()
        .expect("references")
        .iter()
        .filter_map(|r| r["ref"].as_str())
        .collect();
    // Images, actions, and the packages its commands install: `npm ci` from
    // web/package-lock.json, `cargo test --locked` from Cargo.lock, `pip install black`,
    // and `cargo install cargo-nextest` in the local composite action it calls.
    for want in [
        "pkg:docker/postgres@16",
        "pkg:github/swatinem/rust-cache@v2",
        "pkg:npm/left-pad@1.3.0",
        "pkg:cargo/serde@1.0.215",
        "pkg:pypi/black",
        "pkg:cargo/cargo-nextest",
    ] {
        assert!(refs.contains(&want), "{want} not in {refs:?}");
    }
    // `pip install -r requirements.txt` in publish, not in test.
    assert!(!refs.contains(&"pkg:pypi/twine@5.1.1"), "{refs:?}");
    let publish_refs: Vec<&str> = publish["resourceReferences"]
        .as_array()
        .expect("references")
        .iter()
        .filter_map(|r| r["ref"].as_str())
        .collect();
    assert!(
        publish_refs.contains(&"pkg:pypi/twine@5.1.1"),
        "{publish_refs:?}"
    );
    let steps: Vec<&str> = test["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(steps.contains(&"Install tools"), "{steps:?}");
    // Every reference names a component.
    let refs_all: BTreeSet<&str> = doc["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter_map(|c| c["bom-ref"].as_str())
        .collect();
    for t in &all {
        for r in t["resourceReferences"].as_array().into_iter().flatten() {
            assert!(
                refs_all.contains(r["ref"].as_str().unwrap_or_default()),
                "{r}"
            );
        }
    }
}

#[test]
fn the_document_is_deterministic_and_takes_its_time_from_source_date_epoch() {
    let (a, _) = bom(&testdata("demo"));
    let (b, _) = bom(&testdata("demo"));
    assert_eq!(a, b);
    let out = tollgate()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["inventory", "--format", "cyclonedx"])
        .arg(testdata("demo"))
        .output()
        .expect("runs");
    let doc = json(&out.stdout);
    assert_eq!(doc["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
    assert_valid(&validator(), &doc, "with a timestamp");
}

#[test]
fn text_from_the_input_is_encoded_in_purls_and_escaped_in_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    common::write(
        dir.path(),
        ".github/workflows/odd.yml",
        "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    container: ghcr.io/Owner/img:1.0\n    steps:\n      - uses: Some-Owner/act@feature/x%y\n      - name: \"say \\\"hi\\\"\\u0007\"\n        run: echo hi\n",
    );
    let (_, doc) = bom(dir.path());
    assert_valid(&validator(), &doc, "odd");
    let p = purls(&doc);
    assert!(
        p.contains("pkg:github/some-owner/act@feature%2Fx%25y"),
        "{p:#?}"
    );
    assert!(
        p.contains("pkg:docker/owner/img@1.0?repository_url=ghcr.io"),
        "{p:#?}"
    );
    let names: Vec<&str> = tasks(&doc)[0]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(names.iter().any(|n| n.contains("say \"hi\"")), "{names:?}");
}

#[test]
fn every_corpus_repository_validates_and_is_deterministic() {
    let Some(corpus) = corpus() else { return };
    let v = validator();
    let mut repos: Vec<_> = std::fs::read_dir(&corpus)
        .expect("corpus")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    repos.sort();
    assert!(repos.len() >= 30, "{} repositories", repos.len());
    for repo in repos {
        let (bytes, doc) = bom(&repo);
        let what = repo.display().to_string();
        assert_valid(&v, &doc, &what);
        // One thread or two, the same bytes.
        assert!(bytes == bom_with_threads(&repo, "1").0, "{what} differs");
    }
}

#[test]
fn the_schema_in_use_rejects_what_cyclonedx_does_not_allow() {
    // Without these failing, a passing validation would prove nothing: the schema must be
    // the real one, with the SPDX schema it references resolved from testdata.
    let v = validator();
    let (_, good) = bom(&testdata("demo"));
    let mut bad_type = good.clone();
    bad_type["components"][0]["type"] = "bogus".into();
    assert!(!v.is_valid(&bad_type));
    let mut no_task_types = good.clone();
    if let Some(t) = no_task_types["formulation"][0]["workflows"][0]["tasks"][0].as_object_mut() {
        t.remove("taskTypes");
    }
    assert!(!v.is_valid(&no_task_types));
    let mut bad_license = good.clone();
    bad_license["components"][0]["licenses"] =
        serde_json::json!([{ "license": { "id": "Not-A-License-Id" } }]);
    assert!(!v.is_valid(&bad_license));
    let mut good_license = good;
    good_license["components"][0]["licenses"] =
        serde_json::json!([{ "license": { "id": "Apache-2.0" } }]);
    assert_valid(&v, &good_license, "a known SPDX id");
}

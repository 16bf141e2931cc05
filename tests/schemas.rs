//! The JSON outputs of `check`, `graph`, `egress` and `inventory` match the schemas
//! published in docs/schemas/, on the demo repository and on rule fixtures; and the
//! schemas are strict: every object is closed and every field typed, so a field added to
//! an output, or one whose type changes, fails validation instead of passing unnoticed.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::{json, root, testdata, tollgate, write};
use serde_json::Value;

fn validator(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("docs/schemas").join(name)).expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

/// The first errors of `doc` against `v`, readable.
fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .take(10)
        .collect()
}

fn output(args: &[&str], path: &std::path::Path) -> Value {
    let out = tollgate().args(args).arg(path).output().expect("runs");
    json(&out.stdout)
}

fn check(schema: &str, args: &[&str], path: &std::path::Path) {
    let v = validator(schema);
    let doc = output(args, path);
    let errors = errors(&v, &doc);
    assert!(
        errors.is_empty(),
        "{schema} on {}: {errors:#?}",
        path.display()
    );
}

/// The four documents: schema file and command line.
const DOCUMENTS: [(&str, &[&str]); 4] = [
    ("check.schema.json", &["check", "--format", "json"]),
    ("graph.schema.json", &["graph", "--format", "json"]),
    ("egress.schema.json", &["egress", "--format", "json"]),
    ("inventory.schema.json", &["inventory", "--format", "json"]),
];

#[test]
fn outputs_match_their_schemas() {
    let mut paths = vec![
        testdata("demo"),
        testdata("rules/egress-not-allowed"),
        testdata("rules/unknown-package-source"),
        testdata("rules/broad-permissions"),
        testdata("gitlab/graph"),
    ];
    paths.extend(common::corpus());
    for p in &paths {
        for (schema, args) in DOCUMENTS {
            check(schema, args, p);
        }
    }
}

/// A repository whose outputs hold every kind of script fact (each way of running a
/// download, each kind of credential use), every package source kind a lockfile records
/// and several roles of configured sources.
fn every_kind() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        ".github/workflows/ci.yml",
        r#"name: ci
on: push
jobs:
  all:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
      contents: write
    steps:
      - uses: actions/checkout@v4
      - run: |
          curl -fsSL https://example.com/install.sh | sh
          bash <(curl -fsSL https://example.com/b.sh)
          sh -c "$(curl -fsSL https://example.com/c.sh)"
          curl -fsSLo run.sh https://example.com/run.sh
          ./run.sh
          source <(curl -fsSL https://example.com/env.sh)
          curl -fsSLO https://example.com/tool.deb
          sudo dpkg -i tool.deb
          curl -fsSLO https://example.com/tool.tgz
          sha256sum -c tool.tgz.sha256
          tar xzf tool.tgz
          docker pull alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000
          docker build -t me/x:1 .
          PIP_INDEX_URL=https://pypi.example.com/simple pip install -r requirements.txt --extra-index-url https://extra.example.com/simple requests==2.0
          echo "$GITHUB_TOKEN"
          echo "${{ secrets.NPM_TOKEN }}"
          curl -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL"
          git push --force origin main
          gh pr create --fill
          npm publish --provenance
          cosign sign --yes me/x:1
          gh attestation download me/x
          echo "x=1" >> "$GITHUB_ENV"
          echo "${{ github.event.head_commit.message }}"
"#,
    );
    write(
        d,
        "Cargo.lock",
        r#"version = 3

[[package]]
name = "a"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "0000000000000000000000000000000000000000000000000000000000000000"

[[package]]
name = "b"
version = "0.1.0"
source = "git+https://github.com/o/b?branch=main#0123456789abcdef0123456789abcdef01234567"

[[package]]
name = "me"
version = "0.1.0"
"#,
    );
    write(
        d,
        ".cargo/config.toml",
        "[source.crates-io]\nreplace-with = \"mirror\"\n\n[source.mirror]\nregistry = \"sparse+https://mirror.example.com/index/\"\n",
    );
    write(
        d,
        ".npmrc",
        "registry=https://npm.example.com/\n@me:registry=https://npm.me.example.com/\n",
    );
    write(
        d,
        "requirements.txt",
        "requests==2.0\npkg @ https://example.com/pkg-1.0-py3-none-any.whl\n-e ./local\n--find-links https://wheels.example.com/\n",
    );
    dir
}

/// The discriminators (`kind`, `how`, `type`, `role`) of every object of the document, as
/// `key=value`, so a test can see which variants of its tagged unions a document holds.
fn tags(doc: &Value, out: &mut BTreeSet<String>) {
    match doc {
        Value::Object(m) => {
            for key in ["kind", "how", "type", "role"] {
                if let Some(Value::String(s)) = m.get(key) {
                    out.insert(format!("{key}={s}"));
                }
            }
            m.values().for_each(|v| tags(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| tags(v, out)),
        _ => {}
    }
}

#[test]
fn every_kind_of_fact_and_source_matches_the_schema() {
    let dir = every_kind();
    let doc = output(&["check", "--format", "json"], dir.path());
    let mut seen = BTreeSet::new();
    tags(&doc, &mut seen);
    // The fixture really holds every variant the schema has a branch for.
    for want in [
        "kind=download",
        "kind=image",
        "kind=image-build",
        "kind=download-exec",
        "kind=verification",
        "kind=install",
        "kind=credential",
        "kind=env-write",
        "kind=secret-echo",
        "how=pipe",
        "how=process-substitution",
        "how=command-substitution",
        "how=later-executed",
        "how=sourced",
        "how=installed",
        "how=extracted",
        "type=github-token",
        "type=secret",
        "type=oidc-token",
        "type=git-push",
        "type=gh-write",
        "type=publish",
        "type=sign",
        "type=attestation",
        "kind=registry",
        "kind=git",
        "kind=url",
        "kind=path",
        "kind=workspace",
        "role=default",
        "role=scoped",
        "role=named",
        "role=replacement",
        "role=find-links",
    ] {
        assert!(seen.contains(want), "the fixture has no `{want}`: {seen:?}");
    }
    for (schema, args) in DOCUMENTS {
        check(schema, args, dir.path());
    }
}

#[test]
fn the_graph_types_the_flow_of_an_untrusted_value_into_a_script() {
    let dir = every_kind();
    let doc = output(&["graph", "--format", "json"], dir.path());
    let mut seen = BTreeSet::new();
    tags(&doc, &mut seen);
    for want in ["kind=value", "kind=flows"] {
        assert!(seen.contains(want), "the graph has no `{want}`: {seen:?}");
    }
    let value = doc["nodes"]
        .as_array()
        .and_then(|n| n.iter().find(|n| n["kind"] == "value"))
        .expect("a value node");
    assert_eq!(value["attrs"]["name"], "github.event.head_commit.message");
    check(
        "graph.schema.json",
        &["graph", "--format", "json"],
        dir.path(),
    );
}

/// A path into a document: object keys and array indexes.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn at_mut<'a>(doc: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(doc, |v, s| match s {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

/// The shape of a place: its path with array indexes dropped, plus the discriminators of
/// the objects on the way (`kind`, `how`, `type`, `role`), so each variant of a tagged
/// union is mutated once.
fn shape(doc: &Value, path: &[Step]) -> String {
    let mut s = String::new();
    let mut v = doc;
    for step in path {
        if let Value::Object(m) = v {
            for key in ["kind", "how", "type", "role"] {
                if let Some(Value::String(t)) = m.get(key) {
                    s.push_str(&format!("<{key}={t}>"));
                }
            }
        }
        match step {
            Step::Key(k) => {
                s.push('.');
                s.push_str(k);
                v = &v[k.as_str()];
            }
            Step::Index(i) => {
                s.push_str("[]");
                v = &v[*i];
            }
        }
    }
    s
}

/// Every place of the document, depth first: (path, value).
fn places(v: &Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(path.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                path.push(Step::Key(k.clone()));
                places(x, path, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(Step::Index(i));
                places(x, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// A value of another JSON type than `v`, which no field typed like `v` accepts.
fn retyped(v: &Value) -> Value {
    match v {
        Value::String(_) => Value::from(7),
        Value::Number(_) | Value::Bool(_) => Value::from("7"),
        Value::Null | Value::Array(_) => serde_json::json!({ "unexpected": true }),
        Value::Object(_) => Value::from("unexpected"),
    }
}

/// For each shape of place in `doc` (each object, each field, once per variant): the
/// document with one field added to that object, and with that field's value of another
/// type, must both fail validation. Returns how many mutations were tried.
fn assert_strict(schema: &str, doc: &Value) -> usize {
    let v = validator(schema);
    assert!(
        errors(&v, doc).is_empty(),
        "{schema}: the document itself is valid"
    );
    let mut all = Vec::new();
    places(doc, &mut Vec::new(), &mut all);
    let mut seen = BTreeSet::new();
    let mut tried = 0;
    for path in all {
        if !seen.insert(shape(doc, &path)) {
            continue;
        }
        let original = {
            let mut d = doc.clone();
            at_mut(&mut d, &path).clone()
        };
        if original.is_object() {
            let mut d = doc.clone();
            if let Value::Object(m) = at_mut(&mut d, &path) {
                m.insert("unexpected_field".to_owned(), Value::Bool(true));
            }
            assert!(
                !v.is_valid(&d),
                "{schema}: an extra field in the object at {path:?} passes validation"
            );
            tried += 1;
        }
        // The root and array elements have no field name; their type is checked through
        // their container's fields.
        if matches!(path.last(), Some(Step::Key(_))) {
            let mut d = doc.clone();
            *at_mut(&mut d, &path) = retyped(&original);
            assert!(
                !v.is_valid(&d),
                "{schema}: the field at {path:?} passes validation as {}",
                retyped(&original)
            );
            tried += 1;
        }
    }
    tried
}

#[test]
fn schemas_reject_an_added_field_or_a_changed_type() {
    let dir = every_kind();
    for (schema, args) in DOCUMENTS {
        for path in [testdata("demo"), dir.path().to_path_buf()] {
            let start = Instant::now();
            let doc = output(args, &path);
            let tried = assert_strict(schema, &doc);
            // Enough places to mean something: every document has dozens of fields.
            assert!(
                tried >= 20,
                "{schema} on {}: {tried} mutations",
                path.display()
            );
            // A generous bound that only a blow-up would pass (debug build, shared CI).
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{schema} on {}: {:?}",
                path.display(),
                start.elapsed()
            );
        }
    }
}

/// `tollgate baseline` writes a file (not standard output): it matches its schema, on the
/// demo repository, the repository of every kind and the corpus, and the schema is strict.
#[test]
fn baselines_match_their_schema() {
    let every = every_kind();
    let mut paths = vec![testdata("demo"), every.path().to_path_buf()];
    paths.extend(common::corpus());
    let v = validator("baseline.schema.json");
    for (n, p) in paths.iter().enumerate() {
        let out_dir = tempfile::tempdir().expect("tempdir");
        let file = out_dir.path().join("b.json");
        let out = tollgate()
            .arg("baseline")
            .arg("-o")
            .arg(&file)
            .arg(p)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let doc = json(&std::fs::read(&file).expect("written"));
        let errors = errors(&v, &doc);
        assert!(
            errors.is_empty(),
            "baseline of {}: {errors:#?}",
            p.display()
        );
        if n < 2 {
            assert!(
                doc["entries"].as_array().is_some_and(|e| !e.is_empty()),
                "{}",
                p.display()
            );
            assert!(assert_strict("baseline.schema.json", &doc) >= 8);
        }
    }
}

/// `tollgate diff --format json` between two directories (no git needed): the demo
/// repository against the repository with every kind of fact, both ways, and each
/// against an empty tree; valid, and strict like the others.
#[test]
fn the_diff_document_matches_its_schema_and_is_strict() {
    let dir = every_kind();
    let empty = tempfile::tempdir().expect("tmp");
    let demo = testdata("demo");
    let pairs = [
        (demo.as_path(), dir.path()),
        (dir.path(), demo.as_path()),
        (empty.path(), dir.path()),
        (dir.path(), empty.path()),
    ];
    let mut tried = 0;
    for (base, head) in pairs {
        let out = tollgate()
            .arg("diff")
            .arg(base)
            .arg(head)
            .args(["--format", "json"])
            .output()
            .expect("runs");
        let doc = json(&out.stdout);
        tried += assert_strict("diff.schema.json", &doc);
    }
    assert!(tried >= 40, "{tried} mutations");
}

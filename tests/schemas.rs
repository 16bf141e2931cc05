//! The JSON outputs of `check`, `graph`, `egress` and `inventory` match the schemas
//! published in docs/schemas/, on the demo repository and on rule fixtures.

mod common;

use common::{json, root, testdata, tollgate};

fn validator(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("docs/schemas").join(name)).expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn check(schema: &str, args: &[&str], path: &std::path::Path) {
    let v = validator(schema);
    let out = tollgate().args(args).arg(path).output().expect("runs");
    let doc = json(&out.stdout);
    let errors: Vec<String> = v
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .take(10)
        .collect();
    assert!(
        errors.is_empty(),
        "{schema} on {}: {errors:#?}",
        path.display()
    );
}

#[test]
fn outputs_match_their_schemas() {
    let mut paths = vec![
        testdata("demo"),
        testdata("rules/egress-not-allowed"),
        testdata("rules/unknown-package-source"),
        testdata("rules/broad-permissions"),
    ];
    paths.extend(common::corpus());
    for p in &paths {
        check("check.schema.json", &["check", "--format", "json"], p);
        check("graph.schema.json", &["graph", "--format", "json"], p);
        check("egress.schema.json", &["egress", "--format", "json"], p);
        check(
            "inventory.schema.json",
            &["inventory", "--format", "json"],
            p,
        );
    }
}

//! `hardcoded-credential` never repeats the credential it reports: in every output format
//! of `check` the finding shows the format's prefix and an ellipsis, and SARIF's snippet
//! (the located text) is that prefix. Only the human output's source excerpt shows the
//! line of the file as it is written.

mod common;

use common::{assert_valid_sarif, json, testdata, tollgate};

/// The credentials written in the cases, each whole (what must not be printed).
const SECRETS: &[&str] = &[
    "npm_KLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFR",
    "dckr_pat_jAWtGSU8po_799NksnRH9ucAUsd",
    "xoxb-79244026859-952890786666-gEOzdmenCkhvMdgaKjIg8xNb",
    "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",
    "glpat-Rk3vZJr3J1TWDtkwtDDb",
    "AKIA81U33XTPLPFT75V2",
    "ASIA7QZK2M4P9RTX3VBN",
    "Kjp1vRt/1fjORS+6ilI8ihN5KXSc7Tvo+hBKqFYY",
    "s3cr3t-Passw0rd-2024",
    "Tr0ub4dor&3",
    "AIzaMlHUvTCQCyEZDz-TddJ8HyS5SUkCnD8zRA9",
];

/// A piece of each secret past its prefix: finds a secret cut or escaped in the output.
fn tails() -> Vec<&'static str> {
    SECRETS
        .iter()
        .map(|s| &s[s.len() - 8..])
        .filter(|t| !t.contains('&') && !t.contains('/'))
        .collect()
}

const CASES: &[&str] = &[
    "fires-env-with-script",
    "fires-aws-pair",
    "fires-container-service",
];

fn check(case: &str, format: &str) -> String {
    let out = tollgate()
        .args([
            "check",
            "--select",
            "hardcoded-credential",
            "--color",
            "never",
            "--format",
            format,
        ])
        .arg(testdata(&format!("rules/hardcoded-credential/{case}")))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{case} {format}: findings fail");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn machine_formats_never_print_a_credential() {
    for case in CASES {
        for format in ["json", "sarif", "github", "concise"] {
            let text = check(case, format);
            assert!(text.contains("hardcoded-credential"), "{case} {format}");
            assert!(text.contains('…'), "{case} {format}: a masked prefix");
            for s in SECRETS.iter().chain(&tails()) {
                assert!(!text.contains(s), "{case} {format} prints `{s}`:\n{text}");
            }
        }
    }
}

#[test]
fn sarif_snippets_are_the_prefix_only() {
    let doc = json(check("fires-env-with-script", "sarif").as_bytes());
    assert_valid_sarif(&doc, "hardcoded-credential");
    let snippets: Vec<String> = doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["region"]["snippet"]["text"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        snippets,
        ["npm_", "dckr_pat_", "xoxb-", "github_pat_", "glpat-"],
        "one per finding, in file order"
    );
}

/// In the human output a credential appears only on an excerpt line (`NN │ text`), which
/// quotes the file; never in a message, label, help or path.
#[test]
fn human_output_shows_credentials_only_in_source_excerpts() {
    for case in CASES {
        let text = check(case, "human");
        assert!(text.contains("hardcoded-credential"), "{case}");
        for line in text.lines() {
            if !SECRETS.iter().chain(&tails()).any(|s| line.contains(s)) {
                continue;
            }
            let excerpt = line
                .trim_start()
                .split_once(" │ ")
                .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()));
            assert!(excerpt, "{case}: a credential outside an excerpt: {line}");
        }
    }
}

/// A token in an action under a test directory is reported with low confidence (it may be
/// a scanner's fixture); the same token in the repository's own action, with high.
#[test]
fn actions_among_tests_are_low_confidence() {
    let doc = json(check("fires-action-fixture", "json").as_bytes());
    let mut got: Vec<(String, String)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["location"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                f["confidence"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (
                ".github/actions/deploy/action.yml".to_owned(),
                "high".to_owned()
            ),
            (
                ".github/actions/deploy/action.yml".to_owned(),
                "high".to_owned()
            ),
            (
                "tests/fixtures/leaky/action.yml".to_owned(),
                "low".to_owned()
            ),
        ]
    );
}

//! SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.
//!
//! Paths are relative to the scan root (`%SRCROOT%`), regions 1-based, columns counted in
//! Unicode code points (declared with `columnKind`). `partialFingerprints` hash the rule,
//! the path and the text of the primary line (not its number), so an alert survives lines
//! being inserted above it.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tollgate_model::{Diagnostic, Finding, Level, Location, SourceFile};

use crate::findings::RuleInfo;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "note",
    }
}

fn physical(loc: &Location, snippet: Option<&str>) -> Value {
    let mut region = json!({
        "startLine": loc.start.line,
        "startColumn": loc.start.column,
        "endLine": loc.end.line,
        "endColumn": loc.end.column.max(if loc.end.line == loc.start.line { loc.start.column + 1 } else { 1 }),
    });
    if let Some(s) = snippet {
        region["snippet"] = json!({ "text": s });
    }
    json!({
        "artifactLocation": { "uri": loc.path, "uriBaseId": "%SRCROOT%" },
        "region": region,
    })
}

/// 64-bit FNV-1a: small, stable across platforms and releases (fingerprints must not
/// change when the toolchain does, which rules out `std`'s hasher).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Render the SARIF log. `sources` finds the text of a path (for snippets and
/// fingerprints); `diagnostics` become tool execution notifications.
#[must_use]
pub fn render<'a>(
    rules: &[RuleInfo],
    findings: &[Finding],
    diagnostics: &[Diagnostic],
    source: impl Fn(&str) -> Option<&'a SourceFile>,
    version: &str,
    information_uri: &str,
) -> Value {
    let index: BTreeMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let driver_rules: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": camel(&r.id),
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.description },
                "help": { "text": r.description, "markdown": r.help_markdown },
                "helpUri": r.help_uri,
                "defaultConfiguration": { "level": level(r.level), "enabled": r.default_enabled },
                "properties": {
                    "tags": ["security", "supply-chain", r.category],
                    "security-severity": r.severity.security_severity(),
                    "precision": match r.confidence {
                        tollgate_model::Confidence::High => "high",
                        tollgate_model::Confidence::Medium => "medium",
                        tollgate_model::Confidence::Low => "low",
                    },
                    "problem.severity": match r.level {
                        Level::Error => "error",
                        Level::Warning => "warning",
                        Level::Note => "recommendation",
                    },
                },
            })
        })
        .collect();

    // Identical (rule, path, line text) triples are told apart by their order of
    // occurrence, which is stable under unrelated edits.
    let mut seen: BTreeMap<(u64, &str), usize> = BTreeMap::new();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let file = source(&f.primary.path);
            let line_text = file.map_or("", |s| s.line_text(f.primary.start.line).trim());
            let snippet = file.map(|s| s.slice(f.primary.span));
            let key = format!("{}\0{}\0{}", f.rule, f.primary.path, line_text);
            let h = fnv1a(key.as_bytes());
            let n = seen.entry((h, f.rule)).or_insert(0);
            *n += 1;
            let mut r = json!({
                "ruleId": f.rule,
                "level": level(f.level),
                "message": { "text": f.message },
                "locations": [ { "physicalLocation": physical(&f.primary, snippet) } ],
                "partialFingerprints": { "tollgate/v1": format!("{h:016x}:{n}") },
                "properties": {
                    "severity": f.severity.as_str(),
                    "confidence": f.confidence.as_str(),
                },
            });
            if let Some(i) = index.get(f.rule) {
                r["ruleIndex"] = json!(i);
            }
            if let Some(h) = &f.help {
                r["message"]["markdown"] = json!(format!("{}\n\n{}", f.message, h));
            }
            if !f.related.is_empty() {
                r["relatedLocations"] = f
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, rel)| {
                        json!({
                            "id": i + 1,
                            "physicalLocation": physical(&rel.location, None),
                            "message": { "text": rel.message },
                        })
                    })
                    .collect();
            }
            if !f.path.is_empty() {
                let locations: Vec<Value> = f
                    .path
                    .iter()
                    .map(|hop| {
                        let mut loc = json!({ "message": { "text": hop.label } });
                        if let Some(l) = &hop.location {
                            loc["physicalLocation"] = physical(l, None);
                        }
                        json!({ "location": loc })
                    })
                    .collect();
                r["codeFlows"] = json!([{ "threadFlows": [{ "locations": locations }] }]);
            }
            r
        })
        .collect();

    let notifications: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let mut n = json!({
                "level": match d.severity {
                    tollgate_model::Severity::Error => "error",
                    tollgate_model::Severity::Warning => "warning",
                    tollgate_model::Severity::Note => "note",
                },
                "message": { "text": format!("{}: {}", d.path, d.message) },
                "descriptor": { "id": d.code.as_str() },
            });
            if let Some(l) = &d.location {
                n["locations"] = json!([{ "physicalLocation": physical(l, None) }]);
            }
            n
        })
        .collect();

    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "tollgate",
                "version": version,
                "semanticVersion": version,
                "informationUri": information_uri,
                "rules": driver_rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
        }],
    })
}

/// `unpinned-action` → `UnpinnedAction` (SARIF's `name` is an identifier-like label).
fn camel(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

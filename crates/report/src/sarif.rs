//! SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.
//!
//! Paths are relative to the scan root (`%SRCROOT%`), regions 1-based, columns counted in
//! Unicode code points (declared with `columnKind`). `partialFingerprints` hash the rule,
//! the path and the text of the primary line (not its number), so an alert survives lines
//! being inserted above it.

use std::collections::BTreeMap;

use serde::Serialize;
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

// The log is written straight from these borrowed structs (no JSON tree in memory). Their
// fields are declared in name order, so objects come out with sorted keys.

/// The SARIF log of one run, ready to serialise.
#[derive(Debug, Serialize)]
pub struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a>; 1],
    version: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    column_kind: &'static str,
    invocations: [Invocation<'a>; 1],
    results: Vec<SarifResult<'a>>,
    tool: Tool<'a>,
}

#[derive(Debug, Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    information_uri: &'a str,
    name: &'static str,
    rules: Vec<RuleDto<'a>>,
    semantic_version: &'a str,
    version: &'a str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDto<'a> {
    default_configuration: DefaultConfiguration,
    full_description: Text<'a>,
    help: Help<'a>,
    help_uri: &'a str,
    id: &'a str,
    name: String,
    properties: RuleProperties<'a>,
    short_description: Text<'a>,
}

#[derive(Debug, Serialize)]
struct DefaultConfiguration {
    enabled: bool,
    level: &'static str,
}

#[derive(Debug, Serialize)]
struct Help<'a> {
    markdown: &'a str,
    text: &'a str,
}

#[derive(Debug, Serialize)]
struct RuleProperties<'a> {
    precision: &'static str,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    tags: [&'a str; 3],
}

#[derive(Debug, Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification<'a>>,
}

#[derive(Debug, Serialize)]
struct Notification<'a> {
    descriptor: Descriptor,
    level: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    locations: Option<[LocationDto<'a>; 1]>,
    message: OwnedText,
}

#[derive(Debug, Serialize)]
struct Descriptor {
    id: &'static str,
}

#[derive(Debug, Serialize)]
struct OwnedText {
    text: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    code_flows: Option<[CodeFlow<'a>; 1]>,
    level: &'static str,
    locations: [LocationDto<'a>; 1],
    message: ResultMessage<'a>,
    partial_fingerprints: Fingerprints,
    properties: ResultProperties,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedDto<'a>>,
    rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
}

#[derive(Debug, Serialize)]
struct ResultMessage<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    markdown: Option<String>,
    text: &'a str,
}

#[derive(Debug, Serialize)]
struct Fingerprints {
    #[serde(rename = "tollgate/v1")]
    v1: String,
}

#[derive(Debug, Serialize)]
struct ResultProperties {
    confidence: &'static str,
    severity: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedDto<'a> {
    id: usize,
    message: Text<'a>,
    physical_location: Physical<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CodeFlow<'a> {
    thread_flows: [ThreadFlow<'a>; 1],
}

#[derive(Debug, Serialize)]
struct ThreadFlow<'a> {
    locations: Vec<FlowLocation<'a>>,
}

#[derive(Debug, Serialize)]
struct FlowLocation<'a> {
    location: FlowHop<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct FlowHop<'a> {
    message: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<Physical<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct LocationDto<'a> {
    physical_location: Physical<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical<'a> {
    artifact_location: Artifact<'a>,
    region: Region<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Artifact<'a> {
    uri: &'a str,
    uri_base_id: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Region<'a> {
    end_column: usize,
    end_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Text<'a>>,
    start_column: usize,
    start_line: usize,
}

fn physical<'a>(loc: &'a Location, snippet: Option<&'a str>) -> Physical<'a> {
    let min_end = if loc.end.line == loc.start.line {
        loc.start.column + 1
    } else {
        1
    };
    Physical {
        artifact_location: Artifact {
            uri: &loc.path,
            uri_base_id: "%SRCROOT%",
        },
        region: Region {
            end_column: loc.end.column.max(min_end),
            end_line: loc.end.line,
            snippet: snippet.map(|text| Text { text }),
            start_column: loc.start.column,
            start_line: loc.start.line,
        },
    }
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
/// fingerprints); `diagnostics` become tool execution notifications. The log borrows
/// from its arguments; serialise it with `serde_json`.
#[must_use]
pub fn render<'a>(
    rules: &'a [RuleInfo],
    findings: &'a [Finding],
    diagnostics: &'a [Diagnostic],
    source: impl Fn(&str) -> Option<&'a SourceFile>,
    version: &'a str,
    information_uri: &'a str,
) -> Log<'a> {
    let index: BTreeMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let driver_rules: Vec<RuleDto<'a>> = rules
        .iter()
        .map(|r| RuleDto {
            default_configuration: DefaultConfiguration {
                enabled: r.default_enabled,
                level: level(r.level),
            },
            full_description: Text {
                text: &r.description,
            },
            help: Help {
                markdown: &r.help_markdown,
                text: &r.description,
            },
            help_uri: &r.help_uri,
            id: &r.id,
            name: camel(&r.id),
            properties: RuleProperties {
                precision: match r.confidence {
                    tollgate_model::Confidence::High => "high",
                    tollgate_model::Confidence::Medium => "medium",
                    tollgate_model::Confidence::Low => "low",
                },
                problem_severity: match r.level {
                    Level::Error => "error",
                    Level::Warning => "warning",
                    Level::Note => "recommendation",
                },
                security_severity: r.severity.security_severity(),
                tags: ["security", "supply-chain", &r.category],
            },
            short_description: Text { text: &r.summary },
        })
        .collect();

    // Identical (rule, path, line text) triples are told apart by their order of
    // occurrence, which is stable under unrelated edits.
    let mut seen: BTreeMap<(u64, &str), usize> = BTreeMap::new();
    let mut key = String::new();
    let results: Vec<SarifResult<'a>> = findings
        .iter()
        .map(|f| {
            let file = source(&f.primary.path);
            let line_text = file.map_or("", |s| s.line_text(f.primary.start.line).trim());
            let snippet = file.map(|s| s.slice(f.primary.span));
            key.clear();
            for part in [f.rule, "\0", &f.primary.path, "\0", line_text] {
                key.push_str(part);
            }
            let h = fnv1a(key.as_bytes());
            let n = seen.entry((h, f.rule)).or_insert(0);
            *n += 1;
            let code_flows = (!f.path.is_empty()).then(|| {
                [CodeFlow {
                    thread_flows: [ThreadFlow {
                        locations: f
                            .path
                            .iter()
                            .map(|hop| FlowLocation {
                                location: FlowHop {
                                    message: Text { text: &hop.label },
                                    physical_location: hop
                                        .location
                                        .as_ref()
                                        .map(|l| physical(l, None)),
                                },
                            })
                            .collect(),
                    }],
                }]
            });
            SarifResult {
                code_flows,
                level: level(f.level),
                locations: [LocationDto {
                    physical_location: physical(&f.primary, snippet),
                }],
                message: ResultMessage {
                    markdown: f.help.as_ref().map(|h| format!("{}\n\n{}", f.message, h)),
                    text: &f.message,
                },
                partial_fingerprints: Fingerprints {
                    v1: format!("{h:016x}:{n}"),
                },
                properties: ResultProperties {
                    confidence: f.confidence.as_str(),
                    severity: f.severity.as_str(),
                },
                related_locations: f
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, rel)| RelatedDto {
                        id: i + 1,
                        message: Text { text: &rel.message },
                        physical_location: physical(&rel.location, None),
                    })
                    .collect(),
                rule_id: f.rule,
                rule_index: index.get(f.rule).copied(),
            }
        })
        .collect();

    let notifications: Vec<Notification<'a>> = diagnostics
        .iter()
        .map(|d| Notification {
            descriptor: Descriptor {
                id: d.code.as_str(),
            },
            level: match d.severity {
                tollgate_model::Severity::Error => "error",
                tollgate_model::Severity::Warning => "warning",
                tollgate_model::Severity::Note => "note",
            },
            locations: d.location.as_ref().map(|l| {
                [LocationDto {
                    physical_location: physical(l, None),
                }]
            }),
            message: OwnedText {
                text: format!("{}: {}", d.path, d.message),
            },
        })
        .collect();

    Log {
        schema: SCHEMA,
        runs: [Run {
            column_kind: "unicodeCodePoints",
            invocations: [Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            results,
            tool: Tool {
                driver: Driver {
                    information_uri,
                    name: "tollgate",
                    rules: driver_rules,
                    semantic_version: version,
                    version,
                },
            },
        }],
        version: "2.1.0",
    }
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

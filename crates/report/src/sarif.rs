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
    results: Results<'a>,
    tool: Tool<'a>,
}

/// The results, each made from its finding as it is written: a log of thousands of
/// results never holds them all at once (their messages with the help appended, code
/// flows and related locations were about 1 MB of the peak for 2,200 findings).
struct Results<'a> {
    findings: &'a [Finding],
    fingerprints: Vec<String>,
    /// Rule ids to their index in the driver's rules.
    index: BTreeMap<&'a str, usize>,
    source: Box<SourceOf<'a>>,
}

/// Finds a file's source by its path.
type SourceOf<'a> = dyn Fn(&str) -> Option<&'a SourceFile> + Sync + 'a;

impl std::fmt::Debug for Results<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Results")
            .field("findings", &self.findings.len())
            .finish_non_exhaustive()
    }
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.findings.len()))?;
        for (f, v1) in self.findings.iter().zip(&self.fingerprints) {
            seq.serialize_element(&self.result(f, v1))?;
        }
        seq.end()
    }
}

impl<'a> Results<'a> {
    fn result<'r>(&'r self, f: &'a Finding, v1: &'r str) -> SarifResult<'r>
    where
        'a: 'r,
    {
        let source = &self.source;
        let snippet = source(&f.primary.path).map(|s| s.slice(f.primary.span));
        let code_flows = (!f.path.is_empty()).then(|| {
            [CodeFlow {
                thread_flows: [ThreadFlow {
                    locations: f
                        .path
                        .iter()
                        .map(|hop| FlowLocation {
                            location: FlowHop {
                                message: Text { text: &hop.label },
                                physical_location: hop.location.as_ref().map(|l| physical(l, None)),
                            },
                        })
                        .collect(),
                }],
            }]
        });
        let fixes = f
            .fix
            .as_deref()
            .and_then(|x| source(&f.primary.path).map(|file| [sarif_fix(x, &f.primary, file)]));
        SarifResult {
            code_flows,
            fixes,
            level: level(f.level),
            locations: [LocationDto {
                physical_location: physical(&f.primary, snippet),
            }],
            message: ResultMessage {
                markdown: f.help.as_ref().map(|h| format!("{}\n\n{}", f.message, h)),
                text: &f.message,
            },
            partial_fingerprints: Fingerprints { v1 },
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
            rule_index: self.index.get(f.rule).copied(),
        }
    }
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
    #[serde(skip_serializing_if = "Option::is_none")]
    fixes: Option<[SarifFix<'a>; 1]>,
    level: &'static str,
    locations: [LocationDto<'a>; 1],
    message: ResultMessage<'a>,
    partial_fingerprints: Fingerprints<'a>,
    properties: ResultProperties,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedDto<'a>>,
    rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
}

/// A finding's fix: its edits as replacements of regions of the finding's file (an empty
/// region is an insertion point).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    artifact_changes: [ArtifactChange<'a>; 1],
    description: Text<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: Artifact<'a>,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: DeletedRegion,
    inserted_content: Text<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DeletedRegion {
    end_column: u32,
    end_line: u32,
    start_column: u32,
    start_line: u32,
}

/// The SARIF form of `fix`, with positions from `file`.
fn sarif_fix<'a>(
    fix: &'a tollgate_model::Fix,
    loc: &'a Location,
    file: &SourceFile,
) -> SarifFix<'a> {
    SarifFix {
        artifact_changes: [ArtifactChange {
            artifact_location: Artifact {
                uri: crate::escape::uri_path(&loc.path),
                uri_base_id: "%SRCROOT%",
            },
            replacements: fix
                .edits
                .iter()
                .map(|e| {
                    let at = file.location(e.span);
                    Replacement {
                        deleted_region: DeletedRegion {
                            end_column: at.end.column,
                            end_line: at.end.line,
                            start_column: at.start.column,
                            start_line: at.start.line,
                        },
                        inserted_content: Text { text: &e.text },
                    }
                })
                .collect(),
        }],
        description: Text { text: &fix.title },
    }
}

#[derive(Debug, Serialize)]
struct ResultMessage<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    markdown: Option<String>,
    text: &'a str,
}

#[derive(Debug, Serialize)]
struct Fingerprints<'a> {
    #[serde(rename = "tollgate/v1")]
    v1: &'a str,
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
    /// A relative URI reference: the display path percent-encoded.
    uri: std::borrow::Cow<'a, str>,
    uri_base_id: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Region<'a> {
    end_column: u32,
    end_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Text<'a>>,
    start_column: u32,
    start_line: u32,
}

fn physical<'a>(loc: &'a Location, snippet: Option<&'a str>) -> Physical<'a> {
    let min_end = if loc.end.line == loc.start.line {
        loc.start.column + 1
    } else {
        1
    };
    Physical {
        artifact_location: Artifact {
            uri: crate::escape::uri_path(&loc.path),
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

/// Render the SARIF log. `sources` finds the text of a path (for snippets and
/// fingerprints); `diagnostics` become tool execution notifications. The log borrows
/// from its arguments; serialise it with `serde_json`.
#[must_use]
pub fn render<'a>(
    rules: &'a [RuleInfo],
    findings: &'a [Finding],
    diagnostics: &'a [Diagnostic],
    source: impl Fn(&str) -> Option<&'a SourceFile> + Sync + 'a,
    version: &'a str,
    information_uri: &'a str,
) -> Log<'a> {
    let fingerprints = crate::fingerprint::of(findings, &source);
    render_fingerprinted(
        rules,
        findings,
        fingerprints,
        diagnostics,
        source,
        version,
        information_uri,
    )
}

/// [`render`] with the findings' fingerprints given, one per finding: those of a subset
/// (a diff's new findings) must be the ones the whole run gives them, since the
/// occurrence number counts the findings that share a line's text.
#[must_use]
pub fn render_fingerprinted<'a>(
    rules: &'a [RuleInfo],
    findings: &'a [Finding],
    fingerprints: Vec<String>,
    diagnostics: &'a [Diagnostic],
    source: impl Fn(&str) -> Option<&'a SourceFile> + Sync + 'a,
    version: &'a str,
    information_uri: &'a str,
) -> Log<'a> {
    debug_assert_eq!(findings.len(), fingerprints.len());
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
            results: Results {
                findings,
                fingerprints,
                index,
                source: Box::new(source),
            },
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

impl Log<'_> {
    /// The log as indented JSON, as `serde_json::to_string_pretty` writes it (see
    /// [`Log::write_json_pretty`]).
    ///
    /// # Errors
    /// When serialisation fails (it does not for these types).
    pub fn to_json_pretty(&self) -> serde_json::Result<String> {
        let mut out = Vec::new();
        self.write_json_pretty(&mut out)
            .map_err(serde_json::Error::io)?;
        // serde_json writes UTF-8.
        String::from_utf8(out).map_err(|e| serde::ser::Error::custom(e.to_string()))
    }

    /// Write the log as indented JSON, streamed by serde straight to `w` (the caller
    /// buffers it), the layout of `serde_json::to_writer_pretty` with the characters
    /// [`crate::escape::write_json_fragment`] escapes written as `\uXXXX`.
    ///
    /// # Errors
    /// When writing fails.
    pub fn write_json_pretty<W: std::io::Write + ?Sized>(&self, w: &mut W) -> std::io::Result<()> {
        crate::escape::to_writer_pretty(w, self)
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

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_model::{
        Confidence, Diagnostic, DiagnosticCode, Impact, PathHop, Related, SourceFile, Span,
    };

    fn finding(file: &SourceFile, span: Span, message: &str) -> Finding {
        Finding {
            rule: "unpinned-action",
            level: Level::Warning,
            severity: Impact::High,
            confidence: Confidence::High,
            message: message.to_owned(),
            primary: file.location(span),
            related: Vec::new(),
            path: Vec::new(),
            help: None,
            job: None,
            fix: None,
        }
    }

    /// Decode `%XX` escapes (what a URI reader does with a path).
    fn percent_decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' && i + 2 < b.len() {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("ascii");
                out.push(u8::from_str_radix(hex, 16).expect("hex"));
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).expect("UTF-8")
    }

    /// Every `artifactLocation.uri` is a relative reference that, resolved against a
    /// root, names the file again, whatever its name holds.
    #[test]
    fn artifact_uris_resolve_back_to_the_path() {
        let names = [
            ".github/workflows/ci.yml",
            "dir with space/a#b?c%d.yml",
            "x:y/z.yml",
            "back\\slash/é ü.yml",
            "new\nline/\u{1b}[2J::error file=x::forged.yml",
            "a/b;c=d&e+f@g!h$i'j(k)l*m,n.yml",
        ];
        let root = url::Url::parse("file:///root/").expect("base");
        for name in names {
            let file = SourceFile::new(name, name, "on: push\n");
            let f = finding(&file, Span::new(0, 2), "m");
            let rules: [RuleInfo; 0] = [];
            let log = render(
                &rules,
                std::slice::from_ref(&f),
                &[],
                |_| Some(&file),
                "1",
                "u",
            );
            let doc = serde_json::to_value(&log).expect("serialises");
            let uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
                ["artifactLocation"]["uri"]
                .as_str()
                .expect("uri");
            assert!(
                uri.bytes().all(|b| b.is_ascii_graphic() && b != b'\\'),
                "{uri:?}"
            );
            let joined = root.join(uri).expect("a valid relative reference");
            assert_eq!(joined.scheme(), "file", "{uri}");
            assert_eq!(joined.query(), None, "{uri}");
            assert_eq!(joined.fragment(), None, "{uri}");
            let path = joined
                .path()
                .strip_prefix("/root/")
                .expect("under the root");
            assert_eq!(percent_decode(path), name, "{uri}");
        }
    }

    /// The parallel writer gives exactly what serde_json's pretty printer gives for the
    /// whole log, whatever the results hold (newlines, quotes, the marker text itself).
    #[test]
    fn written_in_parallel_as_serde_json_writes_it() {
        let text = "on: push\njobs:\n  a:\n    steps:\n      - uses: \"results\": []\n      - run: |\n          echo \"x\"\n";
        let file = SourceFile::new("w/.github/workflows/ci.yml", "ci.yml", text);
        let mut a = finding(
            &file,
            Span::new(38, 53),
            "uses `\"results\": []`\n  on two lines",
        );
        a.help = Some("pin it\n\n```yaml\nuses: x@sha\n```".into());
        a.related.push(Related {
            location: file.location(Span::new(0, 8)),
            message: "trigger".into(),
        });
        a.path.push(PathHop {
            label: "workflow".into(),
            location: Some(file.location(Span::new(0, 2))),
        });
        a.path.push(PathHop {
            label: "job `a`".into(),
            location: None,
        });
        let b = finding(&file, Span::new(60, text.len()), "a run step");
        let c = finding(
            &file,
            Span::new(38, 53),
            "uses `\"results\": []`\n  on two lines",
        );
        let findings = [a, b, c];
        let diagnostics = [Diagnostic::file(
            "w/.github/workflows/ci.yml",
            DiagnosticCode::Internal,
            "\"results\": []",
        )];
        let rules: [RuleInfo; 0] = [];
        for n in [0, 1, 3] {
            let log = render(
                &rules,
                &findings[..n],
                &diagnostics,
                |_| Some(&file),
                "1",
                "https://example.invalid",
            );
            let expected = serde_json::to_string_pretty(&log).expect("serialises");
            let written = log.to_json_pretty().expect("serialises");
            assert_eq!(written, expected, "{n} results");
            let back: serde_json::Value = serde_json::from_str(&written).expect("valid JSON");
            assert_eq!(back["runs"][0]["results"].as_array().map(Vec::len), Some(n));
            // The log is whole again afterwards.
            assert_eq!(
                serde_json::to_string_pretty(&log).expect("serialises"),
                expected
            );
        }
    }
}

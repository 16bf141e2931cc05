//! The `check --format json` document (version 1): frozen DTOs filled field by field from
//! the scan, the diagnostics and the findings; script facts are in [`facts`], lockfile
//! packages and configured sources in [`packages`]. No internal type is serialised as is,
//! so every field of the document is one docs/schemas/check.schema.json types.

pub mod facts;
pub mod packages;

use serde::Serialize;

pub use facts::{FactDetailDto, SpanDto};
pub use packages::{PackageDto, SourceDto};
use tollgate_gha::{Job, Runs, Step, Uses, Workflow};
use tollgate_model::{Diagnostic, Finding, Location, SourceFile, Span};
use tollgate_scan::{FileModel, Input, Scan};

/// Bumped on any incompatible change of the document's shape.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
pub struct Document<'a> {
    pub version: u32,
    pub tool: Tool,
    pub inputs: Vec<InputDto<'a>>,
    pub diagnostics: Vec<DiagnosticDto<'a>>,
    pub findings: Vec<FindingDto<'a>>,
    pub workflows: Vec<WorkflowDto<'a>>,
    pub actions: Vec<ActionDto<'a>>,
    /// Lockfiles and registry configuration with their packages and configured sources.
    pub lockfiles: Vec<LockfileDto<'a>>,
}

/// A location with its path.
#[derive(Serialize)]
pub struct LocationDto<'a> {
    pub path: &'a str,
    #[serde(flatten)]
    pub pos: Pos,
}

impl<'a> LocationDto<'a> {
    #[must_use]
    pub fn new(l: &'a Location) -> Self {
        Self {
            path: &l.path,
            pos: Pos {
                line: l.start.line,
                column: l.start.column,
                end_line: l.end.line,
                end_column: l.end.column,
            },
        }
    }
}

#[derive(Serialize)]
pub struct RelatedDto<'a> {
    pub location: LocationDto<'a>,
    pub message: &'a str,
}

#[derive(Serialize)]
pub struct HopDto<'a> {
    pub label: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<LocationDto<'a>>,
}

#[derive(Serialize)]
pub struct FindingDto<'a> {
    pub rule: &'a str,
    pub level: &'static str,
    pub severity: &'static str,
    pub confidence: &'static str,
    pub message: &'a str,
    pub location: LocationDto<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<RelatedDto<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<HopDto<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<FixDto<'a>>,
}

/// A finding's fix: byte ranges of the file and their replacements.
#[derive(Serialize)]
pub struct FixDto<'a> {
    pub title: &'a str,
    pub applicability: &'static str,
    pub edits: Vec<EditDto<'a>>,
}

#[derive(Serialize)]
pub struct EditDto<'a> {
    /// Byte offsets in the file: `[start, end)`; equal for an insertion.
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
}

impl<'a> FindingDto<'a> {
    #[must_use]
    pub fn new(f: &'a Finding) -> Self {
        Self {
            rule: f.rule,
            level: f.level.as_str(),
            severity: f.severity.as_str(),
            confidence: f.confidence.as_str(),
            message: &f.message,
            location: LocationDto::new(&f.primary),
            job: f.job.as_deref(),
            help: f.help.as_deref(),
            fix: f.fix.as_deref().map(|x| FixDto {
                title: &x.title,
                applicability: x.applicability.as_str(),
                edits: x
                    .edits
                    .iter()
                    .map(|e| EditDto {
                        start: e.span.start(),
                        end: e.span.end(),
                        text: &e.text,
                    })
                    .collect(),
            }),
            related: f
                .related
                .iter()
                .map(|r| RelatedDto {
                    location: LocationDto::new(&r.location),
                    message: &r.message,
                })
                .collect(),
            path: f
                .path
                .iter()
                .map(|h| HopDto {
                    label: &h.label,
                    location: h.location.as_ref().map(LocationDto::new),
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Serialize)]
pub struct InputDto<'a> {
    pub path: &'a str,
    pub kind: &'static str,
}

/// A position: 1-based line and column (Unicode scalar values), end exclusive.
#[derive(Serialize, Clone, Copy)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Pos {
    #[must_use]
    pub fn of(file: &SourceFile, span: Span) -> Self {
        let s = file.line_col(span.start());
        let e = file.line_col(span.end());
        Self {
            line: s.line,
            column: s.column,
            end_line: e.line,
            end_column: e.column,
        }
    }
}

#[derive(Serialize)]
pub struct DiagnosticDto<'a> {
    pub path: &'a str,
    pub severity: &'static str,
    pub code: &'static str,
    pub message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Pos>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'a str>,
}

impl<'a> DiagnosticDto<'a> {
    #[must_use]
    pub fn new(d: &'a Diagnostic) -> Self {
        Self {
            path: &d.path,
            severity: match d.severity {
                tollgate_model::Severity::Error => "error",
                tollgate_model::Severity::Warning => "warning",
                tollgate_model::Severity::Note => "note",
            },
            code: d.code.as_str(),
            message: &d.message,
            location: d.location.as_ref().map(|l| Pos {
                line: l.start.line,
                column: l.start.column,
                end_line: l.end.line,
                end_column: l.end.column,
            }),
            help: d.help.as_deref(),
        }
    }
}

#[derive(Serialize)]
pub struct WorkflowDto<'a> {
    pub path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    pub triggers: Vec<&'a str>,
    pub jobs: Vec<JobDto<'a>>,
}

#[derive(Serialize)]
pub struct JobDto<'a> {
    pub id: &'a str,
    pub location: Pos,
    pub runs_on: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uses: Option<UsesDto<'a>>,
    pub steps: Vec<StepDto<'a>>,
}

#[derive(Serialize)]
pub struct UsesDto<'a> {
    pub value: &'a str,
    /// `remote`, `local`, `self-repo`, `docker` or `invalid`.
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ref_kind: Option<&'static str>,
    pub location: Pos,
}

#[derive(Serialize)]
pub struct StepDto<'a> {
    pub index: usize,
    pub location: Pos,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uses: Option<UsesDto<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<RunDto<'a>>,
}

#[derive(Serialize)]
pub struct RunDto<'a> {
    pub location: Pos,
    pub shell: &'a str,
    pub lines: usize,
    /// False for shells tollgate does not analyse (pwsh, cmd, python).
    pub analysed: bool,
    pub commands: usize,
    /// Regions tree-sitter could not parse; commands elsewhere are still extracted.
    pub syntax_errors: usize,
    pub facts: Vec<FactDto<'a>>,
}

/// One delivery fact of a script: its kind, where it is in the file, and its details
/// (whose `span` fields are byte offsets into the script value, not the file).
#[derive(Serialize)]
pub struct FactDto<'a> {
    pub kind: &'static str,
    pub location: Pos,
    pub detail: FactDetailDto<'a>,
}

#[derive(Serialize)]
pub struct LockfileDto<'a> {
    pub path: &'a str,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format_version: Option<&'a str>,
    pub packages: Vec<PackageDto<'a>>,
    pub sources: Vec<SourceDto<'a>>,
}

#[derive(Serialize)]
pub struct ActionDto<'a> {
    pub path: &'a str,
    pub using: &'a str,
    pub steps: Vec<StepDto<'a>>,
}

fn uses_dto<'a>(
    f: &SourceFile,
    text: Option<&'a tollgate_gha::Spanned<String>>,
    uses: Option<&tollgate_gha::Spanned<Uses>>,
) -> Option<UsesDto<'a>> {
    let (text, uses) = (text?, uses?);
    let (kind, ref_kind) = match &uses.value {
        Uses::Remote(r) => ("remote", Some(r.ref_kind.as_str())),
        Uses::Local { .. } => ("local", None),
        Uses::SelfRepo { .. } => ("self-repo", None),
        Uses::Docker { .. } => ("docker", None),
        Uses::Invalid { .. } => ("invalid", None),
    };
    Some(UsesDto {
        value: &text.value,
        kind,
        ref_kind,
        location: Pos::of(f, uses.span),
    })
}

fn step_dto<'a>(
    input: &'a Input,
    job: Option<usize>,
    step: &'a Step,
    shell: &'a str,
) -> StepDto<'a> {
    let f = &input.source;
    let analysis = input
        .script(job, step.index)
        .and_then(|s| s.analysis.as_deref());
    StepDto {
        index: step.index,
        location: Pos::of(f, step.span),
        name: step.name.as_ref().map(|n| n.value.as_str()),
        uses: uses_dto(f, step.uses_text(), step.uses.as_deref()),
        run: step.run.as_ref().map(|r| RunDto {
            location: Pos::of(f, r.span),
            shell,
            lines: r.script.lines().count(),
            analysed: analysis.is_some(),
            commands: analysis.map_or(0, |a| a.commands.len()),
            syntax_errors: analysis.map_or(0, |a| a.syntax_errors.len()),
            facts: analysis
                .map(|a| {
                    a.facts
                        .iter()
                        .map(|fact| FactDto {
                            kind: fact.kind(),
                            location: Pos::of(f, r.file_span(fact.span())),
                            detail: FactDetailDto::new(fact),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }),
    }
}

fn job_dto<'a>(input: &'a Input, wf: &'a Workflow, index: usize, job: &'a Job) -> JobDto<'a> {
    let f = &input.source;
    JobDto {
        id: &job.id.value,
        location: Pos::of(f, job.id.span),
        runs_on: job
            .runs_on
            .iter()
            .flat_map(|r| r.labels.iter().map(|l| l.value.as_str()))
            .collect(),
        uses: uses_dto(f, job.uses_text(), job.uses.as_deref()),
        steps: job
            .steps
            .iter()
            .map(|s| step_dto(input, Some(index), s, wf.effective_shell(job, s)))
            .collect(),
    }
}

/// Build the document for a scan.
#[must_use]
pub fn document<'a>(
    scan: &'a Scan,
    diagnostics: &'a [Diagnostic],
    findings: &'a [Finding],
) -> Document<'a> {
    let mut workflows = Vec::new();
    let mut actions = Vec::new();
    let mut lockfiles = Vec::new();
    for input in &scan.inputs {
        let f = &input.source;
        match &*input.parsed {
            FileModel::Workflow(wf) => workflows.push(WorkflowDto {
                path: &f.display,
                name: wf.name.as_ref().map(|n| n.value.as_str()),
                triggers: wf
                    .on
                    .iter()
                    .flat_map(|t| t.events.iter().map(|e| e.event.value.as_str()))
                    .collect(),
                jobs: wf
                    .jobs
                    .iter()
                    .enumerate()
                    .map(|(i, j)| job_dto(input, wf, i, j))
                    .collect(),
            }),
            FileModel::Action(a) => actions.push(ActionDto {
                path: &f.display,
                using: match &a.runs {
                    Runs::Composite { using, .. }
                    | Runs::Docker { using, .. }
                    | Runs::Node { using, .. } => &using.value,
                    Runs::Unknown { .. } => "unknown",
                },
                steps: a
                    .steps()
                    .iter()
                    .map(|s| {
                        step_dto(
                            input,
                            None,
                            s,
                            s.shell().map_or("bash", |x| x.value.as_str()),
                        )
                    })
                    .collect(),
            }),
            FileModel::Packages(p) => lockfiles.push(LockfileDto {
                path: &f.display,
                kind: input.kind.as_str(),
                format_version: p.format_version.as_deref(),
                packages: p
                    .packages
                    .iter()
                    .map(|pkg| PackageDto::new(f, pkg))
                    .collect(),
                sources: p.sources.iter().map(|s| SourceDto::new(f, s)).collect(),
            }),
            _ => {}
        }
    }
    Document {
        version: VERSION,
        tool: Tool {
            name: "tollgate",
            version: env!("CARGO_PKG_VERSION"),
        },
        inputs: scan
            .inputs
            .iter()
            .map(|i| InputDto {
                path: &i.source.display,
                kind: i.kind.as_str(),
            })
            .collect(),
        diagnostics: diagnostics.iter().map(DiagnosticDto::new).collect(),
        findings: findings.iter().map(FindingDto::new).collect(),
        workflows,
        actions,
        lockfiles,
    }
}

//! Findings: what a rule reports. Values, never errors.

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;

use crate::Location;
use crate::fix::Fix;

/// How a finding is reported: the level decides exit codes (`--fail-level`) and SARIF's
/// `level`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Note => "note",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "note" => Some(Self::Note),
            "warning" => Some(Self::Warning),
            "error" => Some(Self::Error),
            _ => None,
        }
    }
}

/// How bad it is if the hazard is real (shown as "severity" in every output).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

impl Impact {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Informational => "informational",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "informational" => Some(Self::Informational),
            "low" => Some(Self::Low),
            "medium" => Some(Self::Medium),
            "high" => Some(Self::High),
            "critical" => Some(Self::Critical),
            _ => None,
        }
    }

    /// GitHub code scanning's `security-severity` score for this impact: above 9.0 is
    /// critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
    #[must_use]
    pub const fn security_severity(self) -> &'static str {
        match self {
            Self::Informational => "1.0",
            Self::Low => "3.0",
            Self::Medium => "5.5",
            Self::High => "8.0",
            Self::Critical => "9.5",
        }
    }
}

/// How sure the rule is that the finding is real.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "low" => Some(Self::Low),
            "medium" => Some(Self::Medium),
            "high" => Some(Self::High),
            _ => None,
        }
    }
}

/// A secondary location: "defined here", "allowed by config here".
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// One hop of the dependency path: workflow → job → step → command → lockfile → package.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PathHop {
    pub label: String,
    pub location: Option<Location>,
}

/// One finding: exactly one primary location, the narrowest span that explains it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub level: Level,
    pub severity: Impact,
    pub confidence: Confidence,
    /// A lowercase fragment naming what was found, concrete values in backticks.
    pub message: String,
    pub primary: Location,
    pub related: Vec<Related>,
    pub path: Vec<PathHop>,
    /// How to fix it. Most rules give one fixed text, borrowed rather than copied into
    /// each of their findings.
    pub help: Option<Cow<'static, str>>,
    /// The job the finding belongs to, when it belongs to one (config ignores match it).
    /// Shared by every finding of the job: a job id is input text of any length, and one
    /// copy per finding multiplied it by the number of findings.
    pub job: Option<Arc<str>>,
    /// The edits that resolve it, when the rule knows them (`tollgate fix`, SARIF `fixes`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Box<Fix>>,
}

impl Finding {
    /// Deterministic order: file, line, column, rule, message.
    #[must_use]
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (
            &self.primary.path,
            self.primary.start.line,
            self.primary.start.column,
            self.rule,
            &self.message,
        )
    }
}

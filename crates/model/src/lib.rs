//! Shared vocabulary of tollgate: source files with line indexes, byte spans, resolved
//! locations, input diagnostics and the classification of input files.
//!
//! Every front end (workflow YAML, shell, lockfiles) reports positions as byte [`Span`]s into
//! one [`SourceFile`]; turning a span into a 1-based line and column happens here, once, so
//! all outputs agree on what "column" means (Unicode scalar values, as SARIF's
//! `unicodeCodePoints` column kind).

pub mod addr;
mod diagnostic;
mod finding;
pub mod fix;
mod kind;
pub mod pep508;
pub mod repo;
mod source;
pub mod text;

pub use diagnostic::{Diagnostic, DiagnosticCode, Severity};
pub use finding::{Confidence, Finding, Impact, Level, PathHop, Related};
pub use fix::{Applicability, Edit, Fix};
pub use kind::FileKind;
pub use source::{LineCol, LineIndex, Location, SourceFile, Span};

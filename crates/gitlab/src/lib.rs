//! GitLab CI front end: `.gitlab-ci.yml` and the files it includes, read as GitLab reads
//! them (the last of duplicate keys wins, YAML merge keys, `!reference` tags, a `spec:`
//! header document, YAML 1.1 booleans), into a typed configuration whose every value keeps
//! its file and span.
//!
//! Two steps, because `extends:` and `!reference` cross files: [`parse_file`] reads one
//! file (its document and its `include:` entries, so the scanner can read the local ones
//! through its confined reader), and [`resolve`] merges a root file with what it includes
//! into a [`Config`] of visible jobs.

pub mod expr;
mod inputs;
mod job;
pub mod model;
mod parse;
mod resolve;
pub mod sources;
mod tree;

pub use job::bool_of;
pub use model::{
    At, Cache, Config, GitlabFile, Image, Include, IncludeKind, IncludePin, Job, Line, Problem,
    Retry, Secret, Session, Text, Trigger, Variable, Workflow, expand_variables,
};
pub use parse::parse_file;
pub use resolve::{KEYWORDS, Source, resolve};
pub use sources::{RefKind, Runs, Source as PipelineSource, Sources};

#[cfg(test)]
mod sources_tests;
#[cfg(test)]
mod tests;

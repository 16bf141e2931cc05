//! The rule engine: the [`Rule`] interface with one hook per level of the model, the
//! catalog page format that carries each rule's metadata and documentation, the
//! `tollgate.toml` configuration, inline and configured suppressions, and the runner that
//! applies every rule to every input in parallel.
//!
//! A rule failure (a panic) is contained: it becomes a diagnostic and the other rules and
//! inputs go on.

pub mod catalog;
pub mod config;
mod rule;
mod run;
pub mod suppress;

pub use catalog::{Page, RuleMeta};
pub use config::{Config, ConfigError};
pub use rule::{
    Context, FindingBuilder, GitlabJobCx, GitlabScriptCx, JobCx, Rule, RunCx, ScriptCx, Sink,
    StepCx, StepOwner, WorkflowCx,
};
pub use run::{Outcome, RegisteredRule, RunOptions, Selector, context_path, run};

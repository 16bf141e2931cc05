//! GitHub Actions front end: turns workflow files, action metadata (`action.yml`),
//! `.github/workflows/actions.lock` and dependabot configuration into typed models that keep
//! the exact span of every key and value a finding may point at.
//!
//! Parsing never aborts on a shape it does not expect: the odd value is reported as a
//! [`Diagnostic`](tollgate_model::Diagnostic) with its position and skipped, and the rest of
//! the file is still modelled, so one bad job does not hide the findings of the others.

mod action;
pub mod cond;
mod ctx;
mod dependabot;
mod expr;
mod lock;
mod model;
mod parse;
mod uses;

pub use action::{Action, ActionInput, Runs, parse_action};
pub use dependabot::{Dependabot, DependabotRegistry, DependabotUpdate, parse_dependabot};
pub use expr::{
    ContextMatch, Expression, context_references, expression_spans, expressions, match_context,
};
pub use lock::{ActionsLock, LockedDependency, parse_actions_lock};
pub use model::{
    Container, Env, EnvVar, Filter, Job, JobSecrets, KeyValue, Matrix, Permission, PermissionLevel,
    Permissions, PermissionsBlock, Run, RunInput, RunsOn, Spanned, Step, StepRare, Trigger,
    TriggerInput, Triggers, UsesWritten, Workflow, env_value, resolve_env_refs,
};
pub use parse::parse_workflow;
pub use uses::{RefKind, Uses, UsesRef};

#[cfg(test)]
mod tests;

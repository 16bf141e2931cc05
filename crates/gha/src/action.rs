//! The model of action metadata (`action.yml`): composite, docker and JavaScript actions.

use serde::Serialize;

use crate::model::{Env, Spanned, Step};

#[derive(Clone, Debug, Serialize)]
pub struct ActionInput {
    pub id: Spanned<String>,
    pub default: Option<Spanned<String>>,
    pub required: bool,
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "using_kind", rename_all = "kebab-case")]
pub enum Runs {
    Composite {
        using: Spanned<String>,
        steps: Vec<Step>,
    },
    Docker {
        using: Spanned<String>,
        /// `Dockerfile`, a path, or `docker://image`.
        image: Option<Spanned<String>>,
        env: Env,
    },
    Node {
        using: Spanned<String>,
        main: Option<Spanned<String>>,
        pre: Option<Spanned<String>>,
        post: Option<Spanned<String>>,
    },
    Unknown {
        using: Option<Spanned<String>>,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct Action {
    pub name: Option<Spanned<String>>,
    pub inputs: Vec<ActionInput>,
    pub runs_key: Option<tollgate_model::Span>,
    pub runs: Runs,
}

impl Action {
    /// The steps of a composite action; empty for other kinds.
    #[must_use]
    pub fn steps(&self) -> &[Step] {
        match &self.runs {
            Runs::Composite { steps, .. } => steps,
            _ => &[],
        }
    }
}

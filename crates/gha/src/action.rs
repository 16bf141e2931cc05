//! Action metadata (`action.yml`): composite, docker and JavaScript actions, their model
//! and its parser.

use serde::Serialize;
use tollgate_model::{Diagnostic, SourceFile, Span};
use tollgate_yaml::Node;

use crate::ctx::Ctx;
use crate::model::{Env, Spanned, Step};
use crate::parse::{document, steps};

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

/// Parse `action.yml` metadata.
#[must_use]
pub fn parse_action(file: &SourceFile) -> (Option<Action>, Vec<Diagnostic>) {
    let mut ctx = Ctx::new(file);
    let Some(root) = document(file, &mut ctx, "action metadata file") else {
        return (None, ctx.diags);
    };
    let entries = root.as_map().unwrap_or_default();
    ctx.check_keys(
        entries,
        &[
            "name",
            "author",
            "description",
            "inputs",
            "outputs",
            "runs",
            "branding",
        ],
        "action metadata",
    );
    let mut action = Action {
        name: None,
        inputs: Vec::new(),
        runs_key: None,
        runs: Runs::Unknown { using: None },
    };
    for (k, v) in entries {
        match k.as_str() {
            Some("name") => action.name = Some(ctx.text(v).0),
            Some("inputs") => {
                for (ik, iv) in ctx.map(v, "inputs").unwrap_or_default() {
                    if let Some(id) = ik.as_str() {
                        action.inputs.push(ActionInput {
                            id: Spanned::new(id.to_owned(), ik.span),
                            default: iv.get("default").map(|d| ctx.text(d).0),
                            required: iv.get("required").and_then(Node::as_bool).unwrap_or(false),
                        });
                    }
                }
            }
            Some("runs") => {
                action.runs_key = Some(k.span);
                action.runs = runs(&mut ctx, v);
            }
            _ => {}
        }
    }
    if action.runs_key.is_none() {
        ctx.shape(
            Span::empty(root.span.start()),
            "action metadata needs `runs:`",
        );
    }
    (Some(action), ctx.diags)
}

fn runs(ctx: &mut Ctx<'_>, node: &Node) -> Runs {
    let Some(_) = ctx.map(node, "runs") else {
        return Runs::Unknown { using: None };
    };
    let Some(using) = node.get("using").and_then(|u| ctx.string(u, "using")) else {
        ctx.shape(node.span, "`runs:` needs `using:`");
        return Runs::Unknown { using: None };
    };
    match using.value.as_str() {
        "composite" => Runs::Composite {
            using,
            steps: node
                .get("steps")
                .map(|s| steps(ctx, s, true))
                .unwrap_or_default(),
        },
        "docker" => Runs::Docker {
            using,
            image: node.get("image").and_then(|i| ctx.string(i, "image")),
            env: node
                .entry("env")
                .map(|(k, v)| ctx.env(k.span, v))
                .unwrap_or_default(),
        },
        u if u.starts_with("node") => Runs::Node {
            main: node.get("main").and_then(|m| ctx.string(m, "main")),
            pre: node.get("pre").and_then(|m| ctx.string(m, "pre")),
            post: node.get("post").and_then(|m| ctx.string(m, "post")),
            using,
        },
        _ => {
            ctx.shape(
                using.span,
                format!(
                    "unknown `using: {}`; expected `composite`, `docker` or `node20`/`node24`",
                    using.value
                ),
            );
            Runs::Unknown { using: Some(using) }
        }
    }
}

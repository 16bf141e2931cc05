//! `.github/dependabot.yml`: which ecosystems are kept up to date, and where.

use serde::Serialize;
use tollgate_model::{Diagnostic, SourceFile};

use crate::ctx::Ctx;
use crate::model::Spanned;
use crate::parse::document;

/// The parts of `.github/dependabot.yml` that tell which ecosystems are kept up to date.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Dependabot {
    pub updates: Vec<DependabotUpdate>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DependabotUpdate {
    pub ecosystem: Spanned<String>,
    pub directories: Vec<Spanned<String>>,
}

#[must_use]
pub fn parse_dependabot(file: &SourceFile) -> (Option<Dependabot>, Vec<Diagnostic>) {
    let mut ctx = Ctx::new(file);
    let Some(root) = document(file, &mut ctx, "dependabot configuration") else {
        return (None, ctx.diags);
    };
    let mut out = Dependabot::default();
    match root.get("updates") {
        Some(u) => {
            for item in u.as_seq().unwrap_or_default() {
                let Some(eco) = item
                    .get("package-ecosystem")
                    .and_then(|e| ctx.string(e, "package-ecosystem"))
                else {
                    ctx.shape(item.span, "an update needs `package-ecosystem:`");
                    continue;
                };
                let mut directories = item
                    .get("directories")
                    .map(|d| ctx.string_list(d, "directories"))
                    .unwrap_or_default();
                if let Some(d) = item
                    .get("directory")
                    .and_then(|d| ctx.string(d, "directory"))
                {
                    directories.push(d);
                }
                out.updates.push(DependabotUpdate {
                    ecosystem: eco,
                    directories,
                });
            }
        }
        None => ctx.shape(root.span, "dependabot configuration needs `updates:`"),
    }
    (Some(out), ctx.diags)
}

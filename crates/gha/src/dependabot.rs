//! `.github/dependabot.yml`: which ecosystems are kept up to date, and where.

use serde::Serialize;
use tollgate_model::{Diagnostic, SourceFile};

use crate::ctx::Ctx;
use crate::model::Spanned;
use crate::parse::document;

/// The parts of `.github/dependabot.yml` that tell which ecosystems are kept up to date,
/// from which registries, and whether code from the manifests may run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Dependabot {
    pub updates: Vec<DependabotUpdate>,
    /// The top-level `registries:` map.
    pub registries: Vec<DependabotRegistry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DependabotUpdate {
    pub ecosystem: Spanned<String>,
    pub directories: Vec<Spanned<String>>,
    /// `insecure-external-code-execution:` as written (`allow` or `deny`).
    pub insecure_code_execution: Option<Spanned<String>>,
    /// The names under `registries:` of the update (`"*"` for all).
    pub registries: Vec<Spanned<String>>,
}

/// One entry of the top-level `registries:`: its name, `type:` and `url:`.
#[derive(Clone, Debug, Serialize)]
pub struct DependabotRegistry {
    pub name: Spanned<String>,
    pub kind: Option<Spanned<String>>,
    pub url: Option<Spanned<String>>,
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
                let insecure_code_execution = item
                    .get("insecure-external-code-execution")
                    .and_then(|v| ctx.string(v, "insecure-external-code-execution"));
                let registries = match item.get("registries") {
                    Some(r) if r.as_str().is_some() => {
                        ctx.string(r, "registries").into_iter().collect()
                    }
                    Some(r) => ctx.string_list(r, "registries"),
                    None => Vec::new(),
                };
                out.updates.push(DependabotUpdate {
                    ecosystem: eco,
                    directories,
                    insecure_code_execution,
                    registries,
                });
            }
        }
        None => ctx.shape(root.span, "dependabot configuration needs `updates:`"),
    }
    for (key, value) in root
        .get("registries")
        .and_then(|r| r.as_map())
        .unwrap_or_default()
    {
        let Some(name) = ctx.string(key, "registry name") else {
            continue;
        };
        out.registries.push(DependabotRegistry {
            name,
            kind: value.get("type").and_then(|t| ctx.string(t, "type")),
            url: value.get("url").and_then(|u| ctx.string(u, "url")),
        });
    }
    (Some(out), ctx.diags)
}

//! Renderers of the inventory (`tollgate inventory`): Markdown for reviews
//! (GitHub-flavoured tables, no HTML), a versioned JSON document for tools, CSV with one
//! row per dependency and job for spreadsheets, a CycloneDX bill of materials for SBOM
//! tools. All are deterministic: the inventory (built by `tollgate-inventory`) is already
//! sorted.

pub mod csv;
pub mod cyclonedx;
pub mod json;
pub mod markdown;

use tollgate_inventory::{Dependency, FallbackKind};

/// The fallback summary of a dependency across its jobs, for Markdown.
#[must_use]
pub fn fallback_summary(d: &Dependency) -> String {
    if d.kind == tollgate_inventory::DependencyKind::Include {
        return "n/a (read by GitLab)".to_owned();
    }
    if !d.external {
        return "n/a (GitHub)".to_owned();
    }
    let total = d.uses.len();
    let missing = d.uses_without_fallback();
    let kinds: Vec<&str> = d
        .fallback_kinds()
        .into_iter()
        .map(FallbackKind::as_str)
        .collect();
    match (missing, kinds.is_empty()) {
        (0, _) => kinds.join(", "),
        (_, true) => "none".to_owned(),
        (m, false) => format!(
            "none in {m} of {total} jobs; elsewhere {}",
            kinds.join(", ")
        ),
    }
}

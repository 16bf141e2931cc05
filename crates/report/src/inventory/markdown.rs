//! The inventory as GitHub-flavoured Markdown: totals, the fallback gaps, the delivery
//! dependencies and the build identities, each a table, worst rows first.

use std::collections::BTreeMap;
use std::fmt::Write;

use tollgate_inventory::{Dependency, Inventory, JobIdentity};

use super::fallback_summary;
use crate::escape::visible;

/// Text safe inside a table cell: pipes and backslashes escaped, line breaks flattened
/// (a cell holds one line), other control characters shown visibly (`\u{1b}`) so no input
/// can send a terminal an escape sequence.
fn cell(s: &str) -> String {
    let flat = s.replace(['\n', '\r'], " ");
    visible(&flat).replace('\\', "\\\\").replace('|', "\\|")
}

/// Inline code for a cell; a value holding a backtick is shown plain.
fn code(s: &str) -> String {
    if s.contains('`') {
        cell(s)
    } else {
        format!("`{}`", cell(s))
    }
}

fn list(items: &[String], max: usize) -> String {
    if items.is_empty() {
        return "—".to_owned();
    }
    let mut v: Vec<String> = items.iter().take(max).map(|s| code(s)).collect();
    if items.len() > max {
        v.push(format!("and {} more", items.len() - max));
    }
    v.join(", ")
}

/// Jobs grouped by workflow: `` `ci.yml`: build, test ``.
fn used_by(d: &Dependency) -> String {
    let mut by: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for u in &d.uses {
        by.entry(u.job.workflow.as_str())
            .or_default()
            .push(u.job.job.as_str());
    }
    by.into_iter()
        .map(|(w, mut jobs)| {
            jobs.dedup();
            format!("{}: {}", code(w), cell(&jobs.join(", ")))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn kind_label(d: &Dependency) -> String {
    let k = d.kind.as_str().replace('-', " ");
    match &d.note {
        Some(n) => format!("{k} ({})", cell(n)),
        None => k,
    }
}

/// Render the inventory.
#[must_use]
pub fn render(inv: &Inventory) -> String {
    let mut s = String::new();
    let t = &inv.totals;
    let _ = writeln!(s, "# Delivery inventory\n");
    if !inv.roots.is_empty() {
        let roots: Vec<String> = inv.roots.iter().map(|r| code(r)).collect();
        let _ = writeln!(s, "Scanned: {}\n", roots.join(", "));
    }
    let _ = writeln!(s, "## Totals\n");
    let _ = writeln!(s, "| | count |\n|---|---:|");
    let rows: [(&str, usize); 12] = [
        ("Workflows", t.workflows),
        ("Jobs", t.jobs),
        ("Delivery dependencies", t.dependencies),
        ("External dependencies (outside GitHub)", t.external),
        (
            "External dependency uses with no fallback (dependency × job)",
            t.without_fallback,
        ),
        ("Unpinned dependencies", t.unpinned),
        (
            "Jobs with a write token (or the repository default)",
            t.jobs_writing,
        ),
        ("Jobs holding secrets", t.jobs_with_secrets),
        ("Jobs that can request an OIDC token", t.jobs_with_oidc),
        ("Jobs on self-hosted runners", t.self_hosted_jobs),
        ("Jobs without `timeout-minutes`", t.jobs_without_timeout),
        ("Hosts reached", t.hosts),
    ];
    for (k, v) in rows {
        let _ = writeln!(s, "| {k} | {v} |");
    }
    if !t.by_kind.is_empty() {
        let kinds: Vec<String> = t
            .by_kind
            .iter()
            .map(|(k, n)| format!("{} {n}", k.as_str()))
            .collect();
        let _ = writeln!(s, "\nDependencies by kind: {}.", kinds.join(", "));
    }
    gaps(&mut s, inv);
    dependencies(&mut s, inv);
    identities(&mut s, &inv.jobs);
    s
}

/// Every external dependency a job has no fallback for, with where it comes in.
fn gaps(s: &mut String, inv: &Inventory) {
    let _ = writeln!(s, "\n## What stops a job when it is down\n");
    let mut rows = Vec::new();
    for d in inv.dependencies.iter().filter(|d| d.external) {
        for u in d.uses.iter().filter(|u| u.fallbacks.is_empty()) {
            let at = u.site.as_ref().map_or_else(
                || "—".to_owned(),
                |site| code(&format!("{}:{}", site.path, site.start.line)),
            );
            rows.push(format!(
                "| {} | {} | {} | {} |",
                code(&d.name),
                code(&format!("{}: {}", u.job.workflow, u.job.job)),
                at,
                cell(&u.pinning.how),
            ));
        }
    }
    if rows.is_empty() {
        let _ = writeln!(
            s,
            "Every external dependency has a cache, mirror, vendored copy or retry in every job that uses it."
        );
        return;
    }
    let _ = writeln!(
        s,
        "External dependencies with no cache, mirror, vendored copy or retry in the job that uses them.\n"
    );
    let _ = writeln!(
        s,
        "| Dependency | Job | Introduced at | Pinned by |\n|---|---|---|---|"
    );
    for r in rows {
        let _ = writeln!(s, "{r}");
    }
}

fn dependencies(s: &mut String, inv: &Inventory) {
    let _ = writeln!(s, "\n## Delivery dependencies\n");
    if inv.dependencies.is_empty() {
        let _ = writeln!(s, "None found.");
        return;
    }
    let _ = writeln!(
        s,
        "Worst first: external dependencies some job has no fallback for, then unpinned ones.\n"
    );
    let _ = writeln!(
        s,
        "| Dependency | Kind | Hosts | Pinned | Fallback | Used by |\n|---|---|---|---|---|---|"
    );
    for d in &inv.dependencies {
        let p = d.pinning();
        let pinned = match p.pinned {
            Some(true) => format!("yes ({})", cell(&p.how)),
            Some(false) => format!("**no** ({})", cell(&p.how)),
            None => "n/a".to_owned(),
        };
        let fb = fallback_summary(d);
        let fb = if fb == "none" {
            "**none**".to_owned()
        } else {
            cell(&fb)
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            code(&d.name),
            kind_label(d),
            list(&d.hosts, 4),
            pinned,
            fb,
            used_by(d),
        );
    }
}

fn identities(s: &mut String, jobs: &[JobIdentity]) {
    let _ = writeln!(s, "\n## Build identities\n");
    if jobs.is_empty() {
        let _ = writeln!(s, "No jobs found.");
        return;
    }
    let _ = writeln!(
        s,
        "What each job holds and reaches: its blast radius if a dependency it runs were compromised. Most exposed first.\n"
    );
    let _ = writeln!(
        s,
        "| Job | Runner | Token permissions | Secrets | OIDC | Environment | Timeout | Hosts reached | No fallback |\n|---|---|---|---|---|---|---|---|---:|"
    );
    for j in jobs {
        let runner = if j.self_hosted {
            format!("**self-hosted** ({})", cell(&j.runner))
        } else if j.runner.is_empty() {
            "—".to_owned()
        } else {
            cell(&j.runner)
        };
        let perms = if j.permissions.is_empty() {
            "none".to_owned()
        } else if j.default_token {
            "**repository default**".to_owned()
        } else {
            j.permissions
                .iter()
                .map(|p| {
                    if p.ends_with(": write") {
                        format!("**{}**", cell(p))
                    } else {
                        cell(p)
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let timeout = match (&j.timeout_minutes, j.calls_workflow) {
            (Some(t), _) => format!("{} min", cell(t)),
            (None, true) => "n/a".to_owned(),
            (None, false) => format!("**none** ({})", j.default_timeout),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            code(&format!("{}: {}", j.job.workflow, j.job.job)),
            runner,
            perms,
            list(&j.secrets, 6),
            if j.oidc { "**yes**" } else { "no" },
            j.environment
                .as_deref()
                .map_or_else(|| "—".to_owned(), code),
            timeout,
            list(&j.hosts, 6),
            j.without_fallback,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_escaped() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
        assert_eq!(cell("esc\u{1b}[2J\u{7}"), "esc\\\\u{1b}[2J\\\\u{7}");
        assert_eq!(code("x`y"), "x`y");
        assert_eq!(code("ubuntu"), "`ubuntu`");
        assert_eq!(list(&[], 3), "—");
        let many: Vec<String> = (0..5).map(|i| i.to_string()).collect();
        assert_eq!(list(&many, 2), "`0`, `1`, and 3 more");
    }
}

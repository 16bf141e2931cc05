//! The diff as GitHub-flavoured Markdown for a pull-request comment or a job summary: a
//! one-paragraph summary first, the details in collapsed `<details>` sections, and
//! nothing at all when nothing changed (so a workflow posts no comment). Every input
//! text is a code span ([`markdown_code`]): no HTML, mention or link from a repository
//! reaches the page.

use std::fmt::Write;

use tollgate_diff::{Changes, Dep, Diff, JobChange, Status, WorkflowChange};
use tollgate_model::Finding;

use super::SideLabel;
use crate::escape::markdown_code as code;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn pin(d: &Dep) -> String {
    let state = match d.pinned {
        Some(true) => "pinned",
        Some(false) => "**unpinned**",
        None => return String::new(),
    };
    if d.how.is_empty() {
        format!(" ({state})")
    } else {
        format!(" ({state}: {})", code(&d.how))
    }
}

fn status(s: Status) -> &'static str {
    match s {
        Status::Added => " (new)",
        Status::Removed => " (removed)",
        Status::Changed => "",
    }
}

/// The summary line: the figures a reviewer acts on, most serious first.
fn summary(diff: &Diff) -> String {
    let mut parts = Vec::new();
    for (path, t) in diff.new_privileged_triggers() {
        parts.push(format!("⚠️ new {} event in {}", code(&t.event), code(path)));
    }
    if !diff.new_findings.is_empty() || !diff.resolved_findings.is_empty() {
        parts.push(format!(
            "**{}**, {} resolved",
            plural(diff.new_findings.len(), "new finding", "new findings"),
            diff.resolved_findings.len()
        ));
    }
    let added: Vec<&Dep> = diff.added_dependencies().collect();
    if !added.is_empty() {
        let unpinned = added.iter().filter(|d| d.pinned == Some(false)).count();
        let mut s = plural(added.len(), "dependency added", "dependencies added");
        if unpinned > 0 {
            let _ = write!(s, " (**{unpinned} unpinned**)");
        }
        parts.push(s);
    }
    let widened = diff.widened_jobs();
    if widened > 0 {
        parts.push(format!(
            "**{}** more permissions, secrets or OIDC",
            plural(widened, "job holds", "jobs hold")
        ));
    }
    let hosts = diff.new_hosts().len();
    if hosts > 0 {
        parts.push(plural(hosts, "new host", "new hosts"));
    }
    let moved = diff.moved_packages();
    if moved > 0 {
        parts.push(format!(
            "**{}** to another source",
            plural(moved, "package moved", "packages moved")
        ));
    }
    let (workflows, jobs) = diff.count(Status::Added);
    if workflows > 0 {
        parts.push(plural(workflows, "workflow added", "workflows added"));
    }
    if jobs > 0 {
        parts.push(plural(jobs, "job added", "jobs added"));
    }
    let (workflows, jobs) = diff.count(Status::Removed);
    if workflows > 0 {
        parts.push(plural(workflows, "workflow removed", "workflows removed"));
    }
    if jobs > 0 {
        parts.push(plural(jobs, "job removed", "jobs removed"));
    }
    if parts.is_empty() {
        parts.push(if diff.only_removes() {
            "only removals".to_owned()
        } else {
            "events, permissions or sources changed (see below)".to_owned()
        });
    }
    parts.join(" · ")
}

fn findings(out: &mut String, title: &str, list: &[(String, Finding)]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "<details><summary>{title}: {}</summary>\n", list.len());
    for (_, f) in list {
        let _ = writeln!(
            out,
            "- **{}** {} at {}: {}",
            f.level.as_str(),
            code(f.rule),
            code(&format!("{}:{}", f.primary.path, f.primary.start.line)),
            code(&f.message)
        );
    }
    out.push_str("\n</details>\n\n");
}

fn changes<T>(
    out: &mut String,
    indent: &str,
    what: &str,
    c: &Changes<T>,
    show: impl Fn(&T) -> String,
) {
    for a in &c.added {
        let _ = writeln!(out, "{indent}- ➕ {what} {}", show(a));
    }
    for r in &c.removed {
        let _ = writeln!(out, "{indent}- ➖ {what} {}", show(r));
    }
}

fn job(out: &mut String, j: &JobChange) {
    let mark = if j.widens() { " ⚠️ holds more" } else { "" };
    let _ = writeln!(out, "- job {}{}{mark}", code(&j.job), status(j.status));
    for d in &j.dependencies.added {
        let _ = writeln!(out, "  - ➕ {} {}{}", d.kind, code(&d.name), pin(d));
    }
    for d in &j.dependencies.removed {
        let _ = writeln!(out, "  - ➖ {} {}{}", d.kind, code(&d.name), pin(d));
    }
    changes(out, "  ", "permission", &j.permissions, |p| code(p));
    changes(out, "  ", "secret", &j.secrets, |s| code(s));
    match j.oidc {
        Some(true) => out.push_str("  - ➕ OIDC token (`id-token: write`)\n"),
        Some(false) => out.push_str("  - ➖ OIDC token (`id-token: write`)\n"),
        None => {}
    }
    changes(out, "  ", "host", &j.hosts, |h| code(h));
}

fn workflow(out: &mut String, w: &WorkflowChange) {
    let _ = writeln!(out, "#### {}{}\n", code(&w.path), status(w.status));
    changes(out, "", "event", &w.triggers, |t| {
        if t.untrusted_privileged {
            format!(
                "{} ⚠️ anyone can fire it, and it runs with a write token and the secrets",
                code(&t.event)
            )
        } else {
            code(&t.event)
        }
    });
    for j in &w.jobs {
        job(out, j);
    }
    out.push('\n');
}

/// The comment for `diff`; empty when nothing changed.
#[must_use]
pub fn render(diff: &Diff, base: &SideLabel, head: &SideLabel) -> String {
    if diff.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### tollgate: what this change trusts, holds and reaches\n\n{} → {}: {}\n",
        code(&base.display()),
        code(&head.display()),
        summary(diff)
    );
    findings(&mut out, "New findings", &diff.new_findings);
    findings(&mut out, "Resolved findings", &diff.resolved_findings);
    if !diff.workflows.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Workflows and jobs: {} changed</summary>\n",
            diff.workflows.len()
        );
        for w in &diff.workflows {
            workflow(&mut out, w);
        }
        out.push_str("</details>\n\n");
    }
    if !diff.lockfiles.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Lockfile sources: {} changed</summary>\n",
            diff.lockfiles.len()
        );
        for l in &diff.lockfiles {
            let _ = writeln!(out, "#### {}{}\n", code(&l.path), status(l.status));
            changes(&mut out, "", "source", &l.sources, |s| code(s));
            for m in &l.moved {
                let _ = writeln!(
                    out,
                    "- ⚠️ {} package {} moved from {} to {}",
                    code(&m.ecosystem),
                    code(&m.name),
                    m.from
                        .iter()
                        .map(|s| code(s))
                        .collect::<Vec<_>>()
                        .join(", "),
                    m.to.iter().map(|s| code(s)).collect::<Vec<_>>().join(", "),
                );
            }
            out.push('\n');
        }
        out.push_str("</details>\n\n");
    }
    out
}

//! Inline suppressions: `# tollgate: ignore[rule-id, …] -- reason`.
//!
//! A comment applies to findings on its own line; on the first line of a step (`- uses:`…)
//! or on a job's id line it applies to the whole step or job. Suppressions that match
//! nothing are reported so they do not outlive the problem they hid.

use tollgate_gha::{Action, Workflow};
use tollgate_model::{Diagnostic, DiagnosticCode, Finding, Severity, SourceFile, Span};

const MARKER: &str = "tollgate: ignore[";

/// One inline suppression comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub line: usize,
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// The byte range the suppression covers (its line, or the step or job it opens).
    pub scope: Span,
    /// The comment's own span, for the unused report.
    pub span: Span,
    pub used: bool,
}

/// Parse every suppression comment of a file. Scopes widen to the step or job whose first
/// line holds the comment.
#[must_use]
pub fn parse(
    file: &SourceFile,
    workflow: Option<&Workflow>,
    action: Option<&Action>,
) -> Vec<Suppression> {
    if !file.text().contains(MARKER) {
        return Vec::new();
    }
    let mut nodes: Vec<Span> = Vec::new();
    if let Some(wf) = workflow {
        for job in &wf.jobs {
            nodes.push(Span::new(job.id.span.start(), job.span.end()));
            nodes.extend(job.steps.iter().map(|s| s.span));
        }
    }
    if let Some(a) = action {
        nodes.extend(a.steps().iter().map(|s| s.span));
    }
    parse_in(file, &nodes)
}

/// Suppression comments of a GitLab CI file: a comment on a job's (or a template's) key
/// line applies to the whole job.
#[must_use]
pub fn parse_gitlab(file: &SourceFile, gitlab: &tollgate_gitlab::GitlabFile) -> Vec<Suppression> {
    if !file.text().contains(MARKER) {
        return Vec::new();
    }
    let nodes: Vec<Span> = gitlab
        .document
        .as_ref()
        .and_then(|d| d.as_map())
        .unwrap_or_default()
        .iter()
        .filter(|(k, _)| {
            k.as_str()
                .is_some_and(|k| !tollgate_gitlab::KEYWORDS.contains(&k))
        })
        .map(|(k, v)| k.span.cover(v.span))
        .collect();
    parse_in(file, &nodes)
}

/// The comments of `file`, each widened to the `nodes` (jobs, steps) that start on its
/// line.
fn parse_in(file: &SourceFile, nodes: &[Span]) -> Vec<Suppression> {
    let mut out = Vec::new();
    for line in 1..=file.line_count() {
        let l = file.line_text(line);
        let Some(at) = l.find(MARKER) else { continue };
        // The marker must be in a comment: preceded by `#` on the same line.
        if !l[..at].trim_end().ends_with('#') {
            continue;
        }
        let after = &l[at + MARKER.len()..];
        let Some(close) = after.find(']') else {
            continue;
        };
        let rules: Vec<String> = after[..close]
            .split(',')
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())
            .collect();
        let reason = after[close + 1..]
            .trim()
            .strip_prefix("--")
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        let start = file.line_start(line);
        let line_span = Span::new(start, start + l.len());
        let scope = nodes
            .iter()
            .filter(|n| file.line_col(n.start()).line as usize == line)
            .fold(line_span, |acc, n| acc.cover(*n));
        let hash = l[..at].rfind('#').unwrap_or(at);
        out.push(Suppression {
            line,
            rules,
            reason,
            scope,
            span: Span::new(start + hash, start + l.len()),
            used: false,
        });
    }
    out
}

/// Whether `finding` is covered by one of `sups`; marks the one that covers it as used.
pub fn suppresses(sups: &mut [Suppression], finding: &Finding) -> bool {
    let at = finding.primary.span.start();
    for s in sups.iter_mut() {
        let on_line = finding.primary.start.line as usize == s.line;
        let in_scope = s.scope.start() <= at && at < s.scope.end();
        if (on_line || in_scope) && s.rules.iter().any(|r| r == finding.rule || r == "all") {
            s.used = true;
            return true;
        }
    }
    false
}

/// Warnings for suppressions that matched nothing. `known` is the list of rule ids, so a
/// misspelt id is called what it is.
#[must_use]
pub fn unused(file: &SourceFile, sups: &[Suppression], known: &[&str]) -> Vec<Diagnostic> {
    sups.iter()
        .filter(|s| !s.used)
        .map(|s| {
            let unknown: Vec<&str> = s
                .rules
                .iter()
                .map(String::as_str)
                .filter(|r| *r != "all" && !known.contains(r))
                .collect();
            let msg = if unknown.is_empty() {
                format!("suppression of `{}` matched no finding", s.rules.join(", "))
            } else {
                format!("suppression names unknown rule `{}`", unknown.join("`, `"))
            };
            Diagnostic::at(file, s.span, DiagnosticCode::UnusedSuppression, msg)
                .with_severity(Severity::Warning)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules_reason_and_step_scope() {
        let text = "on: push\njobs:\n  a: # tollgate: ignore[broad-permissions] -- reviewed\n    runs-on: x\n    steps:\n      - uses: a/b@v1 # tollgate: ignore[unpinned-action, unpinned-image]\n        with:\n          x: y\n";
        let f = SourceFile::new("w.yml", "w.yml", text);
        let (wf, _) = tollgate_gha::parse_workflow(&f);
        let s = parse(&f, wf.as_ref(), None);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].rules, vec!["broad-permissions"]);
        assert_eq!(s[0].reason.as_deref(), Some("reviewed"));
        assert_eq!(
            f.line_col(s[0].scope.end() - 1).line,
            8,
            "job scope runs to the job's end"
        );
        assert_eq!(s[1].rules, vec!["unpinned-action", "unpinned-image"]);
        assert_eq!(
            f.line_col(s[1].scope.end() - 1).line,
            8,
            "step scope covers its with:"
        );
    }

    #[test]
    fn marker_outside_a_comment_is_not_a_suppression() {
        let f = SourceFile::new("w.yml", "w.yml", "name: \"tollgate: ignore[x]\"\n");
        assert!(parse(&f, None, None).is_empty());
    }
}

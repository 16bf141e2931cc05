//! GitLab's code quality report: a JSON array of issues (`description`, `check_name`,
//! `fingerprint`, `severity`, `location.path`, `location.lines.begin`), which a GitLab CI
//! job uploads with `artifacts: reports: codequality:` to show findings in merge
//! requests. Written through the escaping JSON writer like every JSON output.

use serde::Serialize;
use tollgate_model::{Finding, Impact, SourceFile};

#[derive(Serialize)]
struct Issue<'a> {
    description: &'a str,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

/// GitLab's severities: `info`, `minor`, `major`, `critical`, `blocker`.
const fn severity(i: Impact) -> &'static str {
    match i {
        Impact::Informational => "info",
        Impact::Low => "minor",
        Impact::Medium => "major",
        Impact::High => "critical",
        Impact::Critical => "blocker",
    }
}

/// The report of `findings` (in their deterministic order; `source` gives a path's text
/// for the fingerprints, as SARIF's).
///
/// # Errors
/// When serialisation fails.
pub fn render<'a>(
    findings: &[Finding],
    source: impl Fn(&str) -> Option<&'a SourceFile> + Sync,
) -> std::io::Result<String> {
    let fingerprints = crate::fingerprint::of(findings, source);
    let issues: Vec<Issue<'_>> = findings
        .iter()
        .zip(fingerprints)
        .map(|(f, fingerprint)| Issue {
            description: &f.message,
            check_name: f.rule,
            // Unique per issue, stable across runs: the rule, the file, the line's text
            // and the occurrence (GitLab compares reports by it).
            fingerprint: format!("{:016x}", crate::fingerprint::fnv1a(fingerprint.as_bytes())),
            severity: severity(f.severity),
            location: Location {
                path: &f.primary.path,
                lines: Lines {
                    begin: f.primary.start.line,
                },
            },
        })
        .collect();
    crate::escape::to_string_pretty(&issues)
}

#[cfg(test)]
mod tests {
    use super::render;
    use tollgate_model::{Confidence, Finding, Impact, Level, SourceFile, Span};

    fn finding(
        file: &SourceFile,
        line_start: usize,
        rule: &'static str,
        severity: Impact,
        message: &str,
    ) -> Finding {
        Finding {
            rule,
            level: Level::Error,
            severity,
            confidence: Confidence::High,
            message: message.to_owned(),
            primary: file.location(Span::new(line_start, line_start + 3)),
            related: Vec::new(),
            path: Vec::new(),
            help: None,
            job: None,
            fix: None,
        }
    }

    #[test]
    fn issues_carry_gitlab_fields_severities_and_unique_fingerprints() {
        let text = "a: 1\nimage: node\nimage: node\n";
        let file = SourceFile::new(".gitlab-ci.yml", ".gitlab-ci.yml", text);
        let findings = [
            finding(
                &file,
                5,
                "unpinned-image",
                Impact::High,
                "job image `node`\u{1b}[31m",
            ),
            // The same rule on an identical line: the occurrence keeps them apart.
            finding(
                &file,
                17,
                "unpinned-image",
                Impact::High,
                "job image `node`",
            ),
            finding(&file, 0, "unpinned-include", Impact::Informational, "x"),
            finding(&file, 0, "x", Impact::Low, "x"),
            finding(&file, 0, "y", Impact::Medium, "x"),
            finding(&file, 0, "z", Impact::Critical, "x"),
        ];
        let out = render(&findings, |p| (p == ".gitlab-ci.yml").then_some(&file)).expect("renders");
        assert!(
            !out.contains('\u{1b}'),
            "control characters are escaped: {out}"
        );
        let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
        let issues = doc.as_array().expect("an array");
        assert_eq!(issues.len(), 6);
        let first = &issues[0];
        assert_eq!(first["check_name"], "unpinned-image");
        assert_eq!(first["severity"], "critical");
        assert_eq!(first["location"]["path"], ".gitlab-ci.yml");
        assert_eq!(first["location"]["lines"]["begin"], 2);
        assert_eq!(issues[1]["location"]["lines"]["begin"], 3);
        assert_eq!(first["description"], "job image `node`\u{1b}[31m");
        let severities: Vec<&str> = issues
            .iter()
            .filter_map(|i| i["severity"].as_str())
            .collect();
        assert_eq!(
            severities,
            ["critical", "critical", "info", "minor", "major", "blocker"]
        );
        let mut prints: Vec<&str> = issues
            .iter()
            .filter_map(|i| i["fingerprint"].as_str())
            .collect();
        prints.sort_unstable();
        prints.dedup();
        assert_eq!(prints.len(), 6, "fingerprints are unique");
        // Stable: the same findings give the same report.
        assert_eq!(render(&findings, |_| Some(&file)).expect("renders"), out);
    }
}

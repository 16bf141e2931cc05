//! GitHub Actions workflow commands (`::error file=…,line=…::message`), which the runner
//! turns into annotations on the pull request.

use std::fmt::Write;

use tollgate_model::{Diagnostic, Finding, Level, Severity};

/// Workflow-command properties escape `%`, CR, LF, `:` and `,`; messages escape `%`, CR, LF.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_prop(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[must_use]
pub fn render(findings: &[Finding], diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for f in findings {
        let cmd = match f.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "notice",
        };
        let l = &f.primary;
        let _ = writeln!(
            out,
            "::{cmd} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_prop(&l.path),
            l.start.line,
            l.start.column,
            l.end.line,
            l.end.column,
            escape_prop(f.rule),
            escape_data(&f.message),
        );
    }
    for d in diagnostics {
        let cmd = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let pos = d.location.as_ref().map_or_else(String::new, |l| {
            format!(",line={},col={}", l.start.line, l.start.column)
        });
        let _ = writeln!(
            out,
            "::{cmd} file={}{pos},title=input {}::{}",
            escape_prop(&d.path),
            d.code.as_str(),
            escape_data(&d.message)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_prop("a:b,c"), "a%3Ab%2Cc");
    }
}

//! GitHub Actions workflow commands (`::error file=…,line=…::message`), which the runner
//! turns into annotations on the pull request.

use std::fmt::Write;

use tollgate_model::{Diagnostic, Finding, Level, Severity};

use crate::escape::visible;

/// A workflow command's message: input control characters shown visibly first (so a
/// newline in a job id cannot end the command and start a forged `::error` line, and an
/// ESC cannot reach the log viewer), then `%`, CR and LF escaped as the runner expects.
fn escape_data(s: &str) -> String {
    visible(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: as [`escape_data`], and `:` and `,`, which would
/// end the value or the property list.
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
        assert_eq!(escape_data("a%b"), "a%25b");
        assert_eq!(escape_prop("a:b,c"), "a%3Ab%2Cc");
        // Input newlines and escapes are shown, never passed to the runner.
        assert_eq!(
            escape_data("x\n::error file=y::forged"),
            "x\\n::error file=y::forged"
        );
        assert_eq!(
            escape_prop("a\u{1b}]52;c;AA\u{7}"),
            "a\\u{1b}]52;c;AA\\u{7}"
        );
    }
}

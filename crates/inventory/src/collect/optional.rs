//! Commands whose failure a script ignores: what they fetch is not a delivery dependency
//! whose outage stops the job.
//!
//! Read from the flat command list of the shell facts: after the command, the rest of
//! its `&&`/`||` list is the commands that follow it linked by `&&` or `||` (the members
//! of a `{ …; }` or `( … )` group on the right of `||` carry that `||` too). The
//! failure is ignored when one of the `||` commands is `true`, `:` or `exit 0`.

use tollgate_model::Span;
use tollgate_shell::{Analysis, ChainOp, Command};

/// True when the command at `span` is followed in its `&&`/`||` list by `|| true`,
/// `|| :` or `|| exit 0` (alone or ending a group: `|| { echo skip; exit 0; }`).
pub(in crate::collect) fn failure_ignored(analysis: &Analysis, span: Span) -> bool {
    let Some(i) = analysis.commands.iter().position(|c| c.span == span) else {
        return false;
    };
    for c in &analysis.commands[i + 1..] {
        // Commands in the command's own substitutions and inner scripts.
        if c.span.start() < span.end() {
            continue;
        }
        match c.chain {
            // Later members of the command's pipeline, or of a pipeline further on.
            None if c.pipe_prev().is_some() => {}
            None => return false,
            Some(ChainOp::And) => {}
            Some(ChainOp::Or) if succeeds(c) => return true,
            Some(ChainOp::Or) => {}
        }
    }
    false
}

/// `true`, `:` and `exit 0`: a command that ends the list with success.
fn succeeds(c: &Command) -> bool {
    match c.name() {
        Some("true" | ":") => true,
        Some("exit") => matches!(c.args(), [w] if w.as_str() == Some("0")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the first command named `name` in `script` has its failure ignored.
    fn ignored(script: &str, name: &str) -> bool {
        let a = tollgate_shell::Analyzer::new().analyze(script);
        let cmd = a
            .commands
            .iter()
            .find(|c| c.name() == Some(name))
            .unwrap_or_else(|| panic!("{name} in {script:?}"));
        failure_ignored(&a, cmd.span)
    }

    #[test]
    fn ignored_failures() {
        let rows: &[(&str, bool)] = &[
            // home-assistant/core and others: an optional download.
            ("curl -sf https://dl.example.com/v.txt || true", true),
            ("curl -sf https://dl.example.com/v.txt || :", true),
            (
                "curl -fSL -o p.zip https://dl.example.com/p.zip || { echo skip; exit 0; }",
                true,
            ),
            (
                "curl -fSL https://dl.example.com/p.tgz | tar xz || true",
                true,
            ),
            (
                "curl -fSL -o p https://dl.example.com/p && chmod +x p || true",
                true,
            ),
            // The failure is reported, or ends the step.
            ("curl -fSL -o p https://dl.example.com/p", false),
            ("curl -fSL -o p https://dl.example.com/p || exit 1", false),
            (
                "curl -fSL -o p https://dl.example.com/p || echo failed",
                false,
            ),
            // `|| true` of another statement.
            (
                "curl -fSL -o p https://dl.example.com/p\nrm -f x || true",
                false,
            ),
            (
                "curl -fSL -o p https://dl.example.com/p; rm -f x || true",
                false,
            ),
            // `true` inside a substitution of the command is no `|| true` of it.
            ("curl -fSL \"https://dl.example.com/$(x || true)\"", false),
        ];
        for (script, want) in rows {
            assert_eq!(ignored(script, "curl"), *want, "{script:?}");
        }
    }
}

//! The walk's answers that no other test of the crate asks for.

use crate::Analyzer;

/// Whether each command named `name` in `script` is marked as retried.
fn retried(script: &str, name: &str) -> Vec<bool> {
    Analyzer::new()
        .analyze(script)
        .commands
        .iter()
        .filter(|c| c.name() == Some(name))
        .map(|c| c.context.retry_loop)
        .collect()
}

#[test]
fn or_runs_the_command_again() {
    let rows: &[(&str, &str, &[bool])] = &[
        // grpc and others: install again after refreshing the lists.
        (
            "sudo apt-get install -y x || (sudo apt-get update && sudo apt-get install -y x)",
            "apt-get",
            &[true, false, true],
        ),
        (
            "curl -fsSL -o a https://x.io/a || (sleep 5; curl -fsSL -o a https://x.io/a)",
            "curl",
            &[true, true],
        ),
        ("pip install x || pip install x", "pip", &[true, true]),
        // Another subcommand or another program is a fallback of a different kind, or
        // none: not a retry.
        ("npm ci || npm install", "npm", &[false, false]),
        (
            "curl -fsSL https://x.io/a || wget https://x.io/a",
            "curl",
            &[false],
        ),
        (
            "curl -fsSL https://x.io/a && curl -fsSL https://x.io/a",
            "curl",
            &[false, false],
        ),
    ];
    for (script, name, want) in rows {
        assert_eq!(retried(script, name), *want, "{script:?}");
    }
}

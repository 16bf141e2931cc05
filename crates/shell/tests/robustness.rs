//! Robustness: huge, deep, broken and random inputs end without panics and within bounds.

use tollgate_shell::{Analyzer, LimitKind};

#[test]
fn one_megabyte_single_line() {
    let mut s = String::with_capacity(1 << 20);
    while s.len() < (1 << 20) {
        s.push_str("echo abc def; curl -fsSL https://x.io/a | sh; ");
    }
    let a = Analyzer::new().analyze(&s);
    assert!(a.commands.len() > 10_000);
    assert!(a.facts.iter().any(|f| f.kind() == "download-exec"));
}

#[test]
fn deep_command_substitution_is_capped() {
    let depth = 3000;
    let mut s = String::new();
    for _ in 0..depth {
        s.push_str("echo $(");
    }
    s.push_str("curl https://x.io");
    for _ in 0..depth {
        s.push(')');
    }
    let a = Analyzer::new().analyze(&s);
    assert!(a.limits.iter().any(|l| l.kind == LimitKind::NestingDepth));
    assert!(!a.commands.is_empty());
}

#[test]
fn deep_inner_scripts_are_capped() {
    let mut s = "make".to_owned();
    for _ in 0..8 {
        s = format!("sh -c '{}'", s.replace('\'', "'\\''"));
    }
    let a = Analyzer::new().analyze(&s);
    assert!(a.commands.len() >= 4);
}

#[test]
fn broken_scripts_do_not_panic() {
    let mut an = Analyzer::new();
    for s in [
        "",
        "\\",
        "'",
        "\"",
        "$(",
        "${{",
        "${{ }}",
        "}}",
        "<<EOF",
        "cat <<EOF\nno end",
        "((",
        "[[ -f",
        "if; then",
        "case x in",
        "a |",
        "| b",
        "&& x",
        "f() {",
        "echo $((1+",
        "`",
        "$'\\x",
        "\u{0}\u{1}",
        "é${{ 'ü' }}ä",
        "sudo",
        "sudo -u",
        "env -u",
        "xargs",
        "curl",
        "curl -o",
        "pip install -r",
        "npm",
        "docker run",
        "git -C",
        "gh api -X",
        "wget -O",
        "timeout",
        "bash -c",
        "sh -c \"",
        "eval",
        "tar",
        "sha256sum -c",
        "gpg --verify",
        "cosign",
        "aws s3 cp s3://",
        "go env -w",
        "choco install --version",
        "npx -p",
    ] {
        let _ = an.analyze(s);
    }
}

/// A tiny deterministic generator of shell-ish noise, so the test needs no extra crate.
#[test]
fn random_token_soup_does_not_panic() {
    let pieces = [
        "curl ",
        "-o ",
        "f ",
        "| ",
        "sh ",
        "$( ",
        ") ",
        "\"",
        "'",
        "<(",
        "&& ",
        "|| ",
        "; ",
        "\n",
        "${{ secrets.X }}",
        "sudo ",
        "pip install ",
        "npm ci ",
        "<<EOF\n",
        "EOF\n",
        "\\\n",
        "bash -c ",
        "eval ",
        "{ ",
        "} ",
        "if ",
        "then ",
        "fi ",
        ">> $GITHUB_ENV ",
        "tee ",
        "x=",
        "`",
        "é",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut an = Analyzer::new();
    for _ in 0..400 {
        let mut s = String::new();
        for _ in 0..40 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            s.push_str(pieces[(state % pieces.len() as u64) as usize]);
        }
        let a = an.analyze(&s);
        for f in &a.facts {
            let sp = f.span();
            assert!(sp.start() <= sp.end() && sp.end() <= s.len(), "{s:?}");
        }
        for c in &a.commands {
            assert!(
                c.span.end() <= s.len()
                    && s.is_char_boundary(c.span.start())
                    && s.is_char_boundary(c.span.end())
            );
        }
    }
}

/// A generous wall-time bound that catches a hang or a quadratic blow-up, not a tight
/// timing (debug builds on a shared machine).
const WALL: std::time::Duration = std::time::Duration::from_secs(20);

/// Retry loops and branches are decided in the one walk: many loops, one huge loop
/// body and loops nested past the depth limit stay linear and mark what they should.
#[test]
fn retry_loops_at_scale() {
    let cases: Vec<(&str, String)> = vec![
        (
            "20k loops, each retrying a download",
            "for i in 1 2 3; do curl -fsSL https://x.io/a && break; sleep 1; done\n".repeat(20_000),
        ),
        (
            "one loop around 50k commands, `sleep` at the end",
            format!(
                "while true; do\n{}sleep 1\ndone\n",
                "curl https://x.io/a || true\n".repeat(50_000)
            ),
        ),
        ("3000 nested loops", nested_loops(3000)),
        ("40 nested loops", nested_loops(40)),
        (
            "50k `&&` links",
            format!("true{}\n", " && curl https://x.io/a".repeat(50_000)),
        ),
    ];
    for (name, script) in cases {
        let t = std::time::Instant::now();
        let a = Analyzer::new().analyze(&script);
        let took = t.elapsed();
        assert!(took < WALL, "{name}: {took:?}");
        if name.starts_with("3000 nested") {
            // Past the depth limit the walk stops and says so.
            assert!(a.limits.iter().any(|l| l.kind == LimitKind::NestingDepth));
            continue;
        }
        let curls: Vec<_> = a
            .commands
            .iter()
            .filter(|c| c.name() == Some("curl"))
            .collect();
        assert!(!curls.is_empty(), "{name}");
        match name {
            n if n.starts_with("50k `&&`") => {
                assert!(
                    curls
                        .iter()
                        .all(|c| c.context.branch && !c.context.retry_loop)
                );
            }
            _ => assert!(curls.iter().all(|c| c.context.retry_loop), "{name}"),
        }
    }
}

/// `depth` loops, one inside the other, around a download and a `break`.
fn nested_loops(depth: usize) -> String {
    let mut s = "while true; do ".repeat(depth);
    s.push_str("curl https://x.io; break; ");
    s.push_str(&"done; ".repeat(depth));
    s
}

//! Parsing, validation and positions of `tollgate.toml`.

use super::*;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(
        SourceFile::new("tollgate.toml", "tollgate.toml", text),
        &["unpinned-action", "broad-permissions"],
    )
}

#[test]
fn default_config_parses() {
    let c = Config::parse(
        SourceFile::new("d", "d", DEFAULT_CONFIG),
        &[
            "unpinned-action",
            "broad-permissions",
            "unpinned-image",
            "remote-script-execution",
            "unverified-download",
            "unpinned-package-install",
            "insecure-transport",
        ],
    );
    assert!(
        c.is_ok(),
        "{}",
        c.err().map(|e| e.to_string()).unwrap_or_default()
    );
}

#[test]
fn errors_point_at_their_line() {
    let e = parse("exclude = [\"a/**\"]\n\n[rules.unpinned-actoin]\nlevel = \"error\"\n")
        .expect_err("unknown rule");
    let l = e.diagnostics[0].location.as_ref().expect("loc");
    assert_eq!(l.start.line as usize, 3);
    assert!(e.diagnostics[0].message.contains("unpinned-actoin"));

    let e = parse("[rules.unpinned-action]\nlevel = \"loud\"\n").expect_err("bad level");
    assert!(e.diagnostics[0].message.contains("level"));

    let e = parse("[policy]\negres = 1\n").expect_err("typo");
    assert_eq!(
        e.diagnostics[0]
            .location
            .as_ref()
            .map(|l| l.start.line as usize),
        Some(2)
    );

    let e = parse("[rules\n").expect_err("syntax");
    assert_eq!(
        e.diagnostics[0]
            .location
            .as_ref()
            .map(|l| l.start.line as usize),
        Some(1)
    );
}

/// A rule's options are checked against what its page declares: an unknown key or a
/// value of the wrong kind is an error on its own line; a valid one is kept.
#[test]
fn options_are_checked_against_the_rule() {
    let known = [(
        "missing-fallback",
        &[("release-severity", OptionKind::Severity)][..],
    )];
    let parse = |t: &str| Config::parse(SourceFile::new("t.toml", "t.toml", t), &known);
    let c = parse("[rules.missing-fallback]\nrelease-severity = \"high\"\n").expect("ok");
    assert_eq!(
        c.options("missing-fallback")
            .and_then(|o| o.get("release-severity"))
            .and_then(toml::Value::as_str),
        Some("high")
    );
    for (text, line, needle) in [
        (
            "[rules.missing-fallback]\nlvl = \"off\"\n",
            2,
            "unknown option `lvl`",
        ),
        (
            "[rules.missing-fallback]\n\nrelease-severity = 3\n",
            3,
            "must be \"informational\"",
        ),
        (
            "[rules.missing-fallback]\nlevel = \"loud\"\n",
            2,
            "`level` must be",
        ),
    ] {
        let e = parse(text).expect_err(text);
        assert_eq!(e.diagnostics.len(), 1, "{text}");
        let d = &e.diagnostics[0];
        assert!(d.message.contains(needle), "{text}: {}", d.message);
        assert_eq!(
            d.location.as_ref().map(|l| l.start.line as usize),
            Some(line),
            "{text}"
        );
    }
}

#[test]
fn levels_options_and_unused_entries() {
    let c = parse("[rules.unpinned-action]\nlevel = \"off\"\n[rules.broad-permissions]\nlevel = \"error\"\n\n\n[policy.packages]\nallow = [\"https://a.example/\", \"https://b.example/\"]\n").expect("ok");
    assert_eq!(c.rules["unpinned-action"].level, Some(None));
    assert_eq!(c.rules["broad-permissions"].level, Some(Some(Level::Error)));
    c.policy.package_allow[0].mark_used();
    let unused = c.unused();
    assert_eq!(unused.len(), 1);
    assert_eq!(
        unused[0].location.as_ref().map(|l| l.start.line as usize),
        Some(8)
    );
    assert!(unused[0].message.contains("b.example"));
}

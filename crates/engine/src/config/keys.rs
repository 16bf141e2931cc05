//! The configuration reference: every key of `tollgate.toml`, as `generate-docs` writes it.

/// Every configuration key with its type and meaning: the source of the configuration
/// reference page. A test parses a file setting each key, so this list and the types above
/// cannot drift apart.
pub const KEYS: &[(&str, &str, &str, &str)] = &[
    (
        "exclude",
        "array of globs",
        "exclude = [\"testdata/**\"]",
        "Paths (relative to the scan root) that are not checked at all.",
    ),
    (
        "baseline",
        "path",
        "baseline = \".tollgate-baseline.json\"",
        "The baseline `check` compares with (relative to this file; `--baseline` overrides it): only findings not in it are reported and fail the run. `tollgate baseline` writes it.",
    ),
    (
        "[rules.<id>] level",
        "\"error\" | \"warning\" | \"note\" | \"off\"",
        "[rules.unpinned-action]\nlevel = \"warning\"",
        "The level findings of the rule are reported at; `off` disables it. Naming a rule that is off by default here turns it on.",
    ),
    (
        "[rules.<id>] <option>",
        "per rule",
        "[rules.missing-fallback]\nrelease-severity = \"high\"",
        "Options of one rule; `tollgate explain <id>` documents them.",
    ),
    (
        "[[ignore]] path",
        "glob",
        "[[ignore]]\npath = \".github/workflows/legacy-*.yml\"",
        "Ignore findings in matching files (required in each `[[ignore]]`).",
    ),
    (
        "[[ignore]] rules",
        "array of rule ids",
        "[[ignore]]\npath = \"**\"\nrules = [\"unpinned-image\"]",
        "Only these rules (all rules when absent).",
    ),
    (
        "[[ignore]] line",
        "integer",
        "[[ignore]]\npath = \"ci.yml\"\nline = 12",
        "Only findings whose primary location is on this line.",
    ),
    (
        "[[ignore]] job",
        "string",
        "[[ignore]]\npath = \"**\"\njob = \"build\"",
        "Only findings in this job.",
    ),
    (
        "[[ignore]] reason",
        "string",
        "[[ignore]]\npath = \"**\"\nreason = \"reviewed\"",
        "Why; kept for readers, not interpreted.",
    ),
    (
        "[policy.actions] pin",
        "table of glob → \"hash-pin\" | \"ref-pin\" | \"any\"",
        "[policy.actions]\npin = { \"my-org/*\" = \"ref-pin\" }",
        "How strictly actions matching an `owner/repo` glob must be pinned (`unpinned-action`); first match wins.",
    ),
    (
        "[policy.actions] trusted-owners",
        "array of owners",
        "[policy.actions]\ntrusted-owners = [\"my-org\"]",
        "Owners whose actions are trusted like your own code (`secrets-exposure`).",
    ),
    (
        "[policy.packages] allow",
        "array of URLs, URL prefixes, hosts or host/organisation",
        "[policy.packages]\nallow = [\"https://npm.example.internal/\", \"github.com/my-org\"]",
        "Package sources allowed besides each ecosystem's public registry (`unknown-package-source`).",
    ),
    (
        "[policy.egress] allow",
        "array of hosts (wildcards allowed)",
        "[policy.egress]\nallow = [\"*.example.com\"]",
        "Hosts jobs may reach (`egress-not-allowed`).",
    ),
    (
        "[policy.egress] controls",
        "array of actions",
        "[policy.egress]\ncontrols = [\"my-org/egress-proxy\"]",
        "Actions that enforce egress control besides harden-runner in block mode (`unrestricted-egress`).",
    ),
];

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::KEYS;

    /// Each documented example is accepted by the parser: the reference cannot describe a
    /// key the types do not have.
    #[test]
    fn every_documented_key_parses() {
        let none: &[(&str, OptionKind)] = &[];
        let known = [
            ("unpinned-action", none),
            ("unpinned-image", none),
            (
                "missing-fallback",
                &[("release-severity", OptionKind::Severity)][..],
            ),
        ];
        for (key, _, example, _) in KEYS {
            let r = Config::parse(SourceFile::new("t.toml", "t.toml", *example), &known);
            assert!(
                r.is_ok(),
                "{key}: {}",
                r.err().map(|e| e.to_string()).unwrap_or_default()
            );
        }
    }
}

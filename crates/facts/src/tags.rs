//! Whether an `if:` keeps a job or step to tag refs, or away from them: a release job
//! often publishes only on a tag (`startsWith(github.ref, 'refs/tags/')`) and restores
//! its caches only on branches (`!startsWith(github.ref, 'refs/tags/')`), and then the
//! run that publishes never restores.
//!
//! Read from the condition's text: only a condition made of `&&` alone counts (an `||`
//! anywhere makes it unknown), and only a conjunct that is exactly one of the tests
//! below, so a test inside a negated group is never taken for a top-level one.

/// What a condition says about tag refs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tags {
    /// It holds only on a tag ref.
    Only,
    /// It never holds on a tag ref.
    Never,
    /// Either, as far as the text tells.
    Unknown,
}

/// What the `if:` text `condition` says about tag refs.
#[must_use]
pub fn of(condition: &str) -> Tags {
    let text: String = condition
        .trim()
        .trim_start_matches("${{")
        .trim_end_matches("}}")
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if c == '"' {
                '\''
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    if text.contains("||") {
        return Tags::Unknown;
    }
    let mut out = Tags::Unknown;
    for c in text.split("&&") {
        let c = c.trim();
        let t = match c {
            "startswith(github.ref,'refs/tags/')"
            | "startswith(github.ref,'refs/tags')"
            | "github.ref_type=='tag'"
            | "github.event_name=='release'" => Tags::Only,
            "!startswith(github.ref,'refs/tags/')"
            | "!startswith(github.ref,'refs/tags')"
            | "github.ref_type!='tag'"
            | "github.ref_type=='branch'" => Tags::Never,
            _ if c.starts_with("github.ref=='refs/heads/") => Tags::Never,
            _ => continue,
        };
        if out != Tags::Unknown && out != t {
            // Contradictory: the condition never holds, which other rules report.
            return Tags::Unknown;
        }
        out = t;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Tags, of};

    #[test]
    fn conditions_say_whether_they_hold_on_tags() {
        let cases: &[(&str, Tags)] = &[
            ("startsWith(github.ref, 'refs/tags/')", Tags::Only),
            (
                "${{ github.ref_type == 'tag' && github.repository == 'o/r' }}",
                Tags::Only,
            ),
            (
                "!(x && y == 'pull_request') && !startsWith(github.ref, 'refs/tags/')",
                Tags::Never,
            ),
            ("github.ref == 'refs/heads/main'", Tags::Never),
            (
                "startsWith(github.ref, 'refs/tags/') || github.event_name == 'workflow_dispatch'",
                Tags::Unknown,
            ),
            (
                "!(a && startsWith(github.ref, 'refs/tags/'))",
                Tags::Unknown,
            ),
            ("github.event_name == 'push'", Tags::Unknown),
        ];
        for (c, want) in cases {
            assert_eq!(of(c), *want, "{c}");
        }
    }
}

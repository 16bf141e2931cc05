//! Lenient version numbers of action tags (`v4`, `v4.2`, `v4.2.1`, `4.2.1`, `1.0.0-rc.1`)
//! and the ranges advisories give.
//!
//! A tag with fewer than three numbers is read as the *floating* tag publishers move to
//! each new release of that line: `v4` runs the newest `4.x.y`, `v4.2` the newest `4.2.y`.
//! Such a tag is within a range only when the newest version of its line is: `v4` is
//! affected by `< 4.1.3` never (4.1.3 and later releases of major 4 are fixed), and by
//! `< 5` always. A bound written with fewer numbers (`fixed = "41"`) is the exact version
//! with zeros (`41.0.0`). What follows the numbers (a pre-release or build suffix) is kept
//! for display and ignored in comparisons.

use std::cmp::Ordering;

/// A version as written: up to three numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    numbers: [u64; 3],
    /// How many numbers were written (1 to 3).
    given: usize,
}

impl Version {
    /// Read `v4`, `V4.2`, `4.2.1`, `v1.2.3-beta`, `refs/tags/v2`; `None` for `main`,
    /// `release-1`, a SHA, or an empty string. A fourth number and anything after the
    /// third are ignored.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.strip_prefix("refs/tags/").unwrap_or(text);
        let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
        if !t.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        let core = t.split(['-', '+', '_']).next().unwrap_or(t);
        let mut numbers = [0u64; 3];
        let mut given = 0;
        for part in core.split('.') {
            if given == 3 {
                break;
            }
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) || part.len() > 18 {
                return None;
            }
            numbers[given] = part.parse().ok()?;
            given += 1;
        }
        (given > 0).then_some(Self { numbers, given })
    }

    /// Whether the tag floats over a line of releases (`v4`, `v4.2`).
    #[must_use]
    pub fn floats(&self) -> bool {
        self.given < 3
    }

    /// Compare the newest version of this (possibly floating) tag's line with the exact
    /// bound `b`.
    fn cmp_bound(&self, b: &Self) -> Ordering {
        let k = self.given;
        match self.numbers[..k].cmp(&b.numbers[..k]) {
            // Same written prefix: a floating tag reaches past any exact bound in it.
            Ordering::Equal if self.floats() => Ordering::Greater,
            Ordering::Equal => Ordering::Equal,
            o => o,
        }
    }
}

/// Exact order of the numbers (`4` = `4.0.0` < `4.0.1`), for picking the highest of
/// several fixed versions; floating tags are compared with [`Range::contains`].
impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers
            .cmp(&other.numbers)
            .then(self.given.cmp(&other.given))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.numbers[..self.given]
            .iter()
            .map(u64::to_string)
            .collect();
        f.write_str(&parts.join("."))
    }
}

/// An affected range: `introduced <= v`, and `v < fixed` or `v <= last_affected`.
#[derive(Clone, Debug, Default)]
pub struct Range {
    pub introduced: Option<Version>,
    pub fixed: Option<Version>,
    pub last_affected: Option<Version>,
}

impl Range {
    /// Whether `v` (the newest version of its line, when it floats) is in the range.
    #[must_use]
    pub fn contains(&self, v: &Version) -> bool {
        let lower = self
            .introduced
            .as_ref()
            .is_none_or(|i| v.cmp_bound(i) != Ordering::Less);
        let upper_fixed = self
            .fixed
            .as_ref()
            .is_none_or(|f| v.cmp_bound(f) == Ordering::Less);
        let upper_last = self
            .last_affected
            .as_ref()
            .is_none_or(|l| v.cmp_bound(l) != Ordering::Greater);
        lower && upper_fixed && upper_last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).expect(s)
    }

    fn range(introduced: &str, fixed: Option<&str>, last: Option<&str>) -> Range {
        Range {
            introduced: Version::parse(introduced),
            fixed: fixed.map(v),
            last_affected: last.map(v),
        }
    }

    #[test]
    fn tags_parse_leniently() {
        assert_eq!(v("v4").to_string(), "4");
        assert_eq!(v("V4.2").to_string(), "4.2");
        assert_eq!(v("4.2.1").to_string(), "4.2.1");
        assert_eq!(v("v1.2.3-beta.1").to_string(), "1.2.3");
        assert_eq!(v("v2.296.2.1").to_string(), "2.296.2");
        assert_eq!(v("refs/tags/v2").to_string(), "2");
        assert_eq!(v("v3.8.0_js_action").to_string(), "3.8.0");
        for no in [
            "main",
            "release-1",
            "",
            "v",
            "latest",
            "v1..2",
            "11bd71901bbe5b1630ceea73d27597364c9af683",
        ] {
            assert_eq!(Version::parse(no), None, "{no}");
        }
        assert!(v("v4").floats() && v("v4.1").floats() && !v("4.1.0").floats());
    }

    #[test]
    fn exact_versions_against_bounds() {
        let r = range("4.0.0", Some("4.1.3"), None);
        assert!(r.contains(&v("v4.0.0")));
        assert!(r.contains(&v("v4.1.2")));
        assert!(!r.contains(&v("v4.1.3")), "the fixed version");
        assert!(!r.contains(&v("v3.9.9")), "before introduced");
        let last = range("0.0.1", None, Some("0.34.2"));
        assert!(last.contains(&v("0.34.2")));
        assert!(!last.contains(&v("0.35.0")));
    }

    /// A floating tag is judged by the newest release of its line.
    #[test]
    fn floating_tags_are_their_lines_newest_release() {
        let fixed_inside = range("0", Some("4.1.3"), None);
        assert!(
            !fixed_inside.contains(&v("v4")),
            "v4 moves to 4.1.3 and later"
        );
        assert!(fixed_inside.contains(&v("v3")));
        assert!(!fixed_inside.contains(&v("v4.1")));
        assert!(fixed_inside.contains(&v("v4.0")), "4.0.y stays below 4.1.3");
        let whole_major = range("0", Some("41"), None);
        assert!(whole_major.contains(&v("v40")));
        assert!(!whole_major.contains(&v("v41")));
        let from_six = range("6.0.0", Some("8.3.1"), None);
        assert!(!from_six.contains(&v("v5")));
        assert!(from_six.contains(&v("v6")) && from_six.contains(&v("v7")));
        assert!(!from_six.contains(&v("v8")));
        let last = range("0.0.1", None, Some("0.34.2"));
        assert!(!last.contains(&v("v0")), "v0 moves past 0.34.2");
        assert!(last.contains(&v("v0.33")));
        let open = range("0", None, None);
        assert!(open.contains(&v("v9")));
    }
}

//! `rules/data/credential-formats.toml`: the published formats of credentials (GitHub,
//! cloud and registry tokens), and the one matcher that finds them in text, shared by
//! `hardcoded-credential` and its tests.

use serde::Deserialize;

use crate::DataFile;
use crate::load::{Invalid, Sourced, cites};

pub const FILE: DataFile = DataFile {
    name: "credential-formats.toml",
    text: include_str!("../../../rules/data/credential-formats.toml"),
};

/// The table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Formats {
    #[serde(default)]
    pub format: Vec<Format>,
    /// Every format's prefix in one automaton, built on first use: one pass over a text
    /// finds them all (a search per format cost more than the rest of the rule).
    #[serde(skip)]
    prefixes: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>>,
}

/// The characters a token's body is made of (besides its `extra` ones).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alphabet {
    /// `[A-Za-z0-9]`.
    Alnum,
    /// `[A-Z0-9]`.
    UpperAlnum,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Format {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub alphabet: Alphabet,
    #[serde(default)]
    pub extra: String,
    pub min: usize,
    pub max: usize,
    /// An identifier that is reported only beside a literal secret of its issuer.
    #[serde(default)]
    pub paired: bool,
    /// Example values from the issuer's documentation: never reported.
    #[serde(default)]
    pub example: Vec<String>,
    pub source: String,
}

impl Format {
    /// Whether `b` may stand in the body of a token of this format.
    fn admits(&self, b: u8) -> bool {
        let base = match self.alphabet {
            Alphabet::Alnum => b.is_ascii_alphanumeric(),
            Alphabet::UpperAlnum => b.is_ascii_uppercase() || b.is_ascii_digit(),
        };
        base || self.extra.as_bytes().contains(&b)
    }
}

/// One token found in a text: its format and byte range.
#[derive(Clone, Copy, Debug)]
pub struct Found<'k> {
    pub format: &'k Format,
    pub start: usize,
    pub end: usize,
}

impl Found<'_> {
    /// The token's text in `text` (the text it was found in).
    #[must_use]
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

/// A character that continues a word a token could be part of: a token glued to one of
/// these is part of something longer (an identifier, a base64 blob) and not reported.
const fn word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'/' || b == b'+'
}

impl Formats {
    /// Every token of a listed format in `text`, in text order: the prefix, then a body of
    /// the format's alphabet whose length is in range, with nothing of a word glued on
    /// either side. Documented example values and placeholders ([`is_placeholder`]) are
    /// left out. Linear in the text for each format.
    #[must_use]
    pub fn find(&self, text: &str) -> Vec<Found<'_>> {
        let mut out: Vec<(usize, Found<'_>)> = Vec::new();
        let Some(ac) = self.prefixes.get_or_init(|| {
            aho_corasick::AhoCorasick::new(self.format.iter().map(|f| &f.prefix)).ok()
        }) else {
            return Vec::new();
        };
        let b = text.as_bytes();
        // Per format, where its search goes on: past the last token it accepted.
        let mut from = vec![0usize; self.format.len()];
        for m in ac.find_overlapping_iter(text) {
            let i = m.pattern().as_usize();
            let f = &self.format[i];
            let start = m.start();
            if start < from[i] {
                continue;
            }
            let body = m.end();
            if start > 0 && word(b[start - 1]) {
                continue;
            }
            let mut end = body;
            while end < b.len() && f.admits(b[end]) && end - body <= f.max {
                end += 1;
            }
            let len = end - body;
            // A body that runs on past `max`, or stops at a character that belongs
            // to a longer word, is something else.
            if len < f.min || len > f.max || b.get(end).is_some_and(|&c| word(c)) {
                continue;
            }
            let token = &text[start..end];
            if f.example.iter().any(|e| e == token) || is_placeholder(&text[body..end]) {
                continue;
            }
            out.push((
                i,
                Found {
                    format: f,
                    start,
                    end,
                },
            ));
            from[i] = end;
        }
        // In text order, and in the table's order where two formats start together.
        out.sort_by_key(|(i, t)| (t.start, *i));
        out.into_iter().map(|(_, t)| t).collect()
    }
}

/// Words that mark a value as an example or a stand-in (compared in lower case).
const STAND_INS: &[&str] = &[
    "example",
    "xxxx",
    "placeholder",
    "dummy",
    "fake",
    "sample",
    "redacted",
    "changeme",
    "your",
    "replace",
    "token",
];

/// Whether a token's body reads as a stand-in rather than a random value: it holds a word
/// such as `EXAMPLE` or `xxxx`, a run of six or more equal or consecutive characters
/// (`000000`, `abcdef`, `123456`), or fewer than ten distinct characters. A random body of
/// 16 or more characters over 36 or 62 symbols does any of these with a probability well
/// under one in a thousand.
#[must_use]
pub fn is_placeholder(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    if STAND_INS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    let b = lower.as_bytes();
    let (mut same, mut up) = (1, 1);
    for w in b.windows(2) {
        same = if w[1] == w[0] { same + 1 } else { 1 };
        up = if w[1] == w[0].wrapping_add(1) {
            up + 1
        } else {
            1
        };
        if same >= 6 || up >= 6 {
            return true;
        }
    }
    let mut distinct = [false; 256];
    for &c in body.as_bytes() {
        distinct[usize::from(c)] = true;
    }
    distinct.iter().filter(|&&d| d).count() < 10
}

/// Whether `value` is an AWS secret access key as the issuer documents it: exactly 40
/// characters of base64 (`[A-Za-z0-9/+]`), not a stand-in, not the documented example.
#[must_use]
pub fn is_aws_secret_key(value: &str) -> bool {
    const EXAMPLE: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    value.len() == 40
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+')
        && value != EXAMPLE
        && !is_placeholder(value)
}

/// Every literal AWS secret access key standing as a word of `text` (a 40-character run
/// that [`is_aws_secret_key`] accepts), as byte ranges.
#[must_use]
pub fn aws_secret_keys(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !word(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'/' || b[i] == b'+') {
            i += 1;
        }
        // A word that goes on with `_`, `-` (or `=`, base64 padding of something longer)
        // is not a key.
        let glued = b
            .get(i)
            .is_some_and(|&c| c == b'_' || c == b'-' || c == b'=');
        if !glued && is_aws_secret_key(&text[start..i]) {
            out.push((start, i));
        }
        while i < b.len() && word(b[i]) {
            i += 1;
        }
    }
    out
}

impl Sourced for Formats {
    fn check(&self) -> Result<(), Invalid> {
        let mut seen = std::collections::BTreeSet::new();
        for f in &self.format {
            cites(&f.source, &f.id)?;
            if !seen.insert(f.id.as_str()) {
                return Err(Invalid::new(&f.id, format!("duplicate `{}`", f.id)));
            }
            if f.prefix.len() < 4 {
                return Err(Invalid::new(
                    &f.id,
                    format!("`{}`: a prefix of at least 4 characters", f.id),
                ));
            }
            if f.min == 0 || f.min > f.max {
                return Err(Invalid::new(&f.id, format!("`{}`: 0 < min <= max", f.id)));
            }
            if let Some(e) = f.example.iter().find(|e| !e.starts_with(f.prefix.as_str())) {
                return Err(Invalid::new(
                    &f.id,
                    format!("`{}`: example `{e}` lacks the prefix", f.id),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load;

    /// Bodies built at run time, so that no token-shaped literal sits in the source.
    fn body(n: usize) -> String {
        "q7Rm2KxW9pLz4TnV8bYc3HsJ6dFg5NkQ1wEa0UoI"
            .chars()
            .cycle()
            .take(n)
            .collect()
    }

    fn ids(text: &str) -> Vec<String> {
        crate::credential_formats()
            .find(text)
            .iter()
            .map(|f| f.format.id.clone())
            .collect()
    }

    #[test]
    fn formats_are_found_as_words() {
        let ghp = format!("ghp_{}", body(36));
        assert_eq!(ids(&format!("TOKEN={ghp}")), ["github-pat"]);
        assert_eq!(ids(&format!("'{ghp}'")), ["github-pat"]);
        assert_eq!(ids(&format!("https://x:{ghp}@github.com")), ["github-pat"]);
        // Glued to a longer word, too short, too long: something else.
        assert!(ids(&format!("aghp_{}", body(36))).is_empty());
        assert!(ids(&format!("ghp_{}", body(35))).is_empty());
        assert!(ids(&format!("npm_{}", body(37))).is_empty());
        assert!(ids(&format!("ghp_{}/x", body(36))).is_empty());
        assert_eq!(ids(&format!("npm_{}", body(36))), ["npm-token"]);
        let pat = format!("github_pat_{}_{}", body(22), body(59));
        assert_eq!(ids(&pat), ["github-fine-grained-pat"]);
        assert_eq!(
            ids(&format!("AKIA{}", body(16).to_ascii_uppercase())),
            ["aws-access-key-id"]
        );
        assert_eq!(ids(&format!("AIza{}", body(35))), ["google-api-key"]);
        assert_eq!(
            ids(&format!("xoxb-1234-5678-{}", body(24))),
            ["slack-bot-token"]
        );
        assert_eq!(ids(&format!("dckr_pat_{}", body(27))), ["docker-hub-pat"]);
        assert_eq!(ids(&format!("glpat-{}", body(20))), ["gitlab-pat"]);
        assert_eq!(
            ids(&format!("pypi-AgEIcHlwaS5vcmc{}", body(120))),
            ["pypi-token"]
        );
        assert_eq!(ids("ghp_ and xoxb- and npm_ alone"), Vec::<String>::new());
    }

    #[test]
    fn examples_and_placeholders_are_left_out() {
        assert!(ids("AKIAIOSFODNN7EXAMPLE").is_empty());
        assert!(ids(&format!("ghp_{}", "x".repeat(36))).is_empty());
        assert!(ids("ghp_abcdefghijklmnopqrstuvwxyz0123456789").is_empty());
        assert!(ids("ghp_YourTokenGoesHereYourTokenGoesHere1").is_empty());
        assert!(ids(&format!("ghp_{}", "ab12".repeat(9))).is_empty());
        assert!(!is_placeholder(&body(36)));
    }

    #[test]
    fn aws_secret_keys_are_40_base64_characters() {
        let key = format!("{}/{}", body(20), body(19));
        assert_eq!(aws_secret_keys(&format!("S={key}")), [(2, 42)]);
        assert!(aws_secret_keys(&format!("S={key}x")).is_empty());
        assert!(aws_secret_keys(&format!("S={key}_x")).is_empty());
        assert!(aws_secret_keys("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").is_empty());
    }

    #[test]
    fn the_file_checks_prefixes_and_lengths() {
        let entry = |id: &str, prefix: &str, min: usize, max: usize| {
            format!(
                "[[format]]\nid = \"{id}\"\nname = \"n\"\nprefix = \"{prefix}\"\nalphabet = \"alnum\"\nmin = {min}\nmax = {max}\nsource = \"https://d\"\n\n"
            )
        };
        let ok = entry("a", "abc_", 1, 2);
        assert!(load::<Formats>("f.toml", &ok).is_ok());
        let short = format!("{ok}{}", entry("b", "ab", 1, 2));
        let err = load::<Formats>("f.toml", &short).expect_err("short prefix");
        assert_eq!(err.line, 11, "{err}");
        let bounds = format!("{ok}{}", entry("c", "abcd", 3, 2));
        assert!(load::<Formats>("f.toml", &bounds).is_err());
        let unknown = ok.replace("alnum", "hex");
        assert!(load::<Formats>("f.toml", &unknown).is_err());
    }
}

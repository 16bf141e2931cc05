//! The one glob matcher of the code base (`GOPRIVATE` lists, knowledge-base entries,
//! configuration allow-lists). Both ways of matching take time linear in the text
//! whatever the pattern, where a backtracking matcher took exponential time on a pattern
//! like `*a*a*a…*b` read from a repository: a pattern whose only wildcard is `*` is
//! matched run by run (see [`Glob::captures`]), one with `?` too through `globset`'s
//! compiled automata (which hold tens of kilobytes each: the knowledge base alone has
//! hundreds of `*` patterns).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// Which characters of a pattern are wildcards; every other character is literal
/// (`[`, `{`, `\` included), as in the hand-written matchers this replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Wildcards {
    /// `*` matches any run of characters, `/` included.
    Star,
    /// `*` as in [`Wildcards::Star`], and `?` matches one character: Go's `path.Match`
    /// within one path element (`GOPRIVATE`, `GONOSUMDB`).
    StarQuestion,
}

impl Wildcards {
    fn is_wild(self, c: char) -> bool {
        c == '*' || (c == '?' && self == Self::StarQuestion)
    }
}

/// A compiled pattern.
#[derive(Clone, Debug)]
pub struct Glob {
    wildcards: Wildcards,
    /// The literal runs between the `*`s, for [`Glob::captures`].
    parts: Vec<String>,
    /// For [`Wildcards::StarQuestion`] patterns; `None` for the others (matched by
    /// their literal runs) and when the pattern is too large for `globset` to compile
    /// (matches nothing).
    matcher: Option<globset::GlobMatcher>,
    literal: bool,
}

impl Glob {
    /// Compile `pattern`. Never fails: every character that is not one of `wildcards`
    /// is escaped, so any text is a valid pattern.
    #[must_use]
    pub fn new(pattern: &str, wildcards: Wildcards) -> Self {
        let literal = !pattern.chars().any(|c| wildcards.is_wild(c));
        let parts = pattern.split('*').map(str::to_owned).collect();
        let matcher = if literal || wildcards == Wildcards::Star {
            None
        } else {
            let mut syntax = String::with_capacity(pattern.len() + 8);
            let mut star = false;
            for c in pattern.chars() {
                // A run of stars means what one star means; one star also keeps globset
                // from reading `**` as a recursive directory wildcard.
                if c == '*' {
                    if !star {
                        syntax.push('*');
                    }
                    star = true;
                    continue;
                }
                star = false;
                if wildcards.is_wild(c) {
                    syntax.push(c);
                } else {
                    let mut buf = [0; 4];
                    syntax.push_str(&globset::escape(c.encode_utf8(&mut buf)));
                }
            }
            globset::GlobBuilder::new(&syntax)
                .literal_separator(false)
                .backslash_escape(false)
                .build()
                .ok()
                .map(|g| g.compile_matcher())
        };
        Self {
            wildcards,
            parts,
            matcher,
            literal,
        }
    }

    /// Whether the whole of `text` matches.
    #[must_use]
    pub fn is_match(&self, text: &str) -> bool {
        if self.literal {
            return self.parts.first().is_some_and(|p| p == text);
        }
        match self.wildcards {
            Wildcards::Star => self.star_runs(text, |_| {}),
            Wildcards::StarQuestion => self
                .matcher
                .as_ref()
                .is_some_and(|m| m.is_match_candidate(&globset::Candidate::new(text))),
        }
    }

    /// The runs of `text` each `*` matched, in order, the earlier ones as short as they
    /// can be; `None` when `text` does not match. For [`Wildcards::Star`] patterns only
    /// (`None` for others).
    #[must_use]
    pub fn captures(&self, text: &str) -> Option<Vec<String>> {
        if self.wildcards != Wildcards::Star {
            return None;
        }
        let mut caps = Vec::with_capacity(self.parts.len().saturating_sub(1));
        self.star_runs(text, |run| caps.push(run.to_owned()))
            .then_some(caps)
    }

    /// Whether `text` matches this `*`-only pattern, handing each run a `*` matched to
    /// `run` in order (the runs of a text that does not match may be handed too).
    ///
    /// With `*` as the only wildcard, taking the leftmost occurrence of each literal run
    /// leaves the most text for the runs after it, so it finds a match whenever there is
    /// one, in one pass (each search starts where the last one ended); the first run
    /// must start the text and the last must end it.
    fn star_runs<'t>(&self, text: &'t str, mut run: impl FnMut(&'t str)) -> bool {
        let Some((first, rest)) = self.parts.split_first() else {
            return false;
        };
        let Some(text) = text.strip_prefix(first.as_str()) else {
            return false;
        };
        let Some((last, middle)) = rest.split_last() else {
            // No `*`: the whole text is the literal.
            return text.is_empty();
        };
        // The last run is the suffix; the middle runs are found before it.
        let Some(body) = text.strip_suffix(last.as_str()) else {
            return false;
        };
        let mut pos = 0;
        for part in middle {
            let Some(at) = body[pos..].find(part.as_str()) else {
                return false;
            };
            run(&body[pos..pos + at]);
            pos += at + part.len();
        }
        run(&body[pos..]);
        true
    }
}

/// Compiled patterns by text, so that a pattern matched against many texts (a
/// `GOPRIVATE` list against every module) compiles once. Bounded: emptied when full.
type Cache = Mutex<HashMap<(Wildcards, Box<str>), Arc<Glob>>>;
const CACHE_CAPACITY: usize = 4096;

fn compiled(pattern: &str, wildcards: Wildcards) -> Arc<Glob> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    let key = (wildcards, Box::from(pattern));
    if let Some(g) = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return Arc::clone(g);
    }
    // Compiled outside the lock: another thread may compile the same pattern meanwhile,
    // which costs time, not correctness.
    let g = Arc::new(Glob::new(pattern, wildcards));
    let mut map = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if map.len() >= CACHE_CAPACITY {
        map.clear();
    }
    map.insert(key, Arc::clone(&g));
    g
}

/// Whether `text` matches `pattern` with [`Wildcards::Star`] (`actions/*`,
/// `*/setup-*`, `*.dkr.ecr.*.amazonaws.com`).
#[must_use]
pub fn matches(pattern: &str, text: &str) -> bool {
    glob_matches(pattern, Wildcards::Star, text)
}

/// Whether `text` matches `pattern` with the given wildcards; a pattern without one is
/// compared as text, without compiling.
#[must_use]
pub fn glob_matches(pattern: &str, wildcards: Wildcards, text: &str) -> bool {
    if !pattern.chars().any(|c| wildcards.is_wild(c)) {
        return pattern == text;
    }
    compiled(pattern, wildcards).is_match(text)
}

/// The runs each `*` of `pattern` matched in `text` (see [`Glob::captures`]).
#[must_use]
pub fn captures(pattern: &str, text: &str) -> Option<Vec<String>> {
    compiled(pattern, Wildcards::Star).captures(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star() {
        let cases = [
            ("actions/*", "actions/checkout", true),
            ("*/setup-*", "actions/setup-node", true),
            ("actions/*", "github/codeql-action", false),
            ("octo/repo", "octo/repo", true),
            ("octo/repo", "octo/rep", false),
            ("*", "x/y", true),
            ("*", "", true),
            ("a**b", "ab", true),
            ("a*a", "a", false),
            ("*b*b", "b", false),
            // Everything but `*` is literal.
            ("a?c", "abc", false),
            ("a?c", "a?c", true),
            ("[ab]*", "a1", false),
            ("[ab]*", "[ab]1", true),
            ("{a,b}", "a", false),
            ("a\\*", "a\\x", true),
            ("é*", "éa", true),
        ];
        for (p, t, want) in cases {
            assert_eq!(matches(p, t), want, "{p} {t}");
            assert_eq!(Glob::new(p, Wildcards::Star).is_match(t), want, "{p} {t}");
        }
    }

    /// The run-by-run matcher of `*` patterns agrees with `globset`'s automaton (what
    /// matched them before) on every pattern and text over a small alphabet.
    #[test]
    fn star_runs_agree_with_an_automaton() {
        fn all(alphabet: &[char], max: usize) -> Vec<String> {
            let mut out = vec![String::new()];
            let mut last = vec![String::new()];
            for _ in 0..max {
                last = last
                    .iter()
                    .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                    .collect();
                out.extend(last.iter().cloned());
            }
            out
        }
        let patterns = all(&['a', 'b', '*', '/'], 5);
        let texts = all(&['a', 'b', '/'], 6);
        let mut matched = 0;
        for p in &patterns {
            let mut syntax = String::new();
            for c in p.chars() {
                if c != '*' || !syntax.ends_with('*') {
                    syntax.push(c);
                }
            }
            let automaton = globset::GlobBuilder::new(&syntax)
                .literal_separator(false)
                .backslash_escape(false)
                .build()
                .expect("compiles")
                .compile_matcher();
            let glob = Glob::new(p, Wildcards::Star);
            for t in &texts {
                let want = automaton.is_match(t);
                assert_eq!(glob.is_match(t), want, "{p:?} {t:?}");
                let caps = glob.captures(t);
                assert_eq!(caps.is_some(), want, "{p:?} {t:?}");
                if let Some(caps) = caps {
                    // The runs put back in place of the stars give the text again.
                    let mut parts = p.split('*');
                    let mut rebuilt = parts.next().unwrap_or_default().to_owned();
                    for (run, part) in caps.iter().zip(parts) {
                        rebuilt.push_str(run);
                        rebuilt.push_str(part);
                    }
                    assert_eq!(&rebuilt, t, "{p:?}");
                    matched += 1;
                }
            }
        }
        assert!(matched > 10_000, "{matched}");
    }

    #[test]
    fn star_question() {
        let g = |p: &str, t: &str| glob_matches(p, Wildcards::StarQuestion, t);
        assert!(g("a?c", "abc"));
        assert!(!g("a?c", "ac"));
        assert!(g("*.corp", "git.corp"));
        assert!(!g("[a]", "a"));
    }

    #[test]
    fn captures_are_shortest_first() {
        assert_eq!(
            captures(
                "*.dkr.ecr.*.amazonaws.com",
                "123.dkr.ecr.eu-west-1.amazonaws.com"
            ),
            Some(vec!["123".to_owned(), "eu-west-1".to_owned()])
        );
        assert_eq!(
            captures("*-*", "a-b-c"),
            Some(vec!["a".to_owned(), "b-c".to_owned()])
        );
        assert_eq!(captures("a*", "b"), None);
        assert_eq!(captures("ab", "ab"), Some(Vec::new()));
        assert_eq!(captures("a*a", "a"), None);
        assert_eq!(captures("a*a", "aa"), Some(vec![String::new()]));
    }

    #[test]
    fn backtracking_patterns_match_in_linear_time() {
        // Exponential in the number of stars for a backtracking matcher.
        let pattern = format!("{}b", "*a".repeat(40));
        let text = "a".repeat(100_000);
        let start = std::time::Instant::now();
        assert!(!glob_matches(&pattern, Wildcards::StarQuestion, &text));
        assert!(!matches(&pattern, &text));
        assert_eq!(captures(&pattern, &text), None);
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
    }
}

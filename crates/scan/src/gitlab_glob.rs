//! Wildcard `include: local:` paths (`ci/*.yml`, `configs/**/*.yml`), expanded as GitLab
//! expands them: the pattern is read from the repository's root (a leading `/` or not),
//! `**/` stands for any run of directories or none, `**` for any characters (`/`
//! included), `*` for any characters but `/`; every other character is itself (`?`,
//! `[ab]` and `{a,b}` name files with those characters). The files that match are
//! included in path order, each as if named on its own.

use crate::discover::Root;

/// Most files one wildcard include names (GitLab allows 150 includes per pipeline).
pub const MAX_MATCHES: usize = 150;
/// Most entries looked at when listing a repository for a wildcard.
const MAX_LISTED: usize = 50_000;
/// Deepest directory listed.
const MAX_DEPTH: usize = 24;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Char(u8),
    /// `*`: any characters but `/`.
    Star,
    /// `**/`: any run of directories, or none.
    AnyDirs,
    /// `**`: any characters.
    Any,
}

fn tokens(pattern: &str) -> Vec<Token> {
    let b = pattern.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'*' && b.get(i + 1) == Some(&b'*') {
            if b.get(i + 2) == Some(&b'/') {
                out.push(Token::AnyDirs);
                i += 3;
            } else {
                out.push(Token::Any);
                i += 2;
            }
        } else if b[i] == b'*' {
            out.push(Token::Star);
            i += 1;
        } else {
            out.push(Token::Char(b[i]));
            i += 1;
        }
    }
    out
}

/// Whether `path` (relative to the repository's root) matches the tokens.
fn matches(t: &[Token], path: &[u8], budget: &mut usize) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    match t.first() {
        None => path.is_empty(),
        Some(Token::Char(c)) => path.first() == Some(c) && matches(&t[1..], &path[1..], budget),
        Some(Token::Star) => {
            for i in 0..=path.len() {
                if matches(&t[1..], &path[i..], budget) {
                    return true;
                }
                if path.get(i) == Some(&b'/') {
                    break;
                }
            }
            false
        }
        Some(Token::Any) => (0..=path.len()).any(|i| matches(&t[1..], &path[i..], budget)),
        Some(Token::AnyDirs) => {
            // None, or up to and including any `/`.
            matches(&t[1..], path, budget)
                || path
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c == b'/')
                    .any(|(i, _)| matches(&t[1..], &path[i + 1..], budget))
        }
    }
}

/// Whether an include path is a wildcard pattern.
#[must_use]
pub fn is_wildcard(path: &str) -> bool {
    path.contains('*') && !path.contains('$')
}

/// The paths of `files` (relative to the repository's root) that `pattern` names, in
/// order, at most [`MAX_MATCHES`].
#[must_use]
pub fn expand<'a>(pattern: &str, files: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let t = tokens(pattern.trim().trim_start_matches('/'));
    let mut out: Vec<&str> = files
        .into_iter()
        .filter(|f| {
            let mut budget = 100_000;
            matches(&t, f.as_bytes(), &mut budget)
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out.truncate(MAX_MATCHES);
    out
}

/// Every file under directory `base` (a display directory ending in `/`, or empty) of
/// `root`, relative to `base`: no `.git`, no directory reached through a link, at most
/// [`MAX_LISTED`] entries.
#[must_use]
pub fn list(root: &Root, base: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = 0usize;
    let mut stack: Vec<(std::path::PathBuf, String, usize)> =
        vec![(root.disk_path(base), String::new(), 0)];
    while let Some((dir, rel, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            seen += 1;
            if seen > MAX_LISTED {
                return out;
            }
            let Ok(name) = e.file_name().into_string() else {
                continue;
            };
            let Ok(kind) = e.file_type() else { continue };
            let path = format!("{rel}{name}");
            if kind.is_dir() {
                if name != ".git" && depth < MAX_DEPTH {
                    stack.push((e.path(), format!("{path}/"), depth + 1));
                }
            } else {
                out.push(path);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::expand;

    #[test]
    fn gitlab_wildcards() {
        let files = [
            "ci/a.yml",
            "ci/b.yaml",
            "ci/sub/c.yml",
            "ci/sub/deep/d.yml",
            "e.yml",
            "ci/[ab].yml",
            "other/ci/f.yml",
        ];
        let got = |p: &str| expand(p, files.iter().copied());
        assert_eq!(got("ci/*.yml"), ["ci/[ab].yml", "ci/a.yml"]);
        assert_eq!(got("/ci/*.yml"), ["ci/[ab].yml", "ci/a.yml"]);
        // `**/` is any run of directories or none.
        assert_eq!(
            got("ci/**/*.yml"),
            [
                "ci/[ab].yml",
                "ci/a.yml",
                "ci/sub/c.yml",
                "ci/sub/deep/d.yml"
            ]
        );
        // `**` alone crosses `/` too.
        assert_eq!(got("ci/**.yml"), got("ci/**/*.yml"));
        assert_eq!(got("**/f.yml"), ["other/ci/f.yml"]);
        // `[ab]` is literal.
        assert_eq!(got("ci/[ab].yml"), ["ci/[ab].yml"]);
        assert_eq!(got("*.yml"), ["e.yml"]);
        assert!(got("ci/*.json").is_empty());
    }
}

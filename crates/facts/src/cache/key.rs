//! Whether two cache keys, as written in a workflow (`npm-${{ hashFiles('…') }}`), can
//! name the same entry. The text outside `${{ … }}` is compared as it is; an expression
//! matches the same expression text (`hashFiles` of the same files, which whoever
//! controls the files can keep equal), and anything else only maybe.

/// How sure it is that a written entry can be the restored one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Overlap {
    /// The texts disagree outside every expression: never the same entry.
    Disjoint,
    /// An expression stands where the other key has other text: it depends on values
    /// known only when the runs happen.
    Maybe,
    /// The same text (or the same action-built key): the same entry whenever the
    /// expressions, evaluated in each run, agree.
    Same,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok<'a> {
    Char(char),
    Expr(&'a str),
}

/// The key as characters and expressions (an expression's text, spaces trimmed).
fn tokens(key: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut rest = key.trim();
    while let Some(start) = rest.find("${{") {
        out.extend(rest[..start].chars().map(Tok::Char));
        let after = &rest[start + 3..];
        let Some(end) = after.find("}}") else {
            // An unclosed expression: the rest is unknown.
            out.push(Tok::Expr(after.trim()));
            return out;
        };
        out.push(Tok::Expr(after[..end].trim()));
        rest = &after[end + 2..];
    }
    out.extend(rest.chars().map(Tok::Char));
    out
}

/// Whether the entry written under `written` is found by looking up `wanted`: exactly, or,
/// when `prefix` (a `restore-keys:` line), as a key that starts with it.
#[must_use]
pub fn compare(written: &str, wanted: &str, prefix: bool) -> Overlap {
    let (a, b) = (tokens(written), tokens(wanted));
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match (&a[i], &b[j]) {
            (Tok::Char(x), Tok::Char(y)) if x == y => {}
            (Tok::Char(_), Tok::Char(_)) => return Overlap::Disjoint,
            (Tok::Expr(x), Tok::Expr(y)) if x == y => {}
            _ => return Overlap::Maybe,
        }
        i += 1;
        j += 1;
    }
    let rest = |t: &[Tok<'_>]| {
        if t.is_empty() {
            Overlap::Same
        } else if t.iter().all(|t| matches!(t, Tok::Expr(_))) {
            // What is left is expressions only, which may be empty.
            Overlap::Maybe
        } else {
            Overlap::Disjoint
        }
    };
    if j < b.len() {
        // The written key is shorter than what is looked up.
        return rest(&b[j..]);
    }
    if prefix {
        Overlap::Same
    } else {
        rest(&a[i..])
    }
}

#[cfg(test)]
mod tests {
    use super::{Overlap, compare};

    #[test]
    fn keys_compare_outside_their_expressions() {
        let lock = "${{ runner.os }}-npm-${{ hashFiles('**/package-lock.json') }}";
        let cases: &[(&str, &str, bool, Overlap)] = &[
            (lock, lock, false, Overlap::Same),
            (lock, "${{ runner.os }}-npm-", true, Overlap::Same),
            (lock, "${{ runner.os }}-cargo-", true, Overlap::Disjoint),
            (lock, "${{ runner.os }}-npm-${{ hashFiles('yarn.lock') }}", false, Overlap::Maybe),
            ("cache-v1", "cache-v1", false, Overlap::Same),
            ("cache-v1", "cache-v2", false, Overlap::Disjoint),
            ("cache-v1-linux", "cache-v1", false, Overlap::Disjoint),
            ("cache-v1-linux", "cache-v1", true, Overlap::Same),
            ("cache-v1", "cache-v1-linux", true, Overlap::Disjoint),
            ("${{ steps.k.outputs.key }}", "deps-", true, Overlap::Maybe),
            ("deps-${{ github.sha }}", "deps-", false, Overlap::Maybe),
            ("deps-", "deps-${{ github.sha }}", false, Overlap::Maybe),
            ("deps-${{ github.sha", "deps-x", false, Overlap::Maybe),
        ];
        for (w, r, prefix, want) in cases {
            assert_eq!(compare(w, r, *prefix), *want, "{w} / {r} (prefix: {prefix})");
        }
    }
}

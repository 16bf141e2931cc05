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

/// Values an expression can only take, for the ones that have few: a key that starts
/// with `${{ runner.os }}` never meets one that starts with `cache-`.
fn values(expr: &str) -> Option<&'static [&'static str]> {
    match expr.to_ascii_lowercase().as_str() {
        "runner.os" => Some(&["Linux", "Windows", "macOS"]),
        "runner.arch" => Some(&["X86", "X64", "ARM", "ARM64"]),
        _ => None,
    }
}

/// Whether two uses are in the same workflow and in jobs of the same id: an expression
/// whose value is the workflow's (`github.workflow`, and the run's `github.run_id`) or the
/// job's (`github.job`) is the same value only then.
#[derive(Clone, Copy, Debug, Default)]
pub struct Scope {
    pub same_workflow: bool,
    pub same_job: bool,
}

impl Scope {
    /// Whether the same text of `expr` can be the same value in both uses.
    fn agrees(self, expr: &str) -> bool {
        match expr.to_ascii_lowercase().as_str() {
            "github.workflow" | "github.run_id" | "github.run_number" | "github.run_attempt" => {
                self.same_workflow
            }
            "github.job" => self.same_workflow && self.same_job,
            _ => true,
        }
    }
}

/// Whether the entry written under `written` is found by looking up `wanted`: exactly, or,
/// when `prefix` (a `restore-keys:` line), as a key that starts with it.
#[must_use]
pub fn compare(written: &str, wanted: &str, prefix: bool, scope: Scope) -> Overlap {
    walk(&tokens(written), &tokens(wanted), prefix, scope, 0)
}

/// [`compare`] over tokens; `depth` bounds how many expressions are expanded into their
/// values.
fn walk(a: &[Tok<'_>], b: &[Tok<'_>], prefix: bool, scope: Scope, depth: u8) -> Overlap {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match (&a[i], &b[j]) {
            (Tok::Char(x), Tok::Char(y)) if x == y => {}
            (Tok::Char(_), Tok::Char(_)) => return Overlap::Disjoint,
            (Tok::Expr(x), Tok::Expr(y)) if x == y && scope.agrees(x) => {}
            (Tok::Expr(x), Tok::Expr(y)) if x == y => return Overlap::Disjoint,
            (Tok::Expr(x), Tok::Char(_)) | (Tok::Char(_), Tok::Expr(x)) if depth < 4 => {
                let Some(vals) = values(x) else {
                    return Overlap::Maybe;
                };
                let expr_on_a = matches!(a[i], Tok::Expr(_));
                // Each value in place of the expression; the best outcome stands, but
                // a known value is no more than a maybe.
                return vals
                    .iter()
                    .map(|v| {
                        let chars = v.chars().map(Tok::Char);
                        if expr_on_a {
                            let a2: Vec<Tok<'_>> =
                                chars.chain(a[i + 1..].iter().cloned()).collect();
                            walk(&a2, &b[j..], prefix, scope, depth + 1)
                        } else {
                            let b2: Vec<Tok<'_>> =
                                chars.chain(b[j + 1..].iter().cloned()).collect();
                            walk(&a[i..], &b2, prefix, scope, depth + 1)
                        }
                    })
                    .max()
                    .map_or(Overlap::Maybe, |o| o.min(Overlap::Maybe));
            }
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
    if prefix { Overlap::Same } else { rest(&a[i..]) }
}

#[cfg(test)]
mod tests {
    use super::{Overlap, Scope, compare};

    #[test]
    fn keys_compare_outside_their_expressions() {
        let lock = "${{ runner.os }}-npm-${{ hashFiles('**/package-lock.json') }}";
        let cases: &[(&str, &str, bool, Overlap)] = &[
            (lock, lock, false, Overlap::Same),
            (lock, "${{ runner.os }}-npm-", true, Overlap::Same),
            (lock, "${{ runner.os }}-cargo-", true, Overlap::Disjoint),
            (
                lock,
                "${{ runner.os }}-npm-${{ hashFiles('yarn.lock') }}",
                false,
                Overlap::Maybe,
            ),
            ("cache-v1", "cache-v1", false, Overlap::Same),
            ("cache-v1", "cache-v2", false, Overlap::Disjoint),
            ("cache-v1-linux", "cache-v1", false, Overlap::Disjoint),
            ("cache-v1-linux", "cache-v1", true, Overlap::Same),
            ("cache-v1", "cache-v1-linux", true, Overlap::Disjoint),
            ("${{ steps.k.outputs.key }}", "deps-", true, Overlap::Maybe),
            ("deps-${{ github.sha }}", "deps-", false, Overlap::Maybe),
            ("deps-", "deps-${{ github.sha }}", false, Overlap::Maybe),
            ("deps-${{ github.sha", "deps-x", false, Overlap::Maybe),
            (
                "cache-images-${{ x }}",
                "${{ runner.os }}-bins-",
                true,
                Overlap::Disjoint,
            ),
            (
                "Linux-bins-1",
                "${{ runner.os }}-bins-",
                true,
                Overlap::Maybe,
            ),
            (
                "${{ runner.os }}-bins-1",
                "${{runner.os}}-bins-",
                true,
                Overlap::Same,
            ),
        ];
        let same = Scope {
            same_workflow: true,
            same_job: true,
        };
        for (w, r, prefix, want) in cases {
            assert_eq!(
                compare(w, r, *prefix, same),
                *want,
                "{w} / {r} (prefix: {prefix})"
            );
        }
        // The workflow's name and the run's id are values of each workflow.
        let bins = "${{ runner.os }}-bins-${{ github.workflow }}-${{ github.sha }}";
        assert_eq!(
            compare(bins, bins, false, Scope::default()),
            Overlap::Disjoint
        );
        assert_eq!(compare(bins, bins, false, same), Overlap::Same);
        let run = "x-${{ github.run_id }}";
        assert_eq!(compare(run, "x-", true, Scope::default()), Overlap::Same);
        assert_eq!(
            compare(run, run, false, Scope::default()),
            Overlap::Disjoint
        );
    }
}

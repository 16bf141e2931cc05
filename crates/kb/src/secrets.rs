//! References to the `secrets` context in GitHub expression text: the one reader the
//! workflow graph, the shell analysis and the rules share, so they agree on what a
//! reference is.
//!
//! The syntax is GitHub's expression grammar
//! (<https://docs.github.com/en/actions/reference/workflows-and-actions/expressions>):
//! context names are case-insensitive, a property is `secrets.NAME` or `secrets['NAME']`
//! (string literals are single-quoted, `''` escapes a quote; a double-quoted string is a
//! syntax error), white space may stand between tokens, and a word inside a string literal
//! or after a `.` (`inputs.secrets`) is no context at all.

/// One reference to the `secrets` context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretRef {
    /// The secret's name as written; `None` for the whole context (`toJSON(secrets)`,
    /// `secrets.*`) or a computed index (`secrets[matrix.name]`): any secret at all.
    pub name: Option<String>,
    /// Byte range of the reference (`secrets.NAME`, `secrets['NAME']`, `secrets`) in the
    /// text given.
    pub start: usize,
    pub end: usize,
}

/// Every `secrets` reference in the text of one expression (its inside, or the whole
/// `${{ … }}`: the delimiters are only punctuation here). Never fails: text that is not a
/// valid expression yields what can be read of it.
#[must_use]
pub fn secret_refs(expr: &str) -> Vec<SecretRef> {
    let b = expr.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    // Whether the last token was `.`: the word after it is a property, not a context.
    let mut after_dot = false;
    while i < b.len() {
        match b[i] {
            b'\'' => {
                i = skip_string(b, i);
                after_dot = false;
            }
            c if is_word(c) => {
                let start = i;
                i = skip_word(b, i);
                let context = !after_dot && expr[start..i].eq_ignore_ascii_case("secrets");
                after_dot = false;
                if context {
                    let (name, end) = property(expr, i);
                    out.push(SecretRef { name, start, end });
                    i = i.max(end);
                }
            }
            c if c.is_ascii_whitespace() => i += 1,
            c => {
                after_dot = c == b'.';
                i += 1;
            }
        }
    }
    out
}

/// The property read right after a `secrets` word that ends at `at`: its name (`None`
/// when there is none or it is computed) and where the reference ends.
fn property(expr: &str, at: usize) -> (Option<String>, usize) {
    let b = expr.as_bytes();
    let j = skip_space(b, at);
    match b.get(j) {
        Some(b'.') => {
            let k = skip_space(b, j + 1);
            let end = skip_word(b, k);
            if end > k {
                return (Some(expr[k..end].to_owned()), end);
            }
            // `secrets.*` (every value) or a dangling dot.
            (None, at)
        }
        Some(b'[') => {
            let k = skip_space(b, j + 1);
            if b.get(k) == Some(&b'\'') {
                let close = skip_string(b, k);
                let after = skip_space(b, close);
                // Only a literal that is the whole index names a secret.
                if close > k + 1 && b.get(close - 1) == Some(&b'\'') && b.get(after) == Some(&b']')
                {
                    let name = expr[k + 1..close - 1].replace("''", "'");
                    if !name.is_empty() {
                        return (Some(name), after + 1);
                    }
                }
            }
            (None, at)
        }
        _ => (None, at),
    }
}

/// Identifier characters of the expression grammar (letters, digits, `_`, `-`); numbers
/// are words too, which keeps `1secrets` from reading as a context.
const fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

fn skip_word(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|c| is_word(*c)) {
        i += 1;
    }
    i
}

fn skip_space(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// The index after the single-quoted literal opening at `i` (`''` is an escaped quote);
/// the end of the text when it is not closed.
fn skip_string(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < b.len() {
        if b[j] == b'\'' {
            if b.get(j + 1) == Some(&b'\'') {
                j += 2;
                continue;
            }
            return j + 1;
        }
        j += 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(expr: &str) -> Vec<Option<String>> {
        secret_refs(expr).into_iter().map(|r| r.name).collect()
    }

    #[test]
    fn the_expression_grammar() {
        let n = |s: &str| Some(s.to_owned());
        let cases: &[(&str, Vec<Option<String>>)] = &[
            ("secrets.A_1", vec![n("A_1")]),
            ("Secrets.npm-token", vec![n("npm-token")]),
            ("SECRETS['b']", vec![n("b")]),
            ("secrets[ 'b' ]", vec![n("b")]),
            ("secrets . X", vec![n("X")]),
            ("secrets['it''s']", vec![n("it's")]),
            (
                "${{ secrets.A }} ${{ secrets.GITHUB_TOKEN }}",
                vec![n("A"), n("GITHUB_TOKEN")],
            ),
            ("secrets.A || secrets.B", vec![n("A"), n("B")]),
            ("toJSON(secrets)", vec![None]),
            ("secrets.*", vec![None]),
            ("secrets[matrix.name]", vec![None]),
            ("secrets[format('{0}_KEY', matrix.env)]", vec![None]),
            // Double quotes are no string in GitHub's grammar: not a name.
            ("secrets[\"X\"]", vec![None]),
            ("secrets['']", vec![None]),
            // Properties and words that only contain the name.
            ("inputs.secrets", vec![]),
            ("github.event.secrets.X", vec![]),
            ("inputs . secrets.X", vec![]),
            ("mysecrets.X", vec![]),
            ("my-secrets.X", vec![]),
            ("secrets_x.Y", vec![]),
            ("1secrets.X", vec![]),
            // Inside string literals.
            ("format('secrets.{0}', x)", vec![]),
            ("'it''s secrets.X' == x", vec![]),
            ("contains('a', 'b') && secrets.C", vec![n("C")]),
            ("'unclosed secrets.X", vec![]),
        ];
        for (expr, want) in cases {
            assert_eq!(&names(expr), want, "{expr}");
        }
    }

    #[test]
    fn hostile_texts_stay_linear() {
        // Unclosed literals and brackets after every `secrets` word: each reference may
        // look ahead, but the scan must not restart from every one of them.
        let patterns = [
            "secrets['x ",
            "secrets[ ",
            "secrets.",
            "'secrets ",
            "secrets[''",
        ];
        for p in patterns {
            let text = p.repeat((1 << 20) / p.len());
            let t0 = std::time::Instant::now();
            let n = secret_refs(&text).len();
            let took = t0.elapsed();
            assert!(n <= text.len(), "{p}");
            assert!(took.as_secs() < 20, "{p}: {took:?}");
        }
    }

    #[test]
    fn ranges() {
        let s = "x ${{ secrets.A_1 }} ${{ Secrets['b'] || github.token }} ${{ toJSON(secrets) }}";
        let r = secret_refs(s);
        let texts: Vec<&str> = r.iter().map(|r| &s[r.start..r.end]).collect();
        assert_eq!(texts, ["secrets.A_1", "Secrets['b']", "secrets"]);
    }
}

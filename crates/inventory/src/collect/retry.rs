//! The shell loops of a script that retry what they run, found once per script.

use tollgate_model::Span;

/// The shell loops of a script that retry what they run, indexed once per script: asking
/// [`RetryLoops::around`] for every command costs a few binary searches, where searching
/// the script's text again per command was quadratic in a script of many downloads.
pub(super) struct RetryLoops<'s> {
    script: &'s str,
    /// Where each loop keyword (`for`, `while`, `until`) and each `done` starts, in
    /// order, with whether the word stands alone at its end in the whole script.
    opens: Vec<Word>,
    dones: Vec<Word>,
    /// Where `break` and `sleep` (any case) start, in order.
    retries: Vec<usize>,
}

/// One occurrence of a keyword: its start, its end, and whether it is followed by a
/// word boundary (whitespace, `;` or the end of the script). It is always preceded by
/// one (or the start of the script).
#[derive(Clone, Copy)]
struct Word {
    start: usize,
    end: usize,
    bounded_after: bool,
}

fn is_boundary(c: char) -> bool {
    c.is_whitespace() || c == ';'
}

impl<'s> RetryLoops<'s> {
    pub(super) fn new(script: &'s str) -> Self {
        let words = |ws: &[&str]| {
            let mut found: Vec<Word> = ws
                .iter()
                .flat_map(|w| {
                    script.match_indices(w).filter_map(|(i, w)| {
                        let end = i + w.len();
                        let pre = script[..i].chars().next_back();
                        pre.is_none_or(is_boundary).then(|| Word {
                            start: i,
                            end,
                            bounded_after: script[end..].chars().next().is_none_or(is_boundary),
                        })
                    })
                })
                .collect();
            found.sort_by_key(|w| w.start);
            found
        };
        let lower = script.to_ascii_lowercase();
        let mut retries: Vec<usize> = ["break", "sleep"]
            .iter()
            .flat_map(|w| lower.match_indices(w).map(|(i, _)| i))
            .collect();
        retries.sort_unstable();
        Self {
            script,
            opens: words(&["for", "while", "until"]),
            dones: words(&["done"]),
            retries,
        }
    }

    /// The last word that ends by `at` and stands alone within `script[..at]` (where a
    /// word ending right at `at` needs no boundary after it).
    fn last_before(words: &[Word], at: usize) -> Option<usize> {
        let n = words.partition_point(|w| w.end <= at);
        let bounded = words[..n]
            .iter()
            .rev()
            .find(|w| w.bounded_after || w.end == at);
        bounded.map(|w| w.start)
    }

    /// True when the command at `span` sits in a shell loop that retries it: a `for`,
    /// `while` or `until` loop around it whose body breaks out or sleeps between
    /// attempts.
    pub(super) fn around(&self, span: Span) -> bool {
        if self.script.get(..span.start).is_none() {
            return false;
        }
        let Some(open) = Self::last_before(&self.opens, span.start) else {
            return false;
        };
        // The loop must still be open at the command: no `done` between its start and it.
        if Self::last_before(&self.dones, span.start).is_some_and(|d| d > open) {
            return false;
        }
        let Some(after) = self.script.get(span.end..) else {
            return false;
        };
        // The first `done` after the command. One right at its end needs no boundary
        // before it.
        let close = if after
            .strip_prefix("done")
            .is_some_and(|rest| rest.chars().next().is_none_or(is_boundary))
        {
            Some(span.end)
        } else {
            let from = self.dones.partition_point(|w| w.start < span.end);
            self.dones[from..]
                .iter()
                .find(|w| w.bounded_after)
                .map(|w| w.start)
        };
        let Some(close) = close else {
            return false;
        };
        // The loop's body up to the command and from it to `done`.
        self.retry_in(open, span.start) || self.retry_in(span.end, close)
    }

    /// Whether `break` or `sleep` lies wholly within `from..to`.
    fn retry_in(&self, from: usize, to: usize) -> bool {
        let i = self.retries.partition_point(|&p| p < from);
        self.retries.get(i).is_some_and(|&p| p + 5 <= to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The per-command scan [`RetryLoops`] replaced, kept as the oracle it must agree
    /// with.
    fn in_retry_loop(script: &str, span: Span) -> bool {
        let before = script.get(..span.start).unwrap_or("");
        let after = script.get(span.end..).unwrap_or("");
        let words = |t: &str, w: &str| {
            t.match_indices(w)
                .map(|(i, _)| i)
                .filter(|&i| {
                    let pre = t[..i].chars().next_back();
                    let post = t[i + w.len()..].chars().next();
                    pre.is_none_or(|c| c.is_whitespace() || c == ';')
                        && post.is_none_or(|c| c.is_whitespace() || c == ';')
                })
                .collect::<Vec<_>>()
        };
        let open = ["for", "while", "until"]
            .iter()
            .filter_map(|w| words(before, w).into_iter().max())
            .max();
        let Some(open) = open else { return false };
        if !words(&before[open..], "done").is_empty() {
            return false;
        }
        let Some(close) = words(after, "done").into_iter().min() else {
            return false;
        };
        let body = format!("{} {}", &before[open..], &after[..close]);
        let lower = body.to_ascii_lowercase();
        lower.contains("break") || lower.contains("sleep")
    }

    #[test]
    fn retry_loops_agree_with_the_per_command_scan() {
        const TOKENS: &[&str] = &[
            "for", "while", "until", "done", "break", "SLEEP", "x", ";", " ", "\n", "curl", "é",
            "do", "fordone", "donex",
        ];
        // A fixed linear congruential sequence: the same scripts on every run.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            usize::try_from(seed >> 33).unwrap_or(0) % n
        };
        for _ in 0..400 {
            let script: String = (0..next(14) + 1)
                .map(|_| TOKENS[next(TOKENS.len())])
                .collect();
            let cuts: Vec<usize> = (0..=script.len())
                .filter(|&i| script.is_char_boundary(i))
                .collect();
            let loops = RetryLoops::new(&script);
            for &a in &cuts {
                for &b in cuts.iter().filter(|&&b| b >= a) {
                    let span = Span::new(a, b);
                    assert_eq!(
                        loops.around(span),
                        in_retry_loop(&script, span),
                        "{script:?} {a}..{b}"
                    );
                }
            }
        }
    }

    #[test]
    fn retry_loops_around_commands() {
        let script = "for i in 1 2 3; do\n  dnf install x && break || sleep 10\ndone";
        assert!(RetryLoops::new(script).around(Span::new(20, 33)));
        let script = "for f in *.txt; do echo $f; done\napt-get install x";
        assert!(!RetryLoops::new(script).around(Span::new(33, 50)));
    }
}

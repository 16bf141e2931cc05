//! Fixes: the edits that resolve a finding, as byte-range replacements in the finding's
//! file. A fix never re-serialises a document: everything outside its edits stays
//! byte-identical (comments, key order, quoting, indentation, anchors, line endings).

use serde::Serialize;

use crate::Span;

/// Whether applying a fix can change what the pipeline does beyond removing the hazard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Same behaviour for every input an honest run sees (`tollgate fix` applies it).
    Safe,
    /// May change behaviour (word splitting of a value, a scope a step turns out to need):
    /// applied only with `--unsafe`.
    Unsafe,
}

impl Applicability {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Safe => "safe",
            Self::Unsafe => "unsafe",
        }
    }
}

/// Replace the bytes of `span` with `text` (an insertion when the span is empty).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

/// The edits that resolve one finding, all in the finding's primary file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Fix {
    /// What the fix does, in a lowercase fragment (`pin to the commit … records`).
    pub title: String,
    pub applicability: Applicability,
    /// Sorted by position, non-overlapping.
    pub edits: Vec<Edit>,
}

impl Fix {
    /// A fix of `edits`, sorted; `None` when two of them overlap (a defect of the rule that
    /// built it, never applied half).
    #[must_use]
    pub fn new(
        title: impl Into<String>,
        applicability: Applicability,
        mut edits: Vec<Edit>,
    ) -> Option<Self> {
        edits.sort();
        edits.dedup();
        if edits.is_empty() || edits.windows(2).any(|w| conflict(&w[0], &w[1])) {
            return None;
        }
        Some(Self {
            title: title.into(),
            applicability,
            edits,
        })
    }
}

/// Whether two edits (`a` first in order) cannot both be applied: they overlap, or both
/// insert at one position (their order would be a guess).
fn conflict(a: &Edit, b: &Edit) -> bool {
    b.span.start() < a.span.end()
        || (a.span.start() == b.span.start() && (a.span.is_empty() || b.span.is_empty()))
}

/// What [`apply`] did with a file's fixes.
#[derive(Debug, Default)]
pub struct Applied {
    /// The new text.
    pub text: String,
    /// The indices (into the given fixes) applied.
    pub applied: Vec<usize>,
    /// The indices left for another round because they touch what an applied fix touched.
    pub deferred: Vec<usize>,
}

/// Apply `fixes` to `text`: whole fixes only, in order, each skipped (deferred) if any of
/// its edits conflicts with an edit already taken or falls outside the text or inside a
/// character. Identical edits of two fixes (two findings of one job asking for the same
/// block) are applied once.
#[must_use]
pub fn apply(text: &str, fixes: &[&Fix]) -> Applied {
    let mut taken: Vec<&Edit> = Vec::new();
    let mut out = Applied::default();
    for (i, fix) in fixes.iter().enumerate() {
        let valid = fix.edits.iter().all(|e| {
            e.span.start() <= e.span.end()
                && text.is_char_boundary(e.span.start())
                && text.is_char_boundary(e.span.end())
                && e.span.end() <= text.len()
        });
        let fresh: Vec<&Edit> = fix.edits.iter().filter(|e| !taken.contains(e)).collect();
        let clash = fresh.iter().any(|e| {
            taken.iter().any(|t| {
                let (a, b) = if (t.span, &t.text) <= (e.span, &e.text) {
                    (*t, *e)
                } else {
                    (*e, *t)
                };
                conflict(a, b)
            })
        });
        if !valid || clash {
            out.deferred.push(i);
            continue;
        }
        taken.extend(fresh);
        out.applied.push(i);
    }
    taken.sort();
    let mut s =
        String::with_capacity(text.len() + taken.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for e in taken {
        s.push_str(&text[at..e.span.start()]);
        s.push_str(&e.text);
        at = e.span.end();
    }
    s.push_str(&text[at..]);
    out.text = s;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: usize, end: usize, text: &str) -> Edit {
        Edit {
            span: Span::new(start, end),
            text: text.to_owned(),
        }
    }

    #[test]
    fn applies_whole_fixes_and_defers_conflicting_ones() {
        let text = "a: 1\nb: 2\n";
        let one = Fix::new("one", Applicability::Safe, vec![edit(3, 4, "10")]).expect("fix");
        let same = Fix::new("same", Applicability::Safe, vec![edit(3, 4, "10")]).expect("fix");
        let clash = Fix::new(
            "clash",
            Applicability::Safe,
            vec![edit(3, 4, "20"), edit(8, 9, "3")],
        )
        .expect("fix");
        let insert =
            Fix::new("insert", Applicability::Safe, vec![edit(10, 10, "c: 4\n")]).expect("fix");
        let r = apply(text, &[&one, &same, &clash, &insert]);
        assert_eq!(r.text, "a: 10\nb: 2\nc: 4\n");
        assert_eq!(r.applied, [0, 1, 3]);
        // The clashing fix is left whole: its second edit is not applied alone.
        assert_eq!(r.deferred, [2]);
    }

    #[test]
    fn two_insertions_at_one_place_conflict_and_overlaps_are_refused() {
        assert!(
            Fix::new(
                "x",
                Applicability::Safe,
                vec![edit(1, 3, "a"), edit(2, 4, "b")]
            )
            .is_none()
        );
        let a = Fix::new("a", Applicability::Safe, vec![edit(2, 2, "a")]).expect("fix");
        let b = Fix::new("b", Applicability::Safe, vec![edit(2, 2, "b")]).expect("fix");
        let r = apply("xyz", &[&a, &b]);
        assert_eq!(r.text, "xyaz");
        assert_eq!(r.deferred, [1]);
    }

    #[test]
    fn an_edit_outside_the_text_or_inside_a_character_is_not_applied() {
        let a = Fix::new("a", Applicability::Safe, vec![edit(1, 1, "x")]).expect("fix");
        let b = Fix::new("b", Applicability::Safe, vec![edit(9, 9, "x")]).expect("fix");
        let r = apply("é", &[&a, &b]);
        assert_eq!(r.text, "é");
        assert_eq!(r.deferred, [0, 1]);
    }
}

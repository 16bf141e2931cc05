//! Inside remote actions: a composite action of the action snapshot
//! (`rules/data/action-snapshot.toml`) runs other actions in its steps, and those may
//! be composite actions of the snapshot in turn. [`walk`] follows them (through commits
//! the snapshot recorded, a few levels deep); `unpinned-action` reports an inner `uses:`
//! by a tag or branch (pinning the outer action by commit does not pin those: GitHub
//! resolves them when the step runs) and `known-vulnerable-action` an inner version an
//! advisory lists. Findings are at the outer `uses:`, with the chain continuing into the
//! remote actions; when the snapshot was read at another version than the one used, they
//! say so and are less confident.

use tollgate_engine::Context;
use tollgate_engine::Sink;
use tollgate_engine::config::PinPolicy;
use tollgate_gha::{RefKind, Spanned, Uses, UsesRef};
use tollgate_kb::snapshot::ActionSnapshot;
use tollgate_model::{Confidence, Impact};

use super::ref_version_mismatch::version_in;
use super::unpinned_action::{Site, policy};

/// How deep [`walk`] follows composite actions inside composite actions.
const MAX_DEPTH: usize = 4;

/// One `uses:` inside a remote action, found through the snapshot.
#[derive(Clone)]
pub(super) struct Inner<'s> {
    /// The inner `uses:` as the snapshot's action.yml writes it.
    pub(super) written: &'s str,
    pub(super) r: UsesRef,
    /// The version comment beside it there (`# v4.1.0`).
    pub(super) comment: Option<&'s str>,
    /// The actions it is inside, outermost first, with what the snapshot read of each.
    pub(super) through: Vec<(&'s ActionSnapshot, String)>,
    /// Every action on the way was read at the version used.
    pub(super) exact: bool,
}

impl Inner<'_> {
    /// `chain` (to the outer `uses:`) continued into it: one hop per action it is inside.
    pub(super) fn hops(&self, mut chain: crate::chain::Chain) -> crate::chain::Chain {
        for (i, (snap, read_at)) in self.through.iter().enumerate() {
            let next = self
                .through
                .get(i + 1)
                .map_or(self.written, |(s, _)| s.uses.as_str());
            chain = chain.hop(
                format!(
                    "`{}` ({read_at}) uses `{next}` in a composite step",
                    snap.uses
                ),
                None,
            );
        }
        chain
    }

    /// `(approximate: …)` when a snapshot on the way read another version.
    pub(super) fn approximate(&self, date: &str) -> Option<String> {
        if self.exact {
            return None;
        }
        let (snap, read_at) = self.through.first()?;
        Some(format!(
            " (approximate: read from `{}` at {read_at}, snapshot of {date}, not the version used)",
            snap.uses
        ))
    }
}

/// What the snapshot read of `snap`: the newest release when it read that release's
/// commit, else the commit itself.
fn read_at(snap: &ActionSnapshot) -> String {
    match (&snap.latest_version, &snap.latest_commit) {
        (Some(v), Some(c)) if *c == snap.commit => v.clone(),
        _ => format!("commit {}", &snap.commit[..12.min(snap.commit.len())]),
    }
}

/// Every `uses:` inside remote action `r` (with its `comment`), as far as the snapshot
/// knows: each composite action's steps, and the steps of the composite actions those
/// pin by commit, up to [`MAX_DEPTH`] levels; each inner action once.
pub(super) fn walk(r: &UsesRef, comment: Option<&str>) -> Vec<Inner<'static>> {
    walk_in(tollgate_kb::action_snapshot(), r, comment)
}

/// [`walk`] in the snapshot `base`.
pub(super) fn walk_in<'s>(
    base: &'s tollgate_kb::snapshot::Snapshot,
    r: &UsesRef,
    comment: Option<&str>,
) -> Vec<Inner<'s>> {
    let mut out = Vec::new();
    let Some(snap) = base.of(&r.action()) else {
        return out;
    };
    let exact = snap.is_version(&r.git_ref)
        || comment
            .and_then(version_in)
            .is_some_and(|v| snap.is_version(v));
    let mut seen: Vec<String> = vec![snap.uses.to_ascii_lowercase()];
    let mut stack = vec![(snap, vec![(snap, read_at(snap))], exact)];
    while let Some((snap, through, exact)) = stack.pop() {
        let mut written: Vec<&str> = Vec::new();
        for inner in &snap.steps_uses {
            if written.contains(&inner.as_str()) {
                continue;
            }
            written.push(inner);
            let Uses::Remote(i) = Uses::parse(inner) else {
                continue;
            };
            let deeper = base.of(&i.action()).filter(|s| {
                i.ref_kind == RefKind::Sha
                    && !s.steps_uses.is_empty()
                    && through.len() < MAX_DEPTH
                    && !seen.contains(&s.uses.to_ascii_lowercase())
            });
            if let Some(s) = deeper {
                seen.push(s.uses.to_ascii_lowercase());
                let mut next = through.clone();
                next.push((s, read_at(s)));
                stack.push((s, next, exact && s.is_version(&i.git_ref)));
            }
            out.push(Inner {
                written: inner,
                comment: snap.steps_versions.get(inner.as_str()).map(String::as_str),
                r: i,
                through: through.clone(),
                exact,
            });
        }
    }
    out
}

/// Report each unpinned `uses:` inside the remote action `r` (written at `uses`), when
/// the snapshot knows it.
pub(super) fn check(
    cx: &Context<'_>,
    at: &Site<'_>,
    uses: &Spanned<Uses>,
    r: &UsesRef,
    out: &mut Sink<'_>,
) {
    let date = &tollgate_kb::action_snapshot().snapshot_date;
    for inner in walk(r, at.comment) {
        let i = &inner.r;
        let pinned = match policy(cx, i) {
            PinPolicy::Any => true,
            PinPolicy::RefPin => i.ref_kind == RefKind::Tag,
            PinPolicy::HashPin => i.ref_kind == RefKind::Sha,
        };
        if pinned {
            continue;
        }
        let what = match i.ref_kind {
            RefKind::Branch => "a branch",
            RefKind::ShortSha => "an abbreviated SHA",
            RefKind::Expression => "an expression",
            _ => "a tag",
        };
        let via = match inner.through.len() {
            1 => String::new(),
            _ => format!(
                " (through {})",
                inner.through[1..]
                    .iter()
                    .map(|(s, _)| format!("`{}`", s.uses))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let mut message = format!(
            "action `{}@{}` runs `{}` inside{via}, pinned to {what}: pinning the outer action does not pin what its steps use",
            r.action(),
            r.git_ref,
            inner.written
        );
        if let Some(a) = inner.approximate(date) {
            message.push_str(&a);
        }
        let holder = inner
            .through
            .last()
            .map_or(r.action(), |(s, _)| s.uses.clone());
        let source = inner.through.last().map_or("", |(s, _)| s.source.as_str());
        out.at(at.file, uses.span)
            .message(message)
            .severity(Impact::Medium)
            .confidence(if inner.exact {
                Confidence::High
            } else {
                Confidence::Medium
            })
            .help(if inner.through.len() == 1 {
                format!(
                    "use a release of `{}` that pins `{}` by commit SHA, or ask its maintainers to; the action's `action.yml`: {source}",
                    r.action(),
                    i.action(),
                )
            } else {
                format!(
                    "use a release of `{}` whose actions pin `{}` by commit SHA, or ask the maintainers of `{holder}` to; its `action.yml`: {source}",
                    r.action(),
                    i.action(),
                )
            })
            .path(inner.hops((at.chain)()).into_hops())
            .emit();
    }
}

#[cfg(test)]
pub(super) mod tests {
    use tollgate_gha::Uses;
    use tollgate_kb::snapshot::Snapshot;

    /// A snapshot of three composite actions written for the test: `o/outer` pins
    /// `o/middle` by commit, which pins `o/inner`, which uses `o/leaf` by a tag; `o/loop`
    /// runs itself.
    pub(crate) fn nested() -> Snapshot {
        let sha = |c: char| c.to_string().repeat(40);
        toml::from_str(&format!(
            r#"
snapshot-date = "2026-08-20"
snapshot-note = "test"
[[action]]
uses = "o/outer"
runs = "composite"
commit = "{a}"
commit-date = "2026-01-01"
latest-version = "v1.0.0"
latest-commit = "{a}"
steps-uses = ["o/middle@{b}", "actions/checkout@v4"]
source = "https://example.org/outer"
[[action]]
uses = "o/middle"
runs = "composite"
commit = "{b}"
commit-date = "2026-01-01"
steps-uses = ["o/inner@{c}"]
steps-versions = {{ "o/inner@{c}" = "v2.0.0" }}
source = "https://example.org/middle"
[[action]]
uses = "o/inner"
runs = "composite"
commit = "{d}"
commit-date = "2026-01-01"
steps-uses = ["o/leaf@v3", "tj-actions/changed-files@{e}"]
steps-versions = {{ "tj-actions/changed-files@{e}" = "v35.1.0" }}
source = "https://example.org/inner"
[[action]]
uses = "o/loop"
runs = "composite"
commit = "{a}"
commit-date = "2026-01-01"
steps-uses = ["o/loop@{a}"]
source = "https://example.org/loop"
"#,
            a = sha('a'),
            b = sha('b'),
            c = sha('c'),
            d = sha('d'),
            e = sha('e'),
        ))
        .expect("a snapshot")
    }

    fn remote(text: &str) -> tollgate_gha::UsesRef {
        match Uses::parse(text) {
            Uses::Remote(r) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn walks_through_pinned_composite_actions() {
        let base = nested();
        let outer = remote("o/outer@v1");
        let found = super::walk_in(&base, &outer, None);
        let seen: Vec<(&str, usize, bool)> = found
            .iter()
            .map(|i| (i.written, i.through.len(), i.exact))
            .collect();
        let b = "b".repeat(40);
        let c = "c".repeat(40);
        let e = "e".repeat(40);
        let (middle, inner, changed) = (
            format!("o/middle@{b}"),
            format!("o/inner@{c}"),
            format!("tj-actions/changed-files@{e}"),
        );
        // o/outer@v1 is the version read; o/middle's pinned commit is the one read; but
        // o/inner is pinned at c… while the snapshot read d…: approximate from there.
        assert_eq!(
            seen,
            [
                (middle.as_str(), 1, true),
                ("actions/checkout@v4", 1, true),
                (inner.as_str(), 2, true),
                ("o/leaf@v3", 3, false),
                (changed.as_str(), 3, false),
            ]
        );
        let leaf = &found[3];
        let chain = leaf.hops(crate::chain::Chain::default());
        let labels: Vec<String> = chain.into_hops().into_iter().map(|h| h.label).collect();
        assert_eq!(
            labels,
            [
                "`o/outer` (v1.0.0) uses `o/middle` in a composite step".to_owned(),
                "`o/middle` (commit bbbbbbbbbbbb) uses `o/inner` in a composite step".to_owned(),
                "`o/inner` (commit dddddddddddd) uses `o/leaf@v3` in a composite step".to_owned(),
            ]
        );
        assert_eq!(found[4].comment, Some("v35.1.0"));
        // Another version of the outer action: everything is approximate.
        assert!(
            super::walk_in(&base, &remote("o/outer@v0.9.0"), None)
                .iter()
                .all(|i| !i.exact)
        );
        // An action that runs itself is walked once.
        assert_eq!(super::walk_in(&base, &remote("o/loop@v1"), None).len(), 1);
    }
}

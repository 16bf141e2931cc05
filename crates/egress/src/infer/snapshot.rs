//! Remote actions the egress knowledge base does not list but the action snapshot
//! (`rules/data/action-snapshot.toml`) knows: a composite action's steps were analysed
//! when the snapshot was generated (tollgate's own egress analysis of its `action.yml`,
//! default inputs), and a docker action pulls its `docker://` image. What this gives is
//! true of the version the snapshot read; for another version each reason says it is
//! approximate.

use std::sync::Arc;

use tollgate_gha::UsesRef;
use tollgate_kb::snapshot::ActionSnapshot;
use tollgate_model::Location;

use super::Acc;
use crate::hosts::DEFAULT_PORT;
use crate::{Provenance, ProvenanceKind, UnknownAction};

/// Add what the snapshot says `r` (written as `reference` at `at`) reaches; `false` when
/// the snapshot does not know it (the action's network use stays unknown).
pub(super) fn action(acc: &mut Acc, r: &UsesRef, reference: &str, at: &Location) -> bool {
    let base = tollgate_kb::action_snapshot();
    let Some(snap) = base.of(&r.action()) else {
        return false;
    };
    if let (Some(image), "docker") = (snap.image.as_deref(), snap.runs.as_str()) {
        // A `Dockerfile` is built on the runner from base images the snapshot lacks.
        let Some(image) = image.strip_prefix("docker://") else {
            return false;
        };
        acc.image(image, at, at);
        return true;
    }
    let Some(hosts) = &snap.egress else {
        return false;
    };
    let label: Arc<str> = label(snap, &base.snapshot_date, r, reference).into();
    let prov = |platform: bool, optional: bool| Provenance {
        platform,
        optional,
        ..Provenance::at(ProvenanceKind::Action, label.clone(), at)
    };
    for (list, platform, optional) in [
        (hosts, false, false),
        (&snap.egress_platform, true, false),
        (&snap.egress_optional, false, true),
    ] {
        for h in list {
            let (host, port) = split_port(h);
            acc.add(host, port, prov(platform, optional));
        }
    }
    for u in &snap.egress_unresolved {
        acc.unresolved(u, ProvenanceKind::Action, &label, at);
    }
    for inner in &snap.egress_unknown {
        acc.unknown.insert(UnknownAction {
            reference: format!("{inner} (inside {reference})"),
            location: Some(at.clone()),
        });
    }
    true
}

/// `reference: its composite steps (action snapshot of DATE)`, saying when the snapshot
/// read another version than the one used.
fn label(snap: &ActionSnapshot, date: &str, r: &UsesRef, reference: &str) -> String {
    if snap.is_version(&r.git_ref) {
        return format!("{reference}: its composite steps (action snapshot of {date})");
    }
    let read_at = match (&snap.latest_version, &snap.latest_commit) {
        (Some(v), Some(c)) if *c == snap.commit => v.clone(),
        _ => format!("commit {}", &snap.commit[..12.min(snap.commit.len())]),
    };
    format!(
        "{reference}: its composite steps (approximate: action snapshot of {date}, read at {read_at})"
    )
}

fn split_port(entry: &str) -> (&str, u16) {
    match entry.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, p.parse().unwrap_or(DEFAULT_PORT)),
        _ => (entry, DEFAULT_PORT),
    }
}

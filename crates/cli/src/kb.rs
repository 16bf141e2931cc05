//! `tollgate kb`: the dated knowledge snapshots compiled into this binary, so a user can
//! tell how old what tollgate knows about remote actions is.

use std::fmt::Write;

use crate::CliError;
use crate::args::{KbArgs, ListFormat};

/// One snapshot: its data file, date, and counts in words.
struct Snapshot {
    name: &'static str,
    file: &'static str,
    date: String,
    entries: usize,
    detail: String,
}

fn snapshots() -> Vec<Snapshot> {
    let adv = tollgate_kb::action_advisories();
    let affected: usize = adv.advisory.iter().map(|a| a.affected.len()).sum();
    let snap = tollgate_kb::action_snapshot();
    let composite = snap.action.iter().filter(|a| a.runs == "composite").count();
    let token = snap
        .action
        .iter()
        .filter(|a| !a.token_inputs.is_empty())
        .count();
    vec![
        Snapshot {
            name: "action advisories",
            file: tollgate_kb::advisories::FILE.name,
            date: adv.snapshot_date.clone(),
            entries: adv.advisory.len(),
            detail: format!(
                "{} advisories, {affected} affected entries",
                adv.advisory.len()
            ),
        },
        Snapshot {
            name: "action metadata",
            file: tollgate_kb::snapshot::FILE.name,
            date: snap.snapshot_date.clone(),
            entries: snap.action.len(),
            detail: format!(
                "{} actions ({composite} composite, {token} with a token-default input)",
                snap.action.len()
            ),
        },
    ]
}

pub fn list(args: &KbArgs) -> Result<String, CliError> {
    let all = snapshots();
    match args.format {
        ListFormat::Json => {
            let items: Vec<serde_json::Value> = all
                .iter()
                .map(|s| {
                    serde_json::json!({
                        "name": s.name,
                        "file": format!("rules/data/{}", s.file),
                        "snapshot_date": s.date,
                        "entries": s.entries,
                    })
                })
                .collect();
            let doc = serde_json::json!({ "version": 1, "snapshots": items });
            serde_json::to_string_pretty(&doc)
                .map(|s| s + "\n")
                .map_err(|e| CliError::Usage(e.to_string()))
        }
        ListFormat::Table => {
            let mut s = format!(
                "{:18}  {:10}  {:34}  ENTRIES\n",
                "KNOWLEDGE", "SNAPSHOT", "FILE"
            );
            for k in &all {
                let _ = writeln!(
                    s,
                    "{:18}  {:10}  {:34}  {}",
                    k.name,
                    k.date,
                    format!("rules/data/{}", k.file),
                    k.detail
                );
            }
            Ok(s)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_snapshot_has_a_date_and_entries() {
        let table = list(&KbArgs {
            format: ListFormat::Table,
        })
        .expect("table");
        let date = &tollgate_kb::action_advisories().snapshot_date;
        assert!(
            table.contains(&format!("action advisories   {date}")),
            "{table}"
        );
        assert!(table.contains("rules/data/action-snapshot.toml"), "{table}");
        let json = list(&KbArgs {
            format: ListFormat::Json,
        })
        .expect("json");
        let doc: serde_json::Value = serde_json::from_str(&json).expect("valid json");
        let snaps = doc["snapshots"].as_array().expect("snapshots");
        assert_eq!(snaps.len(), 2);
        assert!(snaps.iter().all(|s| s["entries"].as_u64() > Some(0)));
    }
}

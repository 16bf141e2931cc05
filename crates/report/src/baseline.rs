//! Baselines: today's findings recorded by stable identity, so a later run reports only
//! what is new, counts what was fixed, and never hides a finding whose level rose.
//!
//! Each entry carries two keys. The fingerprint is SARIF's ([`crate::fingerprint::of`]:
//! rule, path, trimmed line text, occurrence), which survives lines moving. Renaming a job
//! changes the line text of findings whose primary location is the job's key (`build:`),
//! so entries also carry a second key that does not read the line: the hash of rule, path
//! and message with the job's id masked. A finding matches an entry by fingerprint first,
//! then by the second key.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use tollgate_model::{Finding, Level, SourceFile};

use crate::fingerprint::fnv1a;

/// The version of the baseline file format.
pub const VERSION: u32 = 1;

/// A baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<Entry>,
}

/// One recorded finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub path: String,
    pub rule: String,
    /// [`crate::fingerprint::of`] of the finding.
    pub fingerprint: String,
    /// Rule, path and message with the job id masked, hashed (16 hex digits).
    pub message_hash: String,
    /// The level it had when recorded: a finding whose level rose above it is reported.
    pub level: String,
    /// For people reading the file and its diffs; not matched on.
    pub message: String,
}

/// A finding's message with its job's id (as rules quote it, in backticks) masked: what
/// stays the same when the job is renamed, and what findings of many jobs share.
#[must_use]
pub fn job_masked(f: &Finding) -> std::borrow::Cow<'_, str> {
    match &f.job {
        Some(job) if !job.is_empty() => {
            let quoted = format!("`{job}`");
            if f.message.contains(&quoted) {
                std::borrow::Cow::Owned(f.message.replace(&quoted, "`<job>`"))
            } else {
                std::borrow::Cow::Borrowed(&f.message)
            }
        }
        _ => std::borrow::Cow::Borrowed(&f.message),
    }
}

/// The second key of a finding: its message with the job id masked ([`job_masked`]),
/// hashed with the rule and the path.
#[must_use]
pub fn message_hash(f: &Finding) -> String {
    let message = job_masked(f);
    let key = format!("{}\0{}\0{}", f.rule, f.primary.path, message);
    format!("{:016x}", fnv1a(key.as_bytes()))
}

/// The baseline of `findings` (in their deterministic order, [`Finding::sort_key`]):
/// entries sorted by path, rule and fingerprint, so the file diffs line by line.
pub fn record<'a>(
    findings: &[Finding],
    source: impl Fn(&str) -> Option<&'a SourceFile> + Sync,
) -> Baseline {
    let prints = crate::fingerprint::of(findings, source);
    let mut entries: Vec<Entry> = findings
        .iter()
        .zip(prints)
        .map(|(f, fingerprint)| Entry {
            path: f.primary.path.to_string(),
            rule: f.rule.to_owned(),
            fingerprint,
            message_hash: message_hash(f),
            level: f.level.as_str().to_owned(),
            message: f.message.clone(),
        })
        .collect();
    entries.sort();
    Baseline {
        version: VERSION,
        entries,
    }
}

/// Why a baseline file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("not a baseline file: {0}")]
    Json(#[from] serde_json::Error),
    #[error("baseline version {0} is not supported (this tollgate reads version {VERSION})")]
    Version(u32),
    #[error("entry {index} has an unknown level `{level}`")]
    Level { index: usize, level: String },
}

/// Read a baseline file's text.
///
/// # Errors
/// Invalid JSON, fields missing or unknown, another version, an unknown level.
pub fn parse(text: &str) -> Result<Baseline, ParseError> {
    // The version first, so a future file says so instead of failing on a new field.
    #[derive(Deserialize)]
    struct Versioned {
        version: u32,
    }
    let v: Versioned = serde_json::from_str(text)?;
    if v.version != VERSION {
        return Err(ParseError::Version(v.version));
    }
    let b: Baseline = serde_json::from_str(text)?;
    for (index, e) in b.entries.iter().enumerate() {
        if Level::parse(&e.level).is_none() {
            return Err(ParseError::Level {
                index,
                level: e.level.clone(),
            });
        }
    }
    Ok(b)
}

/// What a run's findings are against a baseline.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    /// For each finding (in the order given): whether the baseline holds it at its level
    /// or above, so it is not reported.
    pub baselined: Vec<bool>,
    /// Findings the baseline holds at a lower level (reported again): their indices.
    pub risen: Vec<usize>,
    /// Entries that matched no finding: debt paid off.
    pub fixed: usize,
}

/// Match `findings` (in their deterministic order) against `baseline`: by fingerprint,
/// then what is left by the second key. Each entry matches at most one finding.
pub fn compare<'a>(
    baseline: &Baseline,
    findings: &[Finding],
    source: impl Fn(&str) -> Option<&'a SourceFile> + Sync,
) -> Comparison {
    let prints = crate::fingerprint::of(findings, source);
    let hashes: Vec<String> = findings.iter().map(message_hash).collect();
    let mut by_print: HashMap<(&str, &str, &str), Vec<usize>> = HashMap::new();
    let mut by_message: BTreeMap<(&str, &str, &str), Vec<usize>> = BTreeMap::new();
    for (i, e) in baseline.entries.iter().enumerate().rev() {
        by_print
            .entry((&e.rule, &e.path, &e.fingerprint))
            .or_default()
            .push(i);
    }
    let mut used = vec![false; baseline.entries.len()];
    let mut matched: Vec<Option<usize>> = vec![None; findings.len()];
    for (n, (f, print)) in findings.iter().zip(&prints).enumerate() {
        if let Some(i) = by_print
            .get_mut(&(f.rule, &*f.primary.path, print.as_str()))
            .and_then(Vec::pop)
        {
            used[i] = true;
            matched[n] = Some(i);
        }
    }
    for (i, e) in baseline.entries.iter().enumerate().rev() {
        if !used[i] {
            by_message
                .entry((&e.rule, &e.path, &e.message_hash))
                .or_default()
                .push(i);
        }
    }
    for (n, f) in findings.iter().enumerate() {
        if matched[n].is_some() {
            continue;
        }
        if let Some(i) = by_message
            .get_mut(&(f.rule, &*f.primary.path, hashes[n].as_str()))
            .and_then(Vec::pop)
        {
            used[i] = true;
            matched[n] = Some(i);
        }
    }
    let mut out = Comparison {
        fixed: used.iter().filter(|u| !**u).count(),
        ..Comparison::default()
    };
    for (n, (f, m)) in findings.iter().zip(matched).enumerate() {
        let recorded = m.and_then(|i| Level::parse(&baseline.entries[i].level));
        match recorded {
            Some(level) if f.level <= level => out.baselined.push(true),
            Some(_) => {
                out.risen.push(n);
                out.baselined.push(false);
            }
            None => out.baselined.push(false),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tollgate_model::{Confidence, Impact, Span};

    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("w.yml", "w.yml", text.to_owned())
    }

    fn finding(src: &SourceFile, rule: &'static str, line: usize, msg: &str, job: &str) -> Finding {
        let at = src.line_start(line);
        Finding {
            rule,
            level: Level::Warning,
            severity: Impact::Medium,
            confidence: Confidence::High,
            message: msg.to_owned(),
            primary: src.location(Span::new(at, at + 1)),
            related: Vec::new(),
            path: Vec::new(),
            help: None,
            job: Some(Arc::from(job)),
            fix: None,
        }
    }

    #[test]
    fn moved_lines_and_renamed_jobs_still_match() {
        let old = file("jobs:\n  build:\n    x\n");
        let before = [finding(&old, "r", 2, "job `build` has no timeout", "build")];
        let baseline = record(&before, |_| Some(&old));
        // Two lines inserted above, and the job renamed: the line text changed, so only
        // the second key matches.
        let new = file("# a\n# b\njobs:\n  compile:\n    x\n");
        let after = [finding(
            &new,
            "r",
            4,
            "job `compile` has no timeout",
            "compile",
        )];
        let c = compare(&baseline, &after, |_| Some(&new));
        assert_eq!(c.baselined, vec![true]);
        assert_eq!(c.fixed, 0);
        // A second finding of the same kind is new: each entry matches once.
        let twice = [after[0].clone(), after[0].clone()];
        let c = compare(&baseline, &twice, |_| Some(&new));
        assert_eq!(c.baselined, vec![true, false]);
    }

    #[test]
    fn a_risen_level_is_reported_and_unmatched_entries_are_fixed() {
        let src = file("a\nb\n");
        let mut f = finding(&src, "r", 1, "m", "j");
        let baseline = record(std::slice::from_ref(&f), |_| Some(&src));
        f.level = Level::Error;
        let c = compare(&baseline, &[f], |_| Some(&src));
        assert_eq!((c.baselined, c.risen, c.fixed), (vec![false], vec![0], 0));
        let c = compare(&baseline, &[], |_| Some(&src));
        assert_eq!(c.fixed, 1);
    }

    #[test]
    fn files_are_checked_on_reading() {
        assert!(matches!(parse("{}"), Err(ParseError::Json(_))));
        assert!(matches!(
            parse(r#"{"version": 2, "entries": []}"#),
            Err(ParseError::Version(2))
        ));
        let bad = r#"{"version": 1, "entries": [{"path": "p", "rule": "r", "fingerprint": "f",
            "message_hash": "h", "level": "fatal", "message": "m"}]}"#;
        assert!(matches!(
            parse(bad),
            Err(ParseError::Level { index: 0, .. })
        ));
        let ok = r#"{"version": 1, "entries": []}"#;
        assert_eq!(parse(ok).expect("valid").entries.len(), 0);
    }
}

//! Stable identities of findings across runs: SARIF's `partialFingerprints`, and what
//! baselines and diffs match findings by.
//!
//! A fingerprint is the hash of the rule, the file and the trimmed text of the finding's
//! line, with the occurrence number among findings that share all three: it survives the
//! line moving (lines added above it) and unrelated edits, and changes when the line
//! itself does.

use std::collections::HashMap;

use rayon::prelude::*;
use tollgate_model::{Finding, SourceFile};

/// 64-bit FNV-1a: small, stable across platforms and releases (fingerprints must not
/// change when the toolchain does, which rules out `std`'s hasher).
#[must_use]
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The fingerprint of every finding, in the order given (`<hash>:<occurrence>`, the hash
/// as 16 hex digits). `source` finds the text of a path; a finding whose file it does not
/// know hashes an empty line text. Findings must be in their deterministic order
/// ([`Finding::sort_key`]) for the occurrence numbers to be stable.
pub fn of<'a>(
    findings: &[Finding],
    source: impl Fn(&str) -> Option<&'a SourceFile> + Sync,
) -> Vec<String> {
    let hashes: Vec<u64> = findings
        .par_iter()
        .map_init(String::new, |key, f| {
            let line_text = source(&f.primary.path)
                .map_or("", |s| s.line_text(f.primary.start.line as usize).trim());
            key.clear();
            for part in [f.rule, "\0", &f.primary.path, "\0", line_text] {
                key.push_str(part);
            }
            fnv1a(key.as_bytes())
        })
        .collect();
    let mut seen: HashMap<(u64, &str), usize> = HashMap::new();
    findings
        .iter()
        .zip(hashes)
        .map(|(f, h)| {
            let n = seen.entry((h, f.rule)).or_insert(0);
            *n += 1;
            format!("{h:016x}:{n}")
        })
        .collect()
}

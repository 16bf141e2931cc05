//! The rule catalog as the CLI shows it: `tollgate rules`, `tollgate explain`, and the
//! descriptors handed to renderers.

use std::fmt::Write;

use tollgate_engine::catalog::section;
use tollgate_report::findings::RuleInfo;

use crate::CliError;
use crate::args::{ListFormat, RulesArgs};

/// Where rule pages are published: the catalog in the project's repository.
pub const DOCS_BASE: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/rules/");

#[must_use]
pub fn infos() -> Vec<RuleInfo> {
    tollgate_rules::pages()
        .iter()
        .map(|p| RuleInfo {
            id: p.meta.id.clone(),
            category: p.meta.category.clone(),
            summary: p.meta.summary.clone(),
            description: section(&p.body, "What it does").to_owned(),
            help_markdown: p.body.trim().to_owned(),
            level: p.meta.level,
            severity: p.meta.severity,
            confidence: p.meta.confidence,
            default_enabled: p.meta.default_enabled,
            help_uri: format!("{DOCS_BASE}{}/{}.md", p.meta.category, p.meta.id),
        })
        .collect()
}

pub fn list(args: &RulesArgs) -> Result<String, CliError> {
    let infos = infos();
    match args.format {
        ListFormat::Json => {
            let rules: Vec<serde_json::Value> = infos
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "category": r.category,
                        "summary": r.summary,
                        "level": r.level.as_str(),
                        "severity": r.severity.as_str(),
                        "confidence": r.confidence.as_str(),
                        "default_enabled": r.default_enabled,
                        "help_uri": r.help_uri,
                    })
                })
                .collect();
            let doc = serde_json::json!({ "version": 1, "rules": rules });
            serde_json::to_string_pretty(&doc)
                .map(|s| s + "\n")
                .map_err(|e| CliError::Usage(e.to_string()))
        }
        ListFormat::Table => {
            let w = infos.iter().map(|r| r.id.len()).max().unwrap_or(4).max(4);
            let mut s = format!(
                "{:w$}  {:9}  {:7}  {:8}  SUMMARY\n",
                "RULE", "CATEGORY", "LEVEL", "SEVERITY"
            );
            for r in &infos {
                let level = if r.default_enabled {
                    r.level.as_str()
                } else {
                    "off"
                };
                let _ = writeln!(
                    s,
                    "{:w$}  {:9}  {:7}  {:8}  {}",
                    r.id,
                    r.category,
                    level,
                    r.severity.as_str(),
                    r.summary
                );
            }
            Ok(s)
        }
    }
}

pub fn explain(rule: &str) -> Result<String, CliError> {
    let page = tollgate_rules::pages()
        .iter()
        .find(|p| p.meta.id == rule)
        .ok_or_else(|| unknown_rule(rule))?;
    let m = &page.meta;
    Ok(format!(
        "# {}\n\n{}\n\ncategory: {} · level: {} · severity: {} · confidence: {} · since: {}\n{}\n",
        m.id,
        m.summary,
        m.category,
        if m.default_enabled {
            m.level.as_str()
        } else {
            "off by default"
        },
        m.severity.as_str(),
        m.confidence.as_str(),
        m.since,
        page.body.trim_end()
    ))
}

/// A usage error naming the closest known rule.
#[must_use]
pub fn unknown_rule(rule: &str) -> CliError {
    let ids: Vec<&str> = tollgate_rules::rules()
        .iter()
        .map(|r| r.meta.id.as_str())
        .collect();
    let near = ids
        .iter()
        .min_by_key(|id| distance(id, rule))
        .filter(|id| distance(id, rule) <= 3);
    CliError::Usage(match near {
        Some(n) => {
            format!("unknown rule `{rule}`; did you mean `{n}`? (`tollgate rules` lists them)")
        }
        None => format!("unknown rule `{rule}` (`tollgate rules` lists them)"),
    })
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

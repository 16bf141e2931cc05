//! The inventory as CSV (RFC 4180): one row per dependency and job that uses it, so a
//! spreadsheet can filter by job, host or fallback.

use tollgate_inventory::Inventory;

use crate::escape::visible;

const HEADER: &[&str] = &[
    "kind",
    "dependency",
    "ecosystem",
    "hosts",
    "external",
    "workflow",
    "job",
    "path",
    "line",
    "pinned",
    "pinning",
    "fallback",
    "fallback_detail",
];

/// A field quoted when it holds a comma or quote. Control characters from the input
/// (line breaks included) are shown visibly, not quoted: a spreadsheet would take them
/// either way, but a raw ESC or a line starting `::error` must not reach a terminal or a
/// CI log that shows the file.
fn field(s: &str) -> String {
    let s = visible(s);
    if s.contains([',', '"']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

fn row(out: &mut String, fields: &[String]) {
    let v: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&v.join(","));
    out.push_str("\r\n");
}

/// Render the inventory.
#[must_use]
pub fn render(inv: &Inventory) -> String {
    let mut out = String::new();
    row(
        &mut out,
        &HEADER.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>(),
    );
    for d in &inv.dependencies {
        for u in &d.uses {
            let fallback = if !d.external {
                "n/a".to_owned()
            } else if u.fallbacks.is_empty() {
                "none".to_owned()
            } else {
                let mut k: Vec<&str> = u.fallbacks.iter().map(|f| f.kind.as_str()).collect();
                k.dedup();
                k.join(" ")
            };
            let detail: Vec<&str> = u.fallbacks.iter().map(|f| f.detail.as_str()).collect();
            row(
                &mut out,
                &[
                    d.kind.as_str().to_owned(),
                    d.name.clone(),
                    d.ecosystem.clone().unwrap_or_default(),
                    d.hosts.join(" "),
                    d.external.to_string(),
                    u.job.workflow.clone(),
                    u.job.job.clone(),
                    u.site
                        .as_ref()
                        .map(|s| s.path.to_string())
                        .unwrap_or_default(),
                    u.site
                        .as_ref()
                        .map(|s| s.start.line.to_string())
                        .unwrap_or_default(),
                    u.pinning.pinned.map_or_else(String::new, |p| p.to_string()),
                    u.pinning.how.to_string(),
                    fallback,
                    detail.join("; "),
                ],
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a\nb\u{1b}"), "a\\nb\\u{1b}");
        assert_eq!(field("x,\n::error"), "\"x,\\n::error\"");
    }
}

//! The catalog page format: `rules/<category>/<id>.md`, TOML metadata between `+++` lines
//! followed by fixed Markdown sections. The binary embeds the pages; they are the single
//! source of each rule's metadata, its `explain` text and its SARIF help.

use serde::Deserialize;
use tollgate_model::{Confidence, Impact, Level};

/// The sections every page has, in order.
pub const SECTIONS: &[&str] = &[
    "What it does",
    "Why it matters",
    "Example",
    "Remediation",
    "Configuration",
    "References",
];

/// The type of a rule option's value, as its catalog page declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    /// `"informational"`, `"low"`, `"medium"`, `"high"` or `"critical"`.
    Severity,
    Bool,
    String,
}

impl OptionKind {
    /// The kind named in a catalog page (`options = { name = "severity" }`).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "severity" => Some(Self::Severity),
            "bool" => Some(Self::Bool),
            "string" => Some(Self::String),
            _ => None,
        }
    }

    /// Why `v` is not a value of this kind, if it is not.
    pub(crate) fn reject(self, v: &toml::Value) -> Option<String> {
        match (self, v) {
            (Self::Severity, toml::Value::String(s)) if Impact::parse(s).is_some() => None,
            (Self::Severity, other) => Some(format!(
                "must be \"informational\", \"low\", \"medium\", \"high\" or \"critical\", found `{other}`"
            )),
            (Self::Bool, toml::Value::Boolean(_)) | (Self::String, toml::Value::String(_)) => None,
            (Self::Bool, other) => Some(format!("must be true or false, found `{other}`")),
            (Self::String, other) => Some(format!("must be a string, found `{other}`")),
        }
    }
}

/// A rule's metadata, parsed from its page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleMeta {
    pub id: String,
    pub category: String,
    pub summary: String,
    pub level: Level,
    /// `false` for rules that only run when the configuration or `--select` enables them.
    pub default_enabled: bool,
    pub severity: Impact,
    pub confidence: Confidence,
    pub since: String,
    /// The options `[rules.<id>]` may set besides `level`, with the type of each value.
    pub options: Vec<(String, OptionKind)>,
}

/// A parsed page: metadata, the Markdown body, and its examples.
#[derive(Clone, Debug)]
pub struct Page {
    pub meta: RuleMeta,
    /// The Markdown after the front matter.
    pub body: String,
    pub examples: Vec<Example>,
}

/// A fenced example in a page: ```` ```yaml workflow ````, ```` ```yaml action ````,
/// ```` ```yaml gitlab ```` (a `.gitlab-ci.yml`) or ```` ```dockerfile ````. Lines ending in `# expect: rule-id` must produce exactly those
/// findings; other examples must produce none of the page's rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    /// `workflow`, `action`, `dependabot`, `gitlab` or `dockerfile`.
    pub kind: String,
    pub text: String,
    /// `(1-based line in the example, rule id)`.
    pub expect: Vec<(usize, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Front {
    id: String,
    category: String,
    summary: String,
    level: String,
    #[serde(default = "yes")]
    default_enabled: bool,
    severity: String,
    confidence: String,
    since: String,
    /// `options = { release-severity = "severity" }`
    #[serde(default)]
    options: std::collections::BTreeMap<String, String>,
}

const fn yes() -> bool {
    true
}

/// The `# expect: a, b` marker of one line, if any.
#[must_use]
pub fn expect_marker(line: &str) -> Vec<String> {
    line.rfind("# expect:").map_or_else(Vec::new, |i| {
        line[i + "# expect:".len()..]
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

/// Parse a page.
///
/// # Errors
/// A message naming what is wrong: missing front matter, a bad field, a missing section.
pub fn parse_page(text: &str) -> Result<Page, String> {
    let rest = text
        .strip_prefix("+++\n")
        .ok_or("a page starts with `+++` front matter")?;
    let end = rest.find("\n+++\n").ok_or("unterminated front matter")?;
    let front: Front =
        toml::from_str(&rest[..end]).map_err(|e| format!("front matter: {}", e.message()))?;
    let body = rest[end + 5..].to_owned();
    let meta = RuleMeta {
        level: Level::parse(&front.level).ok_or("level: error, warning or note")?,
        severity: Impact::parse(&front.severity)
            .ok_or("severity: informational, low, medium, high or critical")?,
        confidence: Confidence::parse(&front.confidence)
            .ok_or("confidence: low, medium or high")?,
        id: front.id,
        category: front.category,
        summary: front.summary,
        default_enabled: front.default_enabled,
        since: front.since,
        options: front
            .options
            .into_iter()
            .map(|(name, kind)| {
                OptionKind::parse(&kind)
                    .map(|k| (name, k))
                    .ok_or("options: each kind is \"severity\", \"bool\" or \"string\"")
            })
            .collect::<Result<_, _>>()?,
    };
    let mut at = 0;
    for s in SECTIONS {
        let heading = format!("\n## {s}\n");
        let found = body[at..]
            .find(&heading)
            .ok_or_else(|| format!("missing or misplaced section `## {s}`"))?;
        at += found + heading.len();
    }
    let examples = examples(&body);
    Ok(Page {
        meta,
        body,
        examples,
    })
}

fn examples(body: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut lines = body.lines();
    while let Some(line) = lines.next() {
        // A Dockerfile example has no YAML: its fence names the kind alone.
        let kind = match line.strip_prefix("```yaml ") {
            Some(info) => info.trim().to_owned(),
            None if line.trim_end() == "```dockerfile" => "dockerfile".to_owned(),
            None => continue,
        };
        let mut text = String::new();
        let mut expect = Vec::new();
        for (i, l) in lines.by_ref().enumerate() {
            if l.starts_with("```") {
                break;
            }
            let n = i + 1;
            expect.extend(expect_marker(l).into_iter().map(|r| (n, r)));
            text.push_str(l);
            text.push('\n');
        }
        out.push(Example { kind, text, expect });
    }
    out
}

/// A page's section text (without its heading), for `explain` and SARIF help.
#[must_use]
pub fn section<'a>(body: &'a str, name: &str) -> &'a str {
    let heading = format!("## {name}\n");
    let Some(start) = body.find(&heading).map(|i| i + heading.len()) else {
        return "";
    };
    let end = body[start..]
        .find("\n## ")
        .map_or(body.len(), |i| start + i);
    body[start..end].trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "+++\nid = \"x-rule\"\ncategory = \"pinning\"\nsummary = \"s\"\nlevel = \"warning\"\nseverity = \"high\"\nconfidence = \"high\"\nsince = \"0.1.0\"\n+++\n\n## What it does\nA.\n\n## Why it matters\nB.\n\n## Example\n```yaml workflow\non: push\n  - uses: a/b@v1 # expect: x-rule\n```\n\n## Remediation\nC.\n\n## Configuration\nNone.\n\n## References\n- r\n";

    #[test]
    fn parses_page() {
        let p = parse_page(PAGE).expect("page");
        assert_eq!(p.meta.id, "x-rule");
        assert_eq!(p.meta.level, Level::Warning);
        assert_eq!(p.examples.len(), 1);
        assert_eq!(p.examples[0].expect, vec![(2, "x-rule".to_owned())]);
        assert_eq!(section(&p.body, "Remediation"), "C.");
    }

    #[test]
    fn rejects_missing_section() {
        let bad = PAGE.replace("## Remediation", "## Fix");
        assert!(parse_page(&bad).is_err_and(|e| e.contains("Remediation")));
    }
}

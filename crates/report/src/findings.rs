//! What renderers need to know about rules, without depending on the engine: the catalog
//! entry of each rule as plain data.

/// One rule's descriptor for outputs (SARIF `tool.driver.rules`, JSON, tables).
#[derive(Clone, Debug)]
pub struct RuleInfo {
    pub id: String,
    pub category: String,
    pub summary: String,
    /// "What it does" section, plain Markdown.
    pub description: String,
    /// The whole page body, Markdown.
    pub help_markdown: String,
    pub level: tollgate_model::Level,
    pub severity: tollgate_model::Impact,
    pub confidence: tollgate_model::Confidence,
    pub default_enabled: bool,
    pub help_uri: String,
}

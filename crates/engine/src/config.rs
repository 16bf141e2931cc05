//! `tollgate.toml`: rule levels and options, path excludes, ignores and policy sections.
//! Every value keeps its span so a mistake is reported on its line, and allow-list entries
//! can be reported when they matched nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use tollgate_model::{Diagnostic, DiagnosticCode, Level, Severity, SourceFile, Span};

pub use crate::catalog::OptionKind;
use toml::Spanned;

/// Names searched for in the scan root, in order.
pub const FILE_NAMES: &[&str] = &["tollgate.toml", ".github/tollgate.toml"];

/// The commented default configuration written by `tollgate config --init`.
pub const DEFAULT_CONFIG: &str = include_str!("default-config.toml");

/// The largest configuration file read: a real one is a few kilobytes.
pub const MAX_FILE: u64 = 1 << 20;
/// The most entries in any one list (`exclude`, `[[ignore]]`, an allow-list, pins): each
/// ignore and exclude compiles a matcher, so the count bounds the memory a file can ask for.
pub const MAX_ENTRIES: usize = 5_000;

/// What the configuration needs to know of a rule: its id and the options it reads.
pub trait RuleSchema {
    fn rule_id(&self) -> &str;
    /// The kind of the option `name`, `None` when the rule has no such option.
    fn option(&self, name: &str) -> Option<OptionKind>;
    /// The option names, for the message about a mistyped one.
    fn option_names(&self) -> Vec<&str>;
}

/// A rule id with its options, as tests and embedders name them.
impl RuleSchema for (&str, &[(&str, OptionKind)]) {
    fn rule_id(&self) -> &str {
        self.0
    }
    fn option(&self, name: &str) -> Option<OptionKind> {
        self.1.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
    }
    fn option_names(&self) -> Vec<&str> {
        self.1.iter().map(|(n, _)| *n).collect()
    }
}

/// A bare rule id: a rule without options.
impl RuleSchema for &str {
    fn rule_id(&self) -> &str {
        self
    }
    fn option(&self, _: &str) -> Option<OptionKind> {
        None
    }
    fn option_names(&self) -> Vec<&str> {
        Vec::new()
    }
}

impl RuleSchema for &crate::catalog::RuleMeta {
    fn rule_id(&self) -> &str {
        &self.id
    }
    fn option(&self, name: &str) -> Option<OptionKind> {
        self.options
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, k)| *k)
    }
    fn option_names(&self) -> Vec<&str> {
        self.options.iter().map(|(n, _)| n.as_str()).collect()
    }
}

/// One `[rules.<id>]` table, every key and value with its span.
type RawRule = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    baseline: Option<Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<RawRule>>,
    #[serde(default)]
    ignore: Vec<Spanned<RawIgnore>>,
    #[serde(default)]
    policy: RawPolicy,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawIgnore {
    path: Spanned<String>,
    #[serde(default)]
    rules: Vec<Spanned<String>>,
    line: Option<usize>,
    job: Option<String>,
    reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPolicy {
    #[serde(default)]
    actions: RawActions,
    #[serde(default)]
    packages: RawAllow,
    #[serde(default)]
    egress: RawEgress,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawActions {
    #[serde(default)]
    pin: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    trusted_owners: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawAllow {
    #[serde(default)]
    allow: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawEgress {
    #[serde(default)]
    allow: Vec<Spanned<String>>,
    #[serde(default)]
    controls: Vec<Spanned<String>>,
}

/// An allow-list entry: its text, where it is, and whether anything used it this run.
#[derive(Debug)]
pub struct AllowEntry {
    pub value: String,
    pub span: Span,
    used: AtomicBool,
}

impl AllowEntry {
    fn new(s: Spanned<String>) -> Self {
        let span = s.span();
        Self {
            value: s.into_inner(),
            span: Span::new(span.start, span.end),
            used: AtomicBool::new(false),
        }
    }

    /// Record that this entry allowed something (reported as unused otherwise).
    pub fn mark_used(&self) {
        self.used.store(true, Ordering::Relaxed);
    }

    #[must_use]
    pub fn is_used(&self) -> bool {
        self.used.load(Ordering::Relaxed)
    }
}

/// Per-rule settings from `[rules.<id>]`.
#[derive(Debug, Default)]
pub struct RuleSettings {
    /// `None` keeps the catalog's level; `Some(None)` is `level = "off"`.
    pub level: Option<Option<Level>>,
    /// Options other than `level`, for the rule to read.
    pub options: toml::Table,
    pub span: Span,
}

/// A configured ignore: path glob, optional rules, line and job.
#[derive(Debug)]
pub struct Ignore {
    pub glob: globset::GlobMatcher,
    pub pattern: String,
    pub rules: Vec<String>,
    pub line: Option<usize>,
    pub job: Option<String>,
    pub reason: Option<String>,
    pub span: Span,
    used: AtomicBool,
}

impl Ignore {
    pub fn mark_used(&self) {
        self.used.store(true, Ordering::Relaxed);
    }

    #[must_use]
    pub fn is_used(&self) -> bool {
        self.used.load(Ordering::Relaxed)
    }
}

/// The `[policy]` sections later rules read.
#[derive(Debug, Default)]
pub struct Policy {
    /// `[policy.actions] pin = { "owner/*" = "hash-pin" | "ref-pin" | "any" }`
    pub action_pins: Vec<(AllowEntry, PinPolicy)>,
    pub trusted_owners: Vec<AllowEntry>,
    /// `[policy.packages] allow = [...]`
    pub package_allow: Vec<AllowEntry>,
    /// `[policy.egress] allow = [...]`, `controls = [...]`
    pub egress_allow: Vec<AllowEntry>,
    pub egress_controls: Vec<AllowEntry>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinPolicy {
    /// A full commit SHA is required (the default for everything).
    HashPin,
    /// Any fixed ref (tag or SHA) is accepted; branches are not.
    RefPin,
    /// Anything goes.
    Any,
}

/// The loaded configuration. `Config::default()` is what runs without a file.
#[derive(Debug, Default)]
pub struct Config {
    /// The file it came from, for positions of diagnostics.
    pub source: Option<SourceFile>,
    pub exclude: Option<GlobSet>,
    pub rules: BTreeMap<String, RuleSettings>,
    pub ignores: Vec<Ignore>,
    pub policy: Policy,
    /// `baseline = "…"`: the baseline file `check` compares with, resolved against the
    /// configuration file's directory, and where the key is (for errors).
    pub baseline: Option<(PathBuf, Span)>,
    /// The directory files the configuration names must resolve inside (the repository
    /// of a configuration found there); `None` for a default or explicit configuration.
    pub within: Option<PathBuf>,
}

/// A configuration that cannot be used: exit code 2, with the position of the mistake.
#[derive(Debug)]
pub struct ConfigError {
    pub diagnostics: Vec<Diagnostic>,
    pub source: Option<SourceFile>,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for d in &self.diagnostics {
            match &d.location {
                Some(l) => writeln!(
                    f,
                    "{}:{}:{}: {}",
                    d.path, l.start.line, l.start.column, d.message
                )?,
                None => writeln!(f, "{}: {}", d.path, d.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The configuration files that apply to what discovery found: for each input, the
    /// nearest `tollgate.toml` or `.github/tollgate.toml` in its directory or one above it,
    /// up to its root (so a file that pre-commit passes, or `check .github/workflows`,
    /// finds the repository's). Each file once, by root, then nearest the root first:
    /// `(root, path)`.
    #[must_use]
    pub fn find_for(discovery: &tollgate_scan::Discovery) -> Vec<(usize, PathBuf)> {
        // Whether a directory holds one, each directory asked once.
        let mut known: std::collections::HashMap<PathBuf, bool> = std::collections::HashMap::new();
        let mut found: Vec<(usize, usize, PathBuf)> = Vec::new();
        let mut look = |root: usize, dir: &Path, found: &mut Vec<(usize, usize, PathBuf)>| {
            if let Some(&has) = known.get(dir) {
                return has;
            }
            let has = match Self::find(dir) {
                Some(p) => {
                    found.push((root, dir.components().count(), p));
                    true
                }
                None => false,
            };
            known.insert(dir.to_path_buf(), has);
            has
        };
        for (i, r) in discovery.roots.iter().enumerate() {
            look(i, &r.canonical, &mut found);
        }
        for c in &discovery.candidates {
            let Some(root) = discovery.roots.get(c.root) else {
                continue;
            };
            let Some(start) = c.disk.parent() else {
                continue;
            };
            for dir in start.ancestors() {
                if !dir.starts_with(&root.canonical) || dir == root.canonical {
                    break;
                }
                if look(c.root, dir, &mut found) {
                    break;
                }
            }
        }
        found.sort();
        found.dedup_by(|a, b| a.2 == b.2);
        found.into_iter().map(|(r, _, p)| (r, p)).collect()
    }

    /// The configuration file for a scan root: `tollgate.toml` or `.github/tollgate.toml`.
    #[must_use]
    pub fn find(root: &Path) -> Option<PathBuf> {
        // Anything by that name, a link to a device or a FIFO included: loading it then says
        // why it is refused, where skipping it would silently check with the defaults.
        FILE_NAMES
            .iter()
            .map(|n| root.join(n))
            .find(|p| p.symlink_metadata().is_ok())
    }

    /// Read and validate a configuration file; it must resolve to a regular file of at
    /// most [`MAX_FILE`] bytes.
    ///
    /// # Errors
    /// Unreadable file, invalid TOML, unknown keys, bad values: each with its position.
    pub fn load<R: RuleSchema>(path: &Path, known_rules: &[R]) -> Result<Self, ConfigError> {
        let display = path.to_string_lossy().replace('\\', "/");
        Self::load_within(path, Path::new("/"), &display, known_rules)
    }

    /// Read and validate the configuration file at `path`, shown as `display`, which must
    /// resolve to a regular file inside the resolved directory `within` (a configuration
    /// found in a repository must not lead the read out of it) of at most [`MAX_FILE`]
    /// bytes. The refusal never quotes what the file holds.
    ///
    /// # Errors
    /// See [`Config::load`].
    pub fn load_within<R: RuleSchema>(
        path: &Path,
        within: &Path,
        display: &str,
        known_rules: &[R],
    ) -> Result<Self, ConfigError> {
        let fail = |message: String| ConfigError {
            diagnostics: vec![Diagnostic::file(display, DiagnosticCode::Config, message)],
            source: None,
        };
        let bytes = tollgate_scan::confine::read(path, within, MAX_FILE).map_err(|r| match r {
            tollgate_scan::confine::Refusal::Io(e) => {
                fail(format!("cannot read configuration: {e}"))
            }
            other => fail(format!("cannot read configuration: {other}")),
        })?;
        let text = String::from_utf8(bytes)
            .map_err(|_| fail("configuration is not valid UTF-8".to_owned()))?;
        let mut config = Self::parse(SourceFile::new(display, path, text), known_rules)?;
        if within != Path::new("/") {
            config.within = Some(within.to_path_buf());
        }
        Ok(config)
    }

    /// Parse configuration text (`source` names the file for diagnostics).
    ///
    /// # Errors
    /// See [`Config::load`].
    pub fn parse<R: RuleSchema>(
        source: SourceFile,
        known_rules: &[R],
    ) -> Result<Self, ConfigError> {
        let raw: Raw = match toml::from_str(source.text()) {
            Ok(r) => r,
            Err(e) => {
                let span = e
                    .span()
                    .map_or(Span::empty(0), |r| Span::new(r.start, r.end));
                let d = Diagnostic::at(&source, span, DiagnosticCode::Config, e.message().trim());
                return Err(ConfigError {
                    diagnostics: vec![d],
                    source: Some(source),
                });
            }
        };
        let mut errs = Vec::new();
        let sp = |r: std::ops::Range<usize>| Span::new(r.start, r.end);
        // (list, entries, where the first entry too many is).
        fn count<T>(
            name: &'static str,
            list: &[Spanned<T>],
        ) -> (&'static str, usize, Option<Span>) {
            let at = list
                .get(MAX_ENTRIES)
                .map(|e| Span::new(e.span().start, e.span().end));
            (name, list.len(), at)
        }
        let pins: Vec<&Spanned<String>> = raw.policy.actions.pin.keys().collect();
        let lists = [
            count("exclude", &raw.exclude),
            count("ignore", &raw.ignore),
            (
                "policy.actions.pin",
                pins.len(),
                pins.get(MAX_ENTRIES).map(|e| sp(e.span())),
            ),
            count(
                "policy.actions.trusted-owners",
                &raw.policy.actions.trusted_owners,
            ),
            count("policy.packages.allow", &raw.policy.packages.allow),
            count("policy.egress.allow", &raw.policy.egress.allow),
            count("policy.egress.controls", &raw.policy.egress.controls),
        ];
        let too_many: Vec<Diagnostic> = lists
            .into_iter()
            .filter(|(_, n, _)| *n > MAX_ENTRIES)
            .map(|(name, n, at)| {
                Diagnostic::at(
                    &source,
                    at.unwrap_or(Span::empty(0)),
                    DiagnosticCode::Limit,
                    format!("`{name}` has {n} entries; at most {MAX_ENTRIES} are read"),
                )
            })
            .collect();
        if !too_many.is_empty() {
            return Err(ConfigError {
                diagnostics: too_many,
                source: Some(source),
            });
        }
        let mut err = |span: Span, msg: String| {
            errs.push(Diagnostic::at(&source, span, DiagnosticCode::Config, msg));
        };

        let mut exclude = GlobSetBuilder::new();
        for e in &raw.exclude {
            match Glob::new(e.get_ref()) {
                Ok(g) => {
                    exclude.add(g);
                }
                Err(x) => err(sp(e.span()), format!("invalid glob `{}`: {x}", e.get_ref())),
            }
        }
        let exclude = if raw.exclude.is_empty() {
            None
        } else {
            exclude.build().ok()
        };

        let mut rules = BTreeMap::new();
        for (id, table) in raw.rules {
            let Some(schema) = known_rules.iter().find(|r| r.rule_id() == id.get_ref()) else {
                err(sp(id.span()), format!("unknown rule `{}`", id.get_ref()));
                continue;
            };
            let span = sp(table.span());
            let mut level = None;
            let mut options = toml::Table::new();
            for (key, value) in table.into_inner() {
                let key_span = sp(key.span());
                let value_span = sp(value.span());
                let key = key.into_inner();
                let value = value.into_inner();
                if key == "level" {
                    level = match &value {
                        toml::Value::String(s) if s == "off" => Some(None),
                        toml::Value::String(s) if Level::parse(s).is_some() => {
                            Some(Level::parse(s))
                        }
                        other => {
                            err(
                                value_span,
                                format!(
                                    "`level` must be \"error\", \"warning\", \"note\" or \"off\", found `{other}`"
                                ),
                            );
                            None
                        }
                    };
                    continue;
                }
                match schema.option(&key) {
                    None => {
                        let names = schema.option_names();
                        let known = if names.is_empty() {
                            format!("`{}` takes only `level`", schema.rule_id())
                        } else {
                            format!(
                                "`{}` takes `level`, `{}`",
                                schema.rule_id(),
                                names.join("`, `")
                            )
                        };
                        err(key_span, format!("unknown option `{key}`: {known}"));
                    }
                    Some(kind) => match kind.reject(&value) {
                        Some(why) => err(value_span, format!("`{key}` {why}")),
                        None => {
                            options.insert(key, value);
                        }
                    },
                }
            }
            rules.insert(
                id.into_inner(),
                RuleSettings {
                    level,
                    options,
                    span,
                },
            );
        }

        let mut ignores = Vec::new();
        for ig in raw.ignore {
            let span = sp(ig.span());
            let ig = ig.into_inner();
            for r in &ig.rules {
                if !known_rules.iter().any(|k| k.rule_id() == r.get_ref()) {
                    err(sp(r.span()), format!("unknown rule `{}`", r.get_ref()));
                }
            }
            match Glob::new(ig.path.get_ref()) {
                Ok(g) => ignores.push(Ignore {
                    glob: g.compile_matcher(),
                    pattern: ig.path.get_ref().clone(),
                    rules: ig.rules.into_iter().map(Spanned::into_inner).collect(),
                    line: ig.line,
                    job: ig.job,
                    reason: ig.reason,
                    span,
                    used: AtomicBool::new(false),
                }),
                Err(x) => err(
                    sp(ig.path.span()),
                    format!("invalid glob `{}`: {x}", ig.path.get_ref()),
                ),
            }
        }

        let mut action_pins = Vec::new();
        for (pattern, value) in raw.policy.actions.pin {
            let p = match value.get_ref().as_str() {
                "hash-pin" => PinPolicy::HashPin,
                "ref-pin" => PinPolicy::RefPin,
                "any" => PinPolicy::Any,
                other => {
                    err(
                        sp(value.span()),
                        format!(
                            "pin policy must be \"hash-pin\", \"ref-pin\" or \"any\", found `{other}`"
                        ),
                    );
                    continue;
                }
            };
            action_pins.push((AllowEntry::new(pattern), p));
        }
        let policy = Policy {
            action_pins,
            trusted_owners: raw
                .policy
                .actions
                .trusted_owners
                .into_iter()
                .map(AllowEntry::new)
                .collect(),
            package_allow: raw
                .policy
                .packages
                .allow
                .into_iter()
                .map(AllowEntry::new)
                .collect(),
            egress_allow: raw
                .policy
                .egress
                .allow
                .into_iter()
                .map(AllowEntry::new)
                .collect(),
            egress_controls: raw
                .policy
                .egress
                .controls
                .into_iter()
                .map(AllowEntry::new)
                .collect(),
        };
        if !errs.is_empty() {
            return Err(ConfigError {
                diagnostics: errs,
                source: Some(source),
            });
        }
        // Relative to the file that names it, as a reader of the file expects.
        let baseline = raw.baseline.map(|b| {
            let dir = source.disk.parent().unwrap_or(Path::new(""));
            (dir.join(b.get_ref()), sp(b.span()))
        });
        Ok(Self {
            source: Some(source),
            exclude,
            rules,
            ignores,
            policy,
            baseline,
            within: None,
        })
    }

    /// Whether a display path is excluded from checking.
    #[must_use]
    pub fn is_excluded(&self, path: &str) -> bool {
        self.exclude.as_ref().is_some_and(|g| g.is_match(path))
    }

    /// Warnings for allow-list entries and ignores that matched nothing in this run.
    #[must_use]
    pub fn unused(&self) -> Vec<Diagnostic> {
        let Some(src) = &self.source else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut warn = |span: Span, code: DiagnosticCode, msg: String| {
            out.push(Diagnostic::at(src, span, code, msg).with_severity(Severity::Warning));
        };
        let lists: [(&str, &[AllowEntry]); 3] = [
            ("policy.packages.allow", &self.policy.package_allow),
            ("policy.egress.allow", &self.policy.egress_allow),
            ("policy.actions.trusted-owners", &self.policy.trusted_owners),
        ];
        for (name, list) in lists {
            for e in list.iter().filter(|e| !e.is_used()) {
                warn(
                    e.span,
                    DiagnosticCode::UnusedAllow,
                    format!("`{}` in `{name}` matched nothing", e.value),
                );
            }
        }
        for (e, _) in self.policy.action_pins.iter().filter(|(e, _)| !e.is_used()) {
            warn(
                e.span,
                DiagnosticCode::UnusedAllow,
                format!("pin policy for `{}` matched no action", e.value),
            );
        }
        for ig in self.ignores.iter().filter(|i| !i.is_used()) {
            warn(
                ig.span,
                DiagnosticCode::UnusedSuppression,
                format!("ignore for `{}` matched no finding", ig.pattern),
            );
        }
        out
    }

    /// The options table of a rule (empty when not configured).
    #[must_use]
    pub fn options(&self, rule: &str) -> Option<&toml::Table> {
        self.rules.get(rule).map(|r| &r.options)
    }
}

mod keys;
pub use keys::KEYS;

#[cfg(test)]
mod tests;

//! Egress controls written in a job: `step-security/harden-runner` steps, their policy and
//! their `allowed-endpoints`, each entry with its exact position in the workflow.

use tollgate_gha::{Step, Uses};
use tollgate_model::{Location, SourceFile, Span};

use crate::hosts::{DEFAULT_PORT, Endpoint};

/// What harden-runner does with traffic outside its list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EgressPolicy {
    /// Traffic outside `allowed-endpoints` is dropped (the action's default).
    Block,
    /// Traffic is only recorded.
    Audit,
    /// An expression decides at run time.
    Dynamic,
}

impl EgressPolicy {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Block => "block",
            Self::Audit => "audit",
            Self::Dynamic => "dynamic",
        }
    }
}

/// One `allowed-endpoints` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowedEndpoint {
    /// The entry as written.
    pub text: String,
    /// `None` when the entry does not parse as `host[:port]`.
    pub endpoint: Option<Endpoint>,
    pub location: Location,
}

impl AllowedEndpoint {
    /// Whether this entry lets `host:port` through (harden-runner reads a missing port
    /// as 443).
    #[must_use]
    pub fn allows(&self, host: &str, port: u16) -> bool {
        self.endpoint
            .as_ref()
            .is_some_and(|e| e.allows(host, port, false))
    }
}

/// A harden-runner step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HardenRunner {
    /// The `uses:` value.
    pub location: Location,
    pub policy: EgressPolicy,
    /// The `egress-policy:` entry, when written.
    pub policy_location: Option<Location>,
    /// The entries of `allowed-endpoints`; `None` when the list is not known from the
    /// file (an expression, or a policy from StepSecurity's policy store).
    pub allowed: Option<Vec<AllowedEndpoint>>,
    /// The `allowed-endpoints:` value, when written.
    pub allowed_location: Option<Location>,
}

impl HardenRunner {
    /// Whether the job's own list lets `host:port` through. `None` when the list is not
    /// known statically.
    #[must_use]
    pub fn allows(&self, host: &str, port: u16) -> Option<bool> {
        self.allowed
            .as_ref()
            .map(|list| list.iter().any(|e| e.allows(host, port)))
    }
}

/// Whether an endpoint can be written into an `allowed-endpoints` folded block as is: a
/// host name (or wildcard) and a port. Anything else from the input (a space, `#`, a
/// quote, a line break) could end the block or add YAML of its own.
#[must_use]
pub fn listable(endpoint: &str) -> bool {
    !endpoint.is_empty()
        && endpoint
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'*' | b':'))
}

/// Whether `action` (`owner/repo[/path]`) is harden-runner.
#[must_use]
pub fn is_harden_runner(action: &str) -> bool {
    action.eq_ignore_ascii_case("step-security/harden-runner")
}

/// The harden-runner configuration of a step, when the step uses it.
#[must_use]
pub fn harden_runner(step: &Step, file: &SourceFile) -> Option<HardenRunner> {
    let uses = step.uses.as_ref()?;
    let Uses::Remote(r) = &uses.value else {
        return None;
    };
    if !is_harden_runner(&r.action()) {
        return None;
    }
    let policy_kv = step.with_value("egress-policy");
    let policy = match policy_kv.map(|kv| kv.value.value.trim().to_ascii_lowercase()) {
        None => EgressPolicy::Block,
        Some(v) if v.contains("${{") => EgressPolicy::Dynamic,
        Some(v) if v == "audit" => EgressPolicy::Audit,
        Some(_) => EgressPolicy::Block,
    };
    // A policy from the policy store replaces the list written in the file.
    let store = step
        .with_value("policy")
        .is_some_and(|kv| !kv.value.value.trim().is_empty())
        || step
            .with_value("use-policy-store")
            .is_some_and(|kv| kv.value.value.trim() == "true");
    let list_kv = step.with_value("allowed-endpoints");
    let allowed = match list_kv {
        _ if store => None,
        Some(kv) if kv.value.value.contains("${{") => None,
        Some(kv) => Some(entries(&kv.value.value, kv.value.span, file)),
        None => Some(Vec::new()),
    };
    Some(HardenRunner {
        location: file.location(uses.span),
        policy,
        policy_location: policy_kv.map(|kv| file.location(kv.key.span.cover(kv.value.span))),
        allowed,
        allowed_location: list_kv.map(|kv| file.location(kv.value.span)),
    })
}

/// The whitespace-separated entries of an `allowed-endpoints` value, each located in the
/// file by finding it, in order, in the raw text of the value (block scalars keep entry
/// text unchanged, so the search is exact).
fn entries(value: &str, span: Span, file: &SourceFile) -> Vec<AllowedEndpoint> {
    let raw = file.slice(span);
    let mut cursor = 0;
    let mut out = Vec::new();
    for word in value.split_whitespace() {
        let at = raw
            .get(cursor..)
            .and_then(|r| r.find(word))
            .map(|i| cursor + i);
        let entry_span = match at {
            Some(i) => {
                cursor = i + word.len();
                Span::new(span.start() + i, span.start() + i + word.len())
            }
            None => span,
        };
        out.push(AllowedEndpoint {
            text: word.to_owned(),
            endpoint: Endpoint::parse(word).map(|mut e| {
                // harden-runner reads a missing port as 443.
                e.port = Some(e.port.unwrap_or(DEFAULT_PORT));
                e
            }),
            location: file.location(entry_span),
        });
    }
    out
}

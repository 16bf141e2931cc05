//! `broad-egress-wildcard`: an allow-list entry that is a wildcard over a shared hosting
//! domain, where anyone can register a name, or a bare `*`.

use tollgate_egress::{broad_wildcard, harden_runner};
use tollgate_engine::{Context, Rule, Sink, StepCx};
use tollgate_model::{SourceFile, Span};

pub struct BroadEgressWildcard;

fn report(out: &mut Sink<'_>, file: &SourceFile, span: Span, entry: &str) {
    let Some(shared) = broad_wildcard(entry) else {
        return;
    };
    let (message, why) = match shared {
        None => (
            format!("`{entry}` allows every destination"),
            "a bare wildcard turns the allow-list off".to_owned(),
        ),
        Some(d) => (
            format!(
                "`{entry}` allows any of the {} under `{}`",
                d.what, d.suffix
            ),
            format!(
                "anyone can create a name under `{}`, so data can leave to an account that is not yours",
                d.suffix
            ),
        ),
    };
    out.at(file, span)
        .message(message)
        .help(format!(
            "{why}; list the exact hosts instead (`tollgate egress` prints what each job needs, a harden-runner audit run shows the storage account names)"
        ))
        .emit();
}

/// The configuration file named relative to the scan root it was found in, as every
/// other finding's path is.
fn relative(cx: &Context<'_>, file: &SourceFile) -> SourceFile {
    let display = cx
        .scan
        .roots
        .iter()
        .find_map(|r| {
            let disk = tollgate_scan::confine::canonical_root(&file.disk);
            let rel = disk.strip_prefix(&r.canonical).ok()?;
            Some(format!(
                "{}{}",
                r.prefix,
                rel.to_string_lossy().replace('\\', "/")
            ))
        })
        .unwrap_or_else(|| file.display.clone());
    SourceFile::new(display, &file.disk, file.shared_text())
}

impl Rule for BroadEgressWildcard {
    fn id(&self) -> &'static str {
        "broad-egress-wildcard"
    }

    fn check_step(&self, _cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        let file = &step.input.source;
        let Some(h) = harden_runner(step.step, file) else {
            return;
        };
        for e in h.allowed.iter().flatten() {
            report(out, file, e.location.span, &e.text);
        }
    }

    fn check_scan(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(file) = &cx.config.source else {
            return;
        };
        if cx.config.policy.egress_allow.is_empty() {
            return;
        }
        let file = relative(cx, file);
        for e in &cx.config.policy.egress_allow {
            report(out, &file, e.span, &e.value);
        }
    }
}

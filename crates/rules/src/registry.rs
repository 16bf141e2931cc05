//! The one ordered list of rules. Adding a rule means: its page under `rules/`, its module
//! under `src/<category>/`, its cases under `testdata/rules/<id>/`, and one line here.

use std::sync::OnceLock;

use tollgate_engine::catalog::{Page, parse_page};
use tollgate_engine::{RegisteredRule, Rule};

use crate::{egress, identity, integrity, pinning, sources};

/// `(page text, rule)` in catalog order. One line per rule (rustfmt would split them).
#[rustfmt::skip]
const RULES: &[(&str, &dyn Rule)] = &[
    (include_str!("../../../rules/pinning/unpinned-action.md"), &pinning::UnpinnedAction),
    (include_str!("../../../rules/pinning/unpinned-image.md"), &pinning::UnpinnedImage),
    (include_str!("../../../rules/pinning/ref-version-mismatch.md"), &pinning::RefVersionMismatch),
    (include_str!("../../../rules/pinning/known-vulnerable-action.md"), &pinning::KnownVulnerableAction),
    (include_str!("../../../rules/integrity/remote-script-execution.md"), &integrity::RemoteScriptExecution),
    (include_str!("../../../rules/integrity/unverified-download.md"), &integrity::UnverifiedDownload),
    (include_str!("../../../rules/pinning/unpinned-package-install.md"), &pinning::UnpinnedPackageInstall),
    (include_str!("../../../rules/pinning/unpinned-include.md"), &pinning::UnpinnedInclude),
    (include_str!("../../../rules/integrity/insecure-transport.md"), &integrity::InsecureTransport),
    (include_str!("../../../rules/identity/broad-permissions.md"), &identity::BroadPermissions),
    (include_str!("../../../rules/identity/secrets-inherit.md"), &identity::SecretsInherit),
    (include_str!("../../../rules/identity/secrets-exposure.md"), &identity::SecretsExposure),
    (include_str!("../../../rules/identity/dangerous-trigger.md"), &identity::DangerousTrigger),
    (include_str!("../../../rules/identity/persisted-credentials.md"), &identity::PersistedCredentials),
    (include_str!("../../../rules/identity/template-injection.md"), &identity::TemplateInjection),
    (include_str!("../../../rules/identity/unsound-condition.md"), &identity::UnsoundCondition),
    (include_str!("../../../rules/identity/self-hosted-runner-exposure.md"), &identity::SelfHostedRunnerExposure),
    (include_str!("../../../rules/identity/spoofable-bot-check.md"), &identity::SpoofableBotCheck),
    (include_str!("../../../rules/identity/github-env-injection.md"), &identity::GithubEnvInjection),
    (include_str!("../../../rules/identity/insecure-workflow-commands.md"), &identity::InsecureWorkflowCommands),
    (include_str!("../../../rules/identity/hardcoded-credential.md"), &identity::HardcodedCredential),
    (include_str!("../../../rules/identity/long-lived-publish-token.md"), &identity::LongLivedPublishToken),
    (include_str!("../../../rules/identity/cache-poisoning.md"), &identity::CachePoisoning),
    (include_str!("../../../rules/identity/untrusted-pipeline.md"), &identity::UntrustedPipeline),
    (include_str!("../../../rules/sources/unknown-package-source.md"), &sources::UnknownPackageSource),
    (include_str!("../../../rules/sources/dependabot-code-execution.md"), &sources::DependabotCodeExecution),
    (include_str!("../../../rules/sources/missing-fallback.md"), &sources::MissingFallback),
    (include_str!("../../../rules/sources/missing-job-timeout.md"), &sources::MissingJobTimeout),
    (include_str!("../../../rules/egress/unrestricted-egress.md"), &egress::UnrestrictedEgress),
    (include_str!("../../../rules/egress/egress-not-allowed.md"), &egress::EgressNotAllowed),
    (include_str!("../../../rules/egress/broad-egress-wildcard.md"), &egress::BroadEgressWildcard),
];

fn loaded() -> &'static (Vec<RegisteredRule>, Vec<Page>) {
    static CELL: OnceLock<(Vec<RegisteredRule>, Vec<Page>)> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut rules = Vec::with_capacity(RULES.len());
        let mut pages = Vec::with_capacity(RULES.len());
        for (text, rule) in RULES {
            // Pages are compiled in and checked by the catalog test; a broken page is a
            // build defect, so it is skipped here rather than taking the tool down.
            let Ok(page) = parse_page(text) else { continue };
            rules.push(RegisteredRule {
                meta: page.meta.clone(),
                rule: *rule,
            });
            pages.push(page);
        }
        (rules, pages)
    })
}

/// Every rule with its metadata, in catalog order.
#[must_use]
pub fn rules() -> &'static [RegisteredRule] {
    &loaded().0
}

/// Every catalog page, in catalog order.
#[must_use]
pub fn pages() -> &'static [Page] {
    &loaded().1
}

/// The raw page texts, for the catalog test.
pub fn raw_pages() -> impl Iterator<Item = (&'static str, &'static str)> {
    RULES.iter().map(|(text, rule)| (*text, rule.id()))
}

//! `dependabot-code-execution`: `.github/dependabot.yml` lets Dependabot run code from
//! the manifests it updates (`insecure-external-code-execution: allow`), or names a
//! registry the package policy does not allow.

use tollgate_engine::{Context, Rule, Sink};
use tollgate_gha::Dependabot;
use tollgate_kb::Ecosystem;
use tollgate_model::{Confidence, Impact, PathHop};
use tollgate_scan::{FileModel, Input};

use super::policy::{Verdict, judge};

pub struct DependabotCodeExecution;

impl Rule for DependabotCodeExecution {
    fn id(&self) -> &'static str {
        "dependabot-code-execution"
    }

    fn check_input(&self, cx: &Context<'_>, input: &Input, out: &mut Sink<'_>) {
        let FileModel::Dependabot(d) = &*input.parsed else {
            return;
        };
        code_execution(input, d, out);
        registries(cx, input, d, out);
    }
}

fn code_execution(input: &Input, d: &Dependabot, out: &mut Sink<'_>) {
    for u in &d.updates {
        let Some(v) = &u.insecure_code_execution else {
            continue;
        };
        if !v.value.trim().eq_ignore_ascii_case("allow") {
            continue;
        }
        let creds = if u.registries.is_empty() {
            String::new()
        } else {
            format!(
                ", with the credentials of the registries it names ({})",
                u.registries
                    .iter()
                    .map(|r| format!("`{}`", crate::common::quoted(&r.value)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        out.at(&input.source, v.span)
            .message(format!(
                "`insecure-external-code-execution: allow` lets Dependabot run code from the `{}` manifests it updates{creds}: whoever can change a dependency's manifest or a manifest in the repository runs code in Dependabot's update job",
                crate::common::quoted(&u.ecosystem.value)
            ))
            .help("remove the line (the default is `deny`); where an update needs code to run (a `setup.py`, a gemspec that evaluates Ruby), vendor or pin that dependency instead")
            // the update → the permission to run code.
            .path([
                PathHop {
                    label: format!(
                        "Dependabot update `{}`",
                        crate::common::quoted(&u.ecosystem.value)
                    ),
                    location: Some(input.source.location(u.ecosystem.span)),
                },
                PathHop {
                    label: "runs code from the manifests it updates".to_owned(),
                    location: Some(input.source.location(v.span)),
                },
            ])
            .emit();
    }
}

/// The ecosystem of a Dependabot registry `type:` whose sources the package policy
/// judges; others (Docker, Maven, NuGet, Terraform, git) are not judged.
fn ecosystem(kind: &str) -> Option<Ecosystem> {
    Some(match kind {
        "npm-registry" => Ecosystem::Npm,
        "python-index" => Ecosystem::PyPI,
        "rubygems-server" => Ecosystem::RubyGems,
        "cargo-registry" => Ecosystem::Cargo,
        "goproxy-server" => Ecosystem::Go,
        _ => return None,
    })
}

fn registries(cx: &Context<'_>, input: &Input, d: &Dependabot, out: &mut Sink<'_>) {
    for r in &d.registries {
        let (Some(kind), Some(url)) = (&r.kind, &r.url) else {
            continue;
        };
        let Some(eco) = ecosystem(kind.value.trim()) else {
            continue;
        };
        if !matches!(judge(cx, Some(eco), url.value.trim()), Verdict::Unknown) {
            continue;
        }
        out.at(&input.source, url.span)
            .message(format!(
                "Dependabot registry `{}` (`{}`) at `{}` is not a source the package policy allows: updates would bring in packages from it",
                crate::common::quoted(&r.name.value),
                crate::common::quoted(&kind.value),
                crate::common::quoted(&url.value)
            ))
            .help("add the registry to `[policy.packages] allow` in `tollgate.toml` if it is yours, or remove it from `registries:`")
            .severity(Impact::Medium)
            .confidence(Confidence::Medium)
            // the registry → its address, outside the policy.
            .path([
                PathHop {
                    label: format!(
                        "Dependabot registry `{}`",
                        crate::common::quoted(&r.name.value)
                    ),
                    location: Some(input.source.location(r.name.span)),
                },
                PathHop {
                    label: "an address the package policy does not allow".to_owned(),
                    location: Some(input.source.location(url.span)),
                },
            ])
            .emit();
    }
}

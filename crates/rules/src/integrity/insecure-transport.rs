//! `insecure-transport`: plain `http://` or `git://` fetches, and TLS or signature
//! verification turned off, in run steps, `env:` blocks, lockfiles and registry config.
//!
//! Package sources fetched over plain HTTP (lockfile entries, registry configuration
//! entries, install commands' index options) are a query over the places the graph
//! records as naming a source; the settings that turn verification off belong to one
//! script, one `env:` block or one configuration file and are read there.

use tollgate_engine::{Context, JobCx, Rule, ScriptCx, Sink, StepCx, WorkflowCx};
use tollgate_gha::Env;
use tollgate_graph::Naming;
use tollgate_lockfile::SourceRole;
use tollgate_model::{Impact, SourceFile, Span};
use tollgate_scan::{FileModel, Input};
use tollgate_shell::{Fact, PackageKind};

use crate::sources::namings;

pub struct InsecureTransport;

fn plain(url: &str) -> bool {
    let mut u = url;
    while let Some(rest) = u.strip_prefix("git+") {
        u = rest;
    }
    u.starts_with("http://") || u.starts_with("git://") || u.starts_with("ftp://")
}

/// Loopback and link-local addresses (a local mirror in a service container, the cloud
/// instance metadata service at `169.254.169.254`, which only speaks plain HTTP) carry
/// no traffic over the network.
fn local(url: &str) -> bool {
    tollgate_model::addr::host_of(url).is_some_and(|h| {
        tollgate_model::addr::is_loopback(&h) || tollgate_model::addr::is_link_local(&h)
    })
}

/// What a command does to turn TLS verification off in a tool's own configuration, if it
/// does: `git config http.sslVerify false`, `git -c http.sslVerify=false …`,
/// `npm config set strict-ssl false` (also pnpm and Yarn 1), `yarn config set
/// enableStrictSsl false` (Yarn 2+).
fn insecure_config(c: &tollgate_shell::Command) -> Option<&'static str> {
    let name = c.name()?;
    let args: Vec<&str> = c.args().iter().map(|w| w.as_str().unwrap_or("")).collect();
    let off = |v: &str| {
        matches!(
            v.to_ascii_lowercase().as_str(),
            "false" | "0" | "no" | "off"
        )
    };
    let ssl_verify = |k: &str| {
        let k = k.to_ascii_lowercase();
        k.starts_with("http.") && k.ends_with(".sslverify")
    };
    match name {
        "git" => {
            let sub = c.git_subcommand();
            // `git -c http.sslVerify=false clone …`: an option before the subcommand.
            let before = &args[..sub.unwrap_or(args.len())];
            let inline = before.iter().any(|a| {
                a.split_once('=')
                    .is_some_and(|(k, v)| ssl_verify(k) && off(v))
            });
            let configured = sub.is_some_and(|i| args[i] == "config")
                && args.windows(2).any(|w| ssl_verify(w[0]) && off(w[1]));
            (inline || configured).then_some("turns off TLS verification for git")
        }
        "npm" | "pnpm" | "yarn" => {
            let set = args.windows(2).any(|w| w == ["config", "set"]);
            let strict = args
                .windows(2)
                .any(|w| matches!(w[0], "strict-ssl" | "enableStrictSsl") && off(w[1]))
                || args.iter().any(|a| {
                    a.split_once('=')
                        .is_some_and(|(k, v)| k == "strict-ssl" && off(v))
                });
            (set && strict).then_some("turns off TLS verification for the package manager")
        }
        _ => None,
    }
}

/// What an environment variable does when set to `value`, if it weakens transport security.
fn insecure_env(name: &str, value: &str) -> Option<&'static str> {
    let v = value.trim().to_ascii_lowercase();
    let on = !matches!(v.as_str(), "" | "0" | "false" | "no" | "off");
    match name {
        "GIT_SSL_NO_VERIFY" if on => Some("turns off TLS verification for git"),
        "NODE_TLS_REJECT_UNAUTHORIZED" if v == "0" => {
            Some("turns off TLS verification for Node.js")
        }
        "NPM_CONFIG_STRICT_SSL" | "npm_config_strict_ssl" if v == "false" => {
            Some("turns off TLS verification for npm")
        }
        "GOFLAGS" if v.contains("-insecure") => Some("lets go fetch modules over plain HTTP"),
        "GOINSECURE" if on => {
            Some("lets go fetch these modules without TLS or checksum verification")
        }
        "PIP_TRUSTED_HOST" | "UV_INSECURE_HOST" if on => {
            Some("turns off TLS verification for these pip hosts")
        }
        "PYTHONHTTPSVERIFY" if v == "0" => Some("turns off TLS verification in Python"),
        "CURL_SSL_NO_VERIFY" | "SSL_NO_VERIFY" if on => Some("turns off TLS verification"),
        _ if (name.ends_with("INDEX_URL") || name.ends_with("_REGISTRY") || name == "GOPROXY")
            && plain(value)
            && !local(value) =>
        {
            Some("points a package index at a plain-HTTP URL")
        }
        _ => None,
    }
}

fn check_env(file: &SourceFile, env: &Env, out: &mut Sink<'_>) {
    for v in &env.vars {
        if let Some(why) = insecure_env(&v.key.value, &v.value.value) {
            out.at(file, v.value.span)
                .message(format!("`{}={}` {why}", v.key.value, v.value.value))
                .help("remove the setting; fix the certificate chain (or add the CA with `NODE_EXTRA_CA_CERTS`, `SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE`) instead of turning verification off")
                .emit();
        }
    }
}

/// An install of local package files only, none of which the script downloads: packages
/// the pipeline built itself (`dnf --nogpgcheck localinstall ./build/*.rpm`), unsigned by
/// nature; skipping a signature check there opens nothing to the network.
fn built_here(i: &tollgate_shell::Install, a: &tollgate_shell::Analysis) -> bool {
    let base = |p: &str| p.rsplit('/').next().unwrap_or(p).to_owned();
    let downloaded: Vec<String> = a
        .facts
        .iter()
        .filter_map(|f| match f {
            Fact::Download(d) => d.output.as_deref().map(base),
            _ => None,
        })
        .collect();
    !i.packages.is_empty()
        && i.packages.iter().all(|p| {
            matches!(p.kind, PackageKind::LocalFile | PackageKind::Path)
                && !downloaded.contains(&base(&p.name))
        })
}

/// What a script's analysis shows: settings that turn verification off, downloads over
/// plain HTTP or without TLS verification, installs that skip verification. `map` takes
/// a span of `script` to the file.
fn script_findings(
    file: &SourceFile,
    script: &str,
    a: &tollgate_shell::Analysis,
    map: &dyn Fn(Span) -> Span,
    out: &mut Sink<'_>,
) {
    for c in &a.commands {
        if let Some(why) = insecure_config(c) {
            let text = script.get(c.span.range()).unwrap_or("");
            out.at(file, map(c.span))
                .message(format!("`{}` {why}", crate::common::quoted(text.trim())))
                .severity(Impact::High)
                .help("remove the setting; add the missing CA certificate instead (`git config http.sslCAInfo`, npm `cafile`)")
                .emit();
        }
    }
    for asg in a.assignments.iter().filter(|x| x.exported) {
        let value = asg
            .value
            .as_ref()
            .and_then(|w| w.text.as_deref())
            .unwrap_or("");
        if let Some(why) = insecure_env(&asg.name, value) {
            out.at(file, map(asg.span))
                .message(format!("`{}={value}` {why}", asg.name))
                .help("remove the setting; fix the certificate chain instead of turning verification off")
                .emit();
        }
    }
    for f in &a.facts {
        match f {
            Fact::Download(d) => {
                // `curl --unix-socket` talks to a local socket; the URL only names
                // the request path.
                let socket = a.commands.iter().any(|c| {
                    c.span == d.span
                        && c.args().iter().any(|w| {
                            w.as_str().is_some_and(|t| {
                                t.starts_with("--unix-socket")
                                    || t.starts_with("--abstract-unix-socket")
                            })
                        })
                });
                // `git://` (the shell facts' `plain_http` is about `http://`) has
                // neither encryption nor authentication either.
                let unencrypted = d.plain_http || d.url.as_deref().is_some_and(plain);
                if unencrypted
                    && !socket
                    && let Some(url) = d.url.as_deref().filter(|u| !local(u))
                {
                    out.at(file, map(d.url_span.unwrap_or(d.span)))
                        .message(format!("`{}` fetches `{url}` over an unencrypted connection", d.tool))
                        .severity(Impact::High)
                        .help("use `https://`; anyone on the network path can change what is downloaded")
                        .emit();
                }
                if d.insecure_tls {
                    out.at(file, map(d.span))
                        .message(format!("`{}` runs with TLS certificate verification turned off", d.tool))
                        .severity(Impact::High)
                        .help("drop `-k`/`--insecure`/`--no-check-certificate`; add the missing CA certificate instead")
                        .emit();
                }
            }
            Fact::Install(i) => {
                if !i.trusted_hosts.is_empty() {
                    out.at(file, map(i.span))
                        .message(format!(
                            "`{}` trusts `{}` without TLS verification (`--trusted-host`)",
                            i.manager,
                            i.trusted_hosts.join("`, `")
                        ))
                        .help("remove `--trusted-host` and serve the index over valid TLS")
                        .emit();
                } else if i.insecure
                    && !i
                        .env
                        .iter()
                        .any(|e| insecure_env(&e.name, e.value.as_deref().unwrap_or("")).is_some())
                    && !built_here(i, a)
                {
                    out.at(file, map(i.span))
                        .message(format!("`{}` runs with signature or TLS verification turned off", i.manager))
                        .help("remove the option that skips verification (`--nogpgcheck`, `--allow-untrusted`, `--allow-unauthenticated`)")
                        .emit();
                }
            }
            _ => {}
        }
    }
}

impl Rule for InsecureTransport {
    fn id(&self) -> &'static str {
        "insecure-transport"
    }

    fn check_workflow(&self, _cx: &Context<'_>, wf: &WorkflowCx<'_>, out: &mut Sink<'_>) {
        check_env(&wf.input.source, &wf.workflow.env, out);
    }

    fn check_job(&self, _cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        check_env(&job.input.source, &job.job.env, out);
    }

    fn check_step(&self, _cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        let file = &step.input.source;
        check_env(file, &step.step.env, out);
        let Some(a) = step.analysis() else { return };
        let script = step.step.run.as_ref().map_or("", |r| r.script.as_str());
        script_findings(file, script, a, &|span| step.script_span(span), out);
    }

    /// A GitLab job's scripts, judged as a step's are. (A Dockerfile's `RUN`s are not
    /// read by this rule yet.)
    fn check_script(&self, _cx: &Context<'_>, script: &ScriptCx<'_>, out: &mut Sink<'_>) {
        let ScriptCx::Gitlab(g) = script else { return };
        let Some(a) = script.analysis() else { return };
        script_findings(
            &script.input().source,
            &g.session.text,
            a,
            &|span| script.file_span(span),
            out,
        );
    }

    /// Settings in configuration files that turn TLS verification off (`strict-ssl=false`):
    /// one file's own setting, not a source.
    fn check_input(&self, _cx: &Context<'_>, input: &Input, out: &mut Sink<'_>) {
        let FileModel::Packages(p) = &*input.parsed else {
            return;
        };
        let file = &input.source;
        for s in p
            .sources
            .iter()
            .filter(|s| matches!(s.role, SourceRole::Setting))
        {
            if plain(&s.url) && !local(&s.url) {
                plain_source(file, s.span, &s.url, out);
            } else if s.insecure {
                out.at(file, s.span)
                    .message(format!("`{}` turns off TLS verification for package downloads", file.slice(s.span).trim()))
                    .severity(Impact::High)
                    .help("remove the setting and fix the certificate chain (npm `cafile`, pip `cert`) instead")
                    .emit();
            }
        }
    }

    /// Package sources fetched over plain HTTP, at every place that names one: each
    /// lockfile entry, configuration entry and install option.
    fn check_scan(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let g = cx.graph;
        for n in namings::included(cx) {
            let Some(s) = n.source.and_then(|id| namings::source(g, id)) else {
                continue;
            };
            let url = s.url;
            if !plain(url) || local(url) {
                continue;
            }
            let Some(input) = g.input(cx.scan, n.origin.input()) else {
                continue;
            };
            let file = &input.source;
            let hop = format!("{} `{url}`", s.kind.as_str());
            match &n.naming {
                Naming::Entry | Naming::Fork { .. } => {
                    let name = namings::package_name(g, n.from).unwrap_or_default();
                    out.at(file, n.origin.span())
                        .job(None)
                        .message(format!(
                            "`{name}` is resolved from `{url}` over an unencrypted connection"
                        ))
                        .severity(Impact::High)
                        .help("regenerate the lockfile against the registry's `https://` URL")
                        .path(namings::hops(g, n, hop))
                        .emit();
                }
                Naming::Config(_) => {
                    out.at(file, n.origin.span())
                        .job(None)
                        .message(format!("package source `{url}` is plain HTTP"))
                        .severity(Impact::High)
                        .help("use the registry's `https://` URL")
                        .path(namings::hops(g, n, hop))
                        .emit();
                }
                Naming::Index { .. } => {
                    let manager = match g.node(n.from).map(|x| &x.kind) {
                        Some(tollgate_graph::NodeKind::Command { tool, .. }) => tool.as_str(),
                        _ => continue,
                    };
                    out.at(file, n.origin.span())
                        .job(namings::job_of(g, n.from))
                        .message(format!(
                            "`{manager}` installs from `{url}` over an unencrypted connection"
                        ))
                        .severity(Impact::High)
                        .help("use the index's `https://` URL")
                        .path(namings::hops(g, n, hop))
                        .emit();
                }
                // `env:` variables are judged with the block's other settings.
                Naming::Env(_) | Naming::OutsidePath { .. } => {}
            }
        }
    }
}

/// A configuration entry that names a plain-HTTP source.
fn plain_source(file: &SourceFile, span: tollgate_model::Span, url: &str, out: &mut Sink<'_>) {
    out.at(file, span)
        .message(format!("package source `{url}` is plain HTTP"))
        .severity(Impact::High)
        .help("use the registry's `https://` URL")
        .emit();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_table() {
        assert!(insecure_env("GIT_SSL_NO_VERIFY", "true").is_some());
        assert!(insecure_env("GIT_SSL_NO_VERIFY", "false").is_none());
        assert!(insecure_env("NODE_TLS_REJECT_UNAUTHORIZED", "0").is_some());
        assert!(insecure_env("NODE_TLS_REJECT_UNAUTHORIZED", "1").is_none());
        assert!(insecure_env("GOFLAGS", "-mod=mod -insecure").is_some());
        assert!(insecure_env("PIP_INDEX_URL", "http://pypi.internal/simple").is_some());
        assert!(insecure_env("PIP_INDEX_URL", "http://localhost:3141/simple").is_none());
        assert!(insecure_env("PIP_INDEX_URL", "https://pypi.internal/simple").is_none());
        assert!(insecure_env("PIP_INDEX_URL", "http://169.254.169.254/simple").is_none());
    }

    #[test]
    fn loopback_and_link_local_addresses() {
        for url in [
            "http://localhost:4873/",
            "http://[::1]:8080/x",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fd00:ec2::254]/latest",
            "http://0.0.0.0:3141/root/pypi",
        ] {
            assert!(local(url), "{url}");
        }
        for url in [
            "http://169.255.0.1/",
            "http://pypi.internal/",
            "http://[::2]/",
        ] {
            assert!(!local(url), "{url}");
        }
    }
}

//! `rules/data/egress-hosts.toml` (the hosts each runner service, package manager,
//! ecosystem, container registry, action and publish tool needs) and
//! `rules/data/egress-shared-domains.toml` (shared hosting domains).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;

use crate::DataFile;
use crate::load::{Invalid, Sourced, cites};

pub const HOSTS_FILE: DataFile = DataFile {
    name: "egress-hosts.toml",
    text: include_str!("../../../rules/data/egress-hosts.toml"),
};
pub const SHARED_FILE: DataFile = DataFile {
    name: "egress-shared-domains.toml",
    text: include_str!("../../../rules/data/egress-shared-domains.toml"),
};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hosts {
    /// Named host lists, referenced as `@name` in any `hosts` list.
    #[serde(default)]
    pub groups: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub runner: Vec<RunnerEntry>,
    #[serde(default)]
    pub manager: Vec<ManagerEntry>,
    #[serde(default)]
    pub ecosystem: Vec<EcosystemEntry>,
    #[serde(default)]
    pub registry: Vec<RegistryEntry>,
    #[serde(default)]
    pub action: Vec<ActionEntry>,
    #[serde(default)]
    pub publish: Vec<PublishEntry>,
}

/// A GitHub service endpoint a job needs (a platform host).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunnerEntry {
    pub host: String,
    pub when: RunnerWhen,
    /// Why the runner reaches it: the provenance label of the host, shared by the
    /// reasons of every job the host is listed for.
    pub reason: Arc<str>,
    pub source: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunnerWhen {
    Always,
    RemoteActions,
}

/// The default hosts of a package manager's installs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagerEntry {
    pub name: String,
    pub hosts: Vec<String>,
    /// The port when it is not 443 (apt's archive over HTTP).
    pub port: Option<u16>,
    /// For an install inside a container: the Docker Hub official images (repository
    /// names, `ubuntu`, `debian`, …) whose package sources these hosts are. An entry
    /// without images is the runner's own configuration.
    #[serde(default)]
    pub images: Vec<String>,
    /// What else the manager may reach that only files tollgate does not read say (the
    /// repositories a `pom.xml` or `build.gradle` declares): reported as unresolved with
    /// every install by it.
    pub unresolved: Option<String>,
    pub source: String,
}

/// The hosts behind an ecosystem's default registry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EcosystemEntry {
    pub name: String,
    pub hosts: Vec<String>,
    pub source: String,
}

/// What pulling from a container registry reaches.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryEntry {
    /// An exact host or a `*` glob over the host.
    #[serde(rename = "match")]
    pub pattern: String,
    #[serde(default)]
    pub hosts: Vec<String>,
    /// The registry's own name is not contacted (`docker.io`).
    #[serde(default)]
    pub replace: bool,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ActionEntry {
    pub uses: String,
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub platform: Vec<String>,
    /// Hosts contacted only by calls whose failure the action survives.
    #[serde(default)]
    pub optional: Vec<String>,
    /// Hosts of a fallback path: contacted only when the action's primary source fails or
    /// lacks what is asked for (`fallback-when` says when, in words).
    #[serde(default)]
    pub fallback: Vec<String>,
    pub fallback_when: Option<String>,
    #[serde(default)]
    pub host_inputs: Vec<String>,
    #[serde(default)]
    pub image_inputs: Vec<String>,
    #[serde(default)]
    pub defaults: BTreeMap<String, String>,
    pub unresolved: Option<String>,
    pub source: String,
    #[serde(default)]
    pub when: Vec<When>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    pub input: String,
    #[serde(default)]
    pub present: bool,
    pub equals: Option<String>,
    pub contains: Option<String>,
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub platform: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishEntry {
    pub tool: String,
    pub hosts: Vec<String>,
    pub source: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shared {
    #[serde(default)]
    pub domain: Vec<SharedDomain>,
}

/// A shared hosting domain under which anyone can register a name.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedDomain {
    /// The shared parent, lowercase; a `*` label matches any one label.
    pub suffix: String,
    /// What anyone can create under it.
    pub what: String,
    pub source: String,
}

impl Hosts {
    /// Expand `@group` references in a host list, keeping order, without duplicates.
    #[must_use]
    pub fn expand(&self, hosts: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for h in hosts {
            let items: Vec<String> = match h.strip_prefix('@') {
                Some(g) => self.groups.get(g).cloned().unwrap_or_default(),
                None => vec![h.clone()],
            };
            for i in items {
                if !out.contains(&i) {
                    out.push(i);
                }
            }
        }
        out
    }

    /// The entry of a package manager by the name the recogniser reports, as the
    /// runner has it configured.
    #[must_use]
    pub fn manager(&self, name: &str) -> Option<&ManagerEntry> {
        self.manager
            .iter()
            .find(|m| m.name == name && m.images.is_empty())
    }

    /// The entry of a package manager run inside a container of `image` (a job
    /// `container:`, `docker run IMAGE …`, a Dockerfile stage's base): the image's own
    /// package sources when the data knows the image, else the runner's entry. `apt` and
    /// `aptitude` read apt's sources, so they share `apt-get`'s image entries.
    #[must_use]
    pub fn manager_in(&self, name: &str, image: Option<&str>) -> Option<&ManagerEntry> {
        let family = match name {
            "apt" | "aptitude" => "apt-get",
            other => other,
        };
        image
            .and_then(official_image)
            .and_then(|(repo, tag)| {
                // Alpine variants use apk, Windows variants no Linux manager at all.
                if ["alpine", "windowsservercore", "nanoserver"]
                    .iter()
                    .any(|v| tag.contains(v))
                {
                    return None;
                }
                self.manager
                    .iter()
                    .find(|m| m.name == family && m.images.iter().any(|i| i == repo))
            })
            .or_else(|| self.manager(name))
    }

    /// Whether what the manager named `name` reaches depends on the image it runs in: the
    /// data has image entries for it (apt reads the image's sources, not the runner's).
    #[must_use]
    pub fn depends_on_image(&self, name: &str) -> bool {
        let family = match name {
            "apt" | "aptitude" => "apt-get",
            other => other,
        };
        self.manager
            .iter()
            .any(|m| m.name == family && !m.images.is_empty())
    }

    /// The hosts an install by the manager named `name` reaches when it names no index,
    /// run in `image` (or on the runner): the image's own sources when the data knows the
    /// image; `None` when the scripts always run in an image (`in_image`: a GitLab job)
    /// and this manager's sources are the image's but the data does not know the image.
    #[must_use]
    pub fn manager_hosts_in(
        &self,
        name: &str,
        image: Option<&str>,
        in_image: bool,
    ) -> Option<(Vec<String>, Option<u16>)> {
        let m = self.manager_in(name, image)?;
        if in_image && m.images.is_empty() && self.depends_on_image(name) {
            return None;
        }
        Some((self.expand(&m.hosts), m.port))
    }

    /// The hosts an install by the manager named `name` reaches when it names no index:
    /// its `[[manager]]` hosts with groups expanded, in the data's order.
    #[must_use]
    pub fn manager_hosts(&self, name: &str) -> Vec<String> {
        self.manager(name)
            .map(|m| self.expand(&m.hosts))
            .unwrap_or_default()
    }

    /// The entry of an ecosystem (`npm`, `pypi`, `cargo`, `go`, `rubygems`).
    #[must_use]
    pub fn ecosystem(&self, name: &str) -> Option<&EcosystemEntry> {
        self.ecosystem.iter().find(|m| m.name == name)
    }

    #[must_use]
    pub fn publish(&self, tool: &str) -> Option<&PublishEntry> {
        self.publish.iter().find(|m| m.tool == tool)
    }

    /// A `@group` that names no group.
    fn unknown_group<'a>(&self, hosts: &'a [String]) -> Option<&'a str> {
        hosts
            .iter()
            .filter_map(|h| h.strip_prefix('@'))
            .find(|g| !self.groups.contains_key(*g))
    }

    fn hosts_ok(&self, hosts: &[String], near: &str) -> Result<(), Invalid> {
        match self.unknown_group(hosts) {
            Some(g) => Err(Invalid::new(
                near,
                format!("`{near}` names unknown group `@{g}`"),
            )),
            None => Ok(()),
        }
    }
}

/// A Docker Hub official image's repository name and tag (`ubuntu`, `24.04`) from a
/// reference (`ubuntu:24.04`, `docker.io/library/ubuntu`, `python:3.12-slim@sha256:…`);
/// `None` for any other registry or namespace.
fn official_image(reference: &str) -> Option<(&str, &str)> {
    let r = without_dependency_proxy(reference.trim());
    let r = r
        .strip_prefix("docker.io/")
        .or_else(|| r.strip_prefix("index.docker.io/"))
        .unwrap_or(r);
    let r = r.strip_prefix("library/").unwrap_or(r);
    let r = r.split_once('@').map_or(r, |(n, _)| n);
    if r.contains('/') {
        return None;
    }
    let (repo, tag) = r.split_once(':').unwrap_or((r, "latest"));
    (!repo.is_empty()).then_some((repo, tag))
}

/// `reference` without a leading GitLab dependency proxy prefix
/// (`$CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX/`, `${CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX}/`,
/// or a variable of the project's own whose name says it is one): the proxy serves Docker
/// Hub's images, so `…/node:24` is Docker Hub's `node:24`.
fn without_dependency_proxy(reference: &str) -> &str {
    let Some(rest) = reference.strip_prefix('$') else {
        return reference;
    };
    let (name, after) = match rest.strip_prefix('{') {
        Some(braced) => match braced.split_once('}') {
            Some(parts) => parts,
            None => return reference,
        },
        None => {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            rest.split_at(end)
        }
    };
    if name.contains("DEPENDENCY_PROXY") {
        after.strip_prefix('/').unwrap_or(after)
    } else {
        reference
    }
}

impl Sourced for Hosts {
    fn check(&self) -> Result<(), Invalid> {
        for r in &self.runner {
            cites(&r.source, &r.host)?;
            if r.reason.trim().is_empty() {
                return Err(Invalid::new(&r.host, "a runner host needs a `reason`"));
            }
        }
        for m in &self.manager {
            cites(&m.source, &m.name)?;
            self.hosts_ok(&m.hosts, &m.name)?;
            if self.expand(&m.hosts).is_empty() {
                return Err(Invalid::new(&m.name, format!("`{}` lists no host", m.name)));
            }
        }
        for e in &self.ecosystem {
            cites(&e.source, &e.name)?;
            self.hosts_ok(&e.hosts, &e.name)?;
        }
        for r in &self.registry {
            cites(&r.source, &r.pattern)?;
            self.hosts_ok(&r.hosts, &r.pattern)?;
        }
        for a in &self.action {
            cites(&a.source, &a.uses)?;
            self.hosts_ok(&a.hosts, &a.uses)?;
            self.hosts_ok(&a.platform, &a.uses)?;
            self.hosts_ok(&a.fallback, &a.uses)?;
            if a.fallback.is_empty() != a.fallback_when.is_none() {
                return Err(Invalid::new(
                    &a.uses,
                    format!("`{}`: `fallback` and `fallback-when` go together", a.uses),
                ));
            }
            for w in &a.when {
                self.hosts_ok(&w.hosts, &a.uses)?;
                self.hosts_ok(&w.platform, &a.uses)?;
            }
        }
        for p in &self.publish {
            cites(&p.source, &p.tool)?;
            self.hosts_ok(&p.hosts, &p.tool)?;
        }
        Ok(())
    }
}

impl Sourced for Shared {
    fn check(&self) -> Result<(), Invalid> {
        for d in &self.domain {
            cites(&d.source, &d.suffix)?;
            if d.suffix != d.suffix.to_ascii_lowercase() {
                return Err(Invalid::new(&d.suffix, "a shared suffix is lowercase"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load;

    #[test]
    fn an_unknown_group_is_reported_on_its_line() {
        let text = "[groups]\na = [\"x\"]\n\n[[manager]]\nname = \"m\"\nhosts = [\"@b\"]\nsource = \"https://d\"\n";
        let err = load::<Hosts>("egress-hosts.toml", text).expect_err("unknown group");
        assert_eq!(err.line, 5, "{err}");
        assert!(err.message.contains("@b"), "{err}");
    }

    #[test]
    fn installs_in_a_container_use_the_images_sources() {
        let h = crate::egress_hosts();
        let hosts = |name: &str, image: Option<&str>| {
            h.manager_in(name, image)
                .map(|m| (h.expand(&m.hosts), m.port))
                .unwrap_or_default()
        };
        let runner = hosts("apt-get", None);
        assert!(runner.0.contains(&"azure.archive.ubuntu.com".to_owned()));
        // Ubuntu's image has no Azure mirror; Debian's and the Debian-based official
        // language images read deb.debian.org; all over HTTP.
        for image in ["ubuntu:latest", "docker.io/library/ubuntu:24.04", "ubuntu"] {
            let (u, port) = hosts("apt-get", Some(image));
            assert_eq!(u, ["archive.ubuntu.com", "security.ubuntu.com"], "{image}");
            assert_eq!(port, Some(80));
        }
        assert_eq!(hosts("apt", Some("python:3.12-slim")).0, ["deb.debian.org"]);
        assert_eq!(
            hosts("aptitude", Some("debian@sha256:0123")).0,
            ["deb.debian.org"]
        );
        // Alpine variants, other namespaces and registries, and unknown images: the
        // runner's entry (the image's sources are not known).
        for image in [
            "python:3.12-alpine",
            "ghcr.io/o/ubuntu:1",
            "me/ubuntu",
            "centos:7",
        ] {
            assert_eq!(hosts("apt-get", Some(image)), runner, "{image}");
        }
        assert_eq!(official_image("ubuntu"), Some(("ubuntu", "latest")));
        assert_eq!(official_image("quay.io/x/y:1"), None);
        // GitLab's dependency proxy serves Docker Hub's images under a prefix variable.
        for image in [
            "$CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX/node:24-slim",
            "${CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX}/node:24-slim",
            "${GITLAB_DEPENDENCY_PROXY}node:24-slim",
        ] {
            assert_eq!(official_image(image), Some(("node", "24-slim")), "{image}");
            assert!(h.depends_on_image("apt"));
            assert_eq!(
                hosts("apt-get", Some(image)).0,
                ["deb.debian.org"],
                "{image}"
            );
        }
        // Another variable is another registry, not known.
        assert_eq!(official_image("$CI_REGISTRY_IMAGE/node:24"), None);
        assert!(!h.depends_on_image("pip"));
    }
}

//! The words and colours of the overview's nodes: group names (hosts by service or
//! domain), what a group's label says about its members, events by who can fire them.

use std::collections::BTreeSet;

use super::{Group, LISTED, OTHERS, OverviewKind, OverviewNode, Tone};
use crate::model::{EdgeKind, Trust};

/// The registrable part of a host name, near enough for grouping: the last two labels,
/// three under a two-letter country code with a generic second level (`co.uk`, `com.au`).
pub(super) fn domain(host: &str) -> String {
    let host = host.trim_start_matches("*.");
    let labels: Vec<&str> = host.split('.').collect();
    let n = labels.len();
    if n <= 2 {
        return host.to_owned();
    }
    let second = labels[n - 2];
    let keep = if labels[n - 1].len() == 2
        && matches!(second, "co" | "com" | "net" | "org" | "gov" | "ac" | "edu")
    {
        3
    } else {
        2
    };
    labels[n - keep..].join(".")
}

/// The knowledge base's host groups that are one service, with the name drawn for it:
/// Docker Hub's five pull hosts are one node, not three domains.
pub(super) const SERVICES: [(&str, &str); 6] = [
    ("docker-hub", "Docker Hub"),
    ("pypi", "PyPI"),
    ("npm", "npm registry"),
    ("crates-io", "crates.io"),
    ("rubygems", "RubyGems.org"),
    ("go-proxy", "Go module proxy"),
];

/// The service a host belongs to (`rules/data/egress-hosts.toml` `[groups]`), if one.
pub(super) fn service(host: &str) -> Option<&'static str> {
    let groups = &tollgate_kb::egress_hosts().groups;
    SERVICES
        .iter()
        .find(|(group, _)| {
            groups
                .get(*group)
                .is_some_and(|hosts| hosts.iter().any(|h| h.eq_ignore_ascii_case(host)))
        })
        .map(|(_, name)| *name)
}

/// `a, b, c` or `a, b, c +4`.
pub(super) fn list(items: &[String]) -> String {
    let shown: Vec<&str> = items.iter().take(LISTED).map(String::as_str).collect();
    let more = items.len().saturating_sub(LISTED);
    if more > 0 {
        format!("{} +{more}", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

pub(super) fn event_node(event: &str, trust: Trust, privileged: bool) -> OverviewNode {
    let who = match trust {
        Trust::Anyone => "anyone",
        Trust::Collaborators => "collaborators",
        Trust::Scheduled => "scheduled",
        Trust::Caller => "its caller",
        Trust::Unknown => "unknown",
    };
    let risky = trust == Trust::Anyone && privileged;
    let mut lines = vec![format!("on: {event}")];
    lines.push(if risky {
        "anyone, with write token and secrets".to_owned()
    } else {
        format!("fired by {who}")
    });
    OverviewNode {
        kind: OverviewKind::Event,
        lines,
        tone: match trust {
            Trust::Anyone if privileged => Tone::Risk,
            Trust::Anyone => Tone::Caution,
            _ => Tone::Plain,
        },
        details: Vec::new(),
        at: None,
    }
}

pub(super) fn group_node(kind: OverviewKind, key: &str, g: &Group) -> OverviewNode {
    let members: Vec<String> = g.members.iter().cloned().collect();
    let n = members.len();
    let mut lines = Vec::new();
    let tone = match kind {
        OverviewKind::Actions if key == OTHERS => {
            let owners: BTreeSet<&str> =
                members.iter().filter_map(|m| m.split('/').next()).collect();
            lines.push(format!("{} more owners", owners.len()));
            lines.push(format!("{n} references, all pinned"));
            Tone::Good
        }
        OverviewKind::Code => {
            lines.push(format!("untrusted code: {key}"));
            lines.push("checked out or fetched".to_owned());
            Tone::Risk
        }
        OverviewKind::Hosts if key == OTHERS => {
            lines.push(format!("{n} more hosts"));
            lines.push("one under each domain".to_owned());
            Tone::Plain
        }
        OverviewKind::Actions | OverviewKind::Images => {
            // How many of the references or images cannot move.
            let (name, what, fixed) = if kind == OverviewKind::Actions {
                (format!("{key}/*"), "reference", "pinned")
            } else {
                (key.to_owned(), "image", "by digest")
            };
            lines.push(name);
            lines.push(format!(
                "{n} {what}{}, {} {fixed}",
                if n == 1 { "" } else { "s" },
                n - g.mutable.len()
            ));
            if g.mutable.is_empty() {
                Tone::Good
            } else {
                Tone::Caution
            }
        }
        // GitLab's own templates are versioned with the instance: nothing to pin.
        OverviewKind::Includes if key == "template" => {
            lines.push("include: template".to_owned());
            lines.push(format!(
                "{n} GitLab template{}",
                if n == 1 { "" } else { "s" }
            ));
            Tone::Plain
        }
        OverviewKind::Includes => {
            lines.push(format!("include: {key}"));
            lines.push(format!(
                "{n} include{}, {} pinned",
                if n == 1 { "" } else { "s" },
                n - g.mutable.len()
            ));
            if g.mutable.is_empty() {
                Tone::Good
            } else {
                Tone::Caution
            }
        }
        OverviewKind::Sources => {
            lines.push(format!("{key} sources"));
            let hosts: Vec<String> = members
                .iter()
                .map(|u| crate::util::host_of(u).unwrap_or_else(|| u.clone()))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            lines.push(list(&hosts));
            if !g.unusual.is_empty() {
                lines.push(format!("{} not the default registry", g.unusual.len()));
            }
            Tone::Plain
        }
        OverviewKind::Hosts => {
            let named = SERVICES.iter().any(|(_, name)| *name == key);
            if named {
                lines.push(key.to_owned());
                lines.push(if n <= 2 {
                    list(&members)
                } else {
                    format!("{n} hosts")
                });
            } else if n <= LISTED {
                lines.push(list(&members));
            } else {
                lines.push(format!("*.{key}"));
                lines.push(format!("{n} hosts"));
            }
            Tone::Plain
        }
        _ => {
            lines.push(key.to_owned());
            Tone::Plain
        }
    };
    OverviewNode {
        kind,
        lines,
        tone,
        details: members,
        at: None,
    }
}

pub(super) const fn edge_kind(kind: OverviewKind) -> EdgeKind {
    match kind {
        OverviewKind::Actions | OverviewKind::Includes => EdgeKind::Uses,
        OverviewKind::Images => EdgeKind::Pulls,
        OverviewKind::Sources => EdgeKind::ResolvesFrom,
        OverviewKind::Hosts => EdgeKind::Reaches,
        OverviewKind::Code => EdgeKind::ChecksOut,
        _ => EdgeKind::Contains,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_group_by_registrable_domain() {
        for (host, want) in [
            ("registry-1.docker.io", "docker.io"),
            ("docker.io", "docker.io"),
            ("*.actions.githubusercontent.com", "githubusercontent.com"),
            ("files.pythonhosted.org", "pythonhosted.org"),
            ("archive.example.co.uk", "example.co.uk"),
            ("a.b.example.de", "example.de"),
            ("localhost", "localhost"),
        ] {
            assert_eq!(domain(host), want, "{host}");
        }
    }

    #[test]
    fn hosts_of_one_service_are_one_group() {
        assert_eq!(
            service("production.cloudfront.docker.com"),
            Some("Docker Hub")
        );
        assert_eq!(service("registry-1.docker.io"), Some("Docker Hub"));
        assert_eq!(service("files.pythonhosted.org"), Some("PyPI"));
        // github.com is not one service's host: the runner, git and releases share it.
        assert_eq!(service("github.com"), None);
        assert_eq!(service("downloads.example.org"), None);
    }

    #[test]
    fn long_lists_are_counted() {
        let v: Vec<String> = ["a", "b", "c", "d", "e"].map(str::to_owned).to_vec();
        assert_eq!(list(&v), "a, b, c +2");
        assert_eq!(list(&v[..2]), "a, b");
    }
}

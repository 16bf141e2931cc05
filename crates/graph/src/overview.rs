//! The overview a reviewer reads first: one node per event, workflow and job, and the
//! job's external dependencies grouped (actions by owner with their pin state, images by
//! registry, package sources per ecosystem, hosts by domain), what each job holds written
//! on it, edges merged. A real repository's full graph has thousands of nodes; this has
//! the few dozen a page can show. Renderers draw it (`tollgate graph --view overview`).

use std::collections::{BTreeMap, BTreeSet};

use crate::graph::Graph;
use crate::model::{Access, EdgeKind, ImagePin, NodeId, NodeKind, Target, Trust};

/// What an overview node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OverviewKind {
    /// An event of `on:`, shared by the workflows it starts.
    Event,
    Workflow,
    /// A job, or jobs of one workflow with the same dependencies and holdings.
    Job,
    /// Remote actions and reusable workflows of one owner.
    Actions,
    /// Images from one registry.
    Images,
    /// Package sources of one ecosystem.
    Sources,
    /// Hosts under one domain.
    Hosts,
    /// Untrusted code a job checks out or fetches (the trust view).
    Code,
    /// A toolchain a setup action or script downloads (the supply view).
    Toolchain,
    /// What a dependency falls back on when it fails: cache, mirror, vendored copy,
    /// retry (the supply view).
    Fallback,
}

/// Which overview: everything, or the attack surface (`Trust`): the events anyone can
/// fire, the workflows they start and the workflows those call, each job with what it
/// holds, and the untrusted code the jobs check out, without the other dependencies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverviewScope {
    All,
    Trust,
}

impl OverviewKind {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Event => "event",
            Self::Workflow => "workflow",
            Self::Job => "job",
            Self::Actions => "actions",
            Self::Images => "images",
            Self::Sources => "sources",
            Self::Hosts => "hosts",
            Self::Code => "code",
            Self::Toolchain => "toolchain",
            Self::Fallback => "fallback",
        }
    }
}

/// How a node should catch the eye: what needs a reviewer's attention is `Risk`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tone {
    Plain,
    /// Fine as it is: every action pinned, every image by digest.
    Good,
    /// Worth a look: something mutable, a write permission, secrets.
    Caution,
    /// An event anyone can fire that runs with the base repository's token and secrets,
    /// a job that holds OIDC or write access and runs on such an event.
    Risk,
}

/// One node of the overview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverviewNode {
    pub kind: OverviewKind,
    /// Lines of the label, the first the name.
    pub lines: Vec<String>,
    pub tone: Tone,
    /// What the node stands for, one item a line (the grouped references, the merged
    /// jobs): for tooltips.
    pub details: Vec<String>,
    /// The graph node where it is written (a workflow, a job), for links.
    pub at: Option<NodeId>,
}

/// An edge of the overview: `from` and `to` index [`Overview::nodes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct OverviewEdge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    /// Drawn as a warning, with `note` on it (the supply view: a dependency taken on
    /// without a fallback).
    pub note: Option<&'static str>,
}

/// The overview of a graph (see the module documentation).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overview {
    pub nodes: Vec<OverviewNode>,
    pub edges: Vec<OverviewEdge>,
}

/// Items listed in a group's label; more are counted.
const LISTED: usize = 3;

/// Job rows one page holds with legible labels (about 4,000 pixels at Graphviz's default
/// 96 DPI, 40 to 50 a row); past it, workflows stand for their jobs.
pub const MAX_JOB_ROWS: usize = 70;

/// Group rows past which small groups fold (see [`Graph::overview`]).
pub const MAX_GROUP_ROWS: usize = 40;

/// The key of a folded group.
const OTHERS: &str = "";

/// Workflows drawn as one node share their events and what their jobs lead to.
type WorkflowKey = (Vec<String>, Leads);

/// What several jobs lead to together, and hold together.
fn union<'a>(all: impl Iterator<Item = &'a Leads>) -> Leads {
    let mut u = Leads {
        groups: BTreeSet::new(),
        calls: BTreeSet::new(),
        holds: Vec::new(),
        tone: Tone::Plain,
    };
    for l in all {
        u.groups.extend(l.groups.iter().cloned());
        u.calls.extend(l.calls.iter().copied());
        for h in &l.holds {
            if !u.holds.contains(h) {
                u.holds.push(h.clone());
            }
        }
        u.tone = u.tone.max(l.tone);
    }
    u
}

/// A group of external dependencies while it is being collected.
#[derive(Default)]
struct Group {
    members: BTreeSet<String>,
    /// Members that are not pinned to immutable content.
    mutable: BTreeSet<String>,
    /// Members that are not the ecosystem's default registry (sources).
    unusual: BTreeSet<String>,
}

/// What one job leads to, before jobs with the same leads are merged.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Leads {
    groups: BTreeSet<(OverviewKind, String)>,
    /// Local workflows it calls (their graph nodes).
    calls: BTreeSet<NodeId>,
    holds: Vec<String>,
    tone: Tone,
}

/// The registrable part of a host name, near enough for grouping: the last two labels,
/// three under a two-letter country code with a generic second level (`co.uk`, `com.au`).
fn domain(host: &str) -> String {
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
const SERVICES: [(&str, &str); 6] = [
    ("docker-hub", "Docker Hub"),
    ("pypi", "PyPI"),
    ("npm", "npm registry"),
    ("crates-io", "crates.io"),
    ("rubygems", "RubyGems.org"),
    ("go-proxy", "Go module proxy"),
];

/// The service a host belongs to (`rules/data/egress-hosts.toml` `[groups]`), if one.
fn service(host: &str) -> Option<&'static str> {
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

impl Graph {
    /// The overview of the workflows `workflows` (every workflow when empty) and the
    /// local workflows they call.
    #[must_use]
    pub fn overview(&self, workflows: &[NodeId]) -> Overview {
        self.overview_of(workflows, OverviewScope::All)
    }

    /// The trust view of the workflows `workflows` (every workflow anyone can start
    /// when empty): see [`OverviewScope::Trust`].
    #[must_use]
    pub fn trust_overview(&self, workflows: &[NodeId]) -> Overview {
        let outsiders: Vec<NodeId> = self
            .workflows()
            .filter(|w| workflows.is_empty() || workflows.contains(w))
            .filter(|w| {
                self.events_of(*w)
                    .iter()
                    .any(|(_, trust, _)| *trust == Trust::Anyone)
            })
            .collect();
        if outsiders.is_empty() {
            return Overview::default();
        }
        self.overview_of(&outsiders, OverviewScope::Trust)
    }

    fn overview_of(&self, workflows: &[NodeId], scope: OverviewScope) -> Overview {
        let mut chosen: Vec<NodeId> = if workflows.is_empty() {
            self.workflows().collect()
        } else {
            workflows.to_vec()
        };
        let mut groups: BTreeMap<(OverviewKind, String), Group> = BTreeMap::new();
        // Per workflow, its jobs' leads in job order; called workflows join the list.
        let mut per_workflow: Vec<(NodeId, Vec<(NodeId, Leads)>)> = Vec::new();
        let mut k = 0;
        let mut listed: BTreeSet<NodeId> = chosen.iter().copied().collect();
        while k < chosen.len() {
            let w = chosen[k];
            k += 1;
            let mut jobs = Vec::new();
            for j in self.jobs_of(w) {
                let leads = self.overview_leads(j, &mut groups, scope);
                for &c in &leads.calls {
                    if listed.insert(c) {
                        chosen.push(c);
                    }
                }
                jobs.push((j, leads));
            }
            per_workflow.push((w, jobs));
        }

        let rows: usize = per_workflow
            .iter()
            .map(|(_, jobs)| jobs.iter().map(|(_, l)| l).collect::<BTreeSet<_>>().len())
            .sum();
        let compact = rows > MAX_JOB_ROWS;
        let mut ov = Overview::default();
        // The node each workflow is drawn in.
        let mut workflow_index: BTreeMap<NodeId, usize> = BTreeMap::new();
        if compact {
            // Past a page, a workflow stands for its jobs, and workflows started by the
            // same events that lead to the same things are one node.
            let mut merged: BTreeMap<WorkflowKey, Vec<(NodeId, usize)>> = BTreeMap::new();
            let mut order = Vec::new();
            for (w, jobs) in &per_workflow {
                let events: Vec<String> = self.events_of(*w).into_iter().map(|e| e.0).collect();
                let key = (events, union(jobs.iter().map(|(_, l)| l)));
                let entry = merged.entry(key.clone()).or_default();
                if entry.is_empty() {
                    order.push(key);
                }
                entry.push((*w, jobs.len()));
            }
            for key in &order {
                let members = &merged[key];
                let i = ov.nodes.len();
                ov.nodes.push(self.overview_workflows(members, &key.1));
                for (w, _) in members {
                    workflow_index.insert(*w, i);
                }
            }
        } else {
            for (w, _) in &per_workflow {
                workflow_index.insert(*w, ov.nodes.len());
                ov.nodes.push(self.overview_workflow(*w));
            }
        }
        // Events, one node each, shared by the workflows they start.
        let mut events: BTreeMap<String, usize> = BTreeMap::new();
        for (w, _) in &per_workflow {
            for (event, trust, privileged) in self.events_of(*w) {
                if scope == OverviewScope::Trust && trust != Trust::Anyone {
                    continue;
                }
                let e = *events.entry(event.clone()).or_insert_with(|| {
                    ov.nodes.push(event_node(&event, trust, privileged));
                    ov.nodes.len() - 1
                });
                ov.edges.push(OverviewEdge {
                    from: e,
                    to: workflow_index[w],
                    kind: EdgeKind::Triggers,
                    note: None,
                });
            }
        }
        // Groups, one node each; past a page, the small ones that need no look (owners
        // whose actions are all pinned, domains of one host) fold into one node a kind.
        let fold = groups.len() > MAX_GROUP_ROWS;
        let mut folded: BTreeMap<(OverviewKind, String), Group> = BTreeMap::new();
        let mut renamed: BTreeMap<(OverviewKind, String), (OverviewKind, String)> = BTreeMap::new();
        for (key, g) in groups {
            let small = match key.0 {
                OverviewKind::Actions => g.mutable.is_empty() && g.members.len() <= 2,
                OverviewKind::Hosts => g.members.len() == 1,
                _ => false,
            };
            let to = if fold && small {
                (key.0, String::from(OTHERS))
            } else {
                key.clone()
            };
            let into = folded.entry(to.clone()).or_default();
            into.members.extend(g.members);
            into.mutable.extend(g.mutable);
            into.unusual.extend(g.unusual);
            renamed.insert(key, to);
        }
        let mut group_index: BTreeMap<(OverviewKind, String), usize> = BTreeMap::new();
        for (key, g) in &folded {
            let i = ov.nodes.len();
            ov.nodes.push(group_node(key.0, &key.1, g));
            group_index.insert(key.clone(), i);
        }
        for (from, to) in &renamed {
            group_index.insert(from.clone(), group_index[to]);
        }
        let leads_edges = |ov: &mut Overview, from: usize, leads: &Leads| {
            for key in &leads.groups {
                ov.edges.push(OverviewEdge {
                    from,
                    to: group_index[key],
                    kind: edge_kind(key.0),
                    note: None,
                });
            }
            for c in &leads.calls {
                if let Some(&to) = workflow_index.get(c)
                    && to != from
                {
                    ov.edges.push(OverviewEdge {
                        from,
                        to,
                        kind: EdgeKind::Uses,
                        note: None,
                    });
                }
            }
        };
        for (w, jobs) in &per_workflow {
            if compact {
                let u = union(jobs.iter().map(|(_, l)| l));
                leads_edges(&mut ov, workflow_index[w], &u);
                continue;
            }
            // Jobs, merged when one workflow's jobs lead to the same things and hold
            // the same.
            let mut merged: BTreeMap<&Leads, Vec<NodeId>> = BTreeMap::new();
            let mut order: Vec<&Leads> = Vec::new();
            for (j, leads) in jobs {
                let entry = merged.entry(leads).or_default();
                if entry.is_empty() {
                    order.push(leads);
                }
                entry.push(*j);
            }
            for leads in order {
                let i = ov.nodes.len();
                ov.nodes.push(self.overview_job(&merged[leads], leads));
                ov.edges.push(OverviewEdge {
                    from: workflow_index[w],
                    to: i,
                    kind: EdgeKind::Contains,
                    note: None,
                });
                leads_edges(&mut ov, i, leads);
            }
        }
        ov.edges.sort();
        ov.edges.dedup();
        ov
    }

    /// The groups a job's dependencies fall in, the local workflows it calls and what
    /// it holds. Called workflows are not entered: their jobs are drawn on their own.
    fn overview_leads(
        &self,
        job: NodeId,
        groups: &mut BTreeMap<(OverviewKind, String), Group>,
        scope: OverviewScope,
    ) -> Leads {
        let mut leads = Leads {
            groups: BTreeSet::new(),
            calls: BTreeSet::new(),
            holds: Vec::new(),
            tone: Tone::Plain,
        };
        let mut seen: BTreeSet<NodeId> = BTreeSet::new();
        let mut stack = vec![job];
        while let Some(n) = stack.pop() {
            for (e, t) in self.outgoing(n) {
                if !matches!(
                    e.kind,
                    EdgeKind::Contains
                        | EdgeKind::Uses
                        | EdgeKind::Runs
                        | EdgeKind::Installs
                        | EdgeKind::ResolvesFrom
                        | EdgeKind::Pulls
                        | EdgeKind::Reaches
                        | EdgeKind::ChecksOut
                ) || !seen.insert(t)
                {
                    continue;
                }
                let Some(node) = self.node(t) else { continue };
                let mut follow = true;
                let found: Option<(OverviewKind, String, String, bool, bool)> = match &node.kind {
                    NodeKind::Action { target, .. } | NodeKind::ReusableWorkflow { target } => {
                        match target {
                            Target::Remote(r) => Some((
                                OverviewKind::Actions,
                                r.owner.to_ascii_lowercase(),
                                r.reference.clone(),
                                !r.is_pinned(),
                                false,
                            )),
                            Target::Local { file, .. } => {
                                if matches!(node.kind, NodeKind::ReusableWorkflow { .. }) {
                                    follow = false;
                                    if let Some(w) = file
                                        .as_deref()
                                        .and_then(|f| self.input_id(f))
                                        .and_then(|i| self.file_node(i))
                                    {
                                        leads.calls.insert(w);
                                    }
                                }
                                None
                            }
                        }
                    }
                    NodeKind::Image { reference } => {
                        let registry = crate::util::image_host(reference)
                            .unwrap_or_else(|| "chosen at run time".to_owned());
                        let pin = ImagePin::of(reference);
                        Some((
                            OverviewKind::Images,
                            registry,
                            reference.clone(),
                            matches!(pin, ImagePin::Tag | ImagePin::Floating),
                            false,
                        ))
                    }
                    NodeKind::Source {
                        ecosystem,
                        url,
                        default,
                        ..
                    } => Some((
                        OverviewKind::Sources,
                        ecosystem.map_or("other", |e| e.as_str()).to_owned(),
                        url.clone(),
                        false,
                        !default,
                    )),
                    NodeKind::Host { name } => Some((
                        OverviewKind::Hosts,
                        service(name).map_or_else(|| domain(name), str::to_owned),
                        name.clone(),
                        false,
                        false,
                    )),
                    NodeKind::Code { what } => {
                        Some((OverviewKind::Code, what.clone(), what.clone(), false, false))
                    }
                    // A local reusable workflow the job calls.
                    NodeKind::Workflow { .. } => {
                        follow = false;
                        leads.calls.insert(t);
                        None
                    }
                    _ => None,
                };
                let found = found
                    .filter(|f| (scope == OverviewScope::Trust) == (f.0 == OverviewKind::Code));
                if let Some((kind, key, member, mutable, unusual)) = found {
                    let g = groups.entry((kind, key.clone())).or_default();
                    g.members.insert(member.clone());
                    if mutable {
                        g.mutable.insert(member.clone());
                    }
                    if unusual {
                        g.unusual.insert(member);
                    }
                    leads.groups.insert((kind, key));
                }
                if follow {
                    stack.push(t);
                }
            }
        }
        self.overview_holdings(job, &mut leads);
        leads
    }

    /// What the job holds, in words, and the tone that earns.
    fn overview_holdings(&self, job: NodeId, leads: &mut Leads) {
        let h = self.holds(job);
        let mut writes: Vec<String> = Vec::new();
        let mut default_token = false;
        for p in &h.permissions {
            if let Some(NodeKind::Permission { scope, access }) = self.node(p.node).map(|n| &n.kind)
            {
                match access {
                    Access::Write => writes.push(scope.clone()),
                    Access::RepositoryDefault => default_token = true,
                    Access::Read => {}
                }
            }
        }
        writes.sort();
        writes.dedup();
        let mut secrets: Vec<String> = h
            .secrets
            .iter()
            .filter_map(|s| match self.node(s.node).map(|n| &n.kind) {
                Some(NodeKind::Secret { name }) => {
                    Some(name.clone().unwrap_or_else(|| "all secrets".to_owned()))
                }
                _ => None,
            })
            .collect();
        secrets.sort();
        secrets.dedup();
        if default_token {
            leads.holds.push("default token".to_owned());
        }
        if !writes.is_empty() {
            leads.holds.push(format!("write: {}", list(&writes)));
        }
        if h.oidc.is_some() {
            leads.holds.push("OIDC".to_owned());
        }
        if !secrets.is_empty() {
            leads.holds.push(format!(
                "{} secret{}",
                secrets.len(),
                if secrets.len() == 1 { "" } else { "s" }
            ));
        }
        leads.tone =
            if h.oidc.is_some() || !writes.is_empty() || default_token || !secrets.is_empty() {
                Tone::Caution
            } else {
                Tone::Plain
            };
        // A job of a workflow anyone can start with the base repository's token.
        if leads.tone == Tone::Caution
            && self
                .workflow_of(job)
                .and_then(|w| self.untrusted_privileged_trigger(w))
                .is_some()
        {
            leads.tone = Tone::Risk;
        }
    }

    /// The node of one workflow: its name and file.
    #[must_use]
    pub fn overview_workflow(&self, w: NodeId) -> OverviewNode {
        let (path, name) = match self.node(w).map(|n| &n.kind) {
            Some(NodeKind::Workflow { path, name }) => (path.clone(), name.clone()),
            _ => (String::new(), None),
        };
        let file = path.rsplit('/').next().unwrap_or(&path).to_owned();
        let mut lines = vec![name.clone().unwrap_or_else(|| file.clone())];
        if name.is_some() {
            lines.push(file);
        }
        OverviewNode {
            kind: OverviewKind::Workflow,
            lines,
            tone: Tone::Plain,
            details: vec![path],
            at: Some(w),
        }
    }

    /// The events of `on:` of a workflow: name, who can fire it, whether privileged.
    fn events_of(&self, w: NodeId) -> Vec<(String, Trust, bool)> {
        self.triggers_of(w)
            .into_iter()
            .filter_map(|t| {
                let node = self.node(t)?;
                match &node.kind {
                    NodeKind::Trigger {
                        event,
                        trust,
                        privileged,
                    } => Some((event.clone(), *trust, *privileged)),
                    _ => None,
                }
            })
            .collect()
    }

    /// Workflows drawn as one node for their jobs (`members`: each with its job count).
    fn overview_workflows(&self, members: &[(NodeId, usize)], leads: &Leads) -> OverviewNode {
        let first = self.overview_workflow(members[0].0);
        let jobs: usize = members.iter().map(|m| m.1).sum();
        let mut lines = match members {
            [_] => first.lines.clone(),
            many => {
                let files: Vec<String> = many
                    .iter()
                    .filter_map(|(w, _)| match self.node(*w).map(|n| &n.kind) {
                        Some(NodeKind::Workflow { path, .. }) => {
                            Some(path.rsplit('/').next().unwrap_or(path).to_owned())
                        }
                        _ => None,
                    })
                    .collect();
                vec![format!("{} workflows: {}", many.len(), list(&files))]
            }
        };
        let count = format!("{jobs} job{}", if jobs == 1 { "" } else { "s" });
        match lines.last_mut() {
            Some(last) => *last = format!("{last}, {count}"),
            None => lines.push(count),
        }
        if !leads.holds.is_empty() {
            lines.push(leads.holds.join(", "));
        }
        OverviewNode {
            kind: OverviewKind::Workflow,
            lines,
            tone: leads.tone,
            details: members
                .iter()
                .filter_map(|(w, _)| match self.node(*w).map(|n| &n.kind) {
                    Some(NodeKind::Workflow { path, .. }) => Some(path.clone()),
                    _ => None,
                })
                .collect(),
            at: Some(members[0].0),
        }
    }

    fn overview_job(&self, members: &[NodeId], leads: &Leads) -> OverviewNode {
        let ids: Vec<String> = members
            .iter()
            .filter_map(|j| match self.node(*j).map(|n| &n.kind) {
                Some(NodeKind::Job { id, .. }) => Some(id.clone()),
                _ => None,
            })
            .collect();
        let mut lines = vec![match ids.as_slice() {
            [one] => one.clone(),
            many => format!("{} jobs: {}", many.len(), list(many)),
        }];
        if !leads.holds.is_empty() {
            lines.push(leads.holds.join(", "));
        }
        OverviewNode {
            kind: OverviewKind::Job,
            lines,
            tone: leads.tone,
            details: ids,
            at: members.first().copied(),
        }
    }
}

/// `a, b, c` or `a, b, c +4`.
fn list(items: &[String]) -> String {
    let shown: Vec<&str> = items.iter().take(LISTED).map(String::as_str).collect();
    let more = items.len().saturating_sub(LISTED);
    if more > 0 {
        format!("{} +{more}", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn event_node(event: &str, trust: Trust, privileged: bool) -> OverviewNode {
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

fn group_node(kind: OverviewKind, key: &str, g: &Group) -> OverviewNode {
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

const fn edge_kind(kind: OverviewKind) -> EdgeKind {
    match kind {
        OverviewKind::Actions => EdgeKind::Uses,
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

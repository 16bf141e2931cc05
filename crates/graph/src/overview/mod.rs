//! The overview a reviewer reads first: one node per event, workflow and job, and the
//! job's external dependencies grouped (actions by owner with their pin state, images by
//! registry, package sources per ecosystem, hosts by domain), what each job holds written
//! on it, edges merged. A real repository's full graph has thousands of nodes; this has
//! the few dozen a page can show. Renderers draw it (`tollgate graph --view overview`).

use std::collections::{BTreeMap, BTreeSet};

use crate::graph::Graph;
mod label;

use label::{domain, edge_kind, event_node, group_node, list, service};

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
    /// GitLab CI includes of outside configuration of one kind (`project`, `remote`,
    /// `template`, `component`), which every job of the pipeline is built from.
    Includes,
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
            Self::Includes => "includes",
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
pub(crate) const LISTED: usize = 3;

/// Job rows one page holds with legible labels (about 4,000 pixels at Graphviz's default
/// 96 DPI, 40 to 50 a row); past it, workflows stand for their jobs.
pub const MAX_JOB_ROWS: usize = 70;

/// Group rows past which small groups fold (see [`Graph::overview`]).
pub const MAX_GROUP_ROWS: usize = 40;

/// The key of a folded group.
pub(crate) const OTHERS: &str = "";

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
pub(crate) struct Group {
    pub(crate) members: BTreeSet<String>,
    /// Members that are not pinned to immutable content.
    pub(crate) mutable: BTreeSet<String>,
    /// Members that are not the ecosystem's default registry (sources).
    pub(crate) unusual: BTreeSet<String>,
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
                    NodeKind::Include { .. } => include_group(&node.kind),
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
        // The pipeline's includes of outside configuration: GitLab merges them into
        // the configuration every job is read from.
        if scope == OverviewScope::All
            && let Some(w) = self.workflow_of(job)
        {
            for (e, t) in self.outgoing(w) {
                if e.kind != EdgeKind::Uses {
                    continue;
                }
                if let Some((kind, key, member, mutable, _)) =
                    self.node(t).and_then(|n| include_group(&n.kind))
                {
                    let g = groups.entry((kind, key.clone())).or_default();
                    g.members.insert(member.clone());
                    if mutable {
                        g.mutable.insert(member);
                    }
                    leads.groups.insert((kind, key));
                }
            }
        }
        self.overview_holdings(job, &mut leads);
        leads
    }

    /// What the job holds, in words, and the tone that earns.
    ///
    /// (See [`include_group`] for the pipeline's includes.)
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

/// The overview group of a GitLab include node: by kind, the member its label, mutable
/// unless pinned to a commit (a template is versioned with the instance: not mutable).
fn include_group(kind: &NodeKind) -> Option<(OverviewKind, String, String, bool, bool)> {
    let NodeKind::Include { source, pin, .. } = kind else {
        return None;
    };
    Some((
        OverviewKind::Includes,
        source.as_str().to_owned(),
        kind.label(),
        matches!(
            pin,
            tollgate_gitlab::IncludePin::Mutable | tollgate_gitlab::IncludePin::Dynamic
        ),
        false,
    ))
}

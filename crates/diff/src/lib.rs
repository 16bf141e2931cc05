//! `tollgate diff`: what a change adds to and removes from what the pipelines trust, hold
//! and reach, per workflow and job, and the findings it brings and resolves.
//!
//! Each side is read from its own graph and the analyses over it, never re-derived: the
//! delivery dependencies and job identities of `tollgate-inventory` (pin state,
//! permissions, secrets, OIDC, the hosts the egress pass put in the graph), the `on:`
//! events of the graph's trigger nodes, and the packages and sources of its lockfile
//! nodes. [`Snapshot::of`] takes those facts of one side into sorted sets; [`compare`]
//! subtracts them. The renderers are in `tollgate-report` (`diff`); [`git`] turns a
//! revision into a directory the scanner reads.

pub mod git;
mod gitlab;
mod snapshot;

use std::collections::{BTreeMap, BTreeSet};

use tollgate_model::Finding;

pub use snapshot::{Dep, JobFacts, Side, Snapshot, Trigger};

/// What was added and what was removed, each sorted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changes<T> {
    pub added: Vec<T>,
    pub removed: Vec<T>,
}

impl<T> Default for Changes<T> {
    fn default() -> Self {
        Self {
            added: Vec::new(),
            removed: Vec::new(),
        }
    }
}

impl<T: Ord + Clone> Changes<T> {
    fn between(base: &BTreeSet<T>, head: &BTreeSet<T>) -> Self {
        Self {
            added: head.difference(base).cloned().collect(),
            removed: base.difference(head).cloned().collect(),
        }
    }
}

impl<T> Changes<T> {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// Whether a workflow, job or lockfile is new, gone, or in both trees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Added,
    Removed,
    Changed,
}

impl Status {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
            Self::Changed => "changed",
        }
    }

    fn of<T>(base: Option<&T>, head: Option<&T>) -> Self {
        match (base, head) {
            (None, Some(_)) => Self::Added,
            (Some(_), None) => Self::Removed,
            _ => Self::Changed,
        }
    }
}

/// One job's changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobChange {
    pub job: String,
    pub status: Status,
    pub dependencies: Changes<Dep>,
    /// `contents: write`, `repository default`, as the inventory words them.
    pub permissions: Changes<String>,
    pub secrets: Changes<String>,
    /// `Some(held)` when whether the job can request an OIDC token changed.
    pub oidc: Option<bool>,
    pub hosts: Changes<String>,
}

impl JobChange {
    /// Whether the job holds more than before: a write or default-token permission, a
    /// secret, or OIDC it did not hold (a read scope replacing the default token is
    /// less, not more).
    #[must_use]
    pub fn widens(&self) -> bool {
        self.permissions
            .added
            .iter()
            .any(|p| p.ends_with(": write") || p == "repository default")
            || !self.secrets.added.is_empty()
            || self.oidc == Some(true)
    }

    fn is_empty(&self) -> bool {
        self.dependencies.is_empty()
            && self.permissions.is_empty()
            && self.secrets.is_empty()
            && self.oidc.is_none()
            && self.hosts.is_empty()
    }
}

/// One workflow's changes: its events and its jobs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkflowChange {
    pub path: String,
    pub status: Status,
    pub triggers: Changes<Trigger>,
    pub jobs: Vec<JobChange>,
}

/// A package whose sources changed between the two lockfiles (another registry, a git
/// URL instead of a registry).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Moved {
    pub ecosystem: String,
    pub name: String,
    pub from: Vec<String>,
    pub to: Vec<String>,
}

/// One lockfile's changes: the sources it resolves from, and packages that moved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockfileChange {
    pub path: String,
    pub status: Status,
    /// `registry https://registry.npmjs.org`, `git https://github.com/o/r`.
    pub sources: Changes<String>,
    pub moved: Vec<Moved>,
}

/// Everything a change adds and removes.
#[derive(Clone, Debug, Default)]
pub struct Diff {
    pub workflows: Vec<WorkflowChange>,
    pub lockfiles: Vec<LockfileChange>,
    /// Findings of HEAD whose fingerprint BASE does not have, with their fingerprints.
    pub new_findings: Vec<(String, Finding)>,
    /// Findings of BASE whose fingerprint HEAD does not have.
    pub resolved_findings: Vec<(String, Finding)>,
}

impl Diff {
    /// Nothing changed that the diff reports.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.workflows.is_empty()
            && self.lockfiles.is_empty()
            && self.new_findings.is_empty()
            && self.resolved_findings.is_empty()
    }

    fn jobs(&self) -> impl Iterator<Item = &JobChange> {
        self.workflows.iter().flat_map(|w| &w.jobs)
    }

    /// Added dependencies of every kind, over all jobs (one per job that takes it on).
    pub fn added_dependencies(&self) -> impl Iterator<Item = &Dep> {
        self.jobs().flat_map(|j| &j.dependencies.added)
    }

    /// Jobs that hold more than before ([`JobChange::widens`]).
    #[must_use]
    pub fn widened_jobs(&self) -> usize {
        self.jobs().filter(|j| j.widens()).count()
    }

    /// Hosts some job reaches now and did not before, distinct.
    #[must_use]
    pub fn new_hosts(&self) -> BTreeSet<&str> {
        self.jobs()
            .flat_map(|j| j.hosts.added.iter().map(String::as_str))
            .collect()
    }

    /// Events that run with the base repository's token and secrets and that anyone can
    /// fire (`pull_request_target`, `issue_comment`), newly in a workflow.
    pub fn new_privileged_triggers(&self) -> impl Iterator<Item = (&str, &Trigger)> {
        self.workflows.iter().flat_map(|w| {
            w.triggers
                .added
                .iter()
                .filter(|t| t.untrusted_privileged)
                .map(move |t| (w.path.as_str(), t))
        })
    }

    /// Workflows and jobs (in any workflow) with `status`.
    #[must_use]
    pub fn count(&self, status: Status) -> (usize, usize) {
        (
            self.workflows.iter().filter(|w| w.status == status).count(),
            self.jobs().filter(|j| j.status == status).count(),
        )
    }

    /// Whether the change only takes things away: no workflow, job, event, dependency,
    /// permission, secret, OIDC, host, source, moved package or finding added.
    #[must_use]
    pub fn only_removes(&self) -> bool {
        self.new_findings.is_empty()
            && self
                .lockfiles
                .iter()
                .all(|l| l.sources.added.is_empty() && l.moved.is_empty())
            && self.workflows.iter().all(|w| {
                w.status != Status::Added
                    && w.triggers.added.is_empty()
                    && w.jobs.iter().all(|j| {
                        j.status != Status::Added
                            && j.dependencies.added.is_empty()
                            && j.permissions.added.is_empty()
                            && j.secrets.added.is_empty()
                            && j.oidc != Some(true)
                            && j.hosts.added.is_empty()
                    })
            })
    }

    /// Packages that moved, over all lockfiles.
    #[must_use]
    pub fn moved_packages(&self) -> usize {
        self.lockfiles.iter().map(|l| l.moved.len()).sum()
    }
}

/// Compare two snapshots: what HEAD has that BASE has not, and the reverse.
#[must_use]
pub fn compare(base: &Snapshot, head: &Snapshot) -> Diff {
    let mut diff = Diff::default();
    let workflows: BTreeSet<&String> = base.triggers.keys().chain(head.triggers.keys()).collect();
    let empty_triggers = BTreeSet::new();
    for path in workflows {
        let (b, h) = (base.triggers.get(path), head.triggers.get(path));
        let triggers = Changes::between(b.unwrap_or(&empty_triggers), h.unwrap_or(&empty_triggers));
        let jobs = jobs_of(path, base, head);
        if triggers.is_empty() && jobs.is_empty() && b.is_some() && h.is_some() {
            continue;
        }
        diff.workflows.push(WorkflowChange {
            path: path.clone(),
            status: Status::of(b, h),
            triggers,
            jobs,
        });
    }
    let lockfiles: BTreeSet<&String> = base.lockfiles.keys().chain(head.lockfiles.keys()).collect();
    let none = BTreeMap::new();
    for path in lockfiles {
        let (b, h) = (base.lockfiles.get(path), head.lockfiles.get(path));
        let (bp, hp) = (b.unwrap_or(&none), h.unwrap_or(&none));
        let all = |m: &BTreeMap<(String, String), BTreeSet<String>>| -> BTreeSet<String> {
            m.values().flatten().cloned().collect()
        };
        let sources = Changes::between(&all(bp), &all(hp));
        let moved: Vec<Moved> = hp
            .iter()
            .filter_map(|(key, to)| {
                let from = bp.get(key)?;
                (from != to && !from.is_empty() && !to.is_empty()).then(|| Moved {
                    ecosystem: key.0.clone(),
                    name: key.1.clone(),
                    from: from.iter().cloned().collect(),
                    to: to.iter().cloned().collect(),
                })
            })
            .collect();
        if sources.is_empty() && moved.is_empty() {
            continue;
        }
        diff.lockfiles.push(LockfileChange {
            path: path.clone(),
            status: Status::of(b, h),
            sources,
            moved,
        });
    }
    diff.new_findings = head
        .findings
        .iter()
        .filter(|(fp, _)| !base.findings.contains_key(*fp))
        .map(|(fp, f)| (fp.clone(), f.clone()))
        .collect();
    diff.resolved_findings = base
        .findings
        .iter()
        .filter(|(fp, _)| !head.findings.contains_key(*fp))
        .map(|(fp, f)| (fp.clone(), f.clone()))
        .collect();
    let order = |a: &(String, Finding), b: &(String, Finding)| a.1.sort_key().cmp(&b.1.sort_key());
    diff.new_findings.sort_by(order);
    diff.resolved_findings.sort_by(order);
    diff
}

/// The changed jobs of one workflow, in job-id order.
fn jobs_of(workflow: &str, base: &Snapshot, head: &Snapshot) -> Vec<JobChange> {
    let ids: BTreeSet<&String> = base
        .jobs_in(workflow)
        .chain(head.jobs_in(workflow))
        .collect();
    let empty = JobFacts::default();
    let mut out = Vec::new();
    for id in ids {
        let key = (workflow.to_owned(), id.clone());
        let (b, h) = (base.jobs.get(&key), head.jobs.get(&key));
        let (bf, hf) = (b.unwrap_or(&empty), h.unwrap_or(&empty));
        let change = JobChange {
            job: id.clone(),
            status: Status::of(b, h),
            dependencies: Changes::between(&bf.dependencies, &hf.dependencies),
            permissions: Changes::between(&bf.permissions, &hf.permissions),
            secrets: Changes::between(&bf.secrets, &hf.secrets),
            oidc: (bf.oidc != hf.oidc).then_some(hf.oidc),
            hosts: Changes::between(&bf.hosts, &hf.hosts),
        };
        if change.is_empty() && change.status == Status::Changed {
            continue;
        }
        out.push(change);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn job(permissions: &[&str], secrets: &[&str], oidc: bool) -> JobFacts {
        JobFacts {
            permissions: set(permissions),
            secrets: set(secrets),
            oidc,
            ..JobFacts::default()
        }
    }

    fn snapshot(facts: JobFacts) -> Snapshot {
        let mut s = Snapshot::default();
        s.triggers.insert("ci.yml".to_owned(), BTreeSet::new());
        s.jobs
            .insert(("ci.yml".to_owned(), "build".to_owned()), facts);
        s
    }

    #[test]
    fn what_widens_a_job() {
        let cases = [
            (
                job(&["contents: read"], &[], false),
                job(&["contents: write"], &[], false),
                true,
            ),
            (
                job(&["repository default"], &[], false),
                job(&["contents: read"], &[], false),
                false,
            ),
            (
                job(&["contents: read"], &[], false),
                job(&["repository default"], &[], false),
                true,
            ),
            (job(&[], &[], false), job(&[], &["NPM_TOKEN"], false), true),
            (job(&[], &["NPM_TOKEN"], false), job(&[], &[], false), false),
            (job(&[], &[], false), job(&[], &[], true), true),
            (job(&[], &[], true), job(&[], &[], false), false),
        ];
        for (k, (base, head, widens)) in cases.into_iter().enumerate() {
            let diff = compare(&snapshot(base), &snapshot(head));
            assert_eq!(diff.widened_jobs() == 1, widens, "case {k}: {diff:#?}");
        }
    }

    #[test]
    fn only_removes_sees_any_addition() {
        let narrow = snapshot(job(&["contents: read"], &[], false));
        let wide = snapshot(job(&["contents: read", "issues: read"], &[], false));
        assert!(compare(&wide, &narrow).only_removes());
        assert!(!compare(&narrow, &wide).only_removes());
        let mut added = wide.clone();
        added.triggers.insert("new.yml".to_owned(), BTreeSet::new());
        let diff = compare(&wide, &added);
        assert!(!diff.only_removes());
        assert_eq!(diff.count(Status::Added), (1, 0));
    }

    #[test]
    fn equal_sides_have_no_diff() {
        let s = snapshot(job(&["contents: write"], &["X"], true));
        assert!(compare(&s, &s).is_empty());
    }

    #[test]
    fn moved_packages_need_a_source_on_both_sides() {
        let lock = |entries: &[(&str, &[&str])]| {
            let mut s = Snapshot::default();
            let m = s
                .lockfiles
                .entry("package-lock.json".to_owned())
                .or_default();
            for (name, sources) in entries {
                m.insert(("npm".to_owned(), (*name).to_owned()), set(sources));
            }
            s
        };
        let npm = "registry https://registry.npmjs.org/";
        let base = lock(&[("a", &[npm]), ("b", &[npm]), ("c", &[])]);
        let head = lock(&[
            ("a", &["git https://github.com/o/a"]),
            ("b", &[npm]),
            ("c", &[npm]),
            ("d", &["registry https://other.example/"]),
        ]);
        let diff = compare(&base, &head);
        let l = &diff.lockfiles[0];
        assert_eq!(l.moved.len(), 1, "{l:#?}");
        assert_eq!(l.moved[0].name, "a");
        assert_eq!(l.moved[0].to, ["git https://github.com/o/a"]);
        assert_eq!(
            l.sources.added,
            [
                "git https://github.com/o/a",
                "registry https://other.example/"
            ]
        );
        assert!(l.sources.removed.is_empty());
        assert_eq!(l.status, Status::Changed);
    }
}

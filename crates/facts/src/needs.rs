//! The needs pass: what token permissions each job needs, the union over its steps of
//! what the knowledge base says each action, command and API call needs, through local
//! composite actions and local reusable workflows. Anything the base does not know is
//! named, so findings can say which parts of a job were not judged.
//!
//! The pass writes a `requires` edge from each step to the permission it needs, created
//! where the evidence is (the `uses:` value, the command, the API call), and keeps the
//! whole analysis per job as its record, [`PermissionNeeds`], read through [`of`]. A
//! local composite action's needs depend on the inputs its caller gives it, so they go on
//! the calling step; a job that calls a reusable workflow has no steps, so the called
//! workflow's needs go on the job.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use tollgate_gha::{PermissionLevel, UsesRef};
use tollgate_graph::{Access, EdgeKind, Graph, NodeId, Origin};
use tollgate_kb::permissions::{ActionEntry, ApiEntry, Permissions as Kb, RawPerms, ScriptEntry};
use tollgate_lockfile::glob::{Glob, Wildcards};
use tollgate_model::Diagnostic;
use tollgate_scan::Scan;

mod script;
mod walk;

/// The permissions a job needs, each with the first reason found, and what is unknown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// Each scope with its level and first reason, sorted by scope. A vector, not a map:
    /// a job needs one to three scopes, kept for the run, and a tree map's node held room
    /// for eleven (about 600 bytes a job).
    pub scopes: Vec<(String, (PermissionLevel, String))>,
    /// Actions, commands or calls whose needs the knowledge base does not know.
    pub unknown: BTreeSet<String>,
    /// Needs that either of two scopes satisfies: `(scope, alternative) → (level, why)`.
    /// Folded into `scopes` by [`Needs::resolve`] once the held permissions are known.
    pub either: BTreeMap<(String, String), (PermissionLevel, String)>,
}

impl Needs {
    /// The level and first reason of `scope`, when the job needs it.
    #[must_use]
    pub fn get(&self, scope: &str) -> Option<&(PermissionLevel, String)> {
        self.scopes
            .binary_search_by(|(s, _)| s.as_str().cmp(scope))
            .ok()
            .map(|i| &self.scopes[i].1)
    }

    #[must_use]
    pub fn level(&self, scope: &str) -> PermissionLevel {
        self.get(scope).map_or(PermissionLevel::None, |(l, _)| *l)
    }

    #[must_use]
    pub fn is_known(&self) -> bool {
        self.unknown.is_empty()
    }

    fn add_level(&mut self, scope: &str, level: PermissionLevel, why: &str) {
        if level == PermissionLevel::None {
            return;
        }
        match self.scopes.binary_search_by(|(s, _)| s.as_str().cmp(scope)) {
            Ok(i) => {
                let e = &mut self.scopes[i].1;
                if level > e.0 {
                    *e = (level, why.to_owned());
                }
            }
            Err(i) => self
                .scopes
                .insert(i, (scope.to_owned(), (level, why.to_owned()))),
        }
    }

    fn add_either(&mut self, perms: &RawPerms, alternative: &str, why: &str) {
        for (scope, l) in perms {
            let Some(level) = level(l).filter(|l| *l != PermissionLevel::None) else {
                continue;
            };
            let e = self
                .either
                .entry((scope.clone(), alternative.to_owned()))
                .or_insert((PermissionLevel::None, String::new()));
            if level > e.0 {
                *e = (level, why.to_owned());
            }
        }
    }

    /// The needs with each either-or need settled: the alternative scope when the job
    /// holds it at that level and not the first one, else the first one.
    #[must_use]
    pub fn resolve(&self, held: &dyn Fn(&str) -> PermissionLevel) -> Self {
        let mut out = Self {
            scopes: self.scopes.clone(),
            unknown: self.unknown.clone(),
            either: BTreeMap::new(),
        };
        for ((scope, alt), (level, why)) in &self.either {
            out.add_level(pick(held, scope, alt, *level), *level, why);
        }
        out
    }

    fn add(&mut self, perms: &RawPerms, why: &str, only_oidc: bool) {
        for (scope, l) in perms {
            if only_oidc && scope != "id-token" {
                continue;
            }
            if let Some(level) = level(l) {
                self.add_level(scope, level, why);
            }
        }
    }

    /// The least-privilege `permissions:` block as YAML, indented by `indent` spaces. With
    /// unknown parts it ends with a comment naming them: the scopes they use are to be
    /// added, not assumed absent.
    #[must_use]
    pub fn block(&self, indent: usize) -> String {
        let pad = " ".repeat(indent);
        let lines: Vec<String> = self
            .scopes
            .iter()
            .filter(|(_, (l, _))| *l != PermissionLevel::None)
            .map(|(s, (l, why))| {
                let level = if *l == PermissionLevel::Write {
                    "write"
                } else {
                    "read"
                };
                format!("{pad}  {s}: {level} # {why}")
            })
            .collect();
        if !self.is_known() {
            // What the unknown parts use is not known: the block is a start, never a
            // claim that nothing else is needed.
            let mut lines = lines;
            lines.push(format!(
                "{pad}  # and the scopes {} use{} (not known to tollgate)",
                self.unknown_list(),
                if self.unknown.len() == 1 { "s" } else { "" }
            ));
            return format!("{pad}permissions:\n{}", lines.join("\n"));
        }
        if lines.is_empty() {
            format!("{pad}permissions: {{}}")
        } else {
            format!("{pad}permissions:\n{}", lines.join("\n"))
        }
    }

    /// The unknown parts as a message fragment: "`a`, `b`".
    #[must_use]
    pub fn unknown_list(&self) -> String {
        let names: Vec<String> = self
            .unknown
            .iter()
            .take(4)
            .map(|u| format!("`{u}`"))
            .collect();
        let more = self.unknown.len().saturating_sub(4);
        if more > 0 {
            format!("{} and {more} more", names.join(", "))
        } else {
            names.join(", ")
        }
    }
}

/// Which scope settles an either-or need of `level`: the alternative when the job holds
/// it at that level and not the first scope, else the first scope.
fn pick<'s>(
    held: &dyn Fn(&str) -> PermissionLevel,
    scope: &'s str,
    alt: &'s str,
    level: PermissionLevel,
) -> &'s str {
    if held(scope) < level && held(alt) >= level {
        alt
    } else {
        scope
    }
}

/// The needs pass's record: the needs of every job, by job node.
#[derive(Debug, Default)]
pub struct PermissionNeeds {
    jobs: HashMap<NodeId, Needs>,
}

/// The needs of `job` as the needs pass recorded them (`None` for a node that is not a
/// job, or a graph built without the pass). Either-or needs are not settled: see
/// [`Needs::resolve`].
#[must_use]
pub fn of(graph: &Graph, job: NodeId) -> Option<&Needs> {
    graph.record::<PermissionNeeds>()?.jobs.get(&job)
}

/// What the token of `job` may do with `scope`, as a level: what the needs of the job are
/// settled against. No block at all settles nothing (the repository default is unknown).
#[must_use]
pub fn held(graph: &Graph, job: NodeId, scope: &str) -> PermissionLevel {
    match graph.token_access(job, scope) {
        Some(Access::Write) => PermissionLevel::Write,
        Some(Access::Read) => PermissionLevel::Read,
        Some(Access::RepositoryDefault) | None => PermissionLevel::None,
    }
}

/// The needs pass (see the module documentation).
pub struct Pass;

impl tollgate_graph::Pass for Pass {
    fn name(&self) -> &'static str {
        "needs"
    }

    fn run(&self, scan: &Scan, graph: &mut Graph) -> Vec<Diagnostic> {
        use rayon::prelude::*;
        let jobs: Vec<NodeId> = graph.jobs().collect();
        // Each job is walked on its own (in parallel); the edges are written after.
        let walked: Vec<(NodeId, Needs, walk::Evidence)> = {
            let g: &Graph = graph;
            jobs.into_par_iter()
                .filter_map(|job| {
                    let (needs, found) = walk::job(scan, g, job)?;
                    Some((job, needs, found))
                })
                .collect()
        };
        let mut record = PermissionNeeds::default();
        let mut edges: Vec<(NodeId, String, PermissionLevel, Origin)> = Vec::new();
        for (job, needs, found) in walked {
            let holds = |scope: &str| held(graph, job, scope);
            // One edge per step and permission, at the first evidence for it.
            let mut seen: BTreeSet<(NodeId, String, PermissionLevel)> = BTreeSet::new();
            for (from, f) in found {
                // An either-or need is settled as the record settles it: at the highest
                // level the job needs of the pair, so edges and record name one scope.
                let scope = match &f.alternative {
                    Some(alt) => {
                        let level = needs
                            .either
                            .get(&(f.scope.clone(), alt.clone()))
                            .map_or(f.level, |e| e.0);
                        pick(&holds, &f.scope, alt, level)
                    }
                    None => &f.scope,
                };
                if seen.insert((from, scope.to_owned(), f.level)) {
                    edges.push((from, scope.to_owned(), f.level, f.at));
                }
            }
            record.jobs.insert(job, needs);
        }
        graph.reserve_edges(edges.len());
        for (from, scope, level, at) in edges {
            let access = if level == PermissionLevel::Write {
                Access::Write
            } else {
                Access::Read
            };
            let node = graph.permission_node(&scope, access, Some(at));
            graph.add_edge(from, node, EdgeKind::Requires, Some(at));
        }
        graph.set_record(record);
        Vec::new()
    }
}

/// One permission found for a step, with where the evidence is.
#[derive(Clone, Debug)]
struct Found {
    scope: String,
    /// The scope that serves instead, for an either-or need.
    alternative: Option<String>,
    level: PermissionLevel,
    at: Origin,
}

/// The needs of one job as the walk adds to them, and the evidence found since the walk
/// last handed it to a step.
#[derive(Default)]
struct Acc {
    needs: Needs,
    found: Vec<Found>,
}

impl Acc {
    fn add(&mut self, perms: &RawPerms, why: &str, only_oidc: bool, at: Origin) {
        self.needs.add(perms, why, only_oidc);
        for (scope, l) in perms {
            if only_oidc && scope != "id-token" {
                continue;
            }
            self.found(scope, None, level(l), at);
        }
    }

    fn add_either(&mut self, perms: &RawPerms, alternative: &str, why: &str, at: Origin) {
        self.needs.add_either(perms, alternative, why);
        for (scope, l) in perms {
            self.found(scope, Some(alternative), level(l), at);
        }
    }

    fn add_level(&mut self, scope: &str, level: PermissionLevel, why: &str, at: Origin) {
        self.needs.add_level(scope, level, why);
        self.found(scope, None, Some(level), at);
    }

    fn found(
        &mut self,
        scope: &str,
        alternative: Option<&str>,
        level: Option<PermissionLevel>,
        at: Origin,
    ) {
        let Some(level) = level.filter(|l| *l != PermissionLevel::None) else {
            return;
        };
        self.found.push(Found {
            scope: scope.to_owned(),
            alternative: alternative.map(str::to_owned),
            level,
            at,
        });
    }

    fn unknown(&mut self, what: String) {
        self.needs.unknown.insert(what);
    }
}

/// The permissions knowledge base (empty if the compiled-in data failed to load, which
/// the kb crate's tests rule out).
fn kb() -> &'static Kb {
    tollgate_kb::permissions()
}

/// The `gh api` endpoint patterns and octokit call patterns of the knowledge base,
/// compiled once (they were compiled, or looked up in the matcher's shared cache, for
/// every call in every script), each with its entry, in file order.
struct Patterns {
    api: Vec<(Glob, &'static ApiEntry)>,
    /// Octokit calls, matched in lower case.
    script: Vec<(Glob, &'static ScriptEntry)>,
}

fn patterns() -> &'static Patterns {
    static CELL: OnceLock<Patterns> = OnceLock::new();
    CELL.get_or_init(|| Patterns {
        api: kb()
            .api
            .iter()
            .map(|e| (Glob::new(&e.path, Wildcards::Star), e))
            .collect(),
        script: kb()
            .github_script
            .iter()
            .map(|e| (Glob::new(&e.call.to_ascii_lowercase(), Wildcards::Star), e))
            .collect(),
    })
}

/// The first `gh api` entry whose path pattern matches `path`.
fn api_entry(path: &str) -> Option<&'static ApiEntry> {
    patterns()
        .api
        .iter()
        .find(|(g, _)| g.is_match(path))
        .map(|(_, e)| *e)
}

/// The first octokit entry whose call pattern matches `call` (case-insensitive).
fn script_entry(call: &str) -> Option<&'static ScriptEntry> {
    let call = call.to_ascii_lowercase();
    patterns()
        .script
        .iter()
        .find(|(g, _)| g.is_match(&call))
        .map(|(_, e)| *e)
}

/// A level as written in the data; the loader admits no other spelling.
fn level(s: &str) -> Option<PermissionLevel> {
    match s {
        "read" => Some(PermissionLevel::Read),
        "write" => Some(PermissionLevel::Write),
        "none" => Some(PermissionLevel::None),
        _ => None,
    }
}

/// The knowledge-base entry of a remote action (owner and repo are case-insensitive).
fn find_action(r: &UsesRef) -> Option<&'static ActionEntry> {
    // The first entry in file order that matches: an exact name is looked up, a
    // pattern (`*`) counts only where it comes before that entry.
    let name = r.action().to_ascii_lowercase();
    let exact = kb().action_named(&name);
    kb().action_patterns()
        .take_while(|(i, _)| exact.is_none_or(|(e, _)| *i < e))
        .find(|(_, e)| tollgate_lockfile::glob::matches(&e.uses_lower, &name))
        .or(exact)
        .map(|(_, e)| e)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every level the loader admits maps to a `PermissionLevel`.
    #[test]
    fn levels_map() {
        for l in tollgate_kb::permissions::LEVELS {
            assert!(level(l).is_some(), "{l}");
        }
        assert_eq!(level("admin"), None);
    }

    /// Scopes stay sorted whatever order they are found in; a scope keeps its highest
    /// level, with the first reason given for that level; `None` adds nothing.
    #[test]
    fn scopes_sorted_with_highest_level_and_first_reason() {
        let mut n = Needs::default();
        n.add_level("pull-requests", PermissionLevel::Write, "`gh pr merge`");
        n.add_level("contents", PermissionLevel::Read, "`actions/checkout`");
        n.add_level("issues", PermissionLevel::None, "nothing");
        n.add_level("contents", PermissionLevel::Write, "`git push`");
        n.add_level("contents", PermissionLevel::Read, "`gh release view`");
        n.add_level("pull-requests", PermissionLevel::Write, "`gh pr comment`");
        let got: Vec<(&str, PermissionLevel, &str)> = n
            .scopes
            .iter()
            .map(|(s, (l, why))| (s.as_str(), *l, why.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("contents", PermissionLevel::Write, "`git push`"),
                ("pull-requests", PermissionLevel::Write, "`gh pr merge`"),
            ]
        );
        assert_eq!(n.level("contents"), PermissionLevel::Write);
        assert_eq!(n.level("issues"), PermissionLevel::None);
        assert!(n.get("issues").is_none());
        assert_eq!(
            n.get("pull-requests").map(|(_, w)| w.as_str()),
            Some("`gh pr merge`")
        );
    }
}

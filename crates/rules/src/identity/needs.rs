//! What token permissions a job needs: the union over its steps of what the knowledge base
//! says each action and command needs, through local composite actions and local
//! reusable workflows. Anything the base does not know is named, so findings can say
//! which parts of a job were not judged.

use std::collections::{BTreeMap, BTreeSet};

use tollgate_gha::{Env, Job, PermissionLevel, Permissions, Step, Uses, UsesRef, Workflow};
use tollgate_scan::{Input, Scan};
use tollgate_shell::{Analysis, Command, Word};

use super::kb::{self, ActionEntry, CommandEntry, RawPerms, When, kb};
use super::util::{
    env_value, is_other_identity, is_workflow_token, job_index, local_action, local_workflow,
    repo_prefix,
};
use crate::common::glob_match;

mod script;

use script::script_into;

/// Local actions and workflows nest; a cycle (an action using itself) must end.
const MAX_DEPTH: usize = 8;
/// How many local actions and workflows one job's needs follow in all. Each use is
/// followed again (its needs depend on the inputs it is given), so actions that use the
/// next one ten times would otherwise be followed 10^8 times within the depth bound.
const MAX_EXPANSIONS: usize = 1000;

/// The permissions a job needs, each with the first reason found, and what is unknown.
#[derive(Clone, Debug, Default)]
pub struct Needs {
    pub scopes: BTreeMap<String, (PermissionLevel, String)>,
    /// Actions, commands or calls whose needs the knowledge base does not know.
    pub unknown: BTreeSet<String>,
    /// Needs that either of two scopes satisfies: `(scope, alternative) → (level, why)`.
    /// Folded into `scopes` by [`Needs::resolve`] once the held permissions are known.
    pub either: BTreeMap<(String, String), (PermissionLevel, String)>,
}

impl Needs {
    pub fn level(&self, scope: &str) -> PermissionLevel {
        self.scopes
            .get(scope)
            .map_or(PermissionLevel::None, |(l, _)| *l)
    }

    pub fn is_known(&self) -> bool {
        self.unknown.is_empty()
    }

    fn add_level(&mut self, scope: &str, level: PermissionLevel, why: &str) {
        if level == PermissionLevel::None {
            return;
        }
        let e = self
            .scopes
            .entry(scope.to_owned())
            .or_insert((PermissionLevel::None, String::new()));
        if level > e.0 {
            *e = (level, why.to_owned());
        }
    }

    fn add_either(&mut self, perms: &RawPerms, alternative: &str, why: &str) {
        for (scope, l) in perms {
            let Some(level) = kb::level(l).filter(|l| *l != PermissionLevel::None) else {
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
    pub fn resolve(&self, held: &dyn Fn(&str) -> PermissionLevel) -> Self {
        let mut out = Self {
            scopes: self.scopes.clone(),
            unknown: self.unknown.clone(),
            either: BTreeMap::new(),
        };
        for ((scope, alt), (level, why)) in &self.either {
            let pick = if held(scope) < *level && held(alt) >= *level {
                alt
            } else {
                scope
            };
            out.add_level(pick, *level, why);
        }
        out
    }

    fn add(&mut self, perms: &RawPerms, why: &str, only_oidc: bool) {
        for (scope, l) in perms {
            if only_oidc && scope != "id-token" {
                continue;
            }
            if let Some(level) = kb::level(l) {
                self.add_level(scope, level, why);
            }
        }
    }

    /// The least-privilege `permissions:` block as YAML, indented by `indent` spaces.
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
        if lines.is_empty() {
            format!("{pad}permissions: {{}}")
        } else {
            format!("{pad}permissions:\n{}", lines.join("\n"))
        }
    }

    /// The unknown parts as a message fragment: "`a`, `b`".
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

/// The work of one computation of a job's needs.
#[derive(Default)]
struct Trace {
    /// Local actions and workflows followed so far, against [`MAX_EXPANSIONS`].
    expansions: std::cell::Cell<usize>,
}

impl Trace {
    /// Count one more local action or workflow followed; false once the job has
    /// followed [`MAX_EXPANSIONS`] (the rest count as unknown).
    fn expand(&self) -> bool {
        let n = self.expansions.get();
        self.expansions.set(n.saturating_add(1));
        n < MAX_EXPANSIONS
    }
}

/// What a job needs. `input` holds the workflow.
pub fn job_needs(scan: &Scan, input: &Input, wf: &Workflow, job: &Job) -> Needs {
    let mut needs = Needs::default();
    job_into(scan, input, wf, job, &mut needs, 0, &Trace::default());
    needs
}

fn job_into(
    scan: &Scan,
    input: &Input,
    wf: &Workflow,
    job: &Job,
    needs: &mut Needs,
    depth: usize,
    trace: &Trace,
) {
    let prefix = repo_prefix(&input.source.display);
    if let Some(u) = &job.uses {
        call_into(scan, prefix, &u.value, needs, depth, trace);
        return;
    }
    let Some(j) = job_index(wf, job) else { return };
    let cx = StepsCx {
        scan,
        prefix,
        input,
        job: Some(j),
        outer_env: vec![&job.env, &wf.env],
        checkout_other_identity: false,
        inputs: BTreeMap::new(),
        trace,
    };
    let cx = StepsCx {
        checkout_other_identity: job.steps.iter().any(|s| checkout_with_other_token(&cx, s)),
        ..cx
    };
    for step in &job.steps {
        step_into(&cx, step, needs, depth);
    }
}

/// A reusable-workflow call: the needs of the called workflow's jobs when it is local and
/// in the scan, what the base says for a known remote one, unknown otherwise.
fn call_into(
    scan: &Scan,
    prefix: &str,
    uses: &Uses,
    needs: &mut Needs,
    depth: usize,
    trace: &Trace,
) {
    match uses {
        Uses::Local { path } | Uses::SelfRepo { path } => {
            let found = local_workflow(scan, prefix, path);
            let Some((input, wf)) = found.filter(|_| depth < MAX_DEPTH && trace.expand()) else {
                needs.unknown.insert(format!("./{path}"));
                return;
            };
            for job in &wf.jobs {
                // A called job that declares permissions (itself or through its
                // workflow) fails unless the caller grants them, so what it declares is
                // needed as much as what it runs.
                if let Some(b) = job.permissions.as_ref().or(wf.permissions.as_ref()) {
                    match &b.permissions {
                        Permissions::Scopes(s) => {
                            for p in s {
                                needs.add_level(
                                    &p.scope.value,
                                    p.level.value,
                                    &format!("declared by called job `{}`", job.id.value),
                                );
                            }
                        }
                        Permissions::WriteAll | Permissions::ReadAll => {
                            needs.unknown.insert(format!(
                                "./{path} (job `{}` asks for every scope)",
                                job.id.value
                            ));
                        }
                        Permissions::Empty => {}
                    }
                }
                job_into(scan, input, wf, job, needs, depth + 1, trace);
            }
        }
        Uses::Remote(r) => match find_action(r) {
            Some(e) if e.unknown.is_none() => needs.add(&e.permissions, &r.action(), false),
            _ => {
                needs.unknown.insert(r.action());
            }
        },
        _ => {
            needs.unknown.insert("reusable workflow".to_owned());
        }
    }
}

/// The knowledge-base entry of a remote action (owner and repo are case-insensitive).
pub fn find_action(r: &UsesRef) -> Option<&'static ActionEntry> {
    let name = r.action().to_ascii_lowercase();
    kb().action
        .iter()
        .find(|e| glob_match(&e.uses_lower, &name))
}

struct StepsCx<'a> {
    scan: &'a Scan,
    prefix: &'a str,
    /// The file holding the steps (the workflow, or a composite action).
    input: &'a Input,
    job: Option<usize>,
    /// Env blocks around the steps, innermost first.
    outer_env: Vec<&'a Env>,
    /// A checkout in the job authenticates with another credential, which later
    /// `git push` commands then use.
    checkout_other_identity: bool,
    /// Inside a composite action: its inputs (lowercase) as the calling step sets them,
    /// else their defaults, so `${{ inputs.token }}` is judged by what it carries.
    inputs: BTreeMap<String, String>,
    /// Counts the local actions and workflows followed.
    trace: &'a Trace,
}

impl StepsCx<'_> {
    /// A value with `${{ inputs.x }}` replaced by what the caller passes.
    fn resolve(&self, value: &str) -> String {
        if self.inputs.is_empty() || !value.contains("inputs.") {
            return value.to_owned();
        }
        let mut out = value.to_owned();
        for e in tollgate_gha::expressions(value) {
            let key = e.inner.to_ascii_lowercase();
            if let Some(v) = key.strip_prefix("inputs.").and_then(|k| self.inputs.get(k)) {
                out = out.replace(&value[e.start..e.end], v);
            }
        }
        out
    }
}

fn checkout_with_other_token(cx: &StepsCx<'_>, step: &Step) -> bool {
    let is_checkout = matches!(&step.uses, Some(u) if matches!(&u.value, Uses::Remote(r) if r.action().eq_ignore_ascii_case("actions/checkout")));
    // Only the checkout of the workspace root decides what a plain `git push` uses; a
    // second repository checked out into a sub-directory has its own credentials.
    let at_root = step
        .with_value("path")
        .is_none_or(|p| matches!(p.value.value.trim(), "" | "." | "./"));
    is_checkout
        && at_root
        && step
            .with_value("token")
            .or_else(|| step.with_value("ssh-key"))
            .is_some_and(|v| is_other_identity(&cx.resolve(&v.value.value)))
}

fn step_into(cx: &StepsCx<'_>, step: &Step, needs: &mut Needs, depth: usize) {
    if let Some(u) = &step.uses {
        match &u.value {
            Uses::Remote(r) => match find_action(r) {
                Some(e) => action_into(cx, e, r, step, needs),
                None => {
                    needs.unknown.insert(r.action());
                }
            },
            Uses::Local { path } | Uses::SelfRepo { path } => {
                local_into(cx, path, step, needs, depth);
            }
            Uses::Docker { image } => {
                if passes_workflow_token(cx, step) {
                    needs.unknown.insert(format!("docker://{image}"));
                }
            }
            Uses::Invalid { .. } => {}
        }
    }
    if let Some(run) = &step.run {
        let Some(analysis) = cx
            .input
            .script(cx.job, step.index)
            .and_then(|s| s.analysis.as_deref())
        else {
            return;
        };
        let mut envs = vec![&step.env];
        envs.extend(cx.outer_env.iter().copied());
        let resolve = |v: &str| cx.resolve(v);
        script_into(
            &resolve,
            cx.checkout_other_identity,
            &run.script,
            analysis,
            &envs,
            needs,
        );
    }
}

fn local_into(cx: &StepsCx<'_>, path: &str, step: &Step, needs: &mut Needs, depth: usize) {
    let found = local_action(cx.scan, cx.prefix, path);
    let Some((input, action)) = found.filter(|_| depth < MAX_DEPTH && cx.trace.expand()) else {
        needs.unknown.insert(format!("./{path}"));
        return;
    };
    let steps = action.steps();
    if steps.is_empty() {
        // A local JavaScript or Docker action gets a token only if one is passed to it
        // or its inputs default to one.
        let defaults_token = action.inputs.iter().any(|i| {
            i.default
                .as_ref()
                .is_some_and(|d| is_workflow_token(&d.value))
        });
        if defaults_token || passes_workflow_token(cx, step) {
            needs.unknown.insert(format!("./{path}"));
        }
        return;
    }
    let inputs = action
        .inputs
        .iter()
        .filter_map(|i| {
            let given = step
                .with_value(&i.id.value)
                .map(|v| cx.resolve(&v.value.value))
                .or_else(|| i.default.as_ref().map(|d| d.value.clone()))?;
            Some((i.id.value.to_ascii_lowercase(), given))
        })
        .collect();
    let inner = StepsCx {
        scan: cx.scan,
        prefix: cx.prefix,
        input,
        job: None,
        outer_env: cx.outer_env.clone(),
        checkout_other_identity: cx.checkout_other_identity,
        inputs,
        trace: cx.trace,
    };
    let inner = StepsCx {
        checkout_other_identity: inner.checkout_other_identity
            || steps.iter().any(|s| checkout_with_other_token(&inner, s)),
        ..inner
    };
    for s in steps {
        step_into(&inner, s, needs, depth + 1);
    }
}

fn passes_workflow_token(cx: &StepsCx<'_>, step: &Step) -> bool {
    step.with
        .iter()
        .chain(&step.env.vars)
        .any(|kv| is_workflow_token(&cx.resolve(&kv.value.value)))
}

fn when_holds(w: &When, step: &Step) -> bool {
    if w.unless_input.as_ref().is_some_and(|u| {
        step.with_value(u)
            .is_some_and(|v| !v.value.value.trim().is_empty())
    }) {
        return false;
    }
    let value = step
        .with_value(&w.input)
        .map(|v| v.value.value.trim())
        .filter(|v| !v.is_empty());
    // A value decided at run time may take any value: count the need, so a scope is never
    // called unneeded because of a guess.
    if value.is_some_and(|v| v.contains("${{")) {
        return true;
    }
    if w.present {
        return value.is_some();
    }
    if w.absent {
        return value.is_none();
    }
    if let Some(e) = &w.equals {
        return value.is_some_and(|v| v.eq_ignore_ascii_case(e));
    }
    if let Some(e) = &w.not_equals {
        return value.is_none_or(|v| !v.eq_ignore_ascii_case(e));
    }
    if let Some(c) = &w.contains {
        return value.is_some_and(|v| v.to_ascii_lowercase().contains(&c.to_ascii_lowercase()));
    }
    false
}

fn action_into(cx: &StepsCx<'_>, e: &ActionEntry, r: &UsesRef, step: &Step, needs: &mut Needs) {
    let name = r.action();
    if e.unknown.is_some() {
        needs.unknown.insert(name);
        return;
    }
    // The action authenticates as someone else when its token input carries another
    // credential (or has no default and is not given); actions without a token input
    // read `GITHUB_TOKEN` from the environment.
    let other = match &e.token_input {
        Some(ti) => step.with_value(ti).map_or(!e.token_default, |v| {
            is_other_identity(&cx.resolve(&v.value.value))
        }),
        None => tollgate_kb::github::GH_TOKEN_VARS.iter().any(|n| {
            step.env
                .get(n)
                .is_some_and(|v| is_other_identity(&cx.resolve(&v.value.value)))
        }),
    };
    needs.add(&e.permissions, &name, other);
    for w in &e.when {
        if when_holds(w, step) {
            needs.add(&w.permissions, &format!("{name} with `{}`", w.input), other);
        }
    }
    if name.eq_ignore_ascii_case("actions/github-script")
        && !other
        && let Some(script) = step.with_value("script")
    {
        // A script that hands `github` to code loaded from a file makes calls we do not see.
        let text = &script.value.value;
        if text.contains("require(") || text.contains("import(") {
            needs
                .unknown
                .insert("actions/github-script (loads a script file)".to_owned());
        }
        github_script_into(text, needs);
    }
}

use tollgate_kb::github::OCTOKIT_NAMESPACES as OCTOKIT;

/// API calls in a github-script script, matched against the `[[github-script]]` table.
fn github_script_into(script: &str, needs: &mut Needs) {
    let b = script.as_bytes();
    let mut from = 0;
    while let Some(rel) = script[from..].find("github.") {
        let at = from + rel;
        from = at + 7;
        if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_' || b[at - 1] == b'.') {
            continue;
        }
        let chain: String = script[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
            .collect();
        let parts: Vec<&str> = chain.split('.').collect();
        let second = parts.get(1).copied().unwrap_or("");
        let call = match second {
            "rest" => chain.clone(),
            "graphql" | "request" => chain.clone(),
            "paginate" => continue,
            s if OCTOKIT.contains(&s.to_ascii_lowercase().as_str()) => {
                format!("github.rest.{}", parts[1..].join("."))
            }
            // `github.event…` inside `${{ }}`, `github.context`: not API calls.
            _ => continue,
        };
        let found = kb()
            .github_script
            .iter()
            .find(|e| glob_match(&e.call.to_ascii_lowercase(), &call.to_ascii_lowercase()));
        match found {
            Some(e) if e.unknown.is_none() => {
                let why = format!("`{call}`");
                match &e.alternative {
                    Some(alt) => needs.add_either(&e.permissions, alt, &why),
                    None => needs.add(&e.permissions, &why, false),
                }
            }
            _ => {
                needs.unknown.insert(call);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_script_calls() {
        let mut n = Needs::default();
        github_script_into(
            "await github.rest.issues.createComment({}); const r = await github.rest.pulls.get({}); core.info(`${{ github.event.issue.title }}`)",
            &mut n,
        );
        let n = n.resolve(&|_| PermissionLevel::None);
        assert_eq!(n.level("issues"), PermissionLevel::Write);
        assert_eq!(n.level("pull-requests"), PermissionLevel::Read);
        assert!(n.is_known());
        let mut n = Needs::default();
        github_script_into("github.issues.addLabels({})", &mut n);
        // On a pull request number, `pull-requests: write` serves instead.
        let held = |s: &str| {
            if s == "pull-requests" {
                PermissionLevel::Write
            } else {
                PermissionLevel::None
            }
        };
        assert_eq!(
            n.resolve(&held).level("pull-requests"),
            PermissionLevel::Write
        );
        assert_eq!(n.resolve(&held).level("issues"), PermissionLevel::None);
        assert_eq!(
            n.resolve(&|_| PermissionLevel::None).level("issues"),
            PermissionLevel::Write
        );
        let mut n = Needs::default();
        github_script_into("await github.graphql(q)", &mut n);
        assert!(!n.is_known());
    }
}

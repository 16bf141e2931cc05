//! The runner: every enabled rule over every input, in parallel, with panics contained,
//! then levels, confidence filter, suppressions and a deterministic order.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tollgate_model::{Confidence, Diagnostic, DiagnosticCode, Finding, Level, Location, PathHop};
use tollgate_scan::{FileModel, Input, Scan};

use crate::catalog::RuleMeta;
use crate::config::Config;
use crate::rule::{
    Context, GitlabJobCx, GitlabScriptCx, JobCx, Rule, RunCx, ScriptCx, Sink, StepCx, StepOwner,
    WorkflowCx,
};
use crate::suppress;

/// A rule with its catalog metadata.
pub struct RegisteredRule {
    pub meta: RuleMeta,
    pub rule: &'static dyn Rule,
}

/// `--select` / `--ignore` entries: a rule id or a category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector(pub String);

impl Selector {
    #[must_use]
    pub fn matches(&self, meta: &RuleMeta) -> bool {
        self.0 == meta.id || self.0 == meta.category || self.0 == "all"
    }
}

#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub select: Vec<Selector>,
    pub ignore: Vec<Selector>,
    pub min_confidence: Option<Confidence>,
    /// `--no-ignores`: report suppressed findings too.
    pub no_ignores: bool,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    /// Engine diagnostics: contained rule failures, unused suppressions and allow entries.
    pub diagnostics: Vec<Diagnostic>,
    /// Findings hidden by suppressions (shown with `--no-ignores`).
    pub suppressed: usize,
    /// Time each active rule spent, summed over its tasks on every thread (so the sum
    /// can exceed the wall time of the stage), most expensive first. Analyses shared
    /// between rules and commands are graph passes, timed with the graph.
    pub rule_times: Vec<(&'static str, std::time::Duration)>,
}

/// The level a rule runs at, or `None` when it does not run.
fn effective_level(r: &RegisteredRule, config: &Config, opts: &RunOptions) -> Option<Level> {
    let configured = config.rules.get(&r.meta.id).and_then(|s| s.level);
    if opts.ignore.iter().any(|s| s.matches(&r.meta)) || configured == Some(None) {
        return None;
    }
    let selected = opts.select.iter().any(|s| s.matches(&r.meta));
    // An explicit id in --select enables a rule that is off by default; a category or
    // `all` selects among the rules that are on.
    let named = opts.select.iter().any(|s| s.0 == r.meta.id);
    let enabled = if opts.select.is_empty() {
        r.meta.default_enabled || configured.is_some()
    } else {
        selected && (r.meta.default_enabled || named || configured.is_some())
    };
    enabled.then(|| configured.flatten().unwrap_or(r.meta.level))
}

/// Run the enabled rules over the scan.
#[must_use]
pub fn run(
    rules: &[RegisteredRule],
    scan: &Scan,
    graph: &tollgate_graph::Graph,
    config: &Config,
    opts: &RunOptions,
) -> Outcome {
    let active: Vec<(&RegisteredRule, Level)> = rules
        .iter()
        .filter_map(|r| effective_level(r, config, opts).map(|l| (r, l)))
        .collect();
    // Nanoseconds per active rule, summed over its tasks.
    let busy: Vec<AtomicU64> = active.iter().map(|_| AtomicU64::new(0)).collect();
    let cx = Context {
        scan,
        graph,
        config,
    };
    let inputs: Vec<&Input> = scan
        .inputs
        .iter()
        .filter(|i| !config.is_excluded(&i.source.display))
        .collect();

    // One task per (input, rule) pair for file hooks, one per rule for scan hooks, in
    // that order.
    let per_input = inputs.par_iter().flat_map_iter(|input| {
        active.iter().zip(&busy).map(move |((r, level), busy)| {
            contained(r, *level, busy, |sink| run_input(r.rule, &cx, input, sink))
        })
    });
    let per_scan = active
        .par_iter()
        .zip(&busy)
        .map(|((r, level), busy)| contained(r, *level, busy, |sink| r.rule.check_scan(&cx, sink)));
    // Nearly every (input, rule) pair finds nothing: only the others are kept (an entry
    // per pair held half a megabyte at the run's peak for 521 workflows), in their
    // order. The rare diagnostic is boxed so that an entry is four words.
    let results: Vec<(Vec<Finding>, Option<Box<Diagnostic>>)> = per_input
        .chain(per_scan)
        .filter(|(f, d)| !f.is_empty() || d.is_some())
        .collect();

    // Sized once: findings are large, and growing the vector moved them over and over.
    let mut findings = Vec::with_capacity(results.iter().map(|r| r.0.len()).sum());
    let mut diagnostics = Vec::new();
    for (f, d) in results {
        findings.extend(f);
        diagnostics.extend(d.map(|d| *d));
    }
    if let Some(min) = opts.min_confidence {
        findings.retain(|f| f.confidence >= min);
    }
    findings
        .par_iter_mut()
        .filter(|f| f.path.is_empty())
        .for_each(|f| f.path = context_path(scan, graph, &f.primary));
    let known: Vec<&str> = rules.iter().map(|r| r.meta.id.as_str()).collect();
    let mut suppressed = 0;
    if !opts.no_ignores {
        let before = findings.len();
        apply_suppressions(&inputs, config, &known, &mut findings, &mut diagnostics);
        suppressed = before - findings.len();
    }
    // After the suppressions, so that an ignore comment inside a job that never runs is
    // not reported as unused.
    drop_never_run(scan, &inputs, &mut findings);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
    // Allow-list entries and ignores are marked while rules run; what is left is unused.
    diagnostics.extend(config.unused());
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut rule_times: Vec<(&'static str, Duration)> = active
        .iter()
        .zip(&busy)
        .map(|((r, _), b)| (r.rule.id(), Duration::from_nanos(b.load(Ordering::Relaxed))))
        .collect();
    rule_times.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    Outcome {
        findings,
        diagnostics,
        suppressed,
        rule_times,
    }
}

/// The path from a workflow to where a finding is, for a rule that gives none: the chain
/// of the innermost job or step holding its primary location (workflow → job → local
/// composite actions → step), or of the file it is in (a lockfile some job installs
/// from), ending at the primary text itself. Empty when no workflow leads there.
#[must_use]
pub fn context_path(scan: &Scan, graph: &tollgate_graph::Graph, at: &Location) -> Vec<PathHop> {
    let Some(node) = graph.enclosing(&at.path, at.span) else {
        return Vec::new();
    };
    let Some(mut nodes) = graph.path_to(node) else {
        return Vec::new();
    };
    // A finding at a step's `uses:` value ends at what it uses.
    if let Some(target) = graph.uses_target(node)
        && graph
            .edge_origin(node, target, tollgate_graph::EdgeKind::Uses)
            .is_some_and(|o| o.span() == at.span)
    {
        nodes.push(target);
    }
    let mut hops = graph.path_hops(&nodes);
    let text = graph
        .input_id(&at.path)
        .and_then(|id| scan.inputs.get(id.0))
        .and_then(|i| i.source.text().get(at.span.range()))
        .map(|t| {
            t.lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("")
        })
        .unwrap_or("");
    let same = hops
        .last()
        .and_then(|h| h.location.as_ref())
        .is_some_and(|l| l.span == at.span);
    if !text.is_empty() && !same {
        hops.push(PathHop {
            label: format!(
                "`{}`",
                tollgate_model::text::cut(text, 80).replace('`', "'")
            ),
            location: Some(at.clone()),
        });
    }
    hops
}

/// Run one rule's hooks for one unit of work, turning a panic into a diagnostic and
/// adding the time it took to `busy` (nanoseconds).
fn contained(
    r: &RegisteredRule,
    level: Level,
    busy: &AtomicU64,
    f: impl FnOnce(&mut Sink<'_>),
) -> (Vec<Finding>, Option<Box<Diagnostic>>) {
    let start = Instant::now();
    let mut findings = Vec::new();
    let outcome = {
        let mut sink = Sink {
            rule: r.rule.id(),
            level,
            severity: r.meta.severity,
            confidence: r.meta.confidence,
            job: None,
            findings: &mut findings,
        };
        catch_unwind(AssertUnwindSafe(|| f(&mut sink)))
    };
    let nanos = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    busy.fetch_add(nanos, Ordering::Relaxed);
    match outcome {
        Ok(()) => {
            // Held until all the rules are done, then moved into one vector: without the
            // slack of its growth.
            findings.shrink_to_fit();
            (findings, None)
        }
        Err(p) => {
            let why = p
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let d = Diagnostic::file(
                "<tollgate>",
                DiagnosticCode::Internal,
                format!("rule `{}` failed and was skipped: {why}", r.meta.id),
            )
            .with_help("this is a bug in tollgate; the other rules ran");
            (Vec::new(), Some(Box::new(d)))
        }
    }
}

use tollgate_gha::cond::never_runs;

/// The byte ranges of the jobs (from their id) and steps of `parsed` that never run in
/// `repository`.
fn never_run_ranges(
    parsed: &FileModel,
    repository: Option<&tollgate_model::repo::Repository>,
) -> Vec<(usize, usize)> {
    let steps = |steps: &[tollgate_gha::Step], out: &mut Vec<(usize, usize)>| {
        for st in steps
            .iter()
            .filter(|st| never_runs(st.if_.as_ref(), repository))
        {
            out.push((st.span.start(), st.span.end()));
        }
    };
    let mut out = Vec::new();
    match parsed {
        FileModel::Workflow(wf) => {
            for job in &wf.jobs {
                if never_runs(job.if_.as_ref(), repository) {
                    out.push((job.id.span.start().min(job.span.start()), job.span.end()));
                } else {
                    steps(&job.steps, &mut out);
                }
            }
        }
        FileModel::Action(a) => steps(a.steps(), &mut out),
        _ => {}
    }
    out
}

/// Drop the findings inside a job or step whose `if:` can never hold (the literal
/// `false`, or another repository's name), whichever hook reported them (a
/// workflow-level pass walks the jobs too): such a job never runs, and a finding in it
/// names a risk that cannot happen.
fn drop_never_run(scan: &Scan, inputs: &[&Input], findings: &mut Vec<Finding>) {
    let dead: Vec<(&str, Vec<(usize, usize)>)> = inputs
        .iter()
        .map(|i| {
            (
                &*i.source.display,
                never_run_ranges(&i.parsed, scan.repository_of(i)),
            )
        })
        .filter(|(_, r)| !r.is_empty())
        .collect();
    if dead.is_empty() {
        return;
    }
    findings.retain(|f| {
        let at = f.primary.span;
        !dead.iter().any(|(path, ranges)| {
            *path == &*f.primary.path
                && ranges
                    .iter()
                    .any(|&(s, e)| s <= at.start() && at.end() <= e)
        })
    });
}

fn run_input(rule: &dyn Rule, cx: &Context<'_>, input: &Input, sink: &mut Sink<'_>) {
    rule.check_input(cx, input, sink);
    match &*input.parsed {
        FileModel::Workflow(wf) => {
            rule.check_workflow(
                cx,
                &WorkflowCx {
                    input,
                    workflow: wf,
                },
                sink,
            );
            for (j, job) in wf.jobs.iter().enumerate() {
                sink.set_job(Some(&job.id.value));
                rule.check_job(
                    cx,
                    &JobCx {
                        input,
                        workflow: wf,
                        job,
                    },
                    sink,
                );
                for step in &job.steps {
                    let step = StepCx {
                        input,
                        owner: StepOwner::Job { workflow: wf, job },
                        job_index: Some(j),
                        step,
                    };
                    rule.check_step(cx, &step, sink);
                    rule.check_script(cx, &ScriptCx::Step(&step), sink);
                }
            }
            sink.set_job(None);
        }
        FileModel::Action(a) => {
            rule.check_action(cx, input, a, sink);
            for step in a.steps() {
                let step = StepCx {
                    input,
                    owner: StepOwner::Action(a),
                    job_index: None,
                    step,
                };
                rule.check_step(cx, &step, sink);
                rule.check_script(cx, &ScriptCx::Step(&step), sink);
            }
        }
        FileModel::Gitlab(m) => {
            if let Some(config) = m.config.as_deref() {
                gitlab_jobs(rule, cx, input, config, sink);
            }
        }
        FileModel::Dockerfile(d) => {
            for (index, run) in d.runs.iter().enumerate() {
                if run.script.is_none() {
                    continue;
                }
                let run = RunCx {
                    input,
                    dockerfile: d,
                    index,
                    run,
                };
                rule.check_script(cx, &ScriptCx::Run(&run), sink);
            }
        }
        _ => {}
    }
}

/// The jobs of a GitLab configuration (`root` its root file) and their scripts.
fn gitlab_jobs(
    rule: &dyn Rule,
    cx: &Context<'_>,
    root: &Input,
    config: &tollgate_gitlab::Config,
    sink: &mut Sink<'_>,
) {
    let start = sink.findings.len();
    for (index, job) in config.jobs.iter().enumerate() {
        let Some(input) = cx.scan.input_at(root.root, &config.files[job.name.file]) else {
            continue;
        };
        sink.set_job(Some(&job.name.value));
        let jcx = GitlabJobCx {
            root,
            input,
            config,
            index,
            job,
        };
        // A template's values (`extends:`, `default:`) are in every job that uses them:
        // what is said about them is said once, with the first job, as for scripts.
        let before = sink.findings.len();
        rule.check_gitlab_job(cx, &jcx, sink);
        drop_repeated(sink.findings, start, before);
        for (k, session) in job.sessions().iter().enumerate() {
            let Some(input) = jcx.input_of(cx.scan, session.file) else {
                continue;
            };
            let s = GitlabScriptCx {
                job: &jcx,
                index: k,
                session,
                input,
            };
            let before = sink.findings.len();
            rule.check_script(cx, &ScriptCx::Gitlab(&s), sink);
            drop_repeated(sink.findings, start, before);
        }
    }
    sink.set_job(None);
}

/// Drop the findings from `new` on that repeat one from `start` to `new`: a template's
/// script lines (`extends:`, `!reference`, `default: before_script:`) run in every job
/// that uses them, and are reported once, with the first such job.
fn drop_repeated(findings: &mut Vec<Finding>, start: usize, new: usize) {
    let same = |a: &Finding, b: &Finding| {
        a.rule == b.rule
            && a.primary.path == b.primary.path
            && a.primary.span == b.primary.span
            && a.message == b.message
    };
    let mut k = new;
    while k < findings.len() {
        if findings[start..new].iter().any(|e| same(e, &findings[k])) {
            findings.remove(k);
        } else {
            k += 1;
        }
    }
}

fn apply_suppressions(
    inputs: &[&Input],
    config: &Config,
    known: &[&str],
    findings: &mut Vec<Finding>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // Comments are looked for in parallel; the few inputs that hold some are applied in
    // order.
    let found: Vec<(&Input, Vec<suppress::Suppression>)> = inputs
        .par_iter()
        .filter_map(|input| {
            let (wf, action) = match &*input.parsed {
                FileModel::Workflow(w) => (Some(w), None),
                FileModel::Action(a) => (None, Some(a)),
                _ => (None, None),
            };
            let sups = match &*input.parsed {
                FileModel::Gitlab(m) => suppress::parse_gitlab(&input.source, &m.file),
                _ => suppress::parse(&input.source, wf, action),
            };
            (!sups.is_empty()).then_some((*input, sups))
        })
        .collect();
    for (input, mut sups) in found {
        let path = &input.source.display;
        findings.retain(|f| *f.primary.path != **path || !suppress::suppresses(&mut sups, f));
        diagnostics.extend(suppress::unused(&input.source, &sups, known));
    }
    if config.ignores.is_empty() {
        return;
    }
    findings.retain(|f| {
        let hit = config.ignores.iter().find(|ig| {
            ig.glob.is_match(&*f.primary.path)
                && (ig.rules.is_empty() || ig.rules.iter().any(|r| r == f.rule))
                && ig.line.is_none_or(|l| l == f.primary.start.line as usize)
                && ig
                    .job
                    .as_ref()
                    .is_none_or(|j| f.job.as_deref() == Some(j.as_str()))
        });
        if let Some(ig) = hit {
            ig.mark_used();
        }
        hit.is_none()
    });
}

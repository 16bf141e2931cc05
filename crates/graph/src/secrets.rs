//! Which steps can read which secrets, how each one is handed over, and where a script
//! sends one further: the `reads` edges and the [`SecretReads`] record beside them.
//!
//! These are facts of one file (a step reads what its own `env:`, `with:` and `run:`
//! name; every step of a job reads what the `env:` of its job and workflow name; a job
//! calling a reusable workflow hands over its `secrets:` and `with:`), so they are laid
//! out with the structure, in the file's fragment. The `Edge` of the graph stays small:
//! one `reads` edge per (reader, secret), at the first expression that hands it over,
//! and the detail of every hand-over goes to the record. What every step of a job
//! inherits is read by the job, once: [`Graph::step_reads`] adds it to a step's own.

use std::collections::BTreeSet;

use foldhash::HashMap;
use tollgate_gha::{Env, KeyValue, Step, Uses, expressions};
use tollgate_model::Span;
use tollgate_shell::{EnvTarget, Fact};

use crate::fragment::{FRef, FragmentBuilder, Key};
use crate::graph::Graph;
use crate::model::{EdgeKind, NodeId, NodeKind, Origin};

/// How a secret reaches the code that can read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    /// An `env:` entry of the step itself; `var` is `None` when the whole `env:` is one
    /// expression (`env: ${{ fromJSON(…) }}`).
    StepEnv { var: Option<String> },
    /// An `env:` entry of the job, which every step of the job inherits (read by the
    /// job, for its steps).
    JobEnv { var: Option<String> },
    /// An `env:` entry of the workflow, which every step of every job inherits (read by
    /// each job that has steps, for them).
    WorkflowEnv { var: Option<String> },
    /// A `with:` input of the action the step uses.
    With { input: String },
    /// An expression in the step's `run:` script, substituted into its text.
    Script,
    /// An entry of `secrets:` of a job calling a reusable workflow.
    CallSecrets { name: String },
    /// `secrets: inherit` of a job calling a reusable workflow: every secret.
    CallInherit,
    /// A `with:` input of a job calling a reusable workflow.
    CallWith { input: String },
}

/// An expression that reaches more than named secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Whole {
    /// `toJSON(secrets)`: every secret of the repository.
    Every,
    /// `secrets[<computed>]`: any secret at all; the expression's inner text.
    Computed(String),
}

/// One hand-over of a secret to a reader: a step, or a job (for its steps, or for the
/// workflow it calls).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Read {
    /// The secret node (`name: None` for the whole context or a computed name).
    pub secret: NodeId,
    /// The whole `${{ … }}` expression that hands it over (for `secrets: inherit`, the
    /// `inherit` value; for an `env:` that is one expression, that value).
    pub origin: Origin,
    pub via: Via,
    /// Set when the expression reaches every secret or a computed one.
    pub whole: Option<Whole>,
}

/// Where a step's script sends a secret beyond its own process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeakTo {
    /// Printed to the log.
    Log,
    /// Written to `$GITHUB_ENV`.
    GithubEnv,
    /// Written to `$GITHUB_OUTPUT`.
    GithubOutput,
    /// Written to `$GITHUB_STEP_SUMMARY`.
    StepSummary,
    /// Written to a file that a later step of the job uploads with
    /// `actions/upload-artifact`.
    Artifact {
        file: String,
        /// The uploading step's label and where it is written.
        step: String,
        at: Origin,
    },
}

/// A secret (other than the workflow's own token, which GitHub masks and revokes with
/// the job) that a step's script sends further, at the expression that holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leak {
    pub origin: Origin,
    pub name: String,
    pub to: LeakTo,
}

/// The record the structural build leaves beside the `reads` edges.
#[derive(Debug, Default)]
pub struct SecretReads {
    /// Per reader, every hand-over in file order.
    reads: HashMap<NodeId, Vec<Read>>,
    /// Per step, what its script sends further, in script order.
    leaks: HashMap<NodeId, Vec<Leak>>,
}

impl SecretReads {
    pub(crate) fn add_read(&mut self, reader: NodeId, read: Read) {
        self.reads.entry(reader).or_default().push(read);
    }

    pub(crate) fn add_leak(&mut self, step: NodeId, leak: Leak) {
        self.leaks.entry(step).or_default().push(leak);
    }
}

impl Graph {
    /// Every hand-over of a secret to `reader` (a step, or a job), in file order: the
    /// detail of its `reads` edges.
    #[must_use]
    pub fn reads_of(&self, reader: NodeId) -> &[Read] {
        self.record::<SecretReads>()
            .and_then(|r| r.reads.get(&reader))
            .map_or(&[], Vec::as_slice)
    }

    /// Every secret `step` can read: its own hand-overs, then the `env:` of its job and
    /// workflow that it inherits (none for a step of a composite action, which reads
    /// only what it is handed).
    pub fn step_reads(&self, step: NodeId) -> impl Iterator<Item = &Read> + '_ {
        let job = self.node(step).and_then(|n| n.parent).filter(|p| {
            self.node(*p)
                .is_some_and(|n| matches!(n.kind, NodeKind::Job { .. }))
        });
        let inherited = job.map_or(&[][..], |j| self.reads_of(j));
        self.reads_of(step).iter().chain(
            inherited
                .iter()
                .filter(|r| matches!(r.via, Via::JobEnv { .. } | Via::WorkflowEnv { .. })),
        )
    }

    /// What the script of `step` sends further (the log, workflow-command files, an
    /// uploaded file).
    #[must_use]
    pub fn leaks_of(&self, step: NodeId) -> &[Leak] {
        self.record::<SecretReads>()
            .and_then(|r| r.leaks.get(&step))
            .map_or(&[], Vec::as_slice)
    }

    /// The name of a secret node (`None` for the whole context, or a node that is no
    /// secret).
    #[must_use]
    pub fn secret_name(&self, secret: NodeId) -> Option<&str> {
        match &self.node(secret)?.kind {
            NodeKind::Secret { name } => name.as_deref(),
            _ => None,
        }
    }
}

/// A hand-over found in a file, before its secret has a node.
#[derive(Clone, Debug)]
pub(crate) struct Handed {
    name: Option<String>,
    span: Span,
    via: Via,
    whole: Option<Whole>,
}

/// A read in a fragment: reader and secret by their index in the fragment.
pub(crate) struct FRead {
    pub reader: usize,
    pub secret: usize,
    pub origin: Origin,
    pub via: Via,
    pub whole: Option<Whole>,
}

/// Whether an expression's inner text reaches every secret or a computed one.
fn whole(inner: &str) -> Option<Whole> {
    let flat: String = inner
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    if flat.contains("tojson(secrets)") {
        return Some(Whole::Every);
    }
    let mut from = 0;
    while let Some(rel) = flat[from..].find("secrets[") {
        let at = from + rel;
        from = at + 8;
        let before_ok = at == 0 || !flat.as_bytes()[at - 1].is_ascii_alphanumeric();
        let quoted = matches!(flat.as_bytes().get(at + 8), Some(b'\'' | b'"'));
        if before_ok && !quoted {
            return Some(Whole::Computed(inner.to_owned()));
        }
    }
    None
}

/// The secrets the expressions of `text` hand over, with `span` mapping a range of
/// `text` to the file.
fn handed_in(text: &str, span: impl Fn(Span) -> Span, via: &Via, out: &mut Vec<Handed>) {
    for e in expressions(text) {
        let at = span(Span::new(e.start, e.end));
        let whole = whole(&e.inner);
        for r in tollgate_kb::secrets::secret_refs(&e.inner) {
            out.push(Handed {
                name: r.name,
                span: at,
                via: via.clone(),
                whole: whole.clone(),
            });
        }
    }
}

fn kv(kv: &KeyValue, via: Via, out: &mut Vec<Handed>) {
    handed_in(&kv.value.value, |s| kv.file_span(s), &via, out);
}

/// The secrets an `env:` block hands over; `via` makes the [`Via`] of a variable.
pub(crate) fn env(env: &Env, via: fn(Option<String>) -> Via, out: &mut Vec<Handed>) {
    for v in &env.vars {
        kv(v, via(Some(v.key.value.clone())), out);
    }
    if let Some(e) = &env.expression {
        // The value is one expression whose inner positions are not mapped: the whole
        // value is where it is handed over.
        handed_in(&e.value, |_| e.span, &via(None), out);
    }
}

/// The secrets a job calling a reusable workflow hands to it.
pub(crate) fn call(job: &tollgate_gha::Job) -> Vec<Handed> {
    let mut out = Vec::new();
    for w in &job.with {
        kv(
            w,
            Via::CallWith {
                input: w.key.value.clone(),
            },
            &mut out,
        );
    }
    match job.secrets.as_ref().map(|s| &s.value) {
        Some(tollgate_gha::JobSecrets::Inherit(span)) => out.push(Handed {
            name: None,
            span: *span,
            via: Via::CallInherit,
            whole: None,
        }),
        Some(tollgate_gha::JobSecrets::Map(map)) => {
            for s in map {
                kv(
                    s,
                    Via::CallSecrets {
                        name: s.key.value.clone(),
                    },
                    &mut out,
                );
            }
        }
        None => {}
    }
    out
}

/// The secrets a step hands over itself: its `with:`, its `env:` and its script.
fn own(step: &Step) -> Vec<Handed> {
    let mut out = Vec::new();
    env(&step.env, |var| Via::StepEnv { var }, &mut out);
    for w in &step.with {
        kv(
            w,
            Via::With {
                input: w.key.value.clone(),
            },
            &mut out,
        );
    }
    if let Some(run) = &step.run {
        handed_in(&run.script, |s| run.file_span(s), &Via::Script, &mut out);
    }
    out
}

impl FragmentBuilder<'_> {
    /// `reads` edges from `reader` to the secrets `handed` names, with their detail.
    pub(crate) fn reads(&mut self, reader: &FRef, handed: &[Handed]) {
        let FRef::Local(r) = *reader else { return };
        for h in handed {
            let key = Key::Secret(h.name.clone());
            let name = h.name.clone();
            let (secret, _) = self.shared_with(key, || NodeKind::Secret { name }, Some(h.span));
            let FRef::Local(s) = secret else { continue };
            self.edge(reader, &secret, EdgeKind::Reads, Some(h.span));
            let origin = self.origin(h.span);
            self.frag.reads.push(FRead {
                reader: r,
                secret: s,
                origin,
                via: h.via.clone(),
                whole: h.whole.clone(),
            });
        }
    }

    /// The reads of one step: what it hands over itself.
    pub(crate) fn step_reads(&mut self, node: &FRef, step: &Step) {
        self.reads(node, &own(step));
    }

    /// What the script of a step sends further: the log, workflow-command files, files
    /// a later step of the job uploads (`later`: the steps after it, `None` in a
    /// composite action, whose uploads are not followed).
    pub(crate) fn leaks(
        &mut self,
        node: &FRef,
        job: Option<usize>,
        step: &Step,
        later: Option<&[Step]>,
    ) {
        let FRef::Local(n) = *node else { return };
        let Some(run) = &step.run else { return };
        let Some(analysis) = self
            .input
            .script(job, step.index)
            .and_then(|x| x.analysis.as_deref())
        else {
            return;
        };
        let script = &run.script;
        let mut seen = BTreeSet::new();
        let mut out: Vec<(Span, String, LeakTo)> = Vec::new();
        let secrets_in = |span: Span| -> Vec<(Span, String)> {
            analysis
                .expressions
                .iter()
                .filter(|e| e.start() >= span.start() && e.end() <= span.end())
                .flat_map(|e| {
                    let text = script.get(e.range()).unwrap_or("");
                    crate::util::secret_names(text)
                        .into_iter()
                        .map(move |n| (*e, n))
                })
                .collect()
        };
        for f in &analysis.facts {
            match f {
                Fact::SecretEcho(e) => {
                    if e.name.eq_ignore_ascii_case("GITHUB_TOKEN")
                        || !seen.insert(e.expression_span)
                    {
                        continue;
                    }
                    out.push((e.expression_span, e.name.clone(), LeakTo::Log));
                }
                Fact::EnvWrite(w) => {
                    let to = match w.target {
                        EnvTarget::GithubEnv => LeakTo::GithubEnv,
                        EnvTarget::GithubOutput => LeakTo::GithubOutput,
                        EnvTarget::GithubStepSummary => LeakTo::StepSummary,
                        EnvTarget::GithubPath | EnvTarget::GithubState => continue,
                    };
                    // The written text comes from this command or the ones piped into it.
                    let spans = analysis.pipeline_spans(w.span);
                    for (e, name) in spans.into_iter().flat_map(&secrets_in) {
                        if seen.insert(e) {
                            out.push((e, name, to.clone()));
                        }
                    }
                }
                _ => {}
            }
        }
        // A secret written to a file that a later step uploads as an artifact.
        if let Some(later) = later {
            for cmd in &analysis.commands {
                for r in cmd.redirects.iter().filter(|r| r.is_output()) {
                    let Some(target) = r.target.as_ref().and_then(|t| t.as_str()) else {
                        continue;
                    };
                    if target.starts_with("/dev/") || target.contains("GITHUB_") {
                        continue;
                    }
                    let Some(upload) = later.iter().find(|x| uploads(x, target)) else {
                        continue;
                    };
                    for (e, name) in secrets_in(cmd.span) {
                        if seen.insert(e) {
                            let to = LeakTo::Artifact {
                                file: target.to_owned(),
                                step: upload.label(),
                                at: self.origin(upload.span),
                            };
                            out.push((e, name, to));
                        }
                    }
                }
            }
        }
        for (e, name, to) in out {
            let origin = self.origin(run.file_span(e));
            self.frag.leaks.push((n, Leak { origin, name, to }));
        }
    }
}

/// Whether `step` uploads `file` with `actions/upload-artifact`.
fn uploads(step: &Step, file: &str) -> bool {
    let Some(Uses::Remote(r)) = step.uses.as_ref().map(|u| &u.value) else {
        return false;
    };
    if !r.action().eq_ignore_ascii_case("actions/upload-artifact") {
        return false;
    }
    let file = file.trim_start_matches("./");
    step.with_value("path").is_some_and(|p| {
        p.value
            .value
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .any(|l| {
                let l = l.trim_start_matches("./").trim_end_matches('/');
                l == file
                    || l == "."
                    || l.is_empty()
                    || l == "*"
                    || (!l.is_empty() && file.starts_with(&format!("{l}/")))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_context_and_computed_names() {
        assert_eq!(whole("toJSON( secrets )"), Some(Whole::Every));
        assert_eq!(
            whole("secrets[inputs.name]"),
            Some(Whole::Computed("secrets[inputs.name]".into()))
        );
        assert_eq!(whole("secrets['API_KEY']"), None);
        assert_eq!(whole("mysecrets[x]"), None);
        assert_eq!(whole("secrets.NPM_TOKEN"), None);
    }
}

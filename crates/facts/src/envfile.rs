//! What a job writes to the workflow-command files that an outsider chose: lines of
//! `$GITHUB_ENV` and `$GITHUB_PATH`, `core.exportVariable`/`core.addPath` in
//! `actions/github-script`, and `$GITHUB_OUTPUT` values that a later step expands into a
//! script.
//!
//! A value is the outsider's when the write's text reads (in the commands of its pipeline,
//! their command substitutions and its here-documents):
//! - a `${{ … }}` expansion the flow pass records (an untrusted context, directly or
//!   through an `env:` entry, a step output or an input: `tollgate_facts::flow`);
//! - a shell variable an `env:` of the step, job or workflow sets from an untrusted
//!   context, or from a step output that carries one;
//! - a variable the script assigned from one of those (unless the script tests it against
//!   a regular expression, `[[ $X =~ … ]]`: the usual validation);
//! - a file of the triggering run's artifacts (`workflow_run`), or of a pull request's
//!   head an earlier step checked out (the trust pass's `checks-out` edges).
//!
//! Template text written into `$GITHUB_OUTPUT` through `${{ … }}` is the flow pass's
//! (and `template-injection`'s) already; here only outputs whose value comes through the
//! shell are followed to the later expansion.
//!
//! This is a query over one job, run when a rule asks: the facts it joins (shell writes,
//! flows, checkouts, downloads) are each derived once elsewhere.

use std::collections::HashMap;

use tollgate_gha::{Env, Job, Step, Workflow, context_references, expressions};
use tollgate_graph::{Graph, InputId, NodeId};
use tollgate_model::Span;
use tollgate_scan::Input;
use tollgate_shell::{Analysis, Command, EnvTarget, Fact, Word};

use crate::flow::{self, Taint};
use crate::trust::Artifacts;

mod github_script;

use github_script::github_script;

/// Where an outsider's value ends up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A line of `$GITHUB_ENV` (`key` when the text names the variable).
    Env { key: Option<String> },
    /// A line of `$GITHUB_PATH`.
    Path,
    /// `core.exportVariable` in `actions/github-script`.
    ExportVariable,
    /// `core.addPath` in `actions/github-script`.
    AddPath,
    /// An output (`steps.<id>.outputs.<key>`) that step `used_by` (an index in the job)
    /// expands into its script at `used_at`.
    Output {
        reference: String,
        used_by: usize,
        used_at: Span,
    },
}

/// How sure the value is the outsider's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Certainty {
    /// The write reads an untrusted context, directly or through an `env:` entry.
    Direct,
    /// Through a file, a script variable or a step output: the script may have checked
    /// it in ways not seen here.
    Indirect,
}

/// Where the outsider's value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// The value in words, with the value in backticks: ``` `env.TITLE` (set from
    /// `github.event.issue.title`) ```, ``` `pr/number.txt`, a file of … ```.
    pub what: String,
    /// The last carrier the script or an earlier step put it in (a script variable, an
    /// `env:` entry set from an output), in words; only the last is kept, so that a
    /// chain of carriers does not grow the words.
    pub through: Option<String>,
    /// Where the value enters: the expansion, the `env:` key, the download or checkout
    /// step, the write of an output.
    pub at: Span,
    pub certainty: Certainty,
    /// Whether the value can hold a line break: a body, a comment, a commit message or a
    /// file can; a branch name, a login, an e-mail address cannot, so written to
    /// `$GITHUB_ENV` it stays one line.
    pub lines: bool,
}

impl Source {
    /// The value in words, through its last carrier.
    #[must_use]
    pub fn describe(&self) -> String {
        match &self.through {
            Some(t) => format!("{t}, which carries {}", self.what),
            None => self.what.clone(),
        }
    }
}

/// One write of an outsider's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// The step writing it (its index in the job).
    pub step: usize,
    pub target: Target,
    /// The write in the file: the command (with its redirection) or the call.
    pub at: Span,
    pub source: Source,
}

/// Files an earlier step put in the workspace that an outsider chose.
#[derive(Clone, Debug)]
struct Files {
    /// Their directory (`None`: anywhere in the workspace).
    dir: Option<String>,
    what: String,
    at: Span,
}

impl Files {
    /// Whether a static path names one of them.
    fn holds(&self, path: &str) -> bool {
        if path.starts_with(['/', '$', '~', '-']) || path.is_empty() {
            return false;
        }
        let p = path.trim_start_matches("./");
        match &self.dir {
            Some(d) => p == d || p.starts_with(&format!("{d}/")),
            None => !p.starts_with("../"),
        }
    }
}

/// Commands that print the files they are given.
const READERS: &[&str] = &["cat", "head", "tail", "jq", "yq", "tac"];

/// The writes of outsiders' values in job `j` of `wf` (file `id`), in step order.
#[must_use]
pub fn in_job(graph: &Graph, id: InputId, input: &Input, wf: &Workflow, j: usize) -> Vec<Written> {
    let Some(job) = wf.jobs.get(j) else {
        return Vec::new();
    };
    let workflow_run = wf.on.as_ref().is_some_and(|t| t.has("workflow_run"));
    let mut out = Vec::new();
    let mut files: Option<Files> = None;
    // Outputs carrying an outsider's value through the shell: reference → (source, the
    // step writing it, the write).
    let mut outputs: HashMap<String, (Source, usize, Span)> = HashMap::new();
    for step in &job.steps {
        let node = graph.step_node(id, Some(j), step.index);
        let env = tainted_env(step, job, wf, &outputs);
        if let Some(run) = &step.run {
            uses_of_outputs(step, &run.script, &|s| run.file_span(s), &outputs, &mut out);
        }
        let analysis = input
            .script(Some(j), step.index)
            .and_then(|s| s.analysis.as_deref());
        if let (Some(run), Some(analysis)) = (&step.run, analysis) {
            // Artifacts the script downloads itself count for its own writes too.
            if workflow_run
                && let Some((c, a)) = analysis
                    .commands
                    .iter()
                    .find_map(|c| Some((c, Artifacts::downloaded_in_script(c)?)))
            {
                files = Some(from_artifacts(&a, run.file_span(c.span)));
            }
            let cx = ScriptIn {
                graph,
                script: &run.script,
                to_file: &|s| run.file_span(s),
                analysis,
                env: &env,
                files: files.as_ref(),
                flows: node.map(|n| flow::into_step(graph, n)).unwrap_or_default(),
                validated: validated(&run.script),
            };
            let local = cx.local_variables();
            for f in &analysis.facts {
                let Fact::EnvWrite(w) = f else { continue };
                let target = match w.target {
                    EnvTarget::GithubEnv => Target::Env { key: w.key.clone() },
                    EnvTarget::GithubPath => Target::Path,
                    EnvTarget::GithubOutput => {
                        // Only a value that came through the shell: an expansion is the
                        // flow pass's carrier already.
                        if let (Some(sid), Some(key)) = (&step.id, &w.key) {
                            let reference = format!(
                                "steps.{}.outputs.{}",
                                sid.value.to_ascii_lowercase(),
                                key.to_ascii_lowercase()
                            );
                            // Written again without the outsider's value, it is clean.
                            match cx.source_of(w.span, &local, false) {
                                Some(source) => {
                                    outputs.insert(
                                        reference,
                                        (source, step.index, run.file_span(w.span)),
                                    );
                                }
                                None => {
                                    outputs.remove(&reference);
                                }
                            }
                        }
                        continue;
                    }
                    _ => continue,
                };
                if let Some(source) = cx.source_of(w.span, &local, true) {
                    out.push(Written {
                        step: step.index,
                        target,
                        at: run.file_span(w.span),
                        source,
                    });
                }
            }
        }
        github_script(graph, node, step, &outputs, &mut out);
        if workflow_run
            && let Some(a) =
                Artifacts::downloaded_by(step).or_else(|| Artifacts::downloaded_by_script(step))
        {
            let at = step.uses.as_ref().map_or(step.span, |u| u.span);
            files = Some(from_artifacts(&a, at));
        }
        if let Some(node) = node
            && let Some((origin, _)) = graph.checkouts_of(node).first()
        {
            let dir = step
                .uses
                .is_some()
                .then(|| crate::trust::step_path(step))
                .flatten();
            let does = crate::trust::of(graph)
                .describe(*origin)
                .unwrap_or("checks out the untrusted head");
            files = Some(Files {
                dir,
                what: format!("the code step {} {does}", step.index + 1),
                at: origin.span(),
            });
        }
    }
    out
}

fn from_artifacts(a: &Artifacts, at: Span) -> Files {
    Files {
        dir: a.path().map(str::to_owned),
        what: format!(
            "the triggering run's artifacts, unpacked by `{}`",
            a.action()
        ),
        at,
    }
}

/// The `env:` variables of a step (with its job's and workflow's) that hold an
/// outsider's value, by name: set from an untrusted context or from an output that
/// carries one. A variable an inner level sets hides the outer ones.
fn tainted_env(
    step: &Step,
    job: &Job,
    wf: &Workflow,
    outputs: &HashMap<String, (Source, usize, Span)>,
) -> HashMap<String, Source> {
    let mut out = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    let levels: [&Env; 3] = [&step.env, &job.env, &wf.env];
    for env in levels {
        for v in &env.vars {
            if !seen.insert(v.key.value.clone()) {
                continue;
            }
            let text = &v.value.value;
            let source = if let Some(r) = flow::tainted_text(text) {
                Some(Source {
                    what: format!("`env.{}` (set from `{r}`)", v.key.value),
                    through: None,
                    lines: holds_line_breaks(&r),
                    at: v.key.span,
                    certainty: Certainty::Direct,
                })
            } else {
                output_in(text, outputs).map(|(r, s)| Source {
                    what: s.what.clone(),
                    lines: s.lines,
                    through: Some(format!("`env.{}` (set from `{r}`)", v.key.value)),
                    at: v.key.span,
                    certainty: Certainty::Indirect,
                })
            };
            if let Some(s) = source {
                out.insert(v.key.value.clone(), s);
            }
        }
    }
    out
}

/// The first output in `outputs` an expression of `text` references.
fn output_in<'o>(
    text: &str,
    outputs: &'o HashMap<String, (Source, usize, Span)>,
) -> Option<(String, &'o Source)> {
    if outputs.is_empty() {
        return None;
    }
    expressions(text).into_iter().find_map(|e| {
        context_references(&e.inner)
            .into_iter()
            .find_map(|(r, _, _)| outputs.get(&r).map(|(s, _, _)| (r, s)))
    })
}

/// Expansions in a later step's script of outputs that carry an outsider's value.
fn uses_of_outputs(
    step: &Step,
    script: &str,
    to_file: &dyn Fn(Span) -> Span,
    outputs: &HashMap<String, (Source, usize, Span)>,
    out: &mut Vec<Written>,
) {
    if outputs.is_empty() {
        return;
    }
    for e in expressions(script) {
        if flow::is_boolean_expression(&e.inner) {
            continue;
        }
        let Some((r, (source, by, at))) = context_references(&e.inner)
            .into_iter()
            .find_map(|(r, _, _)| outputs.get(&r).map(|x| (r, x)))
        else {
            continue;
        };
        out.push(Written {
            step: *by,
            target: Target::Output {
                reference: r,
                used_by: step.index,
                used_at: to_file(Span::new(e.start, e.end)),
            },
            at: *at,
            source: source.clone(),
        });
    }
}

/// One `run:` script and what its writes are judged against.
struct ScriptIn<'a> {
    graph: &'a Graph,
    script: &'a str,
    to_file: &'a dyn Fn(Span) -> Span,
    analysis: &'a Analysis,
    env: &'a HashMap<String, Source>,
    files: Option<&'a Files>,
    /// The flows into the step (the flow pass's), read once.
    flows: Vec<&'a flow::Flow>,
    /// The variables the script tests against a regular expression, read once.
    validated: std::collections::HashSet<String>,
}

impl ScriptIn<'_> {
    /// Variables the script assigns from an outsider's value, in source order (an
    /// assignment from one assigned earlier counts), except those it tests against a
    /// regular expression.
    fn local_variables(&self) -> HashMap<String, Source> {
        let mut local: HashMap<String, Source> = HashMap::new();
        for a in &self.analysis.assignments {
            let Some(value) = &a.value else { continue };
            // `B=$BODY` reads the variable itself; `B=$(echo "$BODY" | …)` through the
            // commands of its substitution.
            let read = value
                .variables
                .iter()
                .find_map(|n| self.variable(n, &local))
                .or_else(|| self.source_in(&[value.span], &local, true));
            if let Some(s) = read {
                local.insert(
                    a.name.clone(),
                    Source {
                        through: Some(format!("`{}`", a.name)),
                        certainty: Certainty::Indirect,
                        ..s
                    },
                );
            }
        }
        local.retain(|name, _| !self.validated(name));
        local
    }

    /// Whether the script tests `$name` against a regular expression (`=~`).
    fn validated(&self, name: &str) -> bool {
        self.validated.contains(name)
    }

    /// The outsider's value the write at `span` (a command) writes, if any.
    fn source_of(
        &self,
        span: Span,
        local: &HashMap<String, Source>,
        expansions: bool,
    ) -> Option<Source> {
        let region = self.analysis.pipeline_spans(span);
        // A write's here-documents hold its text.
        let bodies: Vec<(Span, bool)> = self
            .analysis
            .commands
            .iter()
            .filter(|c| region.contains(&c.span))
            .flat_map(|c| c.redirects.iter().filter_map(|r| r.heredoc.as_ref()))
            .map(|h| (h.body, h.quoted))
            .collect();
        if let Some(s) = self.source_in(&region, local, expansions) {
            return Some(s);
        }
        for (body, quoted) in bodies {
            if expansions && let Some(s) = self.expansion_in(body) {
                return Some(s);
            }
            if !quoted
                && let Some(s) = parameters(self.script.get(body.range()).unwrap_or(""))
                    .into_iter()
                    .find_map(|n| self.variable(&n, local))
            {
                return Some(s);
            }
        }
        None
    }

    /// The outsider's value read within `region` (script spans): an expansion, a
    /// variable, or a file.
    fn source_in(
        &self,
        region: &[Span],
        local: &HashMap<String, Source>,
        expansions: bool,
    ) -> Option<Source> {
        let inside = |s: Span| {
            region
                .iter()
                .any(|r| r.start() <= s.start() && s.end() <= r.end())
        };
        if expansions {
            for r in region {
                if let Some(s) = self.expansion_in(*r) {
                    return Some(s);
                }
            }
        }
        // Commands are in source order (an outer one before those inside it), so those
        // in a region are found from its start, not by a walk over the whole script.
        let commands = &self.analysis.commands;
        let within = region.iter().flat_map(|r| {
            let from = commands.partition_point(|c| c.span.start() < r.start());
            commands[from..]
                .iter()
                .take_while(move |c| c.span.start() < r.end())
        });
        for c in within.filter(|c| inside(c.span)) {
            let words = c
                .argv
                .iter()
                .chain(c.assignments.iter().filter_map(|a| a.value.as_ref()));
            for w in words {
                if let Some(s) = w.variables.iter().find_map(|n| self.variable(n, local)) {
                    return Some(s);
                }
            }
            if let Some(s) = self.reads_file(c) {
                return Some(s);
            }
        }
        None
    }

    /// A `${{ … }}` expansion in `span` that the flow pass records (a dispatch input is
    /// chosen by someone with write access, and is left out).
    fn expansion_in(&self, span: Span) -> Option<Source> {
        let file = (self.to_file)(span);
        self.flows.iter().find_map(|f| {
            let at = f.at.span();
            if at.start() < file.start() || at.end() > file.end() {
                return None;
            }
            if matches!(f.taint, Taint::DispatchInput { .. }) {
                return None;
            }
            let certainty =
                if f.carriers.is_empty() || f.carriers.iter().all(|c| c.via == flow::Via::Env) {
                    Certainty::Direct
                } else {
                    Certainty::Indirect
                };
            let what = if f.reference == f.written.to_ascii_lowercase() && f.carriers.is_empty() {
                format!("`{}`", f.written)
            } else {
                format!(
                    "`{}` (carrying `{}`)",
                    f.written,
                    value_name(self.graph, f.value)
                )
            };
            Some(Source {
                lines: holds_line_breaks(&value_name(self.graph, f.value)),
                what,
                through: None,
                at,
                certainty,
            })
        })
    }

    /// The source of variable `name`: one the script assigned, else the `env:`; none
    /// when the script tests it against a regular expression.
    fn variable(&self, name: &str, local: &HashMap<String, Source>) -> Option<Source> {
        local
            .get(name)
            .or_else(|| self.env.get(name))
            .filter(|_| !self.validated(name))
            .cloned()
    }

    /// Whether `c` prints a file an outsider chose: a reader naming it, or a `<`
    /// redirection from it (`$(< pr.txt)`).
    fn reads_file(&self, c: &Command) -> Option<Source> {
        let files = self.files?;
        let redirected = c
            .redirects
            .iter()
            .filter(|r| r.op == "<")
            .filter_map(|r| r.target.as_ref()?.as_str())
            .find(|p| files.holds(p));
        let named = match c.name() {
            Some(n) if READERS.contains(&n) => file_arguments(n, c.args())
                .into_iter()
                .find(|p| files.holds(p)),
            _ => None,
        };
        let path = redirected.or(named)?;
        Some(Source {
            what: format!("`{path}`, a file of {}", files.what),
            through: None,
            lines: true,
            at: files.at,
            certainty: Certainty::Indirect,
        })
    }
}

/// The variables a script tests against a regular expression (`[[ $X =~ … ]]` on one
/// line): the usual validation before a value is written on.
fn validated(script: &str) -> std::collections::HashSet<String> {
    script
        .lines()
        .filter(|l| l.contains("=~"))
        .flat_map(parameters)
        .collect()
}

/// Whether an untrusted context (as named by the knowledge base, or its
/// `context.payload` form) can hold a line break: not a git ref name (git refuses control
/// characters in them), an e-mail address or an author's name (git strips line breaks
/// from both), a wiki page name.
fn holds_line_breaks(reference: &str) -> bool {
    let r = reference.to_ascii_lowercase();
    ![
        ".ref",
        ".label",
        "head_ref",
        "head_branch",
        "default_branch",
        ".email",
        ".name",
        "page_name",
    ]
    .iter()
    .any(|end| r.ends_with(end))
}

/// The name of a flow's value node (`github.event.issue.title`).
fn value_name(graph: &Graph, value: NodeId) -> String {
    match graph.node(value).map(|n| &n.kind) {
        Some(tollgate_graph::NodeKind::Value { name }) => name.clone(),
        _ => String::new(),
    }
}

/// The file arguments of a reader: static words that are not options or their values
/// (`head -n 1`), past the filter of `jq`/`yq`.
fn file_arguments<'a>(name: &str, args: &'a [Word]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut skip_next = false;
    let mut filter = matches!(name, "jq" | "yq");
    for w in args {
        if skip_next {
            skip_next = false;
            continue;
        }
        let Some(t) = w.as_str() else {
            if filter {
                filter = false;
            }
            continue;
        };
        if t.starts_with('-') {
            skip_next = matches!(
                t,
                "-n" | "-c" | "--arg" | "--argjson" | "--lines" | "--bytes"
            );
            continue;
        }
        if filter {
            filter = false;
            continue;
        }
        if !t.chars().all(|c| c.is_ascii_digit()) {
            out.push(t);
        }
    }
    out
}

/// The parameters `$NAME` and `${NAME…}` a here-document body expands.
fn parameters(body: &str) -> Vec<String> {
    let b = body.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == b'$' {
            let braced = b.get(i + 1) == Some(&b'{');
            let start = i + 1 + usize::from(braced);
            let end = start
                + b[start..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
            if end > start && !b[start].is_ascii_digit() {
                out.push(body[start..end].to_owned());
            }
            i = end.max(i + 1);
            continue;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn here_document_parameters() {
        assert_eq!(
            parameters("A=$TITLE\nB=${BODY:-x}\nC=\\$NOT\nD=$1"),
            vec!["TITLE".to_owned(), "BODY".to_owned()]
        );
    }

    #[test]
    fn files_under_a_directory_or_the_workspace() {
        let dir = Files {
            dir: Some("pr".to_owned()),
            what: String::new(),
            at: Span::empty(0),
        };
        assert!(dir.holds("pr/number.txt"));
        assert!(dir.holds("./pr/number.txt"));
        assert!(!dir.holds("prx/number.txt"));
        assert!(!dir.holds("/tmp/pr/number.txt"));
        let ws = Files { dir: None, ..dir };
        assert!(ws.holds("NR"));
        assert!(!ws.holds("$RUNNER_TEMP/x"));
        assert!(!ws.holds("../x"));
    }

    #[test]
    fn values_that_hold_line_breaks() {
        assert!(holds_line_breaks("github.event.comment.body"));
        assert!(holds_line_breaks("github.event.pull_request.title"));
        assert!(holds_line_breaks("github.event.head_commit.message"));
        assert!(!holds_line_breaks("github.event.pull_request.head.ref"));
        assert!(!holds_line_breaks("github.head_ref"));
        assert!(!holds_line_breaks("github.event.workflow_run.head_branch"));
        assert!(!holds_line_breaks("github.event.head_commit.author.email"));
        assert!(!holds_line_breaks("github.event.commits[0].author.name"));
    }

    #[test]
    fn variables_tested_against_a_regular_expression() {
        let v = validated(
            "if [[ \"$PR\" =~ ^[0-9]+$ ]]; then\n  echo \"$OTHER\"\nfi\n[[ ${REF} =~ x ]]",
        );
        assert!(v.contains("PR") && v.contains("REF"), "{v:?}");
        assert!(!v.contains("OTHER"), "{v:?}");
    }
}

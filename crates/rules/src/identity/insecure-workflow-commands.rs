//! `insecure-workflow-commands`: `ACTIONS_ALLOW_UNSECURE_COMMANDS` set to true, which
//! turns back on the `::set-env::` and `::add-path::` workflow commands GitHub disabled
//! in 2020: any text a step prints to its log (a pull request title, a test's output, a
//! dependency's message) can then set environment variables and `PATH` for the steps that
//! follow.
//!
//! The runner reads the variable from the step's environment: an `env:` of the workflow,
//! the job, the step, a Docker action's `runs.env`, or a `$GITHUB_ENV` write of an earlier
//! step. A variable a script exports (`export ACTIONS_ALLOW_UNSECURE_COMMANDS=true`) is
//! the script's own and is not read by the runner, so it is not reported.

use tollgate_engine::{Context, JobCx, Rule, Sink, StepCx, WorkflowCx};
use tollgate_gha::{Action, Env, Runs, Uses};
use tollgate_model::{Confidence, SourceFile, Span};
use tollgate_scan::Input;
use tollgate_shell::{EnvTarget, Fact};

pub struct InsecureWorkflowCommands;

/// The variable, as the runner names it (environment names are matched ignoring case:
/// the runner's environment is case-insensitive on Windows).
const NAME: &str = "ACTIONS_ALLOW_UNSECURE_COMMANDS";

const HELP: &str = "remove `ACTIONS_ALLOW_UNSECURE_COMMANDS`; write variables to `$GITHUB_ENV` and directories to `$GITHUB_PATH` instead of printing `::set-env::`/`::add-path::`, and update the action that still prints them";

impl Rule for InsecureWorkflowCommands {
    fn id(&self) -> &'static str {
        "insecure-workflow-commands"
    }

    fn check_workflow(&self, _cx: &Context<'_>, wf: &WorkflowCx<'_>, out: &mut Sink<'_>) {
        check_env(
            &wf.input.source,
            &wf.workflow.env,
            "the workflow's `env:`",
            out,
        );
    }

    fn check_job(&self, _cx: &Context<'_>, job: &JobCx<'_>, out: &mut Sink<'_>) {
        let what = format!(
            "the `env:` of job `{}`",
            crate::common::quoted(&job.job.id.value)
        );
        check_env(&job.input.source, &job.job.env, &what, out);
    }

    fn check_step(&self, _cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        let file = &step.input.source;
        check_env(file, &step.step.env, "a step's `env:`", out);
        env_file_writes(step, out);
        export_variable(step, out);
    }

    fn check_action(&self, _cx: &Context<'_>, input: &Input, action: &Action, out: &mut Sink<'_>) {
        if let Runs::Docker { env, .. } = &action.runs {
            check_env(&input.source, env, "the action's `runs.env`", out);
        }
    }
}

/// How the runner reads a value: `true` in any letter case, blanks around it ignored
/// (YAML's `true`, `True` and `TRUE` all arrive as that text). An expression is decided at
/// run time: reported, less sure.
fn truthy(value: &str) -> Option<Confidence> {
    let v = value.trim().trim_matches(['"', '\'']).trim();
    if v.eq_ignore_ascii_case("true") {
        Some(Confidence::High)
    } else if v.contains("${{") {
        Some(Confidence::Medium)
    } else {
        None
    }
}

fn check_env(file: &SourceFile, env: &Env, what: &str, out: &mut Sink<'_>) {
    for v in &env.vars {
        if !v.key.value.eq_ignore_ascii_case(NAME) {
            continue;
        }
        let Some(confidence) = truthy(&v.value.value) else {
            continue;
        };
        emit(
            file,
            v.value.span,
            format!(
                "{what} sets `{NAME}` to `{}`, re-enabling the `::set-env::` and `::add-path::` workflow commands: whatever a step prints can set the environment and `PATH` of the steps after it",
                crate::common::quoted(v.value.value.trim())
            ),
            confidence,
            out,
        );
    }
}

/// `echo "ACTIONS_ALLOW_UNSECURE_COMMANDS=true" >> "$GITHUB_ENV"` (or `tee -a`, a
/// here-document, PowerShell's `Add-Content`): the writes come from the shell facts; the
/// value is read from the text of the write's pipeline and here-documents.
fn env_file_writes(step: &StepCx<'_>, out: &mut Sink<'_>) {
    let (Some(run), Some(analysis)) = (&step.step.run, step.analysis()) else {
        return;
    };
    for f in &analysis.facts {
        let Fact::EnvWrite(w) = f else { continue };
        if w.target != EnvTarget::GithubEnv {
            continue;
        }
        let mut texts: Vec<&str> = analysis
            .pipeline_spans(w.span)
            .iter()
            .map(|s| run.script.get(s.range()).unwrap_or(""))
            .collect();
        for c in analysis.commands.iter().filter(|c| c.span == w.span) {
            for h in c.redirects.iter().filter_map(|r| r.heredoc.as_ref()) {
                texts.push(run.script.get(h.body.range()).unwrap_or(""));
            }
        }
        let Some(value) = texts.iter().find_map(|t| assigned(t)) else {
            continue;
        };
        let Some(confidence) = truthy(&value) else {
            continue;
        };
        emit(
            &step.input.source,
            step.script_span(w.span),
            format!(
                "the script writes `{NAME}={}` to `$GITHUB_ENV`, re-enabling the `::set-env::` and `::add-path::` workflow commands for every later step of the job",
                crate::common::quoted(&value)
            ),
            confidence,
            out,
        );
    }
}

/// The value `NAME=` assigns in `text` (up to the end of the word or line).
fn assigned(text: &str) -> Option<String> {
    let upper = text.to_ascii_uppercase();
    let mut from = 0;
    while let Some(i) = upper[from..].find(NAME) {
        let at = from + i;
        from = at + NAME.len();
        // The whole name: not the tail of a longer one.
        let before = upper[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let Some(rest) = text[from..].strip_prefix('=') else {
            continue;
        };
        let value: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '\'' && *c != ';')
            .collect();
        return Some(value);
    }
    None
}

/// `core.exportVariable('ACTIONS_ALLOW_UNSECURE_COMMANDS', 'true')` in an
/// `actions/github-script` script.
fn export_variable(step: &StepCx<'_>, out: &mut Sink<'_>) {
    let is_github_script = matches!(
        step.step.uses.as_ref().map(|u| &u.value),
        Some(Uses::Remote(r)) if r.action().eq_ignore_ascii_case("actions/github-script")
    );
    if !is_github_script {
        return;
    }
    let Some(script) = step.step.with_value("script") else {
        return;
    };
    let text = &script.value.value;
    for (i, _) in text.match_indices("exportVariable(") {
        let args = &text[i + "exportVariable(".len()..];
        let args = args.split_once(')').map_or(args, |(a, _)| a);
        let Some((name, value)) = args.split_once(',') else {
            continue;
        };
        if !name
            .trim()
            .trim_matches(['\'', '"', '`'])
            .eq_ignore_ascii_case(NAME)
        {
            continue;
        }
        let Some(confidence) = truthy(value.trim().trim_matches('`')) else {
            continue;
        };
        emit(
            &step.input.source,
            script.file_span(Span::new(i, i + "exportVariable(".len() + args.len() + 1)),
            format!(
                "the script exports `{NAME}` as `{}`, re-enabling the `::set-env::` and `::add-path::` workflow commands for every later step of the job",
                crate::common::quoted(value.trim())
            ),
            confidence,
            out,
        );
    }
}

fn emit(
    file: &SourceFile,
    span: Span,
    message: String,
    confidence: Confidence,
    out: &mut Sink<'_>,
) {
    out.at(file, span)
        .message(message)
        .confidence(confidence)
        .help(HELP)
        .emit();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_the_runner_reads_as_true() {
        for v in ["true", "True", "TRUE", " 'true' ", "\"TRUE\""] {
            assert_eq!(truthy(v), Some(Confidence::High), "{v}");
        }
        assert_eq!(truthy("${{ inputs.legacy }}"), Some(Confidence::Medium));
        for v in ["false", "0", "", "yes please", "truthy"] {
            assert_eq!(truthy(v), None, "{v}");
        }
    }

    #[test]
    fn assignments_in_written_text() {
        assert_eq!(
            assigned("echo \"ACTIONS_ALLOW_UNSECURE_COMMANDS=true\"").as_deref(),
            Some("true")
        );
        assert_eq!(
            assigned("echo actions_allow_unsecure_commands=TRUE").as_deref(),
            Some("TRUE")
        );
        // A longer name is another variable.
        assert_eq!(
            assigned("echo MY_ACTIONS_ALLOW_UNSECURE_COMMANDS=true"),
            None
        );
        assert_eq!(
            assigned("echo ACTIONS_ALLOW_UNSECURE_COMMANDS_X=true"),
            None
        );
    }
}

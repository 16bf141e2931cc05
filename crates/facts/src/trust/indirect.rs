//! Untrusted code that reaches a privileged job other than through a context: a pull
//! request's head an earlier step looked up through the API and passed on as its output,
//! and the artifacts of the run that fired a `workflow_run` workflow.

use std::collections::HashMap;

use tollgate_gha::{Step, Uses, context_references, expressions};
use tollgate_shell::{Command, Word};

/// The artifacts of the run that fired a `workflow_run` workflow, unpacked by a step: a
/// pull request's run uploads what its code chose, so running anything from them runs
/// that code (artifact poisoning).
pub struct Artifacts {
    /// The directory they were unpacked into; `None` for the workspace itself, where they
    /// can replace the repository's own build files.
    path: Option<String>,
    /// The downloading action, for messages.
    action: String,
}

/// Commands that run the build files of the directory they are started in.
const BUILDS: &[&str] = &[
    "make",
    "npm",
    "pnpm",
    "yarn",
    "npx",
    "pip",
    "pip3",
    "cargo",
    "go",
    "mvn",
    "gradle",
    "./gradlew",
    "bundle",
    "rake",
    "composer",
    "dotnet",
    "tox",
    "nox",
];

impl Artifacts {
    /// The artifacts `step` downloads from the triggering run: `actions/download-artifact`
    /// with `run-id`, or `dawidd6/action-download-artifact` with `run_id`, naming
    /// `github.event.workflow_run.id`.
    #[must_use]
    pub fn downloaded_by(step: &Step) -> Option<Self> {
        let Some(Uses::Remote(r)) = step.uses.as_ref().map(|u| &u.value) else {
            return None;
        };
        let action = r.action();
        let key = match action.to_ascii_lowercase().as_str() {
            "actions/download-artifact" => "run-id",
            "dawidd6/action-download-artifact" => "run_id",
            _ => return None,
        };
        let from_trigger = step
            .with_value(key)
            .is_some_and(|v| v.value.value.contains("github.event.workflow_run.id"));
        if !from_trigger {
            return None;
        }
        Some(Self {
            path: step_path(step),
            action,
        })
    }

    /// The directory they were unpacked into (`None`: the workspace).
    #[must_use]
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The downloading action (or command), for messages.
    #[must_use]
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The artifacts a script's command downloads from another run: `gh run download`
    /// (into `--dir`/`-D`, else the working directory). In a `workflow_run` workflow the
    /// run is, in practice, the triggering one.
    #[must_use]
    pub fn downloaded_in_script(cmd: &Command) -> Option<Self> {
        if cmd.name()? != "gh" {
            return None;
        }
        let args = cmd.args();
        let mut positional = args
            .iter()
            .filter_map(Word::as_str)
            .filter(|a| !a.starts_with('-'));
        if positional.next() != Some("run") || positional.next() != Some("download") {
            return None;
        }
        let path = args
            .iter()
            .position(|w| matches!(w.as_str(), Some("--dir" | "-D")))
            .and_then(|k| args.get(k + 1))
            .and_then(Word::as_str)
            .map(|p| p.trim_start_matches("./").trim_end_matches('/').to_owned())
            .filter(|p| !p.is_empty() && p != ".");
        Some(Self {
            path,
            action: "gh run download".to_owned(),
        })
    }

    /// The artifacts an `actions/github-script` script downloads through the API
    /// (`github.rest.actions.downloadArtifact`, then written out and unzipped in the
    /// workspace by a later step: GitHub's own example of `workflow_run`).
    #[must_use]
    pub fn downloaded_by_script(step: &Step) -> Option<Self> {
        let Some(Uses::Remote(r)) = step.uses.as_ref().map(|u| &u.value) else {
            return None;
        };
        if !r.action().eq_ignore_ascii_case("actions/github-script") {
            return None;
        }
        step.with_value("script")
            .is_some_and(|s| s.value.value.contains("downloadArtifact"))
            .then(|| Self {
                path: None,
                action: r.action(),
            })
    }

    /// What `cmd` runs from the artifacts, if anything: a program or script under their
    /// directory, or, when they were unpacked into the workspace, a build tool that reads
    /// the files they may have replaced.
    pub(super) fn runs(&self, cmd: &Command) -> Option<String> {
        let name = cmd.name_word()?.as_str()?;
        let under = |t: &str| {
            self.path.as_deref().is_some_and(|p| {
                let t = t.trim_start_matches("./");
                t == p || t.starts_with(&format!("{p}/"))
            })
        };
        let first_arg = cmd.args().first().and_then(Word::as_str);
        let interpreted = matches!(
            cmd.name()?,
            "bash"
                | "sh"
                | "source"
                | "."
                | "python"
                | "python3"
                | "node"
                | "pwsh"
                | "ruby"
                | "perl"
        ) && first_arg.is_some_and(under);
        let from = match &self.path {
            Some(p) => format!("`{p}`"),
            None => "the workspace".to_owned(),
        };
        if under(name) || interpreted {
            let shown = if interpreted {
                format!("{name} {}", first_arg.unwrap_or(""))
            } else {
                name.to_owned()
            };
            return Some(format!(
                "runs `{shown}` from the artifacts of the triggering run (`{}` into {from})",
                self.action
            ));
        }
        (self.path.is_none() && (BUILDS.contains(&name) || name.starts_with("./"))).then(|| {
            format!(
                "runs `{name}` in the workspace, where `{}` unpacked the triggering run's artifacts over the repository's files",
                self.action
            )
        })
    }
}

/// Step outputs that hold the pull request's head, looked up through the API by an
/// earlier step of the job: `steps.<id>.outputs.<name>` (lowercase) → whether it is a
/// branch (which can move after the run is let through) rather than a commit SHA.
pub(super) type HeadOutputs = HashMap<String, bool>;

/// Fields of a pull request, as the REST API (`head.ref`, `head.sha`) and `gh pr view
/// --json` (`headRefName`, `headRefOid`) name them, that hold its head: with whether
/// the field is a branch.
const HEAD_FIELDS: &[(&str, bool)] = &[
    (".head.ref", true),
    (".head.label", true),
    ("headrefname", true),
    (".head.sha", false),
    ("headrefoid", false),
];

/// Whether `text` reads a head field, and whether it is a branch (any branch field wins).
fn reads_head_field(text: &str) -> Option<bool> {
    let lower = text.to_ascii_lowercase();
    HEAD_FIELDS
        .iter()
        .filter(|(f, _)| lower.contains(f))
        .map(|&(_, branch)| branch)
        .reduce(|a, b| a || b)
}

/// Record the outputs of `step` that hold the head: `core.setOutput('ref', pull.head.ref)`
/// or a `return` of a head field in an `actions/github-script` script (the `result`
/// output), or a `$GITHUB_OUTPUT` write whose command reads one (`gh pr view --json
/// headRefOid`, `gh api …/pulls/N --jq .head.sha`). An output written again without the
/// head is dropped.
pub(super) fn head_outputs(
    step: &Step,
    analysis: Option<&tollgate_shell::Analysis>,
    out: &mut HeadOutputs,
) {
    let Some(id) = &step.id else { return };
    let prefix = format!("steps.{}.outputs.", id.value.to_ascii_lowercase());
    let github_script = matches!(&step.uses, Some(u) if matches!(&u.value, Uses::Remote(r)
        if r.action().eq_ignore_ascii_case("actions/github-script")));
    if github_script && let Some(script) = step.with_value("script") {
        let text = &script.value.value;
        for (i, _) in text.match_indices("setOutput(") {
            let rest = &text[i + "setOutput(".len()..];
            let call = rest.split_once(')').map_or(rest, |(a, _)| a);
            let Some((name, value)) = call.split_once(',') else {
                continue;
            };
            let name = name.trim().trim_matches(['\'', '"', '`']);
            if let Some(branch) = reads_head_field(value) {
                out.insert(format!("{prefix}{}", name.to_ascii_lowercase()), branch);
            }
        }
        if let Some(branch) = text
            .lines()
            .filter(|l| l.trim_start().starts_with("return "))
            .find_map(reads_head_field)
        {
            out.insert(format!("{prefix}result"), branch);
        }
    }
    let (Some(run), Some(analysis)) = (&step.run, analysis) else {
        return;
    };
    for (key, text, _) in analysis.github_output_writes(&run.script) {
        let name = format!("{prefix}{}", key.to_ascii_lowercase());
        match reads_head_field(&text) {
            Some(branch) => {
                out.insert(name, branch);
            }
            None => {
                out.remove(&name);
            }
        }
    }
}

/// The head output an expression text references, with whether it is a branch.
pub(super) fn looked_up_head<'a>(
    text: &str,
    looked_up: &'a HeadOutputs,
) -> Option<(String, &'a bool)> {
    if looked_up.is_empty() {
        return None;
    }
    expressions(text).into_iter().find_map(|e| {
        context_references(&e.inner)
            .into_iter()
            .find_map(|(r, _, _)| looked_up.get(&r.to_ascii_lowercase()).map(|b| (r, b)))
    })
}

/// The literal `path:` input of an action step, as a directory under the workspace
/// (`./pr/` is `pr`); `None` for the workspace itself or a path known only at run time.
#[must_use]
pub fn step_path(step: &tollgate_gha::Step) -> Option<String> {
    step.with_value("path")
        .map(|v| {
            v.value
                .value
                .trim()
                .trim_start_matches("./")
                .trim_end_matches('/')
                .to_owned()
        })
        .filter(|p| !p.is_empty() && p != "." && !p.contains("${{"))
}

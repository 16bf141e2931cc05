//! Files of the repository that run steps execute: the Makefile behind `make TARGET` and
//! the shell scripts run by path (`./build.sh`, `bash scripts/x.sh`). They are read only
//! when a script names them (never by walking), through the same confined reader as every
//! input, and each becomes run steps of its own (`ScriptFile::steps`: one per Makefile
//! rule, or the whole script), so the script analysis and every reader of run steps read
//! them as they read `run:`.

use tollgate_gha::Step;
use tollgate_model::{Diagnostic, FileKind, SourceFile, Span};
use tollgate_shell::make::Makefile;
use tollgate_shell::{Fact, Invoke};

use crate::input::{FileModel, Input};
use crate::local::normalise;

/// At most this many files are followed in one scan: a hostile chain of scripts naming
/// scripts stops here.
pub const MAX_FOLLOWED: usize = 256;

/// A Makefile or a shell script as run steps.
#[derive(Debug)]
pub struct ScriptFile {
    /// The Makefile's rules (`None` for a shell script); `steps[k]` is the recipe of
    /// `rules[k]`.
    pub make: Option<Makefile>,
    pub steps: Vec<Step>,
    /// A script whose `#!` line names an interpreter that is not a shell (`python`,
    /// `node`): read, not analysed.
    pub interpreter: Option<String>,
}

/// The model of a Makefile: one step per rule, its recipe lines joined.
#[must_use]
pub fn parse_makefile(source: &SourceFile) -> (FileModel, Vec<Diagnostic>) {
    let make = tollgate_shell::make::parse(source.text());
    let steps = make
        .rules
        .iter()
        .enumerate()
        .map(|(k, rule)| {
            let mut script = String::new();
            let mut pieces = Vec::new();
            for line in &rule.recipe {
                pieces.push((script.len(), line.span.start(), line.span.end()));
                script.push_str(&line.text);
                script.push('\n');
            }
            let span = rule
                .recipe
                .last()
                .map_or(rule.span, |l| Span::new(rule.span.start(), l.span.end()));
            Step::from_script(k, span, script, &pieces)
        })
        .collect();
    (
        FileModel::Script(ScriptFile {
            make: Some(make),
            steps,
            interpreter: None,
        }),
        Vec::new(),
    )
}

/// The model of a shell script: one step holding it whole, unless its `#!` line names
/// another interpreter.
#[must_use]
pub fn parse_shell_script(source: &SourceFile) -> (FileModel, Vec<Diagnostic>) {
    let text = source.text();
    let interpreter = text
        .strip_prefix("#!")
        .and_then(|l| l.lines().next())
        .map(|l| {
            let mut words = l.split_whitespace();
            let first = words.next().unwrap_or("");
            let first = first.rsplit('/').next().unwrap_or(first);
            // `#!/usr/bin/env bash`
            if first == "env" {
                words.find(|w| !w.starts_with('-')).unwrap_or("").to_owned()
            } else {
                first.to_owned()
            }
        })
        .filter(|i| !matches!(i.as_str(), "sh" | "bash" | "dash" | "zsh" | "ksh" | ""));
    let steps = if interpreter.is_some() {
        Vec::new()
    } else {
        vec![Step::from_script(
            0,
            Span::new(0, text.len()),
            text.to_owned(),
            &[(0, 0, text.len())],
        )]
    };
    (
        FileModel::Script(ScriptFile {
            make: None,
            steps,
            interpreter,
        }),
        Vec::new(),
    )
}

/// The directory (display path, `/`-separated, no trailing `/`, empty for the root)
/// a step of `input` runs in: a workflow's or composite action's steps run at the top
/// of the repository (or their literal `working-directory:`), a Makefile's recipes in
/// the Makefile's directory, a script's commands where the script is, a Dockerfile's
/// `RUN`s in the Dockerfile's directory (the usual build context, copied in with
/// `COPY . .`: an approximation).
#[must_use]
pub fn base_dir(input: &Input, step: Option<&Step>) -> Option<String> {
    let display = input.source.display.as_str();
    match &*input.parsed {
        FileModel::Workflow(_) | FileModel::Action(_) => {
            let repo = crate::local::repo_prefix(display).trim_end_matches('/');
            match step.and_then(Step::working_directory) {
                // Only the run knows it, or it is outside the checkout.
                Some(w) if w.value.contains('$') || w.value.trim().starts_with(['/', '~']) => None,
                Some(w) => normalise(&format!("{repo}/{}", w.value.trim())),
                None => Some(repo.to_owned()),
            }
        }
        FileModel::Script(_) | FileModel::Dockerfile(_) => {
            Some(display.rsplit_once('/').map_or("", |(d, _)| d).to_owned())
        }
        _ => None,
    }
}

/// The directory an `action-script` invocation's path is relative to: the directory of
/// the composite action whose step runs it (`$GITHUB_ACTION_PATH`); `None` elsewhere (a
/// workflow's step, a followed script: only the run knows the action).
#[must_use]
pub fn action_dir(input: &Input) -> Option<String> {
    match &*input.parsed {
        FileModel::Action(_) => Some(
            input
                .source
                .display
                .rsplit_once('/')
                .map_or("", |(d, _)| d)
                .to_owned(),
        ),
        _ => None,
    }
}

/// The files an invocation run from `dir` may mean, in the order make or the shell tries
/// them, with their kind; `None` when the path climbs out of the repository.
#[must_use]
pub fn invoke_candidates(dir: &str, invoke: &Invoke) -> Option<(Vec<String>, FileKind)> {
    let join = |base: &str, rel: &str| -> Option<String> {
        normalise(&if base.is_empty() {
            rel.to_owned()
        } else {
            format!("{base}/{rel}")
        })
    };
    match invoke.what {
        "make" => {
            let dir = match &invoke.dir {
                Some(d) => join(dir, d)?,
                None => dir.to_owned(),
            };
            let files = match &invoke.path {
                Some(f) => vec![join(&dir, f)?],
                None => ["GNUmakefile", "makefile", "Makefile"]
                    .iter()
                    .map(|n| join(&dir, n))
                    .collect::<Option<Vec<_>>>()?,
            };
            Some((files, FileKind::Makefile))
        }
        _ => {
            let path = invoke.path.as_deref()?;
            Some((vec![join(dir, path)?], FileKind::ShellScript))
        }
    }
}

/// The files the run steps of `input` execute, and the Makefiles a Makefile includes:
/// `(candidates, kind)` for each.
#[must_use]
pub fn script_refs(input: &Input) -> Vec<(Vec<String>, FileKind)> {
    let mut out = Vec::new();
    for script in input.scripts.iter() {
        let Some(analysis) = &script.analysis else {
            continue;
        };
        let step = step_of(input, script.job, script.step);
        let Some(dir) = base_dir(input, step) else {
            continue;
        };
        // A Dockerfile's `RUN`s run in its build context, which is often the top of the
        // repository rather than the Dockerfile's directory: both are read.
        let mut dirs = vec![dir];
        if matches!(&*input.parsed, FileModel::Dockerfile(_)) {
            dirs.push(
                crate::local::repo_prefix(&input.source.display)
                    .trim_end_matches('/')
                    .to_owned(),
            );
            dirs.dedup();
        }
        for f in &analysis.facts {
            let Fact::Invoke(i) = f else { continue };
            if i.what == "action-script" {
                if let Some(d) = action_dir(input) {
                    out.extend(invoke_candidates(&d, i));
                }
                continue;
            }
            for d in &dirs {
                out.extend(invoke_candidates(d, i));
            }
        }
    }
    if let FileModel::Script(ScriptFile {
        make: Some(make), ..
    }) = &*input.parsed
    {
        let dir = input.source.display.rsplit_once('/').map_or("", |(d, _)| d);
        for (_, file) in &make.includes {
            if file.contains('$') {
                continue;
            }
            let path = if dir.is_empty() {
                normalise(file)
            } else {
                normalise(&format!("{dir}/{file}"))
            };
            if let Some(p) = path {
                out.push((vec![p], FileKind::Makefile));
            }
        }
    }
    out
}

/// The step of `input` at (`job`, `step`): a workflow job's, a composite action's or a
/// followed file's.
#[must_use]
pub fn step_of(input: &Input, job: Option<usize>, step: usize) -> Option<&Step> {
    match (&*input.parsed, job) {
        (FileModel::Workflow(wf), Some(j)) => {
            wf.jobs.get(j)?.steps.iter().find(|s| s.index == step)
        }
        (FileModel::Action(a), None) => a.steps().iter().find(|s| s.index == step),
        (FileModel::Script(s), None) => s.steps.get(step),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invoke(what: &'static str, path: Option<&str>, dir: Option<&str>) -> Invoke {
        Invoke {
            what,
            path: path.map(str::to_owned),
            dir: dir.map(str::to_owned),
            targets: Vec::new(),
            span: Span::empty(0),
        }
    }

    #[test]
    fn candidates_follow_make_and_the_shell() {
        let (files, kind) = invoke_candidates("", &invoke("make", None, None)).expect("make");
        assert_eq!(files, ["GNUmakefile", "makefile", "Makefile"]);
        assert_eq!(kind, FileKind::Makefile);
        let (files, _) = invoke_candidates("v2", &invoke("make", Some("ci.mk"), Some("tools")))
            .expect("make -C");
        assert_eq!(files, ["v2/tools/ci.mk"]);
        let (files, kind) =
            invoke_candidates("sub", &invoke("script", Some("./build.sh"), None)).expect("script");
        assert_eq!(
            (files.as_slice(), kind),
            (&["sub/build.sh".to_owned()][..], FileKind::ShellScript)
        );
        assert_eq!(
            invoke_candidates("", &invoke("script", Some("../x.sh"), None)),
            None
        );
        assert_eq!(
            invoke_candidates("a", &invoke("make", None, Some("../.."))),
            None
        );
    }

    #[test]
    fn scripts_for_other_interpreters_are_not_analysed() {
        let src = |t: &str| SourceFile::new("x", "x", t.to_owned());
        for (text, steps) in [
            ("#!/usr/bin/env bash\nmake\n", 1),
            ("#!/bin/sh -e\nmake\n", 1),
            ("make\n", 1),
            ("#!/usr/bin/env python3\nimport os\n", 0),
            ("#!/usr/bin/node\n", 0),
        ] {
            let (FileModel::Script(s), _) = parse_shell_script(&src(text)) else {
                panic!("a script model");
            };
            assert_eq!(s.steps.len(), steps, "{text}");
        }
    }
}

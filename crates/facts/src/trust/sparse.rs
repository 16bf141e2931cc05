//! A checkout of the untrusted head that later steps only read as data: `actions/checkout`
//! with `sparse-checkout` of some directories into its own `path:`, which no later step
//! of the job runs anything from. poetry's documentation preview checks out the pull
//! request's `docs` into `poetry-docs` and hands the directory to its own site generator
//! (from another checkout): the pull request's files are input there, not code.
//!
//! The test is conservative: the checkout is code as soon as a later step runs a local
//! action from the path, works in it, names a program in it, changes into it, gives it to
//! a remote action's input, or gives it to a tool that runs what a directory holds (a
//! build tool, a package manager, an interpreter given a script from it, a documentation
//! generator that imports configuration). A cone-mode sparse checkout also holds the
//! repository's top-level files, so a build run there is code too, and is caught the same
//! way. A script in a shell tollgate does not analyse that mentions the path counts as code.

use tollgate_gha::{Job, Step, Uses};
use tollgate_scan::Input;
use tollgate_shell::Command;

/// Tools that run what a directory they are given holds: builds, package managers,
/// documentation generators that import configuration (`conf.py`, `mkdocs.yml` hooks,
/// `_plugins`), container builds of a context, shells and `git -C` (hooks).
const RUNS_DIRECTORY: &[&str] = &[
    "make",
    "cmake",
    "ninja",
    "meson",
    "just",
    "sphinx-build",
    "sphinx-autobuild",
    "mkdocs",
    "jekyll",
    "hugo",
    "zola",
    "npm",
    "npx",
    "yarn",
    "pnpm",
    "bun",
    "deno",
    "pip",
    "pip3",
    "pipx",
    "poetry",
    "uv",
    "uvx",
    "pdm",
    "hatch",
    "tox",
    "nox",
    "pytest",
    "cargo",
    "go",
    "gradle",
    "gradlew",
    "mvn",
    "mvnw",
    "ant",
    "sbt",
    "dotnet",
    "msbuild",
    "bundle",
    "gem",
    "rake",
    "composer",
    "docker",
    "podman",
    "buildah",
    "bash",
    "sh",
    "zsh",
    "dash",
    "source",
    ".",
    "cd",
    "pushd",
    "git",
    "pre-commit",
    "terraform",
    "ansible-playbook",
    "helm",
    "kubectl",
];

/// Interpreters: code when the script they are given (their first argument that is not
/// an option) is in the checkout, a reader otherwise (`python bin/site build ./docs`).
const INTERPRETERS: &[&str] = &[
    "python",
    "python3",
    "node",
    "ruby",
    "perl",
    "php",
    "pwsh",
    "powershell",
    "Rscript",
    "lua",
];

/// Wrappers that run the command after them in another environment.
const RUNNERS: &[(&str, &str)] = &[
    ("poetry", "run"),
    ("uv", "run"),
    ("pipenv", "run"),
    ("pdm", "run"),
    ("hatch", "run"),
    ("bundle", "exec"),
];

/// Whether the checkout `step` makes is only read as data by the rest of `job`.
pub(super) fn read_as_data(input: &Input, j: usize, job: &Job, step: &Step) -> bool {
    let Some(path) = sparse_path(step) else {
        return false;
    };
    job.steps
        .iter()
        .filter(|s| s.index > step.index)
        .all(|s| !runs_from(input, j, s, &path))
}

/// The checkout's own directory, when it checks out some directories only.
fn sparse_path(step: &Step) -> Option<String> {
    let literal = |key: &str| {
        step.with_value(key)
            .filter(|kv| kv.scalar && !kv.value.value.contains("${{"))
            .map(|kv| kv.value.value.trim().to_owned())
    };
    let patterns = literal("sparse-checkout")?;
    let patterns: Vec<&str> = patterns
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    // A pattern with a wildcard, a negation or the root may take in anything.
    let some_directories = !patterns.is_empty()
        && patterns
            .iter()
            .all(|p| !p.contains(['*', '?', '[', '!']) && !p.trim_matches('/').is_empty());
    if !some_directories {
        return None;
    }
    let path = tollgate_scan::local::normalise(&literal("path")?)?;
    (!path.is_empty()).then_some(path)
}

/// Whether `text` names `path` or something in it (`poetry-docs`, `./poetry-docs/x`,
/// `$GITHUB_WORKSPACE/poetry-docs`).
fn names_path(text: &str, path: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '=' | ':' | ','))
        .any(|w| {
            let w = w.trim_start_matches("${{ github.workspace }}");
            let w = w
                .trim_start_matches("$GITHUB_WORKSPACE")
                .trim_start_matches("${GITHUB_WORKSPACE}")
                .trim_start_matches('/');
            let w = w.strip_prefix("./").unwrap_or(w);
            w == path || w.strip_prefix(path).is_some_and(|r| r.starts_with('/'))
        })
}

/// Whether step `s` runs anything from `path`.
fn runs_from(input: &Input, j: usize, s: &Step, path: &str) -> bool {
    if s.working_directory()
        .is_some_and(|w| names_path(&w.value, path))
    {
        return true;
    }
    match s.uses.as_ref().map(|u| &u.value) {
        // The `uses:` text as written: the scan rewrites a local path under a checkout's
        // `path:` to the repository's own.
        Some(Uses::Local { .. } | Uses::SelfRepo { .. })
            if s.uses_text().is_some_and(|t| names_path(&t.value, path)) =>
        {
            return true;
        }
        // A remote action given the directory may build or run it.
        Some(Uses::Remote(_)) if s.run.is_none() => {
            return s.with.iter().any(|kv| names_path(&kv.value.value, path));
        }
        _ => {}
    }
    let Some(run) = &s.run else {
        return false;
    };
    if !names_path(&run.script, path) {
        return false;
    }
    let Some(analysis) = input
        .script(Some(j), s.index)
        .and_then(|x| x.analysis.as_deref())
    else {
        // A shell tollgate does not read: the path is mentioned, so assume the worst.
        return true;
    };
    analysis
        .commands
        .iter()
        .any(|c| command_runs_from(c, &run.script, path))
}

/// Whether one command runs something from `path`.
fn command_runs_from(cmd: &Command, script: &str, path: &str) -> bool {
    let words: Vec<String> = std::iter::once(cmd.name_word())
        .flatten()
        .chain(cmd.args())
        .map(|w| w.display(script).into_owned())
        .collect();
    runs(&words, path)
}

fn runs(words: &[String], path: &str) -> bool {
    let Some((first, args)) = words.split_first() else {
        return false;
    };
    if names_path(first, path) {
        return true;
    }
    if !args.iter().any(|a| names_path(a, path)) {
        return false;
    }
    let name = first.rsplit('/').next().unwrap_or(first);
    if let Some((_, sub)) = RUNNERS.iter().find(|(r, _)| *r == name)
        && args.first().map(String::as_str) == Some(*sub)
    {
        return runs(&args[1..], path);
    }
    if INTERPRETERS.contains(&name) || name.starts_with("python3.") {
        // `python -m module …` runs an installed module on the arguments.
        let script = args.iter().find(|a| !a.starts_with('-'));
        let module = args.iter().any(|a| a == "-m" || a == "-c");
        return !module && script.is_some_and(|s| names_path(s, path));
    }
    RUNS_DIRECTORY.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::{names_path, runs};

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn a_reader_from_elsewhere_reads_data() {
        let p = "poetry-docs";
        assert!(!runs(
            &words("poetry run python bin/website build --local ./poetry-docs"),
            p
        ));
        assert!(!runs(&words("cp -r poetry-docs/docs content/"), p));
        assert!(!runs(&words("npx hugo --minify"), p));
    }

    #[test]
    fn running_from_the_checkout_is_code() {
        let p = "pr";
        assert!(runs(&words("./pr/build.sh"), p));
        assert!(runs(&words("cd pr"), p));
        assert!(runs(&words("make -C pr docs"), p));
        assert!(runs(&words("sphinx-build pr/docs out"), p));
        assert!(runs(&words("python pr/setup.py build"), p));
        assert!(runs(&words("poetry run python pr/x.py"), p));
        assert!(runs(&words("pip install ./pr"), p));
        assert!(!runs(&words("python -m markdown pr/README.md"), p));
    }

    #[test]
    fn path_names() {
        assert!(names_path("--local=./docs-pr", "docs-pr"));
        assert!(names_path("$GITHUB_WORKSPACE/docs-pr/x", "docs-pr"));
        assert!(!names_path("docs-pr2", "docs-pr"));
        assert!(!names_path("other/docs-pr", "docs-pr"));
    }
}

//! Commands that run a file of the repository: `make` (and `gmake`) with `-C`, `-f` and
//! goals, and shell scripts run by path (`./build.sh`, `scripts/ci/test.sh`,
//! `bash scripts/x.sh`, `. ./env.sh`), and scripts of the action that runs the step
//! (`$GITHUB_ACTION_PATH/setup.sh`, `${{ github.action_path }}/x.sh`: `action-script`,
//! relative to the action's directory). The caller follows them into the file; here only
//! static words are recorded.

use super::Recogniser;
use crate::command::{Command, Word};
use crate::facts::{Fact, Invoke};

/// make options that take a value as the next word (GNU make's short forms).
const MAKE_VALUED: &[&str] = &[
    "-C",
    "-f",
    "-I",
    "-o",
    "-W",
    "-j",
    "-l",
    "--file",
    "--directory",
    "--makefile",
    "--include-dir",
    "--old-file",
    "--what-if",
    "--new-file",
    "--assume-old",
    "--assume-new",
];

const SHELLS: &[&str] = &["bash", "sh", "zsh", "dash", "ksh"];

pub(super) fn invoke(cx: &mut Recogniser<'_>, cmd: &Command) {
    let Some(word) = cmd.name_word() else { return };
    let Some(written) = word.as_str() else {
        if let Some(mut f) = action_script(cx, word) {
            f.span = cmd.span;
            cx.push(Fact::Invoke(f));
        }
        return;
    };
    let name = written.rsplit('/').next().unwrap_or(written);
    let fact = match name {
        "make" | "gmake" => make(cx, cmd),
        _ if SHELLS.contains(&name) => shell_file(cx, cmd.args()),
        "." | "source" => cmd.args().first().and_then(|w| match w.as_str() {
            Some(p) => is_repo_path(p).then(|| script(p)),
            None => action_script(cx, w),
        }),
        _ if is_script_path(written) => Some(script(written)),
        _ => None,
    };
    if let Some(mut f) = fact {
        f.span = cmd.span;
        cx.push(Fact::Invoke(f));
    }
}

fn script(path: &str) -> Invoke {
    Invoke {
        what: "script",
        path: Some(path.to_owned()),
        dir: None,
        targets: Vec::new(),
        span: tollgate_model::Span::empty(0),
    }
}

/// `make [options] [VAR=value…] [goals…]`; `None` when a word that matters is dynamic
/// (a variable given on the command line may be).
fn make(cx: &Recogniser<'_>, cmd: &Command) -> Option<Invoke> {
    let mut dir: Option<String> = None;
    let mut file: Option<String> = None;
    let mut targets = Vec::new();
    let mut args = cmd.args().iter();
    while let Some(w) = args.next() {
        let Some(t) = w.as_str() else {
            // `VAR=$X`: a variable for the Makefile, not a goal.
            let written = cx.text(w);
            let name = written.split('=').next().unwrap_or("");
            if written.contains('=')
                && !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                continue;
            }
            return None;
        };
        if let Some(opt) = MAKE_VALUED.iter().find(|o| t == **o) {
            let v = args.next()?.as_str()?.to_owned();
            match *opt {
                "-C" | "--directory" => dir = Some(join(dir.as_deref(), &v)),
                "-f" | "--file" | "--makefile" => file = Some(v),
                _ => {}
            }
        } else if let Some(v) = t.strip_prefix("-C").filter(|v| !v.is_empty()) {
            dir = Some(join(dir.as_deref(), v));
        } else if let Some(v) = t.strip_prefix("--directory=") {
            dir = Some(join(dir.as_deref(), v));
        } else if let Some(v) = t
            .strip_prefix("--file=")
            .or_else(|| t.strip_prefix("--makefile="))
            .or_else(|| t.strip_prefix("-f").filter(|v| !v.is_empty()))
        {
            file = Some(v.to_owned());
        } else if t.starts_with('-') || t.contains('=') {
            // A flag (`-j4`, `-k`) or a variable given on the command line.
        } else {
            targets.push(t.to_owned());
        }
    }
    Some(Invoke {
        what: "make",
        path: file,
        dir,
        targets,
        span: tollgate_model::Span::empty(0),
    })
}

/// A word naming a file of the action the step runs in: `$GITHUB_ACTION_PATH/x.sh`,
/// `${GITHUB_ACTION_PATH}/x.sh` or `${{ github.action_path }}/x.sh` (quoted or not), the
/// rest of the path static and inside the action's directory.
fn action_script(cx: &Recogniser<'_>, word: &Word) -> Option<Invoke> {
    let text = cx.text(word);
    let written = crate::command::strip_outer_quotes(&text);
    let rest = [
        "$GITHUB_ACTION_PATH/",
        "${GITHUB_ACTION_PATH}/",
        "\"$GITHUB_ACTION_PATH\"/",
    ]
    .iter()
    .find_map(|p| written.strip_prefix(p))
    .or_else(|| {
        let after = written.strip_prefix("${{")?;
        let (expr, rest) = after.split_once("}}")?;
        (expr.trim() == "github.action_path")
            .then_some(rest)
            .and_then(|r| r.strip_prefix('/'))
    })?;
    let rest = rest.trim_matches('"');
    if !is_repo_path(rest) || rest.contains(['$', '`', '"', '\'', '*', '?']) {
        return None;
    }
    Some(Invoke {
        what: "action-script",
        path: Some(rest.to_owned()),
        dir: None,
        targets: Vec::new(),
        span: tollgate_model::Span::empty(0),
    })
}

/// `-C a -C b` is `a/b`.
fn join(dir: Option<&str>, next: &str) -> String {
    match dir {
        Some(d) if !next.starts_with('/') => format!("{}/{next}", d.trim_end_matches('/')),
        _ => next.to_owned(),
    }
}

/// `bash [options] FILE [args]`: the first word that is not an option, unless `-c`
/// (an inline script, analysed as such elsewhere) or `-s` (from standard input).
fn shell_file(cx: &Recogniser<'_>, args: &[Word]) -> Option<Invoke> {
    for w in args {
        let Some(t) = w.as_str() else {
            return action_script(cx, w);
        };
        if t == "-c"
            || t == "-s"
            || (t.starts_with('-') && !t.starts_with("--") && t.contains(['c', 's']))
        {
            return None;
        }
        if t == "-o" || t == "+o" {
            continue;
        }
        if t.starts_with('-') || t.starts_with('+') {
            continue;
        }
        return is_repo_path(t).then(|| script(t));
    }
    None
}

/// A relative path inside the checkout (no `..` first, not absolute, not `~`).
fn is_repo_path(p: &str) -> bool {
    !p.is_empty() && !p.starts_with(['/', '~', '$']) && !p.starts_with("..")
}

/// A command word that is a script of the repository: a relative path with a `/`
/// (`./build.sh`, `scripts/test`), or a name ending in `.sh`.
fn is_script_path(written: &str) -> bool {
    is_repo_path(written) && (written.contains('/') || written.ends_with(".sh"))
}

#[cfg(test)]
mod tests {
    use crate::{Analyzer, Fact};

    /// `(what, path, dir, goals)` of one invocation.
    type Seen = (String, Option<String>, Option<String>, Vec<String>);

    fn invokes(script: &str) -> Vec<Seen> {
        Analyzer::new()
            .analyze(script)
            .facts
            .iter()
            .filter_map(|f| match f {
                Fact::Invoke(i) => Some((
                    i.what.to_owned(),
                    i.path.clone(),
                    i.dir.clone(),
                    i.targets.clone(),
                )),
                _ => None,
            })
            .collect()
    }

    fn one(
        what: &str,
        path: Option<&str>,
        dir: Option<&str>,
        targets: &[&str],
    ) -> (String, Option<String>, Option<String>, Vec<String>) {
        (
            what.to_owned(),
            path.map(str::to_owned),
            dir.map(str::to_owned),
            targets.iter().map(|t| (*t).to_owned()).collect(),
        )
    }

    #[test]
    fn make_and_scripts() {
        assert_eq!(invokes("make test"), [one("make", None, None, &["test"])]);
        assert_eq!(
            invokes("make BUILD_VERSION=${VERSION}"),
            [one("make", None, None, &[])]
        );
        assert_eq!(
            invokes("make -C docs -j4 GOFLAGS=-v html lint"),
            [one("make", None, Some("docs"), &["html", "lint"])]
        );
        assert_eq!(
            invokes("sudo make -f ci.mk"),
            [one("make", Some("ci.mk"), None, &[])]
        );
        assert_eq!(
            invokes("make -Cv2 -C sub build"),
            [one("make", None, Some("v2/sub"), &["build"])]
        );
        assert_eq!(
            invokes("./build.sh --release"),
            [one("script", Some("./build.sh"), None, &[])]
        );
        assert_eq!(
            invokes("bash -ex scripts/ci/test.sh arg"),
            [one("script", Some("scripts/ci/test.sh"), None, &[])]
        );
        assert_eq!(
            invokes("source ./env.sh && . scripts/vars"),
            [
                one("script", Some("./env.sh"), None, &[]),
                one("script", Some("scripts/vars"), None, &[]),
            ]
        );
        assert_eq!(
            invokes("cd x && run.sh"),
            [one("script", Some("run.sh"), None, &[])]
        );
    }

    #[test]
    fn what_is_not_a_file_of_the_repository() {
        // `bash -c '…'` is an inline script: what it runs is recognised inside it.
        assert_eq!(
            invokes("bash -c 'make test'"),
            [one("make", None, None, &["test"])]
        );
        for s in [
            "curl -fsSL https://x/i.sh | bash -s -- -y",
            "/usr/bin/env",
            "bash /tmp/x.sh",
            "bash ~/x.sh",
            "make $TARGET",
            "make -C $DIR",
            "../outside.sh",
            "echo make",
            "$GITHUB_ACTION_PATH/../x.sh",
            "$GITHUB_ACTION_PATH/$SCRIPT",
            "$OTHER_PATH/x.sh",
            "${{ github.workspace }}/x.sh",
        ] {
            assert!(invokes(s).is_empty(), "{s}: {:?}", invokes(s));
        }
    }

    #[test]
    fn scripts_of_the_action_that_runs_the_step() {
        let script = |p: &str| one("action-script", Some(p), None, &[]);
        assert_eq!(
            invokes("$GITHUB_ACTION_PATH/setup.sh -p"),
            [script("setup.sh")]
        );
        assert_eq!(
            invokes("\"${GITHUB_ACTION_PATH}/scripts/install.sh\""),
            [script("scripts/install.sh")]
        );
        assert_eq!(
            invokes("bash -e \"$GITHUB_ACTION_PATH\"/run.sh x"),
            [script("run.sh")]
        );
        assert_eq!(
            invokes(". '${{ github.action_path }}/env.sh'"),
            [script("env.sh")]
        );
    }
}

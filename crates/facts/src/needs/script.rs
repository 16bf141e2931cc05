//! The permissions the commands of a `run:` script need: `git push`, `gh`, `gh api` and
//! `curl` calls to the GitHub API, and the commands the knowledge base lists.

use tollgate_gha::{Env, env_value};
use tollgate_graph::Origin;
use tollgate_kb::github::GH_GLOBAL_VALUE_OPTS as VALUE_OPTS;
use tollgate_kb::permissions::CommandEntry;
use tollgate_model::Span;
use tollgate_shell::{Analysis, Command};

use super::{Acc, kb};
use crate::identity::{is_other_identity, is_workflow_token, secret_names};

/// The static positional words of a command: its name, then arguments that are not
/// options (stopping at the first dynamic word).
fn positionals(cmd: &Command) -> Vec<&str> {
    let mut out = Vec::new();
    let Some(name) = cmd.name() else { return out };
    out.push(name);
    let mut skip = false;
    for w in cmd.args() {
        if skip {
            skip = false;
            continue;
        }
        let Some(t) = w.as_str() else { break };
        if VALUE_OPTS.contains(&t) {
            skip = true;
            continue;
        }
        if t.starts_with('-') {
            continue;
        }
        out.push(t);
    }
    out
}

fn sets_env(cmd: &Command, analysis: &Analysis, envs: &[&Env], names: &[String]) -> bool {
    names.iter().any(|n| {
        cmd.assignment(n).is_some()
            || analysis.assignments.iter().any(|a| a.name == *n)
            || env_value(envs, n).is_some()
    })
}

/// Whether the command's words start with the entry's `run` words. Checked for every
/// command against every entry, so it compares in place without allocating.
fn run_prefix_matches(run: &str, words: &[&str]) -> bool {
    run.split_whitespace()
        .enumerate()
        .all(|(n, w)| words.get(n) == Some(&w))
}

fn command_matches(
    e: &CommandEntry,
    cmd: &Command,
    words: &[&str],
    script: &str,
    analysis: &Analysis,
    envs: &[&Env],
) -> bool {
    if !run_prefix_matches(&e.run, words) {
        return false;
    }
    if !e.flag.is_empty() && !cmd.has_flag(&e.flag) {
        return false;
    }
    if !e.without_flag.is_empty() && cmd.has_flag(&e.without_flag) {
        return false;
    }
    if let Some(c) = &e.arg_contains
        && !cmd
            .args()
            .iter()
            .any(|w| w.display(script).contains(c.as_str()))
    {
        return false;
    }
    if !e.without_env.is_empty() && sets_env(cmd, analysis, envs, &e.without_env) {
        return false;
    }
    true
}

/// Whether `gh` in this step authenticates as someone other than the workflow token.
fn gh_other_identity(resolve: &Resolve<'_>, cmd: &Command, script: &str, envs: &[&Env]) -> bool {
    tollgate_kb::github::GH_TOKEN_VARS.iter().any(|n| {
        let v = cmd
            .assignment(n)
            .and_then(|a| a.value.as_ref())
            .map(|w| w.display(script).into_owned())
            .or_else(|| env_value(envs, n).map(str::to_owned));
        v.is_some_and(|v| is_other_identity(&resolve(&v)))
    })
}

/// Commands that cannot use a token they find in the environment: shell built-ins and
/// text tools. Any other program run while the workflow token is in the step's
/// environment may call the API with it.
const INERT: &[&str] = &[
    "echo",
    "printf",
    "cat",
    "jq",
    "yq",
    "grep",
    "sed",
    "awk",
    "test",
    "[",
    "[[",
    "true",
    "false",
    "exit",
    "set",
    "export",
    "cd",
    "ls",
    "mkdir",
    "rm",
    "cp",
    "mv",
    "tee",
    "head",
    "tail",
    "sort",
    "uniq",
    "wc",
    "cut",
    "tr",
    "date",
    "sleep",
    "basename",
    "dirname",
    "read",
    "printenv",
    "env",
    "git",
    "shift",
    "local",
    "return",
    "source",
    ".",
    "touch",
    "find",
    "xargs",
    "base64",
    "sha256sum",
    "diff",
    "chmod",
    "seq",
    "pwd",
    "cmp",
    // Shell builtins and file tools that never read a token from the environment.
    "break",
    "continue",
    "wait",
    "trap",
    "declare",
    "typeset",
    "unset",
    "readonly",
    "let",
    "pushd",
    "popd",
    "shopt",
    "ln",
    "which",
    "tar",
    "unzip",
    "gzip",
    "gunzip",
    "zip",
    "xz",
    "zstd",
    "stat",
    "realpath",
    "readlink",
    "mktemp",
    "md5sum",
    "sha1sum",
    "sha512sum",
    "shasum",
    "du",
    "df",
    "nproc",
    "uname",
    "whoami",
    "id",
    "file",
    "paste",
    "tac",
    "rev",
    "expr",
    "column",
    "envsubst",
];

/// The credentials a script's step holds besides what the script itself names.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Held {
    /// The job's checkout authenticated with another credential, which a plain
    /// `git push` then uses.
    pub(super) checkout_other: bool,
    /// The step's or an outer `env:` hands over the workflow token.
    pub(super) env_token: bool,
}

/// Maps a composite action's `${{ inputs.x }}` to what its caller passes (borrowed when
/// there is nothing to replace, which is nearly always).
pub(super) type Resolve<'r> = dyn for<'a> Fn(&'a str) -> std::borrow::Cow<'a, str> + 'r;

/// `resolve` maps composite-action inputs to what the caller passes, `place` a span of
/// the script to its file; `held` says what the step holds besides the script's text.
pub(super) fn script_into(
    resolve: &Resolve<'_>,
    place: &dyn Fn(Span) -> Origin,
    held: Held,
    script: &str,
    analysis: &Analysis,
    envs: &[&Env],
    acc: &mut Acc,
) {
    let base = kb();
    // The workflow token handed to the script (in the step's or job's `env:`, which the
    // caller judges as `env_token`, or templated in): programs we cannot judge may then
    // use it for anything.
    let token_given = held.env_token || is_workflow_token(script);
    for cmd in &analysis.commands {
        let words = positionals(cmd);
        let Some(&name) = words.first() else { continue };
        if name == "gh" && gh_other_identity(resolve, cmd, script, envs) {
            continue;
        }
        if name == "git" && words.get(1) == Some(&"push") {
            // The push authenticates with what checkout persisted, or with a credential
            // in the remote URL; only the workflow token needs `contents: write`.
            let text = script.get(cmd.span.range()).unwrap_or("");
            if held.checkout_other || !secret_names(text).is_empty() {
                continue;
            }
        }
        let at = place(cmd.span);
        if name == "gh" && words.get(1) == Some(&"api") {
            api_into(cmd, script, acc, at);
            continue;
        }
        if name == "curl" && curl_api_into(cmd, script, acc, at) {
            continue;
        }
        let entries = base.commands_for(name);
        let mut matched = false;
        for e in entries
            .clone()
            .filter(|e| command_matches(e, cmd, &words, script, analysis, envs))
        {
            matched = true;
            let why = format!("`{}`", e.run);
            if e.unknown.is_some() {
                acc.unknown(e.run.clone());
            } else {
                acc.add(&e.permissions, &why, false, at);
            }
        }
        // A command the base names, whatever its options, is judged.
        let named = entries
            .clone()
            .any(|e| run_prefix_matches(&e.run, words.as_slice()));
        if matched || named || INERT.contains(&name) {
            continue;
        }
        // A program we do not know that publishes may use the OIDC token (npm and PyPI
        // trusted publishing), and any program may use a token it is handed.
        // The command's words as the shell parsed them (line continuations are gone).
        let words = || cmd.name_word().into_iter().chain(cmd.args());
        let publishes =
            words().any(|w| crate::identity::contains_ignore_case(&w.display(script), "publish"));
        if !publishes && !token_given {
            // Most commands: nothing to record, nothing to build.
            continue;
        }
        let what = words()
            .take(3)
            .map(|w| w.display(script))
            .collect::<Vec<_>>()
            .join(" ");
        if publishes {
            acc.unknown(format!("{what} (publishes)"));
        } else if token_given && name != "gh" {
            acc.unknown(format!("{what} (given the token)"));
        } else if token_given {
            acc.unknown(what);
        }
    }
    for (i, v) in base.variables_in(script) {
        let at = place(Span::new(i, i + v.name.len()));
        acc.add(&v.permissions, &format!("`{}`", v.name), false, at);
    }
}

/// `curl` against `api.github.com`: the endpoint after the host, the method from
/// `-X`/`--request` (POST when data is sent). False when the command is not an API call.
fn curl_api_into(cmd: &Command, script: &str, acc: &mut Acc, at: Origin) -> bool {
    if !cmd
        .args()
        .iter()
        .any(|w| w.display(script).contains("api.github.com/"))
    {
        return false;
    }
    let args: Vec<String> = cmd
        .args()
        .iter()
        .map(|w| w.display(script).into_owned())
        .collect();
    let Some(path) = args.iter().find_map(|a| {
        a.split_once("api.github.com/")
            .map(|(_, p)| p.split('?').next().unwrap_or("").to_owned())
    }) else {
        return false;
    };
    let mut method: Option<&str> = None;
    let mut data = false;
    for (i, a) in args.iter().enumerate() {
        if a == "-X" || a == "--request" {
            method = args.get(i + 1).map(String::as_str);
        } else if let Some(m) = a.strip_prefix("-X").filter(|m| !m.is_empty()) {
            method = Some(m);
        } else if a.starts_with("-d")
            || a.starts_with("--data")
            || a == "--json"
            || a == "-F"
            || a == "--form"
        {
            data = true;
        }
    }
    let writes = method.map_or(data, |m| !m.eq_ignore_ascii_case("GET"));
    match super::api_entry(&path) {
        Some(e) if e.unknown.is_none() => {
            let perms = if writes {
                e.write.as_ref()
            } else {
                e.read.as_ref()
            };
            if let Some(p) = perms {
                let why = format!(
                    "`curl` {} `{path}`",
                    if writes { "writing" } else { "reading" }
                );
                match &e.alternative {
                    Some(alt) => acc.add_either(p, alt, &why, at),
                    None => acc.add(p, &why, false, at),
                }
            }
        }
        _ => {
            acc.unknown(format!("curl api.github.com/{path}"));
        }
    }
    true
}

use tollgate_kb::github::GH_API_VALUE_OPTS as API_VALUE_OPTS;

fn api_into(cmd: &Command, script: &str, acc: &mut Acc, at: Origin) {
    let args = cmd.args();
    let mut method: Option<String> = None;
    let mut fields = false;
    let mut endpoint: Option<String> = None;
    let mut i = 1; // after `api`
    while i < args.len() {
        let w = &args[i];
        let t = w.display(script);
        let (opt, inline) = match t.split_once('=') {
            Some((o, v)) if o.starts_with("--") => (o.to_owned(), Some(v.to_owned())),
            _ => (t.to_string(), None),
        };
        if API_VALUE_OPTS.contains(&opt.as_str()) {
            let value = inline.or_else(|| args.get(i + 1).map(|n| n.display(script).into_owned()));
            if opt == "-X" || opt == "--method" {
                method = value;
            } else if ["-f", "--raw-field", "-F", "--field", "--input"].contains(&opt.as_str()) {
                fields = true;
            }
            i += if t.contains('=') && t.starts_with("--") {
                1
            } else {
                2
            };
            continue;
        }
        if let Some(m) = t.strip_prefix("-X").filter(|m| !m.is_empty()) {
            method = Some(m.to_owned());
        } else if t.starts_with('-') {
        } else if endpoint.is_none() {
            endpoint = Some(t.trim_start_matches('/').to_owned());
        }
        i += 1;
    }
    let Some(endpoint) = endpoint else { return };
    // With fields and no method, gh sends a POST.
    let writes = method.map_or(fields, |m| !m.eq_ignore_ascii_case("GET"));
    let path = endpoint.split('?').next().unwrap_or("");
    let found = super::api_entry(path);
    match found {
        Some(e) if e.unknown.is_none() => {
            let perms = if writes {
                e.write.as_ref()
            } else {
                e.read.as_ref()
            };
            if let Some(p) = perms {
                let why = format!("`gh api {endpoint}`");
                match &e.alternative {
                    Some(alt) => acc.add_either(p, alt, &why, at),
                    None => acc.add(p, &why, false, at),
                }
            }
        }
        _ => {
            acc.unknown(format!("gh api {endpoint}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Needs;
    use super::*;
    use tollgate_gha::PermissionLevel;
    use tollgate_graph::InputId;
    use tollgate_shell::Analyzer;

    fn run(script: &str) -> Needs {
        let analysis = Analyzer::new().analyze(script);
        let mut acc = Acc::default();
        script_into(
            &|v| std::borrow::Cow::Borrowed(v),
            &|s| Origin::new(InputId(0), s),
            Held::default(),
            script,
            &analysis,
            &[],
            &mut acc,
        );
        acc.needs.resolve(&|_| PermissionLevel::None)
    }

    #[test]
    fn commands() {
        let cases: &[(&str, &[(&str, PermissionLevel)])] = &[
            (
                "git push origin HEAD",
                &[("contents", PermissionLevel::Write)],
            ),
            (
                "git -C sub push --tags",
                &[("contents", PermissionLevel::Write)],
            ),
            (
                "gh pr create --fill",
                &[("pull-requests", PermissionLevel::Write)],
            ),
            (
                "gh pr view 1 --json title",
                &[("pull-requests", PermissionLevel::Read)],
            ),
            (
                "gh release upload v1 a.tgz",
                &[("contents", PermissionLevel::Write)],
            ),
            (
                "gh api repos/o/r/issues/1/comments -f body=x",
                &[("issues", PermissionLevel::Write)],
            ),
            (
                "gh api -X GET repos/o/r/pulls",
                &[("pull-requests", PermissionLevel::Read)],
            ),
            (
                "npm publish --provenance --access public",
                &[("id-token", PermissionLevel::Write)],
            ),
            ("NODE_AUTH_TOKEN=x npm publish", &[]),
            (
                "cosign sign --yes img@sha256:x",
                &[("id-token", PermissionLevel::Write)],
            ),
            ("cosign sign --key k.pem img", &[]),
            (
                "docker push ghcr.io/o/img:1",
                &[("packages", PermissionLevel::Write)],
            ),
            (
                "curl -X POST -H \"Authorization: Bearer $T\" https://api.github.com/repos/o/r/statuses/abc",
                &[("statuses", PermissionLevel::Write)],
            ),
            (
                "curl -s https://api.github.com/repos/o/r/releases/latest",
                &[("contents", PermissionLevel::Read)],
            ),
            // Publishing tools that push with the job's token.
            (
                "mkdocs gh-deploy --force",
                &[("contents", PermissionLevel::Write)],
            ),
            (
                "mike deploy --push --update-aliases 1.0 latest",
                &[("contents", PermissionLevel::Write)],
            ),
            ("mike deploy 1.0", &[]),
            (
                "npx semantic-release",
                &[
                    ("contents", PermissionLevel::Write),
                    ("issues", PermissionLevel::Write),
                    ("pull-requests", PermissionLevel::Write),
                ],
            ),
            ("echo hi", &[]),
        ];
        for (script, want) in cases {
            let n = run(script);
            let got: Vec<(&str, PermissionLevel)> = n
                .scopes
                .iter()
                .map(|(s, (l, _))| (s.as_str(), *l))
                .collect();
            assert_eq!(&got, want, "{script}");
            assert!(n.is_known(), "{script}: {:?}", n.unknown);
        }
        assert!(!run("gh api graphql -f query=x").is_known());
    }
}

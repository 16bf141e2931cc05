//! `template-injection`'s fix: each `${{ … }}` expansion of a `run:` script moved into the
//! step's `env:` and referenced as a variable in the script's own syntax, quoted, so the
//! shell reads the value as data and never parses it as code.
//!
//! Inside quotes the variable yields the same word the expansion did: the fix is safe.
//! Unquoted, the expansion's text was split into words and globbed (which is also what
//! made it injectable); the quoted variable keeps it one word, which can change what an
//! honest run does: the fix is then applied only with `--unsafe`.

use tollgate_gha::{Env, Run, Step};
use tollgate_model::{Applicability, Edit, Span};

use super::Text;

/// The quoting in force at a point of a shell word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quoting {
    None,
    Single,
    Double,
}

/// The quoting in force at the end of `text`, the start of a shell word up to a point in
/// it: `escape` escapes the next character outside single quotes (a backslash in bash, a
/// backtick in PowerShell); inside single quotes nothing is special but the closing quote
/// (bash's `$'…'` counts as single quotes; PowerShell's `''` inside them is two state
/// changes, with the same result).
fn quoting(text: &str, escape: char) -> Quoting {
    let mut q = Quoting::None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (q, c) {
            (Quoting::None | Quoting::Double, e) if e == escape => {
                chars.next();
            }
            (Quoting::None, '\'') => q = Quoting::Single,
            (Quoting::Single, '\'') => q = Quoting::None,
            (Quoting::None, '"') => q = Quoting::Double,
            (Quoting::Double, '"') => q = Quoting::None,
            _ => {}
        }
    }
    q
}

/// The quoting in force at the end of a bash word's start.
pub fn bash_quoting(text: &str) -> Quoting {
    quoting(text, '\\')
}

/// The quoting in force at the end of a PowerShell word's start.
pub fn pwsh_quoting(text: &str) -> Quoting {
    quoting(text, '`')
}

/// One expansion to move: its `${{ … }}` in the file, the expression inside, and the
/// quoting around it in the script.
#[derive(Clone, Debug)]
pub struct Expansion {
    pub span: Span,
    pub expression: String,
    pub quoting: Quoting,
}

/// Names the runner or the shell give a meaning, which a step's `env:` must not shadow.
fn reserved(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "CI",
        "HOME",
        "PATH",
        "PWD",
        "OLDPWD",
        "SHELL",
        "USER",
        "IFS",
        "PS1",
        "PS4",
        "LANG",
        "TERM",
        "TMPDIR",
        "ENV",
        "BASH_ENV",
        "SHELLOPTS",
        "NODE_OPTIONS",
        "LD_PRELOAD",
    ];
    NAMES.contains(&name)
        || ["GITHUB_", "RUNNER_", "ACTIONS_", "INPUT_", "BASH_", "LC_"]
            .iter()
            .any(|p| name.starts_with(p))
}

/// A variable name for an expression: its reference without the context's usual prefix,
/// upper-cased (`github.event.issue.title` → `ISSUE_TITLE`); `VALUE` for anything that is
/// not a plain reference.
fn base_name(expression: &str) -> String {
    let e = expression.trim();
    let plain = !e.is_empty()
        && e.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '[' | ']'));
    if !plain {
        // The first reference in it (`inputs.version || ''` → `VERSION`).
        return e
            .split(|c: char| {
                !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '[' | ']'))
            })
            .find(|t| t.contains('.') && t.starts_with(|c: char| c.is_ascii_alphabetic()))
            .map_or_else(|| "VALUE".to_owned(), base_name);
    }
    let lower = e.to_ascii_lowercase();
    let rest = [
        "github.event.",
        "github.",
        "inputs.",
        "steps.",
        "needs.",
        "env.",
        "vars.",
    ]
    .iter()
    .find_map(|p| lower.starts_with(p).then(|| &e[p.len()..]))
    .unwrap_or(e);
    let rest = rest.replace(".outputs.", ".");
    let mut name = String::new();
    for c in rest.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_uppercase());
        } else if !name.ends_with('_') {
            name.push('_');
        }
    }
    let mut name = name.trim_end_matches('_').to_owned();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name
}

/// The expression as a YAML value: plain when it is a plain reference, else single-quoted.
fn yaml_value(expression: &str) -> String {
    let v = format!("${{{{ {} }}}}", expression.trim());
    let plain = expression
        .trim()
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ' '));
    if plain {
        v
    } else {
        format!("'{}'", v.replace('\'', "''"))
    }
}

/// The reference to variable `name` that replaces an expansion quoted as `q`, and whether
/// it keeps what an honest run does.
fn reference(name: &str, q: Quoting, pwsh: bool) -> Option<(String, bool)> {
    Some(match (pwsh, q) {
        (false, Quoting::Double) => (format!("${{{name}}}"), true),
        (false, Quoting::Single) => (format!("'\"${{{name}}}\"'"), true),
        (false, Quoting::None) => (format!("\"${{{name}}}\""), false),
        (true, Quoting::Double) => (format!("${{env:{name}}}"), true),
        (true, Quoting::None) => (format!("$env:{name}"), false),
        // A single-quoted PowerShell string cannot hold a variable.
        (true, Quoting::Single) => return None,
    })
}

/// The edits moving `expansions` of `step`'s `run:` into its `env:`, with the fix's
/// applicability. `envs` are the job's and workflow's `env:` blocks, whose names a new
/// variable must not shadow. `None` when any expansion cannot be moved.
pub fn move_to_env(
    text: &Text<'_>,
    step: &Step,
    run: &Run,
    envs: &[&Env],
    expansions: &[Expansion],
    pwsh: bool,
) -> Option<(Vec<Edit>, Applicability)> {
    if expansions.is_empty() || run.input.is_some() || step.env.expression.is_some() {
        return None;
    }
    let mut edits = Vec::new();
    let mut added: Vec<(String, String)> = Vec::new();
    let mut safe = true;
    // The replacement is written inside the `run:` scalar, in that scalar's own style.
    let style = text
        .s
        .get(run.span.start()..)
        .and_then(|s| s.chars().next());
    let encode = |r: String| match style {
        Some('"') => r.replace('\\', "\\\\").replace('"', "\\\""),
        Some('\'') => r.replace('\'', "''"),
        _ => r,
    };
    for x in expansions {
        if text
            .s
            .get(x.span.range())
            .is_none_or(|s| !(s.starts_with("${{") && s.ends_with("}}")))
        {
            return None;
        }
        let value = format!("${{{{ {} }}}}", x.expression.trim());
        // A variable of the step that already holds it, else a new one.
        let existing = step
            .env
            .vars
            .iter()
            .find(|v| v.value.value.trim() == value)
            .map(|v| v.key.value.clone())
            .or_else(|| {
                added
                    .iter()
                    .find(|(_, e)| *e == x.expression)
                    .map(|(n, _)| n.clone())
            });
        let name = match existing {
            Some(n) => n,
            None => {
                let base = base_name(&x.expression);
                let taken = |n: &str| {
                    reserved(n)
                        || run.script.contains(n)
                        || step.env.get(n).is_some()
                        || envs.iter().any(|e| e.get(n).is_some())
                        || added.iter().any(|(a, _)| a == n)
                };
                let name = std::iter::once(base.clone())
                    .chain((2..100).map(|i| format!("{base}_{i}")))
                    .find(|n| !taken(n))?;
                added.push((name.clone(), x.expression.clone()));
                name
            }
        };
        let (new, keeps) = reference(&name, x.quoting, pwsh)?;
        safe &= keeps;
        // `'${{ x }}'`, the whole of a single-quoted string: `"${X}"` in its place.
        let bytes = text.s.as_bytes();
        let whole = !pwsh
            && x.quoting == Quoting::Single
            && x.span.start() > 0
            && bytes.get(x.span.start() - 1) == Some(&b'\'')
            && bytes.get(x.span.end()) == Some(&b'\'');
        let edit = if whole {
            Edit {
                span: Span::new(x.span.start() - 1, x.span.end() + 1),
                text: encode(format!("\"${{{name}}}\"")),
            }
        } else {
            Edit {
                span: x.span,
                text: encode(new),
            }
        };
        // A plain scalar that would start with a quote would become a quoted one.
        if edit.span.start() <= run.span.start() && edit.text.starts_with(['"', '\'']) {
            return None;
        }
        edits.push(edit);
    }
    if !added.is_empty() {
        edits.push(env_lines(text, step, run, &added)?);
    }
    let applicability = if safe {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    Some((edits, applicability))
}

/// The new variables written into the step's block `env:`, or a new `env:` before `run:`
/// (after it when `run:` is the step's first key, which carries the `- `).
fn env_lines(text: &Text<'_>, step: &Step, run: &Run, added: &[(String, String)]) -> Option<Edit> {
    let var = |pad: &str, (name, e): &(String, String)| format!("{pad}{name}: {}", yaml_value(e));
    if step.env.key.is_some() {
        let first = step.env.vars.first()?;
        let col = text.key_column(first.key.span.start())?;
        let pad = " ".repeat(col);
        let end = step
            .env
            .vars
            .iter()
            .map(|v| text.trim_end(v.value.span).end().max(v.key.span.end()))
            .max()?;
        let lines: Vec<String> = added.iter().map(|a| var(&pad, a)).collect();
        return text.insert_after(end, &lines);
    }
    let col = text.key_column(run.key.start())?;
    let pad = " ".repeat(col);
    let mut lines = vec![format!("{pad}env:")];
    lines.extend(added.iter().map(|a| var(&format!("{pad}  "), a)));
    if run.key.start() == step.span.start() {
        return text.insert_after(text.trim_end(run.span).end(), &lines);
    }
    let at = text.line_start(run.key.start());
    if text.s[at..run.key.start()].trim().is_empty() {
        let mut t = lines.join(text.eol);
        t.push_str(text.eol);
        return Some(Edit {
            span: Span::empty(at),
            text: t,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values() {
        assert_eq!(base_name("github.event.issue.title"), "ISSUE_TITLE");
        assert_eq!(base_name("steps.meta.outputs.branch"), "META_BRANCH");
        assert_eq!(base_name("github.head_ref"), "HEAD_REF");
        assert_eq!(base_name("a || b"), "VALUE");
        assert_eq!(base_name("inputs.version || ''"), "VERSION");
        assert_eq!(
            base_name("toJSON(github.event.pull_request)"),
            "PULL_REQUEST"
        );
        assert_eq!(
            base_name("github.event.commits[0].message"),
            "COMMITS_0_MESSAGE"
        );
        assert_eq!(yaml_value("github.head_ref"), "${{ github.head_ref }}");
        assert_eq!(yaml_value("a || 'b'"), "'${{ a || ''b'' }}'");
        assert!(reserved("GITHUB_TOKEN") && reserved("PATH") && !reserved("HEAD_REF"));
    }

    #[test]
    fn quoting_of_both_shells() {
        assert_eq!(bash_quoting("echo \"a"), Quoting::Double);
        assert_eq!(bash_quoting("'a\\'"), Quoting::None);
        assert_eq!(pwsh_quoting("\"a`\""), Quoting::Double);
        assert_eq!(pwsh_quoting("'it''s "), Quoting::Single);
        assert_eq!(
            reference("X", Quoting::Single, false).expect("ref").0,
            "'\"${X}\"'"
        );
        assert!(reference("X", Quoting::Single, true).is_none());
    }
}

//! Unwrapping of command wrappers (`sudo`, `env`, `time`, `nice`, `xargs`, `command`, …)
//! down to the command that really runs, keeping what each wrapper was.

use tollgate_model::Span;

use crate::command::{Assignment, Word, Wrapper};

pub(crate) struct Unwrapped {
    pub name_index: usize,
    pub wrappers: Vec<Wrapper>,
    /// `NAME=value` words given to `env` or `sudo`.
    pub assignments: Vec<Assignment>,
}

/// How a wrapper's options look: which short and long options take a value, and whether
/// the wrapper takes positional operands before the command (`timeout 10m cmd`).
struct Spec {
    short_values: &'static str,
    long_values: &'static [&'static str],
    operands: usize,
    assignments: bool,
}

fn spec(name: &str) -> Option<Spec> {
    let s = |short_values, long_values, operands, assignments| Spec {
        short_values,
        long_values,
        operands,
        assignments,
    };
    Some(match name {
        // sudo also accepts `NAME=value` before the command.
        "sudo" => s(
            "ugCDhprtUT",
            &[
                "user",
                "group",
                "close-from",
                "chdir",
                "host",
                "prompt",
                "role",
                "type",
                "other-user",
                "command-timeout",
            ],
            0,
            true,
        ),
        "doas" => s("uC", &[], 0, false),
        "env" => s("uCS", &["unset", "chdir", "split-string"], 0, true),
        // GNU time: `-f FORMAT`, `-o FILE`.
        "time" => s("fo", &["format", "output"], 0, false),
        "nice" => s("n", &["adjustment"], 0, false),
        "ionice" => s("cnp", &["class", "classdata", "pid"], 0, false),
        "nohup" | "builtin" | "chronic" | "unbuffer" => s("", &[], 0, false),
        "exec" => s("a", &[], 0, false),
        "command" => s("", &[], 0, false),
        "stdbuf" => s("ioe", &["input", "output", "error"], 0, false),
        // `timeout [opts] DURATION cmd`.
        "timeout" => s("sk", &["signal", "kill-after"], 1, false),
        "xargs" => s(
            "IiEeLlnPsda",
            &[
                "replace",
                "eof",
                "max-lines",
                "max-args",
                "max-procs",
                "max-chars",
                "delimiter",
                "arg-file",
                "process-slot-var",
            ],
            0,
            false,
        ),
        _ => return None,
    })
}

/// Find the real command in `argv`; `raw` holds each word as written (for `NAME=$v`).
pub(crate) fn unwrap_wrappers(argv: &[Word], raw: &[&str]) -> Unwrapped {
    let mut out = Unwrapped {
        name_index: 0,
        wrappers: Vec::new(),
        assignments: Vec::new(),
    };
    let mut i = 0;
    // Each round consumes at least one word, so this terminates; the bound is a guard.
    for _ in 0..16 {
        let Some(word) = argv.get(i) else { break };
        let Some(text) = word.as_str() else { break };
        let name = text.rsplit('/').next().unwrap_or(text);
        let Some(spec) = spec(name) else { break };
        // `command -v x` looks a command up instead of running it.
        if name == "command"
            && argv
                .get(i + 1)
                .and_then(Word::as_str)
                .is_some_and(|t| t == "-v" || t == "-V")
        {
            break;
        }
        let mut j = i + 1;
        while let Some(t) = argv.get(j).and_then(Word::as_str) {
            if t == "--" {
                j += 1;
                break;
            }
            if let Some(long) = t.strip_prefix("--") {
                j += if !long.contains('=') && spec.long_values.contains(&long) {
                    2
                } else {
                    1
                };
                continue;
            }
            // `nice -10 cmd` is an adjustment, `env -` means `-i`.
            if let Some(short) = t.strip_prefix('-').filter(|s| !s.is_empty()) {
                let takes = short
                    .char_indices()
                    .find(|(_, c)| spec.short_values.contains(*c))
                    .is_some_and(|(pos, c)| pos + c.len_utf8() == short.len());
                j += if takes { 2 } else { 1 };
                continue;
            }
            if t == "-" {
                j += 1;
                continue;
            }
            break;
        }
        let mut operands = spec.operands;
        while operands > 0 && j < argv.len() {
            j += 1;
            operands -= 1;
        }
        if spec.assignments {
            while let Some(a) = argv
                .get(j)
                .and_then(|w| assignment_word(w, raw.get(j).copied()))
            {
                out.assignments.push(a);
                j += 1;
            }
        }
        let end = argv
            .get(j.min(argv.len()).saturating_sub(1))
            .map_or(word.span.end(), |w| w.span.end());
        out.wrappers.push(Wrapper {
            name: name.to_owned(),
            span: Span::new(word.span.start(), end),
        });
        i = j.min(argv.len());
    }
    out.name_index = i;
    out
}

/// `NAME=value` as one word (given to `env` or `sudo`).
fn assignment_word(w: &Word, raw: Option<&str>) -> Option<Assignment> {
    let raw = raw?;
    let (name, _) = raw.split_once('=')?;
    if name.is_empty()
        || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        || name.as_bytes()[0].is_ascii_digit()
    {
        return None;
    }
    let value_start = w.span.start() + name.len() + 1;
    let text = w
        .text
        .as_deref()
        .and_then(|t| t.split_once('='))
        .map(|(_, v)| v.to_owned());
    let value = Word {
        span: Span::new(value_start.min(w.span.end()), w.span.end()),
        text: text.map(String::into_boxed_str),
        has_expression: w.has_expression,
        quoted: w.quoted,
        variables: w.variables.clone(),
    };
    Some(Assignment {
        name: name.to_owned(),
        value: Some(value),
        span: w.span,
        exported: true,
    })
}

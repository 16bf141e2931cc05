//! Which commands of a script a shell loop retries, as the shell facts record it.

use std::collections::HashSet;

use tollgate_model::Span;
use tollgate_shell::Analysis;

/// The spans of the commands a retry loop runs (the shell walk decides it from the
/// syntax tree: see `CommandContext::retry_loop`), indexed once per script so that each
/// fact asks in constant time. A fact's span is the span of its command.
pub(super) struct RetriedCommands(HashSet<Span>);

impl RetriedCommands {
    pub(super) fn new(analysis: &Analysis) -> Self {
        Self(
            analysis
                .commands
                .iter()
                .filter(|c| c.context.retry_loop)
                .map(|c| c.span)
                .collect(),
        )
    }

    /// True when the command at `span` runs inside a shell loop that retries it.
    pub(super) fn around(&self, span: Span) -> bool {
        self.0.contains(&span)
    }
}

/// Whether the `wget` command at `span` keeps its default of 20 tries on transient
/// errors (<https://www.gnu.org/software/wget/manual/wget.html#Download-Options>,
/// `--tries`): it does unless `-t 1`/`--tries=1` asks for one try.
pub(super) fn wget_retries(analysis: &Analysis, span: Span) -> bool {
    let Some(c) = analysis.commands.iter().find(|c| c.span == span) else {
        return false;
    };
    let words: Vec<Option<&str>> = c.args().iter().map(tollgate_shell::Word::as_str).collect();
    !words.iter().enumerate().any(|(k, w)| {
        let next = words.get(k + 1).copied().flatten();
        match *w {
            Some("-t" | "--tries") => next == Some("1"),
            Some(w) => matches!(w, "-t1" | "--tries=1"),
            None => false,
        }
    })
}

/// What a script that writes apt's `Acquire::Retries` (above 0) into
/// `/etc/apt/apt.conf.d/` says, for the fallback's detail: apt retries every download of
/// the later steps (<https://manpages.debian.org/apt.conf.5>). Read from the script text,
/// since the setting is data (`echo 'Acquire::Retries "3";' | sudo tee …`).
pub(super) fn apt_config_retries(script: &str) -> Option<String> {
    if !script.contains("/etc/apt/apt.conf") {
        return None;
    }
    script
        .match_indices("Acquire::Retries")
        .find_map(|(i, key)| {
            let rest = &script[i + key.len()..];
            let n: String = rest
                .trim_start_matches([' ', '"', '\'', '=', '\t'])
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            n.parse::<u32>()
                .is_ok_and(|n| n > 0)
                .then(|| format!("`Acquire::Retries \"{n}\"` in apt's configuration"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apt_retry_configuration() {
        // wasmtime: `.github/actions/...` writes the file before the installs.
        let on = "echo 'Acquire::Retries \"3\";' | sudo tee /etc/apt/apt.conf.d/80-retries";
        assert_eq!(
            apt_config_retries(on).as_deref(),
            Some("`Acquire::Retries \"3\"` in apt's configuration")
        );
        assert!(
            apt_config_retries("echo 'Acquire::Retries=5' >> /etc/apt/apt.conf.d/99retry")
                .is_some()
        );
        // `0` turns retries off (the runner's mirror list is relied on instead).
        let off = "echo 'Acquire::Retries \"0\";' | sudo tee /etc/apt/apt.conf.d/80-retries";
        assert_eq!(apt_config_retries(off), None);
        // Not written to apt's configuration.
        assert_eq!(apt_config_retries("echo Acquire::Retries 3"), None);
    }

    #[test]
    fn wget_default_tries() {
        let rows: &[(&str, bool)] = &[
            ("wget https://x.io/a", true),
            ("wget -q -O a https://x.io/a", true),
            ("wget -t 1 https://x.io/a", false),
            ("wget --tries=1 https://x.io/a", false),
            ("wget -t1 https://x.io/a", false),
        ];
        for (script, want) in rows {
            let a = tollgate_shell::Analyzer::new().analyze(script);
            let c = a.commands.first().expect("wget");
            assert_eq!(wget_retries(&a, c.span), *want, "{script}");
        }
    }

    /// The text scan the tree-based answer replaced, kept as the reference it is compared
    /// with: the last `for`/`while`/`until` word before the command, the first `done`
    /// after it, and `break` or `sleep` anywhere in between, as substrings.
    fn in_retry_loop(script: &str, span: Span) -> bool {
        let before = script.get(..span.start()).unwrap_or("");
        let after = script.get(span.end()..).unwrap_or("");
        let words = |t: &str, w: &str| {
            t.match_indices(w)
                .map(|(i, _)| i)
                .filter(|&i| {
                    let pre = t[..i].chars().next_back();
                    let post = t[i + w.len()..].chars().next();
                    pre.is_none_or(|c| c.is_whitespace() || c == ';')
                        && post.is_none_or(|c| c.is_whitespace() || c == ';')
                })
                .collect::<Vec<_>>()
        };
        let open = ["for", "while", "until"]
            .iter()
            .filter_map(|w| words(before, w).into_iter().max())
            .max();
        let Some(open) = open else { return false };
        if !words(&before[open..], "done").is_empty() {
            return false;
        }
        let Some(close) = words(after, "done").into_iter().min() else {
            return false;
        };
        let body = format!("{} {}", &before[open..], &after[..close]);
        let lower = body.to_ascii_lowercase();
        lower.contains("break") || lower.contains("sleep")
    }

    /// Whether the first command named `name` in `script` is retried: by the tree, and by
    /// the old text scan.
    fn both(script: &str, name: &str) -> (bool, bool) {
        let a = tollgate_shell::Analyzer::new().analyze(script);
        let loops = RetriedCommands::new(&a);
        let cmd = a
            .commands
            .iter()
            .find(|c| c.name() == Some(name))
            .unwrap_or_else(|| panic!("{name} in {script:?}"));
        (loops.around(cmd.span), in_retry_loop(script, cmd.span))
    }

    #[test]
    fn retry_loops_agree_with_the_text_scan_where_it_was_right() {
        let agree: &[(&str, &str, bool)] = &[
            (
                "for i in 1 2 3; do\n  dnf install x && break || sleep 10\ndone",
                "dnf",
                true,
            ),
            ("until curl -f https://x.io; do sleep 5; done", "curl", true),
            (
                "for i in $(seq 5); do\n  if pip install x; then break; fi\n  sleep $i\ndone",
                "pip",
                true,
            ),
            (
                "n=0\nwhile true; do\n  npm ci && break\n  n=$((n+1))\ndone",
                "npm",
                true,
            ),
            (
                "for f in *.txt; do echo $f; done\napt-get install x",
                "apt-get",
                false,
            ),
            ("for p in a b; do pip install $p; done", "pip", false),
            ("curl -fsSL https://x.io/a -o a", "curl", false),
        ];
        for (script, name, want) in agree {
            assert_eq!(both(script, name), (*want, *want), "{script:?}");
        }
    }

    /// Where the text scan was wrong, the tree answers: (script, command, tree, text).
    #[test]
    fn retry_loops_where_the_tree_corrects_the_text_scan() {
        let differ: &[(&str, &str, bool, bool)] = &[
            // A `sleep` that is a word, not a command.
            (
                "for i in 1 2; do curl https://x.io; echo 'no sleep'; done",
                "curl",
                false,
                true,
            ),
            // A loop nested before the command closes with its own `done`: the text scan
            // saw no open loop, the tree sees the outer one.
            (
                "for i in 1 2 3; do\n  for m in a b; do echo $m; done\n  curl https://x.io && break\ndone",
                "curl",
                true,
                false,
            ),
            // The list a `for` loop walks runs once.
            (
                "for v in $(curl https://x.io/list); do echo $v; break; done",
                "curl",
                false,
                true,
            ),
            // `break` of an inner loop does not make the outer loop retry.
            (
                "while read l; do\n  curl https://x.io/$l\n  for t in 1 2; do make && break; done\ndone < list",
                "curl",
                false,
                true,
            ),
            // The words `for`, `sleep` and `done` as arguments are no loop.
            (
                "echo wait for it; curl https://x.io; echo sleep; echo done",
                "curl",
                false,
                true,
            ),
        ];
        for (script, name, tree, text) in differ {
            assert_eq!(both(script, name), (*tree, *text), "{script:?}");
        }
    }
}

//! Makefiles, read far enough to know what `make TARGET` runs: the rules (targets,
//! prerequisites, recipe lines with their spans), the variables whose values are written
//! in the file, `include` lines and the default goal. Recipes are expanded with those
//! variables (`$(VAR)`, `${VAR}`, `$$`) into shell text; a variable the file does not set
//! becomes a shell variable (`${VAR}`), so it stays unknown rather than guessed.
//!
//! Conditionals (`ifeq` … `endif`) are not evaluated: both branches count, which can only
//! add what a target might run. `define` blocks, pattern rules and functions other than
//! plain variable references are not expanded. Everything is bounded: rules, expansion
//! depth and the length of an expanded line.

use std::collections::{HashMap, HashSet};

use tollgate_model::Span;

/// At most this many rules are read from one file.
const MAX_RULES: usize = 10_000;
/// Variable references nest at most this deep (`$(A)` → `$(B)` → …).
const MAX_DEPTH: usize = 8;
/// An expanded recipe line longer than this is cut: no real one comes near.
const MAX_LINE: usize = 64 * 1024;
/// `recipe_rules` gives at most this many rules for one goal.
const MAX_GOAL_RULES: usize = 256;

/// One line of a rule's recipe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipeLine {
    /// The command text in the file, after the tab and the `@`/`-`/`+` prefixes (a line
    /// continued with `\` spans its continuation lines).
    pub span: Span,
    /// The command with the file's variables expanded, continuations joined.
    pub text: String,
}

/// `targets: prerequisites` and its recipe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MakeRule {
    pub targets: Vec<String>,
    pub prerequisites: Vec<String>,
    /// The rule line.
    pub span: Span,
    pub recipe: Vec<RecipeLine>,
}

/// What a Makefile says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Makefile {
    pub rules: Vec<MakeRule>,
    /// `include`, `-include` and `sinclude` file names (expanded), with the line's span.
    pub includes: Vec<(Span, String)>,
    /// The goal of a bare `make`: `.DEFAULT_GOAL`, else the first target that is not
    /// special (`.PHONY`) or a pattern.
    pub default_goal: Option<String>,
}

impl Makefile {
    /// The rules `make goal` runs, prerequisites first (depth first, each rule once),
    /// bounded; empty when no rule names the goal.
    #[must_use]
    pub fn recipe_rules(&self, goal: &str) -> Vec<&MakeRule> {
        let mut out = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        self.visit(goal, &mut seen, &mut out, 0);
        out
    }

    fn visit<'a>(
        &'a self,
        goal: &str,
        seen: &mut HashSet<String>,
        out: &mut Vec<&'a MakeRule>,
        depth: usize,
    ) {
        if depth > 64 || out.len() >= MAX_GOAL_RULES || !seen.insert(goal.to_owned()) {
            return;
        }
        for rule in self
            .rules
            .iter()
            .filter(|r| r.targets.iter().any(|t| t == goal))
        {
            for p in &rule.prerequisites {
                self.visit(p, seen, out, depth + 1);
            }
            if !out.iter().any(|r| std::ptr::eq(*r, rule)) && out.len() < MAX_GOAL_RULES {
                out.push(rule);
            }
        }
    }

    /// Whether some rule names `goal` as a target.
    #[must_use]
    pub fn has_target(&self, goal: &str) -> bool {
        self.rules
            .iter()
            .any(|r| r.targets.iter().any(|t| t == goal))
    }
}

/// A logical line: the text with continuations joined and where each piece is in the
/// file.
struct Logical {
    /// Start of the first physical line.
    start: usize,
    /// End of the last physical line (before its newline).
    end: usize,
    text: String,
}

/// The logical lines of `text`: a line ending in an odd number of `\` goes on with the
/// next one (joined with a space, as make does outside recipes; recipe lines keep the
/// backslash-newline for the shell, which treats it the same way).
fn logical_lines(text: &str) -> Vec<Logical> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut current: Option<Logical> = None;
    for raw in text.split_inclusive('\n') {
        let line_start = pos;
        pos += raw.len();
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let line = line.strip_suffix('\r').unwrap_or(line);
        let trailing = line.len() - line.trim_end_matches('\\').len();
        let continued = trailing % 2 == 1;
        let body = if continued {
            &line[..line.len() - 1]
        } else {
            line
        };
        match &mut current {
            Some(l) => {
                l.text.push(' ');
                l.text.push_str(body.trim_start());
                l.end = line_start + line.len();
            }
            None => {
                current = Some(Logical {
                    start: line_start,
                    end: line_start + line.len(),
                    text: body.to_owned(),
                });
            }
        }
        if !continued && let Some(l) = current.take() {
            out.push(l);
        }
    }
    out.extend(current);
    out
}

/// Parse a Makefile's text. Never fails: what is not understood is skipped.
#[must_use]
pub fn parse(text: &str) -> Makefile {
    let mut vars: HashMap<String, String> = HashMap::new();
    let mut rules: Vec<MakeRule> = Vec::new();
    let mut includes_raw: Vec<(Span, String)> = Vec::new();
    let mut raw_recipes: Vec<Vec<(Span, String)>> = Vec::new();
    let mut explicit_goal: Option<String> = None;
    let mut in_define = false;
    let mut in_rule = false;
    for l in logical_lines(text) {
        if in_define {
            if l.text.trim_start().starts_with("endef") {
                in_define = false;
            }
            continue;
        }
        // A recipe line: a tab first, after a rule.
        if let Some(cmd) = l.text.strip_prefix('\t') {
            if in_rule && let Some(recipe) = raw_recipes.last_mut() {
                let trimmed = cmd.trim_start_matches([' ', '\t']);
                let stripped = trimmed.trim_start_matches(['@', '-', '+', ' ', '\t']);
                if !stripped.is_empty() && !stripped.starts_with('#') {
                    let skip = l.text.len() - stripped.len();
                    recipe.push((Span::new(l.start + skip, l.end), stripped.to_owned()));
                }
            }
            continue;
        }
        let line = strip_comment(&l.text);
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let word = trimmed.split_whitespace().next().unwrap_or("");
        match word {
            "define" => {
                in_define = true;
                in_rule = false;
                continue;
            }
            "include" | "-include" | "sinclude" => {
                for f in trimmed[word.len()..].split_whitespace() {
                    includes_raw.push((Span::new(l.start, l.end), f.to_owned()));
                }
                in_rule = false;
                continue;
            }
            "ifeq" | "ifneq" | "ifdef" | "ifndef" | "else" | "endif" | "export" | "unexport"
            | "override" | "vpath"
                if is_assignment(trimmed).is_none_or(|(n, _, _)| n != word) =>
            {
                // A directive; `export X = y` and `override X = y` are assignments of X.
                let rest = trimmed[word.len()..].trim();
                if matches!(word, "export" | "override")
                    && let Some((name, op, value)) = is_assignment(rest)
                {
                    assign(&mut vars, name, op, value);
                }
                continue;
            }
            _ => {}
        }
        if let Some((name, op, value)) = is_assignment(trimmed) {
            if name == ".DEFAULT_GOAL" {
                explicit_goal = Some(value.trim().to_owned());
            } else {
                assign(&mut vars, name, op, value);
            }
            in_rule = false;
            continue;
        }
        if let Some((targets, rest)) = split_rule(trimmed) {
            if rules.len() >= MAX_RULES {
                break;
            }
            // `target: VAR = value` sets a target-specific variable: no rule.
            let (prereqs, inline) = match rest.split_once(';') {
                Some((p, r)) => (p, Some(r)),
                None => (rest, None),
            };
            if is_assignment(prereqs.trim()).is_some() {
                in_rule = false;
                continue;
            }
            let prereqs = prereqs.split('|').next().unwrap_or("");
            rules.push(MakeRule {
                targets: targets.split_whitespace().map(str::to_owned).collect(),
                prerequisites: prereqs.split_whitespace().map(str::to_owned).collect(),
                span: Span::new(l.start, l.end),
                recipe: Vec::new(),
            });
            let mut recipe = Vec::new();
            if let Some(r) = inline.map(str::trim).filter(|r| !r.is_empty()) {
                let at = l.text.find(r).map_or(l.start, |i| l.start + i);
                recipe.push((Span::new(at, l.end), r.to_owned()));
            }
            raw_recipes.push(recipe);
            in_rule = true;
            continue;
        }
        in_rule = false;
    }
    // Expand with the final values: make expands recipes when it runs them.
    let expand = |s: &str| expand(s, &vars);
    for (rule, recipe) in rules.iter_mut().zip(raw_recipes) {
        rule.targets = rule
            .targets
            .iter()
            .flat_map(|t| split_words(&expand(t)))
            .collect();
        rule.prerequisites = rule
            .prerequisites
            .iter()
            .flat_map(|p| split_words(&expand(p)))
            .collect();
        rule.recipe = recipe
            .into_iter()
            .map(|(span, text)| RecipeLine {
                span,
                text: expand(&text).replace("$(MAKE)", "make"),
            })
            .collect();
    }
    let default_goal = explicit_goal.map(|g| expand(&g)).or_else(|| {
        rules
            .iter()
            .flat_map(|r| &r.targets)
            .find(|t| !t.starts_with('.') && !t.contains('%'))
            .cloned()
    });
    let includes = includes_raw
        .into_iter()
        .flat_map(|(span, f)| split_words(&expand(&f)).into_iter().map(move |w| (span, w)))
        .collect();
    Makefile {
        rules,
        includes,
        default_goal,
    }
}

fn split_words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

/// The line without a `#` comment (a `\#` is kept).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1] != b'\\') {
            return &line[..i];
        }
    }
    line
}

/// `NAME op value` for `=`, `:=`, `::=`, `?=`, `+=`, `!=`; the name must be one word
/// with no `$` or `:` of a rule before the operator.
fn is_assignment(line: &str) -> Option<(&str, &str, &str)> {
    let eq = line.find('=')?;
    let before = &line[..eq];
    let (name, op) = if let Some(n) = before.strip_suffix("::") {
        (n, "::=")
    } else if let Some(n) = before.strip_suffix(':') {
        (n, ":=")
    } else if let Some(n) = before.strip_suffix('?') {
        (n, "?=")
    } else if let Some(n) = before.strip_suffix('+') {
        (n, "+=")
    } else if let Some(n) = before.strip_suffix('!') {
        (n, "!=")
    } else {
        (before, "=")
    };
    let name = name.trim();
    let ok = !name.is_empty()
        && !name.contains(char::is_whitespace)
        && !name.contains([':', '$', '#', '(', ')', '{', '}']);
    ok.then(|| (name, op, line[eq + 1..].trim()))
}

fn assign(vars: &mut HashMap<String, String>, name: &str, op: &str, value: &str) {
    match op {
        "?=" => {
            vars.entry(name.to_owned())
                .or_insert_with(|| value.to_owned());
        }
        "+=" => {
            let v = vars.entry(name.to_owned()).or_default();
            if !v.is_empty() {
                v.push(' ');
            }
            v.push_str(value);
        }
        // The output of a shell command: only the run knows it.
        "!=" => {
            vars.remove(name);
        }
        _ => {
            vars.insert(name.to_owned(), value.to_owned());
        }
    }
}

/// `targets : rest` of a rule line (`::` too); `None` for anything else. A colon inside
/// `$(…)` or a drive letter is not the separator.
fn split_rule(line: &str) -> Option<(&str, &str)> {
    let mut depth = 0usize;
    for (i, c) in line.char_indices() {
        match c {
            '(' | '{' => depth += 1,
            ')' | '}' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => {
                let targets = line[..i].trim();
                if targets.is_empty() {
                    return None;
                }
                let rest = line[i + 1..].strip_prefix(':').unwrap_or(&line[i + 1..]);
                // `a := b` is an assignment, caught before; `a:=b` too.
                if rest.starts_with('=') {
                    return None;
                }
                return Some((targets, rest));
            }
            _ => {}
        }
    }
    None
}

/// `text` with `$(VAR)`, `${VAR}` and `$V` replaced by the file's values (recursively,
/// bounded), `$$` by `$`, and variables the file does not set by `${VAR}` for the shell.
/// Function calls (`$(shell …)`, `$(wildcard …)`) stay as written.
#[must_use]
pub fn expand(text: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    expand_into(text, vars, 0, &mut out);
    if out.len() > MAX_LINE {
        let mut cut = MAX_LINE;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    out
}

fn expand_into(text: &str, vars: &HashMap<String, String>, depth: usize, out: &mut String) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if out.len() > MAX_LINE {
            return;
        }
        if bytes[i] != b'$' || i + 1 >= bytes.len() {
            let next = text[i..].find('$').map_or(text.len(), |k| i + k.max(1));
            out.push_str(&text[i..next]);
            i = next;
            continue;
        }
        let c = bytes[i + 1];
        match c {
            b'$' => {
                out.push('$');
                i += 2;
            }
            b'(' | b'{' => {
                let close = if c == b'(' { b')' } else { b'}' };
                // The matching close, counting nested opens of the same kind.
                let mut d = 0usize;
                let mut j = i + 1;
                let mut end = None;
                while j < bytes.len() {
                    if bytes[j] == c {
                        d += 1;
                    } else if bytes[j] == close {
                        d -= 1;
                        if d == 0 {
                            end = Some(j);
                            break;
                        }
                    }
                    j += 1;
                }
                let Some(end) = end else {
                    out.push_str(&text[i..]);
                    return;
                };
                let inner = &text[i + 2..end];
                let name = inner.trim();
                if name.contains(char::is_whitespace) || name.contains(',') {
                    // A function call: as written.
                    out.push_str(&text[i..=end]);
                } else {
                    reference(name, vars, depth, out);
                }
                i = end + 1;
            }
            _ => {
                // `$V`: a one-character variable (`$@`, `$<` stay for the shell).
                let ch = text[i + 1..].chars().next().unwrap_or('$');
                if ch.is_ascii_alphanumeric() || ch == '_' {
                    reference(&ch.to_string(), vars, depth, out);
                } else {
                    out.push('$');
                    out.push(ch);
                }
                i += 1 + ch.len_utf8();
            }
        }
    }
}

fn reference(name: &str, vars: &HashMap<String, String>, depth: usize, out: &mut String) {
    match vars.get(name) {
        Some(v) if depth < MAX_DEPTH => expand_into(v, vars, depth + 1, out),
        Some(_) => {}
        None if name == "MAKE" => out.push_str("make"),
        None => {
            out.push_str("${");
            out.push_str(name);
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# Build it\nGO ?= go\nPKGS := ./...\nVERSION = 1.2\nGOFLAGS += -trimpath\n\n.PHONY: all test lint\n\nall: build\n\nbuild: deps\n\t@$(GO) build $(GOFLAGS) -o bin/x $(PKGS)\n\ndeps:\n\tcurl -fsSL https://example.com/tool-$(VERSION).tgz \\\n\t  | tar -xz\n\ntest: build ## run the tests\n\t-$(GO) test $(PKGS)\n\techo $$HOME ${UNSET} $@\n\t$(MAKE) -C docs html\n\nlint: ; golangci-lint run\n\ninclude common.mk $(EXTRA)\nifeq ($(CI),true)\nci: test\nendif\ndefine HELP\nnot: a rule\nendef\nimage: VERSION = 2\n";

    #[test]
    fn rules_recipes_and_variables() {
        let m = parse(TEXT);
        assert_eq!(m.default_goal.as_deref(), Some("all"));
        let targets: Vec<&str> = m
            .rules
            .iter()
            .flat_map(|r| &r.targets)
            .map(String::as_str)
            .collect();
        assert_eq!(
            targets,
            [".PHONY", "all", "build", "deps", "test", "lint", "ci"]
        );
        let test = m
            .rules
            .iter()
            .find(|r| r.targets == ["test"])
            .expect("test");
        assert_eq!(test.prerequisites, ["build"]);
        let lines: Vec<&str> = test.recipe.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            lines,
            [
                "go test ./...",
                "echo $HOME ${UNSET} $@",
                "make -C docs html"
            ]
        );
        // Spans are the command text in the file, after the prefixes.
        assert_eq!(
            &TEXT[test.recipe[0].span.start()..test.recipe[0].span.end()],
            "$(GO) test $(PKGS)"
        );
        let deps = m
            .rules
            .iter()
            .find(|r| r.targets == ["deps"])
            .expect("deps");
        assert_eq!(deps.recipe.len(), 1);
        assert!(
            deps.recipe[0]
                .text
                .starts_with("curl -fsSL https://example.com/tool-1.2.tgz"),
            "{:?}",
            deps.recipe[0].text
        );
        assert!(deps.recipe[0].text.contains("| tar -xz"));
        let build = m
            .rules
            .iter()
            .find(|r| r.targets == ["build"])
            .expect("build");
        assert_eq!(build.recipe[0].text, "go build -trimpath -o bin/x ./...");
        let lint = m
            .rules
            .iter()
            .find(|r| r.targets == ["lint"])
            .expect("lint");
        assert_eq!(lint.recipe[0].text, "golangci-lint run");
        assert_eq!(
            m.includes
                .iter()
                .map(|(_, f)| f.as_str())
                .collect::<Vec<_>>(),
            ["common.mk", "${EXTRA}"]
        );
    }

    #[test]
    fn a_goal_runs_its_prerequisites_first() {
        let m = parse(TEXT);
        let order: Vec<&str> = m
            .recipe_rules("test")
            .iter()
            .map(|r| r.targets[0].as_str())
            .collect();
        assert_eq!(order, ["deps", "build", "test"]);
        assert!(m.recipe_rules("nothing").is_empty());
        assert!(m.has_target("ci") && !m.has_target("HELP"));
    }

    #[test]
    fn cycles_and_self_references_are_bounded() {
        let m = parse("a: b\n\techo a\nb: a\n\techo b\nX = $(X)$(X)\nc:\n\techo $(X)\n");
        assert_eq!(m.recipe_rules("a").len(), 2);
        let c = &m.rules[2].recipe[0].text;
        assert!(c.len() <= MAX_LINE + 16, "{}", c.len());
        let many = "t:\n".to_owned() + &"\techo x\n".repeat(1000);
        assert_eq!(parse(&many).rules[0].recipe.len(), 1000);
    }

    #[test]
    fn odd_input_is_skipped_not_fatal() {
        for text in [
            "",
            "\t\t\n",
            ":\n",
            "$(\n",
            "a: $(\n\techo\n",
            "\u{0}\u{1}",
            "x:=y\ny::=z\n",
            "C:\\x: y\n",
        ] {
            let _ = parse(text);
        }
    }
}

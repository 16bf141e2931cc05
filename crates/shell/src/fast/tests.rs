use super::*;

fn parser() -> tree_sitter::Parser {
    let mut p = tree_sitter::Parser::new();
    p.set_language(&tree_sitter_bash::LANGUAGE.into())
        .expect("grammar");
    p
}

#[test]
fn builds_tree_sitters_tree_for_plain_statements() {
    let mut p = parser();
    for script in [
        "echo hi there",
        "\n\n  echo hi # greet\n\n",
        "a=1 b=x cmd -v --x=1 \"s\" 'r' 5 -1 10#5 ~/x *.txt a,b a#b \\$x x\\ y",
        "# c\nfoo | bar && baz || qux; z",
        "a &&\n  b # c",
        "a | \\\n  b",
        "echo \"a $B-${C} d\" \"$B x\" $E ${F}x/y \"$G\" pre\"$H\"post \"$@\" $1 $?",
        "echo x >> \"$GITHUB_ENV\" 2>&1 >/dev/null < in",
        "a > f | b 2>/dev/null",
        "a > f && b",
        "a | b > f && c",
        "a && b > f || c",
        "a && b | c > f",
        "cmd a \\\n  b # trailing",
        "a=1",
        "a=",
        "a=\"x\" b",
        "cd ..;",
        "echo x$a $a-x --opt=$A 'a'\"b\" pre\"$H\"post",
        "echo \"x\\\"y\" \"\" ''",
        "curl -fsSL https://x.io/a.sh | sudo bash -s -- --yes",
        "echo \"v=$_xxxxxxxxxxx\" >> $GITHUB_OUTPUT",
        // Command substitutions: statements inside `$( … )`, in words, strings,
        // assignments and command names.
        "X=$(git rev-parse HEAD)",
        "echo \"v=$(cat f | tr a b)\" >> $GITHUB_OUTPUT",
        "$(which python) -m pip install x",
        "echo $(date)x a$(date) \"$(a; b)\" \"x $(a) y\"",
        "x=$( a\n  b && c )",
        "echo \"$(echo \"$(date)\")\"",
        &format!("{}x{}", "echo $(".repeat(16), ")".repeat(16)),
        // Words that start with digits: a number when the whole word is one.
        "uv run --python 3.12 x 0x1F5 1.5 -3.13 1G 0755 0x1 -0x1 10#5 0x1#z",
        // `${NAME…}` with an operator and a plain operand.
        "echo ${A:-x} \"${B:-x.y}\" ${C#v} ${D%.*} ${E##*/} ${F%%-*} ${G,,} ${H^^} ${I-x}",
        "echo ${A:=x} ${B:+x} ${C:-} x/${D#refs/*/}/y \"v=${V#v}\"",
    ] {
        match check_masked(&mut p, script) {
            Some(Ok(())) => {}
            Some(Err(e)) => panic!("{script:?}: {e}"),
            None => panic!("{script:?} declined"),
        }
    }
}

#[test]
fn leaves_the_rest_to_tree_sitter() {
    for script in [
        // Forms it does not build.
        "if true; then echo; fi",
        "echo $((1 + 2))",
        "echo $(a # c\n)",
        "echo $()",
        "echo $(a;)",
        "echo $(a) $(b",
        "echo $(date)$(date)",
        "echo ${A:-gh-pages} ${A:-1} ${A:-$B} ${A/x/y} ${#A} ${A:0:7}",
        &format!("{}x{}", "echo $(".repeat(17), ")".repeat(17)),
        "echo a)",
        "echo `date`",
        "cat <<EOF\nx\nEOF",
        "x &",
        "a=1 b=2",
        "export A=1",
        "echo {a,b}",
        "echo \"x\ny\"",
        "[ -f a ] && echo",
        "f() { echo; }",
        "echo a\\\nb",
        // tree-sitter's own splitting of these words is not modelled.
        "cp target/$TARGET/$PROFILE/uv .",
        "echo $a-$b",
        "echo 'a'\"b\"$C",
        "echo \"$A ${B}\"",
        "echo 1#",
        "echo 1.5\"x\"",
        "a | b | c || d",
        "B=1 5\n# c\nC=x",
        "x $(a | b | c > f)",
        "a | b | c\nd\ne || f",
        "a | b | c\n# c\nd && e",
        "a | b | c\nd 2>&1",
        "a@b c",
        "x%y",
        "A=1 a:b",
        // Errors: tree-sitter's recovery is its own.
        "echo 'unterminated",
        "cmd a \\\n",
        "; echo",
        "echo a |",
        "",
        "   \n",
    ] {
        assert!(parse(script).is_none(), "{script:?} accepted");
    }
}

/// Random scripts from the pieces real scripts are made of (words of every kind,
/// operators, newlines, comments, continuations, compound commands): wherever the
/// fast parser builds a tree, tree-sitter's is the same.
#[test]
fn agrees_with_tree_sitter_on_random_scripts() {
    const TOKENS: &[&str] = &[
        "echo",
        "a",
        "-x",
        "--opt=1",
        "5",
        "-1",
        "10#5",
        "1.5",
        "0x1F",
        "0x1",
        "3.12.1",
        "1G",
        "1#",
        "x/y",
        "~/z",
        "*.txt",
        "a#b",
        "\\$x",
        "x\\ y",
        "\"s\"",
        "\"\"",
        "''",
        "'r s'",
        "\"a $B c\"",
        "\"$B\"",
        "\"${B}\"",
        "\"$B ${C}\"",
        "\"a\\\"b\"",
        "$A",
        "${A}",
        "$1",
        "$@",
        "\"$@\"",
        "$?",
        "x$A",
        "$A-x",
        "$A/$B",
        "$A/$B/c",
        "pre\"$H\"post",
        "'a'\"b\"$C",
        "A=1",
        "A=",
        "B=\"x y\"",
        "C+=1",
        "export",
        "local",
        "|",
        "|",
        "||",
        "&&",
        ";",
        "&",
        ">",
        ">>",
        "2>&1",
        "2>",
        "&>",
        "<",
        "<<EOF",
        "<<<",
        "# c",
        "\n",
        "\n",
        "\n",
        " \\\n ",
        "(",
        ")",
        "{",
        "}",
        "$(",
        "`",
        "if",
        "then",
        "fi",
        "for",
        "in",
        "do",
        "done",
        "[",
        "]",
        "[[",
        "]]",
        "!",
        "=",
        "$A\\b",
        "\"x\ny\"",
        "a@b",
        "x%y",
        "a:b",
        "$(a)",
        "$(a b)",
        "\"$(a b)\"",
        "\"v=$(a | b)\"",
        "$(a | b)",
        "$(a && b)",
        "x$(a)",
        "$(a)x",
        "$( a; b )",
        "$(a\nb)",
        "$((1))",
        "${A:-x}",
        "\"${A:-x.y}\"",
        "${A#v}",
        "${A%.*}",
        "${A##*/}",
        "${A%%-*}",
        "${A:-a-b}",
        "${A:-1}",
        "${A,,}",
        "${A^^}",
        "${A-x}",
        "${A:=x}",
        "${A:+x}",
        "${A:-}",
        "${A#refs/*/}",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    agree_on((0..60_000).map(|_| {
        let n = 1 + (next() % 12) as usize;
        let mut script = String::new();
        for k in 0..n {
            let t = TOKENS[(next() % TOKENS.len() as u64) as usize];
            if k > 0 && next() % 4 != 0 {
                script.push(' ');
            }
            script.push_str(t);
        }
        script
    }));
}

/// Checks each script's fast tree against tree-sitter's: panics on the first
/// difference, and unless the fast parser took more than one script in twenty (the
/// test is worth something only then).
fn agree_on(scripts: impl Iterator<Item = String>) {
    let mut p = parser();
    let (mut built, mut tried) = (0, 0);
    for script in scripts {
        tried += 1;
        match check_masked(&mut p, &script) {
            None => {}
            Some(Ok(())) => built += 1,
            Some(Err(e)) => panic!("{script:?}: {e}"),
        }
    }
    assert!(built * 20 > tried, "{built} of {tried}");
}
/// Random scripts shaped like real ones: statements of commands with arguments, joined
/// by pipes and lists, with redirections, and words that hold command substitutions
/// of such statements (two levels deep) alone, in strings and in assignments.
#[test]
fn agrees_with_tree_sitter_on_random_statements() {
    struct Gen(u64);
    impl Gen {
        fn next(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[self.next(from.len())]
        }
        fn word(&mut self, depth: u32, out: &mut String) {
            const PLAIN: &[&str] = &[
                "x",
                "-v",
                "--opt=1",
                "3.12",
                "0x1F",
                "5",
                "a/b",
                "\"s t\"",
                "'r'",
                "$A",
                "${B}",
                "\"$C\"",
                "\"v=$D\"",
                "~/z",
                "*.txt",
                "a@b",
                "1#",
                "x:y",
                "${V#v}",
                "\"${R:-main}\"",
                "${P%%/*}",
                "x/${N:-a.b}/y",
                "${U,,}",
            ];
            match self.next(if depth < 2 { 8 } else { 1 }) {
                0..=3 => out.push_str(self.pick(PLAIN)),
                4 => {
                    out.push_str("$(");
                    self.statement(depth + 1, out);
                    out.push(')');
                }
                5 => {
                    out.push_str(self.pick(&["\"", "\"v=", "\"a "]));
                    out.push_str("$(");
                    self.statement(depth + 1, out);
                    out.push_str(self.pick(&[")\"", ") b\"", ")$E\""]));
                }
                6 => {
                    out.push_str(self.pick(&["x", "a$(", "$(b)"]));
                    out.push_str(self.pick(&["$(c)", "y", "\"z\""]));
                }
                _ => {
                    out.push_str(self.pick(&["$( ", "$(\n", "$("]));
                    self.statement(depth + 1, out);
                    out.push_str(self.pick(&[" )", "\n)", ";)", ")"]));
                }
            }
        }
        fn command(&mut self, depth: u32, out: &mut String) {
            if self.next(4) == 0 {
                out.push_str(self.pick(&["A=", "B=1 ", "C="]));
                self.word(depth, out);
                if self.next(2) == 0 {
                    return;
                }
                out.push(' ');
            }
            out.push_str(self.pick(&["echo", "git", "curl", "a", "./run.sh"]));
            for _ in 0..self.next(4) {
                out.push(' ');
                self.word(depth, out);
            }
            if self.next(5) == 0 {
                out.push_str(self.pick(&[" > f", " >> $GITHUB_OUTPUT", " 2>&1", " <in"]));
            }
        }
        fn statement(&mut self, depth: u32, out: &mut String) {
            self.command(depth, out);
            for _ in 0..self.next(4) {
                out.push_str(self.pick(&[" | ", "|", " && ", " || ", "&&\n ", " |\n "]));
                self.command(depth, out);
            }
        }
    }
    let mut g = Gen(0x2545_F491_4F6C_DD1D);
    agree_on((0..40_000).map(|_| {
        let mut script = String::new();
        for _ in 0..1 + g.next(4) {
            g.statement(0, &mut script);
            script.push_str(g.pick(&["\n", "; ", "\n# c\n", " # c\n"]));
        }
        script
    }));
}

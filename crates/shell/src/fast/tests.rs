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
        // Compound commands, tests and negation.
        "[ -f a ] && echo",
        "if [ -f x ]; then\n  echo a\nelif [[ \"$A\" == \"b\" ]]; then echo b; else\n  echo c\nfi",
        "if ! test -d x; then mkdir x; fi > log",
        "if a\nthen\n  # c\n  b\nelse\n  c\n\n  fi",
        "if a; b; then c; else d; fi",
        "for f in a b \"$c\" $(ls) 1; do echo $f; done",
        "for f in a\ndo\n  x\ndone | sort",
        "while read -r l; do echo \"$l\"; done < f",
        "until [ \"$n\" -ge 5 ]; do n=$(next); done",
        "[ \"$a\" = b ] || [ ! -z \"$b\" ] || [ 1 -eq $c ]",
        "a || { echo \"x\"; exit 1; }",
        "{\n  a\n  b\n} > f",
        "[[ \"$a\" == \"b\" && \"$c\" != \"d\" || -n \"$e\" ]]",
        "[[ -n \"$a\" || -n \"$b\" && -z \"$c\" ]]",
        "export A=\"$(x)\" B=$C D",
        "[[ \"$a\" == refs/tags/* || $b != v4.* ]] && [ $c != x* ] && [[ $d == 'x' ]]",
        "if [[ ! \"$x\" =~ ^[0-9a-f]{40}$ ]] || [[ $y =~ (a|b) ]]; then exit 1; fi",
        "f() {\n  echo $1\n}\nf x",
        "function g {\n  a\n}",
        &format!("{}a{}", "while b; do ".repeat(16), "; done".repeat(16)),
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
        "export -n A",
        "export A=1 > f",
        "export A | b",
        "[[ x = \"a\" || $B != \"c\" ]]",
        "echo {a,b}",
        "echo \"x\ny\"",
        // Compound commands and tests of shapes it does not build.
        "[[ $a =~ v1 ]]",
        "[[ $a =~ ^v$B ]]",
        "[[ $x == *\"..\"* ]]",
        "[[ $x == a:b@c ]]",
        "[ $x == -1 ]",
        "[[ \"${X}\" != true ]]",
        "[ $x != pull_request ]",
        "[[ -n $a && $b =~ ^x ]]",
        "[ a=b = c ]",
        "[ -n $a -a -z $b ]",
        "[[ $a ]]",
        "[ -f x ] > f",
        "[ -f x]",
        "if a; then fi",
        "if a # c\nthen b; fi",
        "for x; do a; done",
        "for x in; do a; done",
        "for x in a # c\ndo b; done",
        "echo $(if a; then b; fi)",
        &format!("{}a{}", "while b; do ".repeat(17), "; done".repeat(17)),
        "! ! a",
        "! a > f",
        "if a; then b; fi x",
        "case $a in x) b;; esac",
        "while a; do b; done &",
        "[[ -z \"$(c)\" ]] | ./run.sh | a <in",
        // Blanks alone before a `$` or a closing quote.
        "echo \" $A\"",
        "echo \"$A \"",
        "tr \" \" x",
        "f () { echo; }",
        "f() { echo; } > log",
        "f()\n{ echo; }",
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
    struct Seed(u64);
    impl Draw for Seed {
        fn state(&mut self) -> &mut u64 {
            &mut self.0
        }
    }
    let mut g = Seed(0x9E37_79B9_7F4A_7C15);
    agree_on((0..60_000).map(|_| {
        let n = 1 + g.next(12);
        let mut script = String::new();
        for k in 0..n {
            let t = g.pick(TOKENS);
            if k > 0 && g.next(4) != 0 {
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
/// The random draws of the script generators (xorshift64, fixed seeds).
trait Draw {
    fn state(&mut self) -> &mut u64;

    /// A number below `n`.
    fn next(&mut self, n: usize) -> usize {
        let s = self.state();
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        (*s % n as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.next(from.len())]
    }

    /// Mostly from `common`, one time in eight from `rare` (forms often left to
    /// tree-sitter), so that most scripts are built and checked.
    fn either<'a>(&mut self, common: &[&'a str], rare: &[&'a str]) -> &'a str {
        if self.next(8) == 0 {
            self.pick(rare)
        } else {
            self.pick(common)
        }
    }
}

/// A random `[ … ]` or `[[ … ]]`: the shapes the fast parser builds, and one piece in
/// eight from those it leaves to tree-sitter.
fn random_test(g: &mut impl Draw, out: &mut String) {
    const OPERANDS: &[&str] = &[
        "x", "\"$A\"", "$A", "${B}", "\"a b\"", "5", "\"$(c)\"", "$(c d)",
    ];
    const ODD: &[&str] = &["-1", "''", "x*", "a=b", "'r'", "!"];
    let double = g.next(2) == 0;
    out.push_str(if double { "[[ " } else { "[ " });
    if g.next(3) == 0 {
        // Patterns and regular expressions on the right.
        out.push_str(g.either(OPERANDS, &["! \"$A\"", "! $A", "!"]));
        if g.next(2) == 0 {
            out.push_str(g.either(&[" == ", " != "], &[" = ", " =~ "]));
            out.push_str(g.either(
                &["refs/tags/*", "v4.*", "*-rc", "x*", "'acc'", "a/*.txt"],
                &[
                    "x[0-9]",
                    "*\"..\"*",
                    "5",
                    "a\\b",
                    "*$A",
                    "?x",
                    "pull_request",
                    "true",
                    "b",
                    "a:b@c",
                ],
            ));
        } else {
            out.push_str(g.either(&[" =~ "], &[" == ", " = "]));
            out.push_str(g.either(
                &["^v[0-9]+", "^[0-9a-f]{40}$", "(a|b)", "^x.*-rc$"],
                &["\\.(md|json)$", "^$A", "a b", "'x'", "[[:space:]]", "x]]"],
            ));
        }
        out.push_str(if double { " ]]" } else { " ]" });
        return;
    }
    match g.next(4) {
        0 => {
            let op = g.either(&["-f ", "-z ", "-n ", "-d ", "-e "], &["-Q ", "-eq "]);
            out.push_str(op);
            out.push_str(g.either(OPERANDS, ODD));
        }
        1 => {
            out.push_str(g.either(&["! -f ", "! -z ", "! -n "], &["! ", "!"]));
            out.push_str(g.either(OPERANDS, ODD));
        }
        2 if g.next(4) == 0 => out.push_str(g.pick(OPERANDS)),
        2 => {
            // Two or three comparisons joined by `&&` and `||`.
            for k in 0..2 + g.next(2) {
                if k > 0 {
                    out.push_str(g.either(&[" && ", " || "], &[" -a ", "&&", " -o "]));
                }
                out.push_str(g.either(OPERANDS, ODD));
                let op = g.either(&[" = ", " != ", " -eq "], &[" == ", " =~ "]);
                out.push_str(op);
                out.push_str(g.pick(OPERANDS));
            }
        }
        _ => {
            out.push_str(g.either(OPERANDS, ODD));
            let op = g.either(
                &[" = ", " == ", " != ", " -eq ", " -ne ", " -lt ", " -ge "],
                &[" =~ ", " -a ", " < ", " = x && y == "],
            );
            out.push_str(op);
            out.push_str(g.either(OPERANDS, ODD));
        }
    }
    out.push_str(if double { " ]]" } else { " ]" });
}

/// Random scripts shaped like real ones: statements of commands with arguments, joined
/// by pipes and lists, with redirections, and words that hold command substitutions
/// of such statements (two levels deep) alone, in strings and in assignments.
#[test]
fn agrees_with_tree_sitter_on_random_statements() {
    struct Gen {
        state: u64,
    }
    impl Draw for Gen {
        fn state(&mut self) -> &mut u64 {
            &mut self.state
        }
    }
    impl Gen {
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
            self.unit(depth, out);
            for _ in 0..self.next(4) {
                out.push_str(self.pick(&[" | ", "|", " && ", " || ", "&&\n ", " |\n "]));
                self.unit(depth, out);
            }
        }
        /// A command, or (outside `$( … )`) a test or a negated command; compound
        /// commands are the other generator's.
        fn unit(&mut self, depth: u32, out: &mut String) {
            if depth > 0 || self.next(2) != 0 {
                return self.command(depth, out);
            }
            match self.next(3) {
                0 | 1 => random_test(self, out),
                _ => {
                    out.push_str("! ");
                    if self.next(2) == 0 {
                        random_test(self, out);
                    } else {
                        self.command(depth, out);
                    }
                }
            }
            if self.next(6) == 0 {
                out.push_str(self.pick(&[" > f", " < in", " 2>&1"]));
            }
        }
    }
    let mut g = Gen {
        state: 0x2545_F491_4F6C_DD1D,
    };
    agree_on((0..40_000).map(|_| {
        let mut script = String::new();
        for _ in 0..1 + g.next(4) {
            g.statement(0, &mut script);
            script.push_str(g.pick(&["\n", "; ", "\n# c\n", " # c\n"]));
        }
        script
    }));
}

/// Random scripts of compound commands with short bodies: `if`/`elif`/`else`, `for`,
/// `while` and `until` nested two deep, tests of every shape (those built and those left
/// to tree-sitter), negation, redirections, pipes and lists after them, and each way
/// of ending a line before a keyword.
#[test]
fn agrees_with_tree_sitter_on_random_compound_commands() {
    struct Gen(u64);
    impl Draw for Gen {
        fn state(&mut self) -> &mut u64 {
            &mut self.0
        }
    }
    impl Gen {
        fn simple(&mut self, out: &mut String) {
            out.push_str(self.pick(&["echo", "a", "git", "exit", "B=1 curl", "n=$(c)"]));
            for _ in 0..self.next(3) {
                out.push(' ');
                let w = self.either(
                    &[
                        "x", "-v", "\"s t\"", "$A", "${B}", "\"$C\"", "7", "$(d e)", "'r'", "a/b",
                    ],
                    &["\" $A\"", "x]", "then", "fi", "done", "{a,b}", "a|b"],
                );
                out.push_str(w);
            }
        }
        /// One statement: a unit, sometimes joined to another by a pipe or a list.
        fn statement(&mut self, nest: u32, out: &mut String) {
            self.unit(nest, out);
            if self.next(4) == 0 {
                out.push_str(self.pick(&[" && ", " || ", " | ", " &&\n  "]));
                self.unit(nest, out);
            }
        }
        fn unit(&mut self, nest: u32, out: &mut String) {
            let kinds = if nest < 2 { 10 } else { 3 };
            match self.next(kinds) {
                0 if self.next(3) == 0 => {
                    out.push_str("export");
                    for _ in 0..self.either(&["1", "2"], &["0", "3"]).len() + self.next(2) {
                        out.push(' ');
                        out.push_str(self.either(
                            &["A=1", "B", "P=\"$HOME/b:$P\"", "C=$(d e)", "D=$E"],
                            &["-n", "$F", "G=(a)", "H+=1", "I=1>f"],
                        ));
                    }
                }
                0 => self.simple(out),
                1 => random_test(self, out),
                2 => {
                    out.push_str("! ");
                    if self.next(2) == 0 {
                        random_test(self, out);
                    } else {
                        self.simple(out);
                    }
                }
                3 | 4 => {
                    out.push_str("if ");
                    self.block(nest, out, true);
                    out.push_str(self.pick(&["then ", "then\n  ", "then\n"]));
                    self.block(nest, out, false);
                    for _ in 0..self.next(3) {
                        out.push_str("elif ");
                        self.block(nest, out, true);
                        out.push_str(self.pick(&["then ", "then\n  "]));
                        self.block(nest, out, false);
                    }
                    if self.next(2) == 0 {
                        out.push_str(self.pick(&["else ", "else\n  ", "else\n\n"]));
                        self.block(nest, out, false);
                    }
                    out.push_str(self.pick(&["fi", "  fi"]));
                }
                5 => {
                    let head = self.either(&["for f in", "for x_1 in"], &["for 1 in", "for f"]);
                    out.push_str(head);
                    for _ in 0..self.next(3) {
                        out.push(' ');
                        out.push_str(self.pick(&["x", "\"$A\"", "$(ls)", "1", "*.txt", "a/b"]));
                    }
                    let end = self.either(
                        &["; do ", ";\ndo\n", "\ndo ", "; do\n  # c\n  "],
                        &[" do ", "; # c\ndo "],
                    );
                    out.push_str(end);
                    self.block(nest, out, false);
                    out.push_str("done");
                }
                8 if self.next(3) == 0 => {
                    let head = self.either(
                        &["f() { ", "f() {\n  ", "function g {\n", "do_it_2() {\n"],
                        &["f () { ", "function g() { ", "f()\n{ ", "f() ( "],
                    );
                    out.push_str(head);
                    self.block(nest, out, false);
                    out.push('}');
                }
                8 | 9 => {
                    out.push_str(self.either(&["{ ", "{\n  "], &["{", "{ }"]));
                    self.block(nest, out, false);
                    out.push('}');
                }
                _ => {
                    out.push_str(self.pick(&["while ", "until "]));
                    self.block(nest, out, true);
                    out.push_str(self.pick(&["do ", "do\n  "]));
                    self.block(nest, out, false);
                    out.push_str("done");
                }
            }
            if self.next(5) == 0 {
                out.push_str(self.pick(&[" > f", " < in", " 2>&1", " >> \"$F\""]));
            }
        }
        /// One or two statements, each with its terminator (the last one's before the
        /// keyword that follows).
        fn block(&mut self, nest: u32, out: &mut String, condition: bool) {
            for _ in 0..1 + self.next(2) {
                self.statement(nest + 1, out);
                let end = if condition {
                    self.either(&["; ", ";", "\n", ";\n", "\n\n"], &[" # c\n", " ; "])
                } else {
                    self.either(
                        &[
                            "; ", "\n", ";\n", "\n\n", " # c\n", "\n  ", ";  \n", "\n# c\n",
                        ],
                        &["", " ;; ", " &\n"],
                    )
                };
                out.push_str(end);
            }
        }
    }
    let mut g = Gen(0x3C6E_F372_FE94_F82B);
    agree_on((0..40_000).map(|_| {
        let mut script = String::new();
        for _ in 0..1 + g.next(3) {
            g.statement(0, &mut script);
            script.push_str(g.pick(&["\n", "; ", "\n# c\n", "\n\n"]));
        }
        script
    }));
}

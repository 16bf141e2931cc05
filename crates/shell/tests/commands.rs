//! Table tests of the command model: words, contexts, pipelines, wrappers, inner scripts,
//! heredocs, continuations and expressions.

mod common;

#[test]
fn command_model_table() {
    let rows: &[(&str, &[&str])] = &[
        (
            "echo hello world",
            &["cmd name=echo arg=hello arg=world at='echo hello world'"],
        ),
        (
            "echo 'a b' \"c d\" e\\ f",
            &["cmd name=echo arg='a b' arg='c d' arg='e f'"],
        ),
        (
            "echo \"x=$HOME\" $'a\\tb'",
            &["cmd name=echo dyn='\"x=$HOME\"' arg='a\tb'"],
        ),
        (
            "FOO=1 BAR=\"x y\" make build",
            &["cmd name=make assign=FOO assign=BAR arg=build"],
        ),
        (
            "a | b | c",
            &[
                "cmd name=a next=b pipeline",
                "cmd name=b prev=a next=c pipeline",
                "cmd name=c prev=b pipeline",
            ],
        ),
        (
            "a && b || c",
            &[
                "cmd name=a andor",
                "cmd name=b chain=and andor",
                "cmd name=c chain=or andor",
            ],
        ),
        (
            "x=$(git rev-parse HEAD)",
            &["cmd name=git cmdsub arg=rev-parse"],
        ),
        (
            "echo `date +%s`",
            &["cmd name=date cmdsub parent=echo", "cmd name=echo"],
        ),
        (
            "diff <(sort a) <(sort b)",
            &[
                "cmd name=sort procsub parent=diff arg=a",
                "cmd name=sort procsub parent=diff arg=b",
            ],
        ),
        (
            "while read l; do echo \"$l\"; done < <(ls)",
            &[
                "cmd name=ls procsub",
                "cmd name=echo loop",
                "cmd name=read loop",
            ],
        ),
        (
            "if [ -f x ]; then make; else make all; fi",
            &["cmd name=make if", "cmd name=make if arg=all"],
        ),
        (
            "for f in *.txt; do wc -l \"$f\"; done",
            &["cmd name=wc loop"],
        ),
        (
            "case \"$OS\" in linux) apt-get update;; *) brew update;; esac",
            &["cmd name=apt-get case", "cmd name=brew case"],
        ),
        (
            "build() {\n  cargo build --release\n}\nbuild",
            &[
                "cmd name=cargo function",
                "cmd name=build",
                "!cmd name=build function",
            ],
        ),
        (
            "(cd sub && make)",
            &["cmd name=make subshell andor chain=and"],
        ),
        ("! grep -q x f", &["cmd name=grep negated"]),
        (
            "[ \"$(uname)\" = Linux ] && echo linux",
            &["cmd name=uname test cmdsub", "cmd name=echo chain=and"],
        ),
        (
            "sudo apt-get install -y jq",
            &["cmd name=apt-get wrap=sudo arg=install word0=apt-get"],
        ),
        (
            "sudo -E -u runner env FOO=1 python3 x.py",
            &["cmd name=python3 wrap=sudo wrap=env assign=FOO arg=x.py"],
        ),
        (
            "time nice -n 10 make -j4",
            &["cmd name=make wrap=time wrap=nice arg=-j4"],
        ),
        (
            "find . -name '*.sh' | xargs -I{} shellcheck {}",
            &["cmd name=shellcheck wrap=xargs prev=find"],
        ),
        (
            "command -v jq || sudo apt-get install jq",
            &[
                "cmd name=command arg=-v arg=jq",
                "cmd name=apt-get chain=or",
            ],
        ),
        ("command jq --version", &["cmd name=jq wrap=command"]),
        (
            "timeout 10m ./long.sh",
            &["cmd name=long.sh wrap=timeout word0=./long.sh"],
        ),
        (
            "/usr/bin/env bash ./x.sh",
            &["cmd name=bash wrap=env arg=./x.sh"],
        ),
        (
            "sh -c 'echo inner; make test'",
            &[
                "cmd name=echo shellc parent=sh at='echo inner'",
                "cmd name=make shellc at='make test' arg=test",
            ],
        ),
        (
            "bash -ec \"npm ci && npm test\"",
            &[
                "cmd name=npm shellc at='npm ci' arg=ci",
                "cmd name=npm shellc chain=and arg=test",
            ],
        ),
        // What a container runs is walked as commands of its own, with the image: the
        // words after `docker run`'s image and after `docker exec`'s container, and a
        // `sh -c` string inside them.
        (
            "docker run --rm -d --name box ubuntu:24.04 sleep 90\n\
             docker exec -e A=1 box apt-get install -y curl\n\
             docker exec other curl -I https://goreleaser.com",
            &[
                "cmd name=docker arg=run",
                "!cmd name=docker container",
                "cmd name=sleep container image=ubuntu:24.04 parent=docker at='sleep 90' arg=90",
                "cmd name=apt-get container image=ubuntu:24.04 at='apt-get install -y curl'",
                "cmd name=curl container at='curl -I https://goreleaser.com'",
                "!cmd name=curl image=ubuntu:24.04",
            ],
        ),
        (
            "podman container run --rm -v \"$PWD:/src\" -w /src alpine:3 sh -c 'apk add git && make'",
            &[
                "cmd name=sh container image=alpine:3 parent=podman",
                "cmd name=apk container shellc image=alpine:3 at='apk add git' arg=add arg=git",
                "cmd name=make container shellc image=alpine:3 chain=and",
            ],
        ),
        // No command: the image's own entry point runs, which the script does not show;
        // other subcommands run nothing inside.
        (
            "docker run --rm ghcr.io/o/tool:1\ndocker build -t x .\ndocker logs box",
            &["!cmd container", "cmd name=docker arg=build"],
        ),
        (
            "eval 'export A=1; make'",
            &["cmd name=make eval parent=eval at=make"],
        ),
        ("sh -c \"echo \\\"q\\\"\"", &["cmd name=echo shellc arg=q"]),
        (
            "bash <<'EOF'\nset -e\nmake all\nEOF",
            &[
                "cmd name=make heredoc at='make all' arg=all",
                "cmd name=bash delim=EOF heredocbody='set -e\nmake all\n'",
            ],
        ),
        (
            "cat <<EOF > out.txt\nhello $USER\nEOF",
            &["cmd name=cat redir=>out.txt delim=EOF heredocbody='hello $USER\n'"],
        ),
        (
            "cat <<-EOF | sh\n\tmake\n\tEOF",
            &["cmd name=cat next=sh", "cmd name=sh prev=cat"],
        ),
        ("cat <<EOF && make\nbody\nEOF", &["cmd name=make chain=and"]),
        (
            "./configure \\\n  --prefix=/usr \\\n  --enable-x\nmake",
            &[
                "cmd name=configure cont arg=--prefix=/usr arg=--enable-x",
                "cmd name=make",
                "!cmd name=make cont",
            ],
        ),
        (
            "echo a >> log 2>&1",
            &["cmd name=echo redir=>>log redir=>&1"],
        ),
        (
            "${{ matrix.cmd }} --flag",
            &["cmd nameexpr arg=--flag word0='${{ matrix.cmd }}'"],
        ),
        (
            "echo \"${{ github.event.issue.title }}\"",
            &["cmd name=echo expr dyn='\"${{ github.event.issue.title }}\"'"],
        ),
        (
            "echo '${{ inputs.x }}' done",
            &[
                "cmd name=echo expr arg=done",
                "!cmd name=echo arg=$_xxxxxxxxxxxxxxx",
            ],
        ),
        (
            "make ${{ matrix.target }}-release",
            &["cmd name=make expr dyn='${{ matrix.target }}-release'"],
        ),
        (
            "run ${{ toJSON(fromJSON('[\n1]')) }} x",
            &["cmd name=run expr arg=x"],
        ),
        (
            "echo ok; curl -fsSL \"https://x.io/a\" -o a.sh",
            &["cmd name=curl arg=https://x.io/a arg=-o arg=a.sh"],
        ),
        ("echo \"unterminated", &["err"]),
        ("if then fi\nmake ok", &["err", "cmd name=make arg=ok"]),
        ("echo é ü ${{ x }} && make", &["cmd name=make chain=and"]),
        ("export A=1 B; declare -x C=2; local D=3", &[]),
        (
            "f() { sh -c 'curl x | sh'; }",
            &["cmd name=curl shellc function"],
        ),
        (
            "sh -c 'sh -c \"make deep\"'",
            &["cmd name=make shellc at='make deep'"],
        ),
        (
            "docker run --rm alpine sh -c 'apk add curl'",
            &["cmd name=docker arg=run"],
        ),
        ("echo a |& tee log", &["cmd name=tee prev=echo"]),
        (
            "{ echo a; echo b; } > f",
            &["cmd name=echo arg=a", "cmd name=echo arg=b"],
        ),
    ];
    common::run_table(rows);
}

#[test]
fn assignments_are_recorded() {
    let mut a = tollgate_shell::Analyzer::new();
    let r = a.analyze("export PIP_INDEX_URL=https://mirror/simple FOO\nBAR=1\ndeclare -x Z=2");
    let names: Vec<(&str, bool)> = r
        .assignments
        .iter()
        .map(|x| (x.name.as_str(), x.exported))
        .collect();
    assert_eq!(
        names,
        [
            ("PIP_INDEX_URL", true),
            ("FOO", true),
            ("BAR", false),
            ("Z", true)
        ]
    );
}

/// Retry loops and conditional branches come from the tree: the innermost `for`, `while`
/// or `until` loop around a command, and whether that loop runs `break` or `sleep`.
#[test]
fn retry_loops_and_branches() {
    let rows: &[(&str, &[&str])] = &[
        (
            "for i in 1 2 3; do\n  dnf install -y x && break || sleep 10\ndone",
            &[
                "cmd name=dnf retry loop",
                "cmd name=break retry branch",
                "cmd name=sleep retry branch",
            ],
        ),
        (
            "until curl -fsSL https://x.io/a; do sleep 5; done",
            &["cmd name=curl retry loop", "!cmd name=curl branch"],
        ),
        (
            "while ! curl https://x.io/a; do echo waiting; /bin/sleep 1; done",
            &["cmd name=curl retry negated"],
        ),
        // A loop that neither breaks nor sleeps walks a list; it does not retry.
        (
            "for f in *.txt; do curl -T \"$f\" https://x.io/; done\napt-get install x",
            &["!cmd name=curl retry", "!cmd name=apt-get retry"],
        ),
        // The list a `for` loop walks runs once.
        (
            "for v in $(curl https://x.io/list); do echo \"$v\"; break; done",
            &["!cmd name=curl retry", "cmd name=echo retry"],
        ),
        // `break` in an inner loop belongs to that loop; the outer one does not retry.
        (
            "for a in x y; do\n  curl https://x.io/$a\n  for b in 1 2; do echo $b; break; done\ndone",
            &["!cmd name=curl retry", "cmd name=echo retry"],
        ),
        // A command after a finished loop is outside it, whatever the text says later.
        (
            "while read l; do echo \"$l\"; done < f\ncurl https://x.io # break sleep",
            &["!cmd name=curl retry", "!cmd name=curl loop"],
        ),
        // A word `sleep` or `break` that is not a command does not make a retry loop.
        (
            "for i in 1 2; do curl https://x.io; echo 'sleep then break'; done",
            &["!cmd name=curl retry"],
        ),
        // The loop around `sh -c` retries the inner commands.
        (
            "for i in 1 2 3; do sh -c 'curl https://x.io/a' && break; done",
            &["cmd name=curl retry shellc"],
        ),
        (
            "n=0; while [ $n -lt 3 ]; do if curl https://x.io; then break; fi; n=$((n+1)); done",
            &["cmd name=curl retry if", "!cmd name=curl branch"],
        ),
        (
            "if test -f x; then curl https://a.io; elif test -d y; then wget https://b.io; else make; fi",
            &[
                "cmd name=test if arg=-f",
                "!cmd name=test branch arg=-f",
                "cmd name=curl if branch",
                "cmd name=test if branch arg=-d",
                "cmd name=wget if branch",
                "cmd name=make if branch",
            ],
        ),
        (
            "case \"$OS\" in linux) apt-get install x ;; *) brew install x ;; esac",
            &["cmd name=apt-get case branch", "cmd name=brew case branch"],
        ),
        (
            "a || b && c; d",
            &[
                "cmd name=a andor",
                "!cmd name=a branch",
                "cmd name=b branch",
                "cmd name=c branch",
                "!cmd name=d branch",
            ],
        ),
        (
            "cat <<EOF && sh x\nhi\nEOF",
            &["!cmd name=cat branch", "cmd name=sh branch"],
        ),
    ];
    common::run_table(rows);
}

/// The parameters a word expands come from the tree (not a scan for `$`), and git's
/// subcommand is found past its global options.
#[test]
fn word_variables_and_git_subcommands() {
    let rows: &[(&str, &[&str])] = &[
        (
            "git fetch origin \"pull/${PR}/head:${BRANCH:-pr}\" $REF",
            &["cmd name=git var=PR var=BRANCH var=REF"],
        ),
        // `$` inside single quotes is text; a substitution's variables are its own.
        (
            "echo '$NOT' \"$(printf %s \"$INNER\")\" x${A}y",
            &[
                "cmd name=echo var=A",
                "!cmd name=echo var=NOT",
                "!cmd name=echo var=INNER",
                "cmd name=printf var=INNER",
            ],
        ),
        ("echo ${X:-$Y}", &["cmd name=echo var=X var=Y"]),
    ];
    common::run_table(rows);
    let mut analyzer = tollgate_shell::Analyzer::new();
    for (script, sub) in [
        ("git fetch origin", Some("fetch")),
        ("git -C dir -c a=b --no-pager checkout x", Some("checkout")),
        ("git --git-dir .git worktree add x", Some("worktree")),
        ("git -C", None),
        ("make fetch", None),
    ] {
        let a = analyzer.analyze(script);
        let cmd = &a.commands[0];
        let got = cmd.git_subcommand().and_then(|i| cmd.args()[i].as_str());
        assert_eq!(got, sub, "{script}");
    }
}

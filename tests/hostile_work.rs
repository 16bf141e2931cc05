//! Bounded work and memory on hostile input, end to end: generated repositories whose
//! shape once made a stage exponential or quadratic (a diamond of composite actions, a
//! huge job id quoted by thousands of findings, tens of thousands of steps, jobs or
//! downloads, a backtracking `GOPRIVATE` glob) finish within a generous wall-time and
//! memory limit. The limits catch a hang or a blow-up, not a slow machine.
//!
//! `TOLLGATE_HOSTILE_DIR=/tmp/h cargo test --test hostile_work -- --ignored write_issue_sizes`
//! writes every case at the size of the issue that reported it, for measuring the
//! release binary with `/usr/bin/time -v`; `TOLLGATE_HOSTILE_BIN=path/to/tollgate` runs the
//! cases against another build.

#![allow(clippy::print_stderr)]

mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Wall time a debug build may take on any case below before it counts as a hang:
/// generous, since CI machines have two cores and may be busy; each case at its size took
/// minutes (or was killed) before its fix.
const LIMIT: Duration = Duration::from_secs(60);
/// Peak resident memory any case below may reach before it counts as a blow-up.
const MEMORY_LIMIT_KB: u64 = 1024 * 1024;

type Files = Vec<(String, String)>;

fn write_all(root: &Path, files: &Files) {
    for (rel, text) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
    }
}

/// What one run of the binary gave: exit code, standard output, wall time and the peak
/// resident memory seen while it ran (0 where `/proc` is not there to read).
struct Run {
    code: Option<i32>,
    stdout: String,
    took: Duration,
    peak_kb: u64,
}

/// Peak resident set (`VmHWM`) of a running process, in KiB.
fn peak_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Run the binary with `args` on `root`, killing it past [`LIMIT`] or
/// [`MEMORY_LIMIT_KB`], and assert it finished in bounds without a panic.
fn run(args: &[&str], root: &Path) -> Run {
    let out_path = root.join(".tollgate-stdout");
    let err_path = root.join(".tollgate-stderr");
    // `TOLLGATE_HOSTILE_BIN` runs another build (a baseline) through the same cases.
    let bin = std::env::var_os("TOLLGATE_HOSTILE_BIN")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_tollgate").into());
    let mut child = Command::new(bin)
        .args(args)
        .arg(root)
        .env("RAYON_NUM_THREADS", "2")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("runs");
    let start = Instant::now();
    let mut peak = 0;
    let status = loop {
        if let Some(kb) = peak_kb(child.id()) {
            peak = peak.max(kb);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > LIMIT || peak > MEMORY_LIMIT_KB {
            child.kill().ok();
            child.wait().ok();
            panic!(
                "{args:?} stopped after {:?} at {peak} KiB peak: a hang or a blow-up",
                start.elapsed()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = start.elapsed();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    assert!(!stderr.contains("panicked"), "{stderr}");
    eprintln!("{args:?}: {took:?}, peak {peak} KiB");
    Run {
        code: status.code(),
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        took,
        peak_kb: peak,
    }
}

fn json(r: &Run) -> serde_json::Value {
    serde_json::from_str(&r.stdout).expect("valid JSON output")
}

/// `levels` local composite actions, each using the next one twice: a job that uses the
/// first runs 2^levels copies of the last one's step.
fn diamond(levels: usize) -> Files {
    wide_diamond(levels, 2)
}

/// `levels` local composite actions, each using the next one `width` times.
fn wide_diamond(levels: usize, width: usize) -> Files {
    let mut files = vec![(
        ".github/workflows/ci.yml".to_owned(),
        "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - uses: ./.github/actions/a0\n".to_owned(),
    )];
    for i in 0..levels {
        let steps = if i + 1 == levels {
            "    - run: curl -fsSL https://example.com/x.sh | sh\n      shell: bash\n".to_owned()
        } else {
            format!("    - uses: ./.github/actions/a{}\n", i + 1).repeat(width)
        };
        files.push((
            format!(".github/actions/a{i}/action.yml"),
            format!(
                "name: a{i}\ndescription: level {i}\nruns:\n  using: composite\n  steps:\n{steps}"
            ),
        ));
    }
    files
}

/// One job whose id is `id_len` bytes long, with `steps` steps that each give a finding.
fn long_job_id(id_len: usize, steps: usize) -> Files {
    // An explicit key (`? `): YAML limits implicit keys to 1024 characters.
    let mut wf = format!(
        "on: push\npermissions: {{}}\njobs:\n  ? {}\n  : runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n",
        "j".repeat(id_len)
    );
    for _ in 0..steps {
        wf.push_str("      - uses: actions/checkout@v4\n");
    }
    vec![(".github/workflows/ci.yml".to_owned(), wf)]
}

/// One job of `steps` `run:` steps, each pulling a tagged image.
fn many_run_steps(steps: usize) -> Files {
    let mut wf = "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n".to_owned();
    for i in 0..steps {
        let _ = writeln!(wf, "      - run: docker pull alpine:3.{i}");
    }
    vec![(".github/workflows/ci.yml".to_owned(), wf)]
}

/// One workflow of `jobs` jobs, each holding a write scope it does not need.
fn many_jobs(jobs: usize) -> Files {
    let mut wf = "on: push\njobs:\n".to_owned();
    for i in 0..jobs {
        // Flow style keeps 100,000 jobs under the 8 MiB workflow limit.
        let _ = writeln!(
            wf,
            "  j{i}: {{runs-on: x, permissions: {{contents: write}}, steps: [{{run: echo}}]}}"
        );
    }
    vec![(".github/workflows/ci.yml".to_owned(), wf)]
}

/// A `pull_request_target` workflow of `jobs` jobs, each needing every earlier one, with
/// a condition that neither excludes the event nor guards it; the last job checks out
/// the pull request's head. Whether a job runs, and under which guard, depends on every
/// job it needs: followed without memory, that is exponential in the depth.
fn needs_lattice(jobs: usize) -> Files {
    let mut wf = "on: pull_request_target\njobs:\n".to_owned();
    for i in 0..jobs {
        let needs: Vec<String> = (0..i).map(|k| format!("j{k}")).collect();
        let _ = writeln!(
            wf,
            "  j{i}:\n    runs-on: x\n    needs: [{}]\n    if: github.event_name != 'push'\n    steps:\n      - run: echo",
            needs.join(", ")
        );
    }
    let last = jobs.saturating_sub(1);
    let _ = writeln!(
        wf,
        "  checkout:\n    runs-on: x\n    needs: [j{last}]\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{{{ github.event.pull_request.head.sha }}}}"
    );
    vec![(".github/workflows/ci.yml".to_owned(), wf)]
}

/// Scripts that run each other `calls` times per level, `levels` deep, the last one
/// running itself, and a Makefile goal with as many calls of itself through `$(MAKE)`:
/// followed naively, every call at every level is `calls^levels` readings.
fn follow_fan_out(levels: usize, calls: usize) -> Files {
    let mut files: Files = vec![(
        ".github/workflows/ci.yml".to_owned(),
        "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - run: ./s0.sh\n      - run: make loop\n".to_owned(),
    )];
    for l in 0..levels {
        let next = if l + 1 < levels { l + 1 } else { l };
        let mut s = format!("curl -fsSLO https://level{l}.example.com/x\n");
        for _ in 0..calls {
            let _ = writeln!(s, "./s{next}.sh");
        }
        files.push((format!("s{l}.sh"), s));
    }
    let mut mk = "loop:\n".to_owned();
    for _ in 0..calls {
        mk.push_str("\t$(MAKE) loop\n");
    }
    files.push(("Makefile".to_owned(), mk));
    files
}

/// One `run:` script of `lines` downloads.
fn many_downloads(lines: usize) -> Files {
    let mut wf = "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - run: |\n".to_owned();
    for i in 0..lines {
        let _ = writeln!(
            wf,
            "          curl -fsSLo f{i} https://example.com/f{i}.tar.gz"
        );
    }
    vec![(".github/workflows/ci.yml".to_owned(), wf)]
}

/// A `GOPRIVATE` pattern of `stars` `*a` pairs that never matches, and a `go.sum` whose
/// module path is `module_len` `a`s: a backtracking matcher tries every split.
fn goprivate(stars: usize, module_len: usize) -> Files {
    let pattern = format!("{}b", "*a".repeat(stars));
    let module = "a".repeat(module_len);
    vec![
        (
            ".github/workflows/ci.yml".to_owned(),
            format!(
                "on: push\npermissions: {{}}\nenv:\n  GOPRIVATE: '{pattern}'\njobs:\n  build:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - run: go mod download\n"
            ),
        ),
        (
            "go.mod".to_owned(),
            format!("module example.com/m\n\ngo 1.22\n\nrequire {module} v1.0.0\n"),
        ),
        (
            "go.sum".to_owned(),
            format!("{module} v1.0.0 h1:abc=\n{module} v1.0.0/go.mod h1:def=\n"),
        ),
    ]
}

/// A `pull_request_target` step whose script passes an outsider's text down a chain of
/// `vars` script variables, writing each to `$GITHUB_ENV`: the words of a finding once
/// named every variable of the chain, quadratic in its length.
fn chained_variables(vars: usize) -> Files {
    let mut wf = "on: pull_request_target\npermissions: {}\njobs:\n  t:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - env:\n          BODY: ${{ github.event.pull_request.body }}\n        run: |\n          v0=$BODY\n".to_owned();
    for i in 1..vars {
        let _ = writeln!(wf, "          v{i}=$v{}", i - 1);
        let _ = writeln!(wf, "          echo \"V{i}=$v{i}\" >> \"$GITHUB_ENV\"");
    }
    vec![(".github/workflows/ci.yml".to_owned(), wf)]
}

/// Every case at the size of the issue that reported it.
fn issue_sizes() -> Vec<(&'static str, Files)> {
    vec![
        ("diamond-22", diamond(22)),
        ("diamond-40", diamond(40)),
        ("job-id-1mb-6000-steps", long_job_id(1 << 20, 6000)),
        ("run-steps-20000", many_run_steps(20_000)),
        ("jobs-100000", many_jobs(100_000)),
        ("jobs-80000", many_jobs(80_000)),
        ("curl-16000", many_downloads(16_000)),
        ("goprivate", goprivate(13, 4000)),
        ("needs-lattice-200", needs_lattice(200)),
        ("follow-fan-out", follow_fan_out(6, 2000)),
    ]
}

#[test]
#[ignore = "writes the issue-size inputs for measuring the release binary"]
fn write_issue_sizes() {
    let Some(dir) = std::env::var_os("TOLLGATE_HOSTILE_DIR") else {
        eprintln!("skipped: TOLLGATE_HOSTILE_DIR is not set");
        return;
    };
    for (name, files) in issue_sizes() {
        write_all(&Path::new(&dir).join(name), &files);
    }
}

/// Write `files` into a fresh directory and run the binary on it.
fn run_on(files: &Files, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    write_all(dir.path(), files);
    run(args, dir.path())
}

#[test]
fn diamond_of_composite_actions_is_flattened_once_and_depth_bounded() {
    // 2^40 paths through the actions; each action is followed once per job.
    let r = run_on(&diamond(40), &["check", "--format", "json"]);
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    let doc = json(&r);
    let limits: Vec<&serde_json::Value> = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "limit")
        .collect();
    assert_eq!(limits.len(), 1, "{limits:#?}");
    assert_eq!(limits[0]["path"], ".github/workflows/ci.yml");
    assert_eq!(limits[0]["location"]["line"], 8);
    assert!(
        limits[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("more than 10 levels")),
        "{limits:#?}"
    );
    // The leaf action's `curl | sh` is still reported, once, in its own file.
    let leaf: Vec<&serde_json::Value> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "remote-script-execution")
        .collect();
    assert_eq!(leaf.len(), 1, "{leaf:#?}");
    assert_eq!(
        leaf[0]["location"]["path"],
        ".github/actions/a39/action.yml"
    );
}

#[test]
fn shallow_diamond_gives_no_depth_diagnostic() {
    let r = run_on(&diamond(10), &["check", "--format", "json"]);
    let doc = json(&r);
    let limits = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "limit")
        .count();
    assert_eq!(limits, 0, "{}", r.stdout);
}

#[test]
fn long_job_id_is_shared_by_every_finding() {
    // 1 MiB job id, 1,000 findings: one copy per finding was a gigabyte.
    let r = run_on(
        &long_job_id(1 << 20, 1000),
        &["check", "--format", "human", "--select", "unpinned-action"],
    );
    assert_eq!(r.code, Some(1));
    // Identical findings are one entry with every other place.
    assert!(r.stdout.contains("actions/checkout@v4"));
    assert!(
        r.stdout.contains("999 more places alike"),
        "{}",
        r.stdout.len()
    );
    assert!(
        r.peak_kb == 0 || r.peak_kb < 512 * 1024,
        "{} KiB",
        r.peak_kb
    );
}

#[test]
fn thousands_of_run_steps_are_checked_in_one_pass() {
    let r = run_on(
        &many_run_steps(12_000),
        &["check", "--format", "json", "--select", "unpinned-image"],
    );
    assert_eq!(r.code, Some(1));
    assert_eq!(json(&r)["findings"].as_array().map(Vec::len), Some(12_000));
}

#[test]
fn image_built_by_an_earlier_step_is_not_reported() {
    // The single pass still carries what earlier steps built.
    let files = vec![(
        ".github/workflows/ci.yml".to_owned(),
        "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - run: docker build -t app:1 .\n      - run: docker run app:1\n      - run: docker run other:2\n      - run: make docker-image\n      - run: docker run third:3\n".to_owned(),
    )];
    let r = run_on(
        &files,
        &["check", "--format", "json", "--select", "unpinned-image"],
    );
    let doc = json(&r);
    let found: Vec<(u64, String, String)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["location"]["line"].as_u64().unwrap_or(0),
                f["message"].as_str().unwrap_or("").to_owned(),
                f["confidence"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].0, 10);
    assert_eq!(found[0].2, "high");
    assert_eq!(found[1].0, 12);
    assert_eq!(found[1].2, "low");
    assert!(found[1].1.contains("image build script"), "{found:#?}");
}

#[test]
fn tens_of_thousands_of_jobs_are_indexed_once() {
    let files = many_jobs(20_000);
    let r = run_on(
        &files,
        &[
            "check",
            "--format",
            "json",
            "--select",
            "broad-permissions",
            "--fail-level",
            "warning",
        ],
    );
    assert_eq!(r.code, Some(1));
    assert_eq!(json(&r)["findings"].as_array().map(Vec::len), Some(20_000));
    let r = run_on(&files, &["graph", "--format", "json"]);
    let doc = json(&r);
    // Every workflow → job edge keeps the location of its job.
    let located = doc["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter(|e| e["kind"] == "contains" && e["from"] == 0 && e["location"].is_object())
        .count();
    assert!(located >= 20_000, "{located}");
}

#[test]
fn script_of_thousands_of_downloads_is_indexed_once() {
    let r = run_on(&many_downloads(16_000), &["inventory", "--format", "json"]);
    assert!(matches!(r.code, Some(0 | 1)), "{:?}", r.code);
    assert!(r.took < LIMIT);
}

#[test]
fn backtracking_goprivate_pattern_is_matched_in_linear_time() {
    let files = goprivate(13, 4000);
    let r = run_on(&files, &["check", "--format", "json"]);
    assert!(matches!(r.code, Some(0 | 1)));
    let r = run_on(&files, &["egress"]);
    assert_eq!(r.code, Some(0));
    // The module does not match the pattern, so it comes from the proxy.
    assert!(r.stdout.contains("proxy.golang.org"), "{}", r.stdout);
}

#[test]
fn messages_quote_a_long_job_id_cut_short() {
    let id = "j".repeat(1 << 20);
    let files = vec![(
        ".github/workflows/ci.yml".to_owned(),
        format!(
            "on: push\njobs:\n  ? {id}\n  : runs-on: ubuntu-latest\n    permissions:\n      contents: write\n    steps:\n      - run: echo\n"
        ),
    )];
    let r = run_on(
        &files,
        &["check", "--format", "json", "--select", "broad-permissions"],
    );
    let doc = json(&r);
    let findings = doc["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    for f in findings {
        for field in ["message", "help"] {
            let text = f[field].as_str().unwrap_or("");
            assert!(text.len() < 2000, "{field}: {} bytes", text.len());
        }
        assert!(
            f["message"].as_str().is_some_and(|m| m.contains("j…`")),
            "{}",
            f["message"]
        );
    }
}

#[test]
fn wide_diamond_of_composite_actions_is_bounded_in_every_rule() {
    // 10^11 paths; the permission needs of the job follow a bounded number of them.
    let mut files = wide_diamond(12, 10);
    // No block: the job runs with the default token, and the finding names what the
    // bound left unjudged.
    files[0].1 = files[0].1.replace("permissions: {}\n", "");
    let r = run_on(&files, &["check", "--format", "json"]);
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    let doc = json(&r);
    let broad: Vec<&serde_json::Value> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "broad-permissions")
        .collect();
    assert_eq!(broad.len(), 1, "{broad:#?}");
    // Past the bound the needs are not known, and the finding says so.
    assert!(
        broad[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("needs not known for `./.github/actions/a")),
        "{}",
        broad[0]["message"]
    );
}

#[test]
fn conditions_of_a_lattice_of_needed_jobs_are_worked_out_once_per_job() {
    let r = run_on(
        &needs_lattice(200),
        &["check", "--format", "json", "--select", "dangerous-trigger"],
    );
    let doc = json(&r);
    let findings = doc["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    // No job guards the checkout, and none keeps it out of the privileged run.
    assert_eq!(findings[0]["confidence"], "high");
}

#[test]
fn files_run_by_files_are_each_followed_once_per_job() {
    // 2000 calls per level, 6 levels deep, the last script calling itself: each file is
    // read and followed once; the chain stops at the depth bound and says so.
    let r = run_on(&follow_fan_out(6, 2000), &["egress", "--format", "json"]);
    assert_eq!(r.code, Some(0), "{}", r.stdout);
    let doc = json(&r);
    let job = &doc["jobs"][0];
    let hosts: Vec<&str> = job["destinations"]
        .as_array()
        .expect("destinations")
        .iter()
        .filter_map(|d| d["host"].as_str())
        .collect();
    // Four files deep from the step: levels 0 to 3.
    for l in 0..4 {
        let h = format!("level{l}.example.com");
        assert!(hosts.contains(&h.as_str()), "{h}: {hosts:?}");
    }
    assert!(!hosts.contains(&"level4.example.com"), "{hosts:?}");
    let unresolved = job["unresolved"].as_array().expect("unresolved");
    assert!(
        unresolved.iter().any(|u| u["text"]
            .as_str()
            .is_some_and(|t| t.contains("followed 4 deep"))),
        "{unresolved:#?}"
    );
}

#[test]
fn a_chain_of_script_variables_is_followed_in_bounded_work() {
    let r = run_on(
        &chained_variables(4000),
        &[
            "check",
            "--format",
            "json",
            "--select",
            "github-env-injection",
        ],
    );
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    let doc = json(&r);
    let findings = doc["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 3999);
    // A message names the last variable and the value, not the chain between.
    let longest = findings
        .iter()
        .map(|f| f["message"].as_str().unwrap_or("").len())
        .max()
        .unwrap_or(0);
    assert!(longest < 600, "{longest}");
}

/// `jobs` `pull_request_target` jobs that check out the head and write a cache each, and
/// `jobs` release jobs that restore and publish: every writer against every restorer.
fn many_caches(jobs: usize) -> Files {
    let mut pr = "on: pull_request_target\npermissions: {}\njobs:\n".to_owned();
    let mut rel = "on: push\npermissions: {contents: read}\njobs:\n".to_owned();
    for i in 0..jobs {
        pr.push_str(&format!(
            "  t{i}: {{runs-on: ubuntu-latest, timeout-minutes: 5, steps: [{{uses: actions/checkout@v4, with: {{ref: '${{{{ github.event.pull_request.head.sha }}}}'}}}}, {{uses: actions/cache@v4, with: {{path: x, key: 'k-{i}-${{{{ hashFiles(\"a\") }}}}'}}}}]}}\n"
        ));
        rel.push_str(&format!(
            "  r{i}: {{runs-on: ubuntu-latest, timeout-minutes: 5, permissions: {{contents: write}}, steps: [{{uses: actions/cache@v4, with: {{path: x, key: 'z-{i}', restore-keys: 'z-'}}}}, {{run: npm publish}}]}}\n"
        ));
    }
    vec![
        (".github/workflows/pr.yml".to_owned(), pr),
        (".github/workflows/rel.yml".to_owned(), rel),
    ]
}

#[test]
fn thousands_of_cache_writers_and_restorers_are_not_paired_one_by_one() {
    // Comparing every writer's key with every restorer's took 3 minutes here.
    let r = run_on(
        &many_caches(3_000),
        &[
            "check",
            "--format",
            "json",
            "--select",
            "cache-poisoning",
            "--fail-level",
            "warning",
        ],
    );
    assert_eq!(r.code, Some(1));
    // Each writer alone (its `k-` key meets no release's), and each release restoring
    // what another release job writes under `z-`.
    assert_eq!(json(&r)["findings"].as_array().map(Vec::len), Some(6_000));
    assert!(r.took < LIMIT);
}

//! The bodies of the fuzz targets, in a library so each target is one line and the same
//! checks run when a crashing input is replayed (`cargo fuzz run <target> <file>`).
//!
//! Beyond "does not panic", every target checks the invariants the outputs rely on: every
//! span a front end reports lies inside the text it is a span of, so `&text[span]` and the
//! line/column conversion can never be fed an out-of-range offset.

use std::cell::RefCell;
use std::path::PathBuf;

use tollgate_model::{FileKind, SourceFile, Span};
use tollgate_shell::Analyzer;

thread_local! {
    /// One tree-sitter parser for the whole fuzzing session: creating one per input would
    /// dominate the run time.
    static ANALYZER: RefCell<Analyzer> = RefCell::new(Analyzer::new());
}

/// Fuzz inputs are bytes; the front ends take text (the reader rejects anything else).
fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

#[track_caller]
fn in_bounds(span: Span, len: usize, what: &str) {
    assert!(
        span.start <= span.end && span.end <= len,
        "{what}: span {span:?} outside text of {len} bytes"
    );
}

/// The spanned YAML tree.
pub fn yaml(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let file = SourceFile::new("f.yml", "f.yml", t);
    match tollgate_yaml::parse(&file, tollgate_yaml::Limits::default()) {
        Ok((docs, warnings)) => {
            let mut todo: Vec<&tollgate_yaml::Node> = docs.iter().collect();
            while let Some(n) = todo.pop() {
                in_bounds(n.span, t.len(), "node");
                if let Some(a) = n.alias {
                    in_bounds(a, t.len(), "alias");
                }
                match &n.kind {
                    tollgate_yaml::NodeKind::Scalar(_) => {}
                    tollgate_yaml::NodeKind::Seq(v) => todo.extend(v),
                    tollgate_yaml::NodeKind::Map(v) => {
                        todo.extend(v.iter().flat_map(|(k, v)| [k, v]))
                    }
                }
            }
            for w in warnings {
                in_bounds(w.span, t.len(), "warning");
            }
        }
        Err(e) => in_bounds(e.span(), t.len(), "error"),
    }
}

fn diagnostics_in_bounds(file: &SourceFile, diags: &[tollgate_model::Diagnostic]) {
    for d in diags {
        if let Some(l) = &d.location {
            in_bounds(l.span, file.text().len(), "diagnostic");
        }
    }
}

fn steps_in_bounds(file: &SourceFile, steps: &[tollgate_gha::Step]) {
    let len = file.text().len();
    for step in steps {
        in_bounds(step.span, len, "step");
        if let Some(u) = &step.uses_text {
            in_bounds(u.span, len, "uses");
        }
        for kv in &step.with {
            in_bounds(kv.key.span, len, "with key");
            in_bounds(kv.value.span, len, "with value");
        }
        let Some(run) = &step.run else { continue };
        in_bounds(run.span, len, "run");
        let analysis = ANALYZER.with(|a| a.borrow_mut().analyze(&run.script));
        let script_len = run.script.len();
        for c in &analysis.commands {
            in_bounds(c.span, script_len, "command");
            in_bounds(run.file_span(c.span), len, "command in file");
        }
        for f in &analysis.facts {
            in_bounds(f.span(), script_len, "fact");
            let mapped = run.file_span(f.span());
            in_bounds(mapped, len, "fact in file");
            let _ = file.location(mapped);
        }
    }
}

/// The GitHub Actions front end; the first byte picks the file kind.
pub fn gha(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Some(t) = text(rest) else { return };
    let file = SourceFile::new(".github/workflows/f.yml", "f.yml", t);
    match which % 4 {
        0 => {
            let (wf, diags) = tollgate_gha::parse_workflow(&file);
            diagnostics_in_bounds(&file, &diags);
            if let Some(wf) = wf {
                for job in &wf.jobs {
                    steps_in_bounds(&file, &job.steps);
                    for step in &job.steps {
                        let _ = wf.effective_shell(job, step);
                        let _ = step.label();
                    }
                }
            }
        }
        1 => {
            let (action, diags) = tollgate_gha::parse_action(&file);
            diagnostics_in_bounds(&file, &diags);
            if let Some(a) = action {
                steps_in_bounds(&file, a.steps());
            }
        }
        2 => diagnostics_in_bounds(&file, &tollgate_gha::parse_actions_lock(&file).1),
        _ => diagnostics_in_bounds(&file, &tollgate_gha::parse_dependabot(&file).1),
    }
}

const LOCKFILES: &[(FileKind, &str)] = &[
    (FileKind::CargoLock, "Cargo.lock"),
    (FileKind::NpmLock, "package-lock.json"),
    (FileKind::YarnLock, "yarn.lock"),
    (FileKind::PnpmLock, "pnpm-lock.yaml"),
    (FileKind::PoetryLock, "poetry.lock"),
    (FileKind::UvLock, "uv.lock"),
    (FileKind::PipfileLock, "Pipfile.lock"),
    (FileKind::Requirements, "requirements.txt"),
    (FileKind::GoMod, "go.mod"),
    (FileKind::GoSum, "go.sum"),
    (FileKind::GemfileLock, "Gemfile.lock"),
];

const CONFIGS: &[(FileKind, &str)] = &[
    (FileKind::Npmrc, ".npmrc"),
    (FileKind::Yarnrc, ".yarnrc.yml"),
    (FileKind::CargoConfig, ".cargo/config.toml"),
    (FileKind::PipConf, "pip.conf"),
    (FileKind::Pyproject, "pyproject.toml"),
    (FileKind::Gemrc, ".gemrc"),
    (FileKind::Gemfile, "Gemfile"),
];

fn packages(data: &[u8], table: &[(FileKind, &str)]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Some(t) = text(rest) else { return };
    let (kind, name) = table[usize::from(which) % table.len()];
    let file = SourceFile::new(name, name, t);
    let parsed = tollgate_lockfile::parse(&file, kind);
    diagnostics_in_bounds(&file, &parsed.diagnostics);
    // Everything the JSON output holds must serialise.
    let _ = serde_json::to_string(&parsed.packages);
}

/// Every lockfile format; the first byte picks it.
pub fn lockfile(data: &[u8]) {
    packages(data, LOCKFILES);
}

/// Every registry configuration format; the first byte picks it.
pub fn registry_config(data: &[u8]) {
    packages(data, CONFIGS);
}

/// The shell analyser.
pub fn shell(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let a = ANALYZER.with(|a| a.borrow_mut().analyze(t));
    for c in &a.commands {
        in_bounds(c.span, t.len(), "command");
    }
    for f in &a.facts {
        in_bounds(f.span(), t.len(), "fact");
    }
    for s in a.syntax_errors.iter().chain(&a.expressions) {
        in_bounds(*s, t.len(), "span");
    }
    let _ = serde_json::to_string(&a);
}

/// The `${{ … }}` locator: ranges are in bounds, ordered, and start with `${{`.
pub fn expressions(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let mut last = 0;
    for e in tollgate_gha::expressions(t) {
        assert!(
            last <= e.start && e.start < e.end && e.end <= t.len(),
            "{e:?}"
        );
        assert!(t[e.start..].starts_with("${{"), "{e:?}");
        last = e.end;
    }
}

/// Where the `check` target writes each record of its input.
pub const REPO_PATHS: &[&str] = &[
    ".github/workflows/a.yml",
    ".github/workflows/b.yaml",
    ".github/workflows/actions.lock",
    ".github/dependabot.yml",
    "action.yml",
    ".github/actions/setup/action.yml",
    "tollgate.toml",
    "Cargo.lock",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "requirements.txt",
    "go.mod",
    "go.sum",
    "Gemfile.lock",
    ".npmrc",
    ".yarnrc.yml",
    ".cargo/config.toml",
    "pip.conf",
    "pyproject.toml",
    ".gemrc",
    "Gemfile",
    "web/package-lock.json",
];

/// Split a `check` input into files: records separated by two NUL bytes, each a path
/// selector byte (index into [`REPO_PATHS`]) followed by the file's bytes.
#[must_use]
pub fn repo_files(data: &[u8]) -> Vec<(&'static str, &[u8])> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let (record, next) = match rest.windows(2).position(|w| w == b"\0\0") {
            Some(i) => (&rest[..i], &rest[i + 2..]),
            None => (rest, &rest[rest.len()..]),
        };
        if let Some((&which, body)) = record.split_first() {
            out.push((REPO_PATHS[usize::from(which) % REPO_PATHS.len()], body));
        }
        rest = next;
    }
    out
}

/// Encode files as a `check` input (for seeds).
#[must_use]
pub fn encode_repo(files: &[(usize, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (which, body)) in files.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\0\0");
        }
        out.push(u8::try_from(*which).unwrap_or(0));
        out.extend_from_slice(body);
    }
    out
}

fn rule_infos() -> Vec<tollgate_report::findings::RuleInfo> {
    tollgate_rules::pages()
        .iter()
        .map(|p| tollgate_report::findings::RuleInfo {
            id: p.meta.id.clone(),
            category: p.meta.category.clone(),
            summary: p.meta.summary.clone(),
            description: tollgate_engine::catalog::section(&p.body, "What it does").to_owned(),
            help_markdown: p.body.trim().to_owned(),
            level: p.meta.level,
            severity: p.meta.severity,
            confidence: p.meta.confidence,
            default_enabled: p.meta.default_enabled,
            help_uri: format!("https://example.invalid/{}.md", p.meta.id),
        })
        .collect()
}

/// The whole pipeline on a generated repository: write the files, scan, run every rule
/// with the repository's own configuration (when it loads), render JSON and SARIF.
pub fn check(data: &[u8]) {
    let files = repo_files(data);
    if files.is_empty() {
        return;
    }
    let Ok(dir) = tempfile::tempdir() else { return };
    for (rel, body) in &files {
        let p = dir.path().join(rel);
        if let Some(parent) = p.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(&p, body);
    }
    let root: PathBuf = dir.path().to_path_buf();
    let known: Vec<&str> = tollgate_rules::rules()
        .iter()
        .map(|r| r.meta.id.as_str())
        .collect();
    let config = tollgate_engine::Config::find(&root)
        .and_then(|p| tollgate_engine::Config::load(&p, &known).ok())
        .unwrap_or_default();
    let scan = tollgate_scan::scan(&[root], &tollgate_scan::ScanOptions::default());
    // The graph every command reads, with its passes: rules read their records.
    let (graph, graph_diagnostics) = tollgate_facts::graph(&scan);
    let outcome = tollgate_engine::run(
        tollgate_rules::rules(),
        &scan,
        &graph,
        &config,
        &tollgate_engine::RunOptions::default(),
    );
    let mut diagnostics = scan.diagnostics.clone();
    diagnostics.extend(graph_diagnostics);
    diagnostics.extend(outcome.diagnostics);
    // A rule that panicked is contained by the engine as an internal diagnostic; for the
    // fuzzer that is a crash to report.
    for d in &diagnostics {
        assert!(
            d.code != tollgate_model::DiagnosticCode::Internal,
            "internal error: {d:?}"
        );
    }
    let doc = tollgate_report::json::document(&scan, &diagnostics, &outcome.findings);
    let value = serde_json::to_value(&doc).expect("JSON renders");
    let text = serde_json::to_string_pretty(&value).expect("JSON prints");
    let back: serde_json::Value = serde_json::from_str(&text).expect("JSON parses back");
    assert_eq!(back, value, "JSON round trip");
    let infos = rule_infos();
    let sarif = tollgate_report::sarif::render(
        &infos,
        &outcome.findings,
        &diagnostics,
        |p| {
            scan.inputs
                .iter()
                .map(|i| &i.source)
                .chain(config.source.as_ref())
                .find(|s| s.display == p)
        },
        "0.0.0",
        "https://example.invalid",
    );
    let _ = serde_json::to_string(&sarif).expect("SARIF renders");
}

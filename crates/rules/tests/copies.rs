//! File-local rules check one file of each distinct text and copy the findings to the
//! files with the same text. The copies must get exactly what checking them would give,
//! at their own paths.

#![allow(clippy::print_stderr)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use tollgate_engine::config::Config;
use tollgate_engine::{
    Context, RegisteredRule, Rule, RuleMeta, RunOptions, Selector, Sink, StepCx, run,
};
use tollgate_model::{Confidence, Finding, Impact, Level};
use tollgate_scan::{Scan, ScanOptions, scan};

#[path = "../../../tests/common/copy_dir.rs"]
mod copy_dir;
use copy_dir::copy_dir;

fn demo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/demo"))
}

/// The findings of the file-local rules, with and without copying between identical files.
fn both_ways(s: &Scan) -> (Vec<Finding>, Vec<Finding>) {
    let local: Vec<Selector> = tollgate_rules::rules()
        .iter()
        .filter(|r| r.rule.file_local())
        .map(|r| Selector(r.meta.id.clone()))
        .collect();
    assert!(local.len() >= 5, "the file-local rules: {local:?}");
    let (graph, _) = tollgate_graph::Graph::build(s);
    let config = Config::default();
    let mut opts = RunOptions {
        select: local,
        ..RunOptions::default()
    };
    let shared = run(tollgate_rules::rules(), s, &graph, &config, &opts).findings;
    opts.recheck_copies = true;
    let own = run(tollgate_rules::rules(), s, &graph, &config, &opts).findings;
    (shared, own)
}

fn assert_same(shared: &[Finding], own: &[Finding]) {
    assert_eq!(shared.len(), own.len());
    for (a, b) in shared.iter().zip(own) {
        assert_eq!(a, b, "copied finding differs from the file's own");
    }
}

#[test]
fn copied_findings_equal_each_files_own_on_copies_of_the_demo() {
    let dir = tempfile::tempdir().expect("tempdir");
    for copy in ["a", "b", "c"] {
        copy_dir(&demo(), &dir.path().join(copy));
    }
    // `b` changes one workflow (a different text is checked on its own); `c` holds one
    // workflow twice under two names.
    let ci = dir.path().join("b/.github/workflows/ci.yml");
    let text = std::fs::read_to_string(&ci).expect("read");
    std::fs::write(&ci, format!("{text}\n# changed\n")).expect("write");
    let wf = dir.path().join("c/.github/workflows");
    std::fs::copy(wf.join("ci.yml"), wf.join("ci-copy.yml")).expect("copy");
    let s = scan(&[dir.path().to_path_buf()], &ScanOptions::default());
    let (shared, own) = both_ways(&s);
    assert!(
        own.iter()
            .any(|f| f.primary.path.as_ref() == "c/.github/workflows/ci-copy.yml"),
        "the demo's ci.yml has findings of file-local rules"
    );
    // Every copy of a finding is at its own file.
    for f in &shared {
        let file = s
            .inputs
            .iter()
            .find(|i| *i.source.display == *f.primary.path)
            .expect("a finding's file is an input");
        assert!(f.primary.span.end <= file.source.text().len());
    }
    assert_same(&shared, &own);
}

/// Two copies of `../shared/corpus`, scanned; `None` (the test skipped) when it is absent.
fn two_corpus_copies() -> Option<(tempfile::TempDir, Scan)> {
    let corpus = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ));
    if !corpus.is_dir() {
        eprintln!("skipped: {} is absent", corpus.display());
        return None;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for copy in ["a", "b"] {
        copy_dir(&corpus, &dir.path().join(copy));
    }
    let s = scan(&[dir.path().to_path_buf()], &ScanOptions::default());
    Some((dir, s))
}

#[test]
fn copied_findings_equal_each_files_own_on_two_copies_of_the_corpus() {
    let Some((_dir, s)) = two_corpus_copies() else {
        return;
    };
    let (shared, own) = both_ways(&s);
    assert!(own.len() > 100);
    assert_same(&shared, &own);
}

/// Counts its calls and reports every step that has a `run:` script.
struct CountingRule(AtomicUsize);

impl Rule for CountingRule {
    fn id(&self) -> &'static str {
        "counting"
    }
    fn file_local(&self) -> bool {
        true
    }
    fn check_step(&self, _cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        self.0.fetch_add(1, Ordering::Relaxed);
        if step.step.run.is_some() {
            out.at(&step.input.source, step.step.span)
                .message("a run step")
                .emit();
        }
    }
}

#[test]
fn a_file_local_rule_checks_each_distinct_text_once() {
    static RULE: CountingRule = CountingRule(AtomicUsize::new(0));
    let dir = tempfile::tempdir().expect("tempdir");
    let wf = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n      - uses: actions/checkout@v4\n";
    for (path, text) in [
        ("one/.github/workflows/ci.yml", wf),
        ("two/.github/workflows/ci.yml", wf),
        ("two/.github/workflows/other.yml", wf),
        (
            "three/.github/workflows/ci.yml",
            &format!("{wf}# differs\n"),
        ),
    ] {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    let s = scan(&[dir.path().to_path_buf()], &ScanOptions::default());
    let rules = [RegisteredRule {
        meta: RuleMeta {
            id: "counting".into(),
            category: "test".into(),
            summary: "counts".into(),
            level: Level::Warning,
            default_enabled: true,
            severity: Impact::Low,
            confidence: Confidence::High,
            since: "0.1.0".into(),
            options: Vec::new(),
        },
        rule: &RULE,
    }];
    let (graph, _) = tollgate_graph::Graph::build(&s);
    let outcome = run(
        &rules,
        &s,
        &graph,
        &Config::default(),
        &RunOptions::default(),
    );
    // Two distinct texts of two steps each.
    assert_eq!(RULE.0.load(Ordering::Relaxed), 4);
    let at: Vec<(&str, usize)> = outcome
        .findings
        .iter()
        .map(|f| (f.primary.path.as_ref(), f.primary.start.line))
        .collect();
    assert_eq!(
        at,
        [
            ("one/.github/workflows/ci.yml", 6),
            ("three/.github/workflows/ci.yml", 6),
            ("two/.github/workflows/ci.yml", 6),
            ("two/.github/workflows/other.yml", 6),
        ]
    );
}

/// Every rule's findings over a graph whose copied workflows and actions were merged from
/// the first file's fragment, and over one that built every file's own.
fn all_rules_both_graphs(s: &Scan) -> (Vec<Finding>, Vec<Finding>) {
    let config = Config::default();
    let opts = RunOptions::default();
    let (merged, _) = tollgate_graph::Graph::build(s);
    let (each, _) = tollgate_graph::Graph::build_each_file(s);
    assert!(merged.copied() > 0, "no file was merged as a copy");
    (
        run(tollgate_rules::rules(), s, &merged, &config, &opts).findings,
        run(tollgate_rules::rules(), s, &each, &config, &opts).findings,
    )
}

#[test]
fn copied_graph_fragments_give_the_findings_each_files_own_give() {
    let dir = tempfile::tempdir().expect("tempdir");
    for copy in ["a", "b", "c", "d"] {
        copy_dir(&demo(), &dir.path().join(copy));
    }
    // `c` installs without its web lockfile and `d` lacks the local action: their
    // workflows are built on their own, `b`'s are merged from `a`'s.
    std::fs::remove_file(dir.path().join("c/web/package-lock.json")).expect("rm");
    std::fs::remove_dir_all(dir.path().join("d/.github/actions/setup-toolchain")).expect("rm");
    let s = scan(&[dir.path().to_path_buf()], &ScanOptions::default());
    let (merged, each) = all_rules_both_graphs(&s);
    assert!(each.len() > 20, "{} findings", each.len());
    assert_same(&merged, &each);
}

#[test]
fn copied_graph_fragments_give_the_same_findings_on_two_copies_of_the_corpus() {
    let Some((_dir, s)) = two_corpus_copies() else {
        return;
    };
    let (merged, each) = all_rules_both_graphs(&s);
    assert!(each.len() > 1000, "{} findings", each.len());
    assert_same(&merged, &each);
}

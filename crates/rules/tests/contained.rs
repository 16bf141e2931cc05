//! A rule that panics is skipped with an internal diagnostic naming it, once per place it
//! failed, and the other rules' findings are kept.

use tollgate_engine::config::Config;
use tollgate_engine::{Context, RegisteredRule, Rule, RuleMeta, RunOptions, Sink, StepCx, run};
use tollgate_model::{Confidence, DiagnosticCode, Impact, Level};
use tollgate_scan::{ScanOptions, scan};

struct Panics;

impl Rule for Panics {
    fn id(&self) -> &'static str {
        "panics"
    }
    fn check_scan(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {
        panic!("over the scan");
    }
    fn check_step(&self, _cx: &Context<'_>, _step: &StepCx<'_>, _out: &mut Sink<'_>) {
        panic!("in a step");
    }
}

struct Reports;

impl Rule for Reports {
    fn id(&self) -> &'static str {
        "reports"
    }
    fn check_step(&self, _cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        out.at(&step.input.source, step.step.span)
            .message("a step")
            .emit();
    }
}

fn meta(id: &str) -> RuleMeta {
    RuleMeta {
        id: id.into(),
        category: "test".into(),
        summary: id.into(),
        level: Level::Warning,
        default_enabled: true,
        severity: Impact::Low,
        confidence: Confidence::High,
        since: "0.1.0".into(),
        options: Vec::new(),
    }
}

#[test]
fn a_panicking_rule_is_skipped_and_the_others_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wf = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo one\n      - run: echo two\n";
    let p = dir.path().join(".github/workflows/ci.yml");
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(&p, wf).expect("write");
    let s = scan(&[dir.path().to_path_buf()], &ScanOptions::default());
    let (graph, _) = tollgate_facts::graph(&s);
    static PANICS: Panics = Panics;
    static REPORTS: Reports = Reports;
    let rules = [
        RegisteredRule {
            meta: meta("panics"),
            rule: &PANICS,
        },
        RegisteredRule {
            meta: meta("reports"),
            rule: &REPORTS,
        },
    ];
    // Keep the test output quiet: the panics are expected.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = run(
        &rules,
        &s,
        &graph,
        &Config::default(),
        &RunOptions::default(),
    );
    std::panic::set_hook(hook);
    assert_eq!(outcome.findings.len(), 2, "{:?}", outcome.findings);
    assert!(outcome.findings.iter().all(|f| f.rule == "reports"));
    let failed: Vec<&str> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.code == DiagnosticCode::Internal)
        .map(|d| d.message.as_str())
        .collect();
    // Once over the scan, once for the workflow's input.
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(
        failed
            .iter()
            .any(|m| m.contains("`panics`") && m.contains("over the scan"))
    );
    assert!(
        failed
            .iter()
            .any(|m| m.contains("`panics`") && m.contains("in a step"))
    );
}

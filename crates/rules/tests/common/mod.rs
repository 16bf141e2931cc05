//! What the rules' integration tests share: the findings of a rule on a repository of
//! one workflow, built the way the command line builds it (scan, graph with every pass,
//! rules).

use tollgate_engine::{Config, RunOptions, Selector, run};
use tollgate_model::Finding;
use tollgate_scan::{ScanOptions, scan};

/// The findings of `rule` on a repository holding one workflow, `text`.
pub fn findings(rule: &str, text: &str) -> Vec<Finding> {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join(".github/workflows/ci.yml");
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(&p, text).expect("write");
    let s = scan(&[dir.path().to_path_buf()], &ScanOptions::default());
    let (graph, _) = tollgate_facts::graph(&s);
    let opts = RunOptions {
        select: vec![Selector(rule.to_owned())],
        ..RunOptions::default()
    };
    run(
        tollgate_rules::rules(),
        &s,
        &graph,
        &Config::default(),
        &opts,
    )
    .findings
}

//! What the rules' integration tests share: a repository written from texts, its scan
//! and graph built the way the command line builds them (every pass), and the findings
//! of the selected rules on it.

#![allow(dead_code)]

use tollgate_engine::{Config, RunOptions, Selector, run};
use tollgate_graph::Graph;
use tollgate_model::Finding;
use tollgate_scan::{Scan, ScanOptions, scan};

/// A repository holding `files` (path, text).
pub fn write(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (rel, text) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
    }
    dir
}

/// The scan of `dir` and its graph with every pass.
pub fn build(dir: &tempfile::TempDir) -> (Scan, Graph) {
    let s = scan(&[dir.path().to_path_buf()], &ScanOptions::default());
    let (graph, _) = tollgate_facts::graph(&s);
    (s, graph)
}

/// The findings of `rules` on a scan and its graph.
pub fn run_rules(s: &Scan, graph: &Graph, rules: &[&str]) -> Vec<Finding> {
    let opts = RunOptions {
        select: rules.iter().map(|r| Selector((*r).to_owned())).collect(),
        ..RunOptions::default()
    };
    run(tollgate_rules::rules(), s, graph, &Config::default(), &opts).findings
}

/// The findings of `rule` on a repository holding one workflow, `text`.
pub fn findings(rule: &str, text: &str) -> Vec<Finding> {
    let dir = write(&[(".github/workflows/ci.yml", text)]);
    let (s, graph) = build(&dir);
    run_rules(&s, &graph, &[rule])
}

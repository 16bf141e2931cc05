//! Graph sizes and build times for the repositories given as arguments (or every
//! repository of `../shared/corpus`): `cargo run --release -p tollgate-graph --example
//! graph_stats [REPO...]`.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tollgate_graph::{Graph, GraphFilter};
use tollgate_scan::{ScanOptions, scan};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");
const RUNS: usize = 7;

fn main() {
    let mut repos: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if repos.is_empty() {
        let Ok(entries) = std::fs::read_dir(CORPUS) else {
            eprintln!("no repository given and no corpus at {CORPUS}");
            return;
        };
        repos = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        repos.sort();
    }
    println!(
        "{:<28} {:>6} {:>7} {:>7} {:>10} {:>10} {:>10}",
        "repository", "inputs", "nodes", "edges", "scan", "graph", "collapsed"
    );
    for repo in repos {
        let t = Instant::now();
        let s = scan(std::slice::from_ref(&repo), &ScanOptions::default());
        let scan_time = t.elapsed();
        let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
        let mut sizes = (0, 0);
        for _ in 0..RUNS {
            let t = Instant::now();
            let (g, _) = Graph::build(&s);
            times.push(t.elapsed());
            sizes = (g.node_count(), g.edge_count());
        }
        times.sort();
        let (g, _) = Graph::build(&s);
        let collapsed = g.view(&GraphFilter {
            collapse_packages: true,
            ..GraphFilter::default()
        });
        println!(
            "{:<28} {:>6} {:>7} {:>7} {:>10.1?} {:>10.2?} {:>4}/{:<5}",
            repo.file_name().and_then(|n| n.to_str()).unwrap_or("?"),
            s.inputs.len(),
            sizes.0,
            sizes.1,
            scan_time,
            times[RUNS / 2],
            collapsed.nodes.len(),
            collapsed.edges.len(),
        );
    }
}

//! The shell stage alone over every `run:` script of a directory: counts of steps analysed
//! and not analysed (by shell), commands, facts by kind, scripts with syntax errors, and
//! throughput with one thread and with all threads.
//! `cargo run --release -p tollgate-bench --example shell_corpus -- ../shared/corpus`

#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;
use tollgate_scan::{FileModel, ScanOptions, scan};
use tollgate_shell::Analyzer;

fn main() {
    let path = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "../shared/corpus".into()),
    );
    let s = scan(&[path], &ScanOptions::default());
    let mut by_shell: BTreeMap<String, usize> = BTreeMap::new();
    let mut facts: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut analysed, mut commands, mut with_errors) = (0, 0, 0);
    let mut scripts: Vec<&str> = Vec::new();
    for input in &s.inputs {
        for sc in input.scripts.iter() {
            *by_shell.entry(sc.shell.name().to_owned()).or_default() += 1;
            if let Some(a) = &sc.analysis {
                analysed += 1;
                commands += a.commands.len();
                with_errors += usize::from(!a.syntax_errors.is_empty());
                for f in &a.facts {
                    *facts.entry(f.kind()).or_default() += 1;
                }
            }
        }
        let steps: Vec<&tollgate_gha::Step> = match &*input.parsed {
            FileModel::Workflow(w) => w.jobs.iter().flat_map(|j| &j.steps).collect(),
            FileModel::Action(a) => a.steps().iter().collect(),
            _ => Vec::new(),
        };
        scripts.extend(
            steps
                .iter()
                .filter_map(|st| st.run.as_ref().map(|r| r.script.as_str())),
        );
    }
    let bytes: usize = scripts.iter().map(|x| x.len()).sum();
    println!(
        "run steps: {} ({analysed} analysed); by shell: {by_shell:?}",
        scripts.len()
    );
    println!("commands: {commands}; scripts with syntax errors: {with_errors}");
    println!("facts: {facts:?}");
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let mut best = f64::MAX;
        for _ in 0..5 {
            let t = Instant::now();
            let n: usize = pool.install(|| {
                scripts
                    .par_iter()
                    .map_init(Analyzer::new, |a, sc| a.analyze(sc).commands.len())
                    .sum()
            });
            std::hint::black_box(n);
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{threads} thread(s): {:.2} MB in {:.1} ms = {:.1} MB/s",
            bytes as f64 / 1e6,
            best * 1e3,
            bytes as f64 / 1e6 / best
        );
    }
}

//! Per-stage benchmarks of the pipeline (discover, parse, graph, rules, output) over the
//! synthetic corpus at two sizes, and over `../shared/corpus` when `TOLLGATE_BENCH_CORPUS=1`.
//! Run with `cargo bench -p tollgate-bench`.

use std::path::PathBuf;
use std::sync::OnceLock;

use tollgate_bench::{Size, generate};
use tollgate_engine::{Config, RunOptions};
use tollgate_scan::{ScanOptions, discover, scan};

fn main() {
    divan::main();
}

fn repo(size: &str) -> &'static PathBuf {
    static SMALL: OnceLock<PathBuf> = OnceLock::new();
    static MEDIUM: OnceLock<PathBuf> = OnceLock::new();
    static CORPUS: OnceLock<PathBuf> = OnceLock::new();
    let make = |s: Size, name: &str| {
        let dir =
            std::env::temp_dir().join(format!("tollgate-bench-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let _ = generate(&dir, s, 42);
        dir
    };
    match size {
        "small" => SMALL.get_or_init(|| make(Size::SMALL, "small")),
        "corpus" => CORPUS.get_or_init(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/corpus"
            ))
        }),
        _ => MEDIUM.get_or_init(|| make(Size::MEDIUM, "medium")),
    }
}

fn sizes() -> Vec<&'static str> {
    let mut v = vec!["small", "medium"];
    if std::env::var_os("TOLLGATE_BENCH_CORPUS").is_some() && repo("corpus").is_dir() {
        v.push("corpus");
    }
    v
}

#[divan::bench(args = ["small", "medium"])]
fn stage_discover(size: &str) -> usize {
    discover(&[repo(size).clone()], &Default::default())
        .candidates
        .len()
}

#[divan::bench(args = ["small", "medium"])]
fn stage_parse(bencher: divan::Bencher, size: &str) {
    let paths = [repo(size).clone()];
    let bytes: u64 = scan(&paths, &ScanOptions::default()).timings.bytes as u64;
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .bench(|| scan(&paths, &ScanOptions::default()).inputs.len());
}

#[divan::bench(args = ["small", "medium"])]
fn stage_graph(bencher: divan::Bencher, size: &str) {
    let s = scan(&[repo(size).clone()], &ScanOptions::default());
    bencher.bench(|| tollgate_graph::Graph::build(&s).0.node_ids().count());
}

#[divan::bench(args = ["small", "medium"])]
fn stage_rules(bencher: divan::Bencher, size: &str) {
    let s = scan(&[repo(size).clone()], &ScanOptions::default());
    let (g, _) = tollgate_graph::Graph::build(&s);
    let config = Config::default();
    bencher.bench(|| {
        tollgate_engine::run(
            tollgate_rules::rules(),
            &s,
            &g,
            &config,
            &RunOptions::default(),
        )
        .findings
        .len()
    });
}

#[divan::bench(args = ["small", "medium"])]
fn stage_output_sarif(bencher: divan::Bencher, size: &str) {
    let s = scan(&[repo(size).clone()], &ScanOptions::default());
    let (g, _) = tollgate_graph::Graph::build(&s);
    let out = tollgate_engine::run(
        tollgate_rules::rules(),
        &s,
        &g,
        &Config::default(),
        &RunOptions::default(),
    );
    bencher.bench(|| tollgate_bench::sarif_len(&s, &out));
}

/// The whole check as the CLI runs it, including the opt-in shared corpus.
#[divan::bench(args = sizes())]
fn full_check(bencher: divan::Bencher, size: &str) {
    let paths = [repo(size).clone()];
    bencher.bench(|| {
        let s = scan(&paths, &ScanOptions::default());
        let (g, _) = tollgate_graph::Graph::build(&s);
        let out = tollgate_engine::run(
            tollgate_rules::rules(),
            &s,
            &g,
            &Config::default(),
            &RunOptions::default(),
        );
        tollgate_bench::sarif_len(&s, &out)
    });
}

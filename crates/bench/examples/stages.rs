//! Per-stage figures for one input: files/s, MB/s and peak RSS after each stage.
//! `cargo run --release -p tollgate-bench --example stages -- [PATH|small|medium|large|distinct] [ROUNDS]`

#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: tollgate_bench::heap::Counting = tollgate_bench::heap::Counting;

use tollgate_bench::heap::heap;
use tollgate_bench::{Size, generate, peak_rss};
use tollgate_engine::{Config, RunOptions};
use tollgate_scan::{ScanOptions, discover, scan};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() -> std::io::Result<()> {
    tollgate_alloc::install_for_tree_sitter();
    let arg = std::env::args().nth(1).unwrap_or_else(|| "medium".into());
    let rounds: usize = std::env::args()
        .nth(2)
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let path = match arg.as_str() {
        // Ten repositories of the large size, each from its own seed: as much input as ten
        // copies of the real corpus, but no two files alike (nothing is shared).
        "distinct" => {
            let dir = std::env::temp_dir().join("tollgate-stages-distinct");
            let _ = std::fs::remove_dir_all(&dir);
            for k in 0..10 {
                generate(&dir.join(format!("repo-{k}")), Size::LARGE, 42 + k)?;
            }
            dir
        }
        "small" | "medium" | "large" => {
            let size = match arg.as_str() {
                "small" => Size::SMALL,
                "large" => Size::LARGE,
                _ => Size::MEDIUM,
            };
            let dir = std::env::temp_dir().join(format!("tollgate-stages-{arg}"));
            let _ = std::fs::remove_dir_all(&dir);
            generate(&dir, size, 42)?;
            dir
        }
        p => PathBuf::from(p),
    };
    let paths = [path.clone()];
    let mut t = [Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new()];
    let mut rss = [0u64; 5];
    let mut heaps = [(0.0, 0.0); 5];
    let (mut files, mut bytes, mut findings) = (0, 0, 0);
    for _ in 0..rounds {
        let _ = heap();
        let a = Instant::now();
        let _ = discover(&paths, &Default::default());
        t[0].push(a.elapsed());
        rss[0] = peak_rss().unwrap_or(0);
        heaps[0] = heap();
        let a = Instant::now();
        let s = scan(&paths, &ScanOptions::default());
        t[1].push(a.elapsed());
        rss[1] = peak_rss().unwrap_or(0);
        heaps[1] = heap();
        files = s.timings.files;
        bytes = s.timings.bytes;
        let a = Instant::now();
        let (g, _) = tollgate_facts::graph(&s);
        t[2].push(a.elapsed());
        rss[2] = peak_rss().unwrap_or(0);
        heaps[2] = heap();
        let a = Instant::now();
        let out = tollgate_engine::run(
            tollgate_rules::rules(),
            &s,
            &g,
            &Config::default(),
            &RunOptions::default(),
        );
        t[3].push(a.elapsed());
        rss[3] = peak_rss().unwrap_or(0);
        heaps[3] = heap();
        findings = out.findings.len();
        let a = Instant::now();
        let n = tollgate_bench::sarif_len(&s, &out);
        t[4].push(a.elapsed());
        rss[4] = peak_rss().unwrap_or(0);
        heaps[4] = heap();
        std::hint::black_box(n);
    }
    println!(
        "input: {} ({files} files, {:.2} MB), {rounds} rounds, {} threads, {findings} findings",
        path.display(),
        bytes as f64 / 1e6,
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    let names = ["discover", "parse", "graph", "rules", "output (sarif)"];
    let mut total = Duration::ZERO;
    for (i, name) in names.iter().enumerate() {
        let m = median(t[i].clone());
        total += m;
        let s = m.as_secs_f64().max(1e-9);
        println!(
            "{name:15} {:8.2} ms  {:9.0} files/s  {:7.1} MB/s  peak RSS {:6.1} MB  heap {:6.1} MB (stage peak {:6.1})",
            s * 1000.0,
            files as f64 / s,
            bytes as f64 / 1e6 / s,
            rss[i] as f64 / 1e6,
            heaps[i].0,
            heaps[i].1,
        );
    }
    println!("{:15} {:8.2} ms", "total", total.as_secs_f64() * 1000.0);
    Ok(())
}

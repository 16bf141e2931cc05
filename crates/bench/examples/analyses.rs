//! Where the heap goes after the graph: each pass's record (the egress and the delivery
//! dependencies of every job, which the commands and rules share for the whole run),
//! then the rules; then what the scan itself holds, part by part (the script analyses,
//! the file models, the sources), from a second scan whose parts are released in turn.
//! `cargo run --release -p tollgate-bench --example analyses -- PATH`

#![allow(clippy::print_stdout, clippy::print_stderr)]

use tollgate_bench::heap::heap;

#[global_allocator]
static ALLOC: tollgate_bench::heap::Counting = tollgate_bench::heap::Counting;

fn report(what: &str, detail: &str) {
    let (live, high) = heap();
    println!(
        "{what:28} live {live:7.1} MB  peak since the last line {high:7.1} MB  anonymous resident {:5.1} MB  {detail}",
        anonymous_resident()
    );
}

/// The process's resident anonymous memory (`RssAnon` of `/proc/self/status`, Linux),
/// in MB: the heap as the allocator holds it, with its free space between live blocks.
fn anonymous_resident() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("RssAnon:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb * 1024.0 / 1e6)
}

fn main() {
    tollgate_alloc::install_for_tree_sitter();
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: analyses PATH");
        std::process::exit(2);
    };
    let s = tollgate_scan::scan(
        &[path.clone().into()],
        &tollgate_scan::ScanOptions::default(),
    );
    report("scan", &format!("{} inputs", s.inputs.len()));
    let (mut g, _) = tollgate_graph::Graph::build(&s);
    report("graph (structure)", &format!("{} nodes", g.node_count()));
    // The egress pass keeps its record in the graph for the rest of the run.
    let _ = tollgate_graph::Pass::run(&tollgate_egress::Pass, &s, &mut g);
    report(
        "egress pass",
        &format!("{} jobs", tollgate_egress::of(&g).jobs.len()),
    );
    let _ = tollgate_graph::Pass::run(&tollgate_inventory::Pass, &s, &mut g);
    report("delivery pass", &format!("{} jobs", g.jobs().count()));
    let out = tollgate_engine::run(
        tollgate_rules::rules(),
        &s,
        &g,
        &tollgate_engine::Config::default(),
        &tollgate_engine::RunOptions::default(),
    );
    report("rules", &format!("{} findings", out.findings.len()));
    drop((out, g, s));
    report("all released", "");
    let mut s = tollgate_scan::scan(&[path.into()], &tollgate_scan::ScanOptions::default());
    report("scan again", "");
    let scripts: usize = s.inputs.iter().map(|i| i.scripts.len()).sum();
    for i in &mut s.inputs {
        i.scripts = Vec::new().into();
    }
    report("  without script analyses", &format!("{scripts} scripts"));
    for i in &mut s.inputs {
        i.parsed = std::sync::Arc::new(tollgate_scan::FileModel::Nothing);
    }
    report("  without file models", "");
    drop(s);
    report("  without sources", "");
}

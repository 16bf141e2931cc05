//! Every repository of `../shared/corpus` (skipped when absent): the graph builds with the
//! same ids on one and two threads, and every query terminates on every job.

#![allow(clippy::print_stderr)]

use std::path::PathBuf;

use tollgate_graph::{EdgeKind, Graph, GraphFilter, Kind};
use tollgate_scan::{ScanOptions, scan};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

fn repos() -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(CORPUS) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

type Dump = (Vec<String>, Vec<(usize, usize, EdgeKind)>);

fn dump(g: &Graph) -> Dump {
    (
        g.node_ids()
            .map(|n| g.node(n).map(|x| x.kind.label()).unwrap_or_default())
            .collect(),
        g.edges()
            .map(|(a, b, e)| (a.index(), b.index(), e.kind))
            .collect(),
    )
}

#[test]
fn corpus_graphs_are_deterministic_and_queries_terminate() {
    let repos = repos();
    if repos.is_empty() {
        eprintln!("skipped: no corpus at {CORPUS}");
        return;
    }
    for repo in repos {
        let s = scan(std::slice::from_ref(&repo), &ScanOptions::default());
        let build = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map(|p| p.install(|| Graph::build(&s)))
        };
        let (Ok((one, d1)), Ok((two, d2))) = (build(1), build(2)) else {
            panic!("thread pool");
        };
        assert_eq!(dump(&one), dump(&two), "{}", repo.display());
        assert_eq!(d1, d2);
        // Repositories without workflows (only lockfiles, Dockerfiles or other CI systems'
        // files) are in the corpus too: they give an empty graph, not a panic.
        let workflows = s
            .inputs
            .iter()
            .filter(|i| i.kind == tollgate_model::FileKind::Workflow)
            .count();
        assert_eq!(
            one.workflows().count() > 0,
            workflows > 0,
            "{}: a workflow node per workflow input",
            repo.display()
        );
        for job in one.jobs() {
            let steps = one.job_steps(job);
            let reach = one.reaches(job);
            let _ = one.holds(job);
            for s in &steps {
                let path = one.path_to(s.step).expect("every step has a workflow path");
                assert_eq!(
                    one.node(path[0]).map(|n| n.kind.kind()),
                    Some(Kind::Workflow)
                );
            }
            for a in &reach.actions {
                assert!(one.path_to(*a).is_some());
            }
        }
        for kinds in [
            "action,image,host",
            "secret,permission,oidc",
            "lockfile,source",
        ] {
            let f = GraphFilter {
                kinds: GraphFilter::parse_kinds(kinds).unwrap_or_default(),
                collapse_packages: true,
                ..GraphFilter::default()
            };
            let v = one.view(&f);
            assert!(
                v.edges
                    .iter()
                    .all(|e| v.nodes.binary_search(&e.from).is_ok()
                        && v.nodes.binary_search(&e.to).is_ok())
            );
        }
    }
}

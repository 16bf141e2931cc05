//! Twin jobs (the same workflow and files in several copies of a repository) share one
//! computation of their egress and delivery dependencies, mapped onto each copy. The
//! shared results must equal what each job gets on its own, and a copy that differs in
//! a file the job reads must not take another copy's result.

#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};

use tollgate_graph::{Graph, NodeId, NodeKind};
use tollgate_scan::{Scan, ScanOptions, scan};

fn demo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/demo"))
}

#[path = "../../../tests/common/copy_dir.rs"]
mod copy_dir;
use copy_dir::copy_dir;

const GO: &str = "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    timeout-minutes: 10\n    steps:\n      - run: go mod download\n";

/// Five copies of the demo repository; the third one's `.npmrc` names another
/// registry host.
fn copies() -> (tempfile::TempDir, Scan, Graph) {
    let dir = tempfile::tempdir().expect("tempdir");
    for copy in ["a", "b", "c", "d", "e"] {
        copy_dir(&demo(), &dir.path().join(copy));
    }
    // Same lengths and lines: only the text (and so the model) differs, not the shape.
    let c = dir.path().join("c");
    let npmrc = c.join("web/.npmrc");
    let text = std::fs::read_to_string(&npmrc).expect("read");
    assert!(text.contains("npm.example.internal"));
    let text = text.replace("npm.example.internal", "pkg.example.internal");
    std::fs::write(&npmrc, text).expect("write");
    // A Go job in every copy; only `e` vendors its modules, which the job's footprint
    // does not show (it is found on disk).
    for copy in ["a", "b", "c", "d", "e"] {
        std::fs::write(dir.path().join(copy).join(".github/workflows/go.yml"), GO).expect("write");
    }
    std::fs::create_dir_all(dir.path().join("e/vendor")).expect("mkdir");
    std::fs::write(dir.path().join("e/vendor/modules.txt"), "# vendored\n").expect("write");
    let s = scan(&[dir.path().to_path_buf()], &ScanOptions::default());
    let (g, _) = Graph::build(&s);
    (dir, s, g)
}

/// The job's file and id, for messages.
fn name(g: &Graph, job: NodeId) -> String {
    let node = g.node(job).expect("node");
    let NodeKind::Job { id, .. } = &node.kind else {
        panic!("not a job");
    };
    format!("{}#{id}", g.path(node.origin.expect("origin").input()))
}

/// Run on one thread, so that the order is known: `a`'s jobs are computed (they define
/// the shared nodes and lend nothing), `b`'s are computed and lent, `c`'s are computed
/// (they differ), and `d`'s and `e`'s are `b`'s, mapped.
fn one_thread<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool")
        .install(f)
}

#[test]
fn shared_egress_equals_each_jobs_own() {
    let (_dir, s, g) = copies();
    let shared = one_thread(|| tollgate_egress::analyze_jobs(&s, &g));
    assert!(shared.len() >= 6, "{} jobs", shared.len());
    for (job, e) in &shared {
        let own = tollgate_egress::analyze_job(&s, &g, *job).expect("a job with steps");
        assert_eq!(
            format!("{e:#?}"),
            format!("{own:#?}"),
            "egress of {}",
            name(&g, *job)
        );
    }
}

#[test]
fn shared_dependencies_equal_each_jobs_own() {
    let (_dir, s, g) = copies();
    let jobs: Vec<NodeId> = g.jobs().collect();
    let shared = one_thread(|| tollgate_inventory::all_job_dependencies(&s, &g, &jobs));
    assert_eq!(shared.len(), jobs.len());
    let mut with_sites = 0;
    for (job, list) in &shared {
        let own = tollgate_inventory::job_dependencies(&s, &g, *job);
        with_sites += list.iter().filter(|d| d.site.is_some()).count();
        assert_eq!(
            format!("{list:#?}"),
            format!("{own:#?}"),
            "dependencies of {}",
            name(&g, *job)
        );
    }
    assert!(with_sites > 10, "{with_sites} dependencies with a site");
    // The vendored copy is seen in `e` only.
    let vendored = |copy: &str| {
        let job = g
            .job_node(&format!("{copy}/.github/workflows/go.yml"), "build")
            .expect("go job");
        let (_, list) = shared.iter().find(|(j, _)| *j == job).expect("listed");
        list.iter().any(|d| {
            d.fallbacks
                .iter()
                .any(|f| f.detail.contains("vendor/modules.txt"))
        })
    };
    assert!(vendored("e"));
    assert!(!vendored("d"));
}

#[test]
fn only_jobs_that_read_the_same_files_are_twins() {
    let (_dir, s, g) = copies();
    let job = |copy: &str, id: &str| {
        g.job_node(&format!("{copy}/.github/workflows/ci.yml"), id)
            .unwrap_or_else(|| panic!("{copy} {id}"))
    };
    let fp = |copy: &str, id: &str| g.footprint(&s, job(copy, id)).expect("footprint");
    let ids: Vec<String> = g
        .jobs()
        .filter_map(|j| {
            let node = g.node(j)?;
            let in_a = g.path(node.origin?.input()) == "a/.github/workflows/ci.yml";
            match &node.kind {
                NodeKind::Job { id, .. } if in_a => Some(id.clone()),
                _ => None,
            }
        })
        .collect();
    assert!(!ids.is_empty());
    let (mut twins, mut changed) = (0, 0);
    for id in &ids {
        let (a, b, c) = (fp("a", id), fp("b", id), fp("c", id));
        // `a` comes first, so the shared nodes (runner, remote actions) are defined in
        // its files; `b` can lend to `a`.
        if b.lends_to(&a) {
            twins += 1;
        }
        // `c` differs in the registry configuration: a job whose egress shows it must
        // not be `b`'s twin.
        let reads_changed = tollgate_egress::analyze_job(&s, &g, job("c", id)).is_some_and(|e| {
            let e = format!("{e:?}");
            e.contains("pkg.example.internal")
        });
        if reads_changed {
            changed += 1;
            assert!(!b.lends_to(&c), "{id}: c reads changed files");
        }
    }
    assert!(twins > 0, "no twins among {ids:?}");
    assert!(changed > 0, "no job of {ids:?} reads the changed files");
}

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// The real repositories of `../shared/corpus` (skipped when absent), each copied three
/// times: every job's shared egress and dependencies equal its own.
#[test]
fn corpus_copies_get_what_each_job_gets_on_its_own() {
    let corpus = Path::new(CORPUS);
    if !corpus.is_dir() {
        eprintln!("skipped: no corpus at {CORPUS}");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for copy in ["a", "b", "c"] {
        copy_dir(corpus, &dir.path().join(copy));
    }
    let s = scan(&[dir.path().to_path_buf()], &ScanOptions::default());
    let (g, _) = Graph::build(&s);
    let jobs: Vec<NodeId> = g.jobs().collect();
    let (egress, deps) = one_thread(|| {
        (
            tollgate_egress::analyze_jobs(&s, &g),
            tollgate_inventory::all_job_dependencies(&s, &g, &jobs),
        )
    });
    assert!(egress.len() > 1000, "{} jobs with egress", egress.len());
    for (job, e) in &egress {
        let own = tollgate_egress::analyze_job(&s, &g, *job).expect("a job with steps");
        assert!(
            format!("{e:?}") == format!("{own:?}"),
            "egress of {}",
            name(&g, *job)
        );
    }
    for (job, list) in &deps {
        let own = tollgate_inventory::job_dependencies(&s, &g, *job);
        assert!(
            format!("{list:?}") == format!("{own:?}"),
            "dependencies of {}",
            name(&g, *job)
        );
    }
}

/// The twins are worked out once, in job order, whatever the thread count: `a`'s jobs
/// follow nobody (the shared nodes are defined in its files), `b`'s lead, `d`'s and
/// `e`'s follow `b`'s, and a job of `c` that reads the changed `.npmrc` follows nobody.
#[test]
fn twins_follow_the_first_lendable_copy() {
    let (_dir, s, g) = copies();
    let jobs: Vec<NodeId> = g.jobs().collect();
    let plans = [1, 2].map(|threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| tollgate_graph::Twins::new(&g, &s, &jobs))
    });
    let copy = |job: NodeId| name(&g, job)[..1].to_owned();
    for twins in &plans {
        assert!(!twins.is_empty());
        let mut followers = 0;
        for &job in &jobs {
            let from = copy(job);
            match twins.lender(job) {
                Some((lead, _)) => {
                    followers += 1;
                    assert_eq!(
                        copy(lead),
                        "b",
                        "{} follows {}",
                        name(&g, job),
                        name(&g, lead)
                    );
                    assert!(matches!(&*from, "c" | "d" | "e"), "{}", name(&g, job));
                    let (a, b) = (name(&g, job), name(&g, lead));
                    assert_eq!(a[1..], b[1..], "a twin is the same job of another copy");
                }
                None => assert!(
                    matches!(&*from, "a" | "b" | "c"),
                    "{} follows nobody",
                    name(&g, job)
                ),
            }
        }
        assert_eq!(followers, twins.len());
    }
    let pairs = |t: &tollgate_graph::Twins| -> Vec<Option<NodeId>> {
        jobs.iter().map(|&j| t.lender(j).map(|(l, _)| l)).collect()
    };
    assert_eq!(pairs(&plans[0]), pairs(&plans[1]));
    // The job that installs with the changed `.npmrc` is not `b`'s twin in `c`.
    let npm = jobs.iter().copied().filter(|&j| {
        tollgate_egress::analyze_job(&s, &g, j)
            .is_some_and(|e| format!("{e:?}").contains("pkg.example.internal"))
    });
    let mut seen = 0;
    for job in npm {
        seen += 1;
        assert!(plans[0].lender(job).is_none(), "{}", name(&g, job));
    }
    assert!(seen > 0);
}

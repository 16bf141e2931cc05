//! Workflows and actions with the text of an earlier file are merged from its fragment
//! when every lookup gives the same answer from their own repository, and built on their
//! own otherwise. Either way the graph must be the one building every file gives.

#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};

use tollgate_graph::Graph;
use tollgate_scan::{Scan, ScanOptions, scan};

#[path = "../../../tests/common/copy_dir.rs"]
mod copy_dir;
use copy_dir::copy_dir;

fn demo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/demo"))
}

/// Every node (kind, origin, parent) and edge (ends, kind, origin), in id order.
fn dump(g: &Graph) -> (Vec<String>, Vec<String>) {
    (
        g.node_ids().map(|n| format!("{:?}", g.node(n))).collect(),
        g.edges()
            .map(|(a, b, e)| format!("{} {} {e:?}", a.index(), b.index()))
            .collect(),
    )
}

fn same_graph(s: &Scan) -> Graph {
    let (shared, d1) = Graph::build(s);
    let (each, d2) = Graph::build_each_file(s);
    assert_eq!(each.copied(), 0);
    let (a, b) = (dump(&shared), dump(&each));
    assert_eq!(a.0.len(), b.0.len(), "node count");
    for (x, y) in a.0.iter().zip(&b.0) {
        assert_eq!(x, y);
    }
    assert_eq!(a.1.len(), b.1.len(), "edge count");
    for (x, y) in a.1.iter().zip(&b.1) {
        assert_eq!(x, y);
    }
    assert_eq!(d1, d2);
    shared
}

const EXTRA: &str = "on: push\njobs:\n  call:\n    uses: ./.github/workflows/none.yml\n  local:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/nope\n      - uses: ./../outside\n      - uses: ./.github/actions/setup-toolchain\n";

const ROOT_ACTION: &str =
    "name: root\nruns:\n  using: composite\n  steps:\n    - run: npm ci\n      shell: bash\n";

/// Six copies of the demo, each with a workflow of missing and outside references and an
/// action at the copy's top (no `.github/` above it, so not movable). `c` lacks the web
/// lockfile, `d` the local action, `f` the requirements file; `e`'s `.npmrc` differs in
/// text only.
#[test]
fn copies_make_the_graph_building_each_file_makes() {
    let dir = tempfile::tempdir().expect("tempdir");
    for copy in ["a", "b", "c", "d", "e", "f"] {
        let to = dir.path().join(copy);
        copy_dir(&demo(), &to);
        std::fs::write(to.join(".github/workflows/extra.yml"), EXTRA).expect("write");
        std::fs::write(to.join("action.yml"), ROOT_ACTION).expect("write");
    }
    let p = dir.path();
    std::fs::remove_file(p.join("c/web/package-lock.json")).expect("rm");
    std::fs::remove_dir_all(p.join("d/.github/actions/setup-toolchain")).expect("rm");
    std::fs::remove_file(p.join("f/requirements.txt")).expect("rm");
    let npmrc = p.join("e/web/.npmrc");
    let text = std::fs::read_to_string(&npmrc).expect("read");
    std::fs::write(&npmrc, text.replace("example.internal", "example.invalid")).expect("write");

    let s = scan(&[p.to_path_buf()], &ScanOptions::default());
    let g = same_graph(&s);
    // Copies of `a`'s ci, release, triage, extra and setup-toolchain: all five in `b` and
    // `e`; `c`'s ci installs without its lockfile, `d`'s ci and extra use the action it
    // lacks (and it has no copy of the action), `f`'s ci and release look in a top
    // directory without `requirements.txt`. The top-level actions are never moved.
    assert_eq!(g.copied(), 5 + 4 + 2 + 5 + 3, "copied inputs");
}

/// The demo at two depths (`x/demo`, `y/z/demo`) and under two scan roots: paths and
/// roots move with the copy.
#[test]
fn copies_move_between_depths_and_roots() {
    let one = tempfile::tempdir().expect("tempdir");
    let two = tempfile::tempdir().expect("tempdir");
    for to in [
        one.path().join("x/demo"),
        one.path().join("y/z/demo"),
        two.path().join("demo"),
    ] {
        copy_dir(&demo(), &to);
        std::fs::write(to.join(".github/workflows/extra.yml"), EXTRA).expect("write");
    }
    let s = scan(
        &[one.path().to_path_buf(), two.path().to_path_buf()],
        &ScanOptions::default(),
    );
    let g = same_graph(&s);
    assert_eq!(g.copied(), 2 * 5);
}

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// The real repositories of `../shared/corpus` (skipped when absent), copied twice.
#[test]
fn corpus_copies_make_the_same_graph() {
    let corpus = Path::new(CORPUS);
    if !corpus.is_dir() {
        eprintln!("skipped: no corpus at {CORPUS}");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for copy in ["a", "b"] {
        copy_dir(corpus, &dir.path().join(copy));
    }
    let s = scan(&[dir.path().to_path_buf()], &ScanOptions::default());
    let g = same_graph(&s);
    assert!(g.copied() > 200, "{} copied", g.copied());
}

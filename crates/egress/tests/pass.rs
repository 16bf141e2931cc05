//! The egress pass writes every job's hosts into the graph: one `host` node per name and
//! a `reaches` edge from each job that needs it, created where the host is named; the
//! record it leaves is what `tollgate egress` renders, so the two agree.

use std::path::PathBuf;

use tollgate_graph::{EdgeKind, Graph, Kind, NodeKind};
use tollgate_scan::{ScanOptions, scan};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/graph")).join(name)
}

fn job(g: &Graph, id: &str) -> tollgate_graph::NodeId {
    g.jobs()
        .find(|j| matches!(&g.node(*j).map(|n| &n.kind), Some(NodeKind::Job { id: x, .. }) if x == id))
        .unwrap_or_else(|| panic!("no job {id}"))
}

#[test]
fn the_pass_adds_the_hosts_each_job_reaches() {
    let s = scan(&[fixture("installs")], &ScanOptions::default());
    let (structural, _) = Graph::build(&s);
    assert_eq!(structural.nodes_of(Kind::Host).count(), 0);
    let (g, d) = tollgate_graph::Graph::build_with(&s, &[&tollgate_egress::Pass]);
    assert!(d.is_empty(), "{d:#?}");
    // testdata/graph/installs/.github/workflows/ci.yml, job `build`, read by hand:
    // `npm ci` in web/ (web/.npmrc sets registry=https://npm.internal.example/, and npm
    // replaces the default registry's host in `resolved` URLs with it), `pip install -r
    // tools/requirements.txt` (PyPI: the index and the file host), `pip install
    // --index-url https://pypi.internal.example/simple`, `curl … get.example.com`,
    // `docker pull ghcr.io/…` (GHCR serves blobs from pkg-containers), `cargo test
    // --locked` with a crates.io Cargo.lock (the sparse index and the crate files).
    assert_eq!(
        g.hosts_of(job(&g, "build")),
        [
            "files.pythonhosted.org",
            "get.example.com",
            "ghcr.io",
            "index.crates.io",
            "npm.internal.example",
            "pkg-containers.githubusercontent.com",
            "pypi.internal.example",
            "pypi.org",
            "static.crates.io",
        ]
    );
    // `npm install -g prettier` in web/ (defaults.run.working-directory) reads web/.npmrc.
    assert_eq!(g.hosts_of(job(&g, "global")), ["npm.internal.example"]);

    // Each edge is created where the host is named: the curl URL on line 19.
    let build = job(&g, "build");
    let get = g
        .nodes_of(Kind::Host)
        .find(|h| {
            g.node(*h)
                .is_some_and(|n| n.kind.label() == "get.example.com")
        })
        .expect("host");
    let origin = g
        .edge_origin(build, get, EdgeKind::Reaches)
        .expect("edge origin");
    assert_eq!(g.location(&origin).start.line as usize, 19);

    // The record holds the same external hosts, with GitHub's own service besides.
    let record = tollgate_egress::of(&g).job(build).expect("record");
    let mut external: Vec<&str> = record.external().map(|d| d.host.as_str()).collect();
    external.dedup();
    assert_eq!(external, g.hosts_of(build));
    assert!(record.destinations.iter().any(|d| d.is_platform()));
}

/// `npm ci` with a lockfile that fetches nothing (only the root package) still asks the
/// registry (npm sends its audit there): the default registry, as without a lockfile.
#[test]
fn an_install_whose_lockfile_fetches_nothing_reaches_the_registry() {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/rules"))
        .join("missing-job-timeout/fires-registry-install");
    let s = scan(&[dir], &ScanOptions::default());
    let (g, _) = tollgate_graph::Graph::build_with(&s, &[&tollgate_egress::Pass]);
    assert_eq!(
        g.hosts_of(job(&g, "test")),
        ["api.github.com", "github.com", "registry.npmjs.org"]
    );
}

#[test]
fn a_script_an_action_runs_from_its_input_reaches_its_hosts_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let wf = dir.path().join(".github/workflows/ci.yml");
    std::fs::create_dir_all(wf.parent().expect("parent")).expect("mkdir");
    // The retry action runs `command` as the step's script; its host comes from there,
    // located in the input's value, once.
    std::fs::write(
        &wf,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: nick-fields/retry@v3\n        with:\n          max_attempts: 3\n          command: curl -fsSL https://downloads.example.com/tool.tgz -o tool.tgz\n",
    )
    .expect("write");
    let s = scan(&[dir.path().to_path_buf()], &ScanOptions::default());
    let (g, _) = tollgate_graph::Graph::build_with(&s, &[&tollgate_egress::Pass]);
    assert_eq!(g.hosts_of(job(&g, "a")), ["downloads.example.com"]);
    let record = tollgate_egress::of(&g);
    let dest: Vec<_> = record.jobs[0]
        .destinations
        .iter()
        .filter(|d| d.host == "downloads.example.com")
        .collect();
    assert_eq!(dest.len(), 1);
    assert_eq!(dest[0].provenance.len(), 1, "{:?}", dest[0].provenance);
    assert_eq!(
        dest[0].provenance[0]
            .location
            .as_ref()
            .map(|l| l.start.line as usize),
        Some(9)
    );
}

#[test]
fn an_image_made_by_docker_commit_reads_no_dockerfile() {
    let dir = tempfile::tempdir().expect("tmp");
    let wf = dir.path().join(".github/workflows/ci.yml");
    std::fs::create_dir_all(wf.parent().expect("parent")).expect("mkdir");
    // numpy's linux.yml: a container is committed to an image and run again.
    std::fs::write(
        &wf,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          docker commit the_container the_container\n          docker build -t app -f ci/Dockerfile .\n",
    )
    .expect("write");
    let s = scan(&[dir.path().to_path_buf()], &ScanOptions::default());
    let (g, _) = tollgate_graph::Graph::build_with(&s, &[&tollgate_egress::Pass]);
    let record = tollgate_egress::of(&g);
    let unresolved: Vec<&str> = record.jobs[0]
        .unresolved
        .iter()
        .map(|u| u.text.as_str())
        .collect();
    assert_eq!(
        unresolved,
        [
            "the base images and build steps of `ci/Dockerfile` (not read: not in the repository or excluded)"
        ]
    );
}

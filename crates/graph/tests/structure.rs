//! Graph structure on hand-built fixture repositories under `testdata/graph/`: counts,
//! specific edges, composite resolution, cycles, `actions.lock`, permissions, secrets.

use std::path::PathBuf;

use tollgate_graph::{Access, EdgeKind, Graph, GraphFilter, Kind, NodeId, NodeKind, Target};
use tollgate_model::{Diagnostic, DiagnosticCode};
use tollgate_scan::{Scan, ScanOptions, scan};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/graph")).join(name)
}

fn build(paths: &[PathBuf]) -> (Scan, Graph, Vec<Diagnostic>) {
    let s = scan(paths, &ScanOptions::default());
    assert!(s.diagnostics.is_empty(), "{:#?}", s.diagnostics);
    let (g, d) = Graph::build(&s);
    (s, g, d)
}

fn count(g: &Graph, kind: Kind) -> usize {
    g.nodes_of(kind).count()
}

fn find(g: &Graph, kind: Kind, label: &str) -> NodeId {
    let found: Vec<NodeId> = g
        .nodes_of(kind)
        .filter(|n| g.node(*n).is_some_and(|x| x.kind.label() == label))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{kind:?} `{label}`: {}",
        labels(g, kind).join(" | ")
    );
    found[0]
}

fn labels(g: &Graph, kind: Kind) -> Vec<String> {
    g.nodes_of(kind)
        .filter_map(|n| g.node(n).map(|x| x.kind.label()))
        .collect()
}

fn label(g: &Graph, id: NodeId) -> String {
    g.node(id).map(|n| n.kind.label()).unwrap_or_default()
}

fn has_edge(g: &Graph, from: NodeId, to: NodeId, kind: EdgeKind) -> bool {
    g.outgoing(from)
        .iter()
        .any(|(e, t)| *t == to && e.kind == kind)
}

fn job(g: &Graph, id: &str) -> NodeId {
    find(g, Kind::Job, id)
}

fn held(g: &Graph, job: NodeId) -> (Vec<String>, Vec<String>, bool) {
    let h = g.holds(job);
    let mut p: Vec<String> = h.permissions.iter().map(|x| label(g, x.node)).collect();
    let mut s: Vec<String> = h.secrets.iter().map(|x| label(g, x.node)).collect();
    p.sort();
    s.sort();
    (p, s, h.oidc.is_some())
}

#[test]
fn basic_counts_and_edges() {
    let (_, g, d) = build(&[fixture("basic")]);
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(count(&g, Kind::Workflow), 2);
    assert_eq!(count(&g, Kind::Trigger), 3);
    assert_eq!(count(&g, Kind::Job), 5);
    assert_eq!(count(&g, Kind::Step), 7);
    // One node per action@ref, however many steps use it.
    assert_eq!(
        labels(&g, Kind::Action),
        vec![
            "actions/checkout@v4",
            "aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502"
        ]
    );
    assert_eq!(count(&g, Kind::Image), 3);
    // Hosts are what jobs reach: the egress pass adds them, the structural build does not.
    assert_eq!(count(&g, Kind::Host), 0);
    assert_eq!(count(&g, Kind::Runner), 2);

    let ci = find(&g, Kind::Workflow, "ci (ci.yml)");
    let build_job = job(&g, "build");
    let deploy = job(&g, "deploy");
    let remote = job(&g, "call-remote");
    assert!(has_edge(&g, ci, build_job, EdgeKind::Contains));
    assert!(has_edge(&g, deploy, build_job, EdgeKind::Needs));
    assert!(has_edge(&g, remote, build_job, EdgeKind::Needs));
    assert!(has_edge(&g, remote, deploy, EdgeKind::Needs));
    let push = find(&g, Kind::Trigger, "on: pull_request_target");
    assert!(has_edge(&g, push, ci, EdgeKind::Triggers));

    let node20 = find(&g, Kind::Image, "node:20");
    assert!(has_edge(&g, build_job, node20, EdgeKind::Pulls));
    let self_hosted = find(&g, Kind::Runner, "runs-on: self-hosted, linux");
    assert!(has_edge(&g, deploy, self_hosted, EdgeKind::RunsOn));
    assert!(matches!(
        g.node(self_hosted).map(|n| &n.kind),
        Some(NodeKind::Runner {
            self_hosted: true,
            ..
        })
    ));

    // Reusable workflows: remote as a node, local resolved to the workflow file.
    let release = find(
        &g,
        Kind::ReusableWorkflow,
        "acme/shared/.github/workflows/release.yml@v1",
    );
    assert!(has_edge(&g, remote, release, EdgeKind::Uses));
    let reusable = find(&g, Kind::Workflow, ".github/workflows/reusable.yml");
    let local = job(&g, "call-local");
    assert!(has_edge(&g, local, reusable, EdgeKind::Uses));
    let reach = g.reaches(local);
    let checkout = find(&g, Kind::Action, "actions/checkout@v4");
    assert_eq!(reach.workflows, vec![reusable]);
    assert!(
        reach.actions.contains(&checkout),
        "through the called workflow"
    );

    // How did the alpine image get here?
    let alpine = find(&g, Kind::Image, "alpine:3.20");
    let path: Vec<String> = g
        .path_to(alpine)
        .unwrap_or_default()
        .iter()
        .map(|n| label(&g, *n))
        .collect();
    assert_eq!(
        path,
        vec![
            "ci (ci.yml)",
            "build",
            "docker://alpine:3.20",
            "alpine:3.20"
        ]
    );
    // Every node has a location except none: all come from the files.
    let loc = g.node_location(alpine).expect("location");
    assert_eq!(&*loc.path, ".github/workflows/ci.yml");
    assert_eq!(
        (loc.start.line as usize, loc.start.column as usize),
        (20, 15)
    );
}

#[test]
fn permissions_job_level_replaces_workflow_level() {
    let (_, g, _) = build(&[fixture("basic")]);
    let (p, _, oidc) = held(&g, job(&g, "build"));
    assert_eq!(p, vec!["contents: read", "pull-requests: write"]);
    assert!(!oidc);
    let (p, _, oidc) = held(&g, job(&g, "deploy"));
    assert_eq!(
        p,
        vec!["contents: read"],
        "no pull-requests: write from the workflow"
    );
    assert!(oidc, "id-token: write");
    // No block anywhere: the repository default.
    let (p, _, _) = held(&g, job(&g, "inner"));
    assert_eq!(p, vec!["default token permissions"]);
    let default = find(&g, Kind::Permission, "default token permissions");
    assert!(matches!(
        g.node(default).map(|n| &n.kind),
        Some(NodeKind::Permission {
            access: Access::RepositoryDefault,
            ..
        })
    ));
    // The holds edge points at the permission entry.
    let h = g.holds(job(&g, "deploy"));
    let o = h.oidc.and_then(|x| x.origin).expect("origin");
    assert_eq!(g.location(&o).start.line as usize, 29);
}

#[test]
fn secrets_and_inherit() {
    let (_, g, _) = build(&[fixture("basic")]);
    let (_, s, _) = held(&g, job(&g, "build"));
    assert_eq!(
        s,
        vec!["secrets.BUILD_TOKEN", "secrets.GLOBAL", "secrets.NPM_TOKEN"]
    );
    let (_, s, _) = held(&g, job(&g, "deploy"));
    assert_eq!(s, vec!["secrets.GLOBAL", "secrets.ROLE"]);
    let (_, s, _) = held(&g, job(&g, "call-remote"));
    assert_eq!(s, vec!["all secrets (inherit)", "secrets.GLOBAL"]);
    let (_, s, _) = held(&g, job(&g, "call-local"));
    assert_eq!(s, vec!["secrets.GLOBAL", "secrets.LOCAL_TOKEN"]);
    let (_, s, _) = held(&g, job(&g, "inner"));
    assert_eq!(s, vec!["secrets.token"]);
    // One node per secret name.
    assert_eq!(count(&g, Kind::Secret), 7);
    // The edge of a secret used in `run:` points into the script.
    let h = g.holds(job(&g, "build"));
    let bt = find(&g, Kind::Secret, "secrets.BUILD_TOKEN");
    let o = h
        .secrets
        .iter()
        .find(|x| x.node == bt)
        .and_then(|x| x.origin)
        .expect("origin");
    let at = g.location(&o).start;
    assert_eq!((at.line, at.column), (22, 35));
}

fn flat_labels(g: &Graph, job: NodeId) -> Vec<String> {
    g.job_steps(job)
        .iter()
        .map(|s| format!("{}{}", "  ".repeat(s.via.len()), label(g, s.step)))
        .collect()
}

#[test]
fn composite_resolution_two_levels_deep() {
    let (sc, g, d) = build(&[fixture("composite")]);
    assert!(d.is_empty(), "{d:#?}");
    let test = job(&g, "test");
    assert_eq!(
        flat_labels(&g, test),
        vec![
            "actions/checkout@v4",
            "./.github/actions/outer",
            "  actions/setup-node@v4",
            "  ./.github/actions/inner",
            "    actions/cache@v4",
            "    docker://ghcr.io/acme/tool:1.2",
            "  run step 3",
            "run step 3",
        ]
    );
    let flat = g.job_steps(test);
    let outer = find(&g, Kind::Action, "./.github/actions/outer");
    let inner = find(&g, Kind::Action, "./.github/actions/inner");
    assert_eq!(flat[4].action, Some(inner));
    assert_eq!(flat[4].via.len(), 2);
    assert_eq!(g.path(flat[4].input), ".github/actions/inner/action.yml");
    assert_eq!(
        g.step_model(&sc, flat[4].step)
            .map(|st| st.label())
            .as_deref(),
        Some("actions/cache@v4")
    );
    let (_, job_model) = g.job_model(&sc, test).expect("job model");
    assert_eq!(job_model.id.value, "test");
    // `$/` and `./` resolve to the same node.
    let again = job(&g, "again");
    let again_steps = g.job_steps(again);
    assert_eq!(again_steps.len(), 1 + 5 + 1);
    assert!(has_edge(&g, again_steps[0].step, outer, EdgeKind::Uses));
    let missing = find(&g, Kind::Action, "./.github/actions/missing (not found)");
    assert!(matches!(
        g.node(missing).map(|n| &n.kind),
        Some(NodeKind::Action {
            target: Target::Local { file: None, .. },
            ..
        })
    ));
    // Reach through both levels.
    let reach = g.reaches(again);
    let names: Vec<String> = reach.actions.iter().map(|n| label(&g, *n)).collect();
    assert!(names.contains(&"actions/cache@v4".to_owned()), "{names:?}");
    let imgs: Vec<String> = reach.images.iter().map(|n| label(&g, *n)).collect();
    assert_eq!(imgs, vec!["ghcr.io/acme/tool:1.2"]);
    let cache = find(&g, Kind::Action, "actions/cache@v4");
    let path: Vec<String> = g
        .path_to(cache)
        .unwrap_or_default()
        .iter()
        .map(|n| label(&g, *n))
        .collect();
    assert_eq!(
        path,
        vec![
            ".github/workflows/ci.yml",
            "test",
            "./.github/actions/outer",
            "./.github/actions/outer",
            "./.github/actions/inner",
            "./.github/actions/inner",
            "actions/cache@v4",
            "actions/cache@v4"
        ]
    );
}

#[test]
fn local_actions_are_loaded_when_only_the_workflow_is_scanned() {
    // pre-commit passes only the changed files.
    let wf = fixture("composite/.github/workflows/ci.yml");
    let (s, g, d) = build(&[wf]);
    assert!(d.is_empty(), "{d:#?}");
    // The scan loads the two local actions the workflow references.
    assert_eq!(s.inputs.len(), 3);
    assert_eq!(s.inputs.iter().filter(|i| i.by_reference).count(), 2);
    assert_eq!(g.job_steps(job(&g, "test")).len(), 8);
}

#[test]
fn a_composite_action_that_uses_itself_is_a_cycle() {
    let (_, _, d) = build(&[fixture("cycle-self")]);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(
        d[0].message,
        "reference cycle between `./.github/actions/z`"
    );
    let loc = d[0].location.as_ref().expect("location");
    assert_eq!(&*loc.path, ".github/actions/z/action.yml");
    assert_eq!(
        (loc.start.line as usize, loc.start.column as usize),
        (8, 13)
    );
}

#[test]
fn reusable_workflows_calling_each_other_are_a_cycle_without_their_caller() {
    let (_, _, d) = build(&[fixture("cycle-workflows")]);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(
        d[0].message,
        "reference cycle between `.github/workflows/a.yml`, `.github/workflows/b.yml`"
    );
    // The first closing reference in input order: `a.yml` calling `b.yml`.
    let loc = d[0].location.as_ref().expect("location");
    assert_eq!(&*loc.path, ".github/workflows/a.yml");
    assert_eq!(
        (loc.start.line as usize, loc.start.column as usize),
        (4, 11)
    );
}

#[test]
fn cycle_between_two_composite_actions_is_a_diagnostic() {
    let (_, g, d) = build(&[fixture("cycle")]);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].message.contains("reference cycle"), "{}", d[0].message);
    assert!(d[0].message.contains("./.github/actions/x"));
    assert!(d[0].message.contains("./.github/actions/y"));
    let loc = d[0].location.as_ref().expect("location");
    assert_eq!(&*loc.path, ".github/actions/x/action.yml");
    // Queries terminate and follow the cycle once.
    let steps = flat_labels(&g, job(&g, "loop"));
    assert_eq!(
        steps,
        vec![
            "./.github/actions/x",
            "  ./.github/actions/y",
            "    actions/checkout@v4",
            "    ./.github/actions/x",
        ]
    );
    assert_eq!(g.reaches(job(&g, "loop")).actions.len(), 3);
}

#[test]
fn actions_lock_commits_and_transitive_edges() {
    let (_, g, d) = build(&[fixture("lock")]);
    assert!(d.is_empty(), "{d:#?}");
    let commit = |id: NodeId| match g.node(id).map(|n| &n.kind) {
        Some(NodeKind::Action {
            target: Target::Remote(r),
            ..
        }) => (r.locked_commit.clone(), r.is_pinned()),
        _ => (None, false),
    };
    let checkout = find(
        &g,
        Kind::Action,
        "actions/checkout@v4 (locked 11bd71901bbe)",
    );
    assert_eq!(
        commit(checkout),
        (
            Some("11bd71901bbe5b1630ceea73d27597364c9af683".to_owned()),
            true
        )
    );
    let init = find(
        &g,
        Kind::Action,
        "github/codeql-action/init@v3 (locked df409f7d9260)",
    );
    let python = find(
        &g,
        Kind::Action,
        "actions/setup-python@v5 (locked a26af69be951)",
    );
    let cache = find(&g, Kind::Action, "actions/cache@v4");
    assert!(has_edge(&g, init, python, EdgeKind::Uses));
    assert!(has_edge(&g, init, cache, EdgeKind::Uses));
    assert_eq!(commit(cache), (None, false));
    let unlocked = find(&g, Kind::Action, "acme/unlocked@main");
    assert_eq!(commit(unlocked), (None, false));
    let reach = g.reaches(job(&g, "scan"));
    assert_eq!(reach.actions.len(), 5);
    let path: Vec<String> = g
        .path_to(python)
        .unwrap_or_default()
        .iter()
        .map(|n| label(&g, *n))
        .collect();
    assert_eq!(path.len(), 5, "{path:?}");
}

#[test]
fn ids_are_the_same_whatever_the_thread_count() {
    let paths = [fixture("basic"), fixture("composite"), fixture("lock")];
    let s = scan(&paths, &ScanOptions::default());
    let dump = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let (g, _) = pool.install(|| Graph::build(&s));
        let nodes: Vec<String> = g.node_ids().map(|n| label(&g, n)).collect();
        let edges: Vec<(usize, usize, EdgeKind)> = g
            .edges()
            .map(|(a, b, e)| (a.index(), b.index(), e.kind))
            .collect();
        (nodes, edges)
    };
    let one = dump(1);
    assert_eq!(one, dump(2));
    assert_eq!(one, dump(4));
}

#[test]
fn filters() {
    let (_, g, _) = build(&[fixture("basic")]);
    let all = g.view(&GraphFilter::default());
    assert_eq!(all.nodes.len(), g.node_count());
    assert_eq!(all.edges.len(), g.edge_count());

    let only = g.view(&GraphFilter {
        workflows: vec!["reusable".into()],
        ..GraphFilter::default()
    });
    let names: Vec<String> = only.nodes.iter().map(|n| label(&g, *n)).collect();
    assert!(names.contains(&"inner".to_owned()));
    assert!(!names.contains(&"build".to_owned()));

    let job_view = g.view(&GraphFilter {
        jobs: vec!["deploy".into()],
        ..GraphFilter::default()
    });
    let names: Vec<String> = job_view.nodes.iter().map(|n| label(&g, *n)).collect();
    assert!(names.contains(&"deploy".to_owned()));
    assert!(names.contains(&"ci (ci.yml)".to_owned()));
    assert!(!names.contains(&"build".to_owned()), "{names:?}");

    let kinds = g.view(&GraphFilter {
        kinds: GraphFilter::parse_kinds("action,image,host").expect("kinds"),
        ..GraphFilter::default()
    });
    let kinds_present: Vec<Kind> = kinds.kinds();
    assert_eq!(
        kinds_present,
        vec![Kind::Workflow, Kind::Job, Kind::Action, Kind::Image,]
    );
    // Contracted: the job uses the action directly, steps are gone.
    let checkout = find(&g, Kind::Action, "actions/checkout@v4");
    let build_job = job(&g, "build");
    assert!(
        kinds
            .edges
            .iter()
            .any(|e| e.from == build_job && e.to == checkout && e.kind == EdgeKind::Uses)
    );
    // call-remote reaches no action, image or host: dropped.
    let remote = job(&g, "call-remote");
    assert!(!kinds.nodes.contains(&remote));

    let unmatched = g.view(&GraphFilter {
        workflows: vec!["nope".into()],
        ..GraphFilter::default()
    });
    assert_eq!(unmatched.unmatched, vec!["nope".to_owned()]);
    assert!(unmatched.nodes.is_empty());
    assert!(GraphFilter::parse_kinds("action,bogus").is_err());
}

#[test]
fn run_scripts_tie_installs_to_lockfiles_and_registry_configs() {
    let (_, g, d) = build(&[fixture("installs")]);
    assert!(d.is_empty(), "{d:#?}");
    let npm_ci = find(&g, Kind::Command, "npm ci");
    let web_lock = find(&g, Kind::Lockfile, "web/package-lock.json (2 packages)");
    let npmrc = find(&g, Kind::RegistryConfig, "web/.npmrc");
    assert!(has_edge(&g, npm_ci, web_lock, EdgeKind::Installs));
    assert!(has_edge(&g, npm_ci, npmrc, EdgeKind::ResolvesFrom));
    let pip_r = find(
        &g,
        Kind::Command,
        "pip install --require-hashes -r tools/requirements.txt",
    );
    let reqs = find(&g, Kind::Lockfile, "tools/requirements.txt (1 packages)");
    assert!(has_edge(&g, pip_r, reqs, EdgeKind::Installs));
    let cargo = find(&g, Kind::Command, "cargo test --locked");
    let cargo_lock = find(&g, Kind::Lockfile, "Cargo.lock (1 packages)");
    assert!(has_edge(&g, cargo, cargo_lock, EdgeKind::Installs));
    // A global install with named packages reads no lockfile; `defaults.run` applies.
    let global = find(&g, Kind::Command, "npm install -g prettier@3.3.3");
    let prettier = find(&g, Kind::Package, "npm:prettier@3.3.3");
    assert!(has_edge(&g, global, prettier, EdgeKind::Installs));
    assert!(!has_edge(&g, global, web_lock, EdgeKind::Installs));
    assert!(has_edge(&g, global, npmrc, EdgeKind::ResolvesFrom));
    let index = find(
        &g,
        Kind::Source,
        "registry https://pypi.internal.example/simple",
    );
    let black = find(
        &g,
        Kind::Command,
        "pip install --index-url https://pypi.internal.example/simple black==24.1.0",
    );
    assert!(has_edge(&g, black, index, EdgeKind::ResolvesFrom));
    assert_eq!(
        label(&g, find(&g, Kind::Package, "pypi:black==24.1.0")),
        "pypi:black==24.1.0"
    );
    let curl = find(
        &g,
        Kind::Command,
        "curl -fsSL https://get.example.com/install.sh",
    );
    let pull = find(&g, Kind::Command, "docker pull ghcr.io/acme/builder:1");
    let builder = find(&g, Kind::Image, "ghcr.io/acme/builder:1");
    assert!(has_edge(&g, pull, builder, EdgeKind::Pulls));

    // workflow → job → step → command → lockfile → package → source
    let npmjs = find(&g, Kind::Source, "registry https://registry.npmjs.org/");
    let path: Vec<Kind> = g
        .path_to(npmjs)
        .unwrap_or_default()
        .iter()
        .filter_map(|n| g.node(*n).map(|x| x.kind.kind()))
        .collect();
    assert_eq!(
        path,
        vec![
            Kind::Workflow,
            Kind::Job,
            Kind::Step,
            Kind::Command,
            Kind::Lockfile,
            Kind::Package,
            Kind::Source,
        ]
    );
    // The command's location is in the script, mapped to the file.
    let loc = g.node_location(curl).expect("location");
    assert_eq!(
        (loc.start.line as usize, loc.start.column as usize),
        (19, 11)
    );

    // Collapsed: no packages, the lockfile resolves from the sources directly.
    let view = g.view(&GraphFilter {
        collapse_packages: true,
        ..GraphFilter::default()
    });
    assert!(!view.kinds().contains(&Kind::Package));
    let npmjs_source = find(&g, Kind::Source, "registry https://registry.npmjs.org/");
    assert!(view.edges.iter().any(|e| e.from == web_lock
        && e.to == npmjs_source
        && e.kind == EdgeKind::ResolvesFrom
        && e.count == 1));
}

#[test]
fn edges_named_by_several_files_are_kept_once_with_the_first_origin() {
    // Both lockfiles list serde 1.0.200 from crates.io: one package node, one edge to
    // its source, at the first lockfile's `source =` line (line 6 of `a/Cargo.lock`; it
    // is line 12 of `b/Cargo.lock`).
    let (s, g, _) = build(&[fixture("shared-packages")]);
    // The fixture has no `.github`: it is read within the repository holding it, so its
    // display paths start with where it sits there.
    let a_lock = s
        .inputs
        .iter()
        .find(|i| i.source.disk.ends_with("shared-packages/a/Cargo.lock"))
        .map(|i| i.source.display.clone())
        .expect("a/Cargo.lock read");
    assert!(a_lock.ends_with("a/Cargo.lock"), "{a_lock}");
    let serde = find(&g, Kind::Package, "cargo:serde@1.0.200");
    let out: Vec<_> = g
        .outgoing(serde)
        .into_iter()
        .filter(|(e, _)| e.kind == EdgeKind::ResolvesFrom)
        .collect();
    assert_eq!(out.len(), 1, "{out:?}");
    let at = g.location(&out[0].0.origin.expect("origin"));
    assert_eq!(&*at.path, a_lock);
    assert_eq!(at.start.line as usize, 6);
    // Both lockfiles contain it.
    assert_eq!(
        g.incoming(serde)
            .iter()
            .filter(|(e, _)| e.kind == EdgeKind::Contains)
            .count(),
        2
    );
}

/// Write `files` (path, text) under a fresh directory.
fn repo(files: &[(String, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (rel, text) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    dir
}

/// A chain of `levels` local actions, `a0` using `a1` twice, `a1` using `a2` twice, …
fn chain(levels: usize) -> Vec<(String, String)> {
    let mut files = vec![(
        ".github/workflows/ci.yml".to_owned(),
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/a0\n      - run: echo end\n".to_owned(),
    )];
    for i in 0..levels {
        let steps = if i + 1 == levels {
            "    - run: echo leaf\n      shell: bash\n".to_owned()
        } else {
            format!("    - uses: ./.github/actions/a{}\n", i + 1).repeat(2)
        };
        files.push((
            format!(".github/actions/a{i}/action.yml"),
            format!("name: a{i}\ndescription: x\nruns:\n  using: composite\n  steps:\n{steps}"),
        ));
    }
    files
}

#[test]
fn a_composite_action_used_twice_is_flattened_once_per_job() {
    let dir = repo(&chain(3));
    let (_, g, d) = build(&[dir.path().to_path_buf()]);
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(
        flat_labels(&g, job(&g, "build")),
        vec![
            "./.github/actions/a0",
            "  ./.github/actions/a1",
            "    ./.github/actions/a2",
            "      run step 1",
            "    ./.github/actions/a2",
            "  ./.github/actions/a1",
            "run step 2",
        ]
    );
}

#[test]
fn composite_actions_are_followed_ten_levels_deep_and_a_deeper_chain_is_reported() {
    let dir = repo(&chain(12));
    let (_, g, d) = build(&[dir.path().to_path_buf()]);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, DiagnosticCode::Limit);
    assert_eq!(d[0].path, ".github/workflows/ci.yml");
    assert_eq!(
        d[0].location.as_ref().map(|l| l.start.line as usize),
        Some(6)
    );
    let flat = g.job_steps(job(&g, "build"));
    let deepest = flat.iter().map(|s| s.via.len()).max();
    assert_eq!(deepest, Some(tollgate_graph::MAX_COMPOSITE_DEPTH));
    // The two workflow steps, and the two steps of each of the ten levels.
    assert_eq!(flat.len(), 2 + 2 * tollgate_graph::MAX_COMPOSITE_DEPTH);
    // Exactly ten levels: no diagnostic.
    let dir = repo(&chain(10));
    let (_, _, d) = build(&[dir.path().to_path_buf()]);
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn container_and_service_credentials_are_secrets_the_job_holds() {
    let (_, g, d) = build(&[fixture("credentials")]);
    assert!(d.is_empty(), "{d:#?}");
    let test = job(&g, "test");
    let (_, secrets, _) = held(&g, test);
    assert_eq!(
        secrets,
        vec!["secrets.DB_REGISTRY_TOKEN", "secrets.REGISTRY_PASSWORD"]
    );
    // Each is located at its expression, in the block and in the flow mapping.
    let lines: Vec<usize> = g
        .holds(test)
        .secrets
        .iter()
        .filter_map(|h| h.origin.map(|o| g.location(&o).start.line as usize))
        .collect();
    let mut lines = lines;
    lines.sort_unstable();
    assert_eq!(lines, vec![12, 16]);
}

/// A Dockerfile's `FROM` and `COPY --from` images are `pulls` edges from its node, at the
/// reference, into the image nodes workflows reach; stages and `scratch` are none.
#[test]
fn dockerfiles_pull_their_base_images() {
    let dir = tempfile::tempdir().expect("tmp");
    let r = dir.path();
    std::fs::create_dir_all(r.join(".github/workflows")).expect("mkdir");
    std::fs::write(
        r.join(".github/workflows/ci.yml"),
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    container: alpine:3.20\n    steps:\n      - run: echo\n",
    )
    .expect("write");
    std::fs::write(
        r.join("Dockerfile"),
        "ARG V=3.20\nFROM alpine:${V} AS base\nFROM base\nCOPY --from=ghcr.io/o/tool:1 /t /t\nFROM scratch\nCOPY --from=base / /\n",
    )
    .expect("write");
    let (_, g, d) = build(&[r.to_path_buf()]);
    assert!(d.is_empty(), "{d:?}");
    let file = find(&g, Kind::Dockerfile, "Dockerfile");
    assert!(matches!(
        g.node(file).map(|n| &n.kind),
        Some(NodeKind::Dockerfile { stages: 3, .. })
    ));
    let alpine = find(&g, Kind::Image, "alpine:3.20");
    let tool = find(&g, Kind::Image, "ghcr.io/o/tool:1");
    assert!(has_edge(&g, file, alpine, EdgeKind::Pulls));
    assert!(has_edge(&g, file, tool, EdgeKind::Pulls));
    // The workflow's container is the same image node.
    assert!(has_edge(&g, job(&g, "a"), alpine, EdgeKind::Pulls));
    assert_eq!(count(&g, Kind::Image), 2, "{:?}", labels(&g, Kind::Image));
    let at: Vec<(usize, usize)> = g
        .outgoing(file)
        .iter()
        .filter_map(|(e, _)| e.origin)
        .map(|o| {
            let l = g.location(&o);
            (l.start.line as usize, l.start.column as usize)
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(at, [(2, 6), (4, 13)]);
}

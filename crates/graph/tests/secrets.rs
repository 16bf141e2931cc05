//! The `reads` edges and their detail on small workflows written here: which step reads
//! which secret, located at the expression that hands it over, and how.

use tollgate_graph::{EdgeKind, Graph, Kind, LeakTo, NodeId, NodeKind, Via, Whole};
use tollgate_scan::{Scan, ScanOptions, scan};

fn build(files: &[(&str, &str)]) -> (tempfile::TempDir, Scan, Graph) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (rel, text) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
    }
    let s = scan(&[dir.path().to_path_buf()], &ScanOptions::default());
    assert!(s.diagnostics.is_empty(), "{:#?}", s.diagnostics);
    let (g, _) = Graph::build(&s);
    (dir, s, g)
}

fn workflow(text: &str) -> (tempfile::TempDir, Scan, Graph) {
    build(&[(".github/workflows/ci.yml", text)])
}

/// The steps of a graph by label.
fn step(g: &Graph, label: &str) -> NodeId {
    let found: Vec<NodeId> = g
        .nodes_of(Kind::Step)
        .filter(|n| g.node(*n).is_some_and(|x| x.kind.label() == label))
        .collect();
    assert_eq!(found.len(), 1, "step `{label}`");
    found[0]
}

fn job(g: &Graph, id: &str) -> NodeId {
    g.job_node(".github/workflows/ci.yml", id).expect("job")
}

/// The secrets `reader` has a `reads` edge to, by label, with the text at the edge's
/// origin.
fn reads(g: &Graph, s: &Scan, reader: NodeId) -> Vec<(String, String)> {
    g.outgoing(reader)
        .into_iter()
        .filter(|(e, _)| e.kind == EdgeKind::Reads)
        .map(|(e, t)| {
            (
                g.node(t).map(|n| n.kind.label()).unwrap_or_default(),
                text(s, e.origin),
            )
        })
        .collect()
}

fn text(s: &Scan, origin: Option<tollgate_graph::Origin>) -> String {
    let Some(o) = origin else {
        return String::new();
    };
    s.inputs[o.input().0].source.text()[o.span().range()].to_owned()
}

#[test]
fn a_step_env_secret_is_read_at_its_expression() {
    let (_d, s, g) = workflow(
        "on: push\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - name: publish\n        run: npm publish\n        env:\n          TOKEN: ${{ secrets.NPM_TOKEN }}\n      - name: test\n        run: npm test\n",
    );
    let publish = step(&g, "publish");
    assert_eq!(
        reads(&g, &s, publish),
        [(
            "secrets.NPM_TOKEN".to_owned(),
            "${{ secrets.NPM_TOKEN }}".to_owned()
        )]
    );
    let detail = g.reads_of(publish);
    assert_eq!(detail.len(), 1);
    assert_eq!(
        detail[0].via,
        Via::StepEnv {
            var: Some("TOKEN".into())
        }
    );
    assert_eq!(g.secret_name(detail[0].secret), Some("NPM_TOKEN"));
    // The other step of the job reads nothing, though the job holds the secret.
    assert!(reads(&g, &s, step(&g, "test")).is_empty());
    assert!(g.reads_of(step(&g, "test")).is_empty());
    // Not a dependency: the secret is not something the step pulls in.
    assert!(!g.reachable(publish).iter().any(|n| {
        g.node(*n)
            .is_some_and(|x| matches!(x.kind, NodeKind::Secret { .. }))
    }));
}

#[test]
fn a_job_env_secret_reaches_every_step_of_the_job() {
    let (_d, s, g) = workflow(
        "on: push\nenv:\n  WIDE: ${{ secrets.WIDE }}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env:\n      KEY: ${{ secrets.KEY }}\n    steps:\n      - name: one\n        run: make\n      - name: two\n        run: make test\n  other:\n    runs-on: ubuntu-latest\n    steps:\n      - name: three\n        run: true\n",
    );
    // The job reads what its steps inherit, once, at the `env:` entries.
    assert_eq!(
        reads(&g, &s, job(&g, "build")),
        [
            ("secrets.WIDE".to_owned(), "${{ secrets.WIDE }}".to_owned()),
            ("secrets.KEY".to_owned(), "${{ secrets.KEY }}".to_owned()),
        ]
    );
    for label in ["one", "two"] {
        let via: Vec<&Via> = g.step_reads(step(&g, label)).map(|r| &r.via).collect();
        assert_eq!(
            via,
            [
                &Via::WorkflowEnv {
                    var: Some("WIDE".into())
                },
                &Via::JobEnv {
                    var: Some("KEY".into())
                }
            ],
            "{label}"
        );
        // Nothing of its own.
        assert!(reads(&g, &s, step(&g, label)).is_empty());
    }
    // The other job inherits the workflow's env only.
    let names: Vec<Option<&str>> = g
        .step_reads(step(&g, "three"))
        .map(|r| g.secret_name(r.secret))
        .collect();
    assert_eq!(names, [Some("WIDE")]);
}

#[test]
fn a_with_input_of_an_unpinned_action_is_read_by_the_step() {
    let (_d, s, g) = workflow(
        "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - name: deploy\n        uses: some-org/deploy@v2\n        with:\n          token: ${{ secrets.X }}\n",
    );
    let deploy = step(&g, "deploy");
    assert_eq!(
        reads(&g, &s, deploy),
        [("secrets.X".to_owned(), "${{ secrets.X }}".to_owned())]
    );
    assert_eq!(
        g.reads_of(deploy)[0].via,
        Via::With {
            input: "token".into()
        }
    );
    // What the step hands it to: an action whose ref can move.
    let target = g.uses_target(deploy).expect("uses");
    let Some(NodeKind::Action {
        target: tollgate_graph::Target::Remote(r),
        ..
    }) = g.node(target).map(|n| &n.kind)
    else {
        panic!("remote action");
    };
    assert_eq!(r.reference, "some-org/deploy@v2");
    assert!(!r.is_pinned());
}

#[test]
fn a_run_expression_is_read_by_its_step_and_an_echo_leaks_it() {
    let (_d, s, g) = workflow(
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - name: show\n        run: echo ${{ secrets.Y }}\n      - name: all\n        run: echo '${{ toJSON(secrets) }}' > all.json\n",
    );
    let show = step(&g, "show");
    assert_eq!(
        reads(&g, &s, show),
        [("secrets.Y".to_owned(), "${{ secrets.Y }}".to_owned())]
    );
    assert_eq!(g.reads_of(show)[0].via, Via::Script);
    let leaks = g.leaks_of(show);
    assert_eq!(leaks.len(), 1);
    assert_eq!((leaks[0].name.as_str(), &leaks[0].to), ("Y", &LeakTo::Log));
    assert_eq!(text(&s, Some(leaks[0].origin)), "${{ secrets.Y }}");
    // The whole context: one read of "all secrets", marked as such.
    let all = g.reads_of(step(&g, "all"));
    assert_eq!(all.len(), 1);
    assert_eq!(g.secret_name(all[0].secret), None);
    assert_eq!(all[0].whole, Some(Whole::Every));
}

#[test]
fn a_called_workflow_is_handed_its_secrets_by_the_job() {
    let (_d, s, g) = workflow(
        "on: push\njobs:\n  call:\n    uses: octo-org/ci/.github/workflows/publish.yml@v1\n    with:\n      name: ${{ secrets.NAME }}\n    secrets:\n      PYPI: ${{ secrets.PYPI_TOKEN }}\n  all:\n    uses: octo-org/ci/.github/workflows/publish.yml@v1\n    secrets: inherit\n",
    );
    let call = job(&g, "call");
    assert_eq!(
        reads(&g, &s, call),
        [
            ("secrets.NAME".to_owned(), "${{ secrets.NAME }}".to_owned()),
            (
                "secrets.PYPI_TOKEN".to_owned(),
                "${{ secrets.PYPI_TOKEN }}".to_owned()
            ),
        ]
    );
    let via: Vec<&Via> = g.reads_of(call).iter().map(|r| &r.via).collect();
    assert_eq!(
        via,
        [
            &Via::CallWith {
                input: "name".into()
            },
            &Via::CallSecrets {
                name: "PYPI".into()
            }
        ]
    );
    assert_eq!(
        reads(&g, &s, job(&g, "all")),
        [("all secrets (inherit)".to_owned(), "inherit".to_owned())]
    );
}

#[test]
fn one_edge_per_reader_and_secret_with_every_hand_over_in_the_record() {
    let (_d, s, g) = workflow(
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env:\n      A: ${{ secrets.K }}\n    steps:\n      - name: twice\n        run: use ${{ secrets.K }}\n        env:\n          B: ${{ secrets.K }}\n",
    );
    let twice = step(&g, "twice");
    // The edge sits at the step's own first hand-over (its `env:`).
    assert_eq!(
        reads(&g, &s, twice),
        [("secrets.K".to_owned(), "${{ secrets.K }}".to_owned())]
    );
    let via: Vec<&Via> = g.step_reads(twice).map(|r| &r.via).collect();
    assert_eq!(
        via,
        [
            &Via::StepEnv {
                var: Some("B".into())
            },
            &Via::Script,
            &Via::JobEnv {
                var: Some("A".into())
            }
        ]
    );
}

/// A generated workflow whose `env:` names `n` secrets, with one job of `n` steps: the
/// steps inherit every one of them, and the graph must not hold `n²` of anything.
#[test]
fn a_wide_env_over_many_steps_stays_linear() {
    let n = 3000;
    let mut w = String::from("on: push\nenv:\n");
    for i in 0..n {
        w.push_str(&format!("  V{i}: ${{{{ secrets.S{i} }}}}\n"));
    }
    w.push_str("jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n");
    for i in 0..n {
        w.push_str(&format!("      - run: echo {i}\n"));
    }
    let started = std::time::Instant::now();
    let (_d, _s, g) = workflow(&w);
    let took = started.elapsed();
    // Generous: a hang or a quadratic table, not a timing.
    assert!(took.as_secs() < 20, "{took:?}");
    assert!(g.edge_count() < 10 * n, "{} edges", g.edge_count());
    // Every step still reads every secret, through its job.
    let input = g.input_id(".github/workflows/ci.yml").expect("input");
    let last = g.step_node(input, Some(0), n - 1).expect("last step");
    assert_eq!(g.step_reads(last).count(), n);
}

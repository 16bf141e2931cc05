//! Images as graph facts on small fixtures written here: the pin state of image nodes,
//! `builds` edges from `docker build -t`, the pulls of a job with whether it built the
//! image itself, steps whose scripts may build images, and diagrams that leave built
//! images out.

use tollgate_graph::{
    EdgeKind, Graph, GraphFilter, ImagePin, ImagePull, Kind, NodeId, NodeKind, Origin,
};
use tollgate_scan::{ScanOptions, scan};

const DIGEST: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn workflow() -> String {
    format!(
        r#"on: push
jobs:
  ci:
    runs-on: ubuntu-latest
    container: alpine:3.19
    services:
      db:
        image: postgres@sha256:{DIGEST}
    steps:
      - run: |
          docker run app:ci
          docker build -t app:ci .
      - run: docker run ubuntu
      - run: pnpm build:docker
      - run: docker run node:20
  matrix:
    runs-on: ubuntu-latest
    container: ${{{{ matrix.image }}}}
    steps:
      - run: docker run app:ci
      - run: docker run "$IMAGE"
"#
    )
}

/// The text of the workflow, the graph of a repository holding only it.
fn build() -> (String, Graph) {
    build_from(workflow())
}

fn build_from(text: String) -> (String, Graph) {
    let dir = tempfile::tempdir().expect("tempdir");
    let wf_dir = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf_dir).expect("mkdir");
    std::fs::write(wf_dir.join("ci.yml"), &text).expect("write");
    let s = scan(&[dir.path().to_path_buf()], &ScanOptions::default());
    assert!(s.diagnostics.is_empty(), "{:#?}", s.diagnostics);
    let (g, d) = Graph::build(&s);
    assert!(d.is_empty(), "{d:#?}");
    (text, g)
}

fn job(g: &Graph, id: &str) -> NodeId {
    g.job_node(".github/workflows/ci.yml", id)
        .expect("job node")
}

fn reference(g: &Graph, n: NodeId) -> String {
    match g.node(n).map(|x| &x.kind) {
        Some(NodeKind::Image { reference }) => reference.clone(),
        other => panic!("not an image: {other:?}"),
    }
}

fn at(text: &str, o: Option<Origin>) -> &str {
    let s = o.expect("origin").span();
    &text[s.range()]
}

fn pulls_of(g: &Graph, job: NodeId) -> Vec<(String, ImagePin, bool, bool)> {
    g.image_pulls(job)
        .iter()
        .map(|p: &ImagePull| (reference(g, p.image), p.pin, p.built, p.after_image_script))
        .collect()
}

#[test]
fn a_job_container_is_pulled_at_its_tag() {
    let (text, g) = build();
    let ci = job(&g, "ci");
    let pulls = g.image_pulls(ci);
    let container = pulls
        .iter()
        .find(|p| p.from == ci && reference(&g, p.image) == "alpine:3.19")
        .expect("container pull");
    assert_eq!(container.pin, ImagePin::Tag);
    assert_eq!(g.image_pin(container.image), Some(ImagePin::Tag));
    assert_eq!(at(&text, container.origin), "alpine:3.19");
    assert!(
        g.outgoing(ci)
            .iter()
            .any(|(e, t)| e.kind == EdgeKind::Pulls && *t == container.image)
    );
}

#[test]
fn pin_states_of_digests_floating_images_and_run_time_choices() {
    let (_, g) = build();
    let ci = pulls_of(&g, job(&g, "ci"));
    let expected_ci = vec![
        ("alpine:3.19".to_owned(), ImagePin::Tag, false, false),
        (
            format!("postgres@sha256:{DIGEST}"),
            ImagePin::Digest,
            false,
            false,
        ),
        // Built in the same step, after the run: a build anywhere in the step counts.
        ("app:ci".to_owned(), ImagePin::Tag, true, false),
        ("ubuntu".to_owned(), ImagePin::Floating, false, false),
        // After `pnpm build:docker`: maybe built there.
        ("node:20".to_owned(), ImagePin::Tag, false, true),
    ];
    assert_eq!(ci, expected_ci);
    let matrix = pulls_of(&g, job(&g, "matrix"));
    let expected_matrix = vec![
        (
            "${{ matrix.image }}".to_owned(),
            ImagePin::RunTime,
            false,
            false,
        ),
        // Another job's build does not count.
        ("app:ci".to_owned(), ImagePin::Tag, false, false),
        ("$IMAGE".to_owned(), ImagePin::RunTime, false, false),
    ];
    assert_eq!(matrix, expected_matrix);
    assert_eq!(ImagePin::of("docker://alpine:latest"), ImagePin::Floating);
    assert_eq!(ImagePin::of("alpine@sha256:abc"), ImagePin::Floating);
    assert_eq!(ImagePin::of("alpine:3@sha256:abc"), ImagePin::Tag);
}

#[test]
fn docker_build_tags_are_builds_edges_to_images_of_their_own() {
    let (text, g) = build();
    let builds: Vec<(NodeId, NodeId, Option<Origin>)> = g
        .edges()
        .filter(|(_, _, e)| e.kind == EdgeKind::Builds)
        .map(|(f, t, e)| (f, t, e.origin))
        .collect();
    assert_eq!(builds.len(), 1);
    let (cmd, built, origin) = builds[0];
    assert!(matches!(
        g.node(cmd).map(|n| &n.kind),
        Some(NodeKind::Command { text, .. }) if text == "docker build -t app:ci ."
    ));
    assert_eq!(reference(&g, built), "app:ci");
    assert_eq!(at(&text, origin), "app:ci");
    // The pulled `app:ci` is another node: what the job makes is not what it pulls.
    let pulled: Vec<NodeId> = g
        .nodes_of(Kind::Image)
        .filter(|n| reference(&g, *n) == "app:ci")
        .collect();
    assert_eq!(pulled.len(), 2);
    assert_eq!(g.built_only_images(), vec![built]);
    // Not a dependency: neither reached nor on a dependency path.
    assert!(!g.reaches(job(&g, "ci")).images.contains(&built));
    assert_eq!(g.path_to(built), None);
}

#[test]
fn steps_running_docker_through_another_tool_are_recorded() {
    let (_, g) = build();
    let flagged: Vec<(Option<usize>, usize)> = g
        .nodes_of(Kind::Step)
        .filter(|s| g.runs_image_script(*s))
        .filter_map(|s| match g.node(s)?.kind {
            NodeKind::Step { job, index, .. } => Some((job, index)),
            _ => None,
        })
        .collect();
    // `pnpm build:docker`, the third step of the first job; `docker run` is no script.
    assert_eq!(flagged, vec![(Some(0), 2)]);
}

#[test]
fn diagrams_leave_built_images_out_and_keep_the_numbering() {
    let (_, g) = build();
    let built = g.built_only_images()[0];
    let view = g.view(&GraphFilter::default());
    assert!(view.nodes.contains(&built));
    assert!(view.edges.iter().any(|e| e.kind == EdgeKind::Builds));
    let diagram = view.for_diagram();
    assert!(!diagram.nodes.contains(&built));
    assert!(diagram.edges.iter().all(|e| e.kind != EdgeKind::Builds));
    assert!(diagram.members(None).iter().all(|n| *n != built));
    // Nodes after the built image are numbered as if it were not there.
    let after = diagram
        .nodes
        .iter()
        .copied()
        .find(|n| *n > built)
        .expect("a node after the built image");
    assert_eq!(diagram.diagram_id(after), after.index() - 1);
    let before = NodeId::new(0);
    assert_eq!(diagram.diagram_id(before), 0);
}

/// Thousands of steps that each build an image and run the one built before, after a
/// step that runs a docker script: the pulls of the job are listed in one pass over its
/// steps (a per-step search of what earlier steps built would be quadratic).
#[test]
fn many_builds_and_pulls_in_one_job_stay_linear() {
    const STEPS: usize = 3000;
    let mut text = String::from(
        "on: push\njobs:\n  ci:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make docker\n",
    );
    for i in 0..STEPS {
        text.push_str(&format!(
            "      - run: docker build -t app{i}:ci . && docker run app{}:ci && docker run x{i}\n",
            i.saturating_sub(1)
        ));
    }
    let started = std::time::Instant::now();
    let (_, g) = build_from(text);
    let pulls = g.image_pulls(job(&g, "ci"));
    let diagram = g.view(&GraphFilter::default()).for_diagram();
    let elapsed = started.elapsed();
    assert_eq!(pulls.len(), 2 * STEPS);
    assert_eq!(pulls.iter().filter(|p| p.built).count(), STEPS);
    assert!(pulls.iter().all(|p| p.after_image_script));
    assert_eq!(g.built_only_images().len(), STEPS);
    assert!(diagram.edges.iter().all(|e| e.kind != EdgeKind::Builds));
    assert!(elapsed.as_secs() < 20, "{elapsed:?}");
}

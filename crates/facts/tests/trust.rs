//! The trust facts on small workflows written here: who can fire each trigger, and the
//! `checks-out` edges of steps of a privileged run that check out or fetch the pull
//! request's head, at the value or the command that does it.

use std::time::{Duration, Instant};

use tollgate_graph::{EdgeKind, Graph, Kind, NodeId, NodeKind, Trust};
use tollgate_scan::{Scan, ScanOptions, scan};

/// Scan a repository holding one workflow, `text`, and build its graph with every pass.
fn build(text: &str) -> (tempfile::TempDir, Scan, Graph) {
    let dir = tempfile::tempdir().expect("temp dir");
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    std::fs::write(wf.join("ci.yml"), text).expect("write");
    let s = scan(&[dir.path().to_path_buf()], &ScanOptions::default());
    let (g, _) = tollgate_facts::graph(&s);
    (dir, s, g)
}

/// Every `checks-out` edge: (from, to, the text of the input at its origin).
fn checkouts(s: &Scan, g: &Graph) -> Vec<(NodeId, NodeId, String)> {
    g.edges()
        .filter(|(_, _, e)| e.kind == EdgeKind::ChecksOut)
        .map(|(f, t, e)| {
            let o = e.origin.expect("a checkout edge has an origin");
            (
                f,
                t,
                s.inputs[o.input().0].source.slice(o.span()).to_owned(),
            )
        })
        .collect()
}

fn step_label(g: &Graph, id: NodeId) -> (Option<usize>, usize) {
    match g.node(id).map(|n| &n.kind) {
        Some(NodeKind::Step { job, index, .. }) => (*job, *index),
        other => panic!("not a step: {other:?}"),
    }
}

/// (event, trust, privileged) of every trigger node, in file order.
fn triggers(g: &Graph) -> Vec<(String, Trust, bool)> {
    let w = g.workflows().next().expect("a workflow");
    g.triggers_of(w)
        .into_iter()
        .filter_map(|t| match &g.node(t)?.kind {
            NodeKind::Trigger {
                event,
                trust,
                privileged,
            } => Some((event.clone(), *trust, *privileged)),
            _ => None,
        })
        .collect()
}

const HEAD_SHA: &str = "on: pull_request_target
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: npm test
";

#[test]
fn a_checkout_of_the_head_sha_under_pull_request_target_is_a_checks_out_edge_at_the_ref() {
    let (_d, s, g) = build(HEAD_SHA);
    let edges = checkouts(&s, &g);
    assert_eq!(edges.len(), 1, "{edges:?}");
    let (step, code, text) = &edges[0];
    assert_eq!(text, "${{ github.event.pull_request.head.sha }}");
    assert_eq!(step_label(&g, *step), (Some(0), 0));
    assert_eq!(
        g.node(*code).map(|n| n.kind.clone()),
        Some(NodeKind::Code {
            what: "pull request head".to_owned()
        })
    );
    // The record says what the step does, for the rule's message.
    let (at, _) = g.checkouts_of(*step)[0];
    assert_eq!(
        tollgate_facts::trust::of(&g).describe(at),
        Some("checks out the untrusted head (`ref: ${{ github.event.pull_request.head.sha }}`)")
    );
    assert_eq!(
        triggers(&g),
        [("pull_request_target".to_owned(), Trust::Anyone, true)]
    );
}

#[test]
fn the_same_checkout_under_pull_request_alone_is_no_edge() {
    let (_d, s, g) = build(&HEAD_SHA.replace("pull_request_target", "pull_request"));
    assert!(checkouts(&s, &g).is_empty());
    assert_eq!(g.nodes_of(Kind::Code).count(), 0);
    assert_eq!(
        triggers(&g),
        [("pull_request".to_owned(), Trust::Anyone, false)]
    );
    // Privileged but fired only by collaborators: not a checkout of untrusted code either.
    let (_d, s, g) = build(&HEAD_SHA.replace("pull_request_target", "workflow_dispatch"));
    assert!(checkouts(&s, &g).is_empty());
}

#[test]
fn a_git_fetch_of_the_pull_ref_in_a_script_is_an_edge_at_the_command() {
    let (_d, s, g) = build(
        "on: pull_request_target
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: |
          git fetch origin pull/${{ github.event.number }}/head
          make
",
    );
    let edges = checkouts(&s, &g);
    assert_eq!(edges.len(), 1, "{edges:?}");
    let (step, _, text) = &edges[0];
    assert_eq!(
        text,
        "git fetch origin pull/${{ github.event.number }}/head"
    );
    assert_eq!(step_label(&g, *step), (Some(0), 1));
    let (at, _) = g.checkouts_of(*step)[0];
    assert_eq!(
        tollgate_facts::trust::of(&g).describe(at),
        Some("runs `git fetch` on the untrusted head")
    );
}

#[test]
fn every_trigger_carries_who_can_fire_it_and_whether_it_is_privileged() {
    let (_d, _s, g) = build(
        "on:
  push:
  pull_request:
  issue_comment:
  workflow_run:
    workflows: [ci]
  schedule:
    - cron: '0 0 * * *'
  workflow_call:
  repository_dispatch:
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: true
",
    );
    let t = |e: &str, trust, p| (e.to_owned(), trust, p);
    assert_eq!(
        triggers(&g),
        [
            t("push", Trust::Collaborators, true),
            t("pull_request", Trust::Anyone, false),
            t("issue_comment", Trust::Anyone, true),
            t("workflow_run", Trust::Anyone, true),
            t("schedule", Trust::Scheduled, true),
            t("workflow_call", Trust::Caller, false),
            t("repository_dispatch", Trust::Collaborators, true),
        ]
    );
    // Of the two privileged triggers anyone can fire, findings name the more dangerous
    // one: the knowledge base lists `workflow_run` before `issue_comment`.
    let w = g.workflows().next().expect("workflow");
    let named = g
        .untrusted_privileged_trigger(w)
        .and_then(|n| g.node(n))
        .map(|n| n.kind.label());
    assert_eq!(named.as_deref(), Some("on: workflow_run"));
}

/// Thousands of steps that each check out the head: one code node, one edge per step,
/// in time linear in the steps (the code node is found once, not per edge).
#[test]
fn many_checkouts_share_one_code_node() {
    let n = 3000;
    let mut text =
        String::from("on: pull_request_target\njobs:\n  t:\n    runs-on: x\n    steps:\n");
    for _ in 0..n {
        text.push_str(
            "      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.head_ref }}\n",
        );
    }
    let started = Instant::now();
    let (_d, s, g) = build(&text);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(20), "{took:?}");
    assert_eq!(checkouts(&s, &g).len(), n);
    assert_eq!(g.nodes_of(Kind::Code).count(), 1);
}

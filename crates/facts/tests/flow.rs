//! The flow facts on small repositories written here: which attacker-controllable value
//! reaches which script, as a `flows` edge from the value's node to the step at the
//! expansion, and what carries it there (`env:`, a step output, a composite action's or
//! a reusable workflow's input), each carrier located where the value is put into it.
//! The expected edges and carriers were worked out by hand from the texts below.

use std::time::{Duration, Instant};

use tollgate_facts::flow::{self, Flow, Script, Taint, Via};
use tollgate_gha::ContextMatch;
use tollgate_graph::{EdgeKind, Graph, Kind, NodeId, NodeKind, Origin};
use tollgate_scan::{Scan, ScanOptions, scan};

/// Scan a repository holding `files` (path, text) and build its graph with every pass.
fn build(files: &[(&str, &str)]) -> (tempfile::TempDir, Scan, Graph) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    let s = scan(&[dir.path().to_path_buf()], &ScanOptions::default());
    let (g, _) = tollgate_facts::graph(&s);
    (dir, s, g)
}

fn workflow(text: &str) -> (tempfile::TempDir, Scan, Graph) {
    build(&[(".github/workflows/ci.yml", text)])
}

/// The input text at an origin.
fn text(s: &Scan, o: Origin) -> &str {
    s.inputs[o.input().0].source.slice(o.span())
}

/// The 1-based line of an origin.
fn line(g: &Graph, o: Origin) -> usize {
    g.location(&o).start.line as usize
}

fn value_name(g: &Graph, n: NodeId) -> &str {
    match g.node(n).map(|n| &n.kind) {
        Some(NodeKind::Value { name }) => name,
        other => panic!("not a value: {other:?}"),
    }
}

/// Every flow, checked against its edge: the edge runs from the value to the step at the
/// flow's origin, and the record gives the flow back for that origin.
fn flows(g: &Graph) -> Vec<&Flow> {
    let all: Vec<&Flow> = flow::of(g).iter().collect();
    let edges: Vec<(NodeId, NodeId, Option<Origin>)> = g
        .edges()
        .filter(|(_, _, e)| e.kind == EdgeKind::Flows)
        .map(|(f, t, e)| (f, t, e.origin))
        .collect();
    assert_eq!(edges.len(), all.len(), "one edge per flow: {edges:?}");
    for f in &all {
        assert!(
            edges.contains(&(f.value, f.step, Some(f.at))),
            "no edge for {f:?}"
        );
        assert!(
            g.node(f.value)
                .is_some_and(|x| x.kind.kind() == Kind::Value),
            "{f:?}"
        );
    }
    all
}

/// The step node's (job, index).
fn step_of(g: &Graph, n: NodeId) -> (Option<usize>, usize) {
    match g.node(n).map(|n| &n.kind) {
        Some(NodeKind::Step { job, index, .. }) => (*job, *index),
        other => panic!("not a step: {other:?}"),
    }
}

#[test]
fn a_context_expanded_directly_is_an_edge_at_the_expansion_without_carriers() {
    let (_d, s, g) = workflow(
        "on: issue_comment
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo hi
          echo \"${{ github.event.comment.body }}\" ${{ toJSON(github.event.issue) }}
",
    );
    let all = flows(&g);
    assert_eq!(all.len(), 2, "{all:?}");
    let (a, b) = (all[0], all[1]);
    assert_eq!(text(&s, a.at), "${{ github.event.comment.body }}");
    assert_eq!(line(&g, a.at), 8);
    assert_eq!(value_name(&g, a.value), "github.event.comment.body");
    assert_eq!(a.taint, Taint::Context(ContextMatch::Exact));
    assert_eq!(a.into, Script::Run);
    assert!(a.carriers.is_empty());
    assert_eq!(step_of(&g, a.step), (Some(0), 0));
    // A parent of untrusted fields, passed whole.
    assert_eq!(text(&s, b.at), "${{ toJSON(github.event.issue) }}");
    assert_eq!(b.reference, "github.event.issue");
    assert_eq!(b.taint, Taint::Context(ContextMatch::Parent));
}

#[test]
fn an_env_entry_carries_the_value_from_its_key_to_the_script() {
    let (_d, s, g) = workflow(
        "on: issues
env:
  TITLE: ${{ github.event.issue.title }}
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - run: echo \"${{ env.TITLE }}\" \"${{ env.BODY }}\"
        env:
          BODY: prefix ${{ github.event.issue.body }}
",
    );
    let all = flows(&g);
    assert_eq!(all.len(), 2, "{all:?}");
    let title = all[0];
    assert_eq!(text(&s, title.at), "${{ env.TITLE }}");
    assert_eq!(value_name(&g, title.value), "github.event.issue.title");
    assert_eq!(title.reference, "env.title");
    assert_eq!(title.written, "env.TITLE");
    assert_eq!(title.taint, Taint::Context(ContextMatch::Exact));
    assert_eq!(title.carriers.len(), 1);
    let c = &title.carriers[0];
    assert_eq!(c.via, Via::Env);
    assert_eq!(c.reference, "env.title");
    assert_eq!((text(&s, c.at), line(&g, c.at)), ("TITLE", 3));
    // The step's own `env:` (line 10).
    let body = all[1];
    assert_eq!(value_name(&g, body.value), "github.event.issue.body");
    assert_eq!(
        (text(&s, body.carriers[0].at), line(&g, body.carriers[0].at)),
        ("BODY", 10)
    );
}

#[test]
fn a_step_output_written_by_a_script_carries_the_value_to_a_later_step() {
    let (_d, s, g) = workflow(
        "on: workflow_run
jobs:
  report:
    runs-on: ubuntu-latest
    steps:
      - run: echo \"${{ steps.meta.outputs.title }}\"
      - id: meta
        run: echo \"title=${{ github.event.workflow_run.head_commit.message }}\" >> \"$GITHUB_OUTPUT\"
      - run: echo \"${{ steps.meta.outputs.title }}\"
",
    );
    let all = flows(&g);
    // The write itself expands the context (line 8); the step before `meta` reads no
    // output yet; the step after it does (line 9).
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(line(&g, all[0].at), 8);
    assert!(all[0].carriers.is_empty());
    let read = all[1];
    assert_eq!(line(&g, read.at), 9);
    assert_eq!(step_of(&g, read.step), (Some(0), 2));
    assert_eq!(
        value_name(&g, read.value),
        "github.event.workflow_run.head_commit.message"
    );
    // One value node for both.
    assert_eq!(all[0].value, read.value);
    let c = &read.carriers[0];
    assert_eq!(
        c.via,
        Via::ScriptOutput {
            step: "meta".to_owned()
        }
    );
    assert_eq!(c.reference, "steps.meta.outputs.title");
    assert!(
        text(&s, c.at).starts_with("echo \"title="),
        "{}",
        text(&s, c.at)
    );
    assert_eq!(line(&g, c.at), 8);
}

const GREET_ACTION: &str = "name: greet
description: Greets an issue.
inputs:
  title:
    description: The issue title.
  number:
    description: The issue number.
runs:
  using: composite
  steps:
    - shell: bash
      run: |
        echo \"#${{ inputs.number }}\"
        echo \"${{ inputs.title }}\"
";

#[test]
fn a_composite_action_input_carries_the_value_from_the_calling_step() {
    let (_d, s, g) = build(&[
        (".github/actions/greet/action.yml", GREET_ACTION),
        (
            ".github/workflows/ci.yml",
            "on: issues
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/greet
        with:
          number: ${{ github.event.issue.number }}
          title: ${{ github.event.issue.title }}
",
        ),
    ]);
    let all = flows(&g);
    assert_eq!(all.len(), 1, "{all:?}");
    let f = all[0];
    // Into the action's own step (no job), at its line 14.
    assert_eq!(step_of(&g, f.step), (None, 0));
    assert!(
        s.inputs[f.at.input().0]
            .source
            .display
            .ends_with("action.yml")
    );
    assert_eq!(
        (text(&s, f.at), line(&g, f.at)),
        ("${{ inputs.title }}", 14)
    );
    assert_eq!(value_name(&g, f.value), "github.event.issue.title");
    let c = &f.carriers[0];
    assert_eq!(c.via, Via::ActionInput);
    assert_eq!(c.reference, "inputs.title");
    // At the caller's `with:` value, in the workflow.
    assert!(s.inputs[c.at.input().0].source.display.ends_with("ci.yml"));
    assert_eq!(
        (text(&s, c.at), line(&g, c.at)),
        ("${{ github.event.issue.title }}", 9)
    );
}

#[test]
fn a_reusable_workflow_input_carries_the_value_from_the_calling_job() {
    let (_d, s, g) = build(&[
        (
            ".github/workflows/caller.yml",
            "on: issue_comment
jobs:
  call:
    uses: ./.github/workflows/called.yml
    with:
      title: ${{ github.event.comment.body }}
      sha: ${{ github.sha }}
",
        ),
        (
            ".github/workflows/called.yml",
            "on:
  workflow_call:
    inputs:
      title:
        type: string
      sha:
        type: string
jobs:
  show:
    runs-on: ubuntu-latest
    steps:
      - run: echo \"${{ inputs.sha }}\" \"${{ inputs.title }}\"
",
        ),
    ]);
    let all = flows(&g);
    assert_eq!(all.len(), 1, "{all:?}");
    let f = all[0];
    assert!(
        s.inputs[f.at.input().0]
            .source
            .display
            .ends_with("called.yml")
    );
    assert_eq!(
        (text(&s, f.at), line(&g, f.at)),
        ("${{ inputs.title }}", 12)
    );
    assert_eq!(value_name(&g, f.value), "github.event.comment.body");
    let c = &f.carriers[0];
    let caller = g
        .jobs()
        .find(|&j| matches!(g.node(j).map(|n| &n.kind), Some(NodeKind::Job { id, .. }) if id == "call"))
        .expect("the calling job");
    assert_eq!(c.via, Via::WorkflowInput { caller });
    assert_eq!(c.reference, "inputs.title");
    assert!(
        s.inputs[c.at.input().0]
            .source
            .display
            .ends_with("caller.yml")
    );
    assert_eq!(
        (text(&s, c.at), line(&g, c.at)),
        ("${{ github.event.comment.body }}", 6)
    );
}

#[test]
fn a_json_encoded_action_output_is_a_flow_marked_json() {
    let (_d, s, g) = workflow(
        "on: pull_request_target
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - id: filter
        uses: dorny/paths-filter@v3
        with:
          list-files: json
          filters: |
            changes: ['.changes/**']
      - uses: actions/github-script@v7
        with:
          script: |
            const files = ${{ steps.filter.outputs.changes_files }};
      - run: echo ${{ steps.filter.outputs.changes_files }} ${{ steps.filter.outputs.changes }}
",
    );
    let all = flows(&g);
    // `changes` is a boolean flag, not a `*_files` output: no flow.
    assert_eq!(all.len(), 2, "{all:?}");
    let json = Taint::ActionOutput {
        action: "dorny/paths-filter".to_owned(),
        json: true,
        shell: tollgate_facts::flow::ShellEncoded::No,
    };
    assert!(
        matches!(all[0].into, Script::Code(c, "script") if c.uses == "actions/github-script"),
        "{:?}",
        all[0].into
    );
    assert_eq!(all[1].into, Script::Run);
    for f in &all {
        assert_eq!(f.taint, json);
        assert_eq!(value_name(&g, f.value), "outputs of dorny/paths-filter");
        let c = &f.carriers[0];
        assert_eq!(
            c.via,
            Via::ActionOutput {
                step: "filter".to_owned()
            }
        );
        assert_eq!(c.reference, "steps.filter.outputs.changes_files");
        assert_eq!(text(&s, c.at), "dorny/paths-filter@v3");
    }
    assert_eq!(line(&g, all[0].at), 15);
}

#[test]
fn boolean_expressions_are_no_flow() {
    let (_d, _s, g) = workflow(
        "on: issues
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo \"${{ contains(github.event.issue.body, 'bug') }}\"
          echo \"${{ github.event.issue.title == 'x' }} ${{ !github.event.issue.locked }}\"
          echo \"${{ github.event.issue.title == 'x' || github.event.issue.body }}\"
",
    );
    let all = flows(&g);
    // Only the `||`, whose value may be the body itself.
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].reference, "github.event.issue.title");
    assert_eq!(g.nodes_of(Kind::Value).count(), 1);
}

#[test]
fn a_constrained_dispatch_input_is_no_flow_and_a_free_text_one_is() {
    let (_d, s, g) = workflow(
        "on: {workflow_dispatch: {inputs: {dry: {type: boolean}, kind: {type: choice, options: [a, b]}, note: {description: text}}}}
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - run: ./release.sh \"${{ inputs.dry }}\" \"${{ github.event.inputs.kind }}\" \"${{ inputs.note }}\" \"${{ github.event.inputs.other }}\"
",
    );
    let all = flows(&g);
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(text(&s, all[0].at), "${{ inputs.note }}");
    assert_eq!(
        all[0].taint,
        Taint::DispatchInput {
            name: "note".to_owned()
        }
    );
    assert_eq!(value_name(&g, all[0].value), "inputs.note");
    // Undeclared: GitHub lets any text through.
    assert_eq!(
        all[1].taint,
        Taint::DispatchInput {
            name: "other".to_owned()
        }
    );
}

#[test]
fn trusted_contexts_and_unset_inputs_are_no_flow() {
    let (_d, _s, g) = build(&[
        (".github/actions/greet/action.yml", GREET_ACTION),
        (
            ".github/workflows/ci.yml",
            "on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - id: v
        run: echo \"version=$(cat VERSION)\" >> \"$GITHUB_OUTPUT\"
      - run: echo \"${{ github.sha }} ${{ steps.v.outputs.version }} ${{ inputs.name }}\"
      - uses: ./.github/actions/greet
        with:
          title: ${{ github.sha }}
",
        ),
    ]);
    assert!(flows(&g).is_empty());
    assert_eq!(g.nodes_of(Kind::Value).count(), 0);
}

/// Many steps, each writing an output and reading every kind of carrier, and a composite
/// action called from every one of them: the pass stays well within a generous bound
/// (debug build, shared machine), and one value node serves every flow of a name.
#[test]
fn many_steps_and_callers_stay_fast_and_share_value_nodes() {
    const N: usize = 2000;
    let mut wf = String::from(
        "on: issues\nenv:\n  T: ${{ github.event.issue.title }}\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n",
    );
    for i in 0..N {
        wf.push_str(&format!(
            "      - id: s{i}\n        run: |\n          echo \"o=${{{{ github.event.issue.body }}}}\" >> \"$GITHUB_OUTPUT\"\n          echo \"${{{{ env.T }}}} ${{{{ steps.s{}.outputs.o }}}}\"\n      - uses: ./.github/actions/greet\n        with:\n          title: ${{{{ github.event.issue.title }}}}\n",
            i.saturating_sub(1)
        ));
    }
    let started = Instant::now();
    let (_d, _s, g) = build(&[
        (".github/actions/greet/action.yml", GREET_ACTION),
        (".github/workflows/ci.yml", &wf),
    ]);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(20), "{took:?}");
    let all = flows(&g);
    // Per step: the write, `env.T`, and (after the first) the previous step's output;
    // plus the action's one expansion.
    assert_eq!(all.len(), 3 * N - 1 + 1);
    assert_eq!(g.nodes_of(Kind::Value).count(), 2);
}

/// A variable that an inner level (job, step) sets hides the tainted one of an outer
/// level: GitHub gives the step the innermost value.
#[test]
fn an_inner_env_entry_hides_a_tainted_outer_one() {
    let (_d, s, g) = workflow(
        "on: issues
env:
  TITLE: ${{ github.event.issue.title }}
jobs:
  fixed:
    runs-on: ubuntu-latest
    env:
      TITLE: fixed
    steps:
      - run: echo \"${{ env.TITLE }}\"
  open:
    runs-on: ubuntu-latest
    steps:
      - run: echo \"${{ env.TITLE }}\"
      - env:
          TITLE: static
        run: echo \"${{ env.TITLE }}\"
",
    );
    let all = flows(&g);
    // Only the first step of `open` (line 14) sees the workflow's tainted `TITLE`.
    let lines: Vec<usize> = all.iter().map(|f| line(&g, f.at)).collect();
    assert_eq!(lines, [14], "{all:?}");
    assert_eq!(text(&s, all[0].at), "${{ env.TITLE }}");
}

//! `secrets-exposure` as a query over the graph's `reads` edges: a secret handed to an
//! unpinned action is reported at the edge's origin, and an action `actions.lock` locks
//! to a commit is pinned (the pin state of the graph's action node, as `unpinned-action`
//! reads it).

mod common;

use common::{build, run_rules, write};
use tollgate_graph::{EdgeKind, Kind};

const WORKFLOW: &str = "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - name: deploy\n        uses: some-org/deploy@v2\n        with:\n          token: ${{ secrets.X }}\n";

/// (line, column, message) of a finding.
type Found = (usize, usize, String);

/// (line, column, message) of every `secrets-exposure` finding, and the (line, column)
/// of every `reads` edge, on a repository holding `files`.
fn check(files: &[(&str, &str)]) -> (Vec<Found>, Vec<(usize, usize)>) {
    let dir = write(files);
    let (s, graph) = build(&dir);
    let found = run_rules(&s, &graph, &["secrets-exposure"]);
    let findings = found
        .iter()
        .map(|f| {
            (
                f.primary.start.line,
                f.primary.start.column,
                f.message.clone(),
            )
        })
        .collect();
    let reads = graph
        .nodes_of(Kind::Step)
        .flat_map(|n| graph.outgoing(n))
        .filter(|(e, _)| e.kind == EdgeKind::Reads)
        .filter_map(|(e, _)| e.origin)
        .map(|o| {
            let l = graph.location(&o);
            (l.start.line, l.start.column)
        })
        .collect();
    (findings, reads)
}

#[test]
fn a_secret_handed_to_an_unpinned_action_is_reported_at_its_reads_edge() {
    let (findings, reads) = check(&[(".github/workflows/ci.yml", WORKFLOW)]);
    // `token: ${{ secrets.X }}` is line 9; the expression starts at column 18.
    assert_eq!(reads, [(9, 18)]);
    assert_eq!(
        findings,
        [(
            9,
            18,
            "secret `X` is passed to the action `some-org/deploy@v2`, whose owner can change its code without a change here".to_owned()
        )]
    );
}

#[test]
fn an_action_locked_to_a_commit_is_pinned() {
    let lock = "workflows:\n  .github/workflows/ci.yml:\n    - some-org/deploy@v2\ndependencies:\n  some-org/deploy@v2:\n    ref: v2\n    commit: sha1-b4ffde65f46336ab88eb53be808477a3936bae11\n    uses: []\n";
    let (findings, reads) = check(&[
        (".github/workflows/ci.yml", WORKFLOW),
        (".github/workflows/actions.lock", lock),
    ]);
    assert_eq!(reads, [(9, 18)]);
    assert_eq!(findings, []);
}

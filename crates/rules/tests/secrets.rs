//! `secrets-exposure` as a query over the graph's `reads` edges: a secret handed to an
//! unpinned action is reported at the edge's origin, and an action `actions.lock` locks
//! to a commit is pinned (the pin state of the graph's action node, as `unpinned-action`
//! reads it).

mod common;

use common::{build, run_rules, write};
use tollgate_graph::{EdgeKind, Kind};

const WORKFLOW: &str = "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - name: deploy\n        uses: some-org/deploy@v2\n        with:\n          token: ${{ secrets.X }}\n";

/// (line, column, message) of a finding.
type Found = (u32, u32, String);

/// (line, column, message) of every `secrets-exposure` finding, and the (line, column)
/// of every `reads` edge, on a repository holding `files`.
fn check(files: &[(&str, &str)]) -> (Vec<Found>, Vec<(u32, u32)>) {
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

#[test]
fn github_owned_actions_at_a_tag_are_reported_low_and_say_whose_they_are() {
    use tollgate_model::{Confidence, Impact};
    let wf = "on: push\njobs:\n  bench:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          token: ${{ secrets.BENCH_PAT }}\n      - uses: actions/checkout@main\n        with:\n          token: ${{ secrets.OTHER_PAT }}\n";
    let dir = write(&[(".github/workflows/ci.yml", wf)]);
    let (s, graph) = build(&dir);
    let found: Vec<(u32, Impact, Confidence, String)> =
        run_rules(&s, &graph, &["secrets-exposure"])
            .into_iter()
            .map(|f| (f.primary.start.line, f.severity, f.confidence, f.message))
            .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    // At a tag: GitHub's own, low.
    assert_eq!(
        (found[0].0, found[0].1, found[0].2),
        (8, Impact::Low, Confidence::Low)
    );
    assert!(
        found[0]
            .3
            .contains("GitHub's own action `actions/checkout@v4`"),
        "{}",
        found[0].3
    );
    // At a branch: as any other unpinned action.
    assert_eq!(
        (found[1].0, found[1].1, found[1].2),
        (11, Impact::High, Confidence::High)
    );
    assert!(
        found[1].3.contains("the action `actions/checkout@main`"),
        "{}",
        found[1].3
    );
}

#[test]
fn secrets_inherit_help_lists_what_the_called_workflows_read_or_says_to_remove_it() {
    let case = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/rules/secrets-inherit/fires-nested-undeclared");
    let s = tollgate_scan::scan(&[case], &tollgate_scan::ScanOptions::default());
    let (graph, _) = tollgate_facts::graph(&s);
    let helps: Vec<(String, u32, String)> = run_rules(&s, &graph, &["secrets-inherit"])
        .into_iter()
        .map(|f| {
            (
                f.primary.path.to_string(),
                f.primary.start.line,
                f.help.unwrap_or_default().into_owned(),
            )
        })
        .collect();
    let help = |path: &str, line: u32| {
        helps
            .iter()
            .find(|(p, l, _)| p.ends_with(path) && *l == line)
            .map(|(_, _, h)| h.as_str())
            .unwrap_or_else(|| panic!("no finding at {path}:{line}: {helps:?}"))
    };
    // The direct reads, the `if:` test and the nested inherited call's read, not the
    // workflow's own token.
    assert_eq!(
        help("release.yml", 9),
        "the called workflow reads `CLOUDFLARE_TOKEN`, `VERSIONS_PAT`: declare them under its `on.workflow_call.secrets` and pass them by name:\nsecrets:\n  CLOUDFLARE_TOKEN: ${{ secrets.CLOUDFLARE_TOKEN }}\n  VERSIONS_PAT: ${{ secrets.VERSIONS_PAT }}"
    );
    assert_eq!(
        help("release.yml", 12),
        "the called workflow reads no secret: remove `secrets: inherit`"
    );
    assert!(
        help("publish.yml", 12)
            .starts_with("the called workflow reads `CLOUDFLARE_TOKEN`: declare it under")
    );
}

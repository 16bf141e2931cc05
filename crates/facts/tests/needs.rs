//! The needs pass writes what each step needs of the token into the graph: a `requires`
//! edge from the step to the permission, created at the evidence (the `uses:` value, the
//! command), and the job's needs (with what is unknown) as its record.

use std::collections::BTreeMap;
use std::path::Path;

use tollgate_facts::needs;
use tollgate_gha::PermissionLevel;
use tollgate_graph::{Access, EdgeKind, Graph, NodeId, NodeKind};
use tollgate_scan::{ScanOptions, scan};

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

fn job(g: &Graph, id: &str) -> NodeId {
    g.jobs()
        .find(|j| matches!(&g.node(*j).map(|n| &n.kind), Some(NodeKind::Job { id: x, .. }) if x == id))
        .unwrap_or_else(|| panic!("no job {id}"))
}

/// The steps of a job, in order.
fn steps(g: &Graph, job: NodeId) -> Vec<NodeId> {
    let mut v: Vec<(usize, NodeId)> = g
        .out_edges(job)
        .filter(|(e, _)| e.kind == EdgeKind::Contains)
        .filter_map(|(_, t)| match g.node(t).map(|n| &n.kind) {
            Some(NodeKind::Step { index, .. }) => Some((*index, t)),
            _ => None,
        })
        .collect();
    v.sort_unstable();
    v.into_iter().map(|(_, t)| t).collect()
}

/// The `requires` edges of a node: (permission label, file of the evidence, its text).
fn requires(g: &Graph, root: &Path, from: NodeId) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = g
        .out_edges(from)
        .filter(|(e, _)| e.kind == EdgeKind::Requires)
        .map(|(e, t)| {
            let label = g.node(t).map(|n| n.kind.label()).unwrap_or_default();
            let origin = e.origin.expect("located");
            let path = g.path(origin.input()).to_owned();
            let text = std::fs::read_to_string(root.join(&path)).expect("read");
            let span = origin.span();
            (label, path, text[span.range()].to_owned())
        })
        .collect();
    v.sort();
    v
}

const RELEASE: &str = "\
name: release
on: push
jobs:
  publish:
    runs-on: ubuntu-latest
    permissions:
      contents: write
    steps:
      - uses: actions/checkout@v4
      - run: |
          echo building
          gh release create v1 --generate-notes
        env:
          GH_TOKEN: ${{ github.token }}
      - uses: someone/mystery-action@v1
";

#[test]
fn each_step_requires_what_it_needs_where_the_evidence_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, &[(".github/workflows/release.yml", RELEASE)]);
    let s = scan(&[root.to_path_buf()], &ScanOptions::default());
    let (g, _) = tollgate_facts::graph(&s);
    let publish = job(&g, "publish");
    let st = steps(&g, publish);
    assert_eq!(st.len(), 3);
    let wf = ".github/workflows/release.yml".to_owned();
    // actions/checkout needs `contents: read` (rules/data/permissions.toml), at its
    // `uses:` value.
    assert_eq!(
        requires(&g, root, st[0]),
        [(
            "contents: read".to_owned(),
            wf.clone(),
            "actions/checkout@v4".to_owned()
        )]
    );
    // `gh release create` needs `contents: write`, at the command in the block scalar.
    assert_eq!(
        requires(&g, root, st[1]),
        [(
            "contents: write".to_owned(),
            wf,
            "gh release create v1 --generate-notes".to_owned()
        )]
    );
    // The action the knowledge base does not know requires nothing and is named.
    assert!(requires(&g, root, st[2]).is_empty());
    let n = needs::of(&g, publish).expect("recorded");
    assert_eq!(n.level("contents"), PermissionLevel::Write);
    assert_eq!(
        n.get("contents").expect("contents").1,
        "`gh release create`"
    );
    assert_eq!(
        n.unknown.iter().collect::<Vec<_>>(),
        ["someone/mystery-action"]
    );
    // The job itself requires nothing: its steps do.
    assert!(requires(&g, root, publish).is_empty());
    // A node that is not a job has no needs.
    assert!(needs::of(&g, st[0]).is_none());
}

#[test]
fn a_local_composite_action_gives_its_needs_to_the_calling_step() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        &[
            (
                ".github/actions/tag/action.yml",
                "name: tag\nruns:\n  using: composite\n  steps:\n    - run: git push origin v1\n      shell: bash\n",
            ),
            (
                ".github/workflows/tag.yml",
                "on: push\njobs:\n  tag:\n    runs-on: ubuntu-latest\n    permissions: {}\n    steps:\n      - uses: ./.github/actions/tag\n",
            ),
        ],
    );
    let s = scan(&[root.to_path_buf()], &ScanOptions::default());
    let (g, _) = tollgate_facts::graph(&s);
    let tag = job(&g, "tag");
    let st = steps(&g, tag);
    // The calling step requires `contents: write`, located at the push in the action.
    assert_eq!(
        requires(&g, root, st[0]),
        [(
            "contents: write".to_owned(),
            ".github/actions/tag/action.yml".to_owned(),
            "git push origin v1".to_owned()
        )]
    );
    let n = needs::of(&g, tag).expect("recorded");
    assert_eq!(n.level("contents"), PermissionLevel::Write);
    assert!(n.is_known(), "{:?}", n.unknown);
    // The job holds nothing (`permissions: {}`): the permission node is the pass's own.
    assert!(g.out_edges(tag).all(|(e, _)| e.kind != EdgeKind::Holds));
}

#[test]
fn a_job_calling_a_local_workflow_requires_what_the_called_jobs_need() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        &[
            (
                ".github/workflows/called.yml",
                "on: workflow_call\njobs:\n  inner:\n    runs-on: ubuntu-latest\n    permissions:\n      issues: write\n    steps:\n      - run: npm publish --provenance\n",
            ),
            (
                ".github/workflows/caller.yml",
                "on: push\njobs:\n  call:\n    uses: ./.github/workflows/called.yml\n",
            ),
        ],
    );
    let s = scan(&[root.to_path_buf()], &ScanOptions::default());
    let (g, _) = tollgate_facts::graph(&s);
    let call = job(&g, "call");
    // What the called job declares (at the declaration) and what its step runs (`npm
    // publish --provenance` uses the OIDC token: the OIDC node, as a held
    // `id-token: write` is).
    assert_eq!(
        requires(&g, root, call),
        [
            (
                "OIDC token (id-token: write)".to_owned(),
                ".github/workflows/called.yml".to_owned(),
                "npm publish --provenance".to_owned()
            ),
            (
                "issues: write".to_owned(),
                ".github/workflows/called.yml".to_owned(),
                "issues: write".to_owned()
            ),
        ]
    );
    let n = needs::of(&g, call).expect("recorded");
    assert_eq!(n.level("issues"), PermissionLevel::Write);
    assert_eq!(n.level("id-token"), PermissionLevel::Write);
}

/// On every job of the corpus, the `requires` edges of the job and its steps name what
/// the job's record needs (settled against what it holds, as `broad-permissions` settles
/// it), scope for scope at the highest level: the record has no source the edges lack.
#[test]
#[allow(clippy::print_stderr)] // A skipped test says so.
fn on_every_corpus_job_the_edges_name_what_the_record_needs() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("skipped: ../shared/corpus is not present");
        return;
    }
    let s = scan(&[corpus], &ScanOptions::default());
    let (g, _) = tollgate_facts::graph(&s);
    let mut checked = 0;
    for job in g.jobs() {
        if g.job_model(&s, job).is_none() {
            continue;
        }
        let n = needs::of(&g, job).expect("every job has needs");
        let want: BTreeMap<String, PermissionLevel> = n
            .resolve(&|scope| needs::held(&g, job, scope))
            .scopes
            .into_iter()
            .map(|(scope, (level, _))| (scope, level))
            .collect();
        let mut got: BTreeMap<String, PermissionLevel> = BTreeMap::new();
        for from in std::iter::once(job).chain(steps(&g, job)) {
            for (e, t) in g.out_edges(from) {
                if e.kind != EdgeKind::Requires {
                    continue;
                }
                let (scope, level) = match g.node(t).map(|x| &x.kind) {
                    Some(NodeKind::Permission { scope, access }) => (
                        scope.clone(),
                        if *access == Access::Write {
                            PermissionLevel::Write
                        } else {
                            PermissionLevel::Read
                        },
                    ),
                    Some(NodeKind::Oidc) => ("id-token".to_owned(), PermissionLevel::Write),
                    other => panic!("requires {other:?}"),
                };
                let l = got.entry(scope).or_insert(PermissionLevel::None);
                *l = (*l).max(level);
            }
        }
        assert_eq!(got, want, "{:?}", g.node(job));
        checked += 1;
    }
    assert!(checked > 500, "{checked} jobs");
}

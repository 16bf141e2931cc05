//! What the scanned repository publishes itself is not a third party's: its release
//! assets and files, its site (a domain named after it), its actions and workflows by
//! name. Steps under a condition naming
//! another repository never run here. The repository is known from `.git/config`.

mod common;

use common::{build, run_rules, write};

const WORKFLOW: &str = r#"on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - run: curl -fsSL https://github.com/octo/widget/releases/latest/download/w.tar.gz | tar -xz
      - run: curl -fsSL https://github.com/other/tool/releases/latest/download/t.tar.gz | tar -xz
      - run: curl -fsSL https://raw.githubusercontent.com/octo/widget/main/install.sh | sh
      - run: curl -fsSL https://raw.githubusercontent.com/other/tool/main/install.sh | sh
      - run: gh release download -R octo/widget v1 -p w.deb && sudo dpkg -i w.deb
      - run: curl -fsSL https://get.widget.dev/install.sh | sh
      - run: curl -fsSL https://widgetry.io/install.sh | sh
      - uses: octo/widget/.github/actions/setup@main
      - uses: other/setup@main
      - uses: evil/steal@main
        if: github.repository == 'octo/upstream'
  synced:
    if: github.repository_owner == 'someone-else'
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: evil/other@main
"#;

const RULES: &[&str] = &[
    "unverified-download",
    "remote-script-execution",
    "unpinned-action",
];

/// `(rule, line)` of every finding, sorted.
fn found(with_git_config: bool) -> Vec<(String, usize)> {
    let mut files = vec![(".github/workflows/ci.yml", WORKFLOW)];
    if with_git_config {
        files.push((
            ".git/config",
            "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = git@github.com:Octo/Widget.git\n",
        ));
    }
    let dir = write(&files);
    let (s, graph) = build(&dir);
    let mut out: Vec<(String, usize)> = run_rules(&s, &graph, RULES)
        .iter()
        .map(|f| (f.rule.to_owned(), f.primary.start.line as usize))
        .collect();
    out.sort();
    out
}

#[test]
fn the_repositorys_own_releases_scripts_and_actions_are_not_third_parties() {
    let own = found(true);
    assert_eq!(
        own,
        [
            ("remote-script-execution".to_owned(), 11),
            // The repository's own site (`widget.dev`) is its own; `widgetry.io` is not.
            ("remote-script-execution".to_owned(), 14),
            ("unpinned-action".to_owned(), 16),
            ("unverified-download".to_owned(), 9),
        ],
        "{own:?}"
    );
}

#[test]
fn without_knowing_the_repository_every_one_is_reported() {
    let unknown = found(false);
    let lines = |rule: &str| -> Vec<usize> {
        unknown
            .iter()
            .filter(|(r, _)| r == rule)
            .map(|(_, l)| *l)
            .collect()
    };
    assert_eq!(lines("unverified-download"), [8, 9, 12], "{unknown:?}");
    assert_eq!(
        lines("remote-script-execution"),
        [10, 11, 13, 14],
        "{unknown:?}"
    );
    assert_eq!(lines("unpinned-action"), [15, 16, 17, 24], "{unknown:?}");
}

/// The repository's own image, after a step that runs an image build script, was built
/// by the job; another image there may have been, and stays reported (low confidence).
#[test]
fn the_repositorys_own_image_after_an_image_build_script_is_not_pulled() {
    const BUILD: &str = r#"on: push
permissions: {}
jobs:
  image:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - run: pnpm build:docker build --args '--load'
      - run: docker run --rm octo/widget --version
      - run: docker run --rm other/tool --version
"#;
    let lines = |with_git_config: bool| -> Vec<usize> {
        let mut files = vec![(".github/workflows/image.yml", BUILD)];
        if with_git_config {
            files.push((
                ".git/config",
                "[remote \"origin\"]\n\turl = https://github.com/octo/widget.git\n",
            ));
        }
        let dir = write(&files);
        let (s, graph) = build(&dir);
        let mut out: Vec<usize> = run_rules(&s, &graph, &["unpinned-image"])
            .iter()
            .map(|f| f.primary.start.line as usize)
            .collect();
        out.sort_unstable();
        out
    };
    assert_eq!(lines(true), [10]);
    assert_eq!(lines(false), [9, 10]);
}

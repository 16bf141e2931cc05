//! Identical texts of the same kind are parsed once and share text, model and scripts;
//! a different text or a different kind gets its own.

use std::sync::Arc;

use tollgate_scan::{ScanOptions, scan};

const WF: &str = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: curl -sSL https://example.com/x.sh | sh\n";

#[test]
fn identical_files_share_their_parse() {
    let dir = tempfile::tempdir().expect("tempdir");
    for repo in ["a", "b", "c"] {
        let wf = dir.path().join(repo).join(".github/workflows");
        std::fs::create_dir_all(&wf).expect("mkdir");
        let text = if repo == "c" {
            format!("{WF}# changed\n")
        } else {
            WF.to_owned()
        };
        std::fs::write(wf.join("ci.yml"), text).expect("write");
    }
    // The same text as an action is another kind: it must not reuse the workflow model.
    let act = dir.path().join("a/.github/actions/x");
    std::fs::create_dir_all(&act).expect("mkdir");
    std::fs::write(act.join("action.yml"), WF).expect("write");

    let s = scan(&[dir.path().to_path_buf()], &ScanOptions::default());
    let by = |p: &str| {
        s.inputs
            .iter()
            .find(|i| i.source.display == p)
            .unwrap_or_else(|| panic!("{p} scanned"))
    };
    let (a, b, c) = (
        by("a/.github/workflows/ci.yml"),
        by("b/.github/workflows/ci.yml"),
        by("c/.github/workflows/ci.yml"),
    );
    let action = by("a/.github/actions/x/action.yml");
    assert!(Arc::ptr_eq(&a.parsed, &b.parsed));
    assert!(Arc::ptr_eq(&a.scripts, &b.scripts));
    assert!(a.source.shares_text(&b.source));
    assert_eq!(a.scripts.len(), 1);
    assert!(a.scripts[0].analysis.is_some());
    assert!(!Arc::ptr_eq(&a.parsed, &c.parsed));
    assert!(!a.source.shares_text(&c.source));
    assert!(!Arc::ptr_eq(&a.parsed, &action.parsed));
    // The one script text is analysed once, whichever file it came from.
    let (sa, sc) = (&a.scripts[0], &c.scripts[0]);
    assert!(Arc::ptr_eq(
        sa.analysis.as_ref().expect("a"),
        sc.analysis.as_ref().expect("c")
    ));
}

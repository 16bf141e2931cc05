//! Every file is parsed on its own, identical text or not; what is shared is the
//! analysis of a `run:` script text, whichever files hold it.

use std::sync::Arc;

use tollgate_scan::{ScanOptions, scan};

const WF: &str = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: curl -sSL https://example.com/x.sh | sh\n";

#[test]
fn each_file_has_its_own_parse_and_scripts_share_their_analysis() {
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
    assert!(!Arc::ptr_eq(&a.parsed, &b.parsed));
    assert!(!a.source.shares_text(&b.source));
    assert!(!Arc::ptr_eq(&a.parsed, &c.parsed));
    assert!(!Arc::ptr_eq(&a.parsed, &action.parsed));
    for i in [a, b, c] {
        assert_eq!(i.scripts.len(), 1, "{}", i.source.display);
        assert!(i.scripts[0].analysis.is_some(), "{}", i.source.display);
    }
    // The one script text is analysed once, whichever file it came from.
    let first = a.scripts[0].analysis.as_ref().expect("a");
    for i in [b, c] {
        let other = i.scripts[0].analysis.as_ref().expect("analysed");
        assert!(Arc::ptr_eq(first, other), "{}", i.source.display);
    }
}

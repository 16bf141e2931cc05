//! Files with identical content in several repositories: every file gets its own
//! findings, diagnostics and graph nodes, at its own path.

mod common;

use common::{copy_dir, json, testdata, tollgate};
use serde_json::Value;

/// An invalid workflow: a second `: ` in the plain value on line 4 (column 15).
const BROKEN: &str = "on: push\njobs:\n  a:\n    runs-on: a: b\n";

/// A workflow with two `cmd` scripts (not analysed: one note for both, at the first
/// `run:`) and a PowerShell one (analysed: no note).
const WINDOWS: &str = "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: windows-latest\n    steps:\n      - shell: cmd\n        run: echo hi\n      - shell: cmd\n        run: echo there\n      - shell: pwsh\n        run: Write-Host hi\n";

/// (path without its first component, rule or code, line, column) of every item under
/// `top`, for the outputs of one copy.
fn keyed(items: &Value, prefix: &str, key: &str) -> Vec<(String, String, u64, u64)> {
    let mut out: Vec<_> = items
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| {
            let loc = &f["location"];
            let path = loc["path"].as_str().or_else(|| f["path"].as_str())?;
            let rest = path.strip_prefix(prefix)?;
            Some((
                rest.to_owned(),
                f[key].as_str().unwrap_or_default().to_owned(),
                loc["line"].as_u64().unwrap_or(0),
                loc["column"].as_u64().unwrap_or(0),
            ))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn identical_copies_each_get_their_own_findings_and_diagnostics() {
    let dir = tempfile::tempdir().expect("tempdir");
    for copy in ["one", "two", "three"] {
        let root = dir.path().join(copy);
        copy_dir(&testdata("demo"), &root);
        let wf = root.join(".github/workflows");
        std::fs::write(wf.join("broken.yml"), BROKEN).expect("write");
        std::fs::write(wf.join("windows.yml"), WINDOWS).expect("write");
    }
    // The third copy differs in one file: an extra unpinned action on a new last line.
    let changed = dir.path().join("three/.github/workflows/windows.yml");
    let text = format!("{WINDOWS}      - uses: actions/checkout@v4\n");
    std::fs::write(&changed, text).expect("write");

    let out = tollgate()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);

    let one = keyed(&v["findings"], "one/", "rule");
    let two = keyed(&v["findings"], "two/", "rule");
    let three = keyed(&v["findings"], "three/", "rule");
    assert!(!one.is_empty(), "the demo has findings");
    assert_eq!(one, two, "identical copies, identical findings");

    // The changed file has its own model: the new step (line 13) is reported in the third
    // copy only, and nothing else differs.
    let extra: Vec<_> = three.iter().filter(|f| !one.contains(f)).collect();
    assert!(
        extra.iter().any(|f| f.0 == ".github/workflows/windows.yml"
            && f.1 == "unpinned-action"
            && f.2 == 13),
        "{extra:?}"
    );
    assert!(
        extra.iter().all(|f| f.0 == ".github/workflows/windows.yml"),
        "{extra:?}"
    );
    assert!(one.iter().all(|f| three.contains(f)));

    // Diagnostics are per file too: the syntax error and the not-analysed note, each at
    // its own path and the same position in every copy.
    for copy in ["one/", "two/", "three/"] {
        let d = keyed(&v["diagnostics"], copy, "code");
        let broken: Vec<_> = d
            .iter()
            .filter(|d| d.0 == ".github/workflows/broken.yml")
            .collect();
        assert_eq!(broken.len(), 1, "{copy}: {d:?}");
        assert_eq!(
            (broken[0].1.as_str(), broken[0].2),
            ("syntax", 4),
            "{copy}: {d:?}"
        );
        let note: Vec<_> = d
            .iter()
            .filter(|d| d.0 == ".github/workflows/windows.yml")
            .collect();
        // One note for the file's two `cmd` scripts, at the first; none for pwsh.
        assert_eq!(note.len(), 1, "{copy}: {d:?}");
        assert_eq!(
            (note[0].1.as_str(), note[0].2, note[0].3),
            ("not-analysed", 8, 9)
        );
        let message = v["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .find(|d| d["path"].as_str() == Some(&format!("{copy}.github/workflows/windows.yml")))
            .and_then(|d| d["message"].as_str())
            .unwrap_or_default();
        assert!(
            message.starts_with("2 `cmd` scripts not analysed"),
            "{message}"
        );
    }
}

/// A workflow calling a local action: identical workflow texts in three repositories; the
/// action differs in one, so the job's needs are shared only between the repositories
/// whose local actions are identical too.
const CALLS_LOCAL: &str = "on: push\npermissions:\n  contents: write\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/publish\n";

fn action(run: &str) -> String {
    format!(
        "name: publish\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: {run}\n"
    )
}

#[test]
fn shared_workflows_still_see_their_own_local_actions() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (repo, run) in [
        ("a", "gh release create v1"),
        ("b", "echo hi"),
        ("c", "gh release create v1"),
    ] {
        let gh = dir.path().join(repo).join(".github");
        std::fs::create_dir_all(gh.join("workflows")).expect("mkdir");
        std::fs::create_dir_all(gh.join("actions/publish")).expect("mkdir");
        std::fs::write(gh.join("workflows/release.yml"), CALLS_LOCAL).expect("write");
        std::fs::write(gh.join("actions/publish/action.yml"), action(run)).expect("write");
    }
    // One thread: the files are checked one after the other, so a result wrongly shared
    // between them could not hide behind two threads computing it at once.
    let out = tollgate()
        .env("RAYON_NUM_THREADS", "1")
        .args(["check", "--format", "json", "--select", "broad-permissions"])
        .arg(dir.path())
        .output()
        .expect("run");
    let v = json(&out.stdout);
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "broad-permissions")
        .filter_map(|f| f["location"]["path"].as_str())
        .collect();
    // `gh release create` needs `contents: write`; `echo` needs nothing.
    assert_eq!(paths, ["b/.github/workflows/release.yml"], "{v}");
}

/// Identical lockfiles share one model; the graph still gives each its own node, with
/// an edge to every package located in that file.
#[test]
fn identical_lockfiles_each_contain_their_packages() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Two packages with their positions, written by hand.
    let lock = "requests==2.32.3\nurllib3==2.2.3\n";
    for repo in ["a", "b", "c"] {
        std::fs::create_dir_all(dir.path().join(repo)).expect("mkdir");
        std::fs::write(dir.path().join(repo).join("requirements.txt"), lock).expect("write");
    }
    let out = tollgate()
        .args(["graph", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    let nodes = v["nodes"].as_array().expect("nodes");
    let label = |id: &Value| -> String {
        let n = &nodes[usize::try_from(id.as_u64().expect("id")).expect("index")];
        format!(
            "{}:{}",
            n["kind"].as_str().unwrap_or(""),
            n["label"].as_str().unwrap_or("")
        )
    };
    for repo in ["a", "b", "c"] {
        let path = format!("{repo}/requirements.txt");
        let mut contains: Vec<(String, u64)> = v["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .filter(|e| e["kind"] == "contains" && e["location"]["path"] == path.as_str())
            .map(|e| (label(&e["to"]), e["location"]["line"].as_u64().unwrap_or(0)))
            .collect();
        contains.sort();
        let from_lockfile = v["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .filter(|e| e["kind"] == "contains" && e["location"]["path"] == path.as_str())
            .all(|e| label(&e["from"]).starts_with("lockfile:"));
        assert!(from_lockfile, "{repo}");
        assert_eq!(
            contains
                .iter()
                .map(|(l, n)| (l.split('@').next().unwrap_or(""), *n))
                .collect::<Vec<_>>(),
            [("package:pypi:requests", 1), ("package:pypi:urllib3", 2)],
            "{repo}: {contains:?}"
        );
    }
}

//! Keeps the three places of every rule in step: its catalog page under `rules/`, its code
//! in the registry, its cases under `testdata/rules/<id>/`. Runs every case and every
//! example of every page: a line marked `# expect: rule-id` must produce exactly that
//! finding, and nothing unmarked may produce one of the rule under test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tollgate_engine::catalog::{SECTIONS, parse_page};
use tollgate_engine::{Config, RunOptions, Selector, run};
use tollgate_scan::{ScanOptions, scan};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn pages_on_disk() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for cat in std::fs::read_dir(root().join("rules")).expect("rules/") {
        let cat = cat.expect("entry").path();
        if !cat.is_dir() {
            continue;
        }
        for page in std::fs::read_dir(&cat).expect("category") {
            let p = page.expect("entry").path();
            if p.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&p).expect("read");
                out.push((p, text));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn code_catalog_and_cases_agree() {
    let registered: BTreeSet<&str> = tollgate_rules::rules()
        .iter()
        .map(|r| r.rule.id())
        .collect();
    assert_eq!(
        registered.len(),
        tollgate_rules::registry::raw_pages().count(),
        "every registered page parses and ids are unique"
    );
    let mut on_disk = BTreeSet::new();
    for (path, text) in pages_on_disk() {
        let page = parse_page(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let cat = path
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        assert_eq!(
            page.meta.id,
            stem,
            "{}: id matches the file name",
            path.display()
        );
        assert_eq!(
            page.meta.category,
            cat,
            "{}: category matches the folder",
            path.display()
        );
        assert!(
            page.meta.summary.len() < 100,
            "{}: short summary",
            path.display()
        );
        assert!(
            !page.examples.is_empty(),
            "{}: has an example",
            path.display()
        );
        on_disk.insert(stem);
    }
    let registered: BTreeSet<String> = registered.into_iter().map(str::to_owned).collect();
    assert_eq!(
        registered, on_disk,
        "every page has code and every rule has a page"
    );
    for (text, id) in tollgate_rules::registry::raw_pages() {
        let page = parse_page(text).expect("page");
        assert_eq!(
            page.meta.id, id,
            "registry pairs each rule with its own page"
        );
        for s in SECTIONS {
            assert!(page.body.contains(&format!("## {s}\n")));
        }
        let cases = root().join("testdata/rules").join(id);
        let names: Vec<String> = std::fs::read_dir(&cases)
            .unwrap_or_else(|_| panic!("{id}: testdata/rules/{id}/ is missing"))
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("fires")),
            "{id}: a firing case"
        );
        assert!(
            names.iter().any(|n| n.starts_with("clean")),
            "{id}: a clean case"
        );
    }
}

/// `(path, line, rule)` of every `# expect:` marker under `dir`, plus `expect.txt` lines
/// `path:line rule` for formats without comments.
fn expected(dir: &Path, rule: &str) -> BTreeSet<(String, usize, String)> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(dir)
                .expect("prefix")
                .to_string_lossy()
                .replace('\\', "/");
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            if rel == "expect.txt" {
                for l in text.lines().filter(|l| !l.trim().is_empty()) {
                    let (loc, r) = l.split_once(' ').expect("`path:line rule`");
                    let (path, line) = loc.rsplit_once(':').expect("path:line");
                    if r.trim() == rule {
                        out.insert((
                            path.to_owned(),
                            line.parse().expect("line"),
                            r.trim().to_owned(),
                        ));
                    }
                }
                continue;
            }
            for (i, l) in text.lines().enumerate() {
                for r in tollgate_engine::catalog::expect_marker(l) {
                    if r == rule {
                        out.insert((rel.clone(), i + 1, r));
                    }
                }
            }
        }
    }
    out
}

fn actual(dir: &Path, rule: &str) -> BTreeSet<(String, usize, String)> {
    let s = scan(&[dir.to_path_buf()], &ScanOptions::default());
    let config = match Config::find(dir) {
        Some(p) => {
            let known: Vec<&tollgate_engine::RuleMeta> =
                tollgate_rules::rules().iter().map(|r| &r.meta).collect();
            Config::load(&p, &known).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        }
        None => Config::default(),
    };
    let opts = RunOptions {
        select: vec![Selector(rule.to_owned())],
        ..RunOptions::default()
    };
    let (graph, _) = tollgate_facts::graph(&s);
    let outcome = run(tollgate_rules::rules(), &s, &graph, &config, &opts);
    assert!(
        !outcome
            .diagnostics
            .iter()
            .any(|d| d.code == tollgate_model::DiagnosticCode::Internal),
        "{}: {:?}",
        dir.display(),
        outcome.diagnostics
    );
    // A case without `.github` is checked within the repository that holds it (this
    // one), so its paths start with the case's directory there.
    let canonical = std::fs::canonicalize(dir).expect("case dir");
    let prefix = tollgate_scan::repository_root(&canonical)
        .and_then(|r| {
            canonical
                .strip_prefix(&r)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .filter(|p| !p.is_empty())
        .map(|p| format!("{p}/"))
        .unwrap_or_default();
    outcome
        .findings
        .iter()
        .map(|f| {
            (
                f.primary
                    .path
                    .strip_prefix(prefix.as_str())
                    .unwrap_or(&f.primary.path)
                    .to_owned(),
                f.primary.start.line as usize,
                f.rule.to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_case_produces_exactly_its_marked_findings() {
    let mut ran = 0;
    for r in tollgate_rules::rules() {
        let id = r.rule.id();
        let cases = root().join("testdata/rules").join(id);
        let Ok(entries) = std::fs::read_dir(&cases) else {
            continue;
        };
        let mut dirs: Vec<PathBuf> = entries
            .filter_map(|e| Some(e.ok()?.path()))
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for case in dirs {
            let want = expected(&case, id);
            let got = actual(&case, id);
            let name = case
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            if name.starts_with("clean") {
                assert!(want.is_empty(), "{id}/{name}: a clean case has no markers");
            } else {
                assert!(!want.is_empty(), "{id}/{name}: a firing case has markers");
            }
            assert_eq!(got, want, "{id}/{name}");
            ran += 1;
        }
    }
    assert!(ran > 0);
}

#[test]
fn every_page_example_behaves_as_tagged() {
    for page in tollgate_rules::pages() {
        for (n, ex) in page.examples.iter().enumerate() {
            let dir = tempfile::tempdir().expect("tmp");
            let rel = match ex.kind.as_str() {
                "workflow" => ".github/workflows/example.yml",
                "action" => ".github/actions/example/action.yml",
                "dockerfile" => "Dockerfile",
                "dependabot" => ".github/dependabot.yml",
                "gitlab" => ".gitlab-ci.yml",
                other => panic!("{}: example kind `{other}`", page.meta.id),
            };
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, &ex.text).expect("write");
            let got = actual(dir.path(), &page.meta.id);
            let want: BTreeSet<(String, usize, String)> = ex
                .expect
                .iter()
                .filter(|(_, r)| *r == page.meta.id)
                .map(|(l, r)| (rel.to_owned(), *l, r.clone()))
                .collect();
            assert_eq!(got, want, "{} example {}", page.meta.id, n + 1);
        }
    }
}

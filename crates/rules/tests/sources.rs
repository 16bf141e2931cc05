//! `unknown-package-source` and the plain-HTTP part of `insecure-transport` as queries
//! over the places the graph records as naming a package source: every place is
//! reported (a package two lockfiles share, both entries of a cargo replacement), an
//! `env:` of a composite action's step is a place like a job's, and the record keeps how
//! each place names its source. Hostile inputs (tens of thousands of sources and
//! namings) stay within a generous time limit.

use std::time::{Duration, Instant};

mod common;

use common::{build, run_rules, write};
use tollgate_graph::{Naming, NodeKind};
use tollgate_lockfile::SourceRole;
use tollgate_shell::IndexKind;

/// A finding: rule, file, line, column, message, job and the labels of its path.
#[derive(Debug)]
struct Found {
    rule: &'static str,
    file: String,
    line: usize,
    column: usize,
    message: String,
    job: Option<String>,
    path: Vec<String>,
}

/// The findings of the two rules on a repository holding `files`.
fn check(files: &[(&str, &str)]) -> Vec<Found> {
    let dir = write(files);
    let (s, graph) = build(&dir);
    let findings = run_rules(
        &s,
        &graph,
        &["unknown-package-source", "insecure-transport"],
    );
    findings
        .iter()
        .map(|f| Found {
            rule: f.rule,
            file: f.primary.path.to_string(),
            line: f.primary.start.line as usize,
            column: f.primary.start.column as usize,
            message: f.message.clone(),
            job: f.job.as_deref().map(str::to_owned),
            path: f.path.iter().map(|h| h.label.clone()).collect(),
        })
        .collect()
}

fn lock(resolved_ui: &str) -> String {
    format!(
        r#"{{
  "name": "web",
  "lockfileVersion": 3,
  "packages": {{
    "": {{ "name": "web" }},
    "node_modules/@acme/ui": {{
      "version": "2.1.0",
      "resolved": "{resolved_ui}"
    }}
  }}
}}
"#
    )
}

/// The graph's edges are one per (namer, source): the package node two lockfiles share
/// resolves from the registry once, at the first lockfile. The record keeps the entry of
/// each, and both rules report in both lockfiles, at the `resolved` line.
#[test]
fn a_package_two_lockfiles_share_is_reported_in_each() {
    let l = lock("http://npm.acme.example/@acme/ui/-/ui-2.1.0.tgz");
    let found = check(&[("a/package-lock.json", &l), ("b/package-lock.json", &l)]);
    let mut places: Vec<(&str, &str, usize, usize)> = found
        .iter()
        .map(|f| (f.rule, f.file.as_str(), f.line, f.column))
        .collect();
    places.sort_unstable();
    assert_eq!(
        places,
        [
            ("insecure-transport", "a/package-lock.json", 8, 7),
            ("insecure-transport", "b/package-lock.json", 8, 7),
            ("unknown-package-source", "a/package-lock.json", 8, 7),
            ("unknown-package-source", "b/package-lock.json", 8, 7),
        ],
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .filter(|f| f.rule == "unknown-package-source")
            .all(|f| f.message
                == "`@acme/ui` comes from registry `http://npm.acme.example/`, which the package policy does not allow"),
        "{found:#?}"
    );
}

/// Three entries from one repository are one finding that counts the other two in the
/// plural ("2 entrys" before).
#[test]
fn the_other_entries_of_a_group_are_counted_in_the_plural() {
    let req = "a @ git+https://github.com/evil/tools.git@v1#subdirectory=a\nb @ git+https://github.com/evil/tools.git@v1#subdirectory=b\nc @ git+https://github.com/evil/tools.git@v1#subdirectory=c\n";
    let found = check(&[("requirements.txt", req)]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].message.ends_with(
            "which the package policy does not allow (and 2 entries more from it in this file)"
        ),
        "{}",
        found[0].message
    );
    assert_eq!((found[0].line, found[0].column), (1, 1));
}

/// A step of a local composite action sets a registry in its `env:` as a workflow step
/// does; it was not looked at. It has no job of its own, and its path runs from the
/// workflow that calls the action.
#[test]
fn a_composite_action_step_env_names_a_source() {
    let action = "name: setup\nruns:\n  using: composite\n  steps:\n    - run: pip install -r requirements.txt\n      shell: bash\n      env:\n        PIP_EXTRA_INDEX_URL: https://pypi.evil.example/simple\n";
    let wf = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/setup\n";
    let found = check(&[
        (".github/actions/setup/action.yml", action),
        (".github/workflows/ci.yml", wf),
    ]);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(
        (f.rule, f.file.as_str(), f.line, f.column),
        (
            "unknown-package-source",
            ".github/actions/setup/action.yml",
            8,
            9
        )
    );
    assert_eq!(
        f.message,
        "`env: PIP_EXTRA_INDEX_URL` adds the extra index `https://pypi.evil.example/simple`, which the package policy does not allow: a dependency confusion risk"
    );
    assert_eq!(f.job, None);
    assert_eq!(
        f.path.first().map(String::as_str),
        Some("workflow `.github/workflows/ci.yml`")
    );
    assert_eq!(
        f.path.last().map(String::as_str),
        Some("registry `https://pypi.evil.example/simple`")
    );
}

/// Findings of an install option and of a job's `env:` carry the job and the chain
/// workflow → job → step → command → source.
#[test]
fn install_and_env_findings_carry_their_job_and_chain() {
    let wf = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n      NPM_CONFIG_REGISTRY: https://npm.evil.example/\n    steps:\n      - run: pip install --extra-index-url http://pypi.evil.example/simple black==24.1.0\n";
    let found = check(&[(".github/workflows/ci.yml", wf)]);
    let mut got: Vec<(&str, usize, Option<&str>, Vec<&str>)> = found
        .iter()
        .map(|f| {
            (
                f.rule,
                f.line,
                f.job.as_deref(),
                f.path.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    got.sort();
    let install = [
        "workflow `.github/workflows/ci.yml`",
        "job `test`",
        "step `run step 1`",
        "runs `pip install --extra-index-url http://pypi.evil.example/simple black==24.1.0`",
    ];
    let with = |last: &'static str| {
        let mut v = install.to_vec();
        v.push(last);
        v
    };
    assert_eq!(
        got,
        [
            (
                "insecure-transport",
                8,
                Some("test"),
                with("registry `http://pypi.evil.example/simple`")
            ),
            (
                "unknown-package-source",
                6,
                Some("test"),
                vec![
                    "workflow `.github/workflows/ci.yml`",
                    "job `test`",
                    "registry `https://npm.evil.example/`"
                ]
            ),
            (
                "unknown-package-source",
                8,
                Some("test"),
                with("registry `http://pypi.evil.example/simple`")
            ),
        ],
        "{found:#?}"
    );
}

/// How each place names its source, as the structural build records it.
#[test]
fn the_record_keeps_how_each_place_names_its_source() {
    let cargo = "[source.crates-io]\nreplace-with = \"mirror\"\n\n[source.mirror]\nregistry = \"sparse+https://cargo.evil.example/index/\"\n";
    let gomod = "module example.com/app\n\ngo 1.23\n\nrequire github.com/pkg/errors v0.9.1\n\nreplace github.com/pkg/errors => github.com/someone/errors v0.9.2-fix\n";
    let wf = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pip install --find-links https://wheels.example/ black==24.1.0\n        env:\n          UV_INDEX_URL: https://uv.example/simple\n          PIP_INDEX_URL: ${{ secrets.INDEX }}\n";
    let dir = write(&[
        (".cargo/config.toml", cargo),
        ("go.mod", gomod),
        (".github/workflows/ci.yml", wf),
    ]);
    let (_, g) = build(&dir);
    let mut got: Vec<(String, usize, String, String)> = g
        .source_namings()
        .iter()
        .map(|n| {
            let l = g.location(&n.origin);
            let url = n
                .source
                .and_then(|s| match &g.node(s)?.kind {
                    NodeKind::Source { url, .. } => Some(url.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            let how = match &n.naming {
                Naming::Config(c) => format!("config {:?}", c.role),
                Naming::Env(e) => format!("env {} {:?}", e.var, e.role),
                Naming::Index { kind } => format!("index {}", *kind == IndexKind::FindLinks),
                Naming::Fork { replaces } => format!("fork of {replaces}"),
                other => format!("{other:?}"),
            };
            (l.path.to_string(), l.start.line as usize, how, url)
        })
        .collect();
    got.sort();
    let replaces = SourceRole::Replacement {
        replaces: "crates-io".to_owned(),
    };
    let s = |p: &str, l: usize, h: String, u: &str| (p.to_owned(), l, h, u.to_owned());
    assert_eq!(
        got,
        [
            s(
                ".cargo/config.toml",
                2,
                format!("config {replaces:?}"),
                "sparse+https://cargo.evil.example/index/"
            ),
            s(
                ".cargo/config.toml",
                5,
                format!("config {:?}", SourceRole::Named),
                "sparse+https://cargo.evil.example/index/"
            ),
            s(
                ".github/workflows/ci.yml",
                6,
                "index true".to_owned(),
                "https://wheels.example/"
            ),
            // The value only known at run time names no source.
            s(
                ".github/workflows/ci.yml",
                8,
                format!("env UV_INDEX_URL {:?}", SourceRole::Default),
                "https://uv.example/simple"
            ),
            s(
                "go.mod",
                7,
                "fork of github.com/pkg/errors".to_owned(),
                "https://proxy.golang.org"
            ),
        ]
    );
}

/// Run `f` and fail if it takes longer than `limit`; return how long it took.
fn within<T>(limit: Duration, what: &str, f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    assert!(took < limit, "{what} took {took:?}");
    (out, took)
}

/// Tens of thousands of sources and namings: 20,000 git dependencies from as many
/// repositories in one lockfile, 20,000 entries of one private registry in another
/// (one finding), 5,000 `env:` registries in one job and 5,000 index options in one
/// command. Each source is judged once and each naming read once.
#[test]
fn many_sources_and_namings_stay_within_the_time_limit() {
    const N: usize = 20_000;
    const M: usize = 5_000;
    let mut git = String::new();
    for i in 0..N {
        git.push_str(&format!("p{i} @ git+https://github.com/o{i}/r{i}.git@v1\n"));
    }
    let mut packages =
        String::from("{\"name\":\"x\",\"lockfileVersion\":3,\"packages\":{\"\":{\"name\":\"x\"}");
    for i in 0..N {
        packages.push_str(&format!(
            ",\"node_modules/p{i}\":{{\"version\":\"1.0.0\",\"resolved\":\"https://npm.evil.example/p{i}/-/p{i}-1.0.0.tgz\"}}"
        ));
    }
    packages.push_str("}}\n");
    let mut wf = String::from("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    env:\n");
    for i in 0..M {
        wf.push_str(&format!(
            "      CARGO_REGISTRIES_R{i}_INDEX: https://r{i}.evil.example/index\n"
        ));
    }
    wf.push_str("    steps:\n      - run: pip install");
    for i in 0..M {
        wf.push_str(&format!(
            " --extra-index-url https://i{i}.evil.example/simple"
        ));
    }
    wf.push_str(" black==24.1.0\n");
    let (found, _) = within(Duration::from_secs(60), "check", || {
        check(&[
            ("requirements.txt", &git),
            ("web/package-lock.json", &packages),
            (".github/workflows/ci.yml", &wf),
        ])
    });
    let count = |file: &str| found.iter().filter(|f| f.file == file).count();
    assert_eq!(count("requirements.txt"), N);
    assert_eq!(count("web/package-lock.json"), 1);
    assert_eq!(count(".github/workflows/ci.yml"), 2 * M);
}

//! A scan root that holds several repositories (a directory of checkouts, as the corpus
//! is) judges each one as a scan of that repository alone does: the files an install
//! reads are found in its repository, below the scan root.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{json, tollgate, write};

/// (path relative to the repository, line, message) of every `unpinned-package-install`
/// finding of a scan of `path`, with `prefix` taken off the paths.
fn findings(path: &Path, prefix: &str) -> BTreeSet<(String, u64, String)> {
    let out = tollgate()
        .args([
            "check",
            "--format",
            "json",
            "--select",
            "unpinned-package-install",
        ])
        .arg(path)
        .output()
        .expect("runs");
    json(&out.stdout)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let p = f["location"]["path"].as_str().unwrap_or("");
            (
                p.strip_prefix(prefix).unwrap_or(p).to_owned(),
                f["location"]["line"].as_u64().unwrap_or(0),
                f["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[test]
fn installs_read_their_repositorys_files_under_a_root_of_many_repositories() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("org__app");
    write(
        &repo,
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  web:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm install\n        working-directory: web\n      - run: yarn install\n      - run: pip install -r docs/requirements.txt\n",
    );
    // The project in `web` has its lock there.
    write(
        &repo,
        "web/package-lock.json",
        "{\"name\": \"ui\", \"lockfileVersion\": 3, \"packages\": {}}\n",
    );
    // Yarn 2+ installs immutably on CI by itself.
    write(
        &repo,
        "yarn.lock",
        "__metadata:\n  version: 8\n\n\"left-pad@npm:1.3.0\":\n  version: 1.3.0\n  resolution: \"left-pad@npm:1.3.0\"\n",
    );
    write(&repo, "docs/requirements.txt", "mkdocs==1.6.1\n");

    let alone = findings(&repo, "");
    let under_root = findings(dir.path(), "org__app/");
    let want: BTreeSet<(String, u64, String)> = [
        (
            ".github/workflows/ci.yml".to_owned(),
            6,
            "`npm install` may resolve new versions and rewrite the lockfile".to_owned(),
        ),
        (
            ".github/workflows/ci.yml".to_owned(),
            9,
            "`pip` installs requirements without hashes".to_owned(),
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(alone, want);
    assert_eq!(under_root, want);
}

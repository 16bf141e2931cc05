//! The hosts of jobs that build with package managers that are not install commands:
//! Maven and Gradle (and their wrappers), Composer, tox and nox, and the restore that
//! `dotnet build|test|run|publish|pack` does by itself. Each workflow is written here and
//! its hosts were read by hand from the knowledge base's `[[manager]]` entries; what the
//! build files may add is reported as unresolved, never guessed.

use tollgate_graph::{Graph, NodeKind};
use tollgate_scan::{ScanOptions, scan};

/// The external hosts and the unresolved texts of job `a` of a workflow whose one step
/// runs `script` (after a checkout, whose hosts are GitHub's).
fn job_a(script: &str) -> (Vec<String>, Vec<String>) {
    let dir = tempfile::tempdir().expect("tmp");
    let wf = dir.path().join(".github/workflows/ci.yml");
    std::fs::create_dir_all(wf.parent().expect("parent")).expect("mkdir");
    let body: String = script.lines().map(|l| format!("          {l}\n")).collect();
    std::fs::write(
        &wf,
        format!(
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n{body}"
        ),
    )
    .expect("write");
    let s = scan(&[dir.path().to_path_buf()], &ScanOptions::default());
    let (g, _) = Graph::build_with(&s, &[&tollgate_egress::Pass]);
    let job = g
        .jobs()
        .find(
            |j| matches!(&g.node(*j).map(|n| &n.kind), Some(NodeKind::Job { id, .. }) if id == "a"),
        )
        .expect("job a");
    let record = tollgate_egress::of(&g).job(job).expect("record").clone();
    let mut hosts: Vec<String> = record.external().map(|d| d.host.clone()).collect();
    hosts.dedup();
    let unresolved = record.unresolved.iter().map(|u| u.text.clone()).collect();
    (hosts, unresolved)
}

fn has(unresolved: &[String], part: &str) -> bool {
    unresolved.iter().any(|u| u.contains(part))
}

#[test]
fn maven_reaches_central_and_says_what_the_pom_may_add() {
    let (hosts, unresolved) = job_a("mvn -B -ntp verify");
    assert_eq!(hosts, ["repo.maven.apache.org"]);
    assert!(has(&unresolved, "`pom.xml`"), "{unresolved:?}");

    // The wrapper downloads Maven (from Central by default) even when Maven then works
    // offline; the offline build reaches nothing itself and has nothing to add.
    let (hosts, unresolved) = job_a("./mvnw -o -B package");
    assert_eq!(hosts, ["repo.maven.apache.org"]);
    assert!(
        has(&unresolved, "maven-wrapper.properties"),
        "{unresolved:?}"
    );
    assert!(!has(&unresolved, "`pom.xml`"), "{unresolved:?}");

    let (hosts, _) = job_a("mvn -o package");
    assert!(hosts.is_empty(), "{hosts:?}");

    // A settings file on the command line may name mirrors: said, not guessed; a
    // repository given as a property is reached besides Central.
    let (hosts, unresolved) = job_a(
        "mvn -s .github/maven-settings.xml -Dmaven.repo.remote=https://maven.internal.example/releases install",
    );
    assert_eq!(hosts, ["maven.internal.example", "repo.maven.apache.org"]);
    assert!(
        has(&unresolved, "`.github/maven-settings.xml`"),
        "{unresolved:?}"
    );
}

#[test]
fn gradle_reaches_the_plugin_portal_central_and_the_wrapper_distribution() {
    let (hosts, unresolved) = job_a("./gradlew build --no-daemon");
    assert_eq!(
        hosts,
        [
            "downloads.gradle.org",
            "plugins-artifacts.gradle.org",
            "plugins.gradle.org",
            "repo.maven.apache.org",
            "services.gradle.org",
        ]
    );
    assert!(
        has(&unresolved, "gradle-wrapper.properties"),
        "{unresolved:?}"
    );
    assert!(has(&unresolved, "`build.gradle(.kts)`"), "{unresolved:?}");

    // An installed Gradle downloads no distribution.
    let (hosts, _) = job_a("gradle test");
    assert_eq!(
        hosts,
        [
            "plugins-artifacts.gradle.org",
            "plugins.gradle.org",
            "repo.maven.apache.org",
        ]
    );
    let (hosts, _) = job_a("./gradlew --offline check");
    assert_eq!(hosts, ["downloads.gradle.org", "services.gradle.org"]);
}

#[test]
fn composer_reaches_packagist_and_githubs_archives() {
    let (hosts, unresolved) = job_a("composer install --no-interaction --prefer-dist");
    assert_eq!(
        hosts,
        [
            "api.github.com",
            "codeload.github.com",
            "repo.packagist.org"
        ]
    );
    assert!(has(&unresolved, "`composer.json`"), "{unresolved:?}");
    // `--prefer-source` clones with git.
    let (hosts, _) = job_a("composer update --prefer-source");
    assert!(hosts.iter().any(|h| h == "github.com"), "{hosts:?}");
    let (hosts, _) = job_a("composer validate --strict");
    assert!(hosts.is_empty(), "{hosts:?}");
}

#[test]
fn tox_and_nox_install_from_pypi_and_their_sessions_are_not_followed() {
    for script in ["tox -e py312", "python -m tox run -e lint", "nox -s tests"] {
        let (hosts, unresolved) = job_a(script);
        assert_eq!(hosts, ["files.pythonhosted.org", "pypi.org"], "{script}");
        assert!(has(&unresolved, "not followed"), "{script}: {unresolved:?}");
    }
    // The index pip reads from the environment replaces PyPI.
    let (hosts, _) = job_a("PIP_INDEX_URL=https://pypi.internal.example/simple tox -e py");
    assert_eq!(hosts, ["pypi.internal.example"]);
    let (hosts, _) = job_a("tox --skip-env-install -e py");
    assert!(hosts.is_empty(), "{hosts:?}");
    let (hosts, _) = job_a("tox list");
    assert!(hosts.is_empty(), "{hosts:?}");
}

#[test]
fn dotnet_builds_restore_from_nuget_unless_told_not_to() {
    for script in [
        "dotnet build -c Release",
        "dotnet test",
        "dotnet publish src/App.csproj -r linux-x64",
        "dotnet pack",
        "dotnet run --project tools/gen",
    ] {
        let (hosts, _) = job_a(script);
        assert_eq!(hosts, ["api.nuget.org"], "{script}");
    }
    for script in [
        "dotnet build --no-restore",
        "dotnet test --no-build",
        "dotnet test bin/Release/Tests.dll",
    ] {
        let (hosts, _) = job_a(script);
        assert!(hosts.is_empty(), "{script}: {hosts:?}");
    }
}

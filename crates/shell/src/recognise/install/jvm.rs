//! JVM builds: Maven (`mvn`, `./mvnw`) and Gradle (`gradle`, `./gradlew`). Neither is an
//! install command, but almost every run of them resolves plugins and dependencies from
//! repositories, and their wrappers download the tool itself first: each is an install
//! whose sources the build files name (read by nobody here: the knowledge base says so).

use super::*;

/// Maven's options that print and exit without building.
const MAVEN_INFO: &[&str] = &["-v", "--version", "-h", "--help"];

/// `mvn [options] [<goal(s)>] [<phase(s)>]`; `wrapper`: run through `./mvnw`, which
/// downloads Maven first (a [`Manager::Mvnw`] install of its own, whatever the options,
/// even `--version`).
pub(super) fn maven(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word], wrapper: bool) {
    if wrapper {
        let mut w = blank(Manager::Mvnw, Some("wrapper".into()), cmd);
        w.global = true;
        cx.push(Fact::Install(w));
    }
    let words: Vec<&str> = args.iter().filter_map(Word::as_str).collect();
    if words.iter().any(|t| MAVEN_INFO.contains(t)) {
        return;
    }
    let scanned = scan(args, &flags::MAVEN);
    let goals: Vec<String> = positionals(&scanned).map(|w| owned(cx, w)).collect();
    // `deploy` (the phase, or the plugin's goal) uploads to the repository the POM's
    // `distributionManagement` names.
    if goals
        .iter()
        .any(|g| g == "deploy" || g.starts_with("deploy:"))
    {
        credential::publish(cx, cmd, "mvn deploy", false);
    }
    // With no goal Maven runs the POM's `defaultGoal` (or fails): a build either way.
    let sub = if goals.is_empty() {
        None
    } else {
        Some(goals.join(" "))
    };
    let mut inst = blank(Manager::Maven, sub, cmd);
    // Maven's one-dash options are words of their own (`-Pdocs` is a profile, not a
    // group of letters holding `-o`): `-o` counts only as a whole word. `--offline` is
    // the knowledge base's.
    inst.offline = words.contains(&"-o");
    for a in &scanned {
        if a.is('\0', "s")
            || a.is('\0', "settings")
            || a.is('\0', "gs")
            || a.is('\0', "global-settings")
        {
            inst.config_files.extend(file_ref(cx, a));
        }
        // `-Dmaven.repo.remote=URL` (and `dependency:get`'s `-DremoteRepositories=URL`,
        // a comma-separated list of `id::layout::url` or URLs) name repositories beside
        // the POM's.
        if let Arg::Opt {
            name,
            value: Some(v),
            ..
        } = a
            && let Some(prop) = name.strip_prefix('D')
            && matches!(prop, "maven.repo.remote" | "remoteRepositories")
        {
            let text = v.text.map_or_else(|| owned(cx, v.word), str::to_owned);
            for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let url = part.rsplit("::").next().unwrap_or(part);
                inst.index_urls.push(IndexUrl {
                    url: url.to_owned(),
                    kind: IndexKind::Source,
                    span: v.span,
                });
            }
        }
    }
    cx.push(Fact::Install(inst));
}

/// Gradle's options that print and exit without running the build.
const GRADLE_INFO: &[&str] = &["-v", "--version", "-h", "-?", "--help"];

/// `gradle [options] [tasks]`; `wrapper`: run through `./gradlew`, which downloads its
/// distribution first (a [`Manager::Gradlew`] install, whatever the options).
pub(super) fn gradle(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word], wrapper: bool) {
    if wrapper {
        let mut w = blank(Manager::Gradlew, Some("wrapper".into()), cmd);
        w.global = true;
        cx.push(Fact::Install(w));
    }
    if args
        .iter()
        .filter_map(Word::as_str)
        .any(|t| GRADLE_INFO.contains(&t))
    {
        return;
    }
    let scanned = scan(args, &flags::GRADLE);
    let tasks: Vec<String> = positionals(&scanned).map(|w| owned(cx, w)).collect();
    // Even `gradle tasks` or no task at all configures the build, which resolves the
    // plugins it applies.
    let sub = (!tasks.is_empty()).then(|| tasks.join(" "));
    let mut inst = blank(Manager::Gradle, sub, cmd);
    for a in &scanned {
        if a.is('I', "init-script") || a.is('c', "settings-file") || a.is('b', "build-file") {
            inst.config_files.extend(file_ref(cx, a));
        }
    }
    cx.push(Fact::Install(inst));
}

#[cfg(test)]
mod tests {
    use super::super::installs;
    use crate::{Analyzer, Fact};

    /// (manager, subcommand, offline) of each install.
    fn seen(script: &str) -> Vec<(&'static str, Option<String>, bool)> {
        installs(script)
            .into_iter()
            .map(|i| (i.manager, i.subcommand, i.offline))
            .collect()
    }

    #[test]
    fn maven_goals_offline_and_wrapper() {
        assert_eq!(
            seen("mvn -B verify"),
            [("maven", Some("verify".into()), false)]
        );
        assert_eq!(
            seen("mvn -B -ntp -pl core -am clean install -DskipTests"),
            [("maven", Some("clean install".into()), false)]
        );
        assert_eq!(
            seen("mvn -o package"),
            [("maven", Some("package".into()), true)]
        );
        assert_eq!(
            seen("mvn --offline package"),
            [("maven", Some("package".into()), true)]
        );
        // A profile whose name holds an `o` is no offline flag.
        assert_eq!(
            seen("mvn -Pdocs -Pprod package"),
            [("maven", Some("package".into()), false)]
        );
        // The wrapper downloads Maven even when Maven then works offline or only prints
        // its version.
        assert_eq!(
            seen("./mvnw -o -B test"),
            [
                ("mvnw", Some("wrapper".into()), false),
                ("maven", Some("test".into()), true)
            ]
        );
        assert_eq!(
            seen("mvnw.cmd --version"),
            [("mvnw", Some("wrapper".into()), false)]
        );
        assert!(seen("mvn --version").is_empty());
        assert!(seen("mvn -v").is_empty());
    }

    #[test]
    fn maven_settings_repositories_and_deploy() {
        let got = installs(
            "mvn -s .github/settings.xml -Dmaven.repo.remote=https://repo.example.com/maven2 deploy",
        );
        assert_eq!(got.len(), 1);
        let i = &got[0];
        assert_eq!(i.config_files.len(), 1);
        assert_eq!(i.config_files[0].path, ".github/settings.xml");
        let urls: Vec<&str> = i.index_urls.iter().map(|u| u.url.as_str()).collect();
        assert_eq!(urls, ["https://repo.example.com/maven2"]);
        let a = Analyzer::new().analyze("mvn -B deploy");
        assert!(a.facts.iter().any(|f| matches!(
            f,
            Fact::Credential(c) if matches!(&c.kind, crate::CredentialKind::Publish { tool, .. } if tool == "mvn deploy")
        )));
        let got = installs(
            "mvn dependency:get -DremoteRepositories=central::default::https://repo1.example.org/m2,https://b.example.org -Dartifact=g:a:1",
        );
        let urls: Vec<&str> = got[0].index_urls.iter().map(|u| u.url.as_str()).collect();
        assert_eq!(
            urls,
            ["https://repo1.example.org/m2", "https://b.example.org"]
        );
    }

    #[test]
    fn gradle_tasks_offline_and_wrapper() {
        assert_eq!(
            seen("gradle build"),
            [("gradle", Some("build".into()), false)]
        );
        assert_eq!(
            seen("./gradlew --no-daemon -x test assemble --offline"),
            [
                ("gradlew", Some("wrapper".into()), false),
                ("gradle", Some("assemble".into()), true)
            ]
        );
        assert_eq!(
            seen("gradlew.bat --version"),
            [("gradlew", Some("wrapper".into()), false)]
        );
        assert_eq!(
            seen("sub/dir/gradlew check"),
            [
                ("gradlew", Some("wrapper".into()), false),
                ("gradle", Some("check".into()), false)
            ]
        );
        let got = installs("gradle -I ci/init.gradle build");
        assert_eq!(got[0].config_files[0].path, "ci/init.gradle");
        // Not the wrapper: a file that happens to end in the name.
        assert!(seen("./my-gradlew-helper build").is_empty());
    }
}

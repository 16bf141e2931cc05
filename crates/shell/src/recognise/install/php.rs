//! PHP: `composer install|update|require|create-project`.

use super::*;

/// `composer [options] <command> [args]`, and `composer global <command>`.
pub(super) fn composer(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &flags::COMPOSER);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let mut skip = 0;
    let mut global = false;
    if pos.first().and_then(|w| w.as_str()) == Some("global") {
        skip = 1;
        global = true;
    }
    let sub = pos.get(skip).and_then(|w| w.as_str()).unwrap_or("");
    // Composer accepts any unambiguous prefix of a command name; these are the spellings
    // its documentation gives (<https://getcomposer.org/doc/03-cli.md>).
    let sub = match sub {
        "install" | "i" => "install",
        "update" | "u" | "upgrade" => "update",
        "require" | "r" => "require",
        "create-project" => "create-project",
        "reinstall" => "reinstall",
        // Removing a package resolves and updates what depended on it.
        "remove" | "rm" | "uninstall" => "remove",
        _ => return,
    };
    let mut inst = blank(Manager::Composer, Some(sub.to_owned()), cmd);
    inst.global = global;
    if matches!(sub, "require" | "create-project") {
        for w in &pos[skip + 1..] {
            let t = owned(cx, w);
            if t.starts_with('-') {
                continue;
            }
            // `vendor/pkg:^1.2`, `vendor/pkg=1.2`, `vendor/pkg 1.2` (a second word is
            // the version for create-project's directory: not a package).
            let (name, version) = match t.split_once([':', '=']) {
                Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
                None => (t, None),
            };
            inst.packages.push(PackageSpec {
                name,
                version,
                kind: PackageKind::Registry,
                span: w.span,
            });
            if sub == "create-project" {
                break;
            }
        }
    }
    // `--prefer-source` (and `--prefer-install=source`) clones packages with git instead
    // of downloading their archives: from github.com for packages hosted there.
    let source = scanned.iter().find(|a| {
        a.is('\0', "prefer-source")
            || (a.is('\0', "prefer-install") && a.value_text() == Some("source"))
    });
    if let Some(a) = source {
        let span = match a {
            Arg::Opt { word, .. } => word.span,
            Arg::Pos(w) => w.span,
        };
        inst.index_urls.push(IndexUrl {
            url: "https://github.com".into(),
            kind: IndexKind::Source,
            span,
        });
    }
    for a in &scanned {
        // `--repository=URL` (create-project, require) adds a repository.
        if a.is('\0', "repository") || a.is('\0', "repository-url") {
            index(cx, &mut inst, a, IndexKind::Source);
        }
    }
    cx.push(Fact::Install(inst));
}

#[cfg(test)]
mod tests {
    use super::super::installs;

    #[test]
    fn composer_commands() {
        for (script, sub) in [
            (
                "composer install --no-interaction --prefer-dist",
                Some("install"),
            ),
            (
                "composer update --prefer-lowest --prefer-stable",
                Some("update"),
            ),
            ("composer u", Some("update")),
            ("composer global require phpstan/phpstan", Some("require")),
            ("php composer.phar install", Some("install")),
            ("composer -d sub install", Some("install")),
            ("composer validate --strict", None),
            ("composer config --global github-oauth.github.com x", None),
            ("composer run-script test", None),
        ] {
            let got = installs(script);
            assert_eq!(
                got.first().and_then(|i| i.subcommand.as_deref()),
                sub,
                "{script}"
            );
        }
        let got = installs("composer require --dev 'phpunit/phpunit:^10' vimeo/psalm");
        let pkgs: Vec<(&str, Option<&str>)> = got[0]
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_deref()))
            .collect();
        assert_eq!(
            pkgs,
            [("phpunit/phpunit", Some("^10")), ("vimeo/psalm", None)]
        );
        let got = installs("composer install --prefer-source");
        assert_eq!(got[0].index_urls[0].url, "https://github.com");
        assert!(
            installs("composer install")
                .iter()
                .all(|i| i.index_urls.is_empty())
        );
    }
}

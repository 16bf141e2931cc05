//! Package-manager recognisers: what each install command fetches, from which index, and
//! whether a lockfile or hash list pins it. One file per ecosystem; this one dispatches on
//! the command name and holds what they share (the install record, environment effects).

mod cargo;
mod go;
mod js;
mod jvm;
mod php;
mod pyenvs;
mod python;
mod ruby;
mod system;

use cargo::*;
use go::*;
use js::*;
use jvm::*;
use php::*;
use pyenvs::*;
use python::*;
use ruby::*;
use system::*;

pub(super) use system::gh_extension;

use tollgate_model::Span;

use super::{Recogniser, base_name, credential};
use tollgate_kb::{Manager, flags};

use crate::args::{Arg, OptSpec, Val, positionals, scan, sub_span};
use crate::command::{Command, Word};
use crate::facts::{
    EnvSetting, Fact, FileRef, IndexKind, IndexUrl, Install, PackageKind, PackageSpec,
};

fn blank(manager: Manager, sub: Option<String>, cmd: &Command) -> Install {
    blank_named(manager.name(), sub, cmd)
}

/// An install by `manager` (a name: PowerShell's `Install-Module`, `winget` and `scoop`
/// have no [`Manager`]) with nothing known yet; the recognisers fill in the rest.
pub(in crate::recognise) fn blank_named(
    manager: &'static str,
    sub: Option<String>,
    cmd: &Command,
) -> Install {
    Install {
        manager,
        subcommand: sub,
        packages: Vec::new(),
        locked: false,
        require_hashes: false,
        requirement_files: Vec::new(),
        constraint_files: Vec::new(),
        index_urls: Vec::new(),
        trusted_hosts: Vec::new(),
        // `sudo pip install` and friends write outside the workspace.
        global: cmd.has_wrapper("sudo") || cmd.has_wrapper("doas"),
        retry: false,
        insecure: false,
        env: Vec::new(),
        offline: false,
        config_files: Vec::new(),
        span: cmd.span,
    }
}

/// What an environment variable does to an install (the knowledge base's tables).
use tollgate_kb::env::EnvEffect as Effect;

fn truthy(v: &str) -> bool {
    !matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "" | "0" | "false" | "no" | "off"
    )
}

/// Apply the variables matched by `rules` (`NAME` exact, `PREFIX*` prefix; npm's
/// `npm_config_*` names are case-insensitive, as npm reads them).
fn apply_env(cx: &Recogniser<'_>, cmd: &Command, inst: &mut Install, rules: &[(&str, Effect)]) {
    let find = |name: &str| -> Option<Effect> {
        rules.iter().find_map(|(r, e)| {
            let hit = if let Some(p) = r.strip_suffix('*') {
                name.starts_with(p)
            } else if r.starts_with("npm_config_") {
                name.eq_ignore_ascii_case(r)
            } else {
                name == *r
            };
            hit.then_some(*e)
        })
    };
    for hit in cx.env_matching(cmd, |n| find(n).is_some()) {
        let Some(effect) = find(hit.name) else {
            continue;
        };
        let value = hit.value.as_deref().unwrap_or("");
        match effect {
            Effect::Index(kind) => inst.index_urls.push(IndexUrl {
                url: value.to_owned(),
                kind,
                span: hit.span,
            }),
            Effect::IndexList(kind) => {
                for u in value.split_whitespace() {
                    inst.index_urls.push(IndexUrl {
                        url: u.to_owned(),
                        kind,
                        span: hit.span,
                    });
                }
            }
            Effect::ProxyList => {
                for u in value.split([',', '|']).map(str::trim) {
                    if !u.is_empty() && u != "direct" && u != "off" {
                        inst.index_urls.push(IndexUrl {
                            url: u.to_owned(),
                            kind: IndexKind::Proxy,
                            span: hit.span,
                        });
                    }
                }
            }
            Effect::Trusted => {
                inst.trusted_hosts
                    .extend(value.split_whitespace().map(str::to_owned));
                inst.insecure |= !value.trim().is_empty();
            }
            Effect::Locked => inst.locked |= truthy(value),
            Effect::Retry => inst.retry |= truthy(value),
            Effect::Insecure => inst.insecure |= truthy(value),
            Effect::InsecureIfOff => inst.insecure |= value.trim() == "off",
            Effect::GoFlags => inst.insecure |= value.split_whitespace().any(|f| f == "-insecure"),
            Effect::Offline => inst.offline |= truthy(value),
            Effect::Record => {}
        }
        inst.env.push(EnvSetting {
            name: hit.name.to_owned(),
            value: hit.value.map(|v| v.into_owned()),
            span: hit.span,
        });
    }
}

pub(super) fn install(cx: &mut Recogniser<'_>, cmd: &Command) {
    let first = cx.facts.len();
    dispatch(cx, cmd);
    // Every install fact this command gave, whichever recogniser made it, learns whether
    // the command line asks for offline work.
    for f in &mut cx.facts[first..] {
        if let Fact::Install(inst) = f
            && let Some(m) = Manager::from_name(inst.manager)
        {
            inst.offline |= offline(cmd, flags::offline_options(m));
        }
    }
}

/// Whether a word of the command line before `--` is one of `options`: as written, as
/// `--name=value` with a value that is not false, or a one-letter option inside a group
/// of one-letter flags (`-yC`).
fn offline(cmd: &Command, options: &[&str]) -> bool {
    if options.is_empty() {
        return false;
    }
    cmd.args()
        .iter()
        .take_while(|w| w.as_str() != Some("--"))
        .filter_map(Word::as_str)
        .any(|t| {
            options.iter().any(|o| {
                if t == *o {
                    return true;
                }
                if let Some(v) = t.strip_prefix(o).and_then(|r| r.strip_prefix('=')) {
                    return o.starts_with("--") && truthy(v);
                }
                let letter = o
                    .strip_prefix('-')
                    .filter(|l| l.len() == 1 && !l.starts_with('-'));
                letter.is_some_and(|l| {
                    t.strip_prefix('-').is_some_and(|g| {
                        !g.starts_with('-')
                            && g.len() > 1
                            && g.bytes().all(|b| b.is_ascii_alphabetic())
                            && g.contains(l)
                    })
                })
            })
        })
}

fn dispatch(cx: &mut Recogniser<'_>, cmd: &Command) {
    let Some(name) = cmd.name() else { return };
    let args = cmd.args();
    match base_name(name) {
        "pip" | "pip3" => pip(cx, cmd, Manager::Pip, args, None),
        "python" | "python2" | "python3" | "py" | "pypy" | "pypy3" => {
            // `python -m pip install …`, `python3 -m pipx …`; `-m` may follow other flags.
            let Some(m) = args.iter().position(|w| w.as_str() == Some("-m")) else {
                return;
            };
            if !args[..m]
                .iter()
                .all(|w| w.as_str().is_some_and(|t| t.starts_with('-')))
            {
                return;
            }
            match args.get(m + 1).and_then(Word::as_str) {
                Some("pip") => pip(cx, cmd, Manager::Pip, &args[m + 2..], None),
                Some("pipx") => pipx(cx, cmd, &args[m + 2..]),
                Some("uv") => uv(cx, cmd, &args[m + 2..]),
                Some("tox") => tox(cx, cmd, &args[m + 2..]),
                Some("nox") => nox(cx, cmd, &args[m + 2..]),
                _ => {}
            }
        }
        "uv" => uv(cx, cmd, args),
        "uvx" => uv_tool_run(cx, cmd, args, "uvx"),
        "pipx" => pipx(cx, cmd, args),
        "npm" => npm(cx, cmd, args),
        "npx" | "pnpx" | "bunx" => npx(cx, cmd, args, name),
        "yarn" => yarn(cx, cmd, args),
        "pnpm" => pnpm(cx, cmd, args),
        "bun" => bun(cx, cmd, args),
        "corepack" => corepack(cx, cmd, args),
        "cargo" => cargo(cx, cmd, args),
        "cargo-binstall" => cargo_install(cx, cmd, args, "binstall"),
        "go" => go(cx, cmd, args),
        "gem" => gem(cx, cmd, args),
        "bundle" | "bundler" => bundle(cx, cmd, args),
        "apt-get" | "apt" | "aptitude" => system(
            cx,
            cmd,
            args,
            named(name, Manager::Tdnf),
            &["install", "reinstall"],
            SYS_APT,
        ),
        "yum" | "dnf" | "microdnf" | "tdnf" => system(
            cx,
            cmd,
            args,
            named(name, Manager::Tdnf),
            &[
                "install",
                "localinstall",
                "reinstall",
                "upgrade",
                "update",
                "groupinstall",
            ],
            SYS_YUM,
        ),
        "apk" => system(cx, cmd, args, Manager::Apk, &["add"], SYS_APK),
        "zypper" => system(
            cx,
            cmd,
            args,
            Manager::Zypper,
            &["install", "in"],
            SYS_ZYPPER,
        ),
        "brew" => system(
            cx,
            cmd,
            args,
            Manager::Brew,
            &["install", "reinstall", "upgrade"],
            SYS_BREW,
        ),
        "choco" | "choco.exe" => system(
            cx,
            cmd,
            args,
            Manager::Choco,
            &["install", "upgrade"],
            SYS_CHOCO,
        ),
        "snap" => system(cx, cmd, args, Manager::Snap, &["install"], SYS_SNAP),
        "pacman" => pacman(cx, cmd, args),
        "dotnet" => dotnet(cx, cmd, args),
        "nuget" | "nuget.exe" => nuget(cx, cmd, args),
        "conda" | "mamba" | "micromamba" => conda(cx, cmd, args, named(name, Manager::Conda)),
        "rustup" => rustup(cx, cmd, args),
        "poetry" => poetry(cx, cmd, args),
        "pipenv" => pipenv(cx, cmd, args),
        "tox" => tox(cx, cmd, args),
        "nox" => nox(cx, cmd, args),
        "mvn" | "mvnd" => maven(cx, cmd, args, false),
        "gradle" => gradle(cx, cmd, args, false),
        "composer" | "composer.phar" => composer(cx, cmd, args),
        "php"
            if args
                .first()
                .and_then(Word::as_str)
                .is_some_and(|t| t.ends_with("composer.phar") || t.ends_with("/composer")) =>
        {
            composer(cx, cmd, &args[1..]);
        }
        // The wrappers are run by path (`./mvnw`, `./gradlew`, `mvnw.cmd`).
        n => match n.rsplit(['/', '\\']).next().unwrap_or(n) {
            "mvnw" | "mvnw.cmd" => maven(cx, cmd, args, true),
            "gradlew" | "gradlew.bat" => gradle(cx, cmd, args, true),
            _ => {}
        },
    }
}

/// The manager a command name reports (`apt-get`, `dnf`, `mamba`: each its own).
fn named(name: &str, fallback: Manager) -> Manager {
    Manager::from_name(name).unwrap_or(fallback)
}

fn first_pos<'w>(args: &[Arg<'w>]) -> Option<&'w Word> {
    positionals(args).next()
}

fn owned(cx: &Recogniser<'_>, w: &Word) -> String {
    cx.text(w).into_owned()
}

fn index(cx: &Recogniser<'_>, inst: &mut Install, a: &Arg<'_>, kind: IndexKind) {
    if let Some(v) = a.value() {
        let url = v.text.map_or_else(|| owned(cx, v.word), str::to_owned);
        inst.index_urls.push(IndexUrl {
            url,
            kind,
            span: v.span,
        });
    }
}

fn file_ref(cx: &Recogniser<'_>, a: &Arg<'_>) -> Option<FileRef> {
    let v = a.value()?;
    Some(FileRef {
        path: v.text.map_or_else(|| owned(cx, v.word), str::to_owned),
        span: v.span,
    })
}

/// A package argument of the form `name<sep>version` (`go install x@v1`, `gem install
/// x:1.2`), or a local path or archive; `version` is the version given elsewhere (`gem
/// install x -v 1.2`) when the argument has none.
fn spec_with_separator(
    cx: &Recogniser<'_>,
    w: &Word,
    sep: char,
    version: Option<&str>,
) -> PackageSpec {
    let t = owned(cx, w);
    if let Some(kind) = local_kind(&t) {
        return PackageSpec {
            name: t,
            version: None,
            kind,
            span: w.span,
        };
    }
    let (name, version) = match t.split_once(sep) {
        Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
        None => (t, version.map(str::to_owned)),
    };
    PackageSpec {
        name,
        version,
        kind: PackageKind::Registry,
        span: w.span,
    }
}

/// Whether a package argument is a local directory or archive. A word that is only a
/// variable (`$PKG`, `"${dist}"`) is not known to be local: it may as well hold a package
/// name (`pip install "${PACKAGE_NAME}"`), so it is left to the registry reading; a word
/// that starts with a variable and goes on with `/` (`$GITHUB_WORKSPACE/pkg`) is a path.
fn local_kind(t: &str) -> Option<PackageKind> {
    let archive = [
        ".whl", ".tar.gz", ".tgz", ".zip", ".deb", ".rpm", ".gem", ".nupkg", ".crate", ".apk",
        ".snap", ".tar.bz2", ".conda",
    ]
    .iter()
    .any(|e| t.ends_with(e));
    let pathish = t.starts_with('.')
        || t.starts_with('/')
        || t.starts_with('~')
        || after_variable(t).is_some_and(|rest| rest.starts_with('/'))
        || t.starts_with("file:");
    if archive && !t.contains("://") {
        Some(PackageKind::LocalFile)
    } else if pathish {
        Some(PackageKind::Path)
    } else {
        None
    }
}

/// The text after a leading variable (`$X`, `${X}`, `${{ expr }}`), or `None` when the
/// word does not start with one.
fn after_variable(t: &str) -> Option<&str> {
    let rest = t.strip_prefix('$')?;
    if let Some(r) = rest.strip_prefix("{{") {
        return r.find("}}").map(|e| &r[e + 2..]);
    }
    if let Some(r) = rest.strip_prefix('{') {
        return r.find('}').map(|e| &r[e + 1..]);
    }
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[end..])
}

/// A `${NAME:+--opt …}` expansion that yields options when the variable is set
/// (`pipx install ${PYTHON_PATH:+--python "$PYTHON_PATH"} "$SPEC"`): not a package.
fn option_expansion(t: &str) -> bool {
    t.strip_prefix("${")
        .and_then(|r| r.split_once('+'))
        .is_some_and(|(name, alt)| {
            let name = name.strip_suffix(':').unwrap_or(name);
            !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && alt.trim_start_matches(['"', '\'']).starts_with('-')
        })
}

/// Whether the word is one variable and nothing else (quotes aside).
fn only_variable(t: &str) -> bool {
    after_variable(t).is_some_and(str::is_empty)
}

/// The kind of what a loop variable holds, when the word is only that variable and the
/// enclosing `for VAR in …` walks static globs of local archives or local paths
/// (`for dist in dist/*.whl; do pip install "$dist"; done`): each word of the list is
/// judged as the argument itself would be. `None` when that cannot be shown from the
/// script (no such loop around the command, a list built from a variable or a command).
fn loop_variable_kind(cx: &Recogniser<'_>, cmd: &Command, w: &Word) -> Option<PackageKind> {
    if !cmd.context.loop_body || w.variables.len() != 1 || !only_variable(&cx.text(w)) {
        return None;
    }
    let var = &w.variables[0];
    let before = cx.script().get(..cmd.span.start())?;
    let header = format!("for {var} in ");
    let at = before.rfind(&header)?;
    let body = &before[at + header.len()..];
    // The loop must still be open where the command stands.
    if body
        .split(|c: char| c.is_whitespace() || c == ';')
        .any(|t| t == "done")
    {
        return None;
    }
    let list = body.split(['\n', ';']).next()?;
    let words: Vec<&str> = list.split_whitespace().collect();
    if words.is_empty() || words.iter().any(|t| t.contains(['$', '`', '"', '\''])) {
        return None;
    }
    let kinds: Vec<PackageKind> = words
        .iter()
        .map(|t| local_kind(t).or_else(|| local_glob(t)))
        .collect::<Option<_>>()?;
    Some(if kinds.iter().all(|k| *k == PackageKind::LocalFile) {
        PackageKind::LocalFile
    } else {
        PackageKind::Path
    })
}

/// A glob in the last element of a relative path (`dist/*`, `wheelhouse/pkg-*`) names
/// files the job has on disk.
fn local_glob(t: &str) -> Option<PackageKind> {
    let (dir, last) = t.rsplit_once('/')?;
    (!dir.is_empty() && !t.contains("://") && !t.contains(':') && last.contains(['*', '?']))
        .then_some(PackageKind::LocalFile)
}

/// The installs the analysis of `script` finds (for the recognisers' tests).
#[cfg(test)]
fn installs(script: &str) -> Vec<Install> {
    crate::Analyzer::new()
        .analyze(script)
        .facts
        .into_iter()
        .filter_map(|f| match f {
            Fact::Install(i) => Some(i),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::installs;
    use crate::PackageKind;

    fn packages(script: &str) -> Vec<(String, Option<String>, PackageKind)> {
        installs(script)
            .into_iter()
            .flat_map(|i| i.packages)
            .map(|p| (p.name, p.version, p.kind))
            .collect()
    }

    #[test]
    fn local_kind_of_words() {
        use PackageKind::{LocalFile, Path};
        for (t, want) in [
            ("./dir", Some(Path)),
            ("$GITHUB_WORKSPACE/pkg", Some(Path)),
            ("${{ github.workspace }}/pkg", Some(Path)),
            ("dist/x.whl", Some(LocalFile)),
            // Only a variable: may hold a name (ruff ci.yaml:899).
            ("$PKG", None),
            ("${PACKAGE_NAME}", None),
            ("${{ matrix.pkg }}", None),
            ("name", None),
        ] {
            assert_eq!(super::local_kind(t), want, "{t}");
        }
    }

    #[test]
    fn pip_words_and_loop_variables() {
        use PackageKind::{LocalFile, Path, Registry};
        for (script, want) in [
            ("pip install \"${PACKAGE_NAME}\"", Registry),
            // pip reads a word with a `/` as a path (mypy test.yml:223).
            ("pip install mypyc/lib-rt", Path),
            ("pip install dist/*", LocalFile),
            // sigstore-python release.yml:42.
            (
                "for dist in dist/*.whl; do\n  python -m pip install \"${dist}\"\ndone",
                LocalFile,
            ),
            (
                "for dist in dist/*; do pip install \"$dist\"; done",
                LocalFile,
            ),
            (
                "for p in requests flask; do pip install \"$p\"; done",
                Registry,
            ),
            ("for p in $(ls dist); do pip install \"$p\"; done", Registry),
            // The loop is closed before the install.
            (
                "for dist in dist/*.whl; do echo; done\npip install \"$dist\"",
                Registry,
            ),
        ] {
            let got = packages(script);
            assert_eq!(got.len(), 1, "{script}: {got:?}");
            assert_eq!(got[0].2, want, "{script}");
        }
        // An expansion that yields options is no package (poetry bootstrap-poetry).
        let got = packages("pipx install ${PYTHON_PATH:+--python \"$PYTHON_PATH\"} \"${SPEC}\"");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, "${SPEC}");
    }

    #[test]
    fn sdists_are_not_pinned_by_being_local() {
        let locked = |s: &str| installs(s).iter().all(|i| i.locked);
        assert!(locked("pip install dist/x-1.0-py3-none-any.whl"));
        assert!(!locked("pip install dist/x-1.0.tar.gz"));
        assert!(locked("pip install --no-build-isolation dist/x-1.0.tar.gz"));
    }

    #[test]
    fn yarn_gem_exec_and_cargo_versions() {
        // webpack test.yml:406: a script name with an expression.
        assert!(installs("yarn test:${{ matrix.runtime }} --ci").is_empty());
        assert_eq!(installs("yarn --frozen-lockfile").len(), 1);
        // rails release.yml:40.
        let got = packages("gem exec rubygems-await pkg/*.gem");
        assert_eq!(
            got,
            [("rubygems-await".into(), None, PackageKind::Registry)]
        );
        let got = packages("gem exec --gem rubocop -v 1.60.0 rubocop --version");
        assert_eq!(
            got,
            [(
                "rubocop".into(),
                Some("1.60.0".into()),
                PackageKind::Registry
            )]
        );
        // tauri supply-chain.yml:37: a version from an expression is still a version.
        let got = packages("cargo install --version ${{ env.V }} cargo-vet");
        assert_eq!(got[0].1.as_deref(), Some("${{ env.V }}"));
    }
}

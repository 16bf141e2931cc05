//! Python environment runners: tox and nox create an environment per session and
//! pip-install its dependencies (and the project) into it. What the sessions then run is
//! in `tox.ini` or `noxfile.py`, which are not followed (the knowledge base says so).

use super::*;
use tollgate_kb::env;

/// tox 4's subcommands that neither create nor install an environment
/// (<https://tox.wiki/en/latest/cli_interface.html>).
const TOX_NO_ENV: &[&str] = &[
    "list",
    "l",
    "config",
    "c",
    "quickstart",
    "q",
    "depends",
    "de",
    "schema",
];

/// tox options that print and exit (tox 3's spellings included: `-l`, `--showconfig`).
const TOX_INFO: &[&str] = &[
    "--version",
    "-h",
    "--help",
    "--help-ini",
    "-l",
    "--listenvs",
    "-a",
    "--listenvs-all",
    "--showconfig",
];

pub(super) fn tox(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
    if args
        .iter()
        .filter_map(Word::as_str)
        .any(|t| TOX_INFO.contains(&t))
    {
        return;
    }
    let scanned = scan(args, &flags::TOX);
    let sub = positionals(&scanned)
        .next()
        .and_then(Word::as_str)
        .unwrap_or("");
    if TOX_NO_ENV.contains(&sub) {
        return;
    }
    // No subcommand is tox 3's command line (`legacy`): run the environments.
    let name = match sub {
        "" => "run",
        "r" => "run",
        "p" | "run-parallel" => "run-parallel",
        s => s,
    };
    let mut inst = blank(Manager::Tox, Some(name.to_owned()), cmd);
    // pip (or uv, with tox-uv) does the installing and reads its own variables.
    apply_env(cx, cmd, &mut inst, env::PIP);
    cx.push(Fact::Install(inst));
}

/// nox options that print and exit (<https://nox.thea.codes/en/stable/usage.html>).
const NOX_INFO: &[&str] = &[
    "--version",
    "-h",
    "--help",
    "-l",
    "--list",
    "--list-sessions",
    "--usage",
];

pub(super) fn nox(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
    if args
        .iter()
        .filter_map(Word::as_str)
        .any(|t| NOX_INFO.contains(&t))
    {
        return;
    }
    // `--no-install` (and `-R`) skips installs only when an environment is reused, which
    // a fresh runner never has: they are no offline switch.
    let mut inst = blank(Manager::Nox, None, cmd);
    apply_env(cx, cmd, &mut inst, env::PIP);
    cx.push(Fact::Install(inst));
}

#[cfg(test)]
mod tests {
    use super::super::installs;

    #[test]
    fn tox_runs_and_listings() {
        for (script, want) in [
            ("tox", Some(("tox", "run", false))),
            ("tox -e py312", Some(("tox", "run", false))),
            ("python -m tox -e lint", Some(("tox", "run", false))),
            ("tox run -e py -- -k test", Some(("tox", "run", false))),
            ("tox p -e a,b", Some(("tox", "run-parallel", false))),
            ("tox -p auto", Some(("tox", "run", false))),
            ("tox exec -e py -- python -V", Some(("tox", "exec", false))),
            ("tox --skip-env-install -e py", Some(("tox", "run", true))),
            // The package is skipped, the dependencies are still installed.
            ("tox --skip-pkg-install -e py", Some(("tox", "run", false))),
            ("tox list", None),
            ("tox -l", None),
            ("tox --version", None),
            ("tox config -e py -k deps", None),
        ] {
            let got = installs(script);
            let got = got
                .first()
                .map(|i| (i.manager, i.subcommand.as_deref().unwrap_or(""), i.offline));
            assert_eq!(got, want, "{script}");
        }
    }

    #[test]
    fn nox_sessions_and_listings() {
        for (script, want) in [
            ("nox", true),
            ("nox -s tests-3.12 lint", true),
            ("python3 -m nox --session docs", true),
            ("nox -R -s tests", true),
            ("nox --list", false),
            ("nox -l --json", false),
            ("nox --version", false),
        ] {
            let got = installs(script);
            assert_eq!(
                got.first().map(|i| i.manager == "nox"),
                want.then_some(true),
                "{script}"
            );
        }
        // Run through a tool runner: the runner installs nox or tox, which then
        // installs into its sessions (cibuildwheel update-dependencies.yml:49).
        for (script, want) in [
            ("uvx nox --force-color -s update_constraints", Some("nox")),
            ("uvx tox@4.23 -e py", Some("tox")),
            ("pipx run tox -e lint", Some("tox")),
            ("pipx run nox --list", None),
            ("uvx --from nox-extra nox -s x", None),
            ("uvx ruff check", None),
        ] {
            let got = installs(script);
            assert_eq!(
                got[0].manager,
                if script.starts_with("uvx") {
                    "uv"
                } else {
                    "pipx"
                }
            );
            assert_eq!(got.get(1).map(|i| i.manager), want, "{script}");
        }
        let got = installs("PIP_INDEX_URL=https://mirror.example/simple nox");
        assert_eq!(got[0].index_urls[0].url, "https://mirror.example/simple");
    }
}

//! `unpinned-package-install`: an install in a run step that does not pin what it
//! installs. Scorecard's Pinned-Dependencies semantics are the floor; the lockfiles and
//! requirements files the command uses are read to avoid its false positives.

use tollgate_engine::{Context, Rule, ScriptCx, Sink};
use tollgate_model::addr::is_commit_sha;
use tollgate_model::{Confidence, FileKind, Impact};
use tollgate_shell::{Fact, Install, PackageKind, PackageSpec};

use super::install_reads::{Reads, hashed_requirements};

pub struct UnpinnedPackageInstall;

/// Why an install is unpinned, with how bad and how sure.
struct Verdict {
    why: String,
    help: &'static str,
    severity: Impact,
    confidence: Confidence,
}

impl Verdict {
    fn new(why: impl Into<String>, help: &'static str, severity: Impact) -> Self {
        Self {
            why: why.into(),
            help,
            severity,
            confidence: Confidence::High,
        }
    }
}

fn names(pkgs: &[&PackageSpec]) -> String {
    let v: Vec<String> = pkgs
        .iter()
        .take(3)
        .map(|p| format!("`{}`", p.name))
        .collect();
    let more = pkgs.len().saturating_sub(3);
    if more > 0 {
        format!("{} and {more} more", v.join(", "))
    } else {
        v.join(", ")
    }
}

fn exact_semver(v: &str) -> bool {
    let v = v.strip_prefix('=').unwrap_or(v);
    let v = v.strip_prefix('v').unwrap_or(v);
    let core = v.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Registry packages that float: no version, or a version that is not exact.
fn floating(i: &Install, exact: impl Fn(&str) -> bool) -> Vec<&PackageSpec> {
    i.packages
        .iter()
        // A name starting with `-` is an option whose value the scanner could not read
        // (`--index=$URL`), and a version from a variable or expression is chosen at run
        // time: neither can be judged here.
        .filter(|p| !p.name.starts_with('-'))
        .filter(|p| !p.version.as_deref().is_some_and(|v| v.contains('$')))
        .filter(|p| match p.kind {
            PackageKind::Registry => !p.version.as_deref().is_some_and(&exact),
            PackageKind::Git | PackageKind::Url => !p.version.as_deref().is_some_and(is_commit_sha),
            PackageKind::Path | PackageKind::LocalFile => false,
        })
        .collect()
}

/// An install told to work offline (`pip --no-index`, `npm --offline`, `cargo --offline`)
/// whose every location is a local path (`--find-links dist/`) reaches no index: what it
/// installs was fetched, and judged, where it was fetched.
fn reaches_no_index(i: &Install) -> bool {
    i.offline && i.index_urls.iter().all(|u| !u.url.contains("://"))
}

fn judge(cx: &Context<'_>, script: &ScriptCx<'_>, i: &Install) -> Option<Verdict> {
    if i.locked || reaches_no_index(i) || expected_to_fail(script, i) {
        return None;
    }
    let reads = Reads::of(cx, script, i);
    // `gem i` is `gem install`.
    let sub = match (i.manager, i.subcommand.as_deref().unwrap_or("")) {
        ("gem", "i") => "install",
        (_, s) => s,
    };
    match (i.manager, sub) {
        ("pip" | "pip3", "install") | ("uv", "pip install") => {
            if i.require_hashes {
                return None;
            }
            let no_isolation = has_option(script, i, &["--no-build-isolation"]);
            let sdists: Vec<&PackageSpec> = i
                .packages
                .iter()
                .filter(|p| p.kind == PackageKind::LocalFile && is_sdist(&p.name))
                .collect();
            let only_local = !i.packages.is_empty()
                && i.requirement_files.is_empty()
                && i.packages.iter().all(|p| p.kind == PackageKind::LocalFile);
            if only_local && (sdists.is_empty() || no_isolation) {
                return None;
            }
            if only_local {
                // The archives are the job's own, but a source distribution is built
                // first, in an isolated environment whose build backend comes from the
                // index at whatever version is current.
                let mut v = Verdict::new(
                    format!(
                        "`{} {sub}` of the source distribution {} fetches its build backend without hashes",
                        i.manager,
                        names(&sdists)
                    ),
                    "install the wheel instead, or install the build backend from hashed requirements and add `--no-build-isolation`",
                    Impact::Low,
                );
                v.confidence = Confidence::Medium;
                return Some(v);
            }
            if !i.requirement_files.is_empty() && i.packages.is_empty() {
                // pip enforces hashes for the whole install as soon as one requirement
                // carries one, so a fully hashed file pins it.
                return match hashed_requirements(script, &reads, i) {
                    Some(true) => None,
                    Some(false) => Some(Verdict::new(
                        format!("`{}` installs requirements without hashes", i.manager),
                        "add `--hash=sha256:…` to every requirement (`pip-compile --generate-hashes`, `uv pip compile --generate-hashes`) and install with `--require-hashes`",
                        Impact::Medium,
                    )),
                    None => {
                        let mut v = Verdict::new(
                            format!(
                                "`{}` installs from a requirements file without `--require-hashes`",
                                i.manager
                            ),
                            "install with `--require-hashes` from a requirements file whose entries carry `--hash=sha256:…`",
                            Impact::Medium,
                        );
                        v.confidence = Confidence::Medium;
                        Some(v)
                    }
                };
            }
            // A git URL at a full commit names one exact tree (`git+https://…@<sha>`).
            let pkgs: Vec<&PackageSpec> = i
                .packages
                .iter()
                .filter(|p| !p.name.starts_with('-'))
                .filter(|p| {
                    !(p.kind == PackageKind::Git && p.version.as_deref().is_some_and(is_commit_sha))
                })
                .collect();
            if pkgs.is_empty() && i.packages.iter().any(|p| p.kind == PackageKind::Git) {
                return None;
            }
            if pkgs
                .iter()
                .all(|p| p.version.as_deref().is_some_and(|v| v.contains('$')))
                && !pkgs.is_empty()
            {
                return None;
            }
            // Only what is known to be a directory is "a local project"; a word that is a
            // variable (`"${PACKAGE_NAME}"`) is named as written.
            let local = !pkgs.is_empty() && pkgs.iter().all(|p| p.kind == PackageKind::Path);
            let mut v = Verdict::new(
                if local {
                    format!(
                        "`{} {sub}` of a local project resolves its dependencies without hashes",
                        i.manager
                    )
                } else {
                    format!("`{} {sub}` of {} without hashes", i.manager, names(&pkgs))
                },
                "install from a requirements file with `--hash=sha256:…` entries and `--require-hashes`",
                Impact::Medium,
            );
            if local {
                v.confidence = Confidence::Medium;
                v.severity = Impact::Low;
            }
            Some(v)
        }
        ("npm", "install" | "i" | "add" | "update" | "up" | "upgrade" | "isntall" | "in") => {
            let pkgs = floating(i, exact_semver);
            if i.packages.is_empty() {
                // `npm install` follows package-lock.json but may rewrite it; `npm ci`
                // installs exactly the lock or fails.
                let has_lock = reads.lockfile(&[FileKind::NpmLock]).is_some();
                let mut v = Verdict::new(
                    "`npm install` may resolve new versions and rewrite the lockfile",
                    "use `npm ci`, which installs exactly what package-lock.json records",
                    if has_lock {
                        Impact::Low
                    } else {
                        Impact::Medium
                    },
                );
                if !has_lock {
                    v.why = "`npm install` without a package-lock.json resolves every dependency afresh".into();
                }
                return Some(v);
            }
            (!pkgs.is_empty()).then(|| {
                Verdict::new(
                    format!("`npm {sub}` of {} without an exact version", names(&pkgs)),
                    "pin an exact version (`pkg@1.2.3`) or add the tool to package.json and install with `npm ci`",
                    if i.global { Impact::Medium } else { Impact::Low },
                )
            })
        }
        ("npx" | "pnpx" | "bunx", _) | ("npm", "exec" | "x")
            if project_installed_before(script, i) =>
        {
            None
        }
        // `uvx --generate-shell-completion bash`, `npx --version`: the runner itself, no
        // package is fetched.
        ("npx" | "pnpx" | "bunx", _)
        | ("npm", "exec" | "x")
        | ("uv", "uvx" | "uv tool run")
        | ("pipx", "run")
        | ("gem", "exec")
            if runner_only(script, i) =>
        {
            None
        }
        ("npx" | "pnpx" | "bunx", _)
        | ("npm", "exec" | "x")
        | ("uv", "uvx" | "uv tool run")
        | ("pipx", "run")
        | ("gem", "exec") => {
            let pkgs = floating(i, |v| {
                exact_semver(v) || v.starts_with("==") || is_commit_sha(v)
            });
            (!pkgs.is_empty()).then(|| {
                Verdict::new(
                    format!(
                        "`{}` runs {} without a pinned version",
                        match (i.manager, sub) {
                            ("npm", _) => "npm exec",
                            ("gem", _) => "gem exec",
                            (_, "uv tool run") => "uv tool run",
                            (m, _) => m,
                        },
                        names(&pkgs)
                    ),
                    "name an exact version (`npx pkg@1.2.3`, `uvx tool==1.2.3`)",
                    Impact::Medium,
                )
            })
        }
        ("yarn", "install" | "") if i.packages.is_empty() => {
            // Yarn 2+ (berry) turns on immutable installs by itself on CI, that is when
            // `CI` is set: a runner sets it, a Docker build does not pass it to `RUN`.
            let berry = reads
                .lockfile(&[FileKind::YarnLock])
                .and_then(|p| p.format_version.as_deref())
                .and_then(|v| v.parse::<u32>().ok())
                .is_some_and(|v| v >= 2);
            match (berry, script) {
                // GitLab's runner sets `CI` too.
                (true, ScriptCx::Step(_) | ScriptCx::Gitlab(_)) => None,
                (true, ScriptCx::Run(_)) => Some(Verdict::new(
                    "`yarn install` without `--immutable` may update yarn.lock: a Docker build does not set `CI`, which makes Yarn 2+ installs immutable",
                    "use `yarn install --immutable`",
                    Impact::Low,
                )),
                (false, _) => Some(Verdict::new(
                    "`yarn install` without `--frozen-lockfile` may update yarn.lock",
                    "use `yarn install --frozen-lockfile` (classic) or `--immutable` (Yarn 2+)",
                    Impact::Low,
                )),
            }
        }
        // `pnpm i -D pkg` and `bun install pkg` are `add`; `yarn upgrade pkg@^1` moves
        // the lockfile to whatever the range allows today.
        ("yarn" | "pnpm" | "bun", "add" | "global add" | "dlx")
        | ("yarn" | "pnpm" | "bun", "upgrade" | "up" | "update" | "install" | "i")
            if !i.packages.is_empty() =>
        {
            let pkgs = floating(i, exact_semver);
            (!pkgs.is_empty()).then(|| {
                Verdict::new(
                    format!(
                        "`{} {sub}` of {} without an exact version",
                        i.manager,
                        names(&pkgs)
                    ),
                    "pin an exact version (`pkg@1.2.3`)",
                    Impact::Low,
                )
            })
        }
        ("yarn" | "pnpm" | "bun", "upgrade" | "up" | "update") => Some(Verdict::new(
            format!(
                "`{} {sub}` resolves newer versions of every dependency and rewrites the lockfile",
                i.manager
            ),
            "install the committed lockfile as it is (`--frozen-lockfile`) and update dependencies in a reviewed change",
            Impact::Low,
        )),
        // `uv run --with pkg` installs `pkg` into a throwaway environment; `uv add pkg`
        // resolves the newest release and records it.
        ("uv", "run" | "add") => {
            let pkgs = floating(i, |v| v.starts_with("==") || exact_semver(v));
            (!pkgs.is_empty()).then(|| {
                Verdict::new(
                    if sub == "run" {
                        format!("`uv run --with` of {} without a pinned version", names(&pkgs))
                    } else {
                        format!("`uv add` of {} without an exact version", names(&pkgs))
                    },
                    "pin the version (`--with 'pkg==1.2.3'`, `uv add 'pkg==1.2.3'`), or declare the dependency in pyproject.toml and run from uv.lock",
                    if sub == "run" {
                        Impact::Medium
                    } else {
                        Impact::Low
                    },
                )
            })
        }
        ("bun", "install" | "i" | "") if i.packages.is_empty() => Some(Verdict::new(
            "`bun install` without `--frozen-lockfile` may update the lockfile",
            "use `bun install --frozen-lockfile`",
            Impact::Low,
        )),
        ("go", "install" | "get" | "run") => {
            let pkgs = floating(i, |v| {
                v != "latest" && (exact_semver(v) || is_commit_sha(v) || v.starts_with("v0.0.0-"))
            });
            (!pkgs.is_empty()).then(|| {
                Verdict::new(
                    format!(
                        "`go {sub}` of {} at `@latest` or without a version",
                        names(&pkgs)
                    ),
                    "name an exact module version (`go install example.com/tool@v1.2.3`)",
                    Impact::Medium,
                )
            })
        }
        ("cargo", "install") => {
            let pkgs = floating(i, exact_semver);
            let path_only = !i.packages.is_empty() && pkgs.is_empty();
            if path_only && i.packages.iter().all(|p| p.kind != PackageKind::Registry) {
                return Some(Verdict::new(
                    "`cargo install` without `--locked` resolves the crate's dependencies afresh",
                    "add `--locked` so the crate's Cargo.lock is used",
                    Impact::Low,
                ));
            }
            let what = if pkgs.is_empty() {
                names(&i.packages.iter().collect::<Vec<_>>())
            } else {
                names(&pkgs)
            };
            Some(Verdict::new(
                if pkgs.is_empty() {
                    format!("`cargo install` of {what} without `--locked`")
                } else {
                    format!("`cargo install` of {what} without an exact version and `--locked`")
                },
                "pin the version and the dependency tree: `cargo install --locked tool@1.2.3`",
                Impact::Medium,
            ))
        }
        ("cargo", "binstall") => {
            let pkgs = floating(i, exact_semver);
            (!pkgs.is_empty()).then(|| {
                Verdict::new(
                    format!(
                        "`cargo binstall` of {} without an exact version",
                        names(&pkgs)
                    ),
                    "pin an exact version: `cargo binstall tool@1.2.3`",
                    Impact::Medium,
                )
            })
        }
        ("gem", "install") => {
            let pkgs = floating(i, |v| {
                v.split('.')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            });
            (!pkgs.is_empty()).then(|| {
                Verdict::new(
                    format!("`gem install` of {} without `-v`", names(&pkgs)),
                    "pin the version: `gem install tool -v 1.2.3`",
                    Impact::Medium,
                )
            })
        }
        // Windows package managers: a package at an exact version is one release (the
        // Chocolatey community repository, the winget source and the PowerShell Gallery
        // never replace a published version); without one, whatever is newest today.
        ("choco", "install" | "upgrade")
        | ("winget", "install" | "add" | "upgrade" | "update")
        | ("scoop", "install" | "update") => {
            let pkgs = floating(i, |v| !v.is_empty() && !v.contains(['*', '>', '<', ' ']));
            // A Microsoft Store product id (`9NQ7512CXL7T`): the store serves its current
            // version only, so no `--version` can pin it.
            if i.manager == "winget" && !pkgs.is_empty() && pkgs.iter().all(|p| store_id(&p.name)) {
                let mut v = Verdict::new(
                    format!(
                        "`winget {sub}` of the Microsoft Store app {}, which serves only its current version",
                        names(&pkgs)
                    ),
                    "install the package from the winget source at a version (`--source winget --version 1.2.3`), or the vendor's installer checked against its SHA-256",
                    Impact::Low,
                );
                v.confidence = Confidence::Medium;
                return Some(v);
            }
            (!pkgs.is_empty()).then(|| {
                Verdict::new(
                    format!(
                        "`{} {sub}` of {} without a version",
                        i.manager,
                        names(&pkgs)
                    ),
                    match i.manager {
                        "choco" => "pin the version: `choco install tool --version 1.2.3`",
                        "winget" => {
                            "pin the version: `winget install --id Tool.Id --version 1.2.3 --exact`"
                        }
                        _ => "pin the version: `scoop install tool@1.2.3`",
                    },
                    Impact::Medium,
                )
            })
        }
        (
            "Install-Module" | "Install-Script" | "Install-Package" | "Install-PSResource"
            | "Save-Module" | "Update-Module",
            _,
        ) => {
            // `-RequiredVersion 1.2.3`, or `-Version 1.2.3`/`[1.2.3]` (a NuGet range of one
            // version); `-MinimumVersion` and ranges float.
            let pkgs = floating(i, |v| {
                let v = v.trim_matches(['\'', '"']);
                let v = v
                    .strip_prefix('[')
                    .and_then(|v| v.strip_suffix(']'))
                    .unwrap_or(v);
                !v.is_empty()
                    && v.split('.').all(|p| {
                        !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    })
            });
            (!pkgs.is_empty()).then(|| {
                Verdict::new(
                    format!("`{}` of {} without an exact version", i.manager, names(&pkgs)),
                    "pin the version: `Install-Module Name -RequiredVersion 1.2.3` (`Install-PSResource Name -Version '[1.2.3]'`)",
                    Impact::Medium,
                )
            })
        }
        ("pipx", "install") | ("uv", "tool install") => {
            let pkgs = floating(i, |v| v.starts_with("==") || exact_semver(v));
            (!pkgs.is_empty()).then(|| {
                Verdict::new(
                    format!(
                        "`{} {sub}` of {} without a version",
                        i.manager,
                        names(&pkgs)
                    ),
                    "pin the version: `pipx install tool==1.2.3`, `uv tool install tool==1.2.3`",
                    Impact::Medium,
                )
            })
        }
        _ => None,
    }
}

/// Whether `name` is a Microsoft Store product id: 12 letters and digits, upper case,
/// starting with `9` or `X`.
fn store_id(name: &str) -> bool {
    name.len() == 12
        && (name.starts_with('9') || name.starts_with('X'))
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The package manager and subcommand of an install (`pip install`, `npx`).
fn install_command(i: &Install) -> String {
    match i.subcommand.as_deref() {
        Some(sub) if !sub.is_empty() => format!("{} {sub}", i.manager),
        _ => i.manager.to_owned(),
    }
}

/// The command an install fact was read from.
fn command_of<'s>(script: &ScriptCx<'s>, i: &Install) -> Option<&'s tollgate_shell::Command> {
    script
        .analysis()?
        .commands
        .iter()
        .find(|c| c.span == i.span)
}

/// Whether the install's command line carries one of `options` (as a word, or as
/// `--name=value`).
fn has_option(script: &ScriptCx<'_>, i: &Install, options: &[&str]) -> bool {
    command_of(script, i).is_some_and(|c| {
        c.args().iter().filter_map(|w| w.as_str()).any(|t| {
            options
                .iter()
                .any(|o| t == *o || t.strip_prefix(o).is_some_and(|r| r.starts_with('=')))
        })
    })
}

/// A source distribution, which pip builds before installing (a wheel needs no build).
fn is_sdist(name: &str) -> bool {
    let name = name.trim_end_matches(['"', '\'']);
    [".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar.xz", ".tar"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// A negative test: the install's success runs `exit <non-zero>` or `false`
/// (`./uv pip install anyio && exit 1 || echo "Failed as expected"`), so the step goes on
/// only when the install fails, and a failed install leaves nothing installed.
fn expected_to_fail(script: &ScriptCx<'_>, i: &Install) -> bool {
    let Some(a) = script.analysis() else {
        return false;
    };
    let Some(mut k) = a.commands.iter().position(|c| c.span == i.span) else {
        return false;
    };
    // The status of a pipeline is its last command's.
    while let Some(n) = a.commands[k].pipe_next() {
        k = n;
    }
    let Some(next) = a.commands.get(k + 1) else {
        return false;
    };
    if next.chain != Some(tollgate_shell::ChainOp::And)
        || next.span.start() < a.commands[k].span.end()
        || next.parent() != a.commands[k].parent()
    {
        return false;
    }
    match next.name() {
        Some("false") => next.args().is_empty(),
        Some("exit") => next
            .args()
            .first()
            .and_then(|w| w.as_str())
            .and_then(|t| t.parse::<u8>().ok())
            .is_some_and(|n| n != 0),
        _ => false,
    }
}

fn runner_only(script: &ScriptCx<'_>, i: &Install) -> bool {
    script
        .analysis()
        .and_then(|a| a.commands.iter().find(|c| c.span == i.span))
        .is_some_and(|c| {
            c.args().iter().any(|w| {
                matches!(
                    w.as_str(),
                    Some("--help" | "-h" | "--version" | "-V" | "--generate-shell-completion")
                )
            })
        })
}

/// Whether the project's own JavaScript dependencies are installed before `i` (earlier in
/// the script, or in an earlier step of the job or composite action, or an earlier `RUN`
/// of the Dockerfile stage): `npx tool` then runs the locally installed, lockfile-pinned
/// copy from `node_modules/.bin`.
fn project_installed_before(script: &ScriptCx<'_>, i: &Install) -> bool {
    // The package the runner runs, when it names no version of its own: a local install
    // of the same package puts it in `node_modules/.bin`, where npx looks first
    // (`npm install deno@1.2.3` then `npx deno -v`).
    let runs = i
        .packages
        .first()
        .filter(|p| p.kind == PackageKind::Registry && p.version.is_none())
        .map(|p| p.name.as_str());
    let project = |f: &Fact| {
        let Fact::Install(x) = f else { return false };
        if !matches!(x.manager, "npm" | "yarn" | "pnpm" | "bun") {
            return false;
        }
        let sub = x.subcommand.as_deref().unwrap_or("");
        (x.packages.is_empty() && matches!(sub, "ci" | "install" | "i" | ""))
            || (!x.global
                && matches!(sub, "install" | "i" | "add")
                && runs.is_some_and(|n| x.packages.iter().any(|p| p.name == n)))
    };
    if script.analysis().is_some_and(|a| {
        a.facts
            .iter()
            .any(|f| f.span().start() < i.span.start() && project(f))
    }) {
        return true;
    }
    script
        .earlier()
        .into_iter()
        .any(|a| a.facts.iter().any(project))
}

impl Rule for UnpinnedPackageInstall {
    fn id(&self) -> &'static str {
        "unpinned-package-install"
    }

    fn check_script(&self, cx: &Context<'_>, script: &ScriptCx<'_>, out: &mut Sink<'_>) {
        let Some(a) = script.analysis() else { return };
        for f in &a.facts {
            let Fact::Install(i) = f else { continue };
            let Some(v) = judge(cx, script, i) else {
                continue;
            };
            let file = &script.input().source;
            let at = script.file_span(i.span);
            // A step's path is the runner's (workflow → job → step → the install); a
            // `RUN` has no step node, so its path is given here: Dockerfile → `RUN` → the
            // install.
            let path = match script {
                ScriptCx::Step(_) | ScriptCx::Gitlab(_) => Vec::new(),
                ScriptCx::Run(_) => crate::chain::Chain::to_script(cx, script)
                    .hop(
                        format!("installs with `{}`", install_command(i)),
                        Some(file.location(at)),
                    )
                    .into_hops(),
            };
            out.at(file, at)
                .message(v.why)
                .severity(v.severity)
                .confidence(v.confidence)
                .help(v.help)
                .path(path)
                .emit();
        }
    }
}

#[cfg(test)]
mod tests {
    /// The messages of this rule on a repository holding one workflow whose only job
    /// runs `script`.
    fn messages(script: &str) -> Vec<String> {
        let dir = tempfile::tempdir().expect("tempdir");
        let wf = dir.path().join(".github/workflows/ci.yml");
        std::fs::create_dir_all(wf.parent().expect("parent")).expect("mkdir");
        let body: String = script.lines().map(|l| format!("          {l}\n")).collect();
        let text = format!(
            "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n{body}"
        );
        std::fs::write(&wf, text).expect("write");
        let s = tollgate_scan::scan(
            &[dir.path().to_path_buf()],
            &tollgate_scan::ScanOptions::default(),
        );
        let (graph, _) = tollgate_facts::graph(&s);
        let opts = tollgate_engine::RunOptions {
            select: vec![tollgate_engine::Selector(
                "unpinned-package-install".to_owned(),
            )],
            ..tollgate_engine::RunOptions::default()
        };
        tollgate_engine::run(
            crate::rules(),
            &s,
            &graph,
            &tollgate_engine::Config::default(),
            &opts,
        )
        .findings
        .into_iter()
        .map(|f| f.message)
        .collect()
    }

    #[test]
    fn messages_say_what_is_known() {
        for (script, want, not) in [
            // ruff ci.yaml:899: a variable may hold a name; it is no "local project".
            (
                "pip install --force-reinstall --find-links dist \"${PACKAGE_NAME}\"",
                "`pip install` of `${PACKAGE_NAME}` without hashes",
                "local project",
            ),
            // tauri supply-chain.yml:37: the version is given, `--locked` is not.
            (
                "cargo install --version ${{ env.CARGO_VET_VERSION }} cargo-vet",
                "`cargo install` of `cargo-vet` without `--locked`",
                "exact version",
            ),
            // uv build-release-binaries.yml:64.
            (
                "pip install dist/pkg-*.tar.gz --force-reinstall",
                "`pip install` of the source distribution `dist/pkg-*.tar.gz` fetches its build backend without hashes",
                "local project",
            ),
            // mypy test.yml:223: a relative directory.
            (
                "pip install mypyc/lib-rt",
                "`pip install` of a local project resolves its dependencies without hashes",
                "`mypyc/lib-rt`",
            ),
            (
                "gem exec rubygems-await pkg/*.gem",
                "`gem exec` runs `rubygems-await` without a pinned version",
                "`pkg/*.gem`",
            ),
        ] {
            let got = messages(script);
            assert_eq!(got.len(), 1, "{script}: {got:?}");
            assert_eq!(got[0], want, "{script}");
            assert!(!got[0].contains(not), "{script}: {got:?}");
        }
    }

    #[test]
    fn exact_versions() {
        for v in ["1.2.3", "v0.28.0", "=1.2.3", "1.2.3-rc.1"] {
            assert!(super::exact_semver(v), "{v}");
        }
        for v in ["1.2", "^1.2.3", "latest", "~1.2.3", ">=1"] {
            assert!(!super::exact_semver(v), "{v}");
        }
    }
}

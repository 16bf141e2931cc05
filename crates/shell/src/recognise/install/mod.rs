//! Package-manager recognisers: what each install command fetches, from which index, and
//! whether a lockfile or hash list pins it. One file per ecosystem; this one dispatches on
//! the command name and holds what they share (the install record, environment effects).

mod cargo;
mod go;
mod js;
mod python;
mod ruby;
mod system;

use cargo::*;
use go::*;
use js::*;
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
    Install {
        manager: manager.name(),
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
        _ => {}
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
        || t.starts_with("$")
        || t.starts_with("file:");
    if archive && !t.contains("://") {
        Some(PackageKind::LocalFile)
    } else if pathish {
        Some(PackageKind::Path)
    } else {
        None
    }
}

//! Package-manager recognisers: what each install command fetches, from which index, and
//! whether a lockfile or hash list pins it.

use tollgate_model::Span;

use super::{Cx, base_name, credential};
use crate::args::{Arg, OptSpec, Val, positionals, scan, sub_span};
use crate::command::{Command, Word};
use crate::facts::{
    EnvSetting, Fact, FileRef, IndexKind, IndexUrl, Install, PackageKind, PackageSpec,
};

fn blank(manager: &'static str, sub: Option<String>, cmd: &Command) -> Install {
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
        span: cmd.span,
    }
}

/// What an environment variable does to an install.
#[derive(Clone, Copy)]
enum Effect {
    Index(IndexKind),
    /// Whitespace-separated list of index URLs.
    IndexList(IndexKind),
    /// Comma- or pipe-separated proxy list (`GOPROXY`); `direct` and `off` are not hosts.
    ProxyList,
    Trusted,
    /// Locked when the value is truthy.
    Locked,
    Retry,
    /// Insecure when the value is truthy (or, with `Off`, when it is `off`).
    Insecure,
    InsecureIfOff,
    /// `GOFLAGS`: `-insecure` inside.
    GoFlags,
    Record,
}

fn truthy(v: &str) -> bool {
    !matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "" | "0" | "false" | "no" | "off"
    )
}

/// Apply the variables matched by `rules` (`NAME` exact, `PREFIX*` prefix; npm's
/// `npm_config_*` names are case-insensitive, as npm reads them).
fn apply_env(cx: &Cx<'_>, cmd: &Command, inst: &mut Install, rules: &[(&str, Effect)]) {
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
            Effect::Record => {}
        }
        inst.env.push(EnvSetting {
            name: hit.name.to_owned(),
            value: hit.value.map(|v| v.into_owned()),
            span: hit.span,
        });
    }
}

const PIP_ENV: &[(&str, Effect)] = &[
    ("PIP_INDEX_URL", Effect::Index(IndexKind::Index)),
    (
        "PIP_EXTRA_INDEX_URL",
        Effect::IndexList(IndexKind::ExtraIndex),
    ),
    ("PIP_FIND_LINKS", Effect::IndexList(IndexKind::FindLinks)),
    ("PIP_TRUSTED_HOST", Effect::Trusted),
    ("PIP_REQUIRE_HASHES", Effect::Locked),
    ("PIP_RETRIES", Effect::Retry),
    ("PIP_NO_INDEX", Effect::Record),
    ("PIP_CONSTRAINT", Effect::Record),
];
// uv does not read `PIP_*`; it has its own names.
const UV_ENV: &[(&str, Effect)] = &[
    ("UV_INDEX_URL", Effect::Index(IndexKind::Index)),
    ("UV_DEFAULT_INDEX", Effect::Index(IndexKind::Index)),
    (
        "UV_EXTRA_INDEX_URL",
        Effect::IndexList(IndexKind::ExtraIndex),
    ),
    ("UV_INDEX", Effect::IndexList(IndexKind::ExtraIndex)),
    ("UV_FIND_LINKS", Effect::IndexList(IndexKind::FindLinks)),
    ("UV_INSECURE_HOST", Effect::Trusted),
    ("UV_LOCKED", Effect::Locked),
    ("UV_FROZEN", Effect::Locked),
    ("UV_HTTP_RETRIES", Effect::Retry),
    ("UV_REQUIRE_HASHES", Effect::Locked),
];
const NPM_ENV: &[(&str, Effect)] = &[
    ("npm_config_registry", Effect::Index(IndexKind::Registry)),
    ("npm_config_fetch_retries", Effect::Retry),
    ("npm_config_strict_ssl", Effect::Record),
    ("NODE_TLS_REJECT_UNAUTHORIZED", Effect::Record),
    (
        "YARN_NPM_REGISTRY_SERVER",
        Effect::Index(IndexKind::Registry),
    ),
    ("YARN_REGISTRY", Effect::Index(IndexKind::Registry)),
    ("YARN_ENABLE_IMMUTABLE_INSTALLS", Effect::Locked),
    ("BUN_CONFIG_REGISTRY", Effect::Index(IndexKind::Registry)),
];
const CARGO_ENV: &[(&str, Effect)] = &[
    ("CARGO_NET_RETRY", Effect::Retry),
    ("CARGO_REGISTRIES_*", Effect::Record),
    ("CARGO_REGISTRY_*", Effect::Record),
    ("CARGO_NET_*", Effect::Record),
    ("CARGO_HTTP_*", Effect::Record),
    ("CARGO_SOURCE_*", Effect::Record),
];
const GO_ENV: &[(&str, Effect)] = &[
    ("GOPROXY", Effect::ProxyList),
    ("GOFLAGS", Effect::GoFlags),
    ("GOINSECURE", Effect::Insecure),
    ("GOSUMDB", Effect::InsecureIfOff),
    ("GONOSUMCHECK", Effect::Insecure),
    ("GONOSUMDB", Effect::Record),
    ("GOPRIVATE", Effect::Record),
    ("GONOPROXY", Effect::Record),
];
const BUNDLE_ENV: &[(&str, Effect)] = &[
    ("BUNDLE_FROZEN", Effect::Locked),
    ("BUNDLE_DEPLOYMENT", Effect::Locked),
    ("BUNDLE_RETRY", Effect::Retry),
    ("BUNDLE_MIRROR__*", Effect::Record),
];

pub(super) fn install(cx: &mut Cx<'_>, cmd: &Command) {
    let Some(name) = cmd.name() else { return };
    let args = cmd.args();
    match base_name(name) {
        "pip" | "pip3" => pip(cx, cmd, "pip", args, None),
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
                Some("pip") => pip(cx, cmd, "pip", &args[m + 2..], None),
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
            sys_manager(name),
            &["install", "reinstall"],
            SYS_APT,
        ),
        "yum" | "dnf" | "microdnf" | "tdnf" => system(
            cx,
            cmd,
            args,
            sys_manager(name),
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
        "apk" => system(cx, cmd, args, "apk", &["add"], SYS_APK),
        "zypper" => system(cx, cmd, args, "zypper", &["install", "in"], SYS_ZYPPER),
        "brew" => system(
            cx,
            cmd,
            args,
            "brew",
            &["install", "reinstall", "upgrade"],
            SYS_BREW,
        ),
        "choco" | "choco.exe" => system(cx, cmd, args, "choco", &["install", "upgrade"], SYS_CHOCO),
        "snap" => system(cx, cmd, args, "snap", &["install"], SYS_SNAP),
        "pacman" => pacman(cx, cmd, args),
        "dotnet" => dotnet(cx, cmd, args),
        "nuget" | "nuget.exe" => nuget(cx, cmd, args),
        "conda" | "mamba" | "micromamba" => conda(cx, cmd, args, conda_manager(name)),
        "rustup" => rustup(cx, cmd, args),
        "poetry" => poetry(cx, cmd, args),
        "pipenv" => pipenv(cx, cmd, args),
        _ => {}
    }
}

fn sys_manager(name: &str) -> &'static str {
    match name {
        "apt-get" => "apt-get",
        "apt" => "apt",
        "aptitude" => "aptitude",
        "yum" => "yum",
        "dnf" => "dnf",
        "microdnf" => "microdnf",
        _ => "tdnf",
    }
}

fn conda_manager(name: &str) -> &'static str {
    match name {
        "mamba" => "mamba",
        "micromamba" => "micromamba",
        _ => "conda",
    }
}

fn first_pos<'w>(args: &[Arg<'w>]) -> Option<&'w Word> {
    positionals(args).next()
}

fn owned(cx: &Cx<'_>, w: &Word) -> String {
    cx.text(w).into_owned()
}

fn index(cx: &Cx<'_>, inst: &mut Install, a: &Arg<'_>, kind: IndexKind) {
    if let Some(v) = a.value() {
        let url = v.text.map_or_else(|| owned(cx, v.word), str::to_owned);
        inst.index_urls.push(IndexUrl {
            url,
            kind,
            span: v.span,
        });
    }
}

fn file_ref(cx: &Cx<'_>, a: &Arg<'_>) -> Option<FileRef> {
    let v = a.value()?;
    Some(FileRef {
        path: v.text.map_or_else(|| owned(cx, v.word), str::to_owned),
        span: v.span,
    })
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

// ---- Python ---------------------------------------------------------------------------

const PIP: OptSpec = OptSpec::new(
    "rcieftCp",
    &[
        "requirement",
        "constraint",
        "index-url",
        "extra-index-url",
        "find-links",
        "trusted-host",
        "target",
        "prefix",
        "root",
        "retries",
        "timeout",
        "proxy",
        "cert",
        "client-cert",
        "editable",
        "platform",
        "python-version",
        "implementation",
        "abi",
        "src",
        "upgrade-strategy",
        "progress-bar",
        "log",
        "cache-dir",
        "exists-action",
        "only-binary",
        "no-binary",
        "config-settings",
        "global-option",
        "install-option",
        "report",
        "python",
        "index",
        "default-index",
        "group",
        "extra",
        "keyring-provider",
        "resolution",
        "prerelease",
        "index-strategy",
        "exclude-newer",
        "with",
        "with-requirements",
        "from",
        "spec",
        "pip-args",
        "suffix",
        "override",
        "build-constraint",
        "link-mode",
        "package",
        "directory",
        "project",
        "only-group",
        "no-group",
        "python-platform",
        "torch-backend",
    ],
);

/// `name[extras]==1.0`, `git+https://…@ref#egg=name`, `https://…/x.whl`, `./dir`, `x.whl`.
fn pip_spec(cx: &Cx<'_>, w: &Word) -> PackageSpec {
    pip_spec_str(&cx.text(w), w.span)
}

fn val_text(cx: &Cx<'_>, v: &Val<'_>) -> String {
    v.text.map_or_else(|| owned(cx, v.word), str::to_owned)
}

fn pip_spec_str(t: &str, span: Span) -> PackageSpec {
    let t = t.trim();
    if let Some(at_url) = t.split_once(" @ ").map(|(n, u)| (n.trim(), u.trim())) {
        // PEP 508 direct reference: `name @ https://…`.
        let kind = if at_url.1.starts_with("git+") {
            PackageKind::Git
        } else {
            PackageKind::Url
        };
        return PackageSpec {
            name: at_url.0.to_owned(),
            version: None,
            kind,
            span,
        };
    }
    if t.starts_with("git+") || t.contains("://") {
        let git = t.starts_with("git+");
        let egg = t
            .split_once("#egg=")
            .map(|(_, e)| e.split('&').next().unwrap_or(e).to_owned());
        let base = t.split('#').next().unwrap_or(t);
        let path = base.split_once("://").map_or(base, |(_, r)| r);
        // `…/repo.git@<ref>`: the ref follows the last `@` after the host.
        let version = if git {
            path.rsplit_once('@')
                .filter(|(a, _)| a.contains('/'))
                .map(|(_, r)| r.to_owned())
        } else {
            None
        };
        let name = egg.unwrap_or_else(|| {
            let p = path.split('@').next().unwrap_or(path).trim_end_matches('/');
            let last = p.rsplit('/').next().unwrap_or(p);
            last.strip_suffix(".git").unwrap_or(last).to_owned()
        });
        return PackageSpec {
            name,
            version,
            kind: if git {
                PackageKind::Git
            } else {
                PackageKind::Url
            },
            span,
        };
    }
    if let Some(kind) = local_kind(t) {
        return PackageSpec {
            name: t.to_owned(),
            version: None,
            kind,
            span,
        };
    }
    let end = t
        .find(|c: char| "[=<>!~;@ (".contains(c))
        .unwrap_or(t.len());
    let name = &t[..end];
    let rest = &t[end..];
    let rest = if rest.starts_with('[') {
        rest.split_once(']').map_or("", |(_, r)| r)
    } else {
        rest
    };
    let rest = rest.split(';').next().unwrap_or(rest).trim();
    let version = (!rest.is_empty()).then(|| rest.replace(' ', ""));
    PackageSpec {
        name: name.to_owned(),
        version,
        kind: PackageKind::Registry,
        span,
    }
}

fn pip(
    cx: &mut Cx<'_>,
    cmd: &Command,
    manager: &'static str,
    args: &[Word],
    sub_prefix: Option<&str>,
) {
    let scanned = scan(args, &PIP);
    let Some(sub_w) = first_pos(&scanned) else {
        return;
    };
    let sub = sub_w.as_str().unwrap_or("");
    if !matches!(sub, "install" | "download" | "wheel" | "sync") {
        if sub == "config" {
            pip_config(cx, &scanned);
        }
        return;
    }
    let full_sub = sub_prefix.map_or_else(|| sub.to_owned(), |p| format!("{p} {sub}"));
    let mut inst = blank(manager, Some(full_sub), cmd);
    let mut no_index = false;
    for a in &scanned {
        match a {
            Arg::Pos(w) if std::ptr::eq(*w, sub_w) => {}
            // `uv pip sync requirements.txt` takes files, not packages.
            Arg::Pos(w) if sub == "sync" => inst.requirement_files.push(FileRef {
                path: owned(cx, w),
                span: w.span,
            }),
            Arg::Pos(w) => inst.packages.push(pip_spec(cx, w)),
            _ if a.is('r', "requirement") || a.is('\0', "with-requirements") => {
                inst.requirement_files.extend(file_ref(cx, a))
            }
            _ if a.is('c', "constraint") => inst.constraint_files.extend(file_ref(cx, a)),
            _ if a.is('i', "index-url") || a.is('\0', "default-index") => {
                index(cx, &mut inst, a, IndexKind::Index)
            }
            _ if a.is('\0', "extra-index-url") || a.is('\0', "index") => {
                index(cx, &mut inst, a, IndexKind::ExtraIndex)
            }
            _ if a.is('f', "find-links") => index(cx, &mut inst, a, IndexKind::FindLinks),
            _ if a.is('\0', "trusted-host") => {
                if let Some(t) = a.value_text() {
                    inst.trusted_hosts.push(t.to_owned());
                }
                inst.insecure = true;
            }
            _ if a.is('e', "editable") => {
                if let Some(v) = a.value() {
                    let mut p = pip_spec_str(&val_text(cx, &v), v.span);
                    if p.kind == PackageKind::Registry {
                        p.kind = PackageKind::Path;
                    }
                    inst.packages.push(p);
                }
            }
            _ if a.is('\0', "require-hashes") => inst.require_hashes = true,
            _ if a.is('\0', "retries") => inst.retry = a.value_text().is_none_or(|n| n != "0"),
            _ if a.is('\0', "no-index") => no_index = true,
            _ if a.is('\0', "system") || a.is('\0', "break-system-packages") => inst.global = true,
            _ => {}
        }
    }
    let env = if manager == "uv" { UV_ENV } else { PIP_ENV };
    apply_env(cx, cmd, &mut inst, env);
    inst.require_hashes |= inst.locked;
    // Only local archives with no index is pinned too (Scorecard's reading).
    let only_local = !inst.packages.is_empty()
        && inst.requirement_files.is_empty()
        && inst
            .packages
            .iter()
            .all(|p| p.kind == PackageKind::LocalFile);
    inst.locked = inst.require_hashes || (only_local && (no_index || inst.index_urls.is_empty()));
    cx.push(Fact::Install(inst));
}

fn pip_config(cx: &mut Cx<'_>, scanned: &[Arg<'_>]) {
    let pos: Vec<&Word> = positionals(scanned).collect();
    if pos.get(1).and_then(|w| w.as_str()) != Some("set") {
        return;
    }
    let (Some(key), Some(val)) = (pos.get(2).and_then(|w| w.as_str()), pos.get(3)) else {
        return;
    };
    let name = match key.rsplit('.').next().unwrap_or(key) {
        "index-url" => "PIP_INDEX_URL",
        "extra-index-url" => "PIP_EXTRA_INDEX_URL",
        "trusted-host" => "PIP_TRUSTED_HOST",
        "find-links" => "PIP_FIND_LINKS",
        _ => return,
    };
    let v = owned(cx, val);
    cx.setting(name, v, val.span);
}

fn uv(cx: &mut Cx<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &PIP);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    match sub {
        "pip" => {
            let Some(at) = args.iter().position(|w| std::ptr::eq(w, pos[0])) else {
                return;
            };
            pip(cx, cmd, "uv", &args[at + 1..], Some("pip"));
        }
        "sync" | "add" | "lock" | "run" | "tool" | "python" => {
            let sub2 = pos.get(1).and_then(|w| w.as_str()).unwrap_or("");
            if sub == "tool" && matches!(sub2, "run" | "install" | "upgrade") {
                let Some(at) = args.iter().position(|w| std::ptr::eq(w, pos[1])) else {
                    return;
                };
                if sub2 == "run" {
                    uv_tool_run(cx, cmd, &args[at + 1..], "uv tool run");
                } else {
                    let mut inst = blank("uv", Some(format!("tool {sub2}")), cmd);
                    inst.global = true;
                    python_packages(cx, &mut inst, &scanned, 2);
                    apply_env(cx, cmd, &mut inst, UV_ENV);
                    cx.push(Fact::Install(inst));
                }
                return;
            }
            if sub == "tool" {
                return;
            }
            if sub == "python" {
                if sub2 != "install" {
                    return;
                }
                let mut inst = blank("uv", Some("python install".into()), cmd);
                inst.packages = pos[2..]
                    .iter()
                    .map(|w| PackageSpec {
                        name: owned(cx, w),
                        version: None,
                        kind: PackageKind::Registry,
                        span: w.span,
                    })
                    .collect();
                cx.push(Fact::Install(inst));
                return;
            }
            let mut inst = blank("uv", Some(sub.to_owned()), cmd);
            if sub == "add" {
                python_packages(cx, &mut inst, &scanned, 1);
            } else if sub == "run" {
                // `uv run --with pkg script.py` fetches the `--with` packages.
                for a in scanned.iter().filter(|a| a.is('\0', "with")) {
                    if let Some(v) = a.value() {
                        inst.packages.push(pip_spec_str(&val_text(cx, &v), v.span));
                    }
                }
            }
            inst.locked = scanned
                .iter()
                .any(|a| a.is('\0', "locked") || a.is('\0', "frozen"));
            for a in &scanned {
                if a.is('\0', "index-url") || a.is('\0', "default-index") {
                    index(cx, &mut inst, a, IndexKind::Index);
                } else if a.is('\0', "extra-index-url") || a.is('\0', "index") {
                    index(cx, &mut inst, a, IndexKind::ExtraIndex);
                }
            }
            apply_env(cx, cmd, &mut inst, UV_ENV);
            if sub == "run" && inst.packages.is_empty() {
                return;
            }
            cx.push(Fact::Install(inst));
        }
        _ => {}
    }
}

/// `tool@1.2` (uvx, poetry add): a version after `@` when the word is not a URL; pip's
/// own syntax otherwise. `prefix` turns the bare version into a pip specifier.
fn at_version_spec(cx: &Cx<'_>, w: &Word, prefix: &str) -> PackageSpec {
    let t = cx.text(w);
    match t.split_once('@') {
        Some((n, v)) if !t.contains("://") && !n.is_empty() && !n.contains(' ') => PackageSpec {
            name: n.to_owned(),
            version: Some(format!("{prefix}{v}")),
            kind: PackageKind::Registry,
            span: w.span,
        },
        _ => pip_spec_str(&t, w.span),
    }
}

/// Positionals from index `skip` on as pip specs, plus `--with` extras.
fn python_packages(cx: &Cx<'_>, inst: &mut Install, scanned: &[Arg<'_>], skip: usize) {
    for w in positionals(scanned).skip(skip) {
        inst.packages.push(pip_spec(cx, w));
    }
    for a in scanned.iter().filter(|a| a.is('\0', "with")) {
        if let Some(v) = a.value() {
            inst.packages.push(pip_spec_str(&val_text(cx, &v), v.span));
        }
    }
}

/// `uvx tool@1.2 args`, `uvx --from 'pkg==1' cmd`: only the tool (or `--from`) is a package.
fn uv_tool_run(cx: &mut Cx<'_>, cmd: &Command, args: &[Word], sub: &str) {
    let scanned = scan(args, &PIP);
    let mut inst = blank("uv", Some(sub.to_owned()), cmd);
    if let Some(from) = scanned
        .iter()
        .find(|a| a.is('\0', "from"))
        .and_then(Arg::value)
    {
        inst.packages.push(pip_spec(cx, from.word));
    } else if let Some(w) = first_pos(&scanned) {
        inst.packages.push(at_version_spec(cx, w, "=="));
    }
    for a in scanned.iter().filter(|a| a.is('\0', "with")) {
        if let Some(v) = a.value() {
            inst.packages.push(pip_spec_str(&val_text(cx, &v), v.span));
        }
    }
    apply_env(cx, cmd, &mut inst, UV_ENV);
    cx.push(Fact::Install(inst));
}

fn pipx(cx: &mut Cx<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &PIP);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    if !matches!(sub, "install" | "run" | "inject" | "upgrade") {
        return;
    }
    let mut inst = blank("pipx", Some(sub.to_owned()), cmd);
    inst.global = true;
    let spec = scanned
        .iter()
        .find(|a| a.is('\0', "spec"))
        .and_then(Arg::value);
    match (sub, spec) {
        (_, Some(v)) => inst.packages.push(pip_spec_str(&val_text(cx, &v), v.span)),
        ("run", None) => inst.packages.extend(pos.get(1).map(|w| pip_spec(cx, w))),
        // `pipx inject VENV pkg…`: the first operand is the environment.
        ("inject", None) => inst
            .packages
            .extend(pos.iter().skip(2).map(|w| pip_spec(cx, w))),
        _ => inst
            .packages
            .extend(pos.iter().skip(1).map(|w| pip_spec(cx, w))),
    }
    for a in &scanned {
        if a.is('i', "index-url") {
            index(cx, &mut inst, a, IndexKind::Index);
        }
    }
    apply_env(cx, cmd, &mut inst, PIP_ENV);
    cx.push(Fact::Install(inst));
}

fn poetry(cx: &mut Cx<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(
        args,
        &OptSpec::new(
            "EC",
            &[
                "with",
                "without",
                "only",
                "extras",
                "directory",
                "source",
                "group",
            ],
        ),
    );
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    match sub {
        "install" | "sync" | "add" | "update" => {
            let mut inst = blank("poetry", Some(sub.to_owned()), cmd);
            // `poetry install` never re-resolves when poetry.lock exists: it installs the
            // lock (and fails or warns when pyproject.toml drifted from it).
            inst.locked = matches!(sub, "install" | "sync");
            if sub == "add" {
                for w in &pos[1..] {
                    inst.packages.push(at_version_spec(cx, w, ""));
                }
            }
            apply_env(
                cx,
                cmd,
                &mut inst,
                &[
                    ("POETRY_REPOSITORIES_*", Effect::Record),
                    ("POETRY_HTTP_BASIC_*", Effect::Record),
                ],
            );
            cx.push(Fact::Install(inst));
        }
        "publish" => credential::publish(cx, cmd, "poetry publish", false),
        _ => {}
    }
}

fn pipenv(cx: &mut Cx<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &PIP);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    if !matches!(sub, "install" | "sync" | "update") {
        return;
    }
    let mut inst = blank("pipenv", Some(sub.to_owned()), cmd);
    inst.packages = pos[1..].iter().map(|w| pip_spec(cx, w)).collect();
    // `--deploy` fails when Pipfile.lock is out of date; `--ignore-pipfile` and `sync`
    // install the lock as is.
    inst.locked = sub == "sync"
        || scanned
            .iter()
            .any(|a| a.is('\0', "deploy") || a.is('\0', "ignore-pipfile"));
    inst.global = inst.global || scanned.iter().any(|a| a.is('\0', "system"));
    apply_env(
        cx,
        cmd,
        &mut inst,
        &[
            ("PIPENV_PYPI_MIRROR", Effect::Index(IndexKind::Index)),
            ("PIP_INDEX_URL", Effect::Index(IndexKind::Index)),
        ],
    );
    cx.push(Fact::Install(inst));
}

// ---- JavaScript -----------------------------------------------------------------------

const NPM: OptSpec = OptSpec::new(
    "wpC",
    &[
        "registry",
        "prefix",
        "fetch-retries",
        "cache",
        "tag",
        "workspace",
        "omit",
        "include",
        "loglevel",
        "userconfig",
        "install-strategy",
        "before",
        "otp",
        "access",
        "scope",
        "fetch-retry-mintimeout",
        "fetch-retry-maxtimeout",
        "package",
        "call",
        "filter",
        "dir",
        "network-timeout",
        "modules-folder",
        "cwd",
        "mode",
        "location",
    ],
);

/// `@scope/name@1.2.3`, `name@^1`, `github:o/r#sha`, `o/r`, `git+https://…`, `./dir`,
/// `https://…/x.tgz`.
fn npm_spec(cx: &Cx<'_>, w: &Word) -> PackageSpec {
    npm_spec_str(&cx.text(w), w.span)
}

fn npm_spec_str(t: &str, span: Span) -> PackageSpec {
    let t = t.trim();
    let git_prefix = [
        "git+",
        "git://",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
    ]
    .iter()
    .any(|p| t.starts_with(p));
    let shorthand = !t.starts_with('@')
        && !t.starts_with('.')
        && !t.starts_with('/')
        && !t.contains(':')
        && t.split('#')
            .next()
            .is_some_and(|s| s.matches('/').count() == 1 && !s.contains('@'));
    if git_prefix || shorthand {
        let (base, r) = t
            .split_once('#')
            .map_or((t, None), |(b, r)| (b, Some(r.to_owned())));
        return PackageSpec {
            name: base.to_owned(),
            version: r,
            kind: PackageKind::Git,
            span,
        };
    }
    if t.contains("://") {
        return PackageSpec {
            name: t.to_owned(),
            version: None,
            kind: PackageKind::Url,
            span,
        };
    }
    if let Some(kind) = local_kind(t) {
        return PackageSpec {
            name: t.to_owned(),
            version: None,
            kind,
            span,
        };
    }
    // The version follows the last `@` that is not the scope's leading one.
    match t.rfind('@').filter(|&at| at > 0) {
        Some(at) => PackageSpec {
            name: t[..at].to_owned(),
            version: Some(t[at + 1..].to_owned()),
            kind: PackageKind::Registry,
            span,
        },
        None => PackageSpec {
            name: t.to_owned(),
            version: None,
            kind: PackageKind::Registry,
            span,
        },
    }
}

fn npm_common(cx: &Cx<'_>, inst: &mut Install, scanned: &[Arg<'_>]) {
    for a in scanned {
        if a.is('\0', "registry") {
            index(cx, inst, a, IndexKind::Registry);
        } else if a.is('\0', "fetch-retries") || a.is('\0', "network-concurrency") {
            inst.retry |= a.value_text().is_none_or(|n| n != "0");
        } else if a.is('g', "global") || a.value_text() == Some("global") && a.is('\0', "location")
        {
            inst.global = true;
        } else if a.is('\0', "frozen-lockfile") || a.is('\0', "immutable") {
            inst.locked = true;
        }
    }
}

fn npm(cx: &mut Cx<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &NPM);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    // npm accepts many aliases and even common typos of `install`.
    let kind = match sub {
        "ci" | "clean-install" | "ic" | "install-clean" | "isntall-clean" | "cit"
        | "clean-install-test" | "install-ci-test" => "ci",
        "install" | "i" | "in" | "ins" | "inst" | "insta" | "instal" | "isnt" | "isnta"
        | "isntal" | "isntall" | "add" | "update" | "up" | "upgrade" | "udpate"
        | "install-test" | "it" => "install",
        "exec" | "x" => "exec",
        "publish" => {
            let oidc = credential::has_flag(cmd, "--provenance")
                || cx
                    .env(cmd, "NPM_CONFIG_PROVENANCE")
                    .and_then(|h| h.value)
                    .is_some_and(|v| truthy(&v));
            credential::publish(cx, cmd, "npm publish", oidc);
            return;
        }
        "config" | "set" => {
            npm_config(cx, &pos, sub == "set", "npm_config_registry");
            return;
        }
        _ => return,
    };
    let mut inst = blank("npm", Some(sub.to_owned()), cmd);
    inst.locked = kind == "ci";
    if kind == "exec" {
        let pkgs: Vec<Val<'_>> = scanned
            .iter()
            .filter(|a| a.is('p', "package"))
            .filter_map(Arg::value)
            .collect();
        if pkgs.is_empty() {
            inst.packages.extend(pos.get(1).map(|w| npm_spec(cx, w)));
        } else {
            inst.packages
                .extend(pkgs.iter().map(|v| npm_spec_str(&val_text(cx, v), v.span)));
        }
    } else {
        inst.packages = pos[1..].iter().map(|w| npm_spec(cx, w)).collect();
    }
    npm_common(cx, &mut inst, &scanned);
    apply_env(cx, cmd, &mut inst, NPM_ENV);
    cx.push(Fact::Install(inst));
}

/// `npm config set registry URL`, `npm set registry URL`, `yarn config set …`.
fn npm_config(cx: &mut Cx<'_>, pos: &[&Word], direct_set: bool, setting: &'static str) {
    let rest = if direct_set {
        &pos[1..]
    } else if pos.get(1).and_then(|w| w.as_str()) == Some("set") {
        &pos[2..]
    } else {
        return;
    };
    let Some(key) = rest.first().and_then(|w| w.as_str()) else {
        return;
    };
    // `registry=URL` in one word is accepted too.
    let (key, val_word, val_inline) = match key.split_once('=') {
        Some((k, v)) => (k, rest[0], Some(v)),
        None => match rest.get(1) {
            Some(v) => (key, *v, None),
            None => return,
        },
    };
    if !matches!(key, "registry" | "npmRegistryServer") {
        return;
    }
    let name = if key == "npmRegistryServer" {
        "YARN_NPM_REGISTRY_SERVER"
    } else {
        setting
    };
    let value = val_inline.map_or_else(|| owned(cx, val_word), str::to_owned);
    let span = val_inline.map_or(val_word.span, |v| sub_span(val_word, v));
    cx.setting(name, value, span);
}

fn npx(cx: &mut Cx<'_>, cmd: &Command, args: &[Word], name: &str) {
    let scanned = scan(args, &NPM);
    let manager = match name {
        "pnpx" => "pnpm",
        "bunx" => "bun",
        _ => "npx",
    };
    let mut inst = blank(manager, Some(name.to_owned()), cmd);
    let pkgs: Vec<Val<'_>> = scanned
        .iter()
        .filter(|a| a.is('p', "package"))
        .filter_map(Arg::value)
        .collect();
    if pkgs.is_empty() {
        inst.packages
            .extend(first_pos(&scanned).map(|w| npm_spec(cx, w)));
    } else {
        inst.packages
            .extend(pkgs.iter().map(|v| npm_spec_str(&val_text(cx, v), v.span)));
    }
    if inst.packages.is_empty() {
        return;
    }
    npm_common(cx, &mut inst, &scanned);
    apply_env(cx, cmd, &mut inst, NPM_ENV);
    cx.push(Fact::Install(inst));
}

fn yarn(cx: &mut Cx<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &NPM);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str());
    let (sub_name, pkgs_from, global) = match sub {
        // A bare `yarn` (flags only) installs.
        None => ("install".to_owned(), 1, false),
        Some("install" | "add" | "up" | "upgrade" | "dlx") => {
            (sub.unwrap_or("").to_owned(), 1, false)
        }
        Some("global") if pos.get(1).and_then(|w| w.as_str()) == Some("add") => {
            ("global add".to_owned(), 2, true)
        }
        Some("npm" | "publish") => {
            if sub == Some("publish") || pos.get(1).and_then(|w| w.as_str()) == Some("publish") {
                let oidc = credential::has_flag(cmd, "--provenance");
                credential::publish(cx, cmd, "yarn publish", oidc);
            }
            return;
        }
        Some("config") => {
            npm_config(cx, &pos, false, "YARN_REGISTRY");
            return;
        }
        _ => return,
    };
    let mut inst = blank("yarn", Some(sub_name), cmd);
    inst.global = inst.global || global;
    inst.packages = pos
        .iter()
        .skip(pkgs_from)
        .map(|w| npm_spec(cx, w))
        .collect();
    npm_common(cx, &mut inst, &scanned);
    apply_env(cx, cmd, &mut inst, NPM_ENV);
    cx.push(Fact::Install(inst));
}

fn pnpm(cx: &mut Cx<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &NPM);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    match sub {
        "install" | "i" | "add" | "dlx" | "update" | "up" | "upgrade" => {}
        "publish" => {
            let oidc = credential::has_flag(cmd, "--provenance");
            credential::publish(cx, cmd, "pnpm publish", oidc);
            return;
        }
        "config" | "set" => {
            npm_config(cx, &pos, sub == "set", "npm_config_registry");
            return;
        }
        _ => return,
    }
    let mut inst = blank("pnpm", Some(sub.to_owned()), cmd);
    inst.packages = if sub == "dlx" {
        pos.get(1).map(|w| npm_spec(cx, w)).into_iter().collect()
    } else {
        pos[1..].iter().map(|w| npm_spec(cx, w)).collect()
    };
    npm_common(cx, &mut inst, &scanned);
    // pnpm turns `--frozen-lockfile` on by itself when it detects CI, which is where
    // these scripts run.
    if matches!(sub, "install" | "i")
        && inst.packages.is_empty()
        && !scanned.iter().any(|a| a.is('\0', "no-frozen-lockfile"))
    {
        inst.locked = true;
    }
    apply_env(cx, cmd, &mut inst, NPM_ENV);
    cx.push(Fact::Install(inst));
}

fn bun(cx: &mut Cx<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &NPM);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    match sub {
        "install" | "i" | "add" | "update" => {}
        "x" => return npx(cx, cmd, &args[1..], "bunx"),
        "publish" => return credential::publish(cx, cmd, "bun publish", false),
        _ => return,
    }
    let mut inst = blank("bun", Some(sub.to_owned()), cmd);
    inst.packages = pos[1..].iter().map(|w| npm_spec(cx, w)).collect();
    npm_common(cx, &mut inst, &scanned);
    apply_env(cx, cmd, &mut inst, NPM_ENV);
    cx.push(Fact::Install(inst));
}

fn corepack(cx: &mut Cx<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &NPM);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    if !matches!(sub, "prepare" | "install" | "use" | "up") {
        return;
    }
    let mut inst = blank("corepack", Some(sub.to_owned()), cmd);
    inst.packages = pos[1..].iter().map(|w| npm_spec(cx, w)).collect();
    inst.global = scanned.iter().any(|a| a.is('g', "global"));
    apply_env(
        cx,
        cmd,
        &mut inst,
        &[("COREPACK_NPM_REGISTRY", Effect::Index(IndexKind::Registry))],
    );
    cx.push(Fact::Install(inst));
}

// ---- Rust -----------------------------------------------------------------------------

const CARGO: OptSpec = OptSpec::new(
    "FjpZ",
    &[
        "version",
        "vers",
        "git",
        "branch",
        "tag",
        "rev",
        "path",
        "root",
        "registry",
        "index",
        "bin",
        "example",
        "features",
        "target",
        "target-dir",
        "profile",
        "jobs",
        "config",
        "manifest-path",
        "package",
        "color",
        "message-format",
        "exclude",
        "test",
        "bench",
        "strategies",
        "pkg-url",
        "pkg-fmt",
        "bin-dir",
        "install-path",
        "github-token",
        "min-tls-version",
        "rate-limit",
    ],
);

fn cargo(cx: &mut Cx<'_>, cmd: &Command, args: &[Word]) {
    // `cargo +nightly install …` picks a toolchain first.
    let args = match args.first().and_then(Word::as_str) {
        Some(t) if t.starts_with('+') => &args[1..],
        _ => args,
    };
    let Some(sub) = args.first().and_then(Word::as_str) else {
        return;
    };
    match sub {
        "install" | "binstall" => cargo_install(cx, cmd, &args[1..], sub),
        "publish" => credential::publish(cx, cmd, "cargo publish", false),
        "fetch" | "build" | "b" | "test" | "t" | "check" | "c" | "run" | "r" | "clippy" | "doc"
        | "d" | "bench" | "nextest" | "update" | "generate-lockfile" | "vendor" | "tree"
        | "llvm-cov" | "hack" => {
            let scanned = scan(&args[1..], &CARGO);
            let mut inst = blank("cargo", Some(sub.to_owned()), cmd);
            // `--frozen` is `--locked` plus `--offline`.
            inst.locked = !matches!(sub, "update" | "generate-lockfile")
                && scanned
                    .iter()
                    .any(|a| a.is('\0', "locked") || a.is('\0', "frozen"));
            apply_env(cx, cmd, &mut inst, CARGO_ENV);
            cargo_env_registries(&mut inst);
            cx.push(Fact::Install(inst));
        }
        _ => {}
    }
}

/// `CARGO_REGISTRIES_<NAME>_INDEX` names a registry by URL.
fn cargo_env_registries(inst: &mut Install) {
    let extra: Vec<IndexUrl> = inst
        .env
        .iter()
        .filter(|e| e.name.starts_with("CARGO_REGISTRIES_") && e.name.ends_with("_INDEX"))
        .filter_map(|e| {
            Some(IndexUrl {
                url: e.value.clone()?,
                kind: IndexKind::Registry,
                span: e.span,
            })
        })
        .collect();
    inst.index_urls.extend(extra);
}

pub(super) fn cargo_install(cx: &mut Cx<'_>, cmd: &Command, args: &[Word], sub: &str) {
    let scanned = scan(args, &CARGO);
    let mut inst = blank("cargo", Some(sub.to_owned()), cmd);
    // Both put binaries into ~/.cargo/bin for every later step.
    inst.global = true;
    let version = scanned
        .iter()
        .find(|a| a.is('\0', "version") || a.is('\0', "vers"))
        .and_then(Arg::value_text);
    let git = scanned
        .iter()
        .find(|a| a.is('\0', "git"))
        .and_then(Arg::value);
    let git_ref = scanned
        .iter()
        .find(|a| a.is('\0', "rev") || a.is('\0', "tag") || a.is('\0', "branch"))
        .and_then(Arg::value_text);
    let path = scanned
        .iter()
        .find(|a| a.is('\0', "path"))
        .and_then(Arg::value);
    let names: Vec<&Word> = positionals(&scanned).collect();
    if let Some(g) = git {
        let url = g.text.map_or_else(|| owned(cx, g.word), str::to_owned);
        inst.packages.push(PackageSpec {
            name: url,
            version: git_ref.map(str::to_owned),
            kind: PackageKind::Git,
            span: g.span,
        });
    } else if let Some(p) = path {
        inst.packages.push(PackageSpec {
            name: p.text.map_or_else(|| owned(cx, p.word), str::to_owned),
            version: None,
            kind: PackageKind::Path,
            span: p.span,
        });
    } else {
        for w in names {
            let t = owned(cx, w);
            let (name, v) = match t.split_once('@') {
                Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
                None => (t, version.map(str::to_owned)),
            };
            inst.packages.push(PackageSpec {
                name,
                version: v,
                kind: PackageKind::Registry,
                span: w.span,
            });
        }
    }
    for a in &scanned {
        if a.is('\0', "locked") {
            inst.locked = true;
        } else if a.is('\0', "index") || a.is('\0', "registry") {
            index(cx, &mut inst, a, IndexKind::Registry);
        }
    }
    apply_env(cx, cmd, &mut inst, CARGO_ENV);
    cargo_env_registries(&mut inst);
    cx.push(Fact::Install(inst));
}

fn rustup(cx: &mut Cx<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(
        args,
        &OptSpec::new("ctp", &["profile", "component", "target", "toolchain"]),
    );
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let a = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    let b = pos.get(1).and_then(|w| w.as_str()).unwrap_or("");
    let (sub, skip) = match (a, b) {
        ("toolchain", "install" | "add") | ("target" | "component", "add") => {
            (format!("{a} {b}"), 2)
        }
        ("install" | "update" | "default", _) => (a.to_owned(), 1),
        _ => return,
    };
    let mut inst = blank("rustup", Some(sub), cmd);
    inst.global = true;
    inst.packages = pos[skip..]
        .iter()
        .map(|w| PackageSpec {
            name: owned(cx, w),
            version: None,
            kind: PackageKind::Registry,
            span: w.span,
        })
        .collect();
    for a in scanned
        .iter()
        .filter(|a| a.is('c', "component") || a.is('t', "target"))
    {
        if let Some(v) = a.value() {
            for part in v.text.unwrap_or("").split(',').filter(|s| !s.is_empty()) {
                inst.packages.push(PackageSpec {
                    name: part.to_owned(),
                    version: None,
                    kind: PackageKind::Registry,
                    span: v.span,
                });
            }
        }
    }
    apply_env(
        cx,
        cmd,
        &mut inst,
        &[
            ("RUSTUP_DIST_SERVER", Effect::Index(IndexKind::Index)),
            ("RUSTUP_UPDATE_ROOT", Effect::Record),
        ],
    );
    cx.push(Fact::Install(inst));
}

// ---- Go -------------------------------------------------------------------------------

const GO: OptSpec = OptSpec::single_dash(&[
    "ldflags",
    "gcflags",
    "asmflags",
    "tags",
    "o",
    "p",
    "modfile",
    "overlay",
    "pkgdir",
    "toolexec",
    "buildmode",
    "compiler",
    "installsuffix",
    "pgo",
    "C",
    "exec",
    "run",
    "bench",
    "timeout",
    "count",
    "coverprofile",
    "covermode",
    "coverpkg",
    "cpu",
    "parallel",
]);

fn go(cx: &mut Cx<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &GO);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    let (name, skip) = match sub {
        "install" | "get" => (sub.to_owned(), 1),
        // `go run pkg@version` downloads and builds a module outside the main one.
        "run" if pos.get(1).is_some_and(|w| cx.text(w).contains('@')) => ("run".to_owned(), 1),
        "mod"
            if matches!(
                pos.get(1).and_then(|w| w.as_str()),
                Some("download" | "tidy")
            ) =>
        {
            (format!("mod {}", pos[1].as_str().unwrap_or("")), 2)
        }
        "env" => {
            go_env_w(cx, &scanned);
            return;
        }
        _ => return,
    };
    let mut inst = blank("go", Some(name), cmd);
    inst.global = sub == "install";
    let take = if sub == "run" { 1 } else { usize::MAX };
    for w in pos.iter().skip(skip).take(take) {
        let t = owned(cx, w);
        let spec = if let Some(kind) = local_kind(&t) {
            PackageSpec {
                name: t,
                version: None,
                kind,
                span: w.span,
            }
        } else {
            match t.split_once('@') {
                Some((n, v)) => PackageSpec {
                    name: n.to_owned(),
                    version: Some(v.to_owned()),
                    kind: PackageKind::Registry,
                    span: w.span,
                },
                None => PackageSpec {
                    name: t,
                    version: None,
                    kind: PackageKind::Registry,
                    span: w.span,
                },
            }
        };
        inst.packages.push(spec);
    }
    // `go mod download` fetches exactly what go.mod and go.sum name.
    inst.locked = sub == "mod" && inst.packages.is_empty();
    inst.insecure = scanned.iter().any(|a| a.is('\0', "insecure"));
    apply_env(cx, cmd, &mut inst, GO_ENV);
    cx.push(Fact::Install(inst));
}

/// `go env -w GOPROXY=… GOPRIVATE=…` changes the settings of later go commands.
fn go_env_w(cx: &mut Cx<'_>, scanned: &[Arg<'_>]) {
    if !scanned.iter().any(|a| a.is('\0', "w")) {
        return;
    }
    for w in positionals(scanned).skip(1) {
        let Some(t) = w.as_str() else { continue };
        let Some((k, v)) = t.split_once('=') else {
            continue;
        };
        let Some(name) = GO_ENV.iter().map(|(n, _)| *n).find(|n| *n == k) else {
            continue;
        };
        cx.setting(name, v.to_owned(), sub_span(w, v));
    }
}

// ---- Ruby -----------------------------------------------------------------------------

fn gem(cx: &mut Cx<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(
        args,
        &OptSpec::new(
            "vsinP",
            &[
                "version",
                "source",
                "install-dir",
                "bindir",
                "platform",
                "trust-policy",
                "config-file",
            ],
        ),
    );
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    match sub {
        "install" | "i" | "update" => {}
        "push" => return credential::publish(cx, cmd, "gem push", false),
        _ => return,
    }
    let mut inst = blank("gem", Some(sub.to_owned()), cmd);
    inst.global = true;
    let version = scanned
        .iter()
        .find(|a| a.is('v', "version"))
        .and_then(Arg::value_text);
    for w in &pos[1..] {
        let t = owned(cx, w);
        let spec = if let Some(kind) = local_kind(&t) {
            PackageSpec {
                name: t,
                version: None,
                kind,
                span: w.span,
            }
        } else {
            // `gem install name:1.2.3` is the inline version form.
            match t.split_once(':') {
                Some((n, v)) => PackageSpec {
                    name: n.to_owned(),
                    version: Some(v.to_owned()),
                    kind: PackageKind::Registry,
                    span: w.span,
                },
                None => PackageSpec {
                    name: t,
                    version: version.map(str::to_owned),
                    kind: PackageKind::Registry,
                    span: w.span,
                },
            }
        };
        inst.packages.push(spec);
    }
    for a in scanned.iter().filter(|a| a.is('s', "source")) {
        index(cx, &mut inst, a, IndexKind::Source);
    }
    apply_env(cx, cmd, &mut inst, &[("GEM_HOST_API_KEY", Effect::Record)]);
    cx.push(Fact::Install(inst));
}

fn bundle(cx: &mut Cx<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(
        args,
        &OptSpec::new(
            "j",
            &[
                "jobs",
                "path",
                "without",
                "with",
                "gemfile",
                "retry",
                "binstubs",
                "standalone",
                "trust-policy",
            ],
        ),
    );
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str());
    match sub {
        None | Some("install" | "update") => {}
        Some("config") => {
            // `bundle config set --local frozen true` / `bundle config deployment true`.
            let rest: Vec<&str> = pos[1..]
                .iter()
                .filter_map(|w| w.as_str())
                .filter(|t| *t != "set")
                .collect();
            let value = rest.get(1).copied().unwrap_or("");
            let name = match rest.first().copied() {
                Some("frozen") => "BUNDLE_FROZEN",
                Some("deployment") => "BUNDLE_DEPLOYMENT",
                _ => return,
            };
            cx.setting(
                name,
                value.to_owned(),
                pos.last().map_or(cmd.span, |w| w.span),
            );
            return;
        }
        _ => return,
    }
    let mut inst = blank("bundle", Some(sub.unwrap_or("install").to_owned()), cmd);
    inst.locked = sub != Some("update")
        && scanned
            .iter()
            .any(|a| a.is('\0', "deployment") || a.is('\0', "frozen"));
    inst.retry = scanned
        .iter()
        .any(|a| a.is('\0', "retry") && a.value_text().is_none_or(|n| n != "0"));
    apply_env(cx, cmd, &mut inst, BUNDLE_ENV);
    if sub == Some("update") {
        inst.locked = false;
    }
    cx.push(Fact::Install(inst));
}

// ---- System package managers ------------------------------------------------------------

struct Sys {
    spec: OptSpec,
    /// Flags that turn off signature checks.
    insecure: &'static [&'static str],
    /// Options naming an extra repository or source.
    source: &'static [&'static str],
    /// Version separator in package words (`pkg=1.2`), if any.
    version_sep: Option<char>,
    version_opt: &'static str,
}

const SYS_APT: Sys = Sys {
    spec: OptSpec::new(
        "otc",
        &["option", "target-release", "config-file", "default-release"],
    ),
    insecure: &[
        "allow-unauthenticated",
        "allow-insecure-repositories",
        "force-yes",
    ],
    source: &[],
    version_sep: Some('='),
    version_opt: "",
};
const SYS_YUM: Sys = Sys {
    spec: OptSpec::new(
        "cx",
        &[
            "enablerepo",
            "disablerepo",
            "setopt",
            "repofrompath",
            "releasever",
            "installroot",
            "config",
            "exclude",
            "repo",
        ],
    ),
    insecure: &["nogpgcheck", "no-gpgchecks"],
    source: &["repofrompath"],
    version_sep: None,
    version_opt: "",
};
const SYS_APK: Sys = Sys {
    spec: OptSpec::new(
        "Xtp",
        &[
            "repository",
            "virtual",
            "root",
            "repositories-file",
            "keys-dir",
            "arch",
        ],
    ),
    insecure: &["allow-untrusted"],
    source: &["repository", "X"],
    version_sep: Some('='),
    version_opt: "",
};
const SYS_ZYPPER: Sys = Sys {
    spec: OptSpec::new("rR", &["repo", "from", "root"]),
    insecure: &[
        "no-gpg-checks",
        "allow-unsigned-rpm",
        "gpg-auto-import-keys",
    ],
    source: &[],
    version_sep: None,
    version_opt: "",
};
const SYS_BREW: Sys = Sys {
    spec: OptSpec::new("", &["appdir", "cc"]),
    insecure: &[],
    source: &[],
    version_sep: None,
    version_opt: "",
};
const SYS_CHOCO: Sys = Sys {
    spec: OptSpec::new(
        "sv",
        &[
            "source",
            "version",
            "params",
            "package-parameters",
            "install-arguments",
            "ia",
            "timeout",
            "execution-timeout",
            "checksum",
            "checksum64",
            "cache-location",
        ],
    ),
    insecure: &[
        "ignore-checksums",
        "allow-empty-checksums",
        "allow-empty-checksums-secure",
    ],
    source: &["source", "s"],
    version_sep: None,
    version_opt: "version",
};
const SYS_SNAP: Sys = Sys {
    spec: OptSpec::new("", &["channel", "revision"]),
    insecure: &["dangerous", "devmode"],
    source: &[],
    version_sep: None,
    version_opt: "channel",
};

fn system(
    cx: &mut Cx<'_>,
    cmd: &Command,
    args: &[Word],
    manager: &'static str,
    subs: &[&str],
    sys: Sys,
) {
    let scanned = scan(args, &sys.spec);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    if !subs.contains(&sub) {
        return;
    }
    let mut inst = blank(manager, Some(sub.to_owned()), cmd);
    // System package managers install for every later step on the runner.
    inst.global = true;
    let version = (!sys.version_opt.is_empty())
        .then(|| {
            scanned
                .iter()
                .find(|a| a.is('\0', sys.version_opt))
                .and_then(Arg::value_text)
        })
        .flatten();
    for w in &pos[1..] {
        let t = owned(cx, w);
        let spec = if t.contains("://") {
            PackageSpec {
                name: t,
                version: None,
                kind: PackageKind::Url,
                span: w.span,
            }
        } else if let Some(kind) = local_kind(&t) {
            PackageSpec {
                name: t,
                version: None,
                kind,
                span: w.span,
            }
        } else {
            match sys.version_sep.and_then(|c| t.split_once(c)) {
                Some((n, v)) => PackageSpec {
                    name: n.to_owned(),
                    version: Some(v.to_owned()),
                    kind: PackageKind::Registry,
                    span: w.span,
                },
                None => PackageSpec {
                    name: t,
                    version: version.map(str::to_owned),
                    kind: PackageKind::Registry,
                    span: w.span,
                },
            }
        };
        inst.packages.push(spec);
    }
    for a in &scanned {
        if sys.insecure.iter().any(|f| a.is('\0', f)) {
            inst.insecure = true;
        }
        if let Arg::Opt { name, .. } = a
            && sys.source.contains(name)
        {
            index(cx, &mut inst, a, IndexKind::Source);
        }
    }
    cx.push(Fact::Install(inst));
}

/// `pacman -S pkg`, `pacman -Syu --noconfirm pkg`.
fn pacman(cx: &mut Cx<'_>, cmd: &Command, args: &[Word]) {
    let sync = args
        .iter()
        .filter_map(Word::as_str)
        .any(|t| t.starts_with("-S") || t == "--sync");
    if !sync {
        return;
    }
    let scanned = scan(
        args,
        &OptSpec::new("", &["root", "dbpath", "config", "cachedir"]),
    );
    let mut inst = blank("pacman", Some("-S".into()), cmd);
    inst.global = true;
    inst.packages = positionals(&scanned)
        .map(|w| PackageSpec {
            name: owned(cx, w),
            version: None,
            kind: PackageKind::Registry,
            span: w.span,
        })
        .collect();
    cx.push(Fact::Install(inst));
}

// ---- .NET -----------------------------------------------------------------------------

fn dotnet(cx: &mut Cx<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(
        args,
        &OptSpec::new(
            "svfpco",
            &[
                "source",
                "version",
                "add-source",
                "framework",
                "configfile",
                "packages",
                "tool-path",
                "output",
                "configuration",
                "runtime",
                "verbosity",
                "api-key",
                "interactive",
                "lock-file-path",
            ],
        ),
    );
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let a = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    let b = pos.get(1).and_then(|w| w.as_str()).unwrap_or("");
    let (sub, pkgs): (String, Vec<&Word>) = match (a, b) {
        ("restore", _) => ("restore".into(), Vec::new()),
        ("tool", "install" | "update") => (
            format!("tool {b}"),
            pos.get(2).copied().into_iter().collect(),
        ),
        ("tool", "restore") => ("tool restore".into(), Vec::new()),
        ("workload", "install") => ("workload install".into(), pos[2..].to_vec()),
        // `dotnet add [project] package NAME`.
        ("add", _) => {
            let Some(p) = pos.iter().position(|w| w.as_str() == Some("package")) else {
                return;
            };
            (
                "add package".into(),
                pos.get(p + 1).copied().into_iter().collect(),
            )
        }
        ("nuget", "push") => return credential::publish(cx, cmd, "dotnet nuget push", false),
        _ => return,
    };
    let mut inst = blank("dotnet", Some(sub), cmd);
    let version = scanned
        .iter()
        .find(|a| a.is('v', "version"))
        .and_then(Arg::value_text);
    inst.packages = pkgs
        .into_iter()
        .map(|w| PackageSpec {
            name: owned(cx, w),
            version: version.map(str::to_owned),
            kind: PackageKind::Registry,
            span: w.span,
        })
        .collect();
    for a in &scanned {
        if a.is('s', "source") || a.is('\0', "add-source") {
            index(cx, &mut inst, a, IndexKind::Source);
        } else if a.is('\0', "locked-mode") {
            inst.locked = true;
        } else if a.is('g', "global") {
            inst.global = true;
        }
    }
    cx.push(Fact::Install(inst));
}

fn nuget(cx: &mut Cx<'_>, cmd: &Command, args: &[Word]) {
    // nuget.exe spells its options with one dash and a capitalised name.
    let scanned = scan(
        args,
        &OptSpec::single_dash(&[
            "Version",
            "Source",
            "OutputDirectory",
            "ConfigFile",
            "Framework",
            "PackagesDirectory",
            "SolutionDirectory",
            "ApiKey",
            "Verbosity",
            "FallbackSource",
        ]),
    );
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    match sub {
        "install" | "restore" => {}
        "push" => return credential::publish(cx, cmd, "nuget push", false),
        _ => return,
    }
    let mut inst = blank("nuget", Some(sub.to_owned()), cmd);
    let version = scanned
        .iter()
        .find(|a| a.is('\0', "Version"))
        .and_then(Arg::value_text);
    if sub == "install" {
        inst.packages = pos[1..]
            .iter()
            .map(|w| PackageSpec {
                name: owned(cx, w),
                version: version.map(str::to_owned),
                kind: PackageKind::Registry,
                span: w.span,
            })
            .collect();
    }
    for a in &scanned {
        if a.is('\0', "Source") || a.is('\0', "FallbackSource") {
            index(cx, &mut inst, a, IndexKind::Source);
        } else if a.is('\0', "LockedMode") {
            inst.locked = true;
        }
    }
    cx.push(Fact::Install(inst));
}

// ---- conda ----------------------------------------------------------------------------

fn conda(cx: &mut Cx<'_>, cmd: &Command, args: &[Word], manager: &'static str) {
    let scanned = scan(
        args,
        &OptSpec::new(
            "cnpf",
            &[
                "channel",
                "name",
                "prefix",
                "file",
                "override-channels-url",
                "platform",
                "root-prefix",
            ],
        ),
    );
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let a = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    let b = pos.get(1).and_then(|w| w.as_str()).unwrap_or("");
    let (sub, skip) = match (a, b) {
        ("install" | "create" | "update", _) => (a.to_owned(), 1),
        ("env", "create" | "update") => (format!("env {b}"), 2),
        _ => return,
    };
    let mut inst = blank(manager, Some(sub), cmd);
    for w in &pos[skip..] {
        let mut p = pip_spec(cx, w);
        // `channel::pkg` names the channel inline.
        if let Some((chan, name)) = p.name.split_once("::") {
            inst.index_urls.push(IndexUrl {
                url: chan.to_owned(),
                kind: IndexKind::Source,
                span: w.span,
            });
            p.name = name.to_owned();
        }
        inst.packages.push(p);
    }
    for a in &scanned {
        if a.is('c', "channel") {
            index(cx, &mut inst, a, IndexKind::Source);
        } else if a.is('f', "file") {
            inst.requirement_files.extend(file_ref(cx, a));
        }
    }
    cx.push(Fact::Install(inst));
}

pub(super) fn gh_extension(cx: &mut Cx<'_>, cmd: &Command, repo: Option<&Word>) {
    let mut inst = blank("gh", Some("extension install".into()), cmd);
    inst.global = true;
    if let Some(w) = repo {
        let t = owned(cx, w);
        let kind = if local_kind(&t).is_some() {
            PackageKind::Path
        } else {
            PackageKind::Git
        };
        inst.packages.push(PackageSpec {
            name: t,
            version: None,
            kind,
            span: w.span,
        });
    }
    cx.push(Fact::Install(inst));
}

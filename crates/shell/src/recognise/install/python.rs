//! Python installers: pip (and `python -m pip`), uv (and uvx), pipx, poetry and pipenv;
//! each reads its own options and environment variables.

use super::*;
use tollgate_kb::env;

/// `name[extras]==1.0`, `git+https://…@ref#egg=name`, `https://…/x.whl`, `./dir`, `x.whl`.
pub(super) fn pip_spec(cx: &Recogniser<'_>, w: &Word) -> PackageSpec {
    pip_spec_str(&cx.text(w), w.span)
}

pub(super) fn val_text(cx: &Recogniser<'_>, v: &Val<'_>) -> String {
    v.text.map_or_else(|| owned(cx, v.word), str::to_owned)
}

pub(super) fn pip_spec_str(t: &str, span: Span) -> PackageSpec {
    let t = t.trim();
    let req = tollgate_model::pep508::parse(t);
    if let Some(url) = req.as_ref().and_then(|r| r.url) {
        // PEP 508 direct reference: `name @ https://…`.
        let kind = if url.starts_with("git+") {
            PackageKind::Git
        } else {
            PackageKind::Url
        };
        return PackageSpec {
            name: req.map_or("", |r| r.name).to_owned(),
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
    // pip reads an argument with a `/` that is not a URL as a path (a directory, or the
    // archives a glob names), never as a project name (`pip install mypyc/lib-rt`).
    if t.split([';', ' ', '['])
        .next()
        .is_some_and(|p| p.contains('/'))
    {
        return PackageSpec {
            name: t.to_owned(),
            version: None,
            kind: local_glob(t).unwrap_or(PackageKind::Path),
            span,
        };
    }
    // A PEP 508 specifier; what is not one (`$PKG`, `${{ matrix.pkg }}`) is kept whole as
    // the name, with no version known.
    let (name, version) = match req {
        Some(r) => (
            r.name,
            (!r.specifier.is_empty()).then(|| r.specifier.replace(' ', "")),
        ),
        None => (t, None),
    };
    PackageSpec {
        name: name.to_owned(),
        version,
        kind: PackageKind::Registry,
        span,
    }
}

pub(super) fn pip(
    cx: &mut Recogniser<'_>,
    cmd: &Command,
    manager: Manager,
    args: &[Word],
    sub_prefix: Option<&str>,
) {
    // `uv pip` takes uv's options, not pip's.
    let table = if manager == Manager::Uv {
        &flags::UV
    } else {
        &flags::PIP
    };
    let scanned = scan(args, table);
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
            Arg::Pos(w) if option_expansion(&cx.text(w)) => {}
            Arg::Pos(w) => {
                let mut p = pip_spec(cx, w);
                if let Some(kind) = loop_variable_kind(cx, cmd, w) {
                    p.kind = kind;
                }
                inst.packages.push(p);
            }
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
    let env = if manager == Manager::Uv {
        env::UV
    } else {
        env::PIP
    };
    apply_env(cx, cmd, &mut inst, env);
    inst.require_hashes |= inst.locked;
    // Only local archives with no index is pinned too (Scorecard's reading), but a source
    // distribution is built first, and under build isolation pip fetches its build
    // backend from the index, unpinned: it counts only with `--no-build-isolation`.
    let no_isolation = scanned.iter().any(|a| a.is('\0', "no-build-isolation"));
    let only_local = !inst.packages.is_empty()
        && inst.requirement_files.is_empty()
        && inst
            .packages
            .iter()
            .all(|p| p.kind == PackageKind::LocalFile && (no_isolation || !is_sdist(&p.name)));
    inst.locked = inst.require_hashes || (only_local && (no_index || inst.index_urls.is_empty()));
    cx.push(Fact::Install(inst));
}

/// A source distribution: an archive pip has to build (`.tar.gz`, `.zip`, …), not a
/// wheel. Building it runs the build backend its `pyproject.toml` names.
fn is_sdist(name: &str) -> bool {
    let name = name.trim_end_matches(['"', '\'']);
    [".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar.xz", ".tar"]
        .iter()
        .any(|e| name.ends_with(e))
}

pub(super) fn pip_config(cx: &mut Recogniser<'_>, scanned: &[Arg<'_>]) {
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

pub(super) fn uv(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &flags::UV);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    match sub {
        "pip" => {
            let Some(at) = args.iter().position(|w| std::ptr::eq(w, pos[0])) else {
                return;
            };
            pip(cx, cmd, Manager::Uv, &args[at + 1..], Some("pip"));
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
                    let mut inst = blank(Manager::Uv, Some(format!("tool {sub2}")), cmd);
                    inst.global = true;
                    python_packages(cx, &mut inst, &scanned, 2);
                    apply_env(cx, cmd, &mut inst, env::UV);
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
                let mut inst = blank(Manager::Uv, Some("python install".into()), cmd);
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
            let mut inst = blank(Manager::Uv, Some(sub.to_owned()), cmd);
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
            apply_env(cx, cmd, &mut inst, env::UV);
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
pub(super) fn at_version_spec(cx: &Recogniser<'_>, w: &Word, prefix: &str) -> PackageSpec {
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
pub(super) fn python_packages(
    cx: &Recogniser<'_>,
    inst: &mut Install,
    scanned: &[Arg<'_>],
    skip: usize,
) {
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
pub(super) fn uv_tool_run(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word], sub: &str) {
    let scanned = scan(args, &flags::UV);
    let mut inst = blank(Manager::Uv, Some(sub.to_owned()), cmd);
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
    apply_env(cx, cmd, &mut inst, env::UV);
    cx.push(Fact::Install(inst));
    if !scanned.iter().any(|a| a.is('\0', "from")) {
        runner_tool(cx, cmd, args, first_pos(&scanned));
    }
}

/// `uvx nox -s lint`, `pipx run tox -e py`: the tool run is itself an environment runner,
/// which installs into its environments (its words after the tool are its own).
fn runner_tool(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word], tool: Option<&Word>) {
    let Some(w) = tool else { return };
    let Some(at) = args.iter().position(|a| std::ptr::eq(a, w)) else {
        return;
    };
    let text = cx.text(w).into_owned();
    match text.split(['@', '=', '<', '>', '~', '[']).next() {
        Some("tox") => tox(cx, cmd, &args[at + 1..]),
        Some("nox") => nox(cx, cmd, &args[at + 1..]),
        _ => {}
    }
}

pub(super) fn pipx(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &flags::PIPX);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    if !matches!(sub, "install" | "run" | "inject" | "upgrade") {
        return;
    }
    let pos: Vec<&Word> = pos
        .into_iter()
        .filter(|w| !option_expansion(&cx.text(w)))
        .collect();
    let mut inst = blank(Manager::Pipx, Some(sub.to_owned()), cmd);
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
    apply_env(cx, cmd, &mut inst, env::PIP);
    cx.push(Fact::Install(inst));
    if sub == "run" && spec.is_none() {
        runner_tool(cx, cmd, args, pos.get(1).copied());
    }
}

pub(super) fn poetry(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &flags::POETRY);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    match sub {
        "install" | "sync" | "add" | "update" => {
            let mut inst = blank(Manager::Poetry, Some(sub.to_owned()), cmd);
            // `poetry install` never re-resolves when poetry.lock exists: it installs the
            // lock (and fails or warns when pyproject.toml drifted from it).
            inst.locked = matches!(sub, "install" | "sync");
            if sub == "add" {
                for w in &pos[1..] {
                    inst.packages.push(at_version_spec(cx, w, ""));
                }
            }
            apply_env(cx, cmd, &mut inst, env::POETRY);
            cx.push(Fact::Install(inst));
        }
        "publish" => credential::publish(cx, cmd, "poetry publish", false),
        _ => {}
    }
}

pub(super) fn pipenv(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &flags::PIPENV);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    if !matches!(sub, "install" | "sync" | "update") {
        return;
    }
    let mut inst = blank(Manager::Pipenv, Some(sub.to_owned()), cmd);
    inst.packages = pos[1..].iter().map(|w| pip_spec(cx, w)).collect();
    // `--deploy` fails when Pipfile.lock is out of date; `--ignore-pipfile` and `sync`
    // install the lock as is.
    inst.locked = sub == "sync"
        || scanned
            .iter()
            .any(|a| a.is('\0', "deploy") || a.is('\0', "ignore-pipfile"));
    inst.global = inst.global || scanned.iter().any(|a| a.is('\0', "system"));
    apply_env(cx, cmd, &mut inst, env::PIPENV);
    cx.push(Fact::Install(inst));
}

//! JavaScript installers: npm, npx, yarn, pnpm (and pnpx), bun (and bunx) and corepack.

use super::*;
use tollgate_kb::env;

/// `@scope/name@1.2.3`, `name@^1`, `github:o/r#sha`, `o/r`, `git+https://…`, `./dir`,
/// `https://…/x.tgz`.
pub(super) fn npm_spec(cx: &Recogniser<'_>, w: &Word) -> PackageSpec {
    npm_spec_str(&cx.text(w), w.span)
}

pub(super) fn npm_spec_str(t: &str, span: Span) -> PackageSpec {
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

pub(super) fn npm_common(cx: &Recogniser<'_>, inst: &mut Install, scanned: &[Arg<'_>]) {
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

pub(super) fn npm(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &flags::NPM);
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
    let mut inst = blank(Manager::Npm, Some(sub.to_owned()), cmd);
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
    apply_env(cx, cmd, &mut inst, env::NPM);
    cx.push(Fact::Install(inst));
}

/// `npm config set registry URL`, `npm set registry URL`, `yarn config set …`.
pub(super) fn npm_config(
    cx: &mut Recogniser<'_>,
    pos: &[&Word],
    direct_set: bool,
    setting: &'static str,
) {
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

pub(super) fn npx(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word], name: &str) {
    // npx is `npm exec`; pnpx and bunx read their own (fewer) options.
    let table = if name == "npx" {
        &flags::NPM
    } else {
        &flags::DLX
    };
    let scanned = scan(args, table);
    let manager = match name {
        "pnpx" => Manager::Pnpm,
        "bunx" => Manager::Bun,
        _ => Manager::Npx,
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
    apply_env(cx, cmd, &mut inst, env::NPM);
    cx.push(Fact::Install(inst));
}

pub(super) fn yarn(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &flags::YARN);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str());
    let (sub_name, pkgs_from, global) = match sub {
        // A bare `yarn` (flags only) installs. A first word that is not static
        // (`yarn test:${{ matrix.runtime }}`) is a script name, not nothing.
        None if pos.is_empty() => ("install".to_owned(), 1, false),
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
    // `yarn dlx pkg args…` runs one package (`-p` adds more): what follows it are the
    // package's own arguments.
    let take = if sub_name == "dlx" { 1 } else { usize::MAX };
    let mut inst = blank(Manager::Yarn, Some(sub_name), cmd);
    inst.global = inst.global || global;
    inst.packages = pos
        .iter()
        .skip(pkgs_from)
        .take(take)
        .map(|w| npm_spec(cx, w))
        .collect();
    npm_common(cx, &mut inst, &scanned);
    apply_env(cx, cmd, &mut inst, env::NPM);
    cx.push(Fact::Install(inst));
}

pub(super) fn pnpm(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &flags::PNPM);
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
    let mut inst = blank(Manager::Pnpm, Some(sub.to_owned()), cmd);
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
    apply_env(cx, cmd, &mut inst, env::NPM);
    cx.push(Fact::Install(inst));
}

pub(super) fn bun(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &flags::BUN);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    match sub {
        "install" | "i" | "add" | "update" => {}
        "x" => return npx(cx, cmd, &args[1..], "bunx"),
        "publish" => return credential::publish(cx, cmd, "bun publish", false),
        _ => return,
    }
    let mut inst = blank(Manager::Bun, Some(sub.to_owned()), cmd);
    inst.packages = pos[1..].iter().map(|w| npm_spec(cx, w)).collect();
    npm_common(cx, &mut inst, &scanned);
    apply_env(cx, cmd, &mut inst, env::NPM);
    cx.push(Fact::Install(inst));
}

pub(super) fn corepack(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &flags::NPM);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    if !matches!(sub, "prepare" | "install" | "use" | "up") {
        return;
    }
    let mut inst = blank(Manager::Corepack, Some(sub.to_owned()), cmd);
    inst.packages = pos[1..].iter().map(|w| npm_spec(cx, w)).collect();
    inst.global = scanned.iter().any(|a| a.is('g', "global"));
    apply_env(cx, cmd, &mut inst, env::COREPACK);
    cx.push(Fact::Install(inst));
}

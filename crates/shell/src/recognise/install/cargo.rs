//! Rust: `cargo install|add|fetch|build`, cargo-binstall and rustup.

use super::*;
use tollgate_kb::env;

pub(super) fn cargo(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
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
            let scanned = scan(&args[1..], &flags::CARGO);
            let mut inst = blank(Manager::Cargo, Some(sub.to_owned()), cmd);
            // `--frozen` is `--locked` plus `--offline`.
            inst.locked = !matches!(sub, "update" | "generate-lockfile")
                && scanned
                    .iter()
                    .any(|a| a.is('\0', "locked") || a.is('\0', "frozen"));
            apply_env(cx, cmd, &mut inst, env::CARGO);
            cargo_env_registries(&mut inst);
            cx.push(Fact::Install(inst));
        }
        _ => {}
    }
}

/// `CARGO_REGISTRIES_<NAME>_INDEX` names a registry by URL.
pub(super) fn cargo_env_registries(inst: &mut Install) {
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

pub(crate) fn cargo_install(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word], sub: &str) {
    let scanned = scan(args, &flags::CARGO);
    let mut inst = blank(Manager::Cargo, Some(sub.to_owned()), cmd);
    // Both put binaries into ~/.cargo/bin for every later step.
    inst.global = true;
    // A version from a variable or an expression is kept as written: it is chosen at run
    // time, which is not the same as no version at all.
    let version = scanned
        .iter()
        .find(|a| a.is('\0', "version") || a.is('\0', "vers"))
        .and_then(Arg::value)
        .map(|v| val_text(cx, &v));
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
                None => (t, version.clone()),
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
    apply_env(cx, cmd, &mut inst, env::CARGO);
    cargo_env_registries(&mut inst);
    cx.push(Fact::Install(inst));
}

pub(super) fn rustup(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &flags::RUSTUP);
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
    let mut inst = blank(Manager::Rustup, Some(sub), cmd);
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
    apply_env(cx, cmd, &mut inst, env::RUSTUP);
    cx.push(Fact::Install(inst));
}

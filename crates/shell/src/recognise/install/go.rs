//! Go: `go install|get|mod download` and the module proxy settings.

use super::*;
use tollgate_kb::env;

pub(super) fn go(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &flags::GO);
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
    let mut inst = blank(Manager::Go, Some(name), cmd);
    inst.global = sub == "install";
    let take = if sub == "run" { 1 } else { usize::MAX };
    for w in pos.iter().skip(skip).take(take) {
        inst.packages.push(spec_with_separator(cx, w, '@', None));
    }
    // `go mod download` fetches exactly what go.mod and go.sum name.
    inst.locked = sub == "mod" && inst.packages.is_empty();
    inst.insecure = scanned.iter().any(|a| a.is('\0', "insecure"));
    apply_env(cx, cmd, &mut inst, env::GO);
    cx.push(Fact::Install(inst));
}

/// `go env -w GOPROXY=… GOPRIVATE=…` changes the settings of later go commands.
pub(super) fn go_env_w(cx: &mut Recogniser<'_>, scanned: &[Arg<'_>]) {
    if !scanned.iter().any(|a| a.is('\0', "w")) {
        return;
    }
    for w in positionals(scanned).skip(1) {
        let Some(t) = w.as_str() else { continue };
        let Some((k, v)) = t.split_once('=') else {
            continue;
        };
        let Some(name) = env::GO.iter().map(|(n, _)| *n).find(|n| *n == k) else {
            continue;
        };
        cx.setting(name, v.to_owned(), sub_span(w, v));
    }
}

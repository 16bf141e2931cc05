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
        let mut spec = spec_with_separator(cx, w, '@', None);
        if sub == "install"
            && spec.kind == PackageKind::Registry
            && spec.version.is_none()
            && of_main_module(&spec.name)
        {
            spec.kind = PackageKind::Path;
        }
        inst.packages.push(spec);
    }
    // `go mod download` fetches exactly what go.mod and go.sum name.
    inst.locked = sub == "mod" && inst.packages.is_empty();
    inst.insecure = scanned.iter().any(|a| a.is('\0', "insecure"));
    apply_env(cx, cmd, &mut inst, env::GO);
    cx.push(Fact::Install(inst));
}

/// Whether a `go install` argument without `@version` names a package that the main
/// module resolves, not a module to fetch: Go 1.24's `tool` pattern (the `tool`
/// directives of go.mod), `all`, `std`, `cmd`, and every import path whose first element
/// has no dot (the standard library, or the module's own packages when its path has no
/// dot). go install builds them at the versions go.mod selects, checked against go.sum.
/// A remote module path always has a dot in its first element (`golang.org/x/tools`).
fn of_main_module(name: &str) -> bool {
    let first = name.split('/').next().unwrap_or(name);
    !first.is_empty() && !name.contains('$') && !first.contains('.')
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

#[cfg(test)]
mod tests {
    use crate::{Analyzer, Fact, PackageKind};

    fn kinds(script: &str) -> Vec<(String, PackageKind)> {
        Analyzer::new()
            .analyze(script)
            .facts
            .iter()
            .filter_map(|f| match f {
                Fact::Install(i) => Some(i),
                _ => None,
            })
            .flat_map(|i| i.packages.iter().map(|p| (p.name.clone(), p.kind)))
            .collect()
    }

    #[test]
    fn main_module_packages_are_not_fetched() {
        // trivy's workflows: `go install tool` installs go.mod's `tool` directives.
        for (script, kind) in [
            ("go install tool", PackageKind::Path),
            ("go install std cmd/go", PackageKind::Path),
            ("go install mymodule/cmd/x", PackageKind::Path),
            ("go install ./cmd/x", PackageKind::Path),
            ("go install github.com/o/tool", PackageKind::Registry),
            ("go install tool@v1.0.0", PackageKind::Registry),
            ("go install $TOOL", PackageKind::Registry),
            ("go install ${{ matrix.tool }}", PackageKind::Registry),
            // `go get tool` upgrades the tools: a fetch.
            ("go get tool", PackageKind::Registry),
        ] {
            let got = kinds(script);
            assert!(!got.is_empty(), "{script}");
            assert!(got.iter().all(|(_, k)| *k == kind), "{script}: {got:?}");
        }
    }
}

//! Ruby: gem and bundle (bundler).

use super::*;
use tollgate_kb::env;

pub(super) fn gem(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &flags::GEM);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    match sub {
        "install" | "i" | "update" => {}
        "exec" => return gem_exec(cx, cmd, &scanned),
        "push" => return credential::publish(cx, cmd, "gem push", false),
        _ => return,
    }
    let mut inst = blank(Manager::Gem, Some(sub.to_owned()), cmd);
    inst.global = true;
    let version = scanned
        .iter()
        .find(|a| a.is('v', "version"))
        .and_then(Arg::value_text);
    // `gem install name:1.2.3` is the inline version form.
    for w in &pos[1..] {
        inst.packages.push(spec_with_separator(cx, w, ':', version));
    }
    for a in scanned.iter().filter(|a| a.is('s', "source")) {
        index(cx, &mut inst, a, IndexKind::Source);
    }
    apply_env(cx, cmd, &mut inst, env::GEM);
    cx.push(Fact::Install(inst));
}

/// `gem exec [-g GEM] [-v VERSION] COMMAND args…` runs a gem's executable, installing the
/// gem first when it is missing (RubyGems' `npx`): the gem is `--gem`, else the command
/// name; what follows the command is its own arguments.
fn gem_exec(cx: &mut Recogniser<'_>, cmd: &Command, scanned: &[Arg<'_>]) {
    let mut inst = blank(Manager::Gem, Some("exec".to_owned()), cmd);
    inst.global = true;
    let version = scanned
        .iter()
        .find(|a| a.is('v', "version"))
        .and_then(Arg::value_text);
    let gem = scanned
        .iter()
        .find(|a| a.is('g', "gem"))
        .and_then(Arg::value)
        .map(|v| v.word);
    if let Some(w) = gem.or_else(|| positionals(scanned).nth(1)) {
        inst.packages.push(spec_with_separator(cx, w, ':', version));
    }
    for a in scanned.iter().filter(|a| a.is('s', "source")) {
        index(cx, &mut inst, a, IndexKind::Source);
    }
    apply_env(cx, cmd, &mut inst, env::GEM);
    cx.push(Fact::Install(inst));
}

pub(super) fn bundle(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &flags::BUNDLE);
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
    let mut inst = blank(
        Manager::Bundle,
        Some(sub.unwrap_or("install").to_owned()),
        cmd,
    );
    inst.locked = sub != Some("update")
        && scanned
            .iter()
            .any(|a| a.is('\0', "deployment") || a.is('\0', "frozen"));
    inst.retry = scanned
        .iter()
        .any(|a| a.is('\0', "retry") && a.value_text().is_none_or(|n| n != "0"));
    apply_env(cx, cmd, &mut inst, env::BUNDLE);
    if sub == Some("update") {
        inst.locked = false;
    }
    cx.push(Fact::Install(inst));
}

//! System and other package managers: apt, yum/dnf, apk, zypper, brew, choco, snap,
//! pacman, dotnet and nuget, conda/mamba, and `gh extension install`.

use super::*;

pub(super) struct Sys {
    spec: OptSpec,
    /// Flags that turn off signature checks.
    insecure: &'static [&'static str],
    /// Options naming an extra repository or source.
    source: &'static [&'static str],
    /// Version separator in package words (`pkg=1.2`), if any.
    version_sep: Option<char>,
    version_opt: &'static str,
}

pub(super) const SYS_APT: Sys = Sys {
    spec: flags::APT,
    insecure: &[
        "allow-unauthenticated",
        "allow-insecure-repositories",
        "force-yes",
    ],
    source: &[],
    version_sep: Some('='),
    version_opt: "",
};
pub(super) const SYS_YUM: Sys = Sys {
    spec: flags::YUM,
    insecure: &["nogpgcheck", "no-gpgchecks"],
    source: &["repofrompath"],
    version_sep: None,
    version_opt: "",
};
pub(super) const SYS_APK: Sys = Sys {
    spec: flags::APK,
    insecure: &["allow-untrusted"],
    source: &["repository", "X"],
    version_sep: Some('='),
    version_opt: "",
};
pub(super) const SYS_ZYPPER: Sys = Sys {
    spec: flags::ZYPPER,
    insecure: &[
        "no-gpg-checks",
        "allow-unsigned-rpm",
        "gpg-auto-import-keys",
    ],
    source: &[],
    version_sep: None,
    version_opt: "",
};
pub(super) const SYS_BREW: Sys = Sys {
    spec: flags::BREW,
    insecure: &[],
    source: &[],
    version_sep: None,
    version_opt: "",
};
pub(super) const SYS_CHOCO: Sys = Sys {
    spec: flags::CHOCO,
    insecure: &[
        "ignore-checksums",
        "allow-empty-checksums",
        "allow-empty-checksums-secure",
    ],
    source: &["source", "s"],
    version_sep: None,
    version_opt: "version",
};
pub(super) const SYS_SNAP: Sys = Sys {
    spec: flags::SNAP,
    insecure: &["dangerous", "devmode"],
    source: &[],
    version_sep: None,
    version_opt: "channel",
};

pub(super) fn system(
    cx: &mut Recogniser<'_>,
    cmd: &Command,
    args: &[Word],
    manager: Manager,
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
                // A version the shell expands at run time (`--version=$env:V`) is chosen
                // then: `$` says so to the judges.
                .map(|a| a.value_text().unwrap_or("$"))
        })
        .flatten()
        // `--version=$env:V` is one word the shell builds, so not read as the option.
        .or_else(|| {
            let opt = format!("--{}=", sys.version_opt);
            (!sys.version_opt.is_empty()
                && pos.iter().any(|w| cx.text(w).starts_with(opt.as_str())))
            .then_some("$")
        });
    for w in &pos[1..] {
        let t = owned(cx, w);
        if t.starts_with('-') {
            continue;
        }
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
        // apt's `-o Acquire::Retries=3` and dnf's `--setopt=retries=5` retry each
        // download; a count of 0 turns retries off.
        if (a.is('o', "option") || a.is('\0', "setopt")) && a.value_text().is_some_and(asks_retries)
        {
            inst.retry = true;
        }
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

/// Whether an option value sets a retry count above zero: apt's `Acquire::Retries=N`
/// (<https://manpages.debian.org/apt.conf.5>), dnf's and yum's `retries=N`
/// (<https://dnf.readthedocs.io/en/latest/conf_ref.html>).
fn asks_retries(value: &str) -> bool {
    let Some((key, n)) = value.split_once('=') else {
        return false;
    };
    let key = key.trim();
    (key.eq_ignore_ascii_case("Acquire::Retries") || key == "retries")
        && n.trim()
            .trim_matches('"')
            .parse::<u32>()
            .is_ok_and(|n| n > 0)
}

/// `pacman -S pkg`, `pacman -Syu --noconfirm pkg`.
pub(super) fn pacman(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
    let sync = args
        .iter()
        .filter_map(Word::as_str)
        .any(|t| t.starts_with("-S") || t == "--sync");
    if !sync {
        return;
    }
    let scanned = scan(args, &flags::PACMAN);
    let mut inst = blank(Manager::Pacman, Some("-S".into()), cmd);
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

pub(super) fn dotnet(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
    let scanned = scan(args, &flags::DOTNET);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let a = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    let b = pos.get(1).and_then(|w| w.as_str()).unwrap_or("");
    let (sub, pkgs): (String, Vec<&Word>) = match (a, b) {
        ("restore", _) => ("restore".into(), Vec::new()),
        // These restore the project's packages first unless told not to; `--no-build`
        // implies `--no-restore`, and a built assembly (`dotnet test x.dll`) has nothing
        // to restore (<https://learn.microsoft.com/en-us/dotnet/core/tools/dotnet-build#implicit-restore>).
        ("build" | "test" | "run" | "publish" | "pack", _) => {
            let skips = scanned
                .iter()
                .any(|a| a.is('\0', "no-restore") || a.is('\0', "no-build"));
            let assembly = pos
                .get(1)
                .and_then(|w| w.as_str())
                .is_some_and(|t| t.ends_with(".dll") || t.ends_with(".exe"));
            if skips || assembly {
                return;
            }
            (a.to_owned(), Vec::new())
        }
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
    let mut inst = blank(Manager::Dotnet, Some(sub), cmd);
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
    // The building commands spell it `--source` only: `dotnet test -s` is `--settings`,
    // `dotnet pack -s` is `--serviceable`.
    let builds = matches!(a, "build" | "test" | "run" | "publish" | "pack");
    for a in &scanned {
        let source = if builds {
            a.is('\0', "source")
        } else {
            a.is('s', "source")
        };
        if source || a.is('\0', "add-source") {
            index(cx, &mut inst, a, IndexKind::Source);
        } else if a.is('\0', "locked-mode") {
            inst.locked = true;
        } else if a.is('g', "global") {
            inst.global = true;
        }
    }
    cx.push(Fact::Install(inst));
}

pub(super) fn nuget(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word]) {
    // nuget.exe spells its options with one dash and a capitalised name.
    let scanned = scan(args, &flags::NUGET);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    match sub {
        "install" | "restore" => {}
        "push" => return credential::publish(cx, cmd, "nuget push", false),
        _ => return,
    }
    let mut inst = blank(Manager::Nuget, Some(sub.to_owned()), cmd);
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

/// A conda match spec (`name`, `name=1.2`, `name>=1.2,<2`, `name 1.2.*`, `name=1.2=build`):
/// conda's own grammar, not PEP 508. The name runs to the first version or build character;
/// the rest, without spaces, is the version.
fn conda_spec(t: &str, span: Span) -> PackageSpec {
    let end = t.find(|c: char| "[=<>!~ ".contains(c)).unwrap_or(t.len());
    let rest = t[end..].trim();
    PackageSpec {
        name: t[..end].to_owned(),
        version: (!rest.is_empty()).then(|| rest.replace(' ', "")),
        kind: PackageKind::Registry,
        span,
    }
}

pub(super) fn conda(cx: &mut Recogniser<'_>, cmd: &Command, args: &[Word], manager: Manager) {
    let scanned = scan(args, &flags::CONDA);
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
        let text = cx.text(w);
        let mut spec = text.trim();
        // `channel::pkg` names the channel inline.
        if let Some((chan, rest)) = spec.split_once("::") {
            inst.index_urls.push(IndexUrl {
                url: chan.to_owned(),
                kind: IndexKind::Source,
                span: w.span,
            });
            spec = rest;
        }
        inst.packages.push(conda_spec(spec, w.span));
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

pub(crate) fn gh_extension(cx: &mut Recogniser<'_>, cmd: &Command, repo: Option<&Word>) {
    let mut inst = blank(Manager::Gh, Some("extension install".into()), cmd);
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

#[cfg(test)]
mod tests {
    use super::asks_retries;

    #[test]
    fn retry_options() {
        for (v, want) in [
            ("Acquire::Retries=3", true),
            ("acquire::retries=10", true),
            ("Acquire::Retries=0", false),
            ("Acquire::http::Timeout=10", false),
            ("retries=5", true),
            ("retries=0", false),
            ("Acquire::Retries", false),
        ] {
            assert_eq!(asks_retries(v), want, "{v}");
        }
    }

    /// `dotnet build|test|run|publish|pack` restore first unless told not to.
    #[test]
    fn dotnet_implicit_restore() {
        for (script, want) in [
            ("dotnet build -c Release", Some("build")),
            (
                "dotnet test --configuration Release --logger trx",
                Some("test"),
            ),
            ("dotnet run --project tools/gen -- --flag", Some("run")),
            (
                "dotnet publish src/App.csproj -r linux-x64",
                Some("publish"),
            ),
            ("dotnet pack -s -o out", Some("pack")),
            ("dotnet build --no-restore", None),
            ("dotnet test --no-build", None),
            ("dotnet test bin/Release/net8.0/Tests.dll", None),
            ("dotnet format", None),
        ] {
            let a = crate::Analyzer::new().analyze(script);
            let inst = a.facts.iter().find_map(|f| match f {
                crate::Fact::Install(i) => Some(i),
                _ => None,
            });
            assert_eq!(inst.and_then(|i| i.subcommand.as_deref()), want, "{script}");
            assert_eq!(inst.map(|i| i.manager), want.map(|_| "dotnet"), "{script}");
        }
        // `--source` names a feed; `dotnet test -s` is a settings file, not a feed.
        let idx = |script: &str| -> Vec<String> {
            crate::Analyzer::new()
                .analyze(script)
                .facts
                .iter()
                .filter_map(|f| match f {
                    crate::Fact::Install(i) => Some(i),
                    _ => None,
                })
                .flat_map(|i| i.index_urls.iter().map(|u| u.url.clone()))
                .collect()
        };
        assert_eq!(
            idx("dotnet build --source https://nuget.example/v3/index.json"),
            ["https://nuget.example/v3/index.json"]
        );
        assert!(idx("dotnet test -s ci.runsettings").is_empty());
    }

    /// The advice of `missing-fallback` for apt, followed, is a retry.
    #[test]
    fn install_with_retry_option() {
        for (script, want) in [
            ("sudo apt-get -o Acquire::Retries=3 install -y foo", true),
            ("sudo apt-get install -y -o Acquire::Retries=3 foo", true),
            ("sudo dnf install -y --setopt=retries=5 foo", true),
            ("sudo apt-get install -y foo", false),
        ] {
            let a = crate::Analyzer::new().analyze(script);
            let inst = a.facts.iter().find_map(|f| match f {
                crate::Fact::Install(i) => Some(i),
                _ => None,
            });
            assert_eq!(inst.map(|i| i.retry), Some(want), "{script}");
        }
    }
}

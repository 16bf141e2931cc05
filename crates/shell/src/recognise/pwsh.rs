//! PowerShell's own download and install commands, read into the same facts as their bash
//! counterparts: `Invoke-WebRequest`/`Invoke-RestMethod` (and their aliases, and `curl`/
//! `wget` when given PowerShell parameters, which Windows PowerShell maps to
//! `Invoke-WebRequest`), `Start-BitsTransfer`, `WebClient.DownloadFile/DownloadString`,
//! `Install-Module`/`Install-Script`/`Install-Package`/`Install-PSResource`, `winget
//! install` and `scoop install`. Native tools (`pip`, `npm`, `choco`, `gh`, `curl.exe`, …)
//! go through the shared recognisers: their words are the same in both shells.

use super::download::{blank, set_url};
use super::install::blank_named;
use super::{Recogniser, url_basename, verify};
use crate::command::{Command, Word};
use crate::facts::{Fact, PackageKind, PackageSpec};

/// One argument of a cmdlet: a `-Name value` pair (the name lowercased, without the dash),
/// a switch, or a positional word.
enum PsArg<'w> {
    Named {
        name: String,
        value: Option<&'w Word>,
    },
    Pos(&'w Word),
}

/// Split a cmdlet's arguments; `switches` are the parameters that take no value. A
/// `-Name:value` word carries its value itself: it is kept as a switch-like name whose
/// value is not a separate word, which the callers here do not need.
fn ps_args<'w>(args: &'w [Word], switches: &[&str]) -> Vec<PsArg<'w>> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < args.len() {
        let w = &args[k];
        k += 1;
        let Some(t) = w.as_str() else {
            out.push(PsArg::Pos(w));
            continue;
        };
        let Some(name) = t
            .strip_prefix('-')
            .filter(|n| n.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && !w.quoted)
        else {
            out.push(PsArg::Pos(w));
            continue;
        };
        let name = name.to_ascii_lowercase();
        if name.contains(':') || switches.iter().any(|s| matches_param(&name, s)) {
            out.push(PsArg::Named { name, value: None });
            continue;
        }
        let value = args.get(k);
        k += 1;
        out.push(PsArg::Named { name, value });
    }
    out
}

/// PowerShell accepts any unambiguous prefix of a parameter name; three letters keep the
/// ones read here apart.
fn matches_param(written: &str, full: &str) -> bool {
    written == full || written.len() >= 3 && full.starts_with(written)
}

fn named<'w>(args: &[PsArg<'w>], names: &[&str]) -> Option<&'w Word> {
    args.iter().find_map(|a| match a {
        PsArg::Named { name, value } if names.iter().any(|n| matches_param(name, n)) => *value,
        _ => None,
    })
}

fn has_switch(args: &[PsArg<'_>], names: &[&str]) -> bool {
    args.iter().any(
        |a| matches!(a, PsArg::Named { name, .. } if names.iter().any(|n| matches_param(name, n))),
    )
}

fn positional<'w>(args: &[PsArg<'w>], n: usize) -> Option<&'w Word> {
    args.iter()
        .filter_map(|a| match a {
            PsArg::Pos(w) => Some(*w),
            PsArg::Named { .. } => None,
        })
        .nth(n)
}

const WEB_SWITCHES: &[&str] = &[
    "usebasicparsing",
    "skipcertificatecheck",
    "passthru",
    "usedefaultcredentials",
    "disablekeepalive",
    "resume",
    "skiphttperrorcheck",
    "skipheadervalidation",
    "allowunencryptedauthentication",
    "noproxy",
    "preserveauthorizationonredirect",
    "allowinsecureredirect",
    "proxyusedefaultcredentials",
    "followrellink",
    "preserveheadersonredirect",
];

/// `curl`/`wget` given PowerShell parameters: Windows PowerShell's aliases of
/// `Invoke-WebRequest` (pwsh 7 runs the real `curl.exe`, whose options are not these).
pub(super) fn is_web_cmdlet_call(cmd: &Command) -> bool {
    cmd.args().iter().filter_map(Word::as_str).any(|t| {
        let l = t.to_ascii_lowercase();
        matches!(
            l.as_str(),
            "-uri" | "-outfile" | "-usebasicparsing" | "-method" | "-headers" | "-infile"
        )
    })
}

/// `Invoke-WebRequest`/`Invoke-RestMethod` (`iwr`, `irm`, and `curl`/`wget` in Windows
/// PowerShell): the URL is `-Uri` or the first positional argument; `-OutFile` names the
/// file, else the content goes down the pipeline.
pub(super) fn web_request(cx: &mut Recogniser<'_>, i: usize, cmd: &Command, name: &str) {
    let args = ps_args(cmd.args(), WEB_SWITCHES);
    let tool = if matches!(name, "invoke-restmethod" | "irm") {
        "Invoke-RestMethod"
    } else {
        "Invoke-WebRequest"
    };
    let mut d = blank(tool, cmd.span);
    if let Some(w) = named(&args, &["uri"]).or_else(|| positional(&args, 0)) {
        set_url(cx, &mut d, w);
    }
    d.output = named(&args, &["outfile"]).map(|w| cx.text(w).into_owned());
    d.insecure_tls = has_switch(&args, &["skipcertificatecheck"]);
    d.retry = named(&args, &["maximumretrycount"])
        .is_some_and(|w| w.as_str().is_none_or(|n| n.trim() != "0"));
    d.sends = named(&args, &["body", "infile", "form"]).is_some()
        || named(&args, &["method", "custommethod"]).is_some_and(|w| {
            w.as_str()
                .is_none_or(|m| !m.eq_ignore_ascii_case("GET") && !m.eq_ignore_ascii_case("HEAD"))
        });
    // `-OutFile f -PassThru` both writes the file and passes the content on.
    d.to_stdout = d.output.is_none() || has_switch(&args, &["passthru"]);
    let file = d.output.clone();
    let to_stdout = d.to_stdout;
    cx.download(i, Fact::Download(d), file, to_stdout);
}

/// `Start-BitsTransfer -Source url -Destination file` (both also positional).
pub(super) fn bits(cx: &mut Recogniser<'_>, i: usize, cmd: &Command) {
    let args = ps_args(
        cmd.args(),
        &["asynchronous", "suspended", "usestoredcredential"],
    );
    let mut d = blank("Start-BitsTransfer", cmd.span);
    if let Some(w) = named(&args, &["source"]).or_else(|| positional(&args, 0)) {
        set_url(cx, &mut d, w);
    }
    d.output = named(&args, &["destination"])
        .or_else(|| positional(&args, 1))
        .map(|w| cx.text(w).into_owned())
        .or_else(|| d.url.as_deref().and_then(url_basename));
    let file = d.output.clone();
    cx.download(i, Fact::Download(d), file, false);
}

/// `(New-Object Net.WebClient).DownloadFile(url, file)` and `.DownloadString(url)`, which
/// the walk records as commands over the method's operands.
pub(super) fn webclient(cx: &mut Recogniser<'_>, i: usize, cmd: &Command, name: &str) {
    let to_file = name.ends_with("downloadfile");
    let tool = if to_file {
        "WebClient.DownloadFile"
    } else {
        "WebClient.DownloadString"
    };
    let mut d = blank(tool, cmd.span);
    let args = cmd.args();
    if let Some(w) = args.first() {
        set_url(cx, &mut d, w);
    }
    if to_file {
        d.output = args.get(1).map(|w| cx.text(w).into_owned());
    }
    d.to_stdout = !to_file;
    let file = d.output.clone();
    cx.download(i, Fact::Download(d), file, !to_file);
}

/// `Install-Module`, `Install-Script`, `Install-Package`, `Install-PSResource`,
/// `Save-Module`, `Update-Module`: packages from `-Name` (or the first positional
/// argument, a comma list allowed), pinned by `-RequiredVersion` (or `-Version`, which
/// `Install-PSResource` and `Install-Package` take as an exact version or a range).
pub(super) fn ps_module(cx: &mut Recogniser<'_>, cmd: &Command, name: &str) {
    let manager = match name {
        "install-module" => "Install-Module",
        "install-script" => "Install-Script",
        "install-package" => "Install-Package",
        "install-psresource" => "Install-PSResource",
        "save-module" => "Save-Module",
        "update-module" => "Update-Module",
        _ => return,
    };
    let args = ps_args(
        cmd.args(),
        &[
            "force",
            "allowclobber",
            "skippublishercheck",
            "allowprerelease",
            "prerelease",
            "acceptlicense",
            "trustrepository",
            "noclobber",
            "passthru",
            "reinstall",
            "quiet",
            "confirm",
            "whatif",
            "skipdependencycheck",
            "authenticodecheck",
            "forcebootstrap",
            "includedependencies",
        ],
    );
    let version = named(&args, &["requiredversion", "version"])
        .map(|w| cx.text(w).into_owned())
        .or_else(|| named(&args, &["minimumversion"]).map(|w| format!(">={}", cx.text(w))));
    let mut inst = blank_named(manager, None, cmd);
    // PowerShell modules go to the user's or the machine's module path, outside the
    // workspace.
    inst.global = true;
    if let Some(first) = named(&args, &["name"]).or_else(|| positional(&args, 0)) {
        // `-Name A, B`: the words of a comma list follow each other with a `,` between.
        let words = cmd.args();
        let at = words.iter().position(|w| w.span == first.span).unwrap_or(0);
        let mut list = vec![first];
        for pair in words[at..].windows(2) {
            let between = cx
                .script()
                .get(pair[0].span.end()..pair[1].span.start())
                .unwrap_or("");
            if !between.contains(',') {
                break;
            }
            list.push(&pair[1]);
        }
        for w in list {
            let n = cx.text(w);
            let n = n.trim().trim_matches(['\'', '"', ',']);
            if n.is_empty() {
                continue;
            }
            inst.packages.push(PackageSpec {
                name: n.to_owned(),
                version: version.clone(),
                kind: PackageKind::Registry,
                span: w.span,
            });
        }
    }
    if let Some(w) = named(&args, &["repository"]) {
        inst.index_urls.push(crate::facts::IndexUrl {
            url: cx.text(w).into_owned(),
            kind: tollgate_kb::env::IndexKind::Source,
            span: w.span,
        });
    }
    inst.insecure = has_switch(&args, &["skippublishercheck"]);
    cx.push(Fact::Install(inst));
}

/// `winget install [--id] X [--version V]`: packages from the positional query or
/// `--id`/`--name`/`--moniker`/`-q`; `--manifest` installs a local manifest.
pub(super) fn winget(cx: &mut Recogniser<'_>, cmd: &Command) {
    let args = cmd.args();
    let Some(sub) = args.first().and_then(Word::as_str) else {
        return;
    };
    if !matches!(sub, "install" | "add" | "upgrade" | "update") {
        return;
    }
    let mut inst = blank_named("winget", Some(sub.to_owned()), cmd);
    inst.global = true;
    let mut version = None;
    let mut names: Vec<&Word> = Vec::new();
    let mut k = 1;
    while k < args.len() {
        let w = &args[k];
        k += 1;
        let Some(t) = w.as_str() else {
            names.push(w);
            continue;
        };
        match t {
            "-v" | "--version" => {
                version = args.get(k).map(|v| cx.text(v).into_owned());
                k += 1;
            }
            "--id" | "--name" | "--moniker" | "-q" | "--query" => {
                if let Some(v) = args.get(k) {
                    names.push(v);
                }
                k += 1;
            }
            "-m" | "--manifest" => {
                inst.offline = true;
                k += 1;
            }
            // Options with a value.
            "-s" | "--source" | "-l" | "--location" | "--scope" | "-a" | "--architecture"
            | "--locale" | "--log" | "-o" | "--override" | "--custom" | "--header"
            | "--installer-type" => k += 1,
            _ if t.starts_with('-') => {}
            _ => names.push(w),
        }
    }
    for w in names {
        inst.packages.push(PackageSpec {
            name: cx.text(w).into_owned(),
            version: version.clone(),
            kind: PackageKind::Registry,
            span: w.span,
        });
    }
    cx.push(Fact::Install(inst));
}

/// `scoop install app` or `app@1.2.3` (scoop's version pin); a URL or path installs a
/// manifest from there.
pub(super) fn scoop(cx: &mut Recogniser<'_>, cmd: &Command) {
    let args = cmd.args();
    let Some(sub) = args.first().and_then(Word::as_str) else {
        return;
    };
    if !matches!(sub, "install" | "update") {
        return;
    }
    let mut inst = blank_named("scoop", Some(sub.to_owned()), cmd);
    inst.global = args
        .iter()
        .any(|w| matches!(w.as_str(), Some("-g" | "--global")));
    for w in args[1..]
        .iter()
        .filter(|w| !w.as_str().is_some_and(|t| t.starts_with('-')))
    {
        let t = cx.text(w).into_owned();
        let kind = if t.contains("://") {
            PackageKind::Url
        } else if t.ends_with(".json") {
            PackageKind::LocalFile
        } else {
            PackageKind::Registry
        };
        let (name, version) = match (kind, t.split_once('@')) {
            (PackageKind::Registry, Some((n, v))) => (n.to_owned(), Some(v.to_owned())),
            _ => (t, None),
        };
        inst.packages.push(PackageSpec {
            name,
            version,
            kind,
            span: w.span,
        });
    }
    cx.push(Fact::Install(inst));
}

/// `Get-FileHash file` (compared with an expected hash next) and
/// `Get-AuthenticodeSignature file`: PowerShell's checksum and signature checks.
pub(super) fn file_check(cx: &mut Recogniser<'_>, i: usize, cmd: &Command, name: &str) {
    let tool = if name == "get-filehash" {
        "Get-FileHash"
    } else {
        "Get-AuthenticodeSignature"
    };
    let args = ps_args(cmd.args(), &[]);
    let file = named(&args, &["path", "literalpath", "filepath"]).or_else(|| positional(&args, 0));
    verify::push(cx, i, cmd, tool, file);
}

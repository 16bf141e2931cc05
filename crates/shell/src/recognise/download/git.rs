//! `git clone`, `git fetch`, `git pull` and `git submodule`: fetches of a repository, past
//! git's global options.

use super::*;

use crate::command::GIT_GLOBAL;

const GIT_SUB: OptSpec = OptSpec::new(
    "boucj",
    &[
        "branch",
        "depth",
        "origin",
        "reference",
        "reference-if-able",
        "separate-git-dir",
        "config",
        "filter",
        "shallow-since",
        "shallow-exclude",
        "jobs",
        "upload-pack",
        "template",
        "server-option",
        "deepen",
        "negotiation-tip",
        "refmap",
        "push-option",
        "repo",
        "receive-pack",
    ],
);

pub(crate) fn git(cx: &mut Recogniser<'_>, i: usize, cmd: &Command) {
    let args = cmd.args();
    let mut k = 0;
    let mut insecure = false;
    // Global options come before the subcommand (`git -C dir -c http.sslVerify=false …`).
    while let Some(t) = args.get(k).and_then(Word::as_str) {
        if GIT_GLOBAL.contains(&t) {
            if t == "-c" {
                let v = args.get(k + 1).and_then(Word::as_str).unwrap_or("");
                insecure |= v.to_ascii_lowercase().replace(' ', "") == "http.sslverify=false";
            }
            k += 2;
        } else if t.starts_with('-') {
            k += 1;
        } else {
            break;
        }
    }
    let Some(sub) = args.get(k).and_then(Word::as_str) else {
        return;
    };
    let rest = &args[k + 1..];
    let scanned = scan(rest, &GIT_SUB);
    let pos: Vec<&Word> = positionals(&scanned).collect();
    let tool = match sub {
        "clone" => "git clone",
        "fetch" => "git fetch",
        "pull" => "git pull",
        "submodule" => "git submodule",
        "push" => {
            let force = scanned.iter().any(|a| {
                a.is('f', "force") || a.is('\0', "force-with-lease") || a.is('\0', "mirror")
            }) || pos
                .iter()
                .filter_map(|w| w.as_str())
                .any(|t| t.starts_with('+'));
            cx.push(Fact::Credential(crate::facts::Credential {
                kind: CredentialKind::GitPush { force },
                span: cmd.span,
            }));
            return;
        }
        _ => return,
    };
    let mut d = blank(tool, cmd.span);
    d.insecure_tls = insecure;
    match sub {
        "clone" => {
            let Some(url) = pos.first() else { return };
            set_url(cx, &mut d, url);
            d.reference = scanned
                .iter()
                .find(|a| a.is('b', "branch"))
                .and_then(Arg::value_text)
                .map(str::to_owned);
            d.output = pos.get(1).map(|w| cx.text(w).into_owned()).or_else(|| {
                let u = d.url.as_deref()?.trim_end_matches('/');
                let last = u.rsplit(['/', ':']).next()?;
                Some(last.strip_suffix(".git").unwrap_or(last).to_owned())
            });
        }
        "submodule" => {
            if !pos
                .first()
                .and_then(|w| w.as_str())
                .is_some_and(|s| s == "update" || s == "init" || s == "add")
            {
                return;
            }
            if pos.first().and_then(|w| w.as_str()) == Some("add")
                && let Some(url) = pos.get(1)
            {
                set_url(cx, &mut d, url);
            }
        }
        _ => {
            // `git fetch origin` talks to the repository's own remote; only an explicit URL
            // names a new source.
            let Some(url) = pos.first().filter(|w| looks_like_url(&cx.text(w))) else {
                return;
            };
            set_url(cx, &mut d, url);
            d.reference = pos.get(1).map(|w| cx.text(w).into_owned());
        }
    }
    let out = d.output.clone();
    cx.download(i, Fact::Download(d), out, false);
}

//! Download recognisers: curl, wget, gh, git, aws s3, gsutil, oras and container images.

use tollgate_model::Span;

use super::{Recogniser, credential, url_basename, url_host, verify};
use crate::args::{Arg, OptSpec, positionals, scan};
use crate::command::{Command, Word};
use crate::facts::{CredentialKind, Download, Fact, Image, ImageBuild};

mod cloud;
pub(crate) mod docker;
mod git;

pub(super) use cloud::{aws, gsutil, oras};
pub(super) use docker::docker;
pub(super) use git::git;

/// A download by `tool` at `span` with nothing known yet; the recognisers (bash and
/// PowerShell alike) fill in what the command says.
pub(super) fn blank(tool: &'static str, span: Span) -> Download {
    Download {
        tool,
        url: None,
        host: None,
        url_span: None,
        output: None,
        reference: None,
        retry: false,
        insecure_tls: false,
        plain_http: false,
        to_stdout: false,
        sends: false,
        span,
    }
}

/// Whether an HTTP method value names something other than a plain fetch. A method the
/// script computes (`-X "$METHOD"`) counts as sending: it is not a fixed download.
fn sends_method(value: Option<&str>) -> bool {
    value.is_none_or(|m| !m.eq_ignore_ascii_case("GET") && !m.eq_ignore_ascii_case("HEAD"))
}

/// Record `w` as the download's URL: its text, host and whether it is plain HTTP.
pub(super) fn set_url(cx: &Recogniser<'_>, d: &mut Download, w: &Word) {
    let url = cx.text(w).into_owned();
    d.host = url_host(&url);
    d.plain_http = url.starts_with("http://") || url.starts_with("ftp://");
    d.url_span = Some(w.span);
    d.url = Some(url);
}

/// The file a command's stdout is redirected to (`curl … > f`).
fn stdout_file(cx: &Recogniser<'_>, cmd: &Command) -> Option<String> {
    cmd.redirects
        .iter()
        .filter(|r| r.is_output() && r.fd.is_none_or(|f| f == 1))
        .filter_map(|r| r.target.as_ref())
        .map(|w| cx.text(w).into_owned())
        .find(|t| t != "/dev/null")
}

const CURL: OptSpec = OptSpec::new(
    "oudHXAeFTwmxKEbcCrYyzUQtP",
    &[
        "output",
        "user",
        "data",
        "data-raw",
        "data-binary",
        "data-urlencode",
        "data-ascii",
        "header",
        "request",
        "user-agent",
        "referer",
        "form",
        "form-string",
        "upload-file",
        "write-out",
        "max-time",
        "proxy",
        "config",
        "cert",
        "key",
        "cacert",
        "capath",
        "cookie",
        "cookie-jar",
        "continue-at",
        "range",
        "retry",
        "retry-delay",
        "retry-max-time",
        "connect-timeout",
        "url",
        "output-dir",
        "proto",
        "proto-redir",
        "proto-default",
        "resolve",
        "connect-to",
        "noproxy",
        "oauth2-bearer",
        "limit-rate",
        "max-filesize",
        "interface",
        "dns-servers",
        "ciphers",
        "tls-max",
        "expect100-timeout",
        "keepalive-time",
        "speed-limit",
        "speed-time",
        "time-cond",
        "netrc-file",
        "pinnedpubkey",
        "aws-sigv4",
        "variable",
        "json",
        "create-file-mode",
        "max-redirs",
        "local-port",
        "unix-socket",
        "hsts",
        "alt-svc",
        "etag-save",
        "etag-compare",
        "quote",
        "proxy-user",
        "trace",
        "trace-ascii",
        "stderr",
        "dump-header",
        "key-type",
        "cert-type",
        "pass",
        "mail-from",
        "mail-rcpt",
        "service-name",
    ],
);

pub(super) fn curl(cx: &mut Recogniser<'_>, i: usize, cmd: &Command) {
    let args = scan(cmd.args(), &CURL);
    let mut d = blank("curl", cmd.span);
    let mut remote_name = false;
    let mut output_dir = None;
    let mut url_word = None;
    for a in &args {
        match a {
            Arg::Pos(w) if url_word.is_none() => url_word = Some(*w),
            _ if a.is('k', "insecure") => d.insecure_tls = true,
            _ if a.is('o', "output") => d.output = a.value().map(|v| cx.text(v.word).into_owned()),
            _ if a.is('O', "remote-name") || a.is('\0', "remote-name-all") => remote_name = true,
            _ if a.is('\0', "output-dir") => output_dir = a.value_text(),
            _ if a.is('\0', "url") => url_word = url_word.or(a.value().map(|v| v.word)),
            _ if a.is('\0', "retry") => d.retry = a.value_text().is_none_or(|n| n != "0"),
            _ if a.is('d', "data")
                || a.is('F', "form")
                || a.is('T', "upload-file")
                || a.is('\0', "json")
                || a.is('\0', "form-string")
                || matches!(a, Arg::Opt { name, long: true, .. } if name.starts_with("data-")) =>
            {
                d.sends = true;
            }
            _ if a.is('X', "request") => d.sends |= sends_method(a.value_text()),
            _ => {}
        }
        // `-o` given as a separate word with a dynamic value keeps its display text.
        if a.is('o', "output")
            && let Some(v) = a.value()
            && v.text.is_some()
        {
            d.output = v.text.map(str::to_owned);
        }
    }
    if let Some(w) = url_word {
        set_url(cx, &mut d, w);
    }
    if d.output.is_none() && remote_name {
        d.output = d.url.as_deref().and_then(url_basename);
    }
    if let (Some(dir), Some(out)) = (output_dir, d.output.as_ref()) {
        d.output = Some(format!("{}/{out}", dir.trim_end_matches('/')));
    }
    if d.output.is_none() {
        d.output = stdout_file(cx, cmd);
        d.to_stdout = d.output.is_none();
    }
    let file = d.output.clone();
    let to_stdout = d.to_stdout;
    cx.download(i, Fact::Download(d), file, to_stdout);
}

const WGET: OptSpec = OptSpec::new(
    "OoaPtTwlQeUBiDARXI",
    &[
        "output-document",
        "output-file",
        "append-output",
        "directory-prefix",
        "tries",
        "timeout",
        "wait",
        "level",
        "quota",
        "execute",
        "user-agent",
        "base",
        "input-file",
        "domains",
        "accept",
        "reject",
        "header",
        "user",
        "password",
        "http-user",
        "http-password",
        "post-data",
        "post-file",
        "method",
        "body-data",
        "body-file",
        "ca-certificate",
        "certificate",
        "private-key",
        "ca-directory",
        "limit-rate",
        "waitretry",
        "read-timeout",
        "connect-timeout",
        "dns-timeout",
        "bind-address",
        "referer",
        "load-cookies",
        "save-cookies",
        "exclude-directories",
        "include-directories",
    ],
);

pub(super) fn wget(cx: &mut Recogniser<'_>, i: usize, cmd: &Command) {
    let args = scan(cmd.args(), &WGET);
    let mut d = blank("wget", cmd.span);
    let mut dir = None;
    let mut url_word = None;
    for a in &args {
        match a {
            Arg::Pos(w) if url_word.is_none() => url_word = Some(*w),
            _ if a.is('\0', "no-check-certificate") => d.insecure_tls = true,
            _ if a.is('O', "output-document") => {
                d.output = a.value().map(|v| {
                    v.text
                        .map_or_else(|| cx.text(v.word).into_owned(), str::to_owned)
                });
            }
            _ if a.is('P', "directory-prefix") => dir = a.value_text(),
            _ if a.is('t', "tries") => d.retry = a.value_text().is_none_or(|n| n != "1"),
            _ if a.is('\0', "post-data")
                || a.is('\0', "post-file")
                || a.is('\0', "body-data")
                || a.is('\0', "body-file") =>
            {
                d.sends = true;
            }
            _ if a.is('\0', "method") => d.sends |= sends_method(a.value_text()),
            _ => {}
        }
    }
    if let Some(w) = url_word {
        set_url(cx, &mut d, w);
    }
    if d.output.as_deref() == Some("-") {
        d.output = None;
        d.to_stdout = true;
    } else if d.output.is_none() {
        // wget names the file after the URL's last segment by default.
        d.output = d.url.as_deref().and_then(url_basename).map(|b| match dir {
            Some(dir) => format!("{}/{b}", dir.trim_end_matches('/')),
            None => b,
        });
    }
    let file = d.output.clone();
    let to_stdout = d.to_stdout;
    cx.download(i, Fact::Download(d), file, to_stdout);
}

const GH: OptSpec = OptSpec::new(
    "RXfFHqtpADOpbtmlaLsjw",
    &[
        "repo",
        "hostname",
        "method",
        "raw-field",
        "field",
        "header",
        "input",
        "jq",
        "template",
        "preview",
        "cache",
        "archive",
        "dir",
        "output",
        "pattern",
        "title",
        "body",
        "body-file",
        "base",
        "head",
        "label",
        "assignee",
        "milestone",
        "reviewer",
        "notes",
        "notes-file",
        "target",
        "name",
        "branch",
        "ref",
        "json",
        "limit",
        "state",
        "color",
        "description",
        "signer-workflow",
        "owner",
        "bundle",
        "predicate-type",
        "cert-identity",
        "cert-oidc-issuer",
        "signer-repo",
    ],
);

/// `gh` subcommands that need a token with write scopes.
fn gh_writes(a: &str, b: &str) -> bool {
    matches!(
        (a, b),
        (
            "pr",
            "create"
                | "merge"
                | "comment"
                | "edit"
                | "review"
                | "close"
                | "reopen"
                | "ready"
                | "lock"
                | "unlock"
        ) | (
            "issue",
            "create"
                | "comment"
                | "edit"
                | "close"
                | "reopen"
                | "delete"
                | "transfer"
                | "lock"
                | "unlock"
                | "pin"
                | "unpin"
        ) | (
            "release",
            "create" | "upload" | "edit" | "delete" | "delete-asset"
        ) | ("workflow", "run" | "enable" | "disable")
            | ("run", "cancel" | "rerun" | "delete")
            | ("label", "create" | "edit" | "delete" | "clone")
            | (
                "repo",
                "create" | "edit" | "delete" | "fork" | "archive" | "unarchive" | "sync" | "rename"
            )
            | ("secret" | "variable", "set" | "delete")
            | ("cache", "delete")
            | ("gist", "create" | "edit" | "delete")
            | ("project", _)
    )
}

pub(super) fn gh(cx: &mut Recogniser<'_>, i: usize, cmd: &Command) {
    let args = scan(cmd.args(), &GH);
    let pos: Vec<&Word> = positionals(&args).collect();
    let a = pos.first().and_then(|w| w.as_str()).unwrap_or("");
    let b = pos.get(1).and_then(|w| w.as_str()).unwrap_or("");
    let repo = args
        .iter()
        .find(|a| a.is('R', "repo"))
        .and_then(Arg::value_text);
    match (a, b) {
        ("release", "download") => {
            let mut d = blank("gh release download", cmd.span);
            d.host = Some("github.com".into());
            d.url = repo.map(|r| format!("https://github.com/{r}"));
            d.reference = pos.get(2).map(|w| cx.text(w).into_owned());
            d.output = args
                .iter()
                .find(|a| a.is('O', "output"))
                .and_then(Arg::value_text)
                .map(str::to_owned);
            // Without `-O`, each asset is saved under its own name: a `--pattern` without
            // wildcards names one file.
            let file = d.output.clone().or_else(|| {
                let patterns: Vec<&str> = args
                    .iter()
                    .filter(|a| a.is('p', "pattern"))
                    .filter_map(Arg::value_text)
                    .collect();
                match patterns.as_slice() {
                    [one] if !one.contains(['*', '?', '[']) => Some((*one).to_owned()),
                    _ => None,
                }
            });
            cx.download(i, Fact::Download(d), file, false);
        }
        ("repo", "clone") => {
            let mut d = blank("gh repo clone", cmd.span);
            d.host = Some("github.com".into());
            if let Some(w) = pos.get(2) {
                d.url = Some(cx.text(w).into_owned());
                d.url_span = Some(w.span);
            }
            d.output = pos.get(3).map(|w| cx.text(w).into_owned());
            cx.download(i, Fact::Download(d), None, false);
        }
        ("run", "download") => {
            let mut d = blank("gh run download", cmd.span);
            d.host = Some("api.github.com".into());
            d.reference = pos.get(2).map(|w| cx.text(w).into_owned());
            cx.download(i, Fact::Download(d), None, false);
        }
        ("api", _) => {
            let method = args
                .iter()
                .find(|a| a.is('X', "method"))
                .and_then(Arg::value_text);
            let fields = args
                .iter()
                .any(|a| a.is('f', "raw-field") || a.is('F', "field") || a.is('\0', "input"));
            let writes = match method {
                Some(m) => !m.eq_ignore_ascii_case("GET"),
                // With fields and no method, gh sends a POST.
                None => fields,
            };
            if writes {
                cx.push(Fact::Credential(crate::facts::Credential {
                    kind: CredentialKind::GhWrite {
                        subcommand: "api".into(),
                    },
                    span: cmd.span,
                }));
            } else {
                let mut d = blank("gh api", cmd.span);
                let host = args
                    .iter()
                    .find(|a| a.is('\0', "hostname"))
                    .and_then(Arg::value_text);
                d.host =
                    Some(host.map_or_else(|| "api.github.com".into(), |h| h.to_ascii_lowercase()));
                if let Some(w) = pos.get(1) {
                    d.url = Some(cx.text(w).into_owned());
                    d.url_span = Some(w.span);
                }
                d.output = stdout_file(cx, cmd);
                d.to_stdout = d.output.is_none();
                let (file, out) = (d.output.clone(), d.to_stdout);
                cx.download(i, Fact::Download(d), file, out);
            }
        }
        ("attestation", "verify") => {
            verify::push(cx, i, cmd, "gh attestation", pos.get(2).copied())
        }
        ("attestation", sub) => {
            cx.push(Fact::Credential(crate::facts::Credential {
                kind: CredentialKind::Attestation {
                    subcommand: sub.to_owned(),
                },
                span: cmd.span,
            }));
        }
        ("extension" | "ext", "install") => {
            super::install::gh_extension(cx, cmd, pos.get(2).copied());
        }
        _ if gh_writes(a, b) => {
            cx.push(Fact::Credential(crate::facts::Credential {
                kind: CredentialKind::GhWrite {
                    subcommand: format!("{a} {b}"),
                },
                span: cmd.span,
            }));
        }
        _ => {}
    }
}

fn looks_like_url(t: &str) -> bool {
    t.contains("://") || t.starts_with("git@") || t.ends_with(".git")
}

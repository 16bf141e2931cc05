//! Download recognisers: curl, wget, gh, git, aws s3, gsutil, oras and container images.

use tollgate_model::Span;

use super::{Cx, credential, url_basename, url_host, verify};
use crate::args::{Arg, OptSpec, positionals, scan};
use crate::command::{Command, Word};
use crate::facts::{CredentialKind, Download, Fact, Image, ImageBuild};

fn blank(tool: &'static str, span: Span) -> Download {
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
        span,
    }
}

fn set_url(cx: &Cx<'_>, d: &mut Download, w: &Word) {
    let url = cx.text(w).into_owned();
    d.host = url_host(&url);
    d.plain_http = url.starts_with("http://") || url.starts_with("ftp://");
    d.url_span = Some(w.span);
    d.url = Some(url);
}

/// The file a command's stdout is redirected to (`curl … > f`).
fn stdout_file(cx: &Cx<'_>, cmd: &Command) -> Option<String> {
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

pub(super) fn curl(cx: &mut Cx<'_>, i: usize, cmd: &Command) {
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

pub(super) fn wget(cx: &mut Cx<'_>, i: usize, cmd: &Command) {
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

pub(super) fn gh(cx: &mut Cx<'_>, i: usize, cmd: &Command) {
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
            let file = d.output.clone();
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

const GIT_GLOBAL: &[&str] = &[
    "-C",
    "-c",
    "--git-dir",
    "--work-tree",
    "--namespace",
    "--exec-path",
    "--config-env",
];
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

pub(super) fn git(cx: &mut Cx<'_>, i: usize, cmd: &Command) {
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

fn looks_like_url(t: &str) -> bool {
    t.contains("://") || t.starts_with("git@") || t.ends_with(".git")
}

pub(super) fn aws(cx: &mut Cx<'_>, i: usize, cmd: &Command) {
    const AWS: OptSpec = OptSpec::new(
        "",
        &[
            "region",
            "profile",
            "endpoint-url",
            "exclude",
            "include",
            "acl",
            "sse",
            "storage-class",
            "expires",
            "content-type",
            "cache-control",
            "metadata",
            "output",
            "ca-bundle",
            "cli-read-timeout",
            "cli-connect-timeout",
            "sse-c",
            "sse-kms-key-id",
        ],
    );
    let args = scan(cmd.args(), &AWS);
    let pos: Vec<&Word> = positionals(&args).collect();
    let (Some("s3"), Some(sub)) = (
        pos.first().and_then(|w| w.as_str()),
        pos.get(1).and_then(|w| w.as_str()),
    ) else {
        return;
    };
    let tool = match sub {
        "cp" => "aws s3 cp",
        "sync" => "aws s3 sync",
        _ => return,
    };
    let (Some(src), Some(dst)) = (pos.get(2), pos.get(3)) else {
        return;
    };
    let src_text = cx.text(src);
    let Some(rest) = src_text.strip_prefix("s3://") else {
        return;
    };
    let bucket = rest.split('/').next().unwrap_or("");
    let mut d = blank(tool, cmd.span);
    let endpoint = args
        .iter()
        .find(|a| a.is('\0', "endpoint-url"))
        .and_then(Arg::value_text);
    d.host = match endpoint {
        Some(e) => url_host(e),
        None if !bucket.is_empty() && !bucket.contains('$') => {
            Some(format!("{bucket}.s3.amazonaws.com"))
        }
        None => None,
    };
    d.url = Some(src_text.into_owned());
    d.url_span = Some(src.span);
    let dst = cx.text(dst).into_owned();
    if dst == "-" {
        d.to_stdout = true;
    } else {
        d.output = Some(dst);
    }
    let (file, out) = (d.output.clone(), d.to_stdout);
    cx.download(i, Fact::Download(d), file, out);
}

pub(super) fn gsutil(cx: &mut Cx<'_>, i: usize, cmd: &Command) {
    const GS: OptSpec = OptSpec::new("ohpu", &["project"]);
    let args = scan(cmd.args(), &GS);
    let mut pos: Vec<&Word> = positionals(&args).collect();
    // `gcloud storage cp` is the newer spelling of `gsutil cp`.
    if cmd.name() == Some("gcloud") {
        if pos.first().and_then(|w| w.as_str()) != Some("storage") {
            return;
        }
        pos.remove(0);
    }
    let Some(sub) = pos.first().and_then(|w| w.as_str()) else {
        return;
    };
    let tool = match sub {
        "cp" => "gsutil cp",
        "cat" => "gsutil cat",
        "rsync" => "gsutil rsync",
        _ => return,
    };
    let Some(src) = pos.get(1) else { return };
    let text = cx.text(src);
    if !text.starts_with("gs://") {
        return;
    }
    let mut d = blank(tool, cmd.span);
    d.host = Some("storage.googleapis.com".into());
    d.url = Some(text.into_owned());
    d.url_span = Some(src.span);
    match pos.get(2).map(|w| cx.text(w).into_owned()) {
        Some(dst) if dst != "-" => d.output = Some(dst),
        _ => d.to_stdout = true,
    }
    let (file, out) = (d.output.clone(), d.to_stdout);
    cx.download(i, Fact::Download(d), file, out);
}

pub(super) fn oras(cx: &mut Cx<'_>, i: usize, cmd: &Command) {
    const ORAS: OptSpec = OptSpec::new(
        "ou",
        &[
            "output",
            "username",
            "password",
            "platform",
            "config",
            "registry-config",
            "media-type",
            "concurrency",
        ],
    );
    let args = scan(cmd.args(), &ORAS);
    let pos: Vec<&Word> = positionals(&args).collect();
    if pos.first().and_then(|w| w.as_str()) != Some("pull") {
        return;
    }
    let Some(r) = pos.get(1) else { return };
    let mut d = blank("oras pull", cmd.span);
    let reference = cx.text(r).into_owned();
    d.host = reference
        .split('/')
        .next()
        .filter(|h| h.contains('.') || h.contains(':'))
        .map(|h| h.split(':').next().unwrap_or(h).to_ascii_lowercase());
    d.url = Some(reference);
    d.url_span = Some(r.span);
    d.output = args
        .iter()
        .find(|a| a.is('o', "output"))
        .and_then(Arg::value_text)
        .map(str::to_owned);
    cx.download(i, Fact::Download(d), None, false);
}

const DOCKER_GLOBAL: OptSpec = OptSpec::new(
    "Hcl",
    &[
        "host",
        "config",
        "context",
        "log-level",
        "tlscacert",
        "tlscert",
        "tlskey",
    ],
);
const DOCKER_RUN: OptSpec = OptSpec::new(
    "evwpuhlm",
    &[
        "env",
        "volume",
        "workdir",
        "publish",
        "name",
        "network",
        "net",
        "user",
        "entrypoint",
        "env-file",
        "platform",
        "mount",
        "label",
        "add-host",
        "cpus",
        "memory",
        "gpus",
        "runtime",
        "hostname",
        "ulimit",
        "device",
        "cap-add",
        "cap-drop",
        "security-opt",
        "shm-size",
        "ipc",
        "pid",
        "restart",
        "log-driver",
        "log-opt",
        "tmpfs",
        "volumes-from",
        "link",
        "dns",
        "pull",
        "stop-signal",
        "health-cmd",
        "cidfile",
        "expose",
        "group-add",
        "label-file",
        "attach",
        "cpu-shares",
        "memory-swap",
        "userns",
        "uts",
        "cgroupns",
        "stop-timeout",
        "network-alias",
        "mac-address",
        "ip",
        "storage-opt",
        "sysctl",
        "cpuset-cpus",
        "annotation",
        "detach-keys",
    ],
);
const DOCKER_BUILD: OptSpec = OptSpec::new(
    "tfom",
    &[
        "tag",
        "file",
        "build-arg",
        "target",
        "platform",
        "label",
        "cache-from",
        "cache-to",
        "output",
        "secret",
        "ssh",
        "progress",
        "network",
        "iidfile",
        "metadata-file",
        "builder",
        "add-host",
        "shm-size",
        "ulimit",
        "memory",
        "cgroup-parent",
        "build-context",
        "annotation",
        "attest",
    ],
);

pub(super) fn docker(cx: &mut Cx<'_>, cmd: &Command) {
    let all = cmd.args();
    let global = scan(all, &DOCKER_GLOBAL);
    let Some(sub_pos) = global.iter().position(|a| matches!(a, Arg::Pos(_))) else {
        return;
    };
    let sub_word = global[sub_pos].word();
    let Some(start) = all.iter().position(|w| std::ptr::eq(w, sub_word)) else {
        return;
    };
    let mut sub = sub_word.as_str().unwrap_or("");
    let mut rest = &all[start + 1..];
    // `docker container run`, `docker image pull`, `docker buildx build`.
    if matches!(sub, "container" | "image" | "buildx")
        && let Some(s) = rest.first().and_then(Word::as_str)
    {
        sub = s;
        rest = &rest[1..];
    }
    let engine = cmd.name().unwrap_or("docker");
    let podman = engine == "podman";
    match sub {
        "pull" | "run" | "create" => {
            let args = scan(rest, &DOCKER_RUN);
            let Some(img) = positionals(&args).next() else {
                return;
            };
            let image = cx.text(img).into_owned();
            let digest = image.split_once('@').map(|(_, d)| d.to_owned());
            let tool = match (podman, sub) {
                (false, "pull") => "docker pull",
                (false, "run") => "docker run",
                (false, _) => "docker create",
                (true, "pull") => "podman pull",
                (true, "run") => "podman run",
                (true, _) => "podman create",
            };
            cx.push(Fact::Image(Image {
                tool,
                image,
                digest,
                image_span: img.span,
                span: cmd.span,
            }));
        }
        "build" => {
            let args = scan(rest, &DOCKER_BUILD);
            let b = ImageBuild {
                tool: if podman {
                    "podman build"
                } else {
                    "docker build"
                },
                dockerfile: args
                    .iter()
                    .find(|a| a.is('f', "file"))
                    .and_then(Arg::value_text)
                    .map(str::to_owned),
                context: positionals(&args).next().map(|w| cx.text(w).into_owned()),
                tags: args
                    .iter()
                    .filter(|a| a.is('t', "tag"))
                    .filter_map(|a| a.value().map(|v| cx.text(v.word).into_owned()))
                    .collect(),
                pull: args.iter().any(|a| a.is('\0', "pull")),
                span: cmd.span,
            };
            cx.push(Fact::ImageBuild(b));
        }
        "push" => credential::publish(
            cx,
            cmd,
            if podman { "podman push" } else { "docker push" },
            false,
        ),
        _ => {}
    }
}

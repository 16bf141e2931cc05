//! Recognisers: turn the command list into delivery facts. One pass over the commands in
//! source order keeps the state that later commands need (downloaded files, verifications,
//! exported registry settings).

mod credential;
pub(crate) mod download;
mod install;
mod invoke;
mod pwsh;
mod verify;

use std::borrow::Cow;
use std::collections::HashMap;

use tollgate_model::Span;

use crate::command::{Assignment, Command, Redirect, Word};
use crate::facts::{DownloadExec, ExecHow, Fact};

pub(crate) struct ScriptParts<'a> {
    pub script: &'a str,
    pub commands: &'a [Command],
    pub assignments: &'a [Assignment],
    pub statement_redirects: &'a [(Span, Redirect)],
    pub token_refs: &'a [(String, Span)],
    pub expressions: &'a [Span],
}

/// A download whose content landed in a file (or was piped on).
struct Dl {
    fact: usize,
    cmd: usize,
    file: Option<String>,
}

/// A setting made by a command rather than an assignment (`npm config set registry …`),
/// treated as an exported variable from that point on.
struct Setting {
    name: &'static str,
    value: String,
    span: Span,
}

/// A variable in effect for a command.
pub(crate) struct EnvHit<'a> {
    pub name: &'a str,
    pub value: Option<Cow<'a, str>>,
    pub span: Span,
}

pub(crate) struct Recogniser<'a> {
    input: &'a ScriptParts<'a>,
    facts: Vec<Fact>,
    downloads: Vec<Dl>,
    /// (fact index, command index), in command order.
    verifications: Vec<(usize, usize)>,
    settings: Vec<Setting>,
    /// Indices into `downloads` by the base name of the file each wrote: a later
    /// command can only use a download whose file one of its words names (see
    /// [`same_file`]), so it looks up its words instead of trying every download.
    downloads_by_base: HashMap<String, Vec<usize>>,
}

/// The key of a file name in [`Recogniser::downloads_by_base`]: the part [`same_file`] compares
/// whenever it can be true.
fn file_base(name: &str) -> &str {
    let name = name.strip_prefix("./").unwrap_or(name);
    name.rsplit('/').next().unwrap_or(name)
}

pub(crate) fn recognise(input: &ScriptParts<'_>) -> Vec<Fact> {
    let mut cx = Recogniser {
        input,
        facts: Vec::new(),
        downloads: Vec::new(),
        verifications: Vec::new(),
        settings: Vec::new(),
        downloads_by_base: HashMap::new(),
    };
    credential::expressions(&mut cx);
    credential::token_refs(&mut cx);
    for (i, cmd) in input.commands.iter().enumerate() {
        cx.command(i, cmd);
        cx.later_use(i, cmd);
        credential::env_writes(&mut cx, cmd);
        credential::secret_echo(&mut cx, cmd);
    }
    for (span, r) in input.statement_redirects {
        credential::env_write_redirect(&mut cx, *span, r, None);
    }
    sort_facts(cx.facts)
}

/// Sort by position, keeping the indices inside `DownloadExec` valid.
fn sort_facts(facts: Vec<Fact>) -> Vec<Fact> {
    let mut order: Vec<usize> = (0..facts.len()).collect();
    order.sort_by_key(|&i| (facts[i].span().start(), facts[i].span().end(), i));
    let mut new_index = vec![0; facts.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut slots: Vec<Option<Fact>> = facts.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(slots.len());
    for &old in &order {
        if let Some(mut f) = slots[old].take() {
            if let Fact::DownloadExec(e) = &mut f {
                e.download = new_index[e.download];
                e.verified_by = e.verified_by.map(|v| new_index[v]);
            }
            out.push(f);
        }
    }
    out
}

/// Python and pip carry their version in the name (`python3.12`, `pip3.11`).
fn base_name(name: &str) -> &str {
    for prefix in ["python", "pip", "pypy"] {
        if let Some(rest) = name.strip_prefix(prefix)
            && rest.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        {
            return prefix;
        }
    }
    name
}

impl<'a> Recogniser<'a> {
    fn command(&mut self, i: usize, cmd: &'a Command) {
        invoke::invoke(self, cmd);
        let Some(name) = cmd.name() else { return };
        let args = cmd.args();
        match base_name(name) {
            // PowerShell's web cmdlets, and Windows PowerShell's `curl`/`wget` aliases of
            // `Invoke-WebRequest` (recognised by their parameters).
            "invoke-webrequest" | "iwr" | "invoke-restmethod" | "irm" => {
                pwsh::web_request(self, i, cmd, name);
            }
            "curl" | "wget" if pwsh::is_web_cmdlet_call(cmd) => {
                pwsh::web_request(self, i, cmd, name);
            }
            "start-bitstransfer" => pwsh::bits(self, i, cmd),
            "webclient.downloadfile" | "webclient.downloadstring" => {
                pwsh::webclient(self, i, cmd, name);
            }
            "install-module" | "install-script" | "install-package" | "install-psresource"
            | "save-module" | "update-module" => pwsh::ps_module(self, cmd, name),
            "get-filehash" | "get-authenticodesignature" => {
                pwsh::file_check(self, i, cmd, name);
            }
            "winget" => pwsh::winget(self, cmd),
            "scoop" => pwsh::scoop(self, cmd),
            "curl" => download::curl(self, i, cmd),
            "wget" => download::wget(self, i, cmd),
            "gh" => download::gh(self, i, cmd),
            "git" => download::git(self, i, cmd),
            "aws" => download::aws(self, i, cmd),
            "gsutil" | "gcloud" => download::gsutil(self, i, cmd),
            "oras" => download::oras(self, i, cmd),
            "docker" | "podman" | "nerdctl" => download::docker(self, cmd),
            "sha256sum" | "sha512sum" | "sha384sum" | "sha224sum" | "sha1sum" | "md5sum"
            | "b2sum" | "shasum" | "gpg" | "gpg2" | "gpgv" | "cosign" | "minisign"
            | "slsa-verifier" | "openssl" => verify::verify(self, i, cmd),
            "twine" if args.first().and_then(Word::as_str) == Some("upload") => {
                credential::publish(self, cmd, "twine", false);
            }
            _ => install::install(self, cmd),
        }
    }

    pub(crate) fn script(&self) -> &'a str {
        self.input.script
    }

    pub(crate) fn text<'w>(&self, w: &'w Word) -> Cow<'w, str>
    where
        'a: 'w,
    {
        w.display(self.input.script)
    }

    pub(crate) fn push(&mut self, f: Fact) -> usize {
        self.facts.push(f);
        self.facts.len() - 1
    }

    /// The variable `name` as the command sees it: a prefix assignment, else the last
    /// exported assignment or setting before it.
    pub(crate) fn env(&self, cmd: &'a Command, name: &str) -> Option<EnvHit<'a>> {
        self.env_matching(cmd, |n| n == name).pop()
    }

    /// Every variable in effect for `cmd` whose name satisfies `pred`, one per name (the
    /// last value wins), in order of appearance.
    pub(crate) fn env_matching(
        &self,
        cmd: &'a Command,
        pred: impl Fn(&str) -> bool,
    ) -> Vec<EnvHit<'a>> {
        let mut out: Vec<EnvHit<'a>> = Vec::new();
        let mut put = |hit: EnvHit<'a>| {
            if let Some(old) = out.iter_mut().find(|h| h.name == hit.name) {
                *old = hit;
            } else {
                out.push(hit);
            }
        };
        let at = cmd.span.start();
        let script = self.input.script;
        for a in self
            .input
            .assignments
            .iter()
            .take_while(|a| a.span.start() < at)
        {
            if !pred(&a.name) {
                continue;
            }
            let exported = a.exported
                || self
                    .input
                    .assignments
                    .iter()
                    .any(|b| b.name == a.name && b.exported && b.span.start() < at);
            if exported && let Some(v) = &a.value {
                put(EnvHit {
                    name: &a.name,
                    value: Some(v.display(script)),
                    span: v.span,
                });
            }
        }
        for s in &self.settings {
            if s.span.start() < at && pred(s.name) {
                put(EnvHit {
                    name: s.name,
                    value: Some(Cow::Owned(s.value.clone())),
                    span: s.span,
                });
            }
        }
        for a in &cmd.assignments {
            if pred(&a.name) {
                let value = a.value.as_ref().map(|v| v.display(script));
                let span = a.value.as_ref().map_or(a.span, |v| v.span);
                put(EnvHit {
                    name: &a.name,
                    value,
                    span,
                });
            }
        }
        out
    }

    fn setting(&mut self, name: &'static str, value: String, span: Span) {
        self.settings.push(Setting { name, value, span });
    }

    /// Record a download and link it to how its output is consumed through pipes and
    /// substitutions.
    pub(crate) fn download(&mut self, i: usize, fact: Fact, file: Option<String>, to_stdout: bool) {
        let idx = self.push(fact);
        let cmds = self.input.commands;
        let cmd = &cmds[i];
        let mut file = file;
        if to_stdout {
            self.follow_pipe(idx, i, &mut file);
            // `curl … | tee f`: the content also lands in a file.
            if let (Some(f), Some(Fact::Download(d))) = (&file, self.facts.get_mut(idx))
                && d.output.is_none()
            {
                d.output = Some(f.clone());
            }
            if let Some(p) = cmd.parent() {
                let pc = &cmds[p];
                let pname = pc.name().unwrap_or("");
                let how = if cmd.context.process_substitution {
                    if matches!(pname, "source" | ".") {
                        Some(ExecHow::Sourced { file: None })
                    } else if is_interpreter(pname) && !has_inline_script(pc) {
                        Some(ExecHow::ProcessSubstitution {
                            interpreter: pname.to_owned(),
                        })
                    } else {
                        None
                    }
                } else if cmd.context.command_substitution
                    && (evaluates_text(pname) || is_interpreter(pname) && has_inline_script(pc))
                {
                    Some(ExecHow::CommandSubstitution {
                        interpreter: pname.to_owned(),
                    })
                } else {
                    None
                };
                if let Some(how) = how {
                    self.push(Fact::DownloadExec(DownloadExec {
                        download: idx,
                        how,
                        verified_by: None,
                        span: pc.span,
                    }));
                }
            }
        }
        if let Some(f) = &file {
            self.downloads_by_base
                .entry(file_base(f).to_owned())
                .or_default()
                .push(self.downloads.len());
        }
        self.downloads.push(Dl {
            fact: idx,
            cmd: i,
            file,
        });
    }

    /// `curl … | [sudo] [tee f |] [gunzip |] sh` and `… | tar x`.
    fn follow_pipe(&mut self, dl: usize, i: usize, file: &mut Option<String>) {
        let cmds = self.input.commands;
        let mut next = cmds[i].pipe_next();
        for _ in 0..8 {
            let Some(n) = next else { return };
            let nc = &cmds[n];
            let name = nc.name().unwrap_or("");
            let how = if name == "tee" {
                if let Some(w) = nc
                    .args()
                    .iter()
                    .find(|w| !w.as_str().is_some_and(|t| t.starts_with('-')))
                {
                    *file = Some(self.text(w).into_owned());
                }
                None
            } else if matches!(
                name,
                "gunzip" | "zcat" | "xz" | "unxz" | "bunzip2" | "zstd" | "base64" | "cat"
                    // PowerShell: `irm url | Out-String | iex`.
                    | "out-string"
            ) {
                None
            } else if evaluates_text(name) && cmd_has_no_script(nc) {
                // `irm url | iex`: PowerShell's eval reads the code from the pipeline.
                Some(ExecHow::Pipe {
                    interpreter: name.to_owned(),
                })
            } else if is_interpreter(name) {
                if !reads_stdin_script(nc) {
                    return;
                }
                Some(ExecHow::Pipe {
                    interpreter: name.to_owned(),
                })
            } else if name == "tar" && tar_extracts(nc) || matches!(name, "bsdtar" | "cpio") {
                Some(ExecHow::Extracted {
                    file: None,
                    extractor: name.to_owned(),
                })
            } else if matches!(name, "source" | ".") {
                Some(ExecHow::Sourced { file: None })
            } else {
                return;
            };
            if let Some(how) = how {
                self.push(Fact::DownloadExec(DownloadExec {
                    download: dl,
                    how,
                    verified_by: None,
                    span: nc.span,
                }));
                return;
            }
            next = nc.pipe_next();
        }
    }

    pub(crate) fn verification(&mut self, i: usize, fact: Fact) {
        let idx = self.push(fact);
        self.verifications.push((idx, i));
    }

    /// A command that runs, sources, installs or unpacks a file downloaded earlier.
    fn later_use(&mut self, i: usize, cmd: &'a Command) {
        if self.downloads.is_empty() {
            return;
        }
        let Some(name) = cmd.name() else { return };
        let script = self.input.script;
        let args = cmd.args();
        let arg_texts = || args.iter().map(|w| w.display(script));
        // The downloads one of the command's words may name, in download order.
        let mut candidates: Vec<usize> = cmd
            .name_word()
            .into_iter()
            .chain(args.iter())
            .filter_map(|w| self.downloads_by_base.get(file_base(&w.display(script))))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut links: Vec<(usize, usize, ExecHow)> = Vec::new();
        for d in candidates.into_iter().filter_map(|c| self.downloads.get(c)) {
            if d.cmd >= i {
                continue;
            }
            let Some(file) = d.file.as_deref() else {
                continue;
            };
            let matches = |t: &str| same_file(t, file);
            let cmd_word = cmd.name_word().map(|w| w.display(script));
            let how = if cmd_word
                .as_deref()
                .is_some_and(|w| w.contains('/') && matches(w))
            {
                Some(ExecHow::LaterExecuted {
                    file: file.to_owned(),
                })
            } else if is_interpreter(name) {
                // `bash file`: the first word that is not an option is the script.
                let first = args
                    .iter()
                    .map(|w| w.display(script))
                    .find(|t| !t.starts_with('-'));
                first
                    .is_some_and(|t| matches(&t))
                    .then(|| ExecHow::LaterExecuted {
                        file: file.to_owned(),
                    })
            } else if matches!(name, "source" | ".") {
                arg_texts()
                    .next()
                    .is_some_and(|t| matches(&t))
                    .then(|| ExecHow::Sourced {
                        file: Some(file.to_owned()),
                    })
            } else if installs_file(name, cmd) && arg_texts().any(|t| matches(&t)) {
                Some(ExecHow::Installed {
                    file: Some(file.to_owned()),
                    installer: installer_name(name, cmd),
                })
            } else if name == "chmod"
                && args.iter().any(|w| w.as_str().is_some_and(executable_mode))
                && on_path(file)
                && arg_texts().any(|t| matches(&t))
            {
                // `curl -o /usr/local/bin/tool …; chmod +x /usr/local/bin/tool`: a
                // command any later step runs by name.
                Some(ExecHow::Installed {
                    file: Some(file.to_owned()),
                    installer: "chmod +x".to_owned(),
                })
            } else if matches!(name, "mv" | "cp" | "ln")
                && args.len() >= 2
                && arg_texts().any(|t| matches(&t))
                && args.last().is_some_and(|w| on_path(&w.display(script)))
            {
                Some(ExecHow::Installed {
                    file: Some(file.to_owned()),
                    installer: name.to_owned(),
                })
            } else if (name == "tar" && tar_extracts(cmd)
                || matches!(
                    name,
                    "unzip" | "7z" | "7za" | "gunzip" | "bsdtar" | "expand-archive"
                ))
                && arg_texts().any(|t| matches(&t))
            {
                Some(ExecHow::Extracted {
                    file: Some(file.to_owned()),
                    extractor: name.to_owned(),
                })
            } else {
                None
            };
            if let Some(how) = how {
                links.push((d.fact, d.cmd, how));
            }
        }
        for (fact, dl_cmd, how) in links {
            // The last verification before this command, if it came after the download
            // (verifications are in command order).
            let before = self.verifications.partition_point(|(_, c)| *c < i);
            let verified_by = before
                .checked_sub(1)
                .and_then(|v| self.verifications.get(v))
                .filter(|(_, c)| *c > dl_cmd)
                .map(|(f, _)| *f);
            self.push(Fact::DownloadExec(DownloadExec {
                download: fact,
                how,
                verified_by,
                span: cmd.span,
            }));
        }
    }
}

/// Commands that run text they are given as code: bash's `eval` and PowerShell's
/// `Invoke-Expression` (`iex`; also what `[scriptblock]::Create(…)` is recorded as).
fn evaluates_text(name: &str) -> bool {
    matches!(name, "eval" | "iex" | "invoke-expression")
}

/// `… | iex` reads its code from the pipeline only when no `-Command` argument is given.
fn cmd_has_no_script(cmd: &Command) -> bool {
    cmd.args().is_empty()
}

/// Programs that run a script given on stdin, as a file, or with `-c`.
pub(crate) fn is_interpreter(name: &str) -> bool {
    crate::walk::is_shell(name)
        || matches!(
            base_name(name),
            "python"
                | "python2"
                | "python3"
                | "pypy"
                | "pypy3"
                | "perl"
                | "ruby"
                | "php"
                | "node"
                | "nodejs"
                | "pwsh"
                | "powershell"
                | "fish"
                | "lua"
                | "deno"
                | "bun"
        )
}

/// `sh -c '…'`, `python -c '…'`, `node -e '…'`, `perl -e`, `ruby -e`.
fn has_inline_script(cmd: &Command) -> bool {
    cmd.args()
        .iter()
        .filter_map(Word::as_str)
        .take_while(|t| t.starts_with('-'))
        .any(|t| {
            !t.starts_with("--")
                && (t[1..].contains('c')
                    || t[1..].contains('e') && !crate::walk::is_shell(cmd.name().unwrap_or("")))
                || t == "--eval"
                || t == "--command"
        })
}

/// An interpreter reading its program from stdin: `sh`, `bash -s -- args`, `python3 -`.
fn reads_stdin_script(cmd: &Command) -> bool {
    if has_inline_script(cmd) {
        return false;
    }
    let shell = crate::walk::is_shell(cmd.name().unwrap_or(""));
    for w in cmd.args() {
        let Some(t) = w.as_str() else { return false };
        if t == "-" || t == "--" {
            return true;
        }
        if let Some(flags) = t.strip_prefix('-') {
            if shell && !flags.starts_with('-') && flags.contains('s') {
                return true;
            }
            continue;
        }
        return false; // a script file
    }
    true
}

fn tar_extracts(cmd: &Command) -> bool {
    let mut first = true;
    for t in cmd.args().iter().filter_map(Word::as_str) {
        if t == "--extract" || t == "--get" {
            return true;
        }
        if let Some(f) = t.strip_prefix('-') {
            if !f.starts_with('-') && f.contains('x') {
                return true;
            }
        } else if first && t.contains('x') && t.bytes().all(|b| b.is_ascii_alphabetic()) {
            // Old-style bundled flags: `tar xzf file`.
            return true;
        }
        first = false;
    }
    false
}

fn installs_file(name: &str, cmd: &Command) -> bool {
    let args = cmd.args();
    let has = |f: &str| args.iter().filter_map(Word::as_str).any(|t| t == f);
    let has_short = |c: char| {
        args.iter()
            .filter_map(Word::as_str)
            .any(|t| t.starts_with('-') && !t.starts_with("--") && t.contains(c))
    };
    match name {
        "dpkg" => has_short('i') || has("--install"),
        "rpm" => has_short('i') || has_short('U') || has("--install") || has("--upgrade"),
        "install" => true,
        "apt" | "apt-get" | "yum" | "dnf" | "zypper" => has("install") || has("localinstall"),
        "gdebi" | "snap" | "flatpak" | "pip" | "pip3" | "npm" => true,
        // `msiexec /i x.msi`, `Add-AppxPackage x.msix` (Windows installers).
        "msiexec" => args
            .iter()
            .filter_map(Word::as_str)
            .any(|t| t.eq_ignore_ascii_case("/i") || t.eq_ignore_ascii_case("/package")),
        "add-appxpackage" => true,
        _ => false,
    }
}

fn installer_name(name: &str, cmd: &Command) -> String {
    match cmd.args().first().and_then(Word::as_str) {
        Some(sub)
            if matches!(
                name,
                "apt" | "apt-get" | "yum" | "dnf" | "zypper" | "snap" | "npm" | "pip" | "pip3"
            ) =>
        {
            format!("{name} {sub}")
        }
        _ => name.to_owned(),
    }
}

/// Directories that are on `PATH` on GitHub's runners (or conventionally so).
/// Whether a `chmod` mode makes a file executable: `+x`, `u+x`, `a+rx`, or an octal mode
/// with an execute bit (`755`, `0755`).
fn executable_mode(mode: &str) -> bool {
    if mode.bytes().all(|b| b.is_ascii_digit()) && (3..=4).contains(&mode.len()) {
        return mode.bytes().rev().take(3).any(|b| (b - b'0') & 1 == 1);
    }
    mode.split(',').any(|clause| {
        clause.split_once('+').is_some_and(|(who, what)| {
            who.bytes().all(|b| b"ugoa".contains(&b)) && what.contains('x')
        })
    })
}

fn on_path(dest: &str) -> bool {
    let d = dest.trim_end_matches('/');
    [
        "/usr/local/bin",
        "/usr/bin",
        "/bin",
        "/usr/local/sbin",
        "/usr/sbin",
        "/opt/bin",
        ".local/bin",
        "/snap/bin",
    ]
    .iter()
    .any(|p| d.ends_with(p) || d.contains(&format!("{p}/")))
}

/// Whether two file references name the same file: equal after dropping `./`, or equal
/// base names when one of them has no directory.
pub(crate) fn same_file(a: &str, b: &str) -> bool {
    let a = a.strip_prefix("./").unwrap_or(a);
    let b = b.strip_prefix("./").unwrap_or(b);
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    let base = |s: &str| s.rsplit('/').next().unwrap_or(s).to_owned();
    (!a.contains('/') || !b.contains('/')) && base(a) == base(b)
}

/// The last path segment of a URL, without query or fragment (`curl -O`, wget's default).
pub(crate) fn url_basename(url: &str) -> Option<String> {
    let no_frag = url.split(['?', '#']).next().unwrap_or(url);
    let after_scheme = no_frag.split_once("://").map_or(no_frag, |(_, r)| r);
    let (_, path) = after_scheme.split_once('/')?;
    let last = path.rsplit('/').next()?;
    (!last.is_empty()).then(|| last.to_owned())
}

/// The host of a URL when it is static: lowercase, without user info or port
/// ([`tollgate_model::addr::host_of`]). A host without a dot is left out: in a script
/// that is a bare word or path (`build/out`) or a machine-local name (`localhost`, a
/// service container), not a place the job reaches on the network.
pub(crate) fn url_host(url: &str) -> Option<String> {
    tollgate_model::addr::host_of(url).filter(|h| h.contains('.'))
}

//! Shared helpers of the snippet tests: a token summary of commands and facts, and a
//! matcher for the expectation lines of the tables.
//!
//! An expectation line lists tokens; it holds when one command (`cmd …`) or one fact
//! (any other first token) has all of them. `!` in front negates, `#kind=N` counts facts
//! of a kind, `err` asks for a syntax error, `limit` for a resource limit. Values with
//! spaces are written in single quotes: `at='curl -fsSL x'`.

#![allow(dead_code, clippy::unwrap_used)]

use tollgate_shell::{
    Analysis, Analyzer, Command, CredentialKind, ExecHow, Fact, IndexKind, PackageKind, Span,
};

pub fn slice(script: &str, s: Span) -> &str {
    &script[s.range()]
}

fn kv(k: &str, v: &str) -> String {
    format!("{k}={v}")
}

fn tool(t: &str) -> String {
    t.replace(' ', "-")
}

pub fn command_tokens(a: &Analysis, script: &str, c: &Command) -> Vec<String> {
    let mut t = vec!["cmd".to_owned()];
    if let Some(n) = c.name() {
        t.push(kv("name", n));
    }
    for w in &c.wrappers {
        t.push(kv("wrap", &w.name));
    }
    let x = c.context;
    for (on, name) in [
        (x.pipeline, "pipeline"),
        (x.process_substitution, "procsub"),
        (x.command_substitution, "cmdsub"),
        (x.eval, "eval"),
        (x.shell_c, "shellc"),
        (x.heredoc_script, "heredoc"),
        (x.container, "container"),
        (x.function, "function"),
        (x.conditional, "if"),
        (x.loop_body, "loop"),
        (x.case_arm, "case"),
        (x.and_or, "andor"),
        (x.subshell, "subshell"),
        (x.negated, "negated"),
        (x.test, "test"),
        (x.retry_loop, "retry"),
        (x.branch, "branch"),
        (c.line_continuation, "cont"),
    ] {
        if on {
            t.push(name.to_owned());
        }
    }
    match c.chain {
        Some(tollgate_shell::ChainOp::And) => t.push("chain=and".into()),
        Some(tollgate_shell::ChainOp::Or) => t.push("chain=or".into()),
        None => {}
    }
    let name_of = |i: Option<usize>| {
        i.and_then(|i| a.commands[i].name())
            .unwrap_or("?")
            .to_owned()
    };
    if c.pipe_prev().is_some() {
        t.push(kv("prev", &name_of(c.pipe_prev())));
    }
    if c.pipe_next().is_some() {
        t.push(kv("next", &name_of(c.pipe_next())));
    }
    if c.parent().is_some() {
        t.push(kv("parent", &name_of(c.parent())));
    }
    if let Some(i) = &c.container_image {
        t.push(kv("image", i));
    }
    t.push(kv("at", slice(script, c.span)));
    for w in c.args() {
        match &w.text {
            Some(s) => t.push(kv("arg", s)),
            None => t.push(kv("dyn", slice(script, w.span))),
        }
        if w.has_expression {
            t.push("expr".into());
        }
        for v in &w.variables {
            t.push(kv("var", v));
        }
    }
    if let Some(w) = c.name_word() {
        if w.has_expression {
            t.push("nameexpr".into());
        }
        t.push(kv("word0", slice(script, w.span)));
    }
    for r in &c.redirects {
        let target = r
            .target
            .as_ref()
            .map_or(String::new(), |w| slice(script, w.span).to_owned());
        t.push(kv("redir", &format!("{}{}", r.op, target)));
        if let Some(h) = &r.heredoc {
            t.push(kv("heredocbody", slice(script, h.body)));
            t.push(kv("delim", &h.delimiter));
        }
    }
    for asg in &c.assignments {
        t.push(kv("assign", &asg.name));
    }
    t
}

pub fn fact_tokens(a: &Analysis, script: &str, f: &Fact) -> Vec<String> {
    let mut t = Vec::new();
    t.push(kv("at", slice(script, f.span())));
    match f {
        Fact::Download(d) => {
            t.push("download".into());
            t.push(kv("tool", &tool(d.tool)));
            if let Some(u) = &d.url {
                t.push(kv("url", u));
            }
            if let Some(h) = &d.host {
                t.push(kv("host", h));
            }
            if let Some(s) = d.url_span {
                t.push(kv("urlspan", slice(script, s)));
            }
            if let Some(o) = &d.output {
                t.push(kv("out", o));
            }
            if let Some(r) = &d.reference {
                t.push(kv("ref", r));
            }
            for (on, n) in [
                (d.retry, "retry"),
                (d.insecure_tls, "insecure"),
                (d.plain_http, "http"),
                (d.to_stdout, "stdout"),
                (d.sends, "sends"),
            ] {
                if on {
                    t.push(n.into());
                }
            }
        }
        Fact::Image(i) => {
            t.push("image".into());
            t.push(kv("tool", &tool(i.tool)));
            t.push(kv("image", &i.image));
            if let Some(d) = &i.digest {
                t.push(kv("digest", d));
            }
            t.push(kv("imgspan", slice(script, i.image_span)));
        }
        Fact::Invoke(i) => {
            t.push("invoke".into());
            t.push(kv("what", i.what));
            if let Some(p) = &i.path {
                t.push(kv("path", p));
            }
            if let Some(d) = &i.dir {
                t.push(kv("dir", d));
            }
            for g in &i.targets {
                t.push(kv("goal", g));
            }
        }
        Fact::ImageBuild(b) => {
            t.push("build".into());
            t.push(kv("tool", &tool(b.tool)));
            if let Some(f) = &b.dockerfile {
                t.push(kv("file", f));
            }
            if let Some(c) = &b.context {
                t.push(kv("context", c));
            }
            for tag in &b.tags {
                t.push(kv("tag", tag));
            }
            if b.pull {
                t.push("pull".into());
            }
        }
        Fact::DownloadExec(e) => {
            t.push("exec".into());
            if let Fact::Download(d) = &a.facts[e.download] {
                t.push(kv("dl", &tool(d.tool)));
                if let Some(u) = &d.url {
                    t.push(kv("dlurl", u));
                }
            }
            if let Some(v) = e.verified_by {
                t.push("verified".into());
                if let Fact::Verification(v) = &a.facts[v] {
                    t.push(kv("verifier", v.tool));
                }
            }
            let (how, extra): (&str, Option<(&str, String)>) = match &e.how {
                ExecHow::Pipe { interpreter } => ("pipe", Some(("interp", interpreter.clone()))),
                ExecHow::ProcessSubstitution { interpreter } => {
                    ("procsub", Some(("interp", interpreter.clone())))
                }
                ExecHow::CommandSubstitution { interpreter } => {
                    ("cmdsub", Some(("interp", interpreter.clone())))
                }
                ExecHow::LaterExecuted { file } => ("later", Some(("file", file.clone()))),
                ExecHow::Sourced { file } => ("sourced", file.clone().map(|f| ("file", f))),
                ExecHow::Installed { file, installer } => {
                    t.push(kv("installer", installer));
                    ("installed", file.clone().map(|f| ("file", f)))
                }
                ExecHow::Extracted { file, extractor } => {
                    t.push(kv("extractor", extractor));
                    ("extracted", file.clone().map(|f| ("file", f)))
                }
            };
            t.push(kv("how", how));
            if let Some((k, v)) = extra {
                t.push(kv(k, &v));
            }
        }
        Fact::Verification(v) => {
            t.push("verify".into());
            t.push(kv("tool", v.tool));
            if let Some(f) = &v.file {
                t.push(kv("file", f));
            }
        }
        Fact::Install(i) => {
            t.push("install".into());
            t.push(kv("mgr", i.manager));
            if let Some(s) = &i.subcommand {
                t.push(kv("sub", s));
            }
            for p in &i.packages {
                t.push(kv("pkg", &p.name));
                if let Some(v) = &p.version {
                    t.push(kv("pkg", &format!("{}|{v}", p.name)));
                }
                let kind = match p.kind {
                    PackageKind::Registry => None,
                    PackageKind::Git => Some("git"),
                    PackageKind::Url => Some("url"),
                    PackageKind::Path => Some("path"),
                    PackageKind::LocalFile => Some("file"),
                };
                if let Some(k) = kind {
                    t.push(kv("pkg", &format!("{}#{k}", p.name)));
                }
                t.push(kv("pkgspan", slice(script, p.span)));
            }
            for (on, n) in [
                (i.locked, "locked"),
                (i.require_hashes, "hashes"),
                (i.global, "global"),
                (i.retry, "retry"),
                (i.insecure, "insecure"),
                (i.offline, "offline"),
            ] {
                if on {
                    t.push(n.into());
                }
            }
            for r in &i.requirement_files {
                t.push(kv("req", &r.path));
            }
            for r in &i.constraint_files {
                t.push(kv("constraint", &r.path));
            }
            for u in &i.index_urls {
                let k = match u.kind {
                    IndexKind::Index => "index",
                    IndexKind::ExtraIndex => "extra",
                    IndexKind::FindLinks => "findlinks",
                    IndexKind::Registry => "registry",
                    IndexKind::Source => "source",
                    IndexKind::Proxy => "proxy",
                };
                t.push(kv(k, &u.url));
                t.push(kv("indexspan", slice(script, u.span)));
            }
            for h in &i.trusted_hosts {
                t.push(kv("trusted", h));
            }
            for e in &i.env {
                t.push(kv("env", &e.name));
            }
        }
        Fact::Credential(c) => {
            t.push("cred".into());
            match &c.kind {
                CredentialKind::GithubToken { via } => {
                    t.push("type=github-token".into());
                    t.push(kv("via", via));
                }
                CredentialKind::Secret { name } => {
                    t.push("type=secret".into());
                    t.push(kv("name", name));
                }
                CredentialKind::OidcToken => t.push("type=oidc-token".into()),
                CredentialKind::GitPush { force } => {
                    t.push("type=git-push".into());
                    if *force {
                        t.push("force".into());
                    }
                }
                CredentialKind::GhWrite { subcommand } => {
                    t.push("type=gh-write".into());
                    t.push(kv("sub", subcommand));
                }
                CredentialKind::Publish { tool: tl, oidc } => {
                    t.push("type=publish".into());
                    t.push(kv("tool", &tool(tl)));
                    if *oidc {
                        t.push("oidc".into());
                    }
                }
                CredentialKind::Sign { tool: tl, keyless } => {
                    t.push("type=sign".into());
                    t.push(kv("tool", &tool(tl)));
                    if *keyless {
                        t.push("keyless".into());
                    }
                }
                CredentialKind::Attestation { subcommand } => {
                    t.push("type=attestation".into());
                    t.push(kv("sub", subcommand));
                }
            }
        }
        Fact::EnvWrite(e) => {
            t.push("envwrite".into());
            let target = match e.target {
                tollgate_shell::EnvTarget::GithubEnv => "github-env",
                tollgate_shell::EnvTarget::GithubOutput => "github-output",
                tollgate_shell::EnvTarget::GithubPath => "github-path",
                tollgate_shell::EnvTarget::GithubStepSummary => "github-step-summary",
                tollgate_shell::EnvTarget::GithubState => "github-state",
            };
            t.push(kv("target", target));
            if let Some(k) = &e.key {
                t.push(kv("key", k));
            }
        }
        Fact::SecretEcho(s) => {
            t.push("secretecho".into());
            t.push(kv("name", &s.name));
            t.push(kv("expr", slice(script, s.expression_span)));
        }
    }
    t
}

/// Split an expectation line into tokens; `key='a b'` keeps its spaces.
pub fn tokens(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn dump(a: &Analysis, script: &str) -> String {
    let mut s = String::new();
    for c in &a.commands {
        s.push_str(&format!("  {:?}\n", command_tokens(a, script, c)));
    }
    for f in &a.facts {
        s.push_str(&format!("  {:?}\n", fact_tokens(a, script, f)));
    }
    s.push_str(&format!(
        "  errors={:?} limits={:?}\n",
        a.syntax_errors, a.limits
    ));
    s
}

/// Check one table row; returns a failure description.
pub fn check(analyzer: &mut Analyzer, script: &str, expect: &[&str]) -> Option<String> {
    check_as(analyzer, script, expect, false)
}

/// Check one table row, read as PowerShell when `pwsh`.
pub fn check_as(
    analyzer: &mut Analyzer,
    script: &str,
    expect: &[&str],
    pwsh: bool,
) -> Option<String> {
    let a = if pwsh {
        analyzer.analyze_pwsh(script)
    } else {
        analyzer.analyze(script)
    };
    let cmds: Vec<Vec<String>> = a
        .commands
        .iter()
        .map(|c| command_tokens(&a, script, c))
        .collect();
    let facts: Vec<Vec<String>> = a.facts.iter().map(|f| fact_tokens(&a, script, f)).collect();
    // Invariant: every span lies on character boundaries inside the script.
    for f in &a.facts {
        let s = f.span();
        assert!(
            s.end() <= script.len()
                && script.is_char_boundary(s.start())
                && script.is_char_boundary(s.end())
        );
    }
    let mut failures = Vec::new();
    for line in expect {
        let (neg, body) = line.strip_prefix('!').map_or((false, *line), |b| (true, b));
        let want = tokens(body);
        let ok = if let Some(count) = body.strip_prefix('#') {
            let (kind, n) = count.split_once('=').unwrap();
            let n: usize = n.parse().unwrap();
            a.facts.iter().filter(|f| f.kind() == kind).count() == n
        } else if body == "err" {
            !a.syntax_errors.is_empty()
        } else if body == "limit" {
            !a.limits.is_empty()
        } else {
            let pool = if want.first().is_some_and(|t| t == "cmd") {
                &cmds
            } else {
                &facts
            };
            pool.iter()
                .any(|have| want.iter().all(|w| have.contains(w)))
        };
        if ok == neg {
            failures.push(format!("{}expected {line:?}", if neg { "un" } else { "" }));
        }
    }
    (!failures.is_empty()).then(|| {
        format!(
            "script {script:?}\n{}\nhave:\n{}",
            failures.join("\n"),
            dump(&a, script)
        )
    })
}

pub fn run_table(rows: &[(&str, &[&str])]) {
    run_table_as(rows, false);
}

/// The rows read as PowerShell scripts.
pub fn run_pwsh_table(rows: &[(&str, &[&str])]) {
    run_table_as(rows, true);
}

fn run_table_as(rows: &[(&str, &[&str])], pwsh: bool) {
    let mut analyzer = Analyzer::new();
    let mut failed = Vec::new();
    for (script, expect) in rows {
        if let Some(f) = check_as(&mut analyzer, script, expect, pwsh) {
            failed.push(f);
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} rows failed:\n\n{}",
        failed.len(),
        rows.len(),
        failed.join("\n\n")
    );
}

//! Scripts inside a command: the string of `sh -c '…'` and `eval '…'` and the heredoc
//! fed to a shell, walked again as scripts of their own.

use super::*;

impl<'a> Walker<'a> {
    /// Analyse the script inside `sh -c '…'`, `eval '…'` and `bash <<EOF`.
    pub(super) fn inner_scripts(&mut self, idx: usize, nodes: &Nodes<'_>, src: Src<'_>, ctx: Ctx) {
        if ctx.inner >= MAX_INNER_DEPTH {
            if self.inner_candidate(idx).is_some()
                || (!nodes.args.is_empty()
                    && self
                        .container_command(idx)
                        .is_some_and(|c| c.start != usize::MAX))
            {
                self.limits.push(Limit {
                    kind: LimitKind::InnerScriptDepth,
                    span: self.commands[idx].span,
                });
            }
            return;
        }
        if !nodes.args.is_empty() {
            self.container_script(idx, nodes, src, ctx);
        }
        let Some(kind) = self.inner_candidate(idx) else {
            return;
        };
        // Called again for heredocs attached after the command was built: the `-c`
        // string (if any) was handled the first time.
        if nodes.args.is_empty() && matches!(kind, Inner::Arg(_)) {
            return;
        }
        let mut ictx = inner_ctx(ctx, idx);
        match kind {
            Inner::Arg(ai) => {
                if self.commands[idx].name() == Some("eval") {
                    ictx.flags.eval = true;
                } else {
                    ictx.flags.shell_c = true;
                }
                let word_span = self.commands[idx].argv[ai].span;
                if let Some(arg) = nodes.args.get(ai)
                    && let Some((start, end)) = verbatim_inner(*arg, src)
                {
                    let text = src.text.get(start..end).unwrap_or("");
                    self.script(text, src.map.inner(start), ictx);
                } else if let Some(t) = self.commands[idx].argv[ai].text.clone() {
                    self.script(&t, Map::Coarse(word_span), ictx);
                }
            }
            Inner::Heredoc => {
                ictx.flags.heredoc_script = true;
                let body = nodes
                    .redirects
                    .iter()
                    .find_map(|r| r.children().find(|n| n.kind() == "heredoc_body"));
                if let Some(body) = body {
                    let range = body.byte_range();
                    let text = src.text.get(range.clone()).unwrap_or("");
                    self.script(text, src.map.inner(range.start), ictx);
                }
            }
        }
    }

    /// The command a container runs, walked as a script of its own: the words after the
    /// image of `docker run [opts] IMAGE cmd …` or after the container of `docker exec
    /// [opts] NAME cmd …` (podman and nerdctl alike). Its commands are marked
    /// [`CommandContext::container`] and carry the image when the script names it.
    fn container_script(&mut self, idx: usize, nodes: &Nodes<'_>, src: Src<'_>, ctx: Ctx) {
        let Some(c) = self.container_command(idx) else {
            return;
        };
        if let (Some(name), Some(image)) = (&c.name, &c.image) {
            self.container_names.push((name.clone(), image.clone()));
        }
        let (Some(first), Some(last)) = (nodes.args.get(c.start), nodes.args.last()) else {
            return;
        };
        let (start, end) = (first.start_byte(), last.end_byte());
        let Some(text) = src.text.get(start..end) else {
            return;
        };
        let mut ictx = inner_ctx(ctx, idx);
        ictx.flags.container = true;
        let image = match c.sub {
            "exec" => c.name.as_ref().and_then(|n| {
                self.container_names
                    .iter()
                    .rev()
                    .find(|(k, _)| k == n)
                    .map(|(_, i)| i.clone())
            }),
            _ => c.image,
        };
        let outer = std::mem::replace(&mut self.container_image, image);
        self.script(text, src.map.inner(start), ictx);
        self.container_image = outer;
    }

    /// `docker run`/`docker exec` (and `container run`/`container exec`; podman,
    /// nerdctl) with a command: where in `argv` the command starts, the image or
    /// container name, and the `--name` given to `run`. `None` for other commands and for
    /// a `run` without a command (the image's own entry point, not known here).
    fn container_command(&self, idx: usize) -> Option<ContainerCommand> {
        use crate::args::{Arg as Opt, scan};
        use crate::recognise::download::docker::{DOCKER_EXEC, DOCKER_GLOBAL, DOCKER_RUN};
        let cmd = &self.commands[idx];
        if !matches!(cmd.name()?, "docker" | "podman" | "nerdctl") {
            return None;
        }
        let args = cmd.args();
        let global = scan(args, &DOCKER_GLOBAL);
        let sub_word = global.iter().find_map(Opt::pos)?;
        let mut at = args.iter().position(|w| std::ptr::eq(w, sub_word))? + 1;
        let mut sub = sub_word.as_str()?;
        if sub == "container" {
            sub = args.get(at)?.as_str()?;
            at += 1;
        }
        let sub: &'static str = match sub {
            "run" => "run",
            "exec" => "exec",
            _ => return None,
        };
        let rest = &args[at..];
        let scanned = scan(
            rest,
            if sub == "run" {
                &DOCKER_RUN
            } else {
                &DOCKER_EXEC
            },
        );
        let operand = scanned.iter().find_map(Opt::pos)?;
        let k = rest.iter().position(|w| std::ptr::eq(w, operand))?;
        // The command follows the image (or container) operand.
        if k + 1 >= rest.len() {
            if sub == "run" {
                // `docker run --name NAME IMAGE` with no command still names a container.
                let name = scanned
                    .iter()
                    .find(|a| a.is('\0', "name"))
                    .and_then(Opt::value_text)
                    .map(str::to_owned);
                if let (Some(name), Some(image)) = (name, operand.as_str()) {
                    return Some(ContainerCommand {
                        sub,
                        start: usize::MAX,
                        name: Some(name),
                        image: Some(image.to_owned()),
                    });
                }
            }
            return None;
        }
        let start = cmd.name_index + 1 + at + k + 1;
        Some(match sub {
            "run" => ContainerCommand {
                sub,
                start,
                name: scanned
                    .iter()
                    .find(|a| a.is('\0', "name"))
                    .and_then(Opt::value_text)
                    .map(str::to_owned),
                image: operand.as_str().map(str::to_owned),
            },
            _ => ContainerCommand {
                sub,
                start,
                name: operand.as_str().map(str::to_owned),
                image: None,
            },
        })
    }

    fn inner_candidate(&self, idx: usize) -> Option<Inner> {
        let cmd = &self.commands[idx];
        let name = cmd.name()?;
        let args = cmd.args();
        if name == "eval" {
            return (args.len() == 1 && args[0].text.is_some())
                .then_some(Inner::Arg(cmd.name_index + 1));
        }
        if !is_shell(name) {
            return None;
        }
        // Options before the script: `-e`, `-x`, `-o pipefail`, combined `-ec`, `-lc`.
        let mut c_flag = false;
        let mut i = 0;
        while i < args.len() {
            let Some(t) = args[i].as_str() else { break };
            if t == "--" {
                i += 1;
                break;
            }
            if t == "-o" || t == "+o" {
                i += 2;
                continue;
            }
            if (t.starts_with('-') || t.starts_with('+')) && t.len() > 1 {
                if !t.starts_with("--") && t[1..].contains('c') {
                    c_flag = true;
                }
                i += 1;
                continue;
            }
            break;
        }
        if c_flag {
            let w = args.get(i)?;
            return w
                .text
                .is_some()
                .then_some(Inner::Arg(cmd.name_index + 1 + i));
        }
        if i < args.len() {
            return None; // a script file
        }
        cmd.redirects
            .iter()
            .any(|r| r.heredoc.is_some() && r.fd.is_none_or(|f| f == 0))
            .then_some(Inner::Heredoc)
    }
}

/// The context of a script inside command `idx` (an `sh -c` string, a heredoc, what a
/// container runs): one level deeper, its own statement chain and tree depth.
fn inner_ctx(ctx: Ctx, idx: usize) -> Ctx {
    let mut ictx = Ctx {
        flags: ctx.flags,
        parent: Some(idx),
        chain: None,
        depth: 0,
        inner: ctx.inner + 1,
        // A loop around `sh -c "…"` retries the inner commands too.
        loop_id: ctx.loop_id,
    };
    // Contexts describe where the inner command sits, not the outer pipeline.
    ictx.flags.pipeline = false;
    ictx.flags.and_or = false;
    ictx
}

struct ContainerCommand {
    sub: &'static str,
    /// The index in `argv` of the command run in the container (`usize::MAX` when there
    /// is none).
    start: usize,
    /// `--name` of `run`, or the container of `exec`.
    name: Option<String>,
    /// The image of `run`.
    image: Option<String>,
}

enum Inner {
    /// The script is this word of `argv`.
    Arg(usize),
    /// The script is the command's stdin heredoc.
    Heredoc,
}

/// Shells whose `-c` string and stdin heredoc are shell scripts we can analyse.
pub(crate) fn is_shell(name: &str) -> bool {
    matches!(
        name,
        "sh" | "bash" | "dash" | "zsh" | "ksh" | "ash" | "mksh"
    )
}

/// For a quoted literal with no escapes, the byte range of its contents in `src.text`.
fn verbatim_inner(node: Node<'_>, src: Src<'_>) -> Option<(usize, usize)> {
    let r = node.byte_range();
    match node.kind() {
        "raw_string" => Some((r.start + 1, r.end.checked_sub(1)?)),
        "string" => {
            let inner = src.text.get(r.start + 1..r.end.checked_sub(1)?)?;
            if inner.contains('\\') {
                return None;
            }
            // Expansions inside are fine: they stay expansions when re-parsed, and their
            // own substitutions were already walked in the outer tree.
            let only_text = node.named_children().all(|n| n.kind() == "string_content");
            only_text.then_some((r.start + 1, r.end - 1))
        }
        "word" => (!src.text(node).contains('\\')).then_some((r.start, r.end)),
        _ => None,
    }
}

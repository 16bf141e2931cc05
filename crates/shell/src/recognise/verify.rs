//! Checksum and signature verification recognisers.

use super::Recogniser;
use crate::args::{OptSpec, positionals, scan};
use crate::command::{Command, Word};
use crate::facts::{Fact, Verification};

pub(super) fn push(
    cx: &mut Recogniser<'_>,
    i: usize,
    cmd: &Command,
    tool: &'static str,
    file: Option<&Word>,
) {
    let file = file.map(|w| cx.text(w).into_owned()).filter(|f| f != "-");
    cx.verification(
        i,
        Fact::Verification(Verification {
            tool,
            file,
            span: cmd.span,
        }),
    );
}

pub(super) fn verify(cx: &mut Recogniser<'_>, i: usize, cmd: &Command) {
    let Some(name) = cmd.name() else { return };
    let args = cmd.args();
    match name {
        "sha256sum" | "sha512sum" | "sha384sum" | "sha224sum" | "sha1sum" | "md5sum" | "b2sum"
        | "shasum" => {
            let tool = match name {
                "sha256sum" => "sha256sum",
                "sha512sum" => "sha512sum",
                "sha384sum" => "sha384sum",
                "sha224sum" => "sha224sum",
                "sha1sum" => "sha1sum",
                "md5sum" => "md5sum",
                "b2sum" => "b2sum",
                _ => "shasum",
            };
            let scanned = scan(args, &OptSpec::new("a", &["algorithm"]));
            let check = scanned.iter().any(|a| a.is('c', "check"));
            let file = positionals(&scanned).next();
            if check {
                // `echo "<hash>  file" | sha256sum -c`: the file is named in the piped text.
                let piped = file.is_none() || file.and_then(Word::as_str) == Some("-");
                if piped
                    && let Some(p) = cmd.pipe_prev()
                    && let Some(named) = echoed_file(cx, &cx_commands(cx)[p])
                {
                    cx.verification(
                        i,
                        Fact::Verification(Verification {
                            tool,
                            file: Some(named),
                            span: cmd.span,
                        }),
                    );
                    return;
                }
                push(cx, i, cmd, tool, file);
            } else if cmd.context.test && cmd.context.command_substitution {
                // `[ "$(sha256sum f | cut -d' ' -f1)" = "$EXPECTED" ]` compares by hand.
                push(cx, i, cmd, tool, file);
            }
        }
        "gpg" | "gpg2" | "gpgv" => {
            let verify = name == "gpgv"
                || args
                    .iter()
                    .filter_map(Word::as_str)
                    .any(|t| t == "--verify");
            if verify {
                let scanned = scan(
                    args,
                    &OptSpec::new(
                        "ru",
                        &[
                            "keyring",
                            "homedir",
                            "status-fd",
                            "trust-model",
                            "local-user",
                            "recipient",
                        ],
                    ),
                );
                let pos: Vec<&Word> = positionals(&scanned).collect();
                let file = pos.get(1).or(pos.first()).copied();
                push(cx, i, cmd, "gpg", file);
            }
        }
        "cosign" => {
            let scanned = scan(
                args,
                &OptSpec::new(
                    "",
                    &[
                        "key",
                        "signature",
                        "certificate",
                        "certificate-identity",
                        "certificate-identity-regexp",
                        "certificate-oidc-issuer",
                        "certificate-oidc-issuer-regexp",
                        "bundle",
                        "type",
                        "output-signature",
                        "output-certificate",
                        "rekor-url",
                        "fulcio-url",
                        "identity-token",
                        "predicate",
                        "attachment",
                        "new-bundle-format",
                        "trusted-root",
                        "certificate-chain",
                    ],
                ),
            );
            let pos: Vec<&Word> = positionals(&scanned).collect();
            let sub = pos.first().and_then(|w| w.as_str()).unwrap_or("");
            match sub {
                "verify" | "verify-blob" | "verify-attestation" | "verify-blob-attestation" => {
                    push(
                        cx,
                        i,
                        cmd,
                        "cosign",
                        pos.last().filter(|_| pos.len() > 1).copied(),
                    );
                }
                "sign" | "sign-blob" | "attest" | "attest-blob" => {
                    let keyless = !scanned.iter().any(|a| a.is('\0', "key"));
                    cx.push(Fact::Credential(crate::facts::Credential {
                        kind: crate::facts::CredentialKind::Sign {
                            tool: format!("cosign {sub}"),
                            keyless,
                        },
                        span: cmd.span,
                    }));
                }
                _ => {}
            }
        }
        "minisign" => {
            let scanned = scan(args, &OptSpec::new("mxpPstc", &[]));
            if scanned.iter().any(|a| a.is('V', "")) {
                let file = scanned
                    .iter()
                    .find(|a| a.is('m', ""))
                    .and_then(|a| a.value().map(|v| v.word));
                push(cx, i, cmd, "minisign", file);
            }
        }
        "slsa-verifier" => {
            let scanned = scan(
                args,
                &OptSpec::new(
                    "",
                    &[
                        "provenance-path",
                        "source-uri",
                        "source-tag",
                        "source-branch",
                        "source-versioned-tag",
                        "builder-id",
                        "build-workflow-input",
                        "print-provenance",
                        "package-name",
                        "package-version",
                    ],
                ),
            );
            let pos: Vec<&Word> = positionals(&scanned).collect();
            if pos
                .first()
                .and_then(|w| w.as_str())
                .is_some_and(|s| s.starts_with("verify"))
            {
                push(cx, i, cmd, "slsa-verifier", pos.get(1).copied());
            }
        }
        "openssl" => {
            let words: Vec<&str> = args.iter().filter_map(Word::as_str).collect();
            if words.first().is_some_and(|s| *s == "dgst") && words.contains(&"-verify") {
                push(cx, i, cmd, "openssl", args.last());
            }
        }
        _ => {}
    }
}

fn cx_commands<'a>(cx: &Recogniser<'a>) -> &'a [Command] {
    cx.input.commands
}

/// The file named in `echo "<hash>  <file>"` / `printf '%s  %s\n' "$H" file`.
fn echoed_file(cx: &Recogniser<'_>, prev: &Command) -> Option<String> {
    let name = prev.name()?;
    if name != "echo" && name != "printf" {
        return None;
    }
    let args: Vec<&Word> = prev
        .args()
        .iter()
        .filter(|w| !w.as_str().is_some_and(|t| t.starts_with('-')))
        .collect();
    let last = args.last()?;
    let text = cx.text(last);
    let file = if args.len() == 1 || name == "echo" {
        // `echo "<hash>  file"` or `echo "$H" file`: the last whitespace-separated field.
        text.split_whitespace()
            .last()?
            .trim_start_matches('*')
            .to_owned()
    } else {
        text.into_owned()
    };
    (!file.is_empty()).then_some(file)
}

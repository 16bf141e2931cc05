//! `go.mod` and `go.sum`.
//!
//! go.mod is line oriented: a directive with its arguments on one line, or a directive
//! followed by `(` and one entry per line until `)`. `// indirect` after a requirement is
//! meaningful, other `//` comments are not. A `replace` changes where a required module
//! comes from: to a local directory (no download at all) or to another module path and
//! version (a fork, fetched through GOPROXY under the new path).

use tollgate_model::{Diagnostic, DiagnosticCode, SourceFile, Span};

use crate::lines::lf_lines;
use crate::model::{Ecosystem, Integrity, Package, PackageFile, Source};
use crate::registry::default_source;

struct Replace {
    old: String,
    old_version: Option<String>,
    new: String,
    new_version: Option<String>,
    span: Span,
}

pub(crate) fn parse_mod(file: &SourceFile) -> PackageFile {
    let mut out = PackageFile::default();
    let mut block: Option<String> = None;
    let mut replaces = Vec::new();
    // Go's modfile lexer ends a line only at `\n` and reads `\r` as a space, like `\t`.
    for line in lf_lines(file.text()) {
        let (code, comment) = match line.text.find("//") {
            Some(i) => (&line.text[..i], Some(&line.text[i + 2..])),
            None => (line.text, None),
        };
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        let span = Span::new(line.start, line.end());
        let (directive, args) = if let Some(b) = &block {
            if code == ")" {
                block = None;
                continue;
            }
            (b.as_str(), code)
        } else {
            let (d, rest) = code.split_once(char::is_whitespace).unwrap_or((code, ""));
            let rest = rest.trim();
            if rest == "(" {
                block = Some(d.to_owned());
                continue;
            }
            (d, rest)
        };
        let words: Vec<&str> = args.split_whitespace().map(unquote).collect();
        match directive {
            "module" => {}
            "go" => out.format_version = words.first().map(|v| (*v).to_owned()),
            // Go fetches a newer toolchain as the module golang.org/toolchain through GOPROXY.
            "toolchain" => {
                if let Some(v) = words.first() {
                    let mut p = Package::new(Ecosystem::Go, "golang.org/toolchain", span);
                    p.version = Some((*v).to_owned());
                    p.source = default_source(Ecosystem::Go);
                    out.packages.push(p);
                }
            }
            "require" => {
                let [path, version] = words.as_slice() else {
                    out_error(&mut out, file, span, "expected `module/path version`");
                    break;
                };
                let mut p = Package::new(Ecosystem::Go, *path, span);
                p.version = Some((*version).to_owned());
                p.source = default_source(Ecosystem::Go);
                p.flags.indirect = comment.is_some_and(|c| c.trim().starts_with("indirect"));
                out.packages.push(p);
            }
            "replace" => {
                let Some(arrow) = words.iter().position(|w| *w == "=>") else {
                    out_error(&mut out, file, span, "expected `=>` in replace");
                    break;
                };
                let (left, right) = words.split_at(arrow);
                let right = &right[1..];
                let (Some(old), Some(new)) = (left.first(), right.first()) else {
                    out_error(&mut out, file, span, "incomplete replace");
                    break;
                };
                replaces.push(Replace {
                    old: (*old).to_owned(),
                    old_version: left.get(1).map(|v| (*v).to_owned()),
                    new: (*new).to_owned(),
                    new_version: right.get(1).map(|v| (*v).to_owned()),
                    span,
                });
            }
            // `exclude`, `retract`, `godebug`, `tool`, `ignore` fetch nothing.
            _ => {}
        }
    }
    if block.is_some() && !out.failed() {
        let end = file.text().len();
        out_error(
            &mut out,
            file,
            Span::empty(end),
            "unterminated `(` block (unexpected end of file)",
        );
    }
    for r in replaces {
        apply_replace(&mut out.packages, r);
    }
    out
}

fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

fn out_error(out: &mut PackageFile, file: &SourceFile, span: Span, msg: &str) {
    if !out.failed() {
        out.diagnostics.push(Diagnostic::at(
            file,
            span,
            DiagnosticCode::Syntax,
            format!("invalid go.mod: {msg}"),
        ));
    }
}

/// A replacement target is a local directory when it starts with `./`, `../` or `/`
/// (Go's rule); otherwise it is a module path with a version.
fn apply_replace(packages: &mut Vec<Package>, r: Replace) {
    let local = r.new.starts_with("./") || r.new.starts_with("../") || r.new.starts_with('/');
    let rewrite = |p: &mut Package| {
        p.source_span = Some(r.span);
        if local {
            p.source = Source::Path {
                path: r.new.clone(),
            };
        } else {
            if r.new != p.name {
                p.alias = Some(p.name.clone());
            }
            p.name.clone_from(&r.new);
            p.version.clone_from(&r.new_version);
            p.source = default_source(Ecosystem::Go);
        }
    };
    let mut matched = false;
    for p in packages.iter_mut() {
        if p.name == r.old && (r.old_version.is_none() || p.version == r.old_version) {
            rewrite(p);
            matched = true;
        }
    }
    if !matched {
        // A replace for a module required only transitively still decides its source.
        let mut p = Package::new(Ecosystem::Go, r.old.clone(), r.span);
        p.version.clone_from(&r.old_version);
        rewrite(&mut p);
        packages.push(p);
    }
}

/// go.sum: `module version[/go.mod] h1:base64`. A `/go.mod` line hashes only the module's
/// go.mod (read for version selection, never built), so only full-module lines become
/// packages; every line is a checksum, so the packages are flagged as constraints.
pub(crate) fn parse_sum(file: &SourceFile) -> PackageFile {
    let mut out = PackageFile::default();
    // cmd/go splits go.sum at `\n` only, then each line into fields at any white space
    // (`strings.Fields`), a `\r` included.
    for line in lf_lines(file.text()) {
        let t = line.text.trim();
        if t.is_empty() {
            continue;
        }
        let mut words = t.split_whitespace();
        let (Some(path), Some(version), Some(hash), None) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            out_sum_error(&mut out, file, line.start, line.text);
            break;
        };
        let Some((algo, _)) = hash.split_once(':') else {
            out_sum_error(&mut out, file, line.start, line.text);
            break;
        };
        if version.ends_with("/go.mod") {
            continue;
        }
        let mut p = Package::new(Ecosystem::Go, path, Span::new(line.start, line.end()));
        p.version = Some(version.to_owned());
        p.source = default_source(Ecosystem::Go);
        p.integrity = Some(Integrity::new(algo));
        p.flags.constraint = true;
        out.packages.push(p);
    }
    out
}

fn out_sum_error(out: &mut PackageFile, file: &SourceFile, start: usize, text: &str) {
    out.diagnostics.push(Diagnostic::at(
        file,
        Span::new(start, start + text.len()),
        DiagnosticCode::Syntax,
        "invalid go.sum line: expected `module version hash`",
    ));
}

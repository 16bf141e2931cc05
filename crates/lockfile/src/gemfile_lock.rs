//! `Gemfile.lock` (and `gems.locked`).
//!
//! Bundler writes sections headed at column 0: one `GEM` per rubygems remote, one `GIT` per
//! git source (with `revision:` the locked commit and `ref:`/`branch:`/`tag:` what the
//! Gemfile asked for), one `PATH` per local source; each has `specs:` listing gems at four
//! spaces (`name (version)`, the version possibly suffixed with a platform) and their
//! dependencies at six. `CHECKSUMS` (Bundler 2.5+) lists `name (version) sha256=…`.

use tollgate_model::{Diagnostic, DiagnosticCode, SourceFile, Span};

use crate::lines::lf_lines;
use crate::model::{Ecosystem, Integrity, Package, PackageFile, Source};
use crate::registry::registry_source;

#[derive(Default)]
struct Section {
    kind: String,
    remote: Option<(String, Span)>,
    revision: Option<String>,
    rev: Option<String>,
    first_package: usize,
}

pub(crate) fn parse(file: &SourceFile) -> PackageFile {
    let mut out = PackageFile::default();
    let mut section = Section::default();
    let mut checksums: Vec<(String, String, String)> = Vec::new();
    // Bundler splits the lockfile with `split(/(?:\r?\n)+/)`: at LF or CRLF, never at a
    // lone CR.
    for line in lf_lines(file.text()) {
        if line.text.trim().is_empty() {
            continue;
        }
        let indent = line.indent();
        let t = line.text.trim();
        if indent == 0 {
            close(&mut out, &section);
            section = Section {
                kind: t.to_owned(),
                first_package: out.packages.len(),
                ..Section::default()
            };
            continue;
        }
        match section.kind.as_str() {
            "GEM" | "GIT" | "PATH" | "PLUGIN SOURCE" => {
                if indent == 2 {
                    let Some((k, v)) = t.split_once(':') else {
                        error(
                            &mut out,
                            file,
                            line.start,
                            line.text,
                            "expected `key: value`",
                        );
                        break;
                    };
                    let v = v.trim();
                    match k {
                        // Old Bundler wrote several remotes in one GEM section; the first is
                        // the one the section is named after.
                        "remote" if section.remote.is_none() => {
                            section.remote =
                                Some((v.to_owned(), Span::new(line.start, line.end())));
                        }
                        "revision" => section.revision = Some(v.to_owned()),
                        "ref" | "branch" | "tag" => section.rev = Some(v.to_owned()),
                        _ => {}
                    }
                } else if indent == 4 {
                    let Some((name, version)) = spec(t) else {
                        error(
                            &mut out,
                            file,
                            line.start,
                            line.text,
                            "expected `name (version)`",
                        );
                        break;
                    };
                    let mut p =
                        Package::new(Ecosystem::RubyGems, name, Span::new(line.start, line.end()));
                    p.version = Some(version.to_owned());
                    out.packages.push(p);
                }
            }
            "CHECKSUMS" => {
                if let Some((name, version)) = spec(t.split(" sha").next().unwrap_or(t)) {
                    let algo = t
                        .rsplit_once(' ')
                        .and_then(|(_, h)| h.split_once('='))
                        .map(|(a, _)| a.to_owned());
                    if let Some(a) = algo {
                        checksums.push((name.to_owned(), version.to_owned(), a));
                    }
                }
            }
            _ => {}
        }
    }
    close(&mut out, &section);
    for (name, version, algo) in checksums {
        if let Some(p) = out
            .packages
            .iter_mut()
            .find(|p| p.name == name && p.version.as_deref() == Some(&version))
        {
            p.integrity = Some(Integrity::new(algo));
        }
    }
    out
}

/// `name (version)` → name and version.
fn spec(t: &str) -> Option<(&str, &str)> {
    let (name, rest) = t.split_once(" (")?;
    let version = rest.strip_suffix(')')?;
    (!name.is_empty() && !name.contains(' ')).then_some((name, version))
}

/// Give the packages of a finished section their source.
fn close(out: &mut PackageFile, s: &Section) {
    let Some((remote, span)) = &s.remote else {
        return;
    };
    let source = match s.kind.as_str() {
        "GEM" => registry_source(Ecosystem::RubyGems, remote),
        "GIT" => Source::Git {
            url: remote.clone(),
            rev: s.rev.clone(),
            commit: s.revision.clone(),
        },
        "PATH" => Source::Path {
            path: remote.clone(),
        },
        _ => Source::Unknown,
    };
    for p in out.packages.iter_mut().skip(s.first_package) {
        p.source = source.clone();
        p.source_span = Some(*span);
    }
}

fn error(out: &mut PackageFile, file: &SourceFile, start: usize, text: &str, msg: &str) {
    out.diagnostics.push(Diagnostic::at(
        file,
        Span::new(start, start + text.len()),
        DiagnosticCode::Syntax,
        format!("invalid Gemfile.lock: {msg}"),
    ));
}

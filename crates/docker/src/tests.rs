//! Table-driven cases of the Dockerfile model: images, stages, `ARG`s, `RUN`, `ADD`, and
//! inputs that are not Dockerfiles.

use super::*;
use tollgate_model::SourceFile;

fn parsed(text: &str) -> (Dockerfile, Vec<Diagnostic>) {
    let f = SourceFile::new("Dockerfile", "Dockerfile", text);
    let (m, d) = parse(&f);
    (m.expect("a model"), d)
}

/// `(via, written text at its span, target)` of every image reference.
fn images(text: &str) -> Vec<(Via, String, Target)> {
    let (m, d) = parsed(text);
    assert!(d.is_empty(), "{d:?}");
    m.images
        .iter()
        .map(|u| {
            assert_eq!(
                &text[u.written.span.range()],
                u.written.value,
                "span of {}",
                u.written.value
            );
            (u.via, u.written.value.clone(), u.target.clone())
        })
        .collect()
}

fn image(r: &str) -> Target {
    Target::Image {
        reference: r.to_owned(),
    }
}

#[test]
fn from_lines_name_images_stages_and_scratch() {
    let text = "\
# syntax=docker/dockerfile:1
ARG GO=1.22
ARG BASE=alpine
ARG PASSED
FROM --platform=$BUILDPLATFORM golang:${GO}-alpine AS Build
RUN go build ./...
FROM build AS test
FROM scratch
COPY --from=build /out /out
COPY --from=0 /a /a
COPY --from=ghcr.io/o/tool:1.2 /bin/tool /bin/tool
FROM ${BASE}:3.20@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d
FROM example/app:${PASSED}
FROM golang:1.22-${TARGETARCH}
FROM later
FROM node AS later
";
    let got = images(text);
    let want = vec![
        (
            Via::From,
            "golang:${GO}-alpine".into(),
            image("golang:1.22-alpine"),
        ),
        (Via::From, "build".into(), Target::Stage(0)),
        (Via::From, "scratch".into(), Target::Scratch),
        (Via::CopyFrom, "build".into(), Target::Stage(0)),
        (Via::CopyFrom, "0".into(), Target::Stage(0)),
        (
            Via::CopyFrom,
            "ghcr.io/o/tool:1.2".into(),
            image("ghcr.io/o/tool:1.2"),
        ),
        (
            Via::From,
            "${BASE}:3.20@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d"
                .into(),
            image(
                "alpine:3.20@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d",
            ),
        ),
        (
            Via::From,
            "example/app:${PASSED}".into(),
            Target::Unresolved,
        ),
        (
            Via::From,
            "golang:1.22-${TARGETARCH}".into(),
            Target::Unresolved,
        ),
        // A stage defined later is not what `FROM` names: that is an image.
        (Via::From, "later".into(), image("later")),
        (Via::From, "node".into(), image("node")),
    ];
    assert_eq!(got, want);
    let (m, _) = parsed(text);
    assert_eq!(m.stages.len(), 8);
    assert_eq!(
        m.stages[0].name.as_ref().map(|n| n.value.as_str()),
        Some("build")
    );
    assert_eq!(
        m.stages[0].platform.as_ref().map(|p| p.value.as_str()),
        Some("$BUILDPLATFORM")
    );
    assert_eq!(m.pulls().count(), 5);
    assert!(m.images[0].substituted());
    assert!(!m.images[5].substituted());
}

#[test]
fn args_before_and_after_from() {
    let text = "ARG A=1 B C=\"x y\"\nARG D=${A}.0\nFROM base:$D\nARG A\nARG E=2\nCOPY --from=img:${A}-${E} / /\n";
    let (m, d) = parsed(text);
    assert!(d.is_empty(), "{d:?}");
    let args: Vec<(&str, Option<&str>, Option<usize>)> = m
        .args
        .iter()
        .map(|a| {
            assert_eq!(&text[a.name.span.range()], a.name.value);
            (
                a.name.value.as_str(),
                a.default.as_ref().map(|d| d.value.as_str()),
                a.stage,
            )
        })
        .collect();
    let want: Vec<(&str, Option<&str>, Option<usize>)> = vec![
        ("A", Some("1"), None),
        ("B", None, None),
        ("C", Some("x y"), None),
        ("D", Some("${A}.0"), None),
        ("A", None, Some(0)),
        ("E", Some("2"), Some(0)),
    ];
    assert_eq!(args, want);
    let targets: Vec<&Target> = m.images.iter().map(|u| &u.target).collect();
    assert_eq!(targets, vec![&image("base:1.0"), &image("img:1-2")]);
}

#[test]
fn continuations_escape_directive_and_comments() {
    let text = "FROM \\\n  alpine:3.20 \\\n  AS a\n# a comment\nRUN apk add \\\n    # kept in the text\n    curl\n";
    let (m, d) = parsed(text);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(m.images[0].target, image("alpine:3.20"));
    assert_eq!(
        &text[m.images[0].written.span.start()..m.images[0].written.span.end()],
        "alpine:3.20"
    );
    let RunBody::Shell(s) = &m.runs[0].body else {
        panic!("shell form");
    };
    assert_eq!(&text[s.span.range()], s.value);
    assert!(s.value.starts_with("apk add") && s.value.ends_with("curl"));

    let win = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN powershell -Command `\n    Invoke-WebRequest https://example.com/x.zip\n";
    let (m, d) = parsed(win);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(m.escape, '`');
    assert_eq!(m.runs.len(), 1);
}

#[test]
fn run_forms_here_docs_and_add_urls() {
    let text = "FROM alpine\nSHELL [\"/bin/bash\", \"-c\"]\nRUN [\"apk\", \"add\", \"curl\"]\nRUN <<EOF\ncurl -fsSL https://example.com/i.sh | sh\nEOF\nADD https://example.com/a.tgz /a\nADD --checksum=sha256:abc https://example.com/b.tgz local /b\nONBUILD RUN echo later\n";
    let (m, d) = parsed(text);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(m.runs.len(), 2);
    let RunBody::Exec(args) = &m.runs[0].body else {
        panic!("exec form");
    };
    let args: Vec<&str> = args.iter().map(|a| a.value.as_str()).collect();
    assert_eq!(args, ["apk", "add", "curl"]);
    assert_eq!(
        m.runs[0].shell.as_deref(),
        Some(&["/bin/bash".to_owned(), "-c".to_owned()][..])
    );
    let doc = &m.runs[1].here_docs[0];
    assert!(doc.value.contains("curl -fsSL"), "{doc:?}");
    let adds: Vec<(&str, bool)> = m
        .adds
        .iter()
        .map(|a| (a.url.value.as_str(), a.checksum.is_some()))
        .collect();
    assert_eq!(
        adds,
        [
            ("https://example.com/a.tgz", false),
            ("https://example.com/b.tgz", true)
        ]
    );
}

#[test]
fn bad_input_is_a_diagnostic_with_a_position() {
    let cases = [
        ("FROM alpine\nRUN echo\nFROOM x\n", 3, 1),
        ("FROM alpine\n  BOGUS thing\n", 2, 3),
        ("RUN echo\n", 1, 1),
        // At the end of the file, where the delimiter was expected.
        ("FROM alpine\nRUN <<EOF\necho\n", 4, 1),
        ("FROM alpine\n\nCOPY\n", 3, 1),
    ];
    // A JSON array that does not parse is the shell form, as Docker reads it.
    let (m, d) = parse(&SourceFile::new("D", "D", "FROM a\nRUN [\"unterminated\n"));
    assert!(d.is_empty() && matches!(m.expect("model").runs[0].body, RunBody::Shell(_)));
    for (text, line, column) in cases {
        let f = SourceFile::new("Dockerfile", "Dockerfile", text);
        let (_, d) = parse(&f);
        assert_eq!(d.len(), 1, "{text:?}: {d:?}");
        let loc = d[0].location.as_ref().expect("located");
        assert_eq!(d[0].code, DiagnosticCode::Syntax, "{text:?}");
        assert_eq!(
            (loc.start.line as usize, loc.start.column as usize),
            (line, column),
            "{text:?}: {d:?}"
        );
    }
    // What comes before the error is kept.
    let (m, _) = parse(&SourceFile::new("D", "D", "FROM alpine:3\nFROOM x\n"));
    assert_eq!(m.expect("model").images.len(), 1);
    // Empty, comments only: no stage at all.
    for text in ["", "# nothing\n", "\u{feff}"] {
        let (_, d) = parse(&SourceFile::new("D", "D", text));
        assert!(d.len() <= 1, "{text:?}: {d:?}");
    }
}

#[test]
fn hostile_inputs_do_not_panic() {
    let long = "FROM a\n".to_owned() + &"RUN x \\\n".repeat(10_000) + "y\n";
    let nested = "FROM a:${".repeat(1000);
    for text in [
        long.as_str(),
        nested.as_str(),
        "FROM ${A:-${B:-${C:-x}}}\n",
        "\u{0}FROM",
        "FROM a\nCOPY --from= / /\nADD\n",
        "ARG =x\nFROM $\n",
        "FROM é:ü AS ß\nCOPY --from=ß / /\n",
    ] {
        let _ = parse(&SourceFile::new("D", "D", text));
    }
}

/// rails' devcontainer: a here-document after the command's first word.
#[test]
fn here_docs_anywhere_in_a_run_line() {
    let text = "FROM a\nRUN cat <<-EOF > $HOME/.my.cnf && chmod 600 $HOME/.my.cnf\n[client]\nssl=OFF\nEOF\nRUN echo done\n";
    let (m, d) = parsed(text);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(m.runs.len(), 2);
    assert_eq!(m.runs[0].here_docs[0].value, "[client]\nssl=OFF\n");
    let RunBody::Shell(s) = &m.runs[0].body else {
        panic!("shell form");
    };
    assert_eq!(&text[s.span.range()], s.value);
}

/// The script a shell analysis reads: comment lines blanked in place, `RUN <<EOF`
/// bodies, and nothing for exec form, PowerShell or other interpreters.
#[test]
fn run_scripts_for_the_shell_analysis() {
    let text = "FROM a\nRUN apt-get update && \\\n    # the tools\n    apt-get install -y curl\nRUN [\"sh\", \"-c\", \"echo\"]\nRUN <<EOF\ncurl -fsSL https://example.com/i.sh | sh\nEOF\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\nSHELL [\"pwsh\", \"-Command\"]\nRUN iwr https://example.com\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN echo hi\n";
    let (m, d) = parsed(text);
    assert!(d.is_empty(), "{d:?}");
    let scripts: Vec<Option<&str>> = m
        .runs
        .iter()
        .map(|r| r.script.as_ref().map(|s| s.value.as_str()))
        .collect();
    assert_eq!(
        scripts,
        [
            Some("apt-get update && \\\n               \n    apt-get install -y curl"),
            None,
            Some("curl -fsSL https://example.com/i.sh | sh\n"),
            None,
            None,
            Some("echo hi"),
        ]
    );
    for r in &m.runs {
        if let Some(s) = &r.script {
            assert_eq!(s.value.len(), s.span.end() - s.span.start());
        }
    }
    assert_eq!(m.runs[5].shell_name(), "bash");
    assert_eq!(m.runs[0].shell_name(), "sh");
    let curl = m.runs[2].file_span(tollgate_model::Span::new(0, 4));
    assert_eq!(&text[curl.range()], "curl");
}

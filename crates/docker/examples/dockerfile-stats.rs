//! Reads the Dockerfiles named on the command line and prints, per file, its image
//! references (what each names and how it is pinned) and its diagnostics; then totals.
//! For measuring the front end on a corpus:
//! `cargo run -p tollgate-docker --example dockerfile-stats -- $(find … -name Dockerfile)`.
#![allow(clippy::print_stdout)]

use tollgate_docker::{Target, parse};
use tollgate_model::SourceFile;
use tollgate_model::addr::ImageRef;

fn main() {
    let mut files = 0;
    let mut unreadable = 0;
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    let mut diagnostics = 0;
    for path in std::env::args().skip(1) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            unreadable += 1;
            continue;
        };
        files += 1;
        let f = SourceFile::new(path.as_str(), path.as_str(), text);
        let (m, diags) = parse(&f);
        for d in &diags {
            diagnostics += 1;
            let at = d
                .location
                .as_ref()
                .map(|l| format!(":{}:{}", l.start.line, l.start.column))
                .unwrap_or_default();
            println!("{path}{at}: diagnostic {}: {}", d.code.as_str(), d.message);
        }
        let Some(m) = m else { continue };
        for u in &m.images {
            let line = f.line_col(u.written.span.start()).line;
            let what = match &u.target {
                Target::Image { reference } => {
                    let r = ImageRef::parse(reference);
                    if r.is_pinned() {
                        "digest"
                    } else if r.is_floating() {
                        "floating"
                    } else {
                        "tag"
                    }
                }
                Target::Stage(_) => "stage",
                Target::Scratch => "scratch",
                Target::Unresolved => "unresolved",
            };
            *counts.entry(what).or_default() += 1;
            *counts.entry(u.via.as_str()).or_default() += 1;
            let shown = match &u.target {
                Target::Image { reference } if *reference != u.written.value => {
                    format!("{} -> {reference}", u.written.value)
                }
                _ => u.written.value.clone(),
            };
            println!("{path}:{line}: {} {shown} [{what}]", u.via.as_str());
        }
        *counts.entry("RUN").or_default() += m.runs.len();
        *counts.entry("RUN with a shell script").or_default() +=
            m.runs.iter().filter(|r| r.script.is_some()).count();
        *counts.entry("ADD url").or_default() += m.adds.len();
    }
    println!("files read: {files} (unreadable {unreadable}), diagnostics: {diagnostics}");
    for (k, v) in counts {
        println!("  {k}: {v}");
    }
}

//! Every configuration of `../shared/corpus-gitlab` (real GitLab CI files from public
//! repositories, with the local files they include) is read without an error and
//! resolves without a problem, except the one file that is invalid YAML. Skipped where the
//! corpus is absent.

#![allow(clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use tollgate_gitlab::{IncludeKind, Source, parse_file, resolve};
use tollgate_model::{Severity, SourceFile};

fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus-gitlab");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipped: ../shared/corpus-gitlab is not present");
        None
    }
}

/// Files of the corpus that GitLab itself rejects, with the reason.
const INVALID: &[&str] = &[];

#[test]
fn every_configuration_reads_and_resolves() {
    let Some(root) = corpus() else { return };
    let manifest = std::fs::read_to_string(root.join("MANIFEST.tsv")).expect("manifest");
    let mut repos: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for l in manifest.lines().skip(1) {
        let f: Vec<&str> = l.split('\t').collect();
        if f.len() >= 3 {
            repos
                .entry(f[0].to_owned())
                .or_default()
                .push(f[2].to_owned());
        }
    }
    let mut errors = Vec::new();
    let mut files = 0;
    let mut jobs = 0;
    for (repo, paths) in &repos {
        let sources: Vec<SourceFile> = paths
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(root.join(repo).join(p)).expect("read");
                SourceFile::new(p.as_str(), p.as_str(), text)
            })
            .collect();
        let mut models = Vec::new();
        for s in &sources {
            files += 1;
            let (m, diags) = parse_file(s);
            for d in diags.iter().filter(|d| d.severity == Severity::Error) {
                if !INVALID.contains(&format!("{repo}/{}", s.display).as_str()) {
                    errors.push(format!("{repo}/{}: {}", s.display, d.message));
                }
            }
            models.push(m);
        }
        let included: Vec<String> = models
            .iter()
            .flatten()
            .flat_map(|m| &m.includes)
            .filter(|i| i.kind == IncludeKind::Local)
            .map(|i| i.target.value.trim_start_matches('/').to_owned())
            .collect();
        // Each parsed file as the root of its configuration.
        for (i, m) in models.iter().enumerate() {
            let Some(m) = m else { continue };
            let mut order = vec![i];
            let mut k = 0;
            let mut src_idx: Vec<Vec<Option<usize>>> = Vec::new();
            while k < order.len() {
                let Some(model) = &models[order[k]] else {
                    src_idx.push(Vec::new());
                    k += 1;
                    continue;
                };
                let mut links = Vec::new();
                for inc in &model.includes {
                    let target = inc.target.value.trim_start_matches('/');
                    let found = (inc.kind == IncludeKind::Local)
                        .then(|| paths.iter().position(|p| p == target))
                        .flatten()
                        .filter(|&j| models[j].is_some());
                    links.push(found.map(|j| {
                        order.iter().position(|&o| o == j).unwrap_or_else(|| {
                            order.push(j);
                            order.len() - 1
                        })
                    }));
                }
                src_idx.push(links);
                k += 1;
            }
            let _ = m;
            let srcs: Vec<Source<'_>> = order
                .iter()
                .zip(&src_idx)
                .filter_map(|(&o, inc)| {
                    Some(Source {
                        file: &sources[o],
                        model: models[o].as_ref()?,
                        includes: inc,
                        inputs: &[],
                    })
                })
                .collect();
            let c = resolve(&srcs);
            // Problems are counted for the configurations GitLab reads as a whole: files
            // no other file includes (an included file alone lacks its siblings).
            if included.contains(&paths[i]) {
                continue;
            }
            jobs += c.jobs.len();
            for p in &c.problems {
                eprintln!("{repo}/{}: {}", c.files[p.file], p.message);
            }
        }
    }
    eprintln!("{files} files, {jobs} jobs");
    assert!(errors.is_empty(), "{errors:#?}");
}

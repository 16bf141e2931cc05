//! A configuration resolved: its files merged in GitLab's order, `!reference` replaced,
//! `extends:` and `default:` applied, every visible job read into the model.

use std::collections::HashMap;

use tollgate_model::{SourceFile, Span};

use crate::job;
use crate::model::{At, Config, GitlabFile, Include, Problem, Workflow};
use crate::tree::{Entry, Item, deep_merge, resolve_refs};

/// One file of a configuration, as the scanner read it.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    pub file: &'a SourceFile,
    pub model: &'a GitlabFile,
    /// The indexes in the sources of the local files `model.includes` name, in order
    /// (`None` for other kinds and for files that could not be read; a wildcard include
    /// names each file it matches).
    pub includes: &'a [Option<usize>],
    /// The `inputs:` the include that names this file gives it (empty for the root or
    /// a file included without inputs): its `$[[ inputs.NAME ]]` take these values,
    /// else its `spec:` defaults.
    pub inputs: &'a [(String, String)],
}

/// Top-level keys that are keywords, not jobs.
pub const KEYWORDS: &[&str] = &[
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "types",
    "spec",
];

/// Job keywords `default:` (and the deprecated top-level forms) give every job that does
/// not set them.
const DEFAULTS: &[&str] = &[
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
    "artifacts",
    "tags",
    "timeout",
    "retry",
    "interruptible",
    "id_tokens",
    "hooks",
];

/// Most `extends:` levels GitLab follows.
const MAX_EXTENDS_DEPTH: usize = 11;

/// Resolve the configuration whose root is `sources[0]`.
#[must_use]
pub fn resolve(sources: &[Source<'_>]) -> Config {
    let mut config = Config {
        files: sources.iter().map(|s| s.file.display.clone()).collect(),
        ..Config::default()
    };
    if sources.is_empty() {
        return config;
    }
    // Included files first (depth first, in order), each includer over what it includes.
    let mut order = Vec::new();
    let mut seen = vec![false; sources.len()];
    visit(sources, 0, &mut seen, &mut order);
    let mut top = Item::Map {
        file: 0,
        span: Span::empty(0),
        entries: Vec::new(),
    };
    for &i in &order {
        let s = &sources[i];
        for inc in &s.model.includes {
            let mut inc: Include = inc.clone();
            set_file(&mut inc, i);
            config.includes.push(inc);
            config.include_files.push(i);
        }
        if let Some(doc) = &s.model.document {
            if s.inputs.is_empty() && s.model.spec_inputs.is_empty() {
                deep_merge(&mut top, &Item::from_node(i, doc));
            } else {
                let doc = crate::inputs::interpolate(doc, s.inputs, &s.model.spec_inputs);
                deep_merge(&mut top, &Item::from_node(i, &doc));
            }
        }
    }
    let entries: Vec<Entry> = top.entries().map(<[Entry]>::to_vec).unwrap_or_default();
    let defaults = defaults(&top);
    // Every job and template with its `extends:` chain merged in; `!reference` looks
    // names up here, so a reference sees keys a job inherits.
    let mut extended: HashMap<String, Option<Item>> = HashMap::new();
    for e in &entries {
        if !KEYWORDS.contains(&e.name.as_str()) && e.value.entries().is_some() {
            let mut stack = Vec::new();
            extend(
                &e.name,
                &top,
                &mut extended,
                &mut stack,
                &mut config.problems,
            );
        }
    }
    let lookup = |name: &str| -> Option<Item> {
        extended
            .get(name)
            .cloned()
            .flatten()
            .or_else(|| top.get(name).cloned())
    };
    let mut ref_problems = Vec::new();
    let globals = top.get("variables").map(job::variables).unwrap_or_default();
    let workflow = crate::sources::Workflow::new(
        &crate::sources::workflow_rules(top.get("workflow")),
        &globals,
    );
    let sources_files: Vec<&SourceFile> = sources.iter().map(|s| s.file).collect();
    for e in &entries {
        if KEYWORDS.contains(&e.name.as_str()) || e.name.starts_with('.') {
            continue;
        }
        let Some(Some(mut item)) = extended.get(&e.name).cloned() else {
            continue;
        };
        apply_defaults(&mut item, &defaults);
        resolve_refs(&mut item, &lookup, 0, &mut ref_problems);
        let mut job = job::read(e, &item, &sources_files, &mut config.problems);
        job.sources = crate::sources::of_job(&item, &workflow);
        config.jobs.push(job);
    }
    let mut top = top.clone();
    for key in ["variables", "workflow", "stages"] {
        if let Item::Map { entries, .. } = &mut top
            && let Some(slot) = entries.iter_mut().find(|x| x.name == key)
        {
            resolve_refs(&mut slot.value, &lookup, 0, &mut ref_problems);
        }
    }
    // A reference in a template no job uses is read only if a job uses it: report each
    // problem once.
    ref_problems.sort_by_key(|(f, s, _)| (*f, s.start()));
    ref_problems.dedup_by_key(|(f, s, _)| (*f, s.start()));
    config.problems.extend(
        ref_problems
            .into_iter()
            .map(|(file, span, message)| Problem {
                file,
                span,
                message,
            }),
    );
    if let Some(v) = top.get("variables") {
        config.variables = job::variables(v);
    }
    if let Some(Item::Seq { items, .. }) = top.get("stages") {
        config.stages = items.iter().filter_map(job::text).collect();
    }
    if let Some(w) = top.entry("workflow") {
        config.workflow = Some(Workflow {
            at: At {
                file: w.file,
                span: w.key,
            },
            rules: w.value.entry("rules").map(|r| At {
                file: r.file,
                span: r.key,
            }),
            name: w.value.get("name").and_then(job::text),
            sources: crate::sources::of_workflow(&w.value, &config.variables),
        });
    }
    config
}

fn set_file(inc: &mut Include, file: usize) {
    inc.target.file = file;
    if let Some(r) = &mut inc.reference {
        r.file = file;
    }
    for f in &mut inc.files {
        f.file = file;
    }
}

fn visit(sources: &[Source<'_>], i: usize, seen: &mut [bool], order: &mut Vec<usize>) {
    if seen.get(i).copied().unwrap_or(true) {
        return;
    }
    seen[i] = true;
    for &next in sources[i].includes.iter().flatten() {
        visit(sources, next, seen, order);
    }
    order.push(i);
}

/// The job `name` with its `extends:` chain merged in, memoised; `None` for a name that
/// is not a mapping in the configuration or is in a cycle.
fn extend(
    name: &str,
    top: &Item,
    memo: &mut HashMap<String, Option<Item>>,
    stack: &mut Vec<String>,
    problems: &mut Vec<Problem>,
) -> Option<Item> {
    if let Some(done) = memo.get(name) {
        return done.clone();
    }
    let own = top.get(name).filter(|i| i.entries().is_some())?;
    if stack.iter().any(|s| s == name) || stack.len() >= MAX_EXTENDS_DEPTH {
        problems.push(Problem {
            file: own.file(),
            span: own.span(),
            message: format!("`extends:` of `{name}` loops or is nested too deep"),
        });
        return None;
    }
    let parents: Vec<(String, usize, Span)> = match own.get("extends") {
        Some(Item::Leaf { node, file }) => node
            .as_str()
            .map(|s| vec![(s.to_owned(), *file, node.span)])
            .unwrap_or_default(),
        Some(Item::Seq { items, .. }) => items
            .iter()
            .filter_map(|i| i.as_str().map(|s| (s.to_owned(), i.file(), i.span())))
            .collect(),
        _ => Vec::new(),
    };
    stack.push(name.to_owned());
    let mut base = Item::Map {
        file: own.file(),
        span: own.span(),
        entries: Vec::new(),
    };
    for (parent, file, span) in parents {
        match extend(&parent, top, memo, stack, problems) {
            Some(p) => deep_merge(&mut base, &p),
            None if top.get(&parent).is_none() => problems.push(Problem {
                file,
                span,
                message: format!("`extends: {parent}` names no job or template in the files read"),
            }),
            None => {}
        }
    }
    stack.pop();
    deep_merge(&mut base, own);
    if let Item::Map { file, span, .. } = &mut base {
        *file = own.file();
        *span = own.span();
    }
    memo.insert(name.to_owned(), Some(base.clone()));
    Some(base)
}

/// The `default:` keywords, with the deprecated top-level forms under them.
fn defaults(top: &Item) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for e in top.entries().unwrap_or_default() {
        if DEFAULTS.contains(&e.name.as_str()) {
            out.push(e.clone());
        }
    }
    if let Some(d) = top.get("default").and_then(Item::entries) {
        for e in d {
            if !DEFAULTS.contains(&e.name.as_str()) {
                continue;
            }
            match out.iter_mut().find(|x| x.name == e.name) {
                Some(slot) => *slot = e.clone(),
                None => out.push(e.clone()),
            }
        }
    }
    out
}

/// Give the job the defaults it does not set, unless `inherit: default:` says otherwise.
fn apply_defaults(job: &mut Item, defaults: &[Entry]) {
    let inherit = job.get("inherit").and_then(|i| i.get("default")).cloned();
    let allowed = |name: &str| match &inherit {
        None => true,
        Some(Item::Leaf { node, .. }) => crate::job::bool_of(node) != Some(false),
        Some(Item::Seq { items, .. }) => items.iter().any(|i| i.as_str() == Some(name)),
        Some(_) => true,
    };
    let Item::Map { entries, .. } = job else {
        return;
    };
    for d in defaults {
        if allowed(&d.name) && !entries.iter().any(|e| e.name == d.name) {
            entries.push(d.clone());
        }
    }
}

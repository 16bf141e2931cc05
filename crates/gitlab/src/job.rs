//! Reading one resolved job (a mapping of the merged tree) into the model.

use tollgate_model::SourceFile;
use tollgate_yaml::{Node, ScalarMap};

use crate::model::{
    At, Cache, Image, Include, Job, Line, Problem, Retry, Secret, Text, Trigger, Variable,
};
use crate::tree::{Entry, Item};

/// Script lists nest (a `!reference` inside a list is a list); GitLab flattens ten levels.
const MAX_SCRIPT_NESTING: usize = 10;

/// A scalar as a [`Text`].
pub(crate) fn text(item: &Item) -> Option<Text> {
    match item {
        Item::Leaf { file, node } if !node.is_null() => Some(Text {
            file: *file,
            value: node.as_str()?.to_owned(),
            span: node.span,
        }),
        _ => None,
    }
}

/// Booleans as GitLab's YAML reader (YAML 1.1) reads them: `yes`/`no`, `on`/`off`,
/// `true`/`false` in any of their capitalisations, unquoted.
#[must_use]
pub fn bool_of(node: &Node) -> Option<bool> {
    let s = node.as_scalar()?;
    if s.style != tollgate_yaml::Style::Plain {
        return None;
    }
    match s.value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "y" => Some(true),
        "false" | "no" | "off" | "n" => Some(false),
        _ => None,
    }
}

fn at(e: &Entry) -> At {
    At {
        file: e.file,
        span: e.key,
    }
}

/// A string or a list of strings.
fn texts(item: &Item) -> Vec<Text> {
    match item {
        Item::Seq { items, .. } => items.iter().filter_map(text).collect(),
        other => text(other).into_iter().collect(),
    }
}

fn lines(item: &Item, files: &[&SourceFile], out: &mut Vec<Line>, depth: usize) {
    match item {
        Item::Seq { items, .. } if depth < MAX_SCRIPT_NESTING => {
            for i in items {
                lines(i, files, out, depth + 1);
            }
        }
        Item::Leaf { file, node } if !node.is_null() => {
            let (Some(source), Some(value)) = (files.get(*file), node.as_str()) else {
                return;
            };
            let map =
                ScalarMap::new(source, node).unwrap_or_else(|| ScalarMap::at(node.span.start()));
            out.push(Line {
                text: Text {
                    file: *file,
                    value: value.to_owned(),
                    span: node.span,
                },
                map,
            });
        }
        _ => {}
    }
}

fn image(item: &Item) -> Option<Image> {
    if let Some(name) = text(item) {
        return Some(Image {
            name,
            entrypoint: Vec::new(),
            docker: Vec::new(),
            pull_policy: Vec::new(),
            alias: None,
        });
    }
    let name = text(item.get("name")?)?;
    let docker = item
        .get("docker")
        .and_then(Item::entries)
        .map(|es| {
            es.iter()
                .filter_map(|e| text(&e.value).map(|t| (e.name.clone(), t)))
                .collect()
        })
        .unwrap_or_default();
    Some(Image {
        name,
        entrypoint: item.get("entrypoint").map(texts).unwrap_or_default(),
        docker,
        pull_policy: item.get("pull_policy").map(texts).unwrap_or_default(),
        alias: item.get("alias").and_then(text),
    })
}

/// A `variables:` mapping: `NAME: value` or `NAME: {value:, description:, expand:}`.
pub(crate) fn variables(item: &Item) -> Vec<Variable> {
    let Some(entries) = item.entries() else {
        return Vec::new();
    };
    entries
        .iter()
        .map(|e| {
            let name = Text {
                file: e.file,
                value: e.name.clone(),
                span: e.key,
            };
            let (value, raw) = match &e.value {
                Item::Map { .. } => (
                    e.value.get("value").and_then(text),
                    matches!(e.value.get("expand"), Some(Item::Leaf { node, .. }) if bool_of(node) == Some(false)),
                ),
                other => (text(other), false),
            };
            Variable { name, value, raw }
        })
        .collect()
}

fn trigger(e: &Entry, files: &[&SourceFile], problems: &mut Vec<Problem>) -> Trigger {
    let mut t = Trigger {
        span: e.key,
        file: e.file,
        project: None,
        branch: None,
        include: Vec::new(),
        options: Vec::new(),
    };
    if let Some(p) = text(&e.value) {
        t.project = Some(p);
        return t;
    }
    t.project = e.value.get("project").and_then(text);
    t.branch = e.value.get("branch").and_then(text);
    if let Some(inc) = e.value.get("include") {
        t.include = trigger_includes(inc, files, problems);
    }
    for k in ["strategy", "forward"] {
        if e.value.get(k).is_some() {
            t.options.push(k.to_owned());
        }
    }
    t
}

/// A trigger's `include:`, read by the same rules as a file's.
fn trigger_includes(
    item: &Item,
    files: &[&SourceFile],
    problems: &mut Vec<Problem>,
) -> Vec<Include> {
    let node = to_node(item);
    let Some(source) = files.get(item.file()) else {
        return Vec::new();
    };
    let mut diags = Vec::new();
    let out = crate::parse::includes(&node, item.file(), source, &mut diags);
    problems.extend(diags.into_iter().map(|d| Problem {
        file: item.file(),
        span: item.span(),
        message: d.message,
    }));
    out
}

/// An item back as a node (spans kept; only for reading an include list, whose parts are
/// written in one file).
fn to_node(item: &Item) -> Node {
    match item {
        Item::Leaf { node, .. } => node.clone(),
        Item::Seq { span, items, .. } => Node {
            span: *span,
            kind: tollgate_yaml::NodeKind::Seq(items.iter().map(to_node).collect()),
            alias: None,
            tag: None,
        },
        Item::Map { span, entries, .. } => Node {
            span: *span,
            kind: tollgate_yaml::NodeKind::Map(
                entries
                    .iter()
                    .map(|e| {
                        let key = Node {
                            span: e.key,
                            kind: tollgate_yaml::NodeKind::Scalar(tollgate_yaml::Scalar {
                                value: e.name.clone(),
                                style: tollgate_yaml::Style::Plain,
                            }),
                            alias: None,
                            tag: None,
                        };
                        (key, to_node(&e.value))
                    })
                    .collect(),
            ),
            alias: None,
            tag: None,
        },
        Item::Ref { span, .. } => Node {
            span: *span,
            kind: tollgate_yaml::NodeKind::Seq(Vec::new()),
            alias: None,
            tag: None,
        },
    }
}

fn secrets(item: &Item) -> Vec<Secret> {
    const PROVIDERS: &[&str] = &[
        "vault",
        "gcp_secret_manager",
        "azure_key_vault",
        "aws_secrets_manager",
        "akeyless",
        "gitlab_secrets_manager",
    ];
    item.entries()
        .unwrap_or_default()
        .iter()
        .map(|e| Secret {
            name: Text {
                file: e.file,
                value: e.name.clone(),
                span: e.key,
            },
            provider: e
                .value
                .entries()
                .unwrap_or_default()
                .iter()
                .find(|x| PROVIDERS.contains(&x.name.as_str()))
                .map(|x| x.name.clone()),
            token: e.value.get("token").and_then(text),
        })
        .collect()
}

/// The job `e` (its key) with its resolved mapping `item`.
pub(crate) fn read(
    e: &Entry,
    item: &Item,
    files: &[&SourceFile],
    problems: &mut Vec<Problem>,
) -> Job {
    let get = |k: &str| item.entry(k);
    let script = |k: &str| {
        let mut out = Vec::new();
        if let Some(x) = item.get(k) {
            lines(x, files, &mut out, 0);
        }
        out
    };
    let services = match item.get("services") {
        Some(Item::Seq { items, .. }) => items.iter().filter_map(image).collect(),
        _ => Vec::new(),
    };
    let environment = item
        .get("environment")
        .and_then(|env| text(env).or_else(|| env.get("name").and_then(text)));
    let needs = match item.get("needs") {
        Some(Item::Seq { items, .. }) => items
            .iter()
            .filter_map(|n| text(n).or_else(|| n.get("job").and_then(text)))
            .collect(),
        _ => Vec::new(),
    };
    let own = if e.value.file() == e.file {
        e.key.cover(e.value.span())
    } else {
        e.key
    };
    Job {
        name: Text {
            file: e.file,
            value: e.name.clone(),
            span: e.key,
        },
        span: own,
        extends: item.get("extends").map(texts).unwrap_or_default(),
        stage: item.get("stage").and_then(text),
        image: item.get("image").and_then(image),
        services,
        before_script: script("before_script"),
        script: script("script"),
        after_script: script("after_script"),
        variables: item.get("variables").map(variables).unwrap_or_default(),
        rules: get("rules").map(at),
        only: get("only").map(at),
        except: get("except").map(at),
        needs,
        cache: get("cache").map(at),
        caches: get("cache").map(caches).unwrap_or_default(),
        retry: get("retry").and_then(retry),
        artifacts: get("artifacts").map(at),
        trigger: get("trigger").map(|t| trigger(t, files, problems)),
        id_tokens: item
            .get("id_tokens")
            .and_then(Item::entries)
            .unwrap_or_default()
            .iter()
            .map(|t| Text {
                file: t.file,
                value: t.name.clone(),
                span: t.key,
            })
            .collect(),
        secrets: item.get("secrets").map(secrets).unwrap_or_default(),
        tags: item.get("tags").map(texts).unwrap_or_default(),
        environment,
        release: get("release").map(at),
        timeout: item.get("timeout").and_then(text),
        allow_failure: match item.get("allow_failure") {
            Some(Item::Leaf { node, .. }) => bool_of(node),
            // `allow_failure: {exit_codes: …}` allows some failures.
            Some(Item::Map { .. }) => Some(true),
            _ => None,
        },
        when: item.get("when").and_then(text),
        matrix: item
            .get("parallel")
            .and_then(|p| p.get("matrix"))
            .map(matrix)
            .unwrap_or_default(),
        // Set by the resolver, which knows the top-level `variables:`.
        sources: crate::sources::Sources::default(),
        sessions_made: crate::model::Made::default(),
    }
}

/// `parallel: matrix:`: a list of mappings of variables to a value or a list of values.
fn matrix(item: &Item) -> Vec<Vec<(String, Vec<Text>)>> {
    let Item::Seq { items, .. } = item else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(Item::entries)
        .map(|entries| {
            entries
                .iter()
                .map(|e| (e.name.clone(), texts(&e.value)))
                .collect()
        })
        .collect()
}

/// `cache:`: one mapping or a list of them.
fn caches(e: &Entry) -> Vec<Cache> {
    let one = |item: &Item| -> Option<Cache> {
        item.entries()?;
        let policy = item.get("policy").and_then(text);
        Some(Cache {
            at: at(e),
            paths: item.get("paths").map(texts).unwrap_or_default(),
            restores: policy.is_none_or(|p| p.value.trim() != "push"),
        })
    };
    match &e.value {
        Item::Seq { items, .. } => items.iter().filter_map(one).collect(),
        other => one(other).into_iter().collect(),
    }
}

/// `retry:`: a number, or a mapping of `max:`, `when:` and `exit_codes:`.
fn retry(e: &Entry) -> Option<Retry> {
    let number = |item: &Item| text(item).and_then(|t| t.value.trim().parse::<u32>().ok());
    if let Some(max) = number(&e.value) {
        return Some(Retry {
            at: at(e),
            max,
            when: Vec::new(),
            exit_codes: false,
        });
    }
    e.value.entries()?;
    Some(Retry {
        at: at(e),
        max: e.value.get("max").and_then(number).unwrap_or(0),
        when: e
            .value
            .get("when")
            .map(texts)
            .unwrap_or_default()
            .into_iter()
            .map(|t| t.value.trim().to_owned())
            .collect(),
        exit_codes: e.value.get("exit_codes").is_some(),
    })
}

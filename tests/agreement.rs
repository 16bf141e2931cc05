//! `graph`, `inventory` and `egress` read the same graph, so they agree on every job: the
//! hosts a job reaches (outside GitHub's own service) and the token permissions it holds
//! are the same in all three outputs, on the demo and on every repository of the corpus.
//! `unpinned-image` is a query over the same graph: each of its findings is where a
//! `pulls` edge into an image not pinned by digest is written.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::{json, testdata, tollgate};
use serde_json::Value;

/// (workflow path, job id) → a set of strings.
type PerJob = BTreeMap<(String, String), BTreeSet<String>>;

fn doc(cmd: &str, path: &Path) -> Value {
    let out = tollgate()
        .args([cmd, "--format", "json"])
        .arg(path)
        .output()
        .expect("runs");
    json(&out.stdout)
}

/// The findings of `rule` alone on `path` (`extra`: more options of `check`).
fn findings(path: &Path, rule: &str, extra: &[&str]) -> Vec<Value> {
    let out = tollgate()
        .args(["check", "--format", "json", "--select", rule])
        .args(extra)
        .arg(path)
        .output()
        .expect("runs");
    match json(&out.stdout).get_mut("findings").map(Value::take) {
        Some(Value::Array(v)) => v,
        _ => panic!("no findings array for {rule} in {}", path.display()),
    }
}

/// The graph document's nodes by id.
fn nodes_by_id(g: &Value) -> BTreeMap<u64, &Value> {
    g["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| Some((n["id"].as_u64()?, n)))
        .collect()
}

/// Every edge of the JSON graph `g` with its source and target nodes, in order.
fn edges_with_nodes<'a>(
    g: &'a Value,
    nodes: &BTreeMap<u64, &'a Value>,
) -> Vec<(&'a Value, &'a Value, &'a Value)> {
    g["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| {
            let from = nodes.get(&e["from"].as_u64()?)?;
            let to = nodes.get(&e["to"].as_u64()?)?;
            Some((e, *from, *to))
        })
        .collect()
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn key(j: &Value) -> (String, String) {
    (
        j["workflow"].as_str().unwrap_or("").to_owned(),
        j["job"].as_str().unwrap_or("").to_owned(),
    )
}

/// The jobs of the graph document with the hosts they reach and the permissions they
/// hold, from their outgoing `reaches` and `holds` edges.
fn from_graph(g: &Value) -> (PerJob, PerJob) {
    let nodes = nodes_by_id(g);
    let mut hosts = PerJob::new();
    let mut perms = PerJob::new();
    for (e, from, to) in edges_with_nodes(g, &nodes) {
        if from["kind"] != "job" {
            continue;
        }
        let k = (
            from["location"]["path"].as_str().unwrap_or("").to_owned(),
            from["attrs"]["id"].as_str().unwrap_or("").to_owned(),
        );
        let label = to["label"].as_str().unwrap_or("").to_owned();
        match (e["kind"].as_str(), to["kind"].as_str()) {
            (Some("reaches"), Some("host")) => {
                hosts.entry(k).or_default().insert(label);
            }
            (Some("holds"), Some("permission")) => {
                perms.entry(k).or_default().insert(label);
            }
            _ => {}
        }
    }
    (hosts, perms)
}

fn agree(path: &Path) {
    let graph = doc("graph", path);
    let inventory = doc("inventory", path);
    let egress = doc("egress", path);
    let (graph_hosts, graph_perms) = from_graph(&graph);

    let mut checked = 0;
    for j in inventory["jobs"].as_array().expect("jobs") {
        let k = key(j);
        let inv_hosts = strings(&j["hosts"]);
        let in_graph = graph_hosts.get(&k).cloned().unwrap_or_default();
        assert_eq!(inv_hosts, in_graph, "hosts of {k:?} in {}", path.display());
        // Inventory writes `scope: level` (and `repository default`); the graph labels
        // permission nodes `scope: level` (and `default token permissions`).
        let inv_perms: BTreeSet<String> = strings(&j["permissions"])
            .into_iter()
            .map(|p| {
                if p == "repository default" {
                    "default token permissions".to_owned()
                } else {
                    p
                }
            })
            .collect();
        let held = graph_perms.get(&k).cloned().unwrap_or_default();
        assert_eq!(
            inv_perms,
            held,
            "permissions of {k:?} in {}",
            path.display()
        );
        checked += 1;
    }
    for j in egress["jobs"].as_array().expect("jobs") {
        let k = key(j);
        let external: BTreeSet<String> = j["destinations"]
            .as_array()
            .expect("destinations")
            .iter()
            .filter(|d| {
                !d["provenance"]
                    .as_array()
                    .is_some_and(|p| p.iter().all(|p| p["platform"] == true))
            })
            .filter_map(|d| d["host"].as_str().map(str::to_owned))
            .collect();
        let in_graph = graph_hosts.get(&k).cloned().unwrap_or_default();
        assert_eq!(external, in_graph, "egress of {k:?} in {}", path.display());
    }
    assert!(checked > 0, "no job in {}", path.display());
}

/// (path, line, column) of a location in a JSON document.
fn place(l: &Value) -> (String, u64, u64) {
    (
        l["path"].as_str().unwrap_or("").to_owned(),
        l["line"].as_u64().unwrap_or(0),
        l["column"].as_u64().unwrap_or(0),
    )
}

/// How many `unpinned-image` findings of `path` there are; panics on one that is not
/// at the origin of a `pulls` edge into an image node whose pin state is not a digest.
fn unpinned_images_are_pulls_edges(path: &Path) -> usize {
    let graph = doc("graph", path);
    let images: BTreeMap<u64, &str> = graph["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|n| n["kind"] == "image")
        .filter_map(|n| Some((n["id"].as_u64()?, n["attrs"]["reference"].as_str()?)))
        .collect();
    let unpinned: BTreeSet<(String, u64, u64)> = graph["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter(|e| e["kind"] == "pulls")
        .filter(|e| {
            e["to"]
                .as_u64()
                .and_then(|i| images.get(&i))
                .is_some_and(|r| {
                    tollgate_graph::ImagePin::of(r) != tollgate_graph::ImagePin::Digest
                })
        })
        .map(|e| place(&e["location"]))
        .collect();
    let findings = findings(
        path,
        "unpinned-image",
        &["--min-confidence", "low", "--no-ignores"],
    );
    for f in &findings {
        let at = place(&f["location"]);
        assert!(
            unpinned.contains(&at),
            "{at:?} is no pulls edge into an unpinned image: {}",
            f["message"]
        );
    }
    findings.len()
}

#[test]
fn unpinned_image_findings_are_pulls_edges_on_the_demo() {
    assert!(unpinned_images_are_pulls_edges(&testdata("demo")) > 0);
}

#[test]
fn unpinned_image_findings_are_pulls_edges_on_the_corpus() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    assert!(unpinned_images_are_pulls_edges(&corpus) > 0);
}

/// The repositories of the corpus with workflows, sorted; `None` without the corpus.
fn corpus_repositories() -> Option<Vec<std::path::PathBuf>> {
    let corpus = common::corpus()?;
    let mut repos: Vec<_> = std::fs::read_dir(&corpus)
        .expect("corpus")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join(".github/workflows").is_dir())
        .collect();
    repos.sort();
    assert!(repos.len() >= 30, "{} repositories", repos.len());
    Some(repos)
}

#[test]
fn graph_inventory_and_egress_agree_on_the_demo() {
    agree(&testdata("demo"));
}

#[test]
fn graph_inventory_and_egress_agree_on_every_corpus_repository() {
    let Some(repos) = corpus_repositories() else {
        return;
    };
    for r in &repos {
        agree(r);
    }
}

/// `missing-job-timeout` counts the hosts the egress pass gave the job in the graph,
/// outside GitHub's own: on the demo, `publish` reaches PyPI's three hosts
/// (files.pythonhosted.org, pypi.org, upload.pypi.org) besides GitHub, and `docker` only
/// ghcr.io. Before, it added the inventory's own host names (`docker.io` for an image)
/// to the egress ones and counted one host too many for every job pulling an image.
#[test]
fn missing_job_timeout_counts_the_hosts_of_the_graph() {
    let out = tollgate()
        .args([
            "check",
            "--format",
            "json",
            "--select",
            "missing-job-timeout",
        ])
        .arg(testdata("demo"))
        .output()
        .expect("runs");
    let doc = json(&out.stdout);
    let messages: BTreeMap<String, String> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["job"].as_str().unwrap_or("").to_owned(),
                f["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert!(
        messages["publish"].contains("reaches `files.pythonhosted.org` and 2 more hosts"),
        "{messages:#?}"
    );
    assert!(
        messages["docker"].contains("reaches `ghcr.io` but"),
        "{messages:#?}"
    );
    // `test` pulls node:20 and postgres:16 from Docker Hub: its five endpoints (the
    // registry, its token service, the Cloudflare and CloudFront CDNs and the R2 host of
    // anonymous pulls), not also `docker.io`.
    assert!(
        messages["test"].contains("reaches `auth.docker.io` and 14 more hosts"),
        "{messages:#?}"
    );
}

/// The places `missing-fallback` reports, as (path, line, column).
type Sites = BTreeSet<(String, u64, u64)>;

/// `missing-fallback` and `inventory` read the same delivery dependencies (the delivery
/// pass's record): the rule reports exactly the places where the inventory lists an
/// external dependency used with no fallback (caches themselves aside).
fn fallbacks_agree(path: &Path) -> usize {
    let inventory = doc("inventory", path);
    let mut listed = Sites::new();
    for d in inventory["dependencies"].as_array().expect("dependencies") {
        if d["external"] != true || d["kind"] == "cache" {
            continue;
        }
        for u in d["uses"].as_array().expect("uses") {
            if u["fallbacks"].as_array().is_some_and(|f| f.is_empty()) {
                listed.insert(place(&u["location"]));
            }
        }
    }
    let reported: Sites = findings(path, "missing-fallback", &[])
        .iter()
        .map(|f| place(&f["location"]))
        .collect();
    assert_eq!(
        reported,
        listed,
        "missing-fallback against inventory in {}",
        path.display()
    );
    reported.len()
}

#[test]
fn missing_fallback_reports_what_the_inventory_lists_without_fallback() {
    assert!(fallbacks_agree(&testdata("demo")) > 0);
    let Some(repos) = corpus_repositories() else {
        return;
    };
    let total: usize = repos.iter().map(|r| fallbacks_agree(r)).sum();
    assert!(total > 0, "no missing-fallback finding in the corpus");
}

/// `dangerous-trigger` is a query over the trust facts of the graph, so the two agree:
/// every finding lies in a step with a `checks-out` edge, in a job whose workflow has a
/// trigger anyone can fire with the base repository's token and secrets; and every
/// `checks-out` edge of the graph is at a finding (the graph draws one edge per step,
/// at one of the step's checkouts, so a step with two is at two findings).
fn checkouts_agree(path: &Path) -> usize {
    let graph = doc("graph", path);
    let check = findings(path, "dangerous-trigger", &[]);
    let nodes = nodes_by_id(&graph);
    // Workflows with a privileged trigger anyone can fire, by node id.
    let privileged: BTreeSet<u64> = nodes
        .values()
        .filter(|n| {
            n["kind"] == "trigger"
                && n["attrs"]["trust"] == "anyone"
                && n["attrs"]["privileged"] == "true"
        })
        .filter_map(|n| n["parent"].as_u64())
        .collect();
    // Steps with a `checks-out` edge (by where the step is written), and where each edge is.
    let mut steps = BTreeSet::new();
    let mut edges = BTreeSet::new();
    for e in graph["edges"].as_array().expect("edges") {
        if e["kind"] != "checks-out" {
            continue;
        }
        let step = e["from"]
            .as_u64()
            .and_then(|i| nodes.get(&i))
            .expect("from");
        assert_eq!(step["kind"], "step", "{e}");
        let workflow = step["parent"]
            .as_u64()
            .and_then(|j| nodes.get(&j))
            .and_then(|j| j["parent"].as_u64())
            .expect("step → job → workflow");
        assert!(privileged.contains(&workflow), "{e} in {}", path.display());
        steps.insert(place(&step["location"]));
        edges.insert(place(&e["location"]));
    }
    let mut located = BTreeSet::new();
    for f in &check {
        let hops = f["path"].as_array().expect("path");
        // The step hop, before the guard (if any) and the checkout.
        let step = hops
            .iter()
            .rev()
            .find(|h| h["label"].as_str().is_some_and(|l| l.starts_with("step ")))
            .expect("a step hop");
        assert!(
            steps.contains(&place(&step["location"])),
            "finding outside a step with a checks-out edge: {f}"
        );
        located.insert(place(&f["location"]));
    }
    assert!(
        edges.is_subset(&located),
        "checks-out edges without a finding in {}: {:?}",
        path.display(),
        edges.difference(&located).collect::<Vec<_>>()
    );
    check.len()
}

#[test]
fn dangerous_trigger_findings_are_the_checkouts_of_the_graph() {
    assert!(checkouts_agree(&testdata("rules/dangerous-trigger/fires-prt-head-sha")) > 0);
    assert!(checkouts_agree(&testdata("rules/dangerous-trigger/fires-gh-pr-checkout")) > 0);
    assert_eq!(
        checkouts_agree(&testdata("rules/dangerous-trigger/clean-pull-request")),
        0
    );
    let Some(repos) = corpus_repositories() else {
        return;
    };
    let found: usize = repos.iter().map(|r| checkouts_agree(r)).sum();
    // python-poetry's docs workflow (`pull_request_target`) and wasmtime's performance
    // workflow (`issue_comment`, a fetch and a checkout of pull request refs).
    assert!(found >= 3, "{found} findings");
}

/// Scope → level, as `scope: level` lines write it.
type Scopes = BTreeMap<String, String>;

/// Per job, the permissions its steps (and, for a job that calls a workflow, the job
/// itself) require in the graph, at the highest level required.
fn required(g: &Value) -> BTreeMap<(String, String), Scopes> {
    let nodes = nodes_by_id(g);
    let job_key = |n: &Value| {
        (
            n["location"]["path"].as_str().unwrap_or("").to_owned(),
            n["attrs"]["id"].as_str().unwrap_or("").to_owned(),
        )
    };
    let mut out: BTreeMap<(String, String), Scopes> = BTreeMap::new();
    for (e, from, to) in edges_with_nodes(g, &nodes) {
        if e["kind"] != "requires" {
            continue;
        }
        // A step's job is its parent; local actions' needs are on the calling step.
        let job = match from["kind"].as_str() {
            Some("job") => from,
            Some("step") => match from["parent"].as_u64().and_then(|p| nodes.get(&p)) {
                Some(j) if j["kind"] == "job" => *j,
                _ => panic!("a requires edge from a step outside a job: {e}"),
            },
            _ => panic!("a requires edge from a {}", from["kind"]),
        };
        let label = to["label"].as_str().unwrap_or("");
        let (scope, level) = match to["kind"].as_str() {
            Some("oidc") => ("id-token", "write"),
            Some("permission") => label.split_once(": ").expect("scope: level"),
            _ => panic!("a requires edge to a {}", to["kind"]),
        };
        let e = out.entry(job_key(job)).or_default();
        let l = e.entry(scope.to_owned()).or_default();
        if l.as_str() != "write" {
            level.clone_into(l);
        }
    }
    out
}

/// The `scope: level` lines of a least-privilege block in a help text, per job.
fn blocks(path: &str, job: Option<&str>, help: &str) -> Vec<((String, String), Scopes)> {
    let mut out: Vec<((String, String), Scopes)> = Vec::new();
    for line in help.lines() {
        let t = line.trim();
        let named = t
            .strip_prefix("least-privilege block for job `")
            .or_else(|| t.strip_prefix("job `"))
            .and_then(|r| r.strip_suffix("`:"));
        if let Some(id) = named {
            out.push(((path.to_owned(), id.to_owned()), Scopes::new()));
        } else if let Some((scope, rest)) = t.split_once(": ")
            && let Some((level, _why)) = rest.split_once(" # ")
            && let Some((_, s)) = out.last_mut()
        {
            s.insert(scope.to_owned(), level.to_owned());
        }
    }
    if let Some(j) = job {
        assert!(out.iter().all(|((_, id), _)| id == j), "{help}");
    }
    out
}

/// `broad-permissions` judges what each job needs from what the needs pass wrote into the
/// graph: every least-privilege block it suggests lists exactly the permissions the
/// `requires` edges of the job's steps name, at the highest level they name, on the demo
/// and on every repository of the corpus.
fn needs_agree(path: &Path) -> usize {
    let graph = doc("graph", path);
    let req = required(&graph);
    let mut checked = 0;
    for f in &findings(path, "broad-permissions", &[]) {
        let file = f["location"]["path"].as_str().expect("path");
        let help = f["help"].as_str().unwrap_or("");
        for (k, scopes) in blocks(file, f["job"].as_str(), help) {
            let edges = req.get(&k).cloned().unwrap_or_default();
            assert_eq!(scopes, edges, "{k:?} in {}", path.display());
            checked += 1;
        }
    }
    checked
}

#[test]
fn broad_permissions_reads_the_needs_the_graph_holds_on_the_demo() {
    assert!(needs_agree(&testdata("demo")) > 0);
}

#[test]
fn broad_permissions_reads_the_needs_the_graph_holds_on_every_corpus_repository() {
    let Some(repos) = corpus_repositories() else {
        return;
    };
    let checked: usize = repos.iter().map(|r| needs_agree(r)).sum();
    assert!(checked > 100, "{checked} blocks");
}

/// The ancestor keys of line `line` (1-based) of a YAML file, innermost first: the keys of
/// the lines above it that are less indented, each less than the one before.
fn ancestor_keys(text: &str, line: usize) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let Some(mut current) = lines.get(line.saturating_sub(1)).map(|l| indent(l)) else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    for l in lines[..line.saturating_sub(1)].iter().rev() {
        let t = l.trim_start().trim_start_matches("- ");
        if t.is_empty() || t.starts_with('#') || indent(l) >= current {
            continue;
        }
        current = indent(l);
        if let Some((k, _)) = t.split_once(':') {
            keys.push(k.trim().to_owned());
        }
    }
    keys
}

/// Secrets in the graph: every secret a job `holds` is read by one of its steps or
/// handed to the workflow it calls (a `reads` edge), but for those that only its
/// `container:`, `services:` or `outputs:` name (the runner reads those, to start a
/// container or log in to a registry, and no step does) and the workflow's `env:` held by
/// a job without steps (GitHub does not pass a caller's `env:` to the workflow it calls).
/// And every `secrets-exposure` finding is at the origin of a `reads` edge: the rule
/// reports what the edges say.
fn secrets_agree(path: &Path) -> usize {
    let graph = doc("graph", path);
    let nodes = nodes_by_id(&graph);
    // (job id, secret id) held, with where; (reader's job, secret id) read.
    let mut held: BTreeMap<(u64, u64), Value> = BTreeMap::new();
    let mut read: BTreeSet<(u64, u64)> = BTreeSet::new();
    let mut origins = BTreeSet::new();
    let mut with_steps = BTreeSet::new();
    for e in graph["edges"].as_array().expect("edges") {
        let (Some(from), Some(to)) = (e["from"].as_u64(), e["to"].as_u64()) else {
            continue;
        };
        match e["kind"].as_str() {
            Some("contains") if nodes.get(&to).is_some_and(|n| n["kind"] == "step") => {
                with_steps.insert(from);
            }
            Some("holds") if nodes.get(&to).is_some_and(|n| n["kind"] == "secret") => {
                held.insert((from, to), e["location"].clone());
            }
            Some("reads") => {
                origins.insert(place(&e["location"]));
                let reader = nodes.get(&from).expect("reader");
                let job = if reader["kind"] == "job" {
                    Some(from)
                } else {
                    reader["parent"].as_u64()
                };
                if let Some(job) = job {
                    read.insert((job, to));
                }
            }
            _ => {}
        }
    }
    for ((job, secret), location) in &held {
        if read.contains(&(*job, *secret)) {
            continue;
        }
        let (file, line, _) = place(location);
        let text = std::fs::read_to_string(path.join(&file)).expect("workflow");
        let keys = ancestor_keys(&text, line as usize);
        let workflow_env = keys == ["env"];
        assert!(
            keys.iter()
                .any(|k| matches!(k.as_str(), "container" | "services" | "outputs"))
                || (workflow_env && !with_steps.contains(job)),
            "{} holds {} at {file}:{line} (under {keys:?}) but nothing reads it",
            nodes[job]["label"],
            nodes[secret]["label"]
        );
    }
    let findings = findings(path, "secrets-exposure", &[]);
    for f in &findings {
        let loc = place(&f["location"]);
        assert!(
            origins.contains(&loc),
            "finding `{}` at {loc:?} is at no `reads` edge",
            f["message"]
        );
    }
    findings.len()
}

#[test]
fn every_held_secret_is_read_and_every_exposure_is_a_read_on_the_rule_fixtures() {
    let mut found = 0;
    for case in [
        "fires-unpinned-action",
        "fires-echo-and-writes",
        "fires-workflow-env-and-whole",
    ] {
        found += secrets_agree(&testdata(&format!("rules/secrets-exposure/{case}")));
    }
    assert!(found >= 9, "{found} findings");
}

#[test]
fn every_held_secret_is_read_and_every_exposure_is_a_read_on_the_corpus() {
    let Some(repos) = corpus_repositories() else {
        return;
    };
    let found: usize = repos.iter().map(|r| secrets_agree(r)).sum();
    assert!(found > 0, "no secrets-exposure finding on the corpus");
}

/// A source URL as the package policy compares it: no scheme or transport prefix, no
/// credentials or port, no trailing `/` or `.git`.
fn comparable(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = host.split(':').next().unwrap_or(host);
    let joined = format!("{host}/{path}");
    let t = joined.trim_end_matches('/');
    t.strip_suffix(".git").unwrap_or(t).to_ascii_lowercase()
}

/// Whether the default package policy (no allow entries) rejects a `source` node of the
/// graph document: not the ecosystem's public registry, not on the runner itself, and a
/// place written out (not `${VAR}`, Go's `direct`/`off`, or a vendored directory).
fn rejected(n: &Value) -> bool {
    let a = &n["attrs"];
    let url = a["url"].as_str().unwrap_or("").trim();
    let local = tollgate_graph::util::host_of(url)
        .is_some_and(|h| matches!(h.as_str(), "localhost" | "127.0.0.1" | "[::1]" | "::1"));
    a["default"] != "true"
        && !local
        && !url.is_empty()
        && !url.contains('$')
        && !matches!(url, "direct" | "off")
        && !url.starts_with("directory:")
        && !url.starts_with("local-registry:")
}

/// The URL a lockfile-entry finding names (the second value in backticks).
fn named_url(message: &str) -> Option<&str> {
    message.split('`').nth(3)
}

/// How many places naming a rejected source `path` has; panics where the graph and
/// `unknown-package-source` disagree. Every `resolves-from` edge into a `source` node the
/// default policy rejects is a place the rule reports: a registry configuration entry,
/// an `env:` variable (of a workflow, job or step) and an install option (of a manager
/// with a registry model, written as a URL) at the edge itself; a lockfile entry by a
/// finding in that lockfile for that source (entries are grouped per lockfile and
/// source, at the first). Conversely every finding is in a file where the graph has a
/// source named, and a finding in a workflow is at such an edge.
fn sources_agree(path: &Path) -> usize {
    let graph = doc("graph", path);
    let nodes = nodes_by_id(&graph);
    let all = findings(path, "unknown-package-source", &["--no-ignores"]);
    let at: BTreeSet<(String, u64, u64)> = all.iter().map(|f| place(&f["location"])).collect();
    let mut named_at: BTreeSet<(String, u64, u64)> = BTreeSet::new();
    let mut checked = 0;
    for (e, from, to) in edges_with_nodes(&graph, &nodes) {
        if e["kind"] != "resolves-from" {
            continue;
        }
        if to["kind"] != "source" {
            continue;
        }
        let origin = place(&e["location"]);
        named_at.insert(origin.clone());
        if !rejected(to) {
            continue;
        }
        let url = to["attrs"]["url"].as_str().unwrap_or("");
        match from["kind"].as_str().unwrap_or("") {
            "registry-config" | "workflow" | "job" | "step" => {
                assert!(at.contains(&origin), "{origin:?}: `{url}` not reported");
            }
            "command" => {
                if to["attrs"]["ecosystem"].is_string() && url.contains("://") {
                    assert!(at.contains(&origin), "{origin:?}: `{url}` not reported");
                } else {
                    continue;
                }
            }
            "package" => {
                let host = tollgate_graph::util::host_of(url);
                let reported = all.iter().any(|f| {
                    place(&f["location"]).0 == origin.0
                        && f["message"].as_str().and_then(named_url).is_some_and(|m| {
                            comparable(m) == comparable(url) || host.as_deref() == Some(m)
                        })
                });
                assert!(reported, "{origin:?}: entries from `{url}` not reported");
            }
            // A lockfile's own index options are reported through its entries.
            _ => continue,
        }
        checked += 1;
    }
    let files: BTreeSet<&str> = named_at.iter().map(|p| p.0.as_str()).collect();
    for f in &all {
        let p = place(&f["location"]);
        assert!(
            files.contains(p.0.as_str()),
            "{p:?} names no source in the graph: {}",
            f["message"]
        );
        if p.0.contains(".github/workflows/") {
            assert!(named_at.contains(&p), "{p:?}: {}", f["message"]);
        }
    }
    checked
}

#[test]
fn unknown_package_source_reports_the_rejected_sources_of_the_graph() {
    let mut checked = sources_agree(&testdata("demo"));
    assert!(checked > 0);
    for entry in std::fs::read_dir(testdata("rules/unknown-package-source")).expect("cases") {
        let dir = entry.expect("case").path();
        if dir
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("fires-"))
        {
            checked += sources_agree(&dir);
        }
    }
    // The job `env:`, the extra index of an install, the scoped `.npmrc`, the cargo
    // replacement and the lockfile entries of the fixtures, at least.
    assert!(checked >= 8, "{checked}");
    let Some(repos) = corpus_repositories() else {
        return;
    };
    let mut corpus = 0;
    for repo in &repos {
        corpus += sources_agree(repo);
    }
    assert!(corpus > 0, "no rejected source in the corpus");
}

//! GitLab CI pipelines in the graph's outputs: includes of outside configuration as
//! `include` nodes with their pin state, runners selected by `tags:`, and the same in
//! the DOT, Mermaid and overview renderings (fixture `testdata/gitlab/graph`, read by
//! hand: see its `.gitlab-ci.yml`).

mod common;

use common::{json, testdata, tollgate};

fn run(args: &[&str]) -> Vec<u8> {
    let out = tollgate()
        .args(args)
        .arg(testdata("gitlab/graph"))
        .output()
        .expect("runs");
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn graph() -> serde_json::Value {
    json(&run(&["graph", "--format", "json"]))
}

fn nodes<'a>(doc: &'a serde_json::Value, kind: &str) -> Vec<&'a serde_json::Value> {
    doc["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|n| n["kind"] == kind)
        .collect()
}

/// (from label, edge kind, to label) of every edge into a node of `kind`.
fn edges_into(doc: &serde_json::Value, kind: &str) -> Vec<(String, String, String)> {
    let all = doc["nodes"].as_array().expect("nodes");
    let label = |id: &serde_json::Value| {
        all.iter()
            .find(|n| n["id"] == *id)
            .map(|n| n["label"].as_str().unwrap_or_default().to_owned())
            .unwrap_or_default()
    };
    let of = |id: &serde_json::Value| all.iter().find(|n| n["id"] == *id).map(|n| &n["kind"]);
    doc["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter(|e| of(&e["to"]).is_some_and(|k| k == kind))
        .map(|e| {
            (
                label(&e["from"]),
                e["kind"].as_str().unwrap_or_default().to_owned(),
                label(&e["to"]),
            )
        })
        .collect()
}

/// Each outside include is a node with its pin state (one per file of a project
/// include); the pipeline uses them, the job that triggers a child pipeline uses its
/// include; local includes are no node (their jobs are the pipeline's).
#[test]
fn includes_are_nodes_with_their_pin_state() {
    let doc = graph();
    let mut got: Vec<(String, String, String)> = nodes(&doc, "include")
        .iter()
        .map(|n| {
            (
                n["label"].as_str().unwrap_or_default().to_owned(),
                n["attrs"]["pin"].as_str().unwrap_or_default().to_owned(),
                format!(
                    "{}:{}",
                    n["location"]["path"]
                        .as_str()
                        .and_then(|p| p.rsplit_once("graph/"))
                        .map(|(_, p)| p)
                        .unwrap_or_default(),
                    n["location"]["line"]
                ),
            )
        })
        .collect();
    got.sort();
    let want = [
        (
            "component: gitlab.com/acme/components/deploy@1.4.0",
            "mutable",
            ".gitlab-ci.yml:13",
        ),
        (
            "project: acme/ci-templates:/jobs/lint.yml@v2.1.0",
            "mutable",
            ".gitlab-ci.yml:6",
        ),
        (
            "project: acme/ci-templates:/jobs/scan.yml@v2.1.0",
            "mutable",
            ".gitlab-ci.yml:7",
        ),
        (
            "project: acme/deploy:/pipeline.yml@main",
            "mutable",
            ".gitlab-ci.yml:40",
        ),
        (
            "project: acme/pinned:/base.yml@0123456789abcdef0123456789abcdef01234567",
            "commit",
            ".gitlab-ci.yml:10",
        ),
        (
            "remote: https://example.com/ci/common.yml",
            "mutable",
            ".gitlab-ci.yml:11",
        ),
        (
            "template: Jobs/SAST.gitlab-ci.yml",
            "not-applicable",
            ".gitlab-ci.yml:12",
        ),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(got, want);
    let mut uses = edges_into(&doc, "include");
    uses.sort();
    let from: Vec<(&str, &str)> = uses
        .iter()
        .map(|(f, k, _)| (f.as_str(), k.as_str()))
        .collect();
    assert_eq!(
        from.iter()
            .filter(|(f, k)| f.ends_with("graph/.gitlab-ci.yml") && *k == "uses")
            .count(),
        6
    );
    assert!(uses.contains(&(
        "deploy".to_owned(),
        "uses".to_owned(),
        "project: acme/deploy:/pipeline.yml@main".to_owned()
    )));
    assert_eq!(uses.len(), 7);
}

/// `tags:` select a runner: the job runs on it; a `saas-…` tag is a GitLab-hosted
/// runner, any other tag a self-managed one; a job without tags has no runner node.
#[test]
fn tags_select_runners() {
    let doc = graph();
    let mut runners: Vec<(String, String)> = nodes(&doc, "runner")
        .iter()
        .map(|n| {
            (
                n["attrs"]["labels"].as_str().unwrap_or_default().to_owned(),
                n["attrs"]["self_hosted"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    runners.sort();
    assert_eq!(
        runners,
        [
            ("docker, linux".to_owned(), "true".to_owned()),
            ("saas-linux-small-amd64".to_owned(), "false".to_owned()),
        ]
    );
    let mut on = edges_into(&doc, "runner");
    on.sort();
    assert_eq!(
        on,
        [
            (
                "hosted".to_owned(),
                "runs-on".to_owned(),
                "runs-on: saas-linux-small-amd64".to_owned()
            ),
            (
                "test".to_owned(),
                "runs-on".to_owned(),
                "runs-on: docker, linux".to_owned()
            ),
        ]
    );
}

/// The renderings draw include nodes: DOT and Mermaid in the full view, the overview
/// as groups by kind with how many are pinned.
#[test]
fn renderings_draw_includes() {
    let dot =
        String::from_utf8(run(&["graph", "--format", "dot", "--view", "full"])).expect("utf-8");
    assert!(
        dot.contains("remote: https://example.com/ci/common.yml"),
        "{dot}"
    );
    assert!(dot.contains("shape=tab"), "{dot}");
    let mermaid =
        String::from_utf8(run(&["graph", "--format", "mermaid", "--view", "full"])).expect("utf-8");
    assert!(
        mermaid.contains("[[\"template: Jobs/SAST.gitlab-ci.yml\"]]"),
        "{mermaid}"
    );
    let overview = String::from_utf8(run(&["graph", "--format", "dot"])).expect("utf-8");
    assert!(overview.contains("include: project"), "{overview}");
    assert!(overview.contains("4 includes, 1 pinned"), "{overview}");
    assert!(overview.contains("include: remote"), "{overview}");
}

/// The inventory lists a GitLab job's images (`image:`, `services:` in an included
/// file), the installs and downloads of its scripts, and the pipeline's includes with
/// their pinning; each job's runner comes from its tags and its hosts from the egress
/// pass.
#[test]
fn inventory_lists_gitlab_jobs_dependencies() {
    let doc = json(&run(&["inventory", "--format", "json"]));
    let deps = doc["dependencies"].as_array().expect("dependencies");
    let used_by = |name: &str| -> Vec<String> {
        let d = deps
            .iter()
            .find(|d| d["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {deps:#?}"));
        let mut jobs: Vec<String> = d["uses"]
            .as_array()
            .expect("uses")
            .iter()
            .map(|u| u["job"].as_str().unwrap_or_default().to_owned())
            .collect();
        jobs.sort();
        jobs
    };
    assert_eq!(used_by("python:3.12"), ["test"]);
    assert_eq!(used_by("postgres:16"), ["build"]);
    assert_eq!(used_by("pypi https://pypi.org/simple"), ["test"]);
    assert_eq!(used_by("npm https://registry.npmjs.org/"), ["build"]);
    assert_eq!(used_by("downloads from downloads.example.org"), ["test"]);
    assert_eq!(
        used_by("git https://git.example.net/acme/assets.git"),
        ["build"]
    );
    assert_eq!(used_by("apk (dl-cdn.alpinelinux.org)"), ["hosted"]);
    // Every job is read from the configuration the pipeline's includes can change;
    // the child pipeline's include is the triggering job's alone.
    assert_eq!(
        used_by("remote: https://example.com/ci/common.yml"),
        ["build", "deploy", "from-template", "hosted", "test"]
    );
    assert_eq!(
        used_by("project: acme/deploy:/pipeline.yml@main"),
        ["deploy"]
    );
    let include = |name: &str| deps.iter().find(|d| d["name"] == name).expect("include");
    let pinned = include("project: acme/pinned:/base.yml@0123456789abcdef0123456789abcdef01234567");
    assert_eq!(pinned["kind"], "include");
    assert_eq!(pinned["pinned"], true);
    assert_eq!(pinned["external"], false);
    let component = include("component: gitlab.com/acme/components/deploy@1.4.0");
    assert_eq!(component["pinned"], false);
    assert_eq!(component["hosts"], serde_json::json!(["gitlab.com"]));
    assert!(include("template: Jobs/SAST.gitlab-ci.yml")["pinned"].is_null());
    let jobs = doc["jobs"].as_array().expect("jobs");
    let job = |id: &str| jobs.iter().find(|j| j["job"] == id).expect("job");
    assert_eq!(job("test")["runner"], "docker, linux");
    assert_eq!(job("test")["self_hosted"], true);
    assert_eq!(job("hosted")["self_hosted"], false);
    // Every GitLab job holds the job token (a graph node), which can write.
    for j in jobs {
        assert_eq!(j["permissions"], serde_json::json!(["CI_JOB_TOKEN: write"]));
        assert_eq!(j["writes"], true);
        assert_eq!(j["default_token"], false);
    }
    let hosts = job("test")["hosts"].as_array().expect("hosts");
    for h in ["pypi.org", "downloads.example.org", "registry-1.docker.io"] {
        assert!(hosts.iter().any(|x| x == h), "{h} in {hosts:?}");
    }
    let markdown = String::from_utf8(run(&["inventory"])).expect("utf-8");
    assert!(
        markdown.contains("the project's, 1 h unless changed"),
        "{markdown}"
    );
    assert!(markdown.contains("n/a (read by GitLab)"), "{markdown}");
}

/// `tollgate egress` lists each GitLab job's hosts (images its runner pulls, what its
/// scripts fetch; never the includes, which GitLab reads) and gives no harden-runner
/// YAML for a GitLab job; a job whose script is in an include it cannot read is not
/// complete.
#[test]
fn egress_lists_gitlab_jobs_hosts_without_harden_runner() {
    let doc = json(&run(&["egress", "--format", "json"]));
    let jobs = doc["jobs"].as_array().expect("jobs");
    let list = |id: &str| -> Vec<String> {
        let j = jobs.iter().find(|j| j["job"] == id).expect("job");
        assert_eq!(j["ci"], "gitlab-ci");
        j["allowed_endpoints"]
            .as_array()
            .expect("list")
            .iter()
            .map(|e| e.as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let build = list("build");
    for want in [
        "registry.example.com:443",
        "registry-1.docker.io:443",
        "registry.npmjs.org:443",
        "git.example.net:443",
    ] {
        assert!(build.contains(&want.to_owned()), "{want} in {build:?}");
    }
    let test = list("test");
    for want in [
        "pypi.org:443",
        "files.pythonhosted.org:443",
        "downloads.example.org:443",
    ] {
        assert!(test.contains(&want.to_owned()), "{want} in {test:?}");
    }
    assert_eq!(
        list("hosted")
            .iter()
            .filter(|h| h.starts_with("dl-cdn"))
            .count(),
        1
    );
    assert!(list("deploy").is_empty());
    for j in ["build", "test", "hosted", "deploy"] {
        assert!(
            !list(j).iter().any(|h| h.starts_with("example.com")),
            "an include is no egress of {j}"
        );
    }
    // A job whose script comes from an include that cannot be read has no complete list.
    let complete =
        |id: &str| jobs.iter().find(|j| j["job"] == id).expect("job")["complete"].clone();
    assert_eq!(complete("from-template"), false);
    assert_eq!(complete("build"), true);
    let harden = String::from_utf8(run(&["egress"])).expect("utf-8");
    assert!(!harden.contains("allowed-endpoints"), "{harden}");
    assert!(
        harden.contains("is a GitLab CI job: harden-runner does not apply"),
        "{harden}"
    );
    let text = String::from_utf8(run(&["egress", "--format", "text"])).expect("utf-8");
    assert!(
        text.contains("allow these on the runner's network"),
        "{text}"
    );
}

fn run_on(dir: &str, args: &[&str]) -> serde_json::Value {
    let out = tollgate()
        .args(args)
        .arg(testdata(dir))
        .output()
        .expect("runs");
    json(&out.stdout)
}

/// `image: $IMAGE` (and a service `postgres:$PG`) with `parallel: matrix:` values pull
/// one image per value, where the value is written; `$IMAGE_TAGGED` is another
/// variable; a `variables:` literal names the image in the inventory; a hosted macOS VM
/// image is no pull. The graph, the inventory and the egress
/// list agree.
#[test]
fn matrix_values_are_pulled_images() {
    let doc = run_on("gitlab/reader", &["graph", "--format", "json"]);
    let mut pulls: Vec<(String, String, u64)> = Vec::new();
    let all = doc["nodes"].as_array().expect("nodes");
    let node = |id: &serde_json::Value| all.iter().find(|n| n["id"] == *id).expect("node");
    for e in doc["edges"].as_array().expect("edges") {
        if e["kind"] == "pulls" {
            pulls.push((
                node(&e["from"])["label"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                node(&e["to"])["label"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                e["location"]["line"].as_u64().unwrap_or_default(),
            ));
        }
    }
    pulls.sort();
    pulls.dedup();
    let want = [
        ("go", "golang:$GO_VERSION", 36),
        ("longer-name", "$IMAGE_TAGGED", 21),
        ("matrix-job", "$IMAGE", 8),
        ("matrix-job", "node:20", 15),
        ("matrix-job", "postgres:$PG", 10),
        ("matrix-job", "postgres:15", 14),
        ("matrix-job", "postgres:16", 16),
        ("matrix-job", "postgres:17", 16),
        ("matrix-job", "python:3.11", 13),
        ("matrix-job", "python:3.12", 13),
        ("shared", "alpine:3.20", 2),
    ];
    let want: Vec<(String, String, u64)> = want
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), *c))
        .collect();
    assert_eq!(pulls, want);
    let inv = run_on("gitlab/reader", &["inventory", "--format", "json"]);
    let images: Vec<&str> = inv["dependencies"]
        .as_array()
        .expect("deps")
        .iter()
        .filter(|d| d["kind"] == "image")
        .filter_map(|d| d["name"].as_str())
        .collect();
    // `$GO_VERSION` has a literal `variables:` value.
    for want in [
        "python:3.11",
        "python:3.12",
        "node:20",
        "postgres:17",
        "golang:1.26",
    ] {
        assert!(images.contains(&want), "{want} in {images:?}");
    }
    assert!(!images.iter().any(|i| i.contains('$')), "{images:?}");
    // A hosted macOS runner's `image:` names one of GitLab's VM images: no pull.
    assert!(
        !images.iter().any(|i| i.starts_with("macos-")),
        "{images:?}"
    );
    let egress = run_on("gitlab/reader", &["egress", "--format", "json"]);
    let mac = egress["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .find(|j| j["job"] == "mac")
        .expect("mac");
    assert_eq!(mac["allowed_endpoints"], serde_json::json!([]));
}

/// Two configurations that include the same file both get its jobs.
#[test]
fn two_configurations_including_one_file_both_get_its_jobs() {
    let doc = run_on("gitlab/reader", &["graph", "--format", "json"]);
    let all = doc["nodes"].as_array().expect("nodes");
    let label = |id: &serde_json::Value| {
        all.iter()
            .find(|n| n["id"] == *id)
            .and_then(|n| n["label"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let mut shared: Vec<String> = doc["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter(|e| e["kind"] == "contains" && label(&e["to"]) == "shared")
        .map(|e| label(&e["from"]))
        .map(|p| {
            p.rsplit_once("reader/")
                .map_or(p.clone(), |(_, p)| p.to_owned())
        })
        .collect();
    shared.sort();
    assert_eq!(shared, [".gitlab-ci.yml", "sub/.gitlab-ci.yml"]);
}

/// Wildcard local includes name every file they match from the repository's root, as
/// GitLab expands them (`*` within a directory, `**/` any run of directories); a pattern
/// that matches nothing is a note.
#[test]
fn wildcard_includes_read_every_file_they_match() {
    let doc = run_on("gitlab/wildcard", &["check", "--format", "json"]);
    let mut inputs: Vec<String> = doc["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .filter_map(|i| i["path"].as_str())
        .map(|p| p.rsplit_once("wildcard/").map_or(p, |(_, p)| p).to_owned())
        .collect();
    inputs.sort();
    assert_eq!(
        inputs,
        [
            ".gitlab-ci.yml",
            "ci/a.yml",
            "ci/jobs/build.yml",
            "ci/jobs/deep/deep.yml"
        ]
    );
    let notes: Vec<&str> = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("ci/nothing/*.yml"), "{notes:?}");
    let graph = run_on("gitlab/wildcard", &["graph", "--format", "json"]);
    let mut jobs: Vec<&str> = graph["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|n| n["kind"] == "job")
        .filter_map(|n| n["label"].as_str())
        .collect();
    jobs.sort_unstable();
    assert_eq!(jobs, ["job-build", "job-deep", "top-a"]);
}

/// The check found exactly one `remote-script-execution`, running `url`.
fn assert_one_remote_script(check: &serde_json::Value, url: &str) {
    let messages: Vec<&str> = check["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "remote-script-execution")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains(url), "{messages:?}");
}

/// `include: inputs:` values replace a file's `$[[ inputs.NAME ]]` (in keys and values,
/// scripts included), and its `spec: inputs:` defaults fill in what an include does not
/// give: one template, two configurations, two images.
#[test]
fn include_inputs_are_interpolated_with_spec_defaults() {
    let doc = run_on("gitlab/inputs", &["graph", "--format", "json"]);
    let all = doc["nodes"].as_array().expect("nodes");
    let label = |id: &serde_json::Value| {
        all.iter()
            .find(|n| n["id"] == *id)
            .and_then(|n| n["label"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let mut pulls: Vec<(String, String)> = Vec::new();
    let edges = doc["edges"].as_array().expect("edges");
    for e in edges.iter().filter(|e| e["kind"] == "contains") {
        let (from, to) = (label(&e["from"]), label(&e["to"]));
        if to != "tpl-job" {
            continue;
        }
        let config = from
            .rsplit_once("inputs/")
            .map_or(from.clone(), |(_, p)| p.to_owned());
        for p in edges
            .iter()
            .filter(|p| p["kind"] == "pulls" && p["from"] == e["to"])
        {
            pulls.push((config.clone(), label(&p["to"])));
        }
    }
    pulls.sort();
    assert_eq!(
        pulls,
        [
            (".gitlab-ci.yml".to_owned(), "python:3.12".to_owned()),
            ("sub/.gitlab-ci.yml".to_owned(), "alpine:3.20".to_owned()),
        ]
    );
    assert_one_remote_script(
        &run_on("gitlab/inputs", &["check", "--format", "json"]),
        "https://tpl.example.org/setup.sh",
    );
}

/// A child pipeline's file reads the `inputs:` its trigger gives (`trigger: include: -
/// local: … inputs:`), not its `spec:` defaults, and the functions after a `|` apply:
/// the child's job pulls the given image and runs the script at the truncated commit.
#[test]
fn trigger_include_inputs_reach_the_child_pipeline() {
    let doc = run_on("gitlab/trigger-inputs", &["graph", "--format", "json"]);
    let labels: Vec<&str> = doc["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|n| n["kind"] == "image")
        .filter_map(|n| n["label"].as_str())
        .collect();
    assert_eq!(labels, ["node:22.11"]);
    assert_one_remote_script(
        &run_on("gitlab/trigger-inputs", &["check", "--format", "json"]),
        "https://dl.example.org/01234567/install.sh",
    );
}

/// apt in a GitLab job reads the package sources of the job's image: Docker Hub's
/// `ubuntu` lists Ubuntu's archive; a team's own image, or the runner's default, is
/// unresolved (the files do not say its sources); GitHub's hosted-runner mirror
/// (`azure.archive.ubuntu.com`) is in no list.
#[test]
fn apt_in_a_gitlab_job_reads_its_images_sources() {
    let doc = run_on("gitlab/apt-images", &["egress", "--format", "json"]);
    let jobs = doc["jobs"].as_array().expect("jobs");
    let job = |id: &str| jobs.iter().find(|j| j["job"] == id).expect("job");
    let hosts = |id: &str| -> Vec<String> { common::destination_hosts(job(id)) };
    let unresolved = |id: &str| -> Vec<String> {
        job(id)["unresolved"]
            .as_array()
            .expect("unresolved")
            .iter()
            .filter_map(|u| u["text"].as_str().map(str::to_owned))
            .collect()
    };
    for id in ["build", "on-ubuntu", "runner-default"] {
        assert!(
            !hosts(id).iter().any(|h| h == "azure.archive.ubuntu.com"),
            "{id}: {:?}",
            hosts(id)
        );
    }
    assert!(hosts("on-ubuntu").iter().any(|h| h == "archive.ubuntu.com"));
    assert!(
        unresolved("on-ubuntu").is_empty(),
        "{:?}",
        unresolved("on-ubuntu")
    );
    assert_eq!(
        unresolved("build"),
        ["the package sources of image `registry.example.com/team/builder:2.1`"]
    );
    assert_eq!(
        unresolved("runner-default"),
        ["the package sources of the image it runs in, which the files do not name"]
    );
    assert_eq!(job("build")["complete"], false);
}

/// `variables:` that set a package registry are `resolves-from` edges, as a workflow's
/// `env:` is: from the pipeline for the top-level ones, from each job that has a
/// template's (the template's written once, an edge from each job extending it).
#[test]
fn registry_variables_are_resolves_from_edges() {
    let doc = run_on(
        "rules/unknown-package-source/fires-gitlab-variables",
        &["graph", "--format", "json"],
    );
    let mut edges: Vec<(String, String, String)> = edges_into(&doc, "source")
        .into_iter()
        .filter(|(_, kind, _)| kind == "resolves-from")
        // The pipeline's label is the root file's path as given.
        .map(|(from, kind, to)| {
            let from = if from.ends_with("/.gitlab-ci.yml") {
                ".gitlab-ci.yml".to_owned()
            } else {
                from
            };
            (from, kind, to)
        })
        .collect();
    edges.sort();
    let e = |from: &str, to: &str| (from.to_owned(), "resolves-from".to_owned(), to.to_owned());
    assert_eq!(
        edges,
        [
            e(".gitlab-ci.yml", "registry https://goproxy.acme.example"),
            e(
                ".gitlab-ci.yml",
                "registry https://pypi.acme.example/simple"
            ),
            e("build", "registry https://uv.acme.example/simple"),
            e("lint", "registry https://uv.acme.example/simple"),
            e("test", "registry https://npm.acme.example/"),
        ]
    );
}

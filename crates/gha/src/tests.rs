//! Span and shape tests of the workflow front end against fixtures whose positions were
//! counted by hand (see `testdata/gha/`).

use tollgate_model::{DiagnosticCode, Severity, SourceFile, Span};

use crate::{
    JobSecrets, PermissionLevel, Permissions, RefKind, Runs, Uses, parse_action,
    parse_actions_lock, parse_workflow,
};

fn fixture(name: &str) -> SourceFile {
    let path = format!("{}/../../testdata/gha/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    SourceFile::new(name, &path, text)
}

fn pos(f: &SourceFile, span: Span) -> (u32, u32) {
    let lc = f.line_col(span.start());
    (lc.line, lc.column)
}

#[test]
fn workflow_spans_match_hand_counted_positions() {
    let f = fixture("spans.yml");
    let (wf, diags) = parse_workflow(&f);
    assert!(diags.is_empty(), "{diags:#?}");
    let wf = wf.expect("model");

    let perms = wf.permissions.as_ref().expect("permissions");
    assert_eq!(pos(&f, perms.key), (7, 1));
    let Permissions::Scopes(scopes) = &perms.permissions else {
        panic!("scopes")
    };
    assert_eq!(pos(&f, scopes[0].scope.span), (8, 3));
    assert_eq!(pos(&f, scopes[0].level.span), (8, 13));
    assert_eq!(scopes[1].scope.value, "id-token");
    assert_eq!(scopes[1].level.value, PermissionLevel::Write);
    assert_eq!(pos(&f, scopes[1].level.span), (9, 13));

    let on = wf.on.as_ref().expect("on");
    assert!(on.has("pull_request_target"));
    assert_eq!(pos(&f, on.events[1].types[0].span), (6, 13));

    let build = &wf.jobs[0];
    assert_eq!(build.id.value, "build");
    assert_eq!(pos(&f, build.id.span), (13, 3));
    assert_eq!(
        pos(&f, build.runs_on.as_ref().expect("runs-on").span),
        (14, 14)
    );
    // The alias resolves to the anchored value, whose position is where to edit it.
    let image = build
        .container
        .as_ref()
        .and_then(|c| c.image.as_ref())
        .expect("image");
    assert_eq!(image.value, "node:20-alpine");
    assert_eq!(pos(&f, image.span), (11, 15));

    let checkout = &build.steps[0];
    assert_eq!(
        pos(&f, checkout.uses.as_ref().expect("uses").span),
        (17, 15)
    );
    assert_eq!(checkout.uses_comment(), Some("v4.1.1"));
    let Some(Uses::Remote(r)) = checkout.uses.as_ref().map(|u| &u.value) else {
        panic!("remote")
    };
    assert_eq!(r.ref_kind, RefKind::Sha);

    let run = build.steps[1].run.as_ref().expect("run");
    let bash = run.script.find("bash").expect("bash");
    assert_eq!(pos(&f, run.file_span(Span::new(bash, bash + 4))), (21, 49));
    assert_eq!(f.slice(run.file_span(Span::new(bash, bash + 4))), "bash");
    let curl = run.script.find("curl").expect("curl");
    assert_eq!(pos(&f, run.file_span(Span::new(curl, curl))), (21, 11));

    let setup = &build.steps[2];
    assert!(
        matches!(&setup.uses.as_ref().expect("uses").value, Uses::SelfRepo { path } if path == ".github/actions/setup")
    );
    assert_eq!(pos(&f, setup.uses.as_ref().expect("uses").span), (22, 15));
    let token = setup.with_value("token").expect("token");
    assert_eq!(pos(&f, token.value.span), (24, 18));
    assert_eq!(pos(&f, token.file_span(Span::new(4, 11))), (24, 22));
    assert_eq!(f.slice(token.file_span(Span::new(4, 11))), "secrets");

    let call = &wf.jobs[1];
    assert_eq!(pos(&f, call.uses.as_ref().expect("uses").span), (26, 11));
    let Some(Uses::Remote(r)) = call.uses.as_ref().map(|u| &u.value) else {
        panic!("remote")
    };
    assert!(r.is_reusable_workflow());
    assert_eq!(r.ref_kind, RefKind::Branch);
    assert!(
        matches!(call.secrets.as_ref().map(|s| &s.value), Some(JobSecrets::Inherit(s)) if pos(&f, *s) == (27, 14))
    );

    let win = &wf.jobs[2];
    assert_eq!(
        win.permissions.as_ref().map(|p| &p.permissions),
        Some(&Permissions::WriteAll)
    );
    assert_eq!(wf.effective_shell(win, &win.steps[0]), "pwsh");
    assert_eq!(wf.effective_shell(win, &win.steps[1]), "bash");
    assert_eq!(wf.effective_shell(build, &build.steps[1]), "bash");
    assert_eq!(
        win.steps[2].background().map(|b| b.value.as_str()),
        Some("true")
    );
    assert!(win.steps[3].wait_all().is_some());

    let groups = &wf.jobs[3];
    assert_eq!(groups.steps.len(), 3);
    assert_eq!(groups.steps[1].index, 1);
    assert!(
        groups.steps[0]
            .parallel_group()
            .is_some_and(|g| pos(&f, g) == (41, 9))
    );
    assert!(groups.steps[1].run.is_some());
    assert!(groups.steps[2].parallel_group().is_none() && groups.steps[2].wait_all().is_some());
}

fn codes(text: &str) -> Vec<(DiagnosticCode, Severity, u32, String)> {
    let f = SourceFile::new("t.yml", "t.yml", text);
    let (_, diags) = parse_workflow(&f);
    diags
        .into_iter()
        .map(|d| {
            (
                d.code,
                d.severity,
                d.location.map_or(0, |l| l.start.line),
                d.message,
            )
        })
        .collect()
}

#[test]
fn bad_inputs_give_one_clear_diagnostic() {
    let empty = codes("");
    assert_eq!(empty.len(), 1);
    assert_eq!(empty[0].0, DiagnosticCode::Empty);

    let syntax = codes("on: push\njobs:\n  a: [\n");
    assert_eq!(syntax.len(), 1, "{syntax:?}");
    assert_eq!(syntax[0].0, DiagnosticCode::Syntax);

    let list = codes("- a\n- b\n");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].0, DiagnosticCode::Shape);
    assert!(list[0].3.contains("must be a mapping"), "{list:?}");

    let no_jobs = codes("on: push\n");
    assert_eq!(no_jobs.len(), 1);
    assert!(no_jobs[0].3.contains("jobs"));
}

#[test]
fn shape_errors_point_at_the_value_and_keep_the_rest() {
    let text = "on: push\njobs:\n  a:\n    runs-on: x\n    steps: oops\n  b:\n    runs-on: x\n    permissions: maybe\n    steps:\n      - run: echo\n        uses: a/b@v1\n      - 42\n      - run: [x]\n";
    let d = codes(text);
    let lines: Vec<u32> = d.iter().map(|x| x.2).collect();
    assert_eq!(lines, vec![5, 8, 10, 12, 13], "{d:#?}");
    let f = SourceFile::new("t.yml", "t.yml", text);
    let (wf, _) = parse_workflow(&f);
    assert_eq!(wf.expect("model").jobs.len(), 2);
}

#[test]
fn unknown_keys_warn_and_merge_keys_error() {
    let d = codes(
        "on: push\njobs:\n  a:\n    runs-on: x\n    stepz: []\n    steps:\n      - <<: {run: x}\n        run: y\n",
    );
    assert!(
        d.iter()
            .any(|x| x.1 == Severity::Warning && x.3.contains("unknown key `stepz`") && x.2 == 5),
        "{d:#?}"
    );
    assert!(
        d.iter()
            .any(|x| x.1 == Severity::Error && x.3.contains("merge keys") && x.2 == 7),
        "{d:#?}"
    );
}

#[test]
fn every_on_and_permissions_form() {
    let forms = [
        "on: push",
        "on: [push, pull_request]",
        "on:\n  push:\n  schedule:\n    - cron: '0 0 * * *'\n  workflow_dispatch:\n    inputs:\n      x:\n        type: string",
    ];
    for on in forms {
        let text = format!(
            "{on}\npermissions: read-all\njobs:\n  a:\n    runs-on: x\n    permissions: {{}}\n    steps:\n      - run: echo\n"
        );
        let f = SourceFile::new("t.yml", "t.yml", text);
        let (wf, d) = parse_workflow(&f);
        assert!(d.is_empty(), "{on}: {d:#?}");
        let wf = wf.expect("model");
        assert!(wf.on.as_ref().is_some_and(|t| t.has("push")));
        assert_eq!(
            wf.permissions.as_ref().map(|p| &p.permissions),
            Some(&Permissions::ReadAll)
        );
        assert_eq!(
            wf.jobs[0].permissions.as_ref().map(|p| &p.permissions),
            Some(&Permissions::Empty)
        );
    }
}

#[test]
fn expressions_where_scalars_stand() {
    let text = "on: push\njobs:\n  a:\n    runs-on: ${{ matrix.os }}\n    timeout-minutes: ${{ inputs.t }}\n    env: ${{ fromJSON(inputs.env) }}\n    container: ${{ inputs.image }}\n    steps:\n      - uses: actions/checkout@${{ inputs.ref }}\n";
    let f = SourceFile::new("t.yml", "t.yml", text);
    let (wf, d) = parse_workflow(&f);
    assert!(d.is_empty(), "{d:#?}");
    let wf = wf.expect("model");
    let job = &wf.jobs[0];
    assert!(job.runs_on.as_ref().is_some_and(|r| r.is_dynamic()));
    assert!(job.env.expression.is_some());
    assert!(
        matches!(&job.steps[0].uses.as_ref().expect("u").value, Uses::Remote(r) if r.ref_kind == RefKind::Expression)
    );
}

#[test]
fn composite_action_and_docker_action() {
    let f = SourceFile::new(
        "action.yml",
        "action.yml",
        "name: x\nruns:\n  using: composite\n  steps:\n    - uses: actions/setup-node@v4\n    - run: npm ci\n",
    );
    let (a, d) = parse_action(&f);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].message.contains("shell"));
    assert_eq!(d[0].location.as_ref().map(|l| l.start.line), Some(6));
    assert_eq!(a.expect("model").steps().len(), 2);

    let f = SourceFile::new(
        "action.yml",
        "action.yml",
        "name: x\nruns:\n  using: docker\n  image: docker://alpine:3\n",
    );
    let (a, d) = parse_action(&f);
    assert!(d.is_empty());
    assert!(
        matches!(a.expect("model").runs, Runs::Docker { image: Some(ref i), .. } if i.value == "docker://alpine:3")
    );
}

#[test]
fn actions_lock() {
    let text = "workflows:\n  .github/workflows/ci.yml:\n    - actions/checkout@v4\ndependencies:\n  actions/checkout@v4:\n    ref: v4\n    commit: sha1-8f4b7f84864484a7bf31766abe9204da3cbe65b3\n    owner_id: 44036562\n    repo_id: 197814629\n    uses: []\n";
    let f = SourceFile::new("actions.lock", "actions.lock", text);
    let (lock, d) = parse_actions_lock(&f);
    assert!(d.is_empty(), "{d:#?}");
    let lock = lock.expect("lock");
    let dep = lock.locked("actions/checkout@v4").expect("locked");
    assert_eq!(
        dep.commit.as_ref().map(|c| c.value.as_str()),
        Some("8f4b7f84864484a7bf31766abe9204da3cbe65b3")
    );
    assert_eq!(pos(&f, dep.commit.as_ref().expect("c").span), (7, 13));
}

/// The trigger model of one `on:` text (with a minimal job so the workflow is whole).
fn on_model(on: &str) -> (SourceFile, crate::Triggers) {
    let text = format!("{on}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n");
    let f = SourceFile::new("t.yml", "t.yml", text);
    let (wf, d) = parse_workflow(&f);
    assert!(d.is_empty(), "{on}: {d:#?}");
    let on = wf.and_then(|w| w.on).expect("on");
    (f, on)
}

/// The patterns of a filter as text, for comparisons across styles.
fn patterns(f: Option<&crate::Filter>) -> Option<Vec<String>> {
    f.map(|f| f.patterns.iter().map(|p| p.value.clone()).collect())
}

#[test]
fn trigger_filters_read_alike_in_block_and_flow_style() {
    let block = "on:\n  push:\n    branches:\n      - main\n      - 'release/**'\n    tags: v*\n    paths-ignore: [docs/**]\n  pull_request:\n    types: [opened]\n    branches-ignore: [wip]\n    paths: ['src/**']\n    tags-ignore: ['x']";
    let flow = "on: {push: {branches: [main, 'release/**'], tags: 'v*', paths-ignore: ['docs/**']}, pull_request: {types: opened, branches-ignore: wip, paths: [src/**], tags-ignore: [x]}}";
    let mut seen = Vec::new();
    for text in [block, flow] {
        let (_, on) = on_model(text);
        let push = on.event("push").expect("push");
        let pr = on.event("pull_request").expect("pull_request");
        let got = (
            patterns(push.branches.as_ref()),
            patterns(push.tags.as_ref()),
            patterns(push.paths_ignore.as_ref()),
            patterns(pr.branches_ignore.as_ref()),
            patterns(pr.paths.as_ref()),
            patterns(pr.tags_ignore.as_ref()),
            pr.types.iter().map(|t| t.value.clone()).collect::<Vec<_>>(),
            push.filters_tags(),
            push.branches_ignore.is_none() && push.paths.is_none() && pr.tags.is_none(),
        );
        assert_eq!(
            got,
            (
                Some(vec!["main".to_owned(), "release/**".to_owned()]),
                Some(vec!["v*".to_owned()]),
                Some(vec!["docs/**".to_owned()]),
                Some(vec!["wip".to_owned()]),
                Some(vec!["src/**".to_owned()]),
                Some(vec!["x".to_owned()]),
                vec!["opened".to_owned()],
                true,
                true,
            ),
            "{text}"
        );
        seen.push(got);
    }
    // Spans point at the pattern text: the quoted block-style pattern starts at its quote.
    let (f, on) = on_model(block);
    let push = on.event("push").expect("push");
    let branches = push.branches.as_ref().expect("branches");
    assert_eq!(pos(&f, branches.key), (3, 5));
    assert_eq!(pos(&f, branches.patterns[1].span), (5, 9));
    assert_eq!(
        pos(&f, push.tags.as_ref().expect("tags").patterns[0].span),
        (6, 11)
    );
}

#[test]
fn a_tags_key_outside_on_is_no_trigger_filter() {
    let (_, on) = on_model("on:\n  push:\n    branches: [main]");
    assert!(!on.event("push").expect("push").filters_tags());
    // A job named `tags` and a `tags:` key under a job are not `on:` keys either.
    let text = "on: push\njobs:\n  tags:\n    runs-on: x\n    steps:\n      - run: echo\n      - uses: docker/metadata-action@v5\n        with:\n          tags: v1\n";
    let f = SourceFile::new("t.yml", "t.yml", text);
    let (wf, _) = parse_workflow(&f);
    let on = wf.and_then(|w| w.on).expect("on");
    assert!(!on.event("push").expect("push").filters_tags());
}

#[test]
fn dispatch_inputs_keep_their_declaration_in_every_style() {
    let block = "on:\n  workflow_dispatch:\n    inputs:\n      dry:\n        type: boolean\n        required: true\n        default: false\n      kind:\n        type: choice\n        options:\n          - patch\n          - minor\n      note:\n        description: free text\n      bare:";
    let flow = "on: {workflow_dispatch: {inputs: {dry: {type: boolean, required: true, default: false}, kind: {type: choice, options: [patch, minor]}, note: {description: free text}, bare: }}}";
    for text in [block, flow] {
        let (_, on) = on_model(text);
        let d = on.event("workflow_dispatch").expect("dispatch");
        let dry = d.input("DRY").expect("dry");
        assert_eq!(
            dry.type_.as_ref().map(|t| t.value.as_str()),
            Some("boolean")
        );
        assert_eq!(dry.required.as_ref().map(|r| r.value), Some(true));
        assert_eq!(
            dry.default.as_ref().map(|v| v.value.as_str()),
            Some("false")
        );
        assert!(dry.is_constrained(), "{text}");
        let kind = d.input("kind").expect("kind");
        assert!(kind.is_constrained());
        let options: Vec<&str> = kind.options.iter().map(|o| o.value.as_str()).collect();
        assert_eq!(options, ["patch", "minor"]);
        let note = d.input("note").expect("note");
        assert!(note.type_.is_none() && !note.is_constrained());
        assert!(d.input("bare").is_some_and(|b| !b.is_constrained()));
        assert_eq!(d.inputs.len(), 4);
    }
    let (f, on) = on_model(block);
    let dry = on.events[0].input("dry").expect("dry");
    assert_eq!(pos(&f, dry.name.span), (4, 7));
    assert_eq!(pos(&f, dry.type_.as_ref().expect("type").span), (5, 15));
}

#[test]
fn call_inputs_keep_their_type() {
    let (_, on) = on_model(
        "on:\n  workflow_call:\n    inputs:\n      n: {type: number, required: false}\n    secrets:\n      TOKEN:",
    );
    let call = on.event("workflow_call").expect("call");
    let n = call.input("n").expect("n");
    assert_eq!(n.type_.as_ref().map(|t| t.value.as_str()), Some("number"));
    assert_eq!(n.required.as_ref().map(|r| r.value), Some(false));
    assert_eq!(call.secrets.len(), 1);
}

#[test]
fn with_given_as_one_expression_is_run_time_input_not_a_shape_error() {
    let src = SourceFile::new(
        ".github/workflows/ci.yml",
        "ci.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with: ${{ fromJSON(vars.CHECKOUT) }}\n      - uses: actions/checkout@v4\n        with: not-a-mapping\n".to_owned(),
    );
    let (wf, diags) = parse_workflow(&src);
    let wf = wf.expect("workflow");
    // Only the literal scalar is a shape error.
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert!(
        diags[0].message.contains("`with` must be a mapping"),
        "{diags:#?}"
    );
    let dynamic = &wf.jobs[0].steps[0];
    assert!(dynamic.with.is_empty());
    assert_eq!(
        dynamic.with_expression().map(|e| e.value.as_str()),
        Some("${{ fromJSON(vars.CHECKOUT) }}")
    );
    assert!(wf.jobs[0].steps[1].with_expression().is_none());
}

#[test]
fn env_references_resolve_from_the_innermost_literal() {
    let (wf, _) = parse_workflow(&SourceFile::new(
        "ci.yml",
        "ci.yml",
        "on: push\nenv:\n  REGISTRY: ghcr.io\n  HOST: outer.example\n  DYN: ${{ vars.X }}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      HOST: inner.example\n    steps:\n      - run: echo\n",
    ));
    let wf = wf.expect("workflow");
    let job = &wf.jobs[0];
    let envs = [&job.env, &wf.env];
    for (text, want) in [
        ("${{ env.REGISTRY }}/o/n:1", "ghcr.io/o/n:1"),
        ("${{env.registry}}", "ghcr.io"),
        ("https://${{ env.HOST }}/x", "https://inner.example/x"),
        (
            "${{ env.REGISTRY }}/${{ github.repository }}:${{ github.sha }}",
            "ghcr.io/${{ github.repository }}:${{ github.sha }}",
        ),
        ("${{ env.DYN }}/x", "${{ env.DYN }}/x"),
        ("${{ env.UNSET }}", "${{ env.UNSET }}"),
        ("${{ env.REGISTRY", "${{ env.REGISTRY"),
        ("plain", "plain"),
    ] {
        assert_eq!(crate::resolve_env_refs(text, &envs), want, "{text}");
    }
}

/// Every workflow's model is kept for the whole run, one `Step` per step (6,431 in the
/// benchmark corpus), so the inline size of a step is memory held until exit. The fields
/// few steps set live behind one box (`StepRare`) and `run:` behind another; this bound
/// keeps a new field from quietly growing every step again (put a rare one in `StepRare`).
#[test]
#[allow(
    clippy::print_stdout,
    reason = "the sizes, for `cargo test -- --nocapture`"
)]
fn kept_model_sizes_stay_small() {
    use std::mem::size_of;
    let sizes = [
        ("Step", size_of::<crate::Step>()),
        ("Job", size_of::<crate::Job>()),
        ("Run", size_of::<crate::Run>()),
        ("Uses", size_of::<Uses>()),
        ("Env", size_of::<crate::Env>()),
        ("Spanned<String>", size_of::<crate::Spanned<String>>()),
    ];
    for (name, size) in sizes {
        println!("size_of::<{name}>() = {size}");
    }
    // 928 and 1,208 bytes before the rare fields, `run:`, `uses:` and a job's
    // `container:` were boxed; 368 and 896 after.
    assert!(sizes[0].1 <= 384, "a Step grew to {} bytes", sizes[0].1);
    assert!(sizes[1].1 <= 928, "a Job grew to {} bytes", sizes[1].1);
}

/// The boxed rare fields are a memory layout, not part of the model's shape: they
/// serialise as fields of the step, and a step without them has none of them.
#[test]
fn a_steps_rare_fields_serialise_as_its_own() {
    let src = SourceFile::new(
        ".github/workflows/ci.yml",
        "ci.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n        shell: bash\n        timeout-minutes: 5\n      - run: make\n".to_owned(),
    );
    let wf = parse_workflow(&src).0.expect("workflow");
    let steps = &wf.jobs[0].steps;
    let set = serde_json::to_value(&steps[0]).expect("serialises");
    assert_eq!(set["shell"]["value"], "bash", "{set}");
    assert_eq!(set["timeout_minutes"]["value"], "5", "{set}");
    assert!(set.get("rare").is_none(), "{set}");
    let unset = serde_json::to_value(&steps[1]).expect("serialises");
    assert!(unset.get("shell").is_none(), "{unset}");
    assert_eq!(unset["run"]["script"], "make", "{unset}");
}

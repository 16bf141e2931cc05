//! Walking the YAML tree of a workflow into its typed model, and what the other file
//! kinds' parsers share (the document, steps).

use tollgate_model::{Diagnostic, DiagnosticCode, Severity, SourceFile, Span};
use tollgate_yaml::{Limits, Node, NodeKind, ScalarMap, YamlError};

use crate::ctx::Ctx;
use crate::model::{
    Container, Env, Filter, Job, JobSecrets, Matrix, Permission, PermissionLevel, Permissions,
    PermissionsBlock, Run, RunsOn, Spanned, Step, Trigger, TriggerInput, Triggers, UsesWritten,
    Workflow,
};
use crate::uses::Uses;

const WORKFLOW_KEYS: &[&str] = &[
    "name",
    "run-name",
    "on",
    "permissions",
    "env",
    "defaults",
    "concurrency",
    "jobs",
];

const JOB_KEYS: &[&str] = &[
    "name",
    "permissions",
    "needs",
    "if",
    "runs-on",
    "snapshot",
    "environment",
    "concurrency",
    "outputs",
    "env",
    "defaults",
    "steps",
    "timeout-minutes",
    "strategy",
    "continue-on-error",
    "container",
    "services",
    "uses",
    "with",
    "secrets",
];

const STEP_KEYS: &[&str] = &[
    "id",
    "if",
    "name",
    "uses",
    "run",
    "working-directory",
    "shell",
    "with",
    "env",
    "continue-on-error",
    "timeout-minutes",
    "background",
    "wait-all",
];

/// Parse the YAML of `file` into its first document, turning YAML errors and an empty or
/// non-mapping document into diagnostics.
pub(crate) fn document(file: &SourceFile, ctx: &mut Ctx<'_>, what: &str) -> Option<Node> {
    let (mut docs, warnings) = match tollgate_yaml::parse(file, Limits::default()) {
        Ok(x) => x,
        Err(e) => {
            let code = match e {
                YamlError::Syntax { .. } => DiagnosticCode::Syntax,
                YamlError::Limit { .. } => DiagnosticCode::Limit,
            };
            ctx.diags.push(Diagnostic::at(
                file,
                e.span(),
                code,
                format!("invalid YAML: {}", e.message()),
            ));
            return None;
        }
    };
    for w in warnings {
        ctx.diags.push(
            Diagnostic::at(file, w.span, DiagnosticCode::Syntax, w.message)
                .with_severity(Severity::Warning),
        );
    }
    if docs.len() > 1 {
        ctx.shape_warning(
            docs[1].span,
            format!("{what} holds several YAML documents; only the first is read"),
        );
    }
    let Some(root) = docs.drain(..).next().filter(|d| !d.is_null()) else {
        ctx.diags.push(Diagnostic::at(
            file,
            Span::empty(0),
            DiagnosticCode::Empty,
            format!("empty {what}"),
        ));
        return None;
    };
    if root.as_map().is_none() {
        ctx.shape(
            root.span,
            format!("a {what} must be a mapping, found {}", root.kind_name()),
        );
        return None;
    }
    Some(root)
}

/// Parse a workflow file. The model is `None` only when the file is not a YAML mapping at
/// all; every other problem is a diagnostic next to a partial model.
#[must_use]
pub fn parse_workflow(file: &SourceFile) -> (Option<Workflow>, Vec<Diagnostic>) {
    let mut ctx = Ctx::new(file);
    let Some(root) = document(file, &mut ctx, "workflow") else {
        return (None, ctx.diags);
    };
    let mut wf = workflow(&mut ctx, &root);
    wf.shrink_to_fit();
    (Some(wf), ctx.diags)
}

fn workflow(ctx: &mut Ctx<'_>, root: &Node) -> Workflow {
    let entries = root.as_map().unwrap_or_default();
    ctx.check_keys(entries, WORKFLOW_KEYS, "a workflow");
    let mut wf = Workflow {
        name: None,
        run_name: None,
        on: None,
        permissions: None,
        env: Env::default(),
        defaults_shell: None,
        defaults_working_directory: None,
        concurrency: None,
        jobs_key: None,
        jobs: Vec::new(),
    };
    for (k, v) in entries {
        match k.as_str() {
            Some("name") => wf.name = Some(ctx.text(v).0),
            Some("run-name") => wf.run_name = Some(ctx.text(v).0),
            Some("on") => wf.on = Some(triggers(ctx, k.span, v)),
            Some("permissions") => wf.permissions = permissions(ctx, k.span, v),
            Some("env") => wf.env = ctx.env(k.span, v),
            Some("defaults") => {
                (wf.defaults_shell, wf.defaults_working_directory) = defaults(ctx, v);
            }
            Some("concurrency") => wf.concurrency = Some(v.span),
            Some("jobs") => {
                wf.jobs_key = Some(k.span);
                if let Some(jobs) = ctx.map(v, "jobs") {
                    wf.jobs = jobs.iter().filter_map(|(id, j)| job(ctx, id, j)).collect();
                }
            }
            _ => {}
        }
    }
    if wf.on.is_none() {
        ctx.shape(
            Span::empty(root.span.start()),
            "a workflow needs `on:` (its triggers)",
        );
    }
    match wf.jobs_key {
        None => ctx.shape(Span::empty(root.span.start()), "a workflow needs `jobs:`"),
        Some(key) if wf.jobs.is_empty() => ctx.shape(key, "`jobs:` holds no job"),
        Some(_) => {}
    }
    wf
}

fn triggers(ctx: &mut Ctx<'_>, key: Span, node: &Node) -> Triggers {
    let mut events = Vec::new();
    match &node.kind {
        NodeKind::Scalar(_) | NodeKind::Seq(_) => {
            events = ctx
                .string_list(node, "on")
                .into_iter()
                .map(Trigger::bare)
                .collect();
        }
        NodeKind::Map(entries) => {
            for (k, v) in entries {
                let Some(name) = ctx.string(k, "on") else {
                    continue;
                };
                let mut t = Trigger::bare(name);
                if let Some(cfg) = v.as_map() {
                    for (ck, cv) in cfg {
                        let filter = |ctx: &mut Ctx<'_>, what| {
                            Some(Filter {
                                key: ck.span,
                                patterns: ctx.string_list(cv, what),
                            })
                        };
                        match ck.as_str() {
                            Some("types") => t.types = ctx.string_list(cv, "types"),
                            Some("branches") => t.branches = filter(ctx, "branches"),
                            Some("branches-ignore") => {
                                t.branches_ignore = filter(ctx, "branches-ignore");
                            }
                            Some("tags") => t.tags = filter(ctx, "tags"),
                            Some("tags-ignore") => t.tags_ignore = filter(ctx, "tags-ignore"),
                            Some("paths") => t.paths = filter(ctx, "paths"),
                            Some("paths-ignore") => t.paths_ignore = filter(ctx, "paths-ignore"),
                            Some("inputs") => t.inputs = trigger_inputs(ctx, cv),
                            Some("secrets") => t.secrets = map_keys(ctx, cv, "secrets"),
                            _ => {}
                        }
                    }
                } else if !v.is_null() && v.as_seq().is_none() {
                    // `schedule:` is a list; events otherwise take null or a mapping.
                    ctx.shape(
                        v.span,
                        format!(
                            "the configuration of `{}` must be a mapping, found {}",
                            t.event.value,
                            v.kind_name()
                        ),
                    );
                }
                events.push(t);
            }
        }
    }
    if events.is_empty() {
        ctx.shape(node.span, "`on:` names no event");
    }
    Triggers { key, events }
}

/// The declared inputs of `workflow_dispatch` / `workflow_call`, each with what its
/// mapping says about it. An input without a mapping (`inputs: {name: }`) is a bare
/// name.
fn trigger_inputs(ctx: &mut Ctx<'_>, node: &Node) -> Vec<TriggerInput> {
    let mut out = Vec::new();
    for (k, v) in ctx.map(node, "inputs").unwrap_or_default() {
        let Some(name) = k.as_str() else { continue };
        let mut input = TriggerInput {
            name: Spanned::new(name.to_owned(), k.span),
            type_: None,
            required: None,
            default: None,
            options: Vec::new(),
        };
        for (ik, iv) in ctx.map(v, "input").unwrap_or_default() {
            match ik.as_str() {
                Some("type") => input.type_ = ctx.string(iv, "type"),
                Some("required") => {
                    input.required = iv.as_bool().map(|b| Spanned::new(b, iv.span));
                }
                Some("default") => input.default = Some(ctx.text(iv).0),
                Some("options") => input.options = ctx.string_list(iv, "options"),
                _ => {}
            }
        }
        out.push(input);
    }
    out
}

fn map_keys(ctx: &mut Ctx<'_>, node: &Node, what: &str) -> Vec<Spanned<String>> {
    ctx.map(node, what)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, _)| k.as_str().map(|s| Spanned::new(s.to_owned(), k.span)))
        .collect()
}

fn permissions(ctx: &mut Ctx<'_>, key: Span, node: &Node) -> Option<PermissionsBlock> {
    let permissions = match &node.kind {
        NodeKind::Scalar(s) => match s.value.as_str() {
            "read-all" => Permissions::ReadAll,
            "write-all" => Permissions::WriteAll,
            other => {
                ctx.shape(
                    node.span,
                    format!(
                        "`permissions` must be `read-all`, `write-all` or a mapping of scopes, found `{other}`"
                    ),
                );
                return None;
            }
        },
        NodeKind::Map(entries) if entries.is_empty() => Permissions::Empty,
        NodeKind::Map(entries) => {
            let mut scopes = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                let (Some(scope), Some(level)) = (k.as_str(), v.as_str()) else {
                    ctx.shape(
                        v.span,
                        "a permission scope must map to `read`, `write` or `none`",
                    );
                    continue;
                };
                let level = match level {
                    "read" => PermissionLevel::Read,
                    "write" => PermissionLevel::Write,
                    "none" => PermissionLevel::None,
                    other => {
                        ctx.shape(
                            v.span,
                            format!("permission level must be `read`, `write` or `none`, found `{other}`"),
                        );
                        continue;
                    }
                };
                scopes.push(Permission {
                    scope: Spanned::new(scope.to_owned(), k.span),
                    level: Spanned::new(level, v.span),
                });
            }
            Permissions::Scopes(scopes)
        }
        NodeKind::Seq(_) => {
            ctx.shape(
                node.span,
                "`permissions` must be a string or a mapping, found a list",
            );
            return None;
        }
    };
    Some(PermissionsBlock {
        key,
        value_span: node.span,
        permissions,
    })
}

fn defaults(ctx: &mut Ctx<'_>, node: &Node) -> (Option<Spanned<String>>, Option<Spanned<String>>) {
    let Some(run) = node.get("run") else {
        return (None, None);
    };
    let shell = run.get("shell").and_then(|s| ctx.string(s, "shell"));
    let wd = run
        .get("working-directory")
        .and_then(|s| ctx.string(s, "working-directory"));
    (shell, wd)
}

fn job(ctx: &mut Ctx<'_>, id_node: &Node, node: &Node) -> Option<Job> {
    let id = ctx.string(id_node, "job id")?;
    let Some(entries) = node.as_map() else {
        ctx.shape(
            node.span,
            format!(
                "job `{}` must be a mapping, found {}",
                id.value,
                node.kind_name()
            ),
        );
        return None;
    };
    ctx.check_keys(entries, JOB_KEYS, &format!("job `{}`", id.value));
    let mut job = Job {
        id,
        span: node.span,
        name: None,
        runs_on: None,
        permissions: None,
        needs: Vec::new(),
        if_: None,
        env: Env::default(),
        defaults_shell: None,
        defaults_working_directory: None,
        timeout_minutes: None,
        strategy: None,
        matrix: None,
        container: None,
        services: Vec::new(),
        environment: None,
        concurrency: None,
        continue_on_error: None,
        outputs: Vec::new(),
        uses: None,
        uses_written: None,
        with: Vec::new(),
        secrets: None,
        steps: Vec::new(),
    };
    let mut steps_key = None;
    for (k, v) in entries {
        match k.as_str() {
            Some("name") => job.name = Some(ctx.text(v).0),
            Some("runs-on") => job.runs_on = Some(runs_on(ctx, v)),
            Some("permissions") => job.permissions = permissions(ctx, k.span, v),
            Some("needs") => job.needs = ctx.string_list(v, "needs"),
            Some("if") => job.if_ = Some(ctx.text(v).0),
            Some("env") => job.env = ctx.env(k.span, v),
            Some("defaults") => {
                (job.defaults_shell, job.defaults_working_directory) = defaults(ctx, v);
            }
            Some("timeout-minutes") => job.timeout_minutes = Some(ctx.text(v).0),
            Some("strategy") => {
                job.strategy = Some(v.span);
                job.matrix = v.get("matrix").map(|m| Matrix {
                    span: m.span,
                    dimensions: m
                        .as_map()
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|(d, _)| d.as_str().map(|s| Spanned::new(s.to_owned(), d.span)))
                        .collect(),
                    values: matrix_values(m),
                });
            }
            Some("container") => job.container = container(ctx, None, v).map(Box::new),
            Some("services") => {
                for (sid, sv) in ctx.map(v, "services").unwrap_or_default() {
                    let sid = sid.as_str().map(|s| Spanned::new(s.to_owned(), sid.span));
                    if let Some(c) = container(ctx, sid, sv) {
                        job.services.push(c);
                    }
                }
            }
            Some("environment") => {
                job.environment = match v.get("name") {
                    Some(n) => Some(ctx.text(n).0),
                    None => Some(ctx.text(v).0),
                };
            }
            Some("concurrency") => job.concurrency = Some(v.span),
            Some("continue-on-error") => job.continue_on_error = Some(v.span),
            Some("outputs") => job.outputs = ctx.key_values(v, "outputs"),
            Some("uses") => {
                if let Some(s) = ctx.string(v, "uses") {
                    job.uses = Some(Box::new(Spanned::new(Uses::parse(&s.value), s.span)));
                    job.uses_written = Some(Box::new(UsesWritten {
                        uses_comment: ctx.trailing_comment(s.span),
                        uses_text: s,
                    }));
                }
            }
            Some("with") => job.with = ctx.key_values(v, "with"),
            Some("secrets") => {
                job.secrets = Some(Spanned::new(
                    if v.as_str() == Some("inherit") {
                        JobSecrets::Inherit(v.span)
                    } else {
                        JobSecrets::Map(ctx.key_values(v, "secrets"))
                    },
                    v.span,
                ));
            }
            Some("steps") => {
                steps_key = Some(k.span);
                job.steps = steps(ctx, v, false);
            }
            _ => {}
        }
    }
    if job.uses.is_some() {
        if let Some(key) = steps_key {
            ctx.shape(
                key,
                format!(
                    "job `{}` calls a reusable workflow and cannot also have `steps:`",
                    job.id.value
                ),
            );
        }
    } else {
        if job.runs_on.is_none() {
            ctx.shape(
                job.id.span,
                format!("job `{}` needs `runs-on:`", job.id.value),
            );
        }
        if steps_key.is_none() {
            ctx.shape(
                job.id.span,
                format!(
                    "job `{}` needs `steps:` or a reusable workflow in `uses:`",
                    job.id.value
                ),
            );
        }
    }
    Some(job)
}

fn runs_on(ctx: &mut Ctx<'_>, node: &Node) -> RunsOn {
    let (labels, group) = match &node.kind {
        NodeKind::Map(_) => (
            node.get("labels")
                .map(|l| ctx.string_list(l, "labels"))
                .unwrap_or_default(),
            node.get("group").and_then(|g| ctx.string(g, "group")),
        ),
        _ => (ctx.string_list(node, "runs-on"), None),
    };
    RunsOn {
        span: node.span,
        labels,
        group,
    }
}

fn container(ctx: &mut Ctx<'_>, id: Option<Spanned<String>>, node: &Node) -> Option<Container> {
    if let Some(s) = node.as_str() {
        return Some(Container {
            id,
            image: (!s.is_empty()).then(|| Spanned::new(s.to_owned(), node.span)),
            credentials: None,
            env: Env::default(),
            span: node.span,
        });
    }
    let entries = ctx.map(node, "container")?;
    let mut c = Container {
        id,
        image: None,
        credentials: None,
        env: Env::default(),
        span: node.span,
    };
    for (k, v) in entries {
        match k.as_str() {
            Some("image") => c.image = ctx.string(v, "image").filter(|s| !s.value.is_empty()),
            Some("credentials") => c.credentials = Some(ctx.key_values(v, "credentials")),
            Some("env") => c.env = ctx.env(k.span, v),
            _ => {}
        }
    }
    Some(c)
}

/// The steps of a job, or of a composite action when `composite` is set (whose `run:`
/// steps must name their `shell:`).
pub(crate) fn steps(ctx: &mut Ctx<'_>, node: &Node, composite: bool) -> Vec<Step> {
    let Some(items) = node.as_seq() else {
        if !node.is_null() {
            ctx.shape(
                node.span,
                format!("`steps` must be a list, found {}", node.kind_name()),
            );
        }
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        // A parallel group (2026): `- parallel: [steps…]` runs its steps concurrently and
        // waits for all of them. Its steps are flattened into the job's list, each marked
        // with the group, so every rule sees them as the steps they are.
        if let Some((key, inner)) = item.entry("parallel") {
            if let Some(entries) = item.as_map() {
                ctx.check_keys(
                    entries,
                    &["parallel", "name", "id", "if"],
                    "a parallel group",
                );
            }
            let Some(inner) = inner.as_seq() else {
                ctx.shape(
                    inner.span,
                    format!(
                        "`parallel` must be a list of steps, found {}",
                        inner.kind_name()
                    ),
                );
                continue;
            };
            for n in inner {
                if let Some(mut st) = step(ctx, out.len(), n, composite) {
                    st.rare_mut().parallel_group = Some(key.span);
                    out.push(st);
                }
            }
            continue;
        }
        if let Some(st) = step(ctx, out.len(), item, composite) {
            out.push(st);
        }
    }
    out
}

fn step(ctx: &mut Ctx<'_>, index: usize, node: &Node, composite: bool) -> Option<Step> {
    let Some(entries) = node.as_map() else {
        ctx.shape(
            node.span,
            format!("a step must be a mapping, found {}", node.kind_name()),
        );
        return None;
    };
    ctx.check_keys(entries, STEP_KEYS, "a step");
    let mut st = Step::blank(index, node.span);
    for (k, v) in entries {
        match k.as_str() {
            Some("id") => st.id = ctx.string(v, "id"),
            Some("name") => st.name = Some(ctx.text(v).0),
            Some("if") => st.if_ = Some(ctx.text(v).0),
            Some("uses") => {
                if let Some(s) = ctx.string(v, "uses") {
                    st.uses = Some(Box::new(Spanned::new(Uses::parse(&s.value), s.span)));
                    st.uses_written = Some(Box::new(UsesWritten {
                        uses_comment: ctx.trailing_comment(s.span),
                        uses_text: s,
                    }));
                }
            }
            Some("run") => {
                if let Some(script) = v.as_str() {
                    st.run = Some(Box::new(Run {
                        key: k.span,
                        script: script.to_owned(),
                        span: v.span,
                        map: ScalarMap::new(ctx.file, v)
                            .unwrap_or_else(|| ScalarMap::at(v.span.start())),
                        input: None,
                    }));
                } else {
                    ctx.shape(
                        v.span,
                        format!("`run` must be a string, found {}", v.kind_name()),
                    );
                }
            }
            Some("shell") => st.rare_mut().shell = ctx.string(v, "shell"),
            Some("working-directory") => {
                st.rare_mut().working_directory = ctx.string(v, "working-directory");
            }
            Some("with") => {
                st.with_key = Some(k.span);
                // `with: ${{ fromJSON(…) }}`: inputs only the run knows, not a shape error.
                match v.as_str().filter(|t| t.contains("${{")) {
                    Some(t) => {
                        st.rare_mut().with_expression = Some(Spanned::new(t.to_owned(), v.span));
                    }
                    None => st.with = ctx.key_values(v, "with").into(),
                }
            }
            Some("env") => st.env = ctx.env(k.span, v),
            Some("continue-on-error") => st.rare_mut().continue_on_error = Some(v.span),
            Some("timeout-minutes") => st.rare_mut().timeout_minutes = Some(ctx.text(v).0),
            Some("background") => st.rare_mut().background = Some(ctx.text(v).0),
            Some("wait-all") => st.rare_mut().wait_all = Some(v.span),
            _ => {}
        }
    }
    match (&st.uses, &st.run) {
        (Some(_), Some(r)) => ctx.shape(r.key, "a step cannot have both `uses:` and `run:`"),
        (None, None)
            if st.wait_all().is_none()
                && !entries
                    .iter()
                    .any(|(k, _)| matches!(k.as_str(), Some("run" | "uses"))) =>
        {
            ctx.shape(node.span, "a step needs `uses:` or `run:`");
        }
        _ => {}
    }
    if let Some(Spanned {
        value: Uses::Invalid { reason },
        span,
    }) = st.uses.as_deref()
    {
        let reason = reason.clone();
        ctx.shape(*span, format!("invalid `uses:` reference: {reason}"));
    }
    if composite && st.run.is_some() && st.shell().is_none() {
        let at = st.run.as_ref().map_or(node.span, |r| r.key);
        ctx.shape(
            at,
            "a `run:` step of a composite action must name its `shell:`",
        );
    }
    Some(st)
}

/// The literal values of each `matrix.<path>` (see [`Matrix::values`]): list items of a
/// dimension, scalar fields of mapping items (`settings.docker`), and the keys of
/// `include:` rows. `exclude:` only removes combinations, so it adds nothing.
fn matrix_values(m: &Node) -> std::collections::BTreeMap<String, Vec<Spanned<String>>> {
    use std::collections::BTreeMap;
    // `None` marks a path with a value that is not a literal.
    let mut acc: BTreeMap<String, Option<Vec<Spanned<String>>>> = BTreeMap::new();
    fn add(acc: &mut BTreeMap<String, Option<Vec<Spanned<String>>>>, path: String, v: &Node) {
        let literal = v
            .as_str()
            .filter(|s| !s.contains("${{"))
            .map(|s| Spanned::new(s.to_owned(), v.span));
        match (acc.entry(path).or_insert_with(|| Some(Vec::new())), literal) {
            (Some(list), Some(l)) => list.push(l),
            (slot, _) => *slot = None,
        }
    }
    fn item(acc: &mut BTreeMap<String, Option<Vec<Spanned<String>>>>, path: &str, v: &Node) {
        match v.as_map() {
            Some(fields) => {
                for (k, fv) in fields {
                    if let Some(k) = k.as_str() {
                        add(acc, format!("{path}.{}", k.to_ascii_lowercase()), fv);
                    }
                }
            }
            None => add(acc, path.to_owned(), v),
        }
    }
    let Some(entries) = m.as_map() else {
        return BTreeMap::new();
    };
    for (k, v) in entries {
        let Some(key) = k.as_str().map(str::to_ascii_lowercase) else {
            continue;
        };
        match key.as_str() {
            "exclude" => {}
            "include" => {
                for row in v.as_seq().unwrap_or_default() {
                    for (rk, rv) in row.as_map().unwrap_or_default() {
                        if let Some(rk) = rk.as_str() {
                            item(&mut acc, &rk.to_ascii_lowercase(), rv);
                        }
                    }
                }
            }
            _ => match v.as_seq() {
                Some(items) => {
                    for it in items {
                        item(&mut acc, &key, it);
                    }
                }
                // `os: ${{ fromJSON(…) }}`: run time.
                None => add(&mut acc, key, v),
            },
        }
    }
    acc.into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

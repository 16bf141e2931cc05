//! The typed workflow model. Every field a finding may point at carries its span.

use serde::Serialize;
use tollgate_model::Span;
use tollgate_yaml::ScalarMap;

use crate::uses::Uses;

/// A value with the span of its text in the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub const fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }
}

/// A `key: value` pair where the value is kept as text (scalars as written; non-scalars as
/// their source text, so nothing silently disappears).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyValue {
    pub key: Spanned<String>,
    pub value: Spanned<String>,
    /// False when the value was a list or mapping rendered as source text.
    pub scalar: bool,
    /// Maps positions inside the value to the file; kept only for values holding an
    /// expression or several lines, the only ones whose inner positions findings point
    /// at: boxed, since most values have none.
    #[serde(skip)]
    pub map: Option<Box<ScalarMap>>,
}

impl KeyValue {
    /// A span inside the value mapped to the file (the value start when unmapped).
    #[must_use]
    pub fn file_span(&self, inner: Span) -> Span {
        match &self.map {
            Some(m) => m.span_to_file(inner),
            None => Span::empty(self.value.span.start()),
        }
    }
}

pub type EnvVar = KeyValue;

/// An `env:` block: a mapping of variables, or a single expression (`env: ${{ fromJSON(…) }}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Env {
    pub key: Option<Span>,
    /// Most steps and jobs have no `env:`: an empty list is one word.
    pub vars: thin_vec::ThinVec<EnvVar>,
    /// Boxed: few blocks are one expression, and every step, job and workflow has an
    /// `Env`.
    pub expression: Option<Box<Spanned<String>>>,
}

impl Env {
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&EnvVar> {
        self.vars.iter().find(|v| v.key.value == name)
    }
}

/// The value of variable `name` in the first env block (innermost first) that sets it.
pub fn env_value<'e>(envs: &[&'e Env], name: &str) -> Option<&'e str> {
    envs.iter()
        .find_map(|e| e.get(name))
        .map(|v| v.value.value.as_str())
}

/// `text` with each `${{ env.NAME }}` replaced by the literal the innermost env block
/// (of `envs`, innermost first) gives `NAME`. Other expressions, and variables that no
/// block sets or that hold something only the run knows (an expression, a shell
/// variable), stay as written.
#[must_use]
pub fn resolve_env_refs(text: &str, envs: &[&Env]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end) in crate::expr::expression_spans(text) {
        let literal = text
            .get(start..end)
            .filter(|e| e.ends_with("}}"))
            .and_then(|e| e.get(3..e.len() - 2))
            .and_then(|inner| inner.trim().strip_prefix("env."))
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .and_then(|name| {
                envs.iter().find_map(|e| {
                    e.vars
                        .iter()
                        .find(|v| v.key.value.eq_ignore_ascii_case(name))
                })
            })
            .map(|v| v.value.value.as_str())
            .filter(|v| !v.contains('$'));
        if let Some(value) = literal {
            out.push_str(&text[last..start]);
            out.push_str(value);
            last = end;
        }
    }
    out.push_str(&text[last..]);
    out
}

/// A ref or path filter of an event (`branches:`, `tags-ignore:`, `paths:`, …): the key
/// and its patterns, whether written as one scalar or a list, in block or flow style.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Filter {
    pub key: Span,
    pub patterns: Vec<Spanned<String>>,
}

/// A declared input of `workflow_dispatch` or `workflow_call`, as read from the YAML tree
/// (so `inputs: {dry: {type: boolean}}` reads like its block form).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TriggerInput {
    pub name: Spanned<String>,
    /// `type:` as written (`string`, `boolean`, `choice`, `number`, `environment`).
    #[serde(rename = "type")]
    pub type_: Option<Spanned<String>>,
    /// `required:` when it is a YAML boolean.
    pub required: Option<Spanned<bool>>,
    /// `default:` as written (scalars as their text).
    pub default: Option<Spanned<String>>,
    /// `options:` of a `choice` input.
    pub options: Vec<Spanned<String>>,
}

impl TriggerInput {
    /// Whether GitHub validates the value against a type that cannot carry arbitrary
    /// text (`boolean`, `choice`, `number`, `environment`) before the run starts.
    #[must_use]
    pub fn is_constrained(&self) -> bool {
        self.type_.as_ref().is_some_and(|t| {
            matches!(
                t.value.as_str(),
                "boolean" | "choice" | "number" | "environment"
            )
        })
    }
}

/// One event of `on:` with the span of its name and the filters and declarations of its
/// configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Trigger {
    pub event: Spanned<String>,
    /// `types:` of the event (`pull_request_target: {types: [opened]}`).
    pub types: Vec<Spanned<String>>,
    pub branches: Option<Filter>,
    pub branches_ignore: Option<Filter>,
    pub tags: Option<Filter>,
    pub tags_ignore: Option<Filter>,
    pub paths: Option<Filter>,
    pub paths_ignore: Option<Filter>,
    /// Declared inputs of `workflow_dispatch` and `workflow_call`.
    pub inputs: Vec<TriggerInput>,
    /// For `workflow_call`: declared secrets.
    pub secrets: Vec<Spanned<String>>,
}

impl Trigger {
    /// An event with no configuration (`on: push`, `on: [push]`, `push:` with null).
    #[must_use]
    pub const fn bare(event: Spanned<String>) -> Self {
        Self {
            event,
            types: Vec::new(),
            branches: None,
            branches_ignore: None,
            tags: None,
            tags_ignore: None,
            paths: None,
            paths_ignore: None,
            inputs: Vec::new(),
            secrets: Vec::new(),
        }
    }

    /// Whether the event runs for pushed tags only through a tag filter: `tags:` or
    /// `tags-ignore:` (with only a tag filter, GitHub does not run it for branches).
    #[must_use]
    pub const fn filters_tags(&self) -> bool {
        self.tags.is_some() || self.tags_ignore.is_some()
    }

    /// The declared input `name` (input names are case-insensitive, as GitHub reads
    /// them).
    #[must_use]
    pub fn input(&self, name: &str) -> Option<&TriggerInput> {
        self.inputs
            .iter()
            .find(|i| i.name.value.eq_ignore_ascii_case(name))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Triggers {
    /// The `on:` key (also accepts `true:` from YAML 1.1 parsers; we read `on` literally).
    pub key: Span,
    pub events: Vec<Trigger>,
}

impl Triggers {
    #[must_use]
    pub fn has(&self, event: &str) -> bool {
        self.events.iter().any(|t| t.event.value == event)
    }

    /// The event named `event` (a duplicate key is reported by the YAML layer and only
    /// the first one is kept, so there is at most one).
    #[must_use]
    pub fn event(&self, event: &str) -> Option<&Trigger> {
        self.events.iter().find(|t| t.event.value == event)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PermissionLevel {
    None,
    Read,
    Write,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Permission {
    pub scope: Spanned<String>,
    pub level: Spanned<PermissionLevel>,
}

/// The forms of `permissions:`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "form", content = "scopes", rename_all = "kebab-case")]
pub enum Permissions {
    ReadAll,
    WriteAll,
    /// `permissions: {}`: no scope at all (only metadata read).
    Empty,
    Scopes(Vec<Permission>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PermissionsBlock {
    pub key: Span,
    pub value_span: Span,
    pub permissions: Permissions,
}

impl PermissionsBlock {
    /// The level this block grants for `scope` (`write-all` grants write to everything).
    #[must_use]
    pub fn level(&self, scope: &str) -> PermissionLevel {
        match &self.permissions {
            Permissions::ReadAll => {
                if scope == "id-token" {
                    PermissionLevel::None
                } else {
                    PermissionLevel::Read
                }
            }
            Permissions::WriteAll => PermissionLevel::Write,
            Permissions::Empty => PermissionLevel::None,
            Permissions::Scopes(s) => s
                .iter()
                .find(|p| p.scope.value == scope)
                .map_or(PermissionLevel::None, |p| p.level.value),
        }
    }
}

/// `runs-on:` in its string, list, group/labels and expression forms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunsOn {
    pub span: Span,
    pub labels: Vec<Spanned<String>>,
    pub group: Option<Spanned<String>>,
}

impl RunsOn {
    /// True when a label is an expression, so the runner OS is decided at run time.
    #[must_use]
    pub fn is_dynamic(&self) -> bool {
        self.labels.iter().any(|l| l.value.contains("${{"))
    }

    /// Windows by label, which decides the default shell (pwsh).
    #[must_use]
    pub fn is_windows(&self) -> bool {
        self.labels
            .iter()
            .any(|l| l.value.to_ascii_lowercase().contains("windows"))
    }

    /// Self-hosted: the `self-hosted` label, or a runner group.
    #[must_use]
    pub fn is_self_hosted(&self) -> bool {
        self.group.is_some() || self.labels.iter().any(|l| l.value == "self-hosted")
    }
}

/// A job `container:` or one of its `services:`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Container {
    /// The service id for services; `None` for the job container.
    pub id: Option<Spanned<String>>,
    pub image: Option<Spanned<String>>,
    /// `credentials:` (a registry login, usually with secrets): `username` and
    /// `password` as written.
    pub credentials: Option<Vec<KeyValue>>,
    pub env: Env,
    pub span: Span,
}

/// `strategy.matrix` as written: its span and the names of its dimensions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Matrix {
    pub span: Span,
    pub dimensions: Vec<Spanned<String>>,
    /// The literal values `matrix.<path>` takes, by path (`rocky-version`,
    /// `settings.docker` for a list of mappings, keys of `include:` rows), each where it
    /// is written. A path with any value that is not a literal scalar (an expression, a
    /// nested list) is absent: its values are known only at run time.
    #[serde(skip)]
    pub values: std::collections::BTreeMap<String, Vec<Spanned<String>>>,
}

impl Matrix {
    /// The literal values of `matrix.<path>` (lowercase path), if every one is known.
    #[must_use]
    pub fn literal_values(&self, path: &str) -> Option<&[Spanned<String>]> {
        self.values
            .get(&path.to_ascii_lowercase())
            .map(Vec::as_slice)
    }

    /// `text` (an image reference, say) with its one `${{ matrix.<path> }}` replaced by
    /// each literal value of the path, distinct results only, each with where its value is
    /// written; `None` when `text` holds another expression, several, or a path with a
    /// value only the run knows.
    #[must_use]
    pub fn expand(&self, text: &str) -> Option<Vec<Spanned<String>>> {
        let start = text.find("${{")?;
        let end = start + text[start..].find("}}")? + 2;
        if text[end..].contains("${{") {
            return None;
        }
        let path = text[start + 3..end - 2].trim().strip_prefix("matrix.")?;
        if !path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return None;
        }
        let mut out: Vec<Spanned<String>> = Vec::new();
        for v in self.literal_values(path)? {
            let expanded = format!("{}{}{}", &text[..start], v.value, &text[end..]);
            if !out.iter().any(|o| o.value == expanded) {
                out.push(Spanned::new(expanded, v.span));
            }
        }
        Some(out)
    }
}

/// `secrets:` on a reusable-workflow call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobSecrets {
    Inherit(Span),
    Map(Vec<KeyValue>),
}

/// A `run:` script with what it takes to map script positions back into the file.
#[derive(Clone, Debug, Serialize)]
pub struct Run {
    pub key: Span,
    /// The script value as the runner sees it (indentation stripped, escapes resolved).
    pub script: String,
    /// Span of the scalar in the file.
    pub span: Span,
    #[serde(skip)]
    pub map: ScalarMap,
    /// Set when the script is an input of the step's action, which runs it (a retry
    /// wrapper's `command`): `key` is then the input's key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<RunInput>,
}

/// A script an action runs from one of its inputs.
#[derive(Clone, Debug, Serialize)]
pub struct RunInput {
    /// The action, `owner/repo[/path]`.
    pub action: String,
    /// The `with:` input.
    pub name: String,
    /// An input the action runs first, before `name` (run-on-arch's `install`, in the
    /// image build); the script holds both, that one first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// The action runs the script again when it fails.
    pub retries: bool,
}

impl Run {
    /// What the script is, for messages: "a `run:` script", or "the `command` input of
    /// `nick-fields/retry`, which runs it as a script".
    #[must_use]
    pub fn describe(&self) -> String {
        match &self.input {
            None => "a `run:` script".to_owned(),
            Some(RunInput {
                before: Some(b),
                name,
                action,
                ..
            }) => {
                format!("the `{b}` and `{name}` inputs of `{action}`, which runs them as scripts")
            }
            Some(i) => format!(
                "the `{}` input of `{}`, which runs it as a script",
                i.name, i.action
            ),
        }
    }
}

impl Run {
    /// A span inside `script` mapped to the file.
    #[must_use]
    pub fn file_span(&self, script_span: Span) -> Span {
        self.map.span_to_file(script_span)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Step {
    /// Position in its job's (or composite action's) `steps:` list, from 0.
    pub index: usize,
    pub span: Span,
    pub id: Option<Spanned<String>>,
    pub name: Option<Spanned<String>>,
    pub if_: Option<Spanned<String>>,
    /// Boxed: a step has either `uses:` or `run:`, so keeping both inline would hold room
    /// for the one it does not have in every step of every kept model.
    pub uses: Option<Box<Spanned<Uses>>>,
    /// The `uses:` text as written and its trailing comment (read through
    /// [`Step::uses_text`] and [`Step::uses_comment`]): boxed, as `uses` is.
    #[serde(flatten)]
    pub uses_written: Option<Box<UsesWritten>>,
    /// Boxed for the reason `uses` is.
    pub run: Option<Box<Run>>,
    /// Empty for most steps (every `run:` step): one word.
    pub with: thin_vec::ThinVec<KeyValue>,
    pub with_key: Option<Span>,
    pub env: Env,
    /// What few steps set, read through the accessors below (`shell()`, …); serialised
    /// as fields of the step.
    #[serde(flatten)]
    rare: Option<Box<StepRare>>,
}

/// The keys of a step that few steps in real workflows set (in the 521-workflow corpus,
/// `shell:` on about one step in twenty and the rest rarer), kept behind one box so that a
/// step without them (most) holds one pointer for all of them.
#[derive(Clone, Debug, Default, Serialize)]
pub struct StepRare {
    pub shell: Option<Spanned<String>>,
    pub working_directory: Option<Spanned<String>>,
    /// `with:` given as one expression (`${{ fromJSON(vars.X) }}`): the inputs are known
    /// only at run time, and `with` is empty.
    pub with_expression: Option<Spanned<String>>,
    pub continue_on_error: Option<Span>,
    pub timeout_minutes: Option<Spanned<String>>,
    /// Parallel steps (2026): `background: true` and `wait-all:`.
    pub background: Option<Spanned<String>>,
    pub wait_all: Option<Span>,
    /// The `parallel:` key of the group this step belongs to, if any.
    pub parallel_group: Option<Span>,
}

/// A `uses:` value as written, with the comment that may follow it on its line.
#[derive(Clone, Debug, Serialize)]
pub struct UsesWritten {
    /// The raw `uses:` text (for messages and trailing `# v1.2.3` comments).
    pub uses_text: Spanned<String>,
    /// A `# comment` after the `uses:` value on the same line.
    pub uses_comment: Option<String>,
}

impl UsesWritten {
    /// `None` for a step or job without `uses:`.
    fn text(this: Option<&Self>) -> Option<&Spanned<String>> {
        this.map(|u| &u.uses_text)
    }

    fn comment(this: Option<&Self>) -> Option<&str> {
        this.and_then(|u| u.uses_comment.as_deref())
    }
}

impl Step {
    /// The raw `uses:` text (for messages and trailing `# v1.2.3` comments).
    #[must_use]
    pub fn uses_text(&self) -> Option<&Spanned<String>> {
        UsesWritten::text(self.uses_written.as_deref())
    }

    /// A `# comment` after the `uses:` value on the same line.
    #[must_use]
    pub fn uses_comment(&self) -> Option<&str> {
        UsesWritten::comment(self.uses_written.as_deref())
    }

    /// A step with nothing set but its place: what the parser fills in.
    #[must_use]
    pub fn blank(index: usize, span: Span) -> Self {
        Self {
            index,
            span,
            id: None,
            name: None,
            if_: None,
            uses: None,
            uses_written: None,
            run: None,
            with: thin_vec::ThinVec::new(),
            with_key: None,
            env: Env::default(),
            rare: None,
        }
    }

    /// The rarely set fields, for writing: allocated on first use.
    pub fn rare_mut(&mut self) -> &mut StepRare {
        self.rare.get_or_insert_with(Box::default)
    }

    fn rare(&self) -> Option<&StepRare> {
        self.rare.as_deref()
    }

    /// `shell:` (or the shell an action runs its script input in, see
    /// `script_from_input`).
    #[must_use]
    pub fn shell(&self) -> Option<&Spanned<String>> {
        self.rare()?.shell.as_ref()
    }

    #[must_use]
    pub fn working_directory(&self) -> Option<&Spanned<String>> {
        self.rare()?.working_directory.as_ref()
    }

    /// `with:` given as one expression (`${{ fromJSON(vars.X) }}`): the inputs are known
    /// only at run time, and `with` is empty.
    #[must_use]
    pub fn with_expression(&self) -> Option<&Spanned<String>> {
        self.rare()?.with_expression.as_ref()
    }

    #[must_use]
    pub fn continue_on_error(&self) -> Option<Span> {
        self.rare()?.continue_on_error
    }

    #[must_use]
    pub fn timeout_minutes(&self) -> Option<&Spanned<String>> {
        self.rare()?.timeout_minutes.as_ref()
    }

    /// Parallel steps (2026): `background:`.
    #[must_use]
    pub fn background(&self) -> Option<&Spanned<String>> {
        self.rare()?.background.as_ref()
    }

    /// Parallel steps (2026): `wait-all:`.
    #[must_use]
    pub fn wait_all(&self) -> Option<Span> {
        self.rare()?.wait_all
    }

    /// The `parallel:` key of the group this step belongs to, if any.
    #[must_use]
    pub fn parallel_group(&self) -> Option<Span> {
        self.rare()?.parallel_group
    }

    /// A step that only runs `script`, assembled from pieces of a file other than a
    /// workflow (a Makefile recipe, a shell script the workflow runs): `pieces` map the
    /// script back to the file (see `ScalarMap::pieces`), `span` is where it is in the
    /// file. The analysis and every reader of run steps then read it like a `run:`.
    #[must_use]
    pub fn from_script(
        index: usize,
        span: Span,
        script: String,
        pieces: &[(usize, usize, usize)],
    ) -> Self {
        Self {
            run: Some(Box::new(Run {
                key: span,
                script,
                span,
                map: ScalarMap::pieces(pieces).unwrap_or_else(|| ScalarMap::at(span.start())),
                input: None,
            })),
            ..Self::blank(index, span)
        }
    }

    /// Make the value of the `with:` input `input` the step's script, as the action
    /// `action` runs it: in `shell`, or the shell the input `shell_input` names. An input
    /// `before` the action runs first (in the same shell) goes first in the script, a line
    /// break between the two. Nothing changes for a step that has a `run:` (invalid beside
    /// `uses:`, reported by the parser) or whose inputs are missing, not strings, or an
    /// expression alone (their text is not known).
    pub fn script_from_input(
        &mut self,
        action: &str,
        input: &str,
        before: Option<&str>,
        shell: &str,
        shell_input: Option<&str>,
        retries: bool,
    ) {
        if self.run.is_some() {
            return;
        }
        let script_input = |name: &str| {
            let kv = self.with_value(name).filter(|kv| kv.scalar)?;
            let text = kv.value.value.trim();
            let opaque =
                text.starts_with("${{") && text.ends_with("}}") && text.matches("${{").count() == 1;
            (!text.is_empty() && !opaque).then_some(kv)
        };
        let map_of = |kv: &KeyValue| {
            kv.map
                .as_deref()
                .cloned()
                .unwrap_or_else(|| ScalarMap::at(kv.value.span.start()))
        };
        let first = before.and_then(script_input);
        let main = script_input(input);
        let (run_kv, script, map, before) = match (first, main) {
            (None, None) => return,
            (None, Some(kv)) => (kv, kv.value.value.clone(), map_of(kv), None),
            (Some(kv), None) => (kv, kv.value.value.clone(), map_of(kv), None),
            (Some(b), Some(kv)) => {
                let len = b.value.value.len();
                let map = map_of(b).then(len, 1, &map_of(kv));
                let script = format!("{}\n{}", b.value.value, kv.value.value);
                (b, script, map, Some(b.key.value.clone()))
            }
        };
        let run = Run {
            key: run_kv.key.span,
            script,
            span: run_kv.value.span,
            map,
            input: Some(RunInput {
                action: action.to_owned(),
                name: if before.is_none() {
                    run_kv.key.value.clone()
                } else {
                    input.to_owned()
                },
                before,
                retries,
            }),
        };
        let chosen = shell_input
            .and_then(|i| self.with_value(i))
            .filter(|kv| kv.scalar && !kv.value.value.contains("${{"))
            .map(|kv| kv.value.clone());
        let at = self.uses.as_ref().map_or(self.span, |u| u.span);
        self.rare_mut().shell = Some(chosen.unwrap_or_else(|| Spanned::new(shell.to_owned(), at)));
        self.run = Some(Box::new(run));
    }

    #[must_use]
    pub fn with_value(&self, key: &str) -> Option<&KeyValue> {
        self.with.iter().find(|kv| kv.key.value == key)
    }

    /// A display name: `name:`, else `id:`, else the `uses:` text, else "step N".
    #[must_use]
    pub fn label(&self) -> String {
        if let Some(n) = &self.name {
            return n.value.clone();
        }
        if let Some(i) = &self.id {
            return i.value.clone();
        }
        if let Some(u) = self.uses_text() {
            return u.value.clone();
        }
        if self.run.is_some() {
            return format!("run step {}", self.index + 1);
        }
        format!("step {}", self.index + 1)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Job {
    pub id: Spanned<String>,
    pub span: Span,
    pub name: Option<Spanned<String>>,
    pub runs_on: Option<RunsOn>,
    pub permissions: Option<PermissionsBlock>,
    pub needs: Vec<Spanned<String>>,
    pub if_: Option<Spanned<String>>,
    pub env: Env,
    pub defaults_shell: Option<Spanned<String>>,
    pub defaults_working_directory: Option<Spanned<String>>,
    pub timeout_minutes: Option<Spanned<String>>,
    pub strategy: Option<Span>,
    pub matrix: Option<Matrix>,
    /// Boxed, like the reusable-workflow call below: few jobs have one, and every job of
    /// every kept model would otherwise hold room for it.
    pub container: Option<Box<Container>>,
    pub services: Vec<Container>,
    pub environment: Option<Spanned<String>>,
    pub concurrency: Option<Span>,
    pub continue_on_error: Option<Span>,
    pub outputs: Vec<KeyValue>,
    /// A reusable-workflow call: `uses:` at job level.
    pub uses: Option<Box<Spanned<Uses>>>,
    /// The `uses:` text and its comment, as a step's (see [`Job::uses_text`]).
    #[serde(flatten)]
    pub uses_written: Option<Box<UsesWritten>>,
    pub with: Vec<KeyValue>,
    pub secrets: Option<Spanned<JobSecrets>>,
    pub steps: Vec<Step>,
}

impl Job {
    /// The raw `uses:` text of a reusable-workflow call.
    #[must_use]
    pub fn uses_text(&self) -> Option<&Spanned<String>> {
        UsesWritten::text(self.uses_written.as_deref())
    }

    /// A `# comment` after the job's `uses:` value on the same line.
    #[must_use]
    pub fn uses_comment(&self) -> Option<&str> {
        UsesWritten::comment(self.uses_written.as_deref())
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Workflow {
    pub name: Option<Spanned<String>>,
    pub run_name: Option<Spanned<String>>,
    pub on: Option<Triggers>,
    pub permissions: Option<PermissionsBlock>,
    pub env: Env,
    pub defaults_shell: Option<Spanned<String>>,
    pub defaults_working_directory: Option<Spanned<String>>,
    pub concurrency: Option<Span>,
    pub jobs_key: Option<Span>,
    pub jobs: Vec<Job>,
}

impl Workflow {
    /// Give back what growing the model's vectors reserved: a model is kept for the
    /// whole run, and a job or step is large.
    pub fn shrink_to_fit(&mut self) {
        self.env.vars.shrink_to_fit();
        self.jobs.shrink_to_fit();
        for job in &mut self.jobs {
            job.env.vars.shrink_to_fit();
            job.needs.shrink_to_fit();
            job.with.shrink_to_fit();
            job.outputs.shrink_to_fit();
            job.steps.shrink_to_fit();
            for step in &mut job.steps {
                step.with.shrink_to_fit();
                step.env.vars.shrink_to_fit();
            }
        }
    }

    /// The effective shell of a step as GitHub decides it: the step's `shell:`, else the
    /// job's `defaults.run.shell`, else the workflow's, else the runner's default (`pwsh` on
    /// Windows, `bash` elsewhere; with an expression in `runs-on` we assume the Linux
    /// default, which is what nearly every matrix over operating systems runs first).
    #[must_use]
    pub fn effective_shell<'a>(&'a self, job: &'a Job, step: &'a Step) -> &'a str {
        if let Some(s) = step
            .shell()
            .or(job.defaults_shell.as_ref())
            .or(self.defaults_shell.as_ref())
        {
            return &s.value;
        }
        match &job.runs_on {
            Some(r) if r.is_windows() && !r.is_dynamic() => "pwsh",
            _ => "bash",
        }
    }
}

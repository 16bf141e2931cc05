//! The typed model of a GitLab CI configuration. Every value keeps the file it was written
//! in (`file`, an index into the configuration's files) and its span there: a job that
//! `extends:` a template in an included file takes its `script:` from that file, and a
//! finding on it must point there.

use tollgate_model::Span;
use tollgate_yaml::{Node, ScalarMap};

use crate::sources::{Runs, Source, Sources};

/// A value written in one file of the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    /// Index of the file in the configuration ([`crate::Config::files`]).
    pub file: usize,
    pub value: String,
    pub span: Span,
}

/// A script line (`script:`, `before_script:`, `after_script:`), with the map from
/// positions in its value to positions in its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub text: Text,
    pub map: ScalarMap,
}

impl Line {
    /// A span inside the line's value mapped to its file.
    #[must_use]
    pub fn file_span(&self, inner: Span) -> Span {
        self.map.span_to_file(inner)
    }
}

/// One parsed file: its configuration document, after YAML merge keys (`<<:`), with the
/// `include:` entries read. Jobs are resolved over the whole configuration (the file and
/// what it includes) by [`crate::resolve`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitlabFile {
    /// The `spec:` header document of a file written for `include: inputs:` or as a CI/CD
    /// component, when there is one.
    pub spec: Option<Span>,
    /// The `inputs:` of the `spec:` header, each with its scalar `default:`.
    pub spec_inputs: Vec<(String, Option<String>)>,
    /// The configuration document (a mapping), `None` for an empty file.
    pub document: Option<Node>,
    pub includes: Vec<Include>,
    /// The `include:` of every `trigger:` written in the file's jobs: child pipelines,
    /// each a configuration of its own.
    pub child_includes: Vec<Include>,
}

/// The forms of `include:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IncludeKind {
    /// A file of the same repository (`local:` or a string without a scheme).
    Local,
    /// A file of another project (`project:` with `ref:` and `file:`).
    Project,
    /// A URL (`remote:` or a string with `https://`).
    Remote,
    /// One of GitLab's own templates (`template:`), shipped with the GitLab instance.
    Template,
    /// A CI/CD component (`component: host/path/name@version`).
    Component,
    /// A file a job of the same pipeline generated (`artifact:` with `job:`, in a
    /// `trigger:` of a dynamic child pipeline).
    Artifact,
}

impl IncludeKind {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Project => "project",
            Self::Remote => "remote",
            Self::Template => "template",
            Self::Component => "component",
            Self::Artifact => "artifact",
        }
    }
}

/// Whether an include names content that cannot change under the pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IncludePin {
    /// Pinned to a full commit SHA (`ref:` of a project, a component's `@version`, a
    /// commit in a remote URL's path).
    Commit,
    /// A branch, a tag, a version or nothing: what it names can move.
    Mutable,
    /// Not a third party's content: a file of the same repository, or a GitLab template
    /// versioned with the instance.
    NotApplicable,
    /// The reference is a variable (`$CI_COMMIT_REF_NAME`), decided when the pipeline runs.
    Dynamic,
}

impl IncludePin {
    /// Stable name for JSON and the inventory: `commit`, `mutable`, `not-applicable`,
    /// `dynamic`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Commit => "commit",
            Self::Mutable => "mutable",
            Self::NotApplicable => "not-applicable",
            Self::Dynamic => "dynamic",
        }
    }
}

/// One `include:` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Include {
    pub kind: IncludeKind,
    /// The span of the whole entry.
    pub span: Span,
    /// The path, project, URL, template name or component address (with its `@version`).
    pub target: Text,
    /// `ref:` of a project include.
    pub reference: Option<Text>,
    /// `file:` of a project include (a string or a list).
    pub files: Vec<Text>,
    /// The include has `rules:` (it may not apply to every pipeline).
    pub conditional: bool,
    /// The scalar values of its `inputs:`, for the file's `$[[ inputs.NAME ]]`.
    pub inputs: Vec<(String, String)>,
}

impl Include {
    /// The version a component names (after `@`), when it names one.
    #[must_use]
    pub fn component_version(&self) -> Option<&str> {
        (self.kind == IncludeKind::Component)
            .then(|| self.target.value.rsplit_once('@').map(|(_, v)| v))
            .flatten()
    }

    /// The pin state of the content the include names.
    #[must_use]
    pub fn pin(&self) -> IncludePin {
        let version = |v: &str| {
            if v.contains('$') {
                IncludePin::Dynamic
            } else if tollgate_model::addr::is_commit_sha(v) {
                IncludePin::Commit
            } else {
                IncludePin::Mutable
            }
        };
        match self.kind {
            IncludeKind::Local | IncludeKind::Template | IncludeKind::Artifact => {
                IncludePin::NotApplicable
            }
            IncludeKind::Project => match &self.reference {
                // No `ref:` is the project's default branch.
                None => IncludePin::Mutable,
                Some(r) => version(r.value.trim()),
            },
            IncludeKind::Component => match self.component_version() {
                None => IncludePin::Mutable,
                Some(v) => version(v),
            },
            IncludeKind::Remote => {
                let url = self.target.value.as_str();
                let path = url.split(['?', '#']).next().unwrap_or(url);
                if path.split('/').any(tollgate_model::addr::is_commit_sha) {
                    IncludePin::Commit
                } else {
                    IncludePin::Mutable
                }
            }
        }
    }
}

/// An image of `image:` or `services:`: a string, or a mapping with `name:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    pub name: Text,
    /// `entrypoint:` (a list of strings), when set.
    pub entrypoint: Vec<Text>,
    /// `docker: platform:`, `docker: user:` and other executor options, as written.
    pub docker: Vec<(String, Text)>,
    /// `pull_policy:` values.
    pub pull_policy: Vec<Text>,
    /// `alias:` of a service.
    pub alias: Option<Text>,
}

impl Image {
    /// Whether the name is one of the virtual machine images of GitLab's hosted macOS
    /// runners (`macos-15-xcode-16`), which such a runner boots from GitLab's own list:
    /// no registry pull.
    #[must_use]
    pub fn is_hosted_macos_vm(name: &str) -> bool {
        let Some(rest) = name.trim().strip_prefix("macos-") else {
            return false;
        };
        let Some((os, xcode)) = rest.split_once("-xcode-") else {
            return false;
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        digits(os) && digits(xcode)
    }
}

/// A CI/CD variable (`variables:` at the top level or in a job).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variable {
    pub name: Text,
    /// The value (`value:` of the long form); `None` when it is not a scalar.
    pub value: Option<Text>,
    /// `expand: false`: the value is taken literally.
    pub raw: bool,
}

/// `trigger:`: a child pipeline (`include:`) or a downstream project's pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trigger {
    pub span: Span,
    pub file: usize,
    /// `trigger: project` or `trigger: {project: …}`.
    pub project: Option<Text>,
    /// `branch:` of a multi-project trigger.
    pub branch: Option<Text>,
    /// The child pipeline's configuration files (`include:` of the trigger).
    pub include: Vec<Include>,
    /// `forward: pipeline_variables: true` or `strategy: depend`, as written keys.
    pub options: Vec<String>,
}

/// A secret of `secrets:` (Vault, a cloud secret manager).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Secret {
    /// The variable the secret is written to.
    pub name: Text,
    /// The provider key: `vault`, `gcp_secret_manager`, `azure_key_vault`, `aws_secrets_manager`, `akeyless`.
    pub provider: Option<String>,
    /// `token:` naming the ID token used to authenticate.
    pub token: Option<Text>,
}

/// Where a keyword is set, for keywords kept only as present or absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct At {
    pub file: usize,
    pub span: Span,
}

/// `retry:` of a job (its own or `default:`'s): GitLab runs the job again, up to `max`
/// times, when it fails for one of the `when` reasons.
/// <https://docs.gitlab.com/ci/yaml/#retry>
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retry {
    pub at: At,
    /// `retry: 2` or `retry: max: 2` (0 to 2; 0 when absent from the mapping).
    pub max: u32,
    /// `when:` failure reasons as written; empty means any failure (`always`, the
    /// default).
    pub when: Vec<String>,
    /// `exit_codes:` restricts the retry to those exit codes of the script.
    pub exit_codes: bool,
}

impl Retry {
    /// Whether a failure of one of these reasons is retried.
    #[must_use]
    pub fn on_any(&self, reasons: &[&str]) -> bool {
        if self.max == 0 {
            return false;
        }
        if self.when.is_empty() {
            // Only some exit codes, when `exit_codes:` is all that is set.
            return !self.exit_codes;
        }
        self.when
            .iter()
            .any(|w| w == "always" || reasons.contains(&w.as_str()))
    }
}

/// One `cache:` entry of a job (its own or `default:`'s; a job may list up to four).
/// <https://docs.gitlab.com/ci/yaml/#cache>
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cache {
    pub at: At,
    /// `paths:` as written, relative to the project directory.
    pub paths: Vec<Text>,
    /// `policy: push` only uploads: nothing is restored for the job.
    pub restores: bool,
}

/// One visible job, with `extends:`, `!reference`, `default:` and merge keys applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub name: Text,
    /// The job's definition in the file of its name: from its key to the end of its
    /// mapping.
    pub span: Span,
    /// The templates it extends, as written.
    pub extends: Vec<Text>,
    pub stage: Option<Text>,
    pub image: Option<Image>,
    pub services: Vec<Image>,
    pub before_script: Vec<Line>,
    pub script: Vec<Line>,
    pub after_script: Vec<Line>,
    pub variables: Vec<Variable>,
    pub rules: Option<At>,
    pub only: Option<At>,
    pub except: Option<At>,
    pub needs: Vec<Text>,
    pub cache: Option<At>,
    /// The entries of `cache:`, with their paths.
    pub caches: Vec<Cache>,
    pub retry: Option<Retry>,
    pub artifacts: Option<At>,
    pub trigger: Option<Trigger>,
    /// Names of the ID tokens (`id_tokens:`).
    pub id_tokens: Vec<Text>,
    pub secrets: Vec<Secret>,
    /// Runner tags.
    pub tags: Vec<Text>,
    pub environment: Option<Text>,
    pub release: Option<At>,
    pub timeout: Option<Text>,
    /// `allow_failure:` read as GitLab reads it (YAML 1.1 booleans included).
    pub allow_failure: Option<bool>,
    pub when: Option<Text>,
    /// `parallel: matrix:`: one entry per item of the list, each variable with its
    /// values (a value or a list of them); the job runs once per combination.
    pub matrix: Vec<Vec<(String, Vec<Text>)>>,
    /// The kinds of pipeline the job's own `rules:`/`only:`/`except:`/`when:` let it run
    /// in (before `workflow: rules:`; see [`Config::job_sources`]).
    pub sources: Sources,
    /// [`Job::sessions`], made the first time they are asked for (every rule reads them).
    pub(crate) sessions_made: Made<Vec<Session>>,
}

/// A value derived from the rest of a struct, made once when first asked for. It takes no
/// part in comparisons: two jobs are equal whether or not theirs is made yet.
#[derive(Clone, Default)]
pub(crate) struct Made<T>(std::sync::OnceLock<T>);

impl<T> PartialEq for Made<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Eq for Made<T> {}

impl<T> std::fmt::Debug for Made<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Made")
    }
}

/// Script lines one shell runs as one script: `before_script` and `script` share a shell
/// (GitLab runs them in one session), `after_script` runs in another. Consecutive lines
/// written in the same file are joined by line breaks, each mapped onto its file; a line
/// from another file (a `!reference` into an included file) starts a new session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub file: usize,
    pub text: String,
    pub map: ScalarMap,
    /// True for `after_script` lines.
    pub after: bool,
}

impl Session {
    /// A span inside the session's text mapped to its file.
    #[must_use]
    pub fn file_span(&self, inner: Span) -> Span {
        self.map.span_to_file(inner)
    }
}

/// Most combinations of one `parallel: matrix:` entry expanded (GitLab allows 200 jobs
/// per matrix).
const MAX_COMBINATIONS: usize = 200;

impl Job {
    /// The values `text` takes in the job's `parallel: matrix:` runs, when it names a
    /// matrix variable (`$IMAGE`, `${IMAGE}`, `python:$VERSION`): each distinct
    /// expansion with no variable left, with the place of the first value it took. Empty
    /// when the text names no matrix variable.
    #[must_use]
    pub fn matrix_values(&self, text: &str) -> Vec<(String, Text)> {
        let mut out: Vec<(String, Text)> = Vec::new();
        for entry in &self.matrix {
            let used: Vec<&(String, Vec<Text>)> = entry
                .iter()
                .filter(|(name, values)| {
                    !values.is_empty()
                        && (text.contains(&format!("${{{name}}}")) || names_var(text, name))
                })
                .collect();
            if used.is_empty() {
                continue;
            }
            // Every combination of the used variables' values.
            let mut combos: Vec<(String, Option<Text>)> = vec![(text.to_owned(), None)];
            for (name, values) in used {
                let mut next = Vec::new();
                for (t, first) in &combos {
                    for v in values {
                        if next.len() >= MAX_COMBINATIONS {
                            break;
                        }
                        let t = replace_var(t, name, &v.value);
                        next.push((t, first.clone().or_else(|| Some(v.clone()))));
                    }
                }
                combos = next;
            }
            for (t, first) in combos {
                let Some(first) = first else { continue };
                if !t.contains('$') && !out.iter().any(|(o, _)| *o == t) {
                    out.push((t, first));
                }
            }
        }
        out
    }

    /// The job's scripts as the shells run them ([`Session`]), made from its script
    /// lines the first time they are asked for (the lines are not changed once the job is
    /// read).
    #[must_use]
    pub fn sessions(&self) -> &[Session] {
        self.sessions_made.0.get_or_init(|| self.make_sessions())
    }

    fn make_sessions(&self) -> Vec<Session> {
        let mut out: Vec<Session> = Vec::new();
        let main = self
            .before_script
            .iter()
            .chain(&self.script)
            .map(|l| (l, false));
        let after = self.after_script.iter().map(|l| (l, true));
        let mut last_after = None;
        for (line, is_after) in main.chain(after) {
            match out.last_mut() {
                Some(s) if s.file == line.text.file && last_after == Some(is_after) => {
                    let len = s.text.len();
                    let map = std::mem::replace(&mut s.map, ScalarMap::at(0));
                    s.map = map.then(len, 1, &line.map);
                    s.text.push('\n');
                    s.text.push_str(&line.text.value);
                }
                _ => out.push(Session {
                    file: line.text.file,
                    text: line.text.value.clone(),
                    map: line.map.clone(),
                    after: is_after,
                }),
            }
            last_after = Some(is_after);
        }
        out
    }

    /// Every script line in the order the runner runs them.
    pub fn lines(&self) -> impl Iterator<Item = &Line> {
        self.before_script
            .iter()
            .chain(&self.script)
            .chain(&self.after_script)
    }
}

/// `workflow:` of a configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workflow {
    pub at: At,
    pub rules: Option<At>,
    pub name: Option<Text>,
    /// The kinds of pipeline `workflow: rules:` lets GitLab create.
    pub sources: Sources,
}

/// A whole configuration: a `.gitlab-ci.yml` with every local file it includes, resolved.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Config {
    /// The display paths of the files, by index; the first is the root file.
    pub files: Vec<String>,
    pub stages: Vec<Text>,
    pub variables: Vec<Variable>,
    pub workflow: Option<Workflow>,
    /// Every include of every file, in reading order.
    pub includes: Vec<Include>,
    /// Which file each include of `includes` is written in.
    pub include_files: Vec<usize>,
    pub jobs: Vec<Job>,
    /// Problems found while resolving (unknown `extends:` targets, cycles).
    pub problems: Vec<Problem>,
}

impl Config {
    /// The kinds of pipeline job `job` runs in: its own rules within the pipelines
    /// `workflow: rules:` creates.
    #[must_use]
    pub fn job_sources(&self, job: &Job) -> Sources {
        match &self.workflow {
            Some(w) => job.sources.within(&w.sources),
            None => job.sources.clone(),
        }
    }

    /// Read this configuration as a child pipeline that jobs running in `parents` start:
    /// each job runs where they do, if its own rules (and `workflow: rules:`) let it run
    /// in a `parent_pipeline`.
    pub fn as_child_of(&mut self, parents: &Sources) {
        let sources: Vec<Sources> = self
            .jobs
            .iter()
            .map(|j| self.job_sources(j).in_child_pipeline(parents))
            .collect();
        for (job, s) in self.jobs.iter_mut().zip(sources) {
            job.sources = s;
        }
        if let Some(w) = &mut self.workflow {
            w.sources = Sources::default();
        }
    }

    /// The kinds of pipeline the configuration creates with at least one job: the union
    /// of its jobs' [`Config::job_sources`].
    #[must_use]
    pub fn sources(&self) -> Vec<(Source, Runs)> {
        Source::ALL
            .into_iter()
            .map(|s| {
                let r = self
                    .jobs
                    .iter()
                    .map(|j| self.job_sources(j).runs(s))
                    .max()
                    .unwrap_or_default();
                (s, r)
            })
            .filter(|(_, r)| *r != Runs::No)
            .collect()
    }
}

/// A problem found while resolving a configuration, in one of its files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: usize,
    pub span: Span,
    pub message: String,
}

/// Whether `text` names `$name` with no longer name after it (`$IMAGE` but not
/// `$IMAGE_TAG`).
fn names_var(text: &str, name: &str) -> bool {
    let pat = format!("${name}");
    text.match_indices(&pat).any(|(i, _)| {
        !text[i + pat.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// `text` with `${name}` and `$name` (not a longer name) replaced by `value`.
fn replace_var(text: &str, name: &str, value: &str) -> String {
    let text = text.replace(&format!("${{{name}}}"), value);
    let pat = format!("${name}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find(&pat) {
        let after = &rest[i + pat.len()..];
        let longer = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        out.push_str(&rest[..i]);
        out.push_str(if longer { &pat } else { value });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `reference` with each `$NAME`/`${NAME}` that `vars` give a literal value replaced;
/// `None` when nothing was replaced.
#[must_use]
pub fn expand_variables(reference: &str, vars: &[&Variable]) -> Option<String> {
    if !reference.contains('$') {
        return None;
    }
    let mut out = reference.to_owned();
    let mut changed = false;
    for v in vars {
        let Some(value) = v.value.as_ref().map(|t| t.value.as_str()) else {
            continue;
        };
        if value.contains('$') {
            continue;
        }
        let name = &v.name.value;
        for pattern in [format!("${{{name}}}"), format!("${name}")] {
            // `$NAME` must not be the start of a longer name (`$NAME_SUFFIX`).
            let mut from = 0;
            while let Some(i) = out[from..].find(&pattern).map(|i| i + from) {
                let end = i + pattern.len();
                let longer = !pattern.ends_with('}')
                    && out[end..]
                        .bytes()
                        .next()
                        .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
                if longer {
                    from = end;
                    continue;
                }
                out.replace_range(i..end, value);
                changed = true;
                from = i + value.len();
            }
        }
    }
    changed.then_some(out)
}

//! The typed model of one Dockerfile: what it pulls, what it runs, what it downloads,
//! each with the span of its text in the file.

use tollgate_model::Span;

/// A value with the span of its text in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub const fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }
}

/// A parsed Dockerfile. Instructions after a syntax error are not in it (the error is a
/// diagnostic); everything before it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dockerfile {
    /// The escape character: `\` unless a `# escape=` directive says otherwise (`` ` ``
    /// in Windows Dockerfiles, whose `RUN` text is then not a POSIX shell's).
    pub escape: char,
    /// Every `ARG`, in file order: those before the first `FROM` are global (the only
    /// ones a `FROM` line can use), the others belong to their stage.
    pub args: Vec<Arg>,
    /// The stages, one per `FROM`, in file order.
    pub stages: Vec<Stage>,
    /// Every image reference (`FROM`, `COPY --from=`), in file order, with what it names.
    pub images: Vec<ImageUse>,
    /// Every `RUN` of a stage, in file order (`ONBUILD RUN` runs in another build and is
    /// left out).
    pub runs: Vec<Run>,
    /// Every remote source of an `ADD` (`http(s)://`, `git@…`), in file order.
    pub adds: Vec<Add>,
}

impl Dockerfile {
    /// The registry image a stage is built on, through the stages it names
    /// (`FROM build AS test` → `build`'s base); `None` for `scratch` or a base chosen at
    /// build time.
    #[must_use]
    pub fn base_image(&self, stage: usize) -> Option<&str> {
        let mut s = stage;
        // Each stage can only name an earlier one, so the walk ends; the bound is a guard.
        for _ in 0..=self.stages.len() {
            let base = self.images.get(self.stages.get(s)?.base)?;
            match &base.target {
                Target::Image { reference } => return Some(reference),
                Target::Stage(i) if *i < s => s = *i,
                _ => return None,
            }
        }
        None
    }

    /// The image references that name a registry image (not a stage, `scratch`, or a
    /// reference whose variables have no default).
    pub fn pulls(&self) -> impl Iterator<Item = (&ImageUse, &str)> {
        self.images.iter().filter_map(|u| match &u.target {
            Target::Image { reference } => Some((u, reference.as_str())),
            _ => None,
        })
    }
}

/// `ARG NAME[=default]`; one per name of an `ARG` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    pub name: Spanned<String>,
    /// The default as written (quotes removed), when there is one.
    pub default: Option<Spanned<String>>,
    /// The stage it is declared in; `None` before the first `FROM` (a global `ARG`).
    pub stage: Option<usize>,
}

/// One `FROM` and what follows it up to the next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    /// Position among the stages (what `COPY --from=0` names).
    pub index: usize,
    /// The `FROM` keyword.
    pub keyword: Span,
    /// `AS name`, lowercased as Docker compares stage names.
    pub name: Option<Spanned<String>>,
    /// `--platform=…` as written.
    pub platform: Option<Spanned<String>>,
    /// The index in [`Dockerfile::images`] of the stage's base.
    pub base: usize,
}

/// Where an image reference is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// `FROM <image>`: the stage's base.
    From,
    /// `COPY --from=<image>`: files copied out of another image.
    CopyFrom,
}

impl Via {
    /// How a finding names the place: "`FROM` image".
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::From => "FROM",
            Self::CopyFrom => "COPY --from",
        }
    }
}

/// An image reference and what it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageUse {
    pub via: Via,
    /// The stage the instruction is in.
    pub stage: usize,
    /// The reference as written (line continuations removed), at its text.
    pub written: Spanned<String>,
    pub target: Target,
}

impl ImageUse {
    /// Whether `${ARG}` defaults made the reference different from what is written.
    #[must_use]
    pub fn substituted(&self) -> bool {
        matches!(&self.target, Target::Image { reference } if *reference != self.written.value)
    }
}

/// What an image reference names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An image from a registry, with every `$ARG`/`${ARG}` replaced by its default.
    Image { reference: String },
    /// An earlier stage of the same file (by name or, for `COPY --from`, by index): built
    /// here, not pulled.
    Stage(usize),
    /// `scratch`: the empty image, nothing is pulled.
    Scratch,
    /// Names a variable with no default (a build argument, `TARGETARCH`) or a form not
    /// expanded here: chosen at build time and not guessed.
    Unresolved,
}

/// A `RUN` instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub stage: usize,
    /// The `RUN` keyword.
    pub keyword: Span,
    pub body: RunBody,
    /// The bodies of its here-documents (`RUN <<EOF … EOF`), each at its text; with
    /// `RUN <<EOF` alone, the first is the script.
    pub here_docs: Vec<Spanned<String>>,
    /// The stage's `SHELL` when one was set before this `RUN` (its JSON arguments);
    /// `None` for the default `/bin/sh -c`.
    pub shell: Option<Vec<String>>,
    /// The POSIX shell script the `RUN` runs, when it is one: the shell form under the
    /// default or a `sh`/`bash` `SHELL`, with the comment lines Docker drops blanked
    /// (same length, so an offset into it plus `span.start` is an offset into the
    /// file), or the body of `RUN <<EOF`. `None` for the exec form, another `SHELL`
    /// (PowerShell), a `# escape=` other than `\`, or a here-document with another
    /// interpreter's `#!` line.
    pub script: Option<Spanned<String>>,
}

impl Run {
    /// The bash dialect the script is read in: `bash` when the stage's `SHELL` is
    /// bash, else `sh`.
    #[must_use]
    pub fn shell_name(&self) -> &str {
        match self.shell.as_ref().and_then(|s| s.first()) {
            Some(s) if base_name(s) == "bash" => "bash",
            _ => "sh",
        }
    }

    /// A span inside [`Run::script`] as a span of the file.
    #[must_use]
    pub fn file_span(&self, inner: Span) -> Span {
        self.script
            .as_ref()
            .map_or(self.keyword, |s| inner.offset(s.span.start()))
    }
}

/// The program name of a path (`/bin/bash` → `bash`).
pub(crate) fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The command of a `RUN`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunBody {
    /// Shell form: the text as written, line continuations and comment lines kept, so
    /// that an offset into it plus `span.start` is an offset into the file.
    Shell(Spanned<String>),
    /// Exec form: the JSON array's strings, each at its text.
    Exec(Vec<Spanned<String>>),
}

/// A remote source of an `ADD`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Add {
    pub stage: usize,
    pub url: Spanned<String>,
    /// `--checksum=sha256:…`: the download is verified.
    pub checksum: Option<Spanned<String>>,
}

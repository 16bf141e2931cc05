//! Delivery facts: what a script downloads, runs, installs, verifies and which
//! credentials it uses. Each fact carries the span of its command and, where one argument
//! explains it, that argument's span.

use serde::Serialize;
use tollgate_model::Span;

/// One fact about a script.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Fact {
    Download(Download),
    Image(Image),
    ImageBuild(ImageBuild),
    DownloadExec(DownloadExec),
    Verification(Verification),
    Install(Install),
    Credential(Credential),
    EnvWrite(EnvWrite),
    SecretEcho(SecretEcho),
    Invoke(Invoke),
}

impl Fact {
    /// The primary span: the command (or expression) the fact is about.
    #[must_use]
    pub const fn span(&self) -> Span {
        match self {
            Self::Download(f) => f.span,
            Self::Image(f) => f.span,
            Self::ImageBuild(f) => f.span,
            Self::DownloadExec(f) => f.span,
            Self::Verification(f) => f.span,
            Self::Install(f) => f.span,
            Self::Credential(f) => f.span,
            Self::EnvWrite(f) => f.span,
            Self::SecretEcho(f) => f.span,
            Self::Invoke(f) => f.span,
        }
    }

    /// A stable kebab-case name of the fact kind (for counts and JSON).
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Download(_) => "download",
            Self::Image(_) => "image",
            Self::ImageBuild(_) => "image-build",
            Self::DownloadExec(_) => "download-exec",
            Self::Verification(_) => "verification",
            Self::Install(_) => "install",
            Self::Credential(_) => "credential",
            Self::EnvWrite(_) => "env-write",
            Self::SecretEcho(_) => "secret-echo",
            Self::Invoke(_) => "invoke",
        }
    }
}

/// A network fetch: `curl`, `wget`, `gh release download`, `gh api`, `git clone`/`fetch`,
/// `aws s3 cp`, `gsutil cp`, `oras pull`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[allow(clippy::struct_excessive_bools)]
pub struct Download {
    /// `curl`, `wget`, `gh release download`, `gh api`, `git clone`, `git fetch`,
    /// `git submodule`, `aws s3 cp`, `gsutil cp`, `oras pull`, …
    pub tool: &'static str,
    /// The URL (or repository, bucket object, artifact reference) as written; dynamic
    /// parts stay as written (`https://x/$V/a.tgz`).
    pub url: Option<String>,
    /// The host, when the URL's host part is static (lowercase, no port or user).
    pub host: Option<String>,
    pub url_span: Option<Span>,
    /// Where the content is written, when it is a file (`-o`, `-O`, `> f`, `tee f`, clone
    /// directory).
    pub output: Option<String>,
    /// A branch, tag or release named on the command line (`git clone -b v1`,
    /// `gh release download v1`).
    pub reference: Option<String>,
    /// Retries asked for explicitly (`curl --retry N`, `wget --tries N`). wget and git
    /// have their own defaults; this records only what the script says.
    pub retry: bool,
    /// TLS verification disabled (`curl -k`, `wget --no-check-certificate`,
    /// `git -c http.sslVerify=false`).
    pub insecure_tls: bool,
    /// The URL uses plain `http://` or `ftp://`.
    pub plain_http: bool,
    /// The content goes to standard output (to a pipe or a substitution).
    pub to_stdout: bool,
    /// The command sends data rather than only fetching: `curl -d/-F/-T/--data*/--json/
    /// --upload-file`, `curl -X/--request` or `wget --method` with a method other than
    /// GET or HEAD, `wget --post-data/--post-file/--body-data/--body-file`. Such a call
    /// talks to a service (a webhook, an upload API) and fetches nothing a build needs.
    pub sends: bool,
    pub span: Span,
}

/// A container image pulled or run: `docker pull/run/create`, `podman …`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Image {
    /// `docker pull`, `docker run`, `docker create`, `podman pull`, …
    pub tool: &'static str,
    /// The image reference as written.
    pub image: String,
    /// The `@sha256:…` digest, when the reference has one.
    pub digest: Option<String>,
    /// The image argument.
    pub image_span: Span,
    pub span: Span,
}

/// A command that runs a file of the repository, which the caller may follow: `make`
/// with its directory, makefile and goals, or a shell script by path (`./build.sh`,
/// `bash scripts/x.sh`, `. env.sh`), or a script of the action the step runs in
/// (`$GITHUB_ACTION_PATH/x.sh`). Only static words are recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Invoke {
    /// `make`, `script`, or `action-script` (its path is relative to the directory of
    /// the action that runs the step, which only a composite action's own steps know).
    pub what: &'static str,
    /// The script's path, or make's makefile (`-f`), as written.
    pub path: Option<String>,
    /// make's `-C` directory.
    pub dir: Option<String>,
    /// make's goals (empty: the default goal).
    pub targets: Vec<String>,
    pub span: Span,
}

/// An image build (`docker build`, `docker buildx build`, `podman build`): the base images
/// live in the Dockerfile, which the caller may analyse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageBuild {
    pub tool: &'static str,
    pub dockerfile: Option<String>,
    pub context: Option<String>,
    /// `-t/--tag` values: names given to the result, not pulls.
    pub tags: Vec<String>,
    /// Where each of `tags` is written (script-relative), in the same order: the graph
    /// locates its `builds` edges there. Not serialised: the facts output keeps its shape.
    #[serde(skip)]
    pub tag_spans: Vec<Span>,
    /// `--pull` asks for fresh base images.
    pub pull: bool,
    pub span: Span,
}

/// How downloaded content gets executed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "how", rename_all = "kebab-case")]
pub enum ExecHow {
    /// `curl … | sh` (also through `sudo`, `tee`).
    Pipe { interpreter: String },
    /// `bash <(curl …)`.
    ProcessSubstitution { interpreter: String },
    /// `sh -c "$(curl …)"`, `eval "$(curl …)"`.
    CommandSubstitution { interpreter: String },
    /// The downloaded file is run later (`./file`, `bash file`).
    LaterExecuted { file: String },
    /// `source file`, `. file`, `source <(curl …)`.
    Sourced { file: Option<String> },
    /// `dpkg -i`, `rpm -i`, `install`, `mv … /usr/local/bin`, `apt install ./x.deb`.
    Installed {
        file: Option<String>,
        installer: String,
    },
    /// An archive unpacked (`tar x`, `unzip`), whose contents are presumably run.
    Extracted {
        file: Option<String>,
        extractor: String,
    },
}

/// Downloaded content that gets executed, installed or unpacked in the same script.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DownloadExec {
    /// Index of the [`Download`] fact in `Analysis::facts`.
    pub download: usize,
    #[serde(flatten)]
    pub how: ExecHow,
    /// Index of a [`Verification`] fact that runs between the download and its use.
    pub verified_by: Option<usize>,
    /// The command that executes (or installs) the content.
    pub span: Span,
}

/// A checksum or signature check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// `sha256sum`, `shasum`, `sha512sum`, `gpg`, `cosign`, `minisign`, `slsa-verifier`,
    /// `gh attestation`, …
    pub tool: &'static str,
    /// The file checked, when named (the checksum list for `sha256sum -c`, the file of an
    /// `echo "<hash>  file" | sha256sum -c`, the artifact for signature tools).
    pub file: Option<String>,
    pub span: Span,
}

/// Where a package spec points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageKind {
    Registry,
    Git,
    Url,
    /// A local directory (`pip install .`, `cargo install --path x`).
    Path,
    /// A local archive (`x.whl`, `x.tgz`, `x.deb`).
    LocalFile,
}

/// One package named on an install command line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackageSpec {
    pub name: String,
    /// The version or constraint as the ecosystem writes it: pip keeps its operator
    /// (`==1.2`, `>=2`) because pip specifiers are ranges; npm/go/cargo/gem/apt give the
    /// version after `@`, `=`, `-v` or `--version`; a git spec gives its ref.
    pub version: Option<String>,
    pub kind: PackageKind,
    pub span: Span,
}

/// What an index option means (knowledge-base vocabulary: the variable tables use it).
pub use tollgate_kb::env::IndexKind;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IndexUrl {
    pub url: String,
    pub kind: IndexKind,
    /// The flag value or the assignment that set it (possibly earlier in the script).
    pub span: Span,
}

/// An environment setting relevant to a package manager, in effect for an install.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvSetting {
    pub name: String,
    pub value: Option<String>,
    pub span: Span,
}

/// A file named on an install command line (`-r requirements.txt`, `--file env.yml`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileRef {
    pub path: String,
    pub span: Span,
}

/// A package-manager command that installs or fetches packages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[allow(clippy::struct_excessive_bools)]
pub struct Install {
    /// `pip`, `uv`, `pipx`, `npm`, `npx`, `yarn`, `pnpm`, `bun`, `cargo`, `go`, `gem`,
    /// `bundle`, `apt-get`, `apt`, `yum`, `dnf`, `apk`, `zypper`, `pacman`, `brew`,
    /// `choco`, `dotnet`, `nuget`, `conda`, `mamba`, `micromamba`, `rustup`, `poetry`,
    /// `pipenv`, `corepack`, `snap`, `maven`, `mvnw`, `gradle`, `gradlew`, `composer`,
    /// `tox`, `nox`.
    pub manager: &'static str,
    /// The subcommand as written (`install`, `ci`, `add`, `dlx`, `sync`, …).
    pub subcommand: Option<String>,
    pub packages: Vec<PackageSpec>,
    /// The command installs exactly what a lockfile or hash list says (`npm ci`,
    /// `--frozen-lockfile`, `--immutable`, `--locked`, `--require-hashes`, …).
    pub locked: bool,
    pub require_hashes: bool,
    pub requirement_files: Vec<FileRef>,
    pub constraint_files: Vec<FileRef>,
    pub index_urls: Vec<IndexUrl>,
    pub trusted_hosts: Vec<String>,
    /// A global or system-wide install (`npm -g`, `go install`, `cargo install`,
    /// `sudo pip install`, system package managers).
    pub global: bool,
    /// Retries asked for explicitly (`--retries`, `--fetch-retries`, `CARGO_NET_RETRY`).
    pub retry: bool,
    /// Integrity checks weakened (`GOFLAGS=-insecure`, `GOSUMDB=off`, `--nogpgcheck`,
    /// `--allow-untrusted`, `--trusted-host`, `GOINSECURE`).
    pub insecure: bool,
    /// Relevant environment in effect (`GOPRIVATE`, `GONOSUMDB`, `PIP_*`, …).
    pub env: Vec<EnvSetting>,
    /// The install reads only local files or caches (`pip --no-index`, `npm --offline`,
    /// `cargo --frozen`, `apt-get --no-download`, `UV_OFFLINE=1`, …: the knowledge
    /// base's per-manager tables).
    pub offline: bool,
    /// Files named on the command line that may name other sources and that tollgate
    /// does not read (`mvn -s settings.xml`, `gradle -I init.gradle`).
    pub config_files: Vec<FileRef>,
    pub span: Span,
}

/// What kind of credential use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum CredentialKind {
    /// `$GITHUB_TOKEN`, `$GH_TOKEN`, `${{ github.token }}`, `${{ secrets.GITHUB_TOKEN }}`.
    GithubToken {
        via: String,
    },
    /// `${{ secrets.NAME }}`.
    Secret {
        name: String,
    },
    /// The OIDC token request variables (`$ACTIONS_ID_TOKEN_REQUEST_TOKEN`).
    OidcToken,
    GitPush {
        force: bool,
    },
    /// A `gh` subcommand that needs a write scope (`pr create`, `release upload`, a
    /// writing `gh api` call, …).
    GhWrite {
        subcommand: String,
    },
    /// Publishing a package or image; `oidc` when it uses the workflow's OIDC token
    /// (`npm publish --provenance`, trusted publishing).
    Publish {
        tool: String,
        oidc: bool,
    },
    /// Signing (`cosign sign`); keyless signing uses the OIDC token.
    Sign {
        tool: String,
        keyless: bool,
    },
    /// `gh attestation` other than `verify`.
    Attestation {
        subcommand: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Credential {
    #[serde(flatten)]
    pub kind: CredentialKind,
    /// The expression, variable or command.
    pub span: Span,
}

/// Which workflow-command file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EnvTarget {
    GithubEnv,
    GithubOutput,
    GithubPath,
    GithubStepSummary,
    GithubState,
}

/// A write to `$GITHUB_ENV`, `$GITHUB_OUTPUT`, `$GITHUB_PATH`, … (later steps see it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvWrite {
    pub target: EnvTarget,
    /// The variable or output name when the written text starts with `NAME=` or
    /// `NAME<<DELIM`; the directory for `$GITHUB_PATH`.
    pub key: Option<String>,
    /// The redirection (or `tee` argument).
    pub target_span: Span,
    pub span: Span,
}

/// A secret expression printed by `echo`/`printf` to the log (masking is best effort:
/// transformed values escape it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SecretEcho {
    pub name: String,
    pub expression_span: Span,
    pub span: Span,
}

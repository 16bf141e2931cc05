//! The `detail` of a script fact in the `check` JSON document: one DTO per fact kind,
//! each field mapped by hand from `tollgate_shell`'s types. A field the shell analysis
//! gains does not reach the document until it is mapped here and typed in
//! docs/schemas/check.schema.json; the names and order are those of version 1.
//!
//! Every `span` is a byte range into the script value (the `run:` text), not the file.

use serde::Serialize;
use tollgate_shell::{
    Credential, CredentialKind, Download, DownloadExec, EnvSetting, EnvTarget, EnvWrite, ExecHow,
    Fact, FileRef, Image, ImageBuild, IndexKind, IndexUrl, Install, Invoke, PackageKind,
    PackageSpec, SecretEcho, Span, Verification,
};

/// A byte range into the script, end exclusive.
#[derive(Serialize, Clone, Copy)]
pub struct SpanDto {
    pub start: usize,
    pub end: usize,
}

impl From<Span> for SpanDto {
    fn from(s: Span) -> Self {
        Self {
            start: s.start(),
            end: s.end(),
        }
    }
}

/// A fact's details, tagged by `kind` (the same kebab-case name as the fact's own `kind`).
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FactDetailDto<'a> {
    Download(DownloadDto<'a>),
    Image(ImageDto<'a>),
    ImageBuild(ImageBuildDto<'a>),
    DownloadExec(DownloadExecDto<'a>),
    Verification(VerificationDto<'a>),
    Install(InstallDto<'a>),
    Credential(CredentialDto<'a>),
    EnvWrite(EnvWriteDto<'a>),
    SecretEcho(SecretEchoDto<'a>),
    Invoke(InvokeDto<'a>),
}

impl<'a> FactDetailDto<'a> {
    /// The DTO of a fact. The match is exhaustive on purpose: a new kind of fact does not
    /// compile until it has a DTO here.
    #[must_use]
    pub fn new(fact: &'a Fact) -> Self {
        match fact {
            Fact::Download(f) => Self::Download(DownloadDto::new(f)),
            Fact::Image(f) => Self::Image(ImageDto::new(f)),
            Fact::ImageBuild(f) => Self::ImageBuild(ImageBuildDto::new(f)),
            Fact::DownloadExec(f) => Self::DownloadExec(DownloadExecDto::new(f)),
            Fact::Verification(f) => Self::Verification(VerificationDto::new(f)),
            Fact::Install(f) => Self::Install(InstallDto::new(f)),
            Fact::Credential(f) => Self::Credential(CredentialDto::new(f)),
            Fact::EnvWrite(f) => Self::EnvWrite(EnvWriteDto::new(f)),
            Fact::SecretEcho(f) => Self::SecretEcho(SecretEchoDto::new(f)),
            Fact::Invoke(f) => Self::Invoke(InvokeDto::new(f)),
        }
    }
}

/// A command that runs a file of the repository (`make`, a script by path).
#[derive(Serialize)]
pub struct InvokeDto<'a> {
    pub what: &'static str,
    pub path: Option<&'a str>,
    pub dir: Option<&'a str>,
    pub targets: &'a [String],
    pub span: SpanDto,
}

impl<'a> InvokeDto<'a> {
    fn new(f: &'a Invoke) -> Self {
        Self {
            what: f.what,
            path: f.path.as_deref(),
            dir: f.dir.as_deref(),
            targets: &f.targets,
            span: f.span.into(),
        }
    }
}

/// A network fetch (`curl`, `wget`, `gh release download`, `git clone`, …).
#[derive(Serialize)]
pub struct DownloadDto<'a> {
    pub tool: &'static str,
    pub url: Option<&'a str>,
    pub host: Option<&'a str>,
    pub url_span: Option<SpanDto>,
    pub output: Option<&'a str>,
    pub reference: Option<&'a str>,
    pub retry: bool,
    pub insecure_tls: bool,
    pub plain_http: bool,
    pub to_stdout: bool,
    /// The command sends data (a webhook, an upload) rather than only fetching.
    pub sends: bool,
    pub span: SpanDto,
}

impl<'a> DownloadDto<'a> {
    fn new(f: &'a Download) -> Self {
        Self {
            tool: f.tool,
            url: f.url.as_deref(),
            host: f.host.as_deref(),
            url_span: f.url_span.map(SpanDto::from),
            output: f.output.as_deref(),
            reference: f.reference.as_deref(),
            retry: f.retry,
            insecure_tls: f.insecure_tls,
            plain_http: f.plain_http,
            to_stdout: f.to_stdout,
            sends: f.sends,
            span: f.span.into(),
        }
    }
}

/// A container image pulled or run.
#[derive(Serialize)]
pub struct ImageDto<'a> {
    pub tool: &'static str,
    pub image: &'a str,
    pub digest: Option<&'a str>,
    pub image_span: SpanDto,
    pub span: SpanDto,
}

impl<'a> ImageDto<'a> {
    fn new(f: &'a Image) -> Self {
        Self {
            tool: f.tool,
            image: &f.image,
            digest: f.digest.as_deref(),
            image_span: f.image_span.into(),
            span: f.span.into(),
        }
    }
}

/// An image build.
#[derive(Serialize)]
pub struct ImageBuildDto<'a> {
    pub tool: &'static str,
    pub dockerfile: Option<&'a str>,
    pub context: Option<&'a str>,
    pub tags: Vec<&'a str>,
    pub pull: bool,
    pub span: SpanDto,
}

impl<'a> ImageBuildDto<'a> {
    fn new(f: &'a ImageBuild) -> Self {
        Self {
            tool: f.tool,
            dockerfile: f.dockerfile.as_deref(),
            context: f.context.as_deref(),
            tags: f.tags.iter().map(String::as_str).collect(),
            pull: f.pull,
            span: f.span.into(),
        }
    }
}

/// Downloaded content executed, installed or unpacked: `download` (and `verified_by`) are
/// indexes into the step's `facts`.
#[derive(Serialize)]
pub struct DownloadExecDto<'a> {
    pub download: usize,
    #[serde(flatten)]
    pub how: ExecHowDto<'a>,
    pub verified_by: Option<usize>,
    pub span: SpanDto,
}

/// How downloaded content gets executed, tagged by `how`.
#[derive(Serialize)]
#[serde(tag = "how", rename_all = "kebab-case")]
pub enum ExecHowDto<'a> {
    Pipe {
        interpreter: &'a str,
    },
    ProcessSubstitution {
        interpreter: &'a str,
    },
    CommandSubstitution {
        interpreter: &'a str,
    },
    LaterExecuted {
        file: &'a str,
    },
    Sourced {
        file: Option<&'a str>,
    },
    Installed {
        file: Option<&'a str>,
        installer: &'a str,
    },
    Extracted {
        file: Option<&'a str>,
        extractor: &'a str,
    },
}

impl<'a> DownloadExecDto<'a> {
    fn new(f: &'a DownloadExec) -> Self {
        let how = match &f.how {
            ExecHow::Pipe { interpreter } => ExecHowDto::Pipe { interpreter },
            ExecHow::ProcessSubstitution { interpreter } => {
                ExecHowDto::ProcessSubstitution { interpreter }
            }
            ExecHow::CommandSubstitution { interpreter } => {
                ExecHowDto::CommandSubstitution { interpreter }
            }
            ExecHow::LaterExecuted { file } => ExecHowDto::LaterExecuted { file },
            ExecHow::Sourced { file } => ExecHowDto::Sourced {
                file: file.as_deref(),
            },
            ExecHow::Installed { file, installer } => ExecHowDto::Installed {
                file: file.as_deref(),
                installer,
            },
            ExecHow::Extracted { file, extractor } => ExecHowDto::Extracted {
                file: file.as_deref(),
                extractor,
            },
        };
        Self {
            download: f.download,
            how,
            verified_by: f.verified_by,
            span: f.span.into(),
        }
    }
}

/// A checksum or signature check.
#[derive(Serialize)]
pub struct VerificationDto<'a> {
    pub tool: &'static str,
    pub file: Option<&'a str>,
    pub span: SpanDto,
}

impl<'a> VerificationDto<'a> {
    fn new(f: &'a Verification) -> Self {
        Self {
            tool: f.tool,
            file: f.file.as_deref(),
            span: f.span.into(),
        }
    }
}

/// A package-manager command that installs or fetches packages.
#[derive(Serialize)]
#[allow(clippy::struct_excessive_bools)]
pub struct InstallDto<'a> {
    pub manager: &'static str,
    pub subcommand: Option<&'a str>,
    pub packages: Vec<PackageSpecDto<'a>>,
    pub locked: bool,
    pub require_hashes: bool,
    pub requirement_files: Vec<FileRefDto<'a>>,
    pub constraint_files: Vec<FileRefDto<'a>>,
    pub index_urls: Vec<IndexUrlDto<'a>>,
    pub trusted_hosts: Vec<&'a str>,
    pub global: bool,
    pub retry: bool,
    pub insecure: bool,
    pub env: Vec<EnvSettingDto<'a>>,
    /// The install reads only local files or caches (`pip --no-index`, `npm --offline`).
    pub offline: bool,
    pub span: SpanDto,
}

/// One package named on an install command line.
#[derive(Serialize)]
pub struct PackageSpecDto<'a> {
    pub name: &'a str,
    pub version: Option<&'a str>,
    /// `registry`, `git`, `url`, `path` or `local-file`.
    pub kind: &'static str,
    pub span: SpanDto,
}

/// A file named on an install command line (`-r requirements.txt`).
#[derive(Serialize)]
pub struct FileRefDto<'a> {
    pub path: &'a str,
    pub span: SpanDto,
}

/// An index option in effect for an install.
#[derive(Serialize)]
pub struct IndexUrlDto<'a> {
    pub url: &'a str,
    /// `index`, `extra-index`, `find-links`, `registry`, `source` or `proxy`.
    pub kind: &'static str,
    pub span: SpanDto,
}

/// An environment setting in effect for an install.
#[derive(Serialize)]
pub struct EnvSettingDto<'a> {
    pub name: &'a str,
    pub value: Option<&'a str>,
    pub span: SpanDto,
}

const fn package_kind(k: PackageKind) -> &'static str {
    match k {
        PackageKind::Registry => "registry",
        PackageKind::Git => "git",
        PackageKind::Url => "url",
        PackageKind::Path => "path",
        PackageKind::LocalFile => "local-file",
    }
}

const fn index_kind(k: IndexKind) -> &'static str {
    match k {
        IndexKind::Index => "index",
        IndexKind::ExtraIndex => "extra-index",
        IndexKind::FindLinks => "find-links",
        IndexKind::Registry => "registry",
        IndexKind::Source => "source",
        IndexKind::Proxy => "proxy",
    }
}

fn file_refs(files: &[FileRef]) -> Vec<FileRefDto<'_>> {
    files
        .iter()
        .map(|f| FileRefDto {
            path: &f.path,
            span: f.span.into(),
        })
        .collect()
}

impl<'a> InstallDto<'a> {
    fn new(f: &'a Install) -> Self {
        Self {
            manager: f.manager,
            subcommand: f.subcommand.as_deref(),
            packages: f
                .packages
                .iter()
                .map(|p: &PackageSpec| PackageSpecDto {
                    name: &p.name,
                    version: p.version.as_deref(),
                    kind: package_kind(p.kind),
                    span: p.span.into(),
                })
                .collect(),
            locked: f.locked,
            require_hashes: f.require_hashes,
            requirement_files: file_refs(&f.requirement_files),
            constraint_files: file_refs(&f.constraint_files),
            index_urls: f
                .index_urls
                .iter()
                .map(|i: &IndexUrl| IndexUrlDto {
                    url: &i.url,
                    kind: index_kind(i.kind),
                    span: i.span.into(),
                })
                .collect(),
            trusted_hosts: f.trusted_hosts.iter().map(String::as_str).collect(),
            global: f.global,
            retry: f.retry,
            insecure: f.insecure,
            env: f
                .env
                .iter()
                .map(|e: &EnvSetting| EnvSettingDto {
                    name: &e.name,
                    value: e.value.as_deref(),
                    span: e.span.into(),
                })
                .collect(),
            offline: f.offline,
            span: f.span.into(),
        }
    }
}

/// A credential use, tagged by `type`.
#[derive(Serialize)]
pub struct CredentialDto<'a> {
    #[serde(flatten)]
    pub kind: CredentialKindDto<'a>,
    pub span: SpanDto,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum CredentialKindDto<'a> {
    GithubToken { via: &'a str },
    Secret { name: &'a str },
    OidcToken,
    GitPush { force: bool },
    GhWrite { subcommand: &'a str },
    Publish { tool: &'a str, oidc: bool },
    Sign { tool: &'a str, keyless: bool },
    Attestation { subcommand: &'a str },
}

impl<'a> CredentialDto<'a> {
    fn new(f: &'a Credential) -> Self {
        let kind = match &f.kind {
            CredentialKind::GithubToken { via } => CredentialKindDto::GithubToken { via },
            CredentialKind::Secret { name } => CredentialKindDto::Secret { name },
            CredentialKind::OidcToken => CredentialKindDto::OidcToken,
            CredentialKind::GitPush { force } => CredentialKindDto::GitPush { force: *force },
            CredentialKind::GhWrite { subcommand } => CredentialKindDto::GhWrite { subcommand },
            CredentialKind::Publish { tool, oidc } => {
                CredentialKindDto::Publish { tool, oidc: *oidc }
            }
            CredentialKind::Sign { tool, keyless } => CredentialKindDto::Sign {
                tool,
                keyless: *keyless,
            },
            CredentialKind::Attestation { subcommand } => {
                CredentialKindDto::Attestation { subcommand }
            }
        };
        Self {
            kind,
            span: f.span.into(),
        }
    }
}

/// A write to a workflow-command file (`$GITHUB_ENV`, `$GITHUB_OUTPUT`, …).
#[derive(Serialize)]
pub struct EnvWriteDto<'a> {
    /// `github-env`, `github-output`, `github-path`, `github-step-summary` or
    /// `github-state`.
    pub target: &'static str,
    pub key: Option<&'a str>,
    pub target_span: SpanDto,
    pub span: SpanDto,
}

impl<'a> EnvWriteDto<'a> {
    fn new(f: &'a EnvWrite) -> Self {
        Self {
            target: match f.target {
                EnvTarget::GithubEnv => "github-env",
                EnvTarget::GithubOutput => "github-output",
                EnvTarget::GithubPath => "github-path",
                EnvTarget::GithubStepSummary => "github-step-summary",
                EnvTarget::GithubState => "github-state",
            },
            key: f.key.as_deref(),
            target_span: f.target_span.into(),
            span: f.span.into(),
        }
    }
}

/// A secret expression printed to the log.
#[derive(Serialize)]
pub struct SecretEchoDto<'a> {
    pub name: &'a str,
    pub expression_span: SpanDto,
    pub span: SpanDto,
}

impl<'a> SecretEchoDto<'a> {
    fn new(f: &'a SecretEcho) -> Self {
        Self {
            name: &f.name,
            expression_span: f.expression_span.into(),
            span: f.span.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_of(fact: &Fact) -> String {
        serde_json::to_string(&FactDetailDto::new(fact)).unwrap_or_default()
    }

    /// The version-1 names and order, written out by hand: a change to the shell's types
    /// cannot change them unnoticed.
    #[test]
    fn credential_details_keep_their_version_1_shape() {
        let span = Span::new(3, 9);
        let cases = [
            (
                CredentialKind::GithubToken {
                    via: "$GITHUB_TOKEN".to_owned(),
                },
                r#"{"kind":"credential","type":"github-token","via":"$GITHUB_TOKEN","span":{"start":3,"end":9}}"#,
            ),
            (
                CredentialKind::OidcToken,
                r#"{"kind":"credential","type":"oidc-token","span":{"start":3,"end":9}}"#,
            ),
            (
                CredentialKind::Publish {
                    tool: "npm publish".to_owned(),
                    oidc: true,
                },
                r#"{"kind":"credential","type":"publish","tool":"npm publish","oidc":true,"span":{"start":3,"end":9}}"#,
            ),
            (
                CredentialKind::Attestation {
                    subcommand: "sign".to_owned(),
                },
                r#"{"kind":"credential","type":"attestation","subcommand":"sign","span":{"start":3,"end":9}}"#,
            ),
        ];
        for (kind, want) in cases {
            let fact = Fact::Credential(Credential { kind, span });
            assert_eq!(json_of(&fact), want);
        }
    }

    #[test]
    fn env_writes_and_secret_echoes_keep_their_version_1_shape() {
        let fact = Fact::EnvWrite(EnvWrite {
            target: EnvTarget::GithubStepSummary,
            key: None,
            target_span: Span::new(10, 30),
            span: Span::new(0, 30),
        });
        assert_eq!(
            json_of(&fact),
            r#"{"kind":"env-write","target":"github-step-summary","key":null,"target_span":{"start":10,"end":30},"span":{"start":0,"end":30}}"#
        );
        let fact = Fact::SecretEcho(SecretEcho {
            name: "NPM_TOKEN".to_owned(),
            expression_span: Span::new(5, 28),
            span: Span::new(0, 29),
        });
        assert_eq!(
            json_of(&fact),
            r#"{"kind":"secret-echo","name":"NPM_TOKEN","expression_span":{"start":5,"end":28},"span":{"start":0,"end":29}}"#
        );
    }
}

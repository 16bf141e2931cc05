//! `unpinned-package-install`: an install in a run step that does not pin what it
//! installs. Scorecard's Pinned-Dependencies semantics are the floor; the lockfiles and
//! requirements files the command uses are read to avoid its false positives.

use tollgate_engine::{Context, Rule, Sink, StepCx};
use tollgate_graph::Origin;
use tollgate_lockfile::PackageFile as Packages;
use tollgate_model::addr::is_commit_sha;
use tollgate_model::{Confidence, FileKind, Impact};
use tollgate_scan::{FileModel, Input};
use tollgate_shell::{Fact, Install, PackageKind, PackageSpec};

pub struct UnpinnedPackageInstall;

/// Why an install is unpinned, with how bad and how sure.
struct Verdict {
    why: String,
    help: &'static str,
    severity: Impact,
    confidence: Confidence,
}

impl Verdict {
    fn new(why: impl Into<String>, help: &'static str, severity: Impact) -> Self {
        Self {
            why: why.into(),
            help,
            severity,
            confidence: Confidence::High,
        }
    }
}

fn names(pkgs: &[&PackageSpec]) -> String {
    let v: Vec<String> = pkgs
        .iter()
        .take(3)
        .map(|p| format!("`{}`", p.name))
        .collect();
    let more = pkgs.len().saturating_sub(3);
    if more > 0 {
        format!("{} and {more} more", v.join(", "))
    } else {
        v.join(", ")
    }
}

fn exact_semver(v: &str) -> bool {
    let v = v.strip_prefix('=').unwrap_or(v);
    let v = v.strip_prefix('v').unwrap_or(v);
    let core = v.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Registry packages that float: no version, or a version that is not exact.
fn floating(i: &Install, exact: impl Fn(&str) -> bool) -> Vec<&PackageSpec> {
    i.packages
        .iter()
        // A name starting with `-` is an option whose value the scanner could not read
        // (`--index=$URL`), and a version from a variable or expression is chosen at run
        // time: neither can be judged here.
        .filter(|p| !p.name.starts_with('-'))
        .filter(|p| !p.version.as_deref().is_some_and(|v| v.contains('$')))
        .filter(|p| match p.kind {
            PackageKind::Registry => !p.version.as_deref().is_some_and(&exact),
            PackageKind::Git | PackageKind::Url => !p.version.as_deref().is_some_and(is_commit_sha),
            PackageKind::Path | PackageKind::LocalFile => false,
        })
        .collect()
}

/// The files an install reads, as the graph links them to its command: each file's
/// input and where the install names it (the install's own span for the project's
/// lockfile, which the graph finds in the step's directory).
struct Reads<'a> {
    files: Vec<(&'a Input, Option<Origin>)>,
    /// The input the install is written in.
    input: Option<tollgate_graph::InputId>,
}

impl<'a> Reads<'a> {
    fn of(cx: &Context<'a>, step: &StepCx<'_>, i: &Install) -> Self {
        let g = cx.graph;
        let input = g.input_id(&step.input.source.display);
        let files = input
            .and_then(|id| {
                let node = g.step_node(id, step.job_index, step.step.index)?;
                g.command_at(node, Origin::new(id, step.script_span(i.span)))
            })
            .map(|cmd| {
                g.installed_files(cmd)
                    .into_iter()
                    .filter_map(|(file, at)| {
                        let origin = g.node(file)?.origin?;
                        Some((g.input(cx.scan, origin.input())?, at))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self { files, input }
    }

    /// The model of the file named at `span` of the step's script.
    fn named(&self, step: &StepCx<'_>, span: tollgate_model::Span) -> Option<&'a FileModel> {
        let at = Origin::new(self.input?, step.script_span(span));
        self.files
            .iter()
            .find(|(_, o)| *o == Some(at))
            .map(|(f, _)| &*f.parsed)
    }

    /// The project lockfile of `kind` the install reads.
    fn lockfile(&self, kinds: &[FileKind]) -> Option<&'a Packages> {
        self.files
            .iter()
            .filter(|(f, _)| kinds.contains(&f.kind))
            .find_map(|(f, _)| match &*f.parsed {
                FileModel::Packages(p) => Some(p),
                _ => None,
            })
    }
}

/// An install told to work offline (`pip --no-index`, `npm --offline`, `cargo --offline`)
/// whose every location is a local path (`--find-links dist/`) reaches no index: what it
/// installs was fetched, and judged, where it was fetched.
fn reaches_no_index(i: &Install) -> bool {
    i.offline && i.index_urls.iter().all(|u| !u.url.contains("://"))
}

/// Whether every requirements file named by the install pins every entry by hash.
fn hashed_requirements(step: &StepCx<'_>, reads: &Reads<'_>, i: &Install) -> Option<bool> {
    let mut all = true;
    for r in &i.requirement_files {
        let FileModel::Packages(p) = reads.named(step, r.span)? else {
            return None;
        };
        all &= !p.packages.is_empty() && p.packages.iter().all(|p| p.integrity.is_some());
    }
    Some(all)
}

fn judge(cx: &Context<'_>, step: &StepCx<'_>, i: &Install) -> Option<Verdict> {
    if i.locked || reaches_no_index(i) {
        return None;
    }
    let reads = Reads::of(cx, step, i);
    // `gem i` is `gem install`.
    let sub = match (i.manager, i.subcommand.as_deref().unwrap_or("")) {
        ("gem", "i") => "install",
        (_, s) => s,
    };
    match (i.manager, sub) {
        ("pip" | "pip3", "install") | ("uv", "pip install") => {
            if i.require_hashes {
                return None;
            }
            let only_local = !i.packages.is_empty()
                && i.requirement_files.is_empty()
                && i.packages.iter().all(|p| p.kind == PackageKind::LocalFile);
            if only_local {
                return None;
            }
            if !i.requirement_files.is_empty() && i.packages.is_empty() {
                // pip enforces hashes for the whole install as soon as one requirement
                // carries one, so a fully hashed file pins it.
                return match hashed_requirements(step, &reads, i) {
                    Some(true) => None,
                    Some(false) => Some(Verdict::new(
                        format!("`{}` installs requirements without hashes", i.manager),
                        "add `--hash=sha256:…` to every requirement (`pip-compile --generate-hashes`, `uv pip compile --generate-hashes`) and install with `--require-hashes`",
                        Impact::Medium,
                    )),
                    None => {
                        let mut v = Verdict::new(
                            format!(
                                "`{}` installs from a requirements file without `--require-hashes`",
                                i.manager
                            ),
                            "install with `--require-hashes` from a requirements file whose entries carry `--hash=sha256:…`",
                            Impact::Medium,
                        );
                        v.confidence = Confidence::Medium;
                        Some(v)
                    }
                };
            }
            let pkgs: Vec<&PackageSpec> = i
                .packages
                .iter()
                .filter(|p| !p.name.starts_with('-'))
                .collect();
            if pkgs
                .iter()
                .all(|p| p.version.as_deref().is_some_and(|v| v.contains('$')))
                && !pkgs.is_empty()
            {
                return None;
            }
            let local = pkgs.iter().all(|p| p.kind == PackageKind::Path);
            let mut v = Verdict::new(
                if local {
                    format!(
                        "`{} {sub}` of a local project resolves its dependencies without hashes",
                        i.manager
                    )
                } else {
                    format!("`{} {sub}` of {} without hashes", i.manager, names(&pkgs))
                },
                "install from a requirements file with `--hash=sha256:…` entries and `--require-hashes`",
                Impact::Medium,
            );
            if local {
                v.confidence = Confidence::Medium;
                v.severity = Impact::Low;
            }
            Some(v)
        }
        ("npm", "install" | "i" | "add" | "update" | "up" | "upgrade" | "isntall" | "in") => {
            let pkgs = floating(i, exact_semver);
            if i.packages.is_empty() {
                // `npm install` follows package-lock.json but may rewrite it; `npm ci`
                // installs exactly the lock or fails.
                let has_lock = reads.lockfile(&[FileKind::NpmLock]).is_some();
                let mut v = Verdict::new(
                    "`npm install` may resolve new versions and rewrite the lockfile",
                    "use `npm ci`, which installs exactly what package-lock.json records",
                    if has_lock {
                        Impact::Low
                    } else {
                        Impact::Medium
                    },
                );
                if !has_lock {
                    v.why = "`npm install` without a package-lock.json resolves every dependency afresh".into();
                }
                return Some(v);
            }
            (!pkgs.is_empty()).then(|| {
                Verdict::new(
                    format!("`npm {sub}` of {} without an exact version", names(&pkgs)),
                    "pin an exact version (`pkg@1.2.3`) or add the tool to package.json and install with `npm ci`",
                    if i.global { Impact::Medium } else { Impact::Low },
                )
            })
        }
        ("npx" | "pnpx" | "bunx", _) | ("npm", "exec" | "x")
            if project_installed_before(step, i) =>
        {
            None
        }
        // `uvx --generate-shell-completion bash`, `npx --version`: the runner itself, no
        // package is fetched.
        ("npx" | "pnpx" | "bunx", _) | ("npm", "exec" | "x") | ("uv", "uvx") | ("pipx", "run")
            if runner_only(step, i) =>
        {
            None
        }
        ("npx" | "pnpx" | "bunx", _) | ("npm", "exec" | "x") | ("uv", "uvx") | ("pipx", "run") => {
            let pkgs = floating(i, |v| {
                exact_semver(v) || v.starts_with("==") || is_commit_sha(v)
            });
            (!pkgs.is_empty()).then(|| {
                Verdict::new(
                    format!(
                        "`{}` runs {} without a pinned version",
                        if i.manager == "npm" {
                            "npm exec"
                        } else {
                            i.manager
                        },
                        names(&pkgs)
                    ),
                    "name an exact version (`npx pkg@1.2.3`, `uvx tool==1.2.3`)",
                    Impact::Medium,
                )
            })
        }
        ("yarn", "install" | "") if i.packages.is_empty() => {
            // Yarn 2+ (berry) turns on immutable installs by itself on CI.
            let berry = reads
                .lockfile(&[FileKind::YarnLock])
                .and_then(|p| p.format_version.as_deref())
                .and_then(|v| v.parse::<u32>().ok())
                .is_some_and(|v| v >= 2);
            (!berry).then(|| {
                Verdict::new(
                    "`yarn install` without `--frozen-lockfile` may update yarn.lock",
                    "use `yarn install --frozen-lockfile` (classic) or `--immutable` (Yarn 2+)",
                    Impact::Low,
                )
            })
        }
        ("yarn" | "pnpm" | "bun", "add" | "global" | "dlx") => {
            let pkgs = floating(i, exact_semver);
            (!pkgs.is_empty()).then(|| {
                Verdict::new(
                    format!(
                        "`{} {sub}` of {} without an exact version",
                        i.manager,
                        names(&pkgs)
                    ),
                    "pin an exact version (`pkg@1.2.3`)",
                    Impact::Low,
                )
            })
        }
        ("bun", "install" | "i" | "") if i.packages.is_empty() => Some(Verdict::new(
            "`bun install` without `--frozen-lockfile` may update the lockfile",
            "use `bun install --frozen-lockfile`",
            Impact::Low,
        )),
        ("go", "install" | "get" | "run") => {
            let pkgs = floating(i, |v| {
                v != "latest" && (exact_semver(v) || is_commit_sha(v) || v.starts_with("v0.0.0-"))
            });
            (!pkgs.is_empty()).then(|| {
                Verdict::new(
                    format!(
                        "`go {sub}` of {} at `@latest` or without a version",
                        names(&pkgs)
                    ),
                    "name an exact module version (`go install example.com/tool@v1.2.3`)",
                    Impact::Medium,
                )
            })
        }
        ("cargo", "install") => {
            let pkgs = floating(i, exact_semver);
            let path_only = !i.packages.is_empty() && pkgs.is_empty();
            if path_only && i.packages.iter().all(|p| p.kind != PackageKind::Registry) {
                return Some(Verdict::new(
                    "`cargo install` without `--locked` resolves the crate's dependencies afresh",
                    "add `--locked` so the crate's Cargo.lock is used",
                    Impact::Low,
                ));
            }
            let what = if pkgs.is_empty() {
                names(&i.packages.iter().collect::<Vec<_>>())
            } else {
                names(&pkgs)
            };
            Some(Verdict::new(
                if pkgs.is_empty() {
                    format!("`cargo install` of {what} without `--locked`")
                } else {
                    format!("`cargo install` of {what} without an exact version and `--locked`")
                },
                "pin the version and the dependency tree: `cargo install --locked tool@1.2.3`",
                Impact::Medium,
            ))
        }
        ("cargo", "binstall") => {
            let pkgs = floating(i, exact_semver);
            (!pkgs.is_empty()).then(|| {
                Verdict::new(
                    format!(
                        "`cargo binstall` of {} without an exact version",
                        names(&pkgs)
                    ),
                    "pin an exact version: `cargo binstall tool@1.2.3`",
                    Impact::Medium,
                )
            })
        }
        ("gem", "install") => {
            let pkgs = floating(i, |v| {
                v.split('.')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            });
            (!pkgs.is_empty()).then(|| {
                Verdict::new(
                    format!("`gem install` of {} without `-v`", names(&pkgs)),
                    "pin the version: `gem install tool -v 1.2.3`",
                    Impact::Medium,
                )
            })
        }
        ("pipx", "install") | ("uv", "tool install") => {
            let pkgs = floating(i, |v| v.starts_with("==") || exact_semver(v));
            (!pkgs.is_empty()).then(|| {
                Verdict::new(
                    format!(
                        "`{} {sub}` of {} without a version",
                        i.manager,
                        names(&pkgs)
                    ),
                    "pin the version: `pipx install tool==1.2.3`, `uv tool install tool==1.2.3`",
                    Impact::Medium,
                )
            })
        }
        _ => None,
    }
}

fn runner_only(step: &StepCx<'_>, i: &Install) -> bool {
    step.analysis()
        .and_then(|a| a.commands.iter().find(|c| c.span == i.span))
        .is_some_and(|c| {
            c.args().iter().any(|w| {
                matches!(
                    w.as_str(),
                    Some("--help" | "-h" | "--version" | "-V" | "--generate-shell-completion")
                )
            })
        })
}

/// Whether the project's own JavaScript dependencies are installed before `i` (earlier in
/// the step, or in an earlier step of the job or composite action): `npx tool` then runs
/// the locally installed, lockfile-pinned copy from `node_modules/.bin`.
fn project_installed_before(step: &StepCx<'_>, i: &Install) -> bool {
    let project = |f: &Fact| {
        matches!(f, Fact::Install(x) if matches!(x.manager, "npm" | "yarn" | "pnpm" | "bun")
            && x.packages.is_empty()
            && matches!(x.subcommand.as_deref(), Some("ci" | "install" | "i" | "") | None))
    };
    if step.analysis().is_some_and(|a| {
        a.facts
            .iter()
            .any(|f| f.span().start < i.span.start && project(f))
    }) {
        return true;
    }
    let earlier: Vec<(Option<usize>, usize)> = match step.owner {
        tollgate_engine::StepOwner::Job { job, .. } => job
            .steps
            .iter()
            .take_while(|s| s.index < step.step.index)
            .map(|s| (step.job_index, s.index))
            .collect(),
        tollgate_engine::StepOwner::Action(a) => a
            .steps()
            .iter()
            .take_while(|s| s.index < step.step.index)
            .map(|s| (None, s.index))
            .collect(),
    };
    earlier.into_iter().any(|(j, s)| {
        step.input
            .script(j, s)
            .and_then(|x| x.analysis.as_deref())
            .is_some_and(|a| a.facts.iter().any(project))
    })
}

impl Rule for UnpinnedPackageInstall {
    fn id(&self) -> &'static str {
        "unpinned-package-install"
    }

    fn check_step(&self, cx: &Context<'_>, step: &StepCx<'_>, out: &mut Sink<'_>) {
        let Some(a) = step.analysis() else { return };
        for f in &a.facts {
            let Fact::Install(i) = f else { continue };
            let Some(v) = judge(cx, step, i) else {
                continue;
            };
            out.at(&step.input.source, step.script_span(i.span))
                .message(v.why)
                .severity(v.severity)
                .confidence(v.confidence)
                .help(v.help)
                .emit();
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn exact_versions() {
        for v in ["1.2.3", "v0.28.0", "=1.2.3", "1.2.3-rc.1"] {
            assert!(super::exact_semver(v), "{v}");
        }
        for v in ["1.2", "^1.2.3", "latest", "~1.2.3", ">=1"] {
            assert!(!super::exact_semver(v), "{v}");
        }
    }
}

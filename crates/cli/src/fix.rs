//! `tollgate fix` (and `check --fix`): apply the fixes the rules attach to their findings,
//! in place or as a unified diff, then check again.
//!
//! A fix is a list of byte-range edits in the finding's file, computed from the models'
//! exact spans; nothing is re-serialised, so every byte outside the edits stays as it was.
//! Files are written only where the scan read them: resolved inside the scan root, a
//! regular file, whose bytes on disk are still the text the fixes were computed on
//! (UTF-8; a file read as UTF-16 is left alone).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

use tollgate_engine::RunOptions;
use tollgate_model::{Applicability, Finding, Fix};
use tollgate_scan::Scan;

use tollgate_model::addr::ImageRef;
use tollgate_online::{GitHub, Registry, Resolved};
use tollgate_rules::fix::Text;

use crate::args::{CheckArgs, FixArgs, Format};
use crate::check::{Analysis, analyse, selectors};
use crate::{Cli, CliError, EXIT_CLEAN, EXIT_FINDINGS, output};

/// At most this many rounds: a fix deferred because it touches what another fix touched
/// is computed again on the new text in the next round.
const ROUNDS: usize = 4;

/// The online look-ups of one `fix --online` run, and how many references they left.
struct Online {
    github: GitHub,
    registry: Registry,
    /// The `owner/repo@ref` left unresolved (rate limit, network).
    left: std::collections::BTreeSet<String>,
}

/// What fixing did to one file.
struct Changed {
    display: String,
    before: String,
    after: String,
    fixes: usize,
}

/// The fixes of `findings` to apply, grouped by file display path.
fn by_file(findings: &[Finding], unsafe_fixes: bool) -> BTreeMap<&str, Vec<&Fix>> {
    let mut map: BTreeMap<&str, Vec<&Fix>> = BTreeMap::new();
    for f in findings {
        if let Some(fix) = &f.fix
            && (unsafe_fixes || fix.applicability == Applicability::Safe)
        {
            map.entry(&f.primary.path).or_default().push(fix);
        }
    }
    map
}

/// Where a finding is written: its file's display path and text, and the value at its
/// span as written and without quotes.
struct At<'a> {
    display: &'a str,
    text: Text<'a>,
    span: tollgate_model::Span,
    written: &'a str,
    value: &'a str,
}

impl<'a> At<'a> {
    fn of(a: &'a Analysis, f: &Finding) -> Option<Self> {
        let input = a
            .scan
            .inputs
            .iter()
            .find(|i| *i.source.display == *f.primary.path)?;
        let text = Text::of(&input.source);
        let span = f.primary.span;
        let written = text.s.get(span.range())?;
        Some(Self {
            display: &input.source.display,
            span,
            written,
            value: written.trim_matches(|c| c == '"' || c == '\''),
            text,
        })
    }
}

/// The pin of an `unpinned-action` finding that has no offline fix, from the commit the
/// GitHub API says its ref names today.
fn online_fix(
    a: &Analysis,
    f: &Finding,
    gh: &mut GitHub,
    left: &mut std::collections::BTreeSet<String>,
) -> Option<(String, Fix)> {
    let At {
        display,
        text,
        span,
        written: _,
        value,
    } = At::of(a, f)?;
    let (action, git_ref) = value.rsplit_once('@')?;
    if git_ref.contains("${{") || action.starts_with("docker://") || action.starts_with('.') {
        return None;
    }
    let mut parts = action.split('/');
    let (owner, repo) = (parts.next()?, parts.next()?);
    let sha = match gh.commit_of(owner, repo, git_ref) {
        Resolved::Found(sha) => sha,
        Resolved::RateLimited | Resolved::Failed(_) => {
            left.insert(value.to_owned());
            return None;
        }
        Resolved::NotFound => return None,
    };
    let line_rest = text.s[span.end()..].split('\n').next().unwrap_or("");
    let edits =
        tollgate_rules::fix::pin::pin(&text, span, value, line_rest.contains('#'), &sha, git_ref)?;
    let fix = text.fix(
        format!("pin `{action}` to the commit `{git_ref}` names today (GitHub API)"),
        Applicability::Safe,
        edits,
    )?;
    Some((display.to_owned(), fix))
}

/// The digest pin of an `unpinned-image` finding whose image is written literally, from
/// the digest its registry says the tag names today (`name:tag@sha256:…`, the tag kept for
/// readers).
fn online_image_fix(a: &Analysis, f: &Finding, o: &mut Online) -> Option<(String, Fix)> {
    let At {
        display,
        text,
        span,
        written,
        value,
    } = At::of(a, f)?;
    if value.is_empty() || value.contains(['$', '{', '}']) || value.contains(char::is_whitespace) {
        return None;
    }
    let image = value.strip_prefix("docker://").unwrap_or(value);
    if ImageRef::parse(image).digest.is_some() {
        return None;
    }
    let digest = match o.registry.digest_of(image) {
        Resolved::Found(d) => d,
        Resolved::RateLimited | Resolved::Failed(_) => {
            o.left.insert(image.to_owned());
            return None;
        }
        Resolved::NotFound => return None,
    };
    let at = span.start() + written.find(value)? + value.len();
    let fix = text.fix(
        format!("pin image `{image}` to the digest its tag names today (registry)"),
        Applicability::Safe,
        vec![tollgate_model::Edit {
            span: tollgate_model::Span::empty(at),
            text: format!("@{digest}"),
        }],
    )?;
    Some((display.to_owned(), fix))
}

/// One round: the new text of each file the fixes change, and how many fixes each got.
fn round(
    a: &Analysis,
    unsafe_fixes: bool,
    online: Option<&mut Online>,
) -> Vec<(usize, String, usize)> {
    let mut out = Vec::new();
    let mut extra: Vec<(String, Fix)> = Vec::new();
    if let Some(o) = online {
        for f in a
            .findings
            .iter()
            .filter(|f| f.rule == "unpinned-action" && f.fix.is_none())
        {
            if let Some(x) = online_fix(a, f, &mut o.github, &mut o.left) {
                extra.push(x);
            }
        }
        for f in a
            .findings
            .iter()
            .filter(|f| f.rule == "unpinned-image" && f.fix.is_none())
        {
            if let Some(x) = online_image_fix(a, f, o) {
                extra.push(x);
            }
        }
    }
    let mut files = by_file(&a.findings, unsafe_fixes);
    for (display, fix) in &extra {
        files.entry(display.as_str()).or_default().push(fix);
    }
    for (display, fixes) in files {
        let Some((index, input)) = a
            .scan
            .inputs
            .iter()
            .enumerate()
            .find(|(_, i)| i.source.display == display)
        else {
            continue;
        };
        // Only the files the user named (or that are under the directories named): a
        // local action loaded because a named workflow uses it is checked, not edited.
        if input.by_reference {
            continue;
        }
        let applied = tollgate_model::fix::apply(input.source.text(), &fixes);
        if !applied.applied.is_empty() && applied.text != input.source.text() {
            out.push((index, applied.text, applied.applied.len()));
        }
    }
    out
}

/// Where an input is on disk, checked as the scan checked it when it read it: inside its
/// root, a regular file, its bytes still the text the fixes were computed on.
fn writable(scan: &Scan, index: usize) -> Result<PathBuf, String> {
    let input = &scan.inputs[index];
    let root = scan
        .roots
        .get(input.root)
        .ok_or_else(|| "not under a scan root".to_owned())?;
    let disk = root.disk_path(&input.source.display);
    let limit = 64 << 20;
    let (resolved, _) =
        tollgate_scan::confine::check(&disk, &root.canonical, limit).map_err(|e| e.to_string())?;
    let bytes = tollgate_scan::confine::read(&resolved, &root.canonical, limit)
        .map_err(|e| e.to_string())?;
    if bytes != input.source.text().as_bytes() {
        return Err("its bytes differ from the text read (changed since, or not UTF-8)".into());
    }
    Ok(resolved)
}

/// Apply the fixes of the findings under `paths` (writing files unless `dry`), in rounds
/// until none is left. Returns what changed, by file.
#[allow(clippy::too_many_arguments)]
fn fix_paths(
    cli: &Cli,
    paths: &[PathBuf],
    config: Option<&std::path::Path>,
    opts: &RunOptions,
    unsafe_fixes: bool,
    dry: bool,
    mut online: Option<&mut Online>,
) -> Result<Vec<Changed>, CliError> {
    let mut changed: BTreeMap<String, Changed> = BTreeMap::new();
    // Files refused once are not tried (nor warned about) again in later rounds.
    let mut refused = std::collections::BTreeSet::new();
    for _ in 0..if dry { 1 } else { ROUNDS } {
        let a = analyse(paths, config, false, None, cli.repository.as_deref(), opts)?;
        let edits = round(&a, unsafe_fixes, online.as_deref_mut());
        let edits: Vec<_> = edits
            .into_iter()
            .filter(|(index, _, _)| !refused.contains(&a.scan.inputs[*index].source.display))
            .collect();
        if edits.is_empty() {
            break;
        }
        for (index, text, fixes) in edits {
            let source = &a.scan.inputs[index].source;
            let disk = match writable(&a.scan, index) {
                Ok(d) => d,
                Err(why) => {
                    output::warning(&format!(
                        "{}: not fixed: {why}",
                        tollgate_model::text::visible(&source.display)
                    ));
                    refused.insert(source.display.clone());
                    continue;
                }
            };
            if !dry {
                std::fs::write(&disk, &text).map_err(|source| CliError::Output {
                    path: disk.display().to_string(),
                    source,
                })?;
            }
            changed
                .entry(source.display.clone())
                .and_modify(|c| {
                    c.after.clone_from(&text);
                    c.fixes += fixes;
                })
                .or_insert_with(|| Changed {
                    display: source.display.clone(),
                    before: source.text().to_owned(),
                    after: text.clone(),
                    fixes,
                });
        }
        if dry {
            break;
        }
    }
    Ok(changed.into_values().collect())
}

/// A unified diff of the changes, with control characters of the input made visible.
fn unified(changes: &[Changed]) -> String {
    let mut out = String::new();
    for c in changes {
        let display = tollgate_model::text::visible(&c.display);
        let diff = similar::TextDiff::from_lines(&c.before, &c.after);
        let text = diff
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{display}"), &format!("b/{display}"))
            .to_string();
        out.push_str(&tollgate_model::text::visible_except(&text, &['\n', '\t']));
    }
    out
}

fn summary(changes: &[Changed], dry: bool) -> String {
    let fixes: usize = changes.iter().map(|c| c.fixes).sum();
    let mut s = String::new();
    let _ = write!(
        s,
        "{} {fixes} fix{} in {} file{}",
        if dry { "would apply" } else { "applied" },
        if fixes == 1 { "" } else { "es" },
        changes.len(),
        if changes.len() == 1 { "" } else { "s" }
    );
    for c in changes {
        let _ = write!(
            s,
            "\n  {} ({})",
            tollgate_model::text::visible(&c.display),
            c.fixes
        );
    }
    s
}

/// `check --fix`: the safe fixes of the selected rules, written before the check.
pub fn before_check(cli: &Cli, args: &CheckArgs, opts: &RunOptions) -> Result<(), CliError> {
    let changes = fix_paths(
        cli,
        &args.paths,
        args.config.as_deref(),
        opts,
        false,
        false,
        None,
    )?;
    if !changes.is_empty() && !args.quiet {
        output::stderr(&format!("{}\n", summary(&changes, false)));
    }
    Ok(())
}

pub fn run(cli: &Cli, args: &FixArgs) -> Result<u8, CliError> {
    let opts = RunOptions {
        select: selectors(&args.select)?,
        ignore: selectors(&args.ignore)?,
        min_confidence: None,
        no_ignores: false,
    };
    let mut online = args.online.then(|| Online {
        github: GitHub::from_env(),
        registry: Registry::from_env(),
        left: std::collections::BTreeSet::new(),
    });
    let changes = fix_paths(
        cli,
        &args.paths,
        args.config.as_deref(),
        &opts,
        args.unsafe_fixes,
        args.diff,
        online.as_mut(),
    )?;
    if let Some(o) = &mut online {
        o.github.save();
        if !o.left.is_empty() {
            let n = o.left.len();
            output::warning(&format!(
                "{n} reference{} left unpinned: {}",
                if n == 1 { "" } else { "s" },
                if o.github.rate_limited() {
                    "the GitHub API's rate limit is reached (set GITHUB_TOKEN for 5,000 requests an hour)"
                } else if o.registry.rate_limited() {
                    "a registry's pull rate limit is reached"
                } else {
                    "the GitHub API or a registry could not be reached"
                }
            ));
        }
    }
    if args.diff {
        output::emit(None, &unified(&changes))?;
        if !args.quiet {
            output::stderr(&format!("{}\n", summary(&changes, true)));
        }
        return Ok(if changes.is_empty() {
            EXIT_CLEAN
        } else {
            EXIT_FINDINGS
        });
    }
    if !args.quiet {
        output::stderr(&format!("{}\nwhat remains:\n", summary(&changes, false)));
    }
    let check = CheckArgs {
        paths: args.paths.clone(),
        format: Format::Human,
        output: None,
        config: args.config.clone(),
        select: Vec::new(),
        ignore: Vec::new(),
        fail_level: args.fail_level,
        show_level: None,
        baseline: None,
        min_confidence: None,
        no_ignores: false,
        statistics: false,
        timings: false,
        quiet: args.quiet,
        fix: false,
    };
    crate::check::run(cli, &check)
}

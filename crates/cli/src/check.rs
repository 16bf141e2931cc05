//! `tollgate check`: discover, parse, run the rules, report.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use tollgate_engine::{Config, RunOptions, Selector};
use tollgate_model::{Confidence, Diagnostic, Finding, Level, Severity, SourceFile};
use tollgate_scan::Scan;

use crate::args::{CheckArgs, ConfidenceArg, FailLevel, Format, ShowLevel};
use crate::catalog::{infos, unknown_rule};
use crate::human::Human;
use crate::listing::{BaselineCounts, Listing, level_of};
use crate::{Cli, CliError, EXIT_CLEAN, EXIT_FINDINGS, output};

pub fn selectors(names: &[String]) -> Result<Vec<Selector>, CliError> {
    let rules = tollgate_rules::rules();
    names
        .iter()
        .map(|n| {
            let known = n == "all"
                || rules
                    .iter()
                    .any(|r| r.meta.id == *n || r.meta.category == *n);
            if known {
                Ok(Selector(n.clone()))
            } else {
                Err(unknown_rule(n))
            }
        })
        .collect()
}

/// Every input's text by display path (the first of equal paths), for snippets and
/// fingerprints: one lookup per finding, not a scan of all inputs.
pub fn sources<'a>(scan: &'a Scan, config: &'a Config) -> HashMap<&'a str, &'a SourceFile> {
    let mut map = HashMap::with_capacity(scan.inputs.len() + 1);
    for s in scan
        .inputs
        .iter()
        .map(|i| &i.source)
        .chain(config.source.as_ref())
    {
        map.entry(s.display.as_str()).or_insert(s);
    }
    map
}

/// What a run of the rules over some paths produced (`check` and `baseline`).
pub struct Analysis {
    pub scan: Scan,
    pub config: Config,
    pub graph: tollgate_graph::Graph,
    /// In their deterministic order ([`Finding::sort_key`]).
    pub findings: Vec<Finding>,
    /// Input, graph and rule diagnostics, sorted.
    pub diagnostics: Vec<Diagnostic>,
    pub suppressed: usize,
    pub rule_times: Vec<(&'static str, std::time::Duration)>,
    pub graph_time: std::time::Duration,
    pub rules_time: std::time::Duration,
}

/// Discover and read `paths`, build the graph and run the rules.
///
/// # Errors
/// As [`crate::inputs::load`].
pub fn analyse(
    paths: &[std::path::PathBuf],
    config: Option<&std::path::Path>,
    color: bool,
    progress: Option<std::sync::Arc<dyn tollgate_scan::Progress>>,
    repository: Option<&str>,
    opts: &RunOptions,
) -> Result<Analysis, CliError> {
    analyse_with(
        paths,
        config,
        color,
        progress,
        repository,
        opts,
        &tollgate_scan::DiscoverOptions::default(),
    )
}

/// [`analyse`] with discovery options.
///
/// # Errors
/// As [`crate::inputs::load`].
pub fn analyse_with(
    paths: &[std::path::PathBuf],
    config: Option<&std::path::Path>,
    color: bool,
    progress: Option<std::sync::Arc<dyn tollgate_scan::Progress>>,
    repository: Option<&str>,
    opts: &RunOptions,
    discover: &tollgate_scan::DiscoverOptions,
) -> Result<Analysis, CliError> {
    let crate::inputs::Loaded { scan, config } =
        crate::inputs::load_with(paths, config, color, progress, repository, discover)?;
    let t_graph = std::time::Instant::now();
    let (graph, graph_diagnostics) = tollgate_facts::graph(&scan);
    let graph_time = t_graph.elapsed();
    let t_rules = std::time::Instant::now();
    let outcome = tollgate_engine::run(tollgate_rules::rules(), &scan, &graph, &config, opts);
    let rules_time = t_rules.elapsed();
    let mut diagnostics: Vec<Diagnostic> = scan.diagnostics.clone();
    diagnostics.extend(graph_diagnostics);
    diagnostics.extend(outcome.diagnostics);
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Ok(Analysis {
        scan,
        config,
        graph,
        findings: outcome.findings,
        diagnostics,
        suppressed: outcome.suppressed,
        rule_times: outcome.rule_times,
        graph_time,
        rules_time,
    })
}

pub fn run(cli: &Cli, args: &CheckArgs) -> Result<u8, CliError> {
    let color = output::use_color(cli.color, args.output.is_some());
    let select = selectors(&args.select)?;
    let ignore = selectors(&args.ignore)?;
    let progress = if args.quiet { None } else { output::Bar::new() };
    let opts = RunOptions {
        select,
        ignore,
        min_confidence: args.min_confidence.map(|c| match c {
            ConfidenceArg::Low => Confidence::Low,
            ConfidenceArg::Medium => Confidence::Medium,
            ConfidenceArg::High => Confidence::High,
        }),
        no_ignores: args.no_ignores,
    };
    if args.fix {
        crate::fix::before_check(cli, args, &opts)?;
    }
    let Analysis {
        scan,
        config,
        graph,
        findings: all,
        diagnostics,
        suppressed,
        rule_times,
        graph_time,
        rules_time,
    } = analyse(
        &args.paths,
        args.config.as_deref(),
        color,
        progress.map(|b| b as std::sync::Arc<dyn tollgate_scan::Progress>),
        cli.repository.as_deref(),
        &opts,
    )?;
    let baseline = crate::baseline::load(args.baseline.as_deref(), &config, color)?;
    let t_output = std::time::Instant::now();
    let sources = sources(&scan, &config);

    // With a baseline, the findings it holds are left out of every output and of the
    // exit code; the fingerprints are taken over all findings, as they were recorded.
    let (kept, counts) = match &baseline {
        Some(b) => {
            let c = tollgate_report::baseline::compare(b, &all, |p| sources.get(p).copied());
            let counts = BaselineCounts {
                baselined: c.baselined.iter().filter(|x| **x).count(),
                risen: c.risen.len(),
                fixed: c.fixed,
            };
            let kept: Vec<Finding> = all
                .iter()
                .zip(&c.baselined)
                .filter(|(_, b)| !**b)
                .map(|(f, _)| f.clone())
                .collect();
            (Some(kept), Some(counts))
        }
        None => (None, None),
    };
    let findings: &[Finding] = kept.as_deref().unwrap_or(&all);
    let show = args.show_level.map(|l| match l {
        ShowLevel::Note => Level::Note,
        ShowLevel::Warning => Level::Warning,
        ShowLevel::Error => Level::Error,
    });
    let shown = |l: Level| show.is_none_or(|s| l >= s);

    // SARIF and JSON are written straight to the output (they are the large ones).
    let rules = if matches!(args.format, Format::Sarif) {
        infos()
    } else {
        Vec::new()
    };
    let mut sarif = None;
    let mut json = None;
    let mut text = match args.format {
        Format::Json => {
            json = Some(tollgate_report::json::document(
                &scan,
                &diagnostics,
                findings,
            ));
            String::new()
        }
        Format::Sarif => {
            sarif = Some(tollgate_report::sarif::render(
                &rules,
                findings,
                &diagnostics,
                |p| sources.get(p).copied(),
                env!("CARGO_PKG_VERSION"),
                env!("CARGO_PKG_REPOSITORY"),
            ));
            String::new()
        }
        Format::Github => {
            let f: Vec<Finding> = findings
                .iter()
                .filter(|f| shown(f.level))
                .cloned()
                .collect();
            let d: Vec<Diagnostic> = diagnostics
                .iter()
                .filter(|d| shown(level_of(d.severity)))
                .cloned()
                .collect();
            tollgate_report::github::render(&f, &d)
        }
        Format::Gitlab => {
            let f: Vec<Finding> = findings
                .iter()
                .filter(|f| shown(f.level))
                .cloned()
                .collect();
            let mut report = tollgate_report::gitlab::render(&f, |p| sources.get(p).copied())
                .map_err(|source| CliError::Output {
                    path: args
                        .output
                        .as_ref()
                        .map_or_else(|| "-".to_owned(), |p| p.display().to_string()),
                    source,
                })?;
            report.push('\n');
            report
        }
        Format::Concise => {
            let f: Vec<&Finding> = findings.iter().filter(|f| shown(f.level)).collect();
            let d: Vec<&Diagnostic> = diagnostics
                .iter()
                .filter(|d| shown(level_of(d.severity)))
                .filter(|d| !(args.quiet && d.severity == Severity::Note))
                .collect();
            crate::listing::concise(&f, &d)
        }
        Format::Human => {
            let refs: Vec<&Finding> = findings.iter().collect();
            Listing {
                sources: &sources,
                findings: &refs,
                diagnostics: &diagnostics,
                show,
                quiet: args.quiet,
                scanned: scan.inputs.len(),
                suppressed,
                baseline: counts,
            }
            .render(&Human::new(color))
        }
    };
    if args.statistics {
        text.push_str(&statistics(findings));
    }
    match (&mut sarif, &json) {
        (Some(log), _) => output::emit_with(args.output.as_deref(), |w| {
            log.write_json_pretty(w)?;
            w.write_all(b"\n")?;
            w.write_all(text.as_bytes())
        })?,
        (None, Some(doc)) => output::emit_with(args.output.as_deref(), |w| {
            tollgate_report::escape::to_writer_pretty(&mut *w, doc)?;
            w.write_all(b"\n")?;
            w.write_all(text.as_bytes())
        })?,
        (None, None) => output::emit(args.output.as_deref(), &text)?,
    }
    if args.timings {
        let t = &scan.timings;
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        let mb = t.bytes as f64 / 1e6;
        let parse_s = t.parse.as_secs_f64().max(1e-9);
        output::stderr(&format!(
            "timings: discover {:.1} ms, parse {:.1} ms ({} files, {:.1} MB, {:.0} files/s, {:.1} MB/s), graph {:.1} ms ({} nodes{}), rules {:.1} ms ({} findings), output {:.1} ms\n",
            ms(t.discover),
            ms(t.parse),
            t.files,
            mb,
            t.files as f64 / parse_s,
            mb / parse_s,
            ms(graph_time),
            graph.node_ids().count(),
            graph
                .pass_times()
                .iter()
                .map(|(name, d)| format!("; {name} pass {:.1} ms", ms(*d)))
                .collect::<String>(),
            ms(rules_time),
            findings.len(),
            ms(t_output.elapsed()),
        ));
        output::stderr(&rule_timings(&rule_times));
    }

    // `--show-level` only hides: the exit code counts every finding reported.
    let threshold = match args.fail_level {
        FailLevel::Note => Some(Level::Note),
        FailLevel::Warning => Some(Level::Warning),
        FailLevel::Error => Some(Level::Error),
        FailLevel::Never => None,
    };
    let failing_finding = threshold.is_some_and(|t| findings.iter().any(|f| f.level >= t));
    let failing_input = diagnostics.iter().any(|d| d.severity == Severity::Error);
    let code = if failing_finding || failing_input {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    };
    // The process ends right after this: freeing millions of small allocations one by one
    // (a tenth of a large run) is work the operating system does at once on exit.
    drop((sarif, json));
    drop(sources);
    std::mem::forget((scan, graph, all, kept, diagnostics, text));
    Ok(code)
}

/// The rules that took longest (busy time over all threads), for `--timings`.
fn rule_timings(times: &[(&str, std::time::Duration)]) -> String {
    const SHOWN: usize = 8;
    let total: std::time::Duration = times.iter().map(|t| t.1).sum();
    let mut out = format!(
        "timings: rules busy {:.1} ms over all threads; slowest:",
        total.as_secs_f64() * 1000.0
    );
    for (id, d) in times.iter().take(SHOWN) {
        out.push_str(&format!(" {id} {:.1} ms,", d.as_secs_f64() * 1000.0));
    }
    if out.ends_with(',') {
        out.pop();
    }
    out.push('\n');
    out
}

fn statistics(findings: &[Finding]) -> String {
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for f in findings {
        *by_rule.entry(f.rule).or_insert(0) += 1;
    }
    let mut rows: Vec<(&str, usize)> = by_rule.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut s = String::from("\nfindings by rule:\n");
    for (rule, n) in rows {
        let _ = writeln!(s, "{n:6}  {rule}");
    }
    s
}

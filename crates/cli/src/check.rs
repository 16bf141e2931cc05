//! `tollgate check`: discover, parse, run the rules, report.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use rayon::prelude::*;
use tollgate_engine::{Config, RunOptions, Selector};
use tollgate_model::{Confidence, Diagnostic, Finding, Level, Severity, SourceFile};
use tollgate_scan::Scan;

use crate::args::{CheckArgs, ConfidenceArg, FailLevel, Format};
use crate::catalog::{infos, unknown_rule};
use crate::human::Human;
use crate::{Cli, CliError, EXIT_CLEAN, EXIT_FINDINGS, output};

fn selectors(names: &[String]) -> Result<Vec<Selector>, CliError> {
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
fn sources<'a>(scan: &'a Scan, config: &'a Config) -> HashMap<&'a str, &'a SourceFile> {
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

pub fn run(cli: &Cli, args: &CheckArgs) -> Result<u8, CliError> {
    let color = output::use_color(cli.color, args.output.is_some());
    let select = selectors(&args.select)?;
    let ignore = selectors(&args.ignore)?;
    let progress = if args.quiet { None } else { output::Bar::new() };
    let crate::inputs::Loaded { scan, config } = crate::inputs::load(
        &args.paths,
        args.config.as_deref(),
        color,
        progress.map(|b| b as std::sync::Arc<dyn tollgate_scan::Progress>),
        cli.repository.as_deref(),
    )?;
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
    let t_graph = std::time::Instant::now();
    let (graph, graph_diagnostics) = tollgate_facts::graph(&scan);
    let graph_time = t_graph.elapsed();
    let t_rules = std::time::Instant::now();
    let outcome = tollgate_engine::run(tollgate_rules::rules(), &scan, &graph, &config, &opts);
    let rules_time = t_rules.elapsed();
    let t_output = std::time::Instant::now();
    let mut diagnostics: Vec<Diagnostic> = scan.diagnostics.clone();
    diagnostics.extend(graph_diagnostics);
    diagnostics.extend(outcome.diagnostics);
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let findings = &outcome.findings;
    let sources = sources(&scan, &config);

    // SARIF and JSON are written straight to the output (they are the large ones).
    let mut sarif = None;
    let mut json = None;
    let rules = if matches!(args.format, Format::Sarif) {
        infos()
    } else {
        Vec::new()
    };
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
        Format::Github => tollgate_report::github::render(findings, &diagnostics),
        Format::Human => human(
            &sources,
            scan.inputs.len(),
            findings,
            &diagnostics,
            args,
            color,
            outcome.suppressed,
        ),
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
        output::stderr(&rule_timings(&outcome.rule_times));
    }

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
    drop(sources);
    std::mem::forget((scan, graph, outcome.findings, diagnostics, text));
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

fn human(
    sources: &HashMap<&str, &SourceFile>,
    scanned: usize,
    findings: &[Finding],
    diagnostics: &[Diagnostic],
    args: &CheckArgs,
    color: bool,
    suppressed: usize,
) -> String {
    let human = Human::new(color);
    let mut s = String::new();
    for d in diagnostics {
        if args.quiet && d.severity == Severity::Note {
            continue;
        }
        human.diagnostic(&mut s, d, sources.get(d.path.as_str()).copied());
    }
    // Each excerpt on its own, in parallel; joined in order.
    let rendered: Vec<String> = findings
        .par_iter()
        .map(|f| {
            let mut one = String::new();
            human.finding(&mut one, f, sources.get(&*f.primary.path).copied());
            one
        })
        .collect();
    s.reserve(rendered.iter().map(String::len).sum());
    for one in rendered {
        s.push_str(&one);
    }
    if !args.quiet {
        let count = |l| findings.iter().filter(|f| f.level == l).count();
        let problems = diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Note)
            .count();
        let _ = write!(
            s,
            "{} finding{} ({} error{}, {} warning{}, {} note{}) in {} input{}",
            findings.len(),
            plural(findings.len()),
            count(Level::Error),
            plural(count(Level::Error)),
            count(Level::Warning),
            plural(count(Level::Warning)),
            count(Level::Note),
            plural(count(Level::Note)),
            scanned,
            plural(scanned),
        );
        if problems > 0 {
            let _ = write!(s, "; {problems} input problem{}", plural(problems));
        }
        if suppressed > 0 {
            let _ = write!(s, "; {suppressed} suppressed");
        }
        s.push('\n');
    }
    s
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

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

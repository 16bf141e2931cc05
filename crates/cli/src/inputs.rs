//! From the paths on the command line to what every command reads: discovery, the
//! configuration that applies, standard input, and the checks that turn a command line
//! that reads nothing into a usage error instead of a silent success.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tollgate_engine::Config;
use tollgate_scan::{
    DiscoverOptions, Discovery, Progress, ReadLimits, STDIN_ARG, Scan, ScanOptions, discover,
    scan_discovered,
};

use crate::human::Human;
use crate::{CliError, output};

/// What a command reads, with the configuration that applies to it.
pub struct Loaded {
    pub scan: Scan,
    pub config: Config,
}

/// Discover `paths`, load the configuration (`explicit`, or the one found walking up from
/// the inputs to their repository root), and read every input it does not exclude.
///
/// # Errors
/// A path that does not exist or is not a file or directory, an invalid configuration,
/// standard input that cannot be read, or nothing to read at all: exit code 2.
pub fn load(
    paths: &[PathBuf],
    explicit: Option<&Path>,
    color: bool,
    progress: Option<Arc<dyn Progress>>,
    repository: Option<&str>,
) -> Result<Loaded, CliError> {
    load_with(
        paths,
        explicit,
        color,
        progress,
        repository,
        &DiscoverOptions::default(),
    )
}

/// [`load`] with discovery options (`scan-org` makes each repository its own root).
///
/// # Errors
/// As [`load`].
pub fn load_with(
    paths: &[PathBuf],
    explicit: Option<&Path>,
    color: bool,
    progress: Option<Arc<dyn Progress>>,
    repository: Option<&str>,
    discover_options: &DiscoverOptions,
) -> Result<Loaded, CliError> {
    let start = std::time::Instant::now();
    let repository = repository
        .map(|r| {
            tollgate_model::repo::Repository::from_slug(r, "--repository").ok_or_else(|| {
                CliError::Usage(format!(
                    "`--repository {r}`: expected OWNER/NAME, as in `--repository octo-org/widget`"
                ))
            })
        })
        .transpose()?;
    let limits = ReadLimits::default();
    let stdin = if paths.iter().any(|p| p.as_os_str() == STDIN_ARG) {
        Some(read_stdin(limits.max_yaml)?)
    } else {
        None
    };
    let mut discovery = discover(paths, discover_options);
    if !discovery.errors.is_empty() {
        let lines: Vec<String> = discovery.errors.iter().map(|d| d.message.clone()).collect();
        return Err(CliError::Usage(lines.join("\n")));
    }
    let config = load_config(explicit, &discovery, color)?;
    let exclude: Option<tollgate_scan::Exclude> = config
        .exclude
        .clone()
        .map(|set| Arc::new(move |path: &str| set.is_match(path)) as tollgate_scan::Exclude);
    if let Some(x) = &exclude {
        discovery.exclude(x.as_ref());
    }
    if discovery.candidates.is_empty() {
        return Err(CliError::NoInput(no_input_message(paths)));
    }
    let scan = scan_discovered(
        discovery,
        start,
        &ScanOptions {
            progress,
            stdin,
            exclude,
            limits,
            repository,
            ..ScanOptions::default()
        },
    );
    Ok(Loaded { scan, config })
}

fn no_input_message(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    format!(
        "no input found in `{}`: tollgate reads workflows (`.github/workflows/*.yml`), \
         `action.yml`, lockfiles and registry configuration; nothing was checked",
        names.join("`, `")
    )
}

/// Standard input, up to the limit for workflows.
fn read_stdin(max: u64) -> Result<Arc<[u8]>, CliError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::Usage(format!("cannot read standard input: {e}")))?;
    Ok(Arc::from(bytes))
}

/// The configuration named by `--config`, or found for the inputs. A configuration found
/// in a repository is read only if it resolves inside that repository; when inputs of
/// different directories find different ones, the first (nearest a root) applies and the
/// others are named in a warning: one configuration applies to a run.
fn load_config(
    explicit: Option<&Path>,
    discovery: &Discovery,
    color: bool,
) -> Result<Config, CliError> {
    let rules = tollgate_rules::rules();
    let known: Vec<&tollgate_engine::catalog::RuleMeta> = rules.iter().map(|r| &r.meta).collect();
    let rendered = |e: tollgate_engine::ConfigError| {
        let human = Human::new(color);
        let mut s = String::new();
        for d in &e.diagnostics {
            human.diagnostic(&mut s, d, e.source.as_ref());
        }
        CliError::Config(s)
    };
    if let Some(path) = explicit {
        return Config::load(path, &known).map_err(rendered);
    }
    let found = Config::find_for(discovery);
    let Some((root, path)) = found.first() else {
        return Ok(Config::default());
    };
    if found.len() > 1 {
        let others: Vec<String> = found[1..]
            .iter()
            .map(|(_, p)| p.display().to_string())
            .collect();
        output::warning(&format!(
            "one configuration applies to a run: using `{}`, not `{}`",
            path.display(),
            others.join("`, `")
        ));
    }
    let Some(r) = discovery.roots.get(*root) else {
        return Ok(Config::default());
    };
    let display = match path.strip_prefix(&r.canonical) {
        Ok(rel) => format!("{}{}", r.prefix, rel.to_string_lossy().replace('\\', "/")),
        Err(_) => path.to_string_lossy().replace('\\', "/"),
    };
    Config::load_within(path, &r.canonical, &display, &known).map_err(rendered)
}

/// Scan `paths` and build the graph for the reporting commands (`graph`, `egress`,
/// `inventory`). Input problems do not stop them; they go to standard error, one line each,
/// so the document on standard output stays valid.
///
/// # Errors
/// As [`load`].
pub fn scan_and_graph(
    paths: &[PathBuf],
    repository: Option<&str>,
) -> Result<(tollgate_scan::Scan, tollgate_graph::Graph), CliError> {
    let Loaded { scan, .. } = load(paths, None, false, None, repository)?;
    let (graph, diagnostics) = tollgate_facts::graph(&scan);
    output::report_problems(scan.diagnostics.iter().chain(&diagnostics));
    Ok((scan, graph))
}

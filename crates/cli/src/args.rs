//! The command-line definition. Each flag carries its own documentation; `--help`, the man
//! page and the command reference are generated from here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const CHECK_EXAMPLES: &str = "\
Examples:
  tollgate check                         check the repository in the current directory
  tollgate check path/to/repo            check another checkout
  tollgate check .github/workflows/ci.yml
                                         check one file (pre-commit passes changed files)
  tollgate check --format sarif -o tollgate.sarif
                                         SARIF for GitHub code scanning
  tollgate check --select pinning --fail-level error
                                         only the pinning rules; fail on errors only";

const FIX_EXAMPLES: &str = "\
Examples:
  tollgate fix                           apply the safe fixes in the current repository
  tollgate fix --diff                    print them as a unified diff, change nothing
  tollgate fix --select broad-permissions .github/workflows/ci.yml
                                         one rule's fixes in one file
  tollgate fix --unsafe                  also fixes that can change behaviour
  GITHUB_TOKEN=… tollgate fix --online --select unpinned-action
                                         pin actions to the commits their tags name today";

const GRAPH_EXAMPLES: &str = "\
Examples:
  tollgate graph | dot -Tsvg > pipelines.svg
                                         the overview of the repository as an SVG diagram
  tollgate graph --format mermaid --workflow release
                                         the release workflow's overview, for Markdown
  tollgate graph --job build             everything about one job, in detail
  tollgate graph --collapse packages --format json
                                         nodes and edges with source locations";

/// Map and guard the build-time dependencies of CI/CD pipelines.
///
/// tollgate reads GitHub Actions workflows, composite actions, lockfiles and registry
/// configuration, and reports what your pipelines trust, hold and reach. It never runs
/// anything from the scanned repository and makes no network request.
#[derive(Debug, Parser)]
#[command(
    name = "tollgate",
    version,
    about,
    long_about,
    propagate_version = true
)]
pub struct Cli {
    /// When to use colours in human output: `auto` uses them on a terminal unless
    /// `NO_COLOR` is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// The repository being scanned, as `OWNER/NAME`: its own releases, scripts and
    /// actions are not third parties', and steps under `if: github.repository == …` naming
    /// another repository never run. By default it is the `origin` remote of the
    /// directory's `.git/config`, or `GITHUB_REPOSITORY` when run in that repository's
    /// Actions workspace.
    #[arg(long, global = true, value_name = "OWNER/NAME")]
    pub repository: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the pipelines of a repository and report what is found.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Print the dependency graph (Graphviz DOT, Mermaid or JSON).
    #[command(after_help = GRAPH_EXAMPLES)]
    Graph(GraphArgs),
    /// List what the pipelines depend on (with pinning and fallbacks) and what each job
    /// holds and reaches.
    #[command(after_help = INVENTORY_EXAMPLES)]
    Inventory(InventoryArgs),
    /// One self-contained HTML page for a review: the overview diagram, the findings
    /// (filterable by rule, level and job), the inventory and the egress allow-lists.
    #[command(after_help = REPORT_EXAMPLES)]
    Report(ReportArgs),
    /// The outbound hosts each job needs: harden-runner allow-lists, JSON or text.
    #[command(after_help = EGRESS_EXAMPLES)]
    Egress(EgressArgs),
    /// What a change adds to and removes from what the pipelines trust, hold and reach,
    /// between two git revisions or directories, with the findings it brings and resolves.
    #[command(after_help = DIFF_EXAMPLES)]
    Diff(DiffArgs),
    /// Check every repository of a directory (checkouts and bare git repositories), one
    /// at a time per worker, and write their facts to an SQLite database.
    #[command(name = "scan-org", after_help = SCAN_ORG_EXAMPLES)]
    ScanOrg(ScanOrgArgs),
    /// Merge the databases of `scan-org --shard` runs into one.
    #[command(after_help = MERGE_EXAMPLES)]
    Merge(MergeArgs),
    /// List the rules.
    Rules(RulesArgs),
    /// Print a rule's documentation.
    Explain(ExplainArgs),
    /// Apply the fixes tollgate knows (least-privilege permissions, `persist-credentials:
    /// false`, expansions moved into `env:`, pins recorded in the repository), then check
    /// again and report what remains.
    #[command(after_help = FIX_EXAMPLES)]
    Fix(FixArgs),
    /// Print the dated knowledge snapshots built into this binary (action advisories,
    /// popular actions' metadata) and how many entries each holds.
    Kb(KbArgs),
    /// Record today's findings in a baseline file, for `check --baseline` to report only
    /// new ones.
    #[command(after_help = BASELINE_EXAMPLES)]
    Baseline(BaselineArgs),
    /// Write a commented default configuration.
    Config(ConfigArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  tollgate completions bash > /etc/bash_completion.d/tollgate\n  tollgate completions zsh > \"${fpath[1]}/_tollgate\"\n  tollgate completions fish > ~/.config/fish/completions/tollgate.fish"
    )]
    Completions(CompletionsArgs),
    /// Write the man page and the generated reference pages (for packagers and the docs).
    #[command(hide = true)]
    GenerateDocs(GenerateDocsArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct GenerateDocsArgs {
    /// The directory to write `tollgate.1` and the `reference/` pages into.
    #[arg(default_value = "docs")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    /// Files or directories to fix, as for `check`.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Print the fixes as a unified diff and change nothing (exit code 1 when there is
    /// something to fix).
    #[arg(long)]
    pub diff: bool,
    /// Also apply fixes that can change behaviour (each rule's page says which).
    #[arg(long = "unsafe")]
    pub unsafe_fixes: bool,
    /// Also pin what only the network knows: actions to the commit the GitHub API says
    /// their tag or branch names (token from `GITHUB_TOKEN` or `GH_TOKEN`, answers cached
    /// for a day), images to the digest their registry names for the tag. Without it,
    /// `fix` makes no network request.
    #[arg(long)]
    pub online: bool,
    /// Configuration file (default: `tollgate.toml` found from the first path upwards).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Only these rules' fixes (ids or categories, comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Not these rules' fixes.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// The exit code after fixing, from the findings that remain (as `check`).
    #[arg(long, value_enum, default_value_t = FailLevel::Error)]
    pub fail_level: FailLevel,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check, each within its repository (the nearest directory
    /// holding `.github` or `.git`). Directories are walked (hidden ones such as `.github`
    /// included; `.git`, `node_modules`, `target`, `vendor` and gitignored paths skipped);
    /// files are always read; `-` reads one workflow from standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,

    /// Configuration file (default: the nearest `tollgate.toml` or `.github/tollgate.toml`
    /// from the inputs up to their repository root).
    #[arg(long)]
    pub config: Option<PathBuf>,

    /// Run only these rules or categories (comma-separated or repeated). Naming a rule
    /// that is off by default turns it on.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,

    /// Do not run these rules or categories.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// Exit with 1 when a finding reaches this level (the GitHub Action's default too).
    #[arg(long, value_enum, default_value_t = FailLevel::Error)]
    pub fail_level: FailLevel,

    /// Show only findings and diagnostics at or above this level in `human`, `concise` and
    /// `github` output. A display filter: the summary still counts everything and the exit
    /// code still follows `--fail-level`; JSON and SARIF carry every finding.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub show_level: Option<ShowLevel>,

    /// Report and fail only on findings not recorded in this baseline (written by
    /// `tollgate baseline`); baseline entries that no longer match are counted as fixed.
    /// Default: the `baseline` of the configuration.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Report only findings at least this confident.
    #[arg(long, value_enum)]
    pub min_confidence: Option<ConfidenceArg>,

    /// Report findings hidden by `# tollgate: ignore[…]` comments and config ignores.
    #[arg(long)]
    pub no_ignores: bool,

    /// Print the number of findings per rule after the report.
    #[arg(long)]
    pub statistics: bool,

    /// Print how long each stage took (discover, parse, graph, rules, output) and which
    /// rules took longest, on standard error.
    #[arg(long)]
    pub timings: bool,

    /// Print only what is found: no summary line, no notes.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Apply the safe fixes first (as `tollgate fix`), then check.
    #[arg(long)]
    pub fix: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Findings and diagnostics with source excerpts, and a summary.
    Human,
    /// A versioned JSON document (`"version": 1`).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab's code quality report (JSON), for `artifacts: reports: codequality:`.
    Gitlab,
    /// One line per finding and diagnostic: `path:line:col: level[rule] message`.
    Concise,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum ShowLevel {
    Note,
    Warning,
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FailLevel {
    Note,
    Warning,
    Error,
    /// Never fail because of findings (input errors still fail).
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ConfidenceArg {
    Low,
    Medium,
    High,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Files or directories to read (as for `check`).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,

    /// What to draw. Default: `overview` for DOT and Mermaid, `job` with `--job`,
    /// `full` for JSON or with `--kinds` or `--collapse`.
    #[arg(long, value_enum)]
    pub view: Option<GraphViewArg>,

    /// Keep only these workflows (path, file name or `name:`) and what they lead to (in
    /// the overview: and the local workflows they call).
    #[arg(long, value_delimiter = ',')]
    pub workflow: Vec<String>,

    /// Keep only these jobs (by id) and what they lead to.
    #[arg(long, value_delimiter = ',')]
    pub job: Vec<String>,

    /// Keep only these node kinds (plus the workflow and job structure leading to them):
    /// workflow, trigger, job, step, action, reusable-workflow, image, command, lockfile,
    /// registry-config, dockerfile, script, make-target, package, source, host, secret,
    /// permission, oidc, runner, code, value.
    #[arg(long)]
    pub kinds: Option<String>,

    /// `packages`: one node per lockfile instead of one per package.
    #[arg(long, value_parser = ["packages"])]
    pub collapse: Vec<String>,

    /// Write the graph to this file instead of standard output.
    #[arg(long, short = 'o', conflicts_with = "split")]
    pub output: Option<PathBuf>,

    /// Write one diagram per workflow (with the workflows it calls) into this directory,
    /// named after the workflow's file (`release.dot`, `.mmd`, `.svg`): the overview and
    /// trust views.
    #[arg(long, value_name = "DIR")]
    pub split: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphViewArg {
    /// One node per event, workflow and job; external dependencies grouped (actions by
    /// owner with their pin state, images by registry, package sources per ecosystem,
    /// hosts by domain); what each job holds on the job.
    Overview,
    /// The attack surface: the events anyone can fire, the workflows and jobs they run,
    /// what those jobs hold and the untrusted code they check out.
    Trust,
    /// What the workflows fetch, from where, and what falls back when a source fails
    /// (cache, mirror, vendored copy, retry); uses without a fallback marked.
    Supply,
    /// Everything about the jobs `--job` names: steps, commands, packages, hosts.
    Job,
    /// The complete graph (filtered by `--workflow`, `--kinds`, `--collapse`).
    Full,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT, one cluster per workflow and job.
    Dot,
    /// A Mermaid flowchart (GitHub renders it in Markdown).
    Mermaid,
    /// SVG drawn by Graphviz (`dot` must be installed), with tooltips and links.
    Svg,
    /// Nodes and edges with source locations (`"version": 1`).
    Json,
}

const INVENTORY_EXAMPLES: &str = "\
Examples:
  tollgate inventory > inventory.md      the delivery inventory as Markdown tables
  tollgate inventory --format csv -o inventory.csv
                                         one row per dependency and job, for a spreadsheet
  tollgate inventory --format json       a versioned JSON document for tools
  tollgate inventory --format cyclonedx  a CycloneDX 1.6 bill of materials";

#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// Files or directories to read (as for `check`).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = InventoryFormat::Markdown)]
    pub format: InventoryFormat,

    /// Write the inventory to this file instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InventoryFormat {
    /// Tables that render on GitHub: totals, gaps, dependencies, job identities.
    Markdown,
    /// A versioned JSON document (`"version": 1`).
    Json,
    /// One row per dependency and job.
    Csv,
    /// A CycloneDX 1.6 bill of materials: components with package URLs, and the
    /// workflows, jobs and steps as `formulation`.
    Cyclonedx,
}

const REPORT_EXAMPLES: &str = "\
Examples:
  tollgate report -o report.html         the review page for the repository here
  tollgate report --html -o report.html  the same (HTML is the only report format)
  tollgate report path/to/repo -o review.html";

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Files or directories to read (as for `check`).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Write an HTML page (the default and only format, accepted for clarity in scripts).
    #[arg(long)]
    pub html: bool,

    /// Write the page to this file instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,

    /// Configuration file (as for `check`): its rule selection, levels and ignores apply.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

const EGRESS_EXAMPLES: &str = "\
Examples:
  tollgate egress                        per workflow and job, a harden-runner block to paste
  tollgate egress --workflow release --job publish
                                         one job's allow-list
  tollgate egress --format json          every destination with why it is needed
  tollgate egress --format text          a readable listing with provenance";

#[derive(Debug, Args)]
pub struct EgressArgs {
    /// Files or directories to read (as for `check`).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = EgressFormat::HardenRunner)]
    pub format: EgressFormat,

    /// Keep only these workflows (path, file name or `name:`).
    #[arg(long, value_delimiter = ',')]
    pub workflow: Vec<String>,

    /// Keep only these jobs (by id).
    #[arg(long, value_delimiter = ',')]
    pub job: Vec<String>,

    /// Write the result to this file instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EgressFormat {
    /// `egress-policy` and `allowed-endpoints` (`host:port`, one per line) per job, to
    /// paste under the `with:` of a `step-security/harden-runner` step.
    HardenRunner,
    /// Every destination with its provenance (`"version": 1`).
    Json,
    /// A readable listing per workflow and job.
    Text,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct KbArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id, e.g. `unpinned-action`.
    pub rule: String,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Write the default configuration to `tollgate.toml` (or `--output`).
    #[arg(long)]
    pub init: bool,

    /// Where to write it (`-`: standard output).
    #[arg(long, short = 'o', default_value = "tollgate.toml")]
    pub output: PathBuf,

    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

const BASELINE_EXAMPLES: &str = "\
Examples:
  tollgate baseline                      record today's findings in .tollgate-baseline.json
  tollgate check --baseline .tollgate-baseline.json
                                         report and fail only on new findings";

#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Files or directories to check (as for `check`; pass the same ones to `check`).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Where to write the baseline.
    #[arg(long, short = 'o', default_value = ".tollgate-baseline.json")]
    pub output: PathBuf,

    /// Configuration file (as for `check`): its rule selection, levels and ignores apply.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn check_defaults_to_current_directory() {
        let cli = Cli::try_parse_from(["tollgate", "check"]).expect("parses");
        let Command::Check(a) = cli.command else {
            panic!("check")
        };
        assert_eq!(a.paths, vec![PathBuf::from(".")]);
        assert_eq!(a.format, Format::Human);
        // As the GitHub Action's `fail-level` input defaults to.
        assert_eq!(a.fail_level, FailLevel::Error);
    }

    #[test]
    fn select_takes_commas_and_repeats() {
        let cli = Cli::try_parse_from(["tollgate", "check", "--select", "a,b", "--select", "c"])
            .expect("parses");
        let Command::Check(a) = cli.command else {
            panic!("check")
        };
        assert_eq!(a.select, vec!["a", "b", "c"]);
    }

    #[test]
    fn bad_format_is_a_usage_error() {
        let e = Cli::try_parse_from(["tollgate", "check", "--format", "xml"]).expect_err("bad");
        assert!(e.use_stderr());
    }
}

const DIFF_EXAMPLES: &str = "\
Examples:
  tollgate diff HEAD~1                   what the last commit changed (against the working tree)
  tollgate diff origin/main HEAD -f markdown > comment.md
                                         a pull-request comment; empty when nothing changed
  tollgate diff main HEAD --fail-on new-findings --fail-on new-permissions
  tollgate diff ../before ../after -f json
                                         two directories

BASE and HEAD are directories when such a directory exists, else revisions of the git
repository that holds --repo (default: the current directory), read from its object
database without running git and without checking anything out.";

const SCAN_ORG_EXAMPLES: &str = "Examples:
  tollgate scan-org repos/ --db org.sqlite
  tollgate scan-org repos/ --db shard-2.sqlite --shard 2/8 --jobs 4
  sqlite3 org.sqlite \"SELECT repository, workflow, job, ref FROM actions WHERE action = 'tj-actions/changed-files'\"

Every directory under DIR is a repository: a checkout (with or without `.git`) is read
in place; a bare git repository is read at HEAD from its object database. A directory that
is no repository itself and holds git repositories is a group (an owner, a GitLab group):
its directories are repositories named `group/name`, up to four levels deep. Each is
its own scan root with its own configuration (unless --config is given), checked as
`check` does, and released before the next one a worker takes.";

#[derive(Debug, Args)]
pub struct ScanOrgArgs {
    /// The directory holding the repositories.
    pub dir: PathBuf,

    /// Write the facts (repositories, workflows, jobs, actions, images, package sources and
    /// packages, hosts, permissions, secrets, findings) to this SQLite database, replaced
    /// when the run ends.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,

    /// Repositories scanned at once; peak memory grows with this, not with the number of
    /// repositories. Default: the number of cores.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Scan only the repositories of shard I of N (1 <= I <= N): those whose name hashes
    /// to I (FNV-1a of the directory name, modulo N, plus one).
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,

    /// Use this configuration file for every repository instead of the one each holds.
    #[arg(long)]
    pub config: Option<PathBuf>,

    /// Exit with 1 when a finding reaches this level, as `check`.
    #[arg(long, value_enum, default_value_t = FailLevel::Error)]
    pub fail_level: FailLevel,

    /// What is printed on standard output.
    #[arg(long, short = 'f', value_enum, default_value_t = ScanOrgFormat::Concise)]
    pub format: ScanOrgFormat,

    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScanOrgFormat {
    /// Each finding and diagnostic as `check --format concise` prints it, the path
    /// prefixed with the repository's name, then a line of totals.
    Concise,
    /// One JSON document at the end (`"version": 1`): each repository with its kind,
    /// identity, revision, files read, findings by level, diagnostics and error; the
    /// totals; the database written.
    Json,
}

const MERGE_EXAMPLES: &str = "Examples:
  tollgate merge shard-*.sqlite -o org.sqlite

A repository may be in one input only; inputs must have this tollgate's schema version.";

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shard databases.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,

    /// The merged database (replaced).
    #[arg(long, short = 'o')]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The tree before the change: a git revision (`HEAD~1`, `origin/main`, a commit) or
    /// a directory.
    pub base: String,

    /// The tree after the change; the working tree (the directory --repo names) when
    /// absent.
    pub head: Option<String>,

    /// The directory whose git repository revisions are read from, and the working tree
    /// HEAD defaults to.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = DiffFormat::Markdown)]
    pub format: DiffFormat,

    /// Exit with 1 when the change brings this (repeatable; none by default: exit 0).
    #[arg(long, value_enum)]
    pub fail_on: Vec<FailOn>,

    /// Use this configuration file for both sides instead of the one each tree holds.
    #[arg(long)]
    pub config: Option<PathBuf>,

    /// Write the diff to this file instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// A pull-request comment: summary, then collapsed details; empty when nothing changed.
    Markdown,
    /// A versioned JSON document (`"version": 1`).
    Json,
    /// SARIF 2.1.0 with only the new findings.
    Sarif,
    /// GitHub Actions annotations for the new findings.
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// A finding HEAD has and BASE has not.
    NewFindings,
    /// A job holds a write permission, the default token, a secret or OIDC it did not.
    NewPermissions,
    /// A job reaches a host it did not.
    NewHosts,
    /// A job takes on an action or reusable workflow it did not.
    NewActions,
    /// A package moved to another source in a lockfile.
    MovedPackages,
    /// A new event anyone can fire that runs with a write token and the secrets.
    NewPrivilegedTriggers,
    /// Any of the above, or any other change the diff reports.
    Any,
}

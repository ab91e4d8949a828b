//! Argument definitions (clap) and dispatch to one module per subcommand.
//!
//! Each subcommand module owns its `run` function; this file owns the argument structs so
//! that `--help` reads as one coherent document.

mod check_cmd;
mod common;
mod completions_cmd;
mod events_cmd;
mod kubectl_cmd;
mod man_cmd;
#[cfg(feature = "stats")]
mod stats_cmd;
mod timeline_cmd;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Prove, or disprove, that Apache Flink high availability behaved correctly, from
/// JobManager logs.
///
/// Inputs are log files, directories (every log file inside), `.gz` files, or `-` / nothing
/// for standard input, e.g. `kubectl logs -l component=jobmanager --prefix --timestamps |
/// flinkha check`.
#[derive(Parser, Debug)]
#[command(name = "flinkha", version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Shown after `flinkha check --help`: the invariant ids and the exit codes.
const CHECK_AFTER_HELP: &str = "\
Invariants (ids for --only / --skip):
  single-leader         one leader at a time; an old leader never acts after a new one took over
  leader-session-fresh  every leadership term has a leader session id never used before
  checkpoint-monotonic  per job, checkpoint ids strictly increase, across failovers too
  recover-latest        a restore uses the latest completed checkpoint; no restart without one
  jobs-recovered        every job running when its leader went away is recovered by the next one
  no-resurrection       no job runs again after it ended or its HA data was cleaned up
  ha-cleanup            HA data is cleaned up exactly for globally terminal jobs
  single-job            an application never runs twice (same job name, two job ids, after HA
                        recovery in an application cluster; a note in a session cluster)
  recovery-time         with --max-rto: each job runs again within that time
  expect-failovers      with --expect-failovers: at least that many failovers happened

Verdicts: FAIL only when the logs prove a violation, UNKNOWN when they lack what the
judgement needs (the reason says what), PASS only on positive evidence.

Failover causes: every failover names why it happened, from the evidence, with the lines:
jobmanager_killed (log ends without shutdown), orderly_stop (SIGTERM), fatal_error (the
exception), out_of_memory, zookeeper_connection (SUSPENDED / LOST / session expired),
kubernetes_lease (lease not renewed, API errors), leadership_revoked, taskmanager_lost,
checkpoint_failures, restarts_exhausted, job_failure, or unknown (saying what is missing).
TaskManager and ZooKeeper logs in the input (a whole log directory) add their own last
lines as evidence; only JobManager logs make verdicts.

Known bugs: grammars/known-bugs.advice (built in; --advice adds or replaces files) lists
Flink HA bugs (FLINK-19154, -34007, ... and Curator's CURATOR-696) with the signature each
leaves. A match is a note on the verdict or failover it explains, saying whether the
logged Flink version is affected and what to do; notes never change a verdict.

Exit codes: 0 nothing failed, 1 something FAILed (or was UNKNOWN with --strict),
2 usage or input error.

Examples:
  kubectl logs -l component=jobmanager --prefix --timestamps --tail=-1 | flinkha check
  kubectl logs -l component=jobmanager --prefix --timestamps -f | flinkha check --follow
  flinkha check --format junit --expect-failovers 1 --max-rto 60s logs/ > flinkha.xml
  flinkha check --advice my-bugs.advice logs/";

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse logs into typed HA events (JSON Lines by default).
    Events(EventsArgs),
    /// Verify HA invariants: PASS / FAIL / UNKNOWN per invariant, with evidence.
    #[command(after_long_help = CHECK_AFTER_HELP)]
    Check(CheckArgs),
    /// Post-incident timeline: leader terms, failovers, downtime, RTO / RPO.
    Timeline(TimelineArgs),
    /// Checkpoint statistics per job and per failover (polars).
    #[cfg(feature = "stats")]
    Stats(StatsArgs),
    /// Read a Kubernetes cluster's JobManager pods through kubectl (installed as the
    /// kubectl plugin `kubectl-flinkha`, this is `kubectl flinkha …`).
    #[command(after_long_help = KUBECTL_AFTER_HELP)]
    Kubectl(KubectlArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_long_help = COMPLETIONS_AFTER_HELP)]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write every page into a directory.
    #[command(after_long_help = MAN_AFTER_HELP)]
    Man(ManArgs),
}

/// Shown after `flinkha kubectl --help`: how pods are found and how to install the plugin.
const KUBECTL_AFTER_HELP: &str = "\
Pods: the JobManager pods of CLUSTER_ID carry the labels Flink's native Kubernetes
integration and the Flink Kubernetes Operator give them:
  app=CLUSTER_ID,component=jobmanager,type in (flink-native-kubernetes,flink-standalone-kubernetes)
(-l SELECTOR replaces that). Every container's current log, and after a restart its
previous one, is read with `kubectl logs --timestamps`; the logs are checked as one story.
With --follow, pods are polled: a new pod or a restarted container is followed from its
first line, and each FAIL is printed when proven; Ctrl-C ends and prints the report.

Install as a kubectl plugin (kubectl runs `kubectl-flinkha` on PATH for `kubectl flinkha`):
  ln -s \"$(command -v flinkha)\" ~/.local/bin/kubectl-flinkha

Examples:
  kubectl flinkha check -n flink my-cluster
  kubectl flinkha check -n flink my-cluster --follow
  kubectl flinkha check --context prod -n flink my-cluster --format junit > flinkha.xml
  kubectl flinkha timeline -n flink my-cluster --format html -o incident.html";

/// Shown after `flinkha completions --help`: where each shell looks for the script.
const COMPLETIONS_AFTER_HELP: &str = "\
Install:
  bash        flinkha completions bash > ~/.local/share/bash-completion/completions/flinkha
  zsh         flinkha completions zsh > ~/.zfunc/_flinkha   (with fpath+=~/.zfunc before compinit)
  fish        flinkha completions fish > ~/.config/fish/completions/flinkha.fish
  powershell  flinkha completions powershell >> $PROFILE
  elvish      flinkha completions elvish >> ~/.config/elvish/rc.elv";

/// Shown after `flinkha man --help`: how to read and install the pages.
const MAN_AFTER_HELP: &str = "\
Examples:
  flinkha man | man -l -                         read flinkha(1) now
  flinkha man check | man -l -                   read flinkha-check(1)
  flinkha man --dir ~/.local/share/man/man1      install every page (then `man flinkha-check`)";

/// `flinkha kubectl` (the kubectl plugin's top level).
#[derive(Args, Debug)]
pub struct KubectlArgs {
    /// What to do with the cluster's logs.
    #[command(subcommand)]
    pub command: KubectlCommand,
}

/// The subcommands that read a cluster through kubectl.
#[derive(Subcommand, Debug)]
pub enum KubectlCommand {
    /// Verify HA invariants over the cluster's JobManager pods (current and previous logs).
    #[command(after_long_help = CHECK_AFTER_HELP)]
    Check(KubeCheckArgs),
    /// The incident timeline of the cluster's JobManager pods.
    Timeline(KubeTimelineArgs),
}

/// Which cluster and how to reach it: kubectl's own flags, passed through.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Kubernetes")]
pub struct KubeArgs {
    /// The Flink cluster id (`kubernetes.cluster-id`; with the operator, the
    /// FlinkDeployment's name). Not needed with -l.
    #[arg(value_name = "CLUSTER_ID")]
    pub cluster_id: Option<String>,

    /// Namespace of the pods (kubectl's `--namespace`).
    #[arg(short = 'n', long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// kubeconfig context (kubectl's `--context`).
    #[arg(long, value_name = "CONTEXT")]
    pub context: Option<String>,

    /// kubeconfig file (kubectl's `--kubeconfig`).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// Label selector of the JobManager pods, instead of the one CLUSTER_ID gives.
    #[arg(short = 'l', long = "selector", value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Read only these containers of each pod (default: every container). May be repeated.
    #[arg(short = 'c', long = "container", value_name = "NAME")]
    pub containers: Vec<String>,

    /// The kubectl program to run.
    #[arg(long, default_value = "kubectl", value_name = "PATH")]
    pub kubectl: PathBuf,

    /// With --follow: how often the pods are looked at (e.g. `2s`, `500ms`).
    #[arg(long, default_value = "2s", value_name = "DURATION")]
    pub poll_interval: String,
}

/// `flinkha kubectl check`.
#[derive(Args, Debug)]
#[command(mut_arg("inputs", |a| a.hide(true)))]
pub struct KubeCheckArgs {
    #[command(flatten)]
    pub kube: KubeArgs,

    #[command(flatten, next_help_heading = "Check")]
    pub check: CheckArgs,
}

/// `flinkha kubectl timeline`.
#[derive(Args, Debug)]
#[command(mut_arg("inputs", |a| a.hide(true)))]
pub struct KubeTimelineArgs {
    #[command(flatten)]
    pub kube: KubeArgs,

    #[command(flatten, next_help_heading = "Timeline")]
    pub timeline: TimelineArgs,
}

/// `flinkha completions`.
#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `flinkha man`.
#[derive(Args, Debug)]
pub struct ManArgs {
    /// The subcommand whose page to print (e.g. `check`); none: flinkha(1) itself.
    #[arg(value_name = "SUBCOMMAND")]
    pub command: Vec<String>,

    /// Write every page (`flinkha.1`, `flinkha-check.1`, …) into this directory instead.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Options shared by every subcommand that reads logs.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Log files, directories, `.gz` files; `-` or nothing reads standard input.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Time zone of log timestamps that carry none: `UTC`, `+02:00`, or an IANA name such as
    /// `Europe/Berlin`. kubectl `--timestamps` instants are always exact and win.
    #[arg(
        long,
        default_value = "UTC",
        value_name = "ZONE",
        allow_hyphen_values = true
    )]
    pub tz: String,

    /// Extra grammar file or directory of `*.grammar` files; a file with the name of a
    /// built-in grammar replaces it. May be repeated.
    #[arg(long = "grammar", value_name = "PATH")]
    pub grammars: Vec<PathBuf>,

    /// Do not show a progress bar on stderr (it only ever appears on a terminal).
    #[arg(long)]
    pub no_progress: bool,

    /// Layout of the inputs, for when recognising it by itself guesses wrong. `auto` knows
    /// the application's lines (log4j, logback, JSON layouts, `kubectl logs --prefix
    /// --timestamps`), CRI container logs, Docker json-file, stern, Loki (logcli jsonl,
    /// query_range JSON), Elasticsearch / OpenSearch (search responses, Filebeat and Fluent
    /// Bit documents), gcloud logging read JSON and CloudWatch filter-log-events JSON;
    /// `plain` takes every line as the application wrote it.
    #[arg(
        long,
        default_value = "auto",
        value_name = "FORMAT",
        value_parser = clap::builder::PossibleValuesParser::new(flinkha::input::InputFormat::NAMES)
    )]
    pub input_format: String,

    /// Match messages with the templates' regexes alone instead of the hand matchers: the
    /// reference the fast path is held to (same events, several times slower). For
    /// checking a suspected matcher bug on a real log.
    #[arg(long, hide_short_help = true)]
    pub regex_only: bool,
}

/// `--label KEY=VALUE`: shared by every subcommand with a machine output.
#[derive(Args, Debug, Clone, Default)]
pub struct LabelArgs {
    /// Attach KEY=VALUE to every machine output: `labels` in JSON, a JUnit property, GitHub
    /// annotation titles, a column of every exported table (e.g. `--label cluster=prod-eu`).
    /// KEY is a plain identifier (letters, digits, `_`). May be repeated.
    #[arg(long = "label", value_name = "KEY=VALUE", value_parser = label_arg)]
    pub labels: Vec<String>,
}

impl LabelArgs {
    /// The labels, checked (each key valid, none twice).
    pub fn labels(&self) -> anyhow::Result<flinkha::labels::Labels> {
        flinkha::labels::Labels::parse(&self.labels).map_err(|e| anyhow::anyhow!("--label: {e}"))
    }
}

/// clap value parser of one `--label`: rejects a bad key while the arguments are parsed.
fn label_arg(s: &str) -> Result<String, String> {
    flinkha::labels::parse_pair(s)
        .map(|_| s.to_string())
        .map_err(|e| e.to_string())
}

/// Output formats of `flinkha events`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventsFormat {
    /// One JSON object per line.
    Jsonl,
    /// An aligned, human-readable table.
    Table,
}

/// `flinkha events`.
#[derive(Args, Debug)]
pub struct EventsArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub labels: LabelArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = EventsFormat::Jsonl)]
    pub format: EventsFormat,

    /// List the records of HA loggers that matched no template (source:line and text)
    /// instead of the events: how a new Flink version's changed wording gets noticed.
    #[arg(long)]
    pub unmatched: bool,

    /// Only these event kinds (comma-separated, e.g. `checkpoint_completed,leadership_granted`).
    #[arg(long, value_delimiter = ',', value_name = "KIND,...")]
    pub kind: Vec<String>,
}

/// Output formats of `flinkha check`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckFormat {
    /// One line per invariant, then the evidence of each FAIL and UNKNOWN.
    Text,
    /// One JSON document.
    Json,
    /// JUnit XML for CI: FAIL as failure, UNKNOWN as skipped.
    Junit,
    /// GitHub Actions `::error` / `::warning` workflow commands.
    Github,
}

/// `flinkha check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub labels: LabelArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,

    /// Exit 1 on UNKNOWN as well as on FAIL.
    #[arg(long)]
    pub strict: bool,

    /// Only these invariants (comma-separated ids, e.g. `single-leader,recover-latest`).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub only: Vec<String>,

    /// Skip these invariants (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub skip: Vec<String>,

    /// FAIL unless at least N failovers are seen: proves a chaos test really happened.
    #[arg(long, value_name = "N")]
    pub expect_failovers: Option<usize>,

    /// Tolerated clock difference between JobManagers (e.g. `1s`, `500ms`).
    #[arg(long, default_value = "1s", value_name = "DURATION")]
    pub clock_skew: String,

    /// Enables `recovery-time`: FAIL when a failover took longer than this (e.g. `30s`, `2m`).
    #[arg(long, value_name = "DURATION")]
    pub max_rto: Option<String>,

    /// Streaming mode for `kubectl logs -f`: print each FAIL the moment it is proven.
    #[arg(long, short = 'f')]
    pub follow: bool,

    #[cfg(feature = "stats")]
    #[command(flatten)]
    pub export: ExportArgs,

    /// Extra known-bug advice file or directory of `*.advice` files; a file named like the
    /// built-in `known-bugs.advice` replaces it. May be repeated.
    #[arg(long = "advice", value_name = "PATH")]
    pub advice: Vec<PathBuf>,
}

/// Output formats of `flinkha timeline`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimelineFormat {
    /// Plain text (colour only on a terminal, never with NO_COLOR).
    Text,
    /// Markdown, to paste into an incident review.
    Markdown,
    /// One JSON document.
    Json,
    /// A self-contained HTML page with an SVG chart.
    Html,
}

/// `flinkha timeline`.
#[derive(Args, Debug)]
pub struct TimelineArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub labels: LabelArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = TimelineFormat::Text)]
    pub format: TimelineFormat,

    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Tolerated clock difference between JobManagers (e.g. `1s`).
    #[arg(long, default_value = "1s", value_name = "DURATION")]
    pub clock_skew: String,

    /// Extra known-bug advice file or directory of `*.advice` files (as for `check`).
    #[arg(long = "advice", value_name = "PATH")]
    pub advice: Vec<PathBuf>,
}

/// Output formats of `flinkha stats`.
#[cfg(feature = "stats")]
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatsFormat {
    /// Aligned text tables.
    Text,
    /// One JSON document.
    Json,
    /// CSV (the per-job table).
    Csv,
}

/// `flinkha stats`.
#[cfg(feature = "stats")]
#[derive(Args, Debug)]
pub struct StatsArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub labels: LabelArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,

    #[command(flatten)]
    pub export: ExportArgs,
}

/// Formats of the tables `--export-dir` writes.
#[cfg(feature = "stats")]
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ExportFormat {
    /// Apache Parquet: typed columns, compressed.
    #[default]
    Parquet,
    /// CSV with a header row.
    Csv,
}

/// `--export*`: the tables for fleet-wide queries in DuckDB, Spark, Trino or pandas. Each
/// starts with one column per `--label`.
#[cfg(feature = "stats")]
#[derive(Args, Debug, Clone, Default)]
pub struct ExportArgs {
    /// Write the event table (one row per event, typed columns) to FILE.parquet or FILE.csv.
    #[arg(long, value_name = "FILE")]
    pub export: Option<PathBuf>,

    /// Write the verdicts (one row per invariant and job: verdict, reason, evidence, the span
    /// of the logs) to FILE.parquet or FILE.csv.
    #[arg(long, value_name = "FILE")]
    pub export_verdicts: Option<PathBuf>,

    /// Write the failovers (one row per failover and job: cause, restored checkpoint, RTO,
    /// RPO) to FILE.parquet or FILE.csv.
    #[arg(long, value_name = "FILE")]
    pub export_failovers: Option<PathBuf>,

    /// Write all three tables into DIR (created if missing) as `events`, `verdicts` and
    /// `failovers` `.parquet` (or `.csv`, see --export-format): one directory per cluster
    /// and run, e.g. `--export-dir exports/$CLUSTER/$(date +%F)`.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["export", "export_verdicts", "export_failovers"])]
    pub export_dir: Option<PathBuf>,

    /// Format of the files --export-dir writes.
    #[arg(long, value_enum, default_value_t = ExportFormat::Parquet, value_name = "FORMAT")]
    pub export_format: ExportFormat,
}

/// Parse the process arguments. Run as `kubectl-flinkha` (the kubectl plugin: `kubectl
/// flinkha check …`), the arguments are those of `flinkha kubectl`.
pub fn parse() -> Result<Cli, clap::Error> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.first().is_some_and(|a| is_plugin_name(a)) {
        return kubectl_cmd::parse_plugin(args);
    }
    Cli::try_parse_from(args)
}

/// Whether the program was started under the kubectl plugin's name, `kubectl-flinkha`
/// (kubectl finds plugins on PATH by that name; a symlink or copy of flinkha).
fn is_plugin_name(argv0: &std::ffi::OsStr) -> bool {
    std::path::Path::new(argv0)
        .file_stem()
        .is_some_and(|s| s == "kubectl-flinkha")
}

/// Run the chosen subcommand; the returned code is the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Events(a) => events_cmd::run(a),
        Command::Check(a) => check_cmd::run(a),
        Command::Timeline(a) => timeline_cmd::run(a),
        #[cfg(feature = "stats")]
        Command::Stats(a) => stats_cmd::run(a),
        Command::Kubectl(a) => kubectl_cmd::run(a),
        Command::Completions(a) => completions_cmd::run(a),
        Command::Man(a) => man_cmd::run(a),
    }
}

/// Write `bytes` to standard output; a reader that went away (`… | head`) is not an error.
fn write_stdout(bytes: &[u8]) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => anyhow::bail!("cannot write output: {e}"),
        Ok(()) => Ok(ExitCode::SUCCESS),
    }
}

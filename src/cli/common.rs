//! What the log-reading subcommands share: building pipeline options from `InputArgs`,
//! where the logs come from ([`Source`]), collecting events, Ctrl-C, and the per-source input
//! summary on stderr.

use super::InputArgs;
use anyhow::Context;
use flinkha::advice::Book;
use flinkha::check::{self, model::Analysis, Config};
use flinkha::envelope::Zone;
use flinkha::events::{Event, Kind};
use flinkha::grammar::Grammar;
use flinkha::pipeline::{self, Item, Options, SourceSummary, Summary};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

/// Where a subcommand's logs come from.
pub enum Source {
    /// Files, directories and `-` from the command line (nothing: standard input).
    Paths(Vec<PathBuf>),
    /// Streams opened already (`kubectl logs`), and in follow mode the ones still to come.
    Streams(pipeline::Inputs),
}

impl Source {
    /// Run the pipeline over this source.
    pub fn run(
        self,
        opts: &Options,
        sink: &mut dyn FnMut(Item) -> io::Result<()>,
    ) -> Result<Summary, pipeline::PipelineError> {
        match self {
            Source::Paths(paths) => {
                if paths.is_empty() && io::stdin().is_terminal() {
                    eprintln!("flinkha: reading logs from standard input (end with Ctrl-D)");
                }
                pipeline::run(&paths, opts, sink)
            }
            Source::Streams(inputs) => pipeline::run_inputs(inputs, opts, sink),
        }
    }
}

/// Set by the first Ctrl-C (see [`on_ctrl_c`]).
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// From now on, the first Ctrl-C (SIGINT) only sets [`interrupted`], so that followed inputs
/// can end and the report still be printed; the second ends flinkha at once (exit 130).
pub fn on_ctrl_c() {
    static HITS: AtomicU32 = AtomicU32::new(0);
    // A second installation fails harmlessly: the handler is the same.
    let _ = ctrlc::set_handler(|| {
        if HITS.fetch_add(1, Ordering::SeqCst) > 0 {
            std::process::exit(130);
        }
        INTERRUPTED.store(true, Ordering::SeqCst);
    });
}

/// Whether Ctrl-C was pressed (after [`on_ctrl_c`]).
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Pipeline options from the shared input arguments.
pub fn options(input: &InputArgs, want_unmatched: bool, follow: bool) -> anyhow::Result<Options> {
    let zone: Zone = input
        .tz
        .parse()
        .map_err(|e| anyhow::anyhow!("invalid --tz: {e}"))?;
    let mut grammar = Grammar::load(&input.grammars).context("cannot load grammar")?;
    grammar.use_regex_only(input.regex_only);
    let input_format = input
        .input_format
        .parse()
        .map_err(|e| anyhow::anyhow!("invalid --input-format: {e}"))?;
    Ok(Options {
        zone,
        grammar: Arc::new(grammar),
        want_unmatched,
        progress: !input.no_progress,
        follow,
        chunking: pipeline::Chunking::default(),
        input_format,
    })
}

/// The known-bug advice: the built-in file plus `--advice` paths, its samples checked with
/// the grammar in use.
pub fn advice_book(paths: &[PathBuf], grammar: &Grammar) -> anyhow::Result<Arc<Book>> {
    Ok(Arc::new(
        Book::load(paths, grammar).context("cannot load known-bug advice")?,
    ))
}

/// Read every input and run the checker over the events; with `keep_events`, also keep the
/// events (without the synthetic `log_end`) for renderers that show them. Without, memory
/// stays bounded by the checker's compact state, whatever the input size. With `advice`
/// (the `--advice` paths), the known-bug advisor adds its notes.
pub fn collect_and_analyze(
    input: &InputArgs,
    source: Source,
    cfg: &Config,
    keep_events: bool,
    advice: Option<&[PathBuf]>,
) -> anyhow::Result<(Analysis, Vec<Event>)> {
    cfg.validate().map_err(anyhow::Error::msg)?;
    let opts = options(input, false, false)?;
    let mut checker = check::Checker::new(cfg.clone());
    if let Some(paths) = advice {
        checker = checker.with_advice(advice_book(paths, &opts.grammar)?);
    }
    let mut events = Vec::new();
    let summary = source.run(&opts, &mut |item| {
        if let Item::Event(e) = item {
            checker.observe(&e);
            if keep_events && e.kind != Kind::LogEnd {
                events.push(e);
            }
        }
        Ok(())
    })?;
    report_problems(&summary);
    Ok((checker.finish(), events))
}

/// The tables `--export*` asks for, every file name checked before anything is read.
#[cfg(feature = "stats")]
pub fn export_request(args: &super::ExportArgs) -> anyhow::Result<flinkha::export::Request> {
    use flinkha::export::{Format, Request};
    let req = match &args.export_dir {
        Some(dir) => {
            let format = match args.export_format {
                super::ExportFormat::Parquet => Format::Parquet,
                super::ExportFormat::Csv => Format::Csv,
            };
            Request::dir(dir, format)?
        }
        None => Request {
            events: args.export.clone(),
            verdicts: args.export_verdicts.clone(),
            failovers: args.export_failovers.clone(),
        },
    };
    req.validate()?;
    Ok(req)
}

/// Write the tables of `req` (none: nothing) and say on stderr what was written.
#[cfg(feature = "stats")]
pub fn write_exports(
    req: &flinkha::export::Request,
    events: &[Event],
    analysis: &Analysis,
    labels: &flinkha::labels::Labels,
) -> anyhow::Result<()> {
    for (path, rows) in req.write(events, analysis, labels)? {
        eprintln!("flinkha: wrote {rows} rows to {}", path.display());
    }
    Ok(())
}

/// Whether to colour standard output: a terminal, and NO_COLOR unset.
pub fn color_stdout() -> bool {
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// One stderr line per source with unparseable, unmatched or truncated lines, so that no
/// input is dropped silently; nothing when everything was understood.
pub fn report_problems(summary: &Summary) {
    let mut err = io::stderr().lock();
    for s in &summary.sources {
        if s.unparseable + s.unmatched + s.truncated_lines + s.ambiguous_times > 0 {
            let _ = writeln!(err, "flinkha: {}", problem_line(s));
        }
    }
    let t = summary.total();
    if t.records == 0 {
        let _ = writeln!(
            err,
            "flinkha: warning: no log records found in the input ({} lines read)",
            t.lines
        );
    }
}

fn problem_line(s: &SourceSummary) -> String {
    let mut parts = vec![format!("{} lines", s.lines)];
    if s.unparseable > 0 {
        parts.push(format!("{} unparseable", s.unparseable));
    }
    if s.unmatched > 0 {
        parts.push(format!(
            "{} unmatched lines of HA loggers (see `flinkha events --unmatched`)",
            s.unmatched
        ));
    }
    if s.truncated_lines > 0 {
        parts.push(format!("{} over-long lines truncated", s.truncated_lines));
    }
    if s.ambiguous_times > 0 {
        parts.push(format!(
            "{} records in the hour repeated when daylight saving time ended that its own order \
             cannot place for certain (read as the earlier, summer-time instant)",
            s.ambiguous_times
        ));
    }
    format!("{}: {}", s.name, parts.join(", "))
}

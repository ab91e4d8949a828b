//! What the log-reading subcommands share: building pipeline options from `InputArgs`,
//! collecting events, and the per-source input summary on stderr.

use super::InputArgs;
use anyhow::Context;
use flinkha::check::{self, model::Analysis, Config};
use flinkha::envelope::Zone;
use flinkha::events::{Event, Kind};
use flinkha::grammar::Grammar;
use flinkha::pipeline::{self, Item, Options, SourceSummary, Summary};
use std::io::{self, IsTerminal, Write};
use std::sync::Arc;

/// Pipeline options from the shared input arguments.
pub fn options(input: &InputArgs, want_unmatched: bool, follow: bool) -> anyhow::Result<Options> {
    let zone: Zone = input
        .tz
        .parse()
        .map_err(|e| anyhow::anyhow!("invalid --tz: {e}"))?;
    let grammar = Grammar::load(&input.grammars).context("cannot load grammar")?;
    let input_format = input
        .input_format
        .parse()
        .map_err(|e| anyhow::anyhow!("invalid --input-format: {e}"))?;
    if input.inputs.is_empty() && io::stdin().is_terminal() {
        eprintln!("flinkha: reading logs from standard input (end with Ctrl-D)");
    }
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

/// Read every input and run the checker over the events; with `keep_events`, also keep the
/// events (without the synthetic `log_end`) for renderers that show them. Without, memory
/// stays bounded by the checker's compact state, whatever the input size.
pub fn collect_and_analyze(
    input: &InputArgs,
    cfg: &Config,
    keep_events: bool,
) -> anyhow::Result<(Analysis, Vec<Event>)> {
    cfg.validate().map_err(anyhow::Error::msg)?;
    let opts = options(input, false, false)?;
    let mut checker = check::Checker::new(cfg.clone());
    let mut events = Vec::new();
    let summary = pipeline::run(&input.inputs, &opts, &mut |item| {
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
        if s.unparseable + s.unmatched + s.truncated_lines > 0 {
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
    format!("{}: {}", s.name, parts.join(", "))
}

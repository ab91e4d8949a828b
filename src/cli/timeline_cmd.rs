//! `flinkha timeline`: the incident story (leader terms, failovers, RTO / RPO, restores,
//! cleanup) as text, Markdown, JSON or a self-contained HTML page.

use super::common;
use super::{TimelineArgs, TimelineFormat};
use anyhow::Context;
use flinkha::check::{parse_duration, Config};
use flinkha::report::{self, TimelineFormat as Format};
use std::io::{self, Write};
use std::process::ExitCode;

/// Run `flinkha timeline`.
pub fn run(args: TimelineArgs) -> anyhow::Result<ExitCode> {
    let source = common::Source::Paths(args.input.inputs.clone());
    run_from(args, source)
}

/// Run `flinkha timeline` over `source` (the command line's paths, or kubectl's streams).
pub fn run_from(args: TimelineArgs, source: common::Source) -> anyhow::Result<ExitCode> {
    let clock_skew =
        parse_duration(&args.clock_skew).map_err(|e| anyhow::anyhow!("--clock-skew: {e}"))?;
    let cfg = Config {
        clock_skew,
        ..Config::default()
    };
    let labels = args.labels.labels()?;
    let (analysis, events) = common::collect_and_analyze(
        &args.input,
        source,
        &cfg,
        matches!(args.format, TimelineFormat::Html),
        Some(&args.advice),
    )?;
    let format = match args.format {
        TimelineFormat::Text => Format::Text,
        TimelineFormat::Markdown => Format::Markdown,
        TimelineFormat::Json => Format::Json,
        TimelineFormat::Html => Format::Html,
    };
    // Colour only for a terminal, never into a file.
    let color = args.output.is_none() && common::color_stdout();
    let text = report::render_timeline(format, &analysis, &events, color, &labels);
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut out = io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                Err(e) => anyhow::bail!("cannot write output: {e}"),
                Ok(()) => {}
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! `flinkha stats`: checkpoint statistics per job and RTO / RPO per failover (polars), and
//! `--export` of the full event table to Parquet or CSV.

use super::{common, StatsArgs, StatsFormat};
use anyhow::bail;
use flinkha::check::Config;
use flinkha::stats;
use std::io::{self, Write};
use std::process::ExitCode;

/// Run `flinkha stats`.
pub fn run(args: StatsArgs) -> anyhow::Result<ExitCode> {
    let labels = args.labels.labels()?;
    let export = common::export_request(&args.export)?;
    // The checker sees every event (the synthetic `log_end` included: a log that just stops
    // is how a kill -9 shows); statistics and the exported table get the logged events.
    let source = common::Source::Paths(args.input.inputs.clone());
    let (analysis, events) =
        common::collect_and_analyze(&args.input, source, &Config::default(), true, None)?;
    common::write_exports(&export, &events, &analysis, &labels)?;

    let stats = stats::compute(&events, Some(&analysis))?;
    let rendered = match args.format {
        StatsFormat::Text => stats::render_text(&stats),
        StatsFormat::Json => stats::render_json(&stats, &labels),
        StatsFormat::Csv => stats::render_csv(&stats, &labels),
    };
    let mut out = io::stdout().lock();
    match out
        .write_all(rendered.as_bytes())
        .and_then(|()| out.flush())
    {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => bail!("cannot write output: {e}"),
        Ok(()) => Ok(ExitCode::SUCCESS),
    }
}

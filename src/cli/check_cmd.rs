//! `flinkha check`: run the invariants over the logs and print verdicts with evidence.
//! Exit 0 when nothing FAILs, 1 when something does (or is UNKNOWN with `--strict`).

use super::common;
use super::{CheckArgs, CheckFormat};
use flinkha::check::model::Outcome;
use flinkha::check::{parse_duration, Checker, Config, Finding};
use flinkha::events::Kind;
use flinkha::pipeline::Item;
use flinkha::report;
use std::io::{self, Write};
use std::process::ExitCode;

/// Build the checker settings from the arguments.
pub fn config(args: &CheckArgs) -> anyhow::Result<Config> {
    let clock_skew =
        parse_duration(&args.clock_skew).map_err(|e| anyhow::anyhow!("--clock-skew: {e}"))?;
    let max_rto = match &args.max_rto {
        Some(s) => Some(parse_duration(s).map_err(|e| anyhow::anyhow!("--max-rto: {e}"))?),
        None => None,
    };
    let cfg = Config {
        clock_skew,
        max_rto,
        expect_failovers: args.expect_failovers,
        only: args
            .only
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        skip: args
            .skip
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
    };
    cfg.validate().map_err(anyhow::Error::msg)?;
    Ok(cfg)
}

/// Run `flinkha check`.
pub fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let source = common::Source::Paths(args.input.inputs.clone());
    run_from(args, source)
}

/// Run `flinkha check` over `source` (the command line's paths, or kubectl's streams).
pub fn run_from(args: CheckArgs, source: common::Source) -> anyhow::Result<ExitCode> {
    let cfg = config(&args)?;
    let labels = args.labels.labels()?;
    #[cfg(feature = "stats")]
    let export = common::export_request(&args.export)?;
    // Only the event table needs the events kept; verdicts and failovers come from the
    // checker's compact state.
    #[cfg(feature = "stats")]
    let keep_events = export.events.is_some();
    #[cfg(not(feature = "stats"))]
    let keep_events = false;
    let mut events = Vec::new();
    let opts = common::options(&args.input, false, args.follow)?;
    if args.follow {
        // Ctrl-C ends `kubectl logs -f` too, so input ends and the summary follows; a second
        // Ctrl-C ends flinkha at once.
        common::on_ctrl_c();
    }
    let mut checker =
        Checker::new(cfg).with_advice(common::advice_book(&args.advice, &opts.grammar)?);
    let follow = args.follow;
    let summary = source.run(&opts, &mut |item| {
        if let Item::Event(e) = item {
            let fresh = checker.observe(&e);
            if follow && !fresh.is_empty() {
                let mut out = io::stdout().lock();
                for f in &fresh {
                    out.write_all(follow_line(f).as_bytes())?;
                }
                out.flush()?;
            }
            if keep_events && e.kind != Kind::LogEnd {
                events.push(e);
            }
        }
        Ok(())
    });
    let summary = match summary {
        Ok(s) => s,
        Err(e) if e.is_broken_pipe() => return Ok(ExitCode::SUCCESS),
        Err(e) => return Err(e.into()),
    };
    common::report_problems(&summary);
    let analysis = checker.finish();
    #[cfg(feature = "stats")]
    common::write_exports(&export, &events, &analysis, &labels)?;
    #[cfg(not(feature = "stats"))]
    drop(events);
    let text = match args.format {
        CheckFormat::Text => report::check_text(&analysis, common::color_stdout()),
        CheckFormat::Json => report::check_json(&analysis, &labels),
        CheckFormat::Junit => report::check_junit(&analysis, &labels),
        CheckFormat::Github => report::check_github(&analysis, &labels),
    };
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => anyhow::bail!("cannot write output: {e}"),
        Ok(()) => {}
    }
    let failed = analysis
        .invariants
        .iter()
        .any(|v| v.verdict == Outcome::Fail);
    let unknown = analysis
        .invariants
        .iter()
        .any(|v| v.verdict == Outcome::Unknown);
    Ok(if failed || (args.strict && unknown) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A FAIL as printed the moment it is proven in `--follow` mode.
fn follow_line(f: &Finding) -> String {
    let job = f
        .job
        .as_deref()
        .map(|j| format!(" [job {j}]"))
        .unwrap_or_default();
    let mut s = format!("FAIL  {}{job}: {}\n", f.id, f.because);
    for e in &f.evidence {
        s.push_str(&format!("      {}:{}  {}\n", e.source, e.line, e.text));
    }
    s
}

//! `flinkha events`: parse logs into typed HA events and print them (JSON Lines or a table),
//! or list the records of watched loggers that no template matched (`--unmatched`).

use super::{EventsArgs, EventsFormat};
use anyhow::{bail, Context};
use flinkha::envelope::Zone;
use flinkha::events::{format_ts, Event, Kind};
use flinkha::grammar::Grammar;
use flinkha::labels::Labels;
use flinkha::pipeline::{self, Item, Options, SourceSummary, Summary};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

/// Run `flinkha events`.
pub fn run(args: EventsArgs) -> anyhow::Result<ExitCode> {
    let zone: Zone = args.input.tz.parse()?;
    let kinds = parse_kinds(&args.kind)?;
    let labels = args.labels.labels()?;
    let mut grammar = Grammar::load(&args.input.grammars).context("cannot load grammar")?;
    grammar.use_regex_only(args.input.regex_only);
    let opts = Options {
        zone,
        grammar: Arc::new(grammar),
        want_unmatched: args.unmatched,
        progress: !args.input.no_progress,
        follow: false,
        chunking: pipeline::Chunking::default(),
        input_format: args
            .input
            .input_format
            .parse()
            .map_err(|e| anyhow::anyhow!("invalid --input-format: {e}"))?,
    };
    if args.input.inputs.is_empty() && io::stdin().is_terminal() {
        eprintln!("flinkha: reading logs from standard input (end with Ctrl-D)");
    }

    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut table: Vec<[String; 4]> = Vec::new();
    let wanted = |k: Kind| {
        if kinds.is_empty() {
            k != Kind::LogEnd
        } else {
            kinds.contains(&k)
        }
    };
    let result = {
        let mut sink = |item: Item| -> io::Result<()> {
            match item {
                Item::Event(e) if !args.unmatched && wanted(e.kind) => match args.format {
                    EventsFormat::Jsonl if labels.is_empty() => {
                        serde_json::to_writer(&mut out, &e).map_err(io::Error::from)?;
                        out.write_all(b"\n")
                    }
                    EventsFormat::Jsonl => {
                        let line = Labeled {
                            event: &e,
                            labels: &labels,
                        };
                        serde_json::to_writer(&mut out, &line).map_err(io::Error::from)?;
                        out.write_all(b"\n")
                    }
                    EventsFormat::Table => {
                        table.push(table_row(&e));
                        Ok(())
                    }
                },
                Item::Unmatched(u) if args.unmatched => {
                    writeln!(out, "{}:{}: {}", u.source, u.line, u.text)
                }
                _ => Ok(()),
            }
        };
        pipeline::run(&args.input.inputs, &opts, &mut sink)
    };
    let summary = match result {
        Ok(s) => s,
        Err(e) if e.is_broken_pipe() => return Ok(ExitCode::SUCCESS),
        Err(e) => {
            let _ = out.flush();
            return Err(e.into());
        }
    };
    let written = write_table(&mut out, &table).and_then(|()| out.flush());
    match written {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        Err(e) => bail!("cannot write output: {e}"),
        Ok(()) => {}
    }
    report_summary(&summary);
    Ok(ExitCode::SUCCESS)
}

/// An event line with the run's labels: the event's own keys, then `"labels": {…}`.
#[derive(serde::Serialize)]
struct Labeled<'a> {
    #[serde(flatten)]
    event: &'a Event,
    labels: &'a Labels,
}

/// `--kind a,b`: every name must be a known kind.
fn parse_kinds(names: &[String]) -> anyhow::Result<Vec<Kind>> {
    let mut kinds = Vec::new();
    for n in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        match n.parse::<Kind>() {
            Ok(k) => kinds.push(k),
            Err(_) => {
                let known: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                bail!(
                    "unknown event kind `{n}` in --kind; known kinds: {}",
                    known.join(", ")
                )
            }
        }
    }
    Ok(kinds)
}

/// One table row: instant, `source:line`, kind, the set fields as `key=value`.
fn table_row(e: &Event) -> [String; 4] {
    let fields = match serde_json::to_value(&e.fields) {
        Ok(serde_json::Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}={s}"),
                serde_json::Value::Array(a) => format!(
                    "{k}=[{}]",
                    a.iter()
                        .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    };
    [format_ts(&e.ts), e.location(), e.kind.to_string(), fields]
}

/// Print the rows with every column but the last padded to its widest cell.
fn write_table(out: &mut dyn Write, rows: &[[String; 4]]) -> io::Result<()> {
    let mut w = [0usize; 3];
    for r in rows {
        for (i, width) in w.iter_mut().enumerate() {
            *width = (*width).max(r[i].chars().count());
        }
    }
    for r in rows {
        let line = format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            w0 = w[0],
            w1 = w[1],
            w2 = w[2]
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// The per-source counts on stderr, so that nothing is dropped silently.
fn report_summary(summary: &Summary) {
    let mut err = io::stderr().lock();
    for s in &summary.sources {
        let _ = writeln!(err, "flinkha: {}", summary_line(s));
    }
    if summary.sources.len() > 1 {
        let _ = writeln!(err, "flinkha: {}", summary_line(&summary.total()));
    }
}

fn summary_line(s: &SourceSummary) -> String {
    let mut line = format!(
        "{}: {} lines, {} records, {} events, {} unmatched, {} unparseable",
        s.name, s.lines, s.records, s.events, s.unmatched, s.unparseable
    );
    if s.truncated_lines > 0 {
        line.push_str(&format!(", {} truncated", s.truncated_lines));
    }
    if s.ambiguous_times > 0 {
        line.push_str(&format!(
            ", {} in the repeated DST hour read as the earlier time",
            s.ambiguous_times
        ));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_checked() {
        assert_eq!(
            parse_kinds(&["log_end".into(), " job_state ".into()]).unwrap(),
            vec![Kind::LogEnd, Kind::JobState]
        );
        let e = parse_kinds(&["nope".into()]).unwrap_err().to_string();
        assert!(e.contains("unknown event kind `nope`") && e.contains("checkpoint_completed"));
    }

    #[test]
    fn table_is_aligned() {
        let rows = vec![
            ["a".to_string(), "x:1".into(), "k".into(), "f=1".into()],
            [
                "bb".to_string(),
                "y:10".into(),
                "kind".into(),
                String::new(),
            ],
        ];
        let mut out = Vec::new();
        write_table(&mut out, &rows).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a   x:1   k     f=1\nbb  y:10  kind\n"
        );
    }
}

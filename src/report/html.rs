//! The self-contained HTML timeline: one file with inline CSS and an inline SVG chart, no
//! scripts, fonts or anything else fetched from the network.
//!
//! The chart has a time axis, a lane per JobManager incarnation (process lifetime, leadership
//! terms, how it ended), a lane per job (state segments, checkpoint ticks, lost checkpoints,
//! restores, HA cleanup) and failover bands across all lanes (leaderless gap shaded). Every
//! mark carries an SVG `<title>` with the log line behind it (`source:line`, instant, text) and
//! links to that line in the event table below. Every piece of text goes through
//! [`escape::html`], attributes included.

use super::check::{kind_name, plural, Counts, NOTE_LINES};
use super::escape;
use super::timeline::{
    failover_details, final_state, is_globally_terminal, jm_label, job_label, restored_ids,
    run_text, span, Headline, NotRecovered, Worst,
};
use super::units::{self, Clock};
use crate::check::model::{
    Advice, Analysis, Evidence, Failover, FailoverKind, Incarnation, IncarnationEnd, JobRecovery,
    JobReport, Outcome, Verdict,
};
use crate::events::{format_ts, Event, Kind};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Shorthand for the one escape function used for every piece of text and every attribute.
fn esc(s: &str) -> String {
    escape::html(s)
}

/// Chart geometry (SVG user units; the SVG scales to the page width).
const WIDTH: f64 = 1360.0;
const LABEL_W: f64 = 250.0;
const RIGHT_PAD: f64 = 28.0;
const FONT_W: f64 = 6.6;
const LANE_JM: f64 = 40.0;
const LANE_JOB: f64 = 80.0;
const GROUP_H: f64 = 26.0;
const AXIS_H: f64 = 26.0;
const FLAG_ROW_H: f64 = 17.0;
const MAX_FLAG_ROWS: usize = 3;

const C_LEADER: &str = "#1a73e8";
const C_ALIVE: &str = "#d3d9e1";
const C_RUNNING: &str = "#34a853";
const C_STARTING: &str = "#a8c7fa";
const C_DEGRADED: &str = "#f9ab00";
const C_DONE: &str = "#80868b";
const C_FAILED: &str = "#d93025";
const C_CKPT: &str = "#137333";
const C_LOST: &str = "#d93025";
const C_RESTORE: &str = "#8430ce";
const C_CLEANUP: &str = "#12808c";
const C_TEXT: &str = "#202124";

/// The colour of a job state.
fn state_color(state: &str) -> &'static str {
    match state {
        "RUNNING" => C_RUNNING,
        "CREATED" | "INITIALIZING" | "RECONCILING" => C_STARTING,
        "FINISHED" | "CANCELED" => C_DONE,
        "FAILED" => C_FAILED,
        _ => C_DEGRADED,
    }
}

/// Looks up the event behind a model fact: by kind and instant, then a predicate.
struct Index<'a> {
    events: &'a [Event],
    by_kind_ts: HashMap<(Kind, DateTime<Utc>), Vec<usize>>,
    /// The same, per job: many jobs changing state in the same millisecond (a failover of a
    /// busy session cluster) must not make each lookup scan all of them.
    by_kind_ts_job: HashMap<(Kind, DateTime<Utc>, &'a str), Vec<usize>>,
    /// Completed checkpoints per job, in event order (a lane draws its job's ticks without
    /// scanning every event: thousands of jobs stay linear).
    completed_by_job: HashMap<&'a str, Vec<usize>>,
    /// Where each job appears in the failovers: (failover index, position in its jobs).
    recoveries: HashMap<String, Vec<(usize, usize)>>,
    /// The first trigger of each (job, checkpoint id).
    triggered: HashMap<(&'a str, u64), usize>,
    /// Whether event `i` has a row in the event table (marks link only to rows that exist).
    in_table: Vec<bool>,
}

impl<'a> Index<'a> {
    fn new(a: &Analysis, events: &'a [Event]) -> Index<'a> {
        let mut by_kind_ts: HashMap<(Kind, DateTime<Utc>), Vec<usize>> = HashMap::new();
        let mut by_kind_ts_job: HashMap<(Kind, DateTime<Utc>, &str), Vec<usize>> = HashMap::new();
        let mut completed_by_job: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut triggered = HashMap::new();
        for (i, e) in events.iter().enumerate() {
            by_kind_ts.entry((e.kind, e.ts)).or_default().push(i);
            if let Some(j) = e.fields.job.as_deref() {
                by_kind_ts_job.entry((e.kind, e.ts, j)).or_default().push(i);
            }
            match (e.kind, e.fields.job.as_deref(), e.fields.checkpoint) {
                (Kind::CheckpointCompleted, Some(j), _) => {
                    completed_by_job.entry(j).or_default().push(i)
                }
                (Kind::CheckpointTriggered, Some(j), Some(id)) => {
                    triggered.entry((j, id)).or_insert(i);
                }
                _ => {}
            }
        }
        let mut recoveries: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (f, fo) in a.failovers.iter().enumerate() {
            for (k, r) in fo.jobs.iter().enumerate() {
                recoveries.entry(r.job.clone()).or_default().push((f, k));
            }
        }
        Index {
            events,
            recoveries,
            by_kind_ts,
            by_kind_ts_job,
            completed_by_job,
            triggered,
            in_table: table_rows(a, events),
        }
    }

    /// A link to the event table row of event `i`, wrapping `inner`; just `inner` when the
    /// event has no row.
    fn link(&self, i: Option<usize>, inner: &str) -> String {
        match i {
            Some(i) if self.in_table.get(i).copied().unwrap_or(false) => {
                format!("<a href=\"#ev{i}\">{inner}</a>")
            }
            _ => inner.to_string(),
        }
    }

    /// The last event of `source` at or before `until`: the last sign of life of a process
    /// whose synthetic `log_end` event is not among the events.
    fn last_of_source(&self, source: &str, until: DateTime<Utc>) -> Option<(usize, &'a Event)> {
        self.events
            .iter()
            .enumerate()
            .rev()
            .find(|(_, e)| *e.source == *source && e.ts <= until)
    }

    /// The failovers a job went through, with its recovery in each, in failover order.
    fn recoveries_of<'b>(
        &self,
        a: &'b Analysis,
        job: &str,
    ) -> Vec<(&'b Failover, &'b JobRecovery)> {
        self.recoveries
            .get(job)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|&(f, k)| {
                let fo = a.failovers.get(f)?;
                Some((fo, fo.jobs.get(k)?))
            })
            .collect()
    }

    /// Like [`Index::find`], among the events of one job.
    fn find_job(
        &self,
        kind: Kind,
        ts: DateTime<Utc>,
        job: &str,
        pred: impl Fn(&Event) -> bool,
    ) -> Option<(usize, &'a Event)> {
        self.by_kind_ts_job
            .get(&(kind, ts, job))?
            .iter()
            .filter_map(|&i| self.events.get(i).map(|e| (i, e)))
            .find(|(_, e)| pred(e))
    }

    fn find(
        &self,
        kind: Kind,
        ts: DateTime<Utc>,
        pred: impl Fn(&Event) -> bool,
    ) -> Option<(usize, &'a Event)> {
        self.by_kind_ts
            .get(&(kind, ts))?
            .iter()
            .filter_map(|&i| self.events.get(i).map(|e| (i, e)))
            .find(|(_, e)| pred(e))
    }
}

/// Hover text of an event: `source:line`, instant, log text.
fn hover_event(e: &Event) -> String {
    format!("{}:{}  {}\n{}", e.source, e.line, format_ts(&e.ts), e.text)
}

/// Maps instants to x coordinates over the plot area.
struct Scale {
    t0: i64,
    t1: i64,
    x0: f64,
    x1: f64,
}

impl Scale {
    fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Scale {
        let (a, b) = (from.timestamp_millis(), to.timestamp_millis());
        let len = (b - a).max(1000);
        let pad = (len / 40).max(200);
        Scale {
            t0: a - pad,
            t1: a + len + pad,
            x0: LABEL_W,
            x1: WIDTH - RIGHT_PAD,
        }
    }

    fn ms(&self, ms: i64) -> f64 {
        let f = (ms.saturating_sub(self.t0)) as f64 / (self.t1 - self.t0).max(1) as f64;
        (self.x0 + f * (self.x1 - self.x0)).clamp(self.x0, self.x1)
    }

    fn x(&self, ts: DateTime<Utc>) -> f64 {
        self.ms(ts.timestamp_millis())
    }
}

/// Places labels in rows so that none overlap; a label that fits nowhere is dropped (the
/// mark keeps its hover text).
struct Packer {
    rows: Vec<Vec<(f64, f64)>>,
    max_rows: usize,
}

impl Packer {
    fn new(max_rows: usize) -> Packer {
        Packer {
            rows: Vec::new(),
            max_rows,
        }
    }

    /// Reserve `[x, x + w]` in the first row where it overlaps nothing (6 units apart).
    fn place(&mut self, x: f64, w: f64) -> Option<usize> {
        let free =
            |row: &Vec<(f64, f64)>| row.iter().all(|&(a, b)| x + w + 6.0 <= a || b + 6.0 <= x);
        if let Some(r) = self.rows.iter().position(free) {
            if let Some(row) = self.rows.get_mut(r) {
                row.push((x, x + w));
            }
            return Some(r);
        }
        if self.rows.len() < self.max_rows {
            self.rows.push(vec![(x, x + w)]);
            return Some(self.rows.len() - 1);
        }
        None
    }

    fn rows(&self) -> usize {
        self.rows.len()
    }

    /// Place a label of width `w` for a mark at `x`, trying the sides in `order` (centred
    /// on it, right of it, left of it, `gap` away), inside the plot; returns the text's x
    /// and anchor.
    fn place_near(
        &mut self,
        x: f64,
        w: f64,
        gap: f64,
        order: &[Side],
    ) -> Option<(f64, &'static str)> {
        for side in order {
            let (lx, tx, anchor) = match side {
                Side::Middle => (x - w / 2.0, x, "middle"),
                Side::Right => (x + gap, x + gap, "start"),
                Side::Left => (x - gap - w, x - gap, "end"),
            };
            if lx < LABEL_W - 4.0 || lx + w > WIDTH - 2.0 {
                continue;
            }
            if self.place(lx, w).is_some() {
                return Some((tx, anchor));
            }
        }
        None
    }
}

/// Where a label goes relative to its mark.
#[derive(Clone, Copy, Debug)]
enum Side {
    Middle,
    Right,
    Left,
}

fn text_w(s: &str) -> f64 {
    s.chars().count() as f64 * FONT_W
}

fn title(s: &str) -> String {
    format!("<title>{}</title>", esc(s))
}

/// Tick step for the time axis: a round interval giving at most one label per ~95 units.
fn tick_step_ms(span_ms: i64, width: f64) -> i64 {
    const STEPS: [i64; 22] = [
        100,
        200,
        500,
        1_000,
        2_000,
        5_000,
        10_000,
        15_000,
        30_000,
        60_000,
        120_000,
        300_000,
        600_000,
        900_000,
        1_800_000,
        3_600_000,
        7_200_000,
        10_800_000,
        21_600_000,
        43_200_000,
        86_400_000,
        604_800_000,
    ];
    let max_ticks = (width / 95.0).max(2.0);
    STEPS
        .iter()
        .copied()
        .find(|s| (span_ms as f64 / *s as f64) <= max_ticks)
        .unwrap_or(604_800_000)
}

fn tick_label(ms: i64, step: i64, with_date: bool) -> String {
    let Some(ts) = DateTime::<Utc>::from_timestamp_millis(ms) else {
        return String::new();
    };
    let clock = if step < 1000 {
        // Tenths of a second: chrono has no one-digit fraction, so cut the milliseconds.
        let full = ts.format("%H:%M:%S%.3f").to_string();
        full.get(..full.len().saturating_sub(2))
            .unwrap_or(&full)
            .to_string()
    } else if step < 60_000 {
        ts.format("%H:%M:%S").to_string()
    } else {
        ts.format("%H:%M").to_string()
    };
    if with_date && step >= 3_600_000 {
        format!("{} {clock}", ts.format("%m-%d"))
    } else {
        clock
    }
}

/// Renders the SVG chart.
struct Chart<'a> {
    a: &'a Analysis,
    idx: &'a Index<'a>,
    scale: Scale,
    clock: Clock,
    out: String,
}

impl Chart<'_> {
    fn axis(&mut self, y: f64, top: bool, grid_to: f64, with_date: bool) {
        let step = tick_step_ms(self.scale.t1 - self.scale.t0, self.scale.x1 - self.scale.x0);
        let first = self.scale.t0.div_euclid(step) * step + step;
        let mut t = first;
        let _ = write!(
            self.out,
            "<line class=\"axis\" x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/>",
            self.scale.x0, self.scale.x1
        );
        while t < self.scale.t1 {
            let x = self.scale.ms(t);
            let label = esc(&tick_label(t, step, with_date));
            if top {
                let _ = write!(
                    self.out,
                    "<line class=\"grid\" x1=\"{x:.1}\" y1=\"{y:.1}\" x2=\"{x:.1}\" y2=\"{grid_to:.1}\"/>\
                     <line class=\"axis\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{y:.1}\"/>\
                     <text class=\"tick\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{label}</text>",
                    y - 4.0,
                    y - 8.0
                );
            } else {
                let _ = write!(
                    self.out,
                    "<line class=\"axis\" x1=\"{x:.1}\" y1=\"{y:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\"/>\
                     <text class=\"tick\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{label}</text>",
                    y + 4.0,
                    y + 16.0
                );
            }
            t += step;
        }
    }

    fn group_header(&mut self, y: f64, name: &str) {
        let _ = write!(
            self.out,
            "<text class=\"group\" x=\"8\" y=\"{:.1}\">{}</text>\
             <line class=\"sep\" x1=\"0\" y1=\"{:.1}\" x2=\"{WIDTH}\" y2=\"{:.1}\"/>",
            y + 17.0,
            esc(name),
            y + GROUP_H - 2.0,
            y + GROUP_H - 2.0
        );
    }

    fn lane_background(&mut self, y: f64, h: f64, n: usize) {
        if n % 2 == 0 {
            let _ = write!(
                self.out,
                "<rect class=\"laneband\" x=\"0\" y=\"{y:.1}\" width=\"{WIDTH}\" height=\"{h:.1}\"/>"
            );
        }
    }

    fn incarnation_lane(&mut self, inc: &Incarnation, y: f64, n: usize) {
        self.lane_background(y, LANE_JM, n);
        let cy = y + LANE_JM / 2.0;
        let label = &inc.label;
        let sub = inc
            .version
            .as_deref()
            .map(|v| format!("Flink {v}"))
            .unwrap_or_else(|| inc.source.clone());
        let _ = write!(
            self.out,
            "<g>{}<text class=\"lane\" x=\"12\" y=\"{:.1}\">{}</text>\
             <text class=\"lanesub\" x=\"12\" y=\"{:.1}\">{}</text></g>",
            title(&format!("{}\n{}", inc.label, inc.source)),
            cy - 2.0,
            esc(&truncate(label, 34)),
            cy + 11.0,
            esc(&truncate(&sub, 40))
        );
        // Process lifetime.
        let (x1, x2) = (self.scale.x(inc.first_ts), self.scale.x(inc.last_ts));
        let start_ev = self.idx.find(Kind::ProcessStarted, inc.first_ts, |e| {
            *e.source == *inc.source
        });
        let alive = format!(
            "{} alive {} – {} ({})\n{}",
            inc.label,
            self.clock.at(inc.first_ts),
            self.clock.at(inc.last_ts),
            units::duration_ms(units::between(inc.first_ts, inc.last_ts)),
            start_ev.map(|(_, e)| hover_event(e)).unwrap_or_default()
        );
        let _ = write!(
            self.out,
            "{}",
            self.idx.link(
                start_ev.map(|(i, _)| i),
                &format!(
                    "<rect class=\"mark\" x=\"{x1:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"8\" rx=\"4\" fill=\"{C_ALIVE}\">{}</rect>",
                    cy - 4.0,
                    (x2 - x1).max(2.0),
                    title(alive.trim_end())
                )
            )
        );
        // Leadership terms.
        for t in self.a.terms.iter().filter(|t| t.incarnation == inc.id) {
            let to = t.to.unwrap_or(inc.last_ts).max(t.from);
            let (tx1, tx2) = (self.scale.x(t.from), self.scale.x(to));
            let w = (tx2 - tx1).max(3.0);
            let ev = self.idx.find(Kind::LeadershipGranted, t.from, |e| {
                e.fields.session.as_deref() == Some(t.session.as_str())
            });
            let hover = format!(
                "leader {}: session {}\n{} – {} (held {}), ended: {}\ncomponents: {}\n{}",
                inc.label,
                t.session,
                self.clock.at(t.from),
                t.to.map(|x| self.clock.at(x))
                    .unwrap_or_else(|| "end of logs".into()),
                units::duration_ms(units::between(t.from, to)),
                term_end(t.end),
                t.components.join(", "),
                ev.map(|(_, e)| hover_event(e)).unwrap_or_default()
            );
            let mut inner = format!(
                "<rect class=\"mark\" x=\"{tx1:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"18\" rx=\"3\" fill=\"{C_LEADER}\">{}</rect>",
                cy - 9.0,
                title(hover.trim_end())
            );
            let label = format!("leader {}", units::short(&t.session));
            let short = units::short(&t.session).to_string();
            for l in [label, short] {
                if text_w(&l) + 10.0 <= w {
                    let _ = write!(
                        inner,
                        "<text class=\"inbar\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                        tx1 + 5.0,
                        cy + 4.0,
                        esc(&l)
                    );
                    break;
                }
            }
            let _ = write!(self.out, "{}", self.idx.link(ev.map(|(i, _)| i), &inner));
        }
        // How it ended.
        let (end_ts, end_kind) = match inc.end {
            IncarnationEnd::Stopped | IncarnationEnd::Crashed => (
                inc.stopping_ts.unwrap_or(inc.last_ts),
                Kind::ProcessStopping,
            ),
            IncarnationEnd::LogEnds | IncarnationEnd::Restarted => (inc.last_ts, Kind::LogEnd),
        };
        let ev = self
            .idx
            .find(end_kind, end_ts, |e| *e.source == *inc.source)
            .or_else(|| {
                self.idx
                    .find(Kind::LogEnd, inc.last_ts, |e| *e.source == *inc.source)
            })
            .or_else(|| self.idx.last_of_source(&inc.source, inc.last_ts));
        let ex = self.scale.x(end_ts);
        let (shape, label, cls) = match inc.end {
            IncarnationEnd::LogEnds => (
                format!(
                    "<path d=\"M{:.1},{:.1} l8,8 m0,-8 l-8,8\" stroke=\"{C_FAILED}\" stroke-width=\"2.5\" fill=\"none\"/>",
                    ex - 4.0,
                    cy - 4.0
                ),
                "log ends".to_string(),
                "endbad",
            ),
            IncarnationEnd::Crashed => (
                format!(
                    "<path d=\"M{ex:.1},{:.1} l6,10 l-12,0 z\" fill=\"{C_FAILED}\"/>",
                    cy - 6.0
                ),
                "crashed".to_string(),
                "endbad",
            ),
            IncarnationEnd::Restarted => (
                format!(
                    "<circle cx=\"{ex:.1}\" cy=\"{cy:.1}\" r=\"5\" fill=\"none\" stroke=\"{C_FAILED}\" stroke-width=\"2\"/>"
                ),
                "restarted".to_string(),
                "endbad",
            ),
            IncarnationEnd::Stopped => (
                format!(
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"9\" height=\"9\" fill=\"{C_TEXT}\"/>",
                    ex - 4.5,
                    cy - 4.5
                ),
                inc.stop_reason.clone().unwrap_or_else(|| "stopped".into()),
                "endok",
            ),
        };
        let hover = format!(
            "{}: {} at {}\n{}",
            inc.label,
            match inc.end {
                IncarnationEnd::LogEnds =>
                    "log ends without shutdown lines (killed, or still running)",
                IncarnationEnd::Crashed => "crashed",
                IncarnationEnd::Restarted => "restarted",
                IncarnationEnd::Stopped => "stopping",
            },
            self.clock.at(end_ts),
            ev.map(|(_, e)| hover_event(e)).unwrap_or_default()
        );
        let mut inner = format!("<g class=\"mark\">{}{shape}</g>", title(hover.trim_end()));
        if ex + 10.0 + text_w(&label) <= WIDTH - 2.0 {
            let _ = write!(
                inner,
                "<text class=\"{cls}\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                ex + 8.0,
                cy + 4.0,
                esc(&label)
            );
        }
        let _ = write!(self.out, "{}", self.idx.link(ev.map(|(i, _)| i), &inner));
    }

    fn job_lane(&mut self, j: &JobReport, y: f64, n: usize) {
        self.lane_background(y, LANE_JOB, n);
        let bar_y = y + 22.0;
        let bar_h = 18.0;
        let tick_y = y + 44.0;
        let name = j.name.clone().unwrap_or_default();
        let _ = write!(
            self.out,
            "<g>{}<text class=\"lane\" x=\"12\" y=\"{:.1}\">{}</text>\
             <text class=\"lanesub\" x=\"12\" y=\"{:.1}\">{}</text></g>",
            title(&format!("job {}\n{}", j.job, name)),
            bar_y + 8.0,
            esc(&job_label(&j.job)),
            bar_y + 21.0,
            esc(&truncate(&name, 38))
        );
        let span_end = span(self.a).map(|(_, b)| b);
        let mut labels = Packer::new(1);
        // State segments; a gap (hatched) where no JobManager was running the job.
        let mut prev_end: Option<DateTime<Utc>> = None;
        for (k, s) in j.states.iter().enumerate() {
            let inc_end = s
                .incarnation
                .and_then(|i| self.a.incarnations.get(i))
                .map(|i| i.last_ts);
            let next = j.states.get(k + 1).map(|n| n.ts);
            if let (Some(pe), true) = (prev_end, prev_end.is_some_and(|pe| pe < s.ts)) {
                let (gx1, gx2) = (self.scale.x(pe), self.scale.x(s.ts));
                if gx2 - gx1 >= 1.0 {
                    let _ = write!(
                        self.out,
                        "<rect class=\"mark\" x=\"{gx1:.1}\" y=\"{bar_y:.1}\" width=\"{:.1}\" height=\"{bar_h}\" fill=\"url(#gap)\">{}</rect>",
                        gx2 - gx1,
                        title(&format!(
                            "job {}: no JobManager running it for {} ({} – {})",
                            units::short(&j.job),
                            units::duration_ms(units::between(pe, s.ts)),
                            self.clock.at(pe),
                            self.clock.at(s.ts)
                        ))
                    );
                }
            }
            let terminal = is_globally_terminal(&s.state);
            let end = if terminal {
                s.ts
            } else {
                let mut end = next.or(inc_end).or(span_end).unwrap_or(s.ts);
                if let Some(ie) = inc_end {
                    if ie < end {
                        end = ie;
                    }
                }
                end.max(s.ts)
            };
            prev_end = Some(end);
            let ev = self.idx.find_job(Kind::JobState, s.ts, &j.job, |e| {
                e.fields.to.as_deref() == Some(s.state.as_str())
            });
            let on = s
                .incarnation
                .map(|i| format!(" on {}", jm_label(self.a, i)))
                .unwrap_or_default();
            let hover = format!(
                "job {} {}{on}\n{} – {} ({})\n{}",
                units::short(&j.job),
                s.state,
                self.clock.at(s.ts),
                self.clock.at(end),
                units::duration_ms(units::between(s.ts, end)),
                ev.map(|(_, e)| hover_event(e)).unwrap_or_default()
            );
            let color = state_color(&s.state);
            let (x1, x2) = (self.scale.x(s.ts), self.scale.x(end));
            if terminal {
                let inner = format!(
                    "<g class=\"mark\">{}<circle cx=\"{x1:.1}\" cy=\"{:.1}\" r=\"6\" fill=\"{color}\" stroke=\"#fff\" stroke-width=\"1.5\"/></g>",
                    title(hover.trim_end()),
                    bar_y + bar_h / 2.0
                );
                let _ = write!(self.out, "{}", self.idx.link(ev.map(|(i, _)| i), &inner));
                if x1 + 10.0 + text_w(&s.state) <= WIDTH - 2.0 {
                    let _ = write!(
                        self.out,
                        "<text class=\"statelabel\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                        x1 + 9.0,
                        bar_y + bar_h / 2.0 + 4.0,
                        esc(&s.state)
                    );
                }
                continue;
            }
            let w = (x2 - x1).max(1.5);
            let mut inner = format!(
                "<rect class=\"mark\" x=\"{x1:.1}\" y=\"{bar_y:.1}\" width=\"{w:.1}\" height=\"{bar_h}\" fill=\"{color}\">{}</rect>",
                title(hover.trim_end())
            );
            if text_w(&s.state) + 10.0 <= w {
                let _ = write!(
                    inner,
                    "<text class=\"{}\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                    if color == C_DEGRADED || color == C_STARTING {
                        "inbardark"
                    } else {
                        "inbar"
                    },
                    x1 + 5.0,
                    bar_y + 13.0,
                    esc(&s.state)
                );
            }
            let _ = write!(self.out, "{}", self.idx.link(ev.map(|(i, _)| i), &inner));
        }
        // Checkpoint ticks.
        let mut any_tick = false;
        let mut last_x = f64::NEG_INFINITY;
        let ticks = self
            .idx
            .completed_by_job
            .get(j.job.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        for &i in ticks {
            let Some(e) = self.idx.events.get(i) else {
                continue;
            };
            any_tick = true;
            let x = self.scale.x(e.ts);
            // Ticks closer than a unit merge visually: draw one, the table keeps them all.
            if x - last_x < 1.0 {
                continue;
            }
            last_x = x;
            let sp = e.fields.savepoint == Some(true);
            let mut what = format!(
                "{} {} completed",
                if sp { "savepoint" } else { "checkpoint" },
                e.fields
                    .checkpoint
                    .map(|c| c.to_string())
                    .unwrap_or_default()
            );
            if let Some(d) = e.fields.duration_ms {
                let _ = write!(what, " · {d} ms");
            }
            if let Some(b) = e.fields.bytes {
                let _ = write!(what, " · {}", units::bytes(b));
            }
            let inner = format!(
                "<line class=\"tick{}\" x1=\"{x:.1}\" y1=\"{tick_y:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\">{}</line>",
                if sp { " sp" } else { "" },
                tick_y + if sp { 12.0 } else { 8.0 },
                title(&format!("{what}\n{}", hover_event(e)))
            );
            let _ = write!(self.out, "{}", self.idx.link(Some(i), &inner));
        }
        if !any_tick {
            for r in &j.checkpoint_runs {
                let (x1, x2) = (self.scale.x(r.first_ts), self.scale.x(r.last_ts));
                let _ = write!(
                    self.out,
                    "<rect class=\"mark\" x=\"{x1:.1}\" y=\"{tick_y:.1}\" width=\"{:.1}\" height=\"8\" fill=\"{C_CKPT}\" opacity=\"0.55\">{}</rect>",
                    (x2 - x1).max(1.5),
                    title(&run_text(r, self.clock))
                );
            }
        }
        // Checkpoints lost in failovers.
        for (f, jr) in self.idx.recoveries_of(self.a, &j.job) {
            {
                for id in &jr.lost_checkpoints {
                    let ev = self
                        .idx
                        .triggered
                        .get(&(j.job.as_str(), *id))
                        .and_then(|&i| self.idx.events.get(i).map(|e| (i, e)));
                    let Some((i, e)) = ev else { continue };
                    let x = self.scale.x(e.ts);
                    let inner = format!(
                        "<line class=\"lost\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\">{}</line>",
                        tick_y - 2.0,
                        tick_y + 12.0,
                        title(&format!(
                            "checkpoint {id} triggered, never completed (lost in failover #{})\n{}",
                            f.id + 1,
                            hover_event(e)
                        ))
                    );
                    let _ = write!(self.out, "{}", self.idx.link(Some(i), &inner));
                }
            }
        }
        // Restores, HA cleanup, terminal state.
        let mid = bar_y + bar_h / 2.0;
        for r in &j.restores {
            let x = self.scale.x(r.ts);
            let ev = self
                .idx
                .find_job(Kind::CheckpointRestored, r.ts, &j.job, |e| {
                    e.fields.checkpoint == Some(r.checkpoint)
                });
            let what = format!(
                "restored from {} {} at {}",
                if r.savepoint {
                    "savepoint"
                } else {
                    "checkpoint"
                },
                r.checkpoint,
                self.clock.at(r.ts)
            );
            let mut inner = format!(
                "<g class=\"mark\">{}<path d=\"M{x:.1},{:.1} l6,6 l-6,6 l-6,-6 z\" fill=\"{C_RESTORE}\" stroke=\"#fff\" stroke-width=\"1.2\"/></g>",
                title(
                    format!(
                        "{what}\n{}",
                        ev.map(|(_, e)| hover_event(e)).unwrap_or_default()
                    )
                    .trim_end()
                ),
                mid - 6.0
            );
            let label = if r.savepoint {
                format!("↺ savepoint {}", r.checkpoint)
            } else {
                format!("↺ {}", r.checkpoint)
            };
            let lw = text_w(&label);
            if let Some((tx, anchor)) =
                labels.place_near(x, lw, 4.0, &[Side::Middle, Side::Right, Side::Left])
            {
                let _ = write!(
                    inner,
                    "<text class=\"restorelabel\" x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
                    bar_y - 5.0,
                    esc(&label)
                );
            }
            let _ = write!(self.out, "{}", self.idx.link(ev.map(|(i, _)| i), &inner));
        }
        if let Some(ts) = j.cleanup_ts {
            let x = self.scale.x(ts);
            let ev = self
                .idx
                .find_job(Kind::HaCleanupStarted, ts, &j.job, |_| true);
            let mut inner = format!(
                "<g class=\"mark\">{}<rect x=\"{:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" rx=\"2\" fill=\"{C_CLEANUP}\" stroke=\"#fff\" stroke-width=\"1.2\"/></g>",
                title(
                    format!(
                        "{}\n{}",
                        super::story_app::cleanup_summary(j, self.clock),
                        ev.map(|(_, e)| hover_event(e)).unwrap_or_default()
                    )
                    .trim_end()
                ),
                x - 5.0,
                bar_y - 13.0
            );
            let label = "HA cleanup";
            let lw = text_w(label);
            if let Some((tx, anchor)) = labels.place_near(x, lw, 8.0, &[Side::Right, Side::Left]) {
                let _ = write!(
                    inner,
                    "<text class=\"cleanlabel\" x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{label}</text>",
                    bar_y - 5.0
                );
            }
            let _ = write!(self.out, "{}", self.idx.link(ev.map(|(i, _)| i), &inner));
        }
        self.recovery_brackets(j, tick_y + 22.0);
    }

    /// Per failover of this job: the RPO (restored checkpoint's completion to failure) and
    /// the RTO (failure to RUNNING again) as brackets under the checkpoint ticks.
    fn recovery_brackets(&mut self, j: &JobReport, y: f64) {
        let mut labels = Packer::new(1);
        for (f, jr) in self.idx.recoveries_of(self.a, &j.job) {
            {
                let fx = self.scale.x(f.failure_ts);
                if let Some(rpo) = jr.rpo_ms {
                    let sx = self
                        .scale
                        .ms(f.failure_ts.timestamp_millis().saturating_sub(rpo));
                    let label = format!("RPO {}", units::duration_ms(rpo));
                    let hover = format!(
                        "failover #{}: RPO {}: processing time between the restored checkpoint{} and the failure",
                        f.id + 1,
                        units::duration_ms(rpo),
                        jr.restored_checkpoint
                            .map(|c| format!(" ({c})"))
                            .unwrap_or_default()
                    );
                    self.bracket(sx, fx, y, C_RESTORE, &label, &hover, true, &mut labels);
                }
                let (rto_end, label) = match (jr.running_ts, jr.rto_ms) {
                    (Some(ts), Some(ms)) => (ts, format!("RTO {}", units::duration_ms(ms))),
                    (Some(ts), None) => (ts, "RTO".to_string()),
                    (None, _) => (
                        span(self.a).map(|(_, b)| b).unwrap_or(f.failure_ts),
                        "not RUNNING again".to_string(),
                    ),
                };
                let hover = format!(
                    "failover #{}: {label}: from the failure at {} to {}",
                    f.id + 1,
                    self.clock.at(f.failure_ts),
                    jr.running_ts
                        .map(|t| format!("RUNNING again at {}", self.clock.at(t)))
                        .unwrap_or_else(|| "the end of the logs".into())
                );
                let rx = self.scale.x(rto_end).max(fx);
                self.bracket(fx, rx, y, C_FAILED, &label, &hover, false, &mut labels);
            }
        }
    }

    /// A horizontal bracket from `x1` to `x2` with end caps; its label goes inside when it
    /// fits, else outside (left of `x1` when `left`, right of `x2` otherwise), or nowhere.
    #[allow(clippy::too_many_arguments)]
    fn bracket(
        &mut self,
        x1: f64,
        x2: f64,
        y: f64,
        color: &str,
        label: &str,
        hover: &str,
        left: bool,
        labels: &mut Packer,
    ) {
        let w = text_w(label);
        let _ = write!(
            self.out,
            "<g class=\"mark\">{}<path d=\"M{x1:.1},{:.1} v8 M{x1:.1},{y:.1} H{x2:.1} M{x2:.1},{:.1} v8\" \
             stroke=\"{color}\" stroke-width=\"1.5\" fill=\"none\"/>\
             <rect x=\"{x1:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"10\" fill=\"transparent\"/></g>",
            title(hover),
            y - 4.0,
            y - 4.0,
            y - 5.0,
            (x2 - x1).max(3.0)
        );
        let inside = ((x1 + x2) / 2.0 - w / 2.0, "middle", (x1 + x2) / 2.0);
        let before = (x1 - 4.0 - w, "end", x1 - 4.0);
        let after = (x2 + 4.0, "start", x2 + 4.0);
        let candidates = if x2 - x1 >= w + 8.0 {
            [inside, inside]
        } else if left {
            [before, after]
        } else {
            [after, before]
        };
        for (lx, anchor, tx) in candidates {
            if lx < LABEL_W || lx + w > WIDTH - 2.0 {
                continue;
            }
            if labels.place(lx, w).is_some() {
                let _ = write!(
                    self.out,
                    "<text class=\"bracket\" x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" style=\"fill:{color}\">{}</text>",
                    y + 14.0,
                    esc(label)
                );
                break;
            }
        }
    }

    fn failover_band(&mut self, f: &Failover, top: f64, bottom: f64, flags_top: f64, flag: Flag) {
        let x1 = self.scale.x(f.failure_ts);
        let end = match f.kind {
            FailoverKind::Leader => f.new_leader_ts,
            FailoverKind::JobRestart => f.jobs.iter().filter_map(|j| j.running_ts).max(),
        }
        .unwrap_or(f.failure_ts);
        let x2 = self.scale.x(end).max(x1);
        let (cls, color) = match f.kind {
            FailoverKind::Leader => ("fo-leader", C_FAILED),
            FailoverKind::JobRestart => ("fo-restart", "#b06000"),
        };
        let mut hover = format!(
            "failover #{} · {} · {}\nfailure at {}",
            f.id + 1,
            kind_name(f.kind),
            f.cause.text,
            self.clock.at(f.failure_ts)
        );
        for l in failover_details(self.a, f, self.clock) {
            let _ = write!(hover, "\n{}", l.trim());
        }
        let _ = write!(
            self.out,
            "<g class=\"mark\">{}<rect class=\"{cls}\" x=\"{x1:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>\
             <line x1=\"{x1:.1}\" y1=\"{:.1}\" x2=\"{x1:.1}\" y2=\"{bottom:.1}\" stroke=\"{color}\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>",
            title(&hover),
            (x2 - x1).max(2.0),
            bottom - top,
            flags_top
        );
        if let Some((r, label, tx, left)) = flag {
            let y = flags_top + r as f64 * FLAG_ROW_H + 12.0;
            let _ = write!(
                self.out,
                "<text class=\"flag\" x=\"{tx:.1}\" y=\"{y:.1}\" style=\"fill:{color}\"{}>{}</text>",
                if left { " text-anchor=\"end\"" } else { "" },
                esc(&label)
            );
        }
        self.out.push_str("</g>");
    }
}

fn term_end(e: crate::check::model::TermEnd) -> &'static str {
    use crate::check::model::TermEnd;
    match e {
        TermEnd::Revoked => "revoked",
        TermEnd::ProcessStopped => "process stopping",
        TermEnd::LogEnded => "log ended",
        TermEnd::Superseded => "superseded",
        TermEnd::Open => "still leader at end of logs",
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// A placed flag label: row, text, x of the text anchor, whether it ends at x.
type Flag = Option<(usize, String, f64, bool)>;

/// The failover flag labels at the top, packed into rows: right of the failover line if
/// there is room, else left of it, else only the number.
fn flag_rows(a: &Analysis, scale: &Scale) -> (Vec<Flag>, usize) {
    let mut packer = Packer::new(MAX_FLAG_ROWS);
    let mut rows = Vec::new();
    for f in &a.failovers {
        let fx = scale.x(f.failure_ts);
        let long = match (f.kind, f.leaderless_ms) {
            (FailoverKind::Leader, Some(ms)) => format!(
                "#{} leader change · {} without leader",
                f.id + 1,
                units::duration_ms(ms)
            ),
            (FailoverKind::Leader, None) => format!("#{} leader change", f.id + 1),
            (FailoverKind::JobRestart, _) => {
                let cause = f.cause.text.split(" (").next().unwrap_or(&f.cause.text);
                format!("#{} job restart · {}", f.id + 1, truncate(cause, 32))
            }
        };
        let short = format!("#{}", f.id + 1);
        let mut placed = None;
        'labels: for l in [long, short] {
            let w = text_w(&l);
            for left in [false, true] {
                let x = if left { fx - 4.0 - w } else { fx + 4.0 };
                if x < LABEL_W - 8.0 || x + w > WIDTH - 2.0 {
                    continue;
                }
                if let Some(r) = packer.place(x, w) {
                    placed = Some((r, l, if left { fx - 4.0 } else { fx + 4.0 }, left));
                    break 'labels;
                }
            }
        }
        rows.push(placed);
    }
    let n = packer.rows();
    (rows, n)
}

fn chart(a: &Analysis, idx: &Index<'_>) -> String {
    let Some((from, to)) = span(a) else {
        return "<p class=\"empty\">No timestamps: nothing to chart.</p>".to_string();
    };
    let clock = Clock::for_span(Some((from, to)));
    let scale = Scale::new(from, to);
    let (flags, flag_rows_n) = flag_rows(a, &scale);
    let flags_top = 4.0;
    let axis_y = flags_top + flag_rows_n as f64 * FLAG_ROW_H + AXIS_H;
    let mut y = axis_y + 6.0;
    let jm_top = y;
    y += GROUP_H + a.incarnations.len() as f64 * LANE_JM;
    let job_top = y;
    y += if a.jobs.is_empty() {
        0.0
    } else {
        GROUP_H + a.jobs.len() as f64 * LANE_JOB
    };
    let lanes_bottom = y + 4.0;
    let height = lanes_bottom + AXIS_H + 4.0;
    let mut c = Chart {
        a,
        idx,
        scale,
        clock,
        out: String::new(),
    };
    let _ = write!(
        c.out,
        "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height:.0}\" \
         width=\"100%\" role=\"img\" aria-label=\"HA timeline chart\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif\">\
         <defs><pattern id=\"gap\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
         <rect width=\"6\" height=\"6\" fill=\"#f1f3f4\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#bdc1c6\" stroke-width=\"2\"/></pattern></defs>"
    );
    // Lanes first (backgrounds, grid), then marks, then failover bands on top.
    let with_date = clock.with_date;
    c.axis(axis_y, true, lanes_bottom, with_date);
    c.group_header(jm_top, "JobManagers");
    for (n, inc) in a.incarnations.iter().enumerate() {
        let ly = jm_top + GROUP_H + n as f64 * LANE_JM;
        c.incarnation_lane(inc, ly, n);
    }
    if !a.jobs.is_empty() {
        c.group_header(job_top, "Jobs");
        for (n, j) in a.jobs.iter().enumerate() {
            let ly = job_top + GROUP_H + n as f64 * LANE_JOB;
            c.job_lane(j, ly, n);
        }
    }
    for (f, row) in a.failovers.iter().zip(flags) {
        c.failover_band(f, axis_y, lanes_bottom, flags_top, row);
    }
    c.axis(lanes_bottom, false, lanes_bottom, with_date);
    c.out.push_str("</svg>");
    c.out
}

const CSS: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 28px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #202124; background: #f6f7f9; }
h1 { font-size: 22px; margin: 0; font-weight: 600; }
h2 { font-size: 16px; margin: 28px 0 10px; font-weight: 600; }
h3 { font-size: 14px; margin: 16px 0 6px; font-weight: 600; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12px; }
header { display: flex; align-items: center; gap: 16px; flex-wrap: wrap; }
header .sub { color: #5f6368; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 700; font-size: 12px; letter-spacing: .04em; }
.badge.big { font-size: 15px; padding: 4px 14px; }
.PASS { background: #e6f4ea; color: #137333; }
.FAIL { background: #fce8e6; color: #c5221f; }
.UNKNOWN { background: #fef7e0; color: #b06000; }
.cards { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 12px; margin-top: 18px; }
.card { background: #fff; border: 1px solid #dadce0; border-radius: 8px; padding: 10px 14px; }
.card .k { color: #5f6368; font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
.card .v { font-size: 22px; font-weight: 600; margin-top: 2px; }
.card .s { color: #5f6368; font-size: 12px; }
.card.bad .v { color: #c5221f; }
.panel { background: #fff; border: 1px solid #dadce0; border-radius: 8px; padding: 12px 14px; }
.panel.notes { border-left: 4px solid #f9ab00; }
.advice { margin: 6px 0 0 8px; padding-left: 8px; border-left: 3px solid #f9ab00; }
.badge.KNOWN { background: #f9ab00; color: #202124; }
.cause { margin: 4px 0 8px 0; }
.panel.notes ul { margin: 0; padding-left: 20px; }
svg text { fill: #202124; }
svg .tick { font-size: 11px; fill: #5f6368; }
svg .axis { stroke: #9aa0a6; stroke-width: 1; }
svg .grid { stroke: #e8eaed; stroke-width: 1; }
svg .sep { stroke: #dadce0; stroke-width: 1; }
svg .laneband { fill: #f8f9fa; }
svg .group { font-size: 11px; font-weight: 700; fill: #5f6368; letter-spacing: .08em; text-transform: uppercase; }
svg .lane { font-size: 13px; font-weight: 600; }
svg .lanesub { font-size: 11px; fill: #5f6368; }
svg .inbar { font-size: 11px; fill: #fff; font-weight: 600; pointer-events: none; }
svg .inbardark { font-size: 11px; fill: #202124; font-weight: 600; pointer-events: none; }
svg .statelabel { font-size: 11px; fill: #3c4043; font-weight: 600; }
svg .restorelabel { font-size: 11px; fill: #8430ce; font-weight: 600; }
svg .cleanlabel { font-size: 11px; fill: #12808c; font-weight: 600; }
svg .endbad { font-size: 11px; fill: #c5221f; font-weight: 600; }
svg .endok { font-size: 11px; fill: #3c4043; }
svg .flag { font-size: 11.5px; font-weight: 700; }
svg .bracket { font-size: 11px; font-weight: 600; }
svg .tick { stroke: none; }
svg line.tick { stroke: #137333; stroke-width: 1.2; }
svg line.tick.sp { stroke: #8430ce; stroke-width: 2; }
svg line.lost { stroke: #d93025; stroke-width: 2; stroke-dasharray: 2 2; }
svg .fo-leader { fill: #d93025; fill-opacity: .11; }
svg .fo-restart { fill: #f9ab00; fill-opacity: .16; }
svg .mark:hover, svg a:hover .mark { filter: brightness(1.12); stroke: #202124; stroke-width: 1; }
svg line.tick:hover, svg line.lost:hover { stroke-width: 3; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin-top: 8px; font-size: 12px; color: #3c4043; }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
.legend svg { flex: none; }
.hint { color: #5f6368; font-size: 12px; margin-top: 4px; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e8eaed; vertical-align: top; }
th { font-size: 12px; color: #5f6368; font-weight: 600; background: #f8f9fa; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.text { white-space: pre-wrap; word-break: break-word; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12px; }
table.evtable { table-layout: fixed; }
table.evtable td.loc, table.evtable td.mono { word-break: break-all; white-space: normal; }
td.ts, td.loc { white-space: nowrap; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12px; }
td.kind { white-space: nowrap; font-size: 12px; }
tr:target { background: #fff8c5; }
tr.k-bad td { background: #fdf3f2; }
tr.k-leader td.kind { color: #1a73e8; font-weight: 600; }
.verdict { border-top: 1px solid #e8eaed; padding: 8px 0; }
.verdict:first-child { border-top: 0; }
.verdict .because { margin-left: 8px; }
.verdict ul { margin: 6px 0 0; padding-left: 22px; }
.verdict li { margin: 2px 0; }
.verdict li code.t { white-space: pre-wrap; word-break: break-word; }
.muted { color: #5f6368; }
.events { max-height: 640px; overflow: auto; border: 1px solid #dadce0; border-radius: 8px; }
.bad { color: #c5221f; font-weight: 600; }
footer { margin-top: 32px; color: #80868b; font-size: 12px; }
@media print {
  body { background: #fff; padding: 0; }
  .events { max-height: none; overflow: visible; border: 0; }
  th { position: static; }
  .panel, .card { break-inside: avoid; }
}
"#;

fn legend() -> String {
    let sw = |inner: &str| {
        format!("<svg width=\"22\" height=\"14\" viewBox=\"0 0 22 14\" aria-hidden=\"true\">{inner}</svg>")
    };
    let items: Vec<(String, &str)> = vec![
        (sw(&format!("<rect x=\"1\" y=\"2\" width=\"20\" height=\"10\" rx=\"2\" fill=\"{C_LEADER}\"/>")), "leadership term"),
        (sw(&format!("<rect x=\"1\" y=\"4\" width=\"20\" height=\"6\" rx=\"3\" fill=\"{C_ALIVE}\"/>")), "JobManager process alive"),
        (sw(&format!("<path d=\"M7,3 l8,8 m0,-8 l-8,8\" stroke=\"{C_FAILED}\" stroke-width=\"2.5\"/>")), "log ends without shutdown (kill -9?)"),
        (sw(&format!("<rect x=\"6.5\" y=\"2.5\" width=\"9\" height=\"9\" fill=\"{C_TEXT}\"/>")), "orderly stop"),
        (sw(&format!("<rect x=\"1\" y=\"2\" width=\"20\" height=\"10\" fill=\"{C_RUNNING}\"/>")), "RUNNING"),
        (sw(&format!("<rect x=\"1\" y=\"2\" width=\"20\" height=\"10\" fill=\"{C_STARTING}\"/>")), "CREATED / INITIALIZING"),
        (sw(&format!("<rect x=\"1\" y=\"2\" width=\"20\" height=\"10\" fill=\"{C_DEGRADED}\"/>")), "RESTARTING / SUSPENDED / CANCELLING"),
        (sw(&format!("<circle cx=\"11\" cy=\"7\" r=\"5\" fill=\"{C_DONE}\"/>")), "CANCELED / FINISHED"),
        (sw(&format!("<circle cx=\"11\" cy=\"7\" r=\"5\" fill=\"{C_FAILED}\"/>")), "FAILED"),
        (sw("<rect x=\"1\" y=\"2\" width=\"20\" height=\"10\" fill=\"url(#gap-legend)\"/><defs><pattern id=\"gap-legend\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#f1f3f4\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#bdc1c6\" stroke-width=\"2\"/></pattern></defs>"), "job without a JobManager"),
        (sw(&format!("<line x1=\"7\" y1=\"3\" x2=\"7\" y2=\"11\" stroke=\"{C_CKPT}\" stroke-width=\"1.5\"/><line x1=\"11\" y1=\"3\" x2=\"11\" y2=\"11\" stroke=\"{C_CKPT}\" stroke-width=\"1.5\"/><line x1=\"15\" y1=\"3\" x2=\"15\" y2=\"11\" stroke=\"{C_CKPT}\" stroke-width=\"1.5\"/>")), "checkpoint completed"),
        (sw(&format!("<line x1=\"11\" y1=\"1\" x2=\"11\" y2=\"13\" stroke=\"{C_RESTORE}\" stroke-width=\"2.5\"/>")), "savepoint completed"),
        (sw(&format!("<line x1=\"11\" y1=\"1\" x2=\"11\" y2=\"13\" stroke=\"{C_LOST}\" stroke-width=\"2\" stroke-dasharray=\"2 2\"/>")), "checkpoint lost (never completed)"),
        (sw(&format!("<path d=\"M11,1 l6,6 l-6,6 l-6,-6 z\" fill=\"{C_RESTORE}\"/>")), "restore"),
        (sw(&format!("<rect x=\"6\" y=\"2\" width=\"10\" height=\"10\" rx=\"2\" fill=\"{C_CLEANUP}\"/>")), "HA data cleanup"),
        (sw(&format!("<rect x=\"1\" y=\"0\" width=\"20\" height=\"14\" fill=\"{C_FAILED}\" fill-opacity=\".15\"/><line x1=\"1\" y1=\"0\" x2=\"1\" y2=\"14\" stroke=\"{C_FAILED}\" stroke-width=\"2\" stroke-dasharray=\"3 2\"/>")), "leader failover: time without leader"),
        (sw("<rect x=\"1\" y=\"0\" width=\"20\" height=\"14\" fill=\"#f9ab00\" fill-opacity=\".22\"/><line x1=\"1\" y1=\"0\" x2=\"1\" y2=\"14\" stroke=\"#b06000\" stroke-width=\"2\" stroke-dasharray=\"3 2\"/>"), "job restart: failure until RUNNING"),
    ];
    let mut out = String::from("<div class=\"legend\">");
    for (swatch, label) in items {
        let _ = write!(out, "<span>{swatch}{}</span>", esc(label));
    }
    out.push_str("</div>");
    out
}

fn card(key: &str, value: &str, sub: &str, bad: bool) -> String {
    format!(
        "<div class=\"card{}\"><div class=\"k\">{}</div><div class=\"v\">{}</div><div class=\"s\">{}</div></div>",
        if bad { " bad" } else { "" },
        esc(key),
        esc(value),
        esc(sub)
    )
}

fn worst_card(key: &str, w: &Option<Worst>) -> String {
    match w {
        Some(w) => card(
            key,
            &units::duration_ms(w.ms),
            &format!("job {} · failover #{}", units::short(&w.job), w.failover),
            false,
        ),
        None => card(key, "–", "no failover with a measured value", false),
    }
}

fn verdict_html(v: &Verdict) -> String {
    let mut out = format!(
        "<div class=\"verdict\"><span class=\"badge {0}\">{0}</span> <strong>{1}</strong>",
        esc(v.verdict.as_str()),
        esc(&v.id)
    );
    if let Some(job) = &v.job {
        let _ = write!(
            out,
            " <span class=\"muted\">job <code>{}</code></span>",
            esc(job)
        );
    }
    let _ = write!(out, "<span class=\"because\">{}</span>", esc(&v.because));
    out.push_str(&evidence_html(&v.evidence));
    out.push_str(&advice_html(&v.advice));
    out.push_str("</div>");
    out
}

/// Evidence lines as a list (nothing when there are none).
fn evidence_html(lines: &[Evidence]) -> String {
    if lines.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul>");
    for e in lines {
        let _ = write!(
            out,
            "<li><code>{}:{}</code> <code class=\"muted\">{}</code><br><code class=\"t\">{}</code></li>",
            esc(&e.source),
            e.line,
            esc(&e.ts),
            esc(&e.text)
        );
    }
    out.push_str("</ul>");
    out
}

/// Advisor notes, each with the lines that matched.
fn advice_html(notes: &[Advice]) -> String {
    let mut out = String::new();
    for n in notes {
        let _ = write!(
            out,
            "<div class=\"advice\"><span class=\"badge KNOWN\">known bug</span> {}{}</div>",
            esc(&n.note),
            evidence_html(&n.evidence[..n.evidence.len().min(NOTE_LINES)])
        );
    }
    out
}

/// At most this many rows in the event table; beyond it routine checkpoint events are left
/// out so that a day of logs still gives a page a browser opens quickly.
const MAX_TABLE_ROWS: usize = 5000;

/// Which events get a row in the event table: all of them up to [`MAX_TABLE_ROWS`], else
/// everything but the checkpoint triggers and completions no failover refers to.
fn table_rows(a: &Analysis, events: &[Event]) -> Vec<bool> {
    if events.len() <= MAX_TABLE_ROWS {
        return vec![true; events.len()];
    }
    let mut wanted: std::collections::HashSet<(&str, u64)> = std::collections::HashSet::new();
    for f in &a.failovers {
        for j in &f.jobs {
            let ids = [
                j.latest_completed_before,
                j.restored_checkpoint,
                j.first_completed_after,
            ];
            for id in ids
                .into_iter()
                .flatten()
                .chain(j.lost_checkpoints.iter().copied())
            {
                wanted.insert((j.job.as_str(), id));
            }
        }
    }
    for jr in &a.jobs {
        for r in &jr.restores {
            wanted.insert((jr.job.as_str(), r.checkpoint));
        }
    }
    events
        .iter()
        .map(|e| match e.kind {
            Kind::CheckpointTriggered | Kind::CheckpointCompleted => {
                match (e.fields.job.as_deref(), e.fields.checkpoint) {
                    (Some(job), Some(id)) => wanted.contains(&(job, id)),
                    _ => false,
                }
            }
            _ => true,
        })
        .collect()
}

fn event_fields(e: &Event) -> String {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(&e.fields) else {
        return String::new();
    };
    map.iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn event_class(k: Kind) -> &'static str {
    match k {
        Kind::LogEnd | Kind::ProcessStopping | Kind::LeaderConflict | Kind::TaskmanagerLost => {
            "k-bad"
        }
        Kind::LeadershipGranted | Kind::LeadershipRevoked | Kind::LeaderElected => "k-leader",
        _ => "",
    }
}

fn failovers_html(a: &Analysis, clock: Clock) -> String {
    let mut out = String::new();
    for f in &a.failovers {
        let _ = write!(
            out,
            "<h3>#{} {} at {} — {}</h3>",
            f.id + 1,
            esc(kind_name(f.kind)),
            esc(&clock.at(f.failure_ts)),
            esc(&f.cause.text)
        );
        if f.kind == FailoverKind::Leader {
            if let Some(first) = failover_details(a, f, clock).first() {
                let _ = write!(out, "<p>{}</p>", esc(first));
            }
        }
        let _ = write!(
            out,
            "<div class=\"cause\">cause: <code>{}</code>{}</div>",
            esc(f.cause.kind.as_str()),
            evidence_html(&f.cause.evidence[..f.cause.evidence.len().min(NOTE_LINES)])
        );
        out.push_str(&advice_html(&f.advice));
        if f.jobs.is_empty() {
            out.push_str("<p class=\"muted\">No job was affected.</p>");
            continue;
        }
        out.push_str("<table><thead><tr><th>job</th><th>latest completed before</th><th>restored</th><th>restored at</th><th>RPO</th><th>RUNNING again</th><th>RTO</th><th>lost checkpoints</th><th>first checkpoint after</th></tr></thead><tbody>");
        for j in &f.jobs {
            let restored = match j.restored_checkpoint {
                Some(id) if j.restored_savepoint => format!("savepoint {id}"),
                Some(id) => id.to_string(),
                None => "none".to_string(),
            };
            let stale = match (j.restored_checkpoint, j.latest_completed_before) {
                (Some(r), Some(l)) => r < l,
                (None, Some(_)) => true,
                _ => false,
            };
            let latest = match (j.latest_completed_before, j.latest_completed_ts) {
                (Some(id), Some(ts)) => format!("{id} ({})", clock.at(ts)),
                (Some(id), None) => id.to_string(),
                _ => "–".to_string(),
            };
            let _ = write!(
                out,
                "<tr><td><code>{}</code> {}</td><td>{}</td><td class=\"num{}\">{}</td><td class=\"ts\">{}</td><td class=\"num\">{}</td><td class=\"ts\">{}</td><td class=\"num{}\">{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                esc(units::short(&j.job)),
                esc(job_name(a, &j.job)),
                esc(&latest),
                if stale { " bad" } else { "" },
                esc(&restored),
                esc(&j.restored_ts.map(|t| clock.at(t)).unwrap_or_else(|| "–".into())),
                esc(&j.rpo_ms.map(units::duration_ms).unwrap_or_else(|| "–".into())),
                esc(&j.running_ts.map(|t| clock.at(t)).unwrap_or_else(|| "–".into())),
                if j.rto_ms.is_none() { " bad" } else { "" },
                esc(&j.rto_ms.map(units::duration_ms).unwrap_or_else(|| "not recovered".into())),
                esc(&if j.lost_checkpoints.is_empty() { "–".to_string() } else { units::id_list(&j.lost_checkpoints) }),
                esc(&j.first_completed_after.map(|i| i.to_string()).unwrap_or_else(|| "–".into())),
            );
        }
        out.push_str("</tbody></table>");
    }
    out
}

fn job_name<'a>(a: &'a Analysis, job: &str) -> &'a str {
    a.jobs
        .iter()
        .find(|j| j.job == job)
        .and_then(|j| j.name.as_deref())
        .unwrap_or("")
}

/// The HTML timeline: header with verdict and headline numbers, the SVG chart and legend,
/// failovers, verdicts with evidence, leadership terms, jobs, and the event table. One
/// self-contained file; `events` are the parsed events the analysis was built from.
pub fn timeline_html(a: &Analysis, events: &[Event]) -> String {
    let idx = Index::new(a, events);
    let clock = Clock::for_span(span(a));
    let h = Headline::of(a);
    let c = Counts::of(a);
    let mut out = String::with_capacity(64 * 1024 + events.len() * 400);
    let title_text = match span(a) {
        Some((from, _)) => format!(
            "Flink HA timeline · {} · {} UTC",
            a.verdict.as_str(),
            from.format("%Y-%m-%d %H:%M")
        ),
        None => format!("Flink HA timeline · {}", a.verdict.as_str()),
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(&title_text)
    );
    // Header.
    let sub = match span(a) {
        Some((from, to)) => format!(
            "{} – {} UTC · {} · {} · {}",
            units::full(from),
            if from.date_naive() == to.date_naive() {
                to.format("%H:%M:%S%.3f").to_string()
            } else {
                units::full(to)
            },
            units::duration_ms(units::between(from, to)),
            plural(a.incarnations.len(), "JobManager incarnation"),
            plural(a.jobs.len(), "job")
        ),
        None => "no timestamps in the logs".to_string(),
    };
    let _ = writeln!(
        out,
        "<header><h1>Flink HA timeline</h1><span class=\"badge big {0}\">{0}</span><span class=\"sub\">{1}</span></header>",
        esc(a.verdict.as_str()),
        esc(&sub)
    );
    // Cards.
    out.push_str("<section class=\"cards\">");
    out.push_str(&card(
        "Failovers",
        &h.failovers.to_string(),
        &format!(
            "{} leader change{} · {} job restart{}",
            h.leader_changes,
            if h.leader_changes == 1 { "" } else { "s" },
            h.job_restarts,
            if h.job_restarts == 1 { "" } else { "s" }
        ),
        false,
    ));
    match h.longest_leaderless {
        Some((ms, n)) => out.push_str(&card(
            "Longest without leader",
            &units::duration_ms(ms),
            &format!("failover #{n}"),
            false,
        )),
        None => out.push_str(&card(
            "Longest without leader",
            "–",
            "no leader change",
            false,
        )),
    }
    if h.not_recovered.is_empty() {
        out.push_str(&worst_card("Worst RTO", &h.worst_rto));
    } else {
        let NotRecovered { job, failover: n } =
            h.not_recovered.first().cloned().unwrap_or_default();
        out.push_str(&card(
            "Worst RTO",
            "not recovered",
            &format!("job {} · failover #{n}", units::short(&job)),
            true,
        ));
    }
    out.push_str(&worst_card("Worst RPO", &h.worst_rpo));
    out.push_str(&card(
        "Checks",
        &format!("{} failed", c.failed),
        &format!("{} unknown · {} passed", c.unknown, c.passed),
        c.failed > 0,
    ));
    out.push_str("</section>\n");
    if !a.notes.is_empty() || !a.advice.is_empty() {
        out.push_str("<h2>Notes</h2><div class=\"panel notes\"><ul>");
        for n in &a.notes {
            let _ = write!(out, "<li>{}</li>", esc(n));
        }
        for n in &a.advice {
            let _ = write!(out, "<li>{}</li>", advice_html(std::slice::from_ref(n)));
        }
        out.push_str("</ul></div>\n");
    }
    // Chart.
    out.push_str("<h2>Timeline</h2><div class=\"panel\">");
    out.push_str(&chart(a, &idx));
    out.push_str(&legend());
    out.push_str("<div class=\"hint\">Times in UTC. Hover a mark for the log line behind it; click it to jump to the line in the event table.</div></div>\n");
    // Failovers.
    if !a.failovers.is_empty() {
        let _ = writeln!(
            out,
            "<h2>Failovers</h2><div class=\"panel\">{}</div>",
            failovers_html(a, clock)
        );
    }
    // Verdicts: FAIL, then UNKNOWN, then PASS.
    if !a.invariants.is_empty() {
        let _ = write!(
            out,
            "<h2>Verdicts <span class=\"muted\">· {} failed, {} unknown, {} passed</span></h2><div class=\"panel\">",
            c.failed, c.unknown, c.passed
        );
        for o in [Outcome::Fail, Outcome::Unknown, Outcome::Pass] {
            for v in a.invariants.iter().filter(|v| v.verdict == o) {
                out.push_str(&verdict_html(v));
            }
        }
        out.push_str("</div>\n");
    }
    // Terms.
    if !a.terms.is_empty() {
        out.push_str("<h2>Leadership terms</h2><table><thead><tr><th>JobManager</th><th>session</th><th>address</th><th>from</th><th>to</th><th>held</th><th>ended</th></tr></thead><tbody>");
        for t in &a.terms {
            let _ = write!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"ts\">{}</td><td class=\"ts\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                esc(&jm_label(a, t.incarnation)),
                esc(&t.session),
                esc(t.address.as_deref().unwrap_or("")),
                esc(&clock.at(t.from)),
                esc(&t.to.map(|x| clock.at(x)).unwrap_or_else(|| "–".into())),
                esc(&t.to.map(|x| units::duration_ms(units::between(t.from, x))).unwrap_or_else(|| "–".into())),
                esc(term_end(t.end))
            );
        }
        out.push_str("</tbody></table>\n");
    }
    // Jobs.
    if !a.jobs.is_empty() {
        out.push_str("<h2>Jobs</h2><table><thead><tr><th>job</th><th>name</th><th>final state</th><th>checkpoints</th><th>restores</th><th>HA cleanup</th></tr></thead><tbody>");
        for j in &a.jobs {
            let state = final_state(j);
            let restores = restored_ids(j);
            let runs: Vec<String> = j
                .checkpoint_runs
                .iter()
                .map(|r| run_text(r, clock))
                .collect();
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{} completed, {} failed<br><span class=\"muted\">{}</span></td><td>{}</td><td class=\"ts\">{}</td></tr>",
                esc(&j.job),
                esc(j.name.as_deref().unwrap_or("")),
                esc(&state),
                j.completed,
                j.failed,
                runs.iter().map(|r| esc(r)).collect::<Vec<_>>().join("<br>"),
                esc(&if restores.is_empty() { "–".to_string() } else { restores.join(", ") }),
                esc(&match j.cleanup_ts {
                    Some(t) if j.cleanup_failed.is_empty() && j.cleanup_finished_ts.is_some() => clock.at(t),
                    Some(_) => super::story_app::cleanup_summary(j, clock),
                    None => "–".into(),
                })
            );
        }
        out.push_str("</tbody></table>\n");
    }
    // Events.
    let _ = write!(
        out,
        "<h2>Events <span class=\"muted\">· {}</span></h2><div class=\"events\"><table class=\"evtable\"><colgroup><col style=\"width:104px\"><col style=\"width:22%\"><col style=\"width:170px\"><col style=\"width:24%\"><col></colgroup><thead><tr><th>time (UTC)</th><th>source:line</th><th>kind</th><th>fields</th><th>text</th></tr></thead><tbody>",
        esc(&plural(events.len(), "event"))
    );
    let omitted = idx.in_table.iter().filter(|shown| !**shown).count();
    for (i, e) in events.iter().enumerate() {
        if !idx.in_table.get(i).copied().unwrap_or(false) {
            continue;
        }
        let _ = writeln!(
            out,
            "<tr id=\"ev{i}\" class=\"{}\"><td class=\"ts\">{}</td><td class=\"loc\">{}:{}</td><td class=\"kind\">{}</td><td class=\"mono\">{}</td><td class=\"text\">{}</td></tr>",
            event_class(e.kind),
            esc(&clock.at(e.ts)),
            esc(&e.source),
            e.line,
            esc(e.kind.as_str()),
            esc(&event_fields(e)),
            esc(&e.text)
        );
    }
    out.push_str("</tbody></table></div>\n");
    if omitted > 0 {
        let _ = writeln!(
            out,
            "<p class=\"hint\">{} routine checkpoint events are not listed here (those of restored, lost and first-after-recovery checkpoints are); <code>flinkha events</code> prints them all.</p>",
            omitted
        );
    }
    let _ = write!(
        out,
        "<footer>Generated by flinkha {} from {} in JobManager logs.</footer>\n</body>\n</html>\n",
        esc(env!("CARGO_PKG_VERSION")),
        esc(&plural(events.len(), "event"))
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::model::{Evidence, Outcome};
    use crate::report::test_story::{self as story, J1};

    const SCRIPT: &str = "<script>alert(1)</script>";
    const IMG: &str = "\"><img src=x onerror=alert(1)>";

    #[test]
    fn chart_shows_lanes_terms_restores_and_failovers() {
        let (a, events) = story::story();
        let h = timeline_html(&a, &events);
        assert!(h.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(h.contains("<svg id=\"chart\""));
        assert!(h.contains(">jm-0 (standalonesession-0)</text>"));
        assert!(h.contains(">leader e121f084</text>"));
        assert!(h.contains(">leader 79f1aa78</text>"));
        assert!(h.contains(">job 6cecd03f</text>"));
        assert!(h.contains(">HA-Lab-Counter</text>"));
        assert!(h.contains(">↺ 15</text>"));
        assert!(h.contains(">↺ 34</text>"));
        assert!(h.contains(">#1 leader change · 11.5 s without leader</text>"));
        assert!(h.contains(">#2 job restart · TaskManager lost</text>"));
        assert!(h.contains(">RTO 12.5 s</text>"));
        assert!(h.contains(">RPO 1.9 s</text>"));
        assert!(h.contains(">HA cleanup</text>"));
        assert!(h.contains(">CANCELED</text>"));
        assert!(
            h.contains("fill=\"url(#gap)\""),
            "leaderless gap not hatched"
        );
        // Hover text carries the log line behind the mark.
        assert!(h.contains(&format!(
            "<title>leader jm-0 (standalonesession-0): session {}",
            story::E0
        )));
        assert!(h.contains(&format!(
            "{}:{}  2026-11-25T12:37:04.039Z\nRestoring job {J1} from Checkpoint 15",
            story::S1,
            events
                .iter()
                .find(|e| e.kind == Kind::CheckpointRestored)
                .map(|e| e.line)
                .unwrap()
        )));
        assert!(h.contains("<title>checkpoint 16 triggered, never completed (lost in failover #1)"));
        // One table row per event, each an anchor for the marks' links.
        assert_eq!(h.matches("<tr id=\"ev").count(), events.len());
        assert!(h.contains("<a href=\"#ev0\">"));
        // Headline cards.
        assert!(h.contains("<div class=\"k\">Worst RTO</div><div class=\"v\">12.6 s</div><div class=\"s\">job 3f2a91c0 · failover #1</div>"));
        assert!(h.contains(
            "<div class=\"k\">Longest without leader</div><div class=\"v\">11.5 s</div>"
        ));
    }

    #[test]
    fn page_is_self_contained() {
        let (a, events) = story::failing_story();
        let h = timeline_html(&a, &events);
        assert!(!h.contains("<script"));
        assert!(!h.contains("<link"));
        assert!(!h.contains(" src="));
        assert!(!h.contains("@import"));
        assert!(!h.contains("url(http"));
        // The only URL outside log text is the SVG namespace.
        let outside_text: Vec<&str> = h
            .match_indices("http://")
            .map(|(i, _)| &h[i..i + 26])
            .collect();
        assert!(
            outside_text
                .iter()
                .all(|u| u.starts_with("http://www.w3.org/2000/svg")
                    || u.starts_with("http://10.0.0.")),
            "{outside_text:?}"
        );
        assert!(h.contains("Content-Security-Policy"));
        // The failing restore is flagged in the failover table.
        assert!(h.contains("<td class=\"num bad\">14</td>"));
        assert!(h.contains("<span class=\"badge big FAIL\">FAIL</span>"));
    }

    #[test]
    fn every_piece_of_log_text_is_escaped() {
        let (mut a, mut events) = story::failing_story();
        let hostile = format!("{SCRIPT} {IMG} 'q' & done");
        a.invariants[4].because = hostile.clone();
        a.invariants[4].evidence.push(Evidence {
            source: hostile.clone(),
            line: 1,
            ts: hostile.clone(),
            text: hostile.clone(),
        });
        a.invariants[4].id = hostile.clone();
        a.failovers[0].cause.text = hostile.clone();
        a.incarnations[0].label = hostile.clone();
        a.incarnations[1].stop_reason = Some(hostile.clone());
        a.jobs[0].name = Some(hostile.clone());
        a.terms[0].session = hostile.clone();
        a.terms[0].address = Some(hostile.clone());
        a.notes.push(hostile.clone());
        for e in events.iter_mut() {
            e.text = format!("{} {hostile}", e.text);
        }
        if let Some(e) = events.first_mut() {
            e.source = std::sync::Arc::from(hostile.as_str());
            e.fields.name = Some(hostile.clone());
        }
        let h = timeline_html(&a, &events);
        assert!(!h.contains("<script"), "raw <script> in the page");
        assert!(!h.contains("<img"), "raw <img> in the page");
        assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt; &#39;q&#39; &amp; done"));
        // Every title and attribute stays balanced: as many opening as closing titles.
        assert_eq!(h.matches("<title>").count(), h.matches("</title>").count());
    }

    #[test]
    fn degenerate_analyses_render_without_panicking() {
        let empty = Analysis {
            verdict: Outcome::Unknown,
            invariants: vec![],
            failovers: vec![],
            incarnations: vec![],
            terms: vec![],
            jobs: vec![],
            notes: vec![],
            advice: vec![],
            others: vec![],
            span: None,
        };
        let h = timeline_html(&empty, &[]);
        assert!(h.contains("No timestamps: nothing to chart."));
        assert!(h.contains("Events <span class=\"muted\">· 0 events</span>"));

        // A story whose references point nowhere (bad indices, reversed instants), and a
        // span of one instant.
        let (mut a, events) = story::story();
        a.terms[0].incarnation = 99;
        a.failovers[0].from_term = Some(42);
        a.failovers[0].to_term = Some(43);
        a.failovers[1].jobs[0].rto_ms = None;
        a.failovers[1].jobs[0].running_ts = None;
        a.jobs[0].states[1].incarnation = Some(77);
        a.incarnations[0].last_ts = a.incarnations[0].first_ts - chrono::Duration::seconds(5);
        let h = timeline_html(&a, &events);
        assert!(h.contains(">not RUNNING again</text>"));
        assert!(h.contains("<div class=\"v\">not recovered</div>"));
        let t0 = a.incarnations[1].first_ts;
        a.span = Some((t0, t0));
        assert!(timeline_html(&a, &[]).contains("<svg id=\"chart\""));
    }

    #[test]
    fn ticks_are_thinned_on_long_spans() {
        let (mut a, mut events) = story::story();
        // Stretch the span to ten days: the story's ~100 checkpoints fall on a few pixels.
        let (from, to) = a.span.unwrap();
        a.span = Some((from, to + chrono::Duration::days(10)));
        let drawn = timeline_html(&a, &events)
            .matches("<line class=\"tick\"")
            .count();
        assert!(drawn < 10, "{drawn} ticks drawn");
        events.retain(|e| e.kind != Kind::CheckpointCompleted);
        // Without events, the collapsed runs are drawn instead.
        let h = timeline_html(&a, &events);
        assert!(h.contains("<title>checkpoints 1–15 completed every ~2.0 s until"));
    }

    #[test]
    fn big_logs_keep_the_event_table_small() {
        let (a, mut events) = story::story();
        let template = events
            .iter()
            .find(|e| {
                e.kind == Kind::CheckpointCompleted && e.fields.job.as_deref() == Some(story::J2)
            })
            .cloned()
            .unwrap();
        for k in 0..60_000u64 {
            let mut e = template.clone();
            e.fields.checkpoint = Some(1000 + k);
            e.line = 100_000 + k;
            events.push(e);
        }
        let started = std::time::Instant::now();
        let h = timeline_html(&a, &events);
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        let rows = h.matches("<tr id=\"ev").count();
        assert!(rows < 200, "{rows} rows");
        assert!(h.contains("routine checkpoint events are not listed here"));
        // The completion of the restored checkpoint 15 and the lost trigger of 16 keep their
        // rows, and the marks link to them; a routine one has neither.
        let row_of = |kind: Kind, id: u64| {
            events
                .iter()
                .position(|e| {
                    e.kind == kind
                        && e.fields.checkpoint == Some(id)
                        && e.fields.job.as_deref() == Some(J1)
                })
                .unwrap()
        };
        for i in [
            row_of(Kind::CheckpointCompleted, 15),
            row_of(Kind::CheckpointTriggered, 16),
        ] {
            assert!(h.contains(&format!("<tr id=\"ev{i}\"")));
            assert!(h.contains(&format!("<a href=\"#ev{i}\">")));
        }
        let routine = row_of(Kind::CheckpointCompleted, 5);
        assert!(!h.contains(&format!("<tr id=\"ev{routine}\"")));
        assert!(!h.contains(&format!("<a href=\"#ev{routine}\">")));
    }

    #[test]
    fn tick_steps_are_round() {
        assert_eq!(tick_step_ms(140_000, 1080.0), 15_000);
        assert_eq!(tick_step_ms(3_600_000, 1080.0), 600_000);
        assert_eq!(tick_step_ms(500, 1080.0), 100);
        assert_eq!(tick_label(1_795_610_220_000, 15_000, false), "12:37:00");
        assert_eq!(tick_label(1_795_610_220_300, 100, false), "12:37:00.3");
        assert_eq!(
            tick_label(1_795_610_220_000, 3_600_000, true),
            "11-25 12:37"
        );
    }

    #[test]
    fn packer_never_overlaps() {
        let mut p = Packer::new(2);
        assert_eq!(p.place(0.0, 50.0), Some(0));
        assert_eq!(p.place(30.0, 50.0), Some(1));
        assert_eq!(p.place(60.0, 10.0), Some(0));
        assert_eq!(p.place(40.0, 10.0), None);
        assert_eq!(p.rows(), 2);
    }
}

//! The SVG chart: time axis, a lane per JobManager incarnation and per job, failover bands,
//! flags; every mark with a `<title>` of its log line.

use crate::check::model::{
    Analysis, Failover, FailoverKind, Incarnation, IncarnationEnd, JobReport,
};
use crate::events::Kind;
use crate::report::check::kind_name;
use crate::report::timeline::{
    failover_details, is_globally_terminal, jm_label, job_label, run_text, span,
};
use crate::report::units::{self, Clock};
use chrono::{DateTime, Utc};
use std::fmt::Write as _;

use super::esc;
use super::index::{hover_event, Index};

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

pub(super) const C_LEADER: &str = "#1a73e8";
pub(super) const C_ALIVE: &str = "#d3d9e1";
pub(super) const C_RUNNING: &str = "#34a853";
pub(super) const C_STARTING: &str = "#a8c7fa";
pub(super) const C_DEGRADED: &str = "#f9ab00";
pub(super) const C_DONE: &str = "#80868b";
pub(super) const C_FAILED: &str = "#d93025";
pub(super) const C_CKPT: &str = "#137333";
pub(super) const C_LOST: &str = "#d93025";
pub(super) const C_RESTORE: &str = "#8430ce";
pub(super) const C_CLEANUP: &str = "#12808c";
pub(super) const C_TEXT: &str = "#202124";

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
                        crate::report::story_app::cleanup_summary(j, self.clock),
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

pub(super) fn term_end(e: crate::check::model::TermEnd) -> &'static str {
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

pub(super) fn chart(a: &Analysis, idx: &Index<'_>) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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

//! Per-source time order: a source's clock only moves forward, which decides how to read a
//! local time that the zone's clocks showed twice (the hour repeated when daylight saving
//! time ends, with `--tz Europe/Berlin` and the like).
//!
//! The envelope reads such a time as the earlier instant. While the source is still in the
//! first pass of the repeated hour that is right. When its wall clock goes back (the
//! earlier reading lies more than [`BACK_TOLERANCE_SECS`] before what the source logged
//! last), the source has entered the second pass, and from then on the later reading is
//! taken, until a time outside the repeated hour.
//!
//! A source whose first records fall in the repeated hour has nothing to go by yet: those
//! records are held undecided. Its wall clock going back later proves they were the first
//! pass; a time after the hour, with no step back, means they were the second pass (the
//! reading with the shorter silence before that time); the end of the input leaves them
//! read as the earlier instant ([`Clock::finish`]). The last two are assumptions, and the
//! records read by them are counted ([`SourceSummary::ambiguous_times`]) and reported,
//! never silent: a log that lies wholly in the repeated hour can be placed by nothing in it.

use super::SourceSummary;
use crate::envelope::Zone;
use chrono::{DateTime, TimeDelta, Utc};

/// How far before the source's latest instant a record may lie and still be taken as the
/// first pass of the repeated hour: records of one process are seconds out of order at
/// worst, a wall clock that went back is up to an hour off.
pub(super) const BACK_TOLERANCE_SECS: i64 = 60;

/// How a record's instant was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Reading {
    /// The instant to use now (the earlier reading while undecided).
    pub(super) ts: DateTime<Utc>,
    /// Undecided: the record belongs to the source's opening run in the repeated hour;
    /// this is its later reading.
    pub(super) later: Option<DateTime<Utc>>,
    /// This record decided the opening run held so far: `true` when its records take their
    /// later reading.
    pub(super) run_decided: Option<bool>,
}

/// One source's clock.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Clock {
    /// The latest instant the source showed.
    latest: Option<DateTime<Utc>>,
    /// Whether the source showed a time that needed no guess, so its order can decide.
    anchored: bool,
    /// Whether the source is in the second pass of a repeated hour.
    second_pass: bool,
    /// The opening run of undecided records: how many, and the latest of their earlier
    /// readings.
    run: Option<(u64, DateTime<Utc>)>,
}

impl Clock {
    /// Read a record whose envelope read its local time as `ts` (in `zone`); `explicit`
    /// when the instant came with its own zone (the kubelet's timestamp, a JSON layout's
    /// RFC 3339 one).
    pub(super) fn read(
        &mut self,
        ts: DateTime<Utc>,
        explicit: bool,
        zone: &Zone,
        sum: &mut SourceSummary,
    ) -> Reading {
        let later = if explicit {
            None
        } else {
            zone.later_reading(ts)
        };
        let back = |from: DateTime<Utc>| ts < from - TimeDelta::seconds(BACK_TOLERANCE_SECS);
        if let Some((n, run_latest)) = self.run {
            let decided = match later {
                // A time outside the hour, not before the run: the run was the second pass.
                None if !back(run_latest) => Some(true),
                None => Some(false),
                // The wall clock went back: the run was the first pass.
                Some(_) if back(run_latest) => Some(false),
                Some(_) => None,
            };
            match decided {
                None => {
                    self.run = Some((n + 1, run_latest.max(ts)));
                    return Reading {
                        ts,
                        later,
                        run_decided: None,
                    };
                }
                Some(second) => {
                    if later.is_none() {
                        sum.ambiguous_times += n;
                    }
                    self.run = None;
                    self.anchored = true;
                    // Back in time from the run's first-pass readings: this record is in the
                    // second pass.
                    self.second_pass = later.is_some();
                    self.latest = Some(if second {
                        zone.later_reading(run_latest).unwrap_or(run_latest)
                    } else {
                        run_latest
                    });
                    let t = match later {
                        Some(l) => l,
                        None => ts,
                    };
                    self.latest = self.latest.map(|x| x.max(t));
                    return Reading {
                        ts: t,
                        later: None,
                        run_decided: Some(second),
                    };
                }
            }
        }
        let t = match later {
            None => {
                self.anchored = true;
                self.second_pass = false;
                ts
            }
            Some(_) if !self.anchored => {
                // The source opens in the repeated hour: hold until its order decides.
                self.run = Some((1, ts));
                return Reading {
                    ts,
                    later,
                    run_decided: None,
                };
            }
            Some(l) => {
                if self.latest.is_some_and(back) {
                    self.second_pass = true;
                }
                if self.second_pass {
                    l
                } else {
                    ts
                }
            }
        };
        self.latest = Some(self.latest.map_or(t, |x| x.max(t)));
        Reading {
            ts: t,
            later: None,
            run_decided: None,
        }
    }

    /// End of input: an opening run still undecided (the whole log lies in the repeated
    /// hour) keeps its earlier readings, counted: a log of a process that was still running
    /// when the clocks went back would show it.
    pub(super) fn finish(&mut self, sum: &mut SourceSummary) -> Option<bool> {
        let (n, _) = self.run.take()?;
        sum.ambiguous_times += n;
        Some(false)
    }

    /// The opening run grew past what may be held ([`MAX_HELD`]): it keeps its earlier
    /// readings, counted as at the end of input, and the source reads on from there (its
    /// clock going back later still switches to the second pass).
    pub(super) fn give_up(&mut self, sum: &mut SourceSummary) -> Option<bool> {
        let latest = self.run.map(|(_, l)| l);
        let decided = self.finish(sum)?;
        self.anchored = true;
        self.latest = self.latest.max(latest);
        Some(decided)
    }
}

/// Most records of one source held undecided in the repeated hour of a DST change: memory
/// stays bounded for a log that lies wholly in that hour.
pub(super) const MAX_HELD: usize = 1 << 16;

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// Local Berlin wall-clock times as the envelope reads them (earlier instant).
    fn local(berlin: &Zone, hms: &str) -> DateTime<Utc> {
        let n = chrono::NaiveDateTime::parse_from_str(
            &format!("2024-10-27 {hms}"),
            "%Y-%m-%d %H:%M:%S%.3f",
        )
        .unwrap();
        berlin.to_utc(n).unwrap()
    }

    #[test]
    fn the_repeated_hour_is_read_by_the_source_order() {
        let z: Zone = "Europe/Berlin".parse().unwrap();
        let mut c = Clock::default();
        let mut sum = SourceSummary::default();
        let got: Vec<DateTime<Utc>> = [
            "01:59:59.000",
            "02:30:00.000",
            "02:59:59.900",
            "02:59:59.899", // a millisecond out of order: still summer time
            "02:00:00.100", // the clocks went back
            "02:00:00.050",
            "02:59:59.000", // an hour without a line: the second pass still
            "03:00:00.000",
        ]
        .iter()
        .map(|t| c.read(local(&z, t), false, &z, &mut sum).ts)
        .collect();
        let want: Vec<DateTime<Utc>> = [
            "2024-10-26T23:59:59Z",
            "2024-10-27T00:30:00Z",
            "2024-10-27T00:59:59.900Z",
            "2024-10-27T00:59:59.899Z",
            "2024-10-27T01:00:00.100Z",
            "2024-10-27T01:00:00.050Z",
            "2024-10-27T01:59:59Z",
            "2024-10-27T02:00:00Z",
        ]
        .iter()
        .map(|s| utc(s))
        .collect();
        assert_eq!(got, want);
        assert_eq!(sum.ambiguous_times, 0);
    }

    #[test]
    fn a_source_opening_in_the_repeated_hour_waits_for_its_order() {
        let z: Zone = "Europe/Berlin".parse().unwrap();
        let read =
            |c: &mut Clock, sum: &mut SourceSummary, t: &str| c.read(local(&z, t), false, &z, sum);
        // Going back proves the first pass, with certainty.
        let mut c = Clock::default();
        let mut sum = SourceSummary::default();
        let a = read(&mut c, &mut sum, "02:10:00.000");
        assert_eq!(
            (a.ts, a.later),
            (
                utc("2024-10-27T00:10:00Z"),
                Some(utc("2024-10-27T01:10:00Z"))
            )
        );
        assert_eq!(read(&mut c, &mut sum, "02:19:30.000").run_decided, None);
        // A minute back is disorder, more is the wall clock going back.
        assert_eq!(read(&mut c, &mut sum, "02:19:00.000").run_decided, None);
        let b = read(&mut c, &mut sum, "02:05:00.000");
        assert_eq!(
            (b.ts, b.run_decided),
            (utc("2024-10-27T01:05:00Z"), Some(false))
        );
        assert_eq!(
            read(&mut c, &mut sum, "02:06:00.000").ts,
            utc("2024-10-27T01:06:00Z")
        );
        assert_eq!(sum.ambiguous_times, 0);
        // A time after the hour with no step back: the second pass, an assumption.
        let mut c = Clock::default();
        let mut sum = SourceSummary::default();
        read(&mut c, &mut sum, "02:40:00.000");
        read(&mut c, &mut sum, "02:50:00.000");
        let d = read(&mut c, &mut sum, "03:01:00.000");
        assert_eq!(
            (d.ts, d.run_decided),
            (utc("2024-10-27T02:01:00Z"), Some(true))
        );
        assert_eq!(sum.ambiguous_times, 2);
        // The input ends: the earlier reading, an assumption.
        let mut c = Clock::default();
        let mut sum = SourceSummary::default();
        read(&mut c, &mut sum, "02:40:00.000");
        assert_eq!(c.finish(&mut sum), Some(false));
        assert_eq!(sum.ambiguous_times, 1);
        assert_eq!(c.finish(&mut sum), None);
        // Held too long: the earlier reading, counted; the source's order decides from
        // there on (no new run), and its clock going back still switches to the second pass.
        let mut c = Clock::default();
        let mut sum = SourceSummary::default();
        read(&mut c, &mut sum, "02:40:00.000");
        assert_eq!(c.give_up(&mut sum), Some(false));
        assert_eq!(sum.ambiguous_times, 1);
        let e = read(&mut c, &mut sum, "02:41:00.000");
        assert_eq!((e.ts, e.later), (utc("2024-10-27T00:41:00Z"), None));
        assert_eq!(
            read(&mut c, &mut sum, "02:05:00.000").ts,
            utc("2024-10-27T01:05:00Z")
        );
        // A kubelet timestamp is exact, and so is every time outside the repeated hour.
        let mut c = Clock::default();
        let mut sum = SourceSummary::default();
        let t = utc("2024-10-27T00:10:00Z");
        assert_eq!(c.read(t, true, &z, &mut sum).ts, t);
        assert_eq!(c.read(t, false, &Zone::Utc, &mut sum).ts, t);
        assert_eq!(sum.ambiguous_times, 0);
    }
}

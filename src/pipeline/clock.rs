//! Per-source time order: a source's clock only moves forward, which decides how to read a
//! local time that the zone's clocks showed twice (the hour repeated when daylight saving
//! time ends, with `--tz Europe/Berlin` and the like).
//!
//! The envelope reads such a time as the earlier instant. While the source is still in the
//! first pass of the repeated hour that is right. When its wall clock goes back (the
//! earlier reading lies more than [`BACK_TOLERANCE_SECS`] before what the source logged
//! last), the source has entered the second pass, and from then on the later reading is
//! taken, until a time outside the repeated hour. A source whose first records fall in the
//! repeated hour has nothing to go by: those records are read as the earlier instant and
//! counted ([`SourceSummary::ambiguous_times`]) until the source's own order decides, so
//! that the assumption is reported, never silent.

use super::SourceSummary;
use crate::envelope::Zone;
use chrono::{DateTime, TimeDelta, Utc};

/// How far before the source's latest instant a record may lie and still be taken as the
/// first pass of the repeated hour: records of one process are seconds out of order at
/// worst, a wall clock that went back is up to an hour off.
pub(super) const BACK_TOLERANCE_SECS: i64 = 60;

/// One source's clock.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Clock {
    /// The latest instant the source showed.
    latest: Option<DateTime<Utc>>,
    /// Whether the source showed a time that needed no guess, so its order can decide.
    anchored: bool,
    /// Whether the source is in the second pass of a repeated hour.
    second_pass: bool,
}

impl Clock {
    /// The instant of a record whose envelope read its local time as `ts` (in `zone`);
    /// `explicit` when the instant came with its own zone (the kubelet's timestamp).
    pub(super) fn read(
        &mut self,
        ts: DateTime<Utc>,
        explicit: bool,
        zone: &Zone,
        sum: &mut SourceSummary,
    ) -> DateTime<Utc> {
        let later = if explicit {
            None
        } else {
            zone.later_reading(ts)
        };
        let t = match later {
            None => {
                self.anchored = true;
                self.second_pass = false;
                ts
            }
            Some(later) => {
                let went_back = self
                    .latest
                    .is_some_and(|l| ts < l - TimeDelta::seconds(BACK_TOLERANCE_SECS));
                if went_back {
                    // Whatever came before was the first pass, as read.
                    self.second_pass = true;
                } else if !self.anchored && !self.second_pass {
                    sum.ambiguous_times += 1;
                }
                if self.second_pass {
                    self.anchored = true;
                    later
                } else {
                    ts
                }
            }
        };
        self.latest = Some(self.latest.map_or(t, |l| l.max(t)));
        t
    }
}

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
        .map(|t| c.read(local(&z, t), false, &z, &mut sum))
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
    fn a_source_starting_in_the_repeated_hour_is_reported() {
        let z: Zone = "Europe/Berlin".parse().unwrap();
        let mut c = Clock::default();
        let mut sum = SourceSummary::default();
        let a = c.read(local(&z, "02:10:00.000"), false, &z, &mut sum);
        let b = c.read(local(&z, "02:20:00.000"), false, &z, &mut sum);
        assert_eq!(
            (a, b),
            (utc("2024-10-27T00:10:00Z"), utc("2024-10-27T00:20:00Z"))
        );
        assert_eq!(sum.ambiguous_times, 2);
        // A minute back is disorder; more is the wall clock going back, which proves the
        // first pass: no more guessing after it.
        let c2 = c.read(local(&z, "02:19:30.000"), false, &z, &mut sum);
        assert_eq!(c2, utc("2024-10-27T00:19:30Z"));
        let c3 = c.read(local(&z, "02:05:00.000"), false, &z, &mut sum);
        assert_eq!(c3, utc("2024-10-27T01:05:00Z"));
        let _ = c.read(local(&z, "02:06:00.000"), false, &z, &mut sum);
        assert_eq!(sum.ambiguous_times, 3);
        // A kubelet timestamp is exact, and so is every time outside the repeated hour.
        let mut c = Clock::default();
        let mut sum = SourceSummary::default();
        let t = utc("2024-10-27T00:10:00Z");
        assert_eq!(c.read(t, true, &z, &mut sum), t);
        assert_eq!(c.read(t, false, &Zone::Utc, &mut sum), t);
        assert_eq!(sum.ambiguous_times, 0);
    }
}

//! Tests of time order within a source: the end of a log after all its records, the repeated
//! hour of a daylight-saving change, colour codes kept out of the evidence.

use super::*;
use crate::events::{Event, Kind};
use crate::input::Input;

/// Run the pipeline with the built-in grammars over in-memory logs; every event.
fn events(logs: &[(&str, String)], zone: &str) -> (Vec<Event>, Summary) {
    let opts = Options {
        zone: zone.parse().unwrap(),
        grammar: Arc::new(Grammar::builtin().unwrap()),
        want_unmatched: false,
        progress: false,
        follow: false,
        chunking: Chunking::OFF,
        input_format: Default::default(),
    };
    let opened = logs
        .iter()
        .map(|(name, text)| Input::from_bytes(name, text.clone().into_bytes()))
        .collect();
    let inputs = Inputs { opened, more: None };
    let mut out = Vec::new();
    let summary = run_inputs(inputs, &opts, &mut |i| {
        if let Item::Event(e) = i {
            out.push(e);
        }
        Ok(())
    })
    .unwrap();
    (out, summary)
}

const RM: &str = "INFO  org.apache.flink.runtime.resourcemanager.ResourceManagerServiceImpl [] - Resource manager service is granted leadership with session id 2a241e3b-f6dd-47d9-aeb0-5e3445fa5aff.";
const REST: &str = "INFO  org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint   [] - http://127.0.0.1:8081 was granted leadership with leaderSessionID=2a241e3b-f6dd-47d9-aeb0-5e3445fa5aff";
const CKPT: &str = "INFO  org.apache.flink.runtime.checkpoint.CheckpointCoordinator    [] - Completed checkpoint {N} for job 17dbae1cf71efbf7ed4346261571f647 (3206 bytes, checkpointDuration=102 ms, finalizationTime=8 ms).";

#[test]
fn log_end_follows_every_record_when_the_last_two_are_out_of_order() {
    // As in the real 1.20.5 savepoint log: the REST grant, a millisecond older, after the
    // resource manager's.
    let log = format!("2026-11-25 12:39:27,179 {RM}\n2026-11-25 12:39:27,178 {REST}\n");
    let (evs, _) = events(&[("jm.log", log)], "UTC");
    let kinds: Vec<(Kind, u64, String)> = evs
        .iter()
        .map(|e| (e.kind, e.line, crate::events::format_ts(&e.ts)))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (
                Kind::LeadershipGranted,
                2,
                "2026-11-25T12:39:27.178Z".to_string()
            ),
            (
                Kind::LeadershipGranted,
                1,
                "2026-11-25T12:39:27.179Z".to_string()
            ),
            (Kind::LogEnd, 2, "2026-11-25T12:39:27.179Z".to_string()),
        ]
    );
}

#[test]
fn the_repeated_dst_hour_is_read_in_each_sources_order() {
    // Berlin, 2024-10-27: 02:00-03:00 local happens twice. Source a checkpoints across the
    // change; source b logs at 02:50 summer time and at 02:30 winter time, 40 minutes
    // later.
    let ck = |t: &str, n: u32| format!("2024-10-27 {t} {}\n", CKPT.replace("{N}", &n.to_string()));
    let a = [
        ck("01:59:59,000", 1),
        ck("02:59:59,500", 2),
        ck("02:59:59,499", 3),
        ck("02:00:00,200", 4),
        ck("02:40:00,000", 6),
        ck("03:00:01,000", 7),
    ]
    .concat();
    let b = [
        ck("01:55:00,000", 10),
        ck("02:50:00,000", 11),
        ck("02:30:00,000", 5),
    ]
    .concat();
    let (evs, summary) = events(&[("a.log", a), ("b.log", b)], "Europe/Berlin");
    let order: Vec<u64> = evs.iter().filter_map(|e| e.fields.checkpoint).collect();
    assert_eq!(order, vec![10, 1, 11, 3, 2, 4, 5, 6, 7]);
    let ts: Vec<String> = evs
        .iter()
        .filter(|e| e.fields.checkpoint == Some(5))
        .map(|e| crate::events::format_ts(&e.ts))
        .collect();
    assert_eq!(ts, vec!["2024-10-27T01:30:00.000Z"]);
    assert!(summary.sources.iter().all(|s| s.ambiguous_times == 0));

    // A source that lies wholly inside the repeated hour has nothing to go by: reported.
    let c = ck("02:30:00,000", 1);
    let (_, summary) = events(&[("c.log", c)], "Europe/Berlin");
    assert_eq!(summary.sources[0].ambiguous_times, 1);
}

#[test]
fn json_instants_with_their_own_zone_are_not_read_as_local_times() {
    // ECS JSON stamps in UTC (`Z`) around Berlin's fall-back (2024-10-27 01:00 UTC), read
    // with `--tz Europe/Berlin`: exact instants, a millisecond out of order as real logs
    // are, never taken for the repeated hour's second pass.
    let ck = |t: &str, n: u32| {
        let msg = CKPT
            .split(" - ")
            .nth(1)
            .unwrap()
            .replace("{N}", &n.to_string());
        format!(
            "{{\"@timestamp\":\"2024-10-27T{t}Z\",\"log.level\":\"INFO\",\"message\":\"{msg}\",\"log.logger\":\"org.apache.flink.runtime.checkpoint.CheckpointCoordinator\"}}\n"
        )
    };
    let log = [
        ck("00:59:58.000", 1),
        ck("00:59:59.070", 2),
        ck("00:59:59.069", 3),
        ck("01:00:00.706", 4),
    ]
    .concat();
    let (evs, summary) = events(&[("jm.json", log)], "Europe/Berlin");
    let got: Vec<(u64, String)> = evs
        .iter()
        .filter_map(|e| Some((e.fields.checkpoint?, crate::events::format_ts(&e.ts))))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, "2024-10-27T00:59:58.000Z".to_string()),
            (3, "2024-10-27T00:59:59.069Z".to_string()),
            (2, "2024-10-27T00:59:59.070Z".to_string()),
            (4, "2024-10-27T01:00:00.706Z".to_string()),
        ]
    );
    assert_eq!(summary.sources[0].ambiguous_times, 0);
}

#[test]
fn colour_codes_stay_out_of_events_and_evidence() {
    let log = "\x1b[37m2026-11-25 12:39:27,178\x1b[m \x1b[32mINFO \x1b[m org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint   [] - http://127.0.0.1:8081 was granted leadership with leaderSessionID=2a241e3b-f6dd-47d9-aeb0-5e3445fa5aff\x1b[0m\n"
        .to_string();
    let (evs, _) = events(&[("jm.log", log)], "UTC");
    assert_eq!(evs[0].kind, Kind::LeadershipGranted);
    assert_eq!(
        evs[0].fields.session.as_deref(),
        Some("2a241e3b-f6dd-47d9-aeb0-5e3445fa5aff")
    );
    assert!(evs.iter().all(|e| !e.text.contains('\x1b')), "{evs:?}");
}

//! One physical line through the pipeline's per-line path (kubectl decorations, every line
//! layout, the grammar), as it is and behind `kubectl logs --prefix --timestamps`: no
//! panic, the line accounted for once, and the decorations change nothing but the source
//! and the instant.
#![no_main]

mod common;

use flinkha::envelope::Zone;
use flinkha::pipeline::Item;
use libfuzzer_sys::fuzz_target;

fn kinds(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| match i {
            Item::Event(e) => format!("{}{:?}", e.kind, e.fields),
            Item::Unmatched(u) => format!("unmatched {} {}", u.level, u.logger),
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let line: Vec<u8> = data
        .iter()
        .copied()
        .take_while(|&b| b != b'\n')
        .collect();
    let (plain, _) = common::run(vec![("jm.log".into(), line.clone())], Zone::Utc, false);
    let mut decorated = b"[pod/jm-0/flink-main-container] 2026-11-25T12:00:00.123456789Z ".to_vec();
    decorated.extend_from_slice(&line);
    let (deco, summary) = common::run(vec![("kubectl.log".into(), decorated)], Zone::Utc, false);
    // A line the decorations turned into a record is a record without them too, unless it
    // was empty or began in a way only a record's continuation can (then the prefix made
    // it the pod's first line): compare classification only where both are records.
    let records_plain = plain.len();
    if records_plain > 0 && summary.total().records > 0 {
        assert_eq!(kinds(&plain), kinds(&deco), "{:?}", String::from_utf8_lossy(&line));
    }
});

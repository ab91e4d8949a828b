//! The whole pipeline on arbitrary bytes: one to three inputs (split at 0xFF bytes, which
//! UTF-8 text never has), any zone, sorted or in arrival order (`--follow`), and the checker
//! on the events it delivers: no panic, every line accounted for once, one `log_end` per
//! source with records.
#![no_main]

mod common;

use flinkha::check::{Checker, Config};
use flinkha::envelope::Zone;
use flinkha::pipeline::Item;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let zone: Zone = match mode % 3 {
        0 => Zone::Utc,
        1 => "Europe/Berlin".parse().expect("zone"),
        _ => "-05:30".parse().expect("zone"),
    };
    let follow = mode & 0x10 != 0;
    let inputs: Vec<(String, Vec<u8>)> = rest
        .split(|&b| b == 0xff)
        .take(3)
        .enumerate()
        .map(|(i, b)| (format!("flink-root-standalonesession-{i}-vm.log"), b.to_vec()))
        .collect();
    let (items, _) = common::run(inputs, zone, follow);
    let mut checker = Checker::new(Config::default());
    for i in &items {
        if let Item::Event(e) = i {
            let _ = checker.observe(e);
        }
    }
    let _ = checker.finish();
});

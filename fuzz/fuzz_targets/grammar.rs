//! The grammar language on arbitrary text: compiling either succeeds or fails with errors
//! that each name `file:line:col` inside the text, never a panic; a grammar that compiles
//! classifies any line without panicking.
#![no_main]

use flinkha::grammar::{Grammar, GrammarError};
use libfuzzer_sys::fuzz_target;

const FILE: &str = "fuzz.grammar";

fn check_error(e: &GrammarError, lines: usize) {
    match e {
        GrammarError::At { file, line, col, .. } => {
            assert_eq!(file, FILE, "{e}");
            assert!(*line >= 1 && *line <= lines + 1, "line out of range: {e}");
            assert!(*col >= 1, "column out of range: {e}");
        }
        GrammarError::Several(all) => {
            assert!(!all.is_empty());
            for x in all {
                check_error(x, lines);
            }
        }
        other => panic!("unexpected error kind for in-memory text: {other}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let lines = text.lines().count();
    match Grammar::from_files(&[(FILE.to_string(), text.clone())]) {
        Err(e) => {
            check_error(&e, lines);
            for l in e.to_string().lines() {
                assert!(l.starts_with("fuzz.grammar:"), "{l}");
            }
        }
        Ok(g) => {
            let loggers: Vec<String> = g
                .templates()
                .into_iter()
                .flat_map(|t| t.loggers)
                .map(|l| l.replace('*', "x.y"))
                .collect();
            for logger in loggers.iter().take(4) {
                for msg in text.lines().take(16) {
                    let _ = g.classify("INFO", logger, msg);
                    let _ = g.classify("WARN", logger, msg.trim_start());
                }
            }
        }
    }
});

//! The built-in grammars (`grammars/*.grammar`, embedded in the binary) load: every template
//! compiles and every sample matches its template with the expected fields.

use flinkha::events::Kind;
use flinkha::grammar::{Classified, Grammar};

#[test]
fn builtin_grammars_load() {
    let g = match Grammar::builtin() {
        Ok(g) => g,
        Err(e) => panic!("built-in grammars do not load:\n{e}"),
    };
    assert!(g.files().iter().all(|f| f.starts_with("grammars/")));
    assert!(!g.is_empty(), "built-in grammars have no templates");
    // Every kind a grammar can produce appears in at least one template, except the
    // synthetic `log_end`.
    let kinds: Vec<Kind> = g.templates().iter().filter_map(|t| t.kind).collect();
    assert!(!kinds.contains(&Kind::LogEnd));
    assert!(kinds.contains(&Kind::CheckpointCompleted));
}

#[test]
fn builtin_grammars_classify_a_real_checkpoint_line() {
    let Ok(g) = Grammar::builtin() else {
        panic!("built-in grammars do not load");
    };
    // From the 1.20.5 corpus.
    let r = g.classify(
        "INFO",
        "org.apache.flink.runtime.checkpoint.CheckpointCoordinator",
        "Completed checkpoint 2 for job 17dbae1cf71efbf7ed4346261571f647 (3206 bytes, checkpointDuration=33 ms, finalizationTime=5 ms).",
    );
    match r {
        Classified::Event { kind, fields } => {
            assert_eq!(kind, Kind::CheckpointCompleted);
            assert_eq!(fields.checkpoint, Some(2));
            assert_eq!(
                fields.job.as_deref(),
                Some("17dbae1cf71efbf7ed4346261571f647")
            );
        }
        other => panic!("{other:?}"),
    }
}

//! `single-job` on real logs (every set PASSes, application mode included) and on mutated
//! copies of them: a second submission of the same application right after the restarted
//! JobManager recovered it (FAIL), the same in a session cluster (a note).

mod common;

use serde_json::Value;

fn check(dir: &str) -> (i32, Value) {
    let (code, out, err) = common::run(&["check", "--format", "json", "--no-progress", dir]);
    let doc = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{dir}: {e}: {out}\n{err}"));
    (code, doc)
}

fn single_job(doc: &Value) -> Vec<&Value> {
    doc["invariants"]
        .as_array()
        .expect("invariants")
        .iter()
        .filter(|v| v["id"] == "single-job")
        .collect()
}

#[test]
fn every_real_set_passes_single_job() {
    for root in [
        "samples/corpus",
        "samples/corpus-k8s",
        "samples/corpus-k8s-app",
        "samples/corpus-app",
        "samples/full",
        "samples/e2e",
    ] {
        let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(root);
        for version in std::fs::read_dir(&base).expect("root").flatten() {
            if !version.path().is_dir() {
                continue;
            }
            for set in std::fs::read_dir(version.path())
                .expect("version")
                .flatten()
            {
                let dir = set.path();
                let rel = dir
                    .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                    .expect("relative");
                let (_, doc) = check(rel.to_str().expect("utf-8"));
                let v = single_job(&doc);
                assert_eq!(v.len(), 1, "{}", rel.display());
                assert_eq!(v[0]["verdict"], "PASS", "{}: {:#}", rel.display(), v[0]);
                assert!(
                    !doc["notes"].as_array().expect("notes").iter().any(|n| n
                        .as_str()
                        .is_some_and(|n| n.contains("ran at the same time"))),
                    "{}",
                    rel.display()
                );
            }
        }
    }
}

#[test]
fn a_second_submission_after_recovery_in_application_mode_fails() {
    let (code, doc) = check("samples/mutations/single-job-twice");
    assert_eq!(code, 1);
    let v = single_job(&doc);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["verdict"], "FAIL");
    let because = v[0]["because"].as_str().expect("because");
    assert!(
        because.contains("job 5b1c0e2f (`HA-Lab-Counter`) runs while job 00000000"),
        "{because}"
    );
    let lines: Vec<&str> = v[0]["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|e| e["text"].as_str())
        .collect();
    // Both submissions, the recovery, and both RUNNING lines.
    assert!(
        lines
            .iter()
            .any(|l| l.contains("submission 'HA-Lab-Counter' (00000000372f21800000000000000000)")),
        "{lines:#?}"
    );
    assert!(lines.iter().any(|l| l.contains(
        "Received JobGraph submission 'HA-Lab-Counter' (5b1c0e2f7a4d4e8c9f6a3b2d1c0e9f8a)"
    )));
    assert!(lines
        .iter()
        .any(|l| l.contains("Trying to recover job with job id 00000000372f21800000000000000000")));
    assert!(lines.iter().any(
        |l| l.contains("(00000000372f21800000000000000000) switched from state CREATED to RUNNING")
    ));
    assert!(lines.iter().any(
        |l| l.contains("(5b1c0e2f7a4d4e8c9f6a3b2d1c0e9f8a) switched from state CREATED to RUNNING")
    ));
    // The other invariants are as on the real log.
    let (_, real) = check("samples/corpus-k8s-app/2.3.0/app-jm-restart");
    for inv in ["single-leader", "recover-latest", "jobs-recovered"] {
        let get = |d: &Value| {
            d["invariants"]
                .as_array()
                .expect("invariants")
                .iter()
                .filter(|v| v["id"] == inv && v["job"] == "00000000372f21800000000000000000")
                .map(|v| v["verdict"].clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(get(&doc), get(&real), "{inv}");
    }
}

#[test]
fn the_same_in_a_session_cluster_is_a_note() {
    let (code, doc) = check("samples/mutations/single-job-session");
    let v = single_job(&doc);
    assert_eq!(v[0]["verdict"], "PASS", "{:#}", v[0]);
    let notes: Vec<&str> = doc["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter_map(|n| n.as_str())
        .filter(|n| n.contains("ran at the same time"))
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("jobs 17dbae1c and 5b1c0e2f, both named `HA-Lab-Counter`"),
        "{}",
        notes[0]
    );
    assert!(notes[0].contains("a session cluster"), "{}", notes[0]);
    assert_ne!(code, 1, "a note is no FAIL");
}

#[test]
fn a_resubmission_after_the_predecessor_ended_is_no_violation() {
    // The real savepoint scenario: HA-Lab-Counter is cancelled with a savepoint and submitted
    // again from it under a new job id, three times.
    let (_, doc) = check("samples/corpus/1.20.5/savepoint");
    assert_eq!(single_job(&doc)[0]["verdict"], "PASS");
    assert!(single_job(&doc)[0]["because"]
        .as_str()
        .unwrap_or("")
        .contains("3 job id(s) ran"));
}

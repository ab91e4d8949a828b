//! Unit tests of the grammar language: compile errors with their places, hole types through
//! whole templates, sample checks, shadowing, classification, loading.

use super::*;
use crate::events::Value;

const CC: &str = "org.apache.flink.runtime.checkpoint.CheckpointCoordinator";
const JOB: &str = "c506b6c290cc2d96a0e3f0eea10395c4";

fn line(level: &str, logger: &str, msg: &str) -> String {
    format!("2024-05-06 10:16:02,481 {level:<5} {logger} [] - {msg}")
}

fn one(text: &str) -> Result<Grammar, GrammarError> {
    Grammar::from_files(&[("t.grammar".to_string(), text.to_string())])
}

fn err(text: &str) -> String {
    match one(text) {
        Ok(_) => panic!("grammar unexpectedly loaded:\n{text}"),
        Err(e) => e.to_string(),
    }
}

fn completed() -> String {
    format!(
        "# checkpoints\n\
         event checkpoint_completed\n\
         \x20 logger  {CC}\n\
         \x20 level   INFO\n\
         \x20 flink   1.14-2.x\n\
         \x20 message Completed checkpoint {{checkpoint:int}} for job {{job:jobid}} ({{bytes:int}} bytes, checkpointDuration={{duration_ms:int}} ms, finalizationTime={{_:int}} ms).\n\
         \x20 set     savepoint=false\n\
         \x20 sample  {}\n\
         \x20 expect  checkpoint=1 job={JOB} bytes=7735 duration_ms=123 savepoint=false\n",
        line("INFO", CC, &format!("Completed checkpoint 1 for job {JOB} (7735 bytes, checkpointDuration=123 ms, finalizationTime=11 ms)."))
    )
}

#[test]
fn every_grammar_file_is_builtin() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammars");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".grammar"))
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
    embedded.sort();
    assert_eq!(on_disk, embedded, "grammars/ and BUILTIN differ");
    for (n, text) in BUILTIN {
        let disk = std::fs::read_to_string(dir.join(n)).unwrap();
        assert_eq!(&disk, text, "{n} is not the embedded text");
    }
}

#[test]
fn full_template_matches_and_sets_constants() {
    let g = one(&completed()).unwrap();
    assert_eq!(g.len(), 1);
    let msg = format!("Completed checkpoint 42 for job {} (1 bytes, checkpointDuration=5 ms, finalizationTime=0 ms).  ", JOB.to_uppercase());
    match g.classify("INFO", CC, &msg) {
        Classified::Event { kind, fields } => {
            assert_eq!(kind, Kind::CheckpointCompleted);
            assert_eq!(fields.checkpoint, Some(42));
            assert_eq!(fields.job.as_deref(), Some(JOB));
            assert_eq!(fields.bytes, Some(1));
            assert_eq!(fields.duration_ms, Some(5));
            assert_eq!(fields.savepoint, Some(false));
            assert_eq!(fields.count, None);
        }
        other => panic!("{other:?}"),
    }
    let info = g.templates();
    assert_eq!(info[0].location, "t.grammar:2");
    assert_eq!(info[0].flink.as_deref(), Some("1.14-2.x"));
    assert_eq!(info[0].levels, vec!["INFO".to_string()]);
}

#[test]
fn classify_four_outcomes() {
    let text = format!(
        "{}\nignore\n  logger {CC}\n  message Triggering checkpoint {{_:int}} (type={{_:cptype}}) @ {{_:int}} for job {{_:jobid}}.\n\
         ignore\n  logger org.apache.flink.runtime.executiongraph.ExecutionGraph\n  message {{_:text}} switched from {{_:word}} to {{_:word}}{{_:rest}}\n",
        completed()
    );
    let g = one(&text).unwrap();
    assert!(matches!(
        g.classify("INFO", CC, &format!("Completed checkpoint 1 for job {JOB} (7735 bytes, checkpointDuration=123 ms, finalizationTime=11 ms).")),
        Classified::Event { .. }
    ));
    assert_eq!(
        g.classify("INFO", CC, &format!("Triggering checkpoint 42 (type=CheckpointType{{name='Checkpoint', sharingFilesStrategy=FORWARD_BACKWARD}}) @ 1714990562481 for job {JOB}.")),
        Classified::Ignored
    );
    assert_eq!(
        g.classify("INFO", CC, "Something else"),
        Classified::Unmatched
    );
    // The level filter applies: a watched logger at another level is unmatched.
    assert_eq!(
        g.classify("DEBUG", CC, &format!("Completed checkpoint 1 for job {JOB} (7735 bytes, checkpointDuration=123 ms, finalizationTime=11 ms).")),
        Classified::Unmatched
    );
    assert_eq!(
        g.classify("INFO", "org.apache.flink.Other", "Completed"),
        Classified::Unwatched
    );
    // A logger named only by `ignore` templates is not watched.
    let eg = "org.apache.flink.runtime.executiongraph.ExecutionGraph";
    assert!(!g.is_watched(eg));
    assert!(g.is_watched(CC));
    assert_eq!(
        g.classify(
            "INFO",
            eg,
            "Source (1/1) switched from RUNNING to FINISHED."
        ),
        Classified::Ignored
    );
    assert_eq!(g.classify("INFO", eg, "Hello"), Classified::Unwatched);
    // Abbreviated loggers are the same logger.
    assert!(g.is_watched("o.a.f.r.c.CheckpointCoordinator"));
    assert_eq!(
        g.classify("INFO", "o.a.f.r.c.CheckpointCoordinator", "x"),
        Classified::Unmatched
    );
}

/// A one-template grammar of `kind` with `message`, checked by one sample + expect.
fn tpl(kind: &str, message: &str, sample_msg: &str, expect: &str) -> String {
    format!(
        "event {kind}\n  logger {CC}\n  message {message}\n  sample {}\n  expect {expect}\n",
        line("INFO", CC, sample_msg)
    )
}

fn fields_of(g: &Grammar, msg: &str) -> Fields {
    match g.classify("INFO", CC, msg) {
        Classified::Event { fields, .. } => *fields,
        other => panic!("`{msg}`: {other:?}"),
    }
}

#[test]
fn hole_types_in_templates() {
    let sess = "12dc9230-72cd-49e6-a6ad-48903369f0bf";
    let token = "a6ad48903369f0bf12dc923072cd49e6";
    let g = one(&tpl(
        "job_master_started",
        "JobMaster {session:session} for {job:jobid} at {address:word} named {name:text}.",
        &format!("JobMaster {token} for {JOB} at akka://x named My job ."),
        &format!("session={sess} job={JOB} address=akka://x name=\"My job \""),
    ))
    .unwrap();
    let f = fields_of(&g, &format!("JobMaster {sess} for {JOB} at a named ."));
    assert_eq!(f.session.as_deref(), Some(sess));
    assert_eq!(f.name.as_deref(), Some(""));

    let g = one(&tpl(
        "job_graphs_retrieved",
        "Retrieved job ids {jobs:jobids} from {_:hex} in {state:state}: {reason:rest}",
        &format!(
            "Retrieved job ids [{JOB}, {}] from 00ff in RUNNING: the rest  of it",
            JOB.to_uppercase()
        ),
        &format!("jobs=[{JOB},{JOB}] state=RUNNING reason=\"the rest  of it\""),
    ))
    .unwrap();
    let f = fields_of(&g, "Retrieved job ids [] from a in X: y");
    assert_eq!(f.jobs, Some(vec![]));

    let g = one(&tpl(
        "checkpoint_triggered",
        "Triggering checkpoint {checkpoint:int} (type={savepoint:cptype}) @ {_:int} for job {job:jobid}.",
        &format!("Triggering checkpoint 48 (type=SavepointType{{name='Savepoint', postCheckpointAction=NONE, formatType=CANONICAL}}) @ 1714990811907 for job {JOB}."),
        &format!("checkpoint=48 savepoint=true job={JOB}"),
    ))
    .unwrap();
    let f = fields_of(
        &g,
        &format!("Triggering checkpoint 1 (type=CHECKPOINT) @ 1 for job {JOB}."),
    );
    assert_eq!(f.savepoint, Some(false));

    let g = one(&tpl(
        "checkpoint_restored",
        "Restoring job {job:jobid} from {savepoint:cpkind} {checkpoint:int} @ {_:int} for {_:jobid} located at {path:rest}",
        &format!("Restoring job {JOB} from Savepoint 10 @ 1 for {JOB} located at s3://b/sp-1."),
        &format!("job={JOB} savepoint=true checkpoint=10 path=s3://b/sp-1."),
    ))
    .unwrap();
    let f = fields_of(
        &g,
        &format!("Restoring job {JOB} from Checkpoint 3 @ 1 for {JOB} located at <checkpoint-not-externally-addressable>"),
    );
    assert_eq!(f.savepoint, Some(false));
    assert_eq!(f.checkpoint, Some(3));

    let g = one(&tpl(
        "leader_elected",
        "New leader {identity:uuid} holds {lock:word}",
        "New leader 12DC9230-72CD-49E6-A6AD-48903369F0BF holds cm-1",
        &format!("identity={sess} lock=cm-1"),
    ))
    .unwrap();
    assert_eq!(
        g.classify("INFO", CC, "New leader 12dc9230 holds x"),
        Classified::Unmatched
    );
}

#[test]
fn escapes_are_literal_braces() {
    let g = one(&tpl(
        "job_submitted",
        "Submitting {{job}} {job:jobid} }}done{{",
        &format!("Submitting {{job}} {JOB} }}done{{"),
        &format!("job={JOB}"),
    ))
    .unwrap();
    assert_eq!(
        fields_of(&g, &format!("Submitting {{job}} {JOB} }}done{{"))
            .job
            .as_deref(),
        Some(JOB)
    );
    // Regex metacharacters in literals are literal.
    let g = one(&tpl(
        "job_submitted",
        "Job (a.b)* [x] {job:jobid}$",
        &format!("Job (a.b)* [x] {JOB}$"),
        &format!("job={JOB}"),
    ))
    .unwrap();
    assert_eq!(
        g.classify("INFO", CC, &format!("Job (aXb)* [x] {JOB}$")),
        Classified::Unmatched
    );
}

#[test]
fn leading_and_trailing_whitespace_of_messages_is_ignored() {
    let ce = "org.apache.flink.runtime.entrypoint.ClusterEntrypoint";
    let text = format!(
        "event process_started\n  logger {ce}\n  message Starting {{entrypoint:word}} (Version: {{version:text}}, {{_:rest}}\n  sample {}\n  expect entrypoint=StandaloneSessionClusterEntrypoint version=1.20.5\n",
        line("INFO", ce, " Starting StandaloneSessionClusterEntrypoint (Version: 1.20.5, Scala: 2.12, Rev:0980485, Date:2026-06-08 )  ")
    );
    let g = one(&text).unwrap();
    assert!(matches!(
        g.classify("INFO", ce, "  Starting X (Version: 1, y)"),
        Classified::Event { .. }
    ));
}

#[test]
fn globs_and_abbreviations() {
    let text = format!(
        "event leader_elected\n  logger org.apache.flink.*.KubernetesLeaderElector\n  message New leader elected {{identity:word}} for {{lock:word}}.\n  sample {}\n  expect identity=a lock=b\n\
         event ha_connection\n  logger *HaServices\n  message Connection {{state:state}}\n  sample {}\n  expect state=LOST\n",
        line("INFO", "org.apache.flink.kubernetes.kubeclient.resources.KubernetesLeaderElector", "New leader elected a for b."),
        line("WARN", "o.a.f.r.h.z.ZooKeeperHaServices", "Connection LOST"),
    );
    let g = one(&text).unwrap();
    for l in [
        "org.apache.flink.kubernetes.kubeclient.resources.KubernetesLeaderElector",
        "o.a.f.k.k.r.KubernetesLeaderElector",
        "KubernetesLeaderElector",
    ] {
        assert!(
            matches!(
                g.classify("INFO", l, "New leader elected x for y."),
                Classified::Event {
                    kind: Kind::LeaderElected,
                    ..
                }
            ),
            "{l}"
        );
    }
    assert_eq!(
        g.classify(
            "INFO",
            "org.other.KubernetesLeaderElector",
            "New leader elected x for y."
        ),
        Classified::Unwatched
    );
    assert!(g.is_watched("org.apache.flink.kubernetes.highavailability.KubernetesHaServices"));
    assert!(!g.is_watched("org.apache.flink.kubernetes.highavailability.KubernetesHaServicesX"));
    // Cached second lookups give the same answer.
    assert!(g.is_watched("org.apache.flink.kubernetes.highavailability.KubernetesHaServices"));
}

#[test]
fn first_match_wins_in_file_then_name_order() {
    let a = tpl(
        "job_submitted",
        "Job {job:jobid} submitted",
        &format!("Job {JOB} submitted"),
        &format!("job={JOB}"),
    );
    let b = "ignore\n  logger org.apache.flink.runtime.checkpoint.CheckpointCoordinator\n  message Job {_:rest}\n";
    // b.grammar after a.grammar: the event wins; a broader ignore later does not shadow.
    let g = Grammar::from_files(&[
        ("x/b.grammar".to_string(), b.to_string()),
        ("a.grammar".to_string(), a.clone()),
    ])
    .unwrap();
    assert_eq!(
        g.files(),
        &["a.grammar".to_string(), "x/b.grammar".to_string()]
    );
    assert!(matches!(
        g.classify("INFO", CC, &format!("Job {JOB} submitted")),
        Classified::Event { .. }
    ));
    assert_eq!(g.classify("INFO", CC, "Job other"), Classified::Ignored);
}

#[test]
fn shadowing_is_an_error() {
    let a = "ignore\n  logger org.apache.flink.runtime.checkpoint.CheckpointCoordinator\n  message Job {_:rest}\n";
    let b = tpl(
        "job_submitted",
        "Job {job:jobid} submitted",
        &format!("Job {JOB} submitted"),
        &format!("job={JOB}"),
    );
    let e = Grammar::from_files(&[
        ("a.grammar".to_string(), a.to_string()),
        ("b.grammar".to_string(), b),
    ])
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "b.grammar:4:3: sample is shadowed: the earlier template at a.grammar:1 matches it first"
    );
}

#[test]
fn error_bad_keyword() {
    let e = err(&format!("event job_submitted\n  logger {CC}\n  mesage x\n"));
    assert!(
        e.starts_with("t.grammar:3:3: unknown keyword `mesage`"),
        "{e}"
    );
    let e = err("  logger x\n");
    assert!(
        e.starts_with("t.grammar:1:3: `logger` outside a template"),
        "{e}"
    );
}

#[test]
fn error_unknown_kind() {
    let e = err("event job_sbmitted\n");
    assert!(
        e.starts_with("t.grammar:1:7: unknown event kind `job_sbmitted`"),
        "{e}"
    );
    let e = err("event job_submitted # a comment\n");
    assert!(
        e.starts_with("t.grammar:1:7: `event` takes exactly one kind"),
        "{e}"
    );
    let e = err("\u{feff}event nope\r\n");
    assert!(
        e.starts_with("t.grammar:1:7: unknown event kind `nope`"),
        "{e}"
    );
    let e = err("event log_end\n");
    assert!(
        e.starts_with("t.grammar:1:7: `log_end` is synthetic"),
        "{e}"
    );
}

#[test]
fn error_unknown_field_points_at_hole() {
    let e = err(&tpl(
        "job_submitted",
        "Job {jb:jobid} submitted",
        "Job x submitted",
        "",
    ));
    assert!(
        e.starts_with("t.grammar:3:15: unknown field `jb` in `{jb:jobid}`"),
        "{e}"
    );
}

#[test]
fn error_wrong_hole_type() {
    let e = err(&tpl(
        "job_submitted",
        "Job {job:int} submitted",
        "Job 1 submitted",
        "",
    ));
    assert!(
        e.starts_with("t.grammar:3:15: hole type `int` does not fit field `job`, which takes text"),
        "{e}"
    );
    let e = err(&tpl(
        "job_submitted",
        "Job {checkpoint:word} submitted",
        "Job 1 submitted",
        "",
    ));
    assert!(e.starts_with("t.grammar:3:15: hole type `word` does not fit field `checkpoint`, which takes a number: use int"), "{e}");
    let e = err(&tpl(
        "job_submitted",
        "Job {job:float} submitted",
        "Job 1 submitted",
        "",
    ));
    assert!(
        e.starts_with("t.grammar:3:15: unknown hole type `float`"),
        "{e}"
    );
}

#[test]
fn error_field_bound_twice() {
    let e = err(&tpl(
        "job_submitted",
        "Job {job:jobid} {job:jobid}",
        "Job x",
        "",
    ));
    assert!(
        e.starts_with("t.grammar:3:27: field `job` is bound twice"),
        "{e}"
    );
    let e = err(&format!(
        "event job_submitted\n  logger {CC}\n  set job=x\n  message Job {{job:jobid}}\n  sample {}\n",
        line("INFO", CC, &format!("Job {JOB}"))
    ));
    assert!(
        e.starts_with("t.grammar:4:15: field `job` is bound by this hole and by `set`"),
        "{e}"
    );
}

#[test]
fn error_unterminated_hole() {
    let e = err(&tpl(
        "job_submitted",
        "Job {job:jobid submitted",
        "Job x submitted",
        "",
    ));
    assert!(e.starts_with("t.grammar:3:15: unterminated hole"), "{e}");
    let e = err(&tpl(
        "job_submitted",
        "Job } submitted",
        "Job x submitted",
        "",
    ));
    assert!(e.starts_with("t.grammar:3:15: unescaped `}`"), "{e}");
}

#[test]
fn error_sample_mismatch() {
    let e = err(&tpl(
        "job_submitted",
        "Job {job:jobid} submitted",
        &format!("Job {JOB} was submitted"),
        &format!("job={JOB}"),
    ));
    assert!(e.starts_with("t.grammar:4:3: sample does not match its template: the template's text ` submitted` is not found there"), "{e}");
    // Wrong logger and wrong level are reported as such.
    let e = err(&format!(
        "event job_submitted\n  logger {CC}\n  level WARN\n  message Job {{job:jobid}}\n  sample {}\n",
        line("INFO", CC, &format!("Job {JOB}"))
    ));
    assert!(
        e.starts_with("t.grammar:5:3: sample level `INFO` is not one of the template's levels"),
        "{e}"
    );
    let e = err(&format!(
        "event job_submitted\n  logger {CC}\n  message Job {{job:jobid}}\n  sample {}\n",
        line("INFO", "org.Other", &format!("Job {JOB}"))
    ));
    assert!(
        e.starts_with("t.grammar:4:3: sample logger `org.Other`"),
        "{e}"
    );
    let e = err(&format!(
        "event job_submitted\n  logger {CC}\n  message Job {{job:jobid}}\n  sample not a log line\n"
    ));
    assert!(
        e.starts_with("t.grammar:4:3: sample is not a log line"),
        "{e}"
    );
}

#[test]
fn error_wrong_expect() {
    let e = err(&tpl(
        "job_submitted",
        "Job {job:jobid} named {name:text}",
        &format!("Job {JOB} named x"),
        "job=c506b6c290cc2d96a0e3f0eea10395c5 checkpoint=3",
    ));
    assert_eq!(
        e,
        format!("t.grammar:5:3: expect does not match the sample's fields: job: expected `c506b6c290cc2d96a0e3f0eea10395c5`, got `{JOB}`; name: produced `x`, not expected; checkpoint: expected `3`, not produced")
    );
    let e = err(&tpl(
        "job_submitted",
        "Job {job:jobid}",
        &format!("Job {JOB}"),
        "jbo=1",
    ));
    assert!(e.starts_with("t.grammar:5:10: unknown field `jbo`"), "{e}");
    let e = err(&tpl(
        "job_submitted",
        "Job {job:jobid}",
        &format!("Job {JOB}"),
        &format!("job={JOB} checkpoint=x"),
    ));
    assert!(
        e.starts_with("t.grammar:5:47: field `checkpoint`: `x` is not a number"),
        "{e}"
    );
    let e = err(&tpl(
        "job_submitted",
        "Job {job:jobid}",
        &format!("Job {JOB}"),
        "job",
    ));
    assert!(e.starts_with("t.grammar:5:10: bad pair `job`"), "{e}");
}

#[test]
fn error_missing_parts() {
    let e = err(&format!(
        "event job_submitted\n  logger {CC}\n  message Job {{job:jobid}}\n"
    ));
    assert!(
        e.starts_with("t.grammar:1:1: template `event job_submitted` has no `sample` line"),
        "{e}"
    );
    let e = err(&format!("ignore\n  logger {CC}\n"));
    assert!(
        e.starts_with("t.grammar:1:1: `ignore` template has no `message` line"),
        "{e}"
    );
    let e = err("ignore\n  message x\n");
    assert!(
        e.starts_with("t.grammar:1:1: `ignore` template has no `logger` line"),
        "{e}"
    );
    let e = err(&format!(
        "ignore\n  logger {CC}\n  message x\n  message y\n"
    ));
    assert!(e.starts_with("t.grammar:4:3: `message` given twice"), "{e}");
    let e = err(&format!(
        "ignore\n  logger {CC}\n  message x {{job:jobid}}\n"
    ));
    assert!(
        e.starts_with("t.grammar:3:13: named hole `{job:jobid}` in an `ignore` template"),
        "{e}"
    );
}

#[test]
fn several_errors_are_all_reported() {
    let e = err("event nope\nevent job_submitted\n  logger x\n  levle INFO\n");
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(lines.len(), 4, "{e}");
    assert!(lines[0].starts_with("t.grammar:1:7: unknown event kind"));
    assert!(lines[1].starts_with("t.grammar:4:3: unknown keyword `levle`"));
    assert!(lines[2].starts_with("t.grammar:2:1: template `event job_submitted` has no `sample`"));
    assert!(lines[3].starts_with("t.grammar:2:1: template `event job_submitted` has no `message`"));
}

#[test]
fn ignore_samples_are_checked() {
    let ok = format!(
        "ignore\n  logger {CC}\n  message Job {{_:rest}}\n  sample {}\n",
        line("INFO", CC, "Job anything")
    );
    assert!(one(&ok).is_ok());
    let bad = format!(
        "ignore\n  logger {CC}\n  message Job {{_:rest}}\n  sample {}\n",
        line("INFO", CC, "Task anything")
    );
    assert!(err(&bad).starts_with("t.grammar:4:3: sample does not match its template"));
    let e = err(&format!("{ok}  expect job=x\n"));
    assert!(
        e.starts_with("t.grammar:5:3: `expect` in an `ignore` template"),
        "{e}"
    );
}

#[test]
fn expect_lists_and_quotes() {
    let j2 = "a506b6c290cc2d96a0e3f0eea10395c4";
    let g = one(&tpl(
        "job_graphs_retrieved",
        "Retrieved job ids {jobs:jobids} from {reason:rest}",
        &format!("Retrieved job ids [{JOB}, {j2}] from the store"),
        &format!("jobs=[{JOB},{j2}] reason=\"the store\""),
    ));
    assert!(g.is_ok(), "{:?}", g.err());
    let e = err(&tpl(
        "job_graphs_retrieved",
        "Retrieved job ids {jobs:jobids}",
        &format!("Retrieved job ids [{JOB}]"),
        "jobs=[]",
    ));
    assert!(
        e.contains(&format!("jobs: expected `[]`, got `[{JOB}]`")),
        "{e}"
    );
}

#[test]
fn sample_without_expect_checks_only_matching() {
    let g = one(&format!(
        "event job_submitted\n  logger {CC}\n  message Job {{job:jobid}}\n  sample {}\n",
        line("INFO", CC, &format!("Job {JOB}"))
    ));
    assert!(g.is_ok());
}

#[test]
fn duplicate_names_in_from_files() {
    let a = ("a.grammar".to_string(), String::new());
    let b = ("x/a.grammar".to_string(), String::new());
    let e = Grammar::from_files(&[a, b]).unwrap_err().to_string();
    assert_eq!(e, "a.grammar: grammar file given twice");
}

#[test]
fn load_replaces_same_name_and_adds_new() {
    // Replace every built-in (so the test does not depend on the built-in data), one of them
    // from a single file, the others from a directory; add one new file.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap().to_string();
    let custom = tpl(
        "job_submitted",
        "Custom {job:jobid}",
        &format!("Custom {JOB}"),
        &format!("job={JOB}"),
    );
    let single = dir.path().join("checkpoint.grammar");
    std::fs::write(&single, &custom).unwrap();
    let sub = dir.path().join("more");
    std::fs::create_dir(&sub).unwrap();
    for (name, _) in BUILTIN.iter().filter(|(n, _)| *n != "checkpoint.grammar") {
        std::fs::write(sub.join(name), "# replaced\n").unwrap();
    }
    let extra = tpl(
        "job_submitted",
        "Extra {job:jobid}",
        &format!("Extra {JOB}"),
        &format!("job={JOB}"),
    );
    std::fs::write(sub.join("zz-mine.grammar"), &extra).unwrap();
    std::fs::write(sub.join("notes.txt"), "not a grammar").unwrap();

    let g = Grammar::load(&[single.clone(), sub.clone()]).unwrap();
    let files = g.files();
    assert_eq!(files.len(), BUILTIN.len() + 1, "{files:?}");
    assert!(files.iter().all(|f| f.starts_with(&root)), "{files:?}");
    assert!(files.contains(&single.display().to_string()), "{files:?}");
    assert!(files.last().unwrap().ends_with("zz-mine.grammar"));
    assert_eq!(g.len(), 2);
    assert!(matches!(
        g.classify("INFO", CC, &format!("Custom {JOB}")),
        Classified::Event { .. }
    ));
    assert!(matches!(
        g.classify("INFO", CC, &format!("Extra {JOB}")),
        Classified::Event { .. }
    ));

    // A later user file with the same name replaces an earlier one.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("zz-mine.grammar"), "# nothing\n").unwrap();
    let g = Grammar::load(&[single, sub, other.clone()]).unwrap();
    assert_eq!(g.len(), 1);
    assert_eq!(
        g.files().last().unwrap(),
        &other.join("zz-mine.grammar").display().to_string()
    );
}

#[test]
fn load_adds_to_builtins() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("zz-extra.grammar");
    std::fs::write(
        &p,
        tpl(
            "job_submitted",
            "Extra {job:jobid}",
            &format!("Extra {JOB}"),
            &format!("job={JOB}"),
        ),
    )
    .unwrap();
    match (Grammar::builtin(), Grammar::load(std::slice::from_ref(&p))) {
        (Ok(b), Ok(g)) => {
            assert_eq!(g.len(), b.len() + 1);
            assert_eq!(g.files().len(), BUILTIN.len() + 1);
            assert!(g.files()[..BUILTIN.len()]
                .iter()
                .all(|f| f.starts_with("grammars/")));
        }
        // While the built-in data does not load, neither does anything built on it.
        (Err(b), Err(g)) => assert_eq!(b.to_string(), g.to_string()),
        (b, g) => panic!("builtin {:?} but load {:?}", b.err(), g.err()),
    }
}

#[test]
fn load_errors_name_the_user_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.grammar");
    std::fs::write(&p, "event nope\n").unwrap();
    let e = Grammar::load(std::slice::from_ref(&p))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!("{}:1:7: unknown event kind `nope`", p.display())),
        "{e}"
    );
    let e = Grammar::load(&[dir.path().join("missing.grammar")]).unwrap_err();
    assert!(matches!(e, GrammarError::Io { .. }));
}

#[test]
fn overflowing_int_does_not_match() {
    let g = one(&tpl(
        "checkpoint_completed",
        "Completed {checkpoint:int}",
        "Completed 1",
        "checkpoint=1",
    ))
    .unwrap();
    assert_eq!(
        g.classify("INFO", CC, "Completed 99999999999999999999999"),
        Classified::Unmatched
    );
    assert_eq!(fields_of(&g, "Completed 7").checkpoint, Some(7));
    let mut f = Fields::default();
    f.set("checkpoint", Value::Int(7)).unwrap();
    assert_eq!(fields_of(&g, "Completed 7"), f);
}

#[test]
fn grammar_is_sync_and_send() {
    fn assert_sync<T: Sync + Send>() {}
    assert_sync::<Grammar>();
}

/// The logger index (templates by final segment, globs apart) finds exactly the templates a
/// test of every template finds, for written names, their abbreviations, bare class names
/// and names no template knows; and the per-first-byte buckets keep the template order.
#[test]
fn logger_index_equals_testing_every_template() {
    let g = Grammar::builtin().unwrap();
    let mut names: Vec<String> = Vec::new();
    for t in &g.templates {
        for p in &t.loggers {
            let full = p.as_str().replace('*', "x.y");
            let segs: Vec<&str> = full.split('.').collect();
            let initials: Vec<String> = segs
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    if i + 1 == segs.len() {
                        s.to_string()
                    } else {
                        s.chars().take(1).collect()
                    }
                })
                .collect();
            names.push(initials.join("."));
            names.push(segs.last().unwrap_or(&"").to_string());
            names.push(full);
        }
    }
    names.extend(
        [
            "org.example.Nothing",
            "Nothing",
            "",
            "o.a.f.k.KubernetesHaServices",
        ]
        .map(String::from),
    );
    for n in &names {
        let r = g.compute(n);
        let mut indexed: Vec<u32> = r.buckets.iter().flatten().copied().collect();
        indexed.sort_unstable();
        indexed.dedup();
        let brute: Vec<u32> = (0..g.templates.len() as u32)
            .filter(|i| g.templates[*i as usize].logger_ok(n))
            .collect();
        assert_eq!(indexed, brute, "logger {n:?}");
        for b in &r.buckets {
            assert!(
                b.windows(2).all(|w| w[0] < w[1]),
                "{n:?}: bucket out of order"
            );
        }
    }
}

#[test]
fn level_bits_are_the_same_for_every_spelling() {
    let names = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
    for (k, l) in names.iter().enumerate() {
        let bit = 1u8 << k;
        assert_eq!(compile::level_bit(l), bit, "{l}");
        assert_eq!(compile::level_bit(&l.to_lowercase()), bit, "{l}");
        assert_eq!(compile::level_bit(&format!(" {l}\t")), bit, "{l}");
    }
    assert_eq!(compile::level_bit("NOTICE"), 0x80);
    assert_eq!(compile::level_bit(""), 0x80);
}

/// The embedded built-ins' samples are not checked on every run (`Grammar::load`): this
/// test is where they are, every one of them.
#[test]
fn builtin_samples_all_hold() {
    let files = builtin_files();
    let g = Grammar::from_files(&files).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(g.len(), Grammar::load(&[]).unwrap().len());
    let samples: usize = g.templates.iter().map(|t| t.samples.len()).sum();
    assert!(
        samples >= g.len(),
        "{samples} samples for {} templates",
        g.len()
    );
}

/// A user's copy of a built-in file (same name) is checked like any user file, also when
/// its path looks like the built-in's; the unchanged text is not checked again.
#[test]
fn a_changed_copy_of_a_builtin_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("grammars");
    std::fs::create_dir(&sub).unwrap();
    let (name, text) = BUILTIN
        .iter()
        .find(|(_, t)| t.contains("\n  sample "))
        .unwrap();
    let same = sub.join(name);
    std::fs::write(&same, text).unwrap();
    assert!(Grammar::load(std::slice::from_ref(&same)).is_ok());
    // The first sample's message loses a character: it no longer matches its template.
    let at = text.find("\n  sample ").unwrap();
    let end = at + 1 + text[at + 1..].find('\n').unwrap();
    let mut broken = text.to_string();
    broken.insert(end - 1, '\u{2603}');
    let copy = sub.join(name);
    std::fs::write(&copy, &broken).unwrap();
    let e = Grammar::load(std::slice::from_ref(&copy))
        .unwrap_err()
        .to_string();
    assert!(e.contains(name), "{e}");
    assert!(e.contains("sample"), "{e}");
}

#[test]
fn logger_cache_tells_apart_loggers_of_one_memo_slot() {
    let g = Grammar::builtin().unwrap();
    // Two names of one slot (and one length), one watched and one not: found by search,
    // since the slot is a hash.
    let watched = CC.to_string();
    let slot = memo_slot(&watched);
    let stem = &watched[..watched.len() - 6];
    let other = (0..1_000_000)
        .map(|k| format!("{stem}{k:06}"))
        .find(|s| memo_slot(s) == slot)
        .expect("a name of the same slot");
    assert_eq!(other.len(), watched.len());
    let msg = format!("Completed checkpoint 7 for job {JOB} (1 bytes, checkpointDuration=2 ms, finalizationTime=3 ms).");
    let mut cache = LoggerCache::new();
    for _ in 0..3 {
        for logger in [&watched, &other, &watched, &watched, &other] {
            let want = g.classify("INFO", logger, &msg);
            assert_eq!(
                g.classify_cached(&mut cache, "INFO", logger, &msg),
                want,
                "{logger}"
            );
        }
    }
    assert!(matches!(
        g.classify_cached(&mut cache, "INFO", &watched, &msg),
        Classified::Event { .. }
    ));
    // A message known to be one line (with or without the `\r` of a CRLF log), classified
    // without looking for its end: the same answers.
    for m in [msg.clone(), format!("{msg}\r"), format!("  {msg} ")] {
        for logger in [&watched, &other] {
            assert_eq!(
                g.classify_line(&mut cache, "INFO", logger, &m),
                g.classify("INFO", logger, &m),
                "{logger} {m:?}"
            );
        }
    }
    assert_eq!(
        g.classify_cached(&mut cache, "INFO", &other, &msg),
        Classified::Unwatched
    );
}

//! Snapshot tests: the text and Markdown renderings of the hand-made failover story are
//! compared byte for byte with `tests/snapshots/`. `FLINKHA_UPDATE_SNAPSHOTS=1` rewrites them
//! (then review the diff with git before committing).

use flinkha::check::model;
use flinkha::events;
use flinkha::report;
use std::path::PathBuf;

mod report_story;

fn snapshot(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("FLINKHA_UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read snapshot {}: {e}; run with FLINKHA_UPDATE_SNAPSHOTS=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from {} at line {}:\nexpected: {:?}\nactual:   {:?}\n\
             (FLINKHA_UPDATE_SNAPSHOTS=1 rewrites the snapshot)\n--- actual output ---\n{actual}",
            path.display(),
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first),
        );
    }
}

#[test]
fn timeline_text_of_the_story() {
    let (a, _) = report_story::story();
    snapshot("timeline_story.txt", &report::timeline_text(&a, false));
}

#[test]
fn timeline_text_of_the_failing_story_in_colour() {
    let (a, _) = report_story::failing_story();
    snapshot(
        "timeline_failing_color.txt",
        &report::timeline_text(&a, true),
    );
}

#[test]
fn timeline_markdown_of_the_story() {
    let (a, _) = report_story::story();
    snapshot("timeline_story.md", &report::timeline_markdown(&a));
}

#[test]
fn timeline_markdown_of_the_failing_story() {
    let (a, _) = report_story::failing_story();
    snapshot("timeline_failing.md", &report::timeline_markdown(&a));
}

#[test]
fn check_text_of_the_failing_story() {
    let (a, _) = report_story::failing_story();
    snapshot("check_failing.txt", &report::check_text(&a, false));
}

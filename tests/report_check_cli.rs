//! The `flinkha check` renderers through the real binary on a mutated real log in which the
//! second JobManager restored checkpoint 14 although 15 had completed (recover-latest FAILs):
//! JUnit XML must be well-formed, GitHub commands one per line and escaped.

use flinkha::check::model;
use flinkha::events;
use flinkha::report;
use std::process::{Command, Output};

mod report_story;

const RESTORE_OLDER: &str = "samples/mutations/restore-older";

fn flinkha(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flinkha"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run flinkha")
}

/// A small XML 1.0 well-formedness check: one root, balanced and properly nested elements,
/// quoted attribute values without `<`, and `&` only as a character or entity reference.
fn assert_well_formed(xml: &str) {
    fn check_refs(s: &str, at: usize) {
        let mut rest = s;
        while let Some(i) = rest.find('&') {
            let tail = &rest[i + 1..];
            let end = tail
                .find(';')
                .unwrap_or_else(|| panic!("bare & near byte {at}"));
            let name = &tail[..end];
            let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                || (name.starts_with("#x")
                    && name.len() > 2
                    && name[2..].chars().all(|c| c.is_ascii_hexdigit()))
                || (name.starts_with('#')
                    && name.len() > 1
                    && name[1..].chars().all(|c| c.is_ascii_digit()));
            assert!(ok, "bad reference &{name}; near byte {at}");
            rest = &tail[end + 1..];
        }
        assert!(
            !s.chars()
                .any(|c| c < ' ' && c != '\n' && c != '\r' && c != '\t'),
            "control character near byte {at}"
        );
    }
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        .expect("XML declaration first");
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut pos = 0;
    while let Some(lt) = body[pos..].find('<') {
        let start = pos + lt;
        let text = &body[pos..start];
        check_refs(text, pos);
        assert!(!text.contains('>') || !stack.is_empty() || text.trim().is_empty());
        // Find the end of the tag, skipping quoted attribute values.
        let mut quote: Option<char> = None;
        let mut end = None;
        for (i, c) in body[start + 1..].char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), '<') => panic!("raw < in an attribute value near byte {start}"),
                (Some(_), _) => {}
                (None, '"') | (None, '\'') => quote = Some(c),
                (None, '>') => {
                    end = Some(start + 1 + i);
                    break;
                }
                (None, '<') => panic!("raw < inside a tag near byte {start}"),
                _ => {}
            }
        }
        let end = end.unwrap_or_else(|| panic!("unclosed tag at byte {start}"));
        let tag = &body[start + 1..end];
        check_refs(tag, start);
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().unwrap_or_else(|| panic!("stray </{name}>"));
            assert_eq!(open, name.trim(), "mis-nested </{name}>");
        } else {
            let name: String = tag
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '/')
                .collect();
            assert!(!name.is_empty(), "empty tag name at byte {start}");
            if stack.is_empty() {
                roots += 1;
            }
            if !tag.ends_with('/') {
                stack.push(name);
            }
        }
        pos = end + 1;
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    assert_eq!(roots, 1, "exactly one root element");
    assert!(body[pos..].trim().is_empty(), "text after the root element");
}

#[test]
fn junit_is_well_formed_and_reports_the_failure() {
    let out = flinkha(&["check", "--format", "junit", RESTORE_OLDER]);
    assert_eq!(out.status.code(), Some(1), "a FAIL exits 1");
    let xml = String::from_utf8(out.stdout).unwrap();
    assert_well_formed(&xml);
    assert!(xml.contains("<testsuite name=\"flinkha\""));
    assert!(xml.contains("<testcase name=\"recover-latest[job 17dbae1c]\" classname=\"flinkha.recover-latest\">\n      <failure message=\""));
    assert!(xml.contains("Restoring job 17dbae1cf71efbf7ed4346261571f647 from Checkpoint 14"));
    assert!(xml.contains("failures=\"1\""));
}

#[test]
fn github_commands_annotate_the_failure() {
    let out = flinkha(&["check", "--format", "github", RESTORE_OLDER]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let error = lines
        .iter()
        .find(|l| l.starts_with("::error "))
        .expect("an ::error line");
    assert!(error.starts_with("::error title=flinkha recover-latest [job 17dbae1c]::"));
    assert!(
        error.contains("(samples/mutations/restore-older/flink-root-standalonesession-0-vm.log:")
    );
    assert!(error.contains("%0A"), "evidence lines follow, escaped");
    assert!(
        lines.iter().all(|l| l.starts_with("::")),
        "one command per line"
    );
    assert!(lines
        .last()
        .is_some_and(|l| l.starts_with("::notice title=flinkha::flinkha: FAIL — 1 failed")));
}

#[test]
fn junit_of_hostile_log_text_is_well_formed() {
    let (mut a, _) = report_story::failing_story();
    let hostile = "<script>alert(1)</script> \"><img src=x onerror=alert(1)> & ]]> \u{1b}[31m\u{0}";
    a.invariants[4].because = hostile.into();
    a.invariants[4].evidence[0].text = hostile.into();
    a.invariants[4].evidence[1].source = hostile.into();
    a.invariants[7].because = hostile.into();
    a.invariants[0].id = hostile.into();
    a.failovers[0].cause.text = hostile.into();
    a.notes.push(hostile.into());
    let labels = flinkha::labels::Labels::parse(&[format!("cluster={hostile}")]).unwrap();
    let xml = report::check_junit(&a, &labels);
    assert_well_formed(&xml);
    assert!(!xml.contains("<script"));
    assert!(!xml.contains("<img"));
    assert!(xml.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // The checker itself rejects what it must.
    let decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
    assert_well_formed(&format!("{decl}<a x=\"&lt;b&gt;&#10;\">t &amp; <b/></a>"));
    for bad in ["<a>x & y</a>", "<a><b></a></b>", "<a x=\"<\"/>", "<a/><b/>"] {
        let doc = format!("{decl}{bad}");
        assert!(
            std::panic::catch_unwind(|| assert_well_formed(&doc)).is_err(),
            "accepted {bad}"
        );
    }
}

//! The command-line conventions: shell completion scripts and manual pages are produced by
//! the real binary and are well-formed (`bash -n` parses the bash script, `man -l` renders
//! every page without a groff warning).

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

/// Every subcommand a completion script and flinkha(1) must mention.
const SUBCOMMANDS: &[&str] = &[
    "events",
    "check",
    "timeline",
    "kubectl",
    "completions",
    "man",
];

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, out, err) = common::run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(err.is_empty(), "{shell}: {err}");
        for sub in SUBCOMMANDS {
            assert!(out.contains(sub), "{shell} script lacks `{sub}`");
        }
        // Options of a subcommand are completed too.
        assert!(out.contains("expect-failovers"), "{shell}");
    }
    let (code, _, err) = common::run(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid value 'tcsh'"), "{err}");
}

#[test]
fn bash_completion_parses_and_completes() {
    let (_, script, _) = common::run(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flinkha.bash");
    std::fs::write(&path, &script).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(
        syntax.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    // Load it and ask for the completions of `flinkha ch` and `flinkha check --expe`.
    let probe = format!(
        "source {p}\n\
         COMP_WORDS=(flinkha ch); COMP_CWORD=1; _flinkha flinkha ch flinkha; echo \"${{COMPREPLY[*]}}\"\n\
         COMP_WORDS=(flinkha check --expe); COMP_CWORD=2; _flinkha flinkha --expe check; echo \"${{COMPREPLY[*]}}\"\n",
        p = path.display()
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &probe])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        ["check", "--expect-failovers"],
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Render a page with `man -l`, all groff warnings on; the rendered text.
fn render(page: &Path) -> String {
    let out = Command::new("man")
        .args(["--warnings=w", "-l"])
        .arg(page)
        .env("MANWIDTH", "100")
        .env_remove("MAN_KEEP_FORMATTING")
        .stdin(Stdio::null())
        .output()
        .expect("`man` must be installed to test the manual pages (Debian: man-db)");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "man -l {}: {err}", page.display());
    assert!(
        err.trim().is_empty(),
        "groff warnings for {}: {err}",
        page.display()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn man_pages_render() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = common::run(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let mut pages: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for sub in SUBCOMMANDS {
        let name = format!("flinkha-{sub}.1");
        assert!(pages.contains(&name), "{name} missing from {pages:?}");
        assert!(err.contains(&name), "{err}");
    }
    assert!(pages.contains(&"flinkha.1".to_string()), "{pages:?}");

    for page in &pages {
        let text = render(&dir.path().join(page));
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS"] {
            assert!(
                text.lines().any(|l| l == section),
                "{page} lacks {section}:\n{text}"
            );
        }
    }
    let main = render(&dir.path().join("flinkha.1"));
    for sub in SUBCOMMANDS {
        assert!(main.contains(&format!("flinkha-{sub}(1)")), "{main}");
    }
    let check = render(&dir.path().join("flinkha-check.1"));
    assert!(check.contains("--expect-failovers"), "{check}");
    assert!(
        check.contains("recover-latest"),
        "after-help in the page: {check}"
    );
}

#[test]
fn man_prints_one_page() {
    let (code, page, err) = common::run(&["man", "check"]);
    assert_eq!(code, 0, "{err}");
    assert!(page.contains(".TH flinkha-check 1"), "{page}");
    let (code, page, _) = common::run(&["man"]);
    assert_eq!(code, 0);
    assert!(page.contains(".TH flinkha 1"), "{page}");
    let (code, _, err) = common::run(&["man", "nope"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no manual page for `nope`") && err.contains("check"),
        "{err}"
    );
}

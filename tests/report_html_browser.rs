//! Loads the HTML timeline in headless Chromium: the page must render (the DOM holds the
//! chart's SVG, the job id, the failover), hostile log text must stay text, and the
//! screenshot must be a real picture.
//!
//! Needs the `chromium` binary (`apt-get install chromium`); set `FLINKHA_SKIP_BROWSER=1` to
//! skip. `FLINKHA_BROWSER_OUT=<dir>` keeps the page and screenshot there for a look.

use flinkha::check::model;
use flinkha::events;
use flinkha::report;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod report_story;

const PWN_SCRIPT: &str = "<script>document.body.setAttribute('data-pwned','script')</script>";
const PWN_IMG: &str = "\"><img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">";

fn chromium() -> Option<PathBuf> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        let found = std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(name))
                .find(|p| p.is_file())
        });
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Run chromium headless with `extra` arguments on `url`, at most 90 s; returns stdout.
/// Output goes to files, not pipes: a DOM dump larger than a pipe buffer would block
/// chromium while we wait for it to exit.
fn run_chromium(bin: &Path, profile: &Path, extra: &[String], url: &str) -> String {
    let out_path = profile.with_extension("stdout");
    let err_path = profile.with_extension("stderr");
    let mut cmd = Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(url)
    .stdin(Stdio::null())
    .stdout(std::fs::File::create(&out_path).unwrap())
    .stderr(std::fs::File::create(&err_path).unwrap());
    let mut child = cmd.spawn().expect("cannot start chromium");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait for chromium").is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = child.wait().expect("chromium status");
    let stdout = std::fs::read(&out_path).unwrap_or_default();
    let stderr = std::fs::read(&err_path).unwrap_or_default();
    assert!(
        status.success(),
        "chromium failed: {status}\n{}",
        String::from_utf8_lossy(&stderr)
    );
    String::from_utf8_lossy(&stdout).into_owned()
}

/// The Chromium binary, or `None` when `FLINKHA_SKIP_BROWSER=1` asks to skip; a missing
/// binary fails the test with the install command.
fn browser_or_skip() -> Option<PathBuf> {
    if std::env::var_os("FLINKHA_SKIP_BROWSER").is_some_and(|v| v == "1") {
        eprintln!("FLINKHA_SKIP_BROWSER=1: browser test skipped");
        return None;
    }
    match chromium() {
        Some(bin) => Some(bin),
        None => panic!(
            "the `chromium` binary is missing: `apt-get install chromium` \
             (or set FLINKHA_SKIP_BROWSER=1 to skip this test)"
        ),
    }
}

/// Load `page` in headless Chromium: its DOM after scripts, and a 1400×1000 screenshot
/// (PNG bytes). With `FLINKHA_BROWSER_OUT=<dir>` page and screenshot are kept there as
/// `name.html` / `name.png`.
fn load_page(bin: &Path, page: &Path, name: &str) -> (String, Vec<u8>) {
    let dir = page.parent().expect("page in a directory");
    let url = format!("file://{}", page.display());
    let shot = dir.join(format!("{name}.png"));
    let dom = run_chromium(
        bin,
        &dir.join(format!("{name}-profile-dom")),
        &["--dump-dom".to_string()],
        &url,
    );
    run_chromium(
        bin,
        &dir.join(format!("{name}-profile-shot")),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1400,1000".to_string(),
        ],
        &url,
    );
    if let Some(out) = std::env::var_os("FLINKHA_BROWSER_OUT") {
        let out = PathBuf::from(out);
        std::fs::create_dir_all(&out).unwrap();
        std::fs::copy(page, out.join(format!("{name}.html"))).unwrap();
        std::fs::copy(&shot, out.join(format!("{name}.png"))).unwrap();
    }
    let png = std::fs::read(&shot).expect("no screenshot written");
    (dom, png)
}

#[test]
fn html_timeline_renders_in_headless_chromium() {
    let Some(bin) = browser_or_skip() else {
        return;
    };
    let (mut a, mut events) = report_story::failing_story();
    // Hostile log text in evidence and in the event table: it must stay text.
    a.invariants[4].evidence[0].text = format!("{PWN_SCRIPT} {PWN_IMG}").into();
    if let Some(e) = events
        .iter_mut()
        .find(|e| e.kind == events::Kind::TaskmanagerLost)
    {
        e.text = format!("TaskManager gone {PWN_IMG} {PWN_SCRIPT}").into();
    }
    let html = report::timeline_html(&a, &events);

    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("timeline.html");
    std::fs::write(&page, &html).unwrap();
    let (dom, png) = load_page(&bin, &page, "timeline");

    // The page loaded and holds the chart and the story.
    assert!(dom.contains("<svg id=\"chart\""), "no chart SVG in the DOM");
    assert!(dom.contains("6cecd03f"), "job id missing from the DOM");
    assert!(dom.contains("failover"), "no failover in the DOM");
    assert!(dom.contains("leader change"));
    assert!(dom.contains("JobManagers"));
    assert!(dom.contains("<title>"), "marks have no hover titles");
    // Hostile text stayed text: nothing ran, no element was injected.
    assert!(!dom.contains("data-pwned=\""), "injected script ran");
    assert!(!dom.contains("<img"), "an <img> element was injected");
    assert!(dom.contains("&lt;script&gt;document.body"));
    // The screenshot is a real PNG of a real page.
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "screenshot is not a PNG");
    let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    let h = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
    assert_eq!((w, h), (1400, 1000), "unexpected screenshot size");
    assert!(
        png.len() > 40_000,
        "screenshot of {} bytes is too small for a rendered chart",
        png.len()
    );
}

#[test]
fn html_timeline_of_a_real_failover_renders_in_headless_chromium() {
    let Some(bin) = browser_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("happy.html");
    // The real 1.20.5 story: kill -9 of the leader, a standby takes over and restores
    // checkpoint 15, then a TaskManager loss and a restore from 31.
    let status = Command::new(env!("CARGO_BIN_EXE_flinkha"))
        .args(["timeline", "--format", "html", "-o"])
        .arg(&page)
        .arg("samples/corpus/1.20.5/happy")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("run flinkha timeline");
    assert!(status.success());
    let (dom, png) = load_page(&bin, &page, "happy");
    assert!(dom.contains("<svg id=\"chart\""), "no chart SVG in the DOM");
    assert!(dom.contains("17dbae1c"), "job id missing");
    assert!(dom.contains("standalonesession-0") && dom.contains("standalonesession-1"));
    assert!(
        dom.contains("Completed checkpoint 15 for job"),
        "evidence of the restored checkpoint missing"
    );
    assert!(dom.contains("from Checkpoint 15 @"), "restore line missing");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(
        png.len() > 40_000,
        "screenshot of {} bytes is too small",
        png.len()
    );
}

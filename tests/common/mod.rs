//! Helpers shared by integration tests.

use std::path::{Path, PathBuf};

/// A story directory's logs as one `kubectl logs -l … --prefix --timestamps` stream: every JobManager
/// is a pod, lines of the pods interleave by time, stack traces stay with their record.
#[allow(dead_code)] // not every test file that includes this module needs it
pub fn kubectl_stream(dir: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenario dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".log"))
        .collect();
    names.sort();
    // (timestamp, pod index, record lines)
    let mut records: Vec<(String, usize, Vec<String>)> = Vec::new();
    for (pod, name) in names.iter().enumerate() {
        let text = std::fs::read_to_string(dir.join(name)).expect("read log");
        for line in text.lines() {
            let starts = line.len() > 23
                && line.as_bytes()[0].is_ascii_digit()
                && line.as_bytes()[4] == b'-';
            match records.last_mut() {
                Some(r) if !starts && r.1 == pod => r.2.push(line.to_string()),
                _ if !starts => records.push((String::new(), pod, vec![line.to_string()])),
                _ => records.push((line[..23].to_string(), pod, vec![line.to_string()])),
            }
        }
    }
    records.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    for (ts, pod, lines) in records {
        // kubelet timestamp: the log's own instant with 9 fractional digits.
        let kube = if ts.is_empty() {
            "2026-11-25T00:00:00.000000000Z".to_string()
        } else {
            format!("{}T{}.{}000000Z", &ts[..10], &ts[11..19], &ts[20..23])
        };
        for l in lines {
            out.push_str(&format!(
                "[pod/flink-jm-{pod}/flink-main-container] {kube} {l}\n"
            ));
        }
    }
    out
}

/// Run the real binary in the repository root with no standard input; returns (exit code,
/// stdout, stderr).
#[allow(dead_code)] // not every test file that includes this module runs the binary this way
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_flinkha"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run flinkha");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every file below `dir` that is a log (not a README, MANIFEST or generator script).
#[allow(dead_code)] // not every test file that includes this module walks the samples
pub fn logs_below(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            logs_below(&p, out);
        } else if !matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("md" | "py" | "pyc")
        ) {
            out.push(p);
        }
    }
}

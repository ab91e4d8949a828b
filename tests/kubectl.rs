//! `flinkha kubectl check` / `kubectl flinkha check` against a stand-in `kubectl` on PATH
//! (`tests/kubectl/bin/kubectl`), which replays recorded clusters (`tests/kubectl/*/`):
//! `get pods -o json` documents in Kubernetes' format over a virtual clock, and real corpus
//! JobManager logs with kubelet `--timestamps` prefixes. Scenarios: a container restart
//! (restartCount 0 → 1, `--previous` holds the first log) and a pod replacement (the
//! evicted leader's pod kept as Failed, a new pod under a new name). Each must reach the same
//! verdicts as the plain files, statically and while following. The replays run at 8× the
//! recorded pace, so the follow tests take 10 to 20 seconds.

mod common;

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const RESTART_POD: &str = "ha-lab-6d4f7c9b8-qx2lp";
const OLD_POD: &str = "ha-lab-7c5d8f9b6-h4k2m";
const STANDBY_POD: &str = "ha-lab-7c5d8f9b6-n8p3r";
const NEW_POD: &str = "ha-lab-7c5d8f9b6-w6t9x";
const CONTAINER: &str = "flink-main-container";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One replay of a scenario: its scratch directory, and the command that runs flinkha
/// against it.
struct Replay {
    state: tempfile::TempDir,
    scenario: &'static str,
}

impl Replay {
    fn new(scenario: &'static str) -> Replay {
        Replay {
            state: tempfile::tempdir().unwrap(),
            scenario,
        }
    }

    /// flinkha with the stand-in first on PATH; `at_end`: the cluster as it is at the end.
    fn flinkha(&self, args: &[&str], at_end: bool) -> Command {
        let path = std::env::join_paths(std::iter::once(root().join("tests/kubectl/bin")).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))
        .unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_flinkha"));
        cmd.args(args)
            .current_dir(root())
            .env("PATH", path)
            .env(
                "FAKE_KUBECTL_SCENARIO",
                root().join("tests/kubectl").join(self.scenario),
            )
            .env("FAKE_KUBECTL_STATE", self.state.path())
            // Slow enough that a loaded machine's polls keep up with the story.
            .env("FAKE_KUBECTL_SPEED", "8")
            .stdin(Stdio::null());
        if at_end {
            cmd.env("FAKE_KUBECTL_AT", "end");
        }
        cmd
    }

    /// Every argv the stand-in was called with.
    fn calls(&self) -> Vec<Vec<String>> {
        std::fs::read_to_string(self.state.path().join("calls.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Whether the stand-in has printed the last line of this container instance's log.
    fn done(&self, pod: &str, instance: u32) -> bool {
        self.state
            .path()
            .join(format!("done-{pod}_{CONTAINER}#{instance}"))
            .exists()
    }
}

fn text(o: &Output) -> (i32, String, String) {
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The judgement of a JSON report, without sources: (id, job, verdict) per invariant and
/// (kind, job, restored checkpoint, RTO) per failover and job.
type Judgement = (
    Vec<(String, String, String)>,
    Vec<(String, String, String, String)>,
);

fn judgement(json: &str) -> Judgement {
    let v: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let s = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    let inv = v["invariants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (s(&i["id"]), s(&i["job"]), s(&i["verdict"])))
        .collect();
    let mut fo = Vec::new();
    for f in v["failovers"].as_array().unwrap() {
        for j in f["jobs"].as_array().unwrap() {
            fo.push((
                s(&f["kind"]),
                s(&j["job"]),
                s(&j["restored_checkpoint"]),
                s(&j["rto_ms"]),
            ));
        }
    }
    (inv, fo)
}

fn plain(dir: &str, format: &str) -> (i32, String) {
    let (code, out, err) = common::run(&["check", "--no-progress", "--format", format, dir]);
    assert!(code == 0 || code == 1, "{err}");
    (code, out)
}

#[test]
fn check_reads_current_and_previous_log_across_a_restart() {
    let r = Replay::new("restart");
    let out = r
        .flinkha(
            &[
                "kubectl",
                "check",
                "--context",
                "lab",
                "--kubeconfig",
                "/etc/lab/kubeconfig",
                "-n",
                "flink",
                "--format",
                "json",
                "ha-lab",
            ],
            true,
        )
        .output()
        .unwrap();
    let (code, stdout, stderr) = text(&out);
    let (want_code, want) = plain("samples/corpus-k8s/1.20.5/jm-restart", "json");
    assert_eq!(code, want_code, "{stderr}");
    assert_eq!(judgement(&stdout), judgement(&want));
    assert!(
        stderr.contains(&format!(
            "reading 2 logs of 1 pod(s) in namespace flink (context lab): {RESTART_POD}#0 (previous), {RESTART_POD}#1"
        )),
        "{stderr}"
    );
    // Evidence names the container instance it comes from.
    assert!(
        stdout.contains(&format!("\"source\": \"{RESTART_POD}#0\"")),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("\"source\": \"{RESTART_POD}#1\"")));

    let calls = r.calls();
    let globals = [
        "--kubeconfig",
        "/etc/lab/kubeconfig",
        "--context",
        "lab",
        "--namespace",
        "flink",
    ];
    assert!(calls.iter().all(|c| c[..6] == globals), "{calls:?}");
    let get = &calls[0][6..];
    assert_eq!(
        get,
        [
            "get",
            "pods",
            "-l",
            "app=ha-lab,component=jobmanager,type in (flink-native-kubernetes,flink-standalone-kubernetes)",
            "-o",
            "json"
        ]
    );
    let mut logs: Vec<Vec<String>> = calls[1..].iter().map(|c| c[6..].to_vec()).collect();
    logs.sort();
    assert_eq!(
        logs,
        [
            vec![
                "logs",
                "--timestamps",
                "--previous",
                "-c",
                CONTAINER,
                RESTART_POD
            ],
            vec!["logs", "--timestamps", "-c", CONTAINER, RESTART_POD],
        ]
    );
}

#[test]
fn check_across_a_pod_replacement_as_the_kubectl_plugin() {
    // kubectl runs plugins by name: `kubectl flinkha …` is `kubectl-flinkha …`.
    let dir = tempfile::tempdir().unwrap();
    let plugin = dir.path().join("kubectl-flinkha");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_flinkha"), &plugin).unwrap();
    let r = Replay::new("replacement");
    let cmd = r.flinkha(&[], true);
    let out = Command::new(&plugin)
        .args(["check", "-n", "flink", "ha-lab", "--format", "json"])
        .envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .current_dir(root())
        .output()
        .unwrap();
    let (code, stdout, stderr) = text(&out);
    let (want_code, want) = plain("samples/mutations/restore-older", "json");
    assert_eq!((code, want_code), (1, 1), "{stderr}");
    assert_eq!(judgement(&stdout), judgement(&want));
    for pod in [OLD_POD, STANDBY_POD, NEW_POD] {
        assert!(stderr.contains(&format!("{pod}#0")), "{stderr}");
    }
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["verdict"], "FAIL");

    let out = Command::new(&plugin).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("Usage: kubectl flinkha <COMMAND>"), "{help}");
}

#[test]
fn timeline_of_a_cluster() {
    let r = Replay::new("restart");
    let out = r
        .flinkha(
            &[
                "kubectl", "timeline", "-n", "flink", "ha-lab", "--format", "json",
            ],
            true,
        )
        .output()
        .unwrap();
    let (code, stdout, stderr) = text(&out);
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let (_, plain_json, _) = common::run(&[
        "timeline",
        "--no-progress",
        "--format",
        "json",
        "samples/corpus-k8s/1.20.5/jm-restart",
    ]);
    let p: Value = serde_json::from_str(&plain_json).unwrap();
    assert_eq!(v["summary"], p["summary"]);
    assert_eq!(v["incarnations"].as_array().unwrap().len(), 2);
}

/// A running `--follow`: its stdout lines as they come, its stderr collected.
struct Following {
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: std::thread::JoinHandle<String>,
    seen: Vec<String>,
}

impl Following {
    fn start(mut cmd: Command) -> Following {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
        let mut err = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut err, &mut s);
            s
        });
        Following {
            child,
            lines,
            stderr,
            seen: Vec::new(),
        }
    }

    /// Wait (at most a minute) until `ok` holds, taking in stdout meanwhile; `ok` sees the
    /// lines so far.
    fn wait_until(&mut self, what: &str, ok: &mut dyn FnMut(&[String]) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !ok(&self.seen) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {:?}",
                self.seen
            );
            if let Ok(l) = self.lines.recv_timeout(Duration::from_millis(50)) {
                self.seen.push(l);
            }
        }
    }

    /// Ctrl-C, then the rest of stdout, stderr and the exit code.
    fn interrupt(mut self) -> (i32, Vec<String>, String) {
        // Let the last lines pass the follow-mode merge first.
        std::thread::sleep(Duration::from_millis(1500));
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success());
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("flinkha did not end after Ctrl-C: {:?}", self.seen);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        self.seen.extend(self.lines.iter());
        (
            status.code().unwrap_or(-1),
            self.seen,
            self.stderr.join().unwrap(),
        )
    }
}

fn no_kubectl_left(r: &Replay) {
    // No poll after the end, and every kubectl started has ended and was reaped.
    let before = r.calls().len();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(r.calls().len(), before, "a poll after the end");
    let mut pids = 0;
    for e in std::fs::read_dir(r.state.path()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(pid) = name.strip_prefix("pid-") {
            pids += 1;
            assert!(
                !Path::new(&format!("/proc/{pid}")).exists(),
                "kubectl {pid} still there"
            );
        }
    }
    assert_eq!(pids, before, "one pid file per call");
}

#[test]
fn follow_across_a_restart_reads_the_new_instance_from_its_first_line() {
    let r = Replay::new("restart");
    let mut f = Following::start(r.flinkha(
        &[
            "kubectl",
            "check",
            "-n",
            "flink",
            "--follow",
            "--poll-interval",
            "50ms",
            "--no-progress",
            "ha-lab",
        ],
        false,
    ));
    f.wait_until("both instances read", &mut |_| {
        r.done(RESTART_POD, 0) && r.done(RESTART_POD, 1)
    });
    let (code, out, err) = f.interrupt();
    assert_eq!(code, 0, "{err}\n{out:?}");
    assert!(
        err.contains(&format!(
            "reading 1 log of 1 pod(s) in namespace flink: {RESTART_POD}#0"
        )),
        "{err}"
    );
    assert!(
        err.contains("is waiting to start (CrashLoopBackOff)"),
        "{err}"
    );
    assert!(err.contains(&format!("following {RESTART_POD}#1")), "{err}");
    let (_, want) = plain("samples/corpus-k8s/1.20.5/jm-restart", "text");
    assert_eq!(
        out.last().map(String::as_str),
        want.lines().last(),
        "{out:?}"
    );
    // The same failovers; a cause names the JobManager by its source, which is the pod
    // here and the log file in the plain run.
    let jm = regex::Regex::new(r"JobManager \S+").unwrap();
    let failovers = |lines: &mut dyn Iterator<Item = &str>| -> Vec<String> {
        lines
            .filter(|l| l.starts_with("failover #"))
            .map(|l| jm.replace_all(l, "JobManager _").into_owned())
            .collect()
    };
    assert_eq!(
        failovers(&mut out.iter().map(String::as_str)),
        failovers(&mut want.lines())
    );
    // The new instance was read from its first line: `kubectl logs -f` without --tail.
    let calls = r.calls();
    let follows: Vec<&Vec<String>> = calls
        .iter()
        .filter(|c| c.contains(&"-f".to_string()))
        .collect();
    assert_eq!(follows.len(), 2, "{calls:?}");
    assert!(follows.iter().all(|c| !c
        .iter()
        .any(|a| a.starts_with("--tail") || a.starts_with("--since"))));
    no_kubectl_left(&r);
}

#[test]
fn follow_across_a_replacement_prints_the_fail_as_proven() {
    let r = Replay::new("replacement");
    let mut f = Following::start(r.flinkha(
        &[
            "kubectl",
            "check",
            "-n",
            "flink",
            "-f",
            "--poll-interval",
            "50ms",
            "--no-progress",
            "ha-lab",
        ],
        false,
    ));
    let mut open_when_proven = None;
    f.wait_until("the FAIL", &mut |seen| {
        let proven = seen.iter().any(|l| l.starts_with("FAIL  recover-latest"));
        if proven && open_when_proven.is_none() {
            open_when_proven = Some(!r.done(STANDBY_POD, 0));
        }
        proven
    });
    assert_eq!(
        open_when_proven,
        Some(true),
        "printed while the new leader's log was still open"
    );
    f.wait_until("every log read", &mut |_| {
        r.done(OLD_POD, 0) && r.done(STANDBY_POD, 0) && r.done(NEW_POD, 0)
    });
    let (code, out, err) = f.interrupt();
    assert_eq!(code, 1, "{err}\n{out:?}");
    assert!(err.contains(&format!("following {STANDBY_POD}#0")), "{err}");
    assert!(err.contains(&format!("following {NEW_POD}#0")), "{err}");
    let (_, want) = plain("samples/mutations/restore-older", "text");
    assert_eq!(
        out.last().map(String::as_str),
        want.lines().last(),
        "{out:?}"
    );
    assert!(
        out.iter()
            .any(|l| l.contains(&format!("{STANDBY_POD}#0:")) && l.contains("from Checkpoint 14")),
        "{out:?}"
    );
    no_kubectl_left(&r);
}

#[test]
fn clear_errors_exit_2() {
    // kubectl is not installed.
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_flinkha"))
        .args(["kubectl", "check", "ha-lab"])
        .env("PATH", empty.path())
        .output()
        .unwrap();
    let (code, _, err) = text(&out);
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot run `kubectl`: it is not on PATH (install kubectl, or name it with --kubectl PATH)"),
        "{err}"
    );

    // A namespace the user may not list: kubectl's own words.
    let forbidden = "Error from server (Forbidden): pods is forbidden: User \"system:serviceaccount:ci:flinkha\" cannot list resource \"pods\" in API group \"\" in the namespace \"prod\"";
    let r = Replay::new("restart");
    let out = r
        .flinkha(&["kubectl", "check", "-n", "prod", "ha-lab"], true)
        .env("FAKE_KUBECTL_FAIL_GET", forbidden)
        .output()
        .unwrap();
    let (code, out_text, err) = text(&out);
    assert_eq!(code, 2);
    assert!(out_text.is_empty());
    assert!(err.contains(&format!("failed: {forbidden}")), "{err}");
    assert!(
        err.contains("--namespace prod get pods -l app=ha-lab"),
        "{err}"
    );

    // A pod whose container never started has no log.
    let r = Replay::new("no-logs");
    let out = r
        .flinkha(&["kubectl", "check", "-n", "flink", "ha-lab"], true)
        .output()
        .unwrap();
    let (code, _, err) = text(&out);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "pod {RESTART_POD} container {CONTAINER} has no log: it is waiting to start (ContainerCreating)"
        )),
        "{err}"
    );

    // No such cluster.
    let r = Replay::new("restart");
    let out = r
        .flinkha(&["kubectl", "check", "-n", "flink", "nope"], true)
        .output()
        .unwrap();
    let (code, _, err) = text(&out);
    assert_eq!(code, 2);
    assert!(
        err.contains("no pods match -l 'app=nope,component=jobmanager"),
        "{err}"
    );

    // kubectl mode reads pods, not files; and needs to know which cluster.
    let r = Replay::new("restart");
    for (args, want) in [
        (
            &["kubectl", "check", "ha-lab", "x.log"][..],
            "unexpected argument `x.log`",
        ),
        (&["kubectl", "check"][..], "which cluster?"),
        (
            &["kubectl", "check", "-l", "app=x", "ha-lab"][..],
            "not both",
        ),
    ] {
        let out = r.flinkha(args, true).output().unwrap();
        let (code, _, err) = text(&out);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
    assert!(Path::new(&root().join("tests/kubectl/bin/kubectl")).is_file());
}

//! Real JobManager logs (a corpus scenario: one file per JobManager process) rendered as the
//! collectors and log stores hold them, each after its tool's documentation (cited in the
//! `flinkha::input` module of that layout): CRI files under `/var/log/pods` and
//! `/var/log/containers`, Docker json-file, stern, Loki (logcli jsonl, query_range), an
//! Elasticsearch search response of Filebeat documents, Fluent Bit documents one per line,
//! `gcloud logging read --format=json`, `aws logs filter-log-events`.
//!
//! Each JobManager becomes a pod. The collector's instant of a line is the record's own
//! instant plus a small delivery lag, strictly increasing within a log as a runtime stamps
//! them; lines longer than the split size are cut into partial lines where the tool would.
//! Shared by `tests/collector_forms.rs` (the committed samples and the real binary) and the
//! test over every corpus scenario.

#![allow(dead_code)] // each test binary uses part of it

use chrono::{DateTime, FixedOffset, NaiveDateTime, SecondsFormat, Utc};
use flate2::write::GzEncoder;
use serde_json::{json, Map, Value};
use std::io::Write;
use std::path::Path;

/// Kubernetes namespace of every pod.
pub const NAMESPACE: &str = "flink";
/// The JobManager's container, as Flink names it.
pub const CONTAINER: &str = "flink-main-container";
/// The runtime's delivery lag added to a record's instant.
const LAG_NS: i64 = 123_456;
/// Where the kubelet and Docker split long lines.
pub const RUNTIME_SPLIT: usize = 16 * 1024;
/// Pod name endings, one per JobManager.
const POD_ENDINGS: &[&str] = &["x2k4p", "m4q7z", "t8w3n", "b6r2c", "h5j8d", "q9v1s"];

/// One physical line of a JobManager log with the collector's instant.
#[derive(Clone, Debug)]
pub struct Line {
    /// What the JobManager wrote.
    pub text: String,
    /// Collector instant, epoch nanoseconds.
    pub ns: i64,
}

/// One JobManager's log.
#[derive(Clone, Debug)]
pub struct Log {
    /// The corpus file name.
    pub file: String,
    /// Its pod.
    pub pod: String,
    /// Its pod's UID.
    pub uid: String,
    /// Its container id (64 hex digits).
    pub id: String,
    /// Its lines.
    pub lines: Vec<Line>,
}

impl Log {
    fn first_ns(&self) -> i64 {
        self.lines.first().map_or(0, |l| l.ns)
    }
    fn last_ns(&self) -> i64 {
        self.lines.last().map_or(0, |l| l.ns)
    }
}

/// The JobManager logs (`*.log`) of a scenario directory, in name order.
pub fn read_scenario(dir: &Path) -> Vec<Log> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".log"))
        .collect();
    names.sort();
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let text = std::fs::read_to_string(dir.join(name)).expect("read log");
            let raw: Vec<&str> = text.lines().collect();
            Log {
                file: name.clone(),
                pod: format!(
                    "ha-lab-jobmanager-7c9d8f6b5-{}",
                    POD_ENDINGS[i % POD_ENDINGS.len()]
                ),
                uid: format!(
                    "0f8e6d2c-1234-4abc-9def-{:012x}",
                    0xa1b2c3d4e5u64 + i as u64
                ),
                id: format!("{:016x}", 0x4f2c_1d0e_9b8a_7f6eu64 + i as u64).repeat(4),
                lines: instants(&raw),
            }
        })
        .collect()
}

/// The log4j instant at the start of a record line, epoch milliseconds.
fn record_ms(line: &str) -> Option<i64> {
    let head = line.get(..23)?;
    let t = NaiveDateTime::parse_from_str(head, "%Y-%m-%d %H:%M:%S,%3f").ok()?;
    Some(t.and_utc().timestamp_millis())
}

fn instants(raw: &[&str]) -> Vec<Line> {
    let first = raw.iter().find_map(|l| record_ms(l)).unwrap_or(0);
    let mut current = first;
    let mut prev = i64::MIN;
    raw.iter()
        .map(|l| {
            if let Some(ms) = record_ms(l) {
                current = ms;
            }
            let ns = (current * 1_000_000 + LAG_NS).max(prev.saturating_add(1_000));
            prev = ns;
            Line {
                text: (*l).to_string(),
                ns,
            }
        })
        .collect()
}

/// Every format, by name (the sample's name without extension).
pub const FORMATS: &[&str] = &[
    "cri-pods",
    "cri-pods-restarts",
    "cri-containers",
    "docker",
    "stern",
    "stern-timestamps",
    "stern-timestamps-short",
    "stern-color-namespaces",
    "loki-backward",
    "loki-forward-raw-cri",
    "loki-query-range",
    "elasticsearch-filebeat",
    "elasticsearch-fluent-bit",
    "gcloud",
    "cloudwatch-fluent-bit",
    "cloudwatch",
];

/// One rendered input: files (path relative to the output root, bytes) and the path to
/// hand flinkha (a file or a directory, relative to the root).
pub struct Rendered {
    pub files: Vec<(String, Vec<u8>)>,
    pub input: String,
}

/// `logs` in format `name`, lines split at `split` bytes; `None` when the format does not
/// fit the scenario (restarts need JobManagers one after the other).
pub fn render(name: &str, logs: &[Log], split: usize) -> Option<Rendered> {
    let one = |file: &str, text: String| Rendered {
        files: vec![(file.to_string(), text.into_bytes())],
        input: file.to_string(),
    };
    Some(match name {
        "cri-pods" => cri_pods(logs, split, false)?,
        "cri-pods-restarts" => cri_pods(logs, split, true)?,
        "cri-containers" => cri_containers(logs, split),
        "docker" => docker(logs, split),
        "stern" => one("stern.log", stern(logs, Stamp::None, false, false, true)),
        "stern-timestamps" => one(
            "stern-timestamps.log",
            stern(logs, Stamp::Default, false, false, false),
        ),
        "stern-timestamps-short" => one(
            "stern-timestamps-short.log",
            stern(logs, Stamp::Short, false, false, true),
        ),
        "stern-color-namespaces" => one(
            "stern-color-namespaces.log",
            stern(logs, Stamp::None, true, true, true),
        ),
        "loki-backward" => one("loki-backward.jsonl", loki_jsonl(logs, true, None)),
        "loki-forward-raw-cri" => one(
            "loki-forward-raw-cri.jsonl",
            loki_jsonl(logs, false, Some(split)),
        ),
        "loki-query-range" => one("loki-query-range.json", loki_query_range(logs)),
        "elasticsearch-filebeat" => one("elasticsearch-filebeat.json", es_filebeat(logs)),
        "elasticsearch-fluent-bit" => one("elasticsearch-fluent-bit.ndjson", es_fluent_bit(logs)),
        "gcloud" => one("gcloud.json", gcloud(logs)),
        "cloudwatch-fluent-bit" => one("cloudwatch-fluent-bit.json", cloudwatch(logs, true)),
        "cloudwatch" => one("cloudwatch.json", cloudwatch(logs, false)),
        other => panic!("unknown format {other}"),
    })
}

/// `ns` as RFC 3339 in UTC with nine fraction digits (the kubelet's `RFC3339NanoFixed`).
fn rfc3339_fixed(ns: i64) -> String {
    DateTime::from_timestamp_nanos(ns).to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// Go's `RFC3339Nano` (trailing zeros of the fraction dropped), in `offset`.
fn rfc3339_go(ns: i64, offset: Option<FixedOffset>) -> String {
    let t = DateTime::from_timestamp_nanos(ns);
    let s = match offset {
        Some(o) => t
            .with_timezone(&o)
            .to_rfc3339_opts(SecondsFormat::Nanos, false),
        None => t.to_rfc3339_opts(SecondsFormat::Nanos, true),
    };
    // "…31.120000000Z" -> "…31.12Z"
    match s.find('.') {
        Some(dot) => {
            let end = s[dot..]
                .find(|c: char| !c.is_ascii_digit() && c != '.')
                .map_or(s.len(), |p| dot + p);
            let frac = s[dot + 1..end].trim_end_matches('0');
            if frac.is_empty() {
                format!("{}{}", &s[..dot], &s[end..])
            } else {
                format!("{}.{}{}", &s[..dot], frac, &s[end..])
            }
        }
        None => s,
    }
}

/// Milliseconds (Elasticsearch's `date`, CloudWatch).
fn ms(ns: i64) -> i64 {
    ns.div_euclid(1_000_000)
}

fn rfc3339_ms(ns: i64) -> String {
    DateTime::from_timestamp_millis(ms(ns))
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `text` cut into parts of at most `size` bytes (at character boundaries).
fn parts(text: &str, size: usize) -> Vec<&str> {
    if text.len() <= size {
        return vec![text];
    }
    let mut out = Vec::new();
    let mut rest = text;
    while rest.len() > size {
        let mut cut = size;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    out.push(rest);
    out
}

/// A log's lines as CRI lines, long ones as `P` parts and a final `F`.
fn cri_lines(log: &Log, split: usize) -> Vec<String> {
    let mut out = Vec::new();
    for l in &log.lines {
        let ps = parts(&l.text, split);
        let n = ps.len();
        for (j, p) in ps.into_iter().enumerate() {
            let tag = if j + 1 == n { "F" } else { "P" };
            out.push(format!(
                "{} stdout {tag} {p}",
                rfc3339_fixed(l.ns + j as i64)
            ));
        }
    }
    out
}

fn gz(text: &str) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(text.as_bytes()).expect("gzip");
    enc.finish().expect("gzip")
}

fn joined(lines: &[String]) -> String {
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

/// `/var/log/pods/NS_POD_UID/CONTAINER/`: each log rotated twice by the kubelet (the older
/// part compressed); with `restarts`, logs that ran one after the other are restarts of
/// one pod (`0.log`, `1.log`, …).
fn cri_pods(logs: &[Log], split: usize, restarts: bool) -> Option<Rendered> {
    let mut files = Vec::new();
    if restarts {
        let mut order: Vec<&Log> = logs.iter().collect();
        order.sort_by_key(|l| l.first_ns());
        if order.len() < 2 || order.windows(2).any(|w| w[0].last_ns() >= w[1].first_ns()) {
            return None;
        }
        let pod = order[0];
        for (n, log) in order.iter().enumerate() {
            let dir = format!(
                "var/log/pods/{NAMESPACE}_{}_{}/{CONTAINER}",
                pod.pod, pod.uid
            );
            files.extend(rotated(&dir, n, &cri_lines(log, split), log));
        }
    } else {
        for log in logs {
            let dir = format!(
                "var/log/pods/{NAMESPACE}_{}_{}/{CONTAINER}",
                log.pod, log.uid
            );
            files.extend(rotated(&dir, 0, &cri_lines(log, split), log));
        }
    }
    Some(Rendered {
        files,
        input: "var/log/pods".to_string(),
    })
}

/// The live file `N.log` and two rotated parts before it, named after the instant of
/// their last line (`N.log.YYYYMMDD-HHMMSS`, the older one compressed).
fn rotated(dir: &str, n: usize, lines: &[String], log: &Log) -> Vec<(String, Vec<u8>)> {
    if lines.len() < 30 {
        return vec![(format!("{dir}/{n}.log"), joined(lines).into_bytes())];
    }
    let a = lines.len() / 3;
    let b = 2 * lines.len() / 3;
    let stamp = |i: usize| {
        // The instant of the CRI line just before the cut.
        let t = lines[i - 1].get(..30).unwrap_or("");
        let t = DateTime::parse_from_rfc3339(t)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|_| DateTime::from_timestamp_nanos(log.first_ns()));
        t.format("%Y%m%d-%H%M%S").to_string()
    };
    vec![
        (
            format!("{dir}/{n}.log.{}.gz", stamp(a)),
            gz(&joined(&lines[..a])),
        ),
        (
            format!("{dir}/{n}.log.{}", stamp(b)),
            joined(&lines[a..b]).into_bytes(),
        ),
        (format!("{dir}/{n}.log"), joined(&lines[b..]).into_bytes()),
    ]
}

/// `/var/log/containers/POD_NS_CONTAINER-ID.log`, one per container instance.
fn cri_containers(logs: &[Log], split: usize) -> Rendered {
    let files = logs
        .iter()
        .map(|log| {
            (
                format!(
                    "var/log/containers/{}_{NAMESPACE}_{CONTAINER}-{}.log",
                    log.pod, log.id
                ),
                joined(&cri_lines(log, split)).into_bytes(),
            )
        })
        .collect();
    Rendered {
        files,
        input: "var/log/containers".to_string(),
    }
}

/// `/var/lib/docker/containers/ID/ID-json.log`; long lines as records without `\n`.
fn docker(logs: &[Log], split: usize) -> Rendered {
    let files = logs
        .iter()
        .map(|log| {
            let mut out = Vec::new();
            for l in &log.lines {
                let ps = parts(&l.text, split);
                let n = ps.len();
                for (j, p) in ps.into_iter().enumerate() {
                    let text = if j + 1 == n {
                        format!("{p}\n")
                    } else {
                        p.to_string()
                    };
                    let rec = json!({"log": text, "stream": "stdout", "time": rfc3339_go(l.ns + j as i64, None)});
                    out.push(rec.to_string());
                }
            }
            (
                format!("var/lib/docker/containers/{0}/{0}-json.log", log.id),
                joined(&out).into_bytes(),
            )
        })
        .collect();
    Rendered {
        files,
        input: "var/lib/docker/containers".to_string(),
    }
}

/// Every line of every log with its log's index, by instant (a live tail of all pods).
fn merged(logs: &[Log]) -> Vec<(usize, &Line)> {
    let mut all: Vec<(usize, &Line)> = logs
        .iter()
        .enumerate()
        .flat_map(|(i, log)| log.lines.iter().map(move |l| (i, l)))
        .collect();
    all.sort_by_key(|(i, l)| (l.ns, *i));
    all
}

/// The local zone of the machine that ran the export (`--timezone Local`).
fn local_zone() -> FixedOffset {
    FixedOffset::east_opt(2 * 3600).expect("offset")
}

/// stern's `--timestamps` choice (`stern/tail.go`: `TimestampFormatDefault`,
/// `TimestampFormatShort`).
#[derive(Clone, Copy)]
enum Stamp {
    /// No `--timestamps`.
    None,
    /// `--timestamps`: RFC 3339 with nine digits, in the local zone.
    Default,
    /// `--timestamps=short`: `01-02 15:04:05`, local, no year, no fraction.
    Short,
}

/// stern's default template; `interleaved`: as `stern` (following) writes pods, else one
/// pod after the other (`--no-follow`).
fn stern(logs: &[Log], stamp: Stamp, namespace: bool, color: bool, interleaved: bool) -> String {
    let lines: Vec<(usize, &Line)> = if interleaved {
        merged(logs)
    } else {
        logs.iter()
            .enumerate()
            .flat_map(|(i, log)| log.lines.iter().map(move |l| (i, l)))
            .collect()
    };
    let paint = |code: &str, s: &str| {
        if color {
            format!("\u{1b}[{code}m{s}\u{1b}[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = Vec::new();
    for (i, l) in lines {
        let pod_color = ["31", "32", "33", "34", "35", "36"][i % 6];
        let mut s = String::new();
        if namespace {
            s.push_str(&paint(pod_color, NAMESPACE));
            s.push(' ');
        }
        s.push_str(&paint(pod_color, &logs[i].pod));
        s.push(' ');
        s.push_str(&paint(&format!("1;{pod_color}"), CONTAINER));
        s.push(' ');
        let format = match stamp {
            Stamp::None => None,
            Stamp::Default => Some("%Y-%m-%dT%H:%M:%S%.9f%:z"),
            Stamp::Short => Some("%m-%d %H:%M:%S"),
        };
        if let Some(format) = format {
            let t = DateTime::from_timestamp_nanos(l.ns).with_timezone(&local_zone());
            s.push_str(&t.format(format).to_string());
            s.push(' ');
        }
        s.push_str(&l.text);
        out.push(s);
    }
    joined(&out)
}

fn stream_labels(log: &Log) -> Map<String, Value> {
    let v = json!({
        "container": CONTAINER,
        "job": format!("{NAMESPACE}/ha-lab-jobmanager"),
        "namespace": NAMESPACE,
        "pod": log.pod,
        "stream": "stdout",
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// `logcli query --output=jsonl`: labels common to every stream left out, timestamps in the
/// local zone; backward (logcli's default) is newest first. With `raw_cri`, the lines are
/// the CRI lines Promtail shipped without its `cri` stage (parts and all).
fn loki_jsonl(logs: &[Log], backward: bool, raw_cri: Option<usize>) -> String {
    let label_sets: Vec<Map<String, Value>> = logs.iter().map(stream_labels).collect();
    let common: Vec<String> = label_sets
        .first()
        .map(|first| {
            first
                .iter()
                .filter(|(k, v)| label_sets.iter().all(|s| s.get(*k) == Some(*v)))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default();
    let shown: Vec<Map<String, Value>> = label_sets
        .into_iter()
        .map(|mut s| {
            s.retain(|k, _| !common.contains(k));
            s
        })
        .collect();
    let mut entries: Vec<(i64, usize, String)> = Vec::new();
    for (i, log) in logs.iter().enumerate() {
        match raw_cri {
            Some(split) => {
                for c in cri_lines(log, split) {
                    let t = DateTime::parse_from_rfc3339(&c[..30]).expect("cri ts");
                    let ns = t.timestamp_nanos_opt().expect("ns") + 500_000;
                    entries.push((ns, i, c));
                }
            }
            None => entries.extend(log.lines.iter().map(|l| (l.ns, i, l.text.clone()))),
        }
    }
    entries.sort_by_key(|(ns, i, _)| (*ns, *i));
    if backward {
        entries.reverse();
    }
    let out: Vec<String> = entries
        .into_iter()
        .map(|(ns, i, line)| {
            // Go marshals a map with its keys in order: labels, line, timestamp.
            json!({"labels": shown[i], "line": line, "timestamp": rfc3339_go(ns, Some(local_zone()))})
                .to_string()
        })
        .collect();
    joined(&out)
}

/// The HTTP API's `query_range` response (direction backward, the default).
fn loki_query_range(logs: &[Log]) -> String {
    let result: Vec<Value> = logs
        .iter()
        .map(|log| {
            let values: Vec<Value> = log
                .lines
                .iter()
                .rev()
                .map(|l| json!([l.ns.to_string(), l.text]))
                .collect();
            json!({"stream": stream_labels(log), "values": values})
        })
        .collect();
    let doc = json!({
        "status": "success",
        "data": {
            "resultType": "streams",
            "result": result,
            "stats": {"summary": {"bytesProcessedPerSecond": 0, "execTime": 0.1, "totalEntriesReturned": logs.iter().map(|l| l.lines.len()).sum::<usize>()}}
        }
    });
    doc.to_string() + "\n"
}

/// A deterministic shuffle (relevance order is no time order).
fn shuffle<T>(v: &mut [T], seed: u64) {
    let mut x = seed | 1;
    for i in (1..v.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.swap(i, (x % (i as u64 + 1)) as usize);
    }
}

fn pretty(v: &Value, indent: &[u8]) -> String {
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(indent);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    serde::Serialize::serialize(v, &mut ser).expect("json");
    out.push(b'\n');
    String::from_utf8(out).expect("utf-8")
}

/// Filebeat's ECS documents of each log (container input on `/var/log/containers`, with
/// `add_kubernetes_metadata`), `log.offset` the byte offset of the CRI line.
fn filebeat_docs(logs: &[Log]) -> Vec<Value> {
    let mut docs = Vec::new();
    for log in logs {
        let mut offset = 0u64;
        let path = format!(
            "/var/log/containers/{}_{NAMESPACE}_{CONTAINER}-{}.log",
            log.pod, log.id
        );
        for l in &log.lines {
            docs.push(json!({
                "@timestamp": rfc3339_ms(l.ns),
                "message": l.text,
                "stream": "stdout",
                "log": {"offset": offset, "file": {"path": path}},
                "input": {"type": "container"},
                "ecs": {"version": "8.0.0"},
                "agent": {"type": "filebeat", "version": "8.13.4", "name": "filebeat-7k2xq"},
                "host": {"name": "node-1"},
                "container": {"id": log.id, "runtime": "containerd", "image": {"name": "flink:1.20.0-java17"}},
                "kubernetes": {
                    "namespace": NAMESPACE,
                    "pod": {"name": log.pod, "uid": log.uid},
                    "container": {"name": CONTAINER},
                    "node": {"name": "node-1"},
                    "labels": {"app": "ha-lab", "component": "jobmanager"}
                }
            }));
            offset += (l.text.len() + 41) as u64;
        }
    }
    docs
}

/// A `_search` response (`?pretty`) of Filebeat's documents, hits in relevance order.
fn es_filebeat(logs: &[Log]) -> String {
    let mut hits: Vec<Value> = filebeat_docs(logs)
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            json!({"_index": ".ds-filebeat-8.13.4-2026.12.01-000001", "_id": format!("fb{i:07}"), "_score": 1.0 + (i % 7) as f64 / 10.0, "_source": d})
        })
        .collect();
    shuffle(&mut hits, 0x9e37_79b9_7f4a_7c15);
    let n = hits.len();
    let doc = json!({
        "took": 42, "timed_out": false,
        "_shards": {"total": 2, "successful": 2, "skipped": 0, "failed": 0},
        "hits": {"total": {"value": n, "relation": "eq"}, "max_score": 1.6, "hits": hits}
    });
    pretty(&doc, b"  ")
}

/// Fluent Bit's documents (tail input with the `cri` multiline parser, kubernetes filter,
/// es output), one hit per line as `elasticdump` writes them, two shards one after the other.
fn es_fluent_bit(logs: &[Log]) -> String {
    let mut shards: [Vec<String>; 2] = [Vec::new(), Vec::new()];
    let mut n = 0usize;
    for (i, log) in logs.iter().enumerate() {
        for l in &log.lines {
            let doc = json!({
                "@timestamp": rfc3339_ms(l.ns),
                "time": rfc3339_fixed(l.ns),
                "stream": "stdout",
                "_p": "F",
                "log": l.text,
                "kubernetes": {
                    "pod_name": log.pod,
                    "namespace_name": NAMESPACE,
                    "pod_id": log.uid,
                    "labels": {"app": "ha-lab", "component": "jobmanager"},
                    "host": "node-1",
                    "container_name": CONTAINER,
                    "docker_id": log.id,
                    "container_image": "flink:1.20.0-java17"
                }
            });
            let hit = json!({"_index": "logstash-2026.12.01", "_id": format!("f{i}{n:07}"), "_score": 1, "_source": doc});
            shards[n % 2].push(hit.to_string());
            n += 1;
        }
    }
    let mut out: Vec<String> = shards[0].clone();
    out.extend(shards[1].iter().cloned());
    joined(&out)
}

/// `gcloud logging read --format=json`: newest first.
fn gcloud(logs: &[Log]) -> String {
    let mut entries: Vec<Value> = merged(logs)
        .into_iter()
        .enumerate()
        .map(|(k, (i, l))| {
            let log = &logs[i];
            json!({
                "insertId": format!("{:x}{k:06}", 0x5f3a_u32 + i as u32),
                "labels": {"compute.googleapis.com/resource_name": "gke-lab-default-pool-1", "k8s-pod/app": "ha-lab"},
                "logName": "projects/flink-lab/logs/stdout",
                "receiveTimestamp": rfc3339_fixed(l.ns + 1_500_000_000),
                "resource": {"labels": {"cluster_name": "lab", "container_name": CONTAINER, "location": "europe-west1", "namespace_name": NAMESPACE, "pod_name": log.pod, "project_id": "flink-lab"}, "type": "k8s_container"},
                "severity": "INFO",
                "textPayload": l.text,
                "timestamp": rfc3339_fixed(l.ns)
            })
        })
        .collect();
    entries.reverse();
    pretty(&Value::Array(entries), b"  ")
}

/// `aws logs filter-log-events` over Container Insights' application log group: one stream
/// per container file, events oldest first, messages Fluent Bit's JSON or (`log_key log`)
/// the line itself.
fn cloudwatch(logs: &[Log], fluent_bit: bool) -> String {
    let stream = |log: &Log| {
        format!(
            "ip-10-0-1-23.eu-west-1.compute.internal-application.var.log.containers.{}_{NAMESPACE}_{CONTAINER}-{}.log",
            log.pod, log.id
        )
    };
    let events: Vec<Value> = merged(logs)
        .into_iter()
        .enumerate()
        .map(|(k, (i, l))| {
            let log = &logs[i];
            let message = if fluent_bit {
                json!({
                    "time": rfc3339_fixed(l.ns),
                    "stream": "stdout",
                    "_p": "F",
                    "log": l.text,
                    "kubernetes": {"pod_name": log.pod, "namespace_name": NAMESPACE, "pod_id": log.uid, "host": "ip-10-0-1-23.eu-west-1.compute.internal", "container_name": CONTAINER, "docker_id": log.id}
                })
                .to_string()
            } else {
                l.text.clone()
            };
            json!({
                "logStreamName": stream(log),
                "timestamp": ms(l.ns),
                "message": message,
                "ingestionTime": ms(l.ns) + 1_200,
                "eventId": format!("{:056}", k)
            })
        })
        .collect();
    let streams: Vec<Value> = logs
        .iter()
        .map(|l| json!({"logStreamName": stream(l), "searchedCompletely": true}))
        .collect();
    pretty(
        &json!({"events": events, "searchedLogStreams": streams}),
        b"    ",
    )
}

/// Write `r` below `root`; the path to hand flinkha.
pub fn write(r: &Rendered, root: &Path) -> std::path::PathBuf {
    for (rel, bytes) in &r.files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, bytes).expect("write");
    }
    root.join(&r.input)
}

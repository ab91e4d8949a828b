//! The names JobManagers get in reports: from the source (file, pod), numbered per
//! restart, with directories added where two sources would read alike.

use super::*;
use std::collections::HashMap;

/// The log a source belongs to: a rotated part `x.log.1` (or `x.log.1.gz`) belongs to
/// `x.log`, so one process's log split by log4j's size rotation stays one incarnation.
pub fn stream_key(source: &str) -> &str {
    crate::input::rotation_base(source)
}

/// A short label for a log: `standalonesession-0` for `flink-root-standalonesession-0-vm.log`,
/// the file stem otherwise.
pub fn base_label(source: &str) -> String {
    let source = stream_key(source);
    let base = source.rsplit(['/', '\\']).next().unwrap_or(source);
    let mut stem = base;
    for ext in [".gz", ".log", ".txt", ".json", ".jsonl"] {
        stem = stem.strip_suffix(ext).unwrap_or(stem);
    }
    let parts: Vec<&str> = stem.split('-').collect();
    match parts.get(2..parts.len().saturating_sub(1)) {
        Some(mid) if stem.starts_with("flink-") && parts.len() >= 5 => mid.join("-"),
        _ => stem.to_string(),
    }
}

impl Model {
    pub(super) fn label_for(&self, source: &str) -> String {
        let source = stream_key(source);
        let label = base_label(source);
        let n = self
            .incs
            .iter()
            .filter(|i| stream_key(&i.source) == source)
            .count();
        if n == 0 {
            label
        } else {
            format!("{label} #{}", n + 1)
        }
    }
}

/// Labels come from file names, so the logs of two JobManagers on two hosts (`host-a/flink-…-
/// standalonesession-0-….log`, `host-b/…` with the same name) would read alike: prefix such
/// labels with as many of their directories as it takes to tell the sources apart.
pub(super) fn disambiguate_labels(incs: &mut [Incarnation]) {
    let base = |label: &str| label.split(" #").next().unwrap_or(label).to_string();
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, inc) in incs.iter().enumerate() {
        groups.entry(base(&inc.label)).or_default().push(i);
    }
    for members in groups.values() {
        let mut streams: Vec<&str> = members
            .iter()
            .filter_map(|&i| incs.get(i).map(|inc| stream_key(&inc.source)))
            .collect();
        streams.sort_unstable();
        streams.dedup();
        if streams.len() < 2 {
            continue;
        }
        let dirs = |s: &str| -> Vec<String> {
            let mut parts: Vec<String> = s.split(['/', '\\']).map(str::to_string).collect();
            parts.pop();
            parts
        };
        let depth = (1..=streams.iter().map(|s| dirs(s).len()).max().unwrap_or(0)).find(|&k| {
            let mut seen: Vec<String> = streams
                .iter()
                .map(|s| {
                    let d = dirs(s);
                    d[d.len().saturating_sub(k)..].join("/")
                })
                .collect();
            seen.sort_unstable();
            seen.dedup();
            seen.len() == streams.len()
        });
        let Some(k) = depth else { continue };
        let updates: Vec<(usize, String)> = members
            .iter()
            .filter_map(|&i| {
                let inc = incs.get(i)?;
                let d = dirs(stream_key(&inc.source));
                let prefix = d[d.len().saturating_sub(k)..].join("/");
                (!prefix.is_empty()).then(|| (i, format!("{prefix}/{}", inc.label)))
            })
            .collect();
        for (i, label) in updates {
            if let Some(inc) = incs.get_mut(i) {
                inc.label = label;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inc(source: &str, label: &str) -> Incarnation {
        Incarnation {
            id: 0,
            source: source.to_string(),
            label: label.to_string(),
            first_ts: DateTime::<Utc>::MIN_UTC,
            last_ts: DateTime::<Utc>::MIN_UTC,
            version: None,
            entrypoint: None,
            identity: None,
            end: IncarnationEnd::LogEnds,
            stopping_ts: None,
            stop_reason: None,
            application: false,
            application_status: None,
        }
    }

    #[test]
    fn same_file_names_on_two_hosts_get_their_directories() {
        let mut incs = vec![
            inc(
                "logs/host-a/flink-root-standalonesession-0-vm.log",
                "standalonesession-0",
            ),
            inc(
                "logs/host-b/flink-root-standalonesession-0-vm.log",
                "standalonesession-0",
            ),
            inc(
                "logs/host-b/flink-root-standalonesession-0-vm.log",
                "standalonesession-0 #2",
            ),
            inc(
                "logs/host-a/flink-root-standalonesession-1-vm.log",
                "standalonesession-1",
            ),
        ];
        disambiguate_labels(&mut incs);
        let labels: Vec<&str> = incs.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "host-a/standalonesession-0",
                "host-b/standalonesession-0",
                "host-b/standalonesession-0 #2",
                "standalonesession-1"
            ]
        );
    }

    #[test]
    fn directories_are_added_until_the_sources_differ() {
        let mut incs = vec![
            inc(
                "a/x/jm/flink-root-standalonesession-0-vm.log",
                "standalonesession-0",
            ),
            inc(
                "b/x/jm/flink-root-standalonesession-0-vm.log",
                "standalonesession-0",
            ),
            inc(
                "flink-root-standalonesession-0-vm.log.1",
                "standalonesession-0",
            ),
        ];
        disambiguate_labels(&mut incs);
        let labels: Vec<&str> = incs.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "a/x/jm/standalonesession-0",
                "b/x/jm/standalonesession-0",
                "standalonesession-0"
            ]
        );
    }
}

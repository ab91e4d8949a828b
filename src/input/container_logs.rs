//! The files of one container's log read as one input: the kubelet's rotated parts
//! (`0.log.20240506-101530.gz`, `0.log.20240506-111530`, `0.log`) and restarts (`0.log`,
//! `1.log`, …) of `/var/log/pods/NS_POD_UID/CONTAINER/`, or the instances of one container
//! under `/var/log/containers/`, in the order they were written, named after the pod (see
//! [`super::kube_paths`]). Restarts are successive JobManagers in one source, as after a
//! container restart in `kubectl logs`; the checker tells them apart by their start banners.
//!
//! A file reached twice (a `/var/log/containers/` symlink and its `/var/log/pods/` target,
//! both below a directory given) is read once.

use super::kube_paths::{self, LogOrder, PodLogFile};
use super::{os_message, Counting, Input, Origin, BUF_SIZE};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet, VecDeque};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// Flink's name for the JobManager's (and TaskManager's) main container in native
/// Kubernetes and operator deployments: the pod's source keeps the pod's name for it.
const FLINK_MAIN_CONTAINER: &str = "flink-main-container";

/// Group the resolved inputs (`found`: listed from a directory): the files of one
/// container's log become one input named after the pod, at the place of its first file;
/// files reached twice through a directory are read once. Other inputs stay as they are.
pub(super) fn group(inputs: Vec<(Input, bool)>) -> Vec<Input> {
    struct Member {
        input: Input,
        info: PodLogFile,
        first: Option<DateTime<Utc>>,
    }
    enum Slot {
        Plain(Input),
        Group(String),
    }
    let mut slots = Vec::new();
    let mut groups: HashMap<String, Vec<Member>> = HashMap::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    for (input, found) in inputs {
        let Some(path) = input.path.clone() else {
            slots.push(Slot::Plain(input));
            continue;
        };
        let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if !seen.insert(canonical.clone()) && found {
            continue;
        }
        let info = kube_paths::parse(&canonical).or_else(|| kube_paths::parse(&path));
        match info {
            Some(info) => {
                let first = match (&info.order, &input.origin) {
                    (LogOrder::Container { .. }, Origin::File(f)) => first_instant(f),
                    _ => None,
                };
                let key = info.key.clone();
                let members = groups.entry(key.clone()).or_default();
                if members.is_empty() {
                    slots.push(Slot::Group(key));
                }
                members.push(Member { input, info, first });
            }
            None => slots.push(Slot::Plain(input)),
        }
    }
    // Source names: the pod's, for its main container (Flink's, else the first by name);
    // `pod/container` for the others, as `kubectl logs --prefix` sources are named.
    let mut containers: HashMap<(String, String), Vec<String>> = HashMap::new();
    for members in groups.values() {
        if let Some(m) = members.first() {
            let c = containers
                .entry((m.info.namespace.clone(), m.info.pod.clone()))
                .or_default();
            if !c.contains(&m.info.container) {
                c.push(m.info.container.clone());
            }
        }
    }
    for c in containers.values_mut() {
        c.sort_by_key(|n| (n != FLINK_MAIN_CONTAINER, n.clone()));
    }
    let mut out = Vec::with_capacity(slots.len());
    for slot in slots {
        match slot {
            Slot::Plain(i) => out.push(i),
            Slot::Group(key) => {
                let Some(mut members) = groups.remove(&key) else {
                    continue;
                };
                members.sort_by(|a, b| match (&a.info.order, &b.info.order) {
                    // Instances of one container: by their first line's instant.
                    (LogOrder::Container { id: ia }, LogOrder::Container { id: ib }) => {
                        (a.first.is_none(), a.first, ia).cmp(&(b.first.is_none(), b.first, ib))
                    }
                    (oa, ob) => oa.cmp(ob),
                });
                let Some(info) = members.first().map(|m| m.info.clone()) else {
                    continue;
                };
                let main = containers
                    .get(&(info.namespace.clone(), info.pod.clone()))
                    .and_then(|c| c.first())
                    .map_or(true, |c| *c == info.container);
                let name = if main {
                    info.pod.clone()
                } else {
                    format!("{}/{}", info.pod, info.container)
                };
                out.push(chain(name, members.into_iter().map(|m| m.input).collect()));
            }
        }
    }
    out
}

/// One input of the given files, in order, named `name`.
fn chain(name: String, mut files: Vec<Input>) -> Input {
    if files.len() == 1 {
        if let Some(mut only) = files.pop() {
            only.name = Arc::from(name);
            return only;
        }
    }
    let size = files.iter().map(|f| f.size).sum();
    let path = files
        .last()
        .and_then(|f| f.path.as_ref())
        .and_then(|p| p.parent())
        .map(|p| p.to_path_buf());
    let parts = files
        .into_iter()
        .filter_map(|f| match (f.origin, f.path) {
            (Origin::File(file), Some(p)) => Some((p, file)),
            _ => None,
        })
        .collect();
    Input {
        name: Arc::from(name),
        path,
        size,
        origin: Origin::Chain(parts),
    }
}

/// The CRI timestamp at the start of a file, read without moving its position.
fn first_instant(f: &File) -> Option<DateTime<Utc>> {
    let mut buf = [0u8; 64];
    #[cfg(unix)]
    let n = std::os::unix::fs::FileExt::read_at(f, &mut buf, 0).ok()?;
    #[cfg(windows)]
    let n = std::os::windows::fs::FileExt::seek_read(f, &mut buf, 0).ok()?;
    #[cfg(not(any(unix, windows)))]
    let n = {
        let _ = f;
        0
    };
    super::parse_rfc3339_prefix(buf.get(..n)?).map(|(t, _)| t)
}

/// The files of a chained input read one after the other, each decompressed by itself
/// when it starts with the gzip magic bytes; a file whose last line lacks its newline gets
/// one, so that lines never run into the next file. Errors name the file.
pub(super) struct ChainReader {
    files: VecDeque<(PathBuf, File)>,
    current: Option<(PathBuf, Box<dyn BufRead + Send>)>,
    counter: Arc<AtomicU64>,
    /// Whether the current file delivered bytes, and whether the last one was `\n`.
    any: bool,
    newline: bool,
    owe_newline: bool,
}

impl ChainReader {
    pub(super) fn new(files: Vec<(PathBuf, File)>, counter: Arc<AtomicU64>) -> Self {
        ChainReader {
            files: files.into(),
            current: None,
            counter,
            any: false,
            newline: true,
            owe_newline: false,
        }
    }
}

impl Read for ChainReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.owe_newline {
                self.owe_newline = false;
                if let Some(b) = buf.first_mut() {
                    *b = b'\n';
                }
                return Ok(1);
            }
            let Some((path, reader)) = self.current.as_mut() else {
                let Some((path, file)) = self.files.pop_front() else {
                    return Ok(0);
                };
                let raw = BufReader::with_capacity(
                    BUF_SIZE,
                    Counting {
                        inner: Box::new(file) as Box<dyn Read + Send>,
                        counter: self.counter.clone(),
                    },
                );
                let reader = super::decompressing(raw).map_err(|e| {
                    io::Error::new(e.kind(), format!("{}: {}", path.display(), os_message(&e)))
                })?;
                self.current = Some((path, reader));
                self.any = false;
                continue;
            };
            match reader.read(buf) {
                Ok(0) => {
                    self.owe_newline = self.any && !self.newline;
                    self.current = None;
                }
                Ok(n) => {
                    self.any = true;
                    self.newline = buf.get(n - 1) == Some(&b'\n');
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(io::Error::new(
                        e.kind(),
                        format!("{}: {}", path.display(), os_message(&e)),
                    ))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::resolve;
    use super::*;
    use std::io::Write;
    use std::path::Path;

    const UID: &str = "0f8e6d2c-1234-4abc-9def-0123456789ab";

    fn gz(text: &str) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(text.as_bytes()).unwrap();
        enc.finish().unwrap()
    }

    fn read_all(i: Input) -> Result<String, io::Error> {
        let mut s = String::new();
        i.into_reader(Arc::new(AtomicU64::new(0)))?
            .read_to_string(&mut s)?;
        Ok(s)
    }

    fn names(inputs: &[Input]) -> Vec<String> {
        inputs.iter().map(|i| i.name.to_string()).collect()
    }

    #[test]
    fn rotations_and_restarts_are_one_input_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let pods = dir.path().join("pods");
        let main = pods.join(format!("flink_jm-a_{UID}/flink-main-container"));
        let side = pods.join(format!("flink_jm-a_{UID}/envoy"));
        std::fs::create_dir_all(&main).unwrap();
        std::fs::create_dir_all(&side).unwrap();
        std::fs::write(main.join("0.log.20240506-101530.gz"), gz("a1\na2\n")).unwrap();
        std::fs::write(main.join("0.log.20240506-111530"), "a3\na4").unwrap();
        std::fs::write(main.join("0.log"), "a5\n").unwrap();
        std::fs::write(main.join("1.log"), "b1\n").unwrap();
        std::fs::write(main.join("1.log.tmp"), "skipped\n").unwrap();
        std::fs::write(side.join("0.log"), "s1\n").unwrap();
        // The kubelet's symlink to the live file of the restarted container.
        let containers = dir.path().join("containers");
        std::fs::create_dir_all(&containers).unwrap();
        let id = "ab".repeat(32);
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            main.join("1.log"),
            containers.join(format!("jm-a_flink_flink-main-container-{id}.log")),
        )
        .unwrap();
        let inputs = resolve(&[dir.path().to_path_buf()]).unwrap();
        // The main container keeps the pod's name although `envoy` sorts first.
        assert_eq!(names(&inputs), vec!["jm-a", "jm-a/envoy"]);
        let mut it = inputs.into_iter();
        let jm = it.next().unwrap();
        assert!(jm.size.unwrap() > 0);
        assert!(jm.shared_file().is_none());
        // Rotated parts first (the compressed one decompressed), a missing final newline
        // supplied, restarts after, the symlinked file once.
        assert_eq!(read_all(jm).unwrap(), "a1\na2\na3\na4\na5\nb1\n");
        assert_eq!(read_all(it.next().unwrap()).unwrap(), "s1\n");
    }

    #[test]
    fn container_instances_by_their_first_instant() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let name = |id: &str| format!("jm-b_flink_flink-main-container-{}.log", id.repeat(64));
        std::fs::write(
            d.join(name("a")),
            "2024-05-06T10:00:00.000000000Z stdout F later\n",
        )
        .unwrap();
        std::fs::write(
            d.join(name("b")),
            "2024-05-06T09:00:00.000000000Z stdout F earlier\n",
        )
        .unwrap();
        std::fs::write(d.join("other.log"), "x\n").unwrap();
        let inputs = resolve(&[d.to_path_buf()]).unwrap();
        assert_eq!(
            names(&inputs),
            vec!["jm-b", &d.join("other.log").display().to_string()]
        );
        let text = read_all(inputs.into_iter().next().unwrap()).unwrap();
        assert!(text.starts_with("2024-05-06T09"), "{text}");
    }

    #[test]
    fn a_single_file_is_named_after_its_pod_and_errors_name_the_part() {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path().join(format!("ns_jm-c_{UID}/c"));
        std::fs::create_dir_all(&c).unwrap();
        std::fs::write(c.join("0.log"), "x\n").unwrap();
        let one = resolve(&[c.join("0.log")]).unwrap();
        assert_eq!(names(&one), vec!["jm-c"]);
        assert_eq!(one[0].path.as_deref(), Some(c.join("0.log").as_path()));
        // A corrupt compressed part: the error says which.
        let mut bad = gz("y\n");
        let n = bad.len();
        bad.truncate(n - 10);
        std::fs::write(c.join("0.log.20240101-000000.gz"), bad).unwrap();
        let both = resolve(std::slice::from_ref(&c)).unwrap();
        assert_eq!(names(&both), vec!["jm-c"]);
        assert_eq!(both[0].path.as_deref(), Some(c.as_path()));
        let e = read_all(both.into_iter().next().unwrap()).unwrap_err();
        assert!(e.to_string().contains("0.log.20240101-000000.gz"), "{e}");
        // The same file given twice by hand is read twice, as before.
        let twice = resolve(&[c.join("0.log"), c.join("0.log")]).unwrap();
        assert_eq!(twice.len(), 1);
        assert!(Path::new(&*twice[0].name) == Path::new("jm-c"));
    }
}

//! Pod and container from the paths the kubelet writes container logs to:
//!
//! * `/var/log/pods/NAMESPACE_POD_UID/CONTAINER/N.log`: `N` is the container's restart count
//!   (`0.log`, then `1.log` after a restart: successive processes of one pod); the kubelet's
//!   log rotation renames the live file to `N.log.YYYYMMDD-HHMMSS` and later compresses it
//!   to `N.log.YYYYMMDD-HHMMSS.gz` (kubernetes `pkg/kubelet/logs/container_log_manager.go`:
//!   timestamp format `20060102-150405`, suffix `.gz`; `.tmp` files are work in progress);
//! * `/var/log/containers/POD_NAMESPACE_CONTAINER-CONTAINERID.log`: symlinks to the above,
//!   one per container instance (the name Fluent Bit and Filebeat tag records with, and
//!   CloudWatch log streams are named after).
//!
//! Only the last path components are looked at, so a copy of the tree elsewhere (a support
//! bundle, `kubectl cp` of a node's logs) reads the same.

use std::path::Path;

/// What a container log file's path says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodLogFile {
    /// Namespace.
    pub namespace: String,
    /// Pod name.
    pub pod: String,
    /// Container name.
    pub container: String,
    /// The part of the path that identifies this one container's log across rotations and
    /// restarts: the `NAMESPACE_POD_UID/CONTAINER` directory, or `POD_NS_CONTAINER`.
    pub key: String,
    /// Where the file goes in its container's log: restart count, then rotation (older
    /// rotated parts before the live file).
    pub order: LogOrder,
}

/// Position of a file in its container's log.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogOrder {
    /// `/var/log/pods/…/N.log[.DATE][.gz]`: restart count `N`, then the rotation instant
    /// (`None`: the live file, after every rotated part).
    Pods {
        /// The container's restart count.
        restart: u64,
        /// Whether this is the live file (rotated parts come first).
        live: bool,
        /// `YYYYMMDD-HHMMSS` of a rotated part, empty for the live file.
        rotated: String,
    },
    /// `/var/log/containers/…-ID.log`: one container instance; instances are put in order
    /// by their first line's instant.
    Container {
        /// The 64-hex-digit container id.
        id: String,
    },
}

/// The pod, container and order of a log file, from its path, or `None` when the path is
/// not one of the kubelet's.
pub fn parse(path: &Path) -> Option<PodLogFile> {
    let name = path.file_name()?.to_str()?;
    if let Some(order) = pods_file_order(name) {
        let container = path.parent()?.file_name()?.to_str()?;
        let pod_dir = path.parent()?.parent()?.file_name()?.to_str()?;
        let (namespace, pod, uid) = split3(pod_dir)?;
        if is_label(container) && is_uid(uid) {
            return Some(PodLogFile {
                namespace: namespace.to_string(),
                pod: pod.to_string(),
                container: container.to_string(),
                key: format!("{pod_dir}/{container}"),
                order,
            });
        }
    }
    let (pod, namespace, container, id) = containers_file_name(name)?;
    Some(PodLogFile {
        namespace: namespace.to_string(),
        pod: pod.to_string(),
        container: container.to_string(),
        key: format!("{pod}_{namespace}_{container}"),
        order: LogOrder::Container { id: id.to_string() },
    })
}

/// `POD_NAMESPACE_CONTAINER-ID.log` (the `/var/log/containers/` name) split into its parts.
pub fn containers_file_name(name: &str) -> Option<(&str, &str, &str, &str)> {
    let stem = name.strip_suffix(".log")?;
    let (rest, id) = stem.rsplit_once('-')?;
    if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let (pod, namespace, container) = split3(rest)?;
    (is_subdomain(pod) && is_label(namespace) && is_label(container))
        .then_some((pod, namespace, container, id))
}

/// `N.log`, `N.log.YYYYMMDD-HHMMSS`, `N.log.YYYYMMDD-HHMMSS.gz`.
fn pods_file_order(name: &str) -> Option<LogOrder> {
    let (n, rest) = name.split_once(".log")?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let restart: u64 = n.parse().ok()?;
    if rest.is_empty() {
        return Some(LogOrder::Pods {
            restart,
            live: true,
            rotated: String::new(),
        });
    }
    let stamp = rest.strip_prefix('.')?;
    let stamp = stamp.strip_suffix(".gz").unwrap_or(stamp);
    let b = stamp.as_bytes();
    let ok = b.len() == 15
        && b.get(8) == Some(&b'-')
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 8 || c.is_ascii_digit());
    ok.then(|| LogOrder::Pods {
        restart,
        live: false,
        rotated: stamp.to_string(),
    })
}

/// Whether `name` is a rotated part of a kubelet container log (`N.log.YYYYMMDD-HHMMSS`,
/// optionally `.gz`), which directory walking must pick up.
pub fn is_rotated_pods_name(name: &str) -> bool {
    matches!(
        pods_file_order(name),
        Some(LogOrder::Pods { live: false, .. })
    )
}

fn split3(s: &str) -> Option<(&str, &str, &str)> {
    let mut it = s.split('_');
    let (a, b, c) = (it.next()?, it.next()?, it.next()?);
    (it.next().is_none() && !a.is_empty() && !b.is_empty() && !c.is_empty()).then_some((a, b, c))
}

/// An RFC 1123 label (container and namespace names): lower-case letters, digits and `-`,
/// at most 63, starting and ending alphanumeric.
pub fn is_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
}

/// An RFC 1123 subdomain (pod names): labels separated by `.`, at most 253 in all.
pub fn is_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_label)
}

/// A pod UID: a UUID, or the hash static pods get (hex digits and `-`).
fn is_uid(s: &str) -> bool {
    s.len() >= 8 && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "4f2c1d0e9b8a7f6e5d4c3b2a19081726354f2c1d0e9b8a7f6e5d4c3b2a190817";

    #[test]
    fn pods_paths() {
        let p = parse(Path::new(
            "/var/log/pods/flink_flink-jm-7d9c8b6f5-abcde_0f8e6d2c-1234-4abc-9def-0123456789ab/flink-main-container/1.log",
        ))
        .unwrap();
        assert_eq!(
            (p.namespace.as_str(), p.pod.as_str(), p.container.as_str()),
            ("flink", "flink-jm-7d9c8b6f5-abcde", "flink-main-container")
        );
        assert_eq!(
            p.order,
            LogOrder::Pods {
                restart: 1,
                live: true,
                rotated: String::new()
            }
        );
        let r = parse(Path::new(
            "copy/flink_jm-0_0f8e6d2c-1234-4abc-9def-0123456789ab/c/0.log.20240506-101530.gz",
        ))
        .unwrap();
        assert_eq!(r.key, "flink_jm-0_0f8e6d2c-1234-4abc-9def-0123456789ab/c");
        assert_eq!(
            r.order,
            LogOrder::Pods {
                restart: 0,
                live: false,
                rotated: "20240506-101530".to_string()
            }
        );
        // Rotated parts of a restart come before its live file, restarts in number order.
        let ord = |n: &str| {
            parse(&Path::new("ns_p_0123456789ab/c").join(n))
                .unwrap()
                .order
        };
        let mut names = [
            "10.log",
            "2.log",
            "2.log.20240506-101530",
            "2.log.20240505-000000.gz",
        ];
        names.sort_by_key(|n| ord(n));
        assert_eq!(
            names,
            [
                "2.log.20240505-000000.gz",
                "2.log.20240506-101530",
                "2.log",
                "10.log"
            ]
        );
        for not in [
            "ns_p_0123456789ab/c/0.log.tmp",
            "ns_p_0123456789ab/c/x.log",
            "ns_p/c/0.log",
            "ns_p_zz/c/0.log",
            "ns_p_0123456789ab/C/0.log",
            "0.log",
        ] {
            assert!(parse(Path::new(not)).is_none(), "{not}");
        }
    }

    #[test]
    fn containers_paths() {
        let name = format!("flink-jm-0_flink_flink-main-container-{ID}.log");
        let p = parse(&Path::new("/var/log/containers").join(&name)).unwrap();
        assert_eq!(
            (p.pod.as_str(), p.namespace.as_str(), p.container.as_str()),
            ("flink-jm-0", "flink", "flink-main-container")
        );
        assert_eq!(p.order, LogOrder::Container { id: ID.to_string() });
        assert_eq!(p.key, "flink-jm-0_flink_flink-main-container");
        for not in [
            format!("a_b-{ID}.log"),
            format!("a_b_c-{}.log", &ID[1..]),
            "a_b_c-xyz.log".to_string(),
            format!("A_b_c-{ID}.log"),
        ] {
            assert!(containers_file_name(&not).is_none(), "{not}");
        }
        assert!(is_rotated_pods_name("0.log.20240506-101530"));
        assert!(is_rotated_pods_name("3.log.20240506-101530.gz"));
        assert!(!is_rotated_pods_name("0.log"));
        assert!(!is_rotated_pods_name("0.log.2024"));
        assert!(is_subdomain("a.b-c") && !is_subdomain("a..b") && !is_label("-a"));
    }
}

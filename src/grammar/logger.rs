//! Logger name patterns of templates: exact names and `*` globs, matched against the logger
//! of a record, which may be written in full (`org.apache.flink.runtime.checkpoint.X`),
//! abbreviated by logback / log4j `%c{1.}` (`o.a.f.r.c.X`, `o.a.f.runtime.checkpoint.X`), or
//! reduced to the class name (`%c{1}`: `X`).

/// One `logger` value of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LoggerPattern {
    /// A full logger name.
    Exact(String),
    /// A pattern where `*` stands for any run of characters, dots included.
    Glob(String),
}

impl LoggerPattern {
    /// Classify a written pattern.
    pub(crate) fn parse(s: &str) -> LoggerPattern {
        if s.contains('*') {
            LoggerPattern::Glob(s.to_string())
        } else {
            LoggerPattern::Exact(s.to_string())
        }
    }

    /// The pattern as written.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            LoggerPattern::Exact(s) | LoggerPattern::Glob(s) => s,
        }
    }

    /// Whether a record's logger is named by this pattern.
    pub(crate) fn matches(&self, logger: &str) -> bool {
        match self {
            LoggerPattern::Exact(p) => {
                p == logger
                    || abbreviated_eq(p, logger)
                    || (!logger.contains('.') && final_segment(p) == logger)
            }
            LoggerPattern::Glob(p) => {
                glob(p, logger)
                    || (looks_abbreviated(logger) && glob(&abbreviate(p), &abbreviate(logger)))
                    || (!logger.contains('.') && glob(final_segment(p), logger))
            }
        }
    }
}

fn final_segment(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// Same number of segments, same final segment, and every package segment of `logger` a
/// non-empty prefix of the pattern's (logback keeps some segments whole, shortens others).
fn abbreviated_eq(pattern: &str, logger: &str) -> bool {
    let p: Vec<&str> = pattern.split('.').collect();
    let l: Vec<&str> = logger.split('.').collect();
    if p.len() != l.len() || p.len() < 2 {
        return false;
    }
    let last = p.len() - 1;
    p.iter().zip(&l).enumerate().all(|(i, (ps, ls))| {
        if i == last {
            ps == ls
        } else {
            !ls.is_empty() && ps.starts_with(ls)
        }
    })
}

/// A logger with a one-letter package segment, as logback abbreviation produces.
fn looks_abbreviated(logger: &str) -> bool {
    let mut segs: Vec<&str> = logger.split('.').collect();
    segs.pop();
    segs.iter().any(|s| s.chars().count() == 1)
}

/// Package segments reduced to their first character; the final segment kept. In a glob, a
/// segment that starts with `*` stays `*`, and one containing `*` later keeps it after its
/// initial.
fn abbreviate(name: &str) -> String {
    let segs: Vec<&str> = name.split('.').collect();
    let last = segs.len().saturating_sub(1);
    segs.iter()
        .enumerate()
        .map(|(i, s)| {
            if i == last {
                (*s).to_string()
            } else if s.starts_with('*') {
                "*".to_string()
            } else {
                let mut out: String = s.chars().take(1).collect();
                if s.contains('*') {
                    out.push('*');
                }
                out
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// `*` matches any run of characters (possibly empty); everything else matches itself.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..).is_some_and(|r| r.iter().all(|c| *c == '*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CC: &str = "org.apache.flink.runtime.checkpoint.CheckpointCoordinator";

    #[test]
    fn exact_and_abbreviated() {
        let p = LoggerPattern::parse(CC);
        assert!(p.matches(CC));
        assert!(p.matches("o.a.f.r.c.CheckpointCoordinator"));
        assert!(p.matches("o.a.f.runtime.checkpoint.CheckpointCoordinator"));
        assert!(p.matches("CheckpointCoordinator"));
        assert!(!p.matches("o.a.f.r.x.CheckpointCoordinator"));
        assert!(!p.matches("o.a.f.r.CheckpointCoordinator"));
        assert!(!p.matches("o.a.f.r.c.CheckpointCoordinatorX"));
        assert!(!p.matches("org.apache.flink.runtime.checkpoint.Other"));
    }

    #[test]
    fn globs() {
        assert!(glob("a*c", "abbbc"));
        assert!(glob("*", ""));
        assert!(glob("*HaServices", "org.x.KubernetesHaServices"));
        assert!(!glob("*HaServices", "org.x.KubernetesHaServicesX"));
        assert!(!glob("a*c", "abcd"));
        let p = LoggerPattern::parse("org.apache.flink.*.KubernetesLeaderElector");
        assert!(matches!(p, LoggerPattern::Glob(_)));
        assert!(
            p.matches("org.apache.flink.kubernetes.kubeclient.resources.KubernetesLeaderElector")
        );
        assert!(p.matches("o.a.f.k.k.r.KubernetesLeaderElector"));
        assert!(p.matches("KubernetesLeaderElector"));
        assert!(!p.matches("org.apache.other.KubernetesLeaderElector"));
        assert!(!p.matches("o.a.x.k.KubernetesLeaderElector"));
        let p = LoggerPattern::parse("*HaServices");
        assert!(p.matches("o.a.f.k.h.KubernetesHaServices"));
        assert!(p.matches("ZooKeeperHaServices"));
        assert_eq!(p.as_str(), "*HaServices");
    }
}

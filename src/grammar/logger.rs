//! Logger name patterns of templates: exact names and `*` globs, matched against the logger
//! of a record, which may be written in full (`org.apache.flink.runtime.checkpoint.X`),
//! abbreviated by logback / log4j `%c{1.}` (`o.a.f.r.c.X`, `o.a.f.runtime.checkpoint.X`), or
//! reduced to the class name (`%c{1}`: `X`).

/// One `logger` value of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LoggerPattern {
    /// A full logger name.
    Exact(String),
    /// A pattern where `*` stands for any run of characters, dots included; with its
    /// initials form (see [`abbreviate`]) and its [`literal_tail`], computed once: every
    /// logger not resolved yet is tried against every glob.
    Glob(String, String, String),
}

/// The end of a glob's final segment after its last `*`: every logger the glob names, in
/// any of the three forms [`LoggerPattern::matches`] tries, ends with it (each form keeps
/// the final segment whole, and this text holds no `.` and no `*`).
fn literal_tail(glob: &str) -> &str {
    let fin = final_segment(glob);
    fin.rsplit('*').next().unwrap_or(fin)
}

impl LoggerPattern {
    /// Classify a written pattern.
    pub(crate) fn parse(s: &str) -> LoggerPattern {
        if s.contains('*') {
            LoggerPattern::Glob(s.to_string(), abbreviate(s), literal_tail(s).to_string())
        } else {
            LoggerPattern::Exact(s.to_string())
        }
    }

    /// The pattern as written.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            LoggerPattern::Exact(s) | LoggerPattern::Glob(s, ..) => s,
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
            LoggerPattern::Glob(p, initials, tail) => {
                logger.ends_with(tail.as_str())
                    && (glob(p, logger)
                        || (looks_abbreviated(logger) && glob(initials, &abbreviate(logger)))
                        || (!logger.contains('.') && glob(final_segment(p), logger)))
            }
        }
    }
}

/// The part after the last `.` (all of a name without dots).
pub(crate) fn final_segment(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// Same number of segments, same final segment, and every package segment of `logger` a
/// non-empty prefix of the pattern's (logback keeps some segments whole, shortens others).
fn abbreviated_eq(pattern: &str, logger: &str) -> bool {
    // The final segments first: they differ for nearly every pair.
    if final_segment(pattern) != final_segment(logger) {
        return false;
    }
    let (mut p, mut l) = (pattern.split('.'), logger.split('.'));
    // The final segments, equal, are not compared again.
    p.next_back();
    l.next_back();
    let mut packages = 0;
    loop {
        match (p.next(), l.next()) {
            (None, None) => return packages >= 1,
            (Some(ps), Some(ls)) if !ls.is_empty() && ps.starts_with(ls) => packages += 1,
            _ => return false,
        }
    }
}

/// A logger with a one-letter package segment, as logback abbreviation produces.
fn looks_abbreviated(logger: &str) -> bool {
    let mut segs = logger.split('.');
    segs.next_back();
    segs.any(|s| s.chars().count() == 1)
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
///
/// Bytewise: a `*` that stopped inside a character would have to be followed by pattern
/// text starting there, and pattern text (being UTF-8) never starts with a continuation
/// byte, so bytes and characters give the same answer.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
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
    p.get(pi..).is_some_and(|r| r.iter().all(|c| *c == b'*'))
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

    /// The allocation-free `abbreviated_eq` and `looks_abbreviated` agree with their
    /// straightforward definitions on every pair of names built from a few segments.
    #[test]
    fn abbreviation_checks_match_their_definitions() {
        fn reference_eq(pattern: &str, logger: &str) -> bool {
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
        fn reference_looks(logger: &str) -> bool {
            let mut segs: Vec<&str> = logger.split('.').collect();
            segs.pop();
            segs.iter().any(|s| s.chars().count() == 1)
        }
        let segs = ["", "o", "org", "or", "a", "apache", "\u{e9}", "X", "Y"];
        let mut names = vec![String::new()];
        for _ in 0..3 {
            let mut next = names.clone();
            for n in &names {
                for s in segs {
                    next.push(if n.is_empty() {
                        s.to_string()
                    } else {
                        format!("{n}.{s}")
                    });
                }
            }
            names = next;
        }
        names.sort();
        names.dedup();
        for p in &names {
            assert_eq!(looks_abbreviated(p), reference_looks(p), "{p:?}");
            for l in &names {
                assert_eq!(abbreviated_eq(p, l), reference_eq(p, l), "{p:?} {l:?}");
            }
        }
    }

    /// The suffix filter of globs rejects only loggers that no form of the glob names.
    #[test]
    fn glob_tail_filter_loses_nothing() {
        let globs = [
            "org.apache.flink.*HaServices",
            "a.b*.c.D",
            "x.*",
            "*",
            "a*b.c*d",
            "*X",
        ];
        let loggers = [
            "org.apache.flink.k.KubernetesHaServices",
            "o.a.f.k.KubernetesHaServices",
            "KubernetesHaServices",
            "a.bb.c.D",
            "a.b.c.D",
            "a.c.D",
            "D",
            "x.y",
            "x",
            "ab.cd",
            "a.b.c.xd",
            "aXb.cXd",
            "X",
            "o.X",
            "",
            "a.b.c.DD",
        ];
        for g in globs {
            let initials = abbreviate(g);
            for l in loggers {
                let full = glob(g, l)
                    || (looks_abbreviated(l) && glob(&initials, &abbreviate(l)))
                    || (!l.contains('.') && glob(final_segment(g), l));
                assert_eq!(LoggerPattern::parse(g).matches(l), full, "{g} {l}");
            }
        }
    }

    #[test]
    fn globs() {
        assert!(glob("a*c", "abbbc"));
        assert!(glob("*", ""));
        assert!(glob("*HaServices", "org.x.KubernetesHaServices"));
        assert!(!glob("*HaServices", "org.x.KubernetesHaServicesX"));
        assert!(!glob("a*c", "abcd"));
        let p = LoggerPattern::parse("org.apache.flink.*.KubernetesLeaderElector");
        assert!(matches!(p, LoggerPattern::Glob(..)));
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

//! Flink version numbers and the ranges an advice file writes (`affects 1.18.0-1.18.1`,
//! `affects <=1.14`, `scope 1.15-2.x`).
//!
//! A version is dot-separated numbers (`1.18.1`, `2.0`); a logged version may carry a suffix
//! (`1.20-SNAPSHOT`), which is ignored. In ranges a short version stands for all its patch
//! releases: `1.14` is 1.14.0 as a lower bound and every 1.14.x as an upper bound or alone;
//! `x` (`1.12.x`, `2.x`) means the same.

use std::cmp::Ordering;
use std::fmt;

/// A version as numbers, most significant first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version(Vec<u64>);

impl Version {
    /// Parse the leading `N(.N)*` of a version text; `None` without a leading number.
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = Vec::new();
        for piece in text.trim().split('.') {
            let digits: String = piece.chars().take_while(|c| c.is_ascii_digit()).collect();
            if digits.is_empty() {
                break;
            }
            parts.push(digits.parse().ok()?);
            if digits.len() != piece.len() {
                break;
            }
        }
        (!parts.is_empty()).then_some(Version(parts))
    }

    /// Compare, missing components counting as 0.
    fn cmp_padded(&self, other: &Version) -> Ordering {
        let n = self.0.len().max(other.0.len());
        for i in 0..n {
            let a = self.0.get(i).copied().unwrap_or(0);
            let b = other.0.get(i).copied().unwrap_or(0);
            match a.cmp(&b) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        Ordering::Equal
    }

    /// Whether `self` starts with every component of `prefix` (`1.14.3` is within `1.14`).
    fn within(&self, prefix: &Version) -> bool {
        prefix
            .0
            .iter()
            .enumerate()
            .all(|(i, p)| self.0.get(i).is_some_and(|v| v == p) || (self.0.len() <= i && *p == 0))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s: Vec<String> = self.0.iter().map(u64::to_string).collect();
        f.write_str(&s.join("."))
    }
}

/// One item of a range list.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    /// `1.18.1` (exactly, and its sub-versions), `1.12` / `1.12.x` (every 1.12 release).
    Is(Version),
    /// `A-B`: from A (padded with zeros) to every release within B. Either side may be open:
    /// `-1.14` (up to 1.14.x), `1.15-` (1.15.0 and later).
    Between(Option<Version>, Option<Version>),
    /// `<V`: strictly older than V.0.0…
    Below(Version),
}

impl Item {
    fn contains(&self, v: &Version) -> bool {
        match self {
            Item::Is(p) => v.within(p),
            Item::Between(lo, hi) => {
                lo.as_ref()
                    .map_or(true, |l| v.cmp_padded(l) != Ordering::Less)
                    && hi
                        .as_ref()
                        .map_or(true, |h| v.within(h) || v.cmp_padded(h) == Ordering::Less)
            }
            Item::Below(b) => v.cmp_padded(b) == Ordering::Less,
        }
    }
}

/// A set of versions: a comma-separated list of ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionSet {
    items: Vec<Item>,
}

/// A range list that does not parse: where (byte offset in the text) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeError {
    /// Byte offset of the bad item.
    pub at: usize,
    /// What is wrong.
    pub msg: String,
}

/// A version bound as written: digits with dots, optionally ending in `.x`.
fn bound(text: &str, at: usize) -> Result<Version, RangeError> {
    let t = text.trim();
    let t = t.strip_suffix(".x").unwrap_or(t);
    let ok = !t.is_empty()
        && t.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    match (ok, Version::parse(t)) {
        (true, Some(v)) => Ok(v),
        _ => Err(RangeError {
            at,
            msg: format!(
                "`{}` is not a version (examples: 1.18.1, 1.14, 2.x)",
                text.trim()
            ),
        }),
    }
}

impl VersionSet {
    /// Parse `1.18.0-1.18.1, <=1.14, 2.x, 1.15-, <1.13`.
    pub fn parse(text: &str) -> Result<VersionSet, RangeError> {
        let mut items = Vec::new();
        let mut offset = 0;
        for raw in text.split(',') {
            let at = offset + (raw.len() - raw.trim_start().len());
            offset += raw.len() + 1;
            let item = raw.trim();
            if item.is_empty() {
                return Err(RangeError {
                    at,
                    msg: "empty version range".to_string(),
                });
            }
            let parsed = if let Some(rest) = item.strip_prefix("<=") {
                Item::Between(None, Some(bound(rest, at)?))
            } else if let Some(rest) = item.strip_prefix(">=") {
                Item::Between(Some(bound(rest, at)?), None)
            } else if let Some(rest) = item.strip_prefix('<') {
                Item::Below(bound(rest, at)?)
            } else if let Some((lo, hi)) = item.split_once('-') {
                let lo = (!lo.trim().is_empty()).then(|| bound(lo, at)).transpose()?;
                let hi = (!hi.trim().is_empty()).then(|| bound(hi, at)).transpose()?;
                if lo.is_none() && hi.is_none() {
                    return Err(RangeError {
                        at,
                        msg: "a range needs at least one bound".to_string(),
                    });
                }
                Item::Between(lo, hi)
            } else {
                Item::Is(bound(item, at)?)
            };
            items.push(parsed);
        }
        Ok(VersionSet { items })
    }

    /// Whether the logged version `version` is in the set (a version that does not parse is
    /// in no set).
    pub fn contains(&self, version: &str) -> bool {
        match Version::parse(version) {
            Some(v) => self.items.iter().any(|i| i.contains(&v)),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(s: &str) -> VersionSet {
        VersionSet::parse(s).unwrap()
    }

    #[test]
    fn ranges_cover_what_they_say() {
        let s = set("1.18.0-1.18.1");
        assert!(s.contains("1.18.0") && s.contains("1.18.1"));
        assert!(!s.contains("1.18.2") && !s.contains("1.17.2") && !s.contains("1.19.0"));
        let s = set("<=1.14");
        assert!(s.contains("1.11.2") && s.contains("1.14.6") && !s.contains("1.15.0"));
        let s = set("1.12.x, 1.13.0");
        assert!(s.contains("1.12.7") && s.contains("1.13.0") && !s.contains("1.13.1"));
        let s = set("1.12-2.2");
        assert!(s.contains("1.12.5") && s.contains("2.2.1") && !s.contains("2.3.0"));
        assert!(!s.contains("1.11.3"));
        let s = set("1.15-");
        assert!(s.contains("1.15.0") && s.contains("2.3.0") && !s.contains("1.14.6"));
        let s = set("<1.13");
        assert!(s.contains("1.12.9") && !s.contains("1.13.0"));
        let s = set("<=1.13.0");
        assert!(s.contains("1.13.0") && s.contains("1.12.1") && !s.contains("1.13.1"));
        let s = set("2.x");
        assert!(s.contains("2.0.1") && !s.contains("1.20.5"));
        assert!(set("1.20").contains("1.20-SNAPSHOT"));
        assert!(!set("1.20").contains("unknown"));
    }

    #[test]
    fn bad_ranges_say_where() {
        let e = VersionSet::parse("1.18.0, 1.x.1").unwrap_err();
        assert_eq!(e.at, 8);
        assert!(e.msg.contains("not a version"), "{}", e.msg);
        assert!(VersionSet::parse("1.18,").is_err());
        assert!(VersionSet::parse("-").is_err());
        assert!(VersionSet::parse("latest").is_err());
    }
}

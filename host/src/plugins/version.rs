//! Plugin versions and the version ranges of Kafka's KIP-891 (`connector.plugin.version`,
//! `key.converter.plugin.version`, `transforms.<alias>.plugin.version`, …).
//!
//! Kafka reads these as Maven version ranges: `[1.0,2.0)`, `(,1.5]`, `[2.1,)`, several ranges
//! separated by commas (`(,1.0],[1.2,)`), and a bare `1.2.0`, which Kafka treats as the exact
//! version (Maven would call it a soft preference). `latest` or nothing means the newest.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;

/// Orders versions numerically where they are numbers (`1.10.0` after `1.9.2`), and a
/// missing part as zero (`1.0` equals `1.0.0`).
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    fn parts(v: &str) -> Vec<(u64, &str)> {
        let mut parts: Vec<(u64, &str)> = v
            .trim()
            .split(['.', '-', '+'])
            .map(|p| (p.parse::<u64>().unwrap_or(0), p))
            .collect();
        while parts.len() > 1 && parts.last().is_some_and(|(n, p)| *n == 0 && *p == "0") {
            parts.pop();
        }
        parts
    }
    parts(a).cmp(&parts(b))
}

/// One bound of a range.
#[derive(Debug, Clone, PartialEq)]
struct Bound {
    version: String,
    inclusive: bool,
}

/// One `[low,high)` interval; `None` is unbounded.
#[derive(Debug, Clone, PartialEq)]
struct Interval {
    low: Option<Bound>,
    high: Option<Bound>,
}

impl Interval {
    fn contains(&self, version: &str) -> bool {
        let above = self.low.as_ref().is_none_or(|b| {
            let o = compare_versions(version, &b.version);
            o == Ordering::Greater || (b.inclusive && o == Ordering::Equal)
        });
        let below = self.high.as_ref().is_none_or(|b| {
            let o = compare_versions(version, &b.version);
            o == Ordering::Less || (b.inclusive && o == Ordering::Equal)
        });
        above && below
    }
}

/// A parsed version requirement: any of its intervals matches.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionRange {
    spec: String,
    intervals: Vec<Interval>,
}

impl fmt::Display for VersionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.spec)
    }
}

impl VersionRange {
    /// Parses a requirement; `Ok(None)` for `latest` or an empty value.
    pub fn parse(spec: &str) -> Result<Option<VersionRange>, String> {
        let spec = spec.trim();
        if spec.is_empty() || spec.eq_ignore_ascii_case("latest") {
            return Ok(None);
        }
        let invalid = |why: &str| format!("Invalid version range {spec}: {why}");
        if !spec.starts_with(['[', '(']) {
            if spec.contains([',', ']', ')']) {
                return Err(invalid("a range must start with [ or ("));
            }
            let exact = Bound {
                version: spec.to_string(),
                inclusive: true,
            };
            return Ok(Some(VersionRange {
                spec: spec.to_string(),
                intervals: vec![Interval {
                    low: Some(exact.clone()),
                    high: Some(exact),
                }],
            }));
        }
        let mut intervals = Vec::new();
        let mut rest = spec;
        while !rest.is_empty() {
            let open_inclusive = match rest.as_bytes()[0] {
                b'[' => true,
                b'(' => false,
                _ => return Err(invalid("expected [ or ( after a comma")),
            };
            let end = rest
                .find([']', ')'])
                .ok_or_else(|| invalid("a range is not closed with ] or )"))?;
            let close_inclusive = rest.as_bytes()[end] == b']';
            let inner = &rest[1..end];
            let interval = match inner.split_once(',') {
                None => {
                    if !(open_inclusive && close_inclusive) || inner.trim().is_empty() {
                        return Err(invalid("a single version must be written [x]"));
                    }
                    let exact = Bound {
                        version: inner.trim().to_string(),
                        inclusive: true,
                    };
                    Interval {
                        low: Some(exact.clone()),
                        high: Some(exact),
                    }
                }
                Some((low, high)) => {
                    if high.contains(',') {
                        return Err(invalid("a range has at most two bounds"));
                    }
                    let bound = |v: &str, inclusive: bool| {
                        let v = v.trim();
                        (!v.is_empty()).then(|| Bound {
                            version: v.to_string(),
                            inclusive,
                        })
                    };
                    let interval = Interval {
                        low: bound(low, open_inclusive),
                        high: bound(high, close_inclusive),
                    };
                    if let (Some(l), Some(h)) = (&interval.low, &interval.high) {
                        if compare_versions(&l.version, &h.version) == Ordering::Greater {
                            return Err(invalid("the lower bound is above the upper bound"));
                        }
                    }
                    interval
                }
            };
            intervals.push(interval);
            rest = rest[end + 1..].trim_start();
            if let Some(after) = rest.strip_prefix(',') {
                rest = after.trim_start();
                if rest.is_empty() {
                    return Err(invalid("a comma must be followed by another range"));
                }
            } else if !rest.is_empty() {
                return Err(invalid("ranges must be separated by commas"));
            }
        }
        Ok(Some(VersionRange {
            spec: spec.to_string(),
            intervals,
        }))
    }

    /// Whether `version` satisfies the requirement.
    pub fn contains(&self, version: &str) -> bool {
        self.intervals.iter().any(|i| i.contains(version))
    }
}

/// The `<prefix>plugin.version` requirement of a configuration, e.g. `connector.` or
/// `transforms.upper.`.
pub fn requested_version(
    props: &HashMap<String, String>,
    prefix: &str,
) -> Result<Option<VersionRange>, String> {
    let key = format!("{prefix}plugin.version");
    match props.get(&key) {
        None => Ok(None),
        Some(spec) => parse_setting(&key, spec),
    }
}

/// The value of the setting `key` as a version requirement, its error naming the key.
pub fn parse_setting(key: &str, spec: &str) -> Result<Option<VersionRange>, String> {
    VersionRange::parse(spec)
        .map_err(|e| format!("Invalid value {spec} for configuration {key}: {e}"))
}

/// The version of the classes built into this worker.
pub const BUILT_IN_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Checks a requirement against a built-in class, which exists in one version only.
pub fn check_built_in(class: &str, range: Option<&VersionRange>) -> Result<(), String> {
    match range {
        Some(r) if !r.contains(BUILT_IN_VERSION) => Err(format!(
            "Plugin {class} is built into this worker in version {BUILT_IN_VERSION} only, \
             which does not match the version range {r}"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(spec: &str) -> VersionRange {
        VersionRange::parse(spec).unwrap().unwrap()
    }

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(compare_versions("1.10.0", "1.9.2"), Ordering::Greater);
        assert_eq!(compare_versions("2.0.0", "2.0.0"), Ordering::Equal);
        assert_eq!(compare_versions("1.0", "1.0.0"), Ordering::Equal);
        assert_eq!(compare_versions("1.0.1", "1.0"), Ordering::Greater);
    }

    #[test]
    fn maven_ranges_match_as_kafka_reads_them() {
        let r = range("[1.0,2.0)");
        assert!(r.contains("1.0.0") && r.contains("1.9.9"));
        assert!(!r.contains("2.0.0") && !r.contains("0.9"));
        assert!(range("(,1.5]").contains("1.5.0"));
        assert!(!range("(1.5,)").contains("1.5"));
        assert!(range("[2.1,)").contains("10.0.0"));
        let both = range("(,1.0],[1.2,)");
        assert!(both.contains("0.5") && both.contains("1.3") && !both.contains("1.1"));
        assert!(range("[1.2.0]").contains("1.2"));
    }

    #[test]
    fn a_bare_version_is_exact() {
        let r = range("1.2.0");
        assert!(r.contains("1.2.0") && !r.contains("1.2.1") && !r.contains("1.1"));
    }

    #[test]
    fn latest_or_empty_means_no_requirement() {
        assert_eq!(VersionRange::parse("latest").unwrap(), None);
        assert_eq!(VersionRange::parse(" ").unwrap(), None);
    }

    #[test]
    fn malformed_ranges_are_refused_with_the_spec() {
        for bad in [
            "[1.0,2.0",
            "1.0,2.0",
            "[2.0,1.0]",
            "(1.0)",
            "[1,2],",
            "[1,2]x",
            "[1,2,3]",
        ] {
            let err = VersionRange::parse(bad).unwrap_err();
            assert!(err.contains(bad), "{bad}: {err}");
        }
    }

    #[test]
    fn a_built_in_class_has_only_the_worker_version() {
        assert!(check_built_in("X", None).is_ok());
        assert!(check_built_in("X", Some(&range(&format!("[{BUILT_IN_VERSION}]")))).is_ok());
        let err = check_built_in("X", Some(&range("[99.0,)"))).unwrap_err();
        assert!(err.contains("[99.0,)"), "{err}");
    }
}

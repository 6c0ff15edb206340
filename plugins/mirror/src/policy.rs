//! Replication policies (Kafka's `DefaultReplicationPolicy` and `IdentityReplicationPolicy`):
//! how a source topic is named on the target, where a remote topic came from, the names of
//! MirrorMaker's internal topics, and cycle detection.

use regex::Regex;

/// Kafka's `DefaultReplicationPolicy` class name.
pub const DEFAULT_POLICY: &str = "org.apache.kafka.connect.mirror.DefaultReplicationPolicy";
/// Kafka's `IdentityReplicationPolicy` class name.
pub const IDENTITY_POLICY: &str = "org.apache.kafka.connect.mirror.IdentityReplicationPolicy";

/// The heartbeats topic's name.
pub const HEARTBEATS_TOPIC: &str = "heartbeats";

/// A replication policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicationPolicy {
    separator: String,
    /// IdentityReplicationPolicy: topics keep their names; `source.cluster.alias` is where a
    /// topic (other than a heartbeats topic) is said to come from.
    identity: Option<Option<String>>,
}

impl ReplicationPolicy {
    /// The policy named by `replication.policy.class` (simple names accepted), with
    /// `replication.policy.separator`; `source_alias` for the identity policy.
    pub fn from_config(
        class: &str,
        separator: &str,
        source_alias: Option<&str>,
    ) -> Result<ReplicationPolicy, String> {
        let simple = class.rsplit('.').next().unwrap_or(class);
        let identity = match simple {
            "DefaultReplicationPolicy" => None,
            "IdentityReplicationPolicy" => Some(source_alias.map(str::to_string)),
            _ => {
                return Err(format!(
                    "replication.policy.class {class} is not supported: use {DEFAULT_POLICY} or {IDENTITY_POLICY}"
                ))
            }
        };
        if separator.is_empty() {
            return Err("replication.policy.separator must not be empty".into());
        }
        Ok(ReplicationPolicy {
            separator: separator.to_string(),
            identity,
        })
    }

    /// `DefaultReplicationPolicy` with separator `.`.
    #[cfg(test)]
    pub fn default_policy() -> ReplicationPolicy {
        ReplicationPolicy::from_config(DEFAULT_POLICY, ".", None).expect("valid")
    }

    fn looks_like_heartbeat(topic: &str) -> bool {
        topic.ends_with(HEARTBEATS_TOPIC)
    }

    /// The name `topic` of cluster `source_alias` gets on the target.
    pub fn format_remote_topic(&self, source_alias: &str, topic: &str) -> String {
        if self.identity.is_some() && !Self::looks_like_heartbeat(topic) {
            return topic.to_string();
        }
        format!("{source_alias}{}{topic}", self.separator)
    }

    /// The cluster a remote topic came from; `None` for a topic that is not remote.
    pub fn topic_source(&self, topic: &str) -> Option<String> {
        if let Some(alias) = &self.identity {
            if !Self::looks_like_heartbeat(topic) {
                return alias.clone();
            }
        }
        let mut parts = topic.split(self.separator.as_str());
        let first = parts.next()?;
        parts.next()?;
        Some(first.to_string())
    }

    /// The topic a remote topic replicates, one hop up; `None` for a topic that is not remote.
    pub fn upstream_topic(&self, topic: &str) -> Option<String> {
        if self.identity.is_some() && !Self::looks_like_heartbeat(topic) {
            return Some(topic.to_string());
        }
        let source = self.topic_source(topic)?;
        Some(topic[source.len() + self.separator.len()..].to_string())
    }

    /// `mm2-offset-syncs.<alias>.internal`.
    pub fn offset_syncs_topic(&self, alias: &str) -> String {
        let s = &self.separator;
        format!("mm2-offset-syncs{s}{alias}{s}internal")
    }

    /// `<alias>.checkpoints.internal`.
    pub fn checkpoints_topic(&self, alias: &str) -> String {
        let s = &self.separator;
        format!("{alias}{s}checkpoints{s}internal")
    }

    /// MirrorMaker's own topics and Kafka's internal ones, never replicated.
    pub fn is_internal_topic(&self, topic: &str) -> bool {
        let mm2 = topic.ends_with(".internal")
            || topic.ends_with("-internal")
            || (topic.starts_with("mm2") && topic.ends_with(".internal"));
        mm2 || topic.starts_with("__") || topic.starts_with('.')
    }

    /// Whether `topic` on the source came from the target (directly or further up): replicating
    /// it back would loop.
    pub fn is_cycle(&self, topic: &str, target_alias: &str) -> bool {
        let mut topic = topic.to_string();
        // Each hop strips a prefix, so this ends; the bound guards odd policies.
        for _ in 0..64 {
            let Some(source) = self.topic_source(&topic) else {
                return false;
            };
            if source == target_alias {
                return true;
            }
            match self.upstream_topic(&topic) {
                Some(up) if up != topic => topic = up,
                _ => return false,
            }
        }
        false
    }
}

/// A `topics` / `groups` style filter: comma-separated names and regexes to include, and to
/// exclude (excludes win). Each pattern matches the whole name, as Java's `Pattern.matches`.
#[derive(Debug, Clone)]
pub struct NameFilter {
    include: Regex,
    exclude: Regex,
}

fn list_regex(list: &str, setting: &str) -> Result<Regex, String> {
    let parts: Vec<String> = list
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("(?:{p})"))
        .collect();
    let pattern = if parts.is_empty() {
        "$.^".to_string() // matches nothing
    } else {
        format!("^(?:{})$", parts.join("|"))
    };
    Regex::new(&pattern).map_err(|e| format!("{setting}: invalid regex: {e}"))
}

impl NameFilter {
    /// A filter from the include and exclude lists.
    pub fn new(
        include: &str,
        include_key: &str,
        exclude: &str,
        exclude_key: &str,
    ) -> Result<NameFilter, String> {
        Ok(NameFilter {
            include: list_regex(include, include_key)?,
            exclude: list_regex(exclude, exclude_key)?,
        })
    }

    /// Whether `name` is included and not excluded.
    pub fn matches(&self, name: &str) -> bool {
        self.include.is_match(name) && !self.exclude.is_match(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_prefixes_the_source_alias() {
        let p = ReplicationPolicy::default_policy();
        assert_eq!(p.format_remote_topic("A", "orders"), "A.orders");
        assert_eq!(p.topic_source("A.orders").as_deref(), Some("A"));
        assert_eq!(p.upstream_topic("B.A.orders").as_deref(), Some("A.orders"));
        assert_eq!(p.topic_source("orders"), None);
        assert_eq!(p.offset_syncs_topic("B"), "mm2-offset-syncs.B.internal");
        assert_eq!(p.checkpoints_topic("A"), "A.checkpoints.internal");
        let dash = ReplicationPolicy::from_config("DefaultReplicationPolicy", "_", None).unwrap();
        assert_eq!(dash.format_remote_topic("A", "t"), "A_t");
        assert_eq!(dash.checkpoints_topic("A"), "A_checkpoints_internal");
    }

    #[test]
    fn identity_policy_keeps_names_but_not_for_heartbeats() {
        let p = ReplicationPolicy::from_config(IDENTITY_POLICY, ".", Some("A")).unwrap();
        assert_eq!(p.format_remote_topic("A", "orders"), "orders");
        assert_eq!(p.format_remote_topic("A", "heartbeats"), "A.heartbeats");
        assert_eq!(p.topic_source("orders").as_deref(), Some("A"));
        assert_eq!(p.upstream_topic("orders").as_deref(), Some("orders"));
    }

    #[test]
    fn unknown_policies_and_empty_separators_are_refused() {
        let err = ReplicationPolicy::from_config("com.x.MyPolicy", ".", None).unwrap_err();
        assert!(err.contains("com.x.MyPolicy"), "{err}");
        assert!(ReplicationPolicy::from_config(DEFAULT_POLICY, "", None).is_err());
    }

    #[test]
    fn topics_from_the_target_are_cycles() {
        let p = ReplicationPolicy::default_policy();
        // Replicating A -> B: B.orders on A came from B.
        assert!(p.is_cycle("B.orders", "B"));
        assert!(p.is_cycle("C.B.orders", "B"));
        assert!(!p.is_cycle("C.orders", "B"));
        assert!(!p.is_cycle("orders", "B"));
    }

    #[test]
    fn internal_topics_are_recognised() {
        let p = ReplicationPolicy::default_policy();
        for t in [
            "mm2-offset-syncs.B.internal",
            "A.checkpoints.internal",
            "__consumer_offsets",
            "connect-offsets-internal",
        ] {
            assert!(p.is_internal_topic(t), "{t}");
        }
        assert!(!p.is_internal_topic("heartbeats"));
        assert!(!p.is_internal_topic("orders"));
    }

    #[test]
    fn filters_match_whole_names_and_excludes_win() {
        let f =
            NameFilter::new(".*", "topics", "mm2.*\\.internal, .*\\.replica, __.*", "x").unwrap();
        assert!(f.matches("orders"));
        assert!(!f.matches("orders.replica"));
        assert!(!f.matches("__consumer_offsets"));
        let f = NameFilter::new("orders, pay.*", "topics", "payroll", "x").unwrap();
        assert!(f.matches("orders"));
        assert!(!f.matches("orders2"));
        assert!(f.matches("payments"));
        assert!(!f.matches("payroll"));
        let none = NameFilter::new("", "topics", "", "x").unwrap();
        assert!(!none.matches("orders"));
        let err = NameFilter::new("(", "topics", "", "x").unwrap_err();
        assert!(err.starts_with("topics"), "{err}");
    }
}

//! The connectors' settings: Kafka's keys and defaults (`MirrorConnectorConfig`,
//! `MirrorSourceConfig`, `MirrorCheckpointConfig`, `MirrorHeartbeatConfig`).

use std::time::Duration;

use plugin_abi::prelude::*;

use crate::policy::{NameFilter, ReplicationPolicy, DEFAULT_POLICY};

pub const TOPICS_DEFAULT: &str = ".*";
pub const TOPICS_EXCLUDE_DEFAULT: &str = "mm2.*\\.internal, .*\\.replica, __.*";
pub const GROUPS_DEFAULT: &str = ".*";
pub const GROUPS_EXCLUDE_DEFAULT: &str = "console-consumer-.*, connect-.*, __.*";
/// The task setting that lists a source task's partitions (`topic-partition,…`).
pub const TASK_TOPIC_PARTITIONS: &str = "task.assigned.partitions";
/// The task setting that lists a checkpoint task's groups.
pub const TASK_CONSUMER_GROUPS: &str = "task.assigned.groups";

fn key(name: &str, t: ConfigType, importance: Importance, doc: &str, default: &str) -> ConfigKey {
    ConfigKey::new(name, t, importance, doc).default_value(default)
}

/// The settings every MirrorMaker connector has.
fn common() -> ConfigDef {
    ConfigDef::new()
        // The dedicated mode configures all three connectors for every pair of clusters and
        // sets this to false for flows that are not `A->B.enabled`: only heartbeats run there.
        .define(key("enabled", ConfigType::Boolean, Importance::Low,
            "Whether to replicate source->target.", "true"))
        .define(key("source.cluster.alias", ConfigType::String, Importance::High,
            "Alias of the source cluster.", "source"))
        .define(key("target.cluster.alias", ConfigType::String, Importance::High,
            "Alias of the target cluster. Used in metrics reporting.", "target"))
        .define(key("replication.policy.class", ConfigType::Class, Importance::Low,
            "Class which defines the remote topic naming convention.", DEFAULT_POLICY))
        .define(key("replication.policy.separator", ConfigType::String, Importance::Low,
            "Separator used in remote topic naming convention.", "."))
        .define(
            ConfigKey::new("source.cluster.bootstrap.servers", ConfigType::List, Importance::High,
                "The source cluster's bootstrap servers; other source.cluster.* keys are its client settings.")
                .default_null(),
        )
        .define(
            ConfigKey::new("target.cluster.bootstrap.servers", ConfigType::List, Importance::High,
                "The target cluster's bootstrap servers; other target.cluster.* keys are its client settings.")
                .default_null(),
        )
        .define(key("offset-syncs.topic.location", ConfigType::String, Importance::Low,
            "The location (source/target) of the offset-syncs topic.", "source")
            .validator(Validator::OneOf(vec!["source".into(), "target".into()].into())))
}

fn topic_filter_keys(def: ConfigDef) -> ConfigDef {
    def.define(key("topics", ConfigType::List, Importance::High,
            "Topics to replicate. Supports comma-separated topic names and regexes.", TOPICS_DEFAULT))
        .define(key("topics.exclude", ConfigType::List, Importance::High,
            "Excluded topics. Supports comma-separated topic names and regexes. Excludes take precedence over includes.",
            TOPICS_EXCLUDE_DEFAULT))
}

/// MirrorSourceConnector's settings.
pub fn source_def() -> ConfigDef {
    topic_filter_keys(common())
        .define(key("refresh.topics.enabled", ConfigType::Boolean, Importance::Low,
            "Whether to periodically check for new topics and partitions.", "true"))
        .define(key("refresh.topics.interval.seconds", ConfigType::Long, Importance::Low,
            "Frequency of topic refresh.", "600").validator(Validator::AtLeast(1)))
        .define(key("sync.topic.configs.enabled", ConfigType::Boolean, Importance::Low,
            "Whether to periodically configure remote topics to match their corresponding upstream topics.", "true"))
        .define(key("sync.topic.configs.interval.seconds", ConfigType::Long, Importance::Low,
            "Frequency of topic config sync.", "600").validator(Validator::AtLeast(1)))
        .define(key("replication.factor", ConfigType::Int, Importance::Low,
            "Replication factor for newly created remote topics.", "2"))
        .define(key("offset-syncs.topic.replication.factor", ConfigType::Short, Importance::Low,
            "Replication factor for offset-syncs topic.", "3"))
        .define(key("emit.offset-syncs.enabled", ConfigType::Boolean, Importance::Low,
            "Whether to store the new offset of the replicated records in offset-syncs topic or not.", "true"))
        .define(key("offset.lag.max", ConfigType::Long, Importance::Low,
            "How out-of-sync a remote partition can be before it is resynced.", "100")
            .validator(Validator::AtLeast(0)))
        .define(key("consumer.poll.timeout.ms", ConfigType::Long, Importance::Low,
            "Timeout when polling source cluster.", "1000").validator(Validator::AtLeast(1)))
}

/// MirrorCheckpointConnector's settings.
pub fn checkpoint_def() -> ConfigDef {
    topic_filter_keys(common())
        .define(key("groups", ConfigType::List, Importance::High,
            "Consumer groups to replicate. Supports comma-separated group IDs and regexes.", GROUPS_DEFAULT))
        .define(key("groups.exclude", ConfigType::List, Importance::High,
            "Exclude groups. Supports comma-separated group IDs and regexes. Excludes take precedence over includes.",
            GROUPS_EXCLUDE_DEFAULT))
        .define(key("emit.checkpoints.enabled", ConfigType::Boolean, Importance::Low,
            "Whether to replicate consumer offsets to target cluster.", "true"))
        .define(key("emit.checkpoints.interval.seconds", ConfigType::Long, Importance::Low,
            "Frequency of checkpoints.", "60").validator(Validator::AtLeast(1)))
        .define(key("sync.group.offsets.enabled", ConfigType::Boolean, Importance::Low,
            "Whether to periodically write the translated offsets to __consumer_offsets topic in target cluster, as long as no active consumers in that group are connected to the target cluster.",
            "false"))
        .define(key("sync.group.offsets.interval.seconds", ConfigType::Long, Importance::Low,
            "Frequency of consumer group offset sync.", "60").validator(Validator::AtLeast(1)))
        .define(key("refresh.groups.enabled", ConfigType::Boolean, Importance::Low,
            "Whether to periodically check for new consumer groups.", "true"))
        .define(key("refresh.groups.interval.seconds", ConfigType::Long, Importance::Low,
            "Frequency of group refresh.", "600").validator(Validator::AtLeast(1)))
        .define(key("checkpoints.topic.replication.factor", ConfigType::Short, Importance::Low,
            "Replication factor for checkpoints topic.", "3"))
}

/// MirrorHeartbeatConnector's settings.
pub fn heartbeat_def() -> ConfigDef {
    common()
        .define(key(
            "emit.heartbeats.enabled",
            ConfigType::Boolean,
            Importance::Low,
            "Whether to emit heartbeats to target cluster.",
            "true",
        ))
        .define(
            key(
                "emit.heartbeats.interval.seconds",
                ConfigType::Long,
                Importance::Low,
                "Frequency of heartbeats.",
                "1",
            )
            .validator(Validator::AtLeast(1)),
        )
        .define(key(
            "heartbeats.topic.replication.factor",
            ConfigType::Short,
            Importance::Low,
            "Replication factor for heartbeats topic.",
            "3",
        ))
}

/// A connector's settings read against its definition.
pub struct Settings<'a> {
    def: ConfigDef,
    props: &'a Props,
}

impl<'a> Settings<'a> {
    pub fn new(def: ConfigDef, props: &'a Props) -> Result<Settings<'a>, ConnectError> {
        let errors = def.errors(props);
        if !errors.is_empty() {
            return Err(ConnectError::config(errors.join("; ")));
        }
        Ok(Settings { def, props })
    }

    pub fn string(&self, name: &str) -> String {
        self.def
            .get(self.props, name)
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    pub fn bool(&self, name: &str) -> bool {
        self.string(name).eq_ignore_ascii_case("true")
    }

    pub fn long(&self, name: &str) -> Result<i64, ConnectError> {
        let raw = self.string(name);
        raw.parse()
            .map_err(|_| ConnectError::config(format!("{name}: {raw} is not a number")))
    }

    pub fn seconds(&self, name: &str) -> Result<Duration, ConnectError> {
        Ok(Duration::from_secs(self.long(name)?.max(0) as u64))
    }

    /// `enabled`: whether this flow replicates at all (heartbeats ignore it, as Kafka's).
    pub fn enabled(&self) -> bool {
        self.bool("enabled")
    }

    pub fn source_alias(&self) -> String {
        self.string("source.cluster.alias")
    }

    pub fn target_alias(&self) -> String {
        self.string("target.cluster.alias")
    }

    pub fn policy(&self) -> Result<ReplicationPolicy, ConnectError> {
        ReplicationPolicy::from_config(
            &self.string("replication.policy.class"),
            self.def
                .get(self.props, "replication.policy.separator")
                .unwrap_or("."),
            Some(&self.source_alias()),
        )
        .map_err(ConnectError::config)
    }

    pub fn topic_filter(&self) -> Result<NameFilter, ConnectError> {
        NameFilter::new(
            &self.string("topics"),
            "topics",
            &self.string("topics.exclude"),
            "topics.exclude",
        )
        .map_err(ConnectError::config)
    }

    pub fn group_filter(&self) -> Result<NameFilter, ConnectError> {
        NameFilter::new(
            &self.string("groups"),
            "groups",
            &self.string("groups.exclude"),
            "groups.exclude",
        )
        .map_err(ConnectError::config)
    }

    /// The offset-syncs topic's name and whether it lives on the source cluster.
    pub fn offset_syncs_topic(&self) -> Result<(String, bool), ConnectError> {
        let on_source = self.string("offset-syncs.topic.location") == "source";
        let other = if on_source {
            self.target_alias()
        } else {
            self.source_alias()
        };
        Ok((self.policy()?.offset_syncs_topic(&other), on_source))
    }
}

/// Validation shared by the connectors: the filters' regexes and the policy class.
pub fn validate_common(def: &ConfigDef, props: &Props) -> Vec<ConfigValue> {
    let mut values = def.validate(props);
    let get = |name: &str| def.get(props, name).unwrap_or("");
    let regexes = |name: &str| NameFilter::new(get(name), name, "", "").map(|_| ());
    let checks = [
        ("topics", regexes("topics")),
        ("topics.exclude", regexes("topics.exclude")),
        ("groups", regexes("groups")),
        ("groups.exclude", regexes("groups.exclude")),
        (
            "replication.policy.class",
            ReplicationPolicy::from_config(
                def.get(props, "replication.policy.class")
                    .unwrap_or(DEFAULT_POLICY),
                def.get(props, "replication.policy.separator")
                    .unwrap_or("."),
                None,
            )
            .map(|_| ()),
        ),
    ];
    for (name, check) in checks {
        if def.key(name).is_none() {
            continue;
        }
        if let (Err(e), Some(v)) = (check, values.iter_mut().find(|v| v.name.as_str() == name)) {
            v.errors.push(e.into());
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Props {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_kafkas() {
        let p = props(&[]);
        let s = Settings::new(source_def(), &p).unwrap();
        assert_eq!(s.string("topics"), ".*");
        assert_eq!(
            s.string("topics.exclude"),
            "mm2.*\\.internal, .*\\.replica, __.*"
        );
        assert_eq!(s.long("refresh.topics.interval.seconds").unwrap(), 600);
        assert_eq!(s.long("offset.lag.max").unwrap(), 100);
        assert_eq!(
            s.offset_syncs_topic().unwrap(),
            ("mm2-offset-syncs.target.internal".to_string(), true)
        );
        let c = Settings::new(checkpoint_def(), &p).unwrap();
        assert_eq!(
            c.string("groups.exclude"),
            "console-consumer-.*, connect-.*, __.*"
        );
        assert_eq!(c.long("emit.checkpoints.interval.seconds").unwrap(), 60);
        assert!(!c.bool("sync.group.offsets.enabled"));
        let h = Settings::new(heartbeat_def(), &p).unwrap();
        assert_eq!(h.long("emit.heartbeats.interval.seconds").unwrap(), 1);
    }

    #[test]
    fn offset_syncs_on_the_target_are_named_after_the_source() {
        let p = props(&[
            ("source.cluster.alias", "A"),
            ("target.cluster.alias", "B"),
            ("offset-syncs.topic.location", "target"),
        ]);
        let s = Settings::new(source_def(), &p).unwrap();
        assert_eq!(
            s.offset_syncs_topic().unwrap(),
            ("mm2-offset-syncs.A.internal".to_string(), false)
        );
    }

    #[test]
    fn bad_regexes_policies_and_numbers_are_reported_on_their_setting() {
        let p = props(&[
            ("topics", "orders, ("),
            ("replication.policy.class", "com.x.Custom"),
            ("offset.lag.max", "lots"),
        ]);
        let def = source_def();
        let values = validate_common(&def, &p);
        let errors = |name: &str| {
            values
                .iter()
                .find(|v| v.name.as_str() == name)
                .map(|v| v.errors.len())
                .unwrap_or(0)
        };
        assert_eq!(errors("topics"), 1);
        assert_eq!(errors("replication.policy.class"), 1);
        assert!(errors("offset.lag.max") >= 1);
        assert!(Settings::new(source_def(), &p).is_err());
    }
}

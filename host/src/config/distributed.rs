//! A distributed worker's own keys, as Kafka's `DistributedConfig` names and defaults them.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{bail, Context};

/// How the workers of a group agree on who runs what (`connect.protocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Eager,
    Compatible,
    Sessioned,
}

#[derive(Debug, Clone)]
pub struct DistributedConfig {
    pub group_id: String,
    pub config_topic: String,
    pub config_replication: i32,
    pub offset_topic: String,
    pub offset_replication: i32,
    pub offset_partitions: i32,
    pub status_topic: String,
    pub status_replication: i32,
    pub status_partitions: i32,
    pub session_timeout: Duration,
    pub heartbeat_interval: Duration,
    pub rebalance_timeout: Duration,
    pub scheduled_rebalance_max_delay: Duration,
    pub protocol: Protocol,
}

impl DistributedConfig {
    pub fn from_props(props: &HashMap<String, String>) -> anyhow::Result<DistributedConfig> {
        let get = |k: &str| props.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let required = |k: &str| -> anyhow::Result<String> {
            get(k).map(str::to_string).with_context(|| {
                format!("Missing required configuration \"{k}\" which has no default value.")
            })
        };
        let number = |k: &str, default: i64| -> anyhow::Result<i64> {
            match get(k) {
                None => Ok(default),
                Some(v) => v.parse().with_context(|| {
                    format!("Invalid value {v} for configuration {k}: Not a number")
                }),
            }
        };
        // -1: the broker's default (KIP-464), as Java allows.
        let replication = |k: &str| -> anyhow::Result<i32> {
            let n = number(k, 3)?;
            if n == 0 || n < -1 {
                bail!("Invalid value {n} for configuration {k}: must be -1 or at least 1");
            }
            Ok(n as i32)
        };
        let partitions = |k: &str, default: i64| -> anyhow::Result<i32> {
            let n = number(k, default)?;
            if n == 0 || n < -1 {
                bail!("Invalid value {n} for configuration {k}: must be -1 or at least 1");
            }
            Ok(n as i32)
        };
        let millis = |k: &str, default: i64| -> anyhow::Result<Duration> {
            let n = number(k, default)?;
            if n < 0 {
                bail!("Invalid value {n} for configuration {k}: must not be negative");
            }
            Ok(Duration::from_millis(n as u64))
        };
        let protocol = match get("connect.protocol").unwrap_or("sessioned") {
            p if p.eq_ignore_ascii_case("eager") => Protocol::Eager,
            p if p.eq_ignore_ascii_case("compatible") => Protocol::Compatible,
            p if p.eq_ignore_ascii_case("sessioned") => Protocol::Sessioned,
            p => bail!("Invalid value {p} for configuration connect.protocol: String must be one of: eager, compatible, sessioned"),
        };
        let config = DistributedConfig {
            group_id: required("group.id")?,
            config_topic: required("config.storage.topic")?,
            config_replication: replication("config.storage.replication.factor")?,
            offset_topic: required("offset.storage.topic")?,
            offset_replication: replication("offset.storage.replication.factor")?,
            offset_partitions: partitions("offset.storage.partitions", 25)?,
            status_topic: required("status.storage.topic")?,
            status_replication: replication("status.storage.replication.factor")?,
            status_partitions: partitions("status.storage.partitions", 5)?,
            session_timeout: millis("session.timeout.ms", 10_000)?,
            heartbeat_interval: millis("heartbeat.interval.ms", 3_000)?,
            rebalance_timeout: millis("rebalance.timeout.ms", 60_000)?,
            scheduled_rebalance_max_delay: millis("scheduled.rebalance.max.delay.ms", 300_000)?,
            protocol,
        };
        let topics = [
            &config.config_topic,
            &config.offset_topic,
            &config.status_topic,
        ];
        for (i, a) in topics.iter().enumerate() {
            if topics[i + 1..].contains(a) {
                bail!("config.storage.topic, offset.storage.topic and status.storage.topic must be three different topics, but {a} is used twice");
            }
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::read_properties;

    #[test]
    fn kafkas_own_distributed_file_is_accepted_unchanged() {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/kafka/connect-distributed.properties");
        let props = read_properties(&file).unwrap();
        let config = DistributedConfig::from_props(&props).unwrap();
        assert_eq!(config.group_id, "connect-cluster");
        assert_eq!(config.offset_topic, "connect-offsets");
        assert_eq!(config.config_replication, 1);
        assert_eq!(config.offset_partitions, 25);
        assert_eq!(config.status_partitions, 5);
        assert_eq!(
            config.scheduled_rebalance_max_delay,
            Duration::from_secs(300)
        );
        assert_eq!(config.protocol, Protocol::Sessioned);
        let worker = crate::config::WorkerConfig::distributed(props.clone()).unwrap();
        assert!(
            worker.unused_keys().is_empty(),
            "{:?}",
            worker.unused_keys()
        );
    }

    #[test]
    fn missing_and_bad_keys_are_named() {
        let mut props: HashMap<String, String> = [
            ("group.id", "g"),
            ("config.storage.topic", "c"),
            ("offset.storage.topic", "o"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let err = DistributedConfig::from_props(&props)
            .unwrap_err()
            .to_string();
        assert!(err.contains("status.storage.topic"), "{err}");
        props.insert("status.storage.topic".into(), "c".into());
        let err = DistributedConfig::from_props(&props)
            .unwrap_err()
            .to_string();
        assert!(err.contains("three different topics"), "{err}");
        props.insert("status.storage.topic".into(), "s".into());
        props.insert("connect.protocol".into(), "fancy".into());
        let err = DistributedConfig::from_props(&props)
            .unwrap_err()
            .to_string();
        assert!(err.contains("connect.protocol"), "{err}");
        props.insert("connect.protocol".into(), "compatible".into());
        props.insert("offset.storage.replication.factor".into(), "0".into());
        let err = DistributedConfig::from_props(&props)
            .unwrap_err()
            .to_string();
        assert!(err.contains("offset.storage.replication.factor"), "{err}");
    }
}

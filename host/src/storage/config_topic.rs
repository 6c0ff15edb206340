//! The records of distributed mode's config topic, in Java's format (JSON values, as Java's
//! `KafkaConfigBackingStore` writes them with schemas disabled), and the cluster's
//! configuration they add up to.
//!
//! - `connector-<name>`: `{"properties": {...}}`, a tombstone when the connector is deleted
//! - `task-<name>-<n>`: `{"properties": {...}}`, visible only once committed by
//! - `commit-<name>`: `{"tasks": <count>}`
//! - `target-state-<name>`: `{"state": "PAUSED", "state.v2": "STOPPED"}`
//! - `restart-connector-<name>`: `{"include-tasks": bool, "only-failed": bool}`

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Value as Json};

use crate::runtime::TargetState;

pub type Props = HashMap<String, String>;

/// One record of the config topic.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigRecord {
    /// `None`: the connector was deleted.
    Connector(String, Option<Props>),
    Task(String, u32, Props),
    Commit(String, u32),
    Target(String, Option<TargetState>),
    Restart {
        connector: String,
        include_tasks: bool,
        only_failed: bool,
    },
    /// `restart-task-<name>-<n>`: ours; Java restarts a single task by forwarding the
    /// request to the worker running it, and skips keys it does not know.
    RestartTask(String, u32),
}

impl ConfigRecord {
    /// The record's key and value as Java writes them.
    pub fn encode(&self) -> (String, Option<Vec<u8>>) {
        let bytes = |v: Json| Some(v.to_string().into_bytes());
        match self {
            ConfigRecord::Connector(name, props) => (
                format!("connector-{name}"),
                props
                    .as_ref()
                    .and_then(|p| bytes(json!({ "properties": p }))),
            ),
            ConfigRecord::Task(name, id, props) => (
                format!("task-{name}-{id}"),
                bytes(json!({ "properties": props })),
            ),
            ConfigRecord::Commit(name, count) => {
                (format!("commit-{name}"), bytes(json!({ "tasks": count })))
            }
            ConfigRecord::Target(name, state) => (
                format!("target-state-{name}"),
                state.and_then(|s| {
                    // Java 3.5+ writes STOPPED as `state.v2` and PAUSED in `state`, so that
                    // older workers at least pause the connector.
                    let (v1, v2) = match s {
                        TargetState::Running => ("STARTED", "STARTED"),
                        TargetState::Paused => ("PAUSED", "PAUSED"),
                        TargetState::Stopped => ("PAUSED", "STOPPED"),
                    };
                    bytes(json!({ "state": v1, "state.v2": v2 }))
                }),
            ),
            ConfigRecord::Restart {
                connector,
                include_tasks,
                only_failed,
            } => (
                format!("restart-connector-{connector}"),
                bytes(json!({ "include-tasks": include_tasks, "only-failed": only_failed })),
            ),
            ConfigRecord::RestartTask(connector, id) => {
                (format!("restart-task-{connector}-{id}"), bytes(json!({})))
            }
        }
    }

    /// Reads a record; `None` for keys this worker does not use (`session-key`, …) or a
    /// value it cannot read (logged).
    pub fn decode(key: &[u8], value: Option<&[u8]>) -> Option<ConfigRecord> {
        let key = std::str::from_utf8(key).ok()?;
        let value: Option<Json> = match value {
            None => None,
            Some(bytes) => match serde_json::from_slice(bytes) {
                Ok(v) => Some(v),
                Err(e) => {
                    tracing::warn!("config topic record {key} is not JSON: {e}; skipped");
                    return None;
                }
            },
        };
        let properties = |v: &Json| -> Option<Props> {
            let map = v.get("properties")?.as_object()?;
            Some(
                map.iter()
                    .map(|(k, v)| {
                        let text = v.as_str().map(str::to_string).unwrap_or(v.to_string());
                        (k.clone(), text)
                    })
                    .collect(),
            )
        };
        if let Some(name) = key.strip_prefix("connector-") {
            return Some(ConfigRecord::Connector(
                name.to_string(),
                value.as_ref().and_then(properties),
            ));
        }
        if let Some(rest) = key.strip_prefix("task-") {
            let (name, id) = rest.rsplit_once('-')?;
            return Some(ConfigRecord::Task(
                name.to_string(),
                id.parse().ok()?,
                properties(value.as_ref()?)?,
            ));
        }
        if let Some(name) = key.strip_prefix("commit-") {
            let count = value.as_ref()?.get("tasks")?.as_u64()?;
            return Some(ConfigRecord::Commit(name.to_string(), count as u32));
        }
        if let Some(name) = key.strip_prefix("target-state-") {
            let state = value.as_ref().and_then(|v| {
                let text = v
                    .get("state.v2")
                    .or_else(|| v.get("state"))
                    .and_then(Json::as_str)?;
                match text {
                    "STARTED" => Some(TargetState::Running),
                    "PAUSED" => Some(TargetState::Paused),
                    "STOPPED" => Some(TargetState::Stopped),
                    _ => None,
                }
            });
            return Some(ConfigRecord::Target(name.to_string(), state));
        }
        if let Some(rest) = key.strip_prefix("restart-task-") {
            let (name, id) = rest.rsplit_once('-')?;
            return Some(ConfigRecord::RestartTask(
                name.to_string(),
                id.parse().ok()?,
            ));
        }
        if let Some(name) = key.strip_prefix("restart-connector-") {
            let v = value.as_ref()?;
            return Some(ConfigRecord::Restart {
                connector: name.to_string(),
                include_tasks: v["include-tasks"].as_bool().unwrap_or(false),
                only_failed: v["only-failed"].as_bool().unwrap_or(false),
            });
        }
        None
    }
}

/// What a record changed, for the herder to act on.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigChange {
    /// A connector's configuration was written (`true`: it is new).
    Connector(String, bool),
    Removed(String),
    /// A connector's task configurations were committed.
    Tasks(String),
    Target(String),
    Restart {
        connector: String,
        include_tasks: bool,
        only_failed: bool,
    },
    RestartTask(String, u32),
}

/// Every connector's configuration, target state and committed task configurations, as the
/// config topic has them up to `offset`.
#[derive(Debug, Clone, Default)]
pub struct ClusterConfig {
    pub connectors: BTreeMap<String, Props>,
    pub targets: BTreeMap<String, TargetState>,
    pub tasks: BTreeMap<String, Vec<Props>>,
    /// Task configurations written but not committed yet.
    pending: BTreeMap<String, BTreeMap<u32, Props>>,
}

impl ClusterConfig {
    pub fn target(&self, name: &str) -> TargetState {
        self.targets
            .get(name)
            .copied()
            .unwrap_or(TargetState::Running)
    }

    pub fn task_count(&self, name: &str) -> usize {
        self.tasks.get(name).map_or(0, Vec::len)
    }

    /// Applies a record; returns what changed.
    pub fn apply(&mut self, record: ConfigRecord) -> Option<ConfigChange> {
        match record {
            ConfigRecord::Connector(name, Some(props)) => {
                let new = self.connectors.insert(name.clone(), props).is_none();
                Some(ConfigChange::Connector(name, new))
            }
            ConfigRecord::Connector(name, None) => {
                self.connectors.remove(&name)?;
                self.targets.remove(&name);
                self.tasks.remove(&name);
                self.pending.remove(&name);
                Some(ConfigChange::Removed(name))
            }
            ConfigRecord::Task(name, id, props) => {
                self.pending.entry(name).or_default().insert(id, props);
                None
            }
            ConfigRecord::Commit(name, count) => {
                let mut pending = self.pending.remove(&name).unwrap_or_default();
                let tasks: Option<Vec<Props>> = (0..count).map(|id| pending.remove(&id)).collect();
                match tasks {
                    Some(tasks) => {
                        self.tasks.insert(name.clone(), tasks);
                        Some(ConfigChange::Tasks(name))
                    }
                    None => {
                        // As Java: a commit without all its task records is ignored.
                        tracing::warn!(
                            connector = %name,
                            "config topic: a commit of {count} task(s) without all their configurations; ignored"
                        );
                        None
                    }
                }
            }
            ConfigRecord::Target(name, state) => {
                match state {
                    Some(state) => self.targets.insert(name.clone(), state),
                    None => self.targets.remove(&name),
                };
                Some(ConfigChange::Target(name))
            }
            ConfigRecord::Restart {
                connector,
                include_tasks,
                only_failed,
            } => Some(ConfigChange::Restart {
                connector,
                include_tasks,
                only_failed,
            }),
            ConfigRecord::RestartTask(name, id) => Some(ConfigChange::RestartTask(name, id)),
        }
    }
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

    fn round_trip(record: ConfigRecord) -> ConfigRecord {
        let (key, value) = record.encode();
        ConfigRecord::decode(key.as_bytes(), value.as_deref()).unwrap()
    }

    #[test]
    fn records_use_javas_keys_and_values() {
        let (key, value) =
            ConfigRecord::Connector("a-b".into(), Some(props(&[("tasks.max", "2")]))).encode();
        assert_eq!(key, "connector-a-b");
        let value: Json = serde_json::from_slice(&value.unwrap()).unwrap();
        assert_eq!(value, json!({"properties": {"tasks.max": "2"}}));
        let (key, value) = ConfigRecord::Commit("a-b".into(), 3).encode();
        assert_eq!(
            (key.as_str(), value.unwrap()),
            ("commit-a-b", br#"{"tasks":3}"#.to_vec())
        );
        let (key, value) = ConfigRecord::Target("c".into(), Some(TargetState::Stopped)).encode();
        assert_eq!(key, "target-state-c");
        let value: Json = serde_json::from_slice(&value.unwrap()).unwrap();
        assert_eq!(value, json!({"state": "PAUSED", "state.v2": "STOPPED"}));
    }

    #[test]
    fn records_read_back_including_names_with_dashes() {
        for record in [
            ConfigRecord::Connector("my-conn".into(), Some(props(&[("k", "v")]))),
            ConfigRecord::Connector("my-conn".into(), None),
            ConfigRecord::Task("my-conn-2".into(), 11, props(&[("k", "v")])),
            ConfigRecord::Commit("my-conn".into(), 0),
            ConfigRecord::Target("x".into(), Some(TargetState::Paused)),
            ConfigRecord::Target("x".into(), None),
            ConfigRecord::Restart {
                connector: "x".into(),
                include_tasks: true,
                only_failed: false,
            },
            ConfigRecord::RestartTask("a-1".into(), 4),
        ] {
            assert_eq!(round_trip(record.clone()), record);
        }
    }

    #[test]
    fn a_java_v1_target_state_reads() {
        let record = ConfigRecord::decode(b"target-state-c", Some(br#"{"state":"PAUSED"}"#));
        assert_eq!(
            record,
            Some(ConfigRecord::Target("c".into(), Some(TargetState::Paused)))
        );
        assert_eq!(ConfigRecord::decode(b"session-key", Some(b"{}")), None);
        assert_eq!(
            ConfigRecord::decode(b"connector-x", Some(b"not json")),
            None
        );
    }

    #[test]
    fn tasks_become_visible_when_committed_and_go_with_their_connector() {
        let mut config = ClusterConfig::default();
        assert_eq!(
            config.apply(ConfigRecord::Connector("c".into(), Some(props(&[])))),
            Some(ConfigChange::Connector("c".into(), true))
        );
        assert_eq!(
            config.apply(ConfigRecord::Task("c".into(), 0, props(&[("t", "0")]))),
            None
        );
        assert_eq!(config.task_count("c"), 0);
        // A commit naming a task that was never written is ignored.
        assert_eq!(config.apply(ConfigRecord::Commit("c".into(), 2)), None);
        config.apply(ConfigRecord::Task("c".into(), 0, props(&[("t", "0")])));
        config.apply(ConfigRecord::Task("c".into(), 1, props(&[("t", "1")])));
        assert_eq!(
            config.apply(ConfigRecord::Commit("c".into(), 2)),
            Some(ConfigChange::Tasks("c".into()))
        );
        assert_eq!(config.task_count("c"), 2);
        assert_eq!(config.tasks["c"][1]["t"], "1");
        config.apply(ConfigRecord::Target("c".into(), Some(TargetState::Paused)));
        assert_eq!(config.target("c"), TargetState::Paused);
        assert_eq!(
            config.apply(ConfigRecord::Connector("c".into(), None)),
            Some(ConfigChange::Removed("c".into()))
        );
        assert_eq!(config.task_count("c"), 0);
        assert_eq!(config.target("c"), TargetState::Running);
    }
}

//! The JSON bodies of the API, in Kafka Connect's shapes; their schemas go into the
//! OpenAPI document.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::runtime::{ConnectorInfo, TargetState};
use crate::storage::{ConnectorStatus, State, TaskStatus};

/// A connector's or task's configuration: string keys and values.
pub type Config = BTreeMap<String, String>;

/// A configuration value as users send it: Kafka's clients send strings, some send numbers
/// and booleans (Java's Jackson takes them as their text), PATCH sends null to remove a key.
#[derive(Debug, Clone, PartialEq, ToSchema)]
#[schema(value_type = Option<SettingValue>)]
pub struct ConfigValue(pub Option<String>);

impl<'de> Deserialize<'de> for ConfigValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde_json::Value;
        match Value::deserialize(d)? {
            Value::Null => Ok(ConfigValue(None)),
            Value::String(s) => Ok(ConfigValue(Some(s))),
            Value::Number(n) => Ok(ConfigValue(Some(n.to_string()))),
            Value::Bool(b) => Ok(ConfigValue(Some(b.to_string()))),
            other => Err(serde::de::Error::custom(format!(
                "configuration values must be strings, not {other}"
            ))),
        }
    }
}

/// What the OpenAPI document says a setting's value may be: a string (numbers and
/// booleans are taken as their text); null removes the key in PATCH and is ignored elsewhere.
#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // only describes the JSON; `ConfigValue` parses it
enum SettingValue {
    Text(String),
    Number(f64),
    Flag(bool),
}

/// A configuration as sent in a request.
pub type ConfigInput = BTreeMap<String, ConfigValue>;

/// Keys with values; null values are dropped (meaningful only to PATCH).
pub fn config_values(input: ConfigInput) -> std::collections::HashMap<String, String> {
    input
        .into_iter()
        .filter_map(|(k, v)| Some((k, v.0?)))
        .collect()
}

/// `POST /connectors` body.
#[derive(Deserialize, ToSchema)]
pub struct CreateConnectorRequest {
    pub name: Option<String>,
    pub config: Option<ConfigInput>,
    /// RUNNING (default), PAUSED or STOPPED.
    #[schema(value_type = Option<String>, example = "RUNNING")]
    pub initial_state: Option<TargetState>,
}

/// A task's identity.
#[derive(Serialize, ToSchema)]
pub struct TaskId {
    pub connector: String,
    pub task: u32,
}

/// `GET /connectors/{name}`: configuration, tasks and type.
#[derive(Serialize, ToSchema)]
pub struct ConnectorInfoBody {
    pub name: String,
    pub config: Config,
    pub tasks: Vec<TaskId>,
    /// `source` or `sink`.
    #[serde(rename = "type")]
    pub kind: String,
}

impl From<ConnectorInfo> for ConnectorInfoBody {
    fn from(info: ConnectorInfo) -> Self {
        ConnectorInfoBody {
            tasks: (0..info.task_count as u32)
                .map(|task| TaskId {
                    connector: info.name.clone(),
                    task,
                })
                .collect(),
            name: info.name,
            config: info.config.into_iter().collect(),
            kind: info.connector_type.name().to_string(),
        }
    }
}

/// A connector's own state.
#[derive(Serialize, ToSchema)]
pub struct ConnectorStateBody {
    /// UNASSIGNED, RUNNING, PAUSED, STOPPED, FAILED or RESTARTING.
    #[schema(value_type = String)]
    pub state: State,
    pub worker_id: String,
    /// The error of a FAILED connector.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
    /// The version of the connector plugin running (KIP-891).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A task's state.
#[derive(Serialize, ToSchema)]
pub struct TaskStateBody {
    pub id: u32,
    #[schema(value_type = String)]
    pub state: State,
    pub worker_id: String,
    /// The error of a FAILED task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
    /// The version of the plugin the task runs (KIP-891).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl From<TaskStatus> for TaskStateBody {
    fn from(t: TaskStatus) -> Self {
        TaskStateBody {
            id: t.id,
            state: t.state,
            worker_id: t.worker_id,
            trace: t.trace,
            version: t.version,
        }
    }
}

/// `GET /connectors/{name}/status`.
#[derive(Serialize, ToSchema)]
pub struct ConnectorStatusBody {
    pub name: String,
    pub connector: ConnectorStateBody,
    pub tasks: Vec<TaskStateBody>,
    #[serde(rename = "type")]
    pub kind: String,
}

impl From<ConnectorStatus> for ConnectorStatusBody {
    fn from(s: ConnectorStatus) -> Self {
        ConnectorStatusBody {
            name: s.name,
            connector: ConnectorStateBody {
                state: s.state,
                worker_id: s.worker_id,
                trace: s.trace,
                version: s.version,
            },
            tasks: s.tasks.into_values().map(TaskStateBody::from).collect(),
            kind: s.connector_type.name().to_string(),
        }
    }
}

/// One entry of `GET /connectors/{name}/tasks`.
#[derive(Serialize, ToSchema)]
pub struct TaskInfoBody {
    pub id: TaskId,
    pub config: Config,
}

/// One connector in `GET /connectors?expand=…`.
#[derive(Serialize, ToSchema, Default)]
pub struct ExpandedConnector {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ConnectorStatusBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info: Option<ConnectorInfoBody>,
}

/// `GET /connectors/{name}/topics`: `{"<name>": {"topics": [...]}}`.
#[derive(Serialize, ToSchema)]
pub struct ActiveTopicsBody {
    pub topics: Vec<String>,
}

/// One partition's offset. Source partitions and offsets are the connector's own maps;
/// a sink's are `{"kafka_topic","kafka_partition"}` and `{"kafka_offset"}`.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct PartitionOffset {
    #[schema(value_type = Object)]
    pub partition: serde_json::Value,
    /// null removes the partition's offset (PATCH).
    #[schema(value_type = Option<Object>)]
    pub offset: Option<serde_json::Value>,
}

/// `GET`/`PATCH /connectors/{name}/offsets`.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct OffsetsBody {
    pub offsets: Vec<PartitionOffset>,
}

/// A plain acknowledgement: `{"message": "…"}`.
#[derive(Serialize, ToSchema)]
pub struct MessageBody {
    pub message: String,
}

impl MessageBody {
    pub fn new(message: impl Into<String>) -> Self {
        MessageBody {
            message: message.into(),
        }
    }
}

/// A query flag as Java's worker reads it (`Boolean.valueOf`): `true` in any case is true,
/// anything else false. Python's requests sends `True`/`False`.
pub fn java_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let text = Option::<String>::deserialize(d)?;
    Ok(text.map(|t| t.trim().eq_ignore_ascii_case("true")))
}

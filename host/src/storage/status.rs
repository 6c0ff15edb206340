//! Connector and task states, as Kafka Connect reports them.

use std::collections::BTreeMap;
use std::sync::RwLock;

use serde::Serialize;

use crate::config::ConnectorType;

/// A connector's or task's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum State {
    Unassigned,
    Running,
    Paused,
    Stopped,
    Failed,
    Restarting,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskStatus {
    pub id: u32,
    pub state: State,
    pub worker_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
    /// The plugin version the task runs (KIP-891).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ConnectorStatus {
    pub name: String,
    pub connector_type: ConnectorType,
    pub state: State,
    pub worker_id: String,
    pub trace: Option<String>,
    /// The plugin version of the running instance (KIP-891).
    pub version: Option<String>,
    pub tasks: BTreeMap<u32, TaskStatus>,
}

/// The status of every connector on this worker.
#[derive(Default)]
pub struct StatusStore {
    connectors: RwLock<BTreeMap<String, ConnectorStatus>>,
}

impl StatusStore {
    pub fn put_connector(
        &self,
        name: &str,
        connector_type: ConnectorType,
        state: State,
        worker_id: &str,
        trace: Option<String>,
    ) {
        let mut all = self.connectors.write().unwrap_or_else(|e| e.into_inner());
        let entry = all
            .entry(name.to_string())
            .or_insert_with(|| ConnectorStatus {
                name: name.to_string(),
                connector_type,
                state,
                worker_id: worker_id.to_string(),
                trace: None,
                version: None,
                tasks: BTreeMap::new(),
            });
        entry.state = state;
        entry.trace = trace;
    }

    pub fn put_task(
        &self,
        connector: &str,
        id: u32,
        state: State,
        worker_id: &str,
        trace: Option<String>,
    ) {
        let mut all = self.connectors.write().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = all.get_mut(connector) {
            // A task keeps the version it started with; a new task runs the connector's.
            let version = c
                .tasks
                .get(&id)
                .and_then(|t| t.version.clone())
                .or_else(|| c.version.clone());
            c.tasks.insert(
                id,
                TaskStatus {
                    id,
                    state,
                    worker_id: worker_id.to_string(),
                    trace,
                    version,
                },
            );
        }
    }

    /// Records the plugin version a connector instance runs; tasks started from now on
    /// report it too.
    pub fn set_version(&self, connector: &str, version: &str) {
        let mut all = self.connectors.write().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = all.get_mut(connector) {
            c.version = Some(version.to_string());
        }
    }

    pub fn get(&self, connector: &str) -> Option<ConnectorStatus> {
        self.connectors
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(connector)
            .cloned()
    }

    pub fn names(&self) -> Vec<String> {
        self.connectors
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
    }

    /// Forgets a connector's tasks (it stopped, or its tasks were replaced).
    pub fn remove_tasks(&self, connector: &str) {
        if let Some(c) = self
            .connectors
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(connector)
        {
            c.tasks.clear();
        }
    }

    pub fn remove(&self, connector: &str) {
        self.connectors
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(connector);
    }
}

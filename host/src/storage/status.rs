//! Connector and task states, as Kafka Connect reports them.

use std::collections::{BTreeMap, HashMap};
use std::sync::{OnceLock, RwLock};

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

/// A status change as the status topic carries it (`None`: forgotten, a tombstone).
#[derive(Debug, Clone, PartialEq)]
pub enum StatusRecord {
    Connector(String, Option<StatusEntry>),
    Task(String, u32, Option<StatusEntry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatusEntry {
    pub state: State,
    pub worker_id: String,
    pub trace: Option<String>,
    pub version: Option<String>,
    pub generation: i32,
}

type Publisher = Box<dyn Fn(StatusRecord) + Send + Sync>;

/// The status of every connector: in standalone mode, what this worker records; in
/// distributed mode, what the status topic holds (`publish_to`), which every worker's
/// changes go through.
#[derive(Default)]
pub struct StatusStore {
    connectors: RwLock<BTreeMap<String, ConnectorStatus>>,
    publisher: OnceLock<Publisher>,
    /// Distributed mode: the plugin version of each connector this worker runs.
    versions: RwLock<HashMap<String, String>>,
}

impl StatusStore {
    /// From now on, changes go to `publish` only, and come back through `apply`.
    pub fn publish_to(&self, publish: Publisher) {
        let _ = self.publisher.set(publish);
    }

    fn published_version(&self, connector: &str) -> Option<String> {
        self.versions
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(connector)
            .cloned()
    }

    /// Applies a status read from the status topic.
    pub fn apply(&self, record: StatusRecord, connector_type: ConnectorType) {
        let mut all = self.connectors.write().unwrap_or_else(|e| e.into_inner());
        let placeholder = |name: &str| ConnectorStatus {
            name: name.to_string(),
            connector_type,
            state: State::Unassigned,
            worker_id: String::new(),
            trace: None,
            version: None,
            tasks: BTreeMap::new(),
        };
        match record {
            StatusRecord::Connector(name, None) => {
                all.remove(&name);
            }
            StatusRecord::Connector(name, Some(entry)) => {
                let c = all
                    .entry(name.clone())
                    .or_insert_with(|| placeholder(&name));
                c.state = entry.state;
                c.worker_id = entry.worker_id;
                c.trace = entry.trace;
                c.version = entry.version;
            }
            StatusRecord::Task(name, id, None) => {
                if let Some(c) = all.get_mut(&name) {
                    c.tasks.remove(&id);
                }
            }
            StatusRecord::Task(name, id, Some(entry)) => {
                let c = all
                    .entry(name.clone())
                    .or_insert_with(|| placeholder(&name));
                c.tasks.insert(
                    id,
                    TaskStatus {
                        id,
                        state: entry.state,
                        worker_id: entry.worker_id,
                        trace: entry.trace,
                        version: entry.version,
                    },
                );
            }
        }
    }

    pub fn put_connector(
        &self,
        name: &str,
        connector_type: ConnectorType,
        state: State,
        worker_id: &str,
        trace: Option<String>,
    ) {
        if let Some(publish) = self.publisher.get() {
            let version = self.published_version(name);
            publish(StatusRecord::Connector(
                name.to_string(),
                Some(StatusEntry {
                    state,
                    worker_id: worker_id.to_string(),
                    trace,
                    version,
                    generation: 0,
                }),
            ));
            return;
        }
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
        if let Some(publish) = self.publisher.get() {
            let version = self.published_version(connector);
            publish(StatusRecord::Task(
                connector.to_string(),
                id,
                Some(StatusEntry {
                    state,
                    worker_id: worker_id.to_string(),
                    trace,
                    version,
                    generation: 0,
                }),
            ));
            return;
        }
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

    /// A task this worker stopped (revoked, or its connector stopped): UNASSIGNED, unless the
    /// status already names another worker that runs it. As Java's `putSafe`: a worker that
    /// stops a task late must not hide the status of the worker that took it over.
    pub fn put_task_stopped(&self, connector: &str, id: u32, worker_id: &str) {
        let taken_over = self
            .get(connector)
            .and_then(|c| c.tasks.get(&id).cloned())
            .is_some_and(|t| t.worker_id != worker_id && t.state != State::Unassigned);
        if taken_over {
            tracing::debug!(
                connector,
                task = id,
                "stopped here; the status keeps its new worker's"
            );
            return;
        }
        self.put_task(connector, id, State::Unassigned, worker_id, None);
    }

    /// Records the plugin version a connector instance runs; tasks started from now on
    /// report it too.
    pub fn set_version(&self, connector: &str, version: &str) {
        if self.publisher.get().is_some() {
            self.versions
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert(connector.to_string(), version.to_string());
            return;
        }
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

    /// Forgets a connector's tasks (it stopped, or its tasks were replaced). Distributed
    /// mode keeps them, as Java does: the status shows only the tasks the config has.
    pub fn remove_tasks(&self, connector: &str) {
        if self.publisher.get().is_some() {
            return;
        }
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
        if let Some(publish) = self.publisher.get() {
            let tasks: Vec<u32> = self
                .get(connector)
                .map(|c| c.tasks.keys().copied().collect())
                .unwrap_or_default();
            for id in tasks {
                publish(StatusRecord::Task(connector.to_string(), id, None));
            }
            publish(StatusRecord::Connector(connector.to_string(), None));
            return;
        }
        self.connectors
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(connector);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A distributed-mode store whose writes come back as the topic would hand them back.
    fn published() -> (Arc<StatusStore>, Arc<Mutex<Vec<StatusRecord>>>) {
        let store = Arc::new(StatusStore::default());
        let written = Arc::new(Mutex::new(Vec::new()));
        let (back, log) = (Arc::downgrade(&store), written.clone());
        store.publish_to(Box::new(move |record| {
            log.lock().unwrap().push(record.clone());
            if let Some(store) = back.upgrade() {
                store.apply(record, ConnectorType::Source);
            }
        }));
        (store, written)
    }

    fn task(store: &StatusStore, id: u32) -> (State, String) {
        let t = store.get("c").unwrap().tasks[&id].clone();
        (t.state, t.worker_id)
    }

    #[test]
    fn a_task_stopped_late_leaves_its_new_workers_status() {
        let (store, written) = published();
        store.put_task("c", 0, State::Running, "old:8083", None);
        store.put_task("c", 0, State::Running, "new:8083", None);
        store.put_task_stopped("c", 0, "old:8083");
        assert_eq!(task(&store, 0), (State::Running, "new:8083".into()));
        assert_eq!(written.lock().unwrap().len(), 2);
    }

    #[test]
    fn a_task_stopped_by_its_own_worker_becomes_unassigned() {
        let (store, _) = published();
        store.put_task("c", 0, State::Running, "w:8083", None);
        store.put_task_stopped("c", 0, "w:8083");
        assert_eq!(task(&store, 0), (State::Unassigned, "w:8083".into()));
        // Also when another worker only reported it unassigned.
        store.put_task("c", 1, State::Unassigned, "other:8083", None);
        store.put_task_stopped("c", 1, "w:8083");
        assert_eq!(task(&store, 1), (State::Unassigned, "w:8083".into()));
    }
}

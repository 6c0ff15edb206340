//! What the REST API asks of a worker, whatever its mode: the standalone [`Worker`] answers
//! alone; a distributed worker answers for its whole cluster.
//!
//! Every method that changes what runs may call into plugins, join task threads or wait for
//! the broker: run them on a blocking thread, never inside an async task.

use std::collections::HashMap;

use super::worker::{ConnectorInfo, TargetState, Worker, WorkerError};
use super::TaskEnv;
use crate::config::{ConnectorConfig, ConnectorType};
use crate::plugins::PluginRegistry;
use crate::storage::{ConnectorStatus, TaskStatus};

/// A change to a stopped connector's offsets (`with_stopped`).
pub type OffsetChange<'a> =
    &'a mut dyn FnMut(&ConnectorConfig, ConnectorType) -> Result<(), WorkerError>;

pub trait Herder: Send + Sync {
    fn env(&self) -> &TaskEnv;

    fn registry(&self) -> &PluginRegistry {
        &self.env().plugins
    }

    fn connector_names(&self) -> Vec<String>;
    fn status(&self, name: &str) -> Option<ConnectorStatus>;
    fn task_status(&self, name: &str, id: u32) -> Option<TaskStatus> {
        self.status(name)?.tasks.get(&id).cloned()
    }
    fn info(&self, name: &str) -> Result<ConnectorInfo, WorkerError>;
    fn task_configs(&self, name: &str) -> Option<Vec<plugin_abi::Props>>;
    fn offsets_target(
        &self,
        name: &str,
    ) -> Result<(ConnectorConfig, ConnectorType, TargetState), WorkerError>;
    /// Runs `change` on a stopped connector's offsets, with no other change in between.
    fn with_stopped(&self, name: &str, change: OffsetChange<'_>) -> Result<(), WorkerError>;

    fn create_connector(
        &self,
        props: HashMap<String, String>,
        target: TargetState,
    ) -> Result<ConnectorInfo, WorkerError>;
    /// Creates or reconfigures; returns whether it was created.
    fn put_connector_config(
        &self,
        props: HashMap<String, String>,
    ) -> Result<(bool, ConnectorInfo), WorkerError>;
    fn pause_connector(&self, name: &str) -> Result<(), WorkerError>;
    fn resume_connector(&self, name: &str) -> Result<(), WorkerError>;
    fn stop_connector(&self, name: &str) -> Result<(), WorkerError>;
    fn delete_connector(&self, name: &str) -> Result<(), WorkerError>;
    fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> Result<ConnectorStatus, WorkerError>;
    fn restart_task(&self, name: &str, id: u32) -> Result<(), WorkerError>;

    /// Distributed mode: the leader's URL when this worker is not the leader, so that the
    /// REST layer forwards writes there; `Err` while no leader is known (a rebalance).
    fn leader_url(&self) -> Result<Option<String>, WorkerError> {
        Ok(None)
    }

    /// Distributed mode: task configurations a connector produced on another worker, for the
    /// leader to write (`POST /connectors/{name}/tasks`).
    fn put_task_configs(
        &self,
        name: &str,
        _configs: Vec<HashMap<String, String>>,
    ) -> Result<(), WorkerError> {
        self.info(name)?;
        Err(WorkerError::Unsupported(
            "Kafka Connect in standalone mode does not support externally setting task configurations."
                .into(),
        ))
    }
}

impl Herder for Worker {
    fn env(&self) -> &TaskEnv {
        Worker::env(self)
    }
    fn connector_names(&self) -> Vec<String> {
        Worker::connector_names(self)
    }
    fn status(&self, name: &str) -> Option<ConnectorStatus> {
        Worker::status(self, name)
    }
    fn info(&self, name: &str) -> Result<ConnectorInfo, WorkerError> {
        Worker::info(self, name)
    }
    fn task_configs(&self, name: &str) -> Option<Vec<plugin_abi::Props>> {
        Worker::task_configs(self, name)
    }
    fn offsets_target(
        &self,
        name: &str,
    ) -> Result<(ConnectorConfig, ConnectorType, TargetState), WorkerError> {
        Worker::offsets_target(self, name)
    }
    fn with_stopped(&self, name: &str, change: OffsetChange<'_>) -> Result<(), WorkerError> {
        Worker::with_stopped(self, name, change)
    }
    fn create_connector(
        &self,
        props: HashMap<String, String>,
        target: TargetState,
    ) -> Result<ConnectorInfo, WorkerError> {
        Worker::create_connector(self, props, target)
    }
    fn put_connector_config(
        &self,
        props: HashMap<String, String>,
    ) -> Result<(bool, ConnectorInfo), WorkerError> {
        Worker::put_connector_config(self, props)
    }
    fn pause_connector(&self, name: &str) -> Result<(), WorkerError> {
        Worker::pause_connector(self, name)
    }
    fn resume_connector(&self, name: &str) -> Result<(), WorkerError> {
        Worker::resume_connector(self, name)
    }
    fn stop_connector(&self, name: &str) -> Result<(), WorkerError> {
        Worker::stop_connector(self, name)
    }
    fn delete_connector(&self, name: &str) -> Result<(), WorkerError> {
        Worker::delete_connector(self, name)
    }
    fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> Result<ConnectorStatus, WorkerError> {
        Worker::restart_connector(self, name, include_tasks, only_failed)
    }
    fn restart_task(&self, name: &str, id: u32) -> Result<(), WorkerError> {
        Worker::restart_task(self, name, id)
    }
}

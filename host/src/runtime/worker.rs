//! Runs connectors and their tasks, and answers for their status.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use plugin_abi::ffi::{props_from_ffi, props_to_ffi, ConnectorBox, PluginKind};

use super::contexts::{connector_context, ConnectorSignals};
use super::converters::RecordConverters;
use super::sink_task::run_sink_task;
use super::source_task::run_source_task;
use super::task::{TaskEnv, TaskHandle, TaskSpec};
use crate::config::{ConnectorConfig, ConnectorType};
use crate::plugins::{PluginInfo, PluginRegistry};
use crate::storage::{ConnectorStatus, State};

/// Why a connector could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("Connector {0} already exists")]
    AlreadyExists(String),
    /// The configuration is invalid; each entry names a key or the class.
    #[error("Connector configuration is invalid and contains the following {} error(s):\n{}", .0.len(), .0.join("\n"))]
    Invalid(Vec<String>),
}

struct RunningConnector {
    connector: ConnectorBox,
    plugin: Arc<PluginInfo>,
    connector_type: ConnectorType,
    signals: Arc<ConnectorSignals>,
    tasks: Vec<TaskHandle>,
    config: ConnectorConfig,
    task_configs: Vec<plugin_abi::Props>,
}

/// A standalone worker: the plugins, the services tasks share, and what runs.
pub struct Worker {
    registry: PluginRegistry,
    env: Arc<TaskEnv>,
    connectors: Mutex<BTreeMap<String, RunningConnector>>,
}

impl Worker {
    pub fn new(registry: PluginRegistry, env: TaskEnv) -> Worker {
        Worker {
            registry,
            env: Arc::new(env),
            connectors: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn registry(&self) -> &PluginRegistry {
        &self.registry
    }

    pub fn worker_id(&self) -> &str {
        &self.env.worker_id
    }

    /// Validates a connector configuration, starts the connector and its tasks.
    ///
    /// Calls into the plugin: run it on a blocking thread, never inside an async task.
    pub fn create_connector(&self, props: HashMap<String, String>) -> Result<(), CreateError> {
        let config = ConnectorConfig::parse(props).map_err(CreateError::Invalid)?;
        if self.lock().contains_key(&config.name) {
            return Err(CreateError::AlreadyExists(config.name));
        }
        let plugin = self
            .registry
            .find_connector(&config.class)
            .map_err(|e| CreateError::Invalid(vec![e]))?;
        let connector_type = match plugin.kind {
            PluginKind::Sink => ConnectorType::Sink,
            _ => ConnectorType::Source,
        };
        let mut errors = Vec::new();
        if connector_type == ConnectorType::Sink {
            errors.extend(config.sink_errors());
        }
        if let Err(e) = RecordConverters::for_connector(&self.env.worker, &config.props) {
            errors.push(e);
        }
        let mut connector = plugin
            .new_connector()
            .map_err(|e| CreateError::Invalid(vec![e]))?;
        match connector
            .validate(props_to_ffi(&config.props))
            .into_result()
        {
            Ok(values) => errors.extend(
                values
                    .iter()
                    .flat_map(|v| v.errors.iter().map(|e| e.to_string())),
            ),
            Err(e) => errors.push(format!(
                "{} failed to validate its configuration: {}",
                plugin.class, e.message
            )),
        }
        if !errors.is_empty() {
            return Err(CreateError::Invalid(errors));
        }

        let name = config.name.clone();
        let span = tracing::info_span!("connector", connector = %name);
        let _entered = span.enter();
        let worker_id = self.env.worker_id.clone();
        self.env
            .status
            .put_connector(&name, connector_type, State::Unassigned, &worker_id, None);
        let signals = Arc::new(ConnectorSignals::default());
        let started = connector
            .start(
                props_to_ffi(&config.props),
                connector_context(signals.clone()),
            )
            .into_result()
            .map_err(|e| e.message.into_string())
            .and_then(|()| {
                connector
                    .task_configs(config.tasks_max)
                    .into_result()
                    .map_err(|e| e.message.into_string())
            });
        let mut running = RunningConnector {
            connector,
            plugin: plugin.clone(),
            connector_type,
            signals,
            tasks: Vec::new(),
            config,
            task_configs: Vec::new(),
        };
        match started {
            Ok(task_configs) => {
                tracing::info!(
                    "connector {} ({} version {}) started with {} task(s)",
                    name,
                    plugin.class,
                    plugin.version,
                    task_configs.len()
                );
                self.env.status.put_connector(
                    &name,
                    connector_type,
                    State::Running,
                    &worker_id,
                    None,
                );
                running.task_configs = task_configs.iter().map(props_from_ffi).collect();
                running.tasks = self.start_tasks(&plugin, &running.config, &running.task_configs);
            }
            Err(e) => {
                tracing::error!("connector failed to start: {e}");
                self.env.status.put_connector(
                    &name,
                    connector_type,
                    State::Failed,
                    &worker_id,
                    Some(e),
                );
            }
        }
        self.lock().insert(name, running);
        Ok(())
    }

    fn start_tasks(
        &self,
        plugin: &Arc<PluginInfo>,
        config: &ConnectorConfig,
        task_configs: &[plugin_abi::Props],
    ) -> Vec<TaskHandle> {
        let mut handles = Vec::new();
        for (id, props) in task_configs.iter().enumerate() {
            let id = id as u32;
            let spec = TaskSpec {
                connector: config.name.clone(),
                id,
                plugin: plugin.clone(),
                props: props.clone(),
                connector_props: config.props.clone(),
            };
            let spawned = match plugin.kind {
                PluginKind::Sink => TaskHandle::spawn(spec, self.env.clone(), run_sink_task),
                _ => TaskHandle::spawn(spec, self.env.clone(), run_source_task),
            };
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(e) => self.env.status.put_task(
                    &config.name,
                    id,
                    State::Failed,
                    &self.env.worker_id,
                    Some(format!("cannot start a thread for the task: {e}")),
                ),
            }
        }
        handles
    }

    /// Acts on what connectors asked for from their own threads: a reconfiguration
    /// (new task configs: the tasks restart when they changed) or an error (the connector
    /// is FAILED). Called periodically by the mode's main loop.
    pub fn check_connectors(&self) {
        let names: Vec<String> = self.lock().keys().cloned().collect();
        for name in names {
            let Some((signals, kind)) = self
                .lock()
                .get(&name)
                .map(|r| (r.signals.clone(), r.connector_type))
            else {
                continue;
            };
            if let Some(error) = signals
                .error
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
            {
                self.env.status.put_connector(
                    &name,
                    kind,
                    State::Failed,
                    &self.env.worker_id,
                    Some(error),
                );
            }
            if signals
                .reconfigure
                .swap(false, std::sync::atomic::Ordering::AcqRel)
            {
                self.reconfigure(&name);
            }
        }
    }

    fn reconfigure(&self, name: &str) {
        let span = tracing::info_span!("connector", connector = %name);
        let _entered = span.enter();
        let (old_tasks, new_configs, plugin, config) = {
            let mut connectors = self.lock();
            let Some(running) = connectors.get_mut(name) else {
                return;
            };
            let new_configs = match running
                .connector
                .task_configs(running.config.tasks_max)
                .into_result()
            {
                Ok(configs) => configs.iter().map(props_from_ffi).collect::<Vec<_>>(),
                Err(e) => {
                    tracing::error!("task reconfiguration failed: {}", e.message);
                    return;
                }
            };
            if new_configs == running.task_configs {
                tracing::info!("task configurations unchanged; tasks keep running");
                return;
            }
            running.task_configs = new_configs.clone();
            (
                std::mem::take(&mut running.tasks),
                new_configs,
                running.plugin.clone(),
                running.config.clone(),
            )
        };
        tracing::info!(
            "task configurations changed: restarting {} task(s) as {}",
            old_tasks.len(),
            new_configs.len()
        );
        for task in &old_tasks {
            task.request_stop();
        }
        old_tasks.into_iter().for_each(TaskHandle::join);
        let tasks = self.start_tasks(&plugin, &config, &new_configs);
        if let Some(running) = self.lock().get_mut(name) {
            running.tasks = tasks;
        }
    }

    /// Stops every task (all asked at once, then joined), then every connector.
    pub fn stop(&self) {
        let mut connectors = std::mem::take(&mut *self.lock());
        for running in connectors.values() {
            for task in &running.tasks {
                task.request_stop();
            }
        }
        for (name, mut running) in std::mem::take(&mut connectors) {
            for task in running.tasks.drain(..) {
                task.join();
            }
            if let Err(e) = running.connector.stop().into_result() {
                tracing::warn!(connector = %name, "connector stop failed: {}", e.message);
            }
            if let Some(e) = running
                .signals
                .error
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
            {
                tracing::warn!(connector = %name, "connector had raised an error: {e}");
            }
            tracing::info!(connector = %name, "connector stopped");
        }
    }

    pub fn connector_names(&self) -> Vec<String> {
        self.env.status.names()
    }

    pub fn status(&self, name: &str) -> Option<ConnectorStatus> {
        self.env.status.get(name)
    }

    /// The configuration a connector was created with.
    pub fn connector_config(&self, name: &str) -> Option<HashMap<String, String>> {
        self.lock().get(name).map(|r| r.config.props.clone())
    }

    /// The task configurations a connector produced.
    pub fn task_configs(&self, name: &str) -> Option<Vec<plugin_abi::Props>> {
        self.lock().get(name).map(|r| r.task_configs.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, RunningConnector>> {
        self.connectors.lock().unwrap_or_else(|e| e.into_inner())
    }
}

//! Runs connectors and their tasks through their life cycle (create, reconfigure, pause,
//! resume, stop, restart, delete), and answers for their status.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use plugin_abi::ffi::{props_from_ffi, props_to_ffi, ConnectorBox, PluginKind};
use serde::Deserialize;

use super::contexts::{connector_context, ConnectorSignals};
use super::converters::RecordConverters;
use super::errors::ErrorPolicy;
use super::sink_task::run_sink_task;
use super::source_task::run_source_task;
use super::task::{TaskControl, TaskFailure};
use super::task::{TaskEnv, TaskHandle, TaskSpec};
use crate::config::providers::{is_worker_password, unresolve_tasks};
use crate::config::{sink_errors, ConnectorConfig, ConnectorType, Redactor};
use crate::plugins::version::requested_version;
use crate::plugins::{PluginInfo, PluginRegistry};
use crate::storage::{ConnectorStatus, State, TaskStatus};
use crate::transforms::TransformChain;

/// Why a request to the worker was refused.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("Connector {0} not found")]
    NotFound(String),
    #[error("Task {0}-{1} not found")]
    TaskNotFound(String, u32),
    #[error("Connector {0} already exists")]
    AlreadyExists(String),
    /// The configuration is invalid; each entry names a key or the class.
    #[error("Connector configuration is invalid and contains the following {} error(s):\n{}", .0.len(), .0.join("\n"))]
    Invalid(Vec<String>),
    /// Offsets change only while the connector is STOPPED (Kafka's KIP-875).
    #[error("Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/{0}/stop' endpoint")]
    NotStopped(String),
    /// A request this worker does not take, whatever its body (400).
    #[error("{0}")]
    Unsupported(String),
    /// Distributed mode: no leader is known to take the request (a rebalance is under way).
    #[error("Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway.")]
    Rebalancing,
    /// The request was fine; carrying it out failed (storage, broker).
    #[error("{0}")]
    Failed(String),
}

/// What a connector should be doing, as asked over REST or at creation (`initial_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetState {
    Running,
    Paused,
    Stopped,
}

impl<'de> Deserialize<'de> for TargetState {
    /// RUNNING, PAUSED or STOPPED in any case, as Java's worker takes them.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match text.to_ascii_uppercase().as_str() {
            "RUNNING" => Ok(TargetState::Running),
            "PAUSED" => Ok(TargetState::Paused),
            "STOPPED" => Ok(TargetState::Stopped),
            _ => Err(serde::de::Error::custom(format!(
                "initial_state must be RUNNING, PAUSED or STOPPED, not {text}"
            ))),
        }
    }
}

/// A connector's plugin instance while it runs.
pub(crate) struct Instance {
    pub connector: ConnectorBox,
    pub signals: Arc<ConnectorSignals>,
}

struct Connector {
    config: ConnectorConfig,
    plugin: Arc<PluginInfo>,
    connector_type: ConnectorType,
    target: TargetState,
    /// `None` while STOPPED, or when it failed to start.
    instance: Option<Instance>,
    task_configs: Vec<plugin_abi::Props>,
    tasks: BTreeMap<u32, TaskHandle>,
}

/// The task configurations and running tasks of a connector instance being replaced.
type PreviousTasks = (Vec<plugin_abi::Props>, BTreeMap<u32, TaskHandle>);

/// A validated configuration, ready to run.
pub(crate) struct Validated {
    pub config: ConnectorConfig,
    pub plugin: Arc<PluginInfo>,
    pub connector_type: ConnectorType,
}

/// What `GET /connectors/{name}` shows.
pub struct ConnectorInfo {
    pub name: String,
    pub config: HashMap<String, String>,
    pub task_count: usize,
    pub connector_type: ConnectorType,
}

/// A standalone worker: the plugins, the services tasks share, and what runs.
pub struct Worker {
    env: Arc<TaskEnv>,
    connectors: Mutex<BTreeMap<String, Connector>>,
    /// Held through every change of what runs, so changes happen one at a time (as on
    /// Java's herder thread) while readers only ever wait for `connectors`.
    changes: Mutex<()>,
}

impl Worker {
    pub fn new(env: TaskEnv) -> Worker {
        Worker {
            env: Arc::new(env),
            connectors: Mutex::new(BTreeMap::new()),
            changes: Mutex::new(()),
        }
    }

    pub fn registry(&self) -> &PluginRegistry {
        &self.env.plugins
    }

    pub fn env(&self) -> &TaskEnv {
        &self.env
    }

    /// Validates a connector configuration, starts the connector and its tasks.
    ///
    /// Every method that changes what runs calls into plugins and joins task threads: run
    /// them on a blocking thread, never inside an async task.
    pub fn create_connector(
        &self,
        props: HashMap<String, String>,
        target: TargetState,
    ) -> Result<ConnectorInfo, WorkerError> {
        let _change = self.change();
        let valid = self.validate(props)?;
        let name = valid.config.name.clone();
        if self.lock().contains_key(&name) {
            return Err(WorkerError::AlreadyExists(name));
        }
        self.insert_and_start(valid, target);
        self.info(&name)
    }

    /// `PUT /connectors/{name}/config`: creates the connector, or restarts it with the new
    /// configuration in its current target state. Returns whether it was created.
    pub fn put_connector_config(
        &self,
        props: HashMap<String, String>,
    ) -> Result<(bool, ConnectorInfo), WorkerError> {
        let _change = self.change();
        let valid = self.validate(props)?;
        let name = valid.config.name.clone();
        let Some(target) = self.lock().get(&name).map(|c| c.target) else {
            self.insert_and_start(valid, TargetState::Running);
            return Ok((true, self.info(&name)?));
        };
        tracing::info!(connector = %name, "configuration updated: restarting the connector");
        self.stop_tasks(&name);
        self.stop_instance(&name);
        self.env.status.remove_tasks(&name);
        self.insert_and_start(valid, target);
        Ok((false, self.info(&name)?))
    }

    fn insert_and_start(&self, valid: Validated, target: TargetState) {
        let name = valid.config.name.clone();
        self.env.status.put_connector(
            &name,
            valid.connector_type,
            State::Unassigned,
            &self.env.worker_id,
            None,
        );
        self.env.status.set_version(&name, &valid.plugin.version);
        self.lock().insert(
            name.clone(),
            Connector {
                config: valid.config,
                plugin: valid.plugin,
                connector_type: valid.connector_type,
                target,
                instance: None,
                task_configs: Vec::new(),
                tasks: BTreeMap::new(),
            },
        );
        if target == TargetState::Stopped {
            self.set_connector_state(&name, State::Stopped, None);
        } else {
            self.start_connector(&name, None);
        }
    }

    /// Checks the worker's keys, finds the plugin and asks it to validate the rest.
    ///
    /// The checks see the configuration resolved (`${provider:path:key}`); what is stored is
    /// the configuration as written, and no error message shows a resolved or PASSWORD value.
    pub(crate) fn validate(&self, raw: HashMap<String, String>) -> Result<Validated, WorkerError> {
        let props = self
            .resolve(&raw)
            .map_err(|e| WorkerError::Invalid(vec![e]))?;
        let redactor = self.redactor(None, &raw, &props);
        let hide = |errors: Vec<String>| {
            WorkerError::Invalid(errors.iter().map(|e| redactor.redact(e)).collect())
        };
        // Every problem at once: the worker's keys, the class, the plugin's own settings.
        let (config, mut errors) = match ConnectorConfig::parse(props.clone()) {
            Ok(config) => (
                Some(ConnectorConfig {
                    props: raw.clone(),
                    ..config
                }),
                Vec::new(),
            ),
            Err(errors) => (None, errors),
        };
        let class = props
            .get("connector.class")
            .map(|c| c.trim())
            .unwrap_or_default();
        if class.is_empty() {
            return Err(hide(errors));
        }
        let version = match requested_version(&props, "connector.") {
            Ok(version) => version,
            Err(e) => {
                errors.push(e);
                return Err(hide(errors));
            }
        };
        let plugin = match self.env.plugins.find_connector(class, version.as_ref()) {
            Ok(plugin) => plugin,
            Err(e) => {
                errors.push(e);
                return Err(hide(errors));
            }
        };
        let redactor = self.redactor(Some(&plugin), &raw, &props);
        let hide = |errors: Vec<String>| {
            WorkerError::Invalid(errors.iter().map(|e| redactor.redact(e)).collect())
        };
        let connector_type = match plugin.kind {
            PluginKind::Sink => ConnectorType::Sink,
            _ => ConnectorType::Source,
        };
        if connector_type == ConnectorType::Sink {
            errors.extend(sink_errors(&props));
        }
        if let Err(e) = RecordConverters::for_connector(&self.env.worker, &props, &self.env.plugins)
        {
            errors.push(e);
        }
        if let Err(e) = TransformChain::from_config(&props, &self.env.plugins) {
            errors.extend(e);
        }
        if let Err(e) = ErrorPolicy::from_config(&props) {
            errors.push(e);
        }
        let connector = plugin.new_connector().map_err(|e| hide(vec![e]))?;
        match connector.validate(props_to_ffi(&props)).into_result() {
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
        match config {
            Some(config) if errors.is_empty() => Ok(Validated {
                config,
                plugin,
                connector_type,
            }),
            _ => Err(hide(errors)),
        }
    }

    /// The configuration with its `${provider:path:key}` variables resolved.
    pub(crate) fn resolve(
        &self,
        raw: &HashMap<String, String>,
    ) -> Result<HashMap<String, String>, String> {
        self.env
            .worker
            .providers
            .resolve(raw)
            .map_err(|e| format!("Failed to resolve the configuration's variables: {e:#}"))
    }

    /// Hides, in messages about this configuration, its resolved values and the values of
    /// its PASSWORD settings (the plugin's, and client secrets such as
    /// `producer.override.sasl.jaas.config`).
    pub(crate) fn redactor(
        &self,
        plugin: Option<&PluginInfo>,
        raw: &HashMap<String, String>,
        resolved: &HashMap<String, String>,
    ) -> Redactor {
        let mut passwords: Vec<String> = raw
            .keys()
            .filter(|k| is_worker_password(k))
            .cloned()
            .collect();
        if let Some(def) = plugin
            .and_then(|p| p.new_connector().ok())
            .and_then(|c| c.config().into_result().ok())
        {
            passwords.extend(
                def.keys
                    .iter()
                    .filter(|k| k.config_type == plugin_abi::config::ConfigType::Password)
                    .map(|k| k.name.to_string()),
            );
        }
        Redactor::new(raw, resolved, passwords.iter().map(String::as_str))
    }

    /// Starts a new plugin instance of the connector and, when it starts, its tasks (paused
    /// when the target state is PAUSED). `previous` holds the configurations and tasks of an
    /// instance being replaced: they keep running when the new instance asks for the same
    /// configurations, are replaced when it asks for others, and keep running on their last
    /// configurations when it fails to start (as in Java).
    fn start_connector(&self, name: &str, previous: Option<PreviousTasks>) {
        let Some((plugin, config, target)) = self
            .lock()
            .get(name)
            .map(|c| (c.plugin.clone(), c.config.clone(), c.target))
        else {
            return;
        };
        let (old_configs, kept) = previous.unwrap_or_default();
        let span = tracing::info_span!("connector", connector = %name);
        let _entered = span.enter();
        // Each start picks the version the configuration asks for among what is installed
        // now (as Java resolves it at every start): a library replaced in plugin.path takes
        // effect at the next restart. Tasks always run the connector's version.
        let newest = requested_version(&config.props, "connector.")
            .ok()
            .and_then(|version| {
                self.env
                    .plugins
                    .find_connector(&config.class, version.as_ref())
                    .ok()
            });
        let (plugin, plugin_changed) = match newest {
            Some(newest) if !Arc::ptr_eq(&newest, &plugin) => {
                tracing::info!(
                    "{} version {} replaces version {} from here on",
                    newest.class,
                    newest.version,
                    plugin.version
                );
                if let Some(c) = self.lock().get_mut(name) {
                    c.plugin = newest.clone();
                }
                self.env.status.set_version(name, &newest.version);
                (newest, true)
            }
            _ => (plugin, false),
        };
        let launched = self.start_instance(&plugin, &config);
        match launched {
            Ok((instance, task_configs)) => {
                tracing::info!(
                    "connector ({} version {}) started with {} task(s)",
                    plugin.class,
                    plugin.version,
                    task_configs.len()
                );
                self.set_connector_state(name, running_state(target), None);
                let tasks = if task_configs == old_configs && !plugin_changed {
                    kept
                } else if kept.is_empty() {
                    let configs = task_configs.iter().cloned().enumerate();
                    self.start_tasks(&plugin, &config, configs, target)
                } else {
                    self.replace_tasks(name, kept, &plugin, &config, &task_configs, target)
                };
                if let Some(c) = self.lock().get_mut(name) {
                    c.instance = Some(instance);
                    c.task_configs = task_configs;
                    c.tasks = tasks;
                }
            }
            Err(e) => {
                tracing::error!("connector failed to start: {e}");
                self.set_connector_state(name, State::Failed, Some(e));
                if let Some(c) = self.lock().get_mut(name) {
                    c.tasks = kept;
                }
            }
        }
    }

    /// Starts a new plugin instance on `config` (as written; variables are resolved each time
    /// the connector starts) and returns it with the task configurations it asks for, in the
    /// form written. Counts the start-up; an error hides the configuration's secrets.
    pub(crate) fn start_instance(
        &self,
        plugin: &PluginInfo,
        config: &ConnectorConfig,
    ) -> Result<(Instance, Vec<plugin_abi::Props>), String> {
        self.env.metrics.connector_startups.attempted();
        let launched = self.resolve(&config.props).and_then(|resolved| {
            let redactor = self.redactor(Some(plugin), &config.props, &resolved);
            let running = ConnectorConfig {
                props: resolved,
                ..config.clone()
            };
            launch(plugin, &running)
                .map(|(instance, tasks)| (instance, unresolve_tasks(&config.props, tasks)))
                .map_err(|e| redactor.redact(&e))
        });
        self.env.metrics.connector_startups.ended(launched.is_ok());
        launched
    }

    pub(crate) fn start_tasks(
        &self,
        plugin: &Arc<PluginInfo>,
        config: &ConnectorConfig,
        task_configs: impl Iterator<Item = (usize, plugin_abi::Props)>,
        target: TargetState,
    ) -> BTreeMap<u32, TaskHandle> {
        let mut handles = BTreeMap::new();
        let connector_props = self.resolve(&config.props);
        for (id, props) in task_configs {
            let id = id as u32;
            // Each task resolves its configuration and the connector's when it starts.
            let resolved = connector_props.clone().and_then(|connector| {
                let task = self.resolve(&props)?;
                let mut raw = config.props.clone();
                raw.extend(props.clone());
                let mut all = connector.clone();
                all.extend(task.clone());
                Ok((task, connector, self.redactor(Some(plugin), &raw, &all)))
            });
            let (props, connector_props, redactor) = match resolved {
                Ok(resolved) => resolved,
                Err(e) => {
                    tracing::error!(connector = %config.name, task = id, "task failed to start: {e}");
                    self.env.status.put_task(
                        &config.name,
                        id,
                        State::Failed,
                        &self.env.worker_id,
                        Some(e),
                    );
                    continue;
                }
            };
            let spec = TaskSpec {
                connector: config.name.clone(),
                id,
                plugin: plugin.clone(),
                props,
                connector_props,
            };
            let paused = target == TargetState::Paused;
            let spawned = match plugin.kind {
                PluginKind::Sink => TaskHandle::spawn(
                    spec,
                    self.env.clone(),
                    paused,
                    redacted(redactor, run_sink_task),
                ),
                _ => TaskHandle::spawn(
                    spec,
                    self.env.clone(),
                    paused,
                    redacted(redactor, run_source_task),
                ),
            };
            match spawned {
                Ok(handle) => {
                    handles.insert(id, handle);
                }
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

    /// Stops every task of the connector: all asked at once, then joined.
    fn stop_tasks(&self, name: &str) {
        let tasks = match self.lock().get_mut(name) {
            Some(c) => std::mem::take(&mut c.tasks),
            None => return,
        };
        join_all(tasks.into_values().collect());
    }

    /// Stops the connector's plugin instance (its tasks must be stopped first).
    fn stop_instance(&self, name: &str) {
        let instance = self.lock().get_mut(name).and_then(|c| c.instance.take());
        if let Some(mut instance) = instance {
            if let Err(e) = instance.connector.stop().into_result() {
                tracing::warn!(connector = %name, "connector stop failed: {}", e.message);
            }
            tracing::info!(connector = %name, "connector stopped");
        }
    }

    /// `PUT /connectors/{name}/pause`: tasks keep their place but move no data.
    pub fn pause_connector(&self, name: &str) -> Result<(), WorkerError> {
        let _change = self.change();
        let previous = self.set_target(name, TargetState::Paused)?;
        if previous == TargetState::Stopped {
            // As Java's worker: a stopped connector asked to pause starts, paused.
            self.start_connector(name, None);
            return Ok(());
        }
        self.set_tasks_paused(name, true);
        if self.has_instance(name) {
            self.set_connector_state(name, State::Paused, None);
        }
        tracing::info!(connector = %name, "connector paused");
        Ok(())
    }

    /// `PUT /connectors/{name}/resume`: a paused connector goes on where it was; a stopped
    /// one starts again from its committed offsets.
    pub fn resume_connector(&self, name: &str) -> Result<(), WorkerError> {
        let _change = self.change();
        let previous = self.set_target(name, TargetState::Running)?;
        if previous == TargetState::Stopped {
            self.start_connector(name, None);
            return Ok(());
        }
        self.set_tasks_paused(name, false);
        if self.has_instance(name) {
            self.set_connector_state(name, State::Running, None);
        }
        tracing::info!(connector = %name, "connector resumed");
        Ok(())
    }

    /// `PUT /connectors/{name}/stop`: tasks and connector stopped and released; the
    /// configuration and offsets stay.
    pub fn stop_connector(&self, name: &str) -> Result<(), WorkerError> {
        let _change = self.change();
        self.set_target(name, TargetState::Stopped)?;
        self.stop_tasks(name);
        self.stop_instance(name);
        if let Some(c) = self.lock().get_mut(name) {
            c.task_configs.clear();
        }
        self.env.status.remove_tasks(name);
        self.set_connector_state(name, State::Stopped, None);
        Ok(())
    }

    /// `DELETE /connectors/{name}`: stops it and forgets it; its offsets stay, as in Java.
    pub fn delete_connector(&self, name: &str) -> Result<(), WorkerError> {
        let _change = self.change();
        if !self.lock().contains_key(name) {
            return Err(WorkerError::NotFound(name.to_string()));
        }
        self.stop_tasks(name);
        self.stop_instance(name);
        self.lock().remove(name);
        self.env.status.remove(name);
        self.env.topics.reset(name);
        tracing::info!(connector = %name, "connector deleted");
        Ok(())
    }

    /// `POST /connectors/{name}/restart`: restarts the connector unless `only_failed` and it
    /// has not failed; with `include_tasks`, the tasks too (only failed ones with
    /// `only_failed`). Returns the status as planned, restarted parts RESTARTING.
    pub fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> Result<ConnectorStatus, WorkerError> {
        let _change = self.change();
        let mut plan = self
            .status(name)
            .ok_or_else(|| WorkerError::NotFound(name.to_string()))?;
        let target = self.lock().get(name).map(|c| c.target);
        if target == Some(TargetState::Stopped) {
            // Nothing runs: a restart leaves a stopped connector stopped.
            return Ok(plan);
        }
        let connector = !only_failed || plan.state == State::Failed;
        let tasks: Vec<u32> = if include_tasks {
            plan.tasks
                .values()
                .filter(|t| !only_failed || t.state == State::Failed)
                .map(|t| t.id)
                .collect()
        } else {
            Vec::new()
        };
        if connector {
            plan.state = State::Restarting;
            plan.trace = None;
        }
        for id in &tasks {
            if let Some(t) = plan.tasks.get_mut(id) {
                t.state = State::Restarting;
                t.trace = None;
            }
        }
        if connector {
            self.set_connector_state(name, State::Restarting, None);
            self.restart_instance(name);
        }
        self.restart_tasks(name, &tasks);
        Ok(plan)
    }

    /// Replaces the connector's plugin instance; restarts all tasks when their
    /// configurations changed, otherwise leaves them running.
    fn restart_instance(&self, name: &str) {
        let old = self
            .lock()
            .get(name)
            .map(|c| (c.task_configs.clone(), c.instance.is_some()));
        let Some((old_configs, was_running)) = old else {
            return;
        };
        // A connector that never started has tasks of nothing: start it all afresh.
        if !was_running {
            self.stop_tasks(name);
            self.env.status.remove_tasks(name);
            self.start_connector(name, None);
            return;
        }
        let kept_tasks = match self.lock().get_mut(name) {
            Some(c) => std::mem::take(&mut c.tasks),
            None => return,
        };
        self.stop_instance(name);
        self.start_connector(name, Some((old_configs, kept_tasks)));
    }

    /// `POST /connectors/{name}/tasks/{id}/restart`.
    pub fn restart_task(&self, name: &str, id: u32) -> Result<(), WorkerError> {
        let _change = self.change();
        let known = self
            .lock()
            .get(name)
            .map(|c| (id as usize) < c.task_configs.len());
        match known {
            None => Err(WorkerError::NotFound(name.to_string())),
            Some(false) => Err(WorkerError::TaskNotFound(name.to_string(), id)),
            Some(true) => {
                self.restart_tasks(name, &[id]);
                Ok(())
            }
        }
    }

    fn restart_tasks(&self, name: &str, ids: &[u32]) {
        if ids.is_empty() {
            return;
        }
        let (old, plugin, config, configs, target) = {
            let mut connectors = self.lock();
            let Some(c) = connectors.get_mut(name) else {
                return;
            };
            let old: Vec<TaskHandle> = ids.iter().filter_map(|id| c.tasks.remove(id)).collect();
            (
                old,
                c.plugin.clone(),
                c.config.clone(),
                c.task_configs.clone(),
                c.target,
            )
        };
        for id in ids {
            self.env
                .status
                .put_task(name, *id, State::Restarting, &self.env.worker_id, None);
        }
        join_all(old);
        tracing::info!(connector = %name, "restarting task(s) {ids:?}");
        let wanted = configs
            .into_iter()
            .enumerate()
            .filter(|(id, _)| ids.contains(&(*id as u32)));
        let started = self.start_tasks(&plugin, &config, wanted, target);
        if let Some(c) = self.lock().get_mut(name) {
            c.tasks.extend(started);
        }
    }

    /// Acts on what connectors asked for from their own threads: a reconfiguration
    /// (new task configs: the tasks restart when they changed) or an error (the connector
    /// is FAILED). Called periodically by the mode's main loop.
    pub fn check_connectors(&self) {
        let _change = self.change();
        let signals: Vec<(String, Arc<ConnectorSignals>)> = self
            .lock()
            .iter()
            .filter_map(|(name, c)| Some((name.clone(), c.instance.as_ref()?.signals.clone())))
            .collect();
        for (name, signals) in signals {
            if let Some(error) = signals.take_error() {
                self.set_connector_state(&name, State::Failed, Some(error));
            }
            if signals.take_reconfigure() {
                self.reconfigure(&name);
            }
        }
    }

    fn reconfigure(&self, name: &str) {
        let span = tracing::info_span!("connector", connector = %name);
        let _entered = span.enter();
        let (old_tasks, new_configs, plugin, config, target) = {
            let mut connectors = self.lock();
            let Some(c) = connectors.get_mut(name) else {
                return;
            };
            let tasks_max = c.config.tasks_max;
            let Some(instance) = c.instance.as_mut() else {
                return;
            };
            let new_configs = match instance.connector.task_configs(tasks_max).into_result() {
                Ok(configs) => configs.iter().map(props_from_ffi).collect::<Vec<_>>(),
                Err(e) => {
                    tracing::error!("task reconfiguration failed: {}", e.message);
                    return;
                }
            };
            if new_configs == c.task_configs {
                tracing::info!("task configurations unchanged; tasks keep running");
                return;
            }
            c.task_configs = new_configs.clone();
            (
                std::mem::take(&mut c.tasks),
                new_configs,
                c.plugin.clone(),
                c.config.clone(),
                c.target,
            )
        };
        let tasks = self.replace_tasks(name, old_tasks, &plugin, &config, &new_configs, target);
        if let Some(c) = self.lock().get_mut(name) {
            c.tasks = tasks;
        }
    }

    /// Stops a connector's tasks and starts new ones on `configs`.
    fn replace_tasks(
        &self,
        name: &str,
        old: BTreeMap<u32, TaskHandle>,
        plugin: &Arc<PluginInfo>,
        config: &ConnectorConfig,
        configs: &[plugin_abi::Props],
        target: TargetState,
    ) -> BTreeMap<u32, TaskHandle> {
        tracing::info!(
            "task configurations changed: restarting {} task(s) as {}",
            old.len(),
            configs.len()
        );
        join_all(old.into_values().collect());
        self.env.status.remove_tasks(name);
        self.start_tasks(plugin, config, configs.iter().cloned().enumerate(), target)
    }

    /// Stops every task (all asked at once, then joined), then every connector.
    pub fn stop(&self) {
        let _change = self.change();
        let names: Vec<String> = self.lock().keys().cloned().collect();
        let tasks: Vec<TaskHandle> = self
            .lock()
            .values_mut()
            .flat_map(|c| std::mem::take(&mut c.tasks).into_values())
            .collect();
        join_all(tasks);
        for name in names {
            self.stop_instance(&name);
        }
    }

    pub fn connector_names(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    pub fn status(&self, name: &str) -> Option<ConnectorStatus> {
        self.env.status.get(name)
    }

    pub fn task_status(&self, name: &str, id: u32) -> Option<TaskStatus> {
        self.status(name)?.tasks.get(&id).cloned()
    }

    pub fn info(&self, name: &str) -> Result<ConnectorInfo, WorkerError> {
        self.lock()
            .get(name)
            .map(|c| ConnectorInfo {
                name: name.to_string(),
                config: c.config.props.clone(),
                task_count: c.task_configs.len(),
                connector_type: c.connector_type,
            })
            .ok_or_else(|| WorkerError::NotFound(name.to_string()))
    }

    /// The task configurations a connector produced.
    pub fn task_configs(&self, name: &str) -> Option<Vec<plugin_abi::Props>> {
        self.lock().get(name).map(|c| c.task_configs.clone())
    }

    /// The connector's type and target state; offsets of a running connector are its tasks'.
    pub fn offsets_target(
        &self,
        name: &str,
    ) -> Result<(ConnectorConfig, ConnectorType, TargetState), WorkerError> {
        self.lock()
            .get(name)
            .map(|c| (c.config.clone(), c.connector_type, c.target))
            .ok_or_else(|| WorkerError::NotFound(name.to_string()))
    }

    /// Runs `change` on a stopped connector's offsets, with no other change in between.
    pub fn with_stopped(
        &self,
        name: &str,
        change: super::OffsetChange<'_>,
    ) -> Result<(), WorkerError> {
        let _change = self.change();
        let (config, kind, target) = self.offsets_target(name)?;
        if target != TargetState::Stopped {
            return Err(WorkerError::NotStopped(name.to_string()));
        }
        change(&config, kind)
    }

    fn set_target(&self, name: &str, target: TargetState) -> Result<TargetState, WorkerError> {
        let mut connectors = self.lock();
        let c = connectors
            .get_mut(name)
            .ok_or_else(|| WorkerError::NotFound(name.to_string()))?;
        Ok(std::mem::replace(&mut c.target, target))
    }

    fn set_tasks_paused(&self, name: &str, paused: bool) {
        let state = if paused {
            State::Paused
        } else {
            State::Running
        };
        if let Some(c) = self.lock().get(name) {
            for (id, task) in &c.tasks {
                task.set_paused(paused);
                self.env
                    .status
                    .put_task(name, *id, state, &self.env.worker_id, None);
            }
        }
    }

    fn has_instance(&self, name: &str) -> bool {
        self.lock().get(name).is_some_and(|c| c.instance.is_some())
    }

    fn set_connector_state(&self, name: &str, state: State, trace: Option<String>) {
        let kind = self.lock().get(name).map(|c| c.connector_type);
        if let Some(kind) = kind {
            self.env
                .status
                .put_connector(name, kind, state, &self.env.worker_id, trace);
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Connector>> {
        self.connectors.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn change(&self) -> MutexGuard<'_, ()> {
        self.changes.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A new plugin instance of the connector, started, and the task configurations it asks for.
fn launch(
    plugin: &PluginInfo,
    config: &ConnectorConfig,
) -> Result<(Instance, Vec<plugin_abi::Props>), String> {
    let signals = Arc::new(ConnectorSignals::default());
    let mut connector = plugin.new_connector()?;
    connector
        .start(
            props_to_ffi(&config.props),
            connector_context(signals.clone()),
        )
        .into_result()
        .map_err(|e| e.message.into_string())?;
    match connector.task_configs(config.tasks_max).into_result() {
        Ok(configs) => Ok((
            Instance { connector, signals },
            configs.iter().map(props_from_ffi).collect(),
        )),
        Err(e) => {
            let _ = connector.stop().into_result();
            Err(e.message.into_string())
        }
    }
}

/// A task body whose failure message hides the task's secrets.
fn redacted(
    redactor: Redactor,
    body: fn(&TaskSpec, &TaskEnv, &TaskControl) -> Result<(), TaskFailure>,
) -> impl FnOnce(&TaskSpec, &TaskEnv, &TaskControl) -> Result<(), TaskFailure> + Send + 'static {
    move |spec: &TaskSpec, env: &TaskEnv, control: &TaskControl| {
        body(spec, env, control).map_err(|TaskFailure(trace)| TaskFailure(redactor.redact(&trace)))
    }
}

/// The state of a connector or task that started: RUNNING, or PAUSED when asked to be.
pub(crate) fn running_state(target: TargetState) -> State {
    match target {
        TargetState::Paused => State::Paused,
        _ => State::Running,
    }
}

/// Asks every task to stop at once, then waits for each.
pub(crate) fn join_all(tasks: Vec<TaskHandle>) {
    for task in &tasks {
        task.request_stop();
    }
    tasks.into_iter().for_each(TaskHandle::join);
}

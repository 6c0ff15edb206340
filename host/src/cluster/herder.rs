//! The distributed worker: every worker reads the whole cluster's configuration from the
//! config topic and its statuses from the status topic, and runs only the connectors and
//! tasks the group's leader assigned to it. Writes go to the leader (the REST layer forwards
//! them), which records them in the config topic; every worker acts on what it reads there.

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use plugin_abi::ffi::{props_from_ffi, PluginKind};

use super::{ClusterWork, ConnectorTaskId, GroupListener, Membership, Rebalanced};
use crate::config::{ConnectorConfig, ConnectorType};
use crate::plugins::version::requested_version;
use crate::runtime::worker::{join_all, running_state, Instance};
use crate::runtime::{
    ConnectorInfo, Herder, OffsetChange, TargetState, TaskEnv, TaskHandle, Worker, WorkerError,
};
use crate::storage::config_topic::{ClusterConfig, ConfigChange, ConfigRecord, Props};
use crate::storage::{ConnectorStatus, KafkaLog, State, TaskStatus};

/// A connector instance this worker runs.
struct LocalConnector {
    instance: Instance,
}

/// A task this worker runs, with the configuration it started on.
struct LocalTask {
    handle: TaskHandle,
    props: Props,
}

#[derive(Default)]
struct Local {
    connectors: BTreeMap<String, LocalConnector>,
    tasks: BTreeMap<ConnectorTaskId, LocalTask>,
    /// Task configurations a connector here produced that the leader has not taken yet.
    unpublished: BTreeMap<String, Vec<Props>>,
    /// Each connector's task count when this worker last saw its task configurations: a new
    /// count needs a new assignment, new configurations alone only restart the tasks.
    task_counts: BTreeMap<String, usize>,
}

pub struct DistributedHerder {
    /// Validates configurations and starts tasks; its own connector table stays empty.
    launcher: Worker,
    config_log: KafkaLog,
    config: Arc<RwLock<ClusterConfig>>,
    membership: Mutex<Option<Membership>>,
    round: RwLock<Option<Rebalanced>>,
    local: Mutex<Local>,
    /// Held through every change of what runs here, one at a time.
    changes: Mutex<()>,
    url: String,
    http: reqwest::blocking::Client,
    /// The status topic: flushed after giving work up, so that this worker's last word on a
    /// task lands before its next owner's first.
    status_log: Arc<KafkaLog>,
}

impl DistributedHerder {
    pub fn new(
        launcher: Worker,
        config_log: KafkaLog,
        config: Arc<RwLock<ClusterConfig>>,
        status_log: Arc<KafkaLog>,
        url: String,
    ) -> DistributedHerder {
        DistributedHerder {
            launcher,
            config_log,
            config,
            membership: Mutex::new(None),
            round: RwLock::new(None),
            local: Mutex::default(),
            changes: Mutex::new(()),
            url,
            status_log,
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("an HTTP client with default settings"),
        }
    }

    pub fn set_membership(&self, membership: Membership) {
        *self.membership.lock().unwrap_or_else(|e| e.into_inner()) = Some(membership);
    }

    /// Acts on config topic changes and, every second, on what connectors asked for, until
    /// the channel closes.
    pub fn run(&self, changes: Receiver<ConfigChange>) {
        loop {
            match changes.recv_timeout(Duration::from_secs(1)) {
                Ok(change) => self.on_config_change(change),
                Err(RecvTimeoutError::Timeout) => self.tick(),
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    /// Leaves the group (stopping what runs here) and flushes the status writes.
    pub fn shutdown(&self) {
        let membership = self
            .membership
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(membership) = membership {
            // Revokes everything here, then sends LeaveGroup: the others take over at once.
            membership.close();
        }
        let everything = {
            let local = self.lock();
            (
                local.connectors.keys().cloned().collect::<Vec<_>>(),
                local.tasks.keys().cloned().collect::<Vec<_>>(),
            )
        };
        self.on_revoked(&everything.0, &everything.1);
    }

    fn lock(&self) -> MutexGuard<'_, Local> {
        self.local.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn change(&self) -> MutexGuard<'_, ()> {
        self.changes.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn snapshot(&self) -> std::sync::RwLockReadGuard<'_, ClusterConfig> {
        self.config.read().unwrap_or_else(|e| e.into_inner())
    }

    fn env_arc(&self) -> &TaskEnv {
        self.launcher.env()
    }

    fn worker_id(&self) -> &str {
        &self.env_arc().worker_id
    }

    fn is_leader(&self) -> bool {
        self.round
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .is_some_and(|r| r.is_leader)
    }

    fn rejoin(&self) {
        tracing::debug!("asking the group for a rebalance");
        if let Some(m) = self
            .membership
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            m.request_rejoin();
        }
    }

    /// Writes config records (leader only) and waits until this worker has read them back.
    fn write(&self, records: &[ConfigRecord]) -> Result<(), WorkerError> {
        let encoded: Vec<(String, Option<Vec<u8>>)> =
            records.iter().map(ConfigRecord::encode).collect();
        // Fencing: a worker that is no longer the leader must not write.
        if !self.is_leader() {
            return Err(WorkerError::Failed(
                "this worker is no longer the group's leader; retry the request".into(),
            ));
        }
        self.config_log
            .write_all(&encoded)
            .and_then(|_| self.config_log.read_to_end())
            .map_err(|e| WorkerError::Failed(format!("{e:#}")))
    }

    fn connector_type(&self, props: &Props) -> ConnectorType {
        let class = props.get("connector.class").map(|c| c.trim()).unwrap_or("");
        let version = requested_version(props, "connector.").ok().flatten();
        match self
            .env_arc()
            .plugins
            .find_connector(class, version.as_ref())
        {
            Ok(p) if p.kind == PluginKind::Sink => ConnectorType::Sink,
            Ok(_) => ConnectorType::Source,
            // A plugin not installed here: guess from the keys only sinks have.
            Err(_) if props.contains_key("topics") || props.contains_key("topics.regex") => {
                ConnectorType::Sink
            }
            Err(_) => ConnectorType::Source,
        }
    }

    /// The stored configuration as the runtime takes it (checked keys, props as written).
    fn connector_config(&self, raw: &Props) -> Result<ConnectorConfig, String> {
        let resolved = self.launcher.resolve(raw)?;
        ConnectorConfig::parse(resolved)
            .map(|c| ConnectorConfig {
                props: raw.clone(),
                ..c
            })
            .map_err(|errors| errors.join("; "))
    }

    fn put_connector_status(&self, name: &str, state: State, trace: Option<String>) {
        let kind = self
            .snapshot()
            .connectors
            .get(name)
            .map(|p| self.connector_type(p))
            .unwrap_or(ConnectorType::Source);
        self.env_arc()
            .status
            .put_connector(name, kind, state, self.worker_id(), trace);
    }

    // ---- running what is assigned here ----

    /// Starts a connector assigned here; its task configurations go to the leader.
    fn start_connector(&self, name: &str) {
        let span = tracing::info_span!("connector", connector = %name);
        let _entered = span.enter();
        let (raw, target) = {
            let config = self.snapshot();
            match config.connectors.get(name) {
                Some(raw) => (raw.clone(), config.target(name)),
                None => return,
            }
        };
        if target == TargetState::Stopped {
            self.put_connector_status(name, State::Stopped, None);
            return;
        }
        let config = match self.connector_config(&raw) {
            Ok(c) => c,
            Err(e) => return self.put_connector_status(name, State::Failed, Some(e)),
        };
        let plugin = requested_version(&raw, "connector.").and_then(|v| {
            self.env_arc()
                .plugins
                .find_connector(&config.class, v.as_ref())
        });
        let plugin = match plugin {
            Ok(p) => p,
            Err(e) => return self.put_connector_status(name, State::Failed, Some(e)),
        };
        self.env_arc().status.set_version(name, &plugin.version);
        let launched = self.launcher.start_instance(&plugin, &config);
        match launched {
            Ok((instance, task_configs)) => {
                tracing::info!(
                    "connector ({} version {}) started with {} task(s)",
                    plugin.class,
                    plugin.version,
                    task_configs.len()
                );
                self.put_connector_status(name, running_state(target), None);
                self.lock()
                    .connectors
                    .insert(name.to_string(), LocalConnector { instance });
                self.offer_task_configs(name, task_configs);
            }
            Err(e) => {
                tracing::error!("connector failed to start: {e}");
                self.put_connector_status(name, State::Failed, Some(e));
            }
        }
    }

    fn stop_connector_here(&self, name: &str) {
        let local = self.lock().connectors.remove(name);
        if let Some(mut c) = local {
            if let Err(e) = c.instance.connector.stop().into_result() {
                tracing::warn!(connector = %name, "connector stop failed: {}", e.message);
            }
            tracing::info!(connector = %name, "connector stopped");
        }
        self.lock().unpublished.remove(name);
    }

    /// Task configurations a connector here produced: written when they differ from the
    /// committed ones, by this worker when it leads, else by the leader (over REST).
    fn offer_task_configs(&self, name: &str, configs: Vec<Props>) {
        let current = self.snapshot().tasks.get(name).cloned();
        if current.as_ref() == Some(&configs) {
            self.lock().unpublished.remove(name);
            return;
        }
        self.lock().unpublished.insert(name.to_string(), configs);
        self.publish_task_configs(name);
    }

    fn publish_task_configs(&self, name: &str) {
        let Some(configs) = self.lock().unpublished.get(name).cloned() else {
            return;
        };
        let outcome = if self.is_leader() {
            self.write_task_configs(name, configs)
        } else {
            self.send_to_leader(name, &configs)
        };
        match outcome {
            Ok(()) => {
                self.lock().unpublished.remove(name);
            }
            // Tried again at the next tick.
            Err(e) => tracing::warn!(connector = %name, "task configurations not written yet: {e}"),
        }
    }

    fn write_task_configs(&self, name: &str, configs: Vec<Props>) -> Result<(), WorkerError> {
        if !self.snapshot().connectors.contains_key(name) {
            return Err(WorkerError::NotFound(name.to_string()));
        }
        let count = configs.len() as u32;
        let mut records: Vec<ConfigRecord> = configs
            .into_iter()
            .enumerate()
            .map(|(id, props)| ConfigRecord::Task(name.to_string(), id as u32, props))
            .collect();
        records.push(ConfigRecord::Commit(name.to_string(), count));
        self.write(&records)
    }

    fn send_to_leader(&self, name: &str, configs: &[Props]) -> Result<(), WorkerError> {
        let leader = self
            .leader_url()?
            .ok_or_else(|| WorkerError::Failed("no leader known".into()))?;
        let url = format!(
            "{}/connectors/{}/tasks",
            leader.trim_end_matches('/'),
            urlencode(name)
        );
        let response = self
            .http
            .post(&url)
            .header(super::FORWARDED_HEADER, "1")
            .json(configs)
            .send()
            .map_err(|e| WorkerError::Failed(format!("{url}: {e}")))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(WorkerError::Failed(format!(
                "{url}: {} {}",
                response.status(),
                response.text().unwrap_or_default()
            )))
        }
    }

    fn start_task(&self, id: &ConnectorTaskId) {
        let (raw, props, target) = {
            let config = self.snapshot();
            let Some(raw) = config.connectors.get(&id.connector).cloned() else {
                return;
            };
            let Some(props) = config
                .tasks
                .get(&id.connector)
                .and_then(|t| t.get(id.task as usize))
                .cloned()
            else {
                return;
            };
            (raw, props, config.target(&id.connector))
        };
        if target == TargetState::Stopped {
            return;
        }
        let status = |trace: String| {
            self.env_arc().status.put_task(
                &id.connector,
                id.task,
                State::Failed,
                self.worker_id(),
                Some(trace),
            )
        };
        let config = match self.connector_config(&raw) {
            Ok(c) => c,
            Err(e) => return status(e),
        };
        let plugin = requested_version(&raw, "connector.").and_then(|v| {
            self.env_arc()
                .plugins
                .find_connector(&config.class, v.as_ref())
        });
        let plugin = match plugin {
            Ok(p) => p,
            Err(e) => return status(e),
        };
        self.env_arc()
            .status
            .set_version(&id.connector, &plugin.version);
        let started = self.launcher.start_tasks(
            &plugin,
            &config,
            std::iter::once((id.task as usize, props.clone())),
            target,
        );
        if let Some(handle) = started.into_values().next() {
            self.lock()
                .tasks
                .insert(id.clone(), LocalTask { handle, props });
        }
    }

    fn stop_tasks_here(&self, ids: &[ConnectorTaskId]) {
        let handles: Vec<TaskHandle> = {
            let mut local = self.lock();
            ids.iter()
                .filter_map(|id| local.tasks.remove(id).map(|t| t.handle))
                .collect()
        };
        join_all(handles);
    }

    fn local_tasks_of(&self, name: &str) -> Vec<ConnectorTaskId> {
        self.lock()
            .tasks
            .keys()
            .filter(|id| id.connector == name)
            .cloned()
            .collect()
    }

    // ---- reacting to the config topic ----

    fn on_config_change(&self, change: ConfigChange) {
        let _change = self.change();
        tracing::debug!(leader = self.is_leader(), "config topic: {change:?}");
        match change {
            ConfigChange::Connector(name, new) => {
                if new {
                    if self.is_leader() {
                        self.rejoin();
                    }
                } else if self.lock().connectors.contains_key(&name) {
                    tracing::info!(connector = %name, "configuration updated: restarting the connector");
                    self.stop_connector_here(&name);
                    self.start_connector(&name);
                }
            }
            ConfigChange::Removed(name) => {
                self.lock().task_counts.remove(&name);
                let tasks = self.local_tasks_of(&name);
                self.stop_tasks_here(&tasks);
                self.stop_connector_here(&name);
                if self.is_leader() {
                    self.env_arc().status.remove(&name);
                    self.rejoin();
                }
            }
            ConfigChange::Tasks(name) => {
                let configs = self
                    .snapshot()
                    .tasks
                    .get(&name)
                    .cloned()
                    .unwrap_or_default();
                // Tasks here whose configuration changed start again on the new one.
                let changed: Vec<ConnectorTaskId> = self
                    .lock()
                    .tasks
                    .iter()
                    .filter(|(id, t)| {
                        id.connector == name && configs.get(id.task as usize) != Some(&t.props)
                    })
                    .map(|(id, _)| id.clone())
                    .collect();
                self.stop_tasks_here(&changed);
                for id in &changed {
                    if (id.task as usize) < configs.len() {
                        self.start_task(id);
                    }
                }
                let counted = self.lock().task_counts.insert(name.clone(), configs.len());
                if self.is_leader() && counted != Some(configs.len()) {
                    // The assignment follows the new task count.
                    self.rejoin();
                }
            }
            ConfigChange::Target(name) => self.apply_target(&name),
            ConfigChange::Restart {
                connector,
                include_tasks,
                only_failed,
            } => self.restart_here(&connector, include_tasks, only_failed, None),
            ConfigChange::RestartTask(connector, task) => {
                self.restart_here(&connector, false, false, Some(task))
            }
        }
    }

    fn apply_target(&self, name: &str) {
        let target = self.snapshot().target(name);
        let tasks = self.local_tasks_of(name);
        match target {
            TargetState::Stopped => {
                self.stop_tasks_here(&tasks);
                let owned = self.lock().connectors.contains_key(name);
                if owned {
                    self.stop_connector_here(name);
                    self.put_connector_status(name, State::Stopped, None);
                }
                // As Java: a stopped connector has no tasks, so the assignment drops them.
                if self.is_leader() && self.snapshot().task_count(name) > 0 {
                    if let Err(e) = self.write_task_configs(name, Vec::new()) {
                        tracing::warn!(connector = %name, "cannot clear the task configurations: {e}");
                    }
                }
            }
            TargetState::Paused | TargetState::Running => {
                let paused = target == TargetState::Paused;
                let state = running_state(target);
                {
                    let local = self.lock();
                    for id in &tasks {
                        if let Some(t) = local.tasks.get(id) {
                            t.handle.set_paused(paused);
                            self.env_arc().status.put_task(
                                name,
                                id.task,
                                state,
                                self.worker_id(),
                                None,
                            );
                        }
                    }
                }
                if self.lock().connectors.contains_key(name) {
                    self.put_connector_status(name, state, None);
                } else if self.owns_connector(name) {
                    // Resumed from STOPPED: the connector starts and produces its tasks.
                    self.start_connector(name);
                }
            }
        }
    }

    fn owns_connector(&self, name: &str) -> bool {
        self.round
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .is_some_and(|r| r.owned_connectors.iter().any(|c| c == name))
    }

    fn restart_here(&self, name: &str, include_tasks: bool, only_failed: bool, task: Option<u32>) {
        let failed = |state: Option<State>| state == Some(State::Failed);
        let status = self.env_arc().status.get(name);
        if task.is_none() && self.owns_connector(name) {
            let state = status.as_ref().map(|s| s.state);
            if !only_failed || failed(state) {
                self.stop_connector_here(name);
                self.start_connector(name);
            }
        }
        let ids: Vec<ConnectorTaskId> = self
            .local_tasks_of(name)
            .into_iter()
            .filter(|id| match task {
                Some(t) => id.task == t,
                None => {
                    include_tasks
                        && (!only_failed
                            || failed(
                                status
                                    .as_ref()
                                    .and_then(|s| s.tasks.get(&id.task))
                                    .map(|t| t.state),
                            ))
                }
            })
            .collect();
        if ids.is_empty() {
            return;
        }
        for id in &ids {
            self.env_arc().status.put_task(
                name,
                id.task,
                State::Restarting,
                self.worker_id(),
                None,
            );
        }
        self.stop_tasks_here(&ids);
        tracing::info!(connector = %name, "restarting task(s) {:?}", ids.iter().map(|i| i.task).collect::<Vec<_>>());
        for id in &ids {
            self.start_task(id);
        }
    }

    /// Errors and reconfiguration requests of connectors here; task configurations the
    /// leader has not taken yet.
    fn tick(&self) {
        let _change = self.change();
        let signals: Vec<(String, Arc<crate::runtime::contexts::ConnectorSignals>)> = self
            .lock()
            .connectors
            .iter()
            .map(|(name, c)| (name.clone(), c.instance.signals.clone()))
            .collect();
        for (name, signals) in signals {
            if let Some(error) = signals.take_error() {
                self.put_connector_status(&name, State::Failed, Some(error));
            }
            if signals.take_reconfigure() {
                let tasks_max = self
                    .snapshot()
                    .connectors
                    .get(&name)
                    .and_then(|raw| self.connector_config(raw).ok())
                    .map(|c| c.tasks_max)
                    .unwrap_or(1);
                let configs = self.lock().connectors.get_mut(&name).map(|c| {
                    c.instance
                        .connector
                        .task_configs(tasks_max)
                        .into_result()
                        .map(|configs| configs.iter().map(props_from_ffi).collect::<Vec<_>>())
                });
                match configs {
                    Some(Ok(configs)) => self.offer_task_configs(&name, configs),
                    Some(Err(e)) => {
                        tracing::error!(connector = %name, "task reconfiguration failed: {}", e.message)
                    }
                    None => {}
                }
            }
        }
        let unpublished: Vec<String> = self.lock().unpublished.keys().cloned().collect();
        for name in unpublished {
            self.publish_task_configs(&name);
        }
    }

    fn check_exists(&self, name: &str) -> Result<Props, WorkerError> {
        self.snapshot()
            .connectors
            .get(name)
            .cloned()
            .ok_or_else(|| WorkerError::NotFound(name.to_string()))
    }
}

impl GroupListener for DistributedHerder {
    fn metadata(&self) -> (String, i64) {
        (self.url.clone(), self.config_log.position())
    }

    fn cluster_work(&self, min_offset: i64) -> Result<ClusterWork, String> {
        if self.config_log.position() < min_offset {
            self.config_log
                .read_to_end()
                .map_err(|e| format!("{e:#}"))?;
        }
        let config = self.snapshot();
        Ok(ClusterWork {
            config_offset: self.config_log.position(),
            connectors: config
                .connectors
                .keys()
                .map(|name| (name.clone(), config.task_count(name) as u32))
                .collect(),
        })
    }

    fn on_revoked(&self, connectors: &[String], tasks: &[ConnectorTaskId]) {
        let _change = self.change();
        if !tasks.is_empty() || !connectors.is_empty() {
            tracing::info!(
                "giving up {} connector(s) and {} task(s)",
                connectors.len(),
                tasks.len()
            );
        }
        self.stop_tasks_here(tasks);
        for name in connectors {
            self.stop_connector_here(name);
        }
        self.status_log.flush();
    }

    fn on_assigned(&self, round: &Rebalanced) {
        let _change = self.change();
        *self.round.write().unwrap_or_else(|e| e.into_inner()) = Some(round.clone());
        if self.config_log.position() < round.config_offset {
            if let Err(e) = self.config_log.read_to_end() {
                tracing::warn!("cannot read the config topic to the leader's offset: {e:#}");
            }
        }
        tracing::info!(
            generation = round.generation,
            leader = %round.leader_url,
            "assigned {} connector(s) and {} task(s); this worker now runs {} and {}",
            round.assigned_connectors.len(),
            round.assigned_tasks.len(),
            round.owned_connectors.len(),
            round.owned_tasks.len()
        );
        for name in &round.assigned_connectors {
            self.start_connector(name);
        }
        if !round.assigned_tasks.is_empty() {
            // Source tasks that moved here go on from what their last worker committed.
            if let Err(e) = self.env_arc().offsets.catch_up() {
                tracing::warn!("cannot read the offsets topic to its end: {e:#}");
            }
        }
        for id in &round.assigned_tasks {
            self.start_task(id);
        }
        // Task configurations offered while no leader was known.
        let unpublished: Vec<String> = self.lock().unpublished.keys().cloned().collect();
        for name in unpublished {
            self.publish_task_configs(&name);
        }
    }
}

impl Herder for DistributedHerder {
    fn env(&self) -> &TaskEnv {
        self.env_arc()
    }

    fn connector_names(&self) -> Vec<String> {
        self.snapshot().connectors.keys().cloned().collect()
    }

    fn status(&self, name: &str) -> Option<ConnectorStatus> {
        let (raw, task_count) = {
            let config = self.snapshot();
            (
                config.connectors.get(name)?.clone(),
                config.task_count(name),
            )
        };
        let connector_type = self.connector_type(&raw);
        let mut status = self
            .env_arc()
            .status
            .get(name)
            .unwrap_or_else(|| ConnectorStatus {
                name: name.to_string(),
                connector_type,
                state: State::Unassigned,
                worker_id: String::new(),
                trace: None,
                version: None,
                tasks: BTreeMap::new(),
            });
        status.connector_type = connector_type;
        // As Java: the tasks the configuration has, UNASSIGNED until a worker reports.
        status.tasks.retain(|id, _| (*id as usize) < task_count);
        for id in 0..task_count as u32 {
            status.tasks.entry(id).or_insert_with(|| TaskStatus {
                id,
                state: State::Unassigned,
                worker_id: String::new(),
                trace: None,
                version: None,
            });
        }
        Some(status)
    }

    fn info(&self, name: &str) -> Result<ConnectorInfo, WorkerError> {
        let raw = self.check_exists(name)?;
        Ok(ConnectorInfo {
            name: name.to_string(),
            task_count: self.snapshot().task_count(name),
            connector_type: self.connector_type(&raw),
            config: raw,
        })
    }

    fn task_configs(&self, name: &str) -> Option<Vec<plugin_abi::Props>> {
        let config = self.snapshot();
        config.connectors.get(name)?;
        Some(config.tasks.get(name).cloned().unwrap_or_default())
    }

    fn offsets_target(
        &self,
        name: &str,
    ) -> Result<(ConnectorConfig, ConnectorType, TargetState), WorkerError> {
        let raw = self.check_exists(name)?;
        let config = self
            .connector_config(&raw)
            .map_err(|e| WorkerError::Invalid(vec![e]))?;
        Ok((
            config,
            self.connector_type(&raw),
            self.snapshot().target(name),
        ))
    }

    fn with_stopped(&self, name: &str, change: OffsetChange<'_>) -> Result<(), WorkerError> {
        let (config, kind, target) = self.offsets_target(name)?;
        if target != TargetState::Stopped {
            return Err(WorkerError::NotStopped(name.to_string()));
        }
        change(&config, kind)
    }

    fn create_connector(
        &self,
        props: HashMap<String, String>,
        target: TargetState,
    ) -> Result<ConnectorInfo, WorkerError> {
        let valid = self.launcher.validate(props)?;
        let name = valid.config.name.clone();
        if self.snapshot().connectors.contains_key(&name) {
            return Err(WorkerError::AlreadyExists(name));
        }
        let mut records = Vec::new();
        if target != TargetState::Running {
            records.push(ConfigRecord::Target(name.clone(), Some(target)));
        }
        records.push(ConfigRecord::Connector(
            name.clone(),
            Some(valid.config.props),
        ));
        self.write(&records)?;
        self.info(&name)
    }

    fn put_connector_config(
        &self,
        props: HashMap<String, String>,
    ) -> Result<(bool, ConnectorInfo), WorkerError> {
        let valid = self.launcher.validate(props)?;
        let name = valid.config.name.clone();
        let created = !self.snapshot().connectors.contains_key(&name);
        self.write(&[ConfigRecord::Connector(
            name.clone(),
            Some(valid.config.props),
        )])?;
        Ok((created, self.info(&name)?))
    }

    fn pause_connector(&self, name: &str) -> Result<(), WorkerError> {
        self.check_exists(name)?;
        self.write(&[ConfigRecord::Target(name.into(), Some(TargetState::Paused))])
    }

    fn resume_connector(&self, name: &str) -> Result<(), WorkerError> {
        self.check_exists(name)?;
        self.write(&[ConfigRecord::Target(
            name.into(),
            Some(TargetState::Running),
        )])
    }

    fn stop_connector(&self, name: &str) -> Result<(), WorkerError> {
        self.check_exists(name)?;
        self.write(&[
            ConfigRecord::Target(name.into(), Some(TargetState::Stopped)),
            ConfigRecord::Commit(name.into(), 0),
        ])
    }

    fn delete_connector(&self, name: &str) -> Result<(), WorkerError> {
        self.check_exists(name)?;
        self.write(&[
            ConfigRecord::Connector(name.into(), None),
            ConfigRecord::Target(name.into(), None),
        ])
    }

    fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> Result<ConnectorStatus, WorkerError> {
        let mut plan = self
            .status(name)
            .ok_or_else(|| WorkerError::NotFound(name.to_string()))?;
        if self.snapshot().target(name) == TargetState::Stopped {
            return Ok(plan);
        }
        if !only_failed || plan.state == State::Failed {
            plan.state = State::Restarting;
            plan.trace = None;
        }
        if include_tasks {
            for t in plan.tasks.values_mut() {
                if !only_failed || t.state == State::Failed {
                    t.state = State::Restarting;
                    t.trace = None;
                }
            }
        }
        self.write(&[ConfigRecord::Restart {
            connector: name.to_string(),
            include_tasks,
            only_failed,
        }])?;
        Ok(plan)
    }

    fn restart_task(&self, name: &str, id: u32) -> Result<(), WorkerError> {
        self.check_exists(name)?;
        if id as usize >= self.snapshot().task_count(name) {
            return Err(WorkerError::TaskNotFound(name.to_string(), id));
        }
        self.write(&[ConfigRecord::RestartTask(name.to_string(), id)])
    }

    fn leader_url(&self) -> Result<Option<String>, WorkerError> {
        match self
            .round
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            Some(r) if r.is_leader => Ok(None),
            Some(r) if !r.leader_url.is_empty() => Ok(Some(r.leader_url.clone())),
            _ => Err(WorkerError::Rebalancing),
        }
    }

    fn put_task_configs(
        &self,
        name: &str,
        configs: Vec<HashMap<String, String>>,
    ) -> Result<(), WorkerError> {
        if self.snapshot().tasks.get(name) == Some(&configs) {
            return Ok(());
        }
        self.write_task_configs(name, configs)
    }
}

/// A connector name as one URL path segment.
fn urlencode(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

//! What every task thread shares: its identity, the worker's services, its stop flag.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use plugin_abi::ffi::PluginKind;
use plugin_abi::Props;

use crate::config::WorkerConfig;
use crate::kafka::ClientSettings;
use crate::metrics::{Metrics, TaskKind, TaskMetrics};
use crate::plugins::{PluginInfo, PluginRegistry};
use crate::storage::{ActiveTopics, OffsetStore, State, StatusStore};

/// The worker's services every task uses.
pub struct TaskEnv {
    pub worker: Arc<WorkerConfig>,
    pub clients: ClientSettings,
    pub offsets: Arc<OffsetStore>,
    pub status: Arc<StatusStore>,
    pub topics: Arc<ActiveTopics>,
    /// Every plugin class: tasks find their transforms here.
    pub plugins: Arc<PluginRegistry>,
    pub worker_id: String,
    pub metrics: Arc<Metrics>,
}

/// One task to run.
pub struct TaskSpec {
    pub connector: String,
    pub id: u32,
    pub plugin: Arc<PluginInfo>,
    /// The configuration the connector produced for this task.
    pub props: Props,
    /// The connector's configuration: converters and client overrides come from it.
    pub connector_props: HashMap<String, String>,
}

impl TaskSpec {
    pub fn client_id(&self) -> String {
        format!("connector-{}-{}", self.connector, self.id)
    }

    /// `producer.override.*` / `consumer.override.*` settings of the connector.
    pub fn client_overrides(&self, kind: &str) -> HashMap<String, String> {
        crate::config::subset(&self.connector_props, &format!("{kind}.override."))
    }
}

/// Why a task stopped working; becomes its status trace.
#[derive(Debug)]
pub struct TaskFailure(pub String);

impl<E: std::fmt::Display> From<E> for TaskFailure {
    fn from(e: E) -> Self {
        TaskFailure(e.to_string())
    }
}

/// What the worker tells a running task: stop, or pause (keep everything, move no data);
/// and where the task counts what it does.
pub struct TaskControl {
    /// Shared with the plugin's context (`is_stopping`).
    pub stopping: Arc<AtomicBool>,
    paused: AtomicBool,
    pub metrics: Arc<TaskMetrics>,
}

impl TaskControl {
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::Acquire)
    }

    /// Compares the paused flag with what the loop last saw (`seen`); on a change, records
    /// the task's new state and returns it (true: now paused).
    pub fn pause_change(&self, seen: &mut bool, spec: &TaskSpec, env: &TaskEnv) -> Option<bool> {
        let paused = self.is_paused();
        if paused == *seen {
            return None;
        }
        *seen = paused;
        let state = if paused {
            State::Paused
        } else {
            State::Running
        };
        env.status
            .put_task(&spec.connector, spec.id, state, &env.worker_id, None);
        tracing::info!("task {}", if paused { "paused" } else { "resumed" });
        Some(paused)
    }
}

/// A running task thread.
pub struct TaskHandle {
    control: Arc<TaskControl>,
    thread: Option<JoinHandle<()>>,
    /// Where the task's metrics are registered until it is joined.
    metrics: (Arc<Metrics>, String, u32),
}

impl TaskHandle {
    /// Runs `body` on a thread named after the task, recording its status; `paused` starts
    /// it paused (a connector created or restarted while PAUSED).
    pub fn spawn<F>(
        spec: TaskSpec,
        env: Arc<TaskEnv>,
        paused: bool,
        body: F,
    ) -> std::io::Result<TaskHandle>
    where
        F: FnOnce(&TaskSpec, &TaskEnv, &TaskControl) -> Result<(), TaskFailure> + Send + 'static,
    {
        let kind = match spec.plugin.kind {
            PluginKind::Sink => TaskKind::Sink,
            _ => TaskKind::Source,
        };
        let registry = env.metrics.clone();
        let registration = (registry.clone(), spec.connector.clone(), spec.id);
        let metrics = registry.add_task(&spec.connector, spec.id, kind);
        let control = Arc::new(TaskControl {
            stopping: Arc::new(AtomicBool::new(false)),
            paused: AtomicBool::new(paused),
            metrics: metrics.clone(),
        });
        let flag = control.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("task-{}-{}", spec.connector, spec.id))
            .spawn(move || {
                let span = tracing::info_span!("task", connector = %spec.connector, task = spec.id);
                let _entered = span.enter();
                let state = if flag.is_paused() {
                    State::Paused
                } else {
                    State::Running
                };
                env.status
                    .put_task(&spec.connector, spec.id, state, &env.worker_id, None);
                match body(&spec, &env, &flag) {
                    Ok(()) => {
                        tracing::info!("task stopped");
                        env.status
                            .put_task_stopped(&spec.connector, spec.id, &env.worker_id);
                    }
                    Err(TaskFailure(trace)) => {
                        if !flag.metrics.has_started() {
                            env.metrics.task_startups.ended(false);
                        }
                        tracing::error!(
                            "task failed, it will not recover until restarted: {trace}"
                        );
                        env.status.put_task(
                            &spec.connector,
                            spec.id,
                            State::Failed,
                            &env.worker_id,
                            Some(trace),
                        );
                    }
                }
            });
        let thread = match spawned {
            Ok(thread) => thread,
            Err(e) => {
                registry.task_startups.ended(false);
                registry.remove_task(&registration.1, registration.2, &metrics);
                return Err(e);
            }
        };
        Ok(TaskHandle {
            control,
            thread: Some(thread),
            metrics: registration,
        })
    }

    /// Asks the task to stop; [`TaskHandle::join`] waits for it.
    pub fn request_stop(&self) {
        self.control.stopping.store(true, Ordering::Release);
    }

    /// Pauses or resumes the task; it acts on it within one poll.
    pub fn set_paused(&self, paused: bool) {
        self.control.paused.store(paused, Ordering::Release);
    }

    /// Waits for the task to stop, then drops its metrics.
    pub fn join(mut self) {
        if let Some(t) = self.thread.take() {
            if t.join().is_err() {
                tracing::error!("a task thread panicked in the worker's own code");
            }
        }
        let (registry, connector, id) = &self.metrics;
        registry.remove_task(connector, *id, &self.control.metrics);
    }
}

/// Sleeps up to `total`, waking early when the task is asked to stop.
pub fn sleep_unless_stopping(stopping: &AtomicBool, total: Duration) {
    let step = Duration::from_millis(50);
    let mut slept = Duration::ZERO;
    while slept < total && !stopping.load(Ordering::Acquire) {
        std::thread::sleep(step);
        slept += step;
    }
}

use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::ROption;

use super::connector::{call, RunningConnector};
use super::HarnessError;
use crate::connector::SourceConnector;
use crate::data::{SourceRecord, Value};
use crate::errors::ConnectError;
use crate::ffi::{
    make_source_connector, make_source_task, props_to_ffi, HostSourceTaskContext,
    HostSourceTaskContext_TO, SourceTaskBox,
};
use crate::source::SourceTask;
use crate::Props;

/// Source partitions and their offsets, in the order first seen. Values are not `Hash`
/// (floats), and a connector has few partitions: a list it is.
#[derive(Default)]
struct Offsets(Vec<(Value, Value)>);

impl Offsets {
    fn get(&self, partition: &Value) -> Option<&Value> {
        self.0.iter().find(|(p, _)| p == partition).map(|(_, o)| o)
    }

    fn set(&mut self, partition: Value, offset: Value) {
        match self.0.iter_mut().find(|(p, _)| *p == partition) {
            Some(entry) => entry.1 = offset,
            None => self.0.push((partition, offset)),
        }
    }
}

/// The worker's offset store, as the tasks' contexts read it.
struct Context {
    committed: Arc<Mutex<Offsets>>,
    stopping: Arc<AtomicBool>,
}

impl HostSourceTaskContext for Context {
    fn offset(&self, partition: &Value) -> ROption<Value> {
        let committed = self.committed.lock().unwrap_or_else(|e| e.into_inner());
        committed.get(partition).cloned().into()
    }
    fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }
}

struct Running {
    connector: RunningConnector,
    tasks: Vec<SourceTaskBox>,
    stopping: Arc<AtomicBool>,
}

/// Runs a source connector `C` and its tasks `T` in the test's thread, as the worker would.
///
/// Build it with [`new`](Self::new), optionally give it offsets an earlier run committed with
/// [`with_offset`](Self::with_offset), then [`start`](Self::start) it. Offsets of polled
/// records are committed by [`commit`](Self::commit) and [`stop`](Self::stop) (the worker
/// commits them once Kafka acknowledged the records); tasks read them back through
/// [`SourceTaskContext::offset`](crate::source::SourceTaskContext::offset) when they
/// [`restart`](Self::restart).
///
/// Dropping a running harness stops it, ignoring errors.
pub struct SourceHarness<C, T> {
    props: Props,
    committed: Arc<Mutex<Offsets>>,
    /// Offsets of records polled since the last commit.
    polled: Offsets,
    running: Option<Running>,
    _plugin: PhantomData<fn() -> (C, T)>,
}

impl<C: SourceConnector + Default, T: SourceTask + Default> Default for SourceHarness<C, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: SourceConnector + Default, T: SourceTask + Default> SourceHarness<C, T> {
    /// A harness with no committed offsets, not started yet.
    pub fn new() -> Self {
        SourceHarness {
            props: Props::new(),
            committed: Arc::default(),
            polled: Offsets::default(),
            running: None,
            _plugin: PhantomData,
        }
    }

    /// Presets the committed offset of a source partition, as if an earlier run of the
    /// connector had committed it.
    pub fn with_offset(self, partition: Value, offset: Value) -> Self {
        self.lock_committed().set(partition, offset);
        self
    }

    /// Starts the connector on `props` and then its tasks, as the worker does: validates
    /// `props` (an error returns the invalid settings), starts the connector, asks it for at
    /// most `tasks.max` (default 1) task configurations and starts one task per configuration.
    pub fn start(mut self, props: Props) -> Result<Self, HarnessError> {
        self.props = props;
        self.launch()?;
        Ok(self)
    }

    fn launch(&mut self) -> Result<(), HarnessError> {
        let connector = RunningConnector::launch(make_source_connector::<C>, &self.props)?;
        let mut running = Running {
            connector,
            tasks: Vec::new(),
            stopping: Arc::default(),
        };
        match self.start_tasks(&mut running) {
            Ok(()) => {
                self.running = Some(running);
                Ok(())
            }
            Err(e) => {
                let _ = stop_all(&mut running);
                Err(e.into())
            }
        }
    }

    fn start_tasks(&self, running: &mut Running) -> Result<(), ConnectError> {
        running.stopping.store(false, Ordering::Release);
        for config in &running.connector.task_configs {
            let mut task = make_source_task::<T>();
            let ctx = Context {
                committed: self.committed.clone(),
                stopping: running.stopping.clone(),
            };
            let ctx = HostSourceTaskContext_TO::from_value(ctx, TD_Opaque);
            call(task.start(props_to_ffi(config), ctx))?;
            running.tasks.push(task);
        }
        Ok(())
    }

    /// The task configurations the connector returned, one per running task.
    pub fn task_configs(&self) -> &[Props] {
        &self.running().connector.task_configs
    }

    /// How many tasks run.
    pub fn task_count(&self) -> usize {
        self.running().tasks.len()
    }

    /// Calls `poll` on task `task` (from 0) once. The error is what the worker would see: a
    /// panic in the task comes back with kind [`Panic`](crate::errors::ErrorKind::Panic); after
    /// a [`Retriable`](crate::errors::ErrorKind::Retriable) one the worker would poll again.
    ///
    /// # Panics
    /// If the harness is stopped or there is no task `task`.
    pub fn poll(&mut self, task: usize) -> Result<Vec<SourceRecord>, ConnectError> {
        let running = self.running.as_mut().expect("the harness is stopped");
        let count = running.tasks.len();
        let Some(t) = running.tasks.get_mut(task) else {
            panic!("no task {task}: the harness runs {count} task(s)");
        };
        let records = call(t.poll())?.into_vec();
        for r in &records {
            if !r.source_partition.is_null() && !r.source_offset.is_null() {
                self.polled
                    .set(r.source_partition.clone(), r.source_offset.clone());
            }
        }
        Ok(records)
    }

    /// Polls every task once, in order, and returns their records together.
    pub fn poll_all(&mut self) -> Result<Vec<SourceRecord>, ConnectError> {
        let mut all = Vec::new();
        for task in 0..self.task_count() {
            all.extend(self.poll(task)?);
        }
        Ok(all)
    }

    /// Commits the source offsets of every record polled so far and tells each task so
    /// ([`SourceTask::commit`]), as the worker does once Kafka acknowledged the records.
    pub fn commit(&mut self) -> Result<(), ConnectError> {
        let polled = std::mem::take(&mut self.polled);
        {
            let mut committed = self.lock_committed();
            for (partition, offset) in polled.0 {
                committed.set(partition, offset);
            }
        }
        let mut first_error = None;
        if let Some(running) = self.running.as_mut() {
            for task in &mut running.tasks {
                if let Err(e) = call(task.commit()) {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// The committed offset of a source partition.
    pub fn committed_offset(&self, partition: &Value) -> Option<Value> {
        self.lock_committed().get(partition).cloned()
    }

    /// Whether the connector called
    /// [`request_task_reconfiguration`](crate::connector::ConnectorContext::request_task_reconfiguration)
    /// since it started or since the last [`reconfigure`](Self::reconfigure).
    pub fn reconfiguration_requested(&self) -> bool {
        self.running().connector.reconfiguration_requested()
    }

    /// What the worker does when the connector requests a reconfiguration: asks it for its
    /// task configurations again and, when they changed, stops the tasks (committing their
    /// offsets) and starts new ones. Returns whether the tasks were replaced.
    pub fn reconfigure(&mut self) -> Result<bool, ConnectError> {
        let running = self.running.as_mut().expect("the harness is stopped");
        running.connector.take_reconfiguration_request();
        let configs = running.connector.ask_task_configs()?;
        if configs == running.connector.task_configs {
            return Ok(false);
        }
        let committed = self.commit();
        let mut running = self.running.take().expect("the harness is stopped");
        let stopped = stop_tasks(&mut running);
        running.connector.task_configs = configs;
        let started = self.start_tasks(&mut running);
        self.running = Some(running);
        committed.and(stopped).and(started).map(|()| true)
    }

    /// The errors the connector raised through
    /// [`ConnectorContext::raise_error`](crate::connector::ConnectorContext::raise_error);
    /// the worker would mark it FAILED.
    pub fn raised_errors(&self) -> Vec<String> {
        self.running().connector.raised_errors()
    }

    /// Stops as the worker does: commits the offsets of what was polled, stops the tasks,
    /// then the connector. Everything is stopped even when a step fails; the first error is
    /// returned. Stopping a stopped harness does nothing.
    pub fn stop(&mut self) -> Result<(), ConnectError> {
        if self.running.is_none() {
            return Ok(());
        }
        let committed = self.commit();
        let mut running = self.running.take().expect("checked above");
        committed.and(stop_all(&mut running))
    }

    /// Stops, then starts again on the same configuration and committed offsets: the tasks
    /// should resume where the last run stopped.
    pub fn restart(&mut self) -> Result<(), HarnessError> {
        self.stop()?;
        self.launch()
    }

    fn running(&self) -> &Running {
        self.running.as_ref().expect("the harness is stopped")
    }

    fn lock_committed(&self) -> std::sync::MutexGuard<'_, Offsets> {
        self.committed.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Stops the tasks, with `is_stopping` raised first; the first error wins.
fn stop_tasks(running: &mut Running) -> Result<(), ConnectError> {
    running.stopping.store(true, Ordering::Release);
    let mut result = Ok(());
    for mut task in running.tasks.drain(..) {
        let stopped = call(task.stop());
        result = result.and(stopped);
    }
    result
}

fn stop_all(running: &mut Running) -> Result<(), ConnectError> {
    let tasks = stop_tasks(running);
    tasks.and(running.connector.stop())
}

impl<C, T> std::fmt::Debug for SourceHarness<C, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let committed = self.committed.lock().unwrap_or_else(|e| e.into_inner());
        f.debug_struct("SourceHarness")
            .field("tasks", &self.running.as_ref().map(|r| r.tasks.len()))
            .field("committed", &committed.0)
            .finish()
    }
}

impl<C, T> Drop for SourceHarness<C, T> {
    fn drop(&mut self) {
        if let Some(mut running) = self.running.take() {
            let _ = stop_all(&mut running);
        }
    }
}

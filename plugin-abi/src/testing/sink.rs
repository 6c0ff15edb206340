use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{RSlice, RVec};

use super::connector::{call, RunningConnector};
use super::HarnessError;
use crate::connector::SinkConnector;
use crate::data::SinkRecord;
use crate::errors::ConnectError;
use crate::ffi::{
    make_sink_connector, make_sink_task, props_to_ffi, HostSinkTaskContext, HostSinkTaskContext_TO,
    SinkTaskBox,
};
use crate::sink::{SinkTask, TopicPartition, TopicPartitionOffset};
use crate::Props;

/// What a task's context shares with the harness.
#[derive(Default)]
struct Shared {
    assignment: Mutex<Vec<TopicPartition>>,
    commit_requested: AtomicBool,
    stopping: AtomicBool,
}

struct Context(Arc<Shared>);

impl HostSinkTaskContext for Context {
    fn assignment(&self) -> RVec<TopicPartition> {
        let assignment = self.0.assignment.lock().unwrap_or_else(|e| e.into_inner());
        assignment.clone().into()
    }
    fn request_commit(&self) {
        self.0.commit_requested.store(true, Ordering::Release);
    }
    fn is_stopping(&self) -> bool {
        self.0.stopping.load(Ordering::Acquire)
    }
}

struct Task {
    task: SinkTaskBox,
    shared: Arc<Shared>,
    /// The next offset to consume per partition, for what `put` accepted.
    consumed: Vec<TopicPartitionOffset>,
}

struct Running {
    connector: RunningConnector,
    tasks: Vec<Task>,
}

/// Runs a sink connector `C` and its tasks `T` in the test's thread, as the worker would.
///
/// Hand records to a task with [`put`](Self::put); [`commit`](Self::commit) then asks the
/// tasks what is safe to commit ([`SinkTask::pre_commit`], which flushes by default), as the
/// worker does every `offset.flush.interval.ms` and before stopping. A task's
/// [`assignment`](crate::sink::SinkTaskContext::assignment) is the partitions of the records
/// it was given so far, as if the consumer had been assigned them.
///
/// Dropping a running harness stops it, ignoring errors.
pub struct SinkHarness<C, T> {
    running: Option<Running>,
    committed: Vec<TopicPartitionOffset>,
    _plugin: PhantomData<fn() -> (C, T)>,
}

impl<C: SinkConnector + Default, T: SinkTask + Default> Default for SinkHarness<C, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: SinkConnector + Default, T: SinkTask + Default> SinkHarness<C, T> {
    /// A harness, not started yet.
    pub fn new() -> Self {
        SinkHarness {
            running: None,
            committed: Vec::new(),
            _plugin: PhantomData,
        }
    }

    /// Starts the connector on `props` and then its tasks, as the worker does: validates
    /// `props` (an error returns the invalid settings), starts the connector, asks it for at
    /// most `tasks.max` (default 1) task configurations and starts one task per configuration.
    pub fn start(mut self, props: Props) -> Result<Self, HarnessError> {
        let connector = RunningConnector::launch(make_sink_connector::<C>, &props)?;
        let mut running = Running {
            connector,
            tasks: Vec::new(),
        };
        for config in &running.connector.task_configs {
            let shared = Arc::new(Shared::default());
            let mut task = make_sink_task::<T>();
            let ctx = HostSinkTaskContext_TO::from_value(Context(shared.clone()), TD_Opaque);
            if let Err(e) = call(task.start(props_to_ffi(config), ctx)) {
                let _ = stop_all(&mut running);
                return Err(e.into());
            }
            running.tasks.push(Task {
                task,
                shared,
                consumed: Vec::new(),
            });
        }
        self.running = Some(running);
        Ok(self)
    }

    /// The task configurations the connector returned, one per running task.
    pub fn task_configs(&self) -> &[Props] {
        &self.running().connector.task_configs
    }

    /// How many tasks run.
    pub fn task_count(&self) -> usize {
        self.running().tasks.len()
    }

    /// Hands a batch to the first task; see [`put_to`](Self::put_to).
    pub fn put(&mut self, records: &[SinkRecord]) -> Result<(), ConnectError> {
        self.put_to(0, records)
    }

    /// Hands a batch to task `task` (from 0). The error is what the worker would see: a panic
    /// in the task comes back with kind [`Panic`](crate::errors::ErrorKind::Panic); after a
    /// [`Retriable`](crate::errors::ErrorKind::Retriable) one the worker would hand the same
    /// batch again. Only an accepted batch counts towards the offsets to commit.
    ///
    /// # Panics
    /// If the harness is stopped or there is no task `task`.
    pub fn put_to(&mut self, task: usize, records: &[SinkRecord]) -> Result<(), ConnectError> {
        let t = self.task(task);
        {
            let mut assignment = t
                .shared
                .assignment
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            for r in records {
                if !assignment
                    .iter()
                    .any(|tp| tp.partition == r.kafka_partition && tp.topic == r.topic)
                {
                    assignment.push(TopicPartition {
                        topic: r.topic.clone(),
                        partition: r.kafka_partition,
                    });
                }
            }
        }
        call(t.task.put(RSlice::from_slice(records)))?;
        for r in records {
            record_consumed(&mut t.consumed, r);
        }
        Ok(())
    }

    /// Calls every task's [`SinkTask::flush`] with the offsets of what it accepted; commits
    /// nothing. The worker itself flushes through [`commit`](Self::commit).
    pub fn flush(&mut self) -> Result<(), ConnectError> {
        let running = self.running.as_mut().expect("the harness is stopped");
        for t in &mut running.tasks {
            call(t.task.flush(t.consumed.clone().into()))?;
        }
        Ok(())
    }

    /// What the worker does to commit: asks each task that accepted records for the offsets
    /// safe to commit ([`SinkTask::pre_commit`]) and commits those. Returns the offsets
    /// committed by this call; clears the tasks' commit requests.
    pub fn commit(&mut self) -> Result<Vec<TopicPartitionOffset>, ConnectError> {
        let running = self.running.as_mut().expect("the harness is stopped");
        let mut committed_now = Vec::new();
        for t in &mut running.tasks {
            t.shared.commit_requested.store(false, Ordering::Release);
            if t.consumed.is_empty() {
                continue;
            }
            let safe = call(t.task.pre_commit(t.consumed.clone().into()))?;
            committed_now.extend(safe);
        }
        for offset in &committed_now {
            match self
                .committed
                .iter_mut()
                .find(|o| o.partition == offset.partition && o.topic == offset.topic)
            {
                Some(o) => o.offset = offset.offset,
                None => self.committed.push(offset.clone()),
            }
        }
        Ok(committed_now)
    }

    /// Every offset committed so far: per partition, the next offset a restarted task
    /// would be given.
    pub fn committed_offsets(&self) -> &[TopicPartitionOffset] {
        &self.committed
    }

    /// Whether a task called
    /// [`request_commit`](crate::sink::SinkTaskContext::request_commit) since the last
    /// [`commit`](Self::commit).
    pub fn commit_requested(&self) -> bool {
        let running = self.running();
        running
            .tasks
            .iter()
            .any(|t| t.shared.commit_requested.load(Ordering::Acquire))
    }

    /// The partitions task `task` sees as its assignment.
    ///
    /// # Panics
    /// If the harness is stopped or there is no task `task`.
    pub fn assignment(&self, task: usize) -> Vec<TopicPartition> {
        let running = self.running();
        let count = running.tasks.len();
        let Some(t) = running.tasks.get(task) else {
            panic!("no task {task}: the harness runs {count} task(s)");
        };
        let assignment = t
            .shared
            .assignment
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        assignment.clone()
    }

    /// Whether the connector called
    /// [`request_task_reconfiguration`](crate::connector::ConnectorContext::request_task_reconfiguration).
    pub fn reconfiguration_requested(&self) -> bool {
        self.running().connector.reconfiguration_requested()
    }

    /// The errors the connector raised through
    /// [`ConnectorContext::raise_error`](crate::connector::ConnectorContext::raise_error);
    /// the worker would mark it FAILED.
    pub fn raised_errors(&self) -> Vec<String> {
        self.running().connector.raised_errors()
    }

    /// Stops as the worker does: a final [`commit`](Self::commit), then the tasks are stopped,
    /// then the connector. Everything is stopped even when a step fails; the first error is
    /// returned. Stopping a stopped harness does nothing.
    pub fn stop(&mut self) -> Result<(), ConnectError> {
        if self.running.is_none() {
            return Ok(());
        }
        for t in &self.running().tasks {
            t.shared.stopping.store(true, Ordering::Release);
        }
        let committed = self.commit().map(drop);
        let mut running = self.running.take().expect("checked above");
        committed.and(stop_all(&mut running))
    }

    fn running(&self) -> &Running {
        self.running.as_ref().expect("the harness is stopped")
    }

    fn task(&mut self, task: usize) -> &mut Task {
        let running = self.running.as_mut().expect("the harness is stopped");
        let count = running.tasks.len();
        match running.tasks.get_mut(task) {
            Some(t) => t,
            None => panic!("no task {task}: the harness runs {count} task(s)"),
        }
    }
}

/// The worker's bookkeeping: the next offset to consume is one past the last record handed over.
fn record_consumed(consumed: &mut Vec<TopicPartitionOffset>, r: &SinkRecord) {
    let next = r.kafka_offset + 1;
    match consumed
        .iter_mut()
        .find(|o| o.partition == r.kafka_partition && o.topic == r.topic)
    {
        Some(o) => o.offset = next,
        None => consumed.push(TopicPartitionOffset {
            topic: r.topic.clone(),
            partition: r.kafka_partition,
            offset: next,
        }),
    }
}

fn stop_all(running: &mut Running) -> Result<(), ConnectError> {
    let mut result = Ok(());
    for mut t in running.tasks.drain(..) {
        t.shared.stopping.store(true, Ordering::Release);
        let stopped = call(t.task.stop());
        result = result.and(stopped);
    }
    result.and(running.connector.stop())
}

impl<C, T> std::fmt::Debug for SinkHarness<C, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SinkHarness")
            .field("tasks", &self.running.as_ref().map(|r| r.tasks.len()))
            .field("committed", &self.committed)
            .finish()
    }
}

impl<C, T> Drop for SinkHarness<C, T> {
    fn drop(&mut self) {
        if let Some(mut running) = self.running.take() {
            let _ = stop_all(&mut running);
        }
    }
}

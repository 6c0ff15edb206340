//! Sink tasks: they receive batches of consumed records and write them out.

use abi_stable::std_types::RString;
use abi_stable::StableAbi;

use crate::data::SinkRecord;
use crate::errors::ConnectError;
use crate::ffi::HostSinkTaskContextBox;
use crate::Props;

/// A topic partition.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq, Hash)]
pub struct TopicPartition {
    /// The topic's name.
    pub topic: RString,
    /// The partition's number within the topic.
    pub partition: i32,
}

/// A topic partition and the offset of the next record to consume from it.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq, Hash)]
pub struct TopicPartitionOffset {
    /// The topic's name.
    pub topic: RString,
    /// The partition's number within the topic.
    pub partition: i32,
    /// The offset of the next record to consume: one past the last record handled.
    pub offset: i64,
}

/// What a sink task may ask of the worker.
pub struct SinkTaskContext {
    host: HostSinkTaskContextBox,
}

impl SinkTaskContext {
    pub(crate) fn new(host: HostSinkTaskContextBox) -> Self {
        SinkTaskContext { host }
    }

    /// The partitions currently assigned to the task.
    pub fn assignment(&self) -> Vec<TopicPartition> {
        self.host.assignment().into_vec()
    }

    /// Asks the worker to flush and commit offsets soon, rather than after
    /// `offset.flush.interval.ms`: for example when the task's buffer is full.
    pub fn request_commit(&self) {
        self.host.request_commit();
    }

    /// True once the worker is stopping the task: a `put` that waits should return.
    pub fn is_stopping(&self) -> bool {
        self.host.is_stopping()
    }
}

/// A sink task. The worker creates it with `Default` and calls it from one dedicated
/// thread. Consumer offsets are committed only up to what [`flush`](Self::flush) (or
/// [`pre_commit`](Self::pre_commit)) confirms, so a crash loses nothing.
pub trait SinkTask: Send + 'static {
    /// Starts with one of the configurations the connector's
    /// [`task_configs`](crate::connector::SinkConnector::task_configs) returned. An error
    /// fails the task.
    fn start(&mut self, props: &Props, ctx: &SinkTaskContext) -> Result<(), ConnectError>;

    /// Receives a batch. It may buffer (cloning what it keeps); data must be durable once
    /// `flush` returns. An error of kind `Retriable` makes the worker deliver the same
    /// batch again after a pause; any other error fails the task.
    fn put(&mut self, records: &[SinkRecord], ctx: &SinkTaskContext) -> Result<(), ConnectError>;

    /// Makes everything given to `put` so far durable. `offsets` are the next offsets to
    /// consume per partition, for what `put` received. An error fails the task and nothing
    /// is committed.
    fn flush(&mut self, _offsets: &[TopicPartitionOffset]) -> Result<(), ConnectError> {
        Ok(())
    }

    /// Returns the offsets safe to commit. By default it flushes and returns `offsets`.
    /// The worker calls it every `offset.flush.interval.ms`, soon after a
    /// [`request_commit`](SinkTaskContext::request_commit) and before stopping. Override
    /// it to commit less than was received, e.g. only what an asynchronous writer confirmed.
    fn pre_commit(
        &mut self,
        offsets: Vec<TopicPartitionOffset>,
    ) -> Result<Vec<TopicPartitionOffset>, ConnectError> {
        self.flush(&offsets)?;
        Ok(offsets)
    }

    /// Partitions were assigned to the task (Kafka Connect's `open`). Part of the ABI, but
    /// the worker does not call it yet: read [`SinkTaskContext::assignment`] instead.
    fn open(&mut self, _partitions: Vec<TopicPartition>) -> Result<(), ConnectError> {
        Ok(())
    }

    /// Partitions were taken from the task (Kafka Connect's `close`). Part of the ABI, but
    /// the worker does not call it yet.
    fn close(&mut self, _partitions: Vec<TopicPartition>) -> Result<(), ConnectError> {
        Ok(())
    }

    /// Releases what `start` acquired. Called last, also when the task failed.
    fn stop(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }
}

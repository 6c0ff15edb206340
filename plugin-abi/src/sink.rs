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
    pub topic: RString,
    pub partition: i32,
}

/// A topic partition and the offset of the next record to consume from it.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq, Hash)]
pub struct TopicPartitionOffset {
    pub topic: RString,
    pub partition: i32,
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

    /// Asks the worker to flush and commit offsets soon.
    pub fn request_commit(&self) {
        self.host.request_commit();
    }

    pub fn is_stopping(&self) -> bool {
        self.host.is_stopping()
    }
}

/// A sink task. The worker creates it with `Default` and calls it from one dedicated
/// thread. Consumer offsets are committed only up to what [`flush`](Self::flush) (or
/// [`pre_commit`](Self::pre_commit)) confirms, so a crash loses nothing.
pub trait SinkTask: Send + 'static {
    fn start(&mut self, props: &Props, ctx: &SinkTaskContext) -> Result<(), ConnectError>;

    /// Receives a batch. It may buffer (cloning what it keeps); data must be durable once
    /// `flush` returns. An error of kind `Retriable` makes the worker deliver the same
    /// batch again after a pause; any other error fails the task.
    fn put(&mut self, records: &[SinkRecord], ctx: &SinkTaskContext) -> Result<(), ConnectError>;

    /// Makes everything given to `put` so far durable.
    fn flush(&mut self, _offsets: &[TopicPartitionOffset]) -> Result<(), ConnectError> {
        Ok(())
    }

    /// Returns the offsets safe to commit. By default it flushes and returns `offsets`.
    fn pre_commit(
        &mut self,
        offsets: Vec<TopicPartitionOffset>,
    ) -> Result<Vec<TopicPartitionOffset>, ConnectError> {
        self.flush(&offsets)?;
        Ok(offsets)
    }

    fn open(&mut self, _partitions: Vec<TopicPartition>) -> Result<(), ConnectError> {
        Ok(())
    }

    fn close(&mut self, _partitions: Vec<TopicPartition>) -> Result<(), ConnectError> {
        Ok(())
    }

    fn stop(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }
}

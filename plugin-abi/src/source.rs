//! Source tasks: they read from an external system and return batches of records.

use abi_stable::std_types::ROption;

use crate::data::{SourceRecord, Value};
use crate::errors::ConnectError;
use crate::ffi::HostSourceTaskContextBox;
use crate::Props;

/// What a source task may ask of the worker: the offsets committed for it (Kafka Connect's
/// `OffsetStorageReader`) and whether it is being stopped.
pub struct SourceTaskContext {
    host: HostSourceTaskContextBox,
}

impl SourceTaskContext {
    pub(crate) fn new(host: HostSourceTaskContextBox) -> Self {
        SourceTaskContext { host }
    }

    /// The last committed offset of `partition` (the map given as `source_partition`),
    /// so a restarted task resumes where it stopped.
    pub fn offset(&self, partition: &Value) -> Option<Value> {
        match self.host.offset(partition) {
            ROption::RSome(v) => Some(v),
            ROption::RNone => None,
        }
    }

    /// True once the worker is stopping the task: a `poll` that waits for data should return.
    pub fn is_stopping(&self) -> bool {
        self.host.is_stopping()
    }
}

/// A source task. The worker creates it with `Default` and calls it from one dedicated
/// thread: `start`, then `poll` in a loop, then `stop`.
///
/// Each record carries a source partition and offset ([`SourceRecord::with_source`]). Once
/// Kafka has acknowledged a record, its offset is committed; a restarted task reads it back
/// with [`SourceTaskContext::offset`] and resumes after it. Offsets are committed only for
/// acknowledged records, so after a crash a task may send again what it sent last
/// (at-least-once), never skip.
pub trait SourceTask: Send + 'static {
    /// Starts with one of the configurations the connector's
    /// [`task_configs`](crate::connector::SourceConnector::task_configs) returned; this is
    /// where a task reads its committed offsets. An error fails the task.
    fn start(&mut self, props: &Props, ctx: &SourceTaskContext) -> Result<(), ConnectError>;

    /// The next batch of records. Return an empty batch after waiting a little (up to about
    /// a second) when there is no data, so the worker can stop the task promptly.
    /// An error of kind `Retriable` makes the worker call `poll` again.
    fn poll(&mut self, ctx: &SourceTaskContext) -> Result<Vec<SourceRecord>, ConnectError>;

    /// The worker committed the offsets of the records returned so far: a source that
    /// acknowledges reads upstream (a queue, a replication slot) can do it now.
    fn commit(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }

    /// Releases what `start` acquired. Called after the last `poll`, also when the task failed.
    fn stop(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }
}

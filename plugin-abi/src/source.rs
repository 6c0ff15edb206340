//! Source tasks: they read from an external system and return batches of records.

use abi_stable::std_types::ROption;

use crate::data::{SourceRecord, Value};
use crate::errors::ConnectError;
use crate::ffi::HostSourceTaskContextBox;
use crate::Props;

/// What a source task may ask of the worker.
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
pub trait SourceTask: Send + 'static {
    fn start(&mut self, props: &Props, ctx: &SourceTaskContext) -> Result<(), ConnectError>;

    /// The next batch of records. Return an empty batch after waiting a little (up to about
    /// a second) when there is no data, so the worker can stop the task promptly.
    /// An error of kind `Retriable` makes the worker call `poll` again.
    fn poll(&mut self, ctx: &SourceTaskContext) -> Result<Vec<SourceRecord>, ConnectError>;

    /// The worker committed the offsets of the records returned so far.
    fn commit(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }

    fn stop(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }
}

//! The worker: connector and task life cycles, and the source and sink task loops.

pub(crate) mod contexts;
mod converters;
mod errors;
mod herder;
mod offset_committer;
mod offset_tracker;
mod sink_task;
mod source_task;
mod task;
pub(crate) mod worker;

pub use herder::{Herder, OffsetChange};
pub use offset_tracker::OffsetTracker;
pub use task::{TaskEnv, TaskHandle};
pub use worker::{ConnectorInfo, TargetState, Worker, WorkerError};

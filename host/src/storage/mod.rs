//! Where the worker keeps its state: source offsets and connector/task status.

mod offsets;
mod status;

pub use offsets::FileOffsetStore;
pub use status::{ConnectorStatus, State, StatusStore, TaskStatus};
